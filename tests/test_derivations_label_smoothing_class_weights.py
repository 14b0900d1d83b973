"""The label-smoothing and class-weight derivation against the library and finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_ce import cross_entropy, cross_entropy_grad
from test_derivations_toolkit import (
    CLASS_COUNTS,
    K,
    central_differences,
    derivation,
    from_probabilities,
    lambdify,
    one_based,
    random_logits,
    relative_error,
)

SMOOTHING = 0.15


@pytest.fixture(scope="module")
def page():
    return derivation("label_smoothing_class_weights")


def row_gradient(page, name, logits, label, weights=None):
    """Evaluate a derived one-row gradient; `label` is 0-based as in the library."""
    formula = from_probabilities(page[name], page["p"], page["z"])
    arguments = (page["z"], page["w"], page["epsilon"], page["c"], page["j"], K)
    evaluate = lambdify(arguments, formula)
    n_classes = logits.size
    weights = np.ones(n_classes) if weights is None else weights
    return evaluate(one_based(logits), one_based(weights), SMOOTHING, label + 1, np.arange(1, n_classes + 1), n_classes)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_smoothed_gradient_matches_library(page, n_classes):
    rng = np.random.default_rng(n_classes)
    logits = random_logits(rng, n_classes)
    label = int(rng.integers(n_classes))
    derived = row_gradient(page, "smoothed_gradient", logits, label)
    expected = cross_entropy_grad(logits, label, label_smoothing=SMOOTHING, reduction="sum")
    assert_allclose(derived, expected, rtol=1e-12, atol=1e-15)
    numeric = central_differences(
        lambda z: cross_entropy(z, label, label_smoothing=SMOOTHING, reduction="sum"), logits
    )
    assert relative_error(derived, numeric) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_weighted_row_gradient_matches_library(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    logits = random_logits(rng, n_classes)
    label = int(rng.integers(n_classes))
    weights = rng.uniform(0.2, 3.0, size=n_classes)
    derived = row_gradient(page, "weighted_gradient", logits, label, weights)
    expected = cross_entropy_grad(logits, label, weight=weights, reduction="sum")
    assert_allclose(derived, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_batch_gradient_matches_library(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    n_rows = 7
    logits = random_logits(rng, (n_rows, n_classes))
    labels = rng.integers(n_classes, size=n_rows)
    labels[[1, 4]] = -100  # ignored rows
    kept = labels != -100
    weights = rng.uniform(0.2, 3.0, size=n_classes)

    formula = from_probabilities(page["batch_gradient_formula"], page["P"], page["Z"])
    arguments = (page["Z"], page["labels"], page["kept"], page["w"], page["epsilon"], page["s"], page["j"], K, page["N"])
    evaluate = lambdify(arguments, formula)
    # 1-based labels for the formula; ignored rows get class 1, which their r_n = 0 cancels.
    label_array = np.concatenate([[0], np.where(kept, labels + 1, 1)])
    derived = evaluate(
        one_based(logits),
        label_array,
        one_based(kept.astype(np.float64)),
        one_based(weights),
        SMOOTHING,
        np.arange(1, n_rows + 1)[:, None],
        np.arange(1, n_classes + 1)[None, :],
        n_classes,
        n_rows,
    )

    options = {"weight": weights, "label_smoothing": SMOOTHING, "reduction": "mean"}
    assert_allclose(derived, cross_entropy_grad(logits, labels, **options), rtol=1e-12, atol=1e-15)
    assert np.all(derived[~kept] == 0)
    numeric = central_differences(lambda z: cross_entropy(z, labels, **options), logits)
    assert relative_error(derived, numeric) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_two_smoothing_conventions_agree(page, n_classes):
    # PyTorch's ε and the ε/(K - 1) convention with the derived ε' give the same targets.
    other_value = float(page["equivalent"].subs({page["epsilon"]: SMOOTHING, K: n_classes}))
    label = n_classes // 2
    pytorch_targets = (1 - SMOOTHING) * np.eye(n_classes)[label] + SMOOTHING / n_classes
    other_targets = np.full(n_classes, other_value / (n_classes - 1))
    other_targets[label] = 1 - other_value
    assert_allclose(other_targets, pytorch_targets, rtol=1e-14)
