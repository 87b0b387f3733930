"""One verify subprocess: launch one routing value over a list of cases, compare with every reference.

Reads a JSON spec on stdin, writes one JSON object per line on stdout::

    {"event": "ready", "launcher": ..., "device": ..., "load_s": ...}
    {"event": "case", "i": 0, "status": "ok" | "refused" | "crashed", "message": ..., "ms": ...,
     "refs": {"Default": {"ok": ..., "id_mismatch": ..., ...}, ...}}
    {"event": "done"}

A crash (illegal memory access) poisons the CUDA context, so the worker stops after it; the
parent marks the remaining cases as not run. Spec keys: ``launcher`` ("trtllm-routing",
"trtllm-nvfp4", or ``MODULE:ATTR``, a plug-in whose ``make_launcher(spec)`` returns the
launcher: enumsync's own tests inject a CPU stand-in that way), ``so`` (the routing build),
``value``, ``cases`` (see ``verify.Case``), ``device``. A launcher has ``name``, ``describe()``
and either ``run(logits, bias, value, ...)`` (routing: ids and weights) or
``run_case(value, case)`` (it judges the case itself, as the NVFP4 MoE does).
"""
from __future__ import annotations

import json
import sys
import time
import traceback


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def make_launcher(spec: dict):
    kind = spec.get("launcher", "trtllm-routing")
    if kind == "trtllm-routing":
        from .routing_sm90 import RoutingLauncher
        return RoutingLauncher(spec["so"], spec.get("device", "cuda"))
    if kind == "trtllm-nvfp4":
        from .trtllm_nvfp4 import Nvfp4Launcher
        return Nvfp4Launcher(spec.get("device", "cuda"))
    if ":" in kind:
        from .plugin import load_plugin
        return load_plugin(kind).make_launcher(spec)
    raise ValueError(f"unknown launcher {kind!r}")


def run_case(launcher, value: int, case: dict) -> dict:
    if hasattr(launcher, "run_case"):
        return launcher.run_case(value, case)
    import torch

    from .reference import Params, all_references, compare, make_bias, make_logits
    dtype = torch.bfloat16 if case["dtype"] == "bf16" else torch.float32
    x = make_logits(case["T"], case["E"], case["seed"], dtype)
    bias = make_bias(case["E"], case["seed"]) if case["bias"] else None
    p = Params(case["K"], case["n_group"], case["topk_group"], case["rsf"], case["norm"])
    t0 = time.perf_counter()
    ids, w = launcher.run(x, bias, value, p.top_k, p.n_group, p.topk_group, p.routed_scaling_factor,
                          p.norm_topk_prob)
    ms = (time.perf_counter() - t0) * 1e3
    refs = {}
    xf = x.float()
    for name, ref in all_references().items():
        if not ref.defined_for(case["E"], p, bias is not None):
            continue
        try:
            r = ref.fn(xf, bias, p)
        except ValueError:
            continue
        refs[name] = compare(ids, w, r).to_json()
    return {"status": "ok", "ms": round(ms, 2), "refs": refs}


def main() -> int:
    spec = json.loads(sys.stdin.read())
    t0 = time.perf_counter()
    try:
        launcher = make_launcher(spec)
        device = launcher.describe()
    except Exception as e:  # noqa: BLE001 - reported to the parent, which decides
        _emit({"event": "load-error", "message": f"{type(e).__name__}: {e}".strip()[:2000]})
        return 4
    _emit({"event": "ready", "launcher": launcher.name, "device": device,
           "load_s": round(time.perf_counter() - t0, 3)})
    value = int(spec["value"])
    for i, case in enumerate(spec.get("cases", [])):
        try:
            rec = run_case(launcher, value, case)
        except Exception as e:  # noqa: BLE001 - the kernel's refusal, or a crash
            msg = str(e).strip().splitlines()
            msg = next((m for m in msg if m.strip()), type(e).__name__)
            crashed = type(e).__name__ == "KernelCrash"
            rec = {"status": "crashed" if crashed else "refused", "message": msg[:500],
                   "error_type": type(e).__name__}
            if not crashed and not _looks_like_refusal(e):
                rec["trace"] = traceback.format_exc()[-1500:]
            _emit({"event": "case", "i": i, **rec})
            if crashed:
                return 3
            continue
        _emit({"event": "case", "i": i, **rec})
    _emit({"event": "done"})
    return 0


def _looks_like_refusal(e: Exception) -> bool:
    """The kernel's own check (tvm_ffi error, ValueError from the double), not a bug of ours."""
    return type(e).__module__.startswith("tvm_ffi") or isinstance(e, (ValueError, RuntimeError))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
