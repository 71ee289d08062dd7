"""A functional model's graph in a model file: read, checked, then rebuilt.

The config lists the layers in the model's order, each with what its
first call took ("inbound") and, for a shared layer, what each later call
took ("shared_calls"); it names the model's inputs and outputs (one, a
list, or a dict). A tensor is named by its layer ("dense": the output of
its first call) or by [name, k] (its call k). Every check happens before
any layer builds a weight: each name must be a layer of the model and
each k one of its calls, the calls must be computable one after another
(no cycle), an InputLayer takes nothing, a merge layer takes a list and
every other layer exactly one tensor, a shared layer takes the same shape
on every call, and the weight shapes the layers will need, walked shape by
shape, must be those the file holds.
"""

from . import layers as layers_module

__all__ = ["read_graph"]


class Graph:
    """The checked layers and calls of a saved functional model, ready to rebuild."""

    def __init__(self, name, layers, calls, inputs, outputs):
        self.name, self.layers, self.calls = name, layers, calls
        self.inputs, self.outputs = inputs, outputs

    def build(self, model_class):
        """The model_class (functional Model), its layers called as the file says."""
        tensors = {}
        for layer, k, refs in self.calls:
            if isinstance(layer, layers_module.InputLayer):
                tensors[layer.name, 0] = layer.output
            else:
                args = [tensors[r] for r in refs]
                tensors[layer.name, k] = layer(args if layer.takes_several_inputs else args[0])

        def pick(ref):
            if isinstance(ref, dict):
                return {key: tensors[_key(r)] for key, r in ref.items()}
            if isinstance(ref, list) and not _is_call(ref):
                return [tensors[_key(r)] for r in ref]
            return tensors[_key(ref)]

        model = model_class(pick(self.inputs), pick(self.outputs), name=self.name)
        order = [layer.name for layer in model.layers]
        if order != [layer.name for layer in self.layers]:
            # The weights are stored in the saved order; another order would
            # put them in the wrong layers.
            raise ValueError(f"the layers are listed in the order {[la.name for la in self.layers]}"
                             f", the graph runs them in the order {order}")
        return model


def _is_call(ref):
    """[name, k]: the output of call k of the layer `name`."""
    return (isinstance(ref, list) and len(ref) == 2 and isinstance(ref[0], str)
            and type(ref[1]) is int)


def _key(ref):
    return (ref[0], ref[1]) if _is_call(ref) else (ref, 0)


def _known(ref, counts):
    """Is `ref` a tensor name: a layer's name, or [name, k] for one of its later calls?"""
    if isinstance(ref, str):
        return ref in counts
    return _is_call(ref) and ref[0] in counts and 1 <= ref[1] < counts[ref[0]]


def _names(value, counts, what, field):
    """A tensor name, list of names or dict of names, each one of the model's."""
    if isinstance(value, (str, dict)) or _is_call(value):
        refs = list(value.values()) if isinstance(value, dict) else [value]
    elif isinstance(value, list):
        refs = value
    else:
        refs = []
    if not refs or not all(_known(r, counts) for r in refs):
        with field(what):
            raise ValueError(f"must name layers of the model, got {value!r:.200}")
    return value


def _read_layers(items, field, expect):
    """[(layer, [refs of each call])] from the config's list, each item's keys checked."""
    layers, counts = [], {}
    for i, item in enumerate(items):
        where = f"model.layers[{i}]"
        with field(where):
            expect(isinstance(item, dict) and {"class_name", "config", "inbound"} <= set(item)
                   <= {"class_name", "config", "inbound", "shared_calls"},
                   "an object with keys 'class_name', 'config', 'inbound' (and "
                   "'shared_calls' for a shared layer)", item)
        with field(f"{where} ({item['class_name']!r})"):
            layer = layers_module.from_config(item["class_name"], item["config"])
            expect(layer.name not in counts, "a layer with a name of its own", layer.name)
            shared = item.get("shared_calls", [])
            if "shared_calls" in item:
                expect(isinstance(shared, list) and shared, "shared_calls: a list of the later "
                       "calls' inputs", shared)
        calls = [item["inbound"], *shared]
        layers.append((layer, calls))
        counts[layer.name] = len(calls)
    return layers, counts


def _in_waves(calls, field, expect):
    """The calls (i, layer, k, refs), each after those it takes inputs from and its
    layer's earlier calls: wave by wave, a wave being every call the earlier waves
    made computable, in the config's order; a cycle is refused.

    Each call counts the calls it still waits for, so each is looked at once
    (rescanning every pending call for ready ones was quadratic: minutes for a
    chain of 8,000 layers).
    """
    position = {(layer.name, k): n for n, (_, layer, k, _) in enumerate(calls)}
    waiting, users = [], [[] for _ in calls]  # users[n]: the calls that wait for call n
    for n, (_, layer, k, refs) in enumerate(calls):
        needs = {position[_key(r)] for r in refs}
        if k > 0:
            needs.add(position[layer.name, k - 1])
        waiting.append(len(needs))
        for m in needs:
            users[m].append(n)
    wave = [n for n, count in enumerate(waiting) if count == 0]
    while wave:
        following = []
        for n in wave:
            yield calls[n]
            for m in users[n]:
                waiting[m] -= 1
                if waiting[m] == 0:
                    following.append(m)
        wave = sorted(following)
    stuck = [n for n, count in enumerate(waiting) if count > 0]
    if stuck:
        i, layer, _, refs = calls[stuck[0]]
        with field(f"model.layers[{i}] ({type(layer).__name__!r})"):
            expect(False, "a call whose inputs can be computed first (no cycle)", refs)


def _resolve(layers, counts, field, expect):
    """([(layer, k, input keys)] in an order where each call's inputs come first,
    {layer name: its input shape}), each call checked."""
    shapes, order, input_shapes = {}, [], {}
    for i, (layer, calls) in enumerate(layers):
        with field(f"model.layers[{i}] ({type(layer).__name__!r})"):
            for refs in calls:
                expect(isinstance(refs, list) and all(_known(r, counts) for r in refs),
                       "inputs named by the model's layers (a name, or [name, call])", refs)
            if isinstance(layer, layers_module.InputLayer):
                expect(calls == [[]], "an Input with no inbound layers", calls)
            else:
                expect(all(len(refs) >= 1 if layer.takes_several_inputs else len(refs) == 1
                           for refs in calls),
                       "a layer called on one tensor (merge layers: a list)", calls)
    every_call = [(i, layer, k, refs) for i, (layer, calls) in enumerate(layers)
                  for k, refs in enumerate(calls)]
    for i, layer, k, refs in _in_waves(every_call, field, expect):
        with field(f"model.layers[{i}] ({type(layer).__name__!r})"):
            if isinstance(layer, layers_module.InputLayer):
                out = layer.declared_input_shape
            else:
                shape = [shapes[_key(r)] for r in refs]
                shape = shape if layer.takes_several_inputs else shape[0]
                first = input_shapes.setdefault(layer.name, shape)
                expect(shape == first, f"a shared layer called on inputs of one shape "
                       f"({first})", shape)
                out = layer.compute_output_shape(shape)
        shapes[layer.name, k] = out
        order.append((layer, k, [_key(r) for r in refs]))
    return order, input_shapes


def read_graph(spec, weights, field, expect):
    """The Graph of a saved functional model (`field`/`expect` from saving.py)."""
    with field("model.layers"):
        items = spec.get("layers")
        expect(isinstance(items, list) and items, "a list of layers", items)
    layers, counts = _read_layers(items, field, expect)
    order, input_shapes = _resolve(layers, counts, field, expect)
    needed = [s for layer, _ in layers if layer.name in input_shapes
              for s in layer.weight_shapes(input_shapes[layer.name])]
    got = [w.shape for w in weights]
    if got != needed:
        with field("weights"):
            raise ValueError(f"the layers need weights of shapes {needed}, the file holds {got}")
    inputs = _names(spec.get("inputs"), counts, "model.inputs", field)
    outputs = _names(spec.get("outputs"), counts, "model.outputs", field)
    return Graph(spec.get("name"), [layer for layer, _ in layers], order, inputs, outputs)
