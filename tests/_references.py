"""Slow, independent references for the library, in mpmath at 60 digits.

Every function here loops over rows and classes in plain Python and computes
in mpmath with ``mp.dps = 60``, so rounding in the reference is far below
float64's 1e-16. None of it calls softmax_ce. The cross-entropy reference
writes out the formulas of ``torch.nn.functional.cross_entropy`` as PyTorch
documents and implements them (aten/src/ATen/native/LossNLL.cpp):

* integer labels: ``(1 - eps) * nll_loss + eps / K * smooth``, where
  ``nll_loss`` is ``-w[y] * log p[y]`` per row and ``smooth`` is
  ``-sum_k w[k] * log p[k]`` per row, ignored rows 0 in both, and 'mean'
  divides both by the sum of ``w[y]`` over the kept rows;
* probabilities: ``-sum_k w[k] * q'[k] * log p[k]`` per row with
  ``q' = (1 - eps) * q + eps / K``, and 'mean' divides by the number of rows.

One deliberate difference from PyTorch: a term whose coefficient is 0 counts
as 0 even when ``log p[k]`` is ``-inf`` (PyTorch computes ``0 * -inf = NaN``).
"""

import mpmath
import numpy as np

mpmath.mp.dps = 60


def _mpf(value):
    return mpmath.mpf(float(value))


def _mp_logsumexp(values):
    """Return log(sum(exp(values))) for mpf values, keeping terms far below the max.

    Written as m + log1p(sum of exp(v - m) over all but one maximal entry):
    1 + exp(-111) needs 65 digits, more than mp.dps, but log1p(exp(-111)) does not.
    """
    values = list(values)
    if not values:
        return mpmath.mpf("-inf")
    top = max(range(len(values)), key=lambda k: values[k])
    m = values[top]
    if not mpmath.isfinite(m):
        return mpmath.log(mpmath.fsum(mpmath.exp(v) for v in values))
    rest = mpmath.fsum(mpmath.exp(v - m) for k, v in enumerate(values) if k != top)
    return m + mpmath.log1p(rest)


def logsumexp_row(row):
    """Return LSE of a 1-D sequence of floats as an mpf."""
    return _mp_logsumexp(_mpf(value) for value in row)


def softmax_row(row):
    total = mpmath.fsum(mpmath.exp(_mpf(value)) for value in row)
    return [mpmath.exp(_mpf(value)) / total for value in row]


def log_softmax_row(row):
    lse = logsumexp_row(row)
    return [_mpf(value) - lse for value in row]


def apply_rows(function, x, axis=-1):
    """Apply a row function along ``axis`` and return float64 results."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    rows = x.reshape(-1, x.shape[-1])
    out = [function(row) for row in rows]
    if np.ndim(out[0]) == 0:
        return np.array([float(value) for value in out]).reshape(x.shape[:-1])
    result = np.array([[float(value) for value in row] for row in out]).reshape(x.shape)
    return np.moveaxis(result, -1, axis)


def _term(coefficient, log_prob):
    """Return ``-coefficient * log_prob``, with 0 for a zero coefficient."""
    if coefficient == 0:
        return mpmath.mpf(0)
    return -coefficient * log_prob


def _mp_log_softmax(row):
    """Return log_softmax of a row of mpf values, without rounding to float."""
    if all(value == mpmath.mpf("-inf") for value in row):
        return [mpmath.mpf("nan")] * len(row)
    lse = _mp_logsumexp(row)
    return [value - lse for value in row]


def _reference_losses(rows, target, n_classes, weight, ignore_index, label_smoothing):
    """Return (per-row losses, 'mean' denominator) for rows of mpf logits."""
    eps = mpmath.mpf(label_smoothing)
    weights = [mpmath.mpf(1)] * n_classes if weight is None else [_mpf(w) for w in weight]
    losses = []
    denominator = mpmath.mpf(0)

    if target.ndim >= 1 and target.shape[-1] == n_classes and target.dtype.kind == "f":
        for row, probs in zip(rows, target.reshape(-1, n_classes)):
            log_probs = _mp_log_softmax(row)
            loss = mpmath.mpf(0)
            for k in range(n_classes):
                smoothed = (1 - eps) * _mpf(probs[k]) + eps / n_classes
                loss += _term(weights[k] * smoothed, log_probs[k])
            losses.append(loss)
        return losses, mpmath.mpf(len(losses))

    for row, label in zip(rows, target.reshape(-1)):
        label = int(label)
        if label == ignore_index:
            losses.append(mpmath.mpf(0))
            continue
        log_probs = _mp_log_softmax(row)
        denominator += weights[label]
        nll = _term(weights[label], log_probs[label])
        if eps == 0:  # PyTorch takes the plain nll_loss path, with no smoothing term
            losses.append(nll)
            continue
        smooth = mpmath.fsum(_term(weights[k], log_probs[k]) for k in range(n_classes))
        losses.append(_term(1 - eps, -nll) + _term(eps / n_classes, -smooth))
    return losses, denominator


def _reduce(losses, denominator, reduction):
    if reduction == "none":
        return losses
    total = mpmath.fsum(losses)
    if reduction == "sum":
        return total
    if denominator == 0:
        return mpmath.mpf("nan")
    return total / denominator


def cross_entropy_reference(
    logits, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Return the PyTorch cross-entropy of ``logits`` (..., K) as an mpf or a list of mpf.

    ``target`` is integer labels of the batch shape or probabilities of the
    shape of ``logits``. With 'none' the result is a flat list, one loss per
    batch element in C order.
    """
    logits = np.asarray(logits, dtype=np.float64)
    n_classes = logits.shape[-1]
    rows = [[_mpf(value) for value in row] for row in logits.reshape(-1, n_classes)]
    losses, denominator = _reference_losses(
        rows, np.asarray(target), n_classes, weight, ignore_index, label_smoothing
    )
    return _reduce(losses, denominator, reduction)


def as_float(value, shape=None):
    """Convert an mpf or a list of mpf to float64 (reshaped to ``shape`` if given)."""
    if isinstance(value, list):
        array = np.array([float(item) for item in value])
        return array if shape is None else array.reshape(shape)
    return float(value)


def reference_gradient(
    logits, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    """Return d(sum of the reference losses)/d(logits) by central differences in mpmath.

    The step is 1e-25 at 60 digits, so the truncation error (about 1e-50)
    and the rounding error (about 1e-35) are both far below float64 precision.
    """
    logits = np.asarray(logits, dtype=np.float64)
    target = np.asarray(target)
    n_classes = logits.shape[-1]
    base = [[_mpf(value) for value in row] for row in logits.reshape(-1, n_classes)]
    step = mpmath.mpf("1e-25")

    def total(rows):
        losses, denominator = _reference_losses(
            rows, target, n_classes, weight, ignore_index, label_smoothing
        )
        reduced = _reduce(losses, denominator, reduction)
        return mpmath.fsum(reduced) if isinstance(reduced, list) else reduced

    gradient = np.zeros((len(base), n_classes))
    for i in range(len(base)):
        for k in range(n_classes):
            plus = [list(row) for row in base]
            minus = [list(row) for row in base]
            plus[i][k] += step
            minus[i][k] -= step
            gradient[i, k] = float((total(plus) - total(minus)) / (2 * step))
    return gradient.reshape(logits.shape)
