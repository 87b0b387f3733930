"""Reporters: findings and tables in, text out. They know nothing about parsing.

``FORMATS`` is the one registry of output formats: the CLI choices, the help text and the
dispatch all read it. A command builds a :class:`Report` (its text renderer, its JSON body,
its findings) and hands it to :func:`emit`, which picks the format, colour and width, writes
``--output-file`` and returns the exit code.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Callable

from .style import Style, wants_color, width_for


@dataclass(frozen=True)
class Format:
    name: str
    help: str
    findings: bool = False          # only for commands that report findings
    module: str = ""                # report.<module>.render(report) -> str; "" for text


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", "a report that fits the terminal (tables, then each finding with a hint)"),
    Format("json", "one JSON document: {schema, command, ...}", module="jsonfmt"),
    Format("concise", "one `path:line: RULE name: message` line per finding", True, "concise"),
    Format("github", "GitHub Actions annotations (::error file=...,line=...::)", True, "github"),
    Format("sarif", "SARIF 2.1.0 (for code scanning upload)", True, "sarif"),
    Format("markdown", "a Markdown summary (for $GITHUB_STEP_SUMMARY)", True, "markdown"),
)}
# --output-file: the file's format from its name, when the name says it
EXTENSIONS = {".sarif": "sarif", ".json": "json", ".md": "markdown", ".txt": "text", ".log": "text"}


def format_names(findings: bool) -> list[str]:
    return [f.name for f in FORMATS.values() if findings or not f.findings]


@dataclass
class Report:
    """What a command has to say, in every format.

    ``text(style)`` draws the human report (honouring ``style.quiet``); ``body()`` is the
    command's JSON document without ``schema``/``command``; ``findings`` are ``(Finding, pair
    label or None)`` for the concise, github and sarif formats."""

    command: str
    text: Callable[[Style], str]
    body: Callable[[], dict]
    findings: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)   # a command's own formats: name -> render(style) -> str
    results: list = field(default_factory=list)  # the checked pairs, if any (markdown's pair table)
    origins: list = field(default_factory=list)  # zero config: which project and pin were checked


@dataclass
class OutputOptions:
    """The reporting options every command shares (see ``commands/options.py``)."""

    fmt: str = "text"
    output_file: str | None = None
    color: str = "auto"
    quiet: bool = False


def pairs_report(command: str, results) -> Report:
    """A report of checked pairs (``check``, ``scan``): tables and findings, every format."""
    from .text import render as text
    return Report(command, lambda style: text(results, style), lambda: _results_json(results),
                  [(f, r.label) for r in results for f in r.findings], results=list(results),
                  origins=[r.origin for r in results if r.origin])


def _results_json(results) -> dict:
    from .jsonfmt import results_json   # only for --format json (keeps json out of a text report)
    return results_json(results)


def render(report: Report, fmt: str, style: Style | None = None) -> str:
    if fmt in report.extra:
        return report.extra[fmt](style or Style())
    if fmt == "text":
        return report.text(style or Style())
    return importlib.import_module(f"{__name__}.{FORMATS[fmt].module}").render(report)


def file_format(path: str, fmt: str) -> str:
    """The format ``--output-file PATH`` gets: from its extension, else ``--format``'s."""
    low = path.lower()
    for ext, name in EXTENSIONS.items():
        if low.endswith(ext):
            return name
    return fmt


def emit(report: Report, out: OutputOptions, stream=None) -> None:
    """Write the report: ``--format`` to stdout, and, with ``--output-file``, that file's format
    to the file (then stdout shows the text report if the file already has ``--format``)."""
    from ..model import EnumsyncError
    stream = stream or sys.stdout
    screen = out.fmt
    if out.output_file:
        ffmt = file_format(out.output_file, out.fmt)
        text = render(report, ffmt, Style(False, width_for(None), out.quiet))
        try:
            with open(out.output_file, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as e:
            raise EnumsyncError(f"--output-file {out.output_file}: cannot write it ({e.strerror or e}); "
                                "check the folder exists and is writable") from e
        if ffmt == out.fmt:
            screen = "text"
    style = Style(wants_color(out.color, stream), width_for(stream), out.quiet)
    stream.write(render(report, screen, style))
    stream.flush()


def counts(results) -> dict[str, int]:
    """Unsuppressed findings of every ``PairResult`` by severity, plus the suppressed ones."""
    return count_findings(f for r in results for f in r.findings)


def count_findings(findings) -> dict[str, int]:
    """Unsuppressed findings by severity, plus the suppressed ones."""
    out = {"errors": 0, "warnings": 0, "infos": 0, "suppressed": 0}
    for f in findings:
        if f.suppressed:
            out["suppressed"] += 1
        else:
            out[{"error": "errors", "warning": "warnings", "info": "infos"}[f.severity.value]] += 1
    return out


def exit_code(findings) -> int:
    """0: no unsuppressed error; 1: at least one."""
    return 1 if any(f.severity.value == "error" and not f.suppressed for f in findings) else 0
