"""A minimal protobuf (proto3) encoder and the TensorBoard messages built with it.

Only what the event files need: Event, Summary, SummaryMetadata, HistogramProto,
Summary.Image, TensorProto, GraphDef/NodeDef/AttrValue and the hparams plugin messages.
Field numbers are those of tensorboard/compat/proto/*.proto and plugins/hparams/*.proto.
Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32; key = field << 3 | wire.
"""
import math
import struct

import numpy as np

_pack_d = struct.Struct("<d").pack
_pack_f = struct.Struct("<f").pack

# tensorflow DataType enum values used here
DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7


def varint(n):
    n = int(n)
    if n < 0:                                   # int64/int32 negatives: 10-byte two's complement
        n += 1 << 64
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field, wire):
    return varint((field << 3) | wire)


def f_varint(field, value):
    return _key(field, 0) + varint(value)


def f_double(field, value):
    return _key(field, 1) + _pack_d(float(value))


def pack_float(value):
    """IEEE float32 bytes; a finite double beyond float32's range becomes +-inf (as protobuf does)."""
    try:
        return _pack_f(value)
    except OverflowError:
        return _pack_f(math.copysign(math.inf, value))


def f_float(field, value):
    return _key(field, 5) + pack_float(float(value))


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _key(field, 2) + varint(len(data)) + data


f_msg = f_bytes
f_str = f_bytes


def f_packed_doubles(field, values):
    data = np.ascontiguousarray(values, dtype="<f8").tobytes()
    return f_bytes(field, data)


def f_packed_floats(field, values):
    data = np.ascontiguousarray(values, dtype="<f4").tobytes()
    return f_bytes(field, data)


# --- Event -----------------------------------------------------------------------------------
def event(wall_time, step=None, *, file_version=None, graph_def=None, summary=None,
          session_log=None):
    out = f_double(1, wall_time)
    if step:
        out += f_varint(2, step)
    if file_version is not None:
        out += f_str(3, file_version)
    if graph_def is not None:
        out += f_bytes(4, graph_def)
    if summary is not None:
        out += f_msg(5, summary)
    if session_log is not None:
        out += f_msg(7, session_log)
    return out


SESSION_LOG_START = 1


def session_log(status):
    return f_varint(1, status)


# --- Summary ---------------------------------------------------------------------------------
def summary(*values):
    return b"".join(f_msg(1, v) for v in values)


_SIMPLE_PREFIX = {}


def simple_value_summary(tag, value):
    """Summary{value: [Value{tag, simple_value}]}: the add_scalar fast path (tag prefix cached)."""
    pre = _SIMPLE_PREFIX.get(tag)
    if pre is None:
        pre = f_str(1, tag) + b"\x15"                   # key of field 2, wire type 5
        if len(_SIMPLE_PREFIX) < 4096:
            _SIMPLE_PREFIX[tag] = pre
    val = pre + pack_float(value)
    return b"\n" + varint(len(val)) + val


def summary_value(tag, *, simple_value=None, image=None, histo=None, tensor=None, metadata=None):
    out = f_str(1, tag)
    if simple_value is not None:
        out += f_float(2, simple_value)
    if image is not None:
        out += f_msg(4, image)
    if histo is not None:
        out += f_msg(5, histo)
    if tensor is not None:
        out += f_msg(8, tensor)
    if metadata is not None:
        out += f_msg(9, metadata)
    return out


def summary_metadata(plugin_name, content=b""):
    plugin = f_str(1, plugin_name)
    if content:
        plugin += f_bytes(2, content)
    return f_msg(1, plugin)


def histogram_proto(vmin, vmax, num, vsum, sum_squares, bucket_limit, bucket):
    return (f_double(1, vmin) + f_double(2, vmax) + f_double(3, num) + f_double(4, vsum)
            + f_double(5, sum_squares) + f_packed_doubles(6, bucket_limit)
            + f_packed_doubles(7, bucket))


def image_proto(height, width, colorspace, png):
    return f_varint(1, height) + f_varint(2, width) + f_varint(3, colorspace) + f_bytes(4, png)


def tensor_shape(dims):
    return b"".join(f_msg(2, f_varint(1, d) if d else b"") for d in dims)


def tensor_proto(dtype, shape=None, *, float_val=None, double_val=None, string_val=None):
    out = f_varint(1, dtype)
    if shape is not None:
        out += f_msg(2, tensor_shape(shape))
    if float_val is not None:
        out += f_packed_floats(5, float_val)
    if double_val is not None:
        out += f_packed_doubles(6, double_val)
    if string_val is not None:
        out += b"".join(f_bytes(8, s) for s in string_val)
    return out


# --- GraphDef --------------------------------------------------------------------------------
def attr_value_s(s):
    return f_bytes(2, s)


def attr_value_shapes(shapes):
    """AttrValue{list: ListValue{shape: [TensorShapeProto...]}}"""
    lst = b"".join(f_msg(7, tensor_shape(s)) for s in shapes)
    return f_msg(1, lst)


def node_def(name, op, inputs=(), attrs=None, device=""):
    out = f_str(1, name) + f_str(2, op)
    for i in inputs:
        out += f_str(3, i)
    if device:
        out += f_str(4, device)
    for k, v in (attrs or {}).items():          # map<string, AttrValue>
        out += f_msg(5, f_str(1, k) + f_msg(2, v))
    return out


def graph_def(nodes, producer=22):
    return b"".join(f_msg(1, n) for n in nodes) + f_msg(4, f_varint(1, producer))


# --- hparams plugin --------------------------------------------------------------------------
HPARAMS_PLUGIN = "hparams"
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
DATA_TYPE_STRING, DATA_TYPE_BOOL, DATA_TYPE_FLOAT64 = 1, 2, 3
STATUS_SUCCESS = 1


def struct_value(v):
    """google.protobuf.Value"""
    if isinstance(v, bool):
        return f_varint(4, int(v)) if v else _key(4, 0) + b"\x00"
    if isinstance(v, str):
        return f_str(3, v)
    return f_double(2, v)


def list_value(values):
    return b"".join(f_msg(1, struct_value(v)) for v in values)


def hparam_info(name, dtype, domain_discrete=None):
    out = f_str(1, name) + f_varint(4, dtype)
    if domain_discrete is not None:
        out += f_msg(5, list_value(domain_discrete))
    return out


def hparams_plugin_data(*, experiment=None, session_start_info=None, session_end_info=None):
    out = b""                                   # version = 0 (the proto3 default, not written)
    if experiment is not None:
        out += f_msg(2, experiment)
    if session_start_info is not None:
        out += f_msg(3, session_start_info)
    if session_end_info is not None:
        out += f_msg(4, session_end_info)
    return out


def experiment(hparam_infos, metric_tags):
    out = b"".join(f_msg(4, h) for h in hparam_infos)
    out += b"".join(f_msg(5, f_msg(1, f_str(2, t))) for t in metric_tags)
    return out


def session_start_info(hparams):
    """hparams: {name: python value}; map<string, google.protobuf.Value>"""
    return b"".join(f_msg(1, f_str(1, k) + f_msg(2, struct_value(v))) for k, v in hparams.items())


def session_end_info(status=STATUS_SUCCESS):
    return f_varint(1, status)
