"""Which header of a flashinfer version defines an enum, for ``history``/``diff --enum``.

runner.h first (cached for every version); then the mirror comment of the version's own Python
copy (``tllm_enums.py`` says RoutingInputMode lives in csrc/trtllm_fused_moe_kernel_launcher.cu),
fetching only that file; then the version's whole header tree, indexed by the token pass.
"""
from __future__ import annotations

from pathlib import Path

from ..model import EnumsyncError
from .cindex import index_file


def _defines(path: Path, name: str) -> bool:
    try:
        return any(r.name == name for r in index_file(str(path), path.read_bytes()))
    except OSError:
        return False


def _only_enum(path: Path) -> str | None:
    refs = index_file(str(path), path.read_bytes())
    return refs[0].name if len(refs) == 1 else None


def enum_header(fi, enum: str, qualname: str | None = None, header: str | None = None) -> tuple[Path, str]:
    """(header, C++ enum name) for ``enum`` in the flashinfer files ``fi`` (see the module doc)."""
    name = (qualname or enum).split("::")[-1]
    if header:
        path = _file(fi, header)
        return path, name if _defines(path, name) or qualname else (_only_enum(path) or name)
    if _defines(fi.runner_h, name):
        return fi.runner_h, name
    from .discover import hint_targets
    from .pyindex import index_module
    try:
        rows = index_module(str(fi.enum_py), Path(fi.enum_py).read_bytes())
    except OSError:
        rows = []
    for cls, _line, _kind, _members, _s, _c, hint, _l in rows:
        paths, names = hint_targets(hint)
        if paths and (cls == name or name in names):
            path = _file(fi, paths[0])
            if _defines(path, name):
                return path, name
            if cls == name and (only := _only_enum(path)):
                return path, only          # e.g. SfLayout -> QuantizationSFLayout in fp4_layout.cuh
    return _search_tree(fi, name), name


def _file(fi, suffix: str) -> Path:
    """A file of flashinfer ``fi`` by the end of its path (``include/flashinfer/fp4_layout.cuh``)."""
    suffix = suffix.lstrip("./")
    if fi.origin == "installed":
        from . import shipped_headers
        from .walk import iter_files
        from .cindex import CPP_SUFFIXES
        for root in shipped_headers(fi.root):
            for p, _ in iter_files(root, CPP_SUFFIXES):
                if p.endswith("/" + suffix):
                    return Path(p)
        raise EnumsyncError(f"flashinfer-python {fi.version} (installed) has no {suffix}")
    from ..wheelcache import fetch_members
    tails = [suffix, suffix.split("/", 1)[1]] if "/" in suffix else [suffix]   # csrc/x.cu, or x.cu under csrc/
    names = tuple(dict.fromkeys(f"flashinfer/data/{d}{t}" for t in tails for d in ("", "include/", "csrc/")))
    try:
        return fetch_members("flashinfer-python", fi.version, [names])[0][1]
    except EnumsyncError:
        return _search_file(fi, suffix)


def _search_file(fi, suffix: str) -> Path:
    """The one file of the version's unpacked header tree whose path ends with ``suffix``."""
    from . import shipped_headers
    from .cindex import CPP_SUFFIXES
    from .targets import fetch_flashinfer_tree
    from .walk import iter_files
    hits = [p for r in shipped_headers(fetch_flashinfer_tree(fi.version))
            for p, _ in iter_files(r, CPP_SUFFIXES) if p.endswith("/" + suffix)]
    if len(hits) != 1:
        raise EnumsyncError(f"flashinfer-python {fi.version} has {len(hits) or 'no'} file(s) ending in {suffix}; "
                            "pass --header with more of its path")
    return Path(hits[0])


def _search_tree(fi, name: str) -> Path:
    from . import shipped_headers
    from .cindex import index_tree
    if fi.origin == "installed":
        roots = shipped_headers(fi.root)
    else:
        from .targets import fetch_flashinfer_tree
        roots = shipped_headers(fetch_flashinfer_tree(fi.version))
    refs, _ = index_tree(roots)
    hits = sorted({r.path for r in refs if r.name == name})
    if not hits:
        raise EnumsyncError(f"flashinfer-python {fi.version} defines no C++ enum {name} in data/include or "
                            "data/csrc; check the name, or pass --header PATH")
    if len(hits) > 1:
        raise EnumsyncError(f"flashinfer-python {fi.version} defines enum {name} in {len(hits)} files "
                            f"({', '.join(h.split('/data/', 1)[-1] for h in hits)}); pass --header PATH")
    return Path(hits[0])
