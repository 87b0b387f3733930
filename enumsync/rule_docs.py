"""Long documentation of every rule, shown by ``enumsync rules ID`` and in SARIF.

One entry per rule ID: what it means (``explain``), a short ``example``, and how to ``fix``
it; ``suppress`` only where the default text for the rule's scope is wrong. A test checks
that every registered rule has an entry here: whoever adds a rule adds its docs.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleDoc:
    explain: str
    example: str
    fix: str
    suppress: str = ""


_INLINE = ("inline, at the end of the Python member's line:\n    Name = 3  # enumsync: ignore[{id}]\n"
           "or in config (pyproject.toml):\n"
           "[[tool.enumsync.suppress]]\nrule = \"{id}\"\nmember = \"Name\"\nreason = \"why\"   # required\n"
           "expires = 2027-01-31   # optional")
_CONFIG = ("in config (a reason is required, an expiry optional):\n[[tool.enumsync.suppress]]\n"
           "rule = \"{id}\"\nreason = \"why\"")
SUPPRESS_BY_SCOPE = {
    "pair": _INLINE,
    "table": "not suppressible: fix the table, or declare a Python-only member an extension in "
             "[tool.enumsync] extensions (it is then reported as info)",
    "gpu": "not suppressible: the GPU result is the final word; fix the value the Python side sends",
    "config": _CONFIG,
    "scan": _CONFIG,
}

DOCS: dict[str, RuleDoc] = {
    "ES000": RuleDoc(
        "A Python member's value is an expression enumsync cannot evaluate without running the file "
        "(a call, an import, an attribute of another module). Analysed code is never executed, so the "
        "member cannot be compared with C++, and that is reported rather than passed silently.",
        "class RoutingMethodType(IntEnum):\n    Default = compute_default()   # ES000",
        "Write the value as an integer literal or a constant expression (`1 << 3`, `A + 1`)."),
    "ES001": RuleDoc(
        "A member has the same name on both sides but a different value. Python sends its value to "
        "the kernel, which reads it as the C++ member with that value (or rejects it).",
        "C++:    Renormalize = 1,\nPython: Renormalize = 2    # ES001: 2 in Python, 1 in C++",
        "Set the Python value to the C++ value, or run `enumsync fix`."),
    "ES002": RuleDoc(
        "A Python value is the C++ value of a different member. The kernel does not reject it: it "
        "silently runs the other member's routing method. This is the failure enumsync exists for: "
        "flashinfer inserted a member, later values shifted, and the Python copy kept the old numbers.",
        "C++:    TopKSigmoid = 9,  Unspecified = 10\nPython: Unspecified = 9    "
        "# ES002: the kernel runs TopKSigmoid",
        "Renumber the Python member to its C++ value (`enumsync fix` does it, keeping the file's "
        "style), and add the members it is missing."),
    "ES003": RuleDoc(
        "A C++ member has no Python counterpart (by name, or by value under another name). Python "
        "cannot select that routing method; harmless until some code needs it, and often the first "
        "sign that later values shifted.",
        "C++:    TopKSigmoid = 9,\nPython: (no TopKSigmoid)   # ES003",
        "Add the member with its C++ value (`enumsync fix` inserts it in C++ order with its comment)."),
    "ES004": RuleDoc(
        "A Python member does not exist in C++. If it ever reaches the kernel, the kernel gets a "
        "value it does not define. Projects keep such members on purpose (vLLM's values >= 100, "
        "\"not passed to FlashInfer\"); declare those as extensions.",
        "Python: Custom = 100   # ES004 unless declared an extension",
        "Remove the member, or declare it in [tool.enumsync] extensions = {Custom = \"reason\"}."),
    "ES005": RuleDoc(
        "A Python member has the value of a C++ member whose name appears nowhere in Python, and no "
        "C++ member has its name: most likely the C++ member was renamed.",
        "C++:    RenormalizeNaive = 4,\nPython: NaiveRenorm = 4   # ES005",
        "Rename the Python member to the C++ name (keep an alias if callers use the old one)."),
    "ES006": RuleDoc(
        "Two members share a value on one side. In Python the second silently becomes an alias of "
        "the first, so the two names are indistinguishable at runtime.",
        "Python: Default = 0\n        Plain = 0        # ES006: Plain is an alias of Default",
        "Give each member its own value, or write the alias explicitly (`Plain = Default`)."),
    "ES007": RuleDoc(
        "A Python value does not fit the C++ enum's underlying type, so it cannot be passed through "
        "the kernel's interface unchanged.",
        "C++:    enum class Mode : uint8_t { ... }\nPython: Huge = 300   # ES007: uint8_t is [0, 255]",
        "Use a value within the underlying type's range."),
    "ES008": RuleDoc(
        "Member names on the two sides differ only by naming convention (case, underscores, a "
        "trailing `_`, a `k` prefix). They are matched as the same members and checked as such; "
        "this note only says the spellings differ.",
        "C++:    kRenormalize = 1,\nPython: RENORMALIZE = 1   # ES008 (info): matched as one member",
        "Nothing is required; rename the Python members if you want one spelling."),
    "ES009": RuleDoc(
        "A Python Flag/IntFlag member sets bits that C++ uses for a different flag: whenever Python "
        "passes it, the kernel also sees that other flag set.",
        "C++:    Fast = 0x1, Exact = 0x2\nPython: Fast = 0x3   # ES009: also sets Exact's bit",
        "Give the Python flag exactly the bits of its C++ counterpart (or bits no C++ flag uses)."),
    "ES010": RuleDoc(
        "A Python enum says it mirrors a C++ enum (a \"keep in sync with ...\" comment, or a name "
        "match), but `scan` cannot find or read that C++ enum, so the pair is not checked.",
        "# keep the values in sync with include/demo/gen/DtypeDecl.h   (not in the scanned tree)",
        "Pass the folder that holds the header with -I DIR (or --flashinfer for its shipped headers), "
        "or name the pair in [[tool.enumsync.pairs]]."),
    "ES011": RuleDoc(
        "The committed enumsync.lock no longer matches the project: the flashinfer pin moved since the "
        "lock was written, or (with `check --verify-lock`) the real runner.h of the pinned wheel differs "
        "from the enum recorded in the lock. The check would otherwise compare against a stale C++ enum.",
        "pyproject.toml: flashinfer-python==0.7.4   enumsync.lock: flashinfer-python 0.7.2   # ES011",
        "Run `enumsync lock` and commit the new enumsync.lock (CI: `check --flashinfer pinned --verify-lock`).",
        "not suppressible: refresh the lock with `enumsync lock`; `check --no-lock` ignores it for one run"),
    "ES101": RuleDoc(
        "The C++ and Python comments of a member describe different routing pipelines (compared as "
        "meanings, not strings: `TopK -> Softmax` equals `Softmax -> TopK -> Renormalize`). One of "
        "the comments is wrong, or the member changed meaning.",
        "C++:    // Sigmoid -> TopK -> ScaledSumNormalize (routeScale=1.0)\n"
        "Python: # ... routeScale=routed_scaling_factor          # ES101",
        "Make the comments agree; `enumsync verify` shows what the kernel actually does."),
    "ES201": RuleDoc(
        "A routing table in model code picks a member the C++ enum lacks: the model would send the "
        "kernel a value it does not define. A member the config or the Python enum declares "
        "Python-only is reported as info.",
        "routing_method_type = RoutingMethodType.DeepseekV4   # C++ has no DeepseekV4",
        "Pick a member the C++ enum has, or declare the member an extension and keep it away from "
        "flashinfer calls."),
    "ES202": RuleDoc(
        "A routing table maps a model configuration to a member whose meaning (parsed from the C++ "
        "comment) disagrees with it: the scoring function, renormalization, bias, groups or top_k.",
        "if config.scoring_func == \"sigmoid\":\n"
        "    routing_method_type = RoutingMethodType.Renormalize   # ES202: Renormalize is softmax",
        "Pick the member whose meaning matches the model's routing, or fix the condition."),
    "ES301": RuleDoc(
        "On a GPU, the kernel refused the value the Python enum sends for this member (an error or "
        "a crash instead of a result).",
        "enumsync verify: Unspecified=9 -> kernel error: unsupported routing method",
        "Send a value the kernel supports: renumber the Python member to its C++ value."),
    "ES302": RuleDoc(
        "On a GPU, the kernel ran with the value Python sends, and its result differs from the "
        "reference implementation of what the Python member means: the kernel ran another method.",
        "enumsync verify: Unspecified=9 runs TopKSigmoid, not the default routing",
        "Renumber the Python member to its C++ value (`enumsync fix`), then verify again."),
    "ES303": RuleDoc(
        "The GPU check could not run here: no GPU, an unsupported architecture, missing headers or "
        "an unsupported flashinfer version. Nothing was proven either way.",
        "enumsync verify: ES303 gpu-skipped: no CUDA device",
        "Run `enumsync verify` on a machine with a supported GPU (`--require-gpu` makes this an "
        "error in CI)."),
    "ES304": RuleDoc(
        "On a GPU, the kernel refuses the model's shape (number of experts, top-k, groups) for a value "
        "it otherwise runs: a kernel limit for that model, not a wrong enum value. The message quotes "
        "the kernel.",
        "enumsync verify --shapes E=384,K=10: DeepSeekV3 -> kernel: top_k must be <= 8   # ES304",
        "Run the model with a routing method or backend that supports its shape, or check the flashinfer "
        "version's limits; the enum value itself is fine."),
    "ES901": RuleDoc(
        "A suppression in config passed its `expires` date. It no longer silences its finding, and "
        "this notice stands next to the finding it used to hide.",
        "[[tool.enumsync.suppress]]\nrule = \"ES003\"\nreason = \"lands with the bump\"\n"
        "expires = 2026-01-31   # today is later: ES901",
        "Fix the finding, or extend `expires` with a new reason."),
}


def doc_for(rule_id: str) -> RuleDoc | None:
    return DOCS.get(rule_id)


def suppress_text(rule) -> str:
    d = DOCS.get(rule.id)
    if d and d.suppress:
        return d.suppress
    return SUPPRESS_BY_SCOPE.get(rule.scope, _CONFIG).format(id=rule.id)
