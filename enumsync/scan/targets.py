"""What ``scan`` reads: the PATHs (or the cwd, or a flashinfer package), its headers, the -I dirs."""
from __future__ import annotations

from pathlib import Path

from ..model import EnumsyncError
from . import Tree, flashinfer_package, shipped_headers

def fetch_flashinfer_tree(version: str) -> Path:
    """flashinfer-python ``version``'s package folder, unpacked once into the cache."""
    from ..wheelcache import fetch_tree
    return fetch_tree("flashinfer-python", version, "flashinfer/")


def flashinfer_tree(spec: str, cwd: Path) -> tuple[Path, str]:
    """(package folder, description) of ``--flashinfer SPEC``."""
    from .. import sources
    fi = sources.resolve_flashinfer(spec, cwd)
    if fi.origin == "installed":
        return fi.root, fi.describe()
    root = fetch_flashinfer_tree(fi.version)
    return root, f"flashinfer-python {fi.version} ({fi.selected}; files cached under {root})"


def build_tree(paths, flashinfer: str | None, include_dirs, config: str | None):
    """The :class:`Tree` to scan and the config that applies to it."""
    from ..config import load_config
    for p in [*paths, *include_dirs]:
        if not Path(p).exists():
            raise EnumsyncError(f"{p}: no such file or folder; pass a checkout, an installed package or an "
                                "unpacked wheel")
    cwd = Path.cwd().resolve()
    first = Path(paths[0]).resolve() if paths else cwd
    cfg = load_config(config, first if first.is_dir() else first.parent)
    spec = flashinfer or (cfg.flashinfer if cfg else None)
    notes, extra = [], []
    if paths:
        roots = [Path(p).resolve() for p in paths]
        if spec:
            fi_root, desc = flashinfer_tree(spec, cfg.root if cfg else cwd)
            extra, notes = shipped_headers(fi_root), [f"C++ headers from {desc}"]
    elif flashinfer:
        fi_root, desc = flashinfer_tree(flashinfer, cfg.root if cfg else cwd)
        roots, notes = [fi_root], [f"scanning {desc}"]
    else:
        roots = [cwd]
    incs = [Path(d).resolve() for d in include_dirs]
    cpp, py_exclude = [], []
    for r in roots:   # a flashinfer package: its own headers, not the vendored cutlass/cccl/spdlog
        if r.is_dir() and flashinfer_package(r):
            cpp += shipped_headers(r)
            py_exclude.append(r / "data")
        else:
            cpp.append(r)
    cpp = list(dict.fromkeys([*cpp, *extra]))
    for r in roots:
        if r.is_dir():
            incs += [h for h in shipped_headers(r) if h.name == "include"]
    incs += [h for h in extra if h.name == "include"]
    return Tree(roots, cpp, list(dict.fromkeys(incs)), notes, py_exclude), cfg


def config_results(specs, check_pair) -> list:
    """Check the config's pairs (they always win), each marked as found in the config."""
    out = []
    for s in specs:
        r = check_pair(s)
        r.found = "config"
        r.notes.append("found in [[tool.enumsync.pairs]]")
        out.append(r)
    return out
