"""The `fastnet` command.

    fastnet train                  # MLP on the bundled MNIST digits, then vs NumPy
    fastnet train --hidden 100 50 --optimizer sgd --lr 0.1 --epochs 20
    fastnet train --report         # + per-class precision / recall / F1, confusion matrix
    fastnet train --gradient numerical --hidden 50 --activation sigmoid --optimizer sgd \
        --lr 0.1 --dtype float64       # chapter 4: gradients by central differences
    fastnet train --save digits.fnet     # + the trained network, for fastnet.load / serve
    fastnet serve digits.fnet            # an HTTP API and a drawing page (the "serve" extra)
    fastnet run ch05/train_neuralnet.py  # a book script, on fastnet (fastnet.scratch)
    python -m fastnet train --help

`fastnet train` trains the book's MultiLayerNet with mini-batch gradient
descent, prints loss and accuracies after every epoch, then runs the SAME
training (same seed, same batches) twice more and prints how much faster
fastnet was than each: on fastnet's "numpy" reference backend (the same
net in lean NumPy, in the chosen dtype) and with the book's own layers in
plain float64 NumPy (fastnet.book_numpy), what the learner's code costs
without fastnet. With --report it also prints
scikit-learn's classification report of the test set and saves the
confusion matrix as a plot (needs the "sklearn" extra and matplotlib).
"""

import argparse
import importlib.util
import math
import os
import sys
import time
from contextlib import nullcontext

import numpy as np

import fastnet

from . import datasets, nets, optimizers, threads
from .backend import current, load, using_backend
from .book_numpy.common import optimizer as book_optimizer
from .book_numpy.common.multi_layer_net import ACTIVATIONS as BOOK_ACTIVATIONS
from .book_numpy.common.multi_layer_net import MultiLayerNet as BookMultiLayerNet
from .progress import ProgressBar
from .scratch import runner
from .scratch.runner import BOOK_OPTIONAL_PACKAGES as BOOK_OPTIONAL_PACKAGES  # was cli's own

__all__ = ["main"]

OPTIMIZERS = optimizers.BY_NAME
# Each optimizer's rate is chosen so that the default run (hidden 100, batch
# 100, 15 epochs, bundled digits) learns past 90 % test accuracy (the tests
# check it for the default optimizer); the book's own defaults (SGD 0.01)
# learn much more slowly. The measurements: benchmarks/README.md.
DEFAULT_LR = {
    "sgd": 0.2,
    "momentum": 0.03,
    "nesterov": 0.03,
    "adagrad": 0.03,
    "rmsprop": 0.001,
    "adam": 0.001,
}
DTYPES = {"float32": np.float32, "float64": np.float64}
REPORT_PLOT = "confusion_matrix.png"


def _parsed(text, convert):
    """text as an int or a float (`convert`), or the argparse error for one that is not."""
    try:
        return convert(text)
    except ValueError:
        what = "a whole number" if convert is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def _positive_int(text):
    value = _parsed(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _thread_count(text):
    value = _positive_int(text)
    if value > threads.max_threads():
        raise argparse.ArgumentTypeError(f"must be at most {threads.max_threads()} "
                                         f"({threads.THREADS_PER_CPU} per CPU), got {value}")
    return value


def _positive_float(text):
    value = _parsed(text, float)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def _whole_number_in(low, high):
    """An argparse type: a whole number from low to high."""
    def whole_number(text):
        value = _parsed(text, int)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in {low}..{high}, got {value}")
        return value
    return whole_number


# NumPy's global generator, which the net's initial weights come from, takes
# seeds in 0..2**32 - 1; a TCP port is 16 bits (0: any free port).
_seed = _whole_number_in(0, 2**32 - 1)
_port = _whole_number_in(0, 65535)


def _milliseconds(text):
    # inf would make every request wait forever, NaN would compare false everywhere.
    value = _parsed(text, float)
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _unwritable(path):
    """Why a file cannot be written at `path`, or None. Asked before training, so
    that a typo in the path does not cost the whole run."""
    if not path:
        return "an empty path"
    if os.path.isdir(path):
        return f"{path} is a directory; give a file name"
    if os.path.exists(path):
        return None if os.access(path, os.W_OK) else f"{path} is not writable"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"no directory {folder} to write {os.path.basename(path)} in"
    return None if os.access(folder, os.W_OK) else f"directory {folder} is not writable"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="fastnet",
        description="Deep Learning from Scratch's networks on compiled kernels.",
    )
    parser.add_argument("--version", action="version", version=f"fastnet {fastnet.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser(
        "train",
        help="train an MLP on MNIST and compare its speed with NumPy",
        description="Train MultiLayerNet on MNIST (by default the 4,000/1,000 digits "
        "bundled with fastnet), then time the same training on the NumPy reference.",
    )
    train.add_argument("--epochs", type=_positive_int, default=15, help="default: 15")
    train.add_argument("--batch-size", type=_positive_int, default=100, help="default: 100")
    train.add_argument("--hidden", type=_positive_int, nargs="+", default=[100], metavar="N",
                       help="hidden layer sizes, e.g. --hidden 100 50 (default: 100)")
    train.add_argument("--activation", choices=["relu", "sigmoid", "tanh"], default="relu",
                       help="hidden activation (default: relu; chapter 4's net: sigmoid)")
    train.add_argument("--gradient", choices=["backprop", "numerical"], default="backprop",
                       help="backprop (default), or numerical: the book's central "
                            "differences (chapter 4), by fastnet.numgrad; implies --no-compare")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam",
                       help="default: adam")
    train.add_argument("--lr", type=_positive_float, default=None,
                       help="learning rate (default depends on the optimizer: "
                       + ", ".join(f"{k} {v}" for k, v in DEFAULT_LR.items()) + ")")
    train.add_argument("--dtype", choices=sorted(DTYPES), default="float32",
                       help="default: float32")
    train.add_argument("--backend", choices=["numpy", "cython", "cupy"], default=None,
                       help="default: fastnet's default (cython when built)")
    train.add_argument("--threads", type=_thread_count, default=1,
                       help="threads for fastnet's kernels and NumPy's BLAS (default: 1)")
    train.add_argument("--seed", type=_seed, default=0, help="0 to 2**32 - 1 (default: 0)")
    train.add_argument("--data", choices=["bundled", "full", "auto"], default="bundled",
                       help="MNIST source: bundled 5,000 digits (default), full 70,000 "
                       "(downloaded once), or auto (full if possible)")
    train.add_argument("--no-compare", action="store_true",
                       help="skip timing the same training on the NumPy reference")
    train.add_argument("--report", nargs="?", const=REPORT_PLOT, default=None, metavar="PNG",
                       help="after training, print the test set's classification report "
                       "(precision, recall, F1 per digit) and save its confusion matrix to "
                       f"PNG (default: {REPORT_PLOT}); needs scikit-learn and matplotlib")
    train.add_argument("--save", default=None, metavar="PATH",
                       help="save the trained network to PATH (e.g. digits.fnet) for "
                       "`fastnet serve` or fastnet.load; .npz + JSON, no pickle")
    run = commands.add_parser("run", help=runner.HELP, description=runner.DESCRIPTION)
    runner.add_arguments(run)
    _add_serve_parser(commands)
    return parser


def _add_serve_parser(commands):
    serve = commands.add_parser(
        "serve", help="serve a saved model over HTTP, with a page to draw digits on",
        description="Serve MODEL (saved by `fastnet train --save`, net.save or a fastnet.keras "
        "model.save) on an HTTP API: POST /predict, POST /predict/image, GET /model, "
        "GET /health, the drawing page at /. Needs the \"serve\" extra.")
    serve.add_argument("model", metavar="MODEL", help="the model file")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=_port, default=8000,
                       help="0 to 65535; 0: any free port (default: 8000)")
    serve.add_argument("--workers", type=_positive_int, default=1,
                       help="server processes, each with the model (default: 1)")
    serve.add_argument("--max-rows", type=_positive_int, default=1024,
                       help="most rows in one /predict request (default: 1024)")
    serve.add_argument("--max-body-bytes", type=_positive_int, default=2 * 1024 * 1024,
                       help="largest request body (default: 2 MiB)")
    serve.add_argument("--max-batch", type=_positive_int, default=256,
                       help="most rows in one forward pass (default: 256; 1: no batching)")
    serve.add_argument("--batch-window-ms", type=_milliseconds, default=0.0,
                       help="how long a batch waits for more requests to join it (default: "
                       "0: a batch is what arrived while the last one ran)")


def main(argv=None):
    """Run the command line `argv` (default: sys.argv[1:]); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        return runner.run(args.script, args.args, float32=args.float32)
    if args.command == "serve":
        return _serve_command(args)
    if args.backend is not None:
        try:
            load(args.backend)
        except (ImportError, RuntimeError) as exc:
            parser.error(f"backend {args.backend!r} is not available here: {exc}")
    for option, path in (("--save", args.save), ("--report", args.report)):
        problem = None if path is None else _unwritable(path)
        if problem:
            parser.error(f"argument {option}: {problem}")
    return _train_command(args)


def _serve_command(args):
    try:
        from . import serve
    except ImportError as exc:
        print(f"fastnet: error: {exc}", file=sys.stderr)
        return 2
    try:
        serve.run(args.model, host=args.host, port=args.port, workers=args.workers,
                  max_rows=args.max_rows, max_body_bytes=args.max_body_bytes,
                  batch_window=args.batch_window_ms / 1000,
                  max_batch=args.max_batch)
    except (OSError, ValueError) as exc:
        print(f"fastnet: error: cannot serve {args.model}: {exc}", file=sys.stderr)
        return 1
    return 0


def _report_unavailable():
    """Why --report cannot run here (a missing package and how to get it), or None."""
    try:
        import fastnet.sklearn  # noqa: F401
    except ImportError as exc:
        return f"--report needs scikit-learn: {exc}"
    if importlib.util.find_spec("matplotlib") is None:
        return ("--report saves the confusion matrix with matplotlib, which is not installed: "
                'pip install matplotlib (or "fastnet[plot]")')
    return None


def _print_report(net, x_test, t_test, path, out):
    from .sklearn.metrics import plot_confusion_matrix, report

    result = report(net, x_test, t_test)
    print("classification report (test set):", file=out)
    print(result.text, file=out)
    print(f"confusion matrix saved to {plot_confusion_matrix(result, path)}", file=out)


def _train_command(args, out=None):
    out = sys.stdout if out is None else out
    if args.report is not None:
        # Checked before training: a missing package should not cost a run.
        problem = _report_unavailable()
        if problem:
            print(f"fastnet: error: {problem}", file=sys.stderr)
            return 2
    try:
        (x_train, t_train), (x_test, t_test) = datasets.load_mnist(source=args.data)
    except (OSError, ValueError) as exc:
        print(f"fastnet: error: cannot load MNIST: {exc}", file=sys.stderr)
        return 1
    dtype = DTYPES[args.dtype]
    data = (x_train.astype(dtype), t_train, x_test.astype(dtype), t_test)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    threads_before = fastnet.get_num_threads()
    fastnet.set_num_threads(args.threads)
    backend_ctx = using_backend(args.backend) if args.backend else nullcontext()
    try:
        with backend_ctx:
            backend = fastnet.get_backend()
            sizes = "-".join(str(n) for n in [784, *args.hidden, 10])
            print(f"MultiLayerNet {sizes} ({args.activation}), {args.gradient} gradients, "
                  f"{args.optimizer} lr={lr:g}, "
                  f"{args.epochs} epochs of batch {args.batch_size}, {args.dtype}, "
                  f"backend {backend}, {fastnet.get_num_threads()} thread(s)", file=out)
            print(f"data: MNIST ({args.data}), {len(t_train)} train / {len(t_test)} test",
                  file=out)
            seconds, net = _fit(args, data, out, _fastnet_net(args, lr), None)
            if args.save:
                net.save(args.save)
                print(f"saved the network to {args.save} (fastnet serve {args.save})", file=out)
            if args.report is not None:
                _print_report(net, current().xp.asarray(x_test.astype(dtype)), t_test,
                              args.report, out)
        if args.no_compare or args.gradient == "numerical":
            # the NumPy reference of numerical gradients is the book's loop: hours
            print(f"fastnet ({backend}, {args.dtype}): {_seconds(seconds)}", file=out)
        elif backend == "numpy":
            print(f"numpy reference ({args.dtype}): {_seconds(seconds)} "
                  "(no comparison: the run above already used the numpy backend)", file=out)
        else:
            with using_backend("numpy"):
                reference_seconds, _ = _fit(args, data, out, _fastnet_net(args, lr),
                                            "numpy reference")
            times = _times_sign(out)
            print(f"fastnet ({backend}, {args.dtype}): {_seconds(seconds)}; "
                  f"numpy reference: {_seconds(reference_seconds)}; "
                  f"speed-up {_ratio(reference_seconds, seconds):.2f}{times}", file=out)
            _compare_with_the_book(args, lr, (x_train, t_train, x_test, t_test), seconds, out)
    finally:
        fastnet.set_num_threads(threads_before)
    return 0


def _ratio(baseline_seconds, seconds):
    return baseline_seconds / seconds if seconds > 0 else float("inf")


def _fastnet_net(args, lr):
    """A function making fastnet's MultiLayerNet and optimizer for args."""
    def make():
        net = nets.MultiLayerNet(784, args.hidden, 10, activation=args.activation,
                                 weight_init_std=args.activation, dtype=DTYPES[args.dtype])
        return net, OPTIMIZERS[args.optimizer](lr=lr)
    return make


def _compare_with_the_book(args, lr, data, seconds, out):
    """Time the same training with the book's float64 NumPy layers; print the speed-up."""
    if args.activation not in BOOK_ACTIVATIONS:
        print(f"the book's MultiLayerNet has no {args.activation} activation: "
              "no comparison with its code", file=out)
        return
    def make():
        net = BookMultiLayerNet(784, args.hidden, 10, activation=args.activation,
                                weight_init_std=args.activation)
        return net, book_optimizer.BY_NAME[args.optimizer](lr=lr)

    with using_backend("numpy"):  # plain NumPy arrays; the book's code calls no kernel
        book_seconds, _ = _fit(args, data, out, make, "the book's layers")
    print(f"the book's NumPy layers (float64): {_seconds(book_seconds)}; "
          f"speed-up {_ratio(book_seconds, seconds):.2f}{_times_sign(out)}", file=out)


def _fit(args, data, out, make, label):
    """Train a fresh net from make() with args' seed; returns (seconds spent training, the net).

    label: None for the main run (a bar and a line per epoch), else the name
    of a comparison run (one bar for the whole run). The clock covers the
    mini-batch steps only; evaluating accuracies and printing are left out,
    so every run is timed on the same work.
    """
    verbose = label is None
    x_train, t_train, x_test, t_test = data
    B = current()
    x_train, x_test = B.xp.asarray(x_train), B.xp.asarray(x_test)
    t_train, t_test = B.xp.asarray(t_train), B.xp.asarray(t_test)
    np.random.seed(args.seed)  # the net's weight initialisation draws from it
    rng = np.random.default_rng(args.seed)  # the mini-batch order
    net, optimizer = make()
    n = len(t_train)
    steps = math.ceil(n / args.batch_size)
    # The reference run gets one bar for the whole run, not one line per epoch.
    whole_run = None if verbose else ProgressBar(steps * args.epochs, label, stream=out)
    seconds = 0.0
    for epoch in range(1, args.epochs + 1):
        epoch_label = f"epoch {epoch:>{len(str(args.epochs))}}/{args.epochs}"
        bar = ProgressBar(steps, epoch_label, stream=out) if verbose else whole_run
        # Moved to the backend's memory once per epoch (a no-op on the CPU),
        # so that a GPU step copies nothing from the host.
        order = B.xp.asarray(rng.permutation(n))
        loss_sum = 0.0
        start = time.perf_counter()
        for step in range(steps):
            batch = order[step * args.batch_size:(step + 1) * args.batch_size]
            if args.gradient == "numerical":
                grads = net.numerical_gradient(x_train[batch], t_train[batch])
            else:
                grads = net.gradient(x_train[batch], t_train[batch])
            # The gradient's first forward pass was at the current parameters.
            loss = float(net.loss(x_train[batch], t_train[batch])) if (
                args.gradient == "numerical") else float(net.last_layer.loss)
            optimizer.update(net.params, grads)
            loss_sum += loss
            bar.update()
        seconds += time.perf_counter() - start
        if verbose:
            bar.finish(f"{epoch_label}  loss {loss_sum / steps:.4f}  "
                       f"train acc {net.accuracy(x_train, t_train):.4f}  "
                       f"test acc {net.accuracy(x_test, t_test):.4f}")
    if not verbose:
        whole_run.finish(f"{label}: {args.epochs} epochs, "
                         f"test acc {float(net.accuracy(x_test, t_test)):.4f}")
    return seconds, net


def _seconds(seconds):
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _times_sign(stream):
    # "×" where the stream can encode it, a plain "x" on ASCII-only consoles.
    try:
        "×".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "x"
    return "×"
