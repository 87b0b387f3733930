"""Properties of the float32 routing references (CPU only)."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from enumsync.kernels import reference as R  # noqa: E402


@pytest.fixture(scope="module")
def data():
    x = R.make_logits(300, 256, seed=3)
    b = R.make_bias(256, seed=3)
    return x, b


def test_logits_are_tie_free_and_bf16_exact():
    x = R.make_logits(2000, 256, seed=11)
    srt = torch.sort(x, dim=-1).values
    assert bool((srt[:, 1:] > srt[:, :-1]).all()), "a row holds two equal logits"
    assert torch.equal(x, x.to(torch.bfloat16).float())
    assert torch.equal(R.make_logits(13, 64, 5), R.make_logits(13, 64, 5))          # seeded
    assert not torch.equal(R.make_logits(13, 64, 5), R.make_logits(13, 64, 6))


def test_renormalize_equals_renormalize_naive(data):
    x, _ = data
    p = R.Params(8)
    a, b = R.renormalize(x, None, p), R.renormalize_naive(x, None, p)
    assert torch.equal(a.ids, b.ids)
    assert torch.allclose(a.weights, b.weights, atol=1e-6)


def test_weights_sum_to_one_where_they_must(data):
    x, b = data
    for fn in (R.renormalize, R.renormalize_naive, R.sigmoid_renorm):
        w = fn(x, None, R.Params(8)).weights
        assert torch.allclose(w.sum(-1), torch.ones(300), atol=1e-5), fn.__name__
    # Default keeps the softmax values of the selected: they sum to less than one
    assert bool((R.default(x, None, R.Params(8)).weights.sum(-1) < 0.999).all())
    # SigmoidRenorm without norm_topk_prob is plain Sigmoid
    off = R.sigmoid_renorm(x, None, R.Params(8, norm_topk_prob=False))
    assert torch.equal(off.weights, R.sigmoid_only(x, None, R.Params(8)).weights)


@pytest.mark.parametrize("rsf", [1.0, 2.5])
def test_biased_methods_sum_to_rsf(data, rsf):
    x, b = data
    for fn, p in ((R.minimax2, R.Params(8, routed_scaling_factor=rsf)),
                  (R.deepseek_v3, R.Params(8, 8, 4, routed_scaling_factor=rsf))):
        assert torch.allclose(fn(x, b, p).weights.sum(-1), torch.full((300,), rsf), atol=1e-5)
    one = R.minimax2_scale_one(x, b, R.Params(8, routed_scaling_factor=rsf)).weights.sum(-1)
    assert torch.allclose(one, torch.ones(300), atol=1e-5)


def test_grouped_selection_stays_in_kept_groups(data):
    x, b = data
    p = R.Params(8, n_group=8, topk_group=4, routed_scaling_factor=2.5)
    out = R.deepseek_v3(x, b, p)
    key = torch.sigmoid(x) + b.to(torch.bfloat16).float()
    g = key.view(300, 8, 32)
    kept = torch.topk(torch.topk(g, 2, dim=-1).values.sum(-1), 4, dim=-1).indices   # [T, 4]
    groups_of_ids = out.ids // 32
    for t in range(300):
        assert set(groups_of_ids[t].tolist()) <= set(kept[t].tolist())
    # and grouping matters: the ungrouped selection differs on some tokens
    flat = R.deepseek_v3(x, b, R.Params(8, 1, 1, 2.5))
    assert not torch.equal(out.ids, flat.ids)


def test_grouped_rounds_bias_to_bf16():
    """The grouped kernel rounds the bias to bf16 (flashinfer-facts.md); an fp32 bias picks
    different experts on some tokens of a large batch."""
    x = R.make_logits(2000, 256, seed=21)
    b = R.make_bias(256, seed=21)
    p = R.Params(8, 8, 4)
    rounded = R.deepseek_v3(x, b, p).ids
    fp32_key = R._biased_selection(x, b, p, round_bias=False).ids
    assert not torch.equal(rounded, fp32_key)


def test_llama4_is_top1_only(data):
    x, _ = data
    out = R.llama4(x, None, R.Params(1))
    assert out.ids.shape == (300, 1)
    assert torch.equal(out.ids[:, 0], x.argmax(-1))
    assert torch.allclose(out.weights[:, 0], torch.sigmoid(x.max(-1).values))
    with pytest.raises(ValueError):
        R.llama4(x, None, R.Params(2))
    assert not R.REFERENCES["Llama4"].defined_for(128, R.Params(4), True)


def test_topk_sigmoid_equals_sigmoid(data):
    """Sigmoid is monotone: selecting on logits or on sigmoid(logits) picks the same experts."""
    x, _ = data
    a, b = R.topk_sigmoid(x, None, R.Params(8)), R.sigmoid_only(x, None, R.Params(8))
    assert torch.equal(a.ids, b.ids) and torch.allclose(a.weights, b.weights)


def test_biased_methods_need_a_bias(data):
    x, _ = data
    with pytest.raises(ValueError):
        R.minimax2(x, None, R.Params(8))
    assert not R.REFERENCES["MiniMax2"].defined_for(256, R.Params(8), has_bias=False)


def test_compare_accepts_itself_and_rejects_other_methods(data):
    x, b = data
    p = R.Params(8, routed_scaling_factor=2.5)
    ref = R.minimax2(x, b, p)
    bf16_w = ref.weights.to(torch.bfloat16).float()
    assert R.compare(ref.ids, bf16_w, ref).ok
    shuffled = torch.flip(ref.ids, dims=[-1])                    # slot order does not matter
    assert R.compare(shuffled, torch.flip(bf16_w, dims=[-1]), ref).ok
    one = R.minimax2_scale_one(x, b, p)                          # same experts, weights 2.5x smaller
    c = R.compare(one.ids, one.weights, ref)
    assert not c.ok and c.id_mismatch == 0 and c.weight_bad == 300
    other = R.renormalize(x, None, R.Params(8))
    c = R.compare(other.ids, other.weights, ref)
    assert not c.ok and c.id_mismatch > 250


def test_compare_tolerates_a_rare_near_tie_only():
    x = torch.tensor([[1.0, 0.5, 0.49999, -1.0]] * 100)
    ref = R.topk_only(x, None, R.Params(2))
    ids = ref.ids.clone()
    ids[0] = torch.tensor([0, 2])                                # a near-tie broken the other way
    w = torch.gather(x, -1, ids)
    c = R.compare(ids, w, ref)
    assert c.ok and c.near_ties == 1 and c.id_mismatch == 0
    ids[:10] = torch.tensor([0, 2])                              # 10% near-ties is not a match
    assert not R.compare(ids, torch.gather(x, -1, ids), ref).ok


def test_reference_for_meaning_of_the_installed_comments(installed_flashinfer):
    from enumsync.kernels.verify import equivalents, reference_for_meaning
    from enumsync.parsers.python_enum import parse_python_enum
    py = parse_python_enum(installed_flashinfer.enum_py)
    got = {m.name: reference_for_meaning(m.meaning) for m in py.members}
    for name, ref in got.items():
        if name == "Unspecified":
            assert ref is None
        elif name == "MiniMax2":
            assert ref == "MiniMax2[routeScale=1.0]"       # what its comment says
        else:
            assert ref in equivalents(name) or (name == "TopKSigmoid" and ref == "Sigmoid"), (name, ref)
    assert set(R.REFERENCES) == set(__import__("enumsync.kernels.verify", fromlist=["x"]).REFERENCE_NAMES)
