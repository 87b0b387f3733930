"""verify's orchestration on a CPU: verdicts, subprocess workers, and the CLI with a TEST DOUBLE.

The test double (tests/verify_double.py, injected with the hidden ``--launcher MODULE:ATTR``
plug-in point) stands in for the kernel: it proves the orchestration (one subprocess per
member, ES301/ES302/ES303/ES304, naming what ran), never a GPU.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from conftest import run_cli as _run_cli
from enumsync.kernels import verify as V
from enumsync.model import Member

CPP_072 = {"Default": 0, "Renormalize": 1, "DeepSeekV3": 2, "Llama4": 3, "RenormalizeNaive": 4, "TopK": 5,
           "SigmoidRenorm": 6, "MiniMax2": 7, "Sigmoid": 8, "TopKSigmoid": 9, "Unspecified": 10}


TESTS = Path(__file__).parent
DOUBLE = "verify_double:DOUBLE"


def run_cli(*args, env=None):
    """``python -m enumsync`` with tests/ importable, so ``--launcher verify_double:DOUBLE`` loads."""
    e = dict(env or {})
    e["PYTHONPATH"] = os.pathsep.join(x for x in (str(TESTS), os.environ.get("PYTHONPATH", "")) if x)
    return _run_cli(*args, env=e)


def _ok(**refs):
    return {"status": "ok", "refs": {n: {"ok": v} for n, v in refs.items()}}


def _run(records, done=True, rc=0, stderr=""):
    ev = [{"event": "ready", "device": "test"}]
    ev += [{"event": "case", "i": i, **r} for i, r in enumerate(records)]
    if done:
        ev.append({"event": "done"})
    return V.WorkerRun(ev, rc, stderr, 0.1)


def _plan(name, value, n_cases=2):
    p = V.plan_member(Member(name, value, 1))
    p.cases = p.cases[:n_cases]
    return p


def test_cases_cover_the_shapes_the_issue_asks_for():
    all_cases = [c for n in V.REFERENCE_NAMES for c in V.cases_for(n)]
    assert {c.T for c in all_cases} == {1, 13, 300, 2000}
    assert {c.dtype for c in all_cases} == {"fp32", "bf16"}
    assert len({c.E for c in all_cases}) >= 4 and len({c.K for c in all_cases}) >= 4
    assert any(c.n_group > 1 for c in all_cases) and any(c.rsf != 1.0 for c in all_cases)
    assert any(c.bias for c in all_cases) and any(not c.bias for c in all_cases)
    assert all(c.bias for n in ("MiniMax2", "DeepSeekV3") for c in V.cases_for(n))   # no bias = crash
    assert all(c.K == 1 for c in V.cases_for("Llama4"))
    assert all(c.rsf == 2.5 for c in V.cases_for("MiniMax2", rsf=2.5))


def test_pass_when_own_reference_matches():
    r = V.judge(_plan("Renormalize", 1), _run([_ok(Renormalize=True, RenormalizeNaive=True, Default=False)] * 2),
                CPP_072)
    assert r.verdict == "pass" and r.finding is None and r.ran == ["Renormalize", "RenormalizeNaive"]


def test_other_method_is_es302_naming_it():
    r = V.judge(_plan("SigmoidRenorm", 8), _run([_ok(SigmoidRenorm=False, Sigmoid=True, TopKSigmoid=True)] * 2),
                CPP_072)
    assert r.verdict == "ES302" and r.finding.rule == "ES302"
    assert r.ran[0] == "Sigmoid" and "the kernel ran Sigmoid (C++ Sigmoid = this value)" in r.finding.message
    assert r.finding.extra["kernel_runs"] == ["Sigmoid", "TopKSigmoid"] and r.finding.hint == "renumber SigmoidRenorm to 6"


def test_refusal_is_es301_with_the_kernels_message():
    msg = "invalid routing_method_type 11"
    r = V.judge(_plan("Sigmoid", 11), _run([{"status": "refused", "message": msg}] * 2), CPP_072)
    assert r.verdict == "ES301" and msg in r.finding.message


def test_crash_is_es301_and_says_so():
    rec = [{"status": "crashed", "message": "CUDA error: an illegal memory access was encountered"}]
    r = V.judge(_plan("Sigmoid", 7), _run(rec, done=False, rc=3), CPP_072)
    assert r.verdict == "ES301" and "crashed" in r.finding.message and "illegal memory access" in r.finding.message
    # a worker that dies without a word is a crash too, named by the case it was on
    r = V.judge(_plan("Sigmoid", 7), _run([], done=False, rc=-6, stderr="Aborted"), CPP_072)
    assert r.verdict == "ES301" and "the worker died (Aborted)" in r.finding.message


def test_sentinel_refused_passes_and_accepted_is_es302():
    refused = [{"status": "refused", "message": "invalid routing_method_type 10"}] * 2
    assert V.judge(_plan("Unspecified", 10), _run(refused), CPP_072).verdict == "pass"
    r = V.judge(_plan("Unspecified", 9), _run([_ok(TopKSigmoid=True, Sigmoid=True, TopK=False)] * 2), CPP_072)
    assert r.verdict == "ES302" and r.ran[0] == "TopKSigmoid"
    assert "sentinel" in r.finding.message and r.finding.hint.startswith("renumber Unspecified to 10")


def test_partial_refusal_of_own_cases_is_es301():
    recs = [_ok(TopK=True), {"status": "refused", "message": "no compiled tier covers numExperts=512"}]
    r = V.judge(_plan("TopK", 5), _run(recs), CPP_072)
    assert r.verdict == "ES301" and "refused 1 of 2 cases" in r.message


def test_no_known_method_names_the_closest():
    recs = [_ok(TopK=True, Default=False), _ok(TopK=False, Default=False)]
    r = V.judge(_plan("Default", 0), _run(recs), CPP_072)
    assert r.verdict == "ES302" and "no known method (closest: TopK (1/2 cases))" in r.message


def test_a_match_must_hold_on_every_case():
    recs = [_ok(DeepSeekV3=True), _ok(DeepSeekV3=True, MiniMax2=True)]    # MiniMax2 undefined on a grouped case
    assert V.judge(_plan("DeepSeekV3", 2), _run(recs), CPP_072).ran == ["DeepSeekV3"]


def test_comment_that_the_kernel_contradicts_is_noted():
    from enumsync.meaning import parse_meaning
    m = Member("MiniMax2", 7, 1, meaning=parse_meaning(
        "MiniMax2: Sigmoid + Bias -> TopK -> ScaledSumNormalize (routeScale=1.0, epsilon=1e-20)"))
    p = V.plan_member(m, rsf=2.5)
    assert p.expected == "MiniMax2" and p.comment_ref == "MiniMax2[routeScale=1.0]"
    p.cases = p.cases[:1]
    r = V.judge(p, _run([_ok(MiniMax2=True, **{"MiniMax2[routeScale=1.0]": False})]), CPP_072)
    assert r.verdict == "pass" and r.comment_note.endswith("the kernel does not do that")


def test_unknown_names_use_their_meaning():
    from enumsync.meaning import parse_meaning
    p = V.plan_member(Member("Qwen3Style", 4, 1, meaning=parse_meaning("Softmax -> TopK -> Renormalize")))
    assert p.expected == "RenormalizeNaive" and p.by == "meaning"
    p = V.plan_member(Member("Mystery", 4, 1, meaning=parse_meaning("whatever it is")))
    assert p.expected is None and p.by == "none"


def test_worker_subprocess_with_the_test_double(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(x for x in (str(TESTS), os.environ.get("PYTHONPATH", "")) if x))
    plan = _plan("TopK", 5, n_cases=2)
    cpp = {"members": [{"name": n, "value": v} for n, v in CPP_072.items()]}
    spec = {"launcher": DOUBLE, "cpp_enum": cpp, "value": 5, "cases": [V.asdict(c) for c in plan.cases]}
    run = V.run_worker(spec)
    assert run.rc == 0 and [e["event"] for e in run.events] == ["ready", "case", "case", "done"]
    res = V.judge(plan, run, CPP_072)
    assert res.verdict == "pass" and res.ran == ["TopK"]


# --- the CLI, through the test double ------------------------------------------------------------

def _json(r):
    assert r.stderr == "" or "Traceback" not in r.stderr, r.stderr
    return json.loads(r.stdout)


def test_cli_pair_in_sync_passes(installed_flashinfer):
    r = run_cli("verify", "--launcher", DOUBLE, "--format", "json",
                "--methods", "Default,SigmoidRenorm,MiniMax2,Unspecified")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = _json(r)
    assert set(doc) >= {"schema", "results", "summary", "verify"}
    rows = {m["member"]: m for m in doc["verify"]["methods"]}
    assert {n: m["verdict"] for n, m in rows.items()} == dict.fromkeys(rows, "pass")
    assert rows["Unspecified"]["kernel_ran"] == [] and rows["MiniMax2"]["cases_total"] == 5
    assert doc["summary"]["errors"] == 0


def test_cli_unspecified_9_runs_topksigmoid(installed_flashinfer):
    r = run_cli("verify", "--launcher", DOUBLE, "--python", str(FIXTURES / "gpu" / "sglang_0_5_23_routing.py"),
                "--methods", "Unspecified,Sigmoid")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "ES302" in r.stdout and "accepted it and ran TopKSigmoid" in r.stdout


def test_cli_shifted_copy_names_sigmoid(installed_flashinfer, tmp_path):
    out = tmp_path / "c.json"
    r = run_cli("verify", "--launcher", DOUBLE, "--python", str(FIXTURES / "gpu" / "shifted_sigmoid_renorm.py"),
                "--methods", "SigmoidRenorm,TopK", "--json-out", str(out))
    assert r.returncode == 1
    f = json.loads(out.read_text())["results"][0]["findings"]
    assert [(x["rule"], x["member"], x["python_value"], x["cpp_value"]) for x in f] == [("ES302", "SigmoidRenorm", 8, 6)]
    assert f[0]["extra"]["kernel_runs"][0] == "Sigmoid" and f[0]["path"].endswith("shifted_sigmoid_renorm.py")


def test_cli_crash_is_contained_in_its_worker(installed_flashinfer):
    r = run_cli("verify", "--launcher", DOUBLE, "--methods", "Sigmoid,TopK", "--format", "json",
                env={"VERIFY_DOUBLE_CRASH": "8"})
    assert r.returncode == 1
    rows = {m["member"]: m for m in _json(r)["verify"]["methods"]}
    assert rows["Sigmoid"]["verdict"] == "ES301" and "died" in rows["Sigmoid"]["crashed"]
    assert rows["TopK"]["verdict"] == "pass"


def test_cli_without_gpu_is_es303(tmp_path):
    if shutil.which("nvidia-smi"):
        pytest.skip("this machine has nvidia-smi; the no-GPU path is tested where there is none")
    r = run_cli("verify")
    assert r.returncode == 0 and "ES303" in r.stdout and "no CUDA GPU" in r.stdout
    r = run_cli("verify", "--require-gpu", "--format", "json")
    assert r.returncode == 1
    f = _json(r)["results"][0]["findings"][0]
    assert f["rule"] == "ES303" and f["severity"] == "error"


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, installed_flashinfer):
    r = run_cli("verify", "--python", str(tmp_path / "missing.py"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file" in r.stderr
    r = run_cli("verify", "--launcher", DOUBLE, "--methods", "Nope")
    assert r.returncode == 2 and "has no member 'Nope'" in r.stderr and "Traceback" not in r.stderr


def test_cli_default_set_comes_from_routing_tables(installed_flashinfer, tmp_path):
    model = tmp_path / "models" / "mymoe.py"
    model.parent.mkdir()
    model.write_text(
        "from flashinfer import RoutingMethodType\n\n"
        "class MyMoE:\n"
        "    def __init__(self, config):\n"
        "        self.routing_method_type = (RoutingMethodType.Renormalize if config.norm_topk_prob\n"
        "                                    else RoutingMethodType.Default)\n")
    r = run_cli("verify", "--launcher", DOUBLE, "--models", str(model.parent), "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert [m["member"] for m in _json(r)["verify"]["methods"]] == ["Default", "Renormalize", "Unspecified"]


def test_environment_reasons(tmp_path, monkeypatch):
    from enumsync.kernels import Unsupported
    from enumsync.kernels import environment as E
    with pytest.raises(Unsupported, match="no CUDA GPU"):
        E.check_gpu(None, "trtllm-routing")
    with pytest.raises(Unsupported, match="need SM90 or newer"):
        E.check_gpu(E.Gpu("NVIDIA A100", "sm_80"), "trtllm-routing")
    with pytest.raises(Unsupported, match=r"needs SM100/SM103 \(found SM90, NVIDIA H200\)"):
        E.check_gpu(E.Gpu("NVIDIA H200", "sm_90a"), "trtllm-nvfp4")
    E.check_gpu(E.Gpu("NVIDIA B200", "sm_100a"), "trtllm-nvfp4")
    E.check_gpu(E.Gpu("NVIDIA H200", "sm_90a"), "trtllm-routing")
    old = tmp_path / "flashinfer"
    old.mkdir()
    (old / "__init__.py").write_text('__version__ = "0.6.12"\n')
    with pytest.raises(Unsupported, match="0.6.12 has no standalone routing binding"):
        E.find_build("sm_90a", flashinfer_root=old)


def test_environment_falls_back_to_a_carried_build(tmp_path, monkeypatch):
    from enumsync.kernels import Unsupported, flashinfer_tree
    from enumsync.kernels import build as B
    from enumsync.kernels import environment as E
    from enumsync.model import EnumsyncError
    monkeypatch.setenv("ENUMSYNC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(flashinfer_tree, "find_flashinfer",
                        lambda root=None: (_ for _ in ()).throw(EnumsyncError("none")))
    with pytest.raises(Unsupported, match="holds no routing build for sm_90a"):
        E.find_build("sm_90a")
    d = tmp_path / "builds" / "0.7.2-sm_90a-x"
    d.mkdir(parents=True)
    (d / B.SO_NAME).write_bytes(b"")
    (d / B.MANIFEST).write_text(json.dumps({"schema": B.MANIFEST_SCHEMA, "arch": "sm_90a", "flashinfer_version": "0.7.2",
                                            "cpp_enum": {"language": "cpp", "name": "E", "members": []}}))
    m, cached, note = E.find_build("sm_90a")
    assert cached and m["dir"] == str(d.resolve()) and note.startswith("newest cached build")
    m, _, note = E.find_build("sm_90a", build_dir=d)
    assert note == f"from --build-dir {d}"
    with pytest.raises(Unsupported, match="is for sm_90a, this GPU is sm_100a"):
        E.find_build("sm_100a", build_dir=d)


def test_a_build_of_the_old_schema_is_not_used(tmp_path):
    from enumsync.kernels import build as B
    (tmp_path / B.SO_NAME).write_bytes(b"")
    (tmp_path / B.MANIFEST).write_text('{"schema": 1, "arch": "sm_90a", "cpp_enum": {"members": {"A": 0}}}')
    from enumsync.kernels import environment as E
    from enumsync.model import EnumsyncError
    assert B.load_manifest(tmp_path) is None
    with pytest.raises(EnumsyncError, match="of schema 2 .*rebuild it with `enumsync verify --build-only`"):
        E.find_build("sm_90a", build_dir=tmp_path)


def test_backend_auto_says_which_and_why():
    from enumsync.kernels import environment as E
    b, why = E.choose_backend("auto", E.Gpu("NVIDIA B200", "sm_100a"))
    assert b == "trtllm-nvfp4" and "SM100" in why
    b, why = E.choose_backend("auto", E.Gpu("NVIDIA GB300", "sm_103a"))
    assert b == "trtllm-nvfp4" and "SM103" in why
    b, why = E.choose_backend("auto", E.Gpu("NVIDIA H200", "sm_90a"))
    assert b == "trtllm-routing" and "SM90" in why and "needs SM100/SM103" in why
    assert E.choose_backend("trtllm-routing", E.Gpu("NVIDIA B200", "sm_100a"))[0] == "trtllm-routing"
    assert E.choose_backend("auto", None)[0] == "trtllm-routing"


def test_the_product_has_no_test_double():
    import enumsync
    root = Path(enumsync.__file__).parent
    hits = [p for p in root.rglob("*.py") if "TEST_DOUBLE" in p.read_text() or "test_double" in p.read_text()]
    assert hits == []


# --- the user's shapes (ES304) ---------------------------------------------------------------------

def test_shapes_parse_and_bad_ones_say_what(tmp_path):
    from enumsync.kernels.shapes import parse_model_config, parse_shape
    from enumsync.model import EnumsyncError
    s = parse_shape("256:8:8:4")
    assert (s.experts, s.top_k, s.n_group, s.topk_group, s.label) == (256, 8, 8, 4, "256:8:8:4")
    assert parse_shape("384:8").label == "384:8"
    for bad, why in (("384", "expected E:K"), ("8:16", "more than"), ("256:8:7:4", "divide"), ("4096:8", "at most")):
        with pytest.raises(EnumsyncError, match=why):
            parse_shape(bad)
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"n_routed_experts": 256, "num_experts_per_tok": 8, "n_group": 8, "topk_group": 4,
                               "routed_scaling_factor": 2.5}))
    s = parse_model_config(cfg)
    assert (s.label, s.rsf) == ("256:8:8:4", 2.5)
    cfg.write_text(json.dumps({"n_routed_experts": 384, "num_experts_per_tok": 8, "n_group": 1, "topk_group": 1}))
    assert parse_model_config(cfg).label == "384:8:1:1"                 # Kimi K2's shape, as its config writes it
    cfg.write_text(json.dumps({"text_config": {"num_local_experts": 16, "num_experts_per_tok": 1}}))
    assert parse_model_config(cfg).label == "16:1"
    cfg.write_text(json.dumps({"hidden_size": 4096}))
    with pytest.raises(EnumsyncError, match="no MoE shape found"):
        parse_model_config(cfg)
    with pytest.raises(EnumsyncError, match="cannot read it"):
        parse_model_config(tmp_path / "missing.json")
    cfg.write_text("{not json")
    with pytest.raises(EnumsyncError, match="not valid JSON"):
        parse_model_config(cfg)


def test_shape_cases_follow_the_shape_and_the_config_rsf():
    from enumsync.kernels.shapes import Shape
    p = V.plan_member(Member("DeepSeekV3", 2, 1), shapes=[Shape(256, 8, 8, 4, 2.5, "cfg")])
    extra = [c for c in p.cases if c.shape]
    assert [(c.T, c.E, c.K, c.n_group, c.topk_group, c.rsf, c.bias) for c in extra] == \
        [(13, 256, 8, 8, 4, 2.5, True), (300, 256, 8, 8, 4, 2.5, True)]
    assert p.value_cases == [c for c in p.cases if not c.shape] and len(p.value_cases) == 5
    # ungrouped: DeepSeekV3 is launched with 1 group of 1 (its binding refuses n_group 0), the others with 0
    ds = [c for c in V.plan_member(Member("DeepSeekV3", 2, 1), shapes=[Shape(384, 8)]).cases if c.shape]
    df = [c for c in V.plan_member(Member("Default", 0, 1), shapes=[Shape(384, 8)]).cases if c.shape]
    assert {(c.n_group, c.topk_group) for c in ds} == {(1, 1)} and {(c.n_group, c.topk_group) for c in df} == {(0, 0)}


def test_a_refused_shape_is_es304_not_es301():
    from enumsync.kernels.shapes import Shape
    p = V.plan_member(Member("Default", 0, 1), shapes=[Shape(384, 8)])
    p.cases = p.cases[:2] + [c for c in p.cases if c.shape]
    words = "routingCustom::run: no compiled tier covers numExperts= 384 topK= 8"
    refused = {"status": "refused", "message": words}
    r = V.judge(p, _run([_ok(Default=True)] * 2 + [refused] * 2), CPP_072)
    assert r.verdict == "pass" and r.finding is None
    assert [(f.rule, f.severity.value) for f in r.findings] == [("ES304", "warning")]
    assert words in r.findings[0].message and r.shapes[0]["status"] == "unsupported"
    # the value refused everywhere: ES301 only, the shape row says so
    bad = {"status": "refused", "message": "invalid routing_method_type 0"}
    r = V.judge(p, _run([bad] * 4), CPP_072)
    assert [f.rule for f in r.findings] == ["ES301"] and r.shapes[0]["status"] == "value-refused"


def test_cli_shapes_separate_es304_from_the_values(installed_flashinfer, tmp_path):
    out = tmp_path / "s.json"
    r = run_cli("verify", "--launcher", DOUBLE, "--methods", "Default,DeepSeekV3", "--shapes", "384:8",
                "--json-out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr          # ES304 is a warning
    assert "the model's shapes" in r.stdout and "ES304" in r.stdout
    doc = json.loads(out.read_text())
    rows = {m["member"]: m for m in doc["verify"]["methods"]}
    assert {n: m["verdict"] for n, m in rows.items()} == {"Default": "pass", "DeepSeekV3": "pass"}
    assert rows["Default"]["shapes"][0]["status"] == "unsupported"
    assert "no compiled tier covers numExperts= 384 topK= 8" in rows["Default"]["shapes"][0]["message"]
    assert rows["DeepSeekV3"]["shapes"][0]["status"] == "pass"
    f = doc["results"][0]["findings"]
    assert [(x["rule"], x["member"]) for x in f] == [("ES304", "Default")]
    r = run_cli("verify", "--launcher", DOUBLE, "--shapes", "384")
    assert r.returncode == 2 and "expected E:K" in r.stderr and "Traceback" not in r.stderr
