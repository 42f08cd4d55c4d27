"""Trace one forward pass of a Module into a TensorBoard GraphDef with forward hooks.

Every leaf module call becomes a node named by its place in the module hierarchy, e.g.
``Net/Sequential[features]/Conv2d[conv1]`` (TensorBoard draws each ``/`` level as a
collapsible name scope), with op = the layer class, the module's ``extra_repr()`` as attr
``attr`` and the output shapes as ``_output_shapes``. Inputs are wired by tensor identity
(the node that produced the tensor), else by the order of execution (the previous node):
tensors made by plain functional code between two layers (``x.view(...)``) thus still connect.
Model inputs and outputs are ``IO Node`` nodes ``input/input.<i>`` and ``output/output.<i>``.
"""
from . import _proto
from ._convert import to_numpy


def _as_tuple(x):
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _is_tensor(x):
    return hasattr(x, "shape") and hasattr(x, "detach")


def _flat_tensors(x):
    if _is_tensor(x):
        return [x]
    if isinstance(x, (tuple, list)):
        return [t for v in x for t in _flat_tensors(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _flat_tensors(v)]
    return []


def _scope_names(model):
    """{module path: scope name} for every module, e.g. 'features.conv1' -> 'Net/Sequential[features]/Conv2d[conv1]'."""
    root = type(model).__name__
    by_path = dict(model.named_modules())
    scopes = {"": root}
    for path in sorted(by_path, key=lambda p: p.count(".") if p else -1):
        if not path:
            continue
        parent, _, last = path.rpartition(".")
        scopes[path] = f"{scopes.get(parent, root)}/{type(by_path[path]).__name__}[{last}]"
    return scopes, by_path


def _no_grad():
    try:
        import corelib
        return corelib.no_grad()
    except Exception:                               # pragma: no cover
        import contextlib
        return contextlib.nullcontext()


def trace_graph(model, input_to_model=None, verbose=False):
    """Run ``model(*input_to_model)`` once in eval mode (under no_grad) and return GraphDef bytes."""
    if not callable(model) or not hasattr(model, "named_modules"):
        raise TypeError(f"add_graph needs an nn.Module, got {type(model).__name__}")
    if input_to_model is None:
        raise ValueError("add_graph needs input_to_model: a Tensor or a tuple of Tensors to run "
                         "one forward pass of the model with")
    args = _as_tuple(input_to_model)
    scopes, by_path = _scope_names(model)
    leaves = [(p, m) for p, m in by_path.items() if not list(m.children())]

    nodes = []            # [name, op, inputs, attrs]
    producer = {}         # id(tensor) -> node name
    keep = []             # keep traced tensors alive so their ids stay unique
    used = {}
    for i, a in enumerate(_flat_tensors(list(args))):
        name = f"input/input.{i}"
        nodes.append([name, "IO Node", [], {"_output_shapes": [tuple(a.shape)]}])
        producer[id(a)] = name
        keep.append(a)
    last = [nodes[-1][0] if nodes else None]

    def make_hook(path):
        def hook(module, inputs, output):
            base = scopes[path]
            n = used.get(base, 0)
            used[base] = n + 1
            name = base if n == 0 else f"{base}.{n}"
            ins = []
            for t in _flat_tensors(list(inputs)):
                src = producer.get(id(t), last[0])
                if src is not None and src not in ins:
                    ins.append(src)
            if not ins and last[0] is not None:
                ins.append(last[0])
            outs = _flat_tensors(output)
            attrs = {"_output_shapes": [tuple(o.shape) for o in outs]}
            extra = module.extra_repr() if hasattr(module, "extra_repr") else ""
            attrs["attr"] = "{ " + extra + " }" if extra else ""
            nodes.append([name, type(module).__name__, ins, attrs])
            for o in outs:
                producer[id(o)] = name
                keep.append(o)
            last[0] = name
        return hook

    modes = [(m, getattr(m, "training", None)) for _, m in by_path.items()]
    handles = []
    try:
        if hasattr(model, "eval"):
            model.eval()
        for path, m in leaves:
            handles.append(m.register_forward_hook(make_hook(path)))
        with _no_grad():
            out = model(*args)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            if mode is not None:
                m.training = mode
    for i, o in enumerate(_flat_tensors(out)):
        src = producer.get(id(o), last[0])
        nodes.append([f"output/output.{i}", "IO Node", [src] if src else [],
                      {"_output_shapes": [tuple(o.shape)]}])
    if verbose:
        for name, op, ins, attrs in nodes:
            print(f"{name} ({op}) <- {', '.join(ins) or '-'} {attrs['_output_shapes']}")
    encoded = []
    for name, op, ins, attrs in nodes:
        a = {"_output_shapes": _proto.attr_value_shapes(attrs["_output_shapes"])}
        if "attr" in attrs:
            a["attr"] = _proto.attr_value_s(attrs["attr"])
        encoded.append(_proto.node_def(name, op, ins, a))
    return _proto.graph_def(encoded)


__all__ = ["trace_graph", "to_numpy"]
