"""Softmax regression (multinomial logistic regression) trained by gradient descent.

The model is z = W x + b, followed by softmax. Training minimises the mean
cross-entropy plus an L2 penalty on W. Each step computes the loss and its
gradient with respect to the logits in one call to `cross_entropy_with_grad`,
then applies the chain rule through the linear layer.
"""

import numbers
import warnings

import numpy as np

from .cross_entropy import cross_entropy_with_grad
from .softmax import softmax

__all__ = ["ConvergenceWarning", "DivergenceError", "SoftmaxRegression"]


class ConvergenceWarning(UserWarning):
    """Warning that training reached ``max_iter`` epochs with the gradient norm above ``tol``."""


class DivergenceError(FloatingPointError):
    """Error raised when the training objective or its gradient becomes NaN or infinite.

    It subclasses FloatingPointError, so ``except FloatingPointError`` catches it.

    Attributes
    ----------
    epoch : int
        The epoch (counted from 1) whose update made the values non-finite.
    learning_rate : float
        The learning rate of the run.
    loss_history : ndarray of shape (epoch,)
        The finite objective values before the divergence: at the start and
        after each earlier epoch, as in ``SoftmaxRegression.loss_history_``.
    """

    def __init__(self, message, *, epoch, learning_rate, loss_history):
        super().__init__(message)
        self.epoch = epoch
        self.learning_rate = learning_rate
        self.loss_history = np.asarray(loss_history)


class SoftmaxRegression:
    r"""Softmax regression classifier trained by full-batch or mini-batch gradient descent.

    The model maps a sample $x \in \mathbb{R}^d$ to class probabilities
    $p = \operatorname{softmax}(W x + b)$, with weights ``W`` of shape
    (K, d) and bias ``b`` of shape (K,). Labels are the integers 0, ..., K-1,
    and every one of them must occur in the training labels.

    Parameters
    ----------
    learning_rate : float, default=0.1
        Step size $\eta > 0$ of every update.
    max_iter : int, default=1000
        Maximum number of epochs, at least 1. With ``batch_size=None`` an
        epoch is one gradient step. Otherwise it is one pass over the shuffled
        training set in mini-batches.
    tol : float, default=1e-4
        Training stops when the Euclidean norm of the full-data gradient of
        the objective with respect to (W, b) falls below ``tol``. With
        ``tol=0`` training always runs ``max_iter`` epochs.
    l2 : float, default=0.0
        Strength $\lambda \ge 0$ of the penalty
        $\tfrac{\lambda}{2}\lVert W \rVert_F^2$. The bias is not
        penalised.
    batch_size : int or None, default=None
        ``None`` trains with full-batch gradient descent. An integer at least
        1 trains with mini-batch stochastic gradient descent: every epoch
        shuffles the rows and steps once per batch of ``batch_size`` rows (the
        last batch may be smaller).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the row shuffling in mini-batch training, passed to
        :func:`numpy.random.default_rng`. The same integer gives the same
        weights. Full-batch training does not use it.

    Attributes
    ----------
    coef_ : ndarray of shape (K, d)
        Weights ``W``. Unlike scikit-learn's binary case, there is one row
        per class even when K = 2.
    intercept_ : ndarray of shape (K,)
        Bias ``b``.
    classes_ : ndarray of shape (K,)
        The class labels, ``numpy.arange(K)``.
    n_features_in_ : int
        Number of features d seen by ``fit``.
    loss_history_ : ndarray of shape (n_iter_ + 1,)
        Objective on the whole training set at the start (entry 0, which is
        log K for the zero initial weights) and after every epoch. The last
        entry is the objective at the returned weights.
    n_iter_ : int
        Number of epochs run.
    gradient_norm_ : float
        Norm of the full-data gradient at the returned weights.
    converged_ : bool
        Whether ``gradient_norm_`` is below ``tol``.

    Raises
    ------
    DivergenceError
        From ``fit``, when the objective or its gradient becomes NaN or
        infinite. It subclasses FloatingPointError, and its message names the
        epoch and the learning rate. The estimator then keeps the attributes
        it had before the call, so a new estimator stays unfitted.

    Warns
    -----
    ConvergenceWarning
        From ``fit``, when ``tol > 0`` and ``max_iter`` epochs end with the
        gradient norm still at or above ``tol``. The weights are stored.

    Notes
    -----
    With logits $z_n = W x_n + b$, probabilities
    $p_n = \operatorname{softmax}(z_n)$, per-sample cross-entropy
    $L_n = -\log p_{n, y_n}$ and sample weights $s_n \ge 0$ (all
    1 by default), ``fit`` minimises

    $$
    J(W, b) = \frac{\sum_n s_n L_n}{\sum_n s_n}
              + \frac{\lambda}{2} \lVert W \rVert_F^2 .
    $$

    With one-hot targets Y (N, K), probabilities P (N, K) and features X
    (N, d), and unit weights, the gradient is

    $$
    \nabla_W J = \frac{1}{N} (P - Y)^\top X + \lambda W, \qquad
    \nabla_b J = \frac{1}{N} (P - Y)^\top \mathbf{1},
    $$

    and each full-batch step is $W \leftarrow W - \eta \nabla_W J$,
    $b \leftarrow b - \eta \nabla_b J$. The matrix
    $(P - Y)/N$ is the logits' gradient that ``cross_entropy_with_grad``
    returns for ``reduction="mean"``. With sample weights, row n of it is
    scaled by $s_n / \sum_m s_m$ instead of $1/N$.

    A mini-batch B of a training set of N rows estimates the gradient with
    row weights $(N / |B|)\, s_n / \sum_m s_m$, whose expectation over a
    uniformly drawn batch is the full-data gradient. Every epoch also
    evaluates the objective and the gradient on the whole training set, for
    ``loss_history_`` and the stopping test.

    The weights start at zero. J is convex, and strictly convex in W when
    $\lambda > 0$. Without L2 and with linearly separable classes, J
    has no minimiser: scaling a separating W up keeps lowering J towards 0,
    so the weights grow without bound and the run ends at ``max_iter``.

    Features on very different scales slow gradient descent down, so
    standardise them (zero mean, unit variance per column) before ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_ce import SoftmaxRegression
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])  # (N, d) = (4, 1)
    >>> y = np.array([0, 0, 1, 1])
    >>> model = SoftmaxRegression(learning_rate=0.5, l2=0.1, tol=1e-8, max_iter=5000)
    >>> model = model.fit(X, y)
    >>> model.coef_.shape, model.intercept_.shape
    ((2, 1), (2,))
    >>> model.predict(np.array([[-3.0], [0.5], [3.0]]))
    array([0, 1, 1])
    >>> bool(np.allclose(model.predict_proba(X).sum(axis=1), 1.0))
    True
    >>> model.score(X, y)
    1.0
    """

    def __init__(
        self,
        *,
        learning_rate=0.1,
        max_iter=1000,
        tol=1e-4,
        l2=0.0,
        batch_size=None,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.l2 = l2
        self.batch_size = batch_size
        self.random_state = random_state

    # --- scikit-learn estimator protocol -------------------------------------

    _PARAMETER_NAMES = ("learning_rate", "max_iter", "tol", "l2", "batch_size", "random_state")

    def get_params(self, deep=True):
        """Return the constructor parameters as a dict, as scikit-learn's ``clone`` expects."""
        return {name: getattr(self, name) for name in self._PARAMETER_NAMES}

    def set_params(self, **params):
        """Set constructor parameters by name and return the estimator."""
        for name, value in params.items():
            if name not in self._PARAMETER_NAMES:
                raise ValueError(
                    f"invalid parameter {name!r} for SoftmaxRegression, "
                    f"expected one of {self._PARAMETER_NAMES!r}"
                )
            setattr(self, name, value)
        return self

    def __sklearn_tags__(self):
        """Describe the estimator to scikit-learn 1.6 and newer (a classifier).

        scikit-learn calls this, for example in ``cross_val_score``, so the import
        only runs where scikit-learn is installed. The library itself never needs it.
        """
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
        )

    def __repr__(self):
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"SoftmaxRegression({arguments})"

    # --- training --------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Train the weights by gradient descent on the L2-penalised mean cross-entropy.

        Parameters
        ----------
        X : array_like of shape (N, d)
            Finite real features. Training computes in float64.
        y : array_like of shape (N,)
            Integer labels 0, ..., K-1, with every class present and K >= 2.
        sample_weight : array_like of shape (N,), optional
            Finite, non-negative weights $s_n$ with a positive sum. The
            objective becomes the weighted mean of the per-sample
            cross-entropy, so integer weights act like repeating rows.

        Returns
        -------
        SoftmaxRegression
            The fitted estimator itself.

        Raises
        ------
        TypeError
            When a parameter or an input has the wrong type, for example
            float labels.
        ValueError
            When a parameter or an input has an invalid value or shape.
        DivergenceError
            When training diverges (a FloatingPointError), see the class docstring.
        """
        learning_rate, max_iter, tol, l2, batch_size = self._validated_parameters()
        X = _validated_features(X)
        n_samples, n_features = X.shape
        labels, n_classes = _validated_training_labels(y, n_samples)
        row_weights = _normalised_sample_weight(sample_weight, n_samples)
        try:
            rng = np.random.default_rng(self.random_state)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                "random_state must be None, an int or a numpy.random.Generator, "
                f"got {self.random_state!r}"
            ) from exc

        W = np.zeros((n_classes, n_features))  # (K, d)
        b = np.zeros(n_classes)  # (K,)
        history = []
        epoch = 0
        # Overflow is expected when training diverges. It is detected below and
        # raised as one DivergenceError, instead of as NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                objective, grad_W, grad_b = _objective_and_gradient(
                    X, labels, row_weights, W, b, l2
                )
                _check_finite(objective, grad_W, grad_b, epoch, learning_rate, history)
                history.append(objective)
                gradient_norm = float(np.sqrt(np.vdot(grad_W, grad_W) + np.vdot(grad_b, grad_b)))
                if gradient_norm < tol or epoch == max_iter:
                    break
                epoch += 1
                if batch_size is None:
                    W -= learning_rate * grad_W
                    b -= learning_rate * grad_b
                else:
                    _run_minibatch_epoch(
                        X, labels, row_weights, W, b, l2, learning_rate, batch_size, rng, epoch,
                        history,
                    )

        converged = gradient_norm < tol
        if not converged and tol > 0:
            # A step too large for the curvature makes the objective grow while it
            # stays finite, and then the advice is the opposite one.
            if history[-1] > history[0]:
                advice = (
                    f"The objective rose from {history[0]:.6g} to {history[-1]:.6g}, so "
                    f"learning_rate={learning_rate!r} is too large: lower it"
                )
            else:
                advice = (
                    "Increase max_iter or learning_rate, or set l2 > 0 if the classes "
                    "may be linearly separable"
                )
            warnings.warn(
                f"gradient norm {gradient_norm:.3g} is still at or above tol={tol!r} "
                f"after max_iter={max_iter} epochs. {advice}",
                ConvergenceWarning,
                stacklevel=2,
            )

        self.coef_ = W
        self.intercept_ = b
        self.classes_ = np.arange(n_classes)
        self.n_features_in_ = n_features
        self.loss_history_ = np.asarray(history)
        self.n_iter_ = epoch
        self.gradient_norm_ = gradient_norm
        self.converged_ = converged
        return self

    def _validated_parameters(self):
        learning_rate = _validated_real(self.learning_rate, "learning_rate", allow_zero=False)
        max_iter = self.max_iter
        if not (isinstance(max_iter, numbers.Integral) and not isinstance(max_iter, bool)):
            raise TypeError(f"max_iter must be an int >= 1, got {max_iter!r}")
        if max_iter < 1:
            raise ValueError(f"max_iter must be an int >= 1, got {max_iter!r}")
        tol = _validated_real(self.tol, "tol", allow_zero=True)
        l2 = _validated_real(self.l2, "l2", allow_zero=True)
        batch_size = self.batch_size
        if batch_size is not None:
            if not (isinstance(batch_size, numbers.Integral) and not isinstance(batch_size, bool)):
                raise TypeError(f"batch_size must be None or an int >= 1, got {batch_size!r}")
            if batch_size < 1:
                raise ValueError(f"batch_size must be None or an int >= 1, got {batch_size!r}")
            batch_size = int(batch_size)
        return learning_rate, int(max_iter), tol, l2, batch_size

    # --- prediction ------------------------------------------------------------

    def decision_function(self, X):
        """Return the logits ``X @ coef_.T + intercept_``, of shape (N, K)."""
        return self._logits(X, "decision_function")

    def predict_proba(self, X):
        """Return the class probabilities ``softmax(X @ coef_.T + intercept_)``.

        Parameters
        ----------
        X : array_like of shape (N, d)
            Finite real features with the d of ``fit``.

        Returns
        -------
        ndarray of shape (N, K)
            Rows are non-negative and sum to 1.
        """
        return softmax(self._logits(X, "predict_proba"), axis=-1)

    def predict(self, X):
        """Return the most probable class of each row, an int array of shape (N,).

        The argmax of the logits equals the argmax of the probabilities,
        because softmax is strictly increasing in each logit. Ties go to the
        lowest class index.
        """
        logits = self._logits(X, "predict")
        return self.classes_[np.argmax(logits, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Return the accuracy of ``predict(X)`` against labels ``y``.

        Parameters
        ----------
        X : array_like of shape (N, d)
            Finite real features with the d of ``fit``.
        y : array_like of shape (N,)
            Integer labels in 0, ..., K-1. Not every class needs to occur.
        sample_weight : array_like of shape (N,), optional
            Non-negative weights of the rows in the mean.

        Returns
        -------
        float
            Weighted fraction of rows predicted correctly, in [0, 1].
        """
        logits = self._logits(X, "score")
        predictions = self.classes_[np.argmax(logits, axis=1)]
        labels = _validated_labels(y, len(predictions), name="y")
        if labels.max() >= len(self.classes_):
            raise ValueError(
                f"y must contain labels 0..{len(self.classes_) - 1} of the fitted classes, "
                f"got label {int(labels.max())!r}"
            )
        row_weights = _normalised_sample_weight(sample_weight, len(labels))
        correct = predictions == labels
        if row_weights is None:
            return float(np.mean(correct))
        return float(np.sum(row_weights * correct))

    def _logits(self, X, method):
        """Validate X for a fitted model and return its logits (N, K).

        ``method`` is the public method that called it, for the error message.
        """
        if not hasattr(self, "coef_"):
            raise ValueError(
                f"this SoftmaxRegression is not fitted yet. Call fit(X, y) before {method}"
            )
        X = _validated_features(X, n_features=self.n_features_in_)
        return X @ self.coef_.T + self.intercept_  # (N, K)


# --- objective and gradient ------------------------------------------------------


def _objective_and_gradient(X, labels, row_weights, W, b, l2):
    """Return J, dJ/dW (K, d) and dJ/db (K,) on the rows of X.

    ``row_weights`` None means the plain mean over the rows. Otherwise the
    cross-entropy term is the sum of ``row_weights[n] * L_n``.
    """
    logits = X @ W.T + b  # (N, K)
    if row_weights is None:
        loss, grad_logits = cross_entropy_with_grad(logits, labels, reduction="mean")
    else:
        # reduction="none" returns every L_n and the gradient of their sum,
        # whose row n is p_n - y_n.
        losses, grad_logits = cross_entropy_with_grad(logits, labels, reduction="none")
        loss = np.dot(row_weights, losses)
        grad_logits = grad_logits * row_weights[:, None]
    grad_W = grad_logits.T @ X  # (K, d)
    grad_b = grad_logits.sum(axis=0)  # (K,)
    objective = float(loss)
    if l2 > 0:
        grad_W += l2 * W
        objective += 0.5 * l2 * float(np.vdot(W, W))
    return objective, grad_W, grad_b


def _run_minibatch_epoch(
    X, labels, row_weights, W, b, l2, learning_rate, batch_size, rng, epoch, history
):
    """Update W and b in place with one shuffled pass of mini-batch steps.

    ``epoch`` and ``history`` (the objective values so far) go into the error
    if a batch diverges.
    """
    n_samples = X.shape[0]
    order = rng.permutation(n_samples)
    for start in range(0, n_samples, batch_size):
        batch = order[start : start + batch_size]
        # Scaling by N / |B| makes the batch gradient an unbiased estimate of
        # the full-data gradient, also when the batch is the smaller last one.
        if row_weights is None:
            batch_weights = None
        else:
            batch_weights = row_weights[batch] * (n_samples / len(batch))
        objective, grad_W, grad_b = _objective_and_gradient(
            X[batch], labels[batch], batch_weights, W, b, l2
        )
        _check_finite(objective, grad_W, grad_b, epoch, learning_rate, history)
        W -= learning_rate * grad_W
        b -= learning_rate * grad_b


def _check_finite(objective, grad_W, grad_b, epoch, learning_rate, history):
    """Raise DivergenceError unless the objective and both gradients are finite."""
    if np.isfinite(objective) and np.all(np.isfinite(grad_W)) and np.all(np.isfinite(grad_b)):
        return
    raise DivergenceError(
        f"training diverged in epoch {epoch} with learning_rate={learning_rate!r}: "
        f"the objective is {objective!r}. Lower learning_rate (for example to "
        f"{learning_rate / 10:g}) or standardise the features",
        epoch=epoch,
        learning_rate=learning_rate,
        loss_history=list(history),
    )


# --- input validation ------------------------------------------------------------


def _describe(value):
    """Return a short description of an input for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape!r} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _validated_real(value, name, *, allow_zero):
    """Return ``value`` as a finite float > 0 (>= 0 with ``allow_zero``), or raise naming it."""
    bound = ">= 0" if allow_zero else "> 0"
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool)):
        raise TypeError(f"{name} must be a finite real number {bound}, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite real number {bound}, got {value!r}")
    return value


def _validated_features(X, n_features=None):
    """Return X as a finite float64 array of shape (N, d) or raise naming X."""
    try:
        array = np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"X must be a 2-D array of shape (n_samples, n_features), got {_describe(X)}"
        ) from exc
    if array.dtype.kind not in "biuf":
        raise TypeError(f"X must contain real numbers, got {_describe(array)}")
    if array.ndim != 2:
        raise ValueError(
            f"X must be 2-D with shape (n_samples, n_features), got shape {array.shape!r}. "
            "Use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single sample"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"X must have at least one row and one column, got shape {array.shape!r}"
        )
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(
            f"X must have {n_features} features, the number seen in fit, "
            f"but has shape {array.shape!r}"
        )
    array = array.astype(np.float64, copy=False)
    bad = ~np.isfinite(array)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(
            f"X must be finite, but found {int(bad.sum())} NaN or infinite values, the first "
            f"at row {row}, column {column}: {float(array[row, column])!r}"
        )
    return array


def _validated_labels(y, n_samples, name):
    """Return y as a non-negative int64 array of shape (n_samples,) or raise naming it."""
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        hint = ""
        if labels.dtype.kind == "f":
            hint = " If the values are whole numbers, convert them with y.astype(int)."
        raise TypeError(
            f"{name} must contain integer class labels 0..K-1, got {_describe(labels)}.{hint} "
            "To encode arbitrary labels, use np.unique(y, return_inverse=True)[1]"
        )
    if labels.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D with shape (n_samples,), got shape {labels.shape!r}. "
            "Use y.ravel() for a column vector"
        )
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"X and {name} must have the same number of samples, but "
            f"X has {n_samples} rows and {name} has {labels.shape[0]} labels"
        )
    if labels.min() < 0:
        raise ValueError(
            f"{name} must contain class labels 0..K-1, got negative label {int(labels.min())!r}"
        )
    return labels.astype(np.int64, copy=False)


def _validated_training_labels(y, n_samples):
    """Return the labels and K, requiring every class 0..K-1 to occur."""
    labels = _validated_labels(y, n_samples, name="y")
    present = np.unique(labels)
    n_classes = int(present[-1]) + 1
    if n_classes < 2:
        raise ValueError(
            f"y must contain at least 2 classes, got only class {int(present[0])!r}"
        )
    if len(present) != n_classes:
        missing = np.setdiff1d(np.arange(n_classes), present)
        raise ValueError(
            f"y must contain every class 0..{n_classes - 1}, but classes {missing.tolist()!r} "
            "have no samples. Relabel with np.unique(y, return_inverse=True)[1]"
        )
    return labels, n_classes


def _normalised_sample_weight(sample_weight, n_samples):
    """Return None, or the sample weights divided by their sum, shape (n_samples,)."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight)
    if weights.dtype.kind not in "iuf":
        raise TypeError(f"sample_weight must contain real numbers, got {_describe(weights)}")
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per row of X, "
            f"got shape {weights.shape!r}"
        )
    weights = weights.astype(np.float64)
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"sample_weight must be finite, got {_describe(sample_weight)}")
    if weights.min() < 0:
        raise ValueError(
            f"sample_weight must be non-negative, got {float(weights.min())!r} "
            f"at row {int(np.argmin(weights))}"
        )
    total = weights.sum()
    if total <= 0:
        raise ValueError("sample_weight must have a positive sum, got all zeros")
    return weights / total
