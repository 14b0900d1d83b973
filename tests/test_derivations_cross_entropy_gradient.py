"""The cross-entropy gradient derivation against the library and finite differences."""

import numpy as np
import pytest
import scipy.special
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


@pytest.fixture(scope="module")
def page():
    return derivation("cross_entropy_gradient")


def gradient_from_formula(page, name, logits, targets, extra=()):
    """Evaluate a derived ∂L/∂z_j for every j, with p written out as softmax of `logits`."""
    formula = from_probabilities(page[name], page["p"], page["z"])
    arguments = (page["z"], page["y"], page["j"], K, *(symbol for symbol, _ in extra))
    evaluate = lambdify(arguments, formula)
    n_classes = logits.size
    values = (value for _, value in extra)
    return evaluate(one_based(logits), one_based(targets), np.arange(1, n_classes + 1), n_classes, *values)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_soft_target_gradient_matches_library(page, n_classes):
    rng = np.random.default_rng(n_classes)
    logits = random_logits(rng, n_classes)
    targets = rng.dirichlet(np.ones(n_classes))
    derived = gradient_from_formula(page, "gradient_formula", logits, targets)
    assert_allclose(derived, cross_entropy_grad(logits, targets, reduction="sum"), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_soft_target_gradient_matches_finite_differences(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    logits = random_logits(rng, n_classes)
    targets = rng.dirichlet(np.ones(n_classes))
    derived = gradient_from_formula(page, "gradient_formula", logits, targets)
    numeric = central_differences(lambda z: cross_entropy(z, targets, reduction="sum"), logits)
    assert relative_error(derived, numeric) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_one_hot_gradient_matches_library(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    logits = random_logits(rng, n_classes)
    label = int(rng.integers(n_classes))
    formula = from_probabilities(page["one_hot_gradient_formula"], page["p"], page["z"])
    evaluate = lambdify((page["z"], page["j"], page["c"], K), formula)
    # The formula numbers classes from 1, the library from 0.
    derived = evaluate(one_based(logits), np.arange(1, n_classes + 1), label + 1, n_classes)
    assert_allclose(derived, cross_entropy_grad(logits, label, reduction="sum"), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_loss_formula_matches_library(page, n_classes):
    rng = np.random.default_rng(300 + n_classes)
    logits = random_logits(rng, n_classes)
    targets = rng.dirichlet(np.ones(n_classes))
    evaluate = lambdify((page["z"], page["y"], K), page["loss_formula"])
    derived = evaluate(one_based(logits), one_based(targets), n_classes)
    assert_allclose(derived, cross_entropy(logits, targets, reduction="sum"), rtol=1e-12)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_unnormalised_target_gradient(page, n_classes):
    # The library rejects targets that do not sum to 1, so the reference is
    # -sum_k y_k log_softmax(z)_k from SciPy, differentiated numerically.
    rng = np.random.default_rng(400 + n_classes)
    logits = random_logits(rng, n_classes)
    targets = 2.5 * rng.dirichlet(np.ones(n_classes))
    derived = gradient_from_formula(page, "gradient_unnormalised_formula", logits, targets)
    numeric = central_differences(lambda z: -targets @ scipy.special.log_softmax(z), logits)
    assert relative_error(derived, numeric) <= 1e-7
    probabilities = scipy.special.softmax(logits)
    assert_allclose(derived, 2.5 * probabilities - targets, rtol=1e-12, atol=1e-15)
    assert not np.allclose(derived, probabilities - targets)
