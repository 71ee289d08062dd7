"""The training loop every own-net estimator runs: epochs of shuffled mini-batches.

The same loop as `fastnet train` and the book's chapter 4: gradient by
backpropagation, then the optimizer's in-place update. The data are moved
to the backend once per fit, not per batch.
"""

from ..backend import current

__all__ = ["train_epochs"]


def train_epochs(net, optimizer, x, t, batch_size, epochs, rng):
    """Run `epochs` passes over (x, t); returns the mean data loss of each pass.

    x and t are arrays of the current backend; rng (a NumPy Generator) gives
    each pass its order. A last partial batch is trained on too.
    """
    xp = current().xp
    n = x.shape[0]
    batch_size = min(batch_size, n)
    losses = []
    for epoch in range(epochs):
        order = xp.asarray(rng.permutation(n))
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            xb, tb = xp.take(x, batch, axis=0), xp.take(t, batch, axis=0)
            try:
                grads = net.gradient(xb, tb)
            except ValueError as exc:
                if "NaN or inf" not in str(exc):
                    raise
                # The inputs were checked finite before training: the weights blew up.
                raise ValueError(
                    f"training diverged in epoch {epoch + 1}: the network's outputs became "
                    f"NaN or inf; lower learning_rate or scale the inputs ({exc})"
                ) from exc
            optimizer.update(net.params, grads)
            total += float(net.last_layer.loss) * batch.shape[0]
        losses.append(total / n)
    return losses
