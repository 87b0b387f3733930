"""Plain-text tables that fit a width without cutting what must stay whole.

A column is ``keep`` (never cut or wrapped: member names, rule IDs, ``file:line``),
``wrap`` (wrapped at spaces, long words broken only as a last resort) or ``optional`` (a
wrapping column dropped, highest number first, when even the wrapped layout does not fit). Cells are plain strings,
or ``(text, style)`` pairs, styled after layout so colour never changes a width.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .style import Style, cells

GAP = "  "


@dataclass
class Column:
    header: str
    keep: bool = False          # never cut: the column is as wide as its widest cell
    right: bool = False         # right-justified (numbers)
    optional: int = 0           # may be dropped to fit: the highest number goes first
    min: int = 12               # narrowest a wrapping column gets


def wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` (its own newlines kept); never an empty list."""
    out: list[str] = []
    for para in text.split("\n"):
        if cells(para) <= width:
            out.append(para)
            continue
        out.extend(textwrap.wrap(para, max(1, width), break_long_words=True, break_on_hyphens=False)
                   or [""])
    return out or [""]


def _text(cell) -> str:
    return cell[0] if isinstance(cell, tuple) else ("" if cell is None else str(cell))


def _style(cell) -> str | None:
    return cell[1] if isinstance(cell, tuple) else None


def _natural(col: Column, texts: list[str]) -> int:
    return max([cells(col.header)] + [cells(line) for t in texts for line in t.split("\n")])


def _longest_word(texts: list[str]) -> int:
    return max([1] + [cells(w) for t in texts for w in t.split()])


def fit(columns: list[Column], rows: list[list], width: int) -> tuple[list[int], list[int]]:
    """(indices of the columns shown, their widths) for ``width``."""
    shown = list(range(len(columns)))
    texts = {i: [_text(r[i]) for r in rows] for i in shown}
    natural = {i: _natural(columns[i], texts[i]) for i in shown}
    while True:
        gaps = len(GAP) * (len(shown) - 1)
        fixed = sum(natural[i] for i in shown if columns[i].keep)
        flex = [i for i in shown if not columns[i].keep]
        room = width - gaps - fixed
        need = sum(natural[i] for i in flex)
        if need <= room:
            return shown, [natural[i] for i in shown]
        floor = {i: min(natural[i], max(columns[i].min, min(_longest_word(texts[i]), 24), cells(columns[i].header)))
                 for i in flex}
        if sum(floor.values()) <= room or not any(columns[i].optional for i in shown):
            widths = dict(floor)
            spare = max(0, room - sum(floor.values()))
            want = {i: natural[i] - floor[i] for i in flex}
            total = sum(want.values()) or 1
            for i in flex:  # share what is left in proportion to what each column still wants
                widths[i] += min(want[i], spare * want[i] // total)
            left = room - sum(widths.values())
            for i in flex:
                add = min(max(0, left), natural[i] - widths[i])
                widths[i] += add
                left -= add
            return shown, [natural[i] if columns[i].keep else widths[i] for i in shown]
        drop = max((i for i in shown if columns[i].optional), key=lambda i: (columns[i].optional, i))
        shown.remove(drop)


def table(columns: list[Column], rows: list[list], style: Style, indent: int = 0) -> list[str]:
    """The table's lines: a bold header, a rule, then each row (wrapped cells on more lines)."""
    shown, widths = fit(columns, rows, style.width - indent)
    pad = " " * indent

    def line(parts: list[tuple[str, str | None]]) -> str:
        out = []
        for (text, sty), i, w in zip(parts, shown, widths):
            space = " " * (w - cells(text))
            out.append(space + style.paint(text, sty) if columns[i].right else style.paint(text, sty) + space)
        return (pad + GAP.join(out)).rstrip()

    lines = [line([(columns[i].header, "bold") for i in shown]),
             pad + style.paint(GAP.join("─" * w for w in widths), "dim")]
    for r in rows:
        wrapped = [wrap(_text(r[i]), w) for i, w in zip(shown, widths)]
        for k in range(max(len(c) for c in wrapped)):
            lines.append(line([(c[k] if k < len(c) else "", _style(r[i])) for c, i in zip(wrapped, shown)]))
    return lines


def block(text: str, style: Style, indent: int, first: str = "") -> list[str]:
    """``first`` then ``text`` wrapped under an ``indent``-column hanging indent."""
    pad = " " * indent
    head = first or pad
    lines = wrap(text, max(20, style.width - len(head)))
    if len(lines) > 1:   # the rest wraps under the hanging indent
        lines = [lines[0]] + wrap(" ".join(lines[1:]), max(20, style.width - indent))
    return [head + lines[0]] + [pad + x for x in lines[1:]]
