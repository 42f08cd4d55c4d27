"""``summary``: the torchsummary table (sksq96/pytorch-summary) for corelib Modules.

Like torchsummary, a forward hook goes on every module except Sequential, ModuleList and the
model itself (so leaf layers, and custom blocks that hold layers, each get a row when their
forward returns); the model runs once on a batch of 2 random inputs; "Param #" counts the
module's own ``weight`` and ``bias``; sizes assume 4 bytes per number.
"""
from collections import OrderedDict

import numpy as np

_RULE = "----------------------------------------------------------------"
_DOUBLE = "================================================================"


class ModelSummary(tuple):
    """What :func:`summary` returns: ``(total_params, trainable_params)`` as torchsummary's
    ``summary`` (master) does, plus ``.text`` (the printed table, a str) and ``.layers``
    (the per-row OrderedDict: input_shape, output_shape, trainable, nb_params)."""

    def __new__(cls, total_params, trainable_params, text, layers):
        self = super().__new__(cls, (total_params, trainable_params))
        self.text = text
        self.layers = layers
        return self

    @property
    def total_params(self):
        return self[0]

    @property
    def trainable_params(self):
        return self[1]

    def __str__(self):
        return self.text


def _size(t):
    return [int(d) for d in t.shape]


def _is_container(module):
    name = type(module).__name__
    return name in ("Sequential", "ModuleList", "ModuleDict")


class InvalidDeviceError(ValueError, AssertionError):
    """A ``device`` other than "cuda" or "cpu" (torchsummary asserts, hence AssertionError too)."""


def _input_device(model, device):
    """torchsummary's rule: "cuda" when asked and available, else "cpu"; the inputs follow the
    model's parameters when it has any (torchsummary would fail on a mismatch)."""
    import corelib
    kind = device.type if isinstance(device, corelib.device) else str(device).lower()
    if kind not in ("cuda", "cpu") and not kind.startswith("cuda:"):
        raise InvalidDeviceError(f"Input device is not valid, please specify 'cuda' or 'cpu' "
                                 f"(got device={device!r})")
    for name in ("parameters", "buffers"):
        for t in getattr(model, name, tuple)():
            return t.device
    if kind.startswith("cuda") and corelib.cuda.is_available():
        return corelib.device(kind)
    return corelib.device("cpu")


def summary_string(model, input_size, batch_size=-1, device="cuda", dtypes=None):
    """Return ``(table, (total_params, trainable_params))`` without printing."""
    import corelib
    device = _input_device(model, device)
    if isinstance(input_size, tuple):              # one input
        input_size = [input_size]
    input_size = [tuple(s) for s in input_size]
    if dtypes is None:
        dtypes = [corelib.float32] * len(input_size)
    rows = OrderedDict()
    hooks = []

    def hook(module, inputs, output):
        class_name = type(module).__name__
        m_key = "%s-%i" % (class_name, len(rows) + 1)
        row = rows[m_key] = OrderedDict()
        row["input_shape"] = _size(inputs[0]) if inputs and hasattr(inputs[0], "shape") else []
        if row["input_shape"]:
            row["input_shape"][0] = batch_size
        if isinstance(output, (list, tuple)):
            row["output_shape"] = [[-1] + _size(o)[1:] for o in output]
        else:
            row["output_shape"] = _size(output)
            row["output_shape"][0] = batch_size
        params = 0
        weight = getattr(module, "weight", None)
        if weight is not None and hasattr(weight, "size"):
            params += int(np.prod(list(weight.shape)))
            row["trainable"] = bool(weight.requires_grad)
        bias = getattr(module, "bias", None)
        if bias is not None and hasattr(bias, "size"):
            params += int(np.prod(list(bias.shape)))
        row["nb_params"] = params

    for _, m in model.named_modules():
        if not _is_container(m) and m is not model:
            hooks.append(m.register_forward_hook(hook))
    # batch of 2 for batchnorm
    x = [corelib.rand(2, *size, device=device).to(dtype) for size, dtype in zip(input_size, dtypes)]
    try:
        model(*x)
    finally:
        for h in hooks:
            h.remove()

    lines = [_RULE, "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"),
             _DOUBLE]
    total_params = total_output = trainable_params = 0
    for layer, row in rows.items():
        lines.append("{:>20}  {:>25} {:>15}".format(
            layer, str(row["output_shape"]), "{0:,}".format(row["nb_params"])))
        total_params += row["nb_params"]
        total_output += np.prod(row["output_shape"])
        if row.get("trainable") is True:
            trainable_params += row["nb_params"]
    # assume 4 bytes/number (float on cuda).
    total_input_size = abs(np.prod(sum(input_size, ())) * batch_size * 4. / (1024 ** 2.))
    total_output_size = abs(2. * total_output * 4. / (1024 ** 2.))  # x2 for gradients
    total_params_size = abs(total_params * 4. / (1024 ** 2.))
    total_size = total_params_size + total_output_size + total_input_size
    lines += [_DOUBLE,
              "Total params: {0:,}".format(total_params),
              "Trainable params: {0:,}".format(trainable_params),
              "Non-trainable params: {0:,}".format(total_params - trainable_params),
              _RULE,
              "Input size (MB): %0.2f" % total_input_size,
              "Forward/backward pass size (MB): %0.2f" % total_output_size,
              "Params size (MB): %0.2f" % total_params_size,
              "Estimated Total Size (MB): %0.2f" % total_size,
              _RULE]
    text = "\n".join(lines) + "\n"
    return text, (total_params, trainable_params), rows


def summary(model, input_size, batch_size=-1, device="cuda", dtypes=None):
    """Print the torchsummary table of ``model`` for inputs of ``input_size`` (without the
    batch dimension; a list of tuples for several inputs).

    ``device`` is "cuda" or "cpu" (anything else raises); as in torchsummary "cuda" falls back
    to the cpu when no GPU is available, and the random inputs are put on the model's device
    when the model has parameters or buffers.

    Returns a :class:`ModelSummary`: the tuple ``(total_params, trainable_params)`` whose
    ``.text`` is the printed table and ``.layers`` the per-layer rows.
    """
    text, (total, trainable), rows = summary_string(model, input_size, batch_size, device, dtypes)
    print(text)
    return ModelSummary(total, trainable, text, rows)
