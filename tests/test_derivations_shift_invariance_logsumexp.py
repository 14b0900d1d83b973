"""The shift-invariance and log-sum-exp derivation against the library and finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_ce import log_softmax, logsumexp, softmax
from test_derivations_toolkit import (
    CLASS_COUNTS,
    K,
    central_differences,
    derivation,
    lambdify,
    one_based,
    random_logits,
    relative_error,
)


@pytest.fixture(scope="module")
def page():
    return derivation("shift_invariance_logsumexp")


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_logsumexp_formula_matches_library(page, n_classes):
    rng = np.random.default_rng(n_classes)
    logits = random_logits(rng, n_classes)
    evaluate = lambdify((page["z"], K), page["logsumexp_formula"])
    assert_allclose(evaluate(one_based(logits), n_classes), logsumexp(logits), rtol=1e-12)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_log_softmax_formula_matches_library(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    logits = random_logits(rng, n_classes)
    evaluate = lambdify((page["z"], page["i"], K), page["log_softmax_formula"])
    derived = evaluate(one_based(logits), np.arange(1, n_classes + 1), n_classes)
    assert_allclose(derived, log_softmax(logits), rtol=1e-12)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_logsumexp_gradient_is_softmax(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    logits = random_logits(rng, n_classes)
    evaluate = lambdify((page["z"], page["j"], K), page["logsumexp_gradient_formula"])
    derived = evaluate(one_based(logits), np.arange(1, n_classes + 1), n_classes)
    assert_allclose(derived, softmax(logits), rtol=1e-12)
    assert relative_error(derived, central_differences(logsumexp, logits)) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_shifted_formulas_match_library(page, n_classes):
    rng = np.random.default_rng(300 + n_classes)
    logits = random_logits(rng, n_classes)
    shift = 7.25
    shifted_logsumexp = lambdify((page["z"], page["c"], K), page["expanded_logsumexp"])
    assert_allclose(shifted_logsumexp(one_based(logits), shift, n_classes), logsumexp(logits + shift), rtol=1e-12)
    shifted_softmax = lambdify((page["z"], page["c"], page["i"], K), page["shifted_softmax"])
    derived = shifted_softmax(one_based(logits), shift, np.arange(1, n_classes + 1), n_classes)
    assert_allclose(derived, softmax(logits), rtol=1e-12)


def test_logsumexp_is_not_shift_invariant(page):
    # The derived difference LSE(z + c) - LSE(z) is c itself, not 0.
    assert page["shift_of_logsumexp"] == page["c"]
    logits = np.array([0.5, -1.0, 2.0])
    assert_allclose(logsumexp(logits + 3.0) - logsumexp(logits), 3.0, rtol=1e-14)
