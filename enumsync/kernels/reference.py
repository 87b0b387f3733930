"""Float32 torch references for every trtllm-gen routing method, keyed by what it computes.

Each reference takes the logits the kernel sees (as float32), an optional per-expert bias and
the routing parameters, and returns the selected experts, their weights and a selection
*margin* per token (how far the last selected key is above the first rejected one; a token
with a tiny margin is a near-tie that a kernel may break either way).

Semantics (flashinfer 0.7.2's kernels, see ``shared/notes/flashinfer-facts.md``); ``s`` is
sigmoid(logit), ``rsf`` the routed scaling factor:

    Default           softmax over all E -> top-K; weights = those softmax values
    Renormalize       top-K of raw logits -> softmax over the K   (== RenormalizeNaive)
    RenormalizeNaive  softmax -> top-K -> divide by the sum
    TopK              top-K of raw logits; weights = the raw logits
    SigmoidRenorm     top-K of s; weights = s / max(sum s, 1e-20) if norm_topk_prob else s
    Sigmoid           top-K of s; weights = s
    TopKSigmoid       top-K of raw logits; weights = sigmoid of those logits
    MiniMax2          top-K of s + bias; weights = s * rsf / (sum s + 1e-20)
    DeepSeekV3        as MiniMax2 without groups; with n_group > 1: s + bf16(bias), group score =
                      sum of the top 2 in a group, keep the best topk_group groups, top-K inside
    Llama4            top-1 raw logit; weight = sigmoid(that logit)

Only torch is imported, lazily by the caller: this module is not imported by static commands.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

EPS = 1e-20


@dataclass(frozen=True)
class Params:
    top_k: int
    n_group: int = 0
    topk_group: int = 0
    routed_scaling_factor: float = 1.0
    norm_topk_prob: bool = True


@dataclass(frozen=True)
class Limits:
    max_experts: int
    max_top_k: int
    needs_bias: bool = False
    top1_only: bool = False
    groups: bool = False          # accepts n_group > 1


@dataclass
class Routing:
    ids: torch.Tensor             # [T, K] int64, sorted ascending per token
    weights: torch.Tensor         # [T, K] float32, in the order of ``ids``
    margin: torch.Tensor          # [T] float32, key gap at the top-K boundary (inf when K == E)
    key: torch.Tensor             # [T, E] the selection key (-inf outside the kept groups)
    group_margin: torch.Tensor | None = None   # [T] gap at the kept-groups boundary


def _topk(key: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k indices (ties to the lower index) and the boundary margin."""
    e = key.shape[-1]
    # stable descending sort: equal keys keep index order, so ties go to the lower index
    order = torch.sort(key, dim=-1, descending=True, stable=True).indices
    idx = order[..., :k]
    if k < e:
        kth = torch.gather(key, -1, order[..., k - 1:k]).squeeze(-1)
        nxt = torch.gather(key, -1, order[..., k:k + 1]).squeeze(-1)
        margin = kth - nxt
    else:
        margin = torch.full(key.shape[:-1], float("inf"))
    return idx, margin


def _finish(idx, w, margin, key, group_margin=None) -> Routing:
    ids, order = torch.sort(idx, dim=-1)
    return Routing(ids.long(), torch.gather(w, -1, order).float(), margin.float(), key.float(),
                   None if group_margin is None else group_margin.float())


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x.float())


def default(x, bias, p: Params) -> Routing:
    prob = torch.softmax(x.float(), dim=-1)
    idx, margin = _topk(prob, p.top_k)
    return _finish(idx, torch.gather(prob, -1, idx), margin, prob)


def renormalize(x, bias, p: Params) -> Routing:
    x = x.float()
    idx, margin = _topk(x, p.top_k)
    return _finish(idx, torch.softmax(torch.gather(x, -1, idx), dim=-1), margin, x)


def renormalize_naive(x, bias, p: Params) -> Routing:
    prob = torch.softmax(x.float(), dim=-1)
    idx, margin = _topk(prob, p.top_k)
    sel = torch.gather(prob, -1, idx)
    return _finish(idx, sel / sel.sum(-1, keepdim=True), margin, prob)


def topk_only(x, bias, p: Params) -> Routing:
    x = x.float()
    idx, margin = _topk(x, p.top_k)
    return _finish(idx, torch.gather(x, -1, idx), margin, x)


def sigmoid_renorm(x, bias, p: Params) -> Routing:
    s = sigmoid(x)
    idx, margin = _topk(s, p.top_k)
    sel = torch.gather(s, -1, idx)
    if p.norm_topk_prob:
        sel = sel / sel.sum(-1, keepdim=True).clamp_min(EPS)
    return _finish(idx, sel, margin, s)


def sigmoid_only(x, bias, p: Params) -> Routing:
    s = sigmoid(x)
    idx, margin = _topk(s, p.top_k)
    return _finish(idx, torch.gather(s, -1, idx), margin, s)


def topk_sigmoid(x, bias, p: Params) -> Routing:
    x = x.float()
    idx, margin = _topk(x, p.top_k)
    return _finish(idx, sigmoid(torch.gather(x, -1, idx)), margin, x)


def _biased_selection(x, bias, p: Params, round_bias: bool) -> Routing:
    if bias is None:
        raise ValueError("this method needs a routing bias")
    s = sigmoid(x)
    b = bias.float()
    if round_bias:
        b = b.to(torch.bfloat16).float()
    key = s + b
    if p.n_group > 1:
        t, e = key.shape
        g = key.view(t, p.n_group, e // p.n_group)
        group_score = torch.topk(g, 2, dim=-1).values.sum(-1)             # [T, n_group]
        gidx, gmargin = _topk(group_score, p.topk_group)
        keep = torch.zeros_like(group_score, dtype=torch.bool).scatter_(1, gidx, True)
        mask = keep.unsqueeze(-1).expand_as(g).reshape(t, e)
        key = key.masked_fill(~mask, float("-inf"))
        idx, margin = _topk(key, p.top_k)
    else:
        gmargin = None
        idx, margin = _topk(key, p.top_k)
    sel = torch.gather(s, -1, idx)
    w = sel * p.routed_scaling_factor / (sel.sum(-1, keepdim=True) + EPS)
    return _finish(idx, w, margin, key, gmargin)


def minimax2(x, bias, p: Params) -> Routing:
    return _biased_selection(x, bias, p, round_bias=False)


def minimax2_scale_one(x, bias, p: Params) -> Routing:
    """MiniMax2 as its comment reads (``routeScale=1.0``): the routed scaling factor ignored."""
    q = Params(p.top_k, p.n_group, p.topk_group, 1.0, p.norm_topk_prob)
    return _biased_selection(x, bias, q, round_bias=False)


def deepseek_v3(x, bias, p: Params) -> Routing:
    return _biased_selection(x, bias, p, round_bias=p.n_group > 1)


def llama4(x, bias, p: Params) -> Routing:
    if p.top_k != 1:
        raise ValueError("Llama4 routing is top-1 only")
    x = x.float()
    idx, margin = _topk(x, 1)
    return _finish(idx, sigmoid(torch.gather(x, -1, idx)), margin, x)


@dataclass(frozen=True)
class Reference:
    name: str
    fn: Callable[..., Routing]
    limits: Limits
    doc: str = ""

    def defined_for(self, num_experts: int, p: Params, has_bias: bool) -> bool:
        """Whether this reference has a meaning for these parameters (not the kernel's limits)."""
        if self.limits.needs_bias and not has_bias:
            return False
        if self.limits.top1_only and p.top_k != 1:
            return False
        if p.n_group > 1 and not self.limits.groups:
            return False
        return True


REFERENCES: dict[str, Reference] = {r.name: r for r in (
    Reference("Default", default, Limits(256, 8), doc="softmax -> topk"),
    Reference("Renormalize", renormalize, Limits(2048, 32), doc="topk -> softmax"),
    Reference("DeepSeekV3", deepseek_v3, Limits(512, 8, needs_bias=True, groups=True),
              doc="sigmoid + bias -> groups -> topk -> renorm x rsf"),
    Reference("Llama4", llama4, Limits(128, 1, top1_only=True), doc="top1 -> sigmoid"),
    Reference("RenormalizeNaive", renormalize_naive, Limits(2048, 32), doc="softmax -> topk -> renorm"),
    Reference("TopK", topk_only, Limits(256, 8), doc="topk only (raw logits)"),
    Reference("SigmoidRenorm", sigmoid_renorm, Limits(256, 8), doc="sigmoid -> topk -> renorm"),
    Reference("MiniMax2", minimax2, Limits(1024, 32, needs_bias=True),
              doc="sigmoid + bias -> topk -> renorm x rsf"),
    Reference("Sigmoid", sigmoid_only, Limits(256, 8), doc="sigmoid -> topk"),
    Reference("TopKSigmoid", topk_sigmoid, Limits(256, 8), doc="topk -> sigmoid"),
)}

# Readings of a comment that the kernel may contradict; matched too, so a report can say which
# one the kernel follows (run (d): MiniMax2's comment says routeScale=1.0).
VARIANTS: dict[str, Reference] = {
    "MiniMax2[routeScale=1.0]": Reference("MiniMax2[routeScale=1.0]", minimax2_scale_one,
                                          Limits(1024, 32, needs_bias=True),
                                          doc="MiniMax2 as its comment reads: routeScale=1.0"),
}

# Methods that are the same function of their inputs (reported together when they match).
EQUIVALENT = {frozenset({"Renormalize", "RenormalizeNaive"})}


def all_references() -> dict[str, Reference]:
    return {**REFERENCES, **VARIANTS}


def reference_for_meaning(meaning) -> str | None:
    """The reference that computes a parsed ``Meaning`` (``model.Meaning``), or None."""
    if meaning is None or not getattr(meaning, "known", False):
        return None
    score, post, renorm = meaning.score or "none", meaning.post, meaning.renormalize
    if meaning.topk == "1":
        return "Llama4" if post == "sigmoid" else None
    if meaning.bias:
        if meaning.groups:
            return "DeepSeekV3"
        if score == "sigmoid":
            return "MiniMax2[routeScale=1.0]" if meaning.scale == "1.0" else "MiniMax2"
        return None
    if score == "softmax":
        return "RenormalizeNaive" if renorm else ("Default" if post is None else None)
    if score == "sigmoid":
        return "SigmoidRenorm" if renorm else ("Sigmoid" if post is None else None)
    if score == "none":
        return {"softmax": "Renormalize", "sigmoid": "TopKSigmoid", None: "TopK"}.get(post)
    return None


# --- inputs ------------------------------------------------------------------------------

def _bf16_pool() -> torch.Tensor:
    """Every bfloat16 value with 2**-6 <= |x| < 4: distinct values to draw tie-free rows from."""
    exps = torch.arange(-6, 2, dtype=torch.float64)
    mant = 1 + torch.arange(128, dtype=torch.float64) / 128
    pos = (mant[None, :] * torch.pow(2.0, exps)[:, None]).flatten()
    return torch.cat([pos, -pos]).float()


def make_logits(num_tokens: int, num_experts: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Tie-free logits: every row holds distinct bf16-exact values (so fp32 and bf16 agree)."""
    pool = _bf16_pool()
    g = torch.Generator().manual_seed(seed)
    if num_experts > pool.numel():
        raise ValueError(f"at most {pool.numel()} experts")
    order = torch.rand(num_tokens, pool.numel(), generator=g).argsort(dim=-1)[:, :num_experts]
    return pool[order].to(dtype)


def make_bias(num_experts: int, seed: int) -> torch.Tensor:
    """A float32 correction bias in [-0.25, 0.25) (not bf16-exact, as real biases are)."""
    g = torch.Generator().manual_seed(seed + 7919)
    return (torch.rand(num_experts, generator=g) - 0.5) * 0.5


# --- comparison ------------------------------------------------------------------------

@dataclass
class Comparison:
    ok: bool
    tokens: int
    id_mismatch: int              # tokens whose expert set differs (near-ties excluded)
    near_ties: int                # tokens that differ only where the reference's margin is tiny
    weight_bad: int               # tokens with the right experts but weights out of tolerance
    max_weight_err: float

    def to_json(self) -> dict:
        return {"ok": self.ok, "tokens": self.tokens, "id_mismatch": self.id_mismatch,
                "near_ties": self.near_ties, "weight_bad": self.weight_bad,
                "max_weight_err": round(self.max_weight_err, 6) if self.max_weight_err != float("inf") else None}


ATOL, RTOL = 1e-2, 2e-2          # flashinfer's own routing tests (weights come out in bf16)
TIE_RELATIVE = 2.0 ** -7         # a key within this (relative) of the boundary counts as a near-tie:
                                 # the kernel may hold keys in bf16 while it selects
MAX_NEAR_TIE_FRACTION = 0.02


def compare(ids: torch.Tensor, weights: torch.Tensor, ref: Routing) -> Comparison:
    """Kernel output (ids [T,K] any order, weights [T,K] aligned to ids) against a reference.

    A token whose expert set differs counts as a near-tie (not a mismatch) when every expert
    the kernel chose has a reference key within ``TIE_RELATIVE`` of the reference's last
    selected key, i.e. the kernel's choice is as good up to rounding. Its weights are then
    not compared.
    """
    ids = ids.long().cpu()
    weights = weights.float().cpu()
    ids_sorted, order = torch.sort(ids, dim=-1)
    w_sorted = torch.gather(weights, -1, order)
    same = (ids_sorted == ref.ids).all(dim=-1)
    ref_keys = torch.gather(ref.key, -1, ref.ids)
    kth = ref_keys.min(dim=-1).values
    tol = kth.abs().clamp_min(1e-6) * TIE_RELATIVE
    in_range = (ids_sorted >= 0) & (ids_sorted < ref.key.shape[-1])
    chosen = torch.gather(ref.key, -1, ids_sorted.clamp(0, ref.key.shape[-1] - 1))
    as_good = in_range.all(dim=-1) & (chosen >= (kth - tol).unsqueeze(-1)).all(dim=-1)
    if ref.group_margin is not None:
        as_good = as_good | (ref.group_margin < tol)
    near = (~same) & as_good
    bad_ids = (~same) & ~near
    err = (w_sorted - ref.weights).abs()
    wbad = (err > ATOL + RTOL * ref.weights.abs()).any(dim=-1) & same
    t = ids.shape[0]
    max_err = float(err[same].max()) if bool(same.any()) else float("inf")
    ok = (int(bad_ids.sum()) == 0 and int(wbad.sum()) == 0
          and int(near.sum()) <= max(1, int(MAX_NEAR_TIE_FRACTION * t)))
    return Comparison(ok, t, int(bad_ids.sum()), int(near.sum()), int(wbad.sum()), max_err)
