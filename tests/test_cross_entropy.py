"""cross_entropy and its gradient against PyTorch's formulas and finite differences.

The reference (tests/_references.py) is a plain loop over rows and classes in
mpmath at 60 digits that writes out the formulas of
torch.nn.functional.cross_entropy. Gradients are checked against central
differences of the library's own loss in float64, and against central
differences of the reference at 60 digits.
"""

import importlib
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from _references import as_float, cross_entropy_reference, reference_gradient
from softmax_ce import cross_entropy, cross_entropy_grad, cross_entropy_with_grad, softmax

N_ROWS, N_CLASSES = 5, 4
RNG = np.random.default_rng(20240601)
LOGITS = RNG.normal(scale=2.0, size=(N_ROWS, N_CLASSES))
LABELS = np.array([0, 3, 1, 2, 1])
LABELS_WITH_IGNORED = np.array([0, -1, 1, -1, 3])
PROBS = RNG.dirichlet(np.ones(N_CLASSES), size=N_ROWS)
PROBS[0] = [0.0, 1.0, 0.0, 0.0]  # a one-hot row with zero entries
WEIGHT = np.array([0.5, 2.0, 0.0, 1.5])  # includes a class of weight 0

OPTION_GRID = list(itertools.product(
    ["labels", "labels_ignored", "probs"],
    [None, "weight"],
    ["none", "mean", "sum"],
    [0.0, 0.3, 1.0],
))


def case(target_kind, weight_kind, reduction, smoothing):
    """Return (target, options) for one combination of the option grid."""
    target = {"labels": LABELS, "labels_ignored": LABELS_WITH_IGNORED, "probs": PROBS}[target_kind]
    options = {
        "weight": WEIGHT if weight_kind else None,
        "reduction": reduction,
        "label_smoothing": smoothing,
    }
    if target_kind == "labels_ignored":
        options["ignore_index"] = -1
    return target, options


def reference_loss(logits, target, options):
    value = cross_entropy_reference(logits, target, **options)
    return as_float(value, np.shape(target)[: logits.ndim - 1] if isinstance(value, list) else None)


def finite_difference_gradient(logits, target, options, step=1e-6):
    """Central differences of the library loss (summed for 'none') in float64."""
    gradient = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        shift = np.zeros_like(logits)
        shift[index] = step
        plus = np.sum(cross_entropy(logits + shift, target, **options))
        minus = np.sum(cross_entropy(logits - shift, target, **options))
        gradient[index] = (plus - minus) / (2 * step)
    return gradient


@pytest.mark.parametrize("target_kind,weight_kind,reduction,smoothing", OPTION_GRID)
def test_loss_matches_reference(target_kind, weight_kind, reduction, smoothing):
    target, options = case(target_kind, weight_kind, reduction, smoothing)
    expected = reference_loss(LOGITS, target, options)
    assert_allclose(cross_entropy(LOGITS, target, **options), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("target_kind,weight_kind,reduction,smoothing", OPTION_GRID)
def test_gradient_matches_finite_differences(target_kind, weight_kind, reduction, smoothing):
    target, options = case(target_kind, weight_kind, reduction, smoothing)
    gradient = cross_entropy_grad(LOGITS, target, **options)
    numeric = finite_difference_gradient(LOGITS, target, options)
    relative_error = np.linalg.norm(gradient - numeric) / np.linalg.norm(gradient)
    assert relative_error <= 1e-7


@pytest.mark.parametrize("target_kind,weight_kind,reduction,smoothing", OPTION_GRID)
def test_gradient_matches_reference_differences(target_kind, weight_kind, reduction, smoothing):
    target, options = case(target_kind, weight_kind, reduction, smoothing)
    expected = reference_gradient(LOGITS, target, **options)
    assert_allclose(cross_entropy_grad(LOGITS, target, **options), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("target_kind,weight_kind,reduction,smoothing", OPTION_GRID)
def test_fused_equals_separate_calls(target_kind, weight_kind, reduction, smoothing):
    target, options = case(target_kind, weight_kind, reduction, smoothing)
    loss, gradient = cross_entropy_with_grad(LOGITS, target, **options)
    assert_array_equal(loss, cross_entropy(LOGITS, target, **options))
    assert_array_equal(gradient, cross_entropy_grad(LOGITS, target, **options))


# --- named cases -------------------------------------------------------------

def test_weighted_mean_divides_by_label_weights():
    # mean = (20 * 200 + 10 * ~0) / (20 + 10); dividing by N would give 2000.
    logits = np.array([[-100.0, 100.0], [-100.0, 100.0]])
    loss = cross_entropy(logits, np.array([0, 1]), weight=np.array([20.0, 10.0]))
    assert loss == 133.33333333333334


def test_plain_loss_is_logsumexp_minus_target_logit():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    expected = [np.log(np.exp(2) + 1 + np.exp(-1)) - 2, np.log(2 + np.e) - 1]
    assert_allclose(cross_entropy(logits, np.array([0, 1]), reduction="none"), expected, rtol=1e-14)


def test_gradient_is_softmax_minus_onehot():
    gradient = cross_entropy_grad(LOGITS, LABELS, reduction="sum")
    assert_allclose(gradient, softmax(LOGITS) - np.eye(N_CLASSES)[LABELS], rtol=1e-14, atol=1e-16)


def test_confident_correct_prediction_keeps_tiny_loss():
    # mpmath at 60 digits: -log softmax([0, -40])[0] = log1p(exp(-40)) = 4.248354255291589e-18.
    # LSE - z_y computed as log(sum) - z_y returned exactly 0.
    loss, gradient = cross_entropy_with_grad(np.array([0.0, -40.0]), 0)
    assert loss == pytest.approx(4.248354255291589e-18, rel=1e-13)
    assert_allclose(gradient, [-4.248354255291589e-18, 4.248354255291589e-18], rtol=1e-13)


def test_smoothing_one_gives_uniform_target():
    # With eps = 1 every label turns into the uniform distribution.
    uniform = np.full((N_ROWS, N_CLASSES), 1.0 / N_CLASSES)
    assert_allclose(cross_entropy(LOGITS, LABELS, label_smoothing=1.0),
                    cross_entropy(LOGITS, uniform), rtol=1e-14)


def test_smoothed_labels_equal_smoothed_onehot_probabilities():
    # Without weights, smoothing a label or its one-hot row is the same target.
    onehot = np.eye(N_CLASSES)[LABELS]
    assert_allclose(cross_entropy(LOGITS, LABELS, label_smoothing=0.2, reduction="none"),
                    cross_entropy(LOGITS, onehot, label_smoothing=0.2, reduction="none"), rtol=1e-14)


def test_weighted_probability_mean_divides_by_rows():
    # For probability targets PyTorch divides by the number of rows, whatever the weights.
    total = cross_entropy(LOGITS, PROBS, weight=WEIGHT, reduction="sum")
    assert_allclose(cross_entropy(LOGITS, PROBS, weight=WEIGHT), total / N_ROWS, rtol=1e-15)


# --- batch shapes ------------------------------------------------------------

def test_single_sample_with_scalar_label():
    loss, gradient = cross_entropy_with_grad(LOGITS[1], LABELS[1])
    assert np.ndim(loss) == 0
    assert gradient.shape == (N_CLASSES,)
    assert_allclose(loss, cross_entropy(LOGITS[1:2], LABELS[1:2]), rtol=1e-15)
    assert cross_entropy(LOGITS[1], LABELS[1], reduction="none").shape == ()


def test_extra_batch_axes_equal_flattened_batch():
    logits = RNG.normal(size=(2, 3, N_CLASSES))
    labels = np.array([[0, 1, 2], [3, -100, 1]])
    flat_loss, flat_grad = cross_entropy_with_grad(logits.reshape(6, N_CLASSES), labels.reshape(6))
    loss, gradient = cross_entropy_with_grad(logits, labels)
    assert_allclose(loss, flat_loss, rtol=1e-15)
    assert_allclose(gradient, flat_grad.reshape(logits.shape), rtol=1e-15)
    assert cross_entropy(logits, labels, reduction="none").shape == (2, 3)


def test_non_contiguous_logits():
    logits = np.asfortranarray(LOGITS)
    assert_allclose(cross_entropy_grad(logits, LABELS), cross_entropy_grad(LOGITS, LABELS), rtol=1e-15)


def test_blocks_give_same_result_as_one_pass(monkeypatch):
    # The fused pass walks the rows in blocks. Force 2-row blocks and compare.
    module = importlib.import_module("softmax_ce.cross_entropy")
    logits = RNG.normal(size=(7, N_CLASSES))
    labels = np.array([0, 1, -100, 3, 2, 1, 0])
    expected = cross_entropy_with_grad(logits, labels, weight=WEIGHT, label_smoothing=0.1)
    monkeypatch.setattr(module, "_BLOCK_ELEMENTS", 2 * N_CLASSES)
    loss, gradient = cross_entropy_with_grad(logits, labels, weight=WEIGHT, label_smoothing=0.1)
    assert_allclose(loss, expected[0], rtol=1e-15)
    assert_allclose(gradient, expected[1], rtol=1e-15)


# --- dtypes ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_is_kept(dtype):
    loss, gradient = cross_entropy_with_grad(LOGITS.astype(dtype), LABELS, weight=WEIGHT)
    assert loss.dtype == dtype
    assert gradient.dtype == dtype


@pytest.mark.parametrize("dtype,rtol", [(np.float32, 1e-5), (np.float16, 2e-3)])
def test_low_precision_matches_float64(dtype, rtol):
    low = LOGITS.astype(dtype)
    exact = low.astype(np.float64)  # the same inputs, rounded once
    loss, gradient = cross_entropy_with_grad(low, LABELS, label_smoothing=0.1)
    expected_loss, expected_grad = cross_entropy_with_grad(exact, LABELS, label_smoothing=0.1)
    assert_allclose(loss, expected_loss, rtol=rtol)
    assert_allclose(gradient, expected_grad, rtol=rtol, atol=rtol * 0.05)


def test_float32_direct_exp_path_matches_float64():
    # Row maxima in [0, 40] take exp(x) without the subtraction pass.
    logits = (RNG.normal(size=(64, 10)) * 5 + 15).astype(np.float32)
    labels = RNG.integers(0, 10, size=64)
    loss, gradient = cross_entropy_with_grad(logits, labels)
    expected_loss, expected_grad = cross_entropy_with_grad(logits.astype(np.float64), labels)
    assert_allclose(loss, expected_loss, rtol=1e-6)
    assert_allclose(gradient, expected_grad, rtol=1e-5, atol=1e-9)


# --- properties --------------------------------------------------------------

small_logits = arrays(
    np.float64,
    st.tuples(st.integers(1, 5), st.integers(2, 6)),
    elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False),
)


@given(small_logits, st.data())
def test_unweighted_gradient_rows_sum_to_zero(logits, data):
    # Without weights or smoothing each row of dL/dz is (p - onehot) / N.
    labels = data.draw(arrays(np.int64, logits.shape[:1], elements=st.integers(0, logits.shape[1] - 1)))
    reduction = data.draw(st.sampled_from(["none", "mean", "sum"]))
    gradient = cross_entropy_grad(logits, labels, reduction=reduction)
    assert_allclose(gradient.sum(axis=-1), 0, atol=1e-15)


@given(small_logits, st.data())
def test_gradient_rows_sum_to_zero_for_probability_targets(logits, data):
    raw = data.draw(arrays(np.float64, logits.shape, elements=st.floats(0, 1)))
    raw[:, 0] += 1e-3
    probs = raw / raw.sum(axis=-1, keepdims=True)
    gradient = cross_entropy_grad(logits, probs, reduction="sum")
    assert_allclose(gradient.sum(axis=-1), 0, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(small_logits, st.data())
def test_random_options_match_reference(logits, data):
    n_rows, n_classes = logits.shape
    labels = data.draw(arrays(np.int64, (n_rows,), elements=st.integers(-1, n_classes - 1)))
    weight = data.draw(st.one_of(st.none(), arrays(np.float64, (n_classes,), elements=st.floats(0, 5))))
    smoothing = data.draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    reduction = data.draw(st.sampled_from(["none", "mean", "sum"]))
    options = dict(weight=weight, ignore_index=-1, reduction=reduction, label_smoothing=smoothing)
    expected = reference_loss(logits, labels, options)
    assert_allclose(cross_entropy(logits, labels, **options), expected, rtol=1e-12, atol=1e-14)


@given(small_logits, st.floats(-100, 100))
def test_loss_is_shift_invariant(logits, constant):
    labels = np.arange(logits.shape[0]) % logits.shape[1]
    assert_allclose(cross_entropy(logits + constant, labels), cross_entropy(logits, labels),
                    rtol=1e-10, atol=1e-11)
