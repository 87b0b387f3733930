"""``enumsync.lock``: the C++ enums of the pinned flashinfer, committed, so checks run offline.

One JSON file beside the config (or at the checkout root)::

    {"schema": 1, "generator": "enumsync X",
     "pairs": [{"label": ..., "python": "python/.../utils.py", "enum": "RoutingMethodType",
                "cpp_enum": null, "flashinfer": "0.7.2", "pin": "flashinfer-python==0.7.2 from ...",
                "runner_h_sha256": "...", "cpp": <EnumSpec>}]}

``cpp`` is ``model.EnumSpec`` serialised field by field (members, values, comments, lines,
meanings, underlying type): the one data model, not a second. The JSON Schema is derived from
those dataclasses, and a lock is validated (``fastjsonschema``) before it is used. ``check``
uses an entry while the repository's pin still admits its version (ES011 when it does not).
"""
from __future__ import annotations

import dataclasses
from dataclasses import asdict
from pathlib import Path

from .model import EnumSpec, EnumsyncError, Finding, Meaning, Member

LOCK_NAME = "enumsync.lock"
SCHEMA_VERSION = 1
RUNNER_DISPLAY = "flashinfer-python=={version}/flashinfer/data/include/flashinfer/trtllm/fused_moe/runner.h"

# --- the JSON Schema, derived from the data model ------------------------------------------

_SCALARS = {"str": {"type": "string"}, "int": {"type": "integer"}, "bool": {"type": "boolean"},
            "float": {"type": "number"}}


def _type_schema(annotation: str) -> dict:
    parts = [p.strip() for p in annotation.split("|")]
    alts = []
    for p in parts:
        if p == "None":
            alts.append({"type": "null"})
        elif p in _SCALARS:
            alts.append(_SCALARS[p])
        elif p.startswith("tuple[") and p.endswith(", ...]"):
            alts.append({"type": "array", "items": _type_schema(p[6:-6])})
        elif p in _MODELS:
            alts.append(dataclass_schema(_MODELS[p]))
        else:
            raise TypeError(f"no JSON schema for {annotation!r}")
    return alts[0] if len(alts) == 1 else {"anyOf": alts}


def dataclass_schema(cls) -> dict:
    """A strict JSON Schema for one model dataclass: every field required, nothing else allowed."""
    fields = dataclasses.fields(cls)
    return {"type": "object", "additionalProperties": False, "required": [f.name for f in fields],
            "properties": {f.name: _type_schema(f.type) for f in fields}}


_MODELS = {"Meaning": Meaning, "Member": Member, "EnumSpec": EnumSpec}


def lock_schema() -> dict:
    entry = {"type": "object", "additionalProperties": False,
             "required": ["label", "python", "enum", "cpp_enum", "flashinfer", "pin", "runner_h_sha256", "cpp"],
             "properties": {"label": {"type": "string"}, "python": {"type": "string"}, "enum": {"type": "string"},
                            "cpp_enum": {"type": ["string", "null"]}, "flashinfer": {"type": "string"},
                            "pin": {"type": "string"},
                            "runner_h_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            "cpp": dataclass_schema(EnumSpec)}}
    return {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": False,
            "required": ["schema", "pairs"],
            "properties": {"schema": {"const": SCHEMA_VERSION}, "generator": {"type": "string"},
                           "pairs": {"type": "array", "items": entry}}}


# --- EnumSpec <-> JSON ----------------------------------------------------------------------

def enum_to_json(spec: EnumSpec) -> dict:
    return asdict(spec)


def enum_from_json(d: dict) -> EnumSpec:
    def member(m: dict) -> Member:
        mean = m["meaning"]
        meaning = Meaning(**{**mean, "notes": tuple(mean["notes"])}) if mean is not None else None
        return Member(**{**m, "ignore": tuple(m["ignore"]), "meaning": meaning})
    return EnumSpec(**{**d, "members": tuple(member(m) for m in d["members"])})


@dataclasses.dataclass
class LockEntry:
    label: str
    python: str
    enum: str
    cpp_enum: str | None
    version: str
    pin: str
    sha256: str
    cpp: EnumSpec

    def to_json(self) -> dict:
        return {"label": self.label, "python": self.python, "enum": self.enum, "cpp_enum": self.cpp_enum,
                "flashinfer": self.version, "pin": self.pin, "runner_h_sha256": self.sha256,
                "cpp": enum_to_json(self.cpp)}


@dataclasses.dataclass
class Lock:
    path: Path
    entries: list[LockEntry]

    @property
    def display(self) -> str:
        return LOCK_NAME if self.path.name == LOCK_NAME else str(self.path)

    def find(self, enum: str, cpp_enum: str | None) -> LockEntry | None:
        return next((e for e in self.entries if e.enum == enum and e.cpp_enum == cpp_enum), None)


def read_lock(path: Path) -> Lock:
    """Read and validate a lock file; anything wrong is one EnumsyncError line."""
    import json

    import fastjsonschema
    from .parsers.source import read_text
    redo = "delete it and run `enumsync lock` to write it again"
    text = read_text(path, redo)        # a regular UTF-8 file (a FIFO would block a plain read)
    try:
        data = json.loads(text)
    except ValueError as e:
        raise EnumsyncError(f"{path}: not a valid lock (not JSON: {e}); {redo}") from e
    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaException as e:
        raise EnumsyncError(f"{path}: not a valid lock ({e.message}); {redo}") from e
    return Lock(Path(path), [LockEntry(p["label"], p["python"], p["enum"], p["cpp_enum"], p["flashinfer"], p["pin"],
                                       p["runner_h_sha256"], enum_from_json(p["cpp"])) for p in data["pairs"]])


_VALIDATOR = None


def _validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        import fastjsonschema
        _VALIDATOR = fastjsonschema.compile(lock_schema())
    return _VALIDATOR


def write_lock(path: Path, entries: list[LockEntry]) -> bool:
    """Write the lock atomically; returns whether its content changed."""
    import json

    from . import __version__
    doc = {"schema": SCHEMA_VERSION, "generator": f"enumsync {__version__}",
           "pairs": [e.to_json() for e in entries]}
    text = json.dumps(doc, indent=2, sort_keys=False) + "\n"
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if old is not None:
        try:
            if json.loads(old).get("pairs") == doc["pairs"]:
                return False
        except ValueError:
            pass
    from .cache import write_atomic
    write_atomic(path, text.encode("utf-8"))
    return True


# --- using a lock ---------------------------------------------------------------------------

def pin_matches(pin, version: str) -> bool:
    """Whether the repository's pin still selects ``version`` (an exact pin must equal it)."""
    from packaging.version import Version
    if pin.exact:
        return Version(pin.exact) == Version(version)
    return pin.specifier.contains(version, prereleases=True)


def sha256_of(path: Path) -> str:
    """The sha256 of a header, as the cache computes it for every file it keeps."""
    from .cache import sha256_file
    return sha256_file(Path(path))


def entry_for(spec, root: Path) -> LockEntry:
    """A lock entry for a resolved pair whose C++ side is a pinned flashinfer release's runner.h."""
    from .parsers.cpp import parse_cpp_enum
    cpp = parse_cpp_enum(spec.cpp, spec.enum, spec.cpp_enum, spec.include_dirs)
    cpp = dataclasses.replace(cpp, path=RUNNER_DISPLAY.format(version=spec.flashinfer_version))
    try:
        py = str(Path(spec.python).resolve().relative_to(root.resolve()))
    except ValueError:
        py = str(spec.python)
    return LockEntry(spec.label, py, spec.enum, spec.cpp_enum, spec.flashinfer_version, spec.pinned,
                     sha256_of(spec.cpp), cpp)


def stale_finding(lock: Lock, entry: LockEntry, pin) -> Finding:
    from .rules import make
    return make("ES011", f"{lock.display} locks flashinfer-python {entry.version} for {entry.enum}, but the pin is "
                         f"now {pin.specifier or pin.exact} ({pin.where})",
                path=str(lock.path), line=None,
                hint=f"run `enumsync lock` (it needs the network once) and commit {lock.display}")


def verify_entry(lock: Lock, entry: LockEntry, runner_h: Path) -> list[Finding]:
    """ES011 when the real runner.h differs from what the lock says (its hash or its parsed enum)."""
    from .parsers.cpp import parse_cpp_enum
    from .rules import make
    real = sha256_of(runner_h)
    cpp = dataclasses.replace(parse_cpp_enum(runner_h, entry.enum, entry.cpp_enum), path=entry.cpp.path)
    if real == entry.sha256 and cpp == entry.cpp:
        return []
    what = "runner.h sha256 differs" if real != entry.sha256 else "the parsed enum differs"
    return [make("ES011", f"{lock.display} does not match flashinfer-python {entry.version}'s real runner.h "
                          f"({what}: lock {entry.sha256[:12]}..., wheel {real[:12]}...)",
                 path=str(lock.path), line=None,
                 hint=f"run `enumsync lock` and commit {lock.display}")]
