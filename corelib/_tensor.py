"""corelib.Tensor: an n-dimensional array on a device, with autograd metadata.

Storage is a numpy array on "cpu" (a device array on "cuda"). Views (view, reshape of a
contiguous tensor, transpose, permute, squeeze, unsqueeze, expand, basic slicing) share storage
and a version counter with their base; in-place ops bump that counter so autograd can detect a
tensor modified after being saved for backward. Most math methods are attached by corelib.ops.
"""
import weakref

import numpy as np

from corelib import _dtype as D
from corelib._device import device as _device_cls, CPU
from corelib.autograd import grad_mode

_enabled = grad_mode._enabled
_new = object.__new__
_ndarray = np.ndarray


_BACKEND = {}


def _backend(dev):
    b = _BACKEND.get(dev.type)
    if b is None:
        from corelib import backends
        b = _BACKEND[dev.type] = backends.get(dev.type)
    return b


class Size(tuple):
    """The shape of a tensor: a tuple with torch.Size's repr and numel()."""

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"corelib.Size({list(self)})"

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor:
    __slots__ = ("_data", "_device", "_rg", "_grad", "grad_fn", "_vc", "_base", "_view_fn", "_base_gfn",
                 "_hooks", "_post_hooks", "__weakref__", "__dict__")

    def __new__(cls, *args, **kwargs):
        """corelib.Tensor(2, 3) -> uninitialised float32; corelib.Tensor(data) -> float32 copy;
        corelib.Tensor(Size) -> uninitialised of that size (as torch.Tensor)."""
        dt = D.get_default_dtype().np
        if not args:
            arr = np.empty((0,), dtype=dt)
        elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            arr = np.empty(tuple(int(a) for a in args), dtype=dt)
        elif len(args) == 1 and isinstance(args[0], Size):
            arr = np.empty(tuple(args[0]), dtype=dt)
        elif len(args) == 1 and isinstance(args[0], Tensor):
            return _make(args[0]._data, args[0]._device, False, None, cls)
        elif len(args) == 1:
            try:
                arr = np.array(args[0], dtype=dt)
            except (TypeError, ValueError) as e:
                raise TypeError(f"corelib.Tensor(): could not build a tensor from {type(args[0]).__name__}: {e}") from None
        else:
            raise TypeError(f"corelib.Tensor() takes sizes (ints) or one data argument, got {args!r}")
        return _make(arr, CPU, False, None, cls)

    def __init__(self, *args, **kwargs):
        pass

    # ---- basic attributes -------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        d = self._data.dtype
        r = D._FROM_NP.get(d)
        return r if r is not None else D.from_numpy_dtype(d)

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    def pin_memory(self, device=None):
        """A copy marked pinned (corelib's host->device copies do not need page-locked memory,
        so nothing else changes); only cpu tensors can be pinned, as in torch."""
        if self._device is not CPU:
            raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
        if self.is_pinned():
            return self
        out = self.clone()
        out._pinned = True
        return out

    def is_pinned(self, device=None):
        return self.__dict__.get("_pinned", False)

    def get_device(self):
        """The device index of a cuda tensor; -1 for a cpu tensor (as torch)."""
        return -1 if self._device.type == "cpu" else (self._device.index or 0)

    @property
    def layout(self):
        return "strided"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        if self._device is not CPU:
            return self._data._off
        base = self._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0] if self._device is CPU else self._data.data_ptr()

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    @property
    def _version(self):
        return self._vc[0]

    # ---- autograd attributes ----------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if not value:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients "
                               f"(got {self.dtype}); convert first, e.g. t.float()")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being "
                          "accessed. Its .grad attribute won't be populated during "
                          "autograd.backward(). If you indeed want the .grad field to be populated "
                          "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                          "access the non-leaf Tensor by mistake, make sure you access the leaf "
                          "Tensor instead.", UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: {tuple(value.shape)} "
                                   f"vs the tensor's {tuple(self.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type ({value.dtype} vs {self.dtype})")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        t = _make(self._data, self._device)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data
        self._device = value._device

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retain_ref is not None and \
            self.grad_fn._retain_ref() is self

    def retain_grad(self):
        """Keep .grad for this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain_ref = weakref.ref(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a non-None return
        replaces the gradient. Returns a handle with .remove()."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from corelib.utils.hooks import RemovableHandle
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            d = self._hooks
        else:
            fn = self.grad_fn
            if fn._hooks is None:
                fn._hooks = {}
            d = fn._hooks
        h = RemovableHandle(d)
        d[h.id] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from corelib.utils.hooks import RemovableHandle
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h.id] = hook
        return h

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves (see autograd.backward)."""
        from corelib import autograd
        autograd.backward(self, None if gradient is None else [gradient], retain_graph,
                          create_graph, inputs=inputs)

    def detach(self):
        t = _make(self._data, self._device)
        t._vc = self._vc          # shares storage and version counter, but (as in torch) is
        return t                  # not an autograd view: in-place writes to it are allowed

    def detach_(self):
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    # ---- conversion -------------------------------------------------------------------
    def _backend_xp(self):
        return np if self._device is CPU else _backend(self._device).xp

    def numpy(self, force=False):
        if self._device is not CPU:
            if not force:
                raise TypeError(f"can't convert {self._device} tensor to numpy. Use Tensor.cpu() to "
                                f"copy the tensor to host memory first.")
            return self.cpu().numpy()
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.cpu()._data
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to "
                               f"Scalar (item() needs exactly one element)")
        a = self._data if self._device is CPU else self.cpu()._data
        return a.reshape(()).item()

    def tolist(self):
        a = self._data if self._device is CPU else self.cpu()._data
        return a.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} elements is "
                               f"ambiguous (use .any() or .all())")
        return bool(self.item())

    def __complex__(self):
        return complex(self.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __contains__(self, element):
        return bool((self == element).any().item())

    def __reduce_ex__(self, proto):
        return (_rebuild, (self.cpu()._data if self._device is not CPU else self._data,
                           str(self._device), self._rg, type(self), self.__dict__ or None))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment; detach() first")
        xp = self._backend_xp()
        t = _make(xp.array(self._data, copy=True) if xp is np else _backend(self._device).copy(self._data),
                  self._device, self._rg, None, type(self))
        if self.__dict__:
            import copy
            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    def to(self, *args, **kwargs):
        """to(dtype) / to(device) / to(device, dtype) / to(other) with non_blocking, copy."""
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dev, dtype = a._device, a.dtype
            elif isinstance(a, D.dtype) or (isinstance(a, type) and a in (float, int, bool)):
                dtype = a
            elif isinstance(a, (str, _device_cls, int)) and not isinstance(a, bool):
                if isinstance(a, str) and a.replace("torch.", "").replace("corelib.", "") in D._NAMES:
                    dtype = a
                else:
                    dev = a
            elif a is None:
                pass
            else:
                raise TypeError(f"to() received an invalid argument {a!r}; expected a dtype, a "
                                f"device or a Tensor")
        out = self
        if dev is not None:
            dev = _device_cls(dev)
            if dev.type == "cuda" and dev.index is None:
                dev = _device_cls("cuda", 0)
            if dev != self._device:
                from corelib.ops.convert import ToDevice
                out = ToDevice.apply(out, dev)
        if dtype is not None:
            dtype = D.to_dtype(dtype)
            if dtype is not out.dtype:
                from corelib.ops.convert import cast
                out = cast(out, dtype)
        if copy and out is self:
            out = self.clone()
        return out

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False):
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def type(self, dtype=None, non_blocking=False):
        """The legacy type name ('corelib.cuda.FloatTensor'); given a type name or a legacy
        constructor (corelib.FloatTensor, corelib.cuda.LongTensor), the cast (and device move:
        a cpu type name means cpu) to it; given a dtype, the cast."""
        if dtype is None:
            pre = "corelib." if self._device is CPU else "corelib.cuda."
            return pre + D.TORCH_NAMES[self.dtype.name] + "Tensor"
        legacy = getattr(dtype, "_legacy", None)
        if legacy is not None:
            dtype, dev = legacy
            return self.to(dev, dtype)
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            m = {n + "Tensor": D._by_name(k) for k, n in D.TORCH_NAMES.items()}
            name = dtype.split(".")[-1]
            if name not in m:
                raise ValueError(f"invalid type: '{dtype}'")
            return self.to("cuda" if ".cuda." in dtype else "cpu", m[name])
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(D.float32)

    def double(self):
        return self.to(D.float64)

    def half(self):
        return self.to(D.float16)

    def long(self):
        return self.to(D.int64)

    def int(self):
        return self.to(D.int32)

    def short(self):
        return self.to(D.int16)

    def char(self):
        return self.to(D.int8)

    def byte(self):
        return self.to(D.uint8)

    def bool(self):
        return self.to(D.bool_)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from corelib._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self._device,
                      requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from corelib._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from corelib._creation import ones
        return ones(*size, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        from corelib._creation import empty
        return empty(*size, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from corelib._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self._device,
                    requires_grad=requires_grad)

    # ---- printing ---------------------------------------------------------------------
    def __repr__(self):
        from corelib._printing import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return repr(self).__format__(spec)


def _rebuild(arr, dev, rg, cls=Tensor, attrs=None):
    t = _make(arr, CPU, False, None, cls)
    if dev != "cpu":
        t = t.to(dev)
        t = _make(t._data, t._device, False, None, cls)
    t._rg = rg
    if attrs:
        t.__dict__.update(attrs)
    return t


def _make(arr, dev=CPU, rg=False, fn=None, cls=Tensor):
    t = _new(cls)
    t._data = arr
    t._device = dev
    t._rg = rg
    t._grad = None
    t.grad_fn = fn
    t._vc = [0]
    t._base = None
    t._view_fn = None
    t._base_gfn = None
    t._hooks = None
    t._post_hooks = None
    return t


def _wrap_dim(dim, ndim):
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim
