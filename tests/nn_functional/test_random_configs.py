"""Random convolution / transposed convolution / pooling / interpolate / pad configurations
against PyTorch in float64: outputs and input, weight, bias gradients."""
import random

import numpy as np
import pytest

import corelib as cl
import corelib.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def test_random_nn_configs_match_torch():
    bad = 0
    for seed in range(300):
        r=random.Random(seed); rng=np.random.default_rng(seed)
        kind=r.choice(["conv","convT","maxpool","avgpool","adapt","interp","pad"])
        nd=r.choice([1,2,3]) if kind in ("conv","maxpool","avgpool") else 2
        N=r.randint(1,2); C=r.choice([1,2,4]); sp=[r.randint(3,7) for _ in range(nd)]
        x=rng.standard_normal((N,C,*sp))
        try:
            if kind=="conv":
                G=r.choice([g for g in (1,2) if C%g==0]); O=G*r.randint(1,2); k=r.randint(1,3); s=r.randint(1,2); p=r.randint(0,k//2 if k>1 else 0); d=r.randint(1,2)
                w=rng.standard_normal((O,C//G,*([k]*nd))); b=rng.standard_normal(O)
                fn=lambda L,x,w,b: getattr(L.nn.functional if L is torch else F, f"conv{nd}d")(x,w,b,s,p,d,G); args=[x,w,b]
            elif kind=="convT":
                G=1; O=r.randint(1,3); k=r.randint(1,3); s=r.randint(1,2); p=r.randint(0,k-1); op=r.randint(0,s-1); d=1
                w=rng.standard_normal((C,O,k,k)); b=rng.standard_normal(O)
                fn=lambda L,x,w,b: (TF if L is torch else F).conv_transpose2d(x,w,b,s,p,op,G,d); args=[x,w,b]
            elif kind=="maxpool":
                k=r.randint(1,3); s=r.randint(1,3); p=r.randint(0,k//2); cm=r.random()<0.5; d=1
                fn=lambda L,x: getattr(TF if L is torch else F, f"max_pool{nd}d")(x,k,s,p,d,ceil_mode=cm); args=[x]
            elif kind=="avgpool":
                k=r.randint(1,3); s=r.randint(1,3); p=r.randint(0,k//2); cm=r.random()<0.5; cip=r.random()<0.5
                fn=lambda L,x: getattr(TF if L is torch else F, f"avg_pool{nd}d")(x,k,s,p,cm,cip); args=[x]
            elif kind=="adapt":
                o=(r.randint(1,sp[0]), r.randint(1,sp[1])); m=r.choice(["avg","max"])
                fn=lambda L,x: getattr(TF if L is torch else F, f"adaptive_{m}_pool2d")(x,o); args=[x]
            elif kind=="interp":
                sz=(r.randint(2,9), r.randint(2,9)); mode=r.choice(["nearest","bilinear"]); ac=(r.random()<0.5) if mode=="bilinear" else None
                fn=lambda L,x: (TF if L is torch else F).interpolate(x,size=sz,mode=mode,align_corners=ac); args=[x]
            else:
                pd=tuple(r.randint(0,2) for _ in range(4)); mode=r.choice(["constant","reflect","replicate","circular"])
                fn=lambda L,x: (TF if L is torch else F).pad(x,pd,mode=mode); args=[x]
        except Exception as e:
            continue
        res=[]
        for L in (cl, torch):
            ts=[L.tensor(a, requires_grad=True) for a in args]
            try:
                y=fn(L,*ts)
                g=np.random.default_rng(1).standard_normal(tuple(y.shape))
                y.backward(L.tensor(g))
                res.append((y.detach().numpy().copy(), [t.grad.numpy().copy() for t in ts]))
            except Exception as e:
                res.append(("ERR", type(e).__name__+": "+str(e)[:100]))
        (y1,g1),(y2,g2)=res
        if isinstance(y2,str):
            continue
        if isinstance(y1,str):
            bad+=1; print(seed, kind, "corelib err", g1); continue
        if y1.shape!=y2.shape or not np.allclose(y1,y2,atol=1e-9) or not all(np.allclose(a,b,atol=1e-8) for a,b in zip(g1,g2)):
            bad+=1; print(seed, kind, "mismatch", y1.shape, y2.shape)
    assert bad == 0
