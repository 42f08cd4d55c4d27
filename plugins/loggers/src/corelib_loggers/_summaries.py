"""Summary protos for scalars, histograms, images, text and hparams (PyTorch's semantics).

Functions named ``*_builder`` validate and copy their input in the caller's thread and return a
zero-argument callable that does the expensive part (np.histogram, PNG encoding) on the
writer thread.
"""
import numbers
import struct
import zlib

import numpy as np

from . import _proto
from ._convert import to_numpy


def _default_bins():
    # the same loop as torch.utils.tensorboard.SummaryWriter (tensorboard's generate_testdata.py)
    v = 1e-12
    buckets, neg_buckets = [], []
    while v < 1e20:
        buckets.append(v)
        neg_buckets.append(-v)
        v *= 1.1
    return neg_buckets[::-1] + [0] + buckets


DEFAULT_BINS = _default_bins()


# --- scalars ---------------------------------------------------------------------------------
def scalar_float(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    arr = to_numpy(value, "scalar_value").squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: "
                             f"{arr.size} and {arr.ndim} dimensions.")
    return float(arr)


def scalar(tag, value, new_style=False, double_precision=False):
    v = scalar_float(value)
    if new_style:
        if double_precision:
            t = _proto.tensor_proto(_proto.DT_DOUBLE, double_val=[v])
        else:
            t = _proto.tensor_proto(_proto.DT_FLOAT, float_val=[v])
        return _proto.summary(_proto.summary_value(
            tag, tensor=t, metadata=_proto.summary_metadata("scalars")))
    return _proto.simple_value_summary(tag, v)


# --- histograms ------------------------------------------------------------------------------
def make_histogram(values, bins, max_bins=None):
    """HistogramProto bytes from a flat float64 array (torch's make_histogram, histogram.cc)."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        subsampling_remainder = num_bins % subsampling
        if subsampling_remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - subsampling_remainder]],
                            mode="constant", constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    # keep only the support, plus one empty bin on the left (TensorBoard stores right edges)
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return _proto.histogram_proto(values.min(), values.max(), len(values), values.sum(),
                                  values.dot(values), limits, counts)


def histogram_builder(tag, values, bins="tensorflow", max_bins=None):
    arr = to_numpy(values, "values").astype(float)          # a private copy
    if arr.size == 0:
        raise ValueError("The input has no element.")
    if isinstance(bins, str) and bins == "tensorflow":
        bins = DEFAULT_BINS
    elif not isinstance(bins, (str, numbers.Integral)):
        bins = to_numpy(bins, "bins")

    def build():
        return _proto.summary(_proto.summary_value(tag, histo=make_histogram(arr, bins, max_bins)))
    return build


def histogram_raw(tag, vmin, vmax, num, vsum, sum_squares, bucket_limits, bucket_counts):
    histo = _proto.histogram_proto(vmin, vmax, num, vsum, sum_squares,
                                   to_numpy(bucket_limits).reshape(-1),
                                   to_numpy(bucket_counts).reshape(-1))
    return _proto.summary(_proto.summary_value(tag, histo=histo))


# --- images ----------------------------------------------------------------------------------
def _grid_no_pad(imgs, ncols=8):
    """tensorboard's make_grid for add_images: N1HW/N3HW -> 3HW, no padding, up to 8 columns."""
    if imgs.shape[1] == 1:
        imgs = np.concatenate([imgs, imgs, imgs], 1)
    if imgs.ndim != 4 or imgs.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels "
                             f"(got shape {tuple(imgs.shape)} in NCHW order)")
    nimg, _, h, w = imgs.shape
    ncols = min(nimg, ncols)
    nrows = int(np.ceil(float(nimg) / ncols))
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=imgs.dtype)
    for i in range(nimg):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = imgs[i]
    return canvas


def check_dataformats(shape, dataformats):
    fmt = str(dataformats).upper()
    if len(set(fmt)) != len(fmt) or set(fmt) - set("NCHW"):
        raise AssertionError(f"You can not use the same dimension shorthand twice, and only "
                             f"N, C, H, W are allowed. input_format: {dataformats}")
    if len(shape) != len(fmt):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: "
                             f"{tuple(shape)}, input_format: {dataformats}")
    if len(fmt) == 4 and set(fmt) != set("NCHW") or len(fmt) == 3 and set(fmt) != set("CHW") \
            or len(fmt) == 2 and set(fmt) != set("HW") or len(fmt) < 2:
        raise AssertionError(f"dataformats {dataformats!r} must be a permutation of NCHW, CHW or HW")
    return fmt


def convert_to_hwc(arr, fmt):
    if len(fmt) == 4:
        nchw = arr.transpose([fmt.find(c) for c in "NCHW"])
        return _grid_no_pad(nchw).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = arr.transpose([fmt.find(c) for c in "HWC"])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    hw = arr.transpose([fmt.find(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def encode_png(hwc):
    """8-bit PNG (gray, gray+alpha, RGB or RGBA) with zlib; no PIL needed."""
    h, w, c = hwc.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}.get(c)
    if color_type is None:
        raise ValueError(f"an image needs 1, 2, 3 or 4 channels, got {c}")
    raw = np.empty((h, 1 + w * c), dtype=np.uint8)
    raw[:, 0] = 0                                            # filter type None on every row
    raw[:, 1:] = np.ascontiguousarray(hwc, dtype=np.uint8).reshape(h, w * c)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + chunk(b"IEND", b""))


def image_to_uint8(arr, dataformats):
    fmt = check_dataformats(arr.shape, dataformats)
    hwc = convert_to_hwc(arr, fmt)
    scale = 1 if hwc.dtype == np.uint8 else 255               # uint8 as is, float in [0, 1]
    return (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def image_builder(tag, img, dataformats="CHW"):
    arr = to_numpy(img, "img_tensor")
    fmt = check_dataformats(arr.shape, dataformats)          # fail in the caller, not the thread
    if len(fmt) >= 3:
        c = arr.shape[fmt.find("C")]
        if len(fmt) == 4 and c not in (1, 3):
            raise AssertionError("Input should be a 4D numpy array with 3 channels "
                                 f"(got shape {tuple(arr.shape)} in {fmt} order)")
        if c not in (1, 2, 3, 4):
            raise TypeError(f"Cannot handle this data type: an image needs 1, 2, 3 or 4 channels, "
                            f"got {c} (shape {tuple(arr.shape)}, dataformats={dataformats!r})")
    arr = np.array(arr, copy=True)                            # the caller may change it in place

    def build():
        hwc = image_to_uint8(arr, dataformats)
        h, w, c = hwc.shape
        return _proto.summary(_proto.summary_value(
            tag, image=_proto.image_proto(h, w, c, encode_png(hwc))))
    return build


# --- text ------------------------------------------------------------------------------------
def text(tag, text_string):
    t = _proto.tensor_proto(_proto.DT_STRING, [1], string_val=[str(text_string).encode("utf-8")])
    return _proto.summary(_proto.summary_value(
        tag + "/text_summary", tensor=t, metadata=_proto.summary_metadata("text")))


# --- hparams ---------------------------------------------------------------------------------
def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """(experiment, session_start_info, session_end_info) Summary bytes, as torch's hparams()."""
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if (k not in hparam_dict or not isinstance(v, list)
                or not all(isinstance(d, type(hparam_dict[k])) for d in v)):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type "
                            f"as hparam_dict[{k}].")
    infos, start = [], {}
    for k, v in hparam_dict.items():
        if v is None:
            continue
        domain = hparam_domain_discrete.get(k)
        # NOTE: like PyTorch, bool is caught by the number branch (bool subclasses int)
        if isinstance(v, (int, float)):
            start[k] = float(v)
            infos.append(_proto.hparam_info(k, _proto.DATA_TYPE_FLOAT64,
                                            None if domain is None else [float(d) for d in domain]))
        elif isinstance(v, str):
            start[k] = v
            infos.append(_proto.hparam_info(k, _proto.DATA_TYPE_STRING, domain))
        elif hasattr(v, "detach") or isinstance(v, (np.ndarray, np.generic)):
            start[k] = float(to_numpy(v).reshape(-1)[0])
            infos.append(_proto.hparam_info(k, _proto.DATA_TYPE_FLOAT64))
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")

    def wrap(tag, content):
        return _proto.summary(_proto.summary_value(
            tag, metadata=_proto.summary_metadata(_proto.HPARAMS_PLUGIN, content)))
    exp = wrap(_proto.EXPERIMENT_TAG, _proto.hparams_plugin_data(
        experiment=_proto.experiment(infos, list(metric_dict))))
    ssi = wrap(_proto.SESSION_START_INFO_TAG, _proto.hparams_plugin_data(
        session_start_info=_proto.session_start_info(start)))
    sei = wrap(_proto.SESSION_END_INFO_TAG, _proto.hparams_plugin_data(
        session_end_info=_proto.session_end_info()))
    return exp, ssi, sei
