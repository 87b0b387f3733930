"""GPU verification: launch each Python member's value through the real routing kernels.

For a member M whose Python value is v: one worker subprocess (``worker.py``) launches the
kernel with v over M's cases and compares the output with *every* reference. Then:

- M's own reference (by name, else by its comment's meaning) matches every case: pass;
- the kernel refused v: ES301; it crashed (illegal memory access): ES301 too, saying so;
- another reference matches: ES302, naming the method the kernel actually ran (the C++
  member at v first when it is among the matches);
- a sentinel (``Unspecified``) should be refused: accepted, it is ES302 naming what ran.

The environment checks (GPU, arch, flashinfer version, headers, build) raise
``kernels.Unsupported``, which the command turns into ES303. Nothing here imports torch: the
workers do.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..model import EnumSpec, Finding, Member
from ..rules import make

SENTINELS = ("Unspecified", "Invalid", "InvalidRoutingMethod", "Unknown")
WORKER_TIMEOUT_S = 180
# The NVFP4 fused MoE compiles its launcher (flashinfer's JIT) and fetches its cubins on first use.
NVFP4_WORKER_TIMEOUT_S = 1200

# Mirrors reference.REFERENCES / EQUIVALENT, kept here so the parent never imports torch.
REFERENCE_NAMES = ("Default", "Renormalize", "DeepSeekV3", "Llama4", "RenormalizeNaive", "TopK",
                   "SigmoidRenorm", "MiniMax2", "Sigmoid", "TopKSigmoid")
VARIANT_NAMES = ("MiniMax2[routeScale=1.0]",)
EQUIVALENT_GROUPS = (frozenset({"Renormalize", "RenormalizeNaive"}),
                     frozenset({"Sigmoid", "TopKSigmoid"}))   # sigmoid is monotone: same set, same weights


def equivalents(name: str) -> frozenset[str]:
    for g in EQUIVALENT_GROUPS:
        if name in g:
            return g
    return frozenset({name})


# --- cases ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    T: int
    E: int
    K: int
    dtype: str = "fp32"        # logits dtype: fp32 | bf16
    bias: bool = False
    n_group: int = 0
    topk_group: int = 0
    rsf: float = 1.0
    norm: bool = True
    seed: int = 0
    shape: str = ""            # the user's shape this case comes from (--shapes / --model-config)

    def label(self) -> str:
        s = (f"[{self.shape}] " if self.shape else "") + f"T={self.T} E={self.E} K={self.K} {self.dtype}"
        if self.bias:
            s += " bias"
        if self.n_group > 1:
            s += f" groups={self.n_group}/{self.topk_group}"
        if self.rsf != 1.0:
            s += f" rsf={self.rsf:g}"
        if not self.norm:
            s += " norm=off"
        return s


def _cases(rows, **common) -> list[Case]:
    out = []
    for i, r in enumerate(rows):
        kw = dict(common)
        kw.update(r)
        kw.setdefault("seed", 1000 + 17 * i + kw["T"] + kw["E"] * 3 + kw["K"])
        out.append(Case(**kw))
    return out


def cases_for(reference: str | None, rsf: float | None = None) -> list[Case]:
    """The shapes a member is launched with: T in {1, 13, 300, 2000}, several E and K, fp32/bf16."""
    plain = [dict(T=1, E=64, K=4), dict(T=13, E=128, K=8, dtype="bf16", bias=True),
             dict(T=300, E=256, K=8), dict(T=2000, E=256, K=8, dtype="bf16"),
             dict(T=300, E=32, K=2, dtype="bf16", bias=True)]
    if reference in ("Default", "TopK", "Sigmoid", "TopKSigmoid"):
        cases = _cases(plain)
    elif reference == "SigmoidRenorm":
        cases = _cases(plain[:4] + [dict(plain[4], norm=False)])
    elif reference in ("Renormalize", "RenormalizeNaive"):
        cases = _cases(plain[:4] + [dict(T=300, E=512, K=16, dtype="bf16")])
    elif reference == "Llama4":
        cases = _cases([dict(T=1, E=16, K=1), dict(T=13, E=128, K=1, dtype="bf16", bias=True),
                        dict(T=300, E=128, K=1), dict(T=2000, E=64, K=1, dtype="bf16")])
    elif reference in ("MiniMax2", "MiniMax2[routeScale=1.0]"):
        cases = _cases([dict(T=1, E=64, K=4), dict(T=13, E=256, K=8, dtype="bf16", rsf=2.5),
                        dict(T=300, E=128, K=8, rsf=2.5), dict(T=2000, E=256, K=8, dtype="bf16"),
                        dict(T=300, E=512, K=16, rsf=2.5)], bias=True)
    elif reference == "DeepSeekV3":
        g = dict(E=256, K=8, n_group=8, topk_group=4, bias=True)
        cases = _cases([dict(g, T=1, rsf=2.5), dict(g, T=13, dtype="bf16"), dict(g, T=300, rsf=2.5),
                        dict(g, T=2000, dtype="bf16", rsf=2.5),
                        dict(T=300, E=128, K=8, n_group=1, topk_group=1, bias=True, rsf=2.5)])
    else:   # unknown meaning or a sentinel: shapes every method accepts, with a bias (MiniMax2 needs one)
        cases = _cases([dict(T=13, E=128, K=8), dict(T=300, E=64, K=4, dtype="bf16"),
                        dict(T=2000, E=256, K=8, dtype="bf16", rsf=2.5), dict(T=13, E=128, K=1)], bias=True)
    if rsf is not None:
        cases = [Case(**{**asdict(c), "rsf": rsf}) for c in cases]
    return cases


def shape_cases(shapes, rsf: float | None = None, expected: str | None = None) -> list[Case]:
    """Two cases per user shape (T=13 fp32, T=300 bf16), with a bias (MiniMax2/DeepSeekV3 need one).

    A shape without groups is launched with n_group = topk_group = 1 for DeepSeekV3 (its binding
    refuses n_group = 0; ungrouped DeepSeek-style configs, e.g. Kimi K2's, write 1 and 1)."""
    rows = []
    for sh in shapes:
        r = rsf if rsf is not None else (sh.rsf if sh.rsf is not None else 1.0)
        g, tg = sh.n_group, sh.topk_group
        if expected == "DeepSeekV3" and g == 0:
            g, tg = 1, 1
        common = dict(E=sh.experts, K=sh.top_k, n_group=g, topk_group=tg, bias=True, rsf=r, shape=sh.label)
        rows += [dict(common, T=13), dict(common, T=300, dtype="bf16")]
    return _cases(rows)


# --- what each member should do --------------------------------------------------------------

@dataclass
class MethodPlan:
    member: Member
    value: int
    expected: str | None          # the reference it should match (None: unknown meaning)
    sentinel: bool                # the kernel should refuse it
    by: str                       # "name" | "meaning" | "sentinel" | "none"
    comment_ref: str | None       # the reference its comment reads as, when that differs
    cases: list[Case] = field(default_factory=list)

    @property
    def value_cases(self) -> list[Case]:
        return [c for c in self.cases if not c.shape]


def reference_for_meaning(meaning) -> str | None:
    """The reference that computes a parsed ``Meaning`` (mirrors reference.reference_for_meaning)."""
    if meaning is None or not getattr(meaning, "known", False):
        return None
    score = meaning.score or "none"
    post = meaning.post
    renorm = bool(meaning.renormalize)
    funcs = {score, post}
    if meaning.topk == "1":
        return "Llama4" if "sigmoid" in funcs else None
    if meaning.bias:
        if meaning.groups:
            return "DeepSeekV3"
        if "sigmoid" in funcs:
            return "MiniMax2[routeScale=1.0]" if meaning.scale in ("1.0", "1") else "MiniMax2"
        return None
    if "softmax" in funcs:
        return "RenormalizeNaive" if renorm else "Default"
    if "sigmoid" in funcs:
        return "SigmoidRenorm" if renorm else "Sigmoid"
    if score == "none" and post is None:
        return "TopK"
    return None


def plan_member(m: Member, rsf: float | None = None, shapes=()) -> MethodPlan:
    """What member ``m`` should do, and its cases (the member's own, then the user's shapes)."""
    meaning_ref = reference_for_meaning(m.meaning)
    if m.name in SENTINELS:
        return MethodPlan(m, m.value, None, True, "sentinel", None, cases_for(None, rsf))
    if m.name in REFERENCE_NAMES:
        expected, by = m.name, "name"
    elif meaning_ref is not None:
        expected, by = meaning_ref, "meaning"
    else:
        expected, by = None, "none"
    comment_ref = meaning_ref if meaning_ref and expected and meaning_ref not in equivalents(expected) else None
    return MethodPlan(m, m.value, expected, False, by, comment_ref, cases_for(expected, rsf) + shape_cases(shapes, rsf, expected))


def select_members(py: EnumSpec, methods: list[str] | None, mapped: set[str] | None) -> list[Member]:
    """``--methods`` (names, in order), else the mapped set (+ sentinels), else every member."""
    from ..model import EnumsyncError
    members = [m for m in py.canonical() if m.value is not None]
    by_name = {m.name: m for m in members}
    if methods:
        out = []
        for name in methods:
            if name not in by_name:
                raise EnumsyncError(f"--methods: {py.name} in {py.path} has no member {name!r} "
                                    f"(members: {', '.join(by_name)})")
            out.append(by_name[name])
        return out
    if mapped:
        return [m for m in members if m.name in mapped or m.name in SENTINELS]
    return members


# --- running the workers ---------------------------------------------------------------------

@dataclass
class WorkerRun:
    events: list[dict]
    rc: int
    stderr: str
    seconds: float


def run_worker(spec: dict, timeout: float = WORKER_TIMEOUT_S, python: str | None = None) -> WorkerRun:
    """One subprocess; its own CUDA context, so a crash cannot poison the others."""
    cmd = [python or sys.executable, "-m", "enumsync.kernels.worker"]
    t0 = time.monotonic()
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    try:
        r = subprocess.run(cmd, input=json.dumps(spec), capture_output=True, text=True, timeout=timeout, env=env)
        out, err, rc = r.stdout, r.stderr, r.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = f"timed out after {timeout:.0f} s"
        rc = -9
    events = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return WorkerRun(events, rc, err, time.monotonic() - t0)


# --- judging one member ----------------------------------------------------------------------

@dataclass
class MethodResult:
    plan: MethodPlan
    verdict: str                  # pass | ES301 | ES302 | no-reference | error
    ran: list[str]                # references that match every accepted case
    cpp_at_value: str | None
    cases_ok: int                 # accepted cases
    cases_total: int
    refused: list[tuple[str, str]]      # (case label, message)
    crashed: str | None
    message: str
    seconds: float
    device: str = ""
    comment_note: str = ""
    records: list[dict] = field(default_factory=list)
    finding: Finding | None = None
    shapes: list[dict] = field(default_factory=list)          # one row per user shape
    shape_findings: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return ([self.finding] if self.finding else []) + self.shape_findings

    def to_json(self) -> dict:
        p = self.plan
        return {"member": p.member.name, "python_value": p.value, "expected": p.expected, "by": p.by,
                "sentinel": p.sentinel, "cpp_at_value": self.cpp_at_value, "verdict": self.verdict,
                "kernel_ran": self.ran, "cases_ok": self.cases_ok, "cases_total": self.cases_total,
                "refused": [{"case": c, "message": m} for c, m in self.refused], "crashed": self.crashed,
                "message": self.message, "comment_note": self.comment_note,
                "seconds": round(self.seconds, 2), "device": self.device, "shapes": self.shapes,
                "cases": [{"case": c.label(), **r} for c, r in zip(p.cases, self.records)]}


def _order_matches(matches: list[str], cpp_at_value: str | None, expected: str | None) -> list[str]:
    def rank(n: str) -> tuple:
        return (n != cpp_at_value, expected is None or n not in equivalents(expected),
                n in VARIANT_NAMES, (REFERENCE_NAMES + VARIANT_NAMES).index(n)
                if n in REFERENCE_NAMES + VARIANT_NAMES else 99)
    return sorted(matches, key=rank)


def matching_references(records: list[dict]) -> tuple[list[str], str | None]:
    """References that match every accepted case they are defined for; and the closest otherwise."""
    accepted = [r for r in records if r.get("status") == "ok"]
    names: dict[str, list[bool]] = {}
    for r in accepted:
        for n, c in r.get("refs", {}).items():
            names.setdefault(n, []).append(bool(c.get("ok")))
    # a match must be defined for every accepted case (else a grouped case could not rule it out)
    full = [n for n, oks in names.items() if len(oks) == len(accepted) and all(oks)]
    matches = full or [n for n, oks in names.items() if oks and all(oks)]
    closest = None
    if not matches and names:
        closest = max(names, key=lambda n: (sum(names[n]) / len(names[n]), len(names[n])))
        if not any(names[closest]):
            closest = None
        else:
            closest = f"{closest} ({sum(names[closest])}/{len(names[closest])} cases)"
    return matches, closest


def _records(plan: MethodPlan, run: WorkerRun) -> list[dict]:
    records: list[dict] = [{} for _ in plan.cases]
    for e in run.events:
        if e.get("event") == "case" and 0 <= e.get("i", -1) < len(records):
            records[e["i"]] = {k: val for k, val in e.items() if k not in ("event", "i")}
    return records


def judge(plan: MethodPlan, run: WorkerRun, cpp_members: dict[str, int]) -> MethodResult:
    """Turn one worker's events into a verdict on the value (the member's own cases) and, per user
    shape, whether the kernel runs that shape (ES304 when it refuses it)."""
    records = _records(plan, run)
    own = [i for i, c in enumerate(plan.cases) if not c.shape]
    vplan = MethodPlan(**{**plan.__dict__, "cases": [plan.cases[i] for i in own]})
    vrec = [records[i] for i in own]
    done = any(e.get("event") == "done" for e in run.events) or (bool(vrec) and all(vrec) and len(own) < len(records))
    res = _judge_value(vplan, run, vrec, done, cpp_members)
    res.plan, res.records = plan, records
    _judge_shapes(res, [(c, r) for c, r in zip(plan.cases, records) if c.shape], run, cpp_members)
    return res


_VALUE_REFUSAL = ("invalid routing_method_type", "Unimplemented routing method", "InvalidRountingMethod")


def _judge_shapes(res: MethodResult, pairs: list[tuple[Case, dict]], run: WorkerRun, cpp_members) -> None:
    """One row per user shape; ES304 when the kernel refuses (or dies on) a shape it runs the value at."""
    plan, m = res.plan, res.plan.member
    by_shape: dict[str, list[tuple[Case, dict]]] = {}
    for c, r in pairs:
        by_shape.setdefault(c.shape, []).append((c, r))
    for label, rows in by_shape.items():
        c0 = rows[0][0]
        refused = [(c, r) for c, r in rows if r.get("status") in ("refused", "crashed") or not r]
        ok = [r for c, r in rows if r.get("status") == "ok"]
        row = {"shape": label, "experts": c0.E, "top_k": c0.K, "n_group": c0.n_group, "topk_group": c0.topk_group,
               "cases_ok": len(ok), "cases_total": len(rows)}
        loc = {"member": m.name, "python_value": plan.value, "cpp_value": cpp_members.get(m.name), "line": m.line}
        if refused:
            c, r = refused[0]
            words = r.get("message") or f"the worker died ({(run.stderr.strip().splitlines() or ['?'])[-1]})"
            row.update(status="unsupported", message=words)
            if res.verdict == "ES301" or any(w in words for w in _VALUE_REFUSAL):
                row["status"] = "value-refused"      # the value itself: ES301 says so already
            else:
                res.shape_findings.append(make(
                    "ES304", f"{m.name} = {plan.value}: the kernel does not run shape {label} "
                             f"(E={c0.E}, K={c0.K}" + (f", {c0.n_group} groups / top {c0.topk_group}" if c0.n_group > 1 else "")
                             + f"); it said: {words}",
                    hint="a kernel limit for this model's shape, not a wrong value: pick a method the kernel "
                         "runs at this shape, or a flashinfer release that covers it",
                    extra={"shape": label, "case": c.label()}, **loc))
        elif plan.expected and not plan.sentinel:
            mine = [r["refs"].get(n) for r in ok for n in equivalents(plan.expected) if n in r.get("refs", {})]
            if not mine:
                row.update(status="ran", message=f"no {plan.expected} reference for this shape")
            elif all(any(x and x.get("ok") for x in [r["refs"].get(n) for n in equivalents(plan.expected)])
                     for r in ok):
                row.update(status="pass", message=f"runs {plan.expected}")
            else:
                row.update(status="mismatch", message=f"does not match {plan.expected} at this shape")
                if res.verdict == "pass":
                    res.shape_findings.append(make(
                        "ES302", f"{m.name} = {plan.value} runs {plan.expected} on its own cases but not at shape "
                                 f"{label}", extra={"shape": label}, **loc))
        else:
            row.update(status="ran", message="")
        res.shapes.append(row)


def _judge_value(plan: MethodPlan, run: WorkerRun, records: list[dict], done: bool,
                 cpp_members: dict[str, int]) -> MethodResult:
    """The verdict on the value from the member's own cases, and at most one finding."""
    m, v = plan.member, plan.value
    cpp_at_value = next((n for n, val in cpp_members.items() if val == v), None)
    ready = next((e for e in run.events if e.get("event") == "ready"), None)
    load_err = next((e for e in run.events if e.get("event") == "load-error"), None)
    crashed = None
    for c, r in zip(plan.cases, records):
        if r.get("status") == "crashed":
            crashed = f"{c.label()}: {r.get('message', '')}"
    if load_err is not None:
        return MethodResult(plan, "error", [], cpp_at_value, 0, len(plan.cases), [], None,
                            f"the worker could not load the kernel module: {load_err['message']}", run.seconds,
                            records=records)
    if crashed is None and not done:
        first_missing = next((c for c, r in zip(plan.cases, records) if not r), None)
        why = (run.stderr.strip().splitlines() or [f"exit code {run.rc}"])[-1]
        crashed = f"{first_missing.label() if first_missing else 'after the last case'}: the worker died ({why})"
    accepted = [r for r in records if r.get("status") == "ok"]
    refused = [(c.label(), r.get("message", "")) for c, r in zip(plan.cases, records) if r.get("status") == "refused"]
    matches, closest = matching_references(records)
    ran = _order_matches(matches, cpp_at_value, plan.expected)
    ran_main = [n for n in ran if n not in VARIANT_NAMES] or ran
    ran_text = _ran_text(ran_main, cpp_at_value, closest)
    res = MethodResult(plan, "pass", ran_main, cpp_at_value, len(accepted), len(plan.cases), refused, crashed,
                       "", run.seconds, ready.get("device", "") if ready else "", records=records)
    loc = {"member": m.name, "python_value": v, "cpp_value": cpp_members.get(m.name), "path": None, "line": m.line}
    extra = {"kernel_runs": ran_main, "cpp_at_value": cpp_at_value, "expected": plan.expected,
             "cases_ok": len(accepted), "cases_total": len(plan.cases)}

    if plan.sentinel:
        if accepted:
            res.verdict = "ES302"
            res.message = (f"Python sends {v} for {m.name}, a sentinel the kernel should refuse; the kernel "
                           f"accepted it and ran {ran_text}")
            res.finding = make("ES302", res.message, hint=f"renumber {m.name}"
                               + (f" to {cpp_members[m.name]}" if m.name in cpp_members else "")
                               + "; until then every model that sends it silently gets " + (ran_main[0] if ran_main else "another method"),
                               extra=extra, **loc)
        elif crashed:
            res.verdict = "ES301"
            res.message = f"Python sends {v} for {m.name}: the kernel crashed instead of refusing it ({crashed})"
            res.finding = make("ES301", res.message, extra=extra, **loc)
        else:
            res.message = f"refused, as a sentinel should be ({refused[0][1] if refused else 'no case ran'})"
        return res

    if not accepted:
        res.verdict = "ES301"
        if crashed:
            res.message = f"Python sends {v} for {m.name}: the kernel crashed ({crashed})"
        else:
            res.message = f"Python sends {v} for {m.name}: the kernel refused it ({refused[0][1] if refused else 'no output'})"
        res.finding = make("ES301", res.message, hint="check the value against the C++ enum (`enumsync check`)",
                           extra=extra, **loc)
        return res
    if plan.expected is None:
        res.verdict = "no-reference"
        res.message = f"no reference for {m.name}'s meaning; the kernel ran {ran_text}"
        return res

    own = [n for n in ran if n in equivalents(plan.expected)]
    if plan.comment_ref and own:
        follows = plan.comment_ref in matches
        res.comment_note = (f"its comment reads as {plan.comment_ref}: the kernel "
                            + ("agrees" if follows else "does not do that"))
    if own:
        if crashed or refused:
            res.verdict = "ES301"
            first = crashed or f"{refused[0][0]}: {refused[0][1]}"
            res.message = (f"{m.name} = {v} runs {plan.expected} where it runs, but the kernel "
                           f"{'crashed' if crashed else 'refused'} {len(refused) + bool(crashed)} of "
                           f"{len(plan.cases)} cases ({first})")
            res.finding = make("ES301", res.message, extra=extra, **loc)
        else:
            res.message = f"runs {plan.expected} on all {len(plan.cases)} cases"
        return res

    res.verdict = "ES302"
    res.message = f"Python sends {v} for {m.name} (expects {plan.expected}), but the kernel ran {ran_text}"
    if refused or crashed:
        res.message += f"; {len(refused) + bool(crashed)} of {len(plan.cases)} cases were refused or crashed"
    hint = f"renumber {m.name}" + (f" to {cpp_members[m.name]}" if m.name in cpp_members else "")
    res.finding = make("ES302", res.message, hint=hint, extra=extra, **loc)
    return res


def _ran_text(ran: list[str], cpp_at_value: str | None, closest: str | None) -> str:
    if not ran:
        return "no known method" + (f" (closest: {closest})" if closest else "")
    head = ran[0]
    s = head + (f" (C++ {head} = this value)" if head == cpp_at_value else "")
    if len(ran) > 1:
        s += f"; {', '.join(ran[1:])} compute{'s' if len(ran) == 2 else ''} the same here"
    return s


# --- the whole run ------------------------------------------------------------------------------

ProgressFn = Callable[[MethodResult], None]


def verify_plans(plans: list[MethodPlan], base_spec: dict, cpp_members: dict[str, int], jobs: int = 4,
                 on_done: ProgressFn | None = None, timeout: float = WORKER_TIMEOUT_S) -> list[MethodResult]:
    """Run one worker per member (``jobs`` at a time) and judge each; results in plan order."""
    if base_spec.get("launcher") == "trtllm-nvfp4":
        timeout = max(timeout, NVFP4_WORKER_TIMEOUT_S)

    def one(plan: MethodPlan) -> MethodResult:
        spec = dict(base_spec, value=plan.value, cases=[asdict(c) for c in plan.cases])
        res = judge(plan, run_worker(spec, timeout), cpp_members)
        if on_done:
            on_done(res)
        return res
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        return list(ex.map(one, plans))


def skipped(reason: str, member: str | None = None) -> Finding:
    """ES303: the GPU check could not run here, and why."""
    return make("ES303", f"GPU verification skipped: {reason}", member=member)
