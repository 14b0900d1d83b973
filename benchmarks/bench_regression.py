"""Time SoftmaxRegression's full-batch training on the digits data set.

Three measurements, each a median over repeated runs in this one process:

1. Training to convergence: standardised digits (N = 1797 rows, d = 64
   features, K = 10 classes), l2 = 1e-2, until the gradient norm is below
   tol = 1e-5, with learning_rate = 1.0. Repeats alternate between
   OpenBLAS's default thread count and one thread (set with threadpoolctl),
   because on a small shared machine BLAS threads can make these small
   matrix products slower instead of faster.
2. The same with the step size 1/L that the descent lemma guarantees safe,
   on one BLAS thread.
3. Cost per epoch against N, on one BLAS thread: the digits rows tiled 1, 2,
   4, 8 and 16 times, trained for a fixed number of epochs with tol = 0. It
   prints the time per epoch, its ratio to the time at N = 1797 (linear cost
   gives 2, 4, 8 and 16) and its ratio to the previous N (linear cost gives
   2). X takes 0.9 MB at N = 1797, so the larger sizes no longer fit in a
   per-core L2 cache of 1 MiB, which adds to their time per row.

Run it from the repository root:

    .venv/bin/python benchmarks/bench_regression.py [--repeats 7]

Why l2 = 1e-2: the digits training set is linearly separable (scikit-learn
reaches 100 % training accuracy with weak regularisation), so without L2 the
objective has no minimiser and the gradient norm never reaches 1e-5.
Why learning_rate = 1.0: for standardised features the smoothness bound
L = (1/2) lambda_max(X1^T X1 / N) + l2 (X1 = X with a column of ones) is 3.7
here. The step 1/L = 0.27 converges as well, but needs about four times the
epochs.
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_info, threadpool_limits

from softmax_ce import SoftmaxRegression

L2 = 1e-2
TOL = 1e-5
LEARNING_RATE = 1.0
SCALING_EPOCHS = 200
TILES = (1, 2, 4, 8, 16)


def standardised_digits():
    """Return digits with every column scaled to zero mean and unit variance."""
    X, y = load_digits(return_X_y=True)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0  # constant pixels are only centred
    return (X - X.mean(axis=0)) / scale, y


def safe_learning_rate(X, l2):
    """Return 1/L, the step size that the descent lemma guarantees never increases J."""
    n_samples = X.shape[0]
    X1 = np.hstack([X, np.ones((n_samples, 1))])
    return 1.0 / (0.5 * np.linalg.eigvalsh(X1.T @ X1 / n_samples).max() + l2)


def describe(model, seconds):
    """Format the epochs, the time and the final gradient norm of a fitted model."""
    return (
        f"{model.n_iter_} epochs, median {seconds:.3f} s, "
        f"{1e3 * seconds / model.n_iter_:.3f} ms per epoch, "
        f"final gradient norm {model.gradient_norm_:.2e}"
    )


def report_convergence(X, y, repeats):
    settings = {"default BLAS threads": None, "1 BLAS thread": 1}
    model = SoftmaxRegression(learning_rate=LEARNING_RATE, l2=L2, tol=TOL, max_iter=100_000)
    # Alternate the thread settings, so that a burst of load from other
    # processes slows both a little instead of one a lot.
    times = {label: [] for label in settings}
    for _ in range(repeats):
        for label, limit in settings.items():
            with threadpool_limits(limits=limit, user_api="blas"):
                start = time.perf_counter()
                model.fit(X, y)
                times[label].append(time.perf_counter() - start)
    for label in settings:
        print(f"  learning_rate={LEARNING_RATE}, {label}: "
              f"{describe(model, statistics.median(times[label]))}")
    print(f"  training accuracy {model.score(X, y):.4f}")

    safe_rate = safe_learning_rate(X, L2)
    safe_model = SoftmaxRegression(learning_rate=safe_rate, l2=L2, tol=TOL, max_iter=100_000)
    safe_times = []
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(max(1, repeats // 2)):
            start = time.perf_counter()
            safe_model.fit(X, y)
            safe_times.append(time.perf_counter() - start)
    print(f"  learning_rate=1/L={safe_rate:.3f}, 1 BLAS thread, {len(safe_times)} repeats: "
          f"{describe(safe_model, statistics.median(safe_times))}")


def report_scaling(X, y, repeats):
    datasets = {tiles: (np.tile(X, (tiles, 1)), np.tile(y, tiles)) for tiles in TILES}
    model = SoftmaxRegression(
        learning_rate=LEARNING_RATE, l2=L2, tol=0.0, max_iter=SCALING_EPOCHS
    )
    # Round-robin over the sizes, for the same reason as above.
    times = {tiles: [] for tiles in TILES}
    for _ in range(repeats):
        for tiles, (X_tiled, y_tiled) in datasets.items():
            start = time.perf_counter()
            model.fit(X_tiled, y_tiled)
            times[tiles].append(time.perf_counter() - start)

    medians = [statistics.median(times[tiles]) for tiles in TILES]
    for index, tiles in enumerate(TILES):
        to_first = medians[index] / medians[0]
        to_previous = medians[index] / medians[index - 1] if index else 1.0
        print(
            f"  N = {tiles * X.shape[0]:>6}: {1e3 * medians[index] / SCALING_EPOCHS:.3f} ms "
            f"per epoch, ratio to N = {X.shape[0]}: {to_first:.2f} (linear: {tiles}), "
            f"to the previous N: {to_previous:.2f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per measurement (median)")
    args = parser.parse_args()

    X, y = standardised_digits()
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    default_threads = blas[0]["num_threads"] if blas else "unknown"
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    print(f"os.cpu_count() = {os.cpu_count()}, BLAS threads by default = {default_threads}")
    print(f"digits: N = {X.shape[0]}, d = {X.shape[1]}, K = {len(np.unique(y))}, l2 = {L2}")

    print(f"\nfull-batch training to tol = {TOL}, {args.repeats} repeats")
    report_convergence(X, y, args.repeats)
    print(f"\ntime per epoch, 1 BLAS thread, {SCALING_EPOCHS} epochs, {args.repeats} repeats")
    with threadpool_limits(limits=1, user_api="blas"):
        report_scaling(X, y, args.repeats)


if __name__ == "__main__":
    main()
