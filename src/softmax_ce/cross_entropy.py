r"""Cross-entropy loss of logits against labels or probabilities, and its gradient.

The semantics follow ``torch.nn.functional.cross_entropy`` (weights,
ignore_index, label smoothing and the three reductions), with the classes on
the last axis. Loss and gradient come from one fused pass over the logits: one
max, one exp and one sum per row, with the gradient written in place into a
single buffer. No (N, K, K) Jacobian is ever formed.
"""

from typing import NamedTuple

import numpy as np

from ._floating import silence_ieee_warnings
from ._validation import check_cross_entropy_args, working_dtype

# Rows are processed in blocks of about this many logits. A block stays in a
# core's cache between the exp, sum and scale steps, and the temporary arrays
# that some options need are bounded by the block, not by the batch.
# NOTE: the size was picked by timing benchmarks/bench_cross_entropy.py on one
# 2-core machine. It is an estimate, not a tuned constant for every CPU.
_BLOCK_ELEMENTS = 1 << 18

# When every row maximum m of a block lies in [0, limit], exp(x) cannot
# overflow and underflows only where exp(x - m) does too, so the block skips
# the subtraction pass: it takes exp(x) and rescales each row by exp(-m).
_DIRECT_EXP_LIMIT = {np.dtype(np.float32): 40.0, np.dtype(np.float64): 300.0}


class _RowExp(NamedTuple):
    """Per-row results of ``_exp_rows``, each of shape (B,)."""

    argmax: np.ndarray  # index of one maximal entry
    row_max: np.ndarray  # its value, the row maximum (NaN if the row has NaN)
    shift: np.ndarray  # row_max, or 0 where row_max is not finite
    factor: np.ndarray  # buf times factor is exp(x - shift)
    top: np.ndarray  # exp(row_max - shift): 1 on rows with a finite maximum
    rest: np.ndarray  # sum of exp(x - shift) over the row without the argmax entry


def _exp_rows(x, buf, before_exp=()):
    """Fill ``buf`` with ``exp(x - shift)`` up to a row factor, the argmax entry zeroed.

    ``shift`` is the row maximum, or 0 on rows whose maximum is not finite (all
    ``-inf``, ``+inf`` or NaN), as in scipy.special.log_softmax. The row total
    is ``top + rest``, and on rows with a finite maximum its log is the
    accurate ``log1p(rest)``. Each callable in ``before_exp`` is applied to the
    shifted logits ``x - shift`` before the exp. Returns the :class:`_RowExp`
    and the list of their results.
    """
    rows = np.arange(x.shape[0])
    argmax = np.argmax(x, axis=1)  # NaN wins, like np.max
    row_max = x[rows, argmax]
    finite = np.isfinite(row_max)
    shift = np.where(finite, row_max, 0).astype(x.dtype, copy=False)

    limit = _DIRECT_EXP_LIMIT.get(x.dtype)
    direct = (
        not before_exp and limit is not None and x.shape[0] > 0
        and row_max.min() >= 0 and row_max.max() <= limit
    )
    if direct:
        np.exp(x, out=buf)
        factor = np.exp(-row_max)
        top = np.ones_like(row_max)
        extras = []
    else:
        np.subtract(x, shift[:, None], out=buf)  # inf - inf on rows with +inf
        extras = [function(buf) for function in before_exp]
        np.exp(buf, out=buf)
        factor = np.ones_like(row_max)
        top = buf[rows, argmax]

    buf[rows, argmax] = 0
    rest = np.sum(buf, axis=1) * factor
    return _RowExp(argmax, row_max, shift, factor, top, rest), extras


def _log_total(row_max, rest):
    """Return log(row total): log1p(rest) on finite rows, else log(rest + exp(max))."""
    finite = np.isfinite(row_max)
    fallback = np.log(rest + np.exp(np.where(finite, 0, row_max)))
    return np.where(finite, np.log1p(rest), fallback)


def _weighted_sum(coefficients, shifted, weight=None):
    r"""Return $\sum_k c_k s_k$ per row, counting a term with $c_k = 0$ as 0.

    ``coefficients`` is (B, K), (K,) or None (all ones), ``weight`` an extra
    (K,) factor. A zero coefficient against a ``-inf`` logit would give
    ``0 * -inf = NaN``. Those rows are recomputed with the term left out, so
    that 0 log 0 counts as 0.
    """
    if coefficients is None and weight is None:
        total = np.sum(shifted, axis=1)
    elif coefficients is None or coefficients.ndim == 1:
        vector = weight if coefficients is None else coefficients
        total = shifted @ vector
    elif weight is None:
        total = np.einsum("nk,nk->n", coefficients, shifted)
    else:
        total = np.einsum("nk,nk,k->n", coefficients, shifted, weight)

    redo = np.flatnonzero(np.isnan(total))
    if redo.size:
        if coefficients is None:
            coefficients = np.ones(shifted.shape[1], shifted.dtype)
        coefficient = np.broadcast_to(coefficients, shifted.shape)[redo]
        if weight is not None:
            coefficient = coefficient * weight
        total[redo] = np.sum(_times(coefficient, shifted[redo]), axis=1)
    return total


def _times(coefficient, value):
    """Return ``coefficient * value``, with 0 wherever the coefficient is 0 (0 * inf = 0)."""
    return np.where(coefficient == 0, 0, coefficient * value)


def _label_block(x, buf, labels, kept, scale, ctx, need_grad):
    """Compute the losses of one block of rows with integer labels.

    ``x`` and ``buf`` are (B, K). ``labels`` (B,) contains 0 in ignored rows,
    ``kept`` (B,) marks rows not ignored and ``scale`` (B,) is the factor of
    each row in the reduction (0 for ignored rows). When ``need_grad`` is set,
    ``buf`` ends up holding the gradient of the reduced loss.
    """
    n_rows, n_classes = x.shape
    rows = np.arange(n_rows)
    eps, weight, weight_total = ctx.label_smoothing, ctx.weight, ctx.weight_total
    label_weight = np.where(kept, 1 if weight is None else weight[labels], 0).astype(x.dtype)

    # sum_k w_k (z_k - shift) for the smoothing term, taken before the exp.
    before_exp = [lambda shifted: _weighted_sum(None, shifted, weight)] if eps > 0 else []
    row_exp, extras = _exp_rows(x, buf, before_exp)
    log_total = _log_total(row_exp.row_max, row_exp.rest)
    label_shifted = x[rows, labels] - row_exp.shift  # z_y - shift

    # -log p_y = log_total - (z_y - shift), and the smoothing term is
    # sum_k w_k (-log p_k) = W log_total - sum_k w_k (z_k - shift).
    losses = _times((1 - eps) * label_weight, log_total - label_shifted)
    if eps > 0:
        smooth = _times(weight_total, log_total) - extras[0]
        losses = losses + np.where(kept, (eps / n_classes) * smooth, 0)

    if need_grad:
        _label_grad(buf, labels, kept, scale, row_exp, label_weight, ctx)
    return losses


def _label_grad(buf, labels, kept, scale, row_exp, label_weight, ctx):
    r"""Turn ``buf`` (exp of shifted logits, one maximal entry zeroed) into the gradient.

    Per row, with coefficients $c_k = (1-\varepsilon) w_y \delta_{ky} +
    (\varepsilon/K) w_k$ and $C = \sum_k c_k$, the gradient is
    $s\,(C p - c)$, where $s$ is the row's reduction scale.
    """
    n_rows, n_classes = buf.shape
    rows = np.arange(n_rows)
    eps, weight, weight_total = ctx.label_smoothing, ctx.weight, ctx.weight_total
    argmax, rest, top = row_exp.argmax, row_exp.rest, row_exp.top
    smooth_scale = scale * (eps / n_classes)  # (B,)
    total_coefficient = (1 - eps) * label_weight + (eps / n_classes) * weight_total  # C

    # 1 / sum_k exp(z_k - shift), NaN on rows without a finite maximum
    inverse_total = np.where(np.isfinite(row_exp.row_max), 1 / (1 + rest), np.nan)
    row_scale = scale * total_coefficient * inverse_total * row_exp.factor
    np.multiply(buf, row_scale[:, None], out=buf)
    if eps > 0:
        if weight is None:
            np.subtract(buf, smooth_scale[:, None], out=buf)
        else:
            np.subtract(buf, np.outer(smooth_scale, weight), out=buf)

    # The maximal entry was left at 0 above. When it is the label, C p_y - c_y
    # is computed as -C r / (1 + r) + (eps / K)(W - w_y), which keeps its
    # accuracy when p_y is within rounding of 1.
    top_weight = 1 if weight is None else weight[argmax]
    is_label = labels == argmax
    other = scale * (total_coefficient * top * inverse_total - (eps / n_classes) * top_weight)
    accurate = scale * (
        (eps / n_classes) * (weight_total - label_weight)
        - total_coefficient * rest * inverse_total
    )
    buf[rows, argmax] = np.where(is_label, accurate, other)

    away = np.flatnonzero(~is_label & kept)
    buf[away, labels[away]] -= (scale * (1 - eps) * label_weight)[away]

    if not kept.all():
        buf[~kept] = 0


def _prob_block(x, buf, probs, scale, ctx, need_grad):
    """Compute the losses of one block of rows with probability targets.

    ``probs`` is (B, K) and ``scale`` a scalar (1, or 1/N for 'mean'). When
    ``need_grad`` is set, ``buf`` ends up holding the gradient.
    """
    n_rows, n_classes = x.shape
    rows = np.arange(n_rows)
    eps, weight, weight_total = ctx.label_smoothing, ctx.weight, ctx.weight_total

    # sum_k w_k q_k (z_k - shift), and sum_k w_k (z_k - shift) for the smoothing term
    before_exp = [lambda shifted: _weighted_sum(probs, shifted, weight)]
    if eps > 0:
        before_exp.append(lambda shifted: _weighted_sum(None, shifted, weight))
    row_exp, extras = _exp_rows(x, buf, before_exp)
    log_total = _log_total(row_exp.row_max, row_exp.rest)

    target_mass = probs.sum(axis=1) if weight is None else probs @ weight  # sum_k w_k q_k
    total_coefficient = (1 - eps) * target_mass + (eps / n_classes) * weight_total  # C

    # sum_k c_k (-log p_k) = C log_total - sum_k c_k (z_k - shift)
    losses = _times(total_coefficient, log_total) - _times(1 - eps, extras[0])
    if eps > 0:
        losses = losses - (eps / n_classes) * extras[1]

    if need_grad:
        buf[rows, row_exp.argmax] = row_exp.top / row_exp.factor
        inverse_total = np.where(np.isfinite(row_exp.row_max), 1 / (1 + row_exp.rest), np.nan)
        row_scale = scale * total_coefficient * inverse_total * row_exp.factor
        np.multiply(buf, row_scale[:, None], out=buf)
        coefficient = probs * (scale * (1 - eps))
        if weight is not None:
            coefficient *= weight
        np.subtract(buf, coefficient, out=buf)
        if eps > 0:
            smooth = scale * (eps / n_classes) * (1 if weight is None else weight)
            np.subtract(buf, smooth, out=buf)
    return losses


class _Context:
    """Options shared by every block: smoothing, class weights and their total."""

    def __init__(self, label_smoothing, weight, n_classes, dtype):
        self.label_smoothing = label_smoothing
        self.weight = weight
        self.weight_total = dtype.type(n_classes if weight is None else weight.sum())


@silence_ieee_warnings
def _run(logits, target, weight, ignore_index, reduction, label_smoothing, need_grad):
    """Validate the arguments, then return ``(loss, grad or None)``."""
    args = check_cross_entropy_args(
        logits, target, weight, ignore_index, reduction, label_smoothing
    )
    work_dtype = working_dtype(args.dtype)
    batch_shape = args.logits.shape[:-1]
    n_classes = args.logits.shape[-1]

    x = np.ascontiguousarray(args.logits.reshape(-1, n_classes), dtype=work_dtype)  # (N, K)
    n_rows = x.shape[0]
    ctx = _Context(args.label_smoothing, args.weight, n_classes, work_dtype)
    losses = np.empty(n_rows, dtype=work_dtype)  # per row, before the reduction
    grad = np.empty_like(x) if need_grad else None
    block_rows = max(1, _BLOCK_ELEMENTS // n_classes)
    scratch = None if need_grad else np.empty((min(block_rows, n_rows), n_classes), work_dtype)

    if args.probs is not None:
        probs = np.ascontiguousarray(args.probs.reshape(-1, n_classes), dtype=work_dtype)
        denominator = work_dtype.type(n_rows)
        scale = _reduction_scale(args.reduction, denominator, work_dtype)
        for start in range(0, n_rows, block_rows):
            block = slice(start, start + block_rows)
            buf = grad[block] if need_grad else scratch[: x[block].shape[0]]
            losses[block] = _prob_block(x[block], buf, probs[block], scale, ctx, need_grad)
    else:
        labels = args.labels.reshape(-1)
        kept = labels != args.ignore_index
        labels = np.where(kept, labels, 0).astype(np.intp)  # never index with ignore_index
        if args.weight is None:
            denominator = work_dtype.type(np.count_nonzero(kept))
        else:
            denominator = args.weight[labels][kept].sum(dtype=work_dtype)
        scale = np.where(kept, _reduction_scale(args.reduction, denominator, work_dtype), 0)
        scale = scale.astype(work_dtype, copy=False)
        for start in range(0, n_rows, block_rows):
            block = slice(start, start + block_rows)
            buf = grad[block] if need_grad else scratch[: x[block].shape[0]]
            losses[block] = _label_block(
                x[block], buf, labels[block], kept[block], scale[block], ctx, need_grad
            )

    loss = _reduce(losses, args.reduction, denominator, batch_shape)
    loss = loss.astype(args.dtype, copy=False)
    loss = loss[()] if loss.ndim == 0 else loss
    if need_grad:
        grad = grad.reshape(args.logits.shape).astype(args.dtype, copy=False)
    return loss, grad


def _reduction_scale(reduction, denominator, dtype):
    """Return each kept row's factor in the reduced loss: 1, or 1/denominator for 'mean'.

    A 'mean' over nothing (no rows, every row ignored or every kept weight 0)
    is NaN, as in PyTorch.
    """
    if reduction != "mean":
        return dtype.type(1)
    if denominator == 0:
        return dtype.type(np.nan)
    return dtype.type(1) / denominator


def _reduce(losses, reduction, denominator, batch_shape):
    if reduction == "none":
        return losses.reshape(batch_shape)
    total = np.sum(losses)
    if reduction == "sum":
        return total
    if denominator == 0:
        return np.array(np.nan, dtype=losses.dtype)
    return total / denominator


def cross_entropy(
    logits, target, *, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    r"""Compute the cross-entropy loss of logits against labels or probabilities.

    Matches ``torch.nn.functional.cross_entropy`` for the same options, with
    the classes on the last axis instead of axis 1.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        Unnormalised scores, classes on the last axis: (K,) for one sample,
        (N, K) for a batch, or any (..., K). Booleans and integers are
        promoted to float64. float16 is computed in float32.
    target : array_like
        Either integer class labels or class probabilities. Labels have the
        batch shape ``logits.shape[:-1]`` (a scalar for (K,) logits), and each
        is in ``[0, K)`` or equal to ``ignore_index``. Probabilities have the
        shape of ``logits`` and a float dtype. They must be non-negative, and
        each row must sum to 1 within the square root of the dtype's machine
        epsilon (1.5e-8 in float64, 3.5e-4 in float32, 3.1e-2 in float16, so
        float16 targets are checked only loosely).
    weight : array_like, shape (K,), optional
        Non-negative, finite weight per class. Default: all ones.
    ignore_index : int, default -100
        Label value whose rows contribute zero loss and zero gradient and are
        left out of the 'mean' denominator. Labels are compared with it
        before any indexing, so a negative value is never used as an index.
        With probability targets it must stay at its default.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'none' returns one loss per batch element (the batch shape), 'sum'
        their sum, 'mean' the weighted mean described in Notes.
    label_smoothing : float in [0, 1], default 0.0
        Mixes the target with the uniform distribution:
        $q = (1 - \varepsilon)\,y + \varepsilon / K$.

    Returns
    -------
    loss : ndarray or numpy scalar
        The batch shape for ``reduction='none'``, a scalar otherwise, in the
        dtype of ``logits``.

    Raises
    ------
    ValueError, TypeError
        On a shape mismatch, labels out of range, non-integer labels,
        probabilities that are negative or do not sum to 1, an unknown
        reduction, smoothing outside [0, 1], a weight of the wrong length or
        negative, a non-default ignore_index with probability targets, or
        non-numeric input. The message names the argument and shows the
        value received.

    See Also
    --------
    cross_entropy_grad : the gradient with respect to the logits.
    cross_entropy_with_grad : loss and gradient from one fused pass.

    Notes
    -----
    With $\log p = \operatorname{log\_softmax}(z)$ along the last axis,
    smoothing $\varepsilon$ and class weights $w$ (all 1 by
    default), the loss of one batch element is

    $$
    \ell_n = -(1-\varepsilon)\, w_{y_n} \log p_{n,y_n}
    - \frac{\varepsilon}{K} \sum_k w_k \log p_{n,k}
    $$

    for an integer label $y_n$, and

    $$
    \ell_n = -\sum_k w_k \left((1-\varepsilon)\, q_{n,k}
    + \frac{\varepsilon}{K}\right) \log p_{n,k}
    $$

    for a probability row $q_n$. Rows whose label equals
    ``ignore_index`` have $\ell_n = 0$. 'sum' returns
    $\sum_n \ell_n$. For labels, 'mean' returns
    $\sum_n \ell_n / \sum_{n\ \text{kept}} w_{y_n}$, the weighted
    count of the rows not ignored, also with smoothing: PyTorch's
    ``cross_entropy_loss_label_smoothing`` (aten/src/ATen/native/LossNLL.cpp)
    divides the smoothing term by the same sum. For probability targets,
    'mean' returns $\sum_n \ell_n / N$, with $N$ the number of
    batch elements, whatever the weights. A mean over nothing (an empty
    batch, every row ignored, or every kept weight 0) is NaN, as in PyTorch.

    Edge cases: a term whose coefficient is 0 counts as 0 even when
    $\log p_{n,k} = -\infty$ (0 log 0 = 0). So a ``-inf`` logit on a
    class with zero target probability gives a finite loss and a zero
    gradient entry, where PyTorch returns NaN from ``0 * -inf``. A positive
    coefficient on a ``-inf`` logit gives an infinite loss. A row of logits
    with NaN, with ``+inf`` or of only ``-inf`` gives a NaN or infinite loss,
    as log_softmax does, unless the row is ignored, which always gives 0.
    An empty batch returns shape (0,) for 'none', 0.0 for 'sum' and NaN for
    'mean', without a warning.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import cross_entropy
    >>> logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    >>> cross_entropy(logits, np.array([0, 1]), reduction="none")
    array([0.16984602, 0.55144471])
    >>> cross_entropy(logits, np.array([0, -100]), reduction="none")
    array([0.16984602, 0.        ])
    >>> cross_entropy(logits, np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]))
    np.float64(0.6106453667441684)
    """
    return _run(logits, target, weight, ignore_index, reduction, label_smoothing, False)[0]


def cross_entropy_grad(
    logits, target, *, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    r"""Compute the gradient of ``cross_entropy`` with respect to the logits.

    Runs the fused pass of ``cross_entropy_with_grad`` and returns only
    the gradient.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        As in ``cross_entropy``.
    target : array_like
        Integer labels of shape ``logits.shape[:-1]`` or probabilities of
        shape ``logits.shape``, as in ``cross_entropy``.
    weight, ignore_index, reduction, label_smoothing
        As in ``cross_entropy``.

    Returns
    -------
    grad : ndarray, shape of ``logits``
        $\partial L / \partial z$ of the reduced loss, in the dtype of
        ``logits``. For ``reduction='none'`` it is the gradient of the sum of
        the per-element losses. Ignored rows are exactly 0.

    Notes
    -----
    Write the loss of one batch element (see ``cross_entropy``) as
    $\ell_n = -\sum_k c_{n,k} \log p_{n,k}$, with
    $c_{n,k} = (1-\varepsilon) w_{y_n} [k = y_n] + \varepsilon w_k / K$
    for a label and $c_{n,k} = w_k((1-\varepsilon) q_{n,k} + \varepsilon/K)$
    for a probability row. Since
    $\partial \log p_k / \partial z_j = [k = j] - p_j$,

    $$
    \frac{\partial \ell_n}{\partial z_{n,j}}
    = \Big(\sum_k c_{n,k}\Big)\, p_{n,j} - c_{n,j},
    $$

    which is $p - y$ without weights and smoothing. The reduction
    multiplies each row by 1 ('none', 'sum') or by 1 over the 'mean'
    denominator. The gradient entry of a class with $c_{n,j} = 0$ and
    $p_{n,j} = 0$ is exactly 0. NaN logit rows, and every kept row of
    a mean over nothing, give NaN rows.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import cross_entropy_grad
    >>> cross_entropy_grad(np.array([0.0, 0.0]), 1)  # p - onehot
    array([ 0.5, -0.5])
    """
    return _run(logits, target, weight, ignore_index, reduction, label_smoothing, True)[1]


def cross_entropy_with_grad(
    logits, target, *, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0
):
    r"""Compute the cross-entropy loss and its gradient in one fused pass.

    The pass takes one max, one exp and one sum per row of logits and writes
    the gradient in place into a single buffer of the logits' shape, block by
    block, so it never forms a softmax Jacobian.

    Parameters
    ----------
    logits : array_like, shape (..., K)
        As in ``cross_entropy``.
    target : array_like
        Integer labels of shape ``logits.shape[:-1]`` or probabilities of
        shape ``logits.shape``, as in ``cross_entropy``.
    weight, ignore_index, reduction, label_smoothing
        As in ``cross_entropy``.

    Returns
    -------
    loss : ndarray or numpy scalar
        Equal to ``cross_entropy(...)`` with the same arguments.
    grad : ndarray, shape of ``logits``
        Equal to ``cross_entropy_grad(...)`` with the same arguments.

    Notes
    -----
    The loss is $\operatorname{LSE}(z) - z_y$ per row for plain labels.
    The log of the row total is taken as ``log1p`` of the terms other than
    the maximum, so a confident, correct prediction keeps its small positive
    loss instead of rounding to 0. See ``cross_entropy`` for the loss
    formula and ``cross_entropy_grad`` for the gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import cross_entropy_with_grad
    >>> loss, grad = cross_entropy_with_grad(np.array([[0.0, 0.0]]), np.array([0]))
    >>> float(loss)
    0.6931471805599453
    >>> grad
    array([[-0.5,  0.5]])
    """
    return _run(logits, target, weight, ignore_index, reduction, label_smoothing, True)
