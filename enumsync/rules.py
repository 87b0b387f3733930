"""The rule registry: stable IDs, names, default severities, one line of doc each.

Pair rules are pure functions ``(cpp, py, ctx) -> Iterable[Finding]``. Rules emitted by
other stages (routing tables, GPU) are declared here too, so the catalogue is complete.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from .model import EnumSpec, Finding, Member, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    doc: str
    scope: str = "pair"            # "pair" | "table" | "gpu" | "config"
    check: Callable | None = None

    # the long documentation lives in rule_docs.py (one entry per rule; a test requires it)
    @property
    def explain(self) -> str:
        return _doc(self.id, "explain") or self.doc

    @property
    def example(self) -> str:
        return _doc(self.id, "example")

    @property
    def fix(self) -> str:
        return _doc(self.id, "fix")

    @property
    def suppress(self) -> str:
        from .rule_docs import suppress_text
        return suppress_text(self)


def _doc(rule_id: str, field_name: str) -> str:
    from .rule_docs import doc_for
    d = doc_for(rule_id)
    return getattr(d, field_name) if d else ""


PYPI_URL = "https://pypi.org/project/enumsync-kernels/"


def project_url() -> str:
    """The project's home page from the installed metadata, else its PyPI page."""
    try:
        from importlib.metadata import metadata
        md = metadata("enumsync-kernels")
        for entry in md.get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("documentation", "homepage", "source", "repository") and url.strip():
                return url.strip().rstrip("/")
        if md.get("Home-page"):
            return md["Home-page"].rstrip("/")
    except Exception:  # no metadata (a plain checkout): the PyPI page
        pass
    return PYPI_URL.rstrip("/")


def help_uri(rule_id: str) -> str:
    """Where a rule is documented: docs/rules.md in the project's repository, else the PyPI page."""
    base = project_url()
    if "github.com/" in base or "gitlab" in base:
        return f"{base}/blob/main/docs/rules.md#{rule_id.lower()}"
    return f"{base}/#{rule_id.lower()}"


@dataclass
class Context:
    """What a pair rule may know beyond the two enums."""

    extensions: dict[str, str] = field(default_factory=dict)   # Python-only member -> reason
    _match: tuple | None = None

    def matching(self, cpp: EnumSpec, py: EnumSpec) -> "Matching":
        """:func:`match_members` of the pair, computed once per pair."""
        if self._match is None or self._match[0] is not cpp or self._match[1] is not py:
            self._match = (cpp, py, match_members(cpp, py))
        return self._match[2]


RULES: dict[str, Rule] = {}


def declare(id: str, name: str, severity: Severity, doc: str, scope: str = "pair", check=None) -> Rule:
    """Register a rule's metadata (and optionally its check)."""
    if id in RULES and RULES[id].name != name:
        raise ValueError(f"rule ID {id} is taken by {RULES[id].name!r}; pick a free ID for {name!r}")
    if id in RULES and RULES[id].check is not None and check is None:
        return RULES[id]
    RULES[id] = Rule(id, name, severity, doc, scope, check)
    return RULES[id]


def rule(id: str, name: str, severity: Severity, doc: str, scope: str = "pair"):
    """Decorator form of :func:`declare` for a rule's check function."""
    def wrap(fn):
        declare(id, name, severity, doc, scope, fn)
        return fn
    return wrap


def make(rule_id: str, message: str, **kw) -> Finding:
    """A finding of ``rule_id`` with the registry's name and default severity."""
    r = RULES[rule_id]
    return Finding(rule=r.id, name=r.name, severity=kw.pop("severity", r.severity), message=message, **kw)


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by ID (imports the modules that register rules)."""
    from . import suppressions, table_rules  # noqa: F401  (register ES9xx, ES2xx)
    return sorted(RULES.values(), key=lambda r: r.id)


def pair_rules() -> list[Rule]:
    return [r for r in sorted(RULES.values(), key=lambda r: r.id) if r.scope == "pair" and r.check]


def run_pair_rules(cpp: EnumSpec, py: EnumSpec, ctx: Context | None = None) -> list[Finding]:
    """Run every pair rule; findings come back in rule order, then member order."""
    ctx = ctx or Context()
    out: list[Finding] = []
    for r in pair_rules():
        out.extend(r.check(cpp, py, ctx))
    return out


# --- helpers ---------------------------------------------------------------------------

def _loc(m: Member | None, spec: EnumSpec) -> dict:
    return {"path": spec.path, "line": m.line if m else spec.line}


_INT_RANGES = {
    "int8_t": (-(2**7), 2**7 - 1), "uint8_t": (0, 2**8 - 1),
    "int16_t": (-(2**15), 2**15 - 1), "uint16_t": (0, 2**16 - 1),
    "int32_t": (-(2**31), 2**31 - 1), "uint32_t": (0, 2**32 - 1),
    "int64_t": (-(2**63), 2**63 - 1), "uint64_t": (0, 2**64 - 1),
    "char": (-(2**7), 2**7 - 1), "signed char": (-(2**7), 2**7 - 1), "unsigned char": (0, 2**8 - 1),
    "short": (-(2**15), 2**15 - 1), "unsigned short": (0, 2**16 - 1),
    "int": (-(2**31), 2**31 - 1), "unsigned": (0, 2**32 - 1), "unsigned int": (0, 2**32 - 1),
    "long": (-(2**63), 2**63 - 1), "unsigned long": (0, 2**64 - 1),
    "long long": (-(2**63), 2**63 - 1), "unsigned long long": (0, 2**64 - 1),
    "bool": (0, 1),
}


def type_range(underlying: str | None) -> tuple[int, int] | None:
    """The value range of a C++ underlying type as written, or None if unknown."""
    if not underlying:
        return None
    t = underlying.replace("std::", "").strip()
    return _INT_RANGES.get(t)


# --- member matching (one function; rules, fix and reports all use it) ------------------

def norm_name(name: str) -> str:
    """A member name without its naming convention: case, underscores, a trailing ``_`` that
    dodges a Python keyword, and a C++ ``k`` prefix (``kFast``, ``Fast``, ``FAST``, ``fast_`` -> ``fast``)."""
    n = name[1:] if len(name) > 1 and name[0] == "k" and name[1].isupper() else name
    return n.replace("_", "").lower()       # every underscore, the keyword-dodging trailing one too


@dataclass(frozen=True)
class Matching:
    """Which Python member stands for which C++ member: same name first, then same normalised name."""

    py_to_cpp: dict[str, Member]
    cpp_to_py: dict[str, Member]
    restyled: tuple[tuple[str, str], ...] = ()    # (C++ name, Python name) matched only after normalising

    def cpp_for(self, py_name: str) -> Member | None:
        return self.py_to_cpp.get(py_name)


def match_members(cpp: EnumSpec, py: EnumSpec) -> Matching:
    """Pair members by name, then by :func:`norm_name` where that is unique on both sides."""
    cm = cpp.by_name()
    p2c = {m.name: cm[m.name] for m in py.members if m.name in cm}
    c2p = {c.name: m for m in py.members if (c := p2c.get(m.name)) is not None}
    left_c: dict[str, list[Member]] = {}
    for c in cpp.members:
        if c.name not in c2p:
            left_c.setdefault(norm_name(c.name), []).append(c)
    left_p: dict[str, list[Member]] = {}
    for m in py.members:
        if m.name not in p2c:
            left_p.setdefault(norm_name(m.name), []).append(m)
    restyled = []

    def pair_up(left_p, left_c):
        for key, ps in left_p.items():
            cs = left_c.get(key, [])
            if len(ps) == 1 and len(cs) == 1 and ps[0].name not in p2c and cs[0].name not in c2p:
                p2c[ps[0].name], c2p[cs[0].name] = cs[0], ps[0]
                restyled.append((cs[0].name, ps[0].name))

    pair_up(left_p, left_c)
    # a prefix on one side only (Python FUSED_OPT_WAITS_MC, C++ OPT_WAITS_MC): at least two members agree
    for side in ("python", "cpp"):
        rest_p = [m for m in py.members if m.name not in p2c]
        rest_c = [c for c in cpp.members if c.name not in c2p]
        mine, other = (rest_p, rest_c) if side == "python" else (rest_c, rest_p)
        keys = {norm_name(o.name): o for o in other}
        prefixes: dict[str, int] = {}
        for m in mine:
            head = m.name.split("_", 1)[0] + "_" if "_" in m.name.strip("_") else ""
            if head and norm_name(m.name[len(head):]) in keys:
                prefixes[head] = prefixes.get(head, 0) + 1
        for head, n in sorted(prefixes.items(), key=lambda x: -x[1]):
            if n < 2:
                break
            strip = {norm_name(m.name[len(head):]): [m] for m in mine if m.name.startswith(head)}
            rest = {norm_name(o.name): [o] for o in other}
            pair_up(*((strip, rest) if side == "python" else (rest, strip)))
    return Matching(p2c, c2p, tuple(restyled))


def _values(spec: EnumSpec) -> dict[int, list[Member]]:
    out: dict[int, list[Member]] = {}
    for m in spec.canonical():
        if m.value is not None:
            out.setdefault(m.value, []).append(m)
    return out


# --- ES011: the lock file ---------------------------------------------------------------

declare("ES011", "stale-lock", Severity.ERROR,
        "enumsync.lock no longer matches the project: the flashinfer pin moved (or, with `--verify-lock`, the "
        "real runner.h differs from the lock); run `enumsync lock` and commit it", scope="lock")


# --- ES0xx: values ---------------------------------------------------------------------

@rule("ES000", "unknown-value", Severity.ERROR,
      "a Python member's value cannot be computed statically, so it cannot be checked")
def unknown_value(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    for m in py.canonical():
        if m.value is None:
            yield make("ES000", f"{py.name}.{m.name}: value `{m.expr}` cannot be known statically ({m.error})",
                       member=m.name, hint="write the value as an integer literal", **_loc(m, py))


@rule("ES001", "value-mismatch", Severity.ERROR, "same name, different value")
def value_mismatch(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    match = ctx.matching(cpp, py)
    for m in py.canonical():
        c = match.cpp_for(m.name)
        if c is None or m.value is None or c.value is None or c.value == m.value:
            continue
        yield make("ES001", f"{m.name} is {m.value} in Python but {c.value} in C++"
                   + (f" (as {c.name})" if c.name != m.name else ""),
                   member=m.name, cpp_value=c.value, python_value=m.value,
                   hint=f"set {m.name} = {c.value} (or run `enumsync fix`)", **_loc(m, py))


@rule("ES002", "value-collision", Severity.ERROR,
      "a Python value is the C++ value of a different member: the kernel runs something else")
def value_collision(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    by_val = _values(cpp)
    match = ctx.matching(cpp, py)
    for m in py.canonical():
        if m.value is None or m.name in ctx.extensions:
            continue
        mine = match.cpp_for(m.name)
        others = [c for c in by_val.get(m.value, []) if c is not mine]
        if not others or (mine is None and all(c.name not in match.cpp_to_py for c in others)):
            continue  # nothing else there, or a rename (ES005 reports it)
        names = ", ".join(c.name for c in others)
        yield make("ES002",
                   f"Python sends {m.value} for {m.name}, but to the kernel {m.value} means {names}",
                   member=m.name, cpp_value=mine.value if mine else None, python_value=m.value,
                   hint=f"the kernel would silently run {names}; renumber {m.name}"
                        + (f" to {mine.value}" if mine and mine.value is not None else ""),
                   extra={"kernel_runs": [c.name for c in others]}, **_loc(m, py))


@rule("ES003", "missing-member", Severity.WARNING, "in C++, absent in Python")
def missing_member(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    match = ctx.matching(cpp, py)
    for c in cpp.canonical():
        if c.name in match.cpp_to_py or any(p.value == c.value and p.name not in match.py_to_cpp
                                             for p in py.canonical()):
            continue  # present, or renamed (ES005 reports it)
        yield make("ES003", f"C++ member {c.name} = {c.value} has no Python counterpart",
                   member=c.name, cpp_value=c.value,
                   hint=f"add {c.name} = {c.value} to {py.name} (or run `enumsync fix`)", **_loc(None, py))


@rule("ES004", "extra-member", Severity.ERROR,
      "in Python, absent in C++ (unless declared an extension in config)")
def extra_member(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    match = ctx.matching(cpp, py)
    cvals = _values(cpp)
    for m in py.canonical():
        if m.name in match.py_to_cpp or m.name in ctx.extensions:
            continue
        if m.value is not None and any(c.name not in match.cpp_to_py for c in cvals.get(m.value, [])):
            continue  # a rename: ES005
        yield make("ES004", f"Python member {m.name} = {m.value} does not exist in C++ {cpp.qualname}",
                   member=m.name, python_value=m.value,
                   hint="remove it, or declare it in [tool.enumsync] extensions with a reason", **_loc(m, py))


@rule("ES005", "renamed-member", Severity.WARNING, "same value, different name, no other match")
def renamed_member(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    match = ctx.matching(cpp, py)
    cvals = _values(cpp)
    for m in py.canonical():
        if m.name in match.py_to_cpp or m.name in ctx.extensions or m.value is None:
            continue
        for c in cvals.get(m.value, []):
            if c.name not in match.cpp_to_py:
                yield make("ES005", f"Python {m.name} = {m.value} looks like C++ {c.name} = {c.value} renamed",
                           member=m.name, cpp_value=c.value, python_value=m.value,
                           hint=f"rename {m.name} to {c.name}", **_loc(m, py))


@rule("ES006", "duplicate-value", Severity.WARNING, "two members share a value on one side")
def duplicate_value(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    for spec in (cpp, py):
        side = "C++" if spec.language == "cpp" else "Python"
        if spec.language == "cpp":
            groups = [ms for ms in _values(spec).values() if len(ms) > 1]
        else:  # Python makes a repeated value an alias silently; `B = A` is an intended alias
            first = spec.by_name()
            groups = [[first[m.alias_of], m] for m in spec.members
                      if m.alias_of and m.expr.strip() != m.alias_of]
        for ms in groups:
            v = ms[0].value
            yield make("ES006", f"{side} members {', '.join(m.name for m in ms)} share the value {v}"
                       + (f" ({ms[-1].name} silently becomes an alias of {ms[0].name})" if spec is py else ""),
                       member=ms[-1].name, python_value=v if spec is py else None,
                       cpp_value=v if spec is cpp else None,
                       hint="give each member its own value, or write an explicit alias (B = A)",
                       **_loc(ms[-1], spec))


@rule("ES007", "out-of-range", Severity.ERROR, "a value does not fit the C++ underlying type")
def out_of_range(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    rng = type_range(cpp.underlying)
    if rng is None:
        return
    lo, hi = rng
    for m in py.canonical():
        if m.value is not None and not lo <= m.value <= hi and m.name not in ctx.extensions:
            yield make("ES007", f"{m.name} = {m.value} does not fit {cpp.underlying} [{lo}, {hi}]",
                       member=m.name, python_value=m.value,
                       hint=f"use a value within {cpp.underlying}", **_loc(m, py))


@rule("ES008", "naming-style", Severity.INFO,
      "member names differ only by convention (case, underscores, a trailing `_`, a `k` or shared prefix); matched as the same members")
def naming_style(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    restyled = ctx.matching(cpp, py).restyled
    if not restyled:
        return
    shown = ", ".join(f"{c} ~ {p}" for c, p in restyled[:4]) + (", ..." if len(restyled) > 4 else "")
    yield make("ES008", f"{len(restyled)} member name(s) of {py.name} differ from C++ {cpp.qualname} only in "
                        f"naming style ({shown}); they are matched as the same members",
               hint="nothing to do; rename them if you want one spelling",
               extra={"restyled": [list(x) for x in restyled]}, **_loc(None, py))


def is_flag(py: EnumSpec) -> bool:
    """A Python ``Flag``/``IntFlag`` (values are bit masks)."""
    return "Flag" in (py.kind or "")


@rule("ES009", "overlapping-bits", Severity.ERROR,
      "a Python flag's bits overlap a different C++ flag's bits: the kernel sees that flag set too")
def overlapping_bits(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    if not is_flag(py):
        return
    match = ctx.matching(cpp, py)
    for m in py.canonical():
        if not m.value or m.name in ctx.extensions:
            continue
        mine = match.cpp_for(m.name)
        own = mine.value if mine is not None and mine.value is not None else 0
        hit = [c for c in cpp.canonical() if c is not mine and c.value and c.value != m.value
               and (c.value & m.value) & ~own]
        if hit:
            bits = 0
            for c in hit:
                bits |= c.value & m.value & ~own
            names = ", ".join(f"{c.name} ({c.value:#x})" for c in hit)
            yield make("ES009", f"{m.name} = {m.value:#x} sets bit(s) {bits:#x}, which C++ uses for {names}",
                       member=m.name, cpp_value=own if mine is not None else None, python_value=m.value,
                       hint=f"use {m.name} = {own:#x}" if mine is not None else "give it bits no C++ flag uses",
                       extra={"overlaps": [c.name for c in hit], "bits": bits}, **_loc(m, py))


# --- ES1xx: meaning ----------------------------------------------------------------------

@rule("ES101", "meaning-drift", Severity.WARNING, "the C++ and Python comments parse to different pipelines")
def meaning_drift(cpp: EnumSpec, py: EnumSpec, ctx: Context) -> Iterable[Finding]:
    match = ctx.matching(cpp, py)
    for m in py.canonical():
        c = match.cpp_for(m.name)
        if c is None or c.meaning is None or m.meaning is None:
            continue
        if not (c.meaning.known and m.meaning.known):
            continue
        from .meaning import differences
        diffs = differences(c.meaning, m.meaning)
        if diffs:
            yield make("ES101", f"{m.name}: C++ says `{c.meaning.summary()}`, Python says `{m.meaning.summary()}` "
                                f"({'; '.join(diffs)})",
                       member=m.name, cpp_value=c.value, python_value=m.value,
                       hint="make the comments agree; `enumsync verify` shows what the kernel does",
                       extra={"cpp_meaning": c.meaning.summary(), "python_meaning": m.meaning.summary(),
                              "cpp_comment": c.comment, "python_comment": m.comment},
                       **_loc(m, py))


# --- rules emitted by other stages (declared here so the catalogue is complete) --------

declare("ES010", "mirror-unresolved", Severity.WARNING,
        "a Python enum says it mirrors a C++ enum that `scan` cannot find or read, so it is not checked", "scan")
declare("ES201", "table-unknown-member", Severity.ERROR, "a routing table picks a member that C++ lacks", "table")
declare("ES202", "table-meaning-mismatch", Severity.ERROR,
        "a routing table maps a config to a member whose meaning disagrees with it", "table")
declare("ES301", "gpu-rejected", Severity.ERROR, "the kernel refused the value that Python sends", "gpu")
declare("ES302", "gpu-mismatch", Severity.ERROR,
        "the kernel's result for the Python value differs from the reference of the Python member's meaning", "gpu")
declare("ES303", "gpu-skipped", Severity.INFO, "the GPU check could not run here (no GPU, arch, headers, version)", "gpu")
declare("ES304", "shape-unsupported", Severity.WARNING,
        "the kernel refuses the model's shape (experts, top-k, groups) for a value it otherwise runs; "
        "the message quotes the kernel", "gpu")
