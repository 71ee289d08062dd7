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

from . import arguments, model_file
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


def write_model(model, filepath):
    config = {"format": FORMAT, "version": FORMAT_VERSION, "model": model.get_config()}
    if model.optimizer is not None:
        config["compile"] = {
            "optimizer": {"class_name": type(model.optimizer).__name__.lower(),
                          "config": model.optimizer.get_config()},
            "loss": type(model.loss).__name__,
            "loss_config": model.loss.get_config(),
            "metrics": [m if isinstance(m, str) else getattr(m, "name", m.__name__)
                        for m in model.metric_names],
        }
    model_file.write(filepath, config, model.get_weights() if model.built else [])


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
    """What load_model needs, every piece checked: layers, shapes, weights, compile()."""

    def __init__(self, name, dtype, input_shape, layers, weights, compile_args):
        self.name, self.dtype, self.input_shape = name, dtype, input_shape
        self.layers, self.weights, self.compile_args = layers, weights, compile_args


def read_model(filepath):
    """The ModelParts of a file written by save, or one ValueError naming the problem."""
    path = str(filepath)
    config, weights = model_file.read(filepath)
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
    with _field(path, "model.layers"):
        items = spec.get("layers")
        _expect(isinstance(items, list), "a list of layers", items)
    layers = [_layer(path, i, item) for i, item in enumerate(items)]
    input_shape = _input_shape(path, spec, layers)
    _check_weights(path, layers, input_shape, weights)
    compile_args = _compile_args(path, config["compile"]) if "compile" in config else None
    return ModelParts(name, dtype, input_shape, layers, weights, compile_args)


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
        loss = losses_module.from_config(c.get("loss"), c.get("loss_config", {}))
    with _field(path, "compile.metrics"):
        names = c.get("metrics", [])
        _expect(isinstance(names, list) and all(isinstance(m, str) for m in names),
                "a list of metric names", names)
        for name in names:
            metrics_module.get(name, loss, 2)  # unknown names fail here, with the allowed ones
    return {"optimizer": optimizer, "loss": loss, "metrics": names}


@contextlib.contextmanager
def floatx(dtype):
    """Build with `dtype` (the saved model's), then restore the user's setting."""
    previous = config_module.floatx()
    config_module.set_floatx(dtype)
    try:
        yield
    finally:
        config_module.set_floatx(previous)
