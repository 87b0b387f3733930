"""The user's package-index settings, read the way pip reads them, and pip / uv as fallbacks.

With pip installed, ``pip config list`` gives the merged settings (config files and ``PIP_*``
variables); the ``global`` section, then ``download``, then the environment win, as in pip.
Without pip (``uvx``, ``pipx``, ``uv tool install``), the ``PIP_*`` and uv's index variables
and pip's config files (``PIP_CONFIG_FILE``, ``/etc/xdg/pip/pip.conf``, ``/etc/pip.conf``,
``~/.pip/pip.conf``, ``~/.config/pip/pip.conf``, ``<prefix>/pip.conf``) are read directly.
"""
from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

PYPI = "https://pypi.org/simple"
_KEYS = ("index-url", "extra-index-url", "find-links", "no-index", "cert", "client-cert", "proxy",
         "trusted-host", "timeout", "default-timeout")


@dataclass
class IndexConfig:
    """Where packages come from and how to reach them."""

    index_url: str = PYPI
    extra_index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    cert: str | None = None
    client_cert: str | None = None
    proxy: str | None = None
    trusted_hosts: list[str] = field(default_factory=list)
    timeout: float = 15.0
    source: str = "defaults"

    def indexes(self) -> list[str]:
        return [] if self.no_index else [self.index_url, *self.extra_index_urls]


def pip_available() -> bool:
    """True if ``python -m pip`` can run in this environment."""
    if os.environ.get("ENUMSYNC_NO_PIP"):      # lets tests and users take pip out of the picture
        return False
    try:
        return importlib.util.find_spec("pip") is not None
    except (ImportError, ValueError):
        return False


def pip_major() -> int:
    """pip's major version (0 if unknown), read from its metadata without starting pip."""
    try:
        from importlib.metadata import version
        return int(version("pip").split(".")[0])
    except Exception:
        return 0


def uv_path() -> str | None:
    return shutil.which("uv")


def run_pip(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m pip ARGS`` (text, captured); OSError/timeout propagate to the caller."""
    return subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          capture_output=True, text=True, timeout=timeout)


def _truthy(v: str) -> bool:
    return v.strip().lower() in ("1", "true", "yes", "on")


def _split(v: str) -> list[str]:
    return [x for x in v.split() if x]


def from_settings(values: dict[str, str], source: str) -> IndexConfig:
    """An ``IndexConfig`` from pip option names (``index-url``, ...) and their string values."""
    c = IndexConfig(source=source)
    if values.get("index-url"):
        c.index_url = values["index-url"].strip()
    c.extra_index_urls = _split(values.get("extra-index-url", ""))
    c.find_links = _split(values.get("find-links", ""))
    c.no_index = _truthy(values.get("no-index", ""))
    c.cert = values.get("cert") or None
    c.client_cert = values.get("client-cert") or None
    c.proxy = values.get("proxy") or None
    c.trusted_hosts = _split(values.get("trusted-host", ""))
    for key in ("default-timeout", "timeout"):
        try:
            c.timeout = float(values[key])
        except (KeyError, ValueError):
            pass
    return c


def merge_items(items) -> dict[str, str]:
    """pip's ``section.key`` settings merged as pip's option parser does: global < download < env."""
    rank = {"global": 0, "download": 1, ":env:": 2}
    best: dict[str, tuple[int, str]] = {}
    for key, value in items:
        section, dot, name = key.rpartition(".")
        if not dot or section not in rank or name not in _KEYS:
            continue
        if name not in best or rank[section] >= best[name][0]:
            best[name] = (rank[section], str(value))
    return {k: v for k, (_, v) in best.items()}


def parse_config_list(text: str) -> dict[str, str]:
    """``pip config list`` output (``section.key='value'`` lines), merged."""
    items = []
    for line in text.splitlines():
        key, sep, raw = line.partition("=")
        if sep:
            try:
                items.append((key, ast.literal_eval(raw.strip())))
            except (ValueError, SyntaxError):
                items.append((key, raw.strip()))
    return merge_items(items)


def _pip_items() -> list | None:
    """pip's own merged configuration, read in-process by pip's loader (None if it changed shape)."""
    try:
        from pip._internal.configuration import Configuration
        conf = Configuration(isolated=False)
        conf.load()
        return list(conf.items())
    except Exception:       # pip's internals are not an API: any change means "ask pip config list"
        return None


def _config_files() -> list[Path]:
    env = os.environ.get("PIP_CONFIG_FILE")
    if env == os.devnull:
        return []
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    dirs = os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":")
    files = [Path(d) / "pip" / "pip.conf" for d in dirs] + [Path("/etc/pip.conf"),
             Path.home() / ".pip" / "pip.conf", Path(xdg) / "pip" / "pip.conf", Path(sys.prefix) / "pip.conf"]
    return files + ([Path(env)] if env else [])


def _without_pip() -> dict[str, str]:
    """Settings from pip's config files and environment variables, read without pip."""
    import configparser
    values: dict[str, str] = {}
    for path in _config_files():
        cp = configparser.RawConfigParser()
        try:
            cp.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in ("global", "download"):
            if cp.has_section(section):
                values.update({k: v for k, v in cp.items(section) if k in _KEYS})
    uv = {"index-url": os.environ.get("UV_DEFAULT_INDEX") or os.environ.get("UV_INDEX_URL"),
          "extra-index-url": " ".join(filter(None, (os.environ.get("UV_INDEX"), os.environ.get("UV_EXTRA_INDEX_URL")))),
          "find-links": os.environ.get("UV_FIND_LINKS"), "no-index": os.environ.get("UV_NO_INDEX")}
    values.update({k: v for k, v in uv.items() if v})
    for key in _KEYS:
        v = os.environ.get("PIP_" + key.upper().replace("-", "_"))
        if v is not None:
            values[key] = v
    return values


def load() -> IndexConfig:
    """The user's index settings: pip's configuration with pip, else the files and variables."""
    if pip_available():
        items = _pip_items()
        if items is not None:
            return from_settings(merge_items(items), "pip's configuration")
        try:
            r = run_pip(["config", "list"], timeout=60)
            if r.returncode == 0:
                return from_settings(parse_config_list(r.stdout), "pip config list")
        except (OSError, subprocess.SubprocessError):
            pass
    return from_settings(_without_pip(), "PIP_*/UV_* variables and pip's config files")
