"""Every function of corelib.nn.functional and every loss, on "cuda" and on "cpu": the same
values, dtypes, shapes, exception kinds and input gradients (cuda_compare.matches_cpu). Each case
is ``f(L, *xs)``; index and target tensors are made with ``L.tensor`` so they follow the device."""
from pathlib import Path

import numpy as np
import pytest

from cuda_compare import load_module, matches_cpu

pytest.importorskip("corelib_losses")

r = np.random.default_rng(0)
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def a(*shape, lo=-2.0, hi=2.0):
    return r.uniform(lo, hi, size=shape).astype(np.float32)


X2, T2, P2 = a(4, 5), a(4, 5), a(4, 5, lo=0.05, hi=0.95)
X3, X4, X5 = a(2, 3, 7), a(2, 4, 6, 6), a(1, 2, 4, 4, 4)
W1, W2, W3 = a(4, 3, 3), a(6, 4, 3, 3), a(3, 2, 2, 2, 2)
WT2, B6 = a(4, 3, 3, 3), a(6)
V4, V5, V3 = a(4), a(5), a(3)
E = a(7, 3)
IM = a(2, 3, 5, 5)


def F(L):
    return L.nn.functional


def tgt(L, v):
    return L.tensor(v, dtype=L.int64)


Y4 = [0, 2, 4, 1]
CASES = [
    # activations
    *[(n, (lambda n: lambda L, x: getattr(F(L), n)(x))(n), [X2]) for n in (
        "relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign",
        "sigmoid", "tanh", "tanhshrink", "logsigmoid", "hardsigmoid", "hardswish", "hardtanh",
        "hardshrink", "softshrink", "leaky_relu")],
    ("gelu tanh", lambda L, x: F(L).gelu(x, approximate="tanh"), [X2]),
    ("elu alpha", lambda L, x: F(L).elu(x, alpha=0.5), [X2]),
    ("leaky slope", lambda L, x: F(L).leaky_relu(x, 0.2), [X2]),
    ("threshold", lambda L, x: F(L).threshold(x, 0.5, -1.0), [X2]),
    ("softplus beta", lambda L, x: F(L).softplus(x, beta=2, threshold=1), [X2]),
    ("glu", lambda L, x: F(L).glu(x[:, :4], dim=1), [X2]),
    ("prelu", lambda L, x, w: F(L).prelu(x, w), [X4, V4]),
    ("rrelu eval", lambda L, x: F(L).rrelu(x, training=False), [X2]),
    ("softmax", lambda L, x: F(L).softmax(x, dim=1), [X3]),
    ("softmin", lambda L, x: F(L).softmin(x, dim=-1), [X3]),
    ("log_softmax", lambda L, x: F(L).log_softmax(x, dim=0), [X3]),
    ("normalize", lambda L, x: F(L).normalize(x, dim=1), [X2]),
    ("cosine_similarity", lambda L, x, y: F(L).cosine_similarity(x, y), [X2, T2]),
    ("pairwise_distance", lambda L, x, y: F(L).pairwise_distance(x, y), [X2, T2]),
    ("one_hot", lambda L: F(L).one_hot(tgt(L, Y4), 6), []),
    # linear / embedding
    ("linear", lambda L, x, w, b: F(L).linear(x, w, b), [X2, a(3, 5), V3]),
    ("bilinear", lambda L, x, y, w: F(L).bilinear(x, y, w), [X2, T2, a(3, 5, 5)]),
    ("embedding", lambda L, e: F(L).embedding(tgt(L, [[0, 6], [3, 3]]), e), [E]),
    ("embedding padding", lambda L, e: F(L).embedding(tgt(L, [0, 2, 2]), e, padding_idx=2), [E]),
    ("embedding max_norm", lambda L, e: F(L).embedding(tgt(L, [1, 4]), e.detach(), max_norm=1.0), [E], False),
    ("embedding oob", lambda L, e: F(L).embedding(tgt(L, [7]), e), [E]),
    # convolutions
    ("conv1d", lambda L, x, w: F(L).conv1d(x, w[:, :3], stride=2, padding=1), [X3, W1]),
    ("conv2d", lambda L, x, w, b: F(L).conv2d(x, w, b, padding=1), [X4, W2, B6]),
    ("conv2d groups dilation", lambda L, x, w: F(L).conv2d(x, w[:, :2], groups=2, dilation=2), [X4, W2]),
    ("conv2d same", lambda L, x, w: F(L).conv2d(x, w, padding="same"), [X4, W2]),
    ("conv3d", lambda L, x, w: F(L).conv3d(x, w, padding=1), [X5, W3]),
    ("conv_transpose1d", lambda L, x, w: F(L).conv_transpose1d(x, w[:3], stride=2), [X3, W1]),
    ("conv_transpose2d", lambda L, x, w: F(L).conv_transpose2d(x, w, stride=2, padding=1,
                                                                output_padding=1), [X4, WT2]),
    ("conv_transpose3d", lambda L, x, w: F(L).conv_transpose3d(x, w, stride=2), [X5, W3]),
    ("conv2d channel mismatch", lambda L, x, w: F(L).conv2d(x, w[:, :3]), [X4, W2]),
    ("unfold", lambda L, x: F(L).unfold(x, 3, padding=1, stride=2), [X4]),
    ("fold", lambda L, x: F(L).fold(x, (4, 5), 2), [a(2, 12, 12)]),
    # pooling
    ("max_pool1d", lambda L, x: F(L).max_pool1d(x, 2), [X3]),
    ("max_pool2d", lambda L, x: F(L).max_pool2d(x, 3, stride=2, padding=1), [X4]),
    ("max_pool2d ceil dil", lambda L, x: F(L).max_pool2d(x, 2, ceil_mode=True, dilation=2), [X4]),
    ("max_pool2d indices", lambda L, x: F(L).max_pool2d_with_indices(x, 2), [X4]),
    ("max_pool3d", lambda L, x: F(L).max_pool3d(x, 2), [X5]),
    ("avg_pool1d", lambda L, x: F(L).avg_pool1d(x, 3, padding=1), [X3]),
    ("avg_pool2d", lambda L, x: F(L).avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), [X4]),
    ("avg_pool2d divisor", lambda L, x: F(L).avg_pool2d(x, 2, divisor_override=3), [X4]),
    ("avg_pool3d", lambda L, x: F(L).avg_pool3d(x, 2, ceil_mode=True), [X5]),
    ("lp_pool2d", lambda L, x: F(L).lp_pool2d(x.abs() + 0.1, 2, 2), [X4]),
    ("lp_pool1d", lambda L, x: F(L).lp_pool1d(x.abs() + 0.1, 3, 2), [X3]),
    ("adaptive_avg_pool1d", lambda L, x: F(L).adaptive_avg_pool1d(x, 3), [X3]),
    ("adaptive_avg_pool2d", lambda L, x: F(L).adaptive_avg_pool2d(x, (4, 5)), [X4]),
    ("adaptive_avg_pool3d", lambda L, x: F(L).adaptive_avg_pool3d(x, 3), [X5]),
    ("adaptive_max_pool1d", lambda L, x: F(L).adaptive_max_pool1d(x, 3), [X3]),
    ("adaptive_max_pool2d", lambda L, x: F(L).adaptive_max_pool2d(x, (4, 5), return_indices=True), [X4]),
    ("adaptive_max_pool3d", lambda L, x: F(L).adaptive_max_pool3d(x, 3), [X5]),
    ("max_unpool2d", lambda L, x: F(L).max_unpool2d(*F(L).max_pool2d(x, 2, return_indices=True), 2), [X4]),
    ("max_unpool1d", lambda L, x: F(L).max_unpool1d(*F(L).max_pool1d(x, 2, return_indices=True), 2), [X3]),
    ("max_unpool3d", lambda L, x: F(L).max_unpool3d(*F(L).max_pool3d(x, 2, return_indices=True), 2), [X5]),
    # normalisation
    ("batch_norm train", lambda L, x, g, b: F(L).batch_norm(x, None, None, g, b, training=True), [X4, V4, V4]),
    ("batch_norm stats", lambda L, x: F(L).batch_norm(
        x, L.tensor([0.1, 0.2, 0.3, 0.4]), L.tensor([1.0, 2.0, 0.5, 1.5])), [X4]),
    ("batch_norm running update", lambda L, x: (lambda m, v: (F(L).batch_norm(
        x, m, v, training=True, momentum=0.3), m, v))(L.zeros(4), L.ones(4)), [X4]),
    ("instance_norm", lambda L, x: F(L).instance_norm(x), [X4]),
    ("layer_norm", lambda L, x, w, b: F(L).layer_norm(x, (6, 6), w, b), [X4, a(6, 6), a(6, 6)]),
    ("group_norm", lambda L, x, w, b: F(L).group_norm(x, 2, w, b), [X4, V4, V4]),
    ("local_response_norm", lambda L, x: F(L).local_response_norm(x, 3), [X4]),
    ("rms_norm", lambda L, x, w: F(L).rms_norm(x, (6, 6), w), [X4, a(6, 6)]),
    ("channel_shuffle", lambda L, x: F(L).channel_shuffle(x, 2), [X4]),
    ("lp_pool3d", lambda L, x: F(L).lp_pool3d(x.abs() + 0.1, 2, 2), [X5]),
    # shape / resampling
    ("pad constant", lambda L, x: F(L).pad(x, (1, 2, 0, 1), value=0.5), [X4]),
    ("pad reflect", lambda L, x: F(L).pad(x, (2, 1, 1, 2), mode="reflect"), [X4]),
    ("pad replicate", lambda L, x: F(L).pad(x, (1, 1), mode="replicate"), [X3]),
    ("pad circular", lambda L, x: F(L).pad(x, (1, 2, 2, 1), mode="circular"), [X4]),
    ("pixel_shuffle", lambda L, x: F(L).pixel_shuffle(x, 2), [X4]),
    ("pixel_unshuffle", lambda L, x: F(L).pixel_unshuffle(x, 2), [X4]),
    ("interpolate nearest", lambda L, x: F(L).interpolate(x, scale_factor=2), [X4]),
    ("interpolate bilinear", lambda L, x: F(L).interpolate(x, size=(5, 9), mode="bilinear"), [X4]),
    ("interpolate bilinear corners", lambda L, x: F(L).interpolate(
        x, scale_factor=1.5, mode="bilinear", align_corners=True), [X4]),
    ("interpolate bicubic", lambda L, x: F(L).interpolate(x, size=(4, 8), mode="bicubic"), [X4]),
    ("interpolate linear", lambda L, x: F(L).interpolate(x, size=11, mode="linear"), [X3]),
    ("interpolate trilinear", lambda L, x: F(L).interpolate(x, size=(3, 5, 6), mode="trilinear"), [X5]),
    ("interpolate area", lambda L, x: F(L).interpolate(x, size=(4, 3), mode="area"), [X4]),
    ("interpolate nearest-exact", lambda L, x: F(L).interpolate(x, size=(4, 9), mode="nearest-exact"), [X4]),
    ("interpolate antialias", lambda L, x: F(L).interpolate(x, size=(3, 4), mode="bilinear",
                                                            antialias=True), [X4]),
    ("dropout eval", lambda L, x: F(L).dropout(x, 0.5, training=False), [X2]),
    ("alpha_dropout eval", lambda L, x: F(L).alpha_dropout(x, 0.5, training=False), [X2]),
    # losses
    ("cross_entropy", lambda L, x: F(L).cross_entropy(x, tgt(L, Y4)), [X2]),
    ("cross_entropy 3d", lambda L, x: F(L).cross_entropy(x, tgt(L, [[0, 1, 2] * 2 + [1]] * 2)), [X3]),
    ("cross_entropy weight smooth", lambda L, x, w: F(L).cross_entropy(
        x, tgt(L, Y4), weight=w.abs(), label_smoothing=0.2, reduction="sum"), [X2, V5]),
    ("cross_entropy ignore", lambda L, x: F(L).cross_entropy(x, tgt(L, [0, -100, 4, 1])), [X2]),
    ("cross_entropy probs", lambda L, x, t: F(L).cross_entropy(x, t.softmax(1)), [X2, T2]),
    ("cross_entropy bad target", lambda L, x: F(L).cross_entropy(x, tgt(L, [0, 5, 1, 1])), [X2]),
    ("nll_loss", lambda L, x: F(L).nll_loss(x.log_softmax(1), tgt(L, Y4), reduction="none"), [X2]),
    ("mse_loss", lambda L, x, t: F(L).mse_loss(x, t), [X2, T2]),
    ("l1_loss", lambda L, x, t: F(L).l1_loss(x, t, reduction="sum"), [X2, T2]),
    ("smooth_l1_loss", lambda L, x, t: F(L).smooth_l1_loss(x, t, beta=0.5), [X2, T2]),
    ("huber_loss", lambda L, x, t: F(L).huber_loss(x, t, delta=0.7), [X2, T2]),
    ("bce", lambda L, p, t: F(L).binary_cross_entropy(p, t.sigmoid()), [P2, T2]),
    ("bce weight", lambda L, p, t, w: F(L).binary_cross_entropy(p, t.sigmoid(), weight=w), [P2, T2, V5]),
    ("bce_with_logits pos_weight", lambda L, x, t, w: F(L).binary_cross_entropy_with_logits(
        x, t.sigmoid(), pos_weight=w.abs()), [X2, T2, V5]),
    ("kl_div", lambda L, x, t: F(L).kl_div(x.log_softmax(1), t.softmax(1), reduction="batchmean"), [X2, T2]),
    ("kl_div log_target", lambda L, x, t: F(L).kl_div(x, t, log_target=True), [X2, T2]),
    ("poisson_nll_loss", lambda L, x, t: F(L).poisson_nll_loss(x, t.abs(), full=True), [X2, T2]),
    ("gaussian_nll_loss", lambda L, x, t, v: F(L).gaussian_nll_loss(x, t, v.abs() + 0.1), [X2, T2, P2]),
    ("hinge_embedding_loss", lambda L, x: F(L).hinge_embedding_loss(x, L.tensor([1.0, -1.0, 1.0, -1.0, 1.0])), [X2]),
    ("soft_margin_loss", lambda L, x, t: F(L).soft_margin_loss(x, t.sign()), [X2, T2]),
    ("multilabel_soft_margin_loss", lambda L, x, t: F(L).multilabel_soft_margin_loss(x, (t > 0).float()), [X2, T2]),
    ("multilabel_margin_loss", lambda L, x: F(L).multilabel_margin_loss(
        x, tgt(L, [[1, 3, -1, 0, 0], [0, 1, 2, 3, 4], [4, -1, 1, 1, 1], [-1, 0, 0, 0, 0]])), [X2]),
    ("multi_margin_loss", lambda L, x, w: F(L).multi_margin_loss(x, tgt(L, Y4), p=2, margin=0.5,
                                                                 weight=w.abs()), [X2, V5]),
    ("margin_ranking_loss", lambda L, x, y: F(L).margin_ranking_loss(
        x[0], y[0], L.tensor([1.0, -1.0, 1.0, 1.0, -1.0]), margin=0.1), [X2, T2]),
    ("cosine_embedding_loss", lambda L, x, y: F(L).cosine_embedding_loss(
        x, y, L.tensor([1.0, -1.0, -1.0, 1.0]), margin=0.2), [X2, T2]),
    ("triplet_margin_loss", lambda L, x, y, z: F(L).triplet_margin_loss(x, y, z, swap=True), [X2, T2, P2]),
    ("triplet_margin_with_distance_loss", lambda L, x, y, z: F(L).triplet_margin_with_distance_loss(
        x, y, z, distance_function=lambda u, v: 1 - F(L).cosine_similarity(u, v)), [X2, T2, P2]),
    ("ctc_loss", lambda L, x: F(L).ctc_loss(x.log_softmax(2), tgt(L, [[1, 2, 2], [3, 1, 0]]),
                                            tgt(L, [7, 6]), tgt(L, [3, 2])), [a(7, 2, 4)]),
    ("loss shape mismatch", lambda L, x, t: F(L).mse_loss(x, t[:3]), [X2, T2]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_nn_case_on_cuda_matches_cpu(case):
    name, f, arrays, *rest = case
    matches_cpu(f, arrays, (rest + [True])[0], tol=1e-4)


def _layer_cases():
    """The layer classes' cases of plugins/layers' torch audit (class, args, kwargs, input specs,
    options); that module needs torch and corelib-layers to load."""
    mod = load_module(PLUGINS / "layers" / "tests" / "test_layers_fuzz_vs_torch.py")
    return mod.CASES if mod is not None else []


LAYER_CASES = _layer_cases()


def _layer_inputs(specs, rng):
    out = []
    for s in specs:
        if s[0] == "i":
            out.append(rng.integers(0, s[1], s[2:]))
        else:
            x = rng.standard_normal(s[1:])
            out.append(np.abs(x) + 0.1 if s[0] == "p" else x)
    return out


@pytest.mark.skipif(not LAYER_CASES, reason="the layer cases need torch and corelib-layers")
@pytest.mark.parametrize("i", range(len(LAYER_CASES)), ids=[f"{i}-{c[0]}" for i, c in enumerate(LAYER_CASES)])
def test_layer_on_cuda_matches_cpu(i):
    """Forward, input and parameter gradients, and buffers after two training forwards."""
    import corelib as cl
    name, args, kw, specs, opts = LAYER_CASES[i]
    cl.manual_seed(0)
    m_cpu = getattr(cl.nn, name)(*args, **kw).double()
    m_gpu = getattr(cl.nn, name)(*args, **kw).double()
    m_gpu.load_state_dict(m_cpu.state_dict())
    m_gpu.to("cuda")
    train = opts.get("train", True)
    m_cpu.train(train)
    m_gpu.train(train)
    if name.startswith(("Dropout", "AlphaDropout", "FeatureAlphaDropout", "RReLU")) and train:
        pytest.skip("random in training: the devices draw from different generators")
    rng = np.random.default_rng(i)
    for step in range(2):
        arrays = _layer_inputs(specs, rng)
        rg = [a.dtype.kind == "f" and opts.get("grad", True) for a in arrays]
        xc = [cl.tensor(a, requires_grad=r) for a, r in zip(arrays, rg)]
        xg = [cl.tensor(a, device="cuda", requires_grad=r) for a, r in zip(arrays, rg)]
        yc, yg = m_cpu(*xc), m_gpu(*xg)
        yc, yg = (yc if isinstance(yc, tuple) else (yc,)), (yg if isinstance(yg, tuple) else (yg,))
        for a, b in zip(yc, yg):
            assert b.device.type == "cuda" and b.dtype == a.dtype and b.shape == a.shape
            np.testing.assert_allclose(b.detach().cpu().numpy(), a.detach().numpy(), rtol=1e-9,
                                       atol=1e-9, err_msg=f"{name} output")
        if step == 0 and yc[0].requires_grad:
            w = rng.standard_normal(tuple(yc[0].shape))
            yc[0].backward(cl.tensor(w))
            yg[0].backward(cl.tensor(w, device="cuda"))
            for a, b in zip(xc, xg):
                if a.grad is not None:
                    np.testing.assert_allclose(b.grad.cpu().numpy(), a.grad.numpy(), rtol=1e-9,
                                               atol=1e-9, err_msg=f"{name} input grad")
            for (k, p), (_, q) in zip(m_cpu.named_parameters(), m_gpu.named_parameters()):
                assert (p.grad is None) == (q.grad is None), k
                if p.grad is not None:
                    np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.numpy(), rtol=1e-9,
                                               atol=1e-9, err_msg=f"{name} grad of {k}")
    for (k, a), (_, b) in zip(m_cpu.state_dict().items(), m_gpu.state_dict().items()):
        assert b.device.type == "cuda", k
        np.testing.assert_allclose(b.cpu().numpy(), a.numpy(), rtol=1e-9, atol=1e-9, err_msg=k)
