"""``enumsync rules``: the rule catalogue, from the registry (the README table is generated here)."""
from __future__ import annotations

import json
import sys

import click

from ..rules import all_rules


def markdown_table() -> str:
    """The README's rule table."""
    rows = ["| ID | name | default | what |", "|---|---|---|---|"]
    rows += [f"| {r.id} | {r.name} | {r.severity.value} | {r.doc} |" for r in all_rules()]
    return "\n".join(rows) + "\n"


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(fmt: str) -> None:
    """List every rule: stable ID, name, default severity and what it means."""
    if fmt == "markdown":
        sys.stdout.write(markdown_table())
    elif fmt == "json":
        sys.stdout.write(json.dumps([{"id": r.id, "name": r.name, "severity": r.severity.value, "scope": r.scope,
                                      "doc": r.doc} for r in all_rules()], indent=2) + "\n")
    else:
        for r in all_rules():
            click.echo(f"{r.id}  {r.name:24} {r.severity.value:8} {r.doc}")
