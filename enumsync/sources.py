"""Where the flashinfer files come from: the installed package, a pinned or given version.

``resolve_flashinfer(spec, cwd)`` understands ``installed``, ``pinned``, ``latest``, a version
(``0.6.12``) and a specifier (``>=0.6,<0.7``). Downloads go through ``enumsync.wheelcache``
(range requests on the user's own index, ``pip download`` as the fallback) and keep only
``runner.h`` and the Python enum file, so a warm cache works offline. Nothing here imports flashinfer.
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .model import EnumsyncError

DIST = "flashinfer-python"
RUNNER_H = "data/include/flashinfer/trtllm/fused_moe/runner.h"
ENUM_PY_CANDIDATES = ("tllm_enums.py", "fused_moe/core.py")   # 0.6.7+, then older
INDEX_TTL_S = 3600          # how long a `pip index versions` answer is reused (ENUMSYNC_INDEX_TTL)


@dataclass(frozen=True)
class FlashinferFiles:
    """The C++ header and the Python enum file of one flashinfer-python version."""

    version: str
    origin: str          # "installed" | "download" | "cache"
    root: Path           # the package directory (``.../flashinfer``)
    runner_h: Path
    enum_py: Path
    selected: str = ""   # why this version: "pinned in pyproject.toml: flashinfer-python==0.6.12", ...

    def describe(self) -> str:
        why = f"; {self.selected}" if self.selected else ""
        return f"flashinfer-python {self.version} ({self.origin}: {self.root}{why})"


def enum_py_in(root: Path) -> Path:
    """The Python file that holds RoutingMethodType in a flashinfer package tree."""
    for rel in ENUM_PY_CANDIDATES:
        p = root / rel
        if p.is_file() and "class RoutingMethodType" in p.read_text(encoding="utf-8", errors="replace"):
            return p
    raise EnumsyncError(f"{root}: no RoutingMethodType in {' or '.join(ENUM_PY_CANDIDATES)}")


def package_dir(name: str) -> Path | None:
    """An installed package's directory, found without importing it (None if absent)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def installed_root() -> Path | None:
    """The installed ``flashinfer`` package directory, found without importing it."""
    return package_dir("flashinfer")


def dist_info_version(site_dir: Path, dist: str = "flashinfer_python") -> str | None:
    """The ``Version:`` of ``<dist>-*.dist-info/METADATA`` in ``site_dir`` (no importlib.metadata)."""
    for d in sorted(site_dir.glob(f"{dist}-*.dist-info")):
        try:
            for line in (d / "METADATA").read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    break
        except OSError:
            pass
    return None


def installed_version() -> str | None:
    root = installed_root()
    if root is not None:  # fast path: the dist-info beside the package (importlib.metadata costs ~10 ms)
        v = dist_info_version(root.parent)
        if v:
            return v
    from importlib.metadata import PackageNotFoundError, version
    for dist in ("flashinfer-python", "flashinfer_python", "flashinfer"):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None


def locate_installed() -> FlashinferFiles | None:
    """The installed flashinfer-python's runner.h and enum file, or None if not installed."""
    root = installed_root()
    if root is None:
        return None
    runner = root / RUNNER_H
    if not runner.is_file():
        raise EnumsyncError(f"{root}: flashinfer is installed but has no {RUNNER_H}; "
                            "reinstall flashinfer-python or pass --cpp")
    return FlashinferFiles(installed_version() or "unknown", "installed", root, runner, enum_py_in(root),
                           selected="the installed package")


# --- downloaded versions ----------------------------------------------------------------

#: the archive members enumsync needs, each a group of alternatives (the first that exists)
MEMBERS = [("flashinfer/" + RUNNER_H,), tuple("flashinfer/" + rel for rel in ENUM_PY_CANDIDATES)]


def is_cached(version: str) -> bool:
    """True if runner.h and the enum file of ``version`` are in the cache and intact."""
    from . import wheelcache
    return wheelcache.is_cached(DIST, version, MEMBERS)


class _Progress:
    """A spinner on stderr while a wheel downloads, only when stderr is a terminal."""

    def __init__(self, what: str):
        self.what, self.status = what, None

    def __enter__(self):
        if sys.stderr.isatty() and not os.environ.get("ENUMSYNC_NO_PROGRESS"):
            from rich.console import Console
            self.status = Console(stderr=True).status(f"downloading {self.what} (only runner.h and the enum file are kept)")
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)


def fetch_version(version: str, selected: str = "") -> FlashinferFiles:
    """runner.h and the enum file of flashinfer-python==version, from the cache or a download."""
    from . import wheelcache
    origin = "cache" if is_cached(version) else "download"
    if origin == "download":
        with _Progress(f"{DIST}=={version}"):
            (_, runner), (_, enum_py) = wheelcache.fetch_members(DIST, version, MEMBERS)
    else:
        (_, runner), (_, enum_py) = wheelcache.fetch_members(DIST, version, MEMBERS)
    root = Path(str(runner)[: -len(RUNNER_H)]).resolve()
    return FlashinferFiles(version, origin, root, runner, enum_py, selected=selected or f"version {version}")


# --- release lists ------------------------------------------------------------------------

def _index_cache() -> Path:
    from .cache import cache_dir
    return cache_dir() / "index" / f"{DIST}.json"


def cached_versions() -> list[str]:
    """Versions whose files are in the cache, oldest first."""
    from packaging.version import InvalidVersion, Version
    from .cache import cache_dir
    d = cache_dir() / "files" / DIST
    out = []
    for p in d.glob("*.json") if d.is_dir() else []:
        try:
            Version(p.stem)
        except InvalidVersion:
            continue
        if is_cached(p.stem):
            out.append(p.stem)
    return sorted(out, key=Version)


def _remembered_versions(ttl: float) -> tuple[list[str], float] | None:
    """The last release list and its age, if it is well-formed and younger than ``ttl``."""
    import json
    try:
        data = json.loads(_index_cache().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("time"), (int, float))
            and isinstance(data.get("versions"), list) and all(isinstance(v, str) for v in data["versions"])):
        return None
    age = time.time() - data["time"]
    return (data["versions"], age) if 0 <= age < ttl else None


def _pip_index_versions() -> tuple[list[str] | None, str]:
    """Versions from ``pip index versions`` (``--json`` where pip has it), or (None, why not)."""
    import json
    import subprocess
    from .pipconf import pip_major, run_pip
    try:
        r = run_pip(["index", "versions", DIST, "--json"], timeout=120) if pip_major() >= 24 else None
        if r is None or (r.returncode != 0 and "--json" in (r.stderr or "")):    # pip without --json
            r = run_pip(["index", "versions", DIST], timeout=120)
        else:
            try:
                doc = json.loads(r.stdout) if r.returncode == 0 else None
            except ValueError:
                doc = None
            if isinstance(doc, dict) and isinstance(doc.get("versions"), list):
                return [str(v) for v in doc["versions"]], "pip index versions --json"
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"pip index versions failed: {e}"
    m = re.search(r"^Available versions:\s*(.+)$", r.stdout or "", re.M)
    if m:
        return [v.strip() for v in m.group(1).split(",") if v.strip()], "pip index versions"
    lines = [line for line in (r.stderr or "").splitlines() if line.strip() and not line.startswith("WARNING")]
    return None, "pip index versions failed" + (f": {lines[-1].strip()}" if lines else "")


def _direct_index_versions() -> tuple[list[str] | None, str]:
    """Versions read from the index itself (PEP 691/503), for environments without pip."""
    from . import simpleindex
    from .wheelcache import _index_files
    _cfg, files, errors = _index_files(DIST)
    vs = simpleindex.versions(files)
    if vs:
        return vs, "the package index (read directly: pip is not installed)"
    return None, "no index listed it" + (f" ({'; '.join(errors)})" if errors else "")


def available_versions(refresh: bool = False) -> tuple[list[str], str]:
    """Released versions of flashinfer-python (oldest first) and where the list came from.

    Asks ``pip index versions`` (the user's pip configuration: index-url, extra-index-url,
    find-links; ``--json`` where pip supports it); without pip, reads the index directly with
    the same settings. The answer is kept for ``ENUMSYNC_INDEX_TTL`` seconds. Offline, it
    falls back to the versions in the cache and says so.
    """
    import json
    from packaging.version import InvalidVersion, Version
    from .cache import write_atomic
    from .pipconf import pip_available
    ttl = float(os.environ.get("ENUMSYNC_INDEX_TTL", INDEX_TTL_S))
    remembered = None if refresh else _remembered_versions(ttl)
    if remembered:
        return remembered[0], f"pip index versions (cached {int(remembered[1])} s ago)"
    found, how = _pip_index_versions() if pip_available() else _direct_index_versions()
    good = []
    for v in found or []:
        try:
            good.append(Version(v))
        except InvalidVersion:
            continue
    if good:
        vs = [str(v) for v in sorted(set(good))]
        write_atomic(_index_cache(), json.dumps({"time": time.time(), "versions": vs}).encode())
        return vs, how
    cached = cached_versions()
    if cached:
        return cached, f"the enumsync cache ({how}: offline?)"
    raise EnumsyncError(f"cannot list {DIST} releases ({how}) and the cache is empty; "
                        "check your network or pip index settings, or pass an exact version")


def matching_versions(spec: str, refresh: bool = False) -> tuple[list[str], str]:
    """Final releases matching a specifier (``>=0.6,<0.8``), oldest first, and their source."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    try:
        ss = SpecifierSet(spec)
    except InvalidSpecifier as e:
        raise EnumsyncError(f"--flashinfer {spec!r} is not a version or a specifier ({e})") from e
    vs, source = available_versions(refresh)
    hits = list(ss.filter(vs))
    return hits, source


def newest_matching(spec: str) -> tuple[str, str]:
    """The newest final release matching ``spec``, and a sentence saying how it was chosen."""
    hits, source = matching_versions(spec)
    if not hits:
        raise EnumsyncError(f"no {DIST} release matches {spec!r} (looked in {source}); check the specifier")
    return hits[-1], f"newest release matching {spec!r} per {source}"


def _is_version(s: str) -> bool:
    from packaging.version import InvalidVersion, Version
    try:
        Version(s)
        return True
    except InvalidVersion:
        return False


def resolve_flashinfer(spec: str, cwd: Path | None = None, preset=None) -> FlashinferFiles:
    """The flashinfer files for ``--flashinfer SPEC``.

    - ``installed``: the environment's flashinfer-python (error if absent);
    - ``pinned``: the repository's own requirement (see ``enumsync.pinned``);
    - ``latest``: the newest release;
    - ``VERSION``: that release; ``SPECIFIER``: the newest matching release.
    ``FlashinferFiles.selected`` says which version was chosen and why.
    """
    spec = (spec or "").strip()
    cwd = Path(cwd or Path.cwd())
    if spec in ("", "default"):
        return default_flashinfer()
    if spec == "installed":
        fi = locate_installed()
        if fi is None:
            raise EnumsyncError("--flashinfer installed: flashinfer-python is not installed in this environment "
                                f"({sys.executable}); install it, or pass --flashinfer VERSION")
        return fi
    if spec == "pinned":
        from .pinned import find_pin
        pin = find_pin(cwd, preset=preset)
        if pin.exact:
            return fetch_version(pin.exact, selected=f"pinned: {pin.describe()}")
        version, how = newest_matching(str(pin.specifier))
        return fetch_version(version, selected=f"pinned: {pin.describe()}; {how}")
    if spec == "latest":
        version, how = newest_matching(">=0")
        return fetch_version(version, selected="the newest release per " + how.split(" per ", 1)[1])
    if _is_version(spec):
        return fetch_version(spec, selected=f"--flashinfer {spec}")
    s = spec[2:] if spec.startswith("==") and _is_version(spec[2:]) else None
    if s:
        return fetch_version(s, selected=f"--flashinfer {spec}")
    version, how = newest_matching(spec)
    return fetch_version(version, selected=how)


def default_flashinfer() -> FlashinferFiles:
    """The installed flashinfer-python; if there is none, the newest release (downloaded once, cached)."""
    fi = locate_installed()
    if fi is not None:
        return fi
    try:
        version, how = newest_matching(">=0")
        how = "flashinfer-python is not installed; using the newest release per " + how.split(" per ", 1)[1]
    except EnumsyncError:
        cached = cached_versions()
        if not cached:
            raise
        version, how = cached[-1], "flashinfer-python is not installed and the index is unreachable; newest cached"
    return fetch_version(version, selected=how)
