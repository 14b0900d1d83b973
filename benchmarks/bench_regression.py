"""Time SoftmaxRegression's full-batch training on the digits data set.

Two measurements, each a median over repeated runs in this one process:

1. Training to convergence: standardised digits (N = 1797 rows, d = 64
   features, K = 10 classes), l2 = 1e-2, until the gradient norm is below
   tol = 1e-5. It prints the epochs, the wall time and the time per epoch.
2. Cost per epoch against N: the digits rows tiled 1, 2, 4 and 8 times,
   trained for a fixed number of epochs with tol = 0. It prints the time per
   epoch and its ratio to the time at N = 1797. Linear cost gives ratios
   close to 2, 4 and 8.

Both run twice: with OpenBLAS's default thread count and limited to one
thread with threadpoolctl, because on a small shared machine BLAS threads
can make these small matrix products slower.

Run it from the repository root:

    .venv/bin/python benchmarks/bench_regression.py [--repeats 7]

Why l2 = 1e-2: the digits training set is linearly separable, so without L2
the objective has no minimiser and the gradient norm never reaches 1e-5.
Why learning_rate = 1.0: for standardised features the smoothness constant
bound L = (1/2) lambda_max(X1^T X1 / N) + l2 (X1 = X with a column of ones)
is 3.7 here. The guaranteed-safe step 1/L = 0.27 converges as well, but it
needs about four times the epochs. The script prints both.
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
TILES = (1, 2, 4, 8)


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


def time_fit(model, X, y, repeats):
    """Return the median wall time of model.fit(X, y) over ``repeats`` runs, and the model."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def report_convergence(X, y, repeats):
    for learning_rate in (LEARNING_RATE, safe_learning_rate(X, L2)):
        model = SoftmaxRegression(learning_rate=learning_rate, l2=L2, tol=TOL, max_iter=100_000)
        seconds, model = time_fit(model, X, y, repeats)
        print(
            f"  learning_rate={learning_rate:.3f}: {model.n_iter_} epochs, "
            f"median {seconds:.3f} s, {1e3 * seconds / model.n_iter_:.3f} ms per epoch, "
            f"final gradient norm {model.gradient_norm_:.2e}, "
            f"train accuracy {model.score(X, y):.4f}"
        )


def report_scaling(X, y, repeats):
    datasets = {tiles: (np.tile(X, (tiles, 1)), np.tile(y, tiles)) for tiles in TILES}
    model = SoftmaxRegression(learning_rate=LEARNING_RATE, l2=L2, tol=0.0, max_iter=SCALING_EPOCHS)
    # Round-robin over the sizes, so that a burst of load from other processes
    # slows every size a little instead of one size a lot.
    times = {tiles: [] for tiles in TILES}
    for _ in range(repeats):
        for tiles, (X_tiled, y_tiled) in datasets.items():
            start = time.perf_counter()
            model.fit(X_tiled, y_tiled)
            times[tiles].append(time.perf_counter() - start)

    base = statistics.median(times[TILES[0]])
    for tiles in TILES:
        per_epoch = statistics.median(times[tiles]) / SCALING_EPOCHS
        ratio = statistics.median(times[tiles]) / base
        print(
            f"  N = {tiles * X.shape[0]:>6}: {1e3 * per_epoch:.3f} ms per epoch, "
            f"ratio to N = {X.shape[0]}: {ratio:.2f} (linear: {tiles})"
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

    for label, limit in (("default BLAS threads", None), ("1 BLAS thread", 1)):
        with threadpool_limits(limits=limit, user_api="blas"):
            print(f"\n[{label}] full-batch training to tol = {TOL}, {args.repeats} repeats")
            report_convergence(X, y, args.repeats)
            print(f"[{label}] time per epoch, {SCALING_EPOCHS} epochs, {args.repeats} repeats")
            report_scaling(X, y, args.repeats)


if __name__ == "__main__":
    main()
