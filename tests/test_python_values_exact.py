"""Python enum values, case by case, against CPython's own (one subprocess imports every case).

Each case is a small module with one class ``E``. The ground truth is CPython: the module is
imported and ``E.__members__`` read. The rule checked is the parser's contract: each member
enumsync reports has CPython's value, or is unknown (ES000) *only where the case says so*,
with the reason; the alias structure is CPython's. A case CPython refuses (``refused``) must
make enumsync report every member unknown, with the reason. These cases pin the corners of
base resolution, the class-body replay, module constants, ``auto()``, custom ``__new__`` /
``_generate_next_value_`` and the interpreter's budget one at a time.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from enumsync.model import EnumsyncError
from enumsync.parsers.python_enum import enum_kind, list_enum_classes, parse_python_enum

HEAD = "import enum\nfrom enum import Enum, IntEnum, IntFlag, Flag, auto, unique, member, nonmember\n"

# name -> (module source after HEAD, {member: substring of its ES000 reason} for the members that
#          must be unknown; every other member must have CPython's exact value)
CASES: dict[str, tuple[str, dict[str, str]]] = {
    # --- bases ------------------------------------------------------------------------------
    "attribute_base": ("class E(enum.IntEnum):\n    A = 3\n    B = enum.auto()\n", {}),
    "aliased_names": ("from enum import IntFlag as IF, auto as nxt\nclass E(IF, enum.Enum):\n    A = 5\n    B = nxt()\n", {}),
    "module_alias": ("import enum as en\nclass E(en.IntFlag):\n    A = 4\n    B = en.auto()\n", {}),
    "int_flag_mixin": ("class E(int, Flag):\n    A = 2\n    B = auto()\n    C = (8,)\n", {}),
    "local_plain_mixin": ("class Mix:\n    '''doc'''\nclass E(Mix, IntEnum):\n    A = 7\n    B = auto()\n", {}),
    "local_base_chain": ("class Zero:\n    pass\nclass Mix(int, Zero):\n    pass\nclass E(Mix, Enum):\n"
                         "    A = (1,)\n    B = ('7',)\n", {}),
    "local_base_with_init": ("class Base:\n    def __init__(self, *a):\n        pass\nclass E(Base, IntEnum):\n"
                             "    A = 1\n", {"A": "defines `__init__`"}),
    "local_base_bad_base": ("class Base(len):\n    pass\nclass E(Base, IntEnum):\n    A = 1\n", {"A": "base `len`"}),
    "local_base_with_new": ("class Base:\n    def __new__(cls, v):\n        o = int.__new__(cls, v)\n"
                            "        o._value_ = v * 2\n        return o\nclass E(Base, IntEnum):\n    A = 1\n",
                            {"A": "defines `__new__`"}),
    "local_base_with_gnv": ("class Base:\n    def _generate_next_value_(name, start, count, last):\n"
                            "        return 40 + count\nclass E(Base, IntEnum):\n    A = auto()\n",
                            {"A": "defines `_generate_next_value_`"}),
    "local_base_with_attr": ("class Base:\n    x = 1\nclass E(Base, IntEnum):\n    A = 1\n", {"A": "class attributes"}),
    "local_base_ann_attr": ("class Base:\n    x: int = 1\nclass E(Base, IntEnum):\n    A = 1\n", {"A": "class attributes"}),
    "local_base_ann_only": ("class Base:\n    x: int\nclass E(Base, IntEnum):\n    A = 6\n", {}),
    "local_base_decorated": ("import functools\n@functools.total_ordering\nclass Base:\n    pass\n"
                             "class E(Base, IntEnum):\n    A = 1\n", {"A": "metaclass or decorator"}),
    "local_base_meta": ("class M(type):\n    pass\nclass Base(metaclass=M):\n    pass\nclass E(Base, IntEnum):\n"
                        "    A = 1\n", {"A": "metaclass or decorator"}),
    "imported_base": ("from collections import OrderedDict as Base\nclass E(int, Enum):\n    A = 1\n", {}),
    "imported_mixin": ("from fractions import Fraction\nclass E(Fraction, Enum):\n    A = 1\n", {"A": "`Fraction`"}),
    "function_base": ("def make():\n    return IntEnum\nclass E(make(), IntEnum):\n    A = 1\n",
                      {"A": "not one enumsync can follow"}),
    "class_keyword": ("class E(IntFlag, boundary=enum.KEEP):\n    A = 1\n    B = 2\n", {}),
    "other_keyword": ("class E(IntEnum, metaclass=enum.EnumMeta):\n    A = 1\n", {"A": "class keyword `metaclass=`"}),
    "unique_decorator": ("@unique\nclass E(IntEnum):\n    A = 1\n    B = 2\n", {}),
    "verify_call_decorator": ("@enum.verify(enum.UNIQUE)\nclass E(IntEnum):\n    A = 1\n    B = 3\n", {}),
    "unknown_decorator": ("def deco(c):\n    return c\n@deco\nclass E(IntEnum):\n    A = 1\n", {"A": "decorator `@deco`"}),
    "str_mixin": ("class E(str, Enum):\n    A = 'x'\n", {"A": "member type is str"}),
    "float_mixin": ("class E(float, Enum):\n    A = 1\n", {"A": "member type is float"}),
    # --- which names are members -------------------------------------------------------------
    "underscore_names": ("class E(IntEnum):\n    _A = 1\n    __b = 2\n    __c__ = 3\n    _ = 4\n    B = 5\n"
                         "    _order_ = '_A _ B'\n", {}),
    "private_mangled_lookup": ("class E(IntEnum):\n    __k = 5\n    A = __k + 1\n    B = _E__k * 2\n", {}),
    "descriptors_skipped": ("import functools\nclass E(IntEnum):\n    A = 1\n    p = property(lambda s: 1)\n"
                            "    c = classmethod(len)\n    s = staticmethod(len)\n    f = lambda self: 3\n"
                            "    cp = functools.cached_property(len)\n    B = 2\n"
                            "    def m(self):\n        return 1\n    n = m\n    C = 3\n", {}),
    "nonmember_and_member": ("class E(IntEnum):\n    A = 1\n    k = nonmember(10)\n    B = k + 1\n"
                             "    C = member(7)\n", {}),
    "ignore_tuple": ("class E(IntEnum):\n    _ignore_ = ('t', 'u')\n    t = 3\n    u = 4\n    A = t * u\n", {}),
    "ignore_list_string": ("class E(IntEnum):\n    _ignore_ = 't, u'\n    t = 3\n    u = 5\n    A = t + u\n", {}),
    "class_local_names": ("class E(IntEnum):\n    A = 2\n    B = A * 3\n    C, D = 4, 5\n    F = G = 9\n", {}),
    "aug_assign_in_body": ("class E(IntEnum):\n    _ignore_ = ['x']\n    x = 1\n    x += 4\n    A = x\n", {}),
    "ann_assign_member": ("class E(IntEnum):\n    A: int = 3\n    B: int\n    C = 4\n", {}),
    "pass_and_docstring": ("class E(IntEnum):\n    '''doc'''\n    pass\n    A = 1\n", {}),
    "import_in_body": ("class E(IntEnum):\n    A = 1\n    import os\n    B = 2\n", {"os": "`import` statement"}),
    # --- values: int(), tuples, aliases, bools, floats ----------------------------------------
    "int_of_args": ("class E(IntEnum):\n    A = ('10', 16)\n    B = ('777', 8)\n    C = '12'\n    D = 2.9\n"
                    "    F = True\n", {}),
    "aliases": ("class E(IntEnum):\n    A = 1\n    B = 2\n    C = 1\n    D = (2,)\n    F = 1.0\n", {}),
    "plain_enum_values": ("class E(Enum):\n    A = 3\n    B = True\n    C = 2.0\n    D = 'x'\n    F = (1, 2)\n"
                          "    G = -4\n    H = [1]\n",
                          {"B": "not an int", "C": "not an int", "D": "not an int", "F": "not an int",
                           "H": "expression `[1]`"}),
    "int_fails": ("class E(IntEnum):\n    A = 'zz'\n    B = 2\n", {"A": "fails in Python (ValueError"}),
    "unary_and_ops": ("class E(IntEnum):\n    A = -(3)\n    B = +4\n    C = ~5\n    D = not 0\n"
                      "    F = 7 // 2 + 7 % 3 - 2 ** 3 * 1\n    G = (1 << 5) >> 2 | 3 & 6 ^ 9\n"
                      "    H = 5 if 0 else 6\n    I = 0 or 8\n    J = 2 and 0\n    K = 1 < 2 < 3\n"
                      "    L = 3 > 2 > 2\n    M = 2 in (1, 2)\n    N = 7 // -2\n", {}),
    "float_arith": ("class E(IntEnum):\n    A = 7 / 2\n    B = 2 ** -1\n", {}),
    "names_unknown": ("class E(IntEnum):\n    A = missing_name\n    B = 2\n", {"A": "not a constant defined in this file"}),
    "call_unknown": ("class E(IntEnum):\n    A = len('ab')\n    B = int('7')\n    C = int(*['4'])\n",
                     {"A": "not a constant expression", "C": "not a constant expression"}),
    "int_shadowed": ("def int(x):\n    return 99\nclass E(IntEnum):\n    A = int('7')\n",
                     {"A": "not a constant"}),
    "divide_by_zero": ("class E(IntEnum):\n    A = 1 // 0\n    B = 3\n", {"A": "ZeroDivisionError"}),
    "compare_error": ("class E(IntEnum):\n    A = 1 < 'a'\n    B = 2\n", {"A": "comparison"}),
    "invert_error": ("class E(IntEnum):\n    A = ~'a'\n    B = 2\n", {"A": "Python raises TypeError"}),
    "unsupported_expr": ("class E(IntEnum):\n    A = [1][0]\n    B = 2\n", {"A": "expression"}),
    "string_percent": ("class E(IntEnum):\n    A = int('%d' % 5)\n", {"A": "string formatting"}),
    "budget_edges": ("class E(IntEnum):\n    A = 2 ** 65535 // 2 ** 65530\n    B = (1 << 65535) >> 65534\n"
                     "    C = 3 ** 41340 // 3 ** 41339\n    F = 1\n", {}),
    "budget_over": ("class E(IntEnum):\n    A = 2 ** 65537 // 2 ** 65536\n    B = (1 << 65537) >> 65536\n"
                    "    C = 3 ** 41400 // 3 ** 41399\n    D = (2 ** 40000) * (2 ** 30000) // 2 ** 69999\n"
                    "    F = len('a' * 70000)\n    G = 1\n",
                    {"A": "bits", "B": "bits", "C": "bits", "D": "bits", "F": "len"}),
    "seq_budget": ("class E(IntEnum):\n    A = int(('1' * 65536)[:1] if 0 else '3')\n    B = int(len(('a',) * 3) and 4)\n",
                   {"B": "not a constant"}),
    # --- auto() --------------------------------------------------------------------------------
    "auto_first": ("class E(IntEnum):\n    A = auto()\n    B = auto()\n", {}),
    "auto_flag_first": ("class E(Flag):\n    A = auto()\n    B = auto()\n    C = auto()\n", {}),
    "auto_flag_after_zero": ("class E(IntFlag):\n    Z = 0\n    A = auto()\n    B = 5\n    C = auto()\n", {}),
    "auto_after_max_then_lower": ("class E(IntEnum):\n    A = 1\n    B = 9\n    C = 4\n    D = auto()\n", {}),
    "auto_after_negative": ("class E(IntEnum):\n    A = -5\n    B = -9\n    C = auto()\n", {}),
    "auto_after_bool": ("class E(IntEnum):\n    A = True\n    B = auto()\n", {}),
    "auto_after_float": ("class E(int, Enum):\n    A = 1.5\n    B = auto()\n", {}),
    "auto_after_tuple": ("class E(IntEnum):\n    A = (5,)\n    B = auto()\n    C = 2\n    D = auto()\n", {}),
    "auto_with_value": ("class E(IntEnum):\n    A = auto(7)\n    B = auto()\n", {}),
    "auto_shared_targets": ("class E(IntEnum):\n    A = 3\n    B = C = auto()\n    D = auto()\n", {}),
    "auto_after_unknown": ("class E(IntEnum):\n    A = len('x')\n    B = auto()\n",
                           {"A": "not a constant", "B": "follows a member whose value is unknown"}),
    "auto_plain_enum_str": ("class E(Enum):\n    A = 'x'\n    B = auto()\n    C = 3\n    D = auto()\n",
                            {"A": "not an int"}),
    "gnv_custom": ("class E(IntEnum):\n    def _generate_next_value_(name, start, count, last_values):\n"
                   "        if count == 0:\n            return 10\n        return last_values[0] * 0 + 10 + count * 3 "
                   "if 0 else count * 3 + 10\n    A = auto()\n    B = auto()\n    C = 1\n    D = auto()\n", {}),
    "gnv_static": ("class E(IntEnum):\n    @staticmethod\n    def _generate_next_value_(name, start, count, lv):\n"
                   "        return start + 100 + len(name)\n    A = auto()\n    BB = auto()\n", {}),
    "gnv_defaults": ("class E(IntEnum):\n    def _generate_next_value_(name, start, count, lv, extra=5):\n"
                     "        return extra + count\n    A = auto()\n    B = auto()\n", {}),
    "gnv_returns_none": ("class E(Enum):\n    def _generate_next_value_(name, start, count, lv):\n"
                         "        pass\n    A = auto()\n", {"A": "not an int"}),
    "gnv_too_few_params": ("class E(IntEnum):\n    def _generate_next_value_(name, start, count):\n"
                           "        return 1\n    A = 3\n", {}),
    # --- custom __new__ ------------------------------------------------------------------------
    "new_packs_fields": ("class E(IntEnum):\n    def __new__(cls, a, b=1, *rest):\n        v = (a << 8) | b | len(rest)\n"
                         "        obj = int.__new__(cls, v)\n        obj._value_ = v\n        return obj\n"
                         "    X = (1, 2)\n    Y = 3\n    Z = (1, 1, 9, 9)\n", {}),
    "new_without_value": ("class E(int, Enum):\n    def __new__(cls, a, label):\n        obj = int.__new__(cls, a)\n"
                          "        obj.label = label\n        return obj\n    X = (4, 'four')\n    Y = (5, 'five')\n",
                          {"X": "custom __new__: Python raises TypeError: 'str' object cannot be interpreted as an integer at line 4",
                           "Y": "custom __new__"}),
    "new_object_value": ("class E(Enum):\n    def __new__(cls, a, b):\n        obj = object.__new__(cls)\n"
                         "        obj._value_ = a * 10 + b\n        return obj\n    X = (1, 2)\n    Y = (3, 4)\n", {}),
    "new_if_branches": ("class E(IntEnum):\n    def __new__(cls, v):\n        if v > 5:\n            w = v - 5\n"
                        "        else:\n            w: int = v + 100\n        obj = int.__new__(cls, w)\n"
                        "        obj._value_ = w\n        return obj\n    X = 2\n    Y = 9\n", {}),
    "new_reads_unset_attr": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                             "        obj._value_ = obj.extra\n        return obj\n    X = 2\n",
                             {"X": "read before it is set"}),
    "new_loop": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                 "        for i in range(2):\n            v += 1\n        obj._value_ = v\n        return obj\n    X = 2\n",
                 {"X": "`for` statement"}),
    "new_kwonly": ("class E(IntEnum):\n    def __new__(cls, v, *, k=3):\n        obj = int.__new__(cls, v + k)\n"
                   "        obj._value_ = v + k\n        return obj\n    X = 2\n", {}),
    "new_missing_arg": ("class E(int, Enum):\n    def __new__(cls, a, b):\n        obj = int.__new__(cls, a)\n"
                        "        obj._value_ = a\n        return obj\n    X = 1\n    Y = (2, 3)\n", {"X": "missing"}),
    "init_sets_value": ("class E(IntEnum):\n    def __init__(self, *args):\n        self._value_ = 5\n    X = 1\n",
                        {"X": "`__init__` sets `_value_`"}),
    "init_plain": ("class E(IntEnum):\n    def __init__(self, *args):\n        self.extra = 5\n    X = 1\n    Y = 2\n", {}),
    # --- module constants ------------------------------------------------------------------------
    "module_consts": ("A = 2\nB: int = 3\nC = A * B\nD, F = 7, 8\n(G, H) = [1, 2]\nclass E(IntEnum):\n"
                      "    X = A\n    Y = B\n    Z = C\n    W = D + F\n", {}),
    "module_rebound_after": ("K = 1\nclass E(IntEnum):\n    X = K\nK = 2\n", {}),
    "module_aug": ("K = 1\nK += 2\nK <<= 2\nclass E(IntEnum):\n    X = K\n", {}),
    "module_imported": ("from os import sep as K\nimport os.path\nclass E(IntEnum):\n    X = K\n    Y = os\n    Z = 1\n",
                        {"X": "imported at line", "Y": "module imported"}),
    "module_loop": ("for K in range(3):\n    pass\nclass E(IntEnum):\n    X = K\n    Y = 1\n", {"X": "`for` statement"}),
    "module_with": ("import contextlib\nwith contextlib.suppress():\n    K = 1\nclass E(IntEnum):\n    X = K\n    Y = 1\n",
                    {"X": "`with` statement"}),
    "module_walrus": ("if (K := 4):\n    pass\nclass E(IntEnum):\n    X = K\n    Y = 1\n", {"X": "line 3"}),
    "module_global": ("K = 1\ndef f():\n    global K\n    K = 5\nf()\nclass E(IntEnum):\n    X = K\n    Y = 1\n",
                      {"X": "`global`"}),
    "module_unpack_unknown": ("K, L = 1, 2, 3\n" if False else "K, *L = 1, 2, 3\nclass E(IntEnum):\n    X = K\n    Y = 1\n",
                              {"X": "unpacked"}),
    "module_func_value": ("def K():\n    return 1\nclass E(IntEnum):\n    X = K\n    Y = 2\n", {}),
    "module_star": ("from os.path import *\nclass E(IntEnum):\n    X = sep_len\n    Y = 1\n" if False else
                    "K = 1\nfrom string import *\nclass E(IntEnum):\n    X = K\n    Y = 1\n", {"X": "star import", "Y": "star import"}),
    "module_exec": ("K = 1\nexec('K = 2')\nclass E(IntEnum):\n    X = K\n    Y = 1\n", {"X": "`exec()`", "Y": "`exec()`"}),
    "in_if_block": ("import sys\nK = 3\nif sys.maxsize > 1:\n    L = K + 1\n    class E(IntEnum):\n        X = L\n", {}),
    "in_try_block": ("try:\n    K = 3\n    class E(IntEnum):\n        X = K\nexcept ImportError:\n    pass\n", {}),
    "in_except_block": ("try:\n    K = 3\n    import no_such_module_here\nexcept ImportError:\n"
                        "    class E(IntEnum):\n        X = K\n        Y = 1\n", {"X": "`try` block"}),
    "nested_in_class": ("K = 4\nclass Outer:\n    K = 9\n    class E(IntEnum):\n        X = K\nE = Outer.E\n", {}),
    "attribute_target": ("import types\nns = types.SimpleNamespace()\nclass E(IntEnum):\n    A = 1\n    ns.x = 2\n",
                         {"A": "assigns to `ns.x`"}),
    "del_name": ("K = 1\ndel K\nK2 = 3\nclass E(IntEnum):\n    X = K2\n", {}),
    # --- more corners of the body replay, __new__ and the module scope -----------------------------
    "nested_class_member": ("class E(Enum):\n    A = 1\n    class Inner:\n        pass\n    B = 2\n",
                            {"Inner": "nested in the enum"}),
    "member_decorated_function": ("class E(Enum):\n    A = 1\n    @member\n    def f(self):\n        return 1\n",
                                  {"f": "made a member with @member"}),
    "member_two_args": ("class E(IntEnum):\n    A = member(1, 2)\n    B = 3\n", {"A": "takes one value"}),
    "unpack_mismatch": ("class E(IntEnum):\n    A = 1\n    C, D = 1, 2, 3\n", {"C": "unpacked", "D": "unpacked"}),
    "strenum_auto": ("class E(enum.StrEnum):\n    A = auto()\n    B = 'b'\n",
                     {"A": "member type is str", "B": "member type is str"}),
    "flag_negative_then_auto": ("class E(IntFlag):\n    A = -2\n    B = auto()\n", {}),
    "gnv_decorated": ("import functools\nclass E(IntEnum):\n    @functools.cache\n"
                      "    def _generate_next_value_(name, start, count, lv):\n        return 5\n    A = auto()\n",
                      {"A": "decorated with"}),
    "gnv_kwargs": ("class E(IntEnum):\n    def _generate_next_value_(name, start, count, lv, **kw):\n"
                   "        return 5\n    A = auto()\n", {"A": "`**kwargs`"}),
    "gnv_kwonly_required": ("class E(IntEnum):\n    def _generate_next_value_(name, start, count, lv, *, k):\n"
                            "        return 5\n    A = auto()\n", {"A": "needs keyword"}),
    "new_returns_other": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                          "        return 5\n    X = 1\n", {"X": "does not return the object"}),
    "new_int_no_value": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                         "        obj.extra = v\n        return obj\n    X = 4\n    Y = (9,)\n", {}),
    "new_builtins": ("class E(IntEnum):\n    def __new__(cls, v):\n        w = max(v, 3) - min(v, 1) + abs(-v) + len((1, 2))\n"
                     "        obj = int.__new__(cls, w)\n        obj._value_ = w\n        return obj\n"
                     "    X = 1\n    Y = 7\n", {}),
    "new_not_cls": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(v)\n"
                    "        obj._value_ = v\n        return obj\n    X = 1\n", {"X": "not called with `cls`"}),
    "new_other_call": ("import math\nclass E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                       "        obj._value_ = math.floor(v)\n        return obj\n    X = 1\n", {"X": "a call of `math.floor`"}),
    "new_attr_elsewhere": ("import types\nns = types.SimpleNamespace()\nclass E(IntEnum):\n    def __new__(cls, v):\n"
                           "        obj = int.__new__(cls, v)\n        ns.x = 1\n        obj._value_ = v\n        return obj\n"
                           "    X = 1\n", {"X": "something other than the new member"}),
    "new_shadowed_int": ("class E(Enum):\n    def __new__(cls, v):\n        int = 3\n        obj = object.__new__(cls)\n"
                         "        obj._value_ = v + int\n        return obj\n    X = 1\n", {}),
    "new_decorated": ("class E(IntEnum):\n    @staticmethod\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                      "        obj._value_ = v\n        return obj\n    X = 1\n", {"X": "decorated with `staticmethod`"}),
    "int_call_raises": ("class E(IntEnum):\n    A = int('zz', 5)\n    B = 2\n", {"A": "Python raises ValueError"}),
    "new_keyword_call": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, max(v, 3, key=abs))\n"
                         "        obj._value_ = v\n        return obj\n    X = 1\n", {"X": "a call with keywords or *args at line 5"}),
    "new_object_no_value": ("class E(Enum):\n    def __new__(cls, v):\n        obj = object.__new__(cls)\n"
                            "        obj.label = 'x'\n        return obj\n    X = 3\n    Y = -4\n", {}),
    "new_module_const": ("SHIFT = 4\nclass E(IntEnum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v << SHIFT)\n"
                         "        obj._value_ = v << SHIFT\n        return obj\n    X = 1\n    Y = 3\n", {}),
    "module_if_decorated_def": ("import functools\nif len('x'):\n    @functools.cache\n    def K():\n        return 1\n"
                                "class E(IntEnum):\n    X = 1\n    Y = K\n", {"Y": "`if` statement"}),
    "new_kwonly_const": ("SHIFT = 4\nclass E(IntEnum):\n    def __new__(cls, v, w=SHIFT, *, k=SHIFT + 1):\n"
                         "        obj = int.__new__(cls, v)\n        obj._value_ = v << w | k\n        return obj\n    X = 1\n", {}),
    "new_super_int_mixin": ("class E(int, Enum):\n    def __new__(cls, v):\n        obj = super().__new__(cls, v)\n"
                            "        obj._value_ = v * 2\n        return obj\n    X = 1\n    Y = 5\n", {}),
    "strenum_new_len": ("class E(enum.StrEnum):\n    def __new__(cls, v):\n        obj = str.__new__(cls, v)\n"
                        "        obj._value_ = len(v)\n        return obj\n    Abc = auto()\n    B = 'xy'\n", {}),
    "odd_underscores": ("class E(IntEnum):\n    __x_ = 1\n    _y__ = 2\n    ___ = 3\n    ____ = 4\n    Z = 5\n", {}),
    "boolop_names": ("K = 3\nclass E(IntEnum):\n    A = 0 or K\n    B = K and 5\n    C = not K\n", {}),
    "module_star_enum": ("from enum import *\nclass E(IntFlag):\n    A = auto()\n    B = auto()\n", {}),
    "module_relative_import": ("class E(IntEnum):\n    A = 1\n", {}),
    "module_decorated_func": ("import functools\n@functools.cache\ndef K():\n    return 1\nclass E(IntEnum):\n"
                              "    X = K\n    Y = 2\n", {"X": "decorated function"}),
    "module_del": ("K = 1\ndel K\nclass E(IntEnum):\n    X = K\n    Y = 2\n", {"X": "`delete` statement"}),
    "module_match": ("match 3:\n    case K:\n        pass\nclass E(IntEnum):\n    X = K\n    Y = 2\n",
                     {"X": "`match` statement"}),
    "if_walrus_holder": ("if (K := 3) > 0:\n    class E(IntEnum):\n        X = K\n        Y = 2\n", {"X": "`:=`"}),
    "module_class_value": ("class K:\n    pass\nclass E(Enum):\n    X = K\n    Y = 2\n", {"X": "not a constant"}),
    # --- bases under another name: aliases, enum classes of this file -------------------------
    "alias_import_as": ("from enum import IntEnum as IE\nclass E(IE):\n    A = 1\n    B = (2,)\n    C = auto()\n", {}),
    "alias_assigned_attr": ("IE = enum.IntFlag\nclass E(IE):\n    A = 1\n    B = auto()\n", {}),
    "alias_assigned_name": ("F = IntFlag\nclass E(F):\n    A = 4\n    B = auto()\n", {}),
    "alias_module_intenum": ("import enum as e\nclass E(e.IntEnum):\n    A = 1\n    B = e.auto()\n", {}),
    "alias_hides_kind": ("from enum import Enum as IntEnum\nclass E(IntEnum):\n    A = 1\n    B = '2'\n",
                         {"B": "not an int"}),
    "star_import_flag": ("from enum import *\nclass E(IntFlag):\n    A = 1\n    B = auto()\n", {}),
    "local_memberless_base": ("class Base(IntEnum):\n    pass\nclass E(Base):\n    A = 1\n    B = (2,)\n"
                              "    C = auto()\n", {}),
    "local_base_with_methods": ("class Base(IntFlag):\n    def describe(self):\n        return self.name\n"
                                "class E(Base):\n    A = 1\n    B = auto()\n", {}),
    "local_int_enum_base": ("class Base(int, Enum):\n    pass\nclass E(Base):\n    A = 1\n    B = ('3',)\n", {}),
    "last_base_picks_auto": ("class E(IntEnum, Flag):\n    A = 4\n    B = auto()\n", {}),
    "local_base_rebound_name": ("from enum import IntEnum as X\nclass Base(X):\n    pass\n"
                                "from enum import IntFlag as X\nclass E(Base):\n    A = 4\n    B = auto()\n", {}),
    "star_import_rebinds": ("IntEnum = 5\nfrom enum import *\nclass E(IntEnum):\n    A = 1\n    B = auto()\n", {}),
    "module_starred_unpack": ("X, *Y = (1, 2, 3)\nclass E(IntEnum):\n    A = X\n    B = 2\n",
                              {"A": "`X` is unpacked at line 3"}),
    "ref_to_unknown": ("import math\nclass E(IntEnum):\n    A = math.floor(1.5)\n    B = A + 1\n",
                       {"A": "not a constant", "B": "`A` `math.floor(1.5)` is not a constant expression at line 5"}),
    "long_unknown_call": ("def g(*a):\n    return 1\nclass E(IntEnum):\n    A = g(" + ", ".join(["1234567"] * 12) + ")\n",
                          {"A": "`g(" + ", ".join(["1234567"] * 12)[:75] + "...` is not a constant expression"}),
    "flag_before_enum": ("class E(Flag, Enum):\n    A = 4\n    B = 1\n", {}),
}
# A class CPython refuses to create: every member is unknown, with this reason.
REFUSED: dict[str, tuple[str, str]] = {
    "reserved_sunder": ("class E(IntEnum):\n    A = 1\n    _bad_ = 2\n", "reserved _sunder_"),
    "assigned_twice": ("class E(IntEnum):\n    A = 1\n    A = 2\n", "assigned twice"),
    "member_then_method": ("class E(IntEnum):\n    A = 1\n    def A(self):\n        pass\n", "assigned twice"),
    "nonmember_then_member": ("class E(IntEnum):\n    k = nonmember(1)\n    k = 2\n    B = 3\n", "non-member"),
    "ignore_after_member": ("class E(IntEnum):\n    t = 1\n    _ignore_ = 't'\n    B = 2\n", "already set"),
    "gnv_after_auto": ("class E(IntEnum):\n    A = auto()\n    def _generate_next_value_(n, s, c, l):\n"
                       "        return 5\n    B = auto()\n", "after auto()"),
    "aug_assign_member": ("class E(IntEnum):\n    A = 1\n    A += 1\n", "assigned twice"),
    "ignore_not_names": ("class E(IntEnum):\n    _ignore_ = 5\n    A = 1\n", "not a constant list of names"),
    "loop_in_body": ("class E(IntEnum):\n    A = 1\n    for _i in range(2):\n        pass\n", "`for` statement"),
    # the bases alone: CPython's own checks, made on the real classes
    "object_before_enum": ("class E(object, Enum):\n    A = 1\n", "consistent method resolution"),
    "int_before_intenum": ("class E(int, IntEnum):\n    A = 1\n", "consistent method resolution"),
    "enum_not_last": ("class E(Enum, int):\n    A = 1\n", "new enumerations should be created"),
    "two_data_types": ("class E(int, str, Enum):\n    A = 1\n", "too many data types"),
    "reprenum_without_data": ("class E(enum.ReprEnum):\n    A = 1\n", "must be mixed with a data type"),
    "bool_mixin": ("class E(bool, Enum):\n    A = 1\n", "not an acceptable base type"),
    "extends_members": ("class Base(IntEnum):\n    X = 1\nclass E(Base):\n    A = 2\n", "CPython refuses to extend"),
    # members CPython fails to make: the class fails, so no member has a value
    "int_of_str": ("class E(IntEnum):\n    A = 1\n    B = 'x'\n", "CPython refuses the class: member `B`"),
    "flag_str_value": ("class E(Flag):\n    A = 1\n    B = 'x'\n", "a Flag value must be an int"),
    "value_raises": ("class E(IntEnum):\n    A = 1\n    B = 1 // 0\n", "ZeroDivisionError"),
    "new_super_is_enum_new": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = super().__new__(cls)\n"
                              "        obj._value_ = v\n        return obj\n    A = 1\n    B = 2\n", "Enum.__new__"),
    "new_object_on_int_enum": ("class E(IntEnum):\n    def __new__(cls, v):\n        obj = object.__new__(cls)\n"
                               "        obj._value_ = v\n        return obj\n    A = 1\n",
                               "`object.__new__` is `object.__new__` here, which cannot make a member of an enum of int "
                               "at line 5"),
    "new_super_float_raises": ("class E(float, Enum):\n    def __new__(cls, v):\n        obj = super().__new__(cls, v)\n"
                               "        obj._value_ = v\n        return obj\n    A = 8\n    B = 'x'\n",
                               "could not convert string to float"),
    "new_object_with_args": ("class E(Enum):\n    def __new__(cls, v):\n        obj = object.__new__(cls, v)\n"
                             "        obj._value_ = v\n        return obj\n    A = 1\n",
                             "Python raises TypeError: object.__new__() takes exactly one argument (the type to "
                             "instantiate) at line 5"),
    "new_str_bad_encoding": ("class E(str, Enum):\n    def __new__(cls, v):\n        obj = str.__new__(cls, v, 'nope')\n"
                             "        obj._value_ = 1\n        return obj\n    A = b'x'\n", "unknown encoding"),
    "local_base_refused": ("class Base(object, IntEnum):\n    pass\nclass E(Base):\n    A = 1\n",
                           "base `Base` (line 3): CPython refuses it"),
    "new_int_on_plain_enum": ("class E(Enum):\n    def __new__(cls, v):\n        obj = int.__new__(cls, v)\n"
                              "        obj._value_ = v\n        return obj\n    A = 1\n", "`int.__new__`"),
}


_DUMP = r'''
import importlib.util, json, sys, warnings
warnings.simplefilter("ignore")
out = {}
for path in sys.argv[1:]:
    try:
        spec = importlib.util.spec_from_file_location("case_" + str(len(out)), path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out[path] = {n: [int(m.value) if isinstance(m.value, int) and not isinstance(m.value, bool)
                         else {"other": repr(m.value)}, m.name]
                     for n, m in mod.E.__members__.items()}
    except Exception as e:
        out[path] = {"__error__": type(e).__name__ + ": " + str(e)}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def cpython(tmp_path_factory):
    """{case: (path, {member: [value, canonical name]} or {"__error__": ...})} from one CPython run."""
    d = tmp_path_factory.mktemp("cases")
    paths = {}
    for name, (src, _) in {**CASES, **REFUSED}.items():
        p = d / f"{name}.py"
        p.write_text(HEAD + src)
        paths[name] = str(p)
    r = subprocess.run([sys.executable, "-c", _DUMP, *paths.values()], capture_output=True, text=True,
                       timeout=120, cwd=d)
    assert r.returncode == 0, r.stderr
    truth = json.loads(r.stdout)
    return {name: (p, truth[p]) for name, p in paths.items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_are_cpythons_or_unknown_where_expected(cpython, case):
    path, truth = cpython[case]
    unknown = CASES[case][1]
    got = {m.name: m for m in parse_python_enum(path, "E").members}
    for name, why in unknown.items():
        assert got[name].value is None and why in (got[name].error or ""), (name, got[name])
    if "__error__" in truth:    # CPython refuses the class: enough that the bad members are unknown
        assert unknown, truth
        return
    assert set(got) == set(truth) | set(unknown)
    for name, m in got.items():
        if name in unknown:
            continue
        value, canonical = truth[name]
        assert m.error is None and m.value == value, (name, m.value, m.error, value)
        assert type(m.value) is int and not isinstance(m.value, bool)
        if canonical not in unknown:     # an alias of an unknown member cannot be seen as one
            assert m.alias_of == (canonical if canonical != name else None), name


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_class_cpython_refuses_has_every_member_unknown(cpython, case):
    path, truth = cpython[case]
    assert "__error__" in truth, truth
    spec = parse_python_enum(path, "E")
    assert spec.members, case
    for m in spec.members:
        assert m.value is None and REFUSED[case][1] in m.error, (m.name, m.value, m.error)


def test_enum_kind_and_class_discovery(tmp_path):
    import ast
    src = (HEAD + "class A(int, Enum):\n    X = 1\nclass B(int, Flag):\n    X = 1\nclass C(enum.IntFlag):\n    X = 1\n"
           "class D(str, Enum):\n    X = 'a'\nclass N:\n    pass\nif True:\n    class F(Enum):\n        X = 1\n"
           "else:\n    class G(IntEnum):\n        X = 1\ntry:\n    class H(Flag):\n        X = 1\n"
           "except Exception:\n    class J(IntEnum):\n        X = 1\nelse:\n    class K(IntEnum):\n        X = 1\n"
           "finally:\n    class L(IntEnum):\n        X = 1\n"
           "class Outer:\n    class M(IntEnum):\n        X = 1\nclass P(Generic[T], IntEnum):\n    X = 1\n")
    tree = ast.parse(src)
    kinds = {c.name: enum_kind(c) for c in ast.walk(tree) if isinstance(c, ast.ClassDef)}
    assert kinds == {"A": "int+Enum", "B": "int+Flag", "C": "IntFlag", "D": "Enum", "N": None, "F": "Enum",
                     "G": "IntEnum", "H": "Flag", "J": "IntEnum", "K": "IntEnum", "L": "IntEnum", "Outer": None,
                     "M": "IntEnum", "P": "IntEnum"}
    # source order, nested classes right after their holder, every branch of if/try
    assert list_enum_classes(tree) == ["A", "B", "C", "D", "F", "G", "H", "K", "J", "L", "M", "P"] or \
        list_enum_classes(tree) == ["A", "B", "C", "D", "F", "G", "H", "K", "L", "J", "M", "P"]


def test_errors_name_the_file_line_and_what_to_do(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(HEAD + "class E(IntEnum):\n    A = 1\nclass E(IntEnum):\n    A = 2\nclass N:\n    pass\n"
                 "class F(Flag):\n    A = 1\n")
    with pytest.raises(EnumsyncError, match=r"class E is defined 2 times \(lines 3, 5\); keep one definition"):
        parse_python_enum(p, "E")
    with pytest.raises(EnumsyncError, match=r"m.py:7: class N is not an Enum subclass \(bases: none\)"):
        parse_python_enum(p, "N")
    with pytest.raises(EnumsyncError, match=r"no class Q \(enum classes here: E, E, F\); pass --python-enum"):
        parse_python_enum(p, "Q")
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\nclass E(:\n")
    with pytest.raises(EnumsyncError, match=r"bad.py:2: Python syntax error: .*; fix the file first"):
        parse_python_enum(bad, "E")
    nul = tmp_path / "nul.py"
    nul.write_text("x = '\\N{NO SUCH NAME}'\n")
    with pytest.raises(EnumsyncError, match=r"nul.py:1: Python syntax error"):
        parse_python_enum(nul, "E")
    with pytest.raises(EnumsyncError, match="no such file"):
        parse_python_enum(tmp_path / "absent.py", "E")


def test_what_a_base_name_is_bound_to_decides_whether_the_class_is_an_enum(tmp_path):
    """A name that looks like an enum base is judged by its binding, as CPython judges it; a base
    from another file is "cannot tell", one line, never "not an Enum"."""
    fake = tmp_path / "fake.py"
    fake.write_text("class IntEnum(int):\n    pass\nclass E(IntEnum):\n    A = 1\n")
    real = tmp_path / "real.py"
    real.write_text("import enum\nIE = enum.IntFlag\nclass E(IE):\n    A = 1\n")
    code = ("import enum, importlib.util, sys\nfor p in sys.argv[1:]:\n"
            "    s = importlib.util.spec_from_file_location('m', p); m = importlib.util.module_from_spec(s)\n"
            "    s.loader.exec_module(m); print(issubclass(m.E, enum.Enum), issubclass(m.E, enum.Flag))\n")
    r = subprocess.run([sys.executable, "-c", code, str(fake), str(real)], capture_output=True, text=True, timeout=60)
    assert r.stdout.split("\n")[:2] == ["False False", "True True"], r.stderr
    with pytest.raises(EnumsyncError, match=r"fake.py:3: class E is not an Enum subclass \(bases: IntEnum\)"):
        parse_python_enum(fake, "E")
    spec = parse_python_enum(real, "E")
    assert spec.kind == "IntFlag" and [m.value for m in spec.members] == [1]
    # a base class's own bases are read where it is defined; a name a function rebinds is unknown there
    rebound = tmp_path / "rebound.py"
    rebound.write_text(HEAD + "X = IntEnum\ndef f():\n    global X\n    X = IntFlag\nf()\nclass Base(X):\n    pass\n"
                       "class E(Base):\n    A = 4\n    B = auto()\n")
    r = subprocess.run([sys.executable, "-c", _DUMP, str(rebound)], capture_output=True, text=True, timeout=60)
    assert json.loads(r.stdout)[str(rebound)] == {"A": [4, "A"], "B": [8, "B"]}     # IntFlag's auto(), not 5
    with pytest.raises(EnumsyncError, match=r"cannot tell whether class E is an Enum: base `X` is rebound by a "
                                            r"`global` statement in a function"):
        parse_python_enum(rebound, "E")
    for spelled, why in (("enum.unique", "base `enum.unique` is not one enumsync can follow"),
                         ("unique", "base `unique` is `enum.unique`, not a class")):
        notclass = tmp_path / "notclass.py"
        notclass.write_text(f"import enum\nfrom enum import unique\nclass E({spelled}):\n    A = 1\n")
        r = subprocess.run([sys.executable, str(notclass)], capture_output=True, text=True, timeout=60)
        assert "TypeError" in r.stderr      # CPython cannot make a class of a function
        with pytest.raises(EnumsyncError, match=f"notclass.py:3: cannot tell whether class E is an Enum: {why}"):
            parse_python_enum(notclass, "E")
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("from base import Base\nclass E(Base):\n    A = 1\n")
    with pytest.raises(EnumsyncError, match=r"elsewhere.py:2: cannot tell whether class E is an Enum: base `Base` "
                                            r"is imported at line 1 .*; pass a class that derives from enum.Enum"):
        parse_python_enum(elsewhere, "E")


def test_the_scan_index_follows_aliased_and_local_enum_bases(tmp_path):
    from enumsync.scan.pyindex import index_module
    src = ("from enum import IntEnum as IE\nclass A(IE):\n    X = 1\nclass Base(IE):\n    pass\n"
           "class B(Base):\n    Y = 2\nclass IntEnum(int):\n    pass\nclass C(IntEnum):\n    Z = 3\n")
    rows = {r[0]: (r[2], r[3]) for r in index_module(str(tmp_path / "m.py"), src.encode())}
    assert rows == {"A": ("IntEnum", ["X"]), "Base": ("IntEnum", []), "B": ("IntEnum", ["Y"])}
    # no class line names an enum base: found through the assignment alone
    src = "import enum\nIF = enum.IntFlag\nclass D(IF):\n    W = 4\nclass N(object):\n    pass\n"
    assert [(r[0], r[2], r[3]) for r in index_module(str(tmp_path / "n.py"), src.encode())] == [("D", "IntFlag", ["W"])]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* is Python 3.11+")
def test_a_class_inside_try_except_star_is_found_and_sees_the_module(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(HEAD + "K = 5\ntry:\n    class E(IntEnum):\n        A = K\n        B = auto()\n"
                 "except* ValueError:\n    pass\n")
    r = subprocess.run([sys.executable, "-c", _DUMP, str(p)], capture_output=True, text=True, timeout=60)
    truth = json.loads(r.stdout)[str(p)]
    assert truth == {"A": [5, "A"], "B": [6, "B"]}
    assert {m.name: m.value for m in parse_python_enum(p, "E").members} == {"A": 5, "B": 6}


def test_a_star_import_may_shadow_the_builtins_the_class_calls(tmp_path):
    """``from helper import *`` may bind ``max`` or ``int``: a ``__new__`` or a member value calling
    one is unknown, never the builtin's value."""
    (tmp_path / "has_max.py").write_text("def max(*a):\n    return 99\n")
    (tmp_path / "has_int.py").write_text("def int(*a):\n    return 98\n")
    new = tmp_path / "new.py"
    new.write_text("from has_max import *\nfrom enum import IntEnum\nclass E(IntEnum):\n    def __new__(cls, v):\n"
                   "        obj = int.__new__(cls, v)\n        obj._value_ = max(v, 3)\n        return obj\n    A = 5\n")
    body = tmp_path / "body.py"
    body.write_text("from has_int import *\nfrom enum import IntEnum\nclass E(IntEnum):\n    A = int('7')\n")
    r = subprocess.run([sys.executable, "-c", _DUMP, str(new), str(body)], capture_output=True, text=True,
                       timeout=60, cwd=tmp_path)
    truth = json.loads(r.stdout)
    assert truth[str(new)] == {"A": [99, "A"]}           # the helper's max, not the builtin's 5
    assert truth[str(body)] == {"A": [98, "A"]}          # the helper's int, not the builtin's 7
    a = parse_python_enum(new, "E").members[0]
    assert a.value is None and "custom __new__" in a.error, a       # int and max may both be the helper's
    a = parse_python_enum(body, "E").members[0]
    assert a.value is None and "`int('7')` is not a constant expression" in a.error, a


def test_a_changed_file_is_parsed_again(tmp_path):
    import os
    p = tmp_path / "m.py"
    p.write_text(HEAD + "class E(IntEnum):\n    A = 1\n")
    assert parse_python_enum(p, "E").members[0].value == 1
    p.write_text(HEAD + "class E(IntEnum):\n    A = 22\n")
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert parse_python_enum(p, "E").members[0].value == 22


def test_spec_fields_lines_exprs_comments_and_ignores(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(HEAD + "X = 1\n\n@unique\nclass E(enum.IntEnum):\n    # above A\n    A = (1 +\n         2)\n"
                 "    B = X  # enumsync: ignore[ES004, ES001,ES004] - reason\n    C = auto()\n")
    s = parse_python_enum(p, "E")
    assert (s.language, s.name, s.qualname, s.kind, s.underlying) == ("python", "E", "E", "IntEnum", "enum.IntEnum")
    assert (s.line, s.end_line) == (6, 11)
    a, b, c = s.members
    assert (a.line, a.end_line, a.expr, a.comment, a.value) == (8, 9, "1 +\n         2", "above A", 3)
    assert (b.line, b.end_line, b.expr, b.ignore, b.comment, b.value) == (10, 10, "X", ("ES001", "ES004"), "reason", 1)
    assert (c.expr, c.value, c.ignore, c.comment, c.meaning) == ("auto()", 4, (), "", None)


def test_member_nodes_reads_members_without_values(tmp_path):
    import ast
    from enumsync.parsers.python_enum import member_nodes
    tree = ast.parse("class E(IntEnum):\n    A = 1\n    _b = X\n    __c = 2\n    D = E_ = auto()\n"
                     "    def f(self):\n        pass\n    k = enum.nonmember(1)\n    n = nonmember(2)\n")
    got = [(n, ast.unparse(node), st.lineno) for n, node, st in member_nodes(tree.body[0])]
    assert got == [("A", "1", 2), ("_b", "X", 3), ("D", "auto()", 5), ("E_", "auto()", 5)]


def test_the_default_enum_name_is_routing_method_type(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(HEAD + "class Other(IntEnum):\n    A = 5\nclass RoutingMethodType(IntEnum):\n    Default = 0\n    TopK = 4\n")
    assert [(m.name, m.value) for m in parse_python_enum(p).members] == [("Default", 0), ("TopK", 4)]
