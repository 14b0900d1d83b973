"""Tests of SoftmaxRegression: optimum, gradient, sample weights, SGD, divergence and input checks.

Reference values come from sources independent of the estimator: scikit-learn's
LogisticRegression (L-BFGS) for the optimum, an objective written here with
scipy.special.logsumexp, central finite differences for the gradient, and
closed-form bounds (J(0) = log K, the descent lemma) for training curves.
"""

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp
from scipy.special import softmax as scipy_softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from softmax_ce import SoftmaxRegression
from softmax_ce.regression import ConvergenceWarning, DivergenceError, _objective_and_gradient

# --- helpers -------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def single_blas_thread():
    """Run BLAS on one thread while these tests train.

    The matrices here are small, at most 1797 x 64. On 2 shared cores,
    OpenBLAS threads then spend more time waiting than computing. An epoch
    on digits took 0.7 ms on one thread and 2 to 7 ms on two.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def standardised(X):
    """Scale every column to zero mean and unit variance, and only centre constant columns."""
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - X.mean(axis=0)) / scale


def reference_objective(X, y, W, b, l2, sample_weight=None):
    """J(W, b) = weighted mean of -log softmax(W x + b)[y] + l2/2 ||W||^2, written with SciPy."""
    logits = X @ W.T + b
    losses = logsumexp(logits, axis=1) - logits[np.arange(len(y)), y]
    weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    return np.sum(weights * losses) / np.sum(weights) + 0.5 * l2 * np.sum(W**2)


def step_size_bound(X, l2):
    """Return 1/L for the smoothness constant L of J on standardised data.

    v^T (diag(p) - p p^T) v is the variance of the entries of v under p, at
    most (max v - min v)^2 / 4 <= ||v||^2 / 2. So the Hessian of the
    cross-entropy in the logits is below (1/2) I, and the Hessian of J in
    (W, b) is below L = (1/2) lambda_max(X1^T X1 / N) + l2, where X1 is X with
    a column of ones.
    """
    n_samples = X.shape[0]
    X1 = np.hstack([X, np.ones((n_samples, 1))])
    smoothness = 0.5 * np.linalg.eigvalsh(X1.T @ X1 / n_samples).max() + l2
    return 1.0 / smoothness


def sklearn_optimum(X, y, l2, sample_weight=None):
    """Fit scikit-learn's multinomial logistic regression to the same objective.

    scikit-learn 1.9 minimises (1/S) sum_n s_n L_n + 1/(2 C S) ||W||^2 with
    S = sum_n s_n and an unpenalised intercept, so C = 1 / (S * l2) gives J.
    Its lbfgs solver uses the multinomial loss for K >= 3 by default.
    """
    total = len(y) if sample_weight is None else float(np.sum(sample_weight))
    model = LogisticRegression(C=1.0 / (total * l2), tol=1e-12, max_iter=100_000)
    return model.fit(X, y, sample_weight=sample_weight)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return standardised(X), y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return standardised(X), y


def separable_blobs():
    """Three well-separated Gaussian blobs in 2-D, 20 points each, seed 0."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 4.0], [-4.0, -2.0], [4.0, -2.0]])
    X = np.concatenate([centre + 0.5 * rng.standard_normal((20, 2)) for centre in centres])
    y = np.repeat(np.arange(3), 20)
    return X, y


# --- agreement with scikit-learn's optimum -------------------------------------------


def assert_matches_sklearn(X, y, l2, learning_rate, sample_weight=None, tol=1e-7):
    model = SoftmaxRegression(learning_rate=learning_rate, l2=l2, tol=tol, max_iter=100_000)
    model.fit(X, y, sample_weight=sample_weight)
    reference = sklearn_optimum(X, y, l2, sample_weight)

    ours = reference_objective(X, y, model.coef_, model.intercept_, l2, sample_weight)
    theirs = reference_objective(X, y, reference.coef_, reference.intercept_, l2, sample_weight)
    assert model.converged_
    assert_allclose(ours, theirs, rtol=1e-6)
    assert_allclose(model.loss_history_[-1], ours, rtol=1e-12)
    agreement = np.mean(model.predict(X) == reference.predict(X))
    assert agreement >= 0.99
    # The optimal W is unique because J is l2-strongly convex in W, and the
    # probabilities are unique even though b is only fixed up to a constant.
    # Strong convexity also bounds the distance to the optimum by tol / l2.
    assert_allclose(model.coef_, reference.coef_, atol=tol / l2)
    assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=tol / l2)


def test_iris_reaches_sklearn_optimum(iris):
    X, y = iris
    assert_matches_sklearn(X, y, l2=1e-2, learning_rate=step_size_bound(X, 1e-2))


def test_iris_weighted_reaches_sklearn_optimum(iris):
    X, y = iris
    sample_weight = np.random.default_rng(1).uniform(0.0, 3.0, size=len(y))
    assert_matches_sklearn(X, y, l2=1e-2, learning_rate=1.0, sample_weight=sample_weight)


@pytest.mark.slow
def test_digits_reaches_sklearn_optimum(digits):
    X, y = digits
    # 1/L is 0.27 here; 1.0 still converges and needs a quarter of the epochs.
    assert_matches_sklearn(X, y, l2=1e-2, learning_rate=1.0, tol=1e-6)


# --- gradient ------------------------------------------------------------------------


def central_difference_gradient(function, point, step=1e-6):
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        shifted = point.copy()
        shifted[index] += step
        upper = function(shifted)
        shifted[index] -= 2 * step
        lower = function(shifted)
        gradient[index] = (upper - lower) / (2 * step)
    return gradient


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_gradient_matches_finite_differences(weighted):
    rng = np.random.default_rng(2)
    n_samples, n_features, n_classes = 30, 4, 3
    X = rng.standard_normal((n_samples, n_features))
    y = rng.integers(0, n_classes, size=n_samples)
    W = rng.standard_normal((n_classes, n_features))
    b = rng.standard_normal(n_classes)
    l2 = 0.3
    sample_weight = rng.uniform(0.0, 2.0, size=n_samples) if weighted else None
    row_weights = None if sample_weight is None else sample_weight / sample_weight.sum()

    objective, grad_W, grad_b = _objective_and_gradient(X, y, row_weights, W, b, l2)

    assert_allclose(objective, reference_objective(X, y, W, b, l2, sample_weight), rtol=1e-13)
    expected_W = central_difference_gradient(
        lambda W_: reference_objective(X, y, W_, b, l2, sample_weight), W
    )
    expected_b = central_difference_gradient(
        lambda b_: reference_objective(X, y, W, b_, l2, sample_weight), b
    )
    assert_allclose(grad_W, expected_W, rtol=1e-7, atol=1e-9)
    assert_allclose(grad_b, expected_b, rtol=1e-7, atol=1e-9)


def test_first_step_follows_finite_difference_gradient(iris):
    X, y = iris
    n_classes, n_features = 3, X.shape[1]
    learning_rate, l2 = 0.5, 0.1
    model = SoftmaxRegression(learning_rate=learning_rate, l2=l2, max_iter=1, tol=0.0)
    model.fit(X, y)

    zeros_W, zeros_b = np.zeros((n_classes, n_features)), np.zeros(n_classes)
    grad_W = central_difference_gradient(
        lambda W_: reference_objective(X, y, W_, zeros_b, l2), zeros_W
    )
    grad_b = central_difference_gradient(
        lambda b_: reference_objective(X, y, zeros_W, b_, l2), zeros_b
    )
    assert model.n_iter_ == 1
    assert_allclose(model.coef_, -learning_rate * grad_W, rtol=1e-7, atol=1e-10)
    assert_allclose(model.intercept_, -learning_rate * grad_b, rtol=1e-7, atol=1e-10)


# --- training curve ---------------------------------------------------------------


def test_history_starts_at_log_k(iris):
    X, y = iris
    model = SoftmaxRegression(max_iter=5, tol=0.0).fit(X, y)
    # Zero weights give uniform probabilities, so every sample loses log K.
    assert_allclose(model.loss_history_[0], math.log(3), rtol=1e-15)
    assert model.loss_history_.shape == (model.n_iter_ + 1,)


def test_history_decreases_with_safe_step(iris):
    X, y = iris
    l2 = 1e-3
    model = SoftmaxRegression(learning_rate=step_size_bound(X, l2), l2=l2, max_iter=300, tol=0.0)
    model.fit(X, y)
    # Descent lemma: a step of 1/L never increases an L-smooth objective.
    assert np.all(np.diff(model.loss_history_) <= 1e-15)


def test_stops_when_gradient_norm_below_tol(iris):
    X, y = iris
    model = SoftmaxRegression(learning_rate=1.0, l2=1e-2, tol=1e-3, max_iter=10_000).fit(X, y)
    assert model.converged_
    assert model.gradient_norm_ < 1e-3
    assert model.n_iter_ < 10_000
    # One epoch earlier the gradient was still too large, or training would have stopped.
    previous = SoftmaxRegression(learning_rate=1.0, l2=1e-2, tol=0.0, max_iter=model.n_iter_ - 1)
    assert previous.fit(X, y).gradient_norm_ >= 1e-3


def test_max_iter_reached_warns(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match=r"max_iter=3 epochs"):
        model = SoftmaxRegression(max_iter=3, tol=1e-8).fit(X, y)
    assert not model.converged_
    assert model.n_iter_ == 3


def test_zero_tol_runs_max_iter_silently(iris):
    X, y = iris
    model = SoftmaxRegression(max_iter=3, tol=0.0).fit(X, y)
    assert model.n_iter_ == 3
    assert not model.converged_


# --- separable data ----------------------------------------------------------------


def test_separable_weights_grow_without_l2():
    X, y = separable_blobs()
    norms, final_losses = [], []
    for max_iter in (100, 1_000, 10_000):
        model = SoftmaxRegression(learning_rate=0.5, max_iter=max_iter, tol=0.0).fit(X, y)
        norms.append(np.linalg.norm(model.coef_))
        final_losses.append(model.loss_history_[-1])
        assert model.score(X, y) == 1.0
        assert np.all(np.diff(model.loss_history_) < 0)
    # No minimiser: every tenfold longer run ends with larger weights and lower loss.
    assert norms[0] < norms[1] < norms[2]
    assert final_losses[0] > final_losses[1] > final_losses[2]
    assert final_losses[2] < 1e-3


def test_separable_weights_bounded_with_l2():
    X, y = separable_blobs()
    l2 = 0.1
    model = SoftmaxRegression(learning_rate=0.2, l2=l2, tol=1e-8, max_iter=100_000).fit(X, y)
    assert model.converged_
    # J(W*) <= J(0) = log K and J >= l2/2 ||W||^2 give ||W*|| <= sqrt(2 log K / l2).
    assert np.linalg.norm(model.coef_) <= math.sqrt(2 * math.log(3) / l2)
    longer = SoftmaxRegression(learning_rate=0.2, l2=l2, tol=0.0, max_iter=2 * model.n_iter_)
    assert_allclose(longer.fit(X, y).coef_, model.coef_, atol=1e-7)


# --- sample weights ------------------------------------------------------------------


def test_integer_sample_weight_equals_repeated_rows(iris):
    X, y = iris
    counts = np.random.default_rng(3).integers(0, 4, size=len(y))
    counts[[0, 50, 100]] = 1  # keep every class present
    settings = dict(learning_rate=0.5, l2=1e-2, tol=0.0, max_iter=200)

    weighted = SoftmaxRegression(**settings).fit(X, y, sample_weight=counts)
    repeated = SoftmaxRegression(**settings)
    repeated.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))

    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10, atol=1e-12)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-10, atol=1e-12)
    assert_allclose(weighted.loss_history_, repeated.loss_history_, rtol=1e-12)


def test_uniform_sample_weight_changes_nothing(iris):
    X, y = iris
    settings = dict(learning_rate=0.5, l2=1e-2, tol=0.0, max_iter=50)
    plain = SoftmaxRegression(**settings).fit(X, y)
    weighted = SoftmaxRegression(**settings).fit(X, y, sample_weight=np.full(len(y), 7.0))
    assert_allclose(weighted.coef_, plain.coef_, rtol=1e-12, atol=1e-14)


# --- mini-batch SGD -------------------------------------------------------------------


def test_sgd_same_seed_same_weights(iris):
    X, y = iris
    settings = dict(learning_rate=0.1, l2=1e-2, batch_size=16, tol=0.0, max_iter=20)
    first = SoftmaxRegression(random_state=7, **settings).fit(X, y)
    second = SoftmaxRegression(random_state=7, **settings).fit(X, y)
    other = SoftmaxRegression(random_state=8, **settings).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert_array_equal(first.loss_history_, second.loss_history_)
    assert not np.array_equal(first.coef_, other.coef_)


def test_sgd_converges_near_optimum(iris):
    X, y = iris
    l2 = 1e-2
    reference = sklearn_optimum(X, y, l2)
    optimum = reference_objective(X, y, reference.coef_, reference.intercept_, l2)
    model = SoftmaxRegression(
        learning_rate=0.05, l2=l2, batch_size=10, tol=0.0, max_iter=300, random_state=0
    ).fit(X, y)
    reached = reference_objective(X, y, model.coef_, model.intercept_, l2)
    # Constant-step SGD settles in a noise ball around the optimum, not on it.
    assert optimum <= reached <= optimum * 1.01
    assert_allclose(model.loss_history_[-1], reached, rtol=1e-12)
    assert np.mean(model.predict(X) == reference.predict(X)) >= 0.97


def test_sgd_weighted_converges_near_weighted_optimum(iris):
    X, y = iris
    l2 = 1e-2
    sample_weight = np.random.default_rng(4).uniform(0.0, 3.0, size=len(y))
    reference = sklearn_optimum(X, y, l2, sample_weight)
    optimum = reference_objective(X, y, reference.coef_, reference.intercept_, l2, sample_weight)
    model = SoftmaxRegression(
        learning_rate=0.05, l2=l2, batch_size=10, tol=0.0, max_iter=300, random_state=0
    ).fit(X, y, sample_weight=sample_weight)
    reached = reference_objective(X, y, model.coef_, model.intercept_, l2, sample_weight)
    assert optimum <= reached <= optimum * 1.01


def test_batch_of_all_rows_is_full_batch(iris):
    X, y = iris
    settings = dict(learning_rate=0.5, l2=1e-2, tol=0.0, max_iter=100)
    full = SoftmaxRegression(**settings).fit(X, y)
    one_batch = SoftmaxRegression(batch_size=len(y), random_state=0, **settings).fit(X, y)
    # Shuffling only reorders the sums, so the results agree to rounding.
    assert_allclose(one_batch.coef_, full.coef_, rtol=1e-10, atol=1e-12)


# --- divergence --------------------------------------------------------------------------


def test_divergence_names_epoch_and_learning_rate(iris):
    X, y = iris
    # With l2 = 1 every step multiplies W by about 1 - 10 = -9, so it overflows.
    model = SoftmaxRegression(learning_rate=10.0, l2=1.0, max_iter=10_000)
    with pytest.raises(FloatingPointError, match=r"epoch \d+ with learning_rate=10\.0") as info:
        model.fit(X, y)
    epoch = int(re.search(r"epoch (\d+)", str(info.value)).group(1))
    assert 1 <= epoch < 10_000
    assert not hasattr(model, "coef_")
    error = info.value
    assert isinstance(error, DivergenceError)
    assert error.epoch == epoch
    assert error.learning_rate == 10.0
    assert error.loss_history.shape == (epoch,)
    assert np.all(np.isfinite(error.loss_history))
    assert_allclose(error.loss_history[0], math.log(3), rtol=1e-15)


def test_divergence_keeps_previous_fit(iris):
    X, y = iris
    model = SoftmaxRegression(learning_rate=0.5, l2=1.0, max_iter=20, tol=0.0).fit(X, y)
    previous = model.coef_.copy()
    model.set_params(learning_rate=10.0, max_iter=10_000)
    with pytest.raises(FloatingPointError):
        model.fit(X, y)
    assert_array_equal(model.coef_, previous)


def test_sgd_divergence_raises(iris):
    X, y = iris
    model = SoftmaxRegression(learning_rate=10.0, l2=1.0, batch_size=32, random_state=0)
    with pytest.raises(FloatingPointError, match=r"learning_rate=10\.0") as info:
        model.fit(X, y)
    assert info.value.loss_history.shape == (info.value.epoch,)


# --- prediction ------------------------------------------------------------------------


def test_predictions_follow_probabilities(iris):
    X, y = iris
    model = SoftmaxRegression(learning_rate=0.5, l2=1e-2, tol=0.0, max_iter=100).fit(X, y)
    logits = X @ model.coef_.T + model.intercept_
    probs = model.predict_proba(X)

    assert_allclose(model.decision_function(X), logits, rtol=1e-15)
    assert_allclose(probs, scipy_softmax(logits, axis=1), rtol=1e-13, atol=1e-16)
    assert_array_equal(model.predict(X), np.argmax(probs, axis=1))
    assert model.score(X, y) == np.mean(np.argmax(probs, axis=1) == y)
    assert_array_equal(model.classes_, [0, 1, 2])
    assert model.n_features_in_ == 4


def test_score_with_sample_weight():
    X = np.array([[-1.0], [1.0], [2.0]])
    model = SoftmaxRegression(learning_rate=1.0, max_iter=200, tol=0.0).fit(X, [0, 1, 1])
    # Row 2 is labelled wrongly here on purpose: weight 3 of a total 5 is wrong.
    assert model.score(X, [0, 1, 0], sample_weight=[1.0, 1.0, 3.0]) == pytest.approx(2 / 5)


def test_clone_keeps_parameters():
    model = SoftmaxRegression(learning_rate=0.3, max_iter=7, tol=1e-3, l2=0.5, batch_size=4)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert copy is not model
    assert repr(copy).startswith("SoftmaxRegression(learning_rate=0.3")


# --- invalid input --------------------------------------------------------------------

X_SMALL = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
Y_SMALL = np.array([0, 1, 0, 1])

BAD_PARAMETERS = [
    ({"learning_rate": 0.0}, ValueError, "learning_rate must be a finite real number > 0, got 0"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate"),
    ({"learning_rate": float("nan")}, ValueError, "learning_rate"),
    ({"learning_rate": "0.1"}, TypeError, "learning_rate .*'0.1'"),
    ({"max_iter": 0}, ValueError, "max_iter must be an int >= 1, got 0"),
    ({"max_iter": 10.0}, TypeError, "max_iter .*10.0"),
    ({"max_iter": True}, TypeError, "max_iter"),
    ({"tol": -1e-3}, ValueError, "tol must be a finite real number >= 0, got -0.001"),
    ({"l2": -0.5}, ValueError, "l2 must be a finite real number >= 0, got -0.5"),
    ({"l2": float("inf")}, ValueError, "l2"),
    ({"batch_size": 0}, ValueError, "batch_size must be None or an int >= 1, got 0"),
    ({"batch_size": 2.5}, TypeError, "batch_size .*2.5"),
    ({"random_state": "seed"}, TypeError, "random_state .*'seed'"),
]


@pytest.mark.parametrize(
    ("params", "error", "message"), BAD_PARAMETERS, ids=[str(case[0]) for case in BAD_PARAMETERS]
)
def test_fit_rejects_bad_parameter(params, error, message):
    with pytest.raises(error, match=message):
        SoftmaxRegression(**params).fit(X_SMALL, Y_SMALL)


X_NAN = np.where(X_SMALL == 3.0, np.nan, X_SMALL)
X_INF = np.where(X_SMALL == 3.0, np.inf, X_SMALL)

# Each case: id, X, y, sample_weight, expected error, regex that the message must match.
BAD_DATA = [
    ("X 1-D", np.arange(4.0), Y_SMALL, None, ValueError, r"X must be 2-D .*shape \(4,\)"),
    ("X 3-D", np.zeros((4, 2, 1)), Y_SMALL, None, ValueError, r"X must be 2-D"),
    ("X empty", np.zeros((0, 2)), Y_SMALL[:0], None, ValueError, r"at least one row"),
    ("X NaN", X_NAN, Y_SMALL, None, ValueError, r"X must be finite, but .* row 3, column 0: nan"),
    ("X inf", X_INF, Y_SMALL, None, ValueError, r"X must be finite"),
    ("X strings", np.full((4, 2), "a"), Y_SMALL, None, TypeError, r"X must contain real numbers"),
    ("X complex", X_SMALL + 1j, Y_SMALL, None, TypeError, r"X must contain real numbers"),
    ("X ragged", [[1.0, 2.0], [3.0]], [0, 1], None, ValueError, r"X must be a 2-D array"),
    ("lengths differ", X_SMALL, Y_SMALL[:3], None, ValueError, r"X has 4 rows and y has 3"),
    ("y float", X_SMALL, Y_SMALL * 1.0, None, TypeError, r"y must contain integer .*astype\(int\)"),
    ("y strings", X_SMALL, np.full(4, "a"), None, TypeError, r"y must contain integer"),
    ("y 2-D", X_SMALL, Y_SMALL[:, None], None, ValueError, r"y must be 1-D .*y\.ravel\(\)"),
    ("y negative", X_SMALL, np.array([0, -1, 0, 1]), None, ValueError, r"negative label -1"),
    ("y one class", X_SMALL, np.zeros(4, int), None, ValueError, r"at least 2 classes"),
    (
        "y missing class", X_SMALL, np.array([0, 2, 0, 2]), None, ValueError,
        r"every class 0\.\.2, but classes \[1\] have no samples",
    ),
    (
        "weight negative", X_SMALL, Y_SMALL, [1.0, -2.0, 1.0, 1.0], ValueError,
        r"sample_weight must be non-negative, got -2\.0 at row 1",
    ),
    (
        "weight length", X_SMALL, Y_SMALL, [1.0, 1.0], ValueError,
        r"sample_weight must have shape \(4,\).*got shape \(2,\)",
    ),
    (
        "weight NaN", X_SMALL, Y_SMALL, [1.0, np.nan, 1.0, 1.0], ValueError,
        r"sample_weight must be finite",
    ),
    ("weight zeros", X_SMALL, Y_SMALL, np.zeros(4), ValueError, r"must have a positive sum"),
    ("weight strings", X_SMALL, Y_SMALL, ["1"] * 4, TypeError, r"sample_weight must contain real"),
]


@pytest.mark.parametrize(
    ("X", "y", "sample_weight", "error", "message"),
    [case[1:] for case in BAD_DATA],
    ids=[case[0] for case in BAD_DATA],
)
def test_fit_rejects_bad_data(X, y, sample_weight, error, message):
    with pytest.raises(error, match=message):
        SoftmaxRegression(max_iter=2, tol=0.0).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_prediction_before_fit_raises(method):
    with pytest.raises(ValueError, match=rf"not fitted yet\. Call fit\(X, y\) before {method}"):
        getattr(SoftmaxRegression(), method)(X_SMALL)


def test_score_before_fit_raises():
    with pytest.raises(ValueError, match=r"not fitted yet"):
        SoftmaxRegression().score(X_SMALL, Y_SMALL)


def test_predict_wrong_feature_count_raises():
    model = SoftmaxRegression(max_iter=2, tol=0.0).fit(X_SMALL, Y_SMALL)
    expected = r"X must have 2 features, the number seen in fit, but has shape \(4, 3\)"
    with pytest.raises(ValueError, match=expected):
        model.predict(np.zeros((4, 3)))


def test_score_label_out_of_range_raises():
    model = SoftmaxRegression(max_iter=2, tol=0.0).fit(X_SMALL, Y_SMALL)
    with pytest.raises(ValueError, match=r"labels 0\.\.1 of the fitted classes, got label 2"):
        model.score(X_SMALL, [0, 1, 2, 0])


def test_set_params_rejects_unknown_name():
    with pytest.raises(ValueError, match=r"invalid parameter 'alpha'"):
        SoftmaxRegression().set_params(alpha=1.0)


def test_rising_objective_advises_lower_rate():
    # Too large a step kept the objective finite but growing, and the warning
    # used to advise a larger learning rate. Raw, unstandardised features make
    # the curvature large enough for this step to overshoot.
    X, y = load_iris(return_X_y=True)
    model = SoftmaxRegression(learning_rate=1e3, max_iter=50)

    with pytest.warns(ConvergenceWarning, match=r"learning_rate=1000\.0 is too large: lower it"):
        model.fit(X, y)

    assert model.loss_history_[-1] > model.loss_history_[0]


def test_cross_val_score_accepts_estimator(iris):
    # scikit-learn 1.6 and newer call __sklearn_tags__ on every estimator, and
    # without it cross_val_score raised AttributeError.
    from sklearn.base import is_classifier
    from sklearn.model_selection import cross_val_score

    X, y = iris
    model = SoftmaxRegression(learning_rate=0.5, max_iter=300, tol=0.0)

    scores = cross_val_score(model, X, y, cv=3)

    assert is_classifier(model)
    assert scores.shape == (3,)
    assert scores.min() > 0.8
