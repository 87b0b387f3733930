"""The class CPython would build from an enum's bases, built for real with an empty body.

The bases are the standard library's own classes (``enum.IntEnum``, ``int``, ...) and, for a
class of the file used as a base, an empty stand-in with the same bases. No code of the file
runs: only ``type`` and ``enum.EnumType`` do, so every check CPython makes on the bases alone
(a consistent MRO, the enum class last, one data type, a data type for ``ReprEnum``, no
extending an enum with members, instance lay-out) is CPython's own, and so are the facts read
off the result: the member type, which ``_generate_next_value_`` ``auto()`` calls, and what
``super().__new__`` reaches.
"""
from __future__ import annotations

import builtins
import enum
import types
import warnings


def stdlib_enum(attr: str):
    """``enum.<attr>`` when it is a class, else None."""
    v = getattr(enum, attr, None)
    return v if isinstance(v, type) else None


def builtin_type(name: str):
    """The builtin class ``name`` (``int``, ``str``, ...), else None."""
    v = getattr(builtins, name, None)
    return v if isinstance(v, type) else None


def _stand_in(ns) -> None:
    ns["__module__"] = __name__     # not "enum": ``kind_name`` tells the standard library's classes by module


def build(name: str, bases: tuple) -> tuple[type | None, str | None]:
    """(the class ``class name(*bases): pass`` makes, None) or (None, CPython's error)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return types.new_class(name, bases, exec_body=_stand_in), None
    except Exception as e:      # TypeError for bad bases; anything else CPython would raise too
        return None, f"{type(e).__name__}: {' '.join(str(e).split())}"


def is_enum(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def is_flag(cls: type) -> bool:
    return issubclass(cls, enum.Flag)


def _builtin_of(cls: type) -> str:
    return next(c.__name__ for c in cls.__mro__ if c.__module__ == "builtins")


def kind_name(cls: type) -> str:
    """The standard library enum class ``cls`` derives from first (``IntEnum``, ``Flag``, ...)."""
    return next(c.__name__ for c in cls.__mro__ if c.__module__ == "enum")


def family(cls: type) -> str:
    """Whose ``_generate_next_value_`` ``auto()`` calls: ``flag``, ``str`` or ``enum``.

    ``EnumType.__prepare__`` takes it from the last base, and the class keeps it in its own dict.
    """
    fn = cls._generate_next_value_
    return "flag" if fn is enum.Flag._generate_next_value_ else \
        "str" if fn is getattr(enum, "StrEnum", enum.Enum)._generate_next_value_ and fn is not \
        enum.Enum._generate_next_value_ else "enum"


def member_type(cls: type) -> str:
    """The builtin type members are made of (``int``, ``str``, ``object``, ...)."""
    return _builtin_of(cls._member_type_)


def super_new(cls: type) -> str:
    """What ``super().__new__`` in the class's own ``__new__`` reaches: ``Enum`` or a builtin's name."""
    nxt = next(c for c in cls.__mro__[1:] if "__new__" in c.__dict__)
    return "Enum" if is_enum(nxt) else _builtin_of(nxt)
