"""What a saved model means: its config, checked field by field, and its weights.

model_file.py reads the container; this module reads the JSON config inside
it. Every name in it (layer classes, activations, initializers,
regularizers, the loss, the metrics, the optimizer) is looked up in the
registry of its module only, never with getattr, and every value goes
through the same constructor checks as a user's. Before any layer builds
its weights, the architecture is walked shape by shape and the weight
shapes it needs are compared with the arrays the file holds; those were
already bounded by the file's real size, so a small file cannot make a
large model. Any problem is one ValueError naming the file and the field.
"""

import contextlib

from . import arguments, model_file, optimizer_state, saving_graph
from . import config as config_module
from . import layers as layers_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelParts", "read_model", "read_weights", "write_model",
           "write_weights"]

# Marks files written by Sequential.save, checked by load_model.
FORMAT = "fastnet.keras"
FORMAT_VERSION = 1
_FLOAT_TYPES = ("float32", "float64")


def _metric_spec(m):
    """A compiled metric in the file: its name, or a metric object's class and settings."""
    if isinstance(m, metrics_module.Metric):
        return {"class_name": type(m).__name__, "config": m.get_config()}
    return m if isinstance(m, str) else m.__name__  # metrics.binary_accuracy and the like


def write_model(model, filepath):
    config = {"format": FORMAT, "version": FORMAT_VERSION, "model": model.get_config()}
    state = []
    if model.optimizer is not None:
        several = isinstance(model.loss, list)  # one loss per output
        losses = model.loss if several else [model.loss]
        spec, state = optimizer_state.saved(model.optimizer)
        metrics = [[_metric_spec(m) for m in ids] for ids in model._metric_ids]
        config["compile"] = {
            "optimizer": {"class_name": type(model.optimizer).__name__.lower(),
                          "config": model.optimizer.get_config()},
            "loss": [type(loss).__name__ for loss in losses] if several else
            type(model.loss).__name__,
            "loss_config": [loss.get_config() for loss in losses] if several else
            model.loss.get_config(),
            "metrics": metrics if len(metrics) > 1 else metrics[0],
            "optimizer_state": spec,
        }
        if model.loss_weights is not None:
            config["compile"]["loss_weights"] = model.loss_weights
    model_file.write(filepath, config, model.get_weights() if model.built else [], state)


def write_weights(model, filepath):
    config = {"format": FORMAT, "version": FORMAT_VERSION, "weights_only": True}
    model_file.write(filepath, config, model.get_weights())


@contextlib.contextmanager
def _field(path, where):
    """Re-raise a constructor's or a registry's complaint about `where` as one ValueError."""
    try:
        yield
    except (TypeError, ValueError, KeyError, NotImplementedError) as err:
        raise ValueError(f"{path}: {where}: {err}") from err


def _checked_header(path, config):
    with _field(path, "format"):
        if config.get("format") != FORMAT:
            raise ValueError(f"not a model saved by fastnet.keras (format {FORMAT!r} expected)")
    with _field(path, "version"):
        version = config.get("version")
        if type(version) is not int or version != FORMAT_VERSION:
            raise ValueError(f"this fastnet reads version {FORMAT_VERSION}, got {version!r}")


def read_weights(filepath):
    """The weight arrays of a file written by save_weights or save."""
    path = str(filepath)
    config, weights = model_file.read(filepath)
    _checked_header(path, config)
    return weights


class ModelParts:
    """What load_model needs, every piece checked: layers, shapes, weights, compile().

    graph: a functional model's saving_graph.Graph (None for Sequential);
    optimizer: (state description, arrays) to restore after compile, or None.
    """

    def __init__(self, name, dtype, input_shape, layers, weights, compile_args, graph=None,
                 optimizer=None):
        self.name, self.dtype, self.input_shape = name, dtype, input_shape
        self.layers, self.weights, self.compile_args = layers, weights, compile_args
        self.graph, self.optimizer, self.path = graph, optimizer, None

    def restore_optimizer(self, model):
        """After compile: the saved step count and moments into model.optimizer."""
        if self.optimizer is not None:
            spec, arrays = self.optimizer
            with _field(self.path, "compile.optimizer_state"):
                optimizer_state.restore(model.optimizer, spec, arrays,
                                        model.trainable_weights, self.path)


def read_model(filepath):
    """The ModelParts of a file written by save, or one ValueError naming the problem."""
    path = str(filepath)
    config, weights, state = model_file.read(filepath, optimizer=True)
    _checked_header(path, config)
    if "model" not in config:
        raise ValueError(f"{path} holds only weights; use model.load_weights")
    spec = config["model"]
    with _field(path, "model"):
        _expect(isinstance(spec, dict), "an object", spec)
    with _field(path, "model.name"):
        name = spec.get("name")
        _expect(name is None or isinstance(name, str), "a string", name)
    with _field(path, "model.dtype"):
        dtype = spec.get("dtype", "float32")
        _expect(dtype in _FLOAT_TYPES, f"one of {list(_FLOAT_TYPES)}", dtype)
    compile_args = _compile_args(path, config["compile"]) if "compile" in config else None
    optimizer = None
    if compile_args is not None and "optimizer_state" in config["compile"]:
        optimizer = (config["compile"]["optimizer_state"], state)
    elif state:
        raise ValueError(f"{path}: holds optimizer arrays but no compile settings")
    if spec.get("class_name", "Sequential") == "Functional":
        with floatx(dtype):  # layers made now take the saved model's dtype
            graph = saving_graph.read_graph(spec, weights, lambda where: _field(path, where),
                                            _expect)
        parts = ModelParts(name, dtype, None, graph.layers, weights, compile_args, graph,
                           optimizer)
        parts.path = path
        return parts
    with _field(path, "model.class_name"):
        _expect(spec.get("class_name", "Sequential") == "Sequential",
                "'Sequential' or 'Functional'", spec.get("class_name"))
    with _field(path, "model.layers"):
        items = spec.get("layers")
        _expect(isinstance(items, list), "a list of layers", items)
    layers = [_layer(path, i, item) for i, item in enumerate(items)]
    input_shape = _input_shape(path, spec, layers)
    _check_weights(path, layers, input_shape, weights)
    parts = ModelParts(name, dtype, input_shape, layers, weights, compile_args,
                       optimizer=optimizer)
    parts.path = path
    return parts


def _expect(ok, what, value):
    if not ok:
        raise ValueError(f"must be {what}, got {value!r:.200}")


def _layer(path, i, item):
    where = f"model.layers[{i}]"
    with _field(path, where):
        _expect(isinstance(item, dict) and set(item) == {"class_name", "config"},
                "an object with keys 'class_name' and 'config'", item)
    with _field(path, f"{where} ({item['class_name']!r})"):
        return layers_module.from_config(item["class_name"], item["config"])


def _input_shape(path, spec, layers):
    """The shape the model will build for: the saved one, or the first layer's."""
    saved = spec.get("input_shape")
    if saved is not None:
        with _field(path, "model.input_shape"):
            saved = arguments.shape(saved, "input_shape")
    declared = layers[0].declared_input_shape if layers else None
    if saved is not None and declared is not None and saved != declared:
        raise ValueError(
            f"{path}: model.input_shape {saved} differs from the first layer's input_shape "
            f"{declared}"
        )
    for i, layer in enumerate(layers[1:], 1):
        if isinstance(layer, layers_module.InputLayer):
            raise ValueError(f"{path}: model.layers[{i}]: an InputLayer may only come first")
    return saved if saved is not None else declared


def _check_weights(path, layers, input_shape, weights):
    """Refuse a file whose weights are not exactly what its architecture will build."""
    if input_shape is None:
        if weights:
            raise ValueError(f"{path}: holds {len(weights)} weights for a model never built")
        return
    expected, shape = [], input_shape
    for i, layer in enumerate(layers):
        with _field(path, f"model.layers[{i}] ({type(layer).__name__}) on input {shape}"):
            out = layer.compute_output_shape(shape)
            expected += layer.weight_shapes(shape)
            shape = out
    got = [w.shape for w in weights]
    if got != expected:
        raise ValueError(
            f"{path}: its layers need weights of shapes {expected}, the file holds {got}"
        )


def _compile_args(path, c):
    with _field(path, "compile"):
        _expect(isinstance(c, dict), "an object", c)
    with _field(path, "compile.optimizer"):
        opt = c.get("optimizer")
        _expect(isinstance(opt, dict) and set(opt) == {"class_name", "config"},
                "an object with keys 'class_name' and 'config'", opt)
        optimizer = optimizers_module.from_config(opt["class_name"], opt["config"])
    with _field(path, "compile.loss"):
        names, configs = c.get("loss"), c.get("loss_config", {})
        if isinstance(names, list):  # one loss per output
            _expect(isinstance(configs, list) and len(configs) == len(names),
                    "a list of loss configs as long as the list of losses", configs)
            loss = [losses_module.from_config(n, cfg) for n, cfg in zip(names, configs)]
        else:
            loss = losses_module.from_config(names, configs)
    with _field(path, "compile.metrics"):
        names = c.get("metrics", [])
        nested = bool(names) and all(isinstance(m, list) for m in names)
        groups = names if nested else [names]
        _expect(isinstance(names, list) and all(
            isinstance(g, list) and all(isinstance(m, (str, dict)) for m in g) for g in groups),
                "a list of metrics (or of lists, one per output), each a name or an object "
                "with keys 'class_name' and 'config'", names)
        groups = [[_metric(m) for m in group] for group in groups]
        for group, each in zip(groups, loss if isinstance(loss, list) else [loss] * len(groups)):
            for metric in group:
                metrics_module.get(metric, each, 2)  # unknown names fail here, with the allowed
    args = {"optimizer": optimizer, "loss": loss,
            "metrics": groups if nested else groups[0]}
    if "loss_weights" in c:
        with _field(path, "compile.loss_weights"):
            weights = c["loss_weights"]
            _expect(isinstance(weights, list), "a list of numbers, one per output", weights)
            args["loss_weights"] = weights  # compile checks each number and the count
    return args


def _metric(spec):
    """A metric's name as saved, or the metric object its class and settings describe."""
    if isinstance(spec, str):
        return spec
    _expect(set(spec) == {"class_name", "config"}, "an object with keys 'class_name' and "
            "'config'", spec)
    return metrics_module.from_config(spec["class_name"], spec["config"])


@contextlib.contextmanager
def floatx(dtype):
    """Build with `dtype` (the saved model's), then restore the user's setting."""
    previous = config_module.floatx()
    config_module.set_floatx(dtype)
    try:
        yield
    finally:
        config_module.set_floatx(previous)
