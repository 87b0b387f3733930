"""Options shared by commands: the pair options of ``check``/``fix`` and ``--format``."""
from __future__ import annotations

import functools
import sys

import click

from ..model import EnumsyncError
from ..pairs import PairOptions
from ..presets import names as preset_names

FORMATS = ("text", "json", "github", "sarif", "markdown")


def pair_options(fn):
    """Add ``--cpp/--python/--enum/--cpp-enum/--python-enum/--flashinfer/--preset/--config/-I``.

    The wrapped command receives one ``pair: PairOptions`` argument instead.
    """
    opts = [
        click.option("--cpp", "cpp", metavar="HEADER", help="C++ header with the enum (default: flashinfer's runner.h)."),
        click.option("--python", "python", metavar="FILE", help="Python file with the enum copy."),
        click.option("--enum", "enum", metavar="NAME", help="Enum name on both sides [default: RoutingMethodType]."),
        click.option("--cpp-enum", metavar="QUALNAME", help="C++ enum by qualified name (e.g. ns::Routing::X)."),
        click.option("--python-enum", metavar="CLASS", help="Python enum class name, if it differs."),
        click.option("--flashinfer", metavar="SOURCE",
                     help="Where runner.h comes from: installed | pinned | VERSION | SPECIFIER."),
        click.option("--preset", type=click.Choice(preset_names()),
                     help="Known project: where its Python copy, pins and extensions are [default: the checkout "
                          "around the working directory, detected]."),
        click.option("--config", metavar="PYPROJECT", help="Config file [default: nearest pyproject.toml]."),
        click.option("-I", "--include-dir", "include_dirs", multiple=True, metavar="DIR",
                     help="Include directory for C++ values that need macros from other headers."),
    ]

    @functools.wraps(fn)
    def wrapper(*args, cpp, python, enum, cpp_enum, python_enum, flashinfer, preset, config, include_dirs, **kw):
        pair = PairOptions(cpp, python, enum, cpp_enum, python_enum, flashinfer, preset, config, include_dirs)
        return fn(*args, pair=pair, **kw)

    for o in reversed(opts):
        wrapper = o(wrapper)
    return wrapper


def format_option(choices=FORMATS):
    return click.option("--format", "fmt", type=click.Choice(choices), default="text", show_default=True,
                        help="Output format.")


def fail(msg: str) -> None:
    """One line on stderr, exit code 2."""
    click.echo(f"enumsync: error: {msg}", err=True)
    sys.exit(2)


def guarded(fn):
    """Turn EnumsyncError (bad input) into one line on stderr and exit code 2."""
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        try:
            return fn(*a, **kw)
        except EnumsyncError as e:
            fail(str(e))
    return wrapper
