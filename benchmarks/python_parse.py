"""Python enum parse time against the number of members (issue 10: linear, 10,000 members < 1 s).

``python benchmarks/python_parse.py`` (or ``benchmarks/run.py python_parse``) prints, for 500 ... 10,000 members, the CPU seconds
one read (file -> ``ast.parse`` -> EnumSpec) takes (best of 3, in-process, cache bypassed;
CPU time, so a busy machine does not inflate it), the seconds per 1,000
members (flat when the parse is linear), and the whole CLI ``enumsync check`` wall time of
the 10,000-member pair (C++ parse and JSON report included; ``run.py`` prints it as a ratio to
``python -c pass``). ``main()`` returns the numbers as a dict. Goal (issue 10): 10,000 members
parse in under 1 s.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

SIZES = (500, 1000, 2000, 5000, 10000)
GOALS = {"parse_10000_s": ("s", 1.0)}
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _write_pair(d: Path, n: int) -> tuple[Path, Path]:
    py = d / f"big{n}.py"
    lines = ["from enum import IntEnum, auto", "", "BASE = 4", "", "class Big(IntEnum):"]
    for i in range(n):
        if i % 3 == 0:
            lines.append(f"    # member {i}: a comment above\n    M{i} = {i}")
        elif i % 3 == 1:
            lines.append(f"    M{i} = BASE * 0 + {i}  # trailing")
        else:
            lines.append(f"    M{i} = auto()")
    py.write_text("\n".join(lines) + "\n")
    h = d / f"big{n}.h"
    h.write_text("enum class Big : int {\n" + "".join(f"  M{i} = {i},\n" for i in range(n)) + "};\n")
    return h, py


def _best(fn, repeat: int = 3, clock=time.process_time) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def _after_classes(d: Path, n: int) -> None:
    """An enum after ``n`` module constants and classes: the module scope is replayed up to it
    (each class keeps the names its bases read; a whole copy of the scope per class was quadratic)."""
    py = d / "many_classes.py"
    if not py.exists():
        py.write_text("import enum\n" + "".join(f"X{i} = {i}\nclass C{i}:\n    pass\n" for i in range(n))
                      + "class Late(enum.IntEnum):\n    A = 1\n    B = 2\n")
    from enumsync.parsers.python_enum import parse_module, parse_tree
    p, text, tree = parse_module(py)     # parse_python_enum would answer repeats from its cache
    assert [m.value for m in parse_tree(tree, text, p, "Late").members] == [1, 2]


def main() -> dict:
    from enumsync.parsers.python_enum import parse_module, parse_tree
    out: dict = {}
    with tempfile.TemporaryDirectory() as td:
        d = Path(td)
        for n in SIZES:
            h, py = _write_pair(d, n)

            def parse():
                p, text, tree = parse_module(py)
                spec = parse_tree(tree, text, p, "Big")
                assert len(spec.members) == n and spec.members[-1].value == n - 1
            s = _best(parse)
            out[f"parse_{n}_s"] = round(s, 4)
            out[f"parse_{n}_ms_per_1000_members"] = round(s / n * 1e6, 2)
        out["parse_after_5000_classes_s"] = round(_best(lambda: _after_classes(d, 5000)), 4)
        from common import baseline, wall
        out["check_10000_s"] = round(wall([sys.executable, "-m", "enumsync", "check", "--cpp", str(h), "--python",
                                           str(py), "--enum", "Big", "--format", "json"], n=3,
                                          env=dict(os.environ, COLUMNS="120")), 4)
        out["python_c_pass_alongside_s"] = round(baseline(), 4)
    return out


if __name__ == "__main__":
    res = main()
    width = max(map(len, res))
    for k, v in res.items():
        print(f"{k:<{width}}  {v}")
