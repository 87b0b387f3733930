"""The routing build without compiling: header discovery, flags, cache keys, errors (CPU only)."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from enumsync.kernels import Unsupported
from enumsync.kernels import build as B
from enumsync.kernels import headers as H
from enumsync.kernels.arch import normalize_arch
from enumsync.kernels.flashinfer_tree import FlashinferTree, check_supported
from enumsync.kernels.toolchain import find_nvcc
from enumsync.model import EnumsyncError


def _headers(root: Path, with_situglu: bool = True) -> Path:
    """A small stand-in trtllmGen_bmm_export tree (written here, not upstream's)."""
    d = root / "trtllmGen_bmm_export"
    (d / "trtllm" / "gen").mkdir(parents=True)
    (d / "trtllm" / "gen" / "DtypeDecl.h").write_text("#pragma once\n")
    acts = "SwiGlu,\n  GeGlu,\n" + ("  SiTuGlu,\n" if with_situglu else "") + "  None\n"
    (d / "GemmGatedActOptions.h").write_text(f"namespace gemmGatedAct {{\nenum class ActType {{\n  {acts}}};\n}}\n")
    return d


def _fake_nvcc(tmp: Path) -> str:
    p = tmp / "cuda" / "bin" / "nvcc"
    p.parent.mkdir(parents=True)
    p.write_text("#!/bin/sh\necho 'Cuda compilation tools, release 13.0, V13.0.88'\n")
    p.chmod(p.stat().st_mode | stat.S_IEXEC)
    (tmp / "cuda" / "include").mkdir()
    return str(p)


@pytest.mark.parametrize("given,want", [("sm_90a", "sm_90a"), ("90a", "sm_90a"), ("9.0", "sm_90a"),
                                        ("10.0", "sm_100a"), ("8.0", "sm_80"), ("sm90a", "sm_90a")])
def test_normalize_arch(given, want):
    assert normalize_arch(given) == want


def test_bad_arch_is_a_clear_error():
    with pytest.raises(EnumsyncError, match="not an arch"):
        normalize_arch("hopper")


def test_header_search_order(tmp_path, monkeypatch):
    explicit = tmp_path / "given"
    _headers(explicit)
    env_dir = tmp_path / "cubins"
    _headers(env_dir / "abc" / "batched_gemm-1-2" / "include")
    home = tmp_path / "home"
    _headers(home / ".cache" / "flashinfer" / "cubins" / "def" / "batched_gemm-3-4" / "include")
    env = {"FLASHINFER_CUBIN_DIR": str(env_dir), "FLASHINFER_WORKSPACE_BASE": str(home)}
    monkeypatch.setattr(H, "_cubin_package_dir", lambda: None)

    h = H.find_export_headers(explicit, env=env)
    assert h.origin == "--export-headers" and h.path == (explicit / "trtllmGen_bmm_export").resolve()
    h = H.find_export_headers(None, env=env)
    assert h.origin == "FLASHINFER_CUBIN_DIR" and h.artifact == "batched_gemm-1-2"
    h = H.find_export_headers(None, env={"FLASHINFER_WORKSPACE_BASE": str(home)})
    assert h.origin == "flashinfer cache" and h.artifact == "batched_gemm-3-4"


def test_artifact_named_in_a_source_note(tmp_path, monkeypatch):
    _headers(tmp_path / "carry")
    (tmp_path / "carry" / "SOURCE.txt").write_text("from flashinfer-cubin 0.6.13: x/batched_gemm-91e0ba0-896b90b/include\n")
    h = H.find_export_headers(tmp_path / "carry", env={})
    assert h.artifact == "batched_gemm-91e0ba0-896b90b"


def test_headers_from_the_cubin_package_layout(tmp_path, monkeypatch):
    pkg = tmp_path / "flashinfer_cubin" / "cubins"
    _headers(pkg / "d2c5" / "batched_gemm-91e0ba0-896b90b" / "include")
    monkeypatch.setattr(H, "_cubin_package_dir", lambda: pkg)
    h = H.find_export_headers(None, env={"FLASHINFER_WORKSPACE_BASE": str(tmp_path / "nohome")})
    assert h.origin == "flashinfer-cubin package" and h.artifact == "batched_gemm-91e0ba0-896b90b"


def test_missing_headers_say_where_they_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(H, "_cubin_package_dir", lambda: None)
    with pytest.raises(Unsupported) as e:
        H.find_export_headers(None, env={"FLASHINFER_WORKSPACE_BASE": str(tmp_path)})
    msg = str(e.value)
    assert "FLASHINFER_CUBIN_DIR (not set)" in msg and "flashinfer cache" in msg and "--export-headers" in msg
    with pytest.raises(EnumsyncError, match="no such directory"):
        H.find_export_headers(tmp_path / "nope", env={})


def test_pinned_artifact_is_preferred(tmp_path, monkeypatch, installed_flashinfer):
    tree = FlashinferTree(installed_flashinfer.root, installed_flashinfer.version)
    pinned = H.expected_artifact(tree)
    assert pinned.startswith("batched_gemm-")
    root = tmp_path / "cubins"
    _headers(root / "x" / "batched_gemm-0-0" / "include")
    _headers(root / "y" / pinned / "include")
    monkeypatch.setattr(H, "_cubin_package_dir", lambda: None)
    h = H.find_export_headers(None, tree, env={"FLASHINFER_CUBIN_DIR": str(root)})
    assert h.artifact == pinned and "flashinfer pins" not in h.describe()


def test_workarounds_follow_the_headers(tmp_path):
    old = H.ExportHeaders(_headers(tmp_path / "old", with_situglu=False), "x", "", "")
    new = H.ExportHeaders(_headers(tmp_path / "new", with_situglu=True), "x", "", "")
    cuda_inc = tmp_path / "inc"
    cuda_inc.mkdir()
    assert [w for w, _ in H.header_workarounds(old, cuda_inc)] == ["-DTLLM_RUBIN_FEATURES", "stub-cublas"]
    for h in H.CUBLAS_HEADERS:
        (cuda_inc / h).write_text("")
    assert H.header_workarounds(new, cuda_inc) == []


def test_plan_uses_the_installed_sources_and_flashinfer_flags(tmp_path, installed_flashinfer, monkeypatch):
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CUDA_HOME", raising=False)
    monkeypatch.delenv("CUDA_PATH", raising=False)
    hdr = tmp_path / "h"
    _headers(hdr, with_situglu=False)
    nvcc = _fake_nvcc(tmp_path)
    tvm = [tmp_path / "tvm_inc"]
    plan = B.plan_build("sm_90a", hdr, nvcc=nvcc, tvm_ffi_includes=tvm)
    assert plan.flashinfer.version == installed_flashinfer.version
    assert [s.name for s in plan.sources][0] == "trtllm_fused_moe_routing_binding.cu"
    assert all(s.is_file() for s in plan.sources) and len(plan.sources) == 9
    cmd = plan.compile_command(plan.sources[0])
    for flag in ("-gencode=arch=compute_90a,code=sm_90a", "-DTLLM_GEN_EXPORT_INTERFACE", "-DTLLM_ENABLE_CUDA",
                 "-DENABLE_BF16", "-DENABLE_FP8", "-DENABLE_FP4", "--expt-relaxed-constexpr",
                 "-static-global-template-stub=false", "-DTLLM_RUBIN_FEATURES", "-use_fast_math"):
        assert flag in cmd, flag
    # cuBLAS stand-ins come first; the export headers sit where the sources include them from
    assert cmd[cmd.index("-c") - len(plan.includes)] == f"-I{plan.out_dir / 'stub-include'}"
    assert f"-I{plan.out_dir / 'export-include'}" in cmd
    assert plan.out_dir.parent == tmp_path / "cache" / "builds"
    assert plan.key.startswith(f"{installed_flashinfer.version}-sm_90a-")
    link = plan.link_command()
    assert "-shared" in link and "-lcudart_static" in link and link[-1] == str(plan.so_path)
    ninja = B.ninja_file(plan)
    assert ninja.count("cuda_compile /") == 9 and f"default {plan.so_path}" in ninja

    # the key follows arch and headers, and nothing else changes it
    assert B.plan_build("sm_90a", hdr, nvcc=nvcc, tvm_ffi_includes=tvm).key == plan.key
    assert B.plan_build("sm_100a", hdr, nvcc=nvcc, tvm_ffi_includes=tvm).key != plan.key
    (hdr / "trtllmGen_bmm_export" / "trtllm" / "gen" / "DtypeDecl.h").write_text("#pragma once\n// v2\n")
    assert B.plan_build("sm_90a", hdr, nvcc=nvcc, tvm_ffi_includes=tvm).key != plan.key


def test_prepare_lays_out_headers_and_stubs(tmp_path, installed_flashinfer, monkeypatch):
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path / "cache"))
    hdr = tmp_path / "h"
    _headers(hdr)
    plan = B.plan_build("sm_90a", hdr, nvcc=_fake_nvcc(tmp_path), tvm_ffi_includes=[tmp_path])
    B.prepare(plan)
    assert (plan.out_dir / "export-include" / H.EXPORT_INCLUDE / H.EXPORT_PROBE).is_file()
    assert (plan.out_dir / "stub-include" / "cublasLt.h").is_file()
    assert B.cached_build(plan) is None and B.load_manifest(plan.out_dir) is None


def test_old_flashinfer_is_unsupported(tmp_path):
    with pytest.raises(Unsupported, match="0.6.12 has no standalone routing binding"):
        check_supported(FlashinferTree(tmp_path, "0.6.12"))
    with pytest.raises(Unsupported, match="lacks trtllm_fused_moe_routing_binding.cu"):
        check_supported(FlashinferTree(tmp_path, "0.7.9"))


def test_first_error_picks_the_compiler_error():
    log = "\n".join([
        "[1/10] nvcc a.cu",
        "FAILED: /tmp/obj/a.cuda.o",
        "/usr/local/bin/nvcc -c a.cu -o a.o " + "-Iinclude " * 50,
        "In file included from x.h:3:",
        "/src/KernelRunner.h(64): error: static assertion failed",
        "  static_assert(static_cast<int>(ActType::SiTuGlu) ==",
        "/src/other.h(9): error: something else",
        "2 errors detected in the compilation of \"a.cu\".",
        "ninja: build stopped: subcommand failed.",
    ])
    assert B.first_error(log) == ("/src/KernelRunner.h(64): error: static assertion failed  "
                                  "static_assert(static_cast<int>(ActType::SiTuGlu) ==")
    assert B.first_error("ld: undefined reference to `foo'\n") == "ld: undefined reference to `foo'"
    link = "[10/10] link x.so\n/usr/bin/ld: cannot find -lcudart_static: No such file or directory\n" \
           "collect2: error: ld returned 1 exit status\n"
    assert B.first_error(link) == "/usr/bin/ld: cannot find -lcudart_static: No such file or directory"


def test_toolkit_root_sees_through_an_nvcc_wrapper(tmp_path, monkeypatch):
    top = tmp_path / "cuda-13.0"
    (top / "bin").mkdir(parents=True)
    wrapper = tmp_path / "bin" / "nvcc"
    wrapper.parent.mkdir()
    wrapper.write_text(f"#!/bin/sh\necho '#$ TOP={top}/bin/..'\n")
    wrapper.chmod(0o755)
    monkeypatch.delenv("CUDA_HOME", raising=False)
    monkeypatch.delenv("CUDA_PATH", raising=False)
    assert find_nvcc(str(wrapper)) == (str(wrapper), top.resolve())


def test_failed_build_reports_the_first_error(tmp_path, installed_flashinfer, monkeypatch):
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path / "cache"))
    hdr = tmp_path / "h"
    _headers(hdr)
    nvcc = tmp_path / "bad" / "nvcc"
    nvcc.parent.mkdir()
    nvcc.write_text("#!/bin/sh\ncase \"$*\" in *--version*) echo 'release 13.0, V13.0.88';; "
                    "*) echo 'x.cu(12): error: identifier \"foo\" is undefined' >&2; exit 1;; esac\n")
    nvcc.chmod(0o755)
    plan = B.plan_build("sm_90a", hdr, nvcc=str(nvcc), tvm_ffi_includes=[tmp_path])
    for ninja in (None, False):
        with pytest.raises(EnumsyncError) as e:
            B.run_build(plan, jobs=2, use_ninja=ninja)
        msg = str(e.value)
        assert 'x.cu(12): error: identifier "foo" is undefined' in msg and "build.log" in msg
        assert msg.count("error:") == 1


def test_cached_builds_are_found_by_manifest(tmp_path):
    for key, arch in (("k1", "sm_90a"), ("k2", "sm_100a")):
        d = tmp_path / key
        d.mkdir()
        (d / B.SO_NAME).write_bytes(b"\x7fELF")
        (d / B.MANIFEST).write_text(f'{{"schema": {B.MANIFEST_SCHEMA}, "arch": "{arch}", "flashinfer_version": "0.7.2", '
                                    f'"built_at": "{key}"}}')
    (tmp_path / "half").mkdir()                      # no manifest: an unfinished build
    got = B.find_cached_builds("sm_90a", root=tmp_path)
    assert [Path(m["dir"]).name for m in got] == ["k1"]
    assert B.find_cached_builds("sm_90a", "0.7.4", root=tmp_path) == []


def test_build_module_cli_dry_run(tmp_path, installed_flashinfer, monkeypatch):
    import subprocess
    import sys
    if not any(Path(p).joinpath("tvm_ffi").is_dir() for p in sys.path if p):
        pytest.skip("apache-tvm-ffi is not installed (its headers are part of the build)")
    hdr = tmp_path / "h"
    _headers(hdr)
    env = {"ENUMSYNC_CACHE_DIR": str(tmp_path / "cache"), "PATH": f"{Path(_fake_nvcc(tmp_path)).parent}:/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "enumsync.kernels.build", "--arch", "sm_90a", "--export-headers",
                        str(hdr), "--dry-run"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "export headers:" in r.stderr and "(from --export-headers)" in r.stderr
    assert r.stdout.count("-gencode=arch=compute_90a,code=sm_90a") == 9


def test_tree_version_comes_from_the_dist_info_metadata(tmp_path):
    """A tree given by path, with no __version__: the version is the dist-info's, not its folder name."""
    from enumsync.kernels.flashinfer_tree import _version_of_tree
    (tmp_path / "flashinfer").mkdir()
    di = tmp_path / "flashinfer_python-0.7.2.post1.dist-info"
    di.mkdir()
    (di / "METADATA").write_text("Metadata-Version: 2.1\nName: flashinfer-python\nVersion: 0.7.2.post1\n\nbody\n")
    assert _version_of_tree(tmp_path / "flashinfer") == "0.7.2.post1"
    (tmp_path / "elsewhere" / "flashinfer").mkdir(parents=True)
    assert _version_of_tree(tmp_path / "elsewhere" / "flashinfer") == "unknown"


def test_build_records_the_cpp_enum_as_check_reads_it(installed_flashinfer):
    """The manifest's C++ enum is the EnumSpec JSON of a libclang parse (no regex fallback)."""
    from enumsync.kernels.flashinfer_tree import find_flashinfer
    from enumsync.model import EnumSpec
    from enumsync.parsers.cpp import parse_cpp_enum
    rec = B._cpp_enum_record(find_flashinfer(None))
    got = EnumSpec.from_json(rec)
    want = parse_cpp_enum(installed_flashinfer.runner_h, "RoutingMethodType")
    assert got.qualname == "tensorrt_llm::kernels::trtllmgen_moe::Routing::RoutingMethodType" == want.qualname
    assert got.underlying == want.underlying == "int64_t"
    assert [(m.name, m.value, m.line, m.comment) for m in got.members] == \
        [(m.name, m.value, m.line, m.comment) for m in want.members]
    assert {m.name: m.value for m in got.members}["TopKSigmoid"] == 9
    assert got.by_name()["Renormalize"].meaning == want.by_name()["Renormalize"].meaning


def test_an_unparsable_enum_stops_the_build_before_nvcc(tmp_path, installed_flashinfer, monkeypatch):
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path / "cache"))
    hdr = tmp_path / "h"
    _headers(hdr)
    plan = B.plan_build("sm_90a", hdr, nvcc=_fake_nvcc(tmp_path), tvm_ffi_includes=[tmp_path])

    def broken(*a, **k):
        raise EnumsyncError("runner.h: libclang could not parse this file (stand-in)")
    monkeypatch.setattr("enumsync.parsers.cpp.parse_cpp_enum", broken)
    with pytest.raises(EnumsyncError, match="libclang could not parse"):
        B.run_build(plan, jobs=1, use_ninja=False)
    assert not (plan.out_dir / "obj").exists()
