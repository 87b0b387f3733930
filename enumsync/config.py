"""``[tool.enumsync]`` in pyproject.toml: its schema, its discovery and its validation.

Schema (every key optional; paths are relative to the pyproject.toml)::

    [tool.enumsync]
    flashinfer = "installed"          # where a pair without `cpp` takes runner.h from
    preset = "sglang"                 # flashinfer | sglang | vllm
    models = ["python/sglang/srt/models"]   # routing tables that `check` also checks (ES201/ES202)
    extensions = { MyMember = "why it exists only in Python" }   # for every pair

    [[tool.enumsync.pairs]]           # zero or more explicit pairs
    name = "routing"                  # a label for reports
    cpp = "include/runner.h"          # default: runner.h of `flashinfer`
    python = "python/pkg/enums.py"    # required
    enum = "RoutingMethodType"        # the plain name on both sides
    cpp_enum = "ns::RoutingMethodType"   # C++ qualified name, when ambiguous
    python_enum = "RoutingMethodType"
    include_dirs = ["include"]
    extensions = { DeepseekV4 = "not passed to FlashInfer kernels" }

    [[tool.enumsync.suppress]]
    rule = "ES003"                    # required
    member = "TopKSigmoid"            # optional: every member when absent
    reason = "lands in the next bump" # required
    expires = 2027-01-31              # optional: stops working after this date
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import EnumsyncError

from .presets import PRESETS  # noqa: E402  (the one preset registry)

# The JSON Schema of [tool.enumsync] (validated with fastjsonschema). Every value schema carries a
# ``description``: the expected type in words, which the one-line error message quotes.
_TEXT = {"type": "string", "minLength": 1, "description": "a non-empty string"}
_PATH = {"type": "string", "minLength": 1, "description": "a path (a non-empty string)"}
_PATHS = {"type": "array", "items": _PATH, "description": "a list of paths (strings)"}
_EXTENSIONS = {
    "type": "object", "description": 'a table of member = "reason"',
    "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$", "description": "a member name"},
    "additionalProperties": {"type": "string", "pattern": r"\S", "description": "a non-empty reason (string)"},
}
_PAIR = {
    "type": "object", "description": "a table ([[tool.enumsync.pairs]])", "additionalProperties": False,
    "required": ["python"],
    "properties": {"name": _TEXT, "cpp": _PATH, "python": _PATH, "enum": _TEXT, "cpp_enum": _TEXT,
                   "python_enum": _TEXT, "include_dirs": _PATHS, "extensions": _EXTENSIONS, "flashinfer": _TEXT},
}
# suppressions: the types here; required keys, unknown keys, rule IDs and dates in suppressions.py
_SUPPRESS = {
    "type": "object", "description": "a table ([[tool.enumsync.suppress]])",
    "properties": {"rule": _TEXT, "member": _TEXT, "reason": _TEXT, "path": _PATH},
}
SCHEMA = {
    "type": "object", "description": "a table", "additionalProperties": False,
    "properties": {
        "flashinfer": {**_TEXT, "description": "a string: installed | pinned | VERSION | SPECIFIER"},
        "preset": {**_TEXT, "description": "a string: " + " | ".join(PRESETS)},
        "models": _PATHS,
        "extensions": _EXTENSIONS,
        "pairs": {"type": "array", "items": _PAIR, "description": "an array of tables ([[tool.enumsync.pairs]])"},
        "suppress": {"type": "array", "items": _SUPPRESS,
                     "description": "an array of tables ([[tool.enumsync.suppress]])"},
    },
}
TOP_KEYS = set(SCHEMA["properties"])
PAIR_KEYS = set(_PAIR["properties"])


@dataclass
class Config:
    path: Path | None = None
    flashinfer: str | None = None
    preset: str | None = None
    models: list[Path] = field(default_factory=list)
    extensions: dict[str, str] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    suppress: list[dict[str, Any]] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def _load_toml(path: Path) -> dict:
    from .tomlfile import load
    return load(path)


def _tool_table(doc: dict, path: Path) -> dict | None:
    """``[tool.enumsync]`` of a parsed pyproject (None when absent); ``tool`` that is no table is an error."""
    tool = doc.get("tool", {})
    if not isinstance(tool, dict):
        raise EnumsyncError(f"{path}: `tool` must be a table, not {type(tool).__name__}")
    return tool.get("enumsync")


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` that has a ``[tool.enumsync]`` table."""
    for d in [start, *start.parents]:
        p = d / "pyproject.toml"
        if p.is_file():
            if _tool_table(_load_toml(p), p) is not None:
                return p
        if (d / ".git").exists():
            break
    return None


@functools.cache
def _validator():
    """The validator generated from SCHEMA (scripts/gen_config_validator.py); compiled now if that is stale.

    Both raise an exception with fastjsonschema's attributes (``name``, ``value``, ``rule``, ``definition``).
    """
    from . import config_validator
    if config_validator.SCHEMA == SCHEMA:
        return config_validator.validate
    import fastjsonschema
    return fastjsonschema.compile(SCHEMA)


def _key(name: str) -> str:
    """fastjsonschema's ``data.pairs[0].python`` as the TOML key ``tool.enumsync.pairs[0].python``."""
    return "tool.enumsync" + name[len("data"):]


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _schema_error(e, path: Path) -> EnumsyncError:
    """One line naming the key, what it must be, and what it is."""
    key, d = _key(e.name), e.definition if isinstance(e.definition, dict) else {}
    if e.rule == "additionalProperties" and "properties" in d:
        bad = sorted(set(e.value) - set(d["properties"]))[0]
        return EnumsyncError(f"{path}: unknown key {bad!r} in {key} (allowed: {', '.join(sorted(d['properties']))}); "
                             "see README 'Configuration'")
    if e.rule == "required":
        need = [k for k in d.get("required", []) if k not in e.value][0]
        return EnumsyncError(f"{path}: {key} needs `{need}`: {d['properties'][need]['description']}")
    if e.rule == "propertyNames":
        bad = [k for k in e.value if not re.match(d["propertyNames"]["pattern"], k)][0]
        return EnumsyncError(f"{path}: {key} has the key {bad!r}, which is not a member name")
    return EnumsyncError(f"{path}: {key} must be {d.get('description', e.message)}, not {_shown(e.value)}")


def parse_config(data: dict, path: Path) -> Config:
    """Validate the ``[tool.enumsync]`` table against :data:`SCHEMA`; any problem is one EnumsyncError line."""
    try:
        _validator()(data)
    except ValueError as e:    # fastjsonschema's JsonSchemaValueException, generated or compiled
        raise _schema_error(e, path) from None
    cfg = Config(path=path, flashinfer=data.get("flashinfer"), preset=data.get("preset"))
    if cfg.preset is not None and cfg.preset not in PRESETS:
        raise EnumsyncError(f"{path}: tool.enumsync.preset must be {' | '.join(PRESETS)}, not {cfg.preset!r}")
    cfg.models = [path.parent / m for m in data.get("models", [])]
    cfg.extensions = dict(data.get("extensions", {}))
    cfg.pairs = [dict(p, extensions=dict(p.get("extensions", {}))) for p in data.get("pairs", [])]
    from .suppressions import validate_suppressions
    cfg.suppress = validate_suppressions(data.get("suppress", []), str(path))
    return cfg


def load_config(explicit: str | None = None, cwd: Path | None = None) -> Config | None:
    """The config from ``--config PATH``, else the nearest pyproject.toml with [tool.enumsync]."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise EnumsyncError(f"{explicit}: no such config file")
        data = _tool_table(_load_toml(p), p)
        if data is None:
            raise EnumsyncError(f"{explicit}: has no [tool.enumsync] table")
        return parse_config(data, p.resolve())
    p = find_pyproject((cwd or Path.cwd()).resolve())
    if p is None:
        return None
    return parse_config(_tool_table(_load_toml(p), p), p)
