"""Time cross_entropy_with_grad against a naive NumPy version, SciPy and PyTorch.

Each contender computes the mean cross-entropy of (4096, 1000) logits against
integer labels together with its gradient, in float32 and float64. The script
prints the median time over repeated runs in this one process, the ratio of
softmax_ce to each contender, and the peak memory each allocates on top of its
inputs (tracemalloc), relative to the size of the logits.

Run it from the repository root:

    .venv/bin/python benchmarks/bench_cross_entropy.py [--repeats 30]

torch is optional. When it is importable, it runs on one thread
(torch.set_num_threads(1)) so that it is compared with single-threaded NumPy.
"""

import argparse
import platform
import statistics
import time
import tracemalloc

import numpy as np
import scipy.special

from softmax_ce import cross_entropy_with_grad

N_ROWS, N_CLASSES = 4096, 1000


def naive(logits, labels):
    """Compute the loss as log(softmax) and the gradient from a one-hot matrix."""
    n_rows = logits.shape[0]
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exps / exps.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n_rows), labels]).mean()
    onehot = np.zeros_like(logits)
    onehot[np.arange(n_rows), labels] = 1
    grad = (probs - onehot) / n_rows
    return loss, grad


def scipy_path(logits, labels):
    """Compute the loss with scipy.special.log_softmax and the gradient from it."""
    n_rows = logits.shape[0]
    rows = np.arange(n_rows)
    log_probs = scipy.special.log_softmax(logits, axis=1)
    loss = -log_probs[rows, labels].mean()
    grad = np.exp(log_probs)
    grad[rows, labels] -= 1
    grad /= n_rows
    return loss, grad


def softmax_ce_path(logits, labels):
    return cross_entropy_with_grad(logits, labels)


def make_torch_path():
    """Return a torch forward + backward contender, or None when torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def torch_path(logits, labels):
        tensor = torch.from_numpy(logits).requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(tensor, torch.from_numpy(labels))
        loss.backward()
        return loss.item(), tensor.grad.numpy()

    return torch_path


def cpu_name():
    """Return the CPU model from /proc/cpuinfo, or the platform's guess elsewhere."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def median_seconds(contenders, logits, labels, repeats):
    """Return {name: median seconds}, running the contenders in turn in each round.

    Interleaving spreads the load of other processes on a shared machine over
    all contenders instead of penalising whichever ran during a busy spell.
    """
    times = {name: [] for name in contenders}
    for function in contenders.values():
        function(logits, labels)  # warm-up: page faults, caches, lazy imports
    for _ in range(repeats):
        for name, function in contenders.items():
            start = time.perf_counter()
            function(logits, labels)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_extra_bytes(function, logits, labels):
    """Return the peak memory allocated during one call, results included."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    result = function(logits, labels)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per contender")
    parser.add_argument(
        "--shift", type=float, default=0.0,
        help="constant added to every logit. Row maxima outside [0, 40] make softmax_ce "
             "take its general path, which subtracts the maximum in a separate pass "
             "(for example --shift -20)")
    options = parser.parse_args()

    contenders = {
        "softmax_ce": softmax_ce_path,
        "naive NumPy": naive,
        "SciPy log_softmax": scipy_path,
    }
    torch_path = make_torch_path()
    if torch_path is None:
        print("torch is not importable: its column is skipped.")
    else:
        contenders["torch (1 thread)"] = torch_path

    print(f"NumPy {np.__version__}, SciPy {scipy.__version__}, "
          f"Python {platform.python_version()}, {platform.machine()}, {cpu_name()}")
    print(f"logits ({N_ROWS}, {N_CLASSES}) drawn as 3 * N(0, 1) + {options.shift:g}, "
          f"integer labels, reduction='mean', median of {options.repeats} interleaved runs\n")

    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        logits = (rng.standard_normal((N_ROWS, N_CLASSES)) * 3 + options.shift).astype(dtype)
        labels = rng.integers(0, N_CLASSES, size=N_ROWS)
        reference_loss, reference_grad = scipy_path(logits, labels)
        ours_loss, ours_grad = softmax_ce_path(logits, labels)
        np.testing.assert_allclose(ours_loss, reference_loss, rtol=1e-5)
        np.testing.assert_allclose(ours_grad, reference_grad, rtol=1e-4, atol=1e-9)

        print(f"{np.dtype(dtype).name}: logits take {logits.nbytes / 2**20:.1f} MiB")
        print(f"  {'contender':<20} {'median ms':>10} {'softmax_ce / it':>16} "
              f"{'peak extra / logits':>20}")
        medians = median_seconds(contenders, logits, labels, options.repeats)
        ours = medians["softmax_ce"]
        for name, function in contenders.items():
            peak = peak_extra_bytes(function, logits, labels)
            print(f"  {name:<20} {medians[name] * 1e3:>10.2f} {ours / medians[name]:>16.2f} "
                  f"{peak / logits.nbytes:>20.2f}")
        print()


if __name__ == "__main__":
    main()
