"""The ``enumsync`` command group. Subcommands load lazily so ``--help`` and ``check`` stay fast."""
from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" (each module is small and named for what it does)
COMMANDS = {
    "check": "enumsync.commands.check:check",
    "fix": "enumsync.commands.fix:fix",
    "diff": "enumsync.commands.diff:diff",
    "history": "enumsync.commands.history:history",
    "models": "enumsync.commands.models:models",
    "verify": "enumsync.commands.verify:verify",
    "rules": "enumsync.commands.rules:rules",
}


class LazyGroup(click.Group):
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
@click.version_option(package_name="enumsync-kernels", prog_name="enumsync")
def main() -> None:
    """Keep Python copies of GPU-kernel enums in step with the C++ enums the kernels read."""


if __name__ == "__main__":  # pragma: no cover
    main()
