"""Downloads: range reads of a wheel on a local index, fallbacks, and a cache that cannot lie."""
from __future__ import annotations

import json
import os
import zipfile

import pytest
import requests

from conftest import run_cli
from enumsync import pipconf, simpleindex, wheelcache
from enumsync.ranged import HttpRanges, LocalRanges, RangesUnsupported, RemoteWheel
from enumsync.sources import MEMBERS
from wheel_server import ENUM_PY, HEADER, RUNNER, IndexServer, build_wheel, env_for

DIST = "flashinfer-python"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    d = tmp_path_factory.mktemp("wheels")
    build_wheel(d, "9.9.9")
    build_wheel(d, "9.9.8", fillers=50)
    return d


@pytest.fixture()
def local_index(wheels, tmp_path, monkeypatch):
    """A ranged index on 127.0.0.1, with this process's pip settings and cache pointed at it."""
    with IndexServer(wheels) as srv:
        for k, v in env_for(srv, tmp_path / "cache").items():
            monkeypatch.setenv(k, v)
        wheelcache._memo.clear()
        yield srv
    wheelcache._memo.clear()


# --- the ranged reader ----------------------------------------------------------------------

def test_ranged_reader_bisects_to_two_members_without_the_whole_directory(wheels):
    whl = wheels / "flashinfer_python-9.9.9-py3-none-any.whl"
    with IndexServer(wheels) as srv:
        src = HttpRanges(f"{srv.url}/files/{whl.name}", requests.Session())
        w = RemoteWheel(src)
        names = w.find(MEMBERS)
        assert names == [RUNNER, "flashinfer/tllm_enums.py"]
        assert w.read(RUNNER).decode() == HEADER and w.read(names[1]).decode() == ENUM_PY
        cd_size = w.cd_end - w.cd_start
        assert w._all is None                           # the central directory was bisected, not read
        assert cd_size > 200_000 and src.transfer.bytes < cd_size / 2, (cd_size, src.transfer.bytes)
        assert srv.bytes_sent() == src.transfer.bytes and all(r for _, r, _ in srv.log)


def test_ranged_reader_on_an_unordered_zip_reads_the_directory_and_still_finds_them(tmp_path):
    whl = build_wheel(tmp_path, "1.0", fillers=1500, ordered=False)
    w = RemoteWheel(LocalRanges(whl))
    assert w.find(MEMBERS + [("flashinfer/absent.py",)]) == [RUNNER, "flashinfer/tllm_enums.py", None]
    assert w._all is not None and len(w._all) == len(zipfile.ZipFile(whl).namelist())
    assert w.read(RUNNER).decode() == HEADER


def test_ranged_reader_names_match_zipfile_and_a_missing_member_is_none(wheels):
    whl = wheels / "flashinfer_python-9.9.8-py3-none-any.whl"
    w = RemoteWheel(LocalRanges(whl))
    assert w.names() == zipfile.ZipFile(whl).namelist()
    assert w.find([("flashinfer/nope.py", "flashinfer/tllm_enums.py")]) == ["flashinfer/tllm_enums.py"]


def test_server_without_ranges_is_detected(wheels):
    with IndexServer(wheels, ranges=False) as srv:
        with pytest.raises(RangesUnsupported):
            RemoteWheel(HttpRanges(f"{srv.url}/files/flashinfer_python-9.9.9-py3-none-any.whl", requests.Session()))


# --- the index ---------------------------------------------------------------------------

@pytest.mark.parametrize("json_api", [True, False])
def test_index_pages_json_and_html_give_the_same_files(wheels, json_api):
    with IndexServer(wheels, json_api=json_api) as srv:
        cfg = pipconf.IndexConfig(index_url=f"{srv.url}/simple")
        files, errors = simpleindex.project_files("flashinfer_python", cfg)
    assert errors == []
    assert sorted(f.filename for f in files) == sorted(p.name for p in wheels.glob("*.whl"))
    assert all(f.sha256 and len(f.sha256) == 64 and f.url.startswith(srv.url + "/files/") for f in files)
    assert simpleindex.versions(files) == ["9.9.8", "9.9.9"]


def test_file_indexes_and_find_links_folders_and_missing_locations(wheels, tmp_path):
    cfg = pipconf.IndexConfig(index_url=(tmp_path / "no-such-index").as_uri(),
                              extra_index_urls=["file:///nonexistent-enumsync/simple"],
                              find_links=[str(wheels), str(tmp_path / "missing")])
    files, errors = simpleindex.project_files(DIST, cfg)
    assert errors == [] and sorted(f.filename for f in files) == sorted(p.name for p in wheels.glob("*.whl"))
    assert simpleindex.local_file(files[0].url) == str(wheels / files[0].filename)


def test_unreachable_index_is_an_error_not_a_crash():
    cfg = pipconf.IndexConfig(index_url="http://127.0.0.1:9/simple", timeout=3)
    files, errors = simpleindex.project_files(DIST, cfg)
    assert files == [] and len(errors) == 1 and "127.0.0.1:9" in errors[0]


def test_pip_settings_are_merged_as_pip_merges_them():
    text = ("global.index-url='https://a.example/simple'\nglobal.extra-index-url='file:///x https://b/s'\n"
            "download.index-url='https://dl.example/simple'\n:env:.find-links='/w'\n"
            ":env:.extra-index-url=''\nglobal.no-index='false'\ninstall.index-url='https://ignored/simple'\n")
    cfg = pipconf.from_settings(pipconf.parse_config_list(text), "test")
    assert cfg.index_url == "https://dl.example/simple"        # download section beats global
    assert cfg.extra_index_urls == [] and cfg.find_links == ["/w"]  # the environment beats both
    assert cfg.indexes() == ["https://dl.example/simple"] and not cfg.no_index


def test_without_pip_config_files_and_variables_are_read(tmp_path, monkeypatch):
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = https://conf.example/simple\ntrusted-host = conf.example\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("ENUMSYNC_NO_PIP", "1")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://extra.example/simple")
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    cfg = pipconf.load()
    assert cfg.index_url == "https://conf.example/simple" and cfg.extra_index_urls == ["https://extra.example/simple"]
    assert simpleindex.verify_for(cfg, "https://conf.example/simple/x/") is False
    monkeypatch.setenv("PIP_INDEX_URL", "https://env.example/simple")
    assert pipconf.load().index_url == "https://env.example/simple"


# --- fetching into the cache ------------------------------------------------------------

def test_fetch_reads_members_by_ranges_and_a_warm_cache_asks_nothing(local_index):
    before = wheelcache.TRANSFER.bytes
    (n1, runner), (n2, enum_py) = wheelcache.fetch_members(DIST, "9.9.9", MEMBERS)
    got = wheelcache.TRANSFER.bytes - before
    whl_size = (local_index.folder / "flashinfer_python-9.9.9-py3-none-any.whl").stat().st_size
    assert runner.read_text() == HEADER and enum_py.read_text() == ENUM_PY and n2 == "flashinfer/tllm_enums.py"
    assert got == local_index.bytes_sent() and got < whl_size / 4, (got, whl_size)
    served = len(local_index.log)
    assert wheelcache.fetch_members(DIST, "9.9.9", MEMBERS)[0][1] == runner
    assert len(local_index.log) == served


@pytest.mark.parametrize("damage", ["edit", "truncate", "index {}", "index []", "index garbage", "delete"])
def test_a_damaged_cache_entry_is_discarded_and_fetched_again(local_index, damage):
    (_, runner), _ = wheelcache.fetch_members(DIST, "9.9.9", MEMBERS)
    index = wheelcache._index_path(DIST, "9.9.9")
    if damage == "edit":
        runner.write_text(HEADER.replace("Renormalize = 1", "Renormalize = 7"))
    elif damage == "truncate":
        runner.write_bytes(runner.read_bytes()[:40])
    elif damage == "delete":
        runner.unlink()
    else:
        index.write_text({"index {}": "{}", "index []": "[]", "index garbage": '{"schema": 2, "files'}[damage])
    served = len(local_index.log)
    assert not wheelcache.is_cached(DIST, "9.9.9", MEMBERS)
    (_, again), _ = wheelcache.fetch_members(DIST, "9.9.9", MEMBERS)
    assert again.read_text() == HEADER and len(local_index.log) > served
    assert json.loads(index.read_text())["schema"] == wheelcache.SCHEMA


def test_a_damaged_cache_offline_is_one_line_exit_2(wheels, tmp_path):
    cache = tmp_path / "cache"
    with IndexServer(wheels) as srv:
        env = env_for(srv, cache)
        ok = run_cli("check", "--flashinfer", "9.9.9", env=env)
    assert ok.returncode == 0, ok.stderr
    runner = next(cache.rglob("runner.h"))
    runner.write_text(HEADER.replace("Renormalize = 1", "Renormalize = 2"))   # would be a wrong verdict
    off = run_cli("check", "--flashinfer", "9.9.9", env=env)          # the server is gone now
    lines = off.stderr.strip().splitlines()
    assert off.returncode == 2 and len(lines) == 1 and "Traceback" not in off.stderr, off.stderr
    assert "9.9.9" in lines[0] and "cannot download" in lines[0]
    assert not runner.exists()                             # discarded, never parsed


def test_check_cold_through_a_server_without_ranges_falls_back_to_pip_download(wheels, tmp_path):
    with IndexServer(wheels, ranges=False) as srv:
        r = run_cli("check", "--flashinfer", "9.9.9", env=env_for(srv, tmp_path / "cache"))
        assert r.returncode == 0, r.stderr
        whole = [p for p, rng, n in srv.log if p.endswith(".whl") and rng is None]
    assert whole, srv.log                                  # pip fetched the whole wheel
    assert "in sync" in r.stdout


def test_without_pip_a_server_without_ranges_is_read_whole(local_index, monkeypatch):
    local_index.ranges = False
    monkeypatch.setenv("ENUMSYNC_NO_PIP", "1")
    (_, runner), _ = wheelcache.fetch_members(DIST, "9.9.9", MEMBERS)
    assert runner.read_text() == HEADER
    assert [p for p, rng, n in local_index.log if p.endswith(".whl") and rng is None]


def test_missing_member_is_remembered_as_absent(local_index):
    with pytest.raises(Exception, match="has no flashinfer/missing.py"):
        wheelcache.fetch_members(DIST, "9.9.9", [("flashinfer/missing.py",)])
    served = len(local_index.log)
    assert wheelcache.is_cached(DIST, "9.9.9", [("flashinfer/missing.py",)])
    with pytest.raises(Exception, match="has no flashinfer/missing.py"):
        wheelcache.fetch_members(DIST, "9.9.9", [("flashinfer/missing.py",)])
    assert len(local_index.log) == served


def test_fetch_tree_keeps_every_file_under_a_prefix(local_index):
    root = wheelcache.fetch_tree(DIST, "9.9.8", "flashinfer/data/include/cutlass")
    whl = zipfile.ZipFile(local_index.folder / "flashinfer_python-9.9.8-py3-none-any.whl")
    want = {n for n in whl.namelist() if n.startswith("flashinfer/data/include/cutlass/")}
    got = {p.relative_to(root.parent.parent.parent.parent).as_posix() for p in root.rglob("*") if p.is_file()}
    assert got == want and len(want) == 50


def test_fetch_files_picks_from_the_cached_member_list_and_rechecks_it(local_index):
    def pick(names):
        return [n for n in names if n.startswith("flashinfer/zz_module_001")]
    files = wheelcache.fetch_files(DIST, "9.9.9", pick)
    assert sorted(files) == [f"flashinfer/zz_module_{i:05d}.py" for i in range(100, 200, 5)]
    assert files["flashinfer/zz_module_00105.py"].read_text() == "X = 105\n"
    ranged_reads = [r for p, r, _ in local_index.log if p.endswith(".whl")]
    assert len(ranged_reads) <= 4, ranged_reads            # tail, directory, one run of members
    served = len(local_index.log)
    assert wheelcache.fetch_files(DIST, "9.9.9", pick) == files and len(local_index.log) == served
    listing = wheelcache._listing_path(DIST, "9.9.9")
    listing.write_text('["flashinfer/zz_module_00105.py"]')                 # edited: discarded
    assert wheelcache.fetch_files(DIST, "9.9.9", pick) == files and len(local_index.log) > served
    served = len(local_index.log)
    files["flashinfer/zz_module_00110.py"].write_text("X = 999\n")           # an edited member: fetched again
    again = wheelcache.fetch_files(DIST, "9.9.9", pick)
    assert again["flashinfer/zz_module_00110.py"].read_text() == "X = 110\n" and len(local_index.log) > served


def test_a_cache_folder_that_cannot_be_written_is_one_line(wheels, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with IndexServer(wheels) as srv:
        r = run_cli("check", "--flashinfer", "9.9.9", env=env_for(srv, blocker / "cache"))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "enumsync cache" in lines[0] and "ENUMSYNC_CACHE_DIR" in lines[0]


def test_unsafe_member_names_are_refused(tmp_path):
    from enumsync.cache import safe_member_path
    for bad in ("../x", "/etc/passwd", "a/../../b", "a//b", "C:/x", "a\\b"):
        with pytest.raises(ValueError):
            safe_member_path(tmp_path, bad)
    assert safe_member_path(tmp_path, "a/b.h") == tmp_path / "a" / "b.h"


def test_cache_dir_follows_the_platform_unless_the_variable_is_set(monkeypatch, tmp_path):
    from platformdirs import user_cache_dir
    from enumsync.cache import cache_dir
    monkeypatch.delenv("ENUMSYNC_CACHE_DIR", raising=False)
    assert str(cache_dir()) == user_cache_dir("enumsync", appauthor=False)
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path


def test_eight_parallel_cold_runs_agree(wheels, tmp_path):
    import subprocess
    import sys
    with IndexServer(wheels) as srv:
        env = {**os.environ, **env_for(srv, tmp_path / "cache"), "COLUMNS": "200"}
        procs = [subprocess.Popen([sys.executable, "-m", "enumsync", "check", "--flashinfer", "9.9.9",
                                   "--format", "json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(8)]
        outs = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
        whole_zip_reads = [r for p, r, _ in srv.log if p.endswith(".whl") and r == "bytes=-65536"]
    assert [rc for _, _, rc in outs] == [0] * 8, [e for _, e, _ in outs]
    assert len({o for o, _, _ in outs}) == 1 and '"RoutingMethodType"' in outs[0][0]
    assert len(whole_zip_reads) == 1            # one run fetched; the seven others waited and read the cache


# --- without pip --------------------------------------------------------------------------

def _hide_pip(tmp_path) -> dict:
    """Environment for a subprocess in which `import pip` and `python -m pip` fail, and no uv."""
    d = tmp_path / "nopip"
    d.mkdir()
    (d / "sitecustomize.py").write_text(
        "import sys\n"
        "class _NoPip:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pip' or name.startswith('pip.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _NoPip())\n")
    pp = os.pathsep.join(filter(None, [str(d), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": pp, "PATH": "/usr/bin:/bin"}


def test_without_pip_check_and_history_read_the_index_directly(wheels, tmp_path):
    hidden = _hide_pip(tmp_path)
    with IndexServer(wheels) as srv:
        env = {**env_for(srv, tmp_path / "cache"), **hidden}
        probe = run_cli("--help", env=env)
        assert probe.returncode == 0, probe.stderr
        import subprocess
        import sys
        nopip = subprocess.run([sys.executable, "-c", "import pip"], env={**os.environ, **env},
                               capture_output=True, text=True)
        assert nopip.returncode != 0 and "No module named 'pip'" in nopip.stderr
        r = run_cli("check", "--flashinfer", "9.9.9", env=env)
        assert r.returncode == 0 and "in sync" in r.stdout, r.stderr
        h = run_cli("history", "--flashinfer", ">=9", "--format", "json", env=env)
        assert h.returncode == 0, h.stderr
        doc = json.loads(h.stdout)
        assert [v["version"] for v in doc["versions"]] == ["9.9.8", "9.9.9"]
        assert "read directly" in doc["source"]


def test_without_pip_an_unreachable_index_is_one_line(tmp_path):
    env = {**_hide_pip(tmp_path), "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": "",
           "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": "/dev/null", "ENUMSYNC_CACHE_DIR": str(tmp_path / "c"),
           "PIP_DEFAULT_TIMEOUT": "3"}
    r = run_cli("check", "--flashinfer", "9.9.9", env=env)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "9.9.9" in lines[0] and "127.0.0.1:9" in lines[0] and "ConnectionError" in lines[0]


def test_without_pip_an_index_enumsync_cannot_read_says_pip_is_missing(wheels, tmp_path):
    with IndexServer(wheels) as srv:
        srv.status = 401                                   # e.g. an index behind keyring credentials
        env = {**env_for(srv, tmp_path / "cache"), **_hide_pip(tmp_path)}
        r = run_cli("check", "--flashinfer", "9.9.9", env=env)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "pip is not installed" in lines[0] and "401" in lines[0]


def _uv_dir() -> str | None:
    import shutil
    try:
        import uv
        return os.path.dirname(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        return os.path.dirname(os.path.realpath(found)) if found else None


def test_without_pip_uv_downloads_what_the_index_would_not_give_enumsync(wheels, tmp_path):
    uv_dir = _uv_dir()
    if uv_dir is None:
        pytest.skip("uv is not installed (pip install uv)")
    with IndexServer(wheels) as srv:
        env = {**env_for(srv, tmp_path / "cache"), **_hide_pip(tmp_path),
               "PIP_INDEX_URL": f"{srv.url}/denied/",            # enumsync's direct read is refused
               "UV_INDEX_URL": f"{srv.url}/simple/", "UV_CACHE_DIR": str(tmp_path / "uvcache"),
               "UV_NO_CONFIG": "1", "PATH": f"{uv_dir}:/usr/bin:/bin"}
        r = run_cli("check", "--flashinfer", "9.9.9", env=env)
        assert r.returncode == 0 and "in sync" in r.stdout, r.stderr
        assert any(p.startswith("/denied/") for p, _, _ in srv.log)
        assert any(p.endswith(".whl") and rng is None for p, rng, _ in srv.log)   # uv took the whole wheel


def test_pip_index_versions_json_is_used_when_pip_has_it(monkeypatch):
    """pip >= 25 answers ``--json``; this pip may be older, so its answer is fed in here."""
    import subprocess
    from enumsync import sources
    calls = []

    def fake(args, timeout=0):
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, json.dumps({"name": DIST, "versions": ["0.7.2", "0.6.1"]}), "")
    monkeypatch.setattr(pipconf, "run_pip", fake)
    monkeypatch.setattr(pipconf, "pip_major", lambda: 25)
    assert sources._pip_index_versions() == (["0.7.2", "0.6.1"], "pip index versions --json")
    assert calls == [["index", "versions", DIST, "--json"]]


def test_pip_index_versions_without_json_support_falls_back_to_text(wheels, tmp_path, monkeypatch):
    from enumsync import sources
    with IndexServer(wheels) as srv:
        for k, v in env_for(srv, tmp_path / "cache").items():
            monkeypatch.setenv(k, v)
        vs, how = sources._pip_index_versions()
    assert vs is not None and sorted(vs) == ["9.9.8", "9.9.9"] and how.startswith("pip index versions")


# --- the real index ----------------------------------------------------------------------

@pytest.mark.network
def test_eight_parallel_cold_runs_of_a_real_version_agree(tmp_path):
    import subprocess
    import sys
    env = {**os.environ, "ENUMSYNC_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
    procs = [subprocess.Popen([sys.executable, "-m", "enumsync", "check", "--flashinfer", "0.7.2", "--format",
                               "json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    outs = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
    assert [rc for _, _, rc in outs] == [0] * 8, [e for _, e, _ in outs]
    assert len({o for o, _, _ in outs}) == 1
    assert json.loads(outs[0][0])["summary"]["errors"] == 0


@pytest.mark.network
def test_a_real_version_costs_well_under_a_megabyte(tmp_path, monkeypatch):
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path))
    wheelcache._memo.clear()
    before = wheelcache.TRANSFER.bytes
    (_, runner), (_, enum_py) = wheelcache.fetch_members(DIST, "0.7.2", MEMBERS)
    assert wheelcache.TRANSFER.bytes - before < 1_000_000
    assert "enum class RoutingMethodType" in runner.read_text() and enum_py.name == "tllm_enums.py"
