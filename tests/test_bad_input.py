"""Invalid arguments raise ValueError or TypeError naming the argument and the value.

Each case would otherwise return a plausible but wrong number (or fail deep
inside NumPy with a message that names nothing the caller passed).
"""

import re

import numpy as np
import pytest

from softmax_ce import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    log_softmax,
    logsumexp,
    softmax,
    softmax_jacobian,
    softmax_jvp,
    softmax_vjp,
)

LOGITS = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]])
LABELS = np.array([2, 0])
CROSS_ENTROPY_FUNCTIONS = [cross_entropy, cross_entropy_grad, cross_entropy_with_grad]
SOFTMAX_FUNCTIONS = [softmax, log_softmax, logsumexp, softmax_jacobian]


def raises(error, *fragments):
    """Return a pytest.raises context whose message must contain every fragment."""
    pattern = "".join(f"(?=.*{re.escape(fragment)})" for fragment in fragments)
    return pytest.raises(error, match=f"(?s){pattern}")


# --- cross-entropy targets --------------------------------------------------

@pytest.mark.parametrize("function", CROSS_ENTROPY_FUNCTIONS)
def test_target_shape_mismatch(function):
    with raises(ValueError, "target shape (3,)", "logits shape (2, 3)", "(2,)"):
        function(LOGITS, np.array([0, 1, 2]))


def test_label_out_of_range():
    with raises(ValueError, "outside [0, 2]", "[3]", "index (1,)"):
        cross_entropy(LOGITS, np.array([0, 3]))


def test_negative_label_other_than_ignore_index():
    # -1 is not the default ignore_index (-100), so it is out of range, not ignored.
    with raises(ValueError, "[-1]", "ignore_index=-100"):
        cross_entropy(LOGITS, np.array([-1, 0]))


def test_float_labels_are_rejected():
    # Truncating 1.7 to 1 would silently pick a class.
    with raises(TypeError, "integer class labels", "float64", "astype(np.int64)"):
        cross_entropy(LOGITS, np.array([1.7, 0.0]))


def test_nan_label_is_named():
    with raises(TypeError, "NaN"):
        cross_entropy(LOGITS, np.array([np.nan, 0.0]))


def test_boolean_labels_are_rejected():
    with raises(TypeError, "booleans"):
        cross_entropy(LOGITS, np.array([True, False]))


def test_integer_probability_shaped_target_is_rejected():
    with raises(TypeError, "probabilities", "int64", "astype(float)"):
        cross_entropy(LOGITS, np.array([[0, 0, 1], [1, 0, 0]]))


def test_negative_probability():
    with raises(ValueError, "non-negative"):
        cross_entropy(LOGITS, np.array([[1.5, -0.5, 0.0], [1.0, 0.0, 0.0]]))


def test_probabilities_not_summing_to_one():
    with raises(ValueError, "sum to 1 within 1.5e-08", "batch index (1,)", "sums to 0.89999"):
        cross_entropy(LOGITS, np.array([[0.2, 0.3, 0.5], [0.3, 0.3, 0.3]]))


def test_probability_rounding_within_tolerance_is_accepted():
    probs = np.array([[0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3]])
    assert np.isfinite(cross_entropy(LOGITS, probs))


def test_nan_probability():
    with raises(ValueError, "NaN"):
        cross_entropy(LOGITS, np.array([[np.nan, 0.5, 0.5], [1.0, 0.0, 0.0]]))


def test_infinite_probability():
    with raises(ValueError, "sum to 1"):
        cross_entropy(LOGITS, np.array([[np.inf, 0.0, 0.0], [1.0, 0.0, 0.0]]))


def test_string_target():
    with raises(TypeError, "target", "<U1"):
        cross_entropy(LOGITS, np.array(["a", "b"]))


# --- options -----------------------------------------------------------------

@pytest.mark.parametrize("smoothing", [-0.1, 1.5, float("nan")])
def test_label_smoothing_out_of_range(smoothing):
    with raises(ValueError, "label_smoothing must be in [0, 1]", repr(smoothing)):
        cross_entropy(LOGITS, LABELS, label_smoothing=smoothing)


def test_label_smoothing_not_a_number():
    with raises(TypeError, "label_smoothing", "'0.1'"):
        cross_entropy(LOGITS, LABELS, label_smoothing="0.1")


@pytest.mark.parametrize("reduction", ["average", "Mean", None])
def test_unknown_reduction(reduction):
    with raises(ValueError, "'none', 'mean' or 'sum'", repr(reduction)):
        cross_entropy(LOGITS, LABELS, reduction=reduction)


def test_weight_of_wrong_length():
    with raises(ValueError, "weight must have shape (3,)", "(2,)"):
        cross_entropy(LOGITS, LABELS, weight=np.array([1.0, 2.0]))


def test_negative_weight():
    with raises(ValueError, "non-negative", "-1."):
        cross_entropy(LOGITS, LABELS, weight=np.array([1.0, -1.0, 1.0]))


def test_nan_weight():
    with raises(ValueError, "finite"):
        cross_entropy(LOGITS, LABELS, weight=np.array([1.0, np.nan, 1.0]))


def test_ignore_index_with_probability_targets():
    # PyTorch rejects a non-negative ignore_index here and silently skips a negative one.
    probs = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    with raises(ValueError, "ignore_index=-1", "probabilities"):
        cross_entropy(LOGITS, probs, ignore_index=-1)


def test_default_ignore_index_with_probability_targets_is_accepted():
    probs = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    assert np.isfinite(cross_entropy(LOGITS, probs, ignore_index=-100))


@pytest.mark.parametrize("ignore_index", [1.5, "x", True, None])
def test_ignore_index_not_an_int(ignore_index):
    with raises(TypeError, "ignore_index must be an int", repr(ignore_index)):
        cross_entropy(LOGITS, LABELS, ignore_index=ignore_index)


# --- logits ------------------------------------------------------------------

@pytest.mark.parametrize("function", CROSS_ENTROPY_FUNCTIONS)
def test_zero_dimensional_logits_for_cross_entropy(function):
    with raises(ValueError, "logits must have at least 1 dimension", "np.float64(3.0)"):
        function(np.float64(3.0), 0)


@pytest.mark.parametrize("function", SOFTMAX_FUNCTIONS)
def test_zero_dimensional_logits_for_softmax_family(function):
    with raises(ValueError, "at least 1 dimension", "np.atleast_1d"):
        function(3.0)


def test_logits_without_classes():
    with raises(ValueError, "at least one class", "(2, 0)"):
        cross_entropy(np.zeros((2, 0)), np.zeros(2, dtype=np.int64))


@pytest.mark.parametrize("function", SOFTMAX_FUNCTIONS)
def test_string_logits(function):
    with raises(TypeError, "numeric array", "<U1", "'a'"):
        function(np.array(["a", "b"]))


@pytest.mark.parametrize("function", SOFTMAX_FUNCTIONS)
def test_object_logits(function):
    with raises(TypeError, "numeric array", "object"):
        function(np.array([1.0, None], dtype=object))


def test_ragged_logits():
    with raises(TypeError, "logits", "rectangular"):
        cross_entropy([[1.0, 2.0], [3.0]], np.array([0, 0]))


def test_complex_logits():
    with raises(TypeError, "real", "complex128"):
        softmax(np.array([1.0 + 1.0j, 0.0]))


@pytest.mark.parametrize("function", SOFTMAX_FUNCTIONS)
def test_axis_out_of_range(function):
    with raises(ValueError, "axis=2", "[-2, 1]"):
        function(LOGITS, axis=2)


@pytest.mark.parametrize("axis", [1.0, None, (0, 1)])
def test_axis_not_an_int(axis):
    with raises(TypeError, "axis must be an int", repr(axis)):
        softmax(LOGITS, axis=axis)


@pytest.mark.parametrize("function", [softmax_jvp, softmax_vjp])
def test_tangent_of_wrong_shape(function):
    with raises(ValueError, "v must have the same shape as logits (2, 3)", "(3,)", "broadcast_to"):
        function(LOGITS, np.ones(3))


def test_ragged_logits_message_has_one_period():
    # NumPy's own message ends in a period, and the hint used to follow a second one.
    with pytest.raises(TypeError) as raised:
        softmax([[1.0, 2.0], [3.0]])
    assert ".." not in str(raised.value)


@pytest.mark.parametrize("keepdims", ["yes", 1, None])
def test_logsumexp_keepdims_must_be_bool(keepdims):
    with pytest.raises(TypeError, match=r"keepdims must be True or False, got"):
        logsumexp([1.0, 2.0], keepdims=keepdims)
