"""The parameter shapes a network's constructor arguments imply, computed without building it.

A model file names a network and its constructor's arguments. Building the
network from them allocates every weight, so a file of a few hundred bytes
declaring `hidden_size=10**9` would ask for gigabytes before any check ran.
These functions run the constructor's own argument checks (args.py), then
return {param name: shape} by arithmetic alone; model.py compares them with
the arrays the file really holds, whose size the file's size bounds, and only
then builds the network.
"""

from . import args

__all__ = ["DEEP_CONV_DEFAULTS", "deep_conv", "mlp", "mlp_extend", "simple_conv", "two_layer"]

# DeepConvNet's convolutions where its conv_param_1..6 are not given (the book's).
DEEP_CONV_DEFAULTS = [
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
]


def _affine_chain(sizes):
    shapes = {}
    for i in range(1, len(sizes)):
        shapes[f"W{i}"] = (sizes[i - 1], sizes[i])
        shapes[f"b{i}"] = (sizes[i],)
    return shapes


def two_layer(a):
    args.sizes("TwoLayerNet", input_size=a["input_size"], hidden_size=a["hidden_size"],
               output_size=a["output_size"])
    return _affine_chain([a["input_size"], a["hidden_size"], a["output_size"]])


def _mlp_sizes(a, where):
    args.sizes(where, input_size=a["input_size"], output_size=a["output_size"])
    return [a["input_size"], *args.hidden_sizes(a["hidden_size_list"], where), a["output_size"]]


def mlp(a):
    return _affine_chain(_mlp_sizes(a, "MultiLayerNet"))


def mlp_extend(a):
    """W, b of every Affine; gamma, beta of every batch norm (their running statistics
    have the same shape: model.py stores them as running_mean{i}, running_var{i})."""
    sizes = _mlp_sizes(a, "MultiLayerNetExtend")
    shapes = _affine_chain(sizes)
    if a.get("use_batchnorm"):
        for i in range(1, len(sizes) - 1):
            shapes[f"gamma{i}"] = shapes[f"beta{i}"] = (sizes[i],)
    return shapes


def _input_dim(a, where):
    input_dim = a["input_dim"]
    if not (isinstance(input_dim, (list, tuple)) and len(input_dim) == 3):
        raise ValueError(f"{where}: input_dim must be (channels, height, width), "
                         f"got {input_dim!r}")
    args.sizes(where, channels=input_dim[0], height=input_dim[1], width=input_dim[2])
    return input_dim


def simple_conv(a):
    where = "SimpleConvNet"
    cp = args.conv_param(a["conv_param"] or {"filter_num": 30, "filter_size": 5, "pad": 0,
                                             "stride": 1}, where)
    input_dim = _input_dim(a, where)
    args.sizes(where, hidden_size=a["hidden_size"], output_size=a["output_size"])
    size = (input_dim[1] - cp["filter_size"] + 2 * cp["pad"]) // cp["stride"] + 1
    n, fs, hidden = cp["filter_num"], cp["filter_size"], a["hidden_size"]
    return {"W1": (n, input_dim[0], fs, fs), "b1": (n,),
            "W2": (n * (size // 2) ** 2, hidden), "b2": (hidden,),
            "W3": (hidden, a["output_size"]), "b3": (a["output_size"],)}


def deep_conv(a):
    """Six 3×3-style convolutions (their filter counts from conv_param_1..6, the book's
    defaults where None), then W7 (64·4·4, hidden_size) and W8, as the constructor builds."""
    where = "DeepConvNet"
    channels = _input_dim(a, where)[0]
    args.sizes(where, hidden_size=a["hidden_size"], output_size=a["output_size"])
    shapes = {}
    for i in range(1, 7):
        given = a[f"conv_param_{i}"]
        cp = args.conv_param(given, where, f"conv_param_{i}") if given else (
            DEEP_CONV_DEFAULTS[i - 1])
        shapes[f"W{i}"] = (cp["filter_num"], channels, cp["filter_size"], cp["filter_size"])
        shapes[f"b{i}"] = (cp["filter_num"],)
        channels = cp["filter_num"]
    shapes.update({"W7": (64 * 4 * 4, a["hidden_size"]), "b7": (a["hidden_size"],),
                   "W8": (a["hidden_size"], a["output_size"]), "b8": (a["output_size"],)})
    return shapes
