"""The Hessian and linear-model derivation against the library and finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from softmax_ce import cross_entropy, cross_entropy_grad, softmax, softmax_jacobian
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

N_FEATURES = 3


@pytest.fixture(scope="module")
def page():
    return derivation("hessian_convexity")


def logits_hessian_from_formula(page, logits):
    formula = from_probabilities(page["hessian_formula"], page["p"], page["z"])
    evaluate = lambdify((page["z"], page["j"], page["l"], K), formula)
    classes = np.arange(1, logits.size + 1)
    return evaluate(one_based(logits), classes[:, None], classes[None, :], logits.size)


def linear_model(rng, n_classes):
    """Return W (K, d), b (K,), x (d,) and a target distribution y (K,)."""
    weights = rng.normal(0.0, 0.7, size=(n_classes, N_FEATURES))
    bias = rng.normal(0.0, 0.7, size=n_classes)
    inputs = rng.normal(size=N_FEATURES)
    targets = rng.dirichlet(np.ones(n_classes))
    return weights, bias, inputs, targets


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_logits_hessian_matches_library_and_differences(page, n_classes):
    rng = np.random.default_rng(n_classes)
    logits = random_logits(rng, n_classes)
    derived = logits_hessian_from_formula(page, logits)
    assert_allclose(derived, softmax_jacobian(logits), rtol=1e-12, atol=1e-15)
    for targets in (rng.dirichlet(np.ones(n_classes)), np.eye(n_classes)[0]):
        numeric = central_differences(lambda z: cross_entropy_grad(z, targets, reduction="sum"), logits)
        assert relative_error(derived, numeric) <= 1e-7
    assert np.linalg.eigvalsh(derived).min() >= -1e-15


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_weight_and_bias_gradients(page, n_classes):
    rng = np.random.default_rng(100 + n_classes)
    weights, bias, inputs, targets = linear_model(rng, n_classes)
    logits = weights @ inputs + bias

    weight_formula = from_probabilities(page["weight_gradient_formula"], page["p"], page["z"])
    evaluate = lambdify((page["z"], page["y"], page["x"], page["a"], page["c"], K), weight_formula)
    classes, features = np.arange(1, n_classes + 1), np.arange(1, N_FEATURES + 1)
    derived = evaluate(one_based(logits), one_based(targets), one_based(inputs), classes[:, None], features[None, :], n_classes)

    assert_allclose(derived, np.outer(softmax(logits) - targets, inputs), rtol=1e-12, atol=1e-15)
    numeric = central_differences(lambda w: cross_entropy(w @ inputs + bias, targets, reduction="sum"), weights)
    assert relative_error(derived, numeric) <= 1e-7

    bias_formula = from_probabilities(page["bias_gradient_formula"], page["p"], page["z"])
    derived_bias = lambdify((page["z"], page["y"], page["a"], K), bias_formula)(
        one_based(logits), one_based(targets), classes, n_classes
    )
    numeric_bias = central_differences(lambda v: cross_entropy(weights @ inputs + v, targets, reduction="sum"), bias)
    assert relative_error(derived_bias, numeric_bias) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_batch_weight_gradient(page, n_classes):
    rng = np.random.default_rng(200 + n_classes)
    n_rows = 6
    weights = rng.normal(0.0, 0.7, size=(n_classes, N_FEATURES))
    bias = rng.normal(0.0, 0.7, size=n_classes)
    inputs = rng.normal(size=(n_rows, N_FEATURES))  # X (N, d)
    targets = rng.dirichlet(np.ones(n_classes), size=n_rows)  # Y (N, K)
    logits = inputs @ weights.T + bias  # Z (N, K)

    formula = from_probabilities(page["batch_weight_gradient"], page["P"], page["Z"])
    arguments = (page["Z"], page["Y"], page["X"], page["a"], page["c"], K, page["N"])
    evaluate = lambdify(arguments, formula)
    classes, features = np.arange(1, n_classes + 1), np.arange(1, N_FEATURES + 1)
    derived = evaluate(
        one_based(logits), one_based(targets), one_based(inputs), classes[:, None], features[None, :], n_classes, n_rows
    )

    # (P - Y)ᵀ X / N, with the library's 'mean' gradient as P - Y over N.
    assert_allclose(derived, cross_entropy_grad(logits, targets).T @ inputs, rtol=1e-12, atol=1e-15)
    numeric = central_differences(lambda w: cross_entropy(inputs @ w.T + bias, targets), weights)
    assert relative_error(derived, numeric) <= 1e-7


@pytest.mark.parametrize("n_classes", CLASS_COUNTS)
def test_weight_hessian_is_kronecker_product(page, n_classes):
    rng = np.random.default_rng(300 + n_classes)
    weights, bias, inputs, targets = linear_model(rng, n_classes)
    logits = weights @ inputs + bias

    formula = from_probabilities(page["weight_hessian_formula"], page["p"], page["z"])
    arguments = (page["z"], page["x"], page["a"], page["c"], page["a2"], page["c2"], K)
    evaluate = lambdify(arguments, formula)
    classes, features = np.arange(1, n_classes + 1), np.arange(1, N_FEATURES + 1)
    derived = evaluate(
        one_based(logits),
        one_based(inputs),
        classes[:, None, None, None],
        features[None, :, None, None],
        classes[None, None, :, None],
        features[None, None, None, :],
        n_classes,
    ).reshape(n_classes * N_FEATURES, n_classes * N_FEATURES)  # row-major vec(W)

    assert_allclose(derived, np.kron(softmax_jacobian(logits), np.outer(inputs, inputs)), rtol=1e-12, atol=1e-15)

    def weight_gradient(flat_weights):
        z = flat_weights.reshape(n_classes, N_FEATURES) @ inputs + bias
        return np.outer(cross_entropy_grad(z, targets, reduction="sum"), inputs).ravel()

    numeric = central_differences(weight_gradient, weights.ravel())
    assert relative_error(derived, numeric) <= 1e-7
    assert np.linalg.eigvalsh(derived).min() >= -1e-13
