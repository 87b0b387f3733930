"""A few files of a released wheel, fetched once and kept in the cache, checked on every read.

``fetch_members(dist, version, groups)`` returns the cached copies of named archive members.
A cold fetch resolves the wheel's URL on the user's indexes (``simpleindex``, settings from
``pipconf``), reads only the needed members with HTTP range requests (``ranged``), and falls
back to a whole download (``pip download``; without pip, a plain GET of the file) when the
server does not answer ranges or no index could be read.

Cache layout (``enumsync.cache.cache_dir()``)::

    files/<dist>/<version>.json             index: the wheel, member -> sha256, known-absent members
    files/<dist>/<version>.names.json       the wheel's member list (when a caller needed it), sha256 in the index
    files/<dist>/<version>-<sha12>/<member> the members
    locks/<dist>-<version>.lock             held while one run fetches that version

Every member is checked against its sha256 when it is read from the cache; a changed file or
a malformed index is discarded and fetched again (offline: ``DownloadError``, exit 2).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

from .cache import cache_dir, intact, safe_member_path, sha256_bytes, sha256_file, version_lock, write_atomic
from .model import DownloadError, EnumsyncError
from .ranged import Transfer

SCHEMA = 3
TRANSFER = Transfer()           # bytes and requests of this process's downloads (benchmarks, tests)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DIR = re.compile(r"^[A-Za-z0-9._+!-]+$")
_UNREACHABLE = re.compile(r": (ConnectionError|ConnectTimeout|ReadTimeout|Timeout): ")


def _norm(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _index_path(dist: str, version: str) -> Path:
    return cache_dir() / "files" / _norm(dist) / f"{version}.json"


# --- the cache index -------------------------------------------------------------------------

def _valid(doc) -> bool:
    """True for a well-formed schema-2 index; anything else is discarded, never half-used."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        return False
    files, absent, listing = doc.get("files"), doc.get("absent"), doc.get("listing")
    return (isinstance(doc.get("wheel"), str) and isinstance(doc.get("dir"), str) and bool(_DIR.match(doc["dir"]))
            and isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) and _HEX64.match(v)
                                                for k, v in files.items())
            and isinstance(absent, list) and all(isinstance(a, str) for a in absent)
            and (listing is None or (isinstance(listing, str) and bool(_HEX64.match(listing)))))


def read_index(dist: str, version: str) -> dict | None:
    """The cache index of (dist, version), or None; a malformed one is deleted."""
    p = _index_path(dist, version)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        doc = None
    if _valid(doc):
        return doc
    try:
        p.unlink(missing_ok=True)
    except OSError:
        pass
    return None


def _listing_path(dist: str, version: str) -> Path:
    return cache_dir() / "files" / _norm(dist) / f"{version}.names.json"


def _read_listing(dist: str, version: str, idx: dict | None) -> list[str] | None:
    """The wheel's member names, if cached and intact."""
    if not idx or not idx.get("listing"):
        return None
    p = _listing_path(dist, version)
    try:
        data = p.read_bytes()
    except OSError:
        return None
    try:
        names = json.loads(data) if sha256_bytes(data) == idx["listing"] else None
    except ValueError:
        names = None
    if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        p.unlink(missing_ok=True)
        return None
    return names


def _base(dist: str, idx: dict) -> Path:
    return cache_dir() / "files" / _norm(dist) / idx["dir"]


def _unchanged(path: Path, stat) -> bool:
    """True if the file still has the size and mtime it had when written (bulk members only)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return isinstance(stat, list) and [st.st_size, st.st_mtime_ns] == stat


def _lookup(dist: str, idx: dict | None, groups: list[tuple[str, ...]],
            bulk: bool = False) -> list[tuple[str | None, Path | None]] | None:
    """Per group (name, checked path), (None, None) if every name is known absent; None: fetch.

    Members are checked against their sha256; ``bulk`` (thousands of files for ``fetch_files``)
    accepts a file whose size and mtime are those written, and hashes the others.
    """
    if idx is None:
        return None
    out = []
    stats = idx.get("stat") if isinstance(idx.get("stat"), dict) else {}
    for group in groups:
        for name in group:
            if name in idx["files"]:
                path = safe_member_path(_base(dist, idx), name)
                if not (bulk and _unchanged(path, stats.get(name))) and not intact(path, idx["files"][name]):
                    path.unlink(missing_ok=True)         # changed or truncated: discarded, never parsed
                    return None
                out.append((name, path))
                break
            if name not in idx["absent"]:
                return None
        else:
            out.append((None, None))
    return out


def is_cached(dist: str, version: str, groups: list[tuple[str, ...]]) -> bool:
    """True if these members (or the knowledge that they are absent) are in the cache, intact."""
    return _lookup(dist, read_index(dist, version), groups) is not None


# --- fetching ----------------------------------------------------------------------------------

_memo_lock = threading.Lock()
_memo: dict = {}


def _index_files(dist: str):
    """(config, files, errors) for ``dist``, asked once per process (history fetches in threads)."""
    from . import pipconf, simpleindex
    with _memo_lock:
        if dist not in _memo:
            cfg = _memo.get("config") or pipconf.load()
            _memo["config"] = cfg
            files, errors = simpleindex.project_files(dist, cfg)
            _memo[dist] = (cfg, files, errors)
        return _memo[dist]


class _ZipArchive:
    """A downloaded wheel, with the same ``find``/``names``/``read`` as ``ranged.RemoteWheel``."""

    def __init__(self, path: Path):
        import zipfile
        self.z = zipfile.ZipFile(path)
        self._names = set(self.z.namelist())

    def names(self) -> list[str]:
        return self.z.namelist()

    def find(self, groups):
        return [next((n for n in g if n in self._names), None) for g in groups]

    def read(self, name: str) -> bytes:
        return self.z.read(name)


class _DirArchive:
    """A wheel unpacked by ``uv pip install --target``, with the archive's interface."""

    def __init__(self, root: Path):
        self.root = root
        self._names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def names(self) -> list[str]:
        return self._names

    def find(self, groups):
        have = set(self._names)
        return [next((n for n in g if n in have), None) for g in groups]

    def read(self, name: str) -> bytes:
        return safe_member_path(self.root, name).read_bytes()


def _last_line(stderr: str, code: int, tool: str) -> str:
    last = [line for line in (stderr or "").splitlines() if line.strip() and "WARNING" not in line]
    return last[-1].strip() if last else f"{tool} exited {code}"


def _with_uv(uv: str, dist: str, version: str, dest: Path, why: str):
    """(archive, name, digest, how) from ``uv pip install --no-deps --target`` (uv's own index settings)."""
    target = dest / "uv-target"
    cmd = [uv, "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:", "--python", sys.executable,
           "--target", str(target), f"{dist}=={version}"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as e:
        raise DownloadError(f"cannot run uv to download {dist}=={version}: {e}") from e
    if r.returncode != 0:
        raise DownloadError(f"cannot download {dist}=={version} (not cached; {why}; pip is not installed and "
                            f"uv failed: {_last_line(r.stderr, r.returncode, 'uv')}); check your index settings")
    return _DirArchive(target), f"{dist}-{version} (uv pip install)", None, "uv pip install"


def _whole(dist: str, version: str, dest: Path, why: str):
    """(archive, name, digest, how) of the whole wheel: ``pip download``, else ``uv pip``, else one line."""
    from . import pipconf
    if not pipconf.pip_available():
        uv = pipconf.uv_path()
        if uv:
            return _with_uv(uv, dist, version, dest, why)
        raise DownloadError(f"cannot download {dist}=={version} (not cached; {why}; pip is not installed and "
                            "neither is uv, to try another way); check your index settings (PIP_INDEX_URL), "
                            "or install pip")
    try:
        r = pipconf.run_pip(["download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(dest),
                             f"{dist}=={version}"])
    except (OSError, subprocess.SubprocessError) as e:
        raise DownloadError(f"cannot run pip to download {dist}=={version}: {e}") from e
    if r.returncode != 0:
        raise DownloadError(f"cannot download {dist}=={version} (not cached, and pip failed: "
                            f"{_last_line(r.stderr, r.returncode, 'pip')}); "
                            f"check the version and your network or pip index settings")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise DownloadError(f"pip downloaded no wheel for {dist}=={version}")
    TRANSFER.add(wheels[0].stat().st_size)
    return _ZipArchive(wheels[0]), wheels[0].name, sha256_file(wheels[0]), "pip download"


def _get_whole(sess, cfg, wheel, dest: Path) -> Path:
    """The whole wheel by a plain GET (no pip here), checked against the index's sha256."""
    from .simpleindex import verify_for
    path = dest / wheel.filename
    with sess.get(wheel.url, stream=True, timeout=cfg.timeout, verify=verify_for(cfg, wheel.url)) as r:
        r.raise_for_status()
        with open(path, "wb") as f:
            for chunk in r.iter_content(1 << 20):
                f.write(chunk)
    TRANSFER.add(path.stat().st_size)
    if wheel.sha256 and sha256_file(path) != wheel.sha256:
        raise DownloadError(f"{wheel.filename}: the download does not match the index's sha256; try again")
    return path


def _open(dist: str, version: str, tmp: Path):
    """(archive, wheel file name, wheel sha256 or None, how) for dist==version."""
    from . import pipconf, ranged, simpleindex
    cfg, files, errors = _index_files(dist)
    wheel = simpleindex.pick_wheel(files, version)
    if wheel is None:
        why = ("no index had a wheel of it" + (f" ({'; '.join(errors)})" if errors else ""))
        if not errors or all(_UNREACHABLE.search(e) for e in errors):   # pip would find nothing either
            raise DownloadError(f"cannot download {dist}=={version} (not cached; {why}); "
                                "check the version and your network or pip index settings")
        return _whole(dist, version, tmp, why)
    local = simpleindex.local_file(wheel.url)
    if local is not None:
        return ranged.RemoteWheel(ranged.LocalRanges(local, TRANSFER)), wheel.filename, wheel.sha256, "local file"
    sess = simpleindex.session(cfg)
    try:
        src = ranged.HttpRanges(wheel.url, sess, cfg.timeout, simpleindex.verify_for(cfg, wheel.url), TRANSFER)
        return ranged.RemoteWheel(src), wheel.filename, wheel.sha256, "range requests"
    except ranged.RangesUnsupported:
        pass
    except Exception as e:          # the archive, or requests' connection, TLS and HTTP errors
        raise _as_error(e, f"{dist}=={version} ({wheel.url.split('#')[0]})") from e
    if pipconf.pip_available():
        return _whole(dist, version, tmp, "the server does not answer range requests")
    try:
        whl = _get_whole(sess, cfg, wheel, tmp)
    except EnumsyncError:
        raise
    except Exception as e:
        raise _as_error(e, f"{dist}=={version} ({wheel.url.split('#')[0]})") from e
    return _ZipArchive(whl), whl.name, wheel.sha256, "whole download (no range support)"


def _store(dist: str, version: str, archive, wheel: str, digest: str | None,
           groups: list[tuple[str, ...]], pick=None) -> dict:
    """Extract the wanted members into the cache and write the merged index (lock held)."""
    found = archive.find(groups)
    names = archive.names() if pick else None
    chosen = list(pick(names)) if pick else []
    subdir = f"{version}-{(digest or sha256_bytes(wheel.encode()))[:12]}"
    old = read_index(dist, version)
    idx = old if old is not None and old["dir"] == subdir else \
        {"schema": SCHEMA, "wheel": wheel, "dir": subdir, "files": {}, "absent": [], "listing": None}
    idx["wheel_sha256"] = digest
    base = _base(dist, idx)
    if chosen and hasattr(archive, "prefetch"):
        archive.prefetch(chosen)
    named = [n for n in found if n]
    early = dict(zip(named, archive.read_many(named))) if hasattr(archive, "read_many") else {}
    for name in named + chosen:
        data = early.pop(name) if name in early else archive.read(name)
        try:
            write_atomic(safe_member_path(base, name), data)
        except ValueError as e:
            raise EnumsyncError(f"{wheel}: {e}") from e
        idx["files"][name] = sha256_bytes(data)
        st = safe_member_path(base, name).stat()
        idx.setdefault("stat", {})[name] = [st.st_size, st.st_mtime_ns]
    for group, name in zip(groups, found):
        missing = group if name is None else group[:group.index(name)]
        idx["absent"] = sorted(set(idx["absent"]) | set(missing))
    if names is not None:
        listing = json.dumps(names).encode()
        write_atomic(_listing_path(dist, version), listing)
        idx["listing"] = sha256_bytes(listing)
    write_atomic(_index_path(dist, version), json.dumps(idx, indent=1).encode())
    return idx


def _fetch(dist: str, version: str, groups: list[tuple[str, ...]], pick=None) -> tuple[dict, list[str]]:
    """(cache index, members chosen by ``pick(names)``) once ``groups`` and those are cached."""
    def ready(idx):
        if _lookup(dist, idx, groups) is None:
            return None
        if pick is None:
            return idx, []
        names = _read_listing(dist, version, idx)
        chosen = list(pick(names)) if names is not None else None
        if chosen is None or _lookup(dist, idx, [(n,) for n in chosen], bulk=True) is None:
            return None
        return idx, chosen

    got = ready(read_index(dist, version))
    if got:
        return got
    from filelock import Timeout
    try:
        with version_lock(dist, version):
            return _fetch_locked(dist, version, groups, pick, ready)
    except Timeout as e:
        raise EnumsyncError(f"another enumsync run has held {e.lock_file} too long while fetching "
                            f"{dist}=={version}; wait for it, or delete that lock file if no run is left") from e
    except OSError as e:
        raise _as_error(e, f"{dist}=={version}") from e


def _fetch_locked(dist: str, version: str, groups, pick, ready) -> tuple[dict, list[str]]:
    """The cold half of ``_fetch``, with the version's lock held."""
    import tempfile
    got = ready(read_index(dist, version))     # another run may have fetched it while we waited
    if got:
        return got
    with tempfile.TemporaryDirectory(prefix="enumsync-") as tmp:
        archive, wheel, digest, _how = _open(dist, version, Path(tmp))
        try:
            _store(dist, version, archive, wheel, digest, groups, pick)
        except EnumsyncError:
            raise
        except Exception as e:
            raise _as_error(e, f"{dist}=={version} ({wheel})") from e
    got = ready(read_index(dist, version))
    if not got:
        raise EnumsyncError(f"the enumsync cache {cache_dir()} changed while {dist}=={version} was written "
                            "to it; run again")
    return got


def _as_error(e: Exception, what: str) -> EnumsyncError:
    """One line for a failure while reading a wheel: the archive's fault, the network's, or the disk's."""
    import requests
    from .ranged import ZipFormatError
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    if isinstance(e, ZipFormatError):
        return EnumsyncError(f"{what}: {first}")
    if isinstance(e, requests.RequestException):
        return DownloadError(f"cannot download {what}: {type(e).__name__}: {first}; check your network, "
                             "proxy and certificates")
    if isinstance(e, OSError):
        return EnumsyncError(f"cannot write to the enumsync cache {cache_dir()}: {first}; "
                             "check its permissions and free space, or set ENUMSYNC_CACHE_DIR")
    return DownloadError(f"cannot read {what}: {type(e).__name__}: {first}")


def fetch_members(dist: str, version: str, groups: list[tuple[str, ...]]) -> list[tuple[str, Path]]:
    """Per group of alternative member names, (the first that exists, its cached path)."""
    idx, _ = _fetch(dist, version, groups)
    out = []
    for group, (name, path) in zip(groups, _lookup(dist, idx, groups)):
        if name is None:
            raise EnumsyncError(f"{dist}=={version}: the wheel has no {' nor '.join(group)}")
        out.append((name, path))
    return out


def fetch_file(dist: str, version: str, name: str) -> Path:
    """One member of a wheel by its archive name (e.g. ``sglang/srt/layers/moe/utils.py``)."""
    return fetch_members(dist, version, [(name,)])[0][1]


def fetch_files(dist: str, version: str, wanted) -> dict[str, Path]:
    """Members chosen by ``wanted(names)`` from the wheel's whole member list; name -> cached path.

    Needs the whole central directory once (its list is cached); prefer ``fetch_members``
    when the names are known.
    """
    idx, chosen = _fetch(dist, version, [], pick=wanted)
    base = _base(dist, idx)
    return {n: safe_member_path(base, n) for n in chosen}


def fetch_tree(dist: str, version: str, prefix: str) -> Path:
    """Every file under ``prefix`` (an archive folder like ``sglang/srt/models/``); returns its folder."""
    prefix = prefix.rstrip("/") + "/"

    def pick(names):
        hits = [n for n in names if n.startswith(prefix) and not n.endswith("/")]
        if not hits:
            raise EnumsyncError(f"{dist}=={version}: the wheel has nothing under {prefix}")
        return hits
    files = fetch_files(dist, version, pick)
    first = next(iter(files))
    return Path(str(files[first])[: -len(first)]).joinpath(*prefix.rstrip("/").split("/"))
