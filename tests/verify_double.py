"""A TEST DOUBLE for the routing kernels, injected into `enumsync verify --launcher verify_double:DOUBLE`.

It never touches a GPU and proves nothing about one: it lets CI exercise the verify
orchestration (one subprocess per member, ES301/ES302/ES303/ES304, "which method ran") on a
CPU. It maps a value to a method as the installed flashinfer's runner.h says, runs that
method's float32 reference and rounds the weights to bf16 like the kernel. Values the enum
lacks and its ``Unspecified`` sentinel are refused with the binding's message; shapes over the
custom kernels' tier (E > 256 with K > 4 for the non-grouped, non-MiniMax2 methods) are
refused in flashinfer 0.7.2's words. Values listed in $VERIFY_DOUBLE_CRASH die with SIGABRT,
as an illegal memory access takes a process down.
"""
from __future__ import annotations

import os

CUSTOM = ("Default", "TopK", "SigmoidRenorm", "Sigmoid", "TopKSigmoid")


class ReferenceTestDouble:
    name = "test-double"

    def __init__(self, cpp_members: dict[str, int], crash_values=(), sentinel: str = "Unspecified"):
        self.by_value = {v: n for n, v in cpp_members.items() if n != sentinel}
        self.limit = cpp_members.get(sentinel)
        self.crash_values = set(crash_values)

    def describe(self) -> str:
        return "reference test double (CPU, no kernel)"

    def run(self, logits, bias, value: int, top_k: int, n_group: int = 0, topk_group: int = 0,
            routed_scaling_factor: float = 1.0, norm_topk_prob: bool = True):
        import torch

        from enumsync.kernels.reference import REFERENCES, Params
        if value in self.crash_values:
            os.abort()
        if value < 0 or (self.limit is not None and value >= self.limit) or value not in self.by_value:
            raise ValueError(f"invalid routing_method_type {value}")
        name = self.by_value[value]
        if name not in REFERENCES:
            raise ValueError(f"test double has no reference for {name}")
        e = logits.shape[1]
        if name in CUSTOM and (e > 256 or top_k > 8):
            raise RuntimeError(f"routingCustom::run: no compiled tier covers numExperts= {e} topK= {top_k}")
        p = Params(top_k, n_group, topk_group, routed_scaling_factor, norm_topk_prob and name != "Sigmoid")
        ref = REFERENCES[name]
        if not ref.defined_for(e, p, bias is not None):
            raise ValueError(f"{name}: unsupported parameters (top_k={top_k}, n_group={n_group}, "
                             f"bias={'yes' if bias is not None else 'none'})")
        r = ref.fn(logits.float(), bias, p)
        return r.ids.to(torch.int32), r.weights.to(torch.bfloat16).float()


class Plugin:
    """What `verify --launcher verify_double:DOUBLE` loads: the C++ enum (installed runner.h) and the double."""

    def environment(self):
        from enumsync.parsers.cpp import parse_cpp_enum
        from enumsync.sources import locate_installed
        fi = locate_installed()
        if fi is None:
            raise RuntimeError("the test double needs flashinfer-python installed (its runner.h)")
        return parse_cpp_enum(fi.runner_h, "RoutingMethodType"), "test double"

    def make_launcher(self, spec: dict):
        cpp = {m["name"]: m["value"] for m in spec["cpp_enum"]["members"] if m.get("alias_of") is None}
        crash = [int(x) for x in os.environ.get("VERIFY_DOUBLE_CRASH", "").split(",") if x.strip()]
        return ReferenceTestDouble(cpp, crash)


DOUBLE = Plugin()
