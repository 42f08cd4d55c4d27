"""Norm layers and PReLU with parameters of another float dtype than the input: refused as
PyTorch's CPU kernels do, except a float16 input with float32 parameters (float16 output)."""
import numpy as np
import pytest

import corelib as cl
import corelib.nn as nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name,args,kw,train", [
    ("BatchNorm2d", (3,), {}, True), ("BatchNorm2d", (3,), {}, False),
    ("BatchNorm2d", (3,), dict(affine=False), True), ("LayerNorm", (4,), {}, True),
    ("GroupNorm", (1, 3), {}, True), ("InstanceNorm2d", (3,), dict(affine=True), True),
    ("InstanceNorm2d", (3,), dict(track_running_stats=True), True), ("PReLU", (), {}, True)])
@pytest.mark.parametrize("dtype", [np.float64, np.float16])
def test_mixed_dtypes_as_torch(name, args, kw, train, dtype):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(dtype)
    tm = getattr(torch.nn, name)(*args, **kw).train(train)
    cm = getattr(nn, name)(*args, **kw).train(train)
    try:
        want = tm(torch.tensor(x))
    except RuntimeError:
        with pytest.raises(RuntimeError, match="dtype|Type promoting"):
            cm(cl.tensor(x))
        return
    got = cm(cl.tensor(x))
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.detach().numpy().astype(np.float64),
                               want.detach().numpy().astype(np.float64), rtol=1e-2, atol=1e-2)
