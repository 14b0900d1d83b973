# %% [markdown]
# # Cross-entropy loss
#
# [What softmax really does](mle.py) ended with a loss: the mean of
# $-\ln \hat y_{n, y_n}$ over the training set. This page treats that loss on its own:
# what it measures, how it relates to entropy and the KL divergence, how to compute it
# without overflow or underflow, its gradient, and the options that deep-learning
# frameworks add to it. `softmax_ce.cross_entropy` follows the semantics of PyTorch's
# `torch.nn.functional.cross_entropy`, and every example below ran when the site was
# built.

# %%
import mpmath
import numpy as np
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from scipy.special import logsumexp as scipy_logsumexp
from scipy.stats import entropy

from softmax_ce import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    log_softmax,
    softmax,
)

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(3)

# %% [markdown]
# ## Definition
#
# The **cross-entropy** of a predicted distribution $p$ relative to a target
# distribution $y$ over the same $K$ classes is
#
# $$
# H(y, p) = -\sum_{k=1}^{K} y_k \ln p_k .
# $$
#
# With the natural logarithm it is measured in nats. A classifier's loss for one
# example is $H(y, \hat y)$ with $\hat y = \operatorname{softmax}(z)$, and the batch loss
# averages it over the $N$ examples.
#
# - **One-hot target.** When the label is the class $c$, the target $y$ is the one-hot
#   vector $e_c$ and the sum keeps a single term: $L = -\ln \hat y_c$. The loss is 0
#   when the model gives class $c$ probability 1, and grows without bound as that
#   probability goes to 0. Frameworks take the integer label $c$ instead of the
#   one-hot row.
# - **Soft targets.** $y$ can be any distribution: averaged labels from several
#   annotators, the output of a teacher model in knowledge distillation, or a smoothed
#   label (see below). `softmax_ce.cross_entropy` accepts either integer labels of
#   shape $(N,)$ or probability rows of shape $(N, K)$.

# %%
logits = np.array([[2.0, 0.5, -1.0], [0.0, 0.3, 0.1]])  # (N, K)
labels = np.array([0, 2])  # (N,)
one_hot = np.eye(3)[labels]  # (N, K)

probs = softmax(logits)
label_probs = probs[np.arange(2), labels]  # (N,)
per_example = cross_entropy(logits, labels, reduction="none")
print("probabilities:\n", probs)
print("loss per example:", per_example)
print("-ln p[label]:    ", -np.log(label_probs))

assert_allclose(per_example, -np.log(label_probs), rtol=1e-14)
from_one_hot = cross_entropy(logits, one_hot, reduction="none")
assert_allclose(from_one_hot, per_example, rtol=1e-14)

# %% [markdown]
# A useful reference point: a model without information that predicts the uniform
# distribution $1/K$ has loss $\ln K$, whatever the label. A freshly initialised
# classifier with small logits starts near this value, about 2.30 for $K = 10$.

# %%
for K in (2, 10, 1000):
    uniform_loss = cross_entropy(np.zeros((1, K)), np.array([0]))
    print(f"K = {K:4d}: loss {uniform_loss:.4f}, ln K {np.log(K):.4f}")
    assert np.isclose(uniform_loss, np.log(K), rtol=1e-14, atol=0)

# %% [markdown]
# ## Entropy and KL divergence
#
# Cross-entropy splits into two familiar quantities. Write
# $\ln p_k = \ln y_k - \ln (y_k / p_k)$ inside the sum:
#
# $$
# H(y, p)
# = \underbrace{-\sum_{k} y_k \ln y_k}_{H(y)}
# + \underbrace{\sum_{k} y_k \ln \frac{y_k}{p_k}}_{\operatorname{KL}(y \,\|\, p)} .
# $$
#
# - The entropy $H(y)$ depends only on the target. It is 0 for a one-hot target, so
#   with hard labels cross-entropy *is* the KL divergence.
# - The KL divergence is never negative and is 0 only when $p = y$ (Gibbs'
#   inequality, [derivation](derivations/maximum_likelihood.py)). So over all predictions $p$, the cross-entropy is smallest at
#   $p = y$, and its minimum is $H(y)$, not 0, when the target is soft.
#
# Training with cross-entropy therefore pulls the prediction towards the target
# distribution. The check computes the entropy and the KL divergence with SciPy
# (`scipy.stats.entropy`), independently of `softmax_ce`.

# %%
# (N, K) = (5, 4), each row a random distribution
soft_targets = rng.dirichlet(np.ones(4), size=5)
soft_logits = rng.normal(size=(5, 4))
soft_probs = softmax(soft_logits)

ce = cross_entropy(soft_logits, soft_targets, reduction="none")
target_entropy = entropy(soft_targets, axis=-1)  # H(y)
kl = entropy(soft_targets, soft_probs, axis=-1)  # KL(y || p)
print("H(y, p):          ", ce)
print("H(y) + KL(y || p):", target_entropy + kl)
assert_allclose(ce, target_entropy + kl, rtol=1e-12)
assert np.all(kl > 0)

# With p = y the KL term vanishes: softmax(ln y) is y itself.
at_target = cross_entropy(
    np.log(soft_targets), soft_targets, reduction="none"
)
assert_allclose(at_target, target_entropy, rtol=1e-12)

# %% [markdown]
# ## The fused form: compute from logits
#
# With $\hat y = \operatorname{softmax}(z)$ the logarithm undoes the exponential:
#
# $$
# \ln \hat y_k = z_k - \operatorname{LSE}(z),
# \qquad
# \operatorname{LSE}(z) = \ln \sum_{j=1}^{K} e^{z_j} ,
# $$
#
# the **log-softmax**. Because the target sums to 1, the loss needs only the logits:
#
# $$
# H(y, \hat y) = \operatorname{LSE}(z) - \sum_{k} y_k z_k ,
# \qquad\text{and for a label } c:\quad
# L = \operatorname{LSE}(z) - z_c .
# $$
#
# LSE is computed stably by shifting with the maximum,
# $\operatorname{LSE}(z) = m + \ln \sum_j e^{z_j - m}$ with $m = \max_j z_j$
# ([derivation](derivations/shift_invariance_logsumexp.py)). Every term of the sum is
# at most 1 and one of them equals 1, so nothing overflows and the logarithm never
# receives 0.
#
# ### Why not take the log of the softmax?
#
# Computing the probabilities first and then their logarithm loses the information
# the loss needs. A wrong prediction that is very confident has a tiny probability on
# the correct class, and once that probability underflows to 0, its logarithm is
# $-\infty$ and the loss is `inf`. In float64 this happens when the correct class
# trails the best class by about 745; in float32, the usual training precision, by
# about 104. The fused form never forms the tiny probability and returns the exact
# loss, about the size of the logit gap.

# %%
# The model is sure of class 1, but the label is class 0.
confident_wrong = np.array([[0.0, 800.0]])
label = np.array([0])

with np.errstate(divide="ignore"):
    log_of_softmax = np.log(softmax(confident_wrong))
fused = cross_entropy(confident_wrong, label)
print("softmax:      ", softmax(confident_wrong))
print("log(softmax): ", log_of_softmax)
print("log_softmax:  ", log_softmax(confident_wrong))
print("cross_entropy:", fused)

# Reference: LSE(0, 800) - 0 = 800 + ln(1 + e^-800), from
# mpmath at 50 digits.
with mpmath.workdps(50):
    exact = float(800 + mpmath.log1p(mpmath.exp(-800)))
assert np.isneginf(log_of_softmax[0, 0])
assert np.all(np.isfinite(log_softmax(confident_wrong)))
assert_allclose(fused, exact, rtol=1e-15)

# %% [markdown]
# The same happens to the gradient. The derivative of $-\ln p_c$ with respect to $p_c$
# is $-1/p_c$, which is infinite once $p_c$ underflows. The fused form has the
# finite gradient given next.
#
# ## Gradient: prediction minus target
#
# Differentiating $\operatorname{LSE}(z) - \sum_k y_k z_k$ with respect to $z_j$ gives
# $\hat y_j - y_j$, because $\partial \operatorname{LSE} / \partial z_j = \hat y_j$
# ([derivation](derivations/cross_entropy_gradient.py)):
#
# $$
# \frac{\partial L}{\partial z} = \hat y - y .
# $$
#
# The gradient is bounded: every entry lies in $[-1, 1]$, however wrong the model is.
# Each row sums to 0, because both $\hat y$ and $y$ sum to 1. With the mean over a
# batch of $N$ examples, each row is divided by $N$. The check compares
# `softmax_ce.cross_entropy_grad` with this formula and with central finite differences
# of the loss.

# %%
batch_logits = rng.normal(scale=2.0, size=(4, 5))  # (N, K)
batch_labels = rng.integers(0, 5, size=4)  # (N,)
grad = cross_entropy_grad(batch_logits, batch_labels)  # of the mean

one_hot_batch = np.eye(5)[batch_labels]
formula = (softmax(batch_logits) - one_hot_batch) / 4

step = 1e-6
finite_differences = np.zeros_like(batch_logits)
for index in np.ndindex(batch_logits.shape):
    bump = np.zeros_like(batch_logits)
    bump[index] = step
    above = cross_entropy(batch_logits + bump, batch_labels)
    below = cross_entropy(batch_logits - bump, batch_labels)
    finite_differences[index] = (above - below) / (2 * step)

print(grad)
assert_allclose(grad, formula, rtol=1e-12, atol=1e-15)
assert_allclose(grad, finite_differences, rtol=0, atol=1e-9)
row_sums = grad.sum(axis=-1)
assert_allclose(row_sums, np.zeros(4), rtol=0, atol=1e-15)

# The confident wrong prediction from above: a finite gradient.
wrong_grad = cross_entropy_grad(confident_wrong, label)
print("gradient for the confident wrong prediction:", wrong_grad)
assert_allclose(wrong_grad, [[-1.0, 1.0]])

# %% [markdown]
# ## Label smoothing
#
# With a one-hot target, the loss keeps falling as the correct logit moves away from
# the others, so a model that fits its training set keeps growing its logits. **Label
# smoothing** mixes the target with the uniform distribution,
#
# $$
# y^{\varepsilon} = (1 - \varepsilon)\, y + \frac{\varepsilon}{K}\,\mathbf{1},
# $$
#
# for a small $\varepsilon$ such as 0.1. The best prediction is now $y^{\varepsilon}$
# itself, which needs only finite logits. The gradient becomes
# $\hat y - y^{\varepsilon}$ ([derivation](derivations/label_smoothing_class_weights.py)).
# The option `label_smoothing=ε` applies this to integer labels and to probability
# rows.

# %%
epsilon = 0.1
smoothed_targets = (1 - epsilon) * one_hot + epsilon / 3  # (N, K)
with_option = cross_entropy(
    logits, labels, label_smoothing=epsilon, reduction="none"
)
# Reference: H(y_eps, p) = LSE(z) - sum_k y_eps_k z_k, with
# SciPy's logsumexp.
lse = scipy_logsumexp(logits, axis=-1)
by_hand = lse - (smoothed_targets * logits).sum(axis=-1)
print("label_smoothing=0.1:", with_option)
print("smoothed targets:   ", by_hand)
assert_allclose(with_option, by_hand, rtol=1e-13)

# %% [markdown]
# ## Class weights
#
# With imbalanced classes, a weight $w_k \ge 0$ per class scales the loss of every
# example of that class: the loss of example $n$ becomes
# $w_{y_n} \cdot (-\ln \hat y_{n, y_n})$. For integer labels, PyTorch's `mean` then
# divides by the total weight $\sum_n w_{y_n}$ rather than by $N$, which makes it a
# weighted average: scaling all weights by the same factor leaves the mean loss
# unchanged. For probability targets the loss of example $n$ is
# $-\sum_k w_k\, y_{n,k} \ln \hat y_{n,k}$, and `mean` divides by $N$.

# %%
weights = np.array([1.0, 2.0, 5.0])  # (K,)
many_logits = rng.normal(size=(6, 3))  # (N, K)
many_labels = np.array([0, 0, 1, 2, 2, 1])  # (N,)

weighted_mean = cross_entropy(many_logits, many_labels, weight=weights)
# (N,) unweighted losses and the weight of each example
unweighted = -log_softmax(many_logits)[np.arange(6), many_labels]
example_weights = weights[many_labels]
expected = (example_weights * unweighted).sum() / example_weights.sum()
print(f"weighted mean loss:        {weighted_mean:.6f}")
print(f"weighted average, by hand: {expected:.6f}")
assert_allclose(weighted_mean, expected, rtol=1e-14)

scaled = cross_entropy(many_logits, many_labels, weight=10 * weights)
assert_allclose(scaled, weighted_mean, rtol=1e-14)

# %% [markdown]
# ## Reductions and ignored labels
#
# The option `reduction` sets what happens to the $N$ per-example losses:
#
# - `"none"` returns them as an array of shape $(N,)$;
# - `"sum"` adds them;
# - `"mean"` (the default) averages them, with the weighted denominator above when
#   class weights are given.
#
# For integer labels, every example whose label equals `ignore_index` (default $-100$)
# is skipped. Its loss is 0, its gradient row is 0, and it does not count in the
# denominator of the mean. Sequence models use this for padding positions. As in
# PyTorch, `ignore_index` has no effect on probability targets.

# %%
padded_labels = np.array([0, 0, -100, 2, -100, 1])
kept = padded_labels != -100


def loss_with(reduction):
    return cross_entropy(
        many_logits, padded_labels, reduction=reduction
    )


print("reduction='none':", loss_with("none"))
print("reduction='sum': ", loss_with("sum"))
print("reduction='mean':", loss_with("mean"))

assert np.all(loss_with("none")[~kept] == 0)
assert_allclose(loss_with("none")[kept], unweighted[kept], rtol=1e-14)
assert_allclose(loss_with("mean"), unweighted[kept].mean(), rtol=1e-14)
padded_grad = cross_entropy_grad(many_logits, padded_labels)
assert np.all(padded_grad[~kept] == 0)

# %% [markdown]
# ## Summary
#
# - Cross-entropy $H(y, p) = -\sum_k y_k \ln p_k$ compares a target distribution with
#   a prediction. For a label $c$ it is $-\ln \hat y_c$; soft targets are allowed.
# - $H(y, p) = H(y) + \operatorname{KL}(y \,\|\, p)$, so the loss is smallest when the
#   prediction equals the target. A uniform prediction costs $\ln K$.
# - Compute it from the logits as $\operatorname{LSE}(z) - \sum_k y_k z_k$, never as
#   the log of computed probabilities, which underflows to $-\infty$.
# - Its gradient with respect to the logits is $\hat y - y$: bounded, and each row sums
#   to 0.
# - Label smoothing replaces $y$ by $(1 - \varepsilon) y + \varepsilon / K$. Class
#   weights turn the mean into a weighted average. `reduction` and `ignore_index` behave
#   as in PyTorch.
#
# ## Exercises
#
# **1.** Gibbs' inequality: check on 1000 random pairs of distributions $(y, p)$ that
# $H(y, p) \ge H(y)$, with equality when $p = y$.

# %% tags=["solution"]
ys = rng.dirichlet(np.ones(5), size=1000)  # (1000, 5)
ps = rng.dirichlet(np.ones(5), size=1000)
cross = -(ys * np.log(ps)).sum(axis=-1)
own = -(ys * np.log(ys)).sum(axis=-1)
print("smallest H(y, p) - H(y):", (cross - own).min())
assert np.all(cross >= own)

# Equality at p = y: the logits ln(y) give softmax(ln y) = y.
at_y = cross_entropy(np.log(ys), ys, reduction="none")
assert_allclose(at_y, own, rtol=1e-12)

# %% [markdown]
# **2.** With label smoothing $\varepsilon$, a label $c$ and $K$ classes, find the
# logits that minimise the loss. Show that at the optimum the gap between the correct
# logit and each other logit is $\ln\big((1 - \varepsilon + \varepsilon/K) / (\varepsilon/K)\big)$.

# %% tags=["solution"]
K, epsilon, c = 4, 0.1, 2


def smoothed_loss(z):
    loss, dlogits = cross_entropy_with_grad(
        z[None, :], np.array([c]), label_smoothing=epsilon
    )
    return loss, dlogits[0]


best = minimize(smoothed_loss, np.zeros(K), jac=True,
                method="L-BFGS-B",
                options={"gtol": 1e-12, "ftol": 1e-15})
gaps = best.x[c] - np.delete(best.x, c)
predicted_gap = np.log((1 - epsilon + epsilon / K) / (epsilon / K))
print("optimal logits:", best.x)
print("gaps:", gaps, " predicted:", predicted_gap)
assert best.success
assert_allclose(gaps, predicted_gap, rtol=1e-5)

# At the optimum the prediction equals the smoothed target.
target = np.full(K, epsilon / K)
target[c] += 1 - epsilon
assert_allclose(softmax(best.x), target, rtol=1e-5)

# %% [markdown]
# **3.** Without label smoothing, the same minimisation has no solution. Show that the
# loss of the logits $(t, 0, 0, 0)$ for label 0 keeps falling as $t$ grows, and that the
# gradient never becomes exactly zero for finite $t$.

# %% tags=["solution"]
ts = np.array([1.0, 5.0, 10.0, 20.0, 30.0])
label_0 = np.array([0])
hard_losses, grads = [], []
for t in ts:
    z = np.array([[t, 0.0, 0.0, 0.0]])
    hard_losses.append(cross_entropy(z, label_0))
    grads.append(cross_entropy_grad(z, label_0)[0, 0])
print("losses:", np.array(hard_losses))
assert np.all(np.diff(hard_losses) < 0)

# The correct class's gradient entry is p_0 - 1 = -3 / (e^t + 3),
# negative for every finite t.
assert_allclose(grads, -3 / (np.exp(ts) + 3), rtol=1e-10)
assert np.all(np.array(grads) < 0)
