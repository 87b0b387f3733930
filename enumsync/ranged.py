"""Read a few members of a remote zip (a wheel) with HTTP range requests.

A wheel of flashinfer-python is 60-100 MB; enumsync needs two small files of it. This reader
fetches the end of the archive (the end-of-central-directory record), then only the central
directory entries it needs, then those members' bytes, so a version costs tens of kilobytes.

Why not ``remotezip`` (maintained, on PyPI): it builds a ``zipfile.ZipFile``, which reads the whole
central directory first: 1.27 MB for flashinfer-python 0.7.2 (10,342 members), more than the
whole budget (< 1 MB a version). Wheels written by ``wheel``/setuptools list their members in
``os.walk`` order with sorted names (files of a folder before its subfolders), so an entry can be
found by bisecting the central directory; every answer is checked (the local header's name, the
CRC-32 and the size), and when the order does not hold the whole directory is read instead.
A server that ignores ``Range`` raises ``RangesUnsupported`` (the caller downloads the file).
"""
from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass

MAX_MEMBER = 64 << 20        # a member larger than this is refused (no zip bombs in the cache)
TAIL = 64 << 10              # the first request: the archive's last 64 KiB (EOCD + often the CD)
READAHEAD = 16 << 10         # the smallest request while bisecting
_CD, _EOCD, _LOC = b"PK\x01\x02", b"PK\x05\x06", b"PK\x03\x04"
_Z64LOC, _Z64EOCD = b"PK\x06\x07", b"PK\x06\x06"


class RangesUnsupported(Exception):
    """The server answered a range request with the whole file (or not at all with 206)."""


class ZipFormatError(Exception):
    """The bytes are not a zip archive this reader understands."""


@dataclass(frozen=True)
class Entry:
    """One central-directory entry."""

    name: str
    method: int
    crc: int
    csize: int
    usize: int
    offset: int      # of the local header
    pos: int         # where this central-directory entry starts
    end: int         # where the next one starts


class Transfer:
    """Bytes and requests, for the benchmark and the tests (thread-safe)."""

    def __init__(self):
        self.bytes = self.requests = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.bytes += n
            self.requests += 1


class HttpRanges:
    """Byte ranges of one URL through a ``requests`` session; remembers what it fetched."""

    def __init__(self, url: str, session, timeout: float = 30.0, verify=True, transfer: Transfer | None = None):
        self.url, self.session, self.timeout, self.verify = url, session, timeout, verify
        self.transfer = transfer or Transfer()
        self.size: int | None = None
        self._spans: list[tuple[int, bytes]] = []
        self._lock, self._pending = threading.Lock(), {}

    def _get(self, header: str) -> tuple[int, bytes]:
        r = self.session.get(self.url, headers={"Range": header, "Accept-Encoding": "identity"},
                             stream=True, timeout=self.timeout, verify=self.verify)
        try:
            if r.status_code == 200:
                raise RangesUnsupported(f"{self.url}: the server ignored the Range header")
            r.raise_for_status()
            cr = r.headers.get("Content-Range", "")
            if r.status_code != 206 or not cr.startswith("bytes "):
                raise RangesUnsupported(f"{self.url}: no Content-Range in the answer to a range request")
            span, _, total = cr[6:].partition("/")
            a, _, b = span.partition("-")
            start, stop, size = int(a), int(b) + 1, int(total)
            data = r.raw.read(stop - start + 1, decode_content=False)
        finally:
            r.close()
        self.transfer.add(len(data))
        if len(data) != stop - start or (self.size is not None and size != self.size):
            raise ZipFormatError(f"{self.url}: a range answer had {len(data)} bytes for {stop - start}")
        self.size = size
        self._spans.append((start, data))
        return start, data

    def tail(self, n: int) -> tuple[int, bytes]:
        """The last ``n`` bytes (fewer if the file is smaller) and their offset; learns the size."""
        return self._get(f"bytes=-{n}")

    def _cached(self, offset: int, stop: int) -> bytes | None:
        for start, data in list(self._spans):
            if start <= offset and stop <= start + len(data):
                return data[offset - start: stop - start]
        return None

    def read(self, offset: int, n: int, ahead: int = 0) -> bytes:
        """``n`` bytes at ``offset`` (short only at the end of the file); threads share requests."""
        stop = min(offset + n, self.size)
        if stop <= offset:
            return b""
        while True:
            hit = self._cached(offset, stop)
            if hit is not None:
                return hit
            with self._lock:
                busy = next((ev for (a, b), ev in self._pending.items() if a <= offset and stop <= b), None)
                if busy is None:
                    end = min(max(stop, offset + ahead), self.size)
                    mine = self._pending[(offset, end)] = threading.Event()
            if busy is not None:            # another thread is fetching these bytes: wait for it
                busy.wait()
                continue
            try:
                start, data = self._get(f"bytes={offset}-{end - 1}")
            finally:
                with self._lock:
                    del self._pending[(offset, end)]
                mine.set()
            return data[offset - start: stop - start]


class LocalRanges(HttpRanges):
    """The same interface over a local file (``file://`` indexes and find-links folders)."""

    def __init__(self, path, transfer: Transfer | None = None):
        import os
        self.path, self.url, self.transfer, self._spans = path, str(path), transfer or Transfer(), []
        self._lock, self._pending = threading.Lock(), {}
        self.size = os.path.getsize(path)

    def _get(self, header: str) -> tuple[int, bytes]:
        spec = header[6:]
        a, _, b = spec.partition("-")
        start = max(0, self.size - int(b)) if not a else int(a)
        stop = self.size if not a or not b else int(b) + 1
        with open(self.path, "rb") as f:
            f.seek(start)
            data = f.read(stop - start)
        self.transfer.add(len(data))
        self._spans.append((start, data))
        return start, data


class RemoteWheel:
    """Members of a zip read through ``HttpRanges``: ``find`` names, ``names`` lists, ``read`` extracts."""

    def __init__(self, src: HttpRanges):
        self.src = src
        start, tail = src.tail(TAIL)
        self.cd_start, self.cd_end, self.count = _locate_cd(src, start, tail)
        self._all: dict[str, Entry] | None = None
        self._found: dict[str, Entry] = {}

    # --- the central directory ---------------------------------------------------------
    def _entry(self, pos: int) -> Entry | None:
        """The entry that starts at ``pos``, or None if no valid entry starts there."""
        head = self.src.read(pos, 46, READAHEAD)
        if len(head) < 46 or head[:4] != _CD:
            return None
        (flags, method, _t, _d, crc, csize, usize, n, m, k, _disk, _ia, _ea,
         offset) = struct.unpack("<8xHHHHIIIHHHHHII", head)
        end = pos + 46 + n + m + k
        if n == 0 or end > self.cd_end or offset >= self.cd_start:
            return None
        raw = self.src.read(pos + 46, n + m, READAHEAD)
        try:
            name = raw[:n].decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        if 0xFFFFFFFF in (csize, usize, offset):
            csize, usize, offset = _zip64_extra(raw[n:], csize, usize, offset)
        return Entry(name, method, crc, csize, usize, offset, pos, end)

    def _boundary(self, pos: int, stop: int) -> Entry | None:
        """The first entry starting in [pos, stop) that chains to a valid next one (or the end)."""
        while pos < stop:
            chunk = self.src.read(pos, min(READAHEAD, stop - pos + 3), READAHEAD)
            i = chunk.find(_CD)
            if i < 0 or pos + i >= stop:
                pos += max(1, len(chunk) - 3)
                continue
            e = self._entry(pos + i)
            if e is not None and (e.end == self.cd_end or self._entry(e.end) is not None):
                return e
            pos += i + 1
        return None

    def _scan(self, pos: int, stop: int):
        """Entries from the boundary ``pos`` while they start before ``stop``."""
        while pos < stop:
            e = self._entry(pos)
            if e is None:
                raise ZipFormatError(f"{self.src.url}: a damaged central directory entry at byte {pos}")
            yield e
            pos = e.end

    def entries(self) -> dict[str, Entry]:
        """Every entry, read in one request."""
        if self._all is None:
            self.src.read(self.cd_start, self.cd_end - self.cd_start)
            self._all = {e.name: e for e in self._scan(self.cd_start, self.cd_end)}
            if len(self._all) != self.count:
                raise ZipFormatError(f"{self.src.url}: {len(self._all)} central directory entries, "
                                     f"the end record says {self.count}")
        return self._all

    def names(self) -> list[str]:
        return list(self.entries())

    def _bisect(self, name: str) -> Entry | None:
        """The entry for ``name`` found by bisection (None: not found this way; read everything)."""
        key = walk_key(name)
        lo, hi = self.cd_start, self.cd_end
        while hi - lo > 2 * READAHEAD:
            mid = (lo + hi) // 2
            e = self._boundary(mid, hi)
            if e is None:
                hi = mid
            elif e.name == name:
                return e
            elif key < walk_key(e.name):
                hi = e.pos
            else:
                lo = e.end
        return next((e for e in self._scan(lo, hi) if e.name == name), None)

    def find(self, groups: list[tuple[str, ...]]) -> list[str | None]:
        """Per group of alternative names, the first that exists (None: none does)."""
        out: list[str | None] = []
        firsts = [None] * len(groups)
        if self._all is None and groups:        # the searches wait on the network: run them side by side
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=len(groups)) as ex:
                firsts = list(ex.map(lambda g: self._bisect(g[0]), groups))
        for group, hit in zip(groups, firsts):
            if hit is None:
                entries = self.entries()
                hit = next((entries[n] for n in group if n in entries), None)
            if hit is not None:
                self._found[hit.name] = hit
            out.append(hit.name if hit else None)
        return out

    # --- members ---------------------------------------------------------------------
    def prefetch(self, names: list[str], gap: int = 256 << 10) -> None:
        """Fetch many members' bytes in a few requests: one per run of members that lie together."""
        entries = self.entries()
        offsets = sorted(e.offset for e in entries.values()) + [self.cd_start]
        following = dict(zip(offsets, offsets[1:]))
        runs: list[list[int]] = []
        for off in sorted(entries[n].offset for n in names):
            end = following[off]
            if runs and off - runs[-1][1] <= gap:
                runs[-1][1] = end
            else:
                runs.append([off, end])
        for start, stop in runs:
            self.src.read(start, stop - start)

    def read_many(self, names: list[str]) -> list[bytes]:
        """Several members' bytes, their requests side by side."""
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(names)))) as ex:
            return list(ex.map(self.read, names))

    def read(self, name: str) -> bytes:
        """The member's bytes, checked against its local header, size and CRC-32."""
        e = self._found.get(name) or self.entries()[name]
        if e.usize > MAX_MEMBER or e.csize > MAX_MEMBER:
            raise ZipFormatError(f"{e.name}: {e.usize} bytes is more than enumsync reads from a wheel")
        want = e.name.encode("utf-8")
        head = self.src.read(e.offset, 30 + len(want), 30 + len(want) + 256 + e.csize)
        if head[:4] != _LOC:
            raise ZipFormatError(f"{self.src.url}: no local header for {e.name} at byte {e.offset}")
        n, m = struct.unpack("<HH", head[26:30])
        if head[30:30 + n] not in (want, e.name.encode("cp437", "replace")):
            raise ZipFormatError(f"{self.src.url}: the local header at byte {e.offset} is not {e.name}")
        data = self.src.read(e.offset + 30 + n + m, e.csize)
        if e.method == 0:
            out = data
        elif e.method == 8:
            d = zlib.decompressobj(-15)
            out = d.decompress(data, e.usize + 1)
        else:
            raise ZipFormatError(f"{e.name}: compression method {e.method} is not supported")
        if len(out) != e.usize or zlib.crc32(out) != e.crc:
            raise ZipFormatError(f"{self.src.url}: {e.name} failed its size or CRC-32 check")
        return out


def walk_key(name: str) -> list[tuple[int, str]]:
    """Sort key of ``os.walk`` order with sorted names: a folder's files before its subfolders."""
    parts = name.split("/")
    return [(1, p) for p in parts[:-1]] + [(0, parts[-1])]


def _locate_cd(src: HttpRanges, start: int, tail: bytes) -> tuple[int, int, int]:
    """(start, end, count) of the central directory, from the end records in ``tail``."""
    i = tail.rfind(_EOCD)
    if i < 0 or len(tail) - i < 22:
        raise ZipFormatError(f"{src.url}: not a zip archive (no end of central directory record)")
    count, size, offset = struct.unpack("<10xHII", tail[i:i + 20])
    if 0xFFFF == count or 0xFFFFFFFF in (size, offset):
        j = i - 20
        if j < 0 or tail[j:j + 4] != _Z64LOC:
            raise ZipFormatError(f"{src.url}: a zip64 archive without its locator")
        (z64,) = struct.unpack("<8xQ", tail[j:j + 16])
        rec = src.read(z64, 56)
        if rec[:4] != _Z64EOCD:
            raise ZipFormatError(f"{src.url}: a damaged zip64 end record")
        count, size, offset = struct.unpack("<32xQQQ", rec)
    end = offset + size
    if end > src.size or offset < 0:
        raise ZipFormatError(f"{src.url}: the central directory lies outside the file")
    return offset, end, count


def _zip64_extra(extra: bytes, csize: int, usize: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset from a zip64 extra field (tag 1), in the order the spec gives them."""
    p = 0
    while p + 4 <= len(extra):
        tag, ln = struct.unpack("<HH", extra[p:p + 4])
        if tag == 1:
            vals = list(struct.unpack(f"<{ln // 8}Q", extra[p + 4:p + 4 + (ln // 8) * 8]))
            if usize == 0xFFFFFFFF and vals:
                usize = vals.pop(0)
            if csize == 0xFFFFFFFF and vals:
                csize = vals.pop(0)
            if offset == 0xFFFFFFFF and vals:
                offset = vals.pop(0)
            return csize, usize, offset
        p += 4 + ln
    raise ZipFormatError("a zip64 entry without its zip64 extra field")
