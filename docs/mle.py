# %% [markdown]
# # What softmax really does
#
# Softmax is usually the last layer of a classifier. Its output is a probability
# distribution over the $K$ classes, and we read it as the model's conditional
# distribution of the label given the input:
#
# $$
# P(y = k \mid x;\, \theta) = \hat y_k = \operatorname{softmax}(z)_k,
# \qquad z = f_\theta(x),
# $$
#
# where $f_\theta$ is the network with parameters $\theta$ (for a linear model,
# $\theta = (W, b)$ and $z = Wx + b$). Reading the output this way tells us how to
# train the model: choose the parameters under which the labels we actually observed
# are most probable. That is **maximum-likelihood estimation** (MLE), and training a
# softmax classifier with the usual loss is exactly MLE.

# %%
import matplotlib.pyplot as plt
import numpy as np
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

import softmax_ce
from _figures import CLASS_COLORS, use_site_style

use_site_style()
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(2)

# %% [markdown]
# ## The likelihood of a data set
#
# Take a data set of $N$ labelled examples $(x_n, y_n)$, with integer labels
# $y_n \in \{1, \dots, K\}$, and assume the examples are independent. The
# **likelihood** of the parameters is the probability the model gives to all observed
# labels together:
#
# $$
# \mathcal{L}(\theta) = \prod_{n=1}^{N} P(y_n \mid x_n;\, \theta)
# = \prod_{n=1}^{N} \hat y_{n, y_n} .
# $$
#
# MLE picks $\theta^\star = \arg\max_\theta \mathcal{L}(\theta)$. A product of $N$
# numbers below 1 underflows quickly, and the logarithm is increasing, so we maximise
# the log-likelihood instead. Flipping its sign and dividing by $N$ gives a loss to
# minimise:
#
# $$
# L(\theta) = -\frac{1}{N} \sum_{n=1}^{N} \ln \hat y_{n, y_n}.
# $$
#
# This negative log-likelihood is the mean **cross-entropy loss** with one-hot targets
# ([derivation](derivations/maximum_likelihood.py)). The check below builds a small
# data set of three overlapping clouds of 300, 200 and 100 points, computes
# $-\ln \hat y_{n,y_n}$ by hand for some weights, and compares it with
# `softmax_ce.cross_entropy`. It also shows why the logarithm is needed: for 600
# examples the plain product is already a tiny number, and for the same examples
# repeated five times it underflows to 0, while the log-likelihood simply grows
# five-fold.

# %%
K, d = 3, 2
class_sizes = [300, 200, 100]
centres = np.array([[0.0, 1.2], [-1.0, -0.6], [1.0, -0.6]])
clouds = [
    rng.normal(loc=centre, scale=0.9, size=(size, d))
    for centre, size in zip(centres, class_sizes)
]
X = np.concatenate(clouds)  # (N, d)
labels = np.repeat(np.arange(K), class_sizes)  # (N,)
N = labels.size

W = rng.normal(size=(K, d))  # some weights, not trained yet
b = np.zeros(K)
logits = X @ W.T + b  # (N, K)
probs = softmax_ce.softmax(logits)

# (N,), the probability the model gives each observed label
label_probs = probs[np.arange(N), labels]
likelihood = np.prod(label_probs)
nll_by_hand = -np.log(label_probs).sum()
nll_library = softmax_ce.cross_entropy(
    logits, labels, reduction="sum"
)
print(f"likelihood, plain product:  {likelihood:.3e}")
print(f"negative log-likelihood:    {nll_by_hand:.6f}")
print(f"cross_entropy, 'sum':       {nll_library:.6f}")
assert_allclose(nll_library, nll_by_hand, rtol=1e-12)

repeated = np.tile(label_probs, 5)  # the data set five times
nll_repeated = -np.log(repeated).sum()
print(f"product over 5 copies:      {np.prod(repeated)}")
print(f"NLL over 5 copies:          {nll_repeated:.6f}")
assert np.prod(repeated) == 0.0
assert_allclose(nll_repeated, 5 * nll_by_hand, rtol=1e-12)

# %% [markdown]
# ## The simplest case: a model without input
#
# Let the model ignore $x$ and output $\hat y = \operatorname{softmax}(b)$ for every
# example. If class $k$ occurs $n_k$ times among the $N$ labels, the loss is
#
# $$
# L(b) = -\frac{1}{N}\sum_{k=1}^{K} n_k \ln \hat y_k ,
# $$
#
# and its gradient with respect to $b$ is $\hat y - n / N$ (the gradient of
# cross-entropy is "prediction minus target",
# [derivation](derivations/cross_entropy_gradient.py)). It vanishes when
# $\hat y_k = n_k / N$: the maximum-likelihood model predicts the observed class
# frequencies ([derivation](derivations/maximum_likelihood.py)). The figure shows the log-likelihood for two classes seen 7 and 3 times.
# It peaks at $\hat y_1 = 0.7$.

# %%
p1 = np.linspace(0.01, 0.99, 197)
log_likelihood = 7 * np.log(p1) + 3 * np.log(1 - p1)

fig, ax = plt.subplots(figsize=(4.5, 2.6))
ax.plot(p1, log_likelihood, color=CLASS_COLORS[0])
ax.axvline(0.7, color="#777777", linestyle="--", linewidth=0.8)
ax.set_xlabel(r"$\hat y_1$")
ax.set_ylabel("log-likelihood")
ax.set_ylim(-20, -5)
ax.set_title("7 labels of class 1, 3 of class 2")
plt.show()
assert np.isclose(p1[np.argmax(log_likelihood)], 0.7)

# %% [markdown]
# The same result from a numerical optimiser, for three classes: SciPy's L-BFGS
# minimises the loss, with the gradient from `softmax_ce.cross_entropy_with_grad`.

# %%
# 5, 3 and 2 examples of the three classes
counts_labels = np.repeat([0, 1, 2], [5, 3, 2])
TIGHT = {"gtol": 1e-12, "ftol": 1e-15}  # stop options of L-BFGS-B


def bias_only_loss(bias):
    # (N, K): every example gets the same logits, the bias
    logits = np.broadcast_to(bias, (counts_labels.size, 3))
    loss, dlogits = softmax_ce.cross_entropy_with_grad(
        logits, counts_labels
    )
    # Chain rule: the bias feeds every row, so sum the rows.
    return loss, dlogits.sum(axis=0)


result = minimize(bias_only_loss, np.zeros(3), jac=True,
                  method="L-BFGS-B", options=TIGHT)
fitted = softmax_ce.softmax(result.x)
print("fitted probabilities:", fitted)
assert result.success
assert_allclose(fitted, [0.5, 0.3, 0.2], rtol=0, atol=1e-6)

# %% [markdown]
# The fitted $b$ itself is not unique: adding a constant to every $b_k$ gives the same
# probabilities (softmax depends only on differences, see
# [Properties of softmax](properties.py)). The probabilities are unique.
#
# ## A linear model fitted by maximum likelihood
#
# Now let the logits depend on the input, $z = Wx + b$. The loss has no closed-form
# minimiser, but it is convex in the logits
# ([derivation](derivations/hessian_convexity.py)), and the logits are linear in
# $(W, b)$, so it is convex in $(W, b)$ too, and a general-purpose optimiser finds the
# minimum. The gradients follow from the chain rule:
# $\partial L / \partial W = (\hat Y - Y)^{\top} X / N$ and
# $\partial L / \partial b = \mathbf{1}^{\top} (\hat Y - Y) / N$, where the rows of
# $\hat Y$ and $Y$ are the predictions and the one-hot targets.
#
# scikit-learn's `LogisticRegression` with `C=np.inf` (no penalty) fits the same
# multinomial model by maximum likelihood, with its own code. If both reach the
# maximum, they give the same probabilities.

# %%
def unpack(params):
    """Split the optimiser's flat vector into W (K, d) and b (K,)."""
    return params[: K * d].reshape(K, d), params[K * d :]


def linear_loss(params):
    W, b = unpack(params)
    # The mean loss over N; dlogits already carries the 1/N.
    loss, dlogits = softmax_ce.cross_entropy_with_grad(
        X @ W.T + b, labels
    )
    grad_W = dlogits.T @ X  # (K, d)
    grad_b = dlogits.sum(axis=0)  # (K,)
    return loss, np.concatenate([grad_W.ravel(), grad_b])


fit = minimize(linear_loss, np.zeros(K * d + K), jac=True,
               method="L-BFGS-B", options=TIGHT)
W_mle, b_mle = unpack(fit.x)
probs_mle = softmax_ce.softmax(X @ W_mle.T + b_mle)

reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
probs_sklearn = reference.fit(X, labels).predict_proba(X)
difference = np.abs(probs_mle - probs_sklearn).max()

print(f"loss at the maximum:        {fit.fun:.6f}")
print(f"largest difference from scikit-learn: {difference:.1e}")
assert fit.success
assert_allclose(probs_mle, probs_sklearn, rtol=0, atol=1e-6)

# %% [markdown]
# At the maximum the gradient is zero, and the bias part of that statement has a
# readable meaning: $\sum_n (\hat y_n - y_n) = 0$, so the predicted probabilities,
# averaged over the data set, equal the observed class frequencies.

# %%
mean_prediction = probs_mle.mean(axis=0)  # (K,)
frequencies = np.bincount(labels) / N  # (K,)
print("mean predicted probabilities:", mean_prediction)
print("observed class frequencies:  ", frequencies)
assert_allclose(mean_prediction, frequencies, rtol=0, atol=1e-6)

# %% [markdown]
# ## Maximum likelihood is not specific to softmax
#
# MLE is a general recipe: pick a probability model for the target given the input,
# then maximise the log-probability of the observed data. The model for the target
# decides which loss comes out:
#
# | model of the target | what MLE minimises |
# |---|---|
# | real $y$ with Gaussian noise, $y = w^{\top}x + b + \varepsilon$, $\varepsilon \sim \mathcal{N}(0, \sigma^2)$ (linear regression) | the squared error $\sum_n (y_n - w^{\top}x_n - b)^2$ |
# | binary $y$ with $P(y = 1 \mid x) = \sigma(w^{\top}x + b)$ (logistic regression) | the binary cross-entropy |
# | class $y$ with $P(y = k \mid x) = \operatorname{softmax}(Wx + b)_k$ (softmax regression) | the cross-entropy |
# | count $y$ with a Poisson rate $e^{w^{\top}x + b}$ (Poisson regression) | the Poisson negative log-likelihood |
#
# Softmax regression with $K = 2$ is logistic regression: only the difference of the
# two logits matters, and $\operatorname{softmax}((z_1, z_2))_1 = \sigma(z_1 - z_2)$.
#
# For classification, softmax is the common way to implement MLE, because it is an
# intuitive and convenient map from scores to a categorical distribution. It accepts
# any real scores, keeps their order, and is smooth. Paired with the cross-entropy
# loss, the gradient with respect to the logits is simply $\hat y - y$, and for a
# linear model the loss is convex.
#
# ## Next: cross-entropy
#
# The term $-\ln \hat y_{n, y_n}$ in the loss is the cross-entropy between the target
# distribution, which puts all its mass on the label $y_n$, and the prediction
# $\hat y_n$. [Cross-entropy loss](cross-entropy.py) takes it from there: soft targets,
# the link to the KL divergence, how to compute it without underflow, and the options
# that frameworks add.
#
# ## Summary
#
# - Softmax turns a network's scores into $P(y \mid x)$, a distribution over classes.
# - Training by maximum likelihood chooses the parameters under which the observed
#   labels are most probable. Its loss, the mean negative log-likelihood, is the
#   cross-entropy loss.
# - Without inputs, the maximum-likelihood prediction is the class frequencies. With a
#   bias term, the average prediction at the optimum still matches them.
# - MLE is a general framework: Gaussian noise gives least squares, a Bernoulli target
#   gives logistic regression, a categorical target with softmax gives softmax
#   regression.
#
# ## Exercises
#
# **1.** Show that for $K = 2$ the softmax cross-entropy of logits $(z_1, z_2)$ equals
# the binary cross-entropy of the single logit $z_1 - z_2$, with $y = 1$ meaning class 1.

# %% tags=["solution"]
from scipy.special import expit

pair_logits = rng.normal(scale=3.0, size=(500, 2))  # (N, 2)
# Label 0 means class 1, label 1 means class 2.
pair_labels = rng.integers(0, 2, size=500)  # (N,)
softmax_losses = softmax_ce.cross_entropy(
    pair_logits, pair_labels, reduction="none"
)

# Binary cross-entropy -[t ln s + (1 - t) ln(1 - s)] with
# s = sigmoid(z_1 - z_2), from SciPy's expit as the reference.
s = expit(pair_logits[:, 0] - pair_logits[:, 1])
t = (pair_labels == 0).astype(float)
binary_losses = -(t * np.log(s) + (1 - t) * np.log(1 - s))
assert_allclose(softmax_losses, binary_losses, rtol=1e-10)
gap = np.abs(softmax_losses - binary_losses).max()
print(f"largest difference: {gap:.1e}")

# %% [markdown]
# **2.** Linear regression: generate data $y = 2x - 1 + \varepsilon$ with Gaussian
# noise. Fit $(w, b, \sigma)$ by minimising the Gaussian negative log-likelihood with
# SciPy, and compare $(w, b)$ with the least-squares solution from `np.linalg.lstsq`.
# What is the maximum-likelihood $\sigma^2$?

# %% tags=["solution"]
x = rng.uniform(-2, 2, size=200)
y = 2 * x - 1 + rng.normal(scale=0.5, size=200)


def gaussian_nll(params):
    # Searching over log sigma keeps sigma positive.
    w, intercept, log_sigma = params
    residuals = y - (w * x + intercept)
    variance = np.exp(2 * log_sigma)
    terms = residuals**2 / variance + np.log(2 * np.pi * variance)
    return 0.5 * np.sum(terms)


mle_fit = minimize(gaussian_nll, np.zeros(3), method="BFGS",
                   options={"gtol": 1e-9})
design = np.stack([x, np.ones_like(x)], axis=-1)  # (N, 2)
least_squares, *_ = np.linalg.lstsq(design, y)
residuals = y - design @ least_squares

print("MLE (w, b):          ", mle_fit.x[:2])
print("least squares (w, b):", least_squares)
assert_allclose(mle_fit.x[:2], least_squares, rtol=1e-5)
# The maximum-likelihood variance is the mean squared residual,
# dividing by N (not by N - 2 as the unbiased estimate does).
mle_variance = np.exp(2 * mle_fit.x[2])
assert_allclose(mle_variance, np.mean(residuals**2), rtol=1e-5)

# %% [markdown]
# **3.** If the classes can be separated perfectly by a linear model, the maximum
# likelihood does not exist. Show it: take two separable clouds, a separating $W$, and
# compute the loss of $cW$ for growing $c$.

# %% tags=["solution"]
X_sep = np.concatenate([
    rng.normal(loc=-2, scale=0.5, size=(50, 2)),
    rng.normal(loc=2, scale=0.5, size=(50, 2)),
])  # (100, 2)
labels_sep = np.repeat([0, 1], 50)
# The second class wins exactly when x1 + x2 > 0.
W_sep = np.array([[-1.0, -1.0], [1.0, 1.0]])
logits_sep = X_sep @ W_sep.T  # (100, 2)
assert np.array_equal(logits_sep.argmax(axis=-1), labels_sep)

scales = [1, 2, 4, 8, 16]
losses = [
    softmax_ce.cross_entropy(c * logits_sep, labels_sep)
    for c in scales
]
for c, loss in zip(scales, losses):
    print(f"c = {c:2d}: loss {loss:.3e}")
# Every correct example gets more probable as c grows, so the loss keeps falling
# towards 0 and no finite weights reach the infimum.
assert np.all(np.diff(losses) < 0)
assert losses[-1] < 1e-10
