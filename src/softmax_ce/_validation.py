"""Input checks shared by every public function of softmax_ce.

Each public function calls these helpers once, on entry, and then works on
plain NumPy arrays that are known to be valid. Every error names the argument,
states what was expected and shows what was received.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

REDUCTIONS = ("none", "mean", "sum")
DEFAULT_IGNORE_INDEX = -100


def _describe(value):
    """Return a short repr of ``value`` for an error message."""
    text = repr(value)
    if len(text) > 120:
        text = text[:100] + " ... " + text[-15:]
    return text


def as_float_array(value, name):
    """Convert ``value`` to a floating-point ndarray, or raise TypeError.

    Booleans and integers become float64. float16, float32 and float64 (and
    longdouble) keep their dtype. Complex numbers, strings, bytes, dates and
    Python objects are rejected.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"{name} must be a numeric array, but np.asarray({name}) failed "
            f"on {_describe(value)}: {str(error).rstrip('.')}. "
            "Pass a rectangular array of numbers."
        ) from None

    kind = array.dtype.kind
    if kind in "biu":
        return array.astype(np.float64)
    if kind == "f":
        return array
    if kind == "c":
        raise TypeError(
            f"{name} must be real, got a complex array of dtype {array.dtype}: "
            f"{_describe(value)}. Pass the real part (np.real({name})) if the "
            f"imaginary part is zero."
        )
    raise TypeError(
        f"{name} must be a numeric array of booleans, integers or floats, got "
        f"dtype {array.dtype} ({_describe(value)}). Convert it first, "
        f"for example with np.asarray({name}, dtype=float)."
    )


def working_dtype(dtype):
    """Return the dtype to compute in: float16 accumulates in float32."""
    if dtype == np.float16:
        return np.dtype(np.float32)
    return np.dtype(dtype)


def check_axis(axis, ndim, name="axis", array_name="x"):
    """Return ``axis`` as a non-negative int for an array of ``ndim`` dimensions.

    Raises ValueError for a 0-d array, which has no class axis, TypeError for
    a non-integer axis and ``numpy.exceptions.AxisError`` (a ValueError) when
    the axis is out of range.
    """
    if ndim == 0:
        raise ValueError(
            f"{array_name} must have at least 1 dimension (the class axis), "
            f"got a 0-d array. Wrap a single logit with np.atleast_1d({array_name})."
        )
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(
            f"{name} must be an int naming one axis of {array_name}, got {axis!r}."
        )
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(
            f"{name}={axis} is out of range for {array_name} with {ndim} "
            f"dimension(s): expected an int in [{-ndim}, {ndim - 1}]."
        )
    return axis % ndim


def check_logits(logits, axis, name="x"):
    """Return ``(array, axis)`` for a softmax-family input, validated."""
    array = as_float_array(logits, name)
    axis = check_axis(axis, array.ndim, array_name=name)
    return array, axis


def check_tangent(v, logits_array, name="v"):
    """Return the tangent ``v`` as a float array with the shape of the logits."""
    tangent = as_float_array(v, name)
    if tangent.shape != logits_array.shape:
        raise ValueError(
            f"{name} must have the same shape as logits {logits_array.shape}, "
            f"got shape {tangent.shape}. Use np.broadcast_to({name}, "
            f"logits.shape) if a single row should apply to every row."
        )
    return tangent


@dataclass(frozen=True)
class CrossEntropyArgs:
    """Validated arguments of the cross-entropy functions, classes on the last axis.

    ``labels`` is set for integer class labels and ``probs`` for probability
    targets, never both. ``weight`` is None or a (K,) array in ``dtype``.
    """

    logits: np.ndarray  # (..., K)
    labels: np.ndarray | None  # (...) integer labels, may contain ignore_index
    probs: np.ndarray | None  # (..., K) probabilities
    weight: np.ndarray | None  # (K,)
    ignore_index: int
    reduction: str
    label_smoothing: float
    dtype: np.dtype  # dtype of the results


def check_cross_entropy_args(logits, target, weight, ignore_index, reduction, label_smoothing):
    """Validate the arguments of cross_entropy and friends, or raise."""
    original_logits = logits
    logits = as_float_array(logits, "logits")
    if logits.ndim == 0:
        raise ValueError(
            "logits must have at least 1 dimension (classes on the last axis), "
            f"got the 0-d value {_describe(original_logits)}. Pass shape (K,) for "
            "one sample or (N, K) for a batch."
        )
    n_classes = logits.shape[-1]
    if n_classes == 0:
        raise ValueError(
            f"logits must have at least one class on the last axis, got shape {logits.shape}."
        )

    reduction = _check_reduction(reduction)
    label_smoothing = _check_label_smoothing(label_smoothing)
    ignore_index = _check_ignore_index(ignore_index)
    weight = _check_weight(weight, n_classes, logits.dtype)

    labels, probs = _split_target(target, logits.shape, ignore_index)
    if probs is not None:
        if ignore_index != DEFAULT_IGNORE_INDEX:
            raise ValueError(
                f"ignore_index={ignore_index!r} applies to integer class labels only, "
                "but target holds class probabilities (same shape as logits). To "
                "ignore a row, drop it, or give it zero weight by scaling the "
                "'none' losses yourself. Leave ignore_index at its default, -100."
            )
        _check_probabilities(probs)
    else:
        _check_labels(labels, n_classes, ignore_index)

    return CrossEntropyArgs(
        logits=logits,
        labels=labels,
        probs=probs,
        weight=weight,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
        dtype=logits.dtype,
    )


def _check_reduction(reduction):
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction must be one of 'none', 'mean' or 'sum', got {reduction!r}."
        )
    return reduction


def _check_label_smoothing(label_smoothing):
    if isinstance(label_smoothing, (bool, np.bool_)) or not isinstance(
        label_smoothing, numbers.Real
    ):
        raise TypeError(
            f"label_smoothing must be a real number in [0, 1], got {label_smoothing!r}."
        )
    value = float(label_smoothing)
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(
            f"label_smoothing must be in [0, 1], got {label_smoothing!r}. "
            "0 turns smoothing off, 1 makes the target uniform."
        )
    return value


def _check_ignore_index(ignore_index):
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(
        ignore_index, numbers.Integral
    ):
        raise TypeError(f"ignore_index must be an int, got {ignore_index!r}.")
    return int(ignore_index)


def _check_weight(weight, n_classes, logits_dtype):
    if weight is None:
        return None
    array = as_float_array(weight, "weight")
    if array.shape != (n_classes,):
        raise ValueError(
            f"weight must have shape ({n_classes},), one entry per class on the "
            f"last axis of logits, got shape {array.shape}: {_describe(weight)}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"weight must be finite, got {_describe(weight)}.")
    if np.any(array < 0):
        raise ValueError(
            f"weight must be non-negative, got {_describe(weight)}. A class with "
            "weight 0 is left out of the loss and of the 'mean' denominator."
        )
    return array.astype(working_dtype(logits_dtype))


def _split_target(target, logits_shape, ignore_index):
    """Return ``(labels, None)`` or ``(None, probs)`` depending on the target's shape."""
    try:
        array = np.asarray(target)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"target must be an array of integer labels or of probabilities, but "
            f"np.asarray(target) failed on {_describe(target)}: {error}."
        ) from None
    batch_shape = logits_shape[:-1]
    kind = array.dtype.kind

    if kind not in "biuf":
        raise TypeError(
            "target must hold integer class labels or float probabilities, got "
            f"dtype {array.dtype}: {_describe(target)}."
        )

    if array.shape == logits_shape and kind == "f":
        return None, array

    if array.shape == batch_shape:
        if kind in "iu":
            return array, None
        if kind == "f":
            nan_note = " It contains NaN, which is not a class." if np.isnan(array).any() else ""
            raise TypeError(
                f"target has the batch shape {batch_shape}, so it must contain "
                f"integer class labels, got dtype {array.dtype}: {_describe(target)}."
                f"{nan_note} Convert whole-number labels with "
                "target.astype(np.int64), or pass probabilities with the shape "
                f"of logits {logits_shape}."
            )
        raise TypeError(
            f"target must contain integer class labels, got booleans: {_describe(target)}. "
            "Convert with target.astype(np.int64)."
        )

    if array.shape == logits_shape:
        raise TypeError(
            f"target has the shape of logits {logits_shape}, so it is read as class "
            f"probabilities, which must be floats, got dtype {array.dtype}. "
            "Convert a one-hot target with target.astype(float), or pass integer "
            f"labels of shape {batch_shape}."
        )

    raise ValueError(
        f"target shape {array.shape} does not match logits shape {logits_shape}: "
        f"expected integer labels of shape {batch_shape} or class probabilities "
        f"of shape {logits_shape}."
    )


def _check_labels(labels, n_classes, ignore_index):
    kept = labels != ignore_index
    bad = kept & ((labels < 0) | (labels >= n_classes))
    if bad.any():
        positions = np.argwhere(bad)
        first = tuple(int(i) for i in positions[0])
        values = np.unique(labels[bad])[:5].tolist()
        raise ValueError(
            f"target contains class labels outside [0, {n_classes - 1}] for "
            f"{n_classes} classes: {values} (first at index {first}, "
            f"{len(positions)} in total). Labels equal to ignore_index="
            f"{ignore_index} are skipped. Check the number of classes in logits, "
            "or set ignore_index to the padding label."
        )


def probability_tolerance(dtype):
    """Return how far a probability row's sum may be from 1: sqrt(eps) of ``dtype``."""
    return math.sqrt(float(np.finfo(dtype).eps))


def _check_probabilities(probs):
    if np.isnan(probs).any():
        raise ValueError(f"target probabilities must not contain NaN, got {_describe(probs)}.")
    if (probs < 0).any():
        raise ValueError(
            f"target probabilities must be non-negative, got {_describe(probs)}."
        )
    if probs.size == 0:
        return
    tolerance = probability_tolerance(probs.dtype)
    row_sums = probs.sum(axis=-1, dtype=np.float64)
    off = np.abs(row_sums - 1.0) > tolerance
    if off.any():
        first = tuple(int(i) for i in np.argwhere(off)[0])
        raise ValueError(
            "each row of target probabilities must sum to 1 within "
            f"{tolerance:.2g} (the square root of {probs.dtype} machine epsilon), "
            f"but the row at batch index {first} sums to {float(row_sums[first])!r}. "
            "Normalise with target / target.sum(axis=-1, keepdims=True), or pass "
            "integer class labels instead."
        )
