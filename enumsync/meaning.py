"""Parse a routing member's comment into a canonical :class:`~enumsync.model.Meaning`.

The comments follow a small pipeline language (flashinfer ``runner.h``/``tllm_enums.py``,
sglang, vLLM)::

    Default: Softmax -> TopK
    Renormalize: TopK -> Softmax
    DeepSeekV3: Sigmoid -> RoutingBiasAdd -> Top2 in group -> Top4 groups -> Top8 experts from the Top4 groups
    Llama4: Top1 -> Sigmoid
    TopK only (no softmax)
    MiniMax2: Sigmoid + Bias -> TopK -> ScaledSumNormalize (routeScale=1.0, epsilon=1e-20)
    Deepseek V4 -> sqrtsoftplus + Bias + Normalize

A leading ``Name:`` (or a first stage with no routing word in it) is a label. Parenthesised
parts are parameters (``routeScale=...``, ``epsilon=...``) or assertions (``no softmax``,
``no renormalization``). Meanings are canonical, so equal computations compare equal:

- ``TopK -> Softmax`` is ``Softmax -> TopK -> Renormalize`` (softmax over the selected
  equals renormalized softmax over all, in exact arithmetic);
- ``TopK -> Sigmoid`` is ``Sigmoid -> TopK`` (sigmoid is monotone, so it selects the same
  experts and gives the same weights).

Anything not understood gives ``Meaning(known=False)``; parsing never raises.
"""
from __future__ import annotations

import re

from .model import Meaning

_FUNCS = (("sqrtsoftplus", re.compile(r"sqrt\s*-?\s*softplus", re.I)),
          ("softmax", re.compile(r"softmax", re.I)),
          ("sigmoid", re.compile(r"sigmoid", re.I)))
_TOPK = re.compile(r"^top\s*-?\s*(k|\d+)(\s+only)?$|^top\s*-?\s*(k|\d+)\s+experts\b", re.I)
_GROUP = re.compile(r"\bgroups?\b", re.I)
_BIAS = re.compile(r"bias", re.I)
_NORM = re.compile(r"^(scaled\s*)?(sum\s*)?(re)?normali[sz](e|ation)$|^renorm$", re.I)
_LABEL = re.compile(r"^\s*([A-Za-z][\w .]*?)\s*:\s*(.*)$", re.S)
_NO = re.compile(r"^no\s+(softmax|sigmoid|bias|re-?normali[sz](?:e|ation)|renorm|normali[sz](?:e|ation))$", re.I)
_KEYWORDS = re.compile(r"softmax|sigmoid|softplus|top\s*-?\s*(k|\d)|bias|normali[sz]|renorm|group", re.I)


class _Unparsable(Exception):
    pass


def _clean(comment: str) -> str:
    lines = [re.sub(r"^\s*(//+|#+|/\*+|\*+/?)\s?", "", ln).replace("*/", "") for ln in comment.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def _scale(v: str) -> str:
    v = v.strip()
    try:
        return repr(float(v))
    except ValueError:
        return v


def parse_meaning(comment: str) -> Meaning:
    """The canonical meaning of one member comment; ``known=False`` when it cannot be read."""
    text = _clean(comment or "")
    if not text:
        return Meaning(known=False, text=comment or "")
    try:
        return _parse(text, comment)
    except _Unparsable as e:
        return Meaning(known=False, text=comment, notes=(str(e),))
    except Exception as e:  # never crash on a comment
        return Meaning(known=False, text=comment, notes=(f"internal: {type(e).__name__}: {e}",))


def _parse(text: str, original: str) -> Meaning:
    params = re.findall(r"\(([^()]*)\)", text)
    main = re.sub(r"\([^()]*\)", " ", text)
    main = re.sub(r"\s+", " ", main).strip()
    m = _LABEL.match(main)
    if m and "->" not in m.group(1):
        main = m.group(2).strip()
    stages = [s.strip() for s in main.split("->")]
    if len(stages) > 1 and not _KEYWORDS.search(stages[0]):
        stages = stages[1:]  # "Deepseek V4 -> ..." : the first stage names the method
    if not any(_KEYWORDS.search(s) for s in stages):
        raise _Unparsable(f"no routing stage in {text!r}")

    score = post = topk = None
    bias = groups = scaled = False
    renorm: bool | None = None
    notes: list[str] = []
    for stage in stages:
        for tok in (t.strip() for t in stage.split("+")):
            if not tok or tok.lower() == "only":
                continue
            tk = _TOPK.match(tok)
            fn = next((name for name, rx in _FUNCS if rx.search(tok)), None)
            if fn:
                if topk is None:
                    if score is not None:
                        raise _Unparsable(f"two score functions in {text!r}")
                    score = fn
                else:
                    if post is not None:
                        raise _Unparsable(f"two post-ops in {text!r}")
                    post = fn
            elif tk:
                k = tk.group(1) or tk.group(3)
                if _GROUP.search(tok):  # "Top8 experts from the Top4 groups": the final selection
                    groups = True
                topk = "1" if k == "1" else "k"
            elif _GROUP.search(tok):
                groups = True
            elif _BIAS.search(tok):
                bias = True
            elif _NORM.match(tok.replace(" ", "")) or _NORM.match(tok):
                renorm = True
                scaled = scaled or tok.lower().startswith("scaled")
            else:
                raise _Unparsable(f"unknown stage {tok!r} in {text!r}")

    scale: str | None = None
    epsilon: float | None = None
    for p in params:
        for part in (x.strip() for x in p.split(",")):
            if not part:
                continue
            kv = re.match(r"^(\w+)\s*=\s*(.+)$", part)
            if kv:
                key, val = kv.group(1).lower(), kv.group(2).strip()
                if key in ("routescale", "scale", "routed_scaling_factor"):
                    scale = _scale(val)
                elif key in ("epsilon", "eps"):
                    try:
                        epsilon = float(val)
                    except ValueError:
                        raise _Unparsable(f"epsilon {val!r} is not a number") from None
                else:
                    notes.append(part)
                continue
            no = _NO.match(part)
            if no:
                what = no.group(1).lower()
                if what in ("softmax", "sigmoid"):
                    if score == what or post == what:
                        raise _Unparsable(f"{text!r} both applies and denies {what}")
                elif what == "bias":
                    if bias:
                        raise _Unparsable(f"{text!r} both adds and denies a bias")
                else:
                    if renorm:
                        raise _Unparsable(f"{text!r} both renormalizes and denies it")
                    renorm = False
                continue
            if re.search(r"\bsum\b", part, re.I) and renorm:
                continue  # "divide by sum of top-K weights": describes the renormalize stage
            notes.append(part)

    if topk is None:
        topk = "k"
        notes.append("top-k implied")
    if scaled and scale is None:
        notes.append("scale unstated")
    if score is None and post == "softmax":
        score, post, renorm = "softmax", None, True
        notes.append("TopK -> Softmax == Softmax -> TopK -> Renormalize")
    elif score is None and post == "sigmoid" and not bias:
        score, post = "sigmoid", None
        notes.append("TopK -> Sigmoid == Sigmoid -> TopK (sigmoid is monotone)")
    if renorm is None:
        if groups:
            notes.append("renormalization unstated")
        else:
            renorm = False
    if score is None:
        score = "none"
    return Meaning(known=True, text=original, score=score, bias=bias, groups=groups, topk=topk, post=post,
                   renormalize=renorm, scale=scale, epsilon=epsilon, notes=tuple(notes))


_FIELDS = (("score", "score function"), ("bias", "bias"), ("groups", "group selection"), ("topk", "top-k"),
           ("post", "post-op"), ("renormalize", "renormalize"), ("scale", "routeScale"), ("epsilon", "epsilon"))


def _show(field: str, v) -> str:
    if v is None:
        return "unstated" if field in ("renormalize", "scale", "epsilon") else "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def differences(a: Meaning, b: Meaning) -> list[str]:
    """What differs between two meanings, one ``"stage: A vs B"`` per stage (empty if equal)."""
    if not (a.known and b.known):
        if a.known == b.known:
            return []
        return [f"meaning: {a.summary()} vs {b.summary()}"]
    out = []
    for f, label in _FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        if x != y:
            out.append(f"{label}: {_show(f, x)} vs {_show(f, y)}")
    return out


def weight_family(m: Meaning) -> str | None:
    """The function that makes the weights: ``softmax``, ``sigmoid``, ``sqrtsoftplus``, ``none``."""
    if not m.known:
        return None
    return m.post or m.score or "none"
