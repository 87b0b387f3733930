"""Attach comments to enum members by line: the comment run above a member, and the one beside it.

Works on plain source lines, so C++ (``//``, ``/* */``) and Python (``#``) share one algorithm.
A comment-only line that continues a trailing comment (same column, right below it) stays with
the member above, as clang-format writes it.
"""
from __future__ import annotations

import re

# a documentation marker right after the opener is not text: doxygen's ``///<``, ``//!<``, ``//!``,
# ``/**<``, ``/*!<``, ``/*!``, and Sphinx's ``#:``
_CPP_MARK = r"(?:!<|!|<)?"
_CPP_LINE = re.compile(r"^\s*//+" + _CPP_MARK + r"\s?(.*)$")
_PY_LINE = re.compile(r"^\s*#+:?\s?(.*)$")
_CPP_MARKER = re.compile(r"^" + _CPP_MARK)


def _trailing_cpp(line: str) -> tuple[str, int] | None:
    """The trailing ``//`` or ``/* */`` comment on a code line, with its column."""
    in_str = False
    i = 0
    while i < len(line) - 1:
        ch = line[i]
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_str = not in_str
        elif not in_str and line.startswith("//", i):
            return _CPP_MARKER.sub("", line[i:].lstrip("/"), 1).strip(), i
        elif not in_str and line.startswith("/*", i):
            body = _CPP_MARKER.sub("", line[i + 2:].lstrip("*"), 1)
            return body.split("*/", 1)[0].strip("* \t"), i
        i += 1
    return None


def _py_text(comment: str) -> str:
    text = comment.lstrip("#")
    return (text[1:] if text.startswith(":") else text).strip()


def _trailing_py(line: str) -> tuple[str, int] | None:
    if "#" not in line:
        return None
    if "'" not in line and '"' not in line:   # no string: the first # starts the comment (no tokenizer)
        col = line.index("#")
        return _py_text(line[col:]), col
    import io
    import tokenize
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line + "\n").readline):
            if tok.type == tokenize.COMMENT:
                return _py_text(tok.string), tok.start[1]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return None


def _block_above(lines: list[str], idx: int, floor: int, lang: str) -> tuple[list[str], int]:
    """Comment lines directly above 0-based line ``idx`` (not above ``floor``); returns (texts, first idx)."""
    out: list[str] = []
    i = idx - 1
    while i >= floor:
        s = lines[i].strip()
        if lang == "cpp" and s.endswith("*/") and not s.startswith("//"):
            # a /* ... */ block, possibly over several lines
            j = i
            while j >= floor and "/*" not in lines[j]:
                j -= 1
            if j < floor:
                break
            block = [re.sub(r"^\s*(/\*+" + _CPP_MARK + r"|\*+/?)?\s?", "", l).replace("*/", "").rstrip()
                     for l in lines[j:i + 1]]
            out[:0] = [b for b in block if b.strip()]
            i = j - 1
            continue
        m = (_CPP_LINE if lang == "cpp" else _PY_LINE).match(lines[i])
        if not m:
            break
        out.insert(0, m.group(1).rstrip())
        i -= 1
    return out, i + 1


def member_comments(lines: list[str], member_lines: list[int], open_line: int, lang: str) -> list[str]:
    """For each member (1-based line), its full comment: the run above, then the trailing one."""
    trailing = _trailing_cpp if lang == "cpp" else _trailing_py
    result = []
    prev_end = open_line  # 1-based: comments above the first member stop at the enum's own line
    for n, ln in enumerate(member_lines):
        idx = ln - 1
        above, first = _block_above(lines, idx, prev_end, lang)
        # lines that continue the previous member's trailing comment are not ours
        if n > 0 and above:
            prev = trailing(lines[member_lines[n - 1] - 1])
            if prev is not None:
                col = prev[1]
                k = 0
                while k < len(above) and first + k < idx and lines[first + k].find(lines[first + k].strip()) == col:
                    k += 1
                if k:
                    result[-1] = " ".join([result[-1], *above[:k]]).strip()
                    above = above[k:]
        parts = [a.strip() for a in above if a.strip()]
        t = trailing(lines[idx]) if idx < len(lines) else None
        if t and t[0]:
            parts.append(t[0])
        result.append(" ".join(parts))
        prev_end = ln  # next member's comment starts below this member's line
    return result


def cpp_member_comments(lines: list[str], member_lines: list[int], open_line: int) -> list[str]:
    return member_comments(lines, member_lines, open_line, "cpp")


def py_member_comments(lines: list[str], member_lines: list[int], open_line: int) -> list[str]:
    return member_comments(lines, member_lines, open_line, "python")
