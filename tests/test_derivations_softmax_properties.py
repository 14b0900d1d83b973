"""The properties-of-softmax derivation against the library, SciPy and finite differences."""

import numpy as np
import pytest
import scipy.special
from numpy.testing import assert_allclose

from softmax_ce import softmax
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
    return derivation("softmax_properties")


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_ratio_formula_and_argmax(page, n_classes):
    rng = np.random.default_rng(n_classes)
    logits = random_logits(rng, n_classes)
    classes = np.arange(1, n_classes + 1)
    ratio = lambdify((page["z"], page["i"], page["j"]), page["ratio_formula"])(
        one_based(logits), classes[:, None], classes[None, :]
    )
    probabilities = softmax(logits)
    assert_allclose(ratio, probabilities[:, None] / probabilities[None, :], rtol=1e-12)
    assert np.argmax(probabilities) == np.argmax(logits)
    assert np.array_equal(np.argsort(probabilities), np.argsort(logits))


def test_two_classes_give_sigmoid(page):
    rng = np.random.default_rng(1)
    logits = rng.normal(0.0, 5.0, size=(200, 2))
    z = page["z"]
    sigmoid_form = lambdify((z,), page["sigmoid_form"])
    derived = np.array([sigmoid_form(one_based(row)) for row in logits])
    assert_allclose(derived, scipy.special.expit(logits[:, 0] - logits[:, 1]), rtol=1e-12)
    assert_allclose(derived, softmax(logits)[:, 0], rtol=1e-12)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_cold_temperature_gives_argmax(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    logits = rng.permutation(np.linspace(-2.0, 2.0, n_classes))  # distinct, gaps >= 0.08
    cold = softmax(logits / 1e-3)
    one_hot = np.eye(n_classes)[np.argmax(logits)]
    assert_allclose(cold, one_hot, rtol=0, atol=1e-30)
    if n_classes in page["cold_limits"]:
        # The derived limit puts the mass on the largest logit (class 1 on the page).
        derived = np.array(page["cold_limits"][n_classes], dtype=np.float64).ravel()
        assert_allclose(np.sort(cold)[::-1], derived, rtol=0, atol=1e-30)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_hot_temperature_gives_uniform(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    logits = random_logits(rng, n_classes)
    temperature = 1e8
    hot = softmax(logits / temperature)
    # |p_i - 1/K| <= (max z - min z) / T to first order.
    assert_allclose(hot, np.full(n_classes, 1 / n_classes), rtol=0, atol=np.ptp(logits) / temperature)
    if n_classes in page["hot_limits"]:
        derived = np.array(page["hot_limits"][n_classes], dtype=np.float64).ravel()
        assert_allclose(derived, np.full(n_classes, 1 / n_classes), rtol=1e-15)


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_temperature_derivative(page, n_classes):
    rng = np.random.default_rng(300 + n_classes)
    logits = random_logits(rng, n_classes)
    temperature = 1.7
    T = page["T"]
    formula = from_probabilities(page["temperature_derivative_formula"], page["p"], page["z"], scale=1 / T)
    evaluate = lambdify((page["z"], T, page["i"], K), formula)
    derived = evaluate(one_based(logits), temperature, np.arange(1, n_classes + 1), n_classes)
    numeric = central_differences(lambda t: softmax(logits / t[0]), np.array([temperature]))[:, 0]
    assert relative_error(derived, numeric) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_decision_boundary_is_hyperplane(page, n_classes):
    rng = np.random.default_rng(400 + n_classes)
    n_features = 2
    weights = rng.normal(size=(n_classes, n_features))
    bias = rng.normal(size=n_classes)
    boundary = lambdify((page["W"], page["x"], page["b"], page["i"], page["j"], page["d"]), page["boundary_formula"])
    for _ in range(5):
        # A point on (w_1 - w_2)·x + (b_1 - b_2) = 0: pick x_1, solve for x_2.
        normal = weights[0] - weights[1]
        first = rng.normal()
        second = -((bias[0] - bias[1]) + normal[0] * first) / normal[1]
        point = np.array([first, second])
        probabilities = softmax(weights @ point + bias)
        assert_allclose(probabilities[0], probabilities[1], rtol=1e-12)
        assert abs(boundary(one_based(weights), one_based(point), one_based(bias), 1, 2, n_features)) <= 1e-12
        # Off the hyperplane the two probabilities differ.
        shifted = point + 0.1 * normal
        probabilities = softmax(weights @ shifted + bias)
        assert probabilities[0] > probabilities[1]
