"""More ops (reductions with NaN, sorting, indexing helpers, creation) against PyTorch."""
import warnings

import numpy as np
import pytest

import corelib as cl

torch = pytest.importorskip("torch")
r=np.random.default_rng(0)
A=r.standard_normal((3,4,5)).astype(np.float32)
A[0,1,2]=np.nan
B=r.integers(0,4,(3,4,5))
cases = [
 ("var corr0", lambda L,x: x.var(dim=1, correction=0)),
 ("std keep", lambda L,x: x.std(dim=(0,2), keepdim=True)),
 ("median", lambda L,x: x.median()),
 ("median dim", lambda L,x: x.median(dim=1).values),
 ("kth", lambda L,x: x.kthvalue(2, dim=2).values),
 ("cumprod", lambda L,x: x.cumprod(1)),
 ("lse", lambda L,x: x.logsumexp(dim=(1,2))),
 ("norm1", lambda L,x: x.norm(p=1, dim=2)),
 ("norminf", lambda L,x: x.norm(p=float('inf'))),
 ("max nan", lambda L,x: x.max()),
 ("max dim nan", lambda L,x: x.max(dim=2).values),
 ("argmax nan", lambda L,x: x.argmax(dim=2)),
 ("amax", lambda L,x: x.amax(dim=(0,1))),
 ("sort nan", lambda L,x: x.sort(dim=1).values),
 ("sort desc nan", lambda L,x: x.sort(dim=1, descending=True).values),
 ("nansum", lambda L,x: x.nansum(1)),
 ("nanmean", lambda L,x: x.nanmean()),
 ("clamp nan", lambda L,x: x.clamp(-0.5,0.5)),
 ("softmax nan", lambda L,x: x.softmax(2)),
 ("mean int dim", lambda L,x: x.mean((0,))),
 ("prod dim", lambda L,x: x.prod(2)),
 ("all", lambda L,x: (x>0).all(dim=1)),
 ("any", lambda L,x: (x>0).any()),
 ("count_nonzero", lambda L,x: (x>0).count_nonzero(dim=1)),
 ("topk small", lambda L,x: x.topk(2, dim=0, largest=False).values),
 ("flip", lambda L,x: x.flip((0,2))),
 ("diag", lambda L,x: x[0].diag()),
 ("trace", lambda L,x: x[1].trace()),
 ("tril -1", lambda L,x: x.tril(-1)),
 ("nonzero", lambda L,x: (x>1).nonzero()),
 ("unique", lambda L,x: L.unique((x>0).long())),
 ("isnan", lambda L,x: x.isnan()),
 ("nan_to_num", lambda L,x: x.nan_to_num()),
 ("where scalar", lambda L,x: L.where(x>0, 1.0, -1.0)),
 ("masked_fill", lambda L,x: x.masked_fill(x<0, float('-inf')).softmax(-1)),
 ("squeeze dims", lambda L,x: x[:, :1, :1].squeeze((1,2))),
 ("expand_as", lambda L,x: x[:, :1].expand_as(x)),
 ("repeat", lambda L,x: x[0].repeat(2,1,2)),
 ("einsum", lambda L,x: L.einsum("bij,bkj->bik", x, x)),
 ("bmm", lambda L,x: L.bmm(x, x.transpose(1,2))),
 ("outer", lambda L,x: L.outer(x[0,0], x[0,1])),
 ("std all", lambda L,x: x.std()),
 ("cumsum int", lambda L,x: (x>0).cumsum(0)),
 ("sum bool", lambda L,x: (x>0).sum()),
 ("arange float", lambda L,x: L.arange(0, 1, 0.1)),
 ("linspace", lambda L,x: L.linspace(-1, 1, 7)),
 ("logspace", lambda L,x: L.logspace(0, 3, 4, base=2)),
 ("roll", lambda L,x: x.roll(shifts=(1,-2), dims=(0,2))),
 ("chunk", lambda L,x: x.chunk(3, dim=2)[-1]),
 ("split", lambda L,x: x.split(2, dim=1)[-1]),
 ("movedim", lambda L,x: x.movedim((0,1),(2,0))),
 ("index_add", lambda L,x: x[0].index_add(0, L.tensor([0,0,2]), x[1][:3])),
 ("take", lambda L,x: x.take(L.tensor([0, 5, 59]))),
 ("fmod", lambda L,x: L.fmod(x, 0.3)),
 ("remainder", lambda L,x: L.remainder(x, 0.3)),
 ("div floor", lambda L,x: L.div(x, 0.3, rounding_mode='floor')),
 ("div trunc", lambda L,x: L.div(x, 0.3, rounding_mode='trunc')),
 ("sign", lambda L,x: x.sign()),
 ("round dec", lambda L,x: x.round(decimals=2)),
 ("lerp", lambda L,x: L.lerp(x, x*2, 0.3)),
 ("hypot", lambda L,x: L.hypot(x, x)),
 ("logaddexp", lambda L,x: L.logaddexp(x, x*2)),
 ("xlogy", lambda L,x: L.xlogy(x.abs(), x.abs())),
 ("std_mean", lambda L,x: L.std_mean(x, dim=1)[0]),
 ("aminmax", lambda L,x: L.aminmax(x, dim=1).max),
 ("searchsorted", lambda L,x: L.searchsorted(L.tensor([1.,2,3]), L.tensor([0.5, 2.5]))),
 ("tensor_split", lambda L,x: L.tensor_split(x, 3, dim=2)[1]),
 ("hstack", lambda L,x: L.hstack([x[0], x[1]])),
 ("vstack", lambda L,x: L.vstack([x[0], x[1]])),
 ("meshgrid", lambda L,x: L.meshgrid(L.arange(3), L.arange(2), indexing='ij')[1]),
 ("cat dtype", lambda L,x: L.cat([x[0], x[1].double()])),
 ("diagonal off", lambda L,x: x.diagonal(offset=1, dim1=1, dim2=2)),
 ("addmm", lambda L,x: L.addmm(x[0,:,:4], x[0], x[1].t()[:5,:4], beta=0.5, alpha=2)),
 ("mode", lambda L,x: L.tensor([[1,2,2,3],[4,4,1,1]]).mode(1).values),
]


@pytest.mark.parametrize("name,f", cases, ids=[c[0] for c in cases])
def test_case(name, f):
    out = []
    for L in (cl, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = f(L, L.tensor(A))
        out.append((str(y.dtype).split(".")[-1], np.asarray(y.numpy(), np.float64)))
    (a, va), (b, vb) = out
    assert a == b
    assert va.shape == vb.shape
    np.testing.assert_allclose(va, vb, rtol=1e-4, atol=1e-5, equal_nan=True)
