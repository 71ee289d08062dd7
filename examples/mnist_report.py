"""MNIST: a trained net's classification report and confusion matrix, by scikit-learn.

    python examples/mnist_report.py            # 784-100-10, 10 epochs, bundled digits
    python examples/mnist_report.py --quick    # a few seconds (CI runs this)

Accuracy alone hides which digits a net confuses; the report gives each
digit's precision (of the images called "8", how many were 8s), recall (of
the 8s, how many were found) and F1, and the plot shows where the
mistakes go. Needs `pip install "fastnet[sklearn]" matplotlib`.
"""

import argparse

import numpy as np

from fastnet.datasets import load_mnist
from fastnet.sklearn import FastnetClassifier
from fastnet.sklearn.metrics import plot_confusion_matrix, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run, for CI")
    parser.add_argument("--plot", default="mnist_confusion_matrix.png", help="where to save it")
    args = parser.parse_args(argv)

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, source="bundled")
    clf = FastnetClassifier(hidden_layer_sizes=(30,) if args.quick else (100,),
                            epochs=2 if args.quick else 10, batch_size=100,
                            optimizer="adam", learning_rate=0.001, dtype="float32",
                            random_state=0)
    clf.fit(x_train, t_train)
    # The same helper takes a book-style net too: report(clf.net_, x_test, t_test).
    result = report(clf, x_test, t_test, target_names=[str(d) for d in range(10)])
    print(result.text)
    worst = int(np.argmin(result.recall))
    print(f"hardest digit: {result.labels[worst]} (recall {result.recall[worst]:.3f})")
    print(f"confusion matrix saved to {plot_confusion_matrix(result, args.plot)}")


if __name__ == "__main__":
    main()
