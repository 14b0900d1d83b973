"""Run the notebook kernels with one BLAS thread.

Every executed page trains or evaluates on small matrices (the largest is the
1797 x 64 digits data set). On the 2-core development machine, OpenBLAS's
thread start-up cost more than it saved: the gradient descent page ran in
8.4 s with one thread against 24.0 s with two. Kernels inherit the build's
environment, so setting the variables here reaches every page. A value the
user has already set is kept.
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def on_config(config):
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    return config
