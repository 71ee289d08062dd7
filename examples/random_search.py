"""The book's chapter 6 hyper-parameter search, as RandomizedSearchCV on two workers.

    python examples/random_search.py             # 100 trials, as in the book
    python examples/random_search.py --quick     # 4 trials (CI runs this)

The book's hyperparameter_optimization.py draws 100 pairs (learning rate
10^U(-6, -2), weight decay 10^U(-8, -4)), trains a 6 x 100 MultiLayerNet
with SGD on 500 training images for 50 epochs, and ranks the pairs by
validation accuracy. Here scikit-learn draws the pairs (loguniform),
validates each on 3 folds instead of one split, and runs the trials on
two processes (n_jobs=2): each worker runs fastnet's kernels on one thread,
so the cores are not oversubscribed.

On a Dask cluster, the same search runs with
`with joblib.parallel_config(backend="dask"): search.fit(x, t)` after
`distributed.Client(address)`; on Ray, after `ray.util.joblib.register_ray()`,
with backend="ray". See README.md, "Evaluating and tuning".
"""

import argparse

from scipy.stats import loguniform
from sklearn.model_selection import RandomizedSearchCV

from fastnet.datasets import load_mnist
from fastnet.sklearn import FastnetClassifier


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run, for CI")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)

    (x_train, t_train), _ = load_mnist(normalize=True, source="bundled")
    x, t = x_train[:500], t_train[:500]  # the book's reduced training set
    net = FastnetClassifier(hidden_layer_sizes=(100,) * (2 if args.quick else 6),
                            optimizer="sgd", batch_size=100, epochs=5 if args.quick else 50,
                            random_state=0)
    search = RandomizedSearchCV(
        net, {"learning_rate": loguniform(1e-6, 1e-2), "weight_decay": loguniform(1e-8, 1e-4)},
        n_iter=4 if args.quick else 100, cv=3, n_jobs=args.n_jobs, random_state=0,
        error_score="raise")
    search.fit(x, t)
    results = search.cv_results_
    order = results["rank_test_score"].argsort()
    print("=========== Hyper-Parameter Optimization Result ===========")
    for rank, i in enumerate(order[:20], 1):
        params = results["params"][i]
        print(f"Best-{rank} (val acc: {results['mean_test_score'][i]:.3f}) | "
              f"lr: {params['learning_rate']:.3g}, weight decay: {params['weight_decay']:.3g}")


if __name__ == "__main__":
    main()
