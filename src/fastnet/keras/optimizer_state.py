"""An optimizer's state in a model file: its step count and its moments.

The moments are arrays beside the weights ("optimizer_000", ...); the JSON
config says how many steps were taken and, for each trainable weight, which
of the optimizer's slots hold an array (Adam keeps m and v, and v_max only
with amsgrad; RMSprop keeps h, and m / a only with momentum / centered). On
load the optimizer makes the state it would make for these weights, so the
file must match it slot for slot and shape for shape; then the saved values
are copied in, and the next step continues where the saved one stopped.
"""

from ..backend import current
from ..device import to_numpy

__all__ = ["restore", "saved"]


def saved(optimizer):
    """(JSON description, [arrays]) of the optimizer's state; ({...}, []) before any step."""
    state = optimizer._state or []
    spec = {"iterations": optimizer.iterations,
            "slots": [[a is not None for a in slots] for slots in state]}
    arrays = [to_numpy(a) for slots in state for a in slots if a is not None]
    return spec, arrays


def restore(optimizer, spec, arrays, weights, path):
    """Put the saved state into `optimizer` for the model's trainable `weights`."""
    if not isinstance(spec, dict) or set(spec) != {"iterations", "slots"}:
        raise ValueError(f"{path}: compile.optimizer_state must be an object with keys "
                         f"'iterations' and 'slots', got {spec!r:.200}")
    iterations, slots = spec["iterations"], spec["slots"]
    if type(iterations) is not int or iterations < 0:
        raise ValueError(f"{path}: compile.optimizer_state.iterations must be an integer >= 0, "
                         f"got {iterations!r:.100}")
    if not slots:
        if arrays:
            raise ValueError(f"{path}: holds {len(arrays)} optimizer arrays but no state")
        optimizer.iterations = iterations
        return
    fresh = [optimizer._new_state(w) for w in weights]
    layout = [[a is not None for a in s] for s in fresh]
    if slots != layout:
        raise ValueError(f"{path}: the optimizer state has slots {slots!r:.200}; a "
                         f"{type(optimizer).__name__} for this model keeps {layout!r:.200}")
    targets = [a for s in fresh for a in s if a is not None]
    if [a.shape for a in arrays] != [t.shape for t in targets]:
        raise ValueError(f"{path}: optimizer arrays of shapes {[a.shape for a in arrays]} "
                         f"for state of shapes {[t.shape for t in targets]}")
    xp = current().xp
    for target, value in zip(targets, arrays):
        target[...] = xp.asarray(value)
    optimizer._state, optimizer.iterations = fresh, iterations
