"""The maximum-likelihood derivation against the library, SciPy and a numeric optimiser."""

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import scipy.stats
import sympy as sp
from numpy.testing import assert_allclose

from softmax_ce import cross_entropy
from test_derivations_toolkit import (
    CLASS_COUNTS,
    K,
    derivation,
    from_probabilities,
    lambdify,
    one_based,
    random_logits,
)


@pytest.fixture(scope="module")
def page():
    return derivation("maximum_likelihood")


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_categorical_mle_matches_optimiser(page, n_classes):
    rng = np.random.default_rng(n_classes)
    counts = rng.integers(1, 20, size=n_classes).astype(np.float64)
    evaluate = lambdify((page["counts"], page["j"], K), page["categorical_mle_formula"])
    derived = evaluate(one_based(counts), np.arange(1, n_classes + 1), n_classes)

    # Reference: SLSQP maximises sum_k n_k log pi_k on the simplex, knowing nothing of the formula.
    result = scipy.optimize.minimize(
        lambda pi: -counts @ np.log(pi),
        np.full(n_classes, 1 / n_classes),
        jac=lambda pi: -counts / pi,
        method="SLSQP",
        bounds=[(1e-9, 1.0)] * n_classes,
        constraints=[{"type": "eq", "fun": lambda pi: pi.sum() - 1, "jac": lambda pi: np.ones_like(pi)}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    assert result.success, result.message
    assert_allclose(derived, result.x, rtol=1e-5)
    assert_allclose(derived.sum(), 1.0, rtol=1e-14)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_negative_log_likelihood_is_summed_cross_entropy(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    n_rows = 5
    logits = random_logits(rng, (n_rows, n_classes))
    labels = rng.integers(n_classes, size=n_rows)
    one_hot = np.eye(n_classes)[labels]
    # The page leaves P unspecified; here the model is softmax of logits Z.
    logits_base = sp.IndexedBase("Z", real=True)
    formula = from_probabilities(page["negative_log_likelihood"], page["P"], logits_base)
    evaluate = lambdify((logits_base, page["Y"], page["N"], K), formula)
    derived = evaluate(one_based(logits), one_based(one_hot), n_rows, n_classes)
    assert_allclose(derived, cross_entropy(logits, labels, reduction="sum"), rtol=1e-12)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_cross_entropy_is_entropy_plus_kl(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    targets = rng.dirichlet(np.ones(n_classes))
    probabilities = rng.dirichlet(np.ones(n_classes))
    arguments = (page["y"], page["p"], K)
    entropy = lambdify(arguments, page["entropy_formula"])(one_based(targets), one_based(probabilities), n_classes)
    divergence = lambdify(arguments, page["kl_formula"])(one_based(targets), one_based(probabilities), n_classes)
    total = lambdify(arguments, page["cross_entropy_formula"])(one_based(targets), one_based(probabilities), n_classes)

    assert_allclose(entropy, scipy.stats.entropy(targets), rtol=1e-12)
    assert_allclose(divergence, scipy.stats.entropy(targets, probabilities), rtol=1e-10)
    # softmax(log p) = p, so the library's cross-entropy of logits log p is CE(y, p).
    assert_allclose(total, cross_entropy(np.log(probabilities), targets, reduction="sum"), rtol=1e-12)
    assert_allclose(total, entropy + divergence, rtol=1e-12)


def test_kl_divergence_is_nonnegative_and_zero_at_target(page):
    rng = np.random.default_rng(7)
    evaluate = lambdify((page["y"], page["p"], K), page["kl_formula"])
    for n_classes in CLASS_COUNTS:
        for _ in range(20):
            targets = rng.dirichlet(np.full(n_classes, 0.5))
            probabilities = rng.dirichlet(np.full(n_classes, 0.5))
            assert evaluate(one_based(targets), one_based(probabilities), n_classes) >= 0
        assert abs(evaluate(one_based(targets), one_based(targets), n_classes)) <= 1e-15
