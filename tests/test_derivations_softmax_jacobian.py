"""The softmax Jacobian derivation against the library and against finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_ce import softmax, softmax_jacobian, softmax_jvp, softmax_vjp
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

# |J_ij| <= 1/4, and the naive formula loses relative accuracy in 1 - p_i when
# p_i is near 1, so entries are compared at an absolute 1e-15 as well.
ATOL = 1e-15


@pytest.fixture(scope="module")
def page():
    return derivation("softmax_jacobian")


def jacobian_from_formula(page, logits):
    """Evaluate the derived ∂p_i/∂z_j, with p written out as softmax of `logits`."""
    formula = from_probabilities(page["jacobian_formula"], page["p"], page["z"])
    evaluate = lambdify((page["z"], page["i"], page["j"], K), formula)
    classes = np.arange(1, logits.size + 1)
    return evaluate(one_based(logits), classes[:, None], classes[None, :], logits.size)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_jacobian_formula_matches_library(page, n_classes):
    rng = np.random.default_rng(n_classes)
    logits = random_logits(rng, n_classes)
    assert_allclose(jacobian_from_formula(page, logits), softmax_jacobian(logits), rtol=1e-12, atol=ATOL)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_jacobian_formula_matches_finite_differences(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    logits = random_logits(rng, n_classes)
    numeric = central_differences(softmax, logits)  # rows: outputs p_i, columns: inputs z_j
    assert relative_error(jacobian_from_formula(page, logits), numeric) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_jvp_formula_matches_library(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    logits = random_logits(rng, n_classes)
    direction = rng.normal(size=n_classes)
    formula = from_probabilities(page["jvp_formula"], page["p"], page["z"])
    evaluate = lambdify((page["z"], page["v"], page["i"], K), formula)
    derived = evaluate(one_based(logits), one_based(direction), np.arange(1, n_classes + 1), n_classes)
    assert_allclose(derived, softmax_jvp(logits, direction), rtol=1e-12, atol=ATOL)
    # J is symmetric, so the vector-Jacobian product is the same vector.
    assert_allclose(derived, softmax_vjp(logits, direction), rtol=1e-12, atol=ATOL)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_quadratic_form_is_nonnegative_variance(page, n_classes):
    rng = np.random.default_rng(300 + n_classes)
    logits = random_logits(rng, n_classes)
    direction = rng.normal(size=n_classes)
    formula = from_probabilities(page["variance_formula"], page["p"], page["z"])
    evaluate = lambdify((page["z"], page["v"], K), formula)
    derived = evaluate(one_based(logits), one_based(direction), n_classes)
    assert derived >= 0
    jacobian = softmax_jacobian(logits)
    assert_allclose(derived, direction @ jacobian @ direction, rtol=1e-10)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_jacobian_null_vector_is_ones(page, n_classes):
    rng = np.random.default_rng(400 + n_classes)
    jacobian = jacobian_from_formula(page, random_logits(rng, n_classes))
    assert_allclose(jacobian @ np.ones(n_classes), 0, atol=1e-15)
    assert_allclose(jacobian, jacobian.T, rtol=1e-15, atol=0)  # p_i p_j vs p_j p_i: one rounding
    assert np.linalg.eigvalsh(jacobian).min() >= -1e-15
