"""Launch flashinfer's NVFP4 fused MoE (``trtllm_fp4_block_scale_moe``, SM100/SM103) for one routing value.

For each case the worker quantises random hidden states and expert weights to NVFP4
(``nvfp4.py``), lays the weights out with flashinfer's helpers, launches the fused MoE with
routing method ``value``, and compares with the float32 reference MoE of *every* routing
reference (``reference.py``): the output by flashinfer's own criterion, and, where the API
exposes them, the expert ids exactly (``routing_replay_out``) and the routing weights within
bf16 tolerance (``do_finalize=False``). A reference "matches" a case when all of those hold.

The call is built by parameter name from the installed function's signature (0.6.x says
``gated_act_type``, 0.6.12+ ``activation_type``; both default to SwiGLU); a required parameter
this module does not know is reported as ``Unsupported`` (ES303), not a ``TypeError``.
Imports torch and flashinfer; only the verify worker subprocess and the tests import it.
"""
from __future__ import annotations

import inspect
import time
from dataclasses import dataclass

import torch

from . import Unsupported
from . import nvfp4 as Q

HIDDEN, INTER = 512, 256       # multiples of 128 (the 128x4 scale interleave and the MMA shuffle)

# What this module passes for each parameter it knows (None: leave the function's default).
KNOWN_PARAMS = (
    "routing_logits", "routing_bias", "hidden_states", "hidden_states_scale", "gemm1_weights",
    "gemm1_weights_scale", "gemm1_bias", "gemm1_alpha", "gemm1_beta", "gemm1_clamp_limit", "gemm2_weights",
    "gemm2_weights_scale", "gemm2_bias", "output1_scale_scalar", "output1_scale_gate_scalar",
    "output2_scale_scalar", "num_experts", "top_k", "n_group", "topk_group", "intermediate_size",
    "local_expert_offset", "local_num_experts", "routed_scaling_factor", "routing_method_type",
    "do_finalize", "enable_pdl", "norm_topk_prob", "routing_replay_out", "hidden_states_scale_layout",
    "tile_tokens_dim",
)
# Known, and left at the function's default (SwiGLU, no output buffer, ...).
DEFAULTED = ("gated_act_type", "activation_type", "per_token_scale", "output", "tune_max_num_tokens",
             "num_fused_shared_experts", "valid_hidden_size", "valid_intermediate_size")


@dataclass
class Api:
    fn: object
    params: tuple[str, ...]
    version: str

    @property
    def replays_ids(self) -> bool:
        return "routing_replay_out" in self.params

    @property
    def exposes_weights(self) -> bool:
        return "do_finalize" in self.params


def api_from(fn, version: str = "?") -> Api:
    """Check ``fn``'s signature against what this module knows; ``Unsupported`` names what it lacks."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as e:
        raise Unsupported(f"flashinfer {version}: cannot read trtllm_fp4_block_scale_moe's signature ({e})") from None
    unknown = [n for n, p in sig.parameters.items()
               if p.default is inspect.Parameter.empty and n not in KNOWN_PARAMS
               and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if unknown:
        raise Unsupported(f"flashinfer {version}'s trtllm_fp4_block_scale_moe requires {', '.join(unknown)}, "
                          "which this enumsync does not know how to fill (known: 0.6.x and 0.7.x signatures)")
    missing = [n for n in ("routing_logits", "hidden_states", "gemm1_weights", "gemm2_weights",
                           "routing_method_type") if n not in sig.parameters]
    if missing:
        raise Unsupported(f"flashinfer {version}'s trtllm_fp4_block_scale_moe has no {', '.join(missing)}: "
                          "an API this enumsync does not know")
    return Api(fn, tuple(sig.parameters), version)


def installed_api() -> Api:
    try:
        import flashinfer
        from flashinfer.fused_moe import trtllm_fp4_block_scale_moe
    except Exception as e:  # noqa: BLE001 - any import failure means: cannot run here
        raise Unsupported(f"flashinfer's trtllm_fp4_block_scale_moe cannot be imported ({type(e).__name__}: {e})") from None
    return api_from(trtllm_fp4_block_scale_moe, getattr(flashinfer, "__version__", "?"))


def build_kwargs(api: Api, values: dict) -> dict:
    """Keyword arguments for ``api.fn``: the values it has parameters for (``tile_tokens_dim`` only if asked)."""
    return {k: v for k, v in values.items() if k in api.params}


# --- one case --------------------------------------------------------------------------------

@dataclass
class Problem:
    """Quantised inputs of one case, and their float32 dequantisations for the reference."""
    x: Q.Nvfp4
    w1: Q.Nvfp4
    w2: Q.Nvfp4
    x_deq: torch.Tensor
    w1_deq: torch.Tensor
    w2_deq: torch.Tensor


def make_problem(tokens: int, experts: int, seed: int, device, hidden: int = HIDDEN, inter: int = INTER) -> Problem:
    g = torch.Generator(device="cpu").manual_seed(seed + 104729)
    x = torch.randn(tokens, hidden, generator=g).to(torch.bfloat16).to(device)
    w1 = (torch.randn(experts, 2 * inter, hidden, generator=g) / hidden ** 0.5).to(torch.bfloat16).to(device)
    w2 = (torch.randn(experts, hidden, inter, generator=g) / inter ** 0.5).to(torch.bfloat16).to(device)
    xq, w1q, w2q = Q.quantize(x), Q.quantize_experts(w1), Q.quantize_experts(w2)
    return Problem(xq, w1q, w2q, xq.dequantize(), w1q.dequantize(), w2q.dequantize())


def reference_outputs(prob: Problem, routings: dict) -> tuple[dict, torch.Tensor]:
    """{name: output} for each reference routing, all with one activation scale (the largest amax)."""
    acts = {n: Q.activations(prob.x_deq, r.ids.to(prob.x_deq.device), prob.w1_deq) for n, r in routings.items()}
    amax = max((float(a.to(torch.bfloat16).float().abs().max()) for a in acts.values()), default=1.0)
    act_scale = torch.tensor(Q.FP8_MAX * Q.E2M1_MAX / max(amax, 1e-12), dtype=torch.float32)
    outs = {}
    for n, r in routings.items():
        outs[n], _ = Q.reference_moe(prob.x_deq, r.ids.to(prob.x_deq.device), r.weights.to(prob.x_deq.device),
                                     prob.w1_deq, prob.w2_deq, act_scale)
    return outs, act_scale


def kernel_values(prob: Problem, kw: Q.KernelWeights, logits, bias, value: int, top_k: int, n_group: int,
                  topk_group: int, rsf: float, norm: bool, act_scale: torch.Tensor, device) -> dict:
    e = kw.gemm1_weights.shape[0]
    inter = kw.gemm2_weights.shape[2] * 2
    hs_g = prob.x.global_scale.to(device)
    g1, g2, a = prob.w1.global_scale.to(device), prob.w2.global_scale.to(device), act_scale.to(device)
    vals = dict(
        routing_logits=logits, routing_bias=bias,
        hidden_states=prob.x.packed, hidden_states_scale=prob.x.scales,
        gemm1_weights=kw.gemm1_weights, gemm1_weights_scale=kw.gemm1_scales,
        gemm1_bias=None, gemm1_alpha=None, gemm1_beta=None, gemm1_clamp_limit=None,
        gemm2_weights=kw.gemm2_weights, gemm2_weights_scale=kw.gemm2_scales, gemm2_bias=None,
        output1_scale_scalar=(a / (g1 * hs_g)).float(), output1_scale_gate_scalar=(1.0 / (g1 * hs_g)).float(),
        output2_scale_scalar=(1.0 / (a * g2)).float(),
        num_experts=e, top_k=top_k, n_group=n_group or None, topk_group=topk_group or None,
        intermediate_size=inter, local_expert_offset=0, local_num_experts=e,
        routed_scaling_factor=rsf, routing_method_type=int(value), do_finalize=True, enable_pdl=None,
        norm_topk_prob=bool(norm), tile_tokens_dim=8,
    )
    try:
        from flashinfer.tllm_enums import SfLayout
        vals["hidden_states_scale_layout"] = SfLayout.layout_linear
    except ImportError:
        pass
    return vals


class Nvfp4Launcher:
    """The real fused MoE on SM100/SM103. ``run_case`` returns the worker's case record."""

    name = "trtllm-nvfp4"

    def __init__(self, device: str = "cuda", api: Api | None = None):
        self.api = api or installed_api()
        self.device = torch.device(device)

    def describe(self) -> str:
        return f"{torch.cuda.get_device_name(self.device)} via flashinfer {self.api.version} trtllm_fp4_block_scale_moe"

    def launch(self, vals: dict, tokens: int, top_k: int):
        """(output [T, H], ids [T, K] or None, weights [T, K] or None)."""
        kwargs = build_kwargs(self.api, vals)
        ids = None
        if self.api.replays_ids:
            ids = torch.full((tokens, top_k), -1, dtype=torch.int16, device=self.device)
            kwargs["routing_replay_out"] = ids
        out = self.api.fn(**kwargs)[0]
        weights = None
        if self.api.exposes_weights:
            res = self.api.fn(**dict(build_kwargs(self.api, vals), do_finalize=False))
            weights = res[1]
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return out, ids, weights

    def run_case(self, value: int, case: dict) -> dict:
        from .reference import Params, all_references, compare, make_bias, make_logits
        dev = self.device
        dtype = torch.bfloat16 if case["dtype"] == "bf16" else torch.float32
        logits = make_logits(case["T"], case["E"], case["seed"], dtype)
        bias = make_bias(case["E"], case["seed"]) if case["bias"] else None
        p = Params(case["K"], case["n_group"], case["topk_group"], case["rsf"], case["norm"])
        prob = make_problem(case["T"], case["E"], case["seed"], dev)
        routings = {}
        for name, ref in all_references().items():
            if ref.defined_for(case["E"], p, bias is not None):
                try:
                    routings[name] = ref.fn(logits.float(), bias, p)
                except ValueError:
                    continue
        ref_out, act_scale = reference_outputs(prob, routings)
        kw = Q.kernel_weights(prob.w1, prob.w2)
        vals = kernel_values(prob, kw, logits.to(dev), None if bias is None else bias.to(dev), value, p.top_k,
                             p.n_group, p.topk_group, p.routed_scaling_factor, p.norm_topk_prob, act_scale, dev)
        t0 = time.perf_counter()
        out, ids, weights = self.launch(vals, case["T"], p.top_k)
        ms = (time.perf_counter() - t0) * 1e3
        t, k = case["T"], p.top_k
        if ids is not None and tuple(ids.shape) != (t, k):
            ids = None                      # not the layout this module expects: judge by the output alone
        if weights is not None and (ids is None or tuple(weights.shape) != (t, k)):
            weights = None
        refs = {}
        for name, r in routings.items():
            oc = Q.check_output(out, ref_out[name])
            rec = {"output": oc.to_json()}
            ok = oc.ok
            if ids is not None:
                w = weights.float().cpu() if weights is not None else _weights_for(ids.long().cpu(), r)
                rc = compare(ids.long().cpu(), w, r)
                rec["routing"] = rc.to_json()
                ok = ok and rc.ok
            refs[name] = {"ok": ok, **rec}
        return {"status": "ok", "ms": round(ms, 2), "refs": refs,
                "checks": ["output"] + (["ids"] if ids is not None else []) + (["weights"] if weights is not None else [])}


def _weights_for(ids: torch.Tensor, r) -> torch.Tensor:
    """The reference's weight for each id the kernel chose (0 where the reference did not choose it):
    lets ``compare`` judge the ids alone when the API does not expose weights."""
    t, e = r.key.shape
    dense = torch.zeros(t, e)
    dense.scatter_(1, r.ids, r.weights)
    return torch.gather(dense, 1, ids.clamp(0, e - 1))
