"""Small models for the serve tests whose outputs overflow at inputs chosen by the test."""

from fastnet.nets import MultiLayerNet
from fastnet.serve import ServedModel


def uniform_net(folder, dtype, weight):
    """A 4-3-2 network whose weights all equal `weight` (biases 0), saved in `folder` and
    loaded as the server loads it. A row of four values v gives hidden units of 4·v·weight:
    past the dtype's largest number they are inf, and the outputs NaN."""
    net = MultiLayerNet(4, [3], 2, dtype=dtype)
    for name, value in net.params.items():
        value[...] = weight if name.startswith("W") else 0
    path = folder / f"uniform-{dtype.__name__}.fnet"
    net.save(path)
    return ServedModel.load(path)
