"""Searches and cross-validation in parallel through joblib: one kernel thread per worker.

Each test would fail if fits inside workers kept OpenMP's default count:
the loky test gives its workers two threads on purpose (joblib's
inner_max_num_threads), so only fastnet.sklearn's own rule brings them to one.
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.model_selection import RandomizedSearchCV, cross_validate

import fastnet
from fastnet.sklearn import FastnetClassifier
from fastnet.sklearn.threads import in_parallel_worker, threads_for_fit

QUICK = {"hidden_layer_sizes": (8,), "epochs": 3, "learning_rate": 0.01, "random_state": 0}


def _quick_search():
    """A 3-trial random search of learning rate and weight decay, 2 jobs."""
    return RandomizedSearchCV(
        FastnetClassifier(**QUICK),
        {"learning_rate": [0.003, 0.01, 0.03], "weight_decay": [0.0, 1e-4]},
        n_iter=3, cv=2, n_jobs=2, random_state=0)


def _check_search_and_workers(search, threads, x, t):
    assert threads == [1, 1]
    assert len(search.cv_results_["params"]) == 3
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.score(x, t) > 0.5


def _fitted_in_workers(x, t, n_jobs=2, **params):
    result = cross_validate(FastnetClassifier(**{**QUICK, **params}), x, t, cv=2,
                            n_jobs=n_jobs, return_estimator=True)
    return [est.n_threads_ for est in result["estimator"]]


def test_loky_workers_run_one_thread_even_when_allowed_two(blobs):
    x, t = blobs
    with parallel_config(backend="loky", inner_max_num_threads=2):
        assert _fitted_in_workers(x, t) == [1, 1]
        # An explicit n_threads is the user's choice and wins.
        assert _fitted_in_workers(x, t, n_threads=2) == [2, 2]


def test_thread_workers_run_one_thread_and_leave_the_callers_count(blobs):
    x, t = blobs
    fastnet.set_num_threads(2)
    with parallel_config(backend="threading"):
        assert _fitted_in_workers(x, t) == [1, 1]
    assert fastnet.get_num_threads() == 2


def test_a_sequential_search_keeps_the_users_thread_count(blobs):
    x, t = blobs
    fastnet.set_num_threads(2)
    assert not in_parallel_worker()
    assert _fitted_in_workers(x, t, n_jobs=1) == [2, 2]


def test_a_search_on_a_dask_cluster_through_joblib(blobs):
    distributed = pytest.importorskip("distributed")
    x, t = blobs
    search = _quick_search()
    # processes=False: the workers are threads of this process, started in
    # well under a second; a real cluster's address works the same way.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        in_worker = client.submit(lambda: (in_parallel_worker(), threads_for_fit(None)),
                                  pure=False).result()
        with parallel_config(backend="dask"):
            search.fit(x, t)
            threads = _fitted_in_workers(x, t)
    assert in_worker == (True, 1)
    _check_search_and_workers(search, threads, x, t)


def test_a_search_on_ray_through_joblib(blobs):
    """Ray's joblib backend, on a local Ray started here (not installed by the
    test extra: Ray is large; skipped without it, run where it is installed)."""
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    x, t = blobs
    search = _quick_search()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        register_ray()
        with parallel_config(backend="ray"):
            search.fit(x, t)
            threads = _fitted_in_workers(x, t)
    finally:
        ray.shutdown()
    # Ray's workers: OMP_NUM_THREADS=1, which the kernels follow
    _check_search_and_workers(search, threads, x, t)
