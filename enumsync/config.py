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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import EnumsyncError

TOP_KEYS = {"flashinfer", "preset", "models", "extensions", "pairs", "suppress"}
PAIR_KEYS = {"name", "cpp", "python", "enum", "cpp_enum", "python_enum", "include_dirs", "extensions", "flashinfer"}


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
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise EnumsyncError(f"{path}: cannot read config ({e.strerror})") from e
    except tomllib.TOMLDecodeError as e:
        raise EnumsyncError(f"{path}: invalid TOML ({e}); fix the file") from e


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` that has a ``[tool.enumsync]`` table."""
    for d in [start, *start.parents]:
        p = d / "pyproject.toml"
        if p.is_file():
            if "enumsync" in _load_toml(p).get("tool", {}):
                return p
        if (d / ".git").exists():
            break
    return None


def _unknown(keys, allowed, where: str, path: Path) -> None:
    bad = sorted(set(keys) - allowed)
    if bad:
        raise EnumsyncError(f"{path}: unknown key {bad[0]!r} in {where} (allowed: {', '.join(sorted(allowed))}); "
                            "see README 'Configuration'")


def _extensions(raw, where: str, path: Path) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise EnumsyncError(f"{path}: {where} must be a table of member = \"reason\" (a non-empty reason each)")
    return dict(raw)


def parse_config(data: dict, path: Path) -> Config:
    """Validate the ``[tool.enumsync]`` table; any problem is one EnumsyncError line."""
    if not isinstance(data, dict):
        raise EnumsyncError(f"{path}: [tool.enumsync] must be a table")
    _unknown(data, TOP_KEYS, "[tool.enumsync]", path)
    cfg = Config(path=path)
    cfg.flashinfer = data.get("flashinfer")
    cfg.preset = data.get("preset")
    if cfg.preset is not None and cfg.preset not in ("flashinfer", "sglang", "vllm"):
        raise EnumsyncError(f"{path}: preset must be flashinfer, sglang or vllm, not {cfg.preset!r}")
    models = data.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise EnumsyncError(f"{path}: models must be a list of paths")
    cfg.models = [path.parent / m for m in models]
    cfg.extensions = _extensions(data.get("extensions", {}), "extensions", path)
    pairs = data.get("pairs", [])
    if not isinstance(pairs, list):
        raise EnumsyncError(f"{path}: pairs must be an array of tables ([[tool.enumsync.pairs]])")
    for i, p in enumerate(pairs):
        if not isinstance(p, dict):
            raise EnumsyncError(f"{path}: pairs[{i}] must be a table")
        _unknown(p, PAIR_KEYS, f"[[tool.enumsync.pairs]] #{i + 1}", path)
        if "python" not in p:
            raise EnumsyncError(f"{path}: [[tool.enumsync.pairs]] #{i + 1} needs a `python` path")
        q = dict(p)
        q["extensions"] = _extensions(p.get("extensions", {}), f"pairs[{i}].extensions", path)
        cfg.pairs.append(q)
    from .suppressions import validate_suppressions
    cfg.suppress = validate_suppressions(data.get("suppress", []), str(path))
    return cfg


def load_config(explicit: str | None = None, cwd: Path | None = None) -> Config | None:
    """The config from ``--config PATH``, else the nearest pyproject.toml with [tool.enumsync]."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise EnumsyncError(f"{explicit}: no such config file")
        data = _load_toml(p).get("tool", {}).get("enumsync")
        if data is None:
            raise EnumsyncError(f"{explicit}: has no [tool.enumsync] table")
        return parse_config(data, p.resolve())
    p = find_pyproject((cwd or Path.cwd()).resolve())
    if p is None:
        return None
    return parse_config(_load_toml(p)["tool"]["enumsync"], p)
