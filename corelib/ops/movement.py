"""Shape and indexing primitives: views (reshape, permute, expand, basic indexing), cat, gather,
scatter, where, flip, roll, tile, and the sorting ops built on gather."""
import builtins

import numpy as np

from corelib.autograd import Function
from corelib import _dtype as D
from corelib import _tensor as T
from corelib.ops._util import wrap_dim, dims_tuple, named, host_array, not_implemented_for
from corelib.ops.convert import cast
from corelib.ops.reduce import Expand, return_types

Tensor = T.Tensor


class Reshape(Function):
    is_view = True

    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, gy):
        return gy.reshape(self.in_shape)


class Permute(Function):
    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, gy):
        return gy.permute(tuple(np.argsort(self.dims)))


class Index(Function):
    """x[idx]; basic indexing gives a view, advanced indexing a copy."""
    is_view = True

    def forward(self, x, idx):
        self.in_shape = x.shape
        self.idx = idx
        return x[idx]

    def backward(self, gy):
        return IndexBackward.apply(gy, self.in_shape, self.idx)


class IndexBackward(Function):
    def forward(self, g, shape, idx):
        self.idx = idx
        out = self.xp.zeros(shape, dtype=g.dtype)
        if _is_basic(idx):
            out[idx] = g
        else:
            self.xp.add.at(out, idx, g)
        return out

    def backward(self, gg):
        return Index.apply(gg, self.idx)


class IndexPut(Function):
    """out = x.clone(); out[idx] = v (the out-of-place form of setitem / index_put)."""

    def forward(self, x, v, idx, accumulate=False):
        self.idx = idx
        out = x.copy()
        if accumulate:
            self.xp.add.at(out, idx, v)
        else:
            out[idx] = v
        return out

    def backward(self, gy):
        gx = gv = None
        if self.needs_input_grad[0]:
            gx = IndexFill.apply(gy, self.idx, 0) if not self.accumulate_flag() else gy
        if self.needs_input_grad[1]:
            gv = Index.apply(gy, self.idx)
            vshape = self._inputs[1].shape
            if tuple(gv.shape) != tuple(vshape):
                from corelib.ops.reduce import sum_to
                gv = sum_to(gv, vshape) if len(vshape) <= gv.dim() else gv.reshape(vshape)
        return gx, gv

    def accumulate_flag(self):
        return len(self._inputs) > 3 and self._inputs[3]


class IndexFill(Function):
    def forward(self, x, idx, value):
        self.idx = idx
        out = x.copy()
        out[idx] = value
        return out

    def backward(self, gy):
        return IndexFill.apply(gy, self.idx, 0)


def _is_basic(idx):
    if not isinstance(idx, tuple):
        idx = (idx,)
    return builtins.all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer)) for i in idx)


class Cat(Function):
    def forward(self, *xs, dim):
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return self.xp.concatenate(xs, axis=dim)

    def backward(self, gy):
        out, start = [], 0
        for n, need in zip(self.sizes, self.needs_input_grad):
            out.append(gy.narrow(self.dim, start, n) if need else None)
            start += n
        return tuple(out)


class Flip(Function):
    def forward(self, x, dims):
        self.dims = dims
        return self.xp.flip(x, dims).copy()

    def backward(self, gy):
        return gy.flip(self.dims)


class Roll(Function):
    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return self.xp.roll(x, shifts, dims)

    def backward(self, gy):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(gy, neg, self.dims)


class Tile(Function):
    def forward(self, x, reps):
        self.in_shape = x.shape
        self.reps = reps
        return self.xp.tile(x, reps)

    def backward(self, gy):
        shape = (1,) * (len(self.reps) - len(self.in_shape)) + tuple(self.in_shape)
        inter = []
        for r, s in zip(self.reps, shape):
            inter += [r, s]
        g = gy.reshape(inter).sum(dim=tuple(range(0, len(inter), 2)))
        return g.reshape(self.in_shape)


class Gather(Function):
    def forward(self, x, dim, index):
        self.meta = (x.shape, dim, index)
        return self.xp.take_along_axis(x, index, axis=dim)

    def backward(self, gy):
        shape, dim, index = self.meta
        return ScatterAddInto.apply(gy, shape, dim, index)


class ScatterAddInto(Function):
    """zeros(shape).scatter_add_(dim, index, g): the backward of gather."""

    def forward(self, g, shape, dim, index):
        self.meta = (dim, index)
        out = self.xp.zeros(shape, dtype=g.dtype)
        self.xp.add.at(out, _along(index, dim, self.xp), g)
        return out

    def backward(self, gg):
        dim, index = self.meta
        return Gather.apply(gg, dim, index)


def _along(index, dim, xp=np):
    """Full fancy-index tuple addressing out[..., index, ...] along dim (for add.at / put); the
    other dims' aranges are made by ``xp`` (on the device for cuda: no upload per call)."""
    nd = index.ndim
    idx = [xp.arange(s).reshape((1,) * d + (s,) + (1,) * (nd - d - 1))
           for d, s in enumerate(index.shape)]
    idx[dim] = index
    return tuple(idx)


class Scatter(Function):
    def forward(self, x, dim, index, src, reduce):
        self.meta = (dim, index)
        out = x.copy()
        at = _along(index, dim, self.xp)
        if isinstance(src, (int, float, bool, np.generic)):
            src = self.xp.full(index.shape, src, dtype=x.dtype)
        elif src.shape != index.shape:
            src = src[tuple(slice(0, s) for s in index.shape)]
        if reduce is None:
            out[at] = src
        elif reduce in ("add", "sum"):
            self.xp.add.at(out, at, src)
        elif reduce in ("multiply", "prod"):
            self.xp.multiply.at(out, at, src)
        elif reduce == "amax":
            self.xp.maximum.at(out, at, src)
        elif reduce == "amin":
            self.xp.minimum.at(out, at, src)
        elif reduce == "mean":
            cnt = self.xp.ones_like(out)
            self.xp.add.at(out, at, src)
            self.xp.add.at(cnt, at, 1)
            out = (out / cnt).astype(x.dtype)
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply (or sum, prod, mean, "
                               f"amax, amin for scatter_reduce), got {reduce!r}")
        self.reduce = reduce
        return out

    def backward(self, gy):
        dim, index = self.meta
        from corelib._creation import _wrap
        idx_t = _wrap(index, gy.device)
        gx = gsrc = None
        if self.reduce is None:
            if self.needs_input_grad[0]:
                gx = Scatter.apply(gy, dim, index, 0, None)
            if len(self.needs_input_grad) > 3 and self.needs_input_grad[3]:
                gsrc = gy.gather(dim, idx_t)
        elif self.reduce in ("add", "sum"):
            gx = gy
            if self.needs_input_grad[3]:
                gsrc = gy.gather(dim, idx_t)
        else:
            raise RuntimeError(f"the gradient of scatter with reduce={self.reduce!r} is not supported; "
                               f"use scatter_add or compose the reduction from differentiable ops")
        if gsrc is not None:
            sshape = tuple(self._inputs[3].shape)
            if tuple(gsrc.shape) != sshape:      # src larger than index: only its corner was used
                gsrc = IndexBackward.apply(gsrc, sshape, tuple(slice(0, n) for n in index.shape))
        return gx, None, None, gsrc


class ScatterReduce(Function):
    """scatter_reduce: each place gets the sum/prod/mean/amax/amin of the src values sent to it,
    with its own value (include_self) or without; places nothing is sent to keep their value."""
    _ufunc = dict(sum=np.add, mean=np.add, prod=np.multiply, amax=np.maximum, amin=np.minimum)

    def forward(self, x, dim, index, src, reduce, include_self):
        xp = self.xp
        at = _along(index, dim, self.xp)
        src = src[tuple(slice(0, n) for n in index.shape)]
        out = x.copy()
        hit = xp.zeros(x.shape, dtype=bool)
        hit[at] = True
        if not include_self:
            big = np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max if x.dtype.kind in "iu" else True
            out[hit] = dict(sum=0, mean=0, prod=1, amax=-big if x.dtype.kind != "b" else False, amin=big)[reduce]
        getattr(xp, self._ufunc[reduce].__name__).at(out, at, src)
        cnt = None
        if reduce == "mean":
            cnt = xp.full(x.shape, 1 if include_self else 0, dtype=np.int64)
            xp.add.at(cnt, at, 1)
            cnt = xp.maximum(cnt, 1)
            out = (out / cnt).astype(x.dtype) if x.dtype.kind == "f" else xp.floor_divide(out, cnt).astype(x.dtype)
        self.meta = (dim, index, reduce, include_self, hit, cnt)
        if reduce in ("amax", "amin"):
            self.retain_inputs(0, 3)
            self.retain_output()
        return out

    def backward(self, gy):
        from corelib._creation import _wrap
        dim, index, reduce, include_self, hit, cnt = self.meta
        idx_t, hit_t = _wrap(index, gy.device), _wrap(hit, gy.device)
        if reduce == "prod":
            raise RuntimeError("the gradient of scatter_reduce(reduce='prod') is not supported; "
                               "compose the product from differentiable ops (e.g. exp of a scatter_add of logs)")
        keep_self = 1.0 if include_self else ~hit_t
        if reduce in ("sum", "mean"):
            g = gy / _wrap(cnt, gy.device) if reduce == "mean" else gy
            gx, gsrc = g * keep_self, g.gather(dim, idx_t)
        else:                      # amax/amin: split evenly among the values equal to the result
            x, src = self.saved_inputs()
            res = self.saved_output().detach()
            src = src.detach()[tuple(slice(0, n) for n in index.shape)]
            self_is = (x.detach() == res).to(gy.dtype) * keep_self
            src_is = (src == res.gather(dim, idx_t)).to(gy.dtype)
            share = gy / self_is.scatter_add(dim, idx_t, src_is)
            gx, gsrc = self_is * share, src_is * share.gather(dim, idx_t)
        sshape = tuple(self._inputs[3].shape)
        if tuple(gsrc.shape) != sshape:          # src larger than index: only its corner was used
            gsrc = IndexBackward.apply(gsrc, sshape, tuple(slice(0, n) for n in index.shape))
        return gx, None, None, gsrc


class Where(Function):
    def forward(self, cond, a, b):
        self.save_for_backward(cond)
        if self.xp is np:
            from corelib.ops._special import where_np
            return where_np(cond, a, b)
        return self.xp.where(cond, a, b)

    def backward(self, gy):
        c, = self.saved_tensors
        ga = gb = None
        # a where, not gy * c: an inf/nan gy must give the unselected branch 0, as PyTorch
        if self.needs_input_grad[1]:
            ga = where(c, gy, 0)
        if self.needs_input_grad[2]:
            gb = where(c, 0, gy)
        return None, ga, gb


class Tril(Function):
    def forward(self, x, k, upper):
        self.k, self.upper = k, upper
        return (self.xp.triu if upper else self.xp.tril)(x, k)

    def backward(self, gy):
        return Tril.apply(gy, self.k, self.upper)


# ---- public functions ------------------------------------------------------------------------
def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, T.Size)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape, numel, orig):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(input, *shape):
    shape = _infer(_shape_arg(shape), input._data.size, input._data.shape)
    if shape == input._data.shape:
        return named(Reshape.apply(input, shape), "ViewBackward0") if input._rg else _alias(input)
    return named(Reshape.apply(input, shape), "ViewBackward0" if input._data.flags.c_contiguous
                 else "UnsafeViewBackward0")


def _alias(x):
    return Reshape.apply(x, x._data.shape)


def view(input, *shape):
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        dt = shape[0]
        from corelib._creation import _wrap
        return _wrap(input._data.view(dt.np), input.device)
    shape = _infer(_shape_arg(shape), input._data.size, input._data.shape)
    a = input._data
    if not a.flags.c_contiguous and a.size > 1:
        # numpy's no-copy reshape rule, on a 1-byte stand-in with a's strides (any device)
        test = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), a.shape,
                                               [st // a.itemsize for st in a.strides]).view()
        try:
            test.shape = shape
        except AttributeError:
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least one "
                f"dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None
    return named(Reshape.apply(input, shape), "ViewBackward0")


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (-1 if input._data.size else int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def unflatten(input, dim, sizes):
    d = wrap_dim(dim, input._data.ndim)
    shp = input._data.shape
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer(sizes, shp[d], None)
    if int(np.prod(sizes)) != shp[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shp[d]}) in the input tensor")
    return reshape(input, shp[:d] + sizes + shp[d + 1:])


def permute(input, *dims):
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        return _alias(input)
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return named(Permute.apply(input, tuple(dims)), "TransposeBackward0")


swapaxes = swapdims = transpose


def t(input):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return named(transpose(input, 0, 1) if nd == 2 else _alias(input), "TBackward0")


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [wrap_dim(s, nd) for s in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [wrap_dim(s, nd) for s in (destination if isinstance(destination, (list, tuple)) else [destination])]
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(ds)})")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should "
                           f"contain the same number of dims as destination ({dst} dims)")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))


moveaxis = movedim


def squeeze(input, dim=None):
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = dims_tuple(dim, len(shp)) if shp else ()
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return named(Reshape.apply(input, new), "SqueezeBackward0" if dim is None else
                 "SqueezeBackward2" if isinstance(dim, (tuple, list)) else "SqueezeBackward1")


def unsqueeze(input, dim):
    nd = input._data.ndim
    d = wrap_dim(dim, nd + 1)
    shp = input._data.shape
    return named(Reshape.apply(input, shp[:d] + (1,) + shp[d:]), "UnsqueezeBackward0")


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(shp)})")
    lead = len(sizes) - len(shp)
    new = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"expand: -1 is not allowed in a leading, non-existing dimension {i}")
            new.append(s)
        else:
            cur = shp[i - lead]
            if s == -1:
                s = cur
            if cur != s and cur != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                    f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shp)}")
            new.append(s)
    new = tuple(new)
    if new == shp:
        return _alias(input) if input._rg else input
    return Expand.apply(input, new)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


def broadcast_shapes(*shapes):
    try:
        return T.Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}") from None


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    from corelib.ops.convert import clone
    return clone(input)


def _index_node_name(idx):
    """torch's grad_fn name for t[idx]: the last basic-indexing step, or Index for advanced."""
    if isinstance(idx, slice):
        return "SliceBackward0"
    last = None
    for i in (idx if isinstance(idx, tuple) else (idx,)):
        if i is Ellipsis:
            continue
        if i is None:
            last = "UnsqueezeBackward0"
        elif isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
            last = "SelectBackward0"
        elif isinstance(i, slice):
            if i != slice(None):
                last = "SliceBackward0"
        else:
            return "IndexBackward0"
    return last or "AliasBackward0"


def _convert_index(idx, ndim=None):
    if isinstance(idx, tuple):
        idx = tuple(_convert_one(i) for i in idx)
        if ndim is not None and builtins.any(i is Ellipsis for i in idx):
            # NOTE: an Ellipsis that stands for no dims does not separate advanced indices in
            # torch (numpy says it does: x[:, mask, ..., [1]] is (1, 2) in torch, (2, 1) in numpy)
            eats = builtins.sum(0 if i is None or i is Ellipsis else
                                i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else
                                0 if isinstance(i, (bool, np.bool_)) else 1 for i in idx)
            if eats == ndim:
                idx = tuple(i for i in idx if i is not Ellipsis)
        return idx
    if isinstance(idx, list):
        return _convert_one(idx)
    return _convert_one(idx)


def _convert_one(i):
    if isinstance(i, Tensor):
        a = i._data if i._device.type == "cpu" else i.cpu()._data
        if a.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return a.astype(bool) if a.dtype == np.uint8 else a      # a byte tensor is a mask, as in torch
    if isinstance(i, list):
        a = np.asarray([x._data if isinstance(x, Tensor) else x for x in i])
        if a.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return a
    if isinstance(i, (float,)):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         "Variables are valid indices")
    return i


def _ints_first(idx):
    """(ints-and-slices key, rest) when idx mixes integers with advanced indices, else None.

    NOTE: torch selects integer indices first, so they never count when placing the dims of
    separated advanced indices; numpy counts them as advanced (x[0, :, [1, 2]] is (3, 2) in torch,
    (2, 3) in numpy). Indexing with the two keys in turn gives torch's result."""
    if not isinstance(idx, tuple):
        return None
    is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in idx]
    if not (builtins.any(is_int) and builtins.any(isinstance(i, np.ndarray) for i in idx)):
        return None
    first, rest = [], []
    for i, integer in zip(idx, is_int):
        if integer:
            first.append(i)
        elif isinstance(i, (np.ndarray, bool, np.bool_)):
            first += [slice(None)] * (i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else
                                      0 if not isinstance(i, np.ndarray) else 1)
            rest.append(i)
        else:
            first.append(i)
            rest.append(i if i is Ellipsis else slice(None))
    return tuple(first), tuple(rest)


def getitem(input, idx):
    idx = _convert_index(idx, input._data.ndim)
    split = _ints_first(idx)
    if split is not None:
        return getitem(getitem(input, split[0]), split[1])
    try:
        return named(Index.apply(input, idx), _index_node_name(idx))
    except IndexError as e:
        raise IndexError(f"{e} (indexing a tensor of shape {tuple(input.shape)})") from None


def select(input, dim, index):
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    return named(Index.apply(input, (slice(None),) * d + (index,)), "SelectBackward0")


# ---- as_strided: a view by explicit sizes and strides over the tensor's storage ------------------------
def _storage(t):
    """(storage numel, t's element offset in it): the storage is the memory of t's base tensor
    (a numpy array's root array on cpu)."""
    a = t._data
    if t._device is T.CPU:
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        off = (a.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // a.itemsize
        return root.size, off
    base = t._base if t._base is not None else t
    return base._data._off + base._data.size, a._off


class AsStrided(Function):
    is_view = True

    def forward(self, x, size, stride, offset, numel, x_geom):
        self.geom, self.numel, self.x_geom = (size, stride, offset), numel, x_geom
        if isinstance(x, np.ndarray):
            root = x
            while isinstance(root.base, np.ndarray):
                root = root.base
            return np.ndarray(size, x.dtype, buffer=root.reshape(-1), offset=offset * x.itemsize,
                              strides=[s * x.itemsize for s in stride])
        from corelib.backends.cuda.xp import _arr
        return _arr(x._blk, tuple(size), tuple(stride), offset, x.dtype)

    def backward(self, gy):
        # each output element's storage position gets its gradient added; the input's elements
        # then read theirs through the input's own geometry
        from corelib._creation import zeros, _wrap
        size, stride, offset = self.geom
        offs = np.full(size, offset, np.int64)
        for d, (n, st) in enumerate(zip(size, stride)):
            offs = offs + (np.arange(n, dtype=np.int64) * st).reshape((-1,) + (1,) * (len(size) - d - 1))
        gs = zeros(self.numel, dtype=gy.dtype, device=gy.device)
        gs = index_add(gs, 0, _wrap(offs.reshape(-1), gy.device), gy.reshape(-1))
        xs, xst, xoff = self.x_geom
        return as_strided(gs, xs, xst, xoff), None, None, None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes and (element) strides, starting at
    storage_offset (input's own offset when None), as torch.as_strided."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes and "
                           f"{len(stride)} strides")
    if builtins.any(s < 0 for s in size + stride):
        raise RuntimeError(f"as_strided: negative sizes or strides are not supported: size "
                           f"{list(size)}, stride {list(stride)}")
    numel, own = _storage(input)
    offset = own if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    last = offset + builtins.sum((n - 1) * st for n, st in zip(size, stride)) if builtins.all(size) else offset
    if builtins.all(size) and last >= numel:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{offset} require a storage of {last + 1} elements, but it has {numel}")
    x_geom = (tuple(input.shape), input.stride(), own)
    return named(AsStrided.apply(input, size, stride, offset, numel, x_geom), "AsStridedBackward0")


def narrow(input, dim, start, length):
    d = wrap_dim(dim, input._data.ndim)
    if isinstance(start, Tensor):
        start = int(start.item())
    n = input._data.shape[d]
    if start < 0:
        start += n
    if start < 0 or start + length > n or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Index.apply(input, (slice(None),) * d + (slice(start, start + length),))


def index_select(input, dim, index):
    d = wrap_dim(dim, input._data.ndim)
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"index_select(): Expected dtype int32/int64 for index but got {index.dtype}")
    idx = index._data.reshape(-1)
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError(f"index out of range in self (index_select on dim {dim} of size {n})")
    if input._data.ndim == 0:
        return named(input.reshape(1)[idx], "IndexSelectBackward0")
    return named(Index.apply(input, (slice(None),) * d + (idx,)), "IndexSelectBackward0")


def masked_select(input, mask):
    if mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
    x, m = broadcast_tensors(input, mask)
    return named(Index.apply(x, m._data), "MaskedSelectBackward0")


def masked_fill(input, mask, value):
    if mask.dtype is not D.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.dim()} dimension(s).")
        value = cast(value, input.dtype)
        return where(mask, value, input)
    from corelib._creation import _wrap
    v = _wrap(np.asarray(value, dtype=input._data.dtype), input.device)
    return where(mask, v, input)


def cat(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for i, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t_).__name__}")
    # legacy: 1-D empty tensors are skipped
    ts = [t_ for t_ in tensors if not (t_._data.ndim == 1 and t_._data.shape[0] == 0)] or tensors[:1]
    ref = ts[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, nd)
    rd = ref.dtype
    for i, t_ in enumerate(ts):
        if t_._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t_._data.ndim}")
        for k in range(nd):
            if k != d and t_._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref._data.shape[k]} but got size {t_._data.shape[k]} for tensor number {i} in the list.")
        rd = D.promote_types(rd, t_.dtype)
    ts = [cast(t_, rd) for t_ in ts]
    r = Cat.apply(*ts, dim=d)
    if out is not None:
        from corelib.ops.inplace import copy_into_out
        return copy_into_out(out, r)
    return r


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0].shape
    for i, t_ in enumerate(tensors):
        if t_.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at "
                               f"entry 0 and {list(t_.shape)} at entry {i}")
    d = wrap_dim(dim, len(s0) + 1)
    r = cat([unsqueeze(t_, d) for t_ in tensors], d, out=out)
    return named(r, "StackBackward0") if out is None else r


def hstack(tensors):
    tensors = [atleast_1d(t_) for t_ in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t_) for t_ in tensors], 0)


def atleast_1d(x):
    return x.reshape(1) if x.dim() == 0 else x


def atleast_2d(x):
    return x.reshape(1, -1) if x.dim() < 2 else x


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return tuple(narrow(input, d, 0, 0) for _ in range(builtins.min(chunks, 1) if n else chunks))
    return split(input, size, d)


def split(tensor, split_size_or_sections, dim=0):
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        s = int(split_size_or_sections)
        if s <= 0 and n > 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if s > 0 else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    out, start = [], 0
    node = "SplitBackward0" if isinstance(split_size_or_sections, (int, np.integer)) else \
        "SplitWithSizesBackward0"
    for s in sizes:
        out.append(named(narrow(tensor, d, start, s), node))
        start += s
    return tuple(out)


def tensor_split(input, indices_or_sections, dim=0):
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
    else:
        if isinstance(indices_or_sections, Tensor):
            indices_or_sections = indices_or_sections.tolist()
        idx = [0] + [int(i) for i in indices_or_sections] + [n]
        # unsorted indices give empty pieces, as in torch: not a split of the whole dim
        return tuple(Index.apply(input, (slice(None),) * d + (slice(a, builtins.max(a, b)),))
                     for a, b in zip(idx[:-1], idx[1:]))
    return split(input, sizes, d)


def unbind(input, dim=0):
    d = wrap_dim(dim, input._data.ndim)
    return tuple(select(input, d, i) for i in range(input._data.shape[d]))


def flip(input, dims):
    if isinstance(dims, int):
        dims = (dims,)
    return Flip.apply(input, dims_tuple(dims, input._data.ndim))


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


def roll(input, shifts, dims=None):
    if dims is None:
        return roll(input.flatten(), shifts, 0).view(input.shape)
    if isinstance(shifts, int):
        shifts = (shifts,)
    if isinstance(dims, int):
        dims = (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return Roll.apply(input, tuple(shifts), tuple(dims))


def repeat(input, *sizes):
    sizes = _shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    return Tile.apply(input, sizes)


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input._data.ndim:
        dims = (1,) * (input._data.ndim - len(dims)) + dims
    return Tile.apply(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:        # repeat_interleave(repeats_tensor)
        r = host_array(input)
        from corelib._creation import _wrap
        return _wrap(np.repeat(np.arange(len(r)), r).astype(np.int64), input.device)
    x = input.flatten() if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    reps = host_array(repeats) if isinstance(repeats, Tensor) else repeats
    if np.ndim(reps) == 1 and len(reps) not in (1, n):
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {len(reps)} and input.size({d}) = {n}")
    if np.any(np.asarray(reps) < 0):
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(n), reps)
    return Index.apply(x, (slice(None),) * d + (idx,))


def gather(input, dim, index, *, sparse_grad=False):
    d = wrap_dim(dim, input._data.ndim)
    if index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
    idx = index._data.astype(np.int64, copy=False)
    if idx.ndim != input._data.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                           f"(index {idx.ndim}D, input {input._data.ndim}D)")
    shp = input._data.shape
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > shp[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)} "
                               f"to be smaller than self {list(shp)} apart from dimension {d}")
    _check_bounds(idx, shp[d], d)
    x = input
    if builtins.any(idx.shape[k] < shp[k] for k in range(idx.ndim) if k != d):
        x = Index.apply(input, tuple(slice(None) if k == d else slice(0, idx.shape[k]) for k in range(idx.ndim)))
    return Gather.apply(x, d, idx)


def _check_bounds(idx, n, d):
    if idx.size and (idx.max() >= n or idx.min() < 0):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")


def _scatter_checks(input, dim, index, src, name):
    d = wrap_dim(dim, input._data.ndim)
    if index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    idx = index._data.astype(np.int64, copy=False)
    if idx.ndim != input._data.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as self tensor")
    _check_bounds(idx, input._data.shape[d], d)
    if isinstance(src, Tensor) and src.dtype is not input.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype "
                           f"({input.dtype} vs {src.dtype})")
    return d, idx


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    if src is None:
        src = value
    d, idx = _scatter_checks(input, dim, index, src, "scatter")
    if isinstance(src, Tensor):
        return Scatter.apply(input, d, idx, src, reduce)
    return Scatter.apply(input, d, idx, input._data.dtype.type(src), reduce)


def scatter_add(input, dim, index, src):
    d, idx = _scatter_checks(input, dim, index, src, "scatter_add")
    return Scatter.apply(input, d, idx, src, "add")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    d, idx = _scatter_checks(input, dim, index, src, "scatter_reduce")
    if reduce not in ScatterReduce._ufunc:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return ScatterReduce.apply(input, d, idx, src, reduce, include_self)


def index_add(input, dim, index, source, *, alpha=1):
    d = wrap_dim(dim, input._data.ndim)
    _check_bounds(index._data, input._data.shape[d] if input._data.ndim else 1, d)
    if alpha != 1:
        source = source * alpha
    return IndexPut.apply(input, source, (slice(None),) * d + (index._data,), True)


def index_fill(input, dim, index, value):
    d = wrap_dim(dim, input._data.ndim)
    return IndexFill.apply(input, (slice(None),) * d + (index._data,), value)


def index_copy(input, dim, index, source):
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d] if input._data.ndim else 1
    if index._data.size and (index._data.min() < 0 or index._data.max() >= n):
        raise IndexError(f"index_copy_(): index {int(index._data.max())} is out of bounds for "
                         f"dimension {d} with size {n}")
    return IndexPut.apply(input, source, (slice(None),) * d + (index._data,))


def take(input, index):
    return Index.apply(input.reshape(-1), index._data)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return take(input, indices.reshape(-1))
    return gather(input, dim, indices.expand(*[i if k == wrap_dim(dim, input.dim()) else s for k, (s, i)
                                               in enumerate(zip(input.shape, indices.shape))]))


def where(condition, input=None, other=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if condition.dtype is not D.bool_:
        if condition.dtype is D.uint8:
            condition = condition.bool()
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                               f"with dtype {condition.dtype}")
    from corelib.ops.elementwise import _promote
    from corelib._creation import _wrap
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        rd = D.result_type(input, other)
        input = _wrap(np.asarray(input, dtype=rd.np), condition.device)
    a, b = _promote(input, other)
    if not isinstance(a, Tensor):
        a = _wrap(np.asarray(a, dtype=b._data.dtype), b.device)
    if not isinstance(b, Tensor):
        b = _wrap(np.asarray(b, dtype=a._data.dtype), a.device)
    return Where.apply(condition, a, b)


def nonzero(input, *, as_tuple=False):
    from corelib._creation import _wrap
    nz = np.nonzero(input._data if input._data.ndim else input._data.reshape(1))
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64), input.device) for i in nz)
    r = np.stack(nz, axis=1).astype(np.int64)
    return _wrap(r[:, :input._data.ndim], input.device)      # a 0-d input gives (n, 0)


def argwhere(input):
    return nonzero(input)


def tril(input, diagonal=0):
    _check_2d(input, "tril")
    return Tril.apply(input, diagonal, False)


def triu(input, diagonal=0):
    _check_2d(input, "triu")
    return Tril.apply(input, diagonal, True)


def _check_2d(input, name):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape {list(input.shape)}")


def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    n1, n2 = input._data.shape[d1], input._data.shape[d2]
    if offset >= 0:
        k = builtins.max(0, builtins.min(n1, n2 - offset))
        i1, i2 = np.arange(k), np.arange(k) + offset
    else:
        k = builtins.max(0, builtins.min(n1 + offset, n2))
        i1, i2 = np.arange(k) - offset, np.arange(k)
    x = movedim(input, (d1, d2), (-2, -1))
    return Index.apply(x, (Ellipsis, i1, i2))


def diag(input, diagonal=0):
    if input.dim() not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")
    if input.dim() == 1:
        n = input.shape[0] + builtins.abs(diagonal)
        from corelib._creation import zeros
        z = zeros(n, n, dtype=input.dtype, device=input.device)
        i = np.arange(input.shape[0])
        idx = (i, i + diagonal) if diagonal >= 0 else (i - diagonal, i)
        return IndexPut.apply(z, input, idx)
    return globals()["diagonal"](input, diagonal)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    nd = input.dim() + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    k, n = input.shape[-1], input.shape[-1] + builtins.abs(offset)
    from corelib._creation import zeros
    z = zeros(*input.shape[:-1], n, n, dtype=input.dtype, device=input.device)
    i = np.arange(k)
    out = IndexPut.apply(z, input, (Ellipsis,) + ((i, i + offset) if offset >= 0 else (i - offset, i)))
    return movedim(out, (-2, -1), (d1, d2))


def trace(input):
    return diagonal(input).sum()


# ---- sorting -----------------------------------------------------------------------------------
def sort(input, dim=-1, descending=False, stable=False):
    from corelib._creation import _wrap
    a = input._data
    if a.ndim == 0:
        return return_types["sort"](input.clone(), _wrap(np.array(0, np.int64), input.device))
    d = wrap_dim(dim, a.ndim)
    if descending:
        # stable descending order that keeps NaN first (NaN is the largest, as in torch)
        key = -a if a.dtype.kind in "fi" else (~a if a.dtype.kind == "b" else -(a.astype(np.int64)))
        idx = np.argsort(key, axis=d, kind="stable")
        if a.dtype.kind == "f":
            nan = np.isnan(np.take_along_axis(a, idx, d))
            if nan.any():
                order = np.argsort(~nan, axis=d, kind="stable")
                idx = np.take_along_axis(idx, order, d)
    else:
        idx = np.argsort(a, axis=d, kind="stable")
    idx_t = _wrap(idx.astype(np.int64), input.device)
    return return_types["sort"](named(gather(input, d, idx_t), "SortBackward0"), idx_t)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def msort(input):
    return sort(input, 0).values


def _no_bool(input, kernel):
    if input.dtype is D.bool_:
        raise not_implemented_for(kernel, input)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    from corelib._creation import _wrap
    if input.dtype is D.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    a = input._data
    d = wrap_dim(-1 if dim is None else dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k={k}, size of dim {dim} is {n})")
    idx = sort(input, d, descending=largest).indices._data
    idx = np.take(idx, np.arange(k), axis=d) if a.ndim else idx.reshape(())
    # (np.ascontiguousarray makes a 0-d array 1-d)
    idx_t = _wrap(np.ascontiguousarray(idx) if isinstance(idx, np.ndarray) and a.ndim else idx, input.device)
    vals = named(gather(input, d, idx_t) if a.ndim else input.clone(), "TopkBackward0")
    if out is not None:
        from corelib.ops.inplace import copy_into_out
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("topk(): out must be a tuple of two tensors (values, indices)")
        vals, idx_t = copy_into_out(out[0], vals), copy_into_out(out[1], idx_t)
    return return_types["topk"](vals, idx_t)


def kthvalue(input, k, dim=-1, keepdim=False):
    from corelib._creation import _wrap
    _no_bool(input, "kthvalue_cpu")
    d = wrap_dim(dim, input.dim())
    n = input.shape[d] if input.dim() else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension {dim} of size {n}")
    if input.dim() == 0:
        return return_types["kthvalue"](input.clone(), _wrap(np.array(0, np.int64), input.device))
    idx = sort(input, d).indices._data
    sel = np.take(idx, [k - 1], axis=d)
    idx_t = _wrap(sel, input.device)
    vals = gather(input, d, idx_t)
    if not keepdim:
        vals, idx_t = vals.squeeze(d), idx_t.squeeze(d)
    return return_types["kthvalue"](vals, idx_t)


def median(input, dim=None, keepdim=False):
    """The lower median; a slice holding NaN has median NaN (as torch; see nanmedian)."""
    from corelib._creation import _wrap
    _no_bool(input, "median_cpu")
    if dim is None:
        if input._data.size == 0:             # as torch: nan (and a zero gradient)
            return named(input.sum() * float("nan"), "MedianBackward0")
        return median(input.reshape(-1), 0).values
    d = wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return return_types["median"](input.clone(), _wrap(np.array(0, np.int64), input.device))
    am = np.moveaxis(input._data, d, -1)
    idx = np.argsort(am, axis=-1, kind="stable")[..., (am.shape[-1] - 1) // 2]
    if am.dtype.kind == "f":
        nan = np.isnan(am)
        idx = np.where(nan.any(-1), nan.argmax(-1), idx)
    idx_t = _wrap(np.expand_dims(idx, d).astype(np.int64), input.device)
    vals = gather(input, d, idx_t)
    if not keepdim:
        vals, idx_t = vals.squeeze(d), idx_t.squeeze(d)
    return return_types["median"](vals, idx_t)


def nanmedian(input, dim=None, keepdim=False):
    """The lower median ignoring NaN."""
    from corelib._creation import _wrap
    _no_bool(input, "median_cpu")
    if dim is None:
        if input._data.size == 0:             # as torch: nan (and a zero gradient)
            return named(input.sum() * float("nan"), "NanmedianBackward0")
        return nanmedian(input.reshape(-1), 0).values
    d = wrap_dim(dim, input.dim())
    if input.dim() == 0:
        return return_types["median"](input.clone(), _wrap(np.array(0, np.int64), input.device))
    a = input._data
    cnt = (~np.isnan(a)).sum(axis=d, keepdims=True) if a.dtype.kind == "f" else \
        np.full(a.shape[:d] + (1,) + a.shape[d + 1:], a.shape[d])
    order = np.argsort(a, axis=d, kind="stable")       # NaN sorts last
    k = np.maximum((cnt - 1) // 2, 0)
    idx = np.take_along_axis(order, k.astype(np.int64), axis=d)
    idx_t = _wrap(idx.astype(np.int64), input.device)
    vals = gather(input, d, idx_t)
    if not keepdim:
        vals, idx_t = vals.squeeze(d), idx_t.squeeze(d)
    return return_types["median"](vals, idx_t)


def mode(input, dim=-1, keepdim=False):
    from corelib._creation import _wrap
    if input.dim() == 0:
        wrap_dim(dim, 1)
        return return_types["mode"](input.clone(), _wrap(np.array(0, np.int64), input.device))
    d = wrap_dim(dim, input.dim())
    a = np.moveaxis(input._data, d, -1)
    flat = a.reshape(-1, a.shape[-1])
    vals = np.empty(flat.shape[0], dtype=a.dtype)
    idxs = np.empty(flat.shape[0], dtype=np.int64)
    for r in range(flat.shape[0]):
        u, c = np.unique(flat[r], return_counts=True)
        v = u[np.argmax(c)]
        vals[r] = v
        idxs[r] = np.nonzero(flat[r] == v)[0][-1]
    idx_t = _wrap(np.expand_dims(idxs.reshape(a.shape[:-1]), d), input.device)
    vals = gather(input, d, idx_t)
    if not keepdim:
        vals, idx_t = vals.squeeze(d), idx_t.squeeze(d)
    return return_types["mode"](named(vals, "ModeBackward0"), idx_t)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    from corelib._creation import _wrap
    res = np.unique(input._data, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not isinstance(res, tuple):
        return _wrap(res, input.device)
    out = [_wrap(res[0], input.device)]
    if return_inverse:
        out.append(_wrap(res[1].reshape(input._data.shape if dim is None else -1).astype(np.int64), input.device))
    if return_counts:
        out.append(_wrap(res[-1].astype(np.int64), input.device))
    return tuple(out)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    from corelib._creation import _wrap
    if side is not None and right and side != "right":
        raise RuntimeError(f"searchsorted(): side and right can't be set to opposites, got side of "
                           f"{side} while right was True")
    side = side or ("right" if right else "left")
    v = host_array(values)
    s = host_array(sorted_sequence)
    if sorter is not None:
        s = np.take_along_axis(s, host_array(sorter), -1)
    if s.ndim == 1:
        r = np.searchsorted(s, v, side=side)
    else:
        if s.shape[:-1] != v.shape[:-1]:
            raise RuntimeError(f"searchsorted(): boundaries tensor should be 1 dimension or the first "
                               f"N-1 dimensions of boundaries tensor and input value tensor must "
                               f"match, but we got boundaries tensor {list(s.shape)} and input value "
                               f"tensor {list(v.shape)}")
        s2, v2 = s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1])
        r = np.stack([np.searchsorted(s2[i], v2[i], side=side) for i in range(s2.shape[0])]).reshape(v.shape)
    return _wrap(np.asarray(r, dtype=np.int32 if out_int32 else np.int64), sorted_sequence.device)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    n = len(tensors)
    shape = [t_.numel() for t_ in tensors]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t_ in enumerate(tensors):
        s = [1] * n
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        s[pos] = -1
        out.append(t_.reshape(s).expand(shape))
    return tuple(out)

