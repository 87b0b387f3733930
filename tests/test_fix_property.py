"""Property test: `fix` on generated files full of characters that other tools take for line breaks.

Each example is a module with a drifted ``class Mode(IntEnum)`` (a random subset of the C++
members, wrong values, tuple/plain/hex forms, comments above or beside, blank and form-feed
lines, tabs or spaces) between random lines: comments and strings holding form feeds, ``\\x0b``,
``\\x1c``-``\\x1e``, ``\\x85``, U+2028/U+2029 and U+FEFF, with ``\\n``, ``\\r\\n`` or ``\\r`` line ends
mixed, an optional BOM and an optional final newline. After ``fix``:

- every byte before the class body and after the class is identical;
- the file compiles, and CPython (importing it in a subprocess) gives every member the C++ value;
- the rules find no error and no missing member;
- a second ``fix`` changes nothing.

Bounded for CI: ``ENUMSYNC_FIX_EXAMPLES`` examples (default 150, a few seconds), no deadline.
"""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from enumsync.fixer import plan_fix_bytes  # noqa: E402
from enumsync.model import Severity  # noqa: E402
from enumsync.parsers.cpp import parse_cpp_enum  # noqa: E402
from enumsync.parsers.python_enum import parse_python_enum  # noqa: E402
from enumsync.rules import Context, run_pair_rules  # noqa: E402

EXAMPLES = int(os.environ.get("ENUMSYNC_FIX_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NAMES = ["None", "Alpha", "Beta", "Gamma", "Delta", "Epsilon"]        # C++ `None` is Python `None_`
PY_NAME = {n: n + "_" if n == "None" else n for n in NAMES}
ODD = "\x0c\x0b\x1c\x1d\x1e\x85\u2028\u2029\ufeff"
TEXT = st.text(alphabet=st.sampled_from(list(ODD + "ab é€#=:()'") + [" "]), max_size=12)
EOL = st.sampled_from(["\n", "\r\n", "\r"])


def _junk_line(kind: str, text: str, i: int) -> str:
    """One top-level line that Python accepts (the text never holds a quote, backslash or line end)."""
    text = text.replace("'", "").replace("\\", "")
    return {"comment": f"# {text}", "string": f"_s{i} = '{text}'", "ff": "\x0c",
            "blank": "", "ffstmt": f"\x0c_f{i} = {i}", "trail": f"_t{i} = 1  # {text}"}[kind]


JUNK = st.lists(st.tuples(st.sampled_from(["comment", "string", "ff", "blank", "ffstmt", "trail"]), TEXT, EOL),
                max_size=5)


@st.composite
def cases(draw):
    values = draw(st.lists(st.integers(-40, 300), min_size=len(NAMES), max_size=len(NAMES), unique=True))
    cpp = dict(zip(NAMES, values))
    present = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=len(NAMES), unique=True))
    if draw(st.booleans()):
        present.sort(key=NAMES.index)                        # C++ order, or any order
    indent = draw(st.sampled_from(["    ", "\t", "  "]))
    counter = itertools.count()
    bom = draw(st.booleans())
    head = "from enum import IntEnum" + draw(EOL)
    head += "".join(_junk_line(k, t, next(counter)) + e for k, t, e in draw(JUNK))
    cls = "class Mode(IntEnum):" + draw(EOL)
    if draw(st.booleans()):
        cls += f'{indent}"""doc {draw(TEXT).replace(chr(34), "")}"""' + draw(EOL)
    for j, name in enumerate(present):
        right = draw(st.booleans())
        v = cpp[name] if right else draw(st.integers(-40, 300))
        form = draw(st.sampled_from(["plain", "tuple", "hex"]))
        lit = {"plain": str(v), "tuple": f"({v},)", "hex": ("-" if v < 0 else "") + hex(abs(v))}[form]
        for _ in range(draw(st.integers(0, 1))):
            cls += draw(st.sampled_from(["", "\x0c", indent + "# " + draw(TEXT)])) + draw(EOL)
        inline = f"  # {draw(TEXT)}" if draw(st.booleans()) else ""
        ff = "\x0c" if draw(st.booleans()) and j else ""
        last = j == len(present) - 1
        cls += f"{ff}{indent}{PY_NAME[name]} = {lit}{inline}"
        if not last:
            cls += draw(EOL)
    tail_lines = [_junk_line(k, t, next(counter)) + e for k, t, e in draw(JUNK)]
    final_eol = draw(EOL)
    if tail_lines or draw(st.booleans()):
        tail = final_eol + "".join(tail_lines)
        if tail_lines and not draw(st.booleans()):
            tail = tail.rstrip("\r\n")                       # no final newline
    else:
        tail = ""                                            # the class ends the file, without a newline
    return cpp, ("\ufeff" if bom else "") + head, cls, tail


@pytest.fixture(scope="module")
def cpython():
    """A subprocess that imports a generated file and prints {member: value} as CPython computes them."""
    code = ("import sys, json, importlib.util\n"
            "for i, line in enumerate(sys.stdin):\n"
            "    spec = importlib.util.spec_from_file_location(f'gen{i}', line.strip())\n"
            "    mod = importlib.util.module_from_spec(spec)\n"
            "    try:\n"
            "        spec.loader.exec_module(mod)\n"
            "        out = {m.name: int(m.value) for m in mod.Mode}\n"
            "    except Exception as e:\n"
            "        out = {'error': repr(e)}\n"
            "    print(json.dumps(out), flush=True)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def values(path: Path) -> dict:
        proc.stdin.write(f"{path}\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())
    yield values
    proc.stdin.close()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fixprop"), itertools.count()


def test_fix_property(workdir, cpython):
    folder, counter = workdir

    @SETTINGS
    @given(cases())
    def prop(case):
        cpp_values, head, cls, tail = case
        n = next(counter)                           # fresh names: parsers cache by path, mtime and size
        h = folder / f"mode{n}.h"
        h.write_text("enum class Mode : int {\n" + "".join(f"  // {k}: the {k} method\n  {k} = {v},\n"
                                                            for k, v in cpp_values.items()) + "};\n")
        p = folder / f"mode{n}.py"
        raw = (head + cls + tail).encode()
        p.write_bytes(raw)
        cpp, py = parse_cpp_enum(h, "Mode"), parse_python_enum(p, "Mode")
        res = plan_fix_bytes(raw, py, cpp)
        new = res.data
        header = "class Mode(IntEnum):"
        eol = "\r\n" if cls[len(header):].startswith("\r\n") else cls[len(header)]
        assert new.startswith((head + header + eol).encode())          # every byte before the class body
        after = tail[2:] if tail.startswith("\r\n") else tail[1:]      # past the line end of the class's last line
        assert new.endswith(after.encode())                            # every byte after the class
        compile(new, str(p), "exec")
        fixed = folder / f"fixed{n}.py"
        fixed.write_bytes(new)
        assert cpython(fixed) == {PY_NAME[k]: v for k, v in cpp_values.items()}
        py2 = parse_python_enum(fixed, "Mode")
        bad = [(f.rule, f.member) for f in run_pair_rules(cpp, py2, Context())
               if f.severity == Severity.ERROR or f.rule == "ES003"]
        assert bad == []
        again = plan_fix_bytes(new, py2, cpp)
        assert again.changes == [] and again.data == new

    prop()
