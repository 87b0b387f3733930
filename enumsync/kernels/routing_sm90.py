"""Launch flashinfer's trtllm-gen routing kernels from the module ``build.py`` made (through tvm_ffi).

flashinfer's own Python wrapper refuses SM90, so this calls the exported
``trtllm_gen_routing`` function directly, with the buffers its binding
(``data/csrc/trtllm_fused_moe_routing_binding.cu``) checks for. Expert ids are read back the
way flashinfer 0.7's wrapper does: permuted slot ``p`` lies in CTA tile ``p // tile``, whose
expert is ``cta_idx_xy_to_batch_idx[tile]``.

Imports torch and tvm_ffi; only the verify worker subprocess imports this module.
"""
from __future__ import annotations

from pathlib import Path

import torch


def _max_ctas(num_tokens: int, top_k: int, num_experts: int, tile: int) -> int:
    """Routing::getMaxNumCtasInBatchDim (runner.h)."""
    remaining = num_tokens * top_k
    filled = min(num_experts, remaining)
    remaining -= filled
    return filled + (remaining // tile if remaining > 0 else 0)


class KernelCrash(RuntimeError):
    """The CUDA context is poisoned (e.g. an illegal memory access): the process must end."""


_CRASH_WORDS = ("illegal memory access", "cudaErrorIllegalAddress", "unspecified launch failure",
                "misaligned address", "CUDA error")


def _is_crash(msg: str) -> bool:
    return any(w in msg for w in _CRASH_WORDS)


class RoutingLauncher:
    """The real kernels. ``run`` raises on a refused value (the binding's error message)."""

    name = "trtllm-routing"

    def __init__(self, so_path: str | Path, device: str = "cuda", tile_tokens_dim: int = 8,
                 enable_pdl: bool = False):
        import tvm_ffi
        self.so_path = str(so_path)
        self.module = tvm_ffi.load_module(self.so_path)
        self.fn = self.module.get_function("trtllm_gen_routing")
        self.device = torch.device(device)
        self.tile = tile_tokens_dim
        self.enable_pdl = enable_pdl

    def describe(self) -> str:
        return f"{torch.cuda.get_device_name(self.device)} via {Path(self.so_path).name}"

    def run(self, logits: torch.Tensor, bias: torch.Tensor | None, value: int, top_k: int, n_group: int = 0,
            topk_group: int = 0, routed_scaling_factor: float = 1.0, norm_topk_prob: bool = True
            ) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids [T, K] int32, weights [T, K] float32) on the CPU, for routing method ``value``."""
        dev = self.device
        logits = logits.to(dev).contiguous()
        bias = None if bias is None else bias.to(dev).contiguous()
        t, e = logits.shape
        k = top_k
        max_ctas = _max_ctas(t, k, e, self.tile)

        def i32(*shape):
            return torch.empty(shape, dtype=torch.int32, device=dev)

        topk_packed = i32(t, k)
        weights = torch.empty((t, k), dtype=torch.bfloat16, device=dev)
        histogram = i32(max(2 * e, 512))
        total_padded = i32(1)
        e2p = i32(t, k)
        p2t = i32(max_ctas * self.tile)
        cta_batch = i32(max_ctas)
        cta_limit = i32(max_ctas)
        non_exiting = i32(1)
        try:
            self.fn(logits, bias, topk_packed, weights, histogram, total_padded, e2p, p2t, cta_batch,
                    cta_limit, non_exiting, k, 0, n_group, topk_group, 0, e, float(routed_scaling_factor),
                    self.tile, int(value), bool(norm_topk_prob), bool(self.enable_pdl))
        except Exception as ex:  # the binding's checks raise through tvm_ffi
            if _is_crash(str(ex)):
                raise KernelCrash(str(ex)) from ex
            raise
        try:
            torch.cuda.synchronize(dev)
        except Exception as ex:
            raise KernelCrash(str(ex)) from ex
        e2p_l = e2p.long()
        active = e2p_l >= 0
        experts = cta_batch.long()
        ids = torch.where(active, experts[e2p_l.clamp(min=0) // self.tile], torch.full_like(e2p_l, -1))
        return ids.to(torch.int32).cpu(), weights.float().cpu()
