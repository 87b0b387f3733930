"""The ``enumsync`` command group. Subcommands load lazily so ``--help`` and ``check`` stay fast."""
from __future__ import annotations

import importlib

import click

from . import __version__

# command name -> "module:attribute" (each module is small and named for what it does)
COMMANDS = {
    "check": "enumsync.commands.check:check",
    "fix": "enumsync.commands.fix:fix",
    "diff": "enumsync.commands.diff:diff",
    "history": "enumsync.commands.history:history",
    "models": "enumsync.commands.models:models",
    "verify": "enumsync.commands.verify:verify",
    "rules": "enumsync.commands.rules:rules",
    "scan": "enumsync.commands.scan:scan",
    "lock": "enumsync.commands.lock:lock",
}


class LazyGroup(click.Group):
    def main(self, args=None, prog_name=None, **kw):
        """Every failure to check is one line on stderr and exit code 2, never a traceback."""
        import os
        import sys

        from .model import EnumsyncError
        try:
            rv = super().main(args=args, prog_name=prog_name or "enumsync", standalone_mode=False, **kw)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.UsageError as e:
            cmd = e.ctx.command_path if e.ctx else "enumsync"
            click.echo(f"enumsync: error: {e.format_message()} (see `{cmd} --help`)", err=True)
            sys.exit(2)
        except click.ClickException as e:
            click.echo(f"enumsync: error: {e.format_message()}", err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("enumsync: aborted", err=True)
            sys.exit(130)
        except EnumsyncError as e:
            click.echo(f"enumsync: error: {e}", err=True)
            sys.exit(2)
        except OSError as e:   # the file system refused (a cache folder that is a file, a name too long): say what
            where = f"{e.filename!s}: ".replace("\n", "\\n") if e.filename else ""
            click.echo(f"enumsync: error: {where}{e.strerror or e}; check the path and its permissions", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as e:  # a bug in enumsync: still one line, unless debugging
            if os.environ.get("ENUMSYNC_DEBUG"):
                raise
            click.echo(f"enumsync: internal error: {type(e).__name__}: {e} "
                       "(set ENUMSYNC_DEBUG=1 for the traceback, and please report it)", err=True)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)

    def format_commands(self, ctx, formatter):
        """The command list with each summary whole (click cuts them to the terminal's width)."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        mod, attr = target.split(":")
        try:
            return getattr(importlib.import_module(mod), attr)
        except ModuleNotFoundError as e:  # a command not built yet in this checkout
            if e.name == mod:
                return None
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="enumsync")
def main() -> None:
    """Keep Python copies of GPU-kernel enums in step with the C++ enums the kernels read."""


if __name__ == "__main__":  # pragma: no cover
    main()
