"""A functional model's graph in a model file: read, checked, then rebuilt.

The config lists the layers in the model's order, each with the names of
the layers it was called on ("inbound"), and names the model's inputs and
outputs (one name, a list, or a dict). Every check happens before any layer
builds a weight: each inbound name must be a layer listed EARLIER (so the
graph has no cycle and no unknown name), an InputLayer takes nothing, a
merge layer takes a list and every other layer exactly one tensor, and the
weight shapes the layers will need, walked shape by shape, must be those
the file holds.
"""

from . import layers as layers_module

__all__ = ["read_graph"]


class Graph:
    """The checked layers and links of a saved functional model, ready to rebuild."""

    def __init__(self, name, layers, inbound, inputs, outputs):
        self.name, self.layers, self.inbound = name, layers, inbound
        self.inputs, self.outputs = inputs, outputs

    def build(self, model_class):
        """The model_class (functional Model), its layers called as the file says."""
        tensors = {}
        for layer in self.layers:
            if isinstance(layer, layers_module.InputLayer):
                tensors[layer.name] = layer.output
            else:
                args = [tensors[n] for n in self.inbound[layer.name]]
                tensors[layer.name] = layer(args if layer.takes_several_inputs else args[0])

        def pick(ref):
            if isinstance(ref, str):
                return tensors[ref]
            if isinstance(ref, list):
                return [tensors[n] for n in ref]
            return {key: tensors[n] for key, n in ref.items()}

        model = model_class(pick(self.inputs), pick(self.outputs), name=self.name)
        order = [layer.name for layer in model.layers]
        if order != [layer.name for layer in self.layers]:
            # The weights are stored in the saved order; another order would
            # put them in the wrong layers.
            raise ValueError(f"the layers are listed in the order {[la.name for la in self.layers]}"
                             f", the graph runs them in the order {order}")
        return model


def _names(value, known, what, field):
    """A name, list of names or dict of names, each one of `known`."""
    if isinstance(value, str):
        refs = [value]
    elif isinstance(value, list) and value:
        refs = value
    elif isinstance(value, dict) and value:
        refs = list(value.values())
    else:
        refs = None
    if refs is None or not all(isinstance(r, str) and r in known for r in refs):
        with field(what):
            raise ValueError(f"must name layers of the model, got {value!r:.200}")
    return value


def read_graph(spec, weights, field, expect):
    """The Graph of a saved functional model (`field`/`expect` from saving.py)."""
    with field("model.layers"):
        items = spec.get("layers")
        expect(isinstance(items, list) and items, "a list of layers", items)
    layers, inbound, shapes, needed = [], {}, {}, []
    for i, item in enumerate(items):
        where = f"model.layers[{i}]"
        with field(where):
            expect(isinstance(item, dict) and set(item) == {"class_name", "config", "inbound"},
                   "an object with keys 'class_name', 'config' and 'inbound'", item)
        with field(f"{where} ({item['class_name']!r})"):
            layer = layers_module.from_config(item["class_name"], item["config"])
            refs = item["inbound"]
            expect(layer.name not in shapes, "a layer with a name of its own", layer.name)
            expect(isinstance(refs, list) and all(isinstance(r, str) and r in shapes
                                                  for r in refs),
                   "a list of the names of layers listed before it", refs)
            if isinstance(layer, layers_module.InputLayer):
                expect(not refs, "an Input with no inbound layers", refs)
                out = layer.declared_input_shape
            else:
                expect(len(refs) >= 1 if layer.takes_several_inputs else len(refs) == 1,
                       "a layer called on one tensor (merge layers: a list)", refs)
                shape = ([shapes[r] for r in refs] if layer.takes_several_inputs
                         else shapes[refs[0]])
                out = layer.compute_output_shape(shape)
                needed += layer.weight_shapes(shape)
        layers.append(layer)
        inbound[layer.name], shapes[layer.name] = refs, out
    got = [w.shape for w in weights]
    if got != needed:
        with field("weights"):
            raise ValueError(f"the layers need weights of shapes {needed}, the file holds {got}")
    inputs = _names(spec.get("inputs"), shapes, "model.inputs", field)
    outputs = _names(spec.get("outputs"), shapes, "model.outputs", field)
    return Graph(spec.get("name"), layers, inbound, inputs, outputs)
