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
# the log-likelihood instead; flipping the sign and dividing by $N$ gives a loss to
# minimise:
#
# $$
# L(\theta) = -\frac{1}{N} \sum_{n=1}^{N} \ln \hat y_{n, y_n}.
# $$
#
# This negative log-likelihood is the mean **cross-entropy loss** with one-hot targets
# ([derivation](derivations/maximum_likelihood.py)). The check below builds a small
# data set of three overlapping clouds of points, computes $-\ln \hat y_{n,y_n}$ by
# hand for some weights, and compares it with `softmax_ce.cross_entropy`. It also shows
# why the logarithm is needed: for 600 examples the plain product is already near the
# smallest float64, and for the same examples repeated five times it underflows to 0,
# while the log-likelihood simply grows five-fold.

# %%
N_PER_CLASS, K, d = 200, 3, 2
centres = np.array([[0.0, 1.2], [-1.0, -0.6], [1.0, -0.6]])  # (K, d)
X = np.concatenate([rng.normal(loc=c, scale=0.9, size=(N_PER_CLASS, d)) for c in centres])
labels = np.repeat(np.arange(K), N_PER_CLASS)  # (N,)
N = labels.size

W = rng.normal(size=(K, d))  # some weights, not trained yet
b = np.zeros(K)
logits = X @ W.T + b  # (N, K)
probs = softmax_ce.softmax(logits)

label_probs = probs[np.arange(N), labels]  # (N,), the probability of each observed label
likelihood = np.prod(label_probs)
nll_by_hand = -np.log(label_probs).sum()
nll_library = softmax_ce.cross_entropy(logits, labels, reduction="sum")
print(f"likelihood as a plain product:   {likelihood:.3e}")
print(f"negative log-likelihood:         {nll_by_hand:.6f}")
print(f"cross_entropy(reduction='sum'):  {nll_library:.6f}")
assert_allclose(nll_library, nll_by_hand, rtol=1e-12)

repeated = np.tile(label_probs, 5)  # the data set five times over
print(f"product over 5 copies:           {np.prod(repeated)}")
print(f"log-likelihood over 5 copies:    {np.log(repeated).sum():.6f}")
assert np.prod(repeated) == 0.0
assert_allclose(-np.log(repeated).sum(), 5 * nll_by_hand, rtol=1e-12)

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
# frequencies. The figure shows the log-likelihood for two classes seen 7 and 3 times.
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
plt.show()
assert np.isclose(p1[np.argmax(log_likelihood)], 0.7)

# %% [markdown]
# The same result from a numerical optimiser, for three classes: SciPy's L-BFGS
# minimises the loss, with the gradient from `softmax_ce.cross_entropy_with_grad`.

# %%
counts_labels = np.repeat([0, 1, 2], [5, 3, 2])  # 5, 3 and 2 examples of each class


def bias_only_loss(bias):
    logits = np.broadcast_to(bias, (counts_labels.size, 3))  # (N, K), same row everywhere
    loss, dlogits = softmax_ce.cross_entropy_with_grad(logits, counts_labels)
    return loss, dlogits.sum(axis=0)  # chain rule: each row's logits are the bias


result = minimize(bias_only_loss, np.zeros(3), jac=True, method="L-BFGS-B",
                  options={"gtol": 1e-12, "ftol": 1e-15})
print("fitted probabilities:", softmax_ce.softmax(result.x))
assert result.success
assert_allclose(softmax_ce.softmax(result.x), [0.5, 0.3, 0.2], rtol=0, atol=1e-6)

# %% [markdown]
# The fitted $b$ itself is not unique: adding a constant to every $b_k$ gives the same
# probabilities (softmax depends only on differences, see
# [Properties of softmax](properties.py)). The probabilities are unique.
#
# ## A linear model fitted by maximum likelihood
#
# Now let the logits depend on the input, $z = Wx + b$. The loss has no closed-form
# minimiser, but it is convex in $(W, b)$
# ([derivation](derivations/hessian_convexity.py)), so a general-purpose optimiser
# finds the minimum. The gradients follow from the chain rule:
# $\partial L / \partial W = (\hat Y - Y)^{\top} X / N$ and
# $\partial L / \partial b = \mathbf{1}^{\top} (\hat Y - Y) / N$, where the rows of
# $\hat Y$ and $Y$ are the predictions and the one-hot targets.
#
# scikit-learn's `LogisticRegression` with `C=np.inf` (no penalty) fits the same
# multinomial model by maximum likelihood, with its own code. If both reach the
# maximum, they give the same probabilities.

# %%
def linear_loss(params):
    W = params[: K * d].reshape(K, d)
    b = params[K * d :]
    loss, dlogits = softmax_ce.cross_entropy_with_grad(X @ W.T + b, labels)  # mean over N
    grad_W = dlogits.T @ X  # (K, d); dlogits already carries the 1/N of the mean
    grad_b = dlogits.sum(axis=0)  # (K,)
    return loss, np.concatenate([grad_W.ravel(), grad_b])


fit = minimize(linear_loss, np.zeros(K * d + K), jac=True, method="L-BFGS-B",
               options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 1000})
W_mle, b_mle = fit.x[: K * d].reshape(K, d), fit.x[K * d :]
probs_mle = softmax_ce.softmax(X @ W_mle.T + b_mle)

reference = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, labels)
probs_sklearn = reference.predict_proba(X)

print(f"loss at the maximum-likelihood weights: {fit.fun:.6f}")
print(f"largest difference from scikit-learn:   {np.abs(probs_mle - probs_sklearn).max():.1e}")
assert fit.success
assert_allclose(probs_mle, probs_sklearn, rtol=0, atol=1e-6)

# %% [markdown]
# At the maximum the gradient is zero, and the bias part of that statement has a
# readable meaning: $\sum_n (\hat y_n - y_n) = 0$, so the predicted probabilities,
# averaged over the data set, equal the observed class frequencies.

# %%
print("mean predicted probabilities:", probs_mle.mean(axis=0))
print("observed class frequencies:  ", np.bincount(labels) / N)
assert_allclose(probs_mle.mean(axis=0), np.bincount(labels) / N, rtol=0, atol=1e-6)

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
pair_labels = rng.integers(0, 2, size=500)  # 0 means class 1, 1 means class 2
softmax_losses = softmax_ce.cross_entropy(pair_logits, pair_labels, reduction="none")

# Binary cross-entropy -[t ln s + (1 - t) ln(1 - s)] with s = sigmoid(z_1 - z_2),
# computed with SciPy's expit as an independent reference.
s = expit(pair_logits[:, 0] - pair_logits[:, 1])
t = (pair_labels == 0).astype(float)
binary_losses = -(t * np.log(s) + (1 - t) * np.log(1 - s))
assert_allclose(softmax_losses, binary_losses, rtol=1e-10)
print("largest difference:", np.abs(softmax_losses - binary_losses).max())

# %% [markdown]
# **2.** Linear regression: generate data $y = 2x - 1 + \varepsilon$ with Gaussian
# noise. Fit $(w, b, \sigma)$ by minimising the Gaussian negative log-likelihood with
# SciPy, and compare $(w, b)$ with the least-squares solution from `np.linalg.lstsq`.
# What is the maximum-likelihood $\sigma^2$?

# %% tags=["solution"]
x = rng.uniform(-2, 2, size=200)
y = 2 * x - 1 + rng.normal(scale=0.5, size=200)


def gaussian_nll(params):
    w, b_, log_sigma = params  # log sigma keeps sigma positive during the search
    residuals = y - (w * x + b_)
    sigma2 = np.exp(2 * log_sigma)
    return 0.5 * np.sum(residuals**2 / sigma2 + np.log(2 * np.pi * sigma2))


mle_fit = minimize(gaussian_nll, np.zeros(3), method="BFGS", options={"gtol": 1e-9})
design = np.stack([x, np.ones_like(x)], axis=-1)  # (N, 2)
(w_ls, b_ls), *_ = np.linalg.lstsq(design, y)
residual_variance = np.mean((y - design @ np.array([w_ls, b_ls])) ** 2)

print("MLE (w, b):          ", mle_fit.x[:2])
print("least squares (w, b):", np.array([w_ls, b_ls]))
assert_allclose(mle_fit.x[:2], [w_ls, b_ls], rtol=1e-5)
# The maximum-likelihood variance is the mean squared residual (dividing by N, not N - 2).
assert_allclose(np.exp(2 * mle_fit.x[2]), residual_variance, rtol=1e-5)

# %% [markdown]
# **3.** If the classes can be separated perfectly by a linear model, the maximum
# likelihood does not exist. Show it: take two separable clouds, a separating $W$, and
# compute the loss of $cW$ for growing $c$.

# %% tags=["solution"]
X_sep = np.concatenate([rng.normal(loc=-2, scale=0.5, size=(50, 2)),
                        rng.normal(loc=2, scale=0.5, size=(50, 2))])
labels_sep = np.repeat([0, 1], 50)
W_sep = np.array([[-1.0, -1.0], [1.0, 1.0]])  # class 1 wins exactly when x1 + x2 > 0
assert np.array_equal((X_sep @ W_sep.T).argmax(axis=-1), labels_sep)

scales = [1, 2, 4, 8, 16]
losses = [softmax_ce.cross_entropy(c * X_sep @ W_sep.T, labels_sep) for c in scales]
for c, loss in zip(scales, losses):
    print(f"c = {c:2d}: loss {loss:.3e}")
# Every correct example gets more probable as c grows, so the loss keeps falling
# towards 0 and no finite weights reach the infimum.
assert np.all(np.diff(losses) < 0)
assert losses[-1] < 1e-10
