"""Python enums read from the AST only: values as ``enum`` computes them."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from enumsync.model import EnumsyncError
from enumsync.parsers.python_enum import parse_python_enum

STYLES = FIXTURES / "python" / "styles.py"


def vals(name):
    return {m.name: m.value for m in parse_python_enum(STYLES, name).members}


def test_tuples_constants_and_expressions_methods_and_properties_skipped():
    s = parse_python_enum(STYLES, "Tuples")
    # `_private = 99` is a real member: only _sunder_, __dunder__, private and descriptor names are not
    assert {m.name: m.value for m in s.members} == {"Zero": 0, "One": 1, "Shifted": 16, "Sum": 18,
                                                    "FromConst": 12, "Negative": -3, "_private": 99}
    assert s.kind == "IntEnum"
    assert s.by_name()["Zero"].comment == "Zero: the first"
    assert s.by_name()["One"].comment == "trailing comment"
    assert s.by_name()["Zero"].expr == "(0,)"


def test_auto_counts_on_from_the_last_value():
    assert vals("Autos") == {"First": 1, "Second": 2, "Jump": 10, "AfterJump": 11}
    assert vals("Flags") == {"A": 1, "B": 2, "C": 4}


def test_aliases_explicit_and_implicit():
    s = parse_python_enum(STYLES, "Aliased")
    assert [(m.name, m.alias_of) for m in s.members] == [
        ("Primary", None), ("Secondary", None), ("Other", "Primary"), ("Repeat", "Secondary")]
    assert [m.name for m in s.canonical()] == ["Primary", "Secondary"]


def test_int_mixin_and_plain_enum():
    assert vals("Mixed") == {"X": 3, "Y": 4}
    p = parse_python_enum(STYLES, "Plain").by_name()
    # a plain Enum keeps (0,) as a tuple: Python would send a tuple, not 0
    assert p["Tupled"].value is None and "(0,)" in p["Tupled"].error
    assert p["Number"].value == 1


def test_unknowable_value_is_reported_not_guessed_and_inline_ignore_is_read():
    d = parse_python_enum(STYLES, "Dynamic").by_name()
    assert d["Computed"].value is None and "len('abc')" in d["Computed"].error
    assert d["Ignored"].ignore == ("ES004",) and d["Ignored"].comment == ""


def test_not_found_lists_enum_classes_and_non_enum_is_refused():
    with pytest.raises(EnumsyncError, match=r"enum classes here: Tuples, Autos, Aliased, Flags, Mixed, Plain, Dynamic"):
        parse_python_enum(STYLES, "Missing")
    with pytest.raises(EnumsyncError, match="not an Enum subclass"):
        parse_python_enum(STYLES, "NotAnEnum")


def test_installed_tllm_enums(installed_flashinfer):
    s = parse_python_enum(installed_flashinfer.enum_py, "RoutingMethodType")
    src = installed_flashinfer.enum_py.read_text().splitlines()
    for m in s.members:
        # each line really holds that member, and (n,) tuples come out as n
        assert src[m.line - 1].strip().startswith(f"{m.name} = ")
        assert isinstance(m.value, int)
    assert s.members[0].name == "Default" and s.members[0].value == 0


# --- values exactly as enum computes them (issue 8 §1), beyond the property test -------------

def _module(tmp_path, body: str, head: str = "from enum import Enum, IntEnum, IntFlag, Flag, auto\n",
            name: str = "m.py"):
    p = tmp_path / name
    p.write_text(head + body)
    return p


def _cpython(path, cls="E"):
    """CPython's own values for a module this test wrote (imported in a subprocess)."""
    import json
    import subprocess
    import sys
    code = ("import importlib.util, json, sys\n"
            "s = importlib.util.spec_from_file_location('m', sys.argv[1]); m = importlib.util.module_from_spec(s)\n"
            "s.loader.exec_module(m)\n"
            f"print(json.dumps({{n: v.value for n, v in m.{cls}.__members__.items()}}))\n")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_auto_continues_from_the_largest_value_and_flags_from_the_highest_bit(tmp_path):
    p = _module(tmp_path, "class E(IntEnum):\n    A = 10\n    B = 3\n    C = auto()\n    D = (20,)\n    F = auto()\n"
                          "class G(IntFlag):\n    A = 8\n    B = 1\n    C = auto()\n"
                          "class H(int, Enum):\n    A = 5\n    B = 2.5\n    C = auto()\n")
    assert vals_of(p, "E") == _cpython(p, "E") == {"A": 10, "B": 3, "C": 11, "D": 20, "F": 12}  # (20,) + 1 fails: 11 + 1
    assert vals_of(p, "G") == _cpython(p, "G") == {"A": 8, "B": 1, "C": 16}
    assert vals_of(p, "H") == _cpython(p, "H") == {"A": 5, "B": 2, "C": 6}


def vals_of(path, name):
    return {m.name: m.value for m in parse_python_enum(path, name).members}


def test_single_underscore_names_are_members_and_the_reserved_ones_are_not(tmp_path):
    p = _module(tmp_path, "class E(IntEnum):\n    _ignore_ = 'tmp'\n    tmp = 7\n    _A = 0\n    __cfg__ = 1\n"
                          "    __private = 2\n    B = tmp + 1\n    label = property(lambda self: 3)\n"
                          "    def describe(self):\n        return 4\n")
    assert vals_of(p, "E") == _cpython(p) == {"_A": 0, "B": 8}


def test_module_constants_are_read_as_bound_when_the_class_runs(tmp_path):
    p = _module(tmp_path, "A = 1\nA = 2\nB = 3\nB += 4\nC = 5\nfor _ in range(2):\n    C = C + 1\n"
                          "D = 6\nif len('x'):\n    D = 9\n"
                          "class E(IntEnum):\n    X = A\n    Y = B\n    Z = C\n    W = D\n"
                          "A = 100\n")
    spec = parse_python_enum(p, "E").by_name()
    cp = _cpython(p)
    assert spec["X"].value == cp["X"] == 2 and spec["Y"].value == cp["Y"] == 7
    for name in ("Z", "W"):   # rebound in a loop / a conditional: unknown, with the reason
        assert spec[name].value is None and "line" in spec[name].error and cp[name] in (7, 9)


def test_custom_new_is_computed_when_plain_arithmetic_else_unknown_with_the_reason(tmp_path):
    p = _module(tmp_path, "class E(IntEnum):\n    def __new__(cls, a, b):\n        obj = int.__new__(cls, a)\n"
                          "        obj._value_ = a << 8 | b\n        return obj\n    X = (1, 2)\n    Y = (3, 4)\n"
                          "class F(IntEnum):\n    def __new__(cls, a):\n        obj = int.__new__(cls, a)\n"
                          "        obj._value_ = sum(range(a))\n        return obj\n    X = 4\n"
                          "class G(IntEnum):\n    def _generate_next_value_(name, start, count, last_values):\n"
                          "        return name.count('A')\n    AA = auto()\n")
    assert vals_of(p, "E") == _cpython(p, "E") == {"X": 258, "Y": 772}
    f = parse_python_enum(p, "F").by_name()["X"]
    assert f.value is None and "sum" in f.error and _cpython(p, "F") == {"X": 6}
    g = parse_python_enum(p, "G").by_name()["AA"]
    assert g.value is None and "_generate_next_value_" in g.error and _cpython(p, "G") == {"AA": 2}


@pytest.mark.parametrize("expr", ["7 ** 7 ** 9", '"ab" * 2**31', "1 << 10**9", "(1,) * 10**9", "10 ** 10 ** 10 % 7"])
def test_absurd_expressions_are_unknown_within_a_budget(tmp_path, expr):
    p = _module(tmp_path, f"class E(IntEnum):\n    _A = 0\n    B = {expr}\n    C = 2\n")
    spec = parse_python_enum(p, "E").by_name()
    assert spec["_A"].value == 0 and spec["C"].value == 2
    assert spec["B"].value is None and spec["B"].error


@pytest.mark.parametrize("expr", ["1e400", '-"a"', 'int("x")', "float('nan')", "1 // 0"])
def test_a_value_python_raises_on_makes_every_member_unknown(tmp_path, expr):
    import subprocess
    import sys
    p = _module(tmp_path, f"class E(IntEnum):\n    _A = 0\n    B = {expr}\n    C = 2\n")
    r = subprocess.run([sys.executable, str(p)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "Error" in r.stderr     # CPython refuses the module: no value exists
    for m in parse_python_enum(p, "E").members:
        assert m.value is None and "Python" in m.error, m


@pytest.mark.parametrize("expr, unknown", [("7 ** 7 ** 9", ["B"]), ("1e400", ["_A", "B"])])
def test_smoke_unknown_b_and_underscore_member_through_the_cli(tmp_path, expr, unknown):
    # over the budget: B alone is unknown; 1e400: int(inf) raises, CPython refuses the class, so _A too
    from conftest import run_cli
    p = _module(tmp_path, f"class E(IntEnum):\n    _A = 0\n    B = {expr}\n")
    h = tmp_path / "e.h"
    h.write_text("enum class E : int { _A = 0, B = 1 };\n")
    r = run_cli("check", "--cpp", str(h), "--python", str(p), "--enum", "E", "--format", "json")
    assert r.returncode == 1 and "internal error" not in r.stderr, r.stderr
    import json
    findings = json.loads(r.stdout)["results"][0]["findings"]
    assert [f["member"] for f in findings if f["rule"] == "ES000"] == unknown
    if "_A" not in unknown:
        assert not [f for f in findings if f["member"] == "_A"]     # _A is a real member, in sync


def test_a_sum_python_cannot_compile_is_exit_2_with_one_line(tmp_path):
    from conftest import run_cli
    p = _module(tmp_path, "class E(IntEnum):\n    A = " + " + ".join(["1"] * 3000) + "\n")
    h = tmp_path / "e.h"
    h.write_text("enum class E : int { A = 0 };\n")
    r = run_cli("check", "--cpp", str(h), "--python", str(p), "--enum", "E")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "nested too deeply" in r.stderr, r.stderr


def test_pep263_latin1_file_and_no_syntax_warning_on_stderr(tmp_path):
    from conftest import run_cli
    p = tmp_path / "latin.py"
    p.write_bytes("# -*- coding: latin-1 -*-\nfrom enum import IntEnum\nPATTERN = '\\d+'\n"
                  "class E(IntEnum):\n    A = 0  # caf\u00e9 au lait\n".encode("latin-1"))
    spec = parse_python_enum(p, "E")
    assert spec.members[0].comment == "caf\u00e9 au lait" and spec.members[0].value == 0
    h = tmp_path / "e.h"
    h.write_text("enum class E : int { A = 0 };\n")
    r = run_cli("check", "--cpp", str(h), "--python", str(p), "--enum", "E", env={"PYTHONWARNINGS": "default"})
    assert r.returncode == 0 and r.stderr == "", r.stderr


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory", "huge"])
def test_read_source_refuses_what_is_not_a_regular_source_file_at_once(tmp_path, kind):
    import os
    from enumsync.parsers.source import MAX_SOURCE_BYTES, read_source
    if kind == "dev-zero":
        path, expect = "/dev/zero", "not a regular file"
    elif kind == "fifo":
        path, expect = tmp_path / "pipe", "not a regular file"
        os.mkfifo(path)
    elif kind == "directory":
        path, expect = tmp_path, "is a directory"
    else:
        path, expect = tmp_path / "huge.py", "MiB limit"
        with open(path, "wb") as f:
            f.truncate(MAX_SOURCE_BYTES + 1)
    with pytest.raises(EnumsyncError, match=expect):
        read_source(path)


def test_installed_tllm_enums_values_equal_cpython_including_dtype_trtllm_gen_new(installed_flashinfer, tmp_path):
    """Every enum class of the installed tllm_enums.py, lifted with ast into a module of our own
    (``from enum import ...`` + the class), imported in a subprocess: the ground truth. enumsync
    reads the installed file itself; DtypeTrtllmGen's ``__new__`` packs five fields."""
    import ast
    import json
    import subprocess
    import sys
    src = installed_flashinfer.enum_py.read_text()
    tree = ast.parse(src)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)
               and any(ast.unparse(b).endswith("Enum") for b in n.bases)]
    paths = {}
    for c in classes:
        p = tmp_path / f"lift_{c.name}.py"
        p.write_text("from enum import Enum, IntEnum, IntFlag, auto\n\n" + ast.get_source_segment(src, c) + "\n")
        paths[c.name] = str(p)
    code = ("import importlib.util, json, sys\nout = {}\n"
            "for name, path in json.loads(sys.argv[1]).items():\n"
            "    s = importlib.util.spec_from_file_location('lift_' + name, path)\n"
            "    m = importlib.util.module_from_spec(s); s.loader.exec_module(m)\n"
            "    out[name] = {k: v.value for k, v in getattr(m, name).__members__.items()}\n"
            "print(json.dumps(out))\n")
    r = subprocess.run([sys.executable, "-c", code, json.dumps(paths)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    truth = json.loads(r.stdout)
    assert {"DtypeTrtllmGen", "RoutingMethodType", "ActivationType"} <= set(truth)
    for name, want in truth.items():
        got = {m.name: m.value for m in parse_python_enum(installed_flashinfer.enum_py, name).members}
        assert got == want, name
    # the packing really happened: Bfloat16 = (0, 1, 0, 16, 0) -> signed bit 20, 16 bits at bit 8
    assert truth["DtypeTrtllmGen"]["Bfloat16"] == (1 << 20) | (16 << 8)


def test_evaluation_has_a_cpu_budget_and_past_it_every_later_member_is_unknown(tmp_path, monkeypatch):
    import enumsync.parsers.interpreter as interp
    monkeypatch.setattr(interp, "TIME_BUDGET_S", 0.02)
    heavy = "(3 ** 20000 * 7 ** 10000) % 1000"
    p = _module(tmp_path, "class E(IntEnum):\n" + "".join(f"    M{i} = {heavy} + {i}\n" for i in range(3000)))
    members = parse_python_enum(p, "E").members
    first_unknown = next(i for i, m in enumerate(members) if m.value is None)
    assert "CPU budget" in members[first_unknown].error
    assert all(m.value is None and "budget" in m.error for m in members[first_unknown:])
    assert [m.value for m in members[:first_unknown]] == [(3 ** 20000 * 7 ** 10000) % 1000 + i
                                                          for i in range(first_unknown)]
