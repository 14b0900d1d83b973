"""Floating-point error handling shared by the numeric functions."""

import functools

import numpy as np


def silence_ieee_warnings(function):
    """Run ``function`` with NumPy's overflow, invalid and divide warnings off.

    Infinite and NaN logits, and differences such as ``-1e308 - 1e308`` that
    overflow, produce ``inf``, ``-inf`` and NaN by the IEEE 754 rules. Each
    public docstring states those results and the tests check them, so the
    warnings would only report the designed behaviour. (Underflow, such as
    ``exp(-1000) == 0``, is already silent by default.)
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return function(*args, **kwargs)

    return wrapper
