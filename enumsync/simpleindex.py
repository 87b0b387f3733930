"""A project's files on the user's indexes: PEP 691 JSON when offered, else PEP 503 HTML.

Reads every index pip would (index-url, extra-index-urls, find-links; ``file://`` folders
too) with the user's certificates, client certificate, proxy, trusted hosts and ``~/.netrc``
(``requests`` reads netrc and the ``*_PROXY`` variables). A location that does not exist is
skipped, as pip skips it; an index that cannot be reached is reported only if no index had
the file.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse
from urllib.request import url2pathname

from .pipconf import IndexConfig

JSON_V1 = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_V1}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


@dataclass(frozen=True)
class File:
    """One distribution file offered by an index."""

    filename: str
    url: str
    sha256: str | None = None
    yanked: bool = False

    @property
    def version(self):
        """The file's version (``packaging.version.Version``), or None for a name we cannot read."""
        from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, \
            parse_wheel_filename
        try:
            if self.filename.endswith(".whl"):
                return parse_wheel_filename(self.filename)[1]
            return parse_sdist_filename(self.filename)[1]
        except (InvalidWheelFilename, InvalidSdistFilename, ValueError):
            return None

    def project(self) -> str | None:
        from packaging.utils import canonicalize_name
        try:
            from packaging.utils import parse_sdist_filename, parse_wheel_filename
            parse = parse_wheel_filename if self.filename.endswith(".whl") else parse_sdist_filename
            return canonicalize_name(parse(self.filename)[0])
        except ValueError:
            return None


def session(cfg: IndexConfig):
    """A ``requests`` session with the user's proxy, client certificate and retries."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
    s = requests.Session()
    retry = Retry(total=3, connect=1, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504),
                  allowed_methods=("GET", "HEAD"))
    s.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=16))
    s.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=16))
    s.headers["User-Agent"] = "enumsync (requests)"
    if cfg.proxy:
        s.proxies = {"http": cfg.proxy, "https": cfg.proxy}
    if cfg.client_cert:
        s.cert = cfg.client_cert
    return s


def verify_for(cfg: IndexConfig, url: str):
    """``verify=`` for a URL: False on a trusted host, else the configured CA bundle (or True)."""
    host = urlparse(url).hostname or ""
    netloc = urlparse(url).netloc.rpartition("@")[2]
    if host in cfg.trusted_hosts or netloc in cfg.trusted_hosts:
        return False
    return cfg.cert or True


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def parse_html(text: str, base: str) -> list[File]:
    """PEP 503 anchors: the link text is ignored, the href's file name and ``#sha256=`` are kept."""
    p = _Links()
    p.feed(text)
    out = []
    for a in p.links:
        href = a.get("href")
        if not href:
            continue
        url, _, frag = urljoin(base, href).partition("#")
        name = unquote(urlparse(url).path.rsplit("/", 1)[-1])
        sha = frag[7:] if frag.startswith("sha256=") else None
        out.append(File(name, url, sha, "data-yanked" in a))
    return out


def parse_json(doc, base: str) -> list[File]:
    """PEP 691 ``files``; anything malformed is skipped, never guessed."""
    files = doc.get("files") if isinstance(doc, dict) else None
    out = []
    for f in files if isinstance(files, list) else []:
        if not isinstance(f, dict) or not isinstance(f.get("filename"), str) or not isinstance(f.get("url"), str):
            continue
        hashes = f.get("hashes") if isinstance(f.get("hashes"), dict) else {}
        sha = hashes.get("sha256") if isinstance(hashes.get("sha256"), str) else None
        out.append(File(f["filename"], urljoin(base, f["url"]), sha, bool(f.get("yanked"))))
    return out


def _local_path(url: str) -> Path:
    return Path(url2pathname(urlparse(url).path)) if url.startswith("file:") else Path(url)


def _local(location: str, project: str | None) -> list[File]:
    """A ``file://`` index page (``project`` given) or a find-links folder or page."""
    path = _local_path(location)
    if project is not None:
        path = path / project
    if path.is_dir():
        page = path / "index.html"
        if project is None and not page.is_file():
            return [File(p.name, p.resolve().as_uri()) for p in sorted(path.iterdir()) if p.is_file()]
        path = page
    if not path.is_file():
        return []          # pip: "Location ... is ignored: it is neither a file nor a directory"
    text = path.read_text(encoding="utf-8", errors="replace")
    return parse_html(text, path.resolve().as_uri())


def _remote(sess, cfg: IndexConfig, url: str) -> list[File]:
    r = sess.get(url, headers={"Accept": ACCEPT}, timeout=cfg.timeout, verify=verify_for(cfg, url))
    if r.status_code == 404:
        return []
    r.raise_for_status()
    if r.headers.get("Content-Type", "").split(";")[0].strip() == JSON_V1:
        try:
            return parse_json(json.loads(r.text), r.url)
        except ValueError as e:
            raise OSError(f"{url}: the index sent malformed JSON ({e})") from e
    return parse_html(r.text, r.url)


def project_files(dist: str, cfg: IndexConfig, sess=None) -> tuple[list[File], list[str]]:
    """Files of ``dist`` on every configured location, and the errors met on the way."""
    from packaging.utils import canonicalize_name
    name = canonicalize_name(dist)
    sess = sess or session(cfg)
    files: list[File] = []
    errors: list[str] = []
    places = [(u.rstrip("/") + f"/{name}/", name) for u in cfg.indexes()] + [(u, None) for u in cfg.find_links]
    for url, project in places:
        try:
            if url.startswith(("http://", "https://")):
                found = _remote(sess, cfg, url)
            else:
                found = _local(url, project)
        except Exception as e:      # one bad location must not hide the others (requests, OSError, ...)
            errors.append(f"{_redact(url)}: {type(e).__name__}: {e}".splitlines()[0])
            continue
        files.extend(f for f in found if f.project() == name)
    return files, errors


def _redact(url: str) -> str:
    """A URL without its password, for messages."""
    u = urlparse(url)
    if u.password:
        return url.replace(f":{u.password}@", ":****@")
    return url


def versions(files: list[File]) -> list[str]:
    """Distinct versions (oldest first), leaving out those whose every file is yanked."""
    by: dict = {}
    for f in files:
        v = f.version
        if v is not None:
            by[v] = by.get(v, False) or not f.yanked
    return [str(v) for v in sorted(v for v, ok in by.items() if ok)]


def pick_wheel(files: list[File], version: str) -> File | None:
    """The wheel of ``version`` to read: not yanked, then this interpreter's tags, then any wheel."""
    from packaging.tags import sys_tags
    from packaging.utils import parse_wheel_filename
    from packaging.version import Version
    want = Version(version)
    rank = {t: i for i, t in enumerate(sys_tags())}
    best, best_key = None, None
    for f in files:
        if not f.filename.endswith(".whl") or f.version != want:
            continue
        try:
            tags = parse_wheel_filename(f.filename)[3]
        except ValueError:
            continue
        key = (f.yanked, min((rank.get(t, len(rank)) for t in tags), default=len(rank)), f.filename)
        if best_key is None or key < best_key:
            best, best_key = f, key
    return best


def local_file(url: str) -> str | None:
    """The path of a ``file://`` URL (None for other schemes)."""
    return os.fspath(_local_path(url)) if url.startswith("file:") else None
