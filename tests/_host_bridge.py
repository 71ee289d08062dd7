"""Run the shared kernel, layer and network tests on a GPU backend.

Those tests are written with NumPy arrays and check results with
np.testing. `HostBridge(gpu_backend)` stands in for the backend there: each
kernel call copies its NumPy arguments to the device, runs the GPU kernel,
copies arrays the kernel may have updated in place back into the caller's
NumPy arrays, and returns the results as NumPy arrays. Its `xp` is NumPy, so
layers and optimizers allocate on the host.

This copying is what the GPU backend itself never does; it exists only so
that one set of tests checks every backend. The device-resident path (data
moved once, no copies in the loop) is tested in tests/gpu/test_gpu_wiring.py.
"""

import numpy as np

from fastnet.backend import load


class HostBridge:
    """A GPU Backend seen from NumPy: arrays in and out through explicit copies."""

    def __init__(self, gpu):
        self.gpu = gpu
        self.name = gpu.name
        self.xp = np
        self._host = load("numpy")  # how a CPU backend turns lists into arrays

    def __repr__(self):
        return f"<HostBridge to {self.gpu!r}>"

    def asarray(self, x, name="x", where="fastnet"):
        return self._host.asarray(x, name, where)

    def to_device(self, x):
        return np.asarray(x)

    def _to_device(self, x):
        # A NumPy scalar stays one: the GPU backend turns a number it only reads
        # into a 0-d device array itself, and refuses one it must update in place,
        # as the CPU backends do (a 0-d device array here would pass that check).
        if not isinstance(x, np.ndarray):
            return x
        if x.flags.c_contiguous or x.ndim == 0:
            return self.gpu.to_device(x)
        # A copy to the device is contiguous; the tests' non-contiguous inputs
        # must stay non-contiguous there, so that kernels which need
        # contiguous memory are seen to make it. Every other column of a
        # twice-as-wide device array holds the same values.
        wide = np.zeros(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)
        wide[..., ::2] = x
        return self.gpu.to_device(wide)[..., ::2]

    def _to_host(self, x):
        if isinstance(x, tuple):
            return tuple(self._to_host(v) for v in x)
        return x.get() if isinstance(x, self.gpu.xp.ndarray) else x

    def __getattr__(self, name):
        kernel = getattr(self.gpu, name)  # AttributeError for names no backend has

        def bridged(*args, **kwargs):
            moved = [self._to_device(a) for a in args]
            result = kernel(*moved, **kwargs)
            # Optimizer updates work in place: show the caller what changed.
            for host, dev in zip(args, moved):
                if isinstance(host, np.ndarray) and dev is not host and host.flags.writeable:
                    host[...] = dev.get()
            return self._to_host(result)

        bridged.__name__ = name
        return bridged
