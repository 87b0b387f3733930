"""A TEST DOUBLE for the routing kernels: it never touches a GPU and proves nothing about one.

It stands in for ``RoutingLauncher`` so CI can exercise the verify orchestration (one
subprocess per method, ES301/ES302/ES303, "which method did it actually run") on a CPU.
It maps a value to a method the way a C++ enum says (``cpp_members``: name -> value), runs
that method's float32 reference and rounds the weights to bf16 like the kernel. Values the
enum lacks, and its ``Unspecified`` sentinel, are refused with the binding's message.
``crash_values`` die with SIGABRT, as an illegal memory access would take a process down.
"""
from __future__ import annotations

import os

import torch

from .reference import REFERENCES, Params


class ReferenceTestDouble:
    name = "test-double"

    def __init__(self, cpp_members: dict[str, int], crash_values: tuple[int, ...] = (),
                 sentinel: str = "Unspecified"):
        self.by_value = {v: n for n, v in cpp_members.items() if n != sentinel}
        self.limit = cpp_members.get(sentinel)
        self.crash_values = set(crash_values)

    def describe(self) -> str:
        return "reference test double (CPU, no kernel)"

    def run(self, logits, bias, value: int, top_k: int, n_group: int = 0, topk_group: int = 0,
            routed_scaling_factor: float = 1.0, norm_topk_prob: bool = True):
        if value in self.crash_values:
            os.abort()
        if value < 0 or (self.limit is not None and value >= self.limit) or value not in self.by_value:
            raise ValueError(f"invalid routing_method_type {value}")
        name = self.by_value[value]
        if name not in REFERENCES:
            raise ValueError(f"test double has no reference for {name}")
        p = Params(top_k, n_group, topk_group, routed_scaling_factor, norm_topk_prob)
        if name == "Sigmoid":
            p = Params(top_k, n_group, topk_group, routed_scaling_factor, False)
        ref = REFERENCES[name]
        if not ref.defined_for(logits.shape[1], p, bias is not None):
            raise ValueError(f"{name}: unsupported parameters (top_k={top_k}, n_group={n_group}, "
                             f"bias={'yes' if bias is not None else 'none'})")
        r = ref.fn(logits.float(), bias, p)
        return r.ids.to(torch.int32), r.weights.to(torch.bfloat16).float()
