"""Collating samples into batches: ``default_collate``, ``default_convert`` and the
extensible ``collate(batch, collate_fn_map=...)`` they are built on, as in
``torch.utils.data._utils.collate``.

Output dtypes follow PyTorch: python floats -> float64, python ints -> int64, bools ->
bool, numpy arrays/scalars keep their dtype, tensors are stacked along a new dim 0.
"""
import collections
import collections.abc
import copy
import re
from typing import Callable, Dict, Optional, Tuple, Type, Union

import numpy as np

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map",
           "collate_tensor_fn", "collate_numpy_array_fn", "collate_numpy_scalar_fn",
           "collate_float_fn", "collate_int_fn", "collate_str_fn"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}")

default_convert_err_msg_format = None  # default_convert never raises on unknown types


def _Tensor():
    from corelib._tensor import Tensor
    return Tensor


def _from_numpy(a):
    import corelib
    return corelib.from_numpy(a)


def _stack_arrays(arrays, what="stack"):
    try:
        # np.array over equal-shaped arrays == np.stack(arrays, 0), about 3x faster for
        # small samples; ragged shapes raise ValueError (numpy >= 1.24).
        out = np.array(arrays)
        if out.dtype == object:
            raise ValueError("ragged")
        return out
    except ValueError:
        shapes = [list(a.shape) for a in arrays]
        for i, s in enumerate(shapes):
            if s != shapes[0]:
                raise RuntimeError(
                    f"{what} expects each tensor to be equal size, but got {shapes[0]} at entry 0 "
                    f"and {s} at entry {i}; default_collate stacks samples into a batch, so every "
                    "sample must have the same shape (pad them, or pass a custom collate_fn)"
                ) from None
        raise


def default_convert(data):
    r"""Convert each numpy array element into a :class:`corelib.Tensor`; tensors, numbers
    and other objects are returned unchanged, containers are converted element-wise
    (tuples become lists, as in PyTorch). Used when automatic batching is disabled
    (``batch_size=None``).

    Examples::

        >>> default_convert(np.array([0, 1]))
        tensor([0, 1])
        >>> default_convert({"a": np.array([0, 1]), "b": 2})
        {'a': tensor([0, 1]), 'b': 2}
    """
    Tensor = _Tensor()
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    elif elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        # array of string classes and object
        if elem_type.__name__ in ("ndarray", "memmap") \
                and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return _from_numpy(np.asarray(data))
    elif isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    elif isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    elif isinstance(data, tuple):
        return [default_convert(d) for d in data]  # Backwards compatibility.
    elif isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    else:
        return data


def collate(batch, *, collate_fn_map: Optional[Dict[Union[Type, Tuple[Type, ...]], Callable]] = None):
    r"""General collate function for collections of elements within a batch.

    ``collate_fn_map`` maps an element type to the function that collates a batch of such
    elements (called as ``fn(batch, collate_fn_map=...)``); an exact type match wins,
    then the first ``isinstance`` match. Mappings, named tuples and sequences are
    collated element-wise, recursively. Extend ``default_collate_fn_map`` to support a
    custom type::

        def collate_custom(batch, *, collate_fn_map=None): ...
        my_map = {**default_collate_fn_map, CustomType: collate_custom}
        collate(batch, collate_fn_map=my_map)
    """
    elem = batch[0]
    elem_type = type(elem)

    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
                return clone
            return elem_type({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
        except TypeError:
            # The mapping type may not support `copy()` / `update(mapping)` or `__init__(iterable)`.
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
    elif isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    elif isinstance(elem, collections.abc.Sequence):
        # check to make sure that the elements in batch have consistent size
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))  # It may be accessed twice, so we use a list.

        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map)
                    for samples in transposed]  # Backwards compatibility.
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map) for samples in transposed])
        except TypeError:
            # The sequence type may not support `copy()` / `__setitem__(index, item)`
            # or `__init__(iterable)` (e.g., `range`).
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]

    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    # Fast path: plain cpu tensors that do not require grad are stacked by numpy directly.
    # Anything else (grad-tracking, cuda) goes through corelib.stack so autograd/devices work.
    try:
        fast = not any(t._rg for t in batch) and all(t._device.type == "cpu" for t in batch)
    except AttributeError:  # a Tensor-like without corelib's internals
        fast = False
    if fast:
        return _from_numpy(_stack_arrays([t._data for t in batch]))
    import corelib
    shapes = {tuple(t.shape) for t in batch}
    if len(shapes) > 1:
        _stack_arrays([np.empty(tuple(t.shape), dtype=np.uint8) for t in batch])
    return corelib.stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    # array of string classes and object
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return _from_numpy(_stack_arrays([np.asarray(b) for b in batch]))


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return _from_numpy(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return _from_numpy(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None):
    if all(type(b) is bool for b in batch):
        return _from_numpy(np.array(batch, dtype=np.bool_))
    if all(isinstance(b, int) for b in batch):
        return _from_numpy(np.array(batch, dtype=np.int64))
    import corelib
    return corelib.tensor(list(batch))


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: Dict[Union[Type, Tuple[Type, ...]], Callable] = {}


def _init_default_map():
    if default_collate_fn_map:
        return default_collate_fn_map
    default_collate_fn_map.update({
        _Tensor(): collate_tensor_fn,
        np.ndarray: collate_numpy_array_fn,
        np.memmap: collate_numpy_array_fn,
        # the numpy scalar types (np.float32(1.0), np.int64(3), np.bool_(True), ...)
        (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
        float: collate_float_fn,
        int: collate_int_fn,
        str: collate_str_fn,
        bytes: collate_str_fn,
    })
    return default_collate_fn_map


try:  # populated now when the core is importable; otherwise on first default_collate call
    _init_default_map()
except ImportError:  # pragma: no cover - only while corelib itself is half-imported
    default_collate_fn_map.clear()


def default_collate(batch):
    r"""Take a batch (a list of samples) and put each data field into a tensor with an
    outer dimension of size batch_size; the structure of the samples is kept.

    * :class:`corelib.Tensor` -> :class:`corelib.Tensor` (stacked along a new dim 0)
    * NumPy arrays -> :class:`corelib.Tensor` (stacked), NumPy scalars -> 1-D tensor
    * ``float`` -> float64 tensor, ``int`` -> int64 tensor, ``bool`` -> bool tensor
    * ``str``, ``bytes`` -> the list of them, unchanged
    * ``Mapping[K, V_i]`` -> ``Mapping[K, default_collate([V_1, V_2, ...])]``
    * ``NamedTuple[V1_i, V2_i, ...]`` -> ``NamedTuple[default_collate([V1_1, V1_2, ...]), ...]``
    * ``Sequence[V1_i, V2_i, ...]`` -> ``List[default_collate([V1_1, V1_2, ...]), ...]``
      (tuples become lists, as in PyTorch)

    Examples::

        >>> default_collate([0, 1, 2, 3])
        tensor([0, 1, 2, 3])
        >>> default_collate(["a", "b", "c"])
        ['a', 'b', 'c']
        >>> default_collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}])
        {'A': tensor([  0, 100]), 'B': tensor([  1, 100])}
        >>> Point = namedtuple("Point", ["x", "y"])
        >>> default_collate([Point(0, 0), Point(1, 1)])
        Point(x=tensor([0, 1]), y=tensor([0, 1]))
        >>> default_collate([(0, 1), (2, 3)])
        [tensor([0, 2]), tensor([1, 3])]
    """
    return collate(batch, collate_fn_map=_init_default_map())
