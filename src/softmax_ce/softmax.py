r"""Softmax, log-softmax, logsumexp and the softmax derivative.

Every function shifts by the maximum along the class axis before it
exponentiates, so no finite input overflows. Edge cases (all ``-inf`` rows,
``+inf`` and NaN entries) follow ``scipy.special``: see each docstring.
"""

import numpy as np

from ._floating import silence_ieee_warnings
from ._validation import check_logits, check_tangent, working_dtype


def _reduce_exp(x, axis):
    """Compute the shared steps of the softmax family along ``axis`` (keepdims).

    Returns ``(row_max, shift, shifted, exps, rest)`` where ``shift`` is the
    row maximum, or 0 on rows whose maximum is not finite, ``shifted = x - shift``,
    ``exps = exp(shifted)``, ``rest`` is the sum of ``exps`` without one
    maximal entry. On rows with a finite maximum the total is ``1 + rest``.
    """
    argmax = np.argmax(x, axis=axis, keepdims=True)  # NaN wins, like np.max
    row_max = np.take_along_axis(x, argmax, axis=axis)
    finite = np.isfinite(row_max)
    shift = np.where(finite, row_max, 0)
    shifted = x - shift  # inf - inf on rows with +inf
    exps = np.exp(shifted)
    top = np.take_along_axis(exps, argmax, axis=axis)  # 1 on finite rows
    np.put_along_axis(exps, argmax, 0, axis=axis)
    rest = np.sum(exps, axis=axis, keepdims=True)
    np.put_along_axis(exps, argmax, top, axis=axis)
    return row_max, shift, shifted, exps, rest


def _log_total(row_max, rest):
    """Return the log of the row total ``sum(exp(x - shift))``.

    On rows with a finite maximum this is ``log1p(rest)``, which keeps the tiny
    terms that ``log(1 + rest)`` rounds away. Other rows have shift 0, and
    ``log(rest + exp(max))`` gives -inf, +inf or NaN as SciPy does.
    """
    finite = np.isfinite(row_max)
    fallback = np.log(rest + np.exp(np.where(finite, 0, row_max)))
    return np.where(finite, np.log1p(rest), fallback)


@silence_ieee_warnings
def logsumexp(x, axis=-1, keepdims=False):
    r"""Compute $\log \sum_k e^{x_k}$ along one axis without overflow.

    Parameters
    ----------
    x : array_like, shape (..., K, ...)
        Logits. Booleans and integers are promoted to float64; float16,
        float32 and float64 keep their dtype (float16 is computed in float32).
    axis : int, default -1
        The class axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1.

    Returns
    -------
    ndarray or numpy scalar
        ``x`` with ``axis`` removed (or of length 1 with ``keepdims``), in the
        dtype of ``x``.

    Notes
    -----
    With $m = \max_k x_k$ and $r = \sum_{k \ne k^*} e^{x_k - m}$
    summed over every entry but one maximal entry $k^*$,

    $$
    \operatorname{LSE}(x) = m + \log\left(1 + r\right)
    = m + \operatorname{log1p}(r).
    $$

    Writing the sum this way keeps the small terms: ``logsumexp([0, -40])`` is
    4.248e-18, where ``m + log(sum(exp(x - m)))`` returns 0.

    Edge cases follow ``scipy.special.logsumexp``. A row of only ``-inf``
    gives ``-inf``, a row with ``+inf`` and no NaN gives ``+inf``, and a row
    with NaN gives NaN. An empty class axis gives ``-inf`` (the log of an empty
    sum). No warning is emitted in any of these cases.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))  # naive log(sum(exp(x))) is inf
    1000.6931471805599
    >>> logsumexp(np.array([[1000.0, 0.0], [-np.inf, -np.inf]]))
    array([1000.,  -inf])
    """
    array, axis = check_logits(x, axis)
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims must be True or False, got {keepdims!r}")
    out_dtype = array.dtype
    work = array.astype(working_dtype(out_dtype), copy=False)

    if work.shape[axis] == 0:
        shape = list(work.shape)
        shape[axis] = 1
        result = np.full(shape, -np.inf, dtype=out_dtype)
    else:
        row_max, shift, _, _, rest = _reduce_exp(work, axis)
        result = (shift + _log_total(row_max, rest)).astype(out_dtype, copy=False)

    if not keepdims:
        result = np.squeeze(result, axis=axis)
    return result[()] if result.ndim == 0 else result


@silence_ieee_warnings
def softmax(x, axis=-1):
    r"""Compute $p_i = e^{x_i} / \sum_k e^{x_k}$ along one axis.

    Parameters
    ----------
    x : array_like, shape (..., K, ...)
        Logits. Booleans and integers are promoted to float64; float16,
        float32 and float64 keep their dtype (float16 is computed in float32).
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Probabilities with the shape and dtype of ``x``. Each row along
        ``axis`` sums to 1 up to rounding.

    Notes
    -----
    With $m = \max_k x_k$,

    $$
    p_i = \frac{e^{x_i - m}}{\sum_k e^{x_k - m}},
    $$

    which is the same number as the definition but never overflows: the
    largest term is $e^0 = 1$.

    Edge cases, as in ``scipy.special.softmax``: a ``-inf`` entry gets
    probability exactly 0 while the row has a finite maximum. A row of only
    ``-inf``, a row with ``+inf`` and a row with NaN have no defined
    distribution and become all NaN. Each row is computed on its own, so such
    a row never changes the others. An empty axis returns an empty array
    (SciPy raises ValueError there). No warning is emitted.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import softmax
    >>> softmax(np.array([[1000.0, 0.0], [-np.inf, -np.inf]]))
    array([[ 1.,  0.],
           [nan, nan]])
    """
    array, axis = check_logits(x, axis)
    out_dtype = array.dtype
    work = array.astype(working_dtype(out_dtype), copy=False)
    if work.size == 0:
        return np.empty(work.shape, dtype=out_dtype)

    row_max, _, _, exps, rest = _reduce_exp(work, axis)
    # Rows without a finite maximum become NaN, as in SciPy.
    probs = exps / np.where(np.isfinite(row_max), 1 + rest, np.nan)
    return probs.astype(out_dtype, copy=False)


@silence_ieee_warnings
def log_softmax(x, axis=-1):
    r"""Compute $\log p_i = x_i - \operatorname{LSE}(x)$ along one axis.

    Parameters
    ----------
    x : array_like, shape (..., K, ...)
        Logits. Booleans and integers are promoted to float64; float16,
        float32 and float64 keep their dtype (float16 is computed in float32).
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Log-probabilities with the shape and dtype of ``x``.

    Notes
    -----
    With $m = \max_k x_k$ and $r$ the sum of
    $e^{x_k - m}$ over every entry but one maximal entry,

    $$
    \log p_i = (x_i - m) - \operatorname{log1p}(r).
    $$

    This is never computed as ``log(softmax(x))``: that form returns
    ``-inf`` as soon as $p_i$ underflows (``x = [0, -1000]``), and
    loses the tiny log-probability of the top class.

    Edge cases, as in ``scipy.special.log_softmax``: a ``-inf`` entry gives
    exactly ``-inf`` while the row has a finite maximum, so
    ``log_softmax([-1, -inf])`` is ``[0, -inf]``. A row of only ``-inf`` is
    all NaN. In a row with ``+inf`` (and no NaN) the ``+inf`` entries are NaN
    and every other entry is ``-inf``. A row with NaN is all NaN. An empty
    axis returns an empty array. No warning is emitted.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import log_softmax
    >>> log_softmax(np.array([0.0, -1000.0]))  # log(softmax) gives [0, -inf]
    array([    0., -1000.])
    >>> log_softmax(np.array([-1.0, -np.inf]))
    array([  0., -inf])
    """
    array, axis = check_logits(x, axis)
    out_dtype = array.dtype
    work = array.astype(working_dtype(out_dtype), copy=False)
    if work.size == 0:
        return np.empty(work.shape, dtype=out_dtype)

    row_max, _, shifted, _, rest = _reduce_exp(work, axis)
    log_total = _log_total(row_max, rest)
    result = shifted - log_total  # -inf - -inf and inf - inf give NaN
    return result.astype(out_dtype, copy=False)


@silence_ieee_warnings
def softmax_jacobian(logits, axis=-1):
    r"""Return the Jacobian $J = \operatorname{diag}(p) - p p^\top$ of softmax.

    Parameters
    ----------
    logits : array_like, shape (..., K, ...)
        Logits, with the classes on ``axis``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, shape (B..., K, K)
        One (K, K) matrix per row, where ``B...`` are the remaining axes of
        ``logits`` in order. ``J[..., i, j]`` is
        $\partial p_i / \partial z_j$.

    Notes
    -----
    $$
    J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j).
    $$

    $J$ is symmetric and each row sums to 0 (adding a constant to
    every logit leaves $p$ unchanged). It takes $O(K^2)$ memory
    per row: use ``softmax_jvp`` or ``softmax_vjp`` to apply it to a
    vector in $O(K)$.

    A ``-inf`` logit has $p_i = 0$, so its row and column of $J$
    are exactly 0. Rows where ``softmax`` is NaN give NaN matrices.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import softmax_jacobian
    >>> softmax_jacobian(np.array([0.0, 0.0]))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    array, axis = check_logits(logits, axis, name="logits")
    probs = np.moveaxis(softmax(array, axis=axis), axis, -1)  # (B..., K)
    jacobian = -probs[..., :, None] * probs[..., None, :]  # (B..., K, K)
    diagonal = np.einsum("...ii->...i", jacobian)  # writable view
    diagonal += probs
    return jacobian


@silence_ieee_warnings
def _jvp(logits, v, axis, name):
    array, axis = check_logits(logits, axis, name="logits")
    tangent = check_tangent(v, array, name=name)
    out_dtype = np.result_type(array.dtype, tangent.dtype)
    work_dtype = working_dtype(out_dtype)

    probs = softmax(array.astype(work_dtype, copy=False), axis=axis)
    tangent = tangent.astype(work_dtype, copy=False)
    inner = np.sum(probs * tangent, axis=axis, keepdims=True)  # <p, v> per row
    return (probs * (tangent - inner)).astype(out_dtype, copy=False)


def softmax_jvp(logits, v, axis=-1):
    r"""Apply the softmax Jacobian to a tangent: $J v = p \odot (v - \langle p, v\rangle)$.

    Parameters
    ----------
    logits : array_like, shape (..., K, ...)
        Logits $z$, with the classes on ``axis``.
    v : array_like, same shape as ``logits``
        Tangent vector(s) in logit space, one per row.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, same shape as ``logits``
        The directional derivative of ``softmax`` at ``logits`` along
        ``v``, computed in $O(K)$ per row without forming $J$.

    Notes
    -----
    $$
    (J v)_i = \sum_j p_i(\delta_{ij} - p_j) v_j
    = p_i \left(v_i - \sum_j p_j v_j\right).
    $$

    The softmax Jacobian is symmetric, so this equals ``softmax_vjp``.
    Entries where $p_i = 0$ (``-inf`` logits) are 0 while ``v`` is
    finite. NaN rows of ``softmax`` give NaN rows.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import softmax_jvp
    >>> softmax_jvp(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    array([ 0.25, -0.25])
    """
    return _jvp(logits, v, axis, name="v")


def softmax_vjp(logits, v, axis=-1):
    r"""Pull a cotangent back through softmax: $J^\top v = p \odot (v - \langle p, v\rangle)$.

    Parameters
    ----------
    logits : array_like, shape (..., K, ...)
        Logits $z$, with the classes on ``axis``.
    v : array_like, same shape as ``logits``
        Cotangent(s) $\partial L / \partial p$, one per row.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray, same shape as ``logits``
        $\partial L / \partial z = J^\top v$, in $O(K)$ per row.

    Notes
    -----
    $$
    (J^\top v)_j = \sum_i p_i(\delta_{ij} - p_j) v_i
    = p_j \left(v_j - \sum_i p_i v_i\right).
    $$

    Because $J = \operatorname{diag}(p) - p p^\top$ is symmetric,
    $J^\top v = J v$ and this returns the same values as
    ``softmax_jvp``. It exists under its own name so that backward-mode
    code reads as such.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import softmax_vjp
    >>> softmax_vjp(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    array([ 0.25, -0.25])
    """
    return _jvp(logits, v, axis, name="v")
