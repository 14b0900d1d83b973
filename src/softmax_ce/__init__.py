"""Softmax and cross-entropy in NumPy: stable on every input, checked against SymPy."""

from .cross_entropy import cross_entropy, cross_entropy_grad, cross_entropy_with_grad
from .regression import SoftmaxRegression
from .softmax import (
    log_softmax,
    logsumexp,
    softmax,
    softmax_jacobian,
    softmax_jvp,
    softmax_vjp,
)

__all__ = [
    "SoftmaxRegression",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_grad",
    "log_softmax",
    "logsumexp",
    "softmax",
    "softmax_jacobian",
    "softmax_jvp",
    "softmax_vjp",
]
