"""Options shared by commands: the pair options of ``check``/``fix``, and the reporting options
(``--format``, ``--output-file``, ``--color``, ``--quiet``) of every command."""
from __future__ import annotations

import functools
import sys

import click

from ..model import EnumsyncError
from ..pairs import PairOptions
from ..presets import names as preset_names


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
                     help="Where runner.h comes from: installed | pinned | latest | VERSION | SPECIFIER "
                          "(e.g. 0.7.2 or '>=0.6,<0.8')."),
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


def report_options(findings: bool = True, extra: dict[str, str] | None = None):
    """Add ``--format/--output-file/--color/--quiet``; the command receives ``out: OutputOptions``.

    ``findings``: the command reports findings, so it offers concise, github and sarif too;
    ``extra``: the command's own formats (name -> help), rendered by ``Report.extra``."""
    from ..report import FORMATS, OutputOptions, format_names
    from ..report.style import COLOR_CHOICES
    helps = {n: FORMATS[n].help for n in format_names(findings)} | dict(extra or {})
    names = list(helps)
    fmt_help = "Output format: " + "; ".join(f"{n}: {h}" for n, h in helps.items()) + "."
    opts = [
        click.option("--format", "fmt", type=click.Choice(names), default="text", show_default=True,
                     help=fmt_help),
        click.option("--output-file", "-o", "output_file", metavar="PATH",
                     help="Also write the report to PATH, in the format its name says (.sarif, .json, .txt), "
                          "else in --format; the screen then shows --format, or the text report if the file "
                          "already has it."),
        click.option("--color", "color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
                     help="Colour: auto = on a terminal only (NO_COLOR turns it off, FORCE_COLOR on)."),
        click.option("--quiet", "-q", is_flag=True,
                     help="Text report: print only the findings and the summary line."),
    ]

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, fmt, output_file, color, quiet, **kw):
            return fn(*args, out=OutputOptions(fmt, output_file, color, quiet), **kw)
        for o in reversed(opts):
            wrapper = o(wrapper)
        return wrapper
    return deco


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
