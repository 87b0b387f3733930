"""A package index on 127.0.0.1 for the download tests: PEP 503 HTML or PEP 691 JSON pages,
wheel files with or without Range support, and a log of what it served. Wheels are built here."""
from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RUNNER = "flashinfer/data/include/flashinfer/trtllm/fused_moe/runner.h"
HEADER = """#pragma once
namespace demo {
enum class RoutingMethodType : int64_t {
  // plain softmax, then top-k
  Default = 0,
  Renormalize = 1,
  Unspecified = 2,
};
}
"""
ENUM_PY = """from enum import IntEnum


class RoutingMethodType(IntEnum):
    Default = 0
    Renormalize = 1
    Unspecified = 2
"""


def walk_order(names):
    """The order `wheel` writes members in: a folder's files (sorted) before its subfolders."""
    def key(n):
        parts = n.split("/")
        return [(1, p) for p in parts[:-1]] + [(0, parts[-1])]
    return sorted(names, key=key)


def build_wheel(folder: Path, version: str = "9.9.9", fillers: int = 3000, ordered: bool = True,
                enum_py: str = ENUM_PY, header: str = HEADER) -> Path:
    """A flashinfer_python wheel with our own header and enum file among ``fillers`` other members."""
    dist = f"flashinfer_python-{version}.dist-info"
    members = {RUNNER: header, "flashinfer/tllm_enums.py": enum_py}
    for i in range(fillers):
        members[f"flashinfer/data/include/cutlass/part{i // 100:02d}/file_{i:05d}.h"] = f"// filler {i}\n" * (i % 7 + 1)
        if i % 5 == 0:
            members[f"flashinfer/zz_module_{i:05d}.py"] = f"X = {i}\n"
    names = walk_order(members) if ordered else sorted(members, key=lambda n: hashlib.md5(n.encode()).hexdigest())
    path = folder / f"flashinfer_python-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.writestr(n, members[n])
        z.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: flashinfer-python\nVersion: {version}\n\n")
        z.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: enumsync-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}/RECORD", "")
    return path


class IndexServer:
    """``http://127.0.0.1:PORT/simple/`` serving the wheels in a folder.

    ``ranges``: answer Range requests (else 200 with the whole file); ``json``: offer PEP 691
    JSON when asked for it (else HTML only). ``log`` holds (path, Range header, bytes sent).
    """

    def __init__(self, folder: Path, ranges: bool = True, json_api: bool = True):
        self.folder, self.ranges, self.json_api = folder, ranges, json_api
        self.log: list[tuple[str, str | None, int]] = []
        self.status = 200            # anything else: every request is answered with this status
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                server.handle(self)

            def do_HEAD(self):
                server.handle(self, head=True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def bytes_sent(self, suffix: str = ".whl") -> int:
        return sum(n for p, _, n in self.log if p.endswith(suffix))

    def _send(self, h, code, body: bytes, ctype: str, extra=None, head=False):
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        self.log.append((h.path, h.headers.get("Range"), 0 if head else len(body)))  # before the client can see it
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def handle(self, h, head=False):
        path = h.path.split("?")[0]
        if self.status != 200 or path.startswith("/denied/"):
            return self._send(h, 401 if self.status == 200 else self.status, b"refused", "text/plain", head=head)
        if path.startswith("/simple/"):
            return self._page(h, path[len("/simple/"):].strip("/"), head)
        if path.startswith("/files/") and (self.folder / path[len("/files/"):]).is_file():
            return self._file(h, (self.folder / path[len("/files/"):]).read_bytes(), head)
        self._send(h, 404, b"not found", "text/plain", head=head)

    def _page(self, h, project, head):
        wheels = sorted(p for p in self.folder.glob("*.whl")
                        if p.name.split("-")[0].replace("_", "-").lower() == project)
        if not wheels:
            return self._send(h, 404, b"no such project", "text/plain", head=head)
        files = [{"filename": p.name, "url": f"/files/{p.name}",
                  "hashes": {"sha256": hashlib.sha256(p.read_bytes()).hexdigest()}} for p in wheels]
        if self.json_api and "application/vnd.pypi.simple.v1+json" in (h.headers.get("Accept") or ""):
            body = json.dumps({"meta": {"api-version": "1.0"}, "name": project, "files": files}).encode()
            return self._send(h, 200, body, "application/vnd.pypi.simple.v1+json", head=head)
        links = "".join(f'<a href="{f["url"]}#sha256={f["hashes"]["sha256"]}">{f["filename"]}</a><br/>\n'
                        for f in files)
        self._send(h, 200, f"<!DOCTYPE html><html><body>{links}</body></html>".encode(), "text/html", head=head)

    def _file(self, h, data: bytes, head):
        rng = h.headers.get("Range")
        if not self.ranges or not rng or not rng.startswith("bytes="):
            return self._send(h, 200, data, "application/octet-stream", head=head)
        a, _, b = rng[6:].partition("-")
        start = max(0, len(data) - int(b)) if not a else int(a)
        stop = len(data) if (not a or not b) else min(len(data), int(b) + 1)
        self._send(h, 206, data[start:stop], "application/octet-stream",
                   {"Content-Range": f"bytes {start}-{stop - 1}/{len(data)}", "Accept-Ranges": "bytes"}, head)


def env_for(server: IndexServer, cache: Path) -> dict:
    """Environment that points pip and enumsync at ``server`` only, with a cache of its own."""
    return {"PIP_INDEX_URL": f"{server.url}/simple/", "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": "",
            "ENUMSYNC_CACHE_DIR": str(cache), "ENUMSYNC_INDEX_TTL": "0",
            "PIP_CONFIG_FILE": "/dev/null", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
