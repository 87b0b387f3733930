"""NVFP4 in torch: quantise, dequantise, the kernel's weight layout, and a float32 reference MoE.

NVFP4 (what flashinfer's ``fp4_quantize`` and the trtllm-gen fused MoE use):

- E2M1 values ``0, 0.5, 1, 1.5, 2, 3, 4, 6`` and their negatives; code ``s·8 + m``;
  two codes per byte, the even element in the low nibble;
- one fp8 e4m3 scale per 16 consecutive elements of a row (``[rows, cols/16]``, the
  *linear* layout), holding ``global · amax(block) / 6``;
- one fp32 global scale per tensor, ``448 · 6 / amax(tensor)`` (flashinfer's tests);
- an element is ``e2m1 / (fp8 scale / global)``, rounded to nearest even, saturating at 6.

The kernel's weight layout is made with flashinfer's own helpers (called, not rewritten):
``reorder_rows_for_gated_act_gemm`` and ``shuffle_matrix_a`` for the weights,
``shuffle_matrix_sf_a`` (row shuffle + 128x4 ``block_scale_interleave``) for their scales;
flashinfer's test (``tests/moe/test_trtllm_gen_fused_moe.py``) composes the same three.

The reference MoE follows that test's ``run_moe_dequant``: dequantised hidden states and
weights, ``up = h[:, :I]``, ``gate = h[:, I:]``, ``silu(gate) · up``, the activation
re-quantised to NVFP4 (through bf16, one global scale), the second GEMM and the routing
weights' sum. Only the verify worker and the tests import this module (it imports torch).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

BLOCK = 16                     # elements per fp8 scale
E2M1_MAX = 6.0
FP8_MAX = 448.0
EPILOGUE_TILE_M = 128          # flashinfer's test: "this depends on the kernel internals"

# code -> value (bit 3 is the sign)
E2M1_VALUES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0)
# midpoints between neighbouring magnitudes; a tie goes to the even code (round to nearest even)
_MIDPOINTS = (0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0)


# --- E2M1 ------------------------------------------------------------------------------

def e2m1_encode(x: torch.Tensor) -> torch.Tensor:
    """float -> E2M1 codes (uint8, 0..15): round to nearest even, saturate at ±6, keep the sign."""
    a = x.float().abs()
    code = torch.zeros_like(a, dtype=torch.uint8)
    for i, m in enumerate(_MIDPOINTS):
        past = a >= m if i % 2 else a > m      # at an odd index the upper neighbour is the even code
        code += past.to(torch.uint8)
    sign = torch.signbit(x.float()) & ~torch.isnan(x.float())
    return code | (sign.to(torch.uint8) << 3)


def e2m1_decode(codes: torch.Tensor) -> torch.Tensor:
    lut = torch.tensor(E2M1_VALUES, dtype=torch.float32, device=codes.device)
    return lut[codes.long()]


def pack(codes: torch.Tensor) -> torch.Tensor:
    """[..., K] codes -> [..., K/2] bytes, element 2j in the low nibble of byte j."""
    if codes.shape[-1] % 2:
        raise ValueError(f"an even number of elements is needed, got {codes.shape[-1]}")
    c = codes.to(torch.uint8)
    return (c[..., 0::2] & 0x0F) | ((c[..., 1::2] & 0x0F) << 4)


def unpack(packed: torch.Tensor) -> torch.Tensor:
    p = packed.to(torch.uint8)
    out = torch.empty(*p.shape[:-1], p.shape[-1] * 2, dtype=torch.uint8, device=p.device)
    out[..., 0::2] = p & 0x0F
    out[..., 1::2] = p >> 4
    return out


# --- NVFP4 tensors ----------------------------------------------------------------------

def global_scale(x: torch.Tensor) -> torch.Tensor:
    """flashinfer's test's global scale: ``448 · 6 / amax`` (fp32 scalar tensor)."""
    amax = x.float().abs().nan_to_num().max().clamp_min(1e-12)
    return (FP8_MAX * E2M1_MAX / amax).to(torch.float32)


@dataclass
class Nvfp4:
    """A quantised [..., rows, cols] tensor: packed E2M1, linear fp8 block scales, global scale."""
    packed: torch.Tensor           # uint8 [..., rows, cols/2]
    scales: torch.Tensor           # float8_e4m3fn [..., rows, cols/16]
    global_scale: torch.Tensor     # fp32 scalar (or [...] for a batch)

    def dequantize(self) -> torch.Tensor:
        return dequantize(self.packed, self.scales, self.global_scale)


def quantize(x: torch.Tensor, gscale: torch.Tensor | float | None = None) -> Nvfp4:
    """NVFP4 quantisation of the last dimension (a multiple of 16), as flashinfer's kernel does it."""
    if x.shape[-1] % BLOCK:
        raise ValueError(f"the last dimension must be a multiple of {BLOCK}, got {x.shape[-1]}")
    xf = x.float()
    g = global_scale(xf) if gscale is None else torch.as_tensor(gscale, dtype=torch.float32, device=xf.device)
    blocks = xf.reshape(*xf.shape[:-1], xf.shape[-1] // BLOCK, BLOCK)
    amax = blocks.abs().amax(dim=-1)
    sf = (g * (amax / E2M1_MAX)).clamp(max=FP8_MAX).to(torch.float8_e4m3fn)
    sf_f = sf.float()
    inv = torch.where(sf_f > 0, 1.0 / (sf_f / g), torch.zeros_like(sf_f))
    codes = e2m1_encode(blocks * inv.unsqueeze(-1)).reshape(xf.shape)
    return Nvfp4(pack(codes), sf, g)


def dequantize(packed: torch.Tensor, scales: torch.Tensor, gscale: torch.Tensor | float) -> torch.Tensor:
    """float32 values of an NVFP4 tensor with linear scales."""
    vals = e2m1_decode(unpack(packed))
    sf = scales.float() if scales.dtype != torch.uint8 else scales.view(torch.float8_e4m3fn).float()
    g = torch.as_tensor(gscale, dtype=torch.float32, device=vals.device)
    if g.dim() > 0:
        g = g.reshape(*g.shape, *([1] * (vals.dim() - g.dim())))
    return vals * sf.repeat_interleave(BLOCK, dim=-1) / g


def quant_dequant(x: torch.Tensor, gscale: torch.Tensor | float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    q = quantize(x, gscale)
    return q.dequantize(), q.global_scale


def quantize_experts(w: torch.Tensor) -> Nvfp4:
    """[E, rows, cols] weights, one global scale per expert (flashinfer's ``quant_fp4_batches``)."""
    qs = [quantize(w[e]) for e in range(w.shape[0])]
    return Nvfp4(torch.stack([q.packed for q in qs]), torch.stack([q.scales for q in qs]),
                 torch.stack([q.global_scale for q in qs]))


# --- the kernel's layout (flashinfer's helpers) ------------------------------------------

def kernel_rows(packed_or_scales: torch.Tensor, gated: bool) -> torch.Tensor:
    """One expert's rows in the kernel's order: gated act interleave (gemm1), then the MMA shuffle."""
    from flashinfer import reorder_rows_for_gated_act_gemm, shuffle_matrix_a
    x = packed_or_scales.view(torch.uint8)
    if gated:
        x = reorder_rows_for_gated_act_gemm(x)
    return shuffle_matrix_a(x, EPILOGUE_TILE_M).contiguous()


def kernel_scales(scales: torch.Tensor, gated: bool) -> torch.Tensor:
    """One expert's linear fp8 scales -> row-shuffled and 128x4-interleaved (GPU: a flashinfer JIT op)."""
    from flashinfer import reorder_rows_for_gated_act_gemm, shuffle_matrix_sf_a
    x = scales.view(torch.uint8)
    if gated:
        x = reorder_rows_for_gated_act_gemm(x)
    return shuffle_matrix_sf_a(x.contiguous(), EPILOGUE_TILE_M, BLOCK)


@dataclass
class KernelWeights:
    gemm1_weights: torch.Tensor        # uint8 [E, 2I, H/2]
    gemm1_scales: torch.Tensor         # fp8 [E, 2I, H/16], shuffled + interleaved
    gemm2_weights: torch.Tensor        # uint8 [E, H, I/2]
    gemm2_scales: torch.Tensor         # fp8 [E, H, I/16]


def kernel_weights(w1: Nvfp4, w2: Nvfp4) -> KernelWeights:
    e, two_i, h_half = w1.packed.shape
    h, i_half = w2.packed.shape[1:]
    g1w = torch.stack([kernel_rows(w1.packed[x], True) for x in range(e)])
    g1s = torch.stack([kernel_scales(w1.scales[x], True) for x in range(e)])
    g2w = torch.stack([kernel_rows(w2.packed[x], False) for x in range(e)])
    g2s = torch.stack([kernel_scales(w2.scales[x], False) for x in range(e)])
    return KernelWeights(g1w, g1s.view(torch.float8_e4m3fn).reshape(e, two_i, h_half * 2 // BLOCK),
                         g2w, g2s.view(torch.float8_e4m3fn).reshape(e, h, i_half * 2 // BLOCK))


# --- the reference MoE ---------------------------------------------------------------------

def swiglu(h: torch.Tensor, inter: int) -> torch.Tensor:
    """flashinfer's order: the first I columns are "up", the last I "gate": silu(gate) * up."""
    return torch.nn.functional.silu(h[..., inter:]) * h[..., :inter]


def activations(x: torch.Tensor, ids: torch.Tensor, w1: torch.Tensor) -> torch.Tensor:
    """SwiGLU of the first GEMM for every (token, slot): [T, K, I] float32."""
    t, k = ids.shape
    inter = w1.shape[1] // 2
    out = torch.zeros(t, k, inter, dtype=torch.float32, device=x.device)
    for e in ids.unique().tolist():
        tok, slot = (ids == e).nonzero(as_tuple=True)
        out[tok, slot] = swiglu(x[tok] @ w1[e].T, inter)
    return out


def reference_moe(x: torch.Tensor, ids: torch.Tensor, weights: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor,
                  act_scale: torch.Tensor | float | None = None, requantize: bool = True
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """(output [T, H], the activation's global scale). ``x``, ``w1`` [E, 2I, H], ``w2`` [E, H, I] are
    dequantised float32; the activation is re-quantised to NVFP4 through bf16 (as flashinfer's
    reference does) with ``act_scale``, or with its own global scale when None."""
    act = activations(x, ids, w1)
    if requantize:
        act, act_scale = quant_dequant(act.to(torch.bfloat16), act_scale)
    else:
        act_scale = torch.tensor(1.0)
    out = torch.zeros(x.shape[0], w2.shape[1], dtype=torch.float32, device=x.device)
    for e in ids.unique().tolist():
        tok, slot = (ids == e).nonzero(as_tuple=True)
        out.index_add_(0, tok, (act[tok, slot] @ w2[e].T) * weights[tok, slot].float().unsqueeze(-1))
    return out, act_scale


# --- flashinfer's pass criterion ------------------------------------------------------------

ATOL, RTOL, PERCENT = 0.1, 0.85, 0.925     # tests/moe/test_trtllm_gen_fused_moe.py, FP4Moe.get_tolerances


@dataclass
class OutputCheck:
    ok: bool
    within: float                 # fraction of elements within tolerance
    max_abs_err: float
    finite: bool

    def to_json(self) -> dict:
        return {"ok": self.ok, "within": round(self.within, 5), "max_abs_err": round(self.max_abs_err, 5),
                "finite": self.finite}


def check_output(actual: torch.Tensor, reference: torch.Tensor) -> OutputCheck:
    """flashinfer's ``check_accuracy``: at least 92.5% of elements with |a - r| <= atol + rtol·|a|."""
    a, r = actual.float().cpu(), reference.float().cpu()
    if a.shape != r.shape:
        return OutputCheck(False, 0.0, float("inf"), True)
    finite = bool(torch.isfinite(a).all() and torch.isfinite(r).all())
    if not finite:
        return OutputCheck(False, 0.0, float("inf"), False)
    err = (a - r).abs()
    within = float((err <= ATOL + RTOL * a.abs()).float().mean()) if a.numel() else 1.0
    return OutputCheck(within >= PERCENT, within, float(err.max()) if a.numel() else 0.0, True)
