# %% [markdown]
# # Softmax
#
# A classifier that chooses among $K$ classes ends in $K$ real numbers, one per class.
# These raw, unnormalised scores are the **logits** $z = (z_1, \dots, z_K)$. A logit can
# be negative or larger than 1, and the logits need not add up to anything in
# particular. A larger logit means the model favours that class more, but a logit is not
# a probability.
#
# **Softmax** turns the logits into a probability distribution over the classes:
#
# $$
# p_i = \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}},
# \qquad i = 1, \dots, K.
# $$
#
# The exponential makes every entry positive, and dividing by the sum makes the entries
# add up to 1. The output $p = \hat y$ is the model's predicted distribution over the
# $K$ classes. The code on this page ran when the site was built, and its `assert`
# lines check each claim, so a wrong claim fails the build.

# %%
import mpmath
import numpy as np
from numpy.testing import assert_allclose

import softmax_ce

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# Here is the formula typed as it reads, for one example with $K = 3$ classes:

# %%
logits = np.array([2.0, 1.0, -1.0])  # (K,)

exps = np.exp(logits)
probs = exps / exps.sum()
print("logits:       ", logits)
print("probabilities:", probs)
print("sum:          ", probs.sum())

assert np.all(probs > 0)
assert np.isclose(probs.sum(), 1.0, rtol=0, atol=1e-15)

# %% [markdown]
# ## The predicted class
#
# The classifier predicts the class with the highest probability. Because $e^{x}$ is
# increasing and every entry shares the same denominator, the highest probability
# belongs to the highest logit:
#
# $$
# \arg\max_i \, p_i = \arg\max_i \, z_i .
# $$
#
# So softmax is not needed to *make* a prediction. It is needed to say how sure the model
# is, and to train it (see [What softmax really does](mle.py)).

# %%
assert np.argmax(probs) == np.argmax(logits)
print("predicted class:", np.argmax(probs))

# %% [markdown]
# ## Many examples at once
#
# In practice the logits of a batch of $N$ examples form an array of shape $(N, K)$,
# one row per example. Throughout this site the classes sit on the last axis, and
# `softmax_ce.softmax` normalises each row.

# %%
rng = np.random.default_rng(0)
batch_logits = rng.normal(scale=3.0, size=(4, 3))  # (N, K)
batch_probs = softmax_ce.softmax(batch_logits)  # (N, K)
print(batch_probs)
print("row sums:", batch_probs.sum(axis=-1))

row_sums = batch_probs.sum(axis=-1)
assert_allclose(row_sums, np.ones(4), rtol=0, atol=1e-15)
assert np.array_equal(
    batch_probs.argmax(axis=-1), batch_logits.argmax(axis=-1)
)

# %% [markdown]
# ## Why the maximum is subtracted first
#
# The formula above is correct mathematically but breaks in floating point. The largest
# float64 is about $1.8 \times 10^{308}$, so $e^{x}$ overflows to `inf` as soon as
# $x > \ln(1.8 \times 10^{308}) \approx 709.78$. Logits of a few hundred are unusual
# for a well-trained model but common in a model that diverges, or after dividing by a
# small temperature. Once a numerator and the denominator are both `inf`, their ratio
# is `nan`:

# %%
large_logits = np.array([1000.0, 999.0, 998.0])

# The naive formula overflows here on purpose. The warnings are
# silenced so that the page shows the result instead.
with np.errstate(over="ignore", invalid="ignore"):
    naive_exps = np.exp(large_logits)
    naive = naive_exps / naive_exps.sum()

print("exp(logits):  ", naive_exps)
print("naive softmax:", naive)
assert np.all(np.isinf(naive_exps))
assert np.all(np.isnan(naive))

# %% [markdown]
# Very negative logits fail the other way: every $e^{z_j}$ underflows to 0, and the
# formula computes $0 / 0$.

# %%
small_logits = np.array([-1000.0, -1001.0, -1002.0])
with np.errstate(invalid="ignore"):
    small_exps = np.exp(small_logits)
    naive_small = small_exps / small_exps.sum()
print("naive softmax:", naive_small)
assert np.all(np.isnan(naive_small))

# %% [markdown]
# The fix uses a property shown on the next page: adding the same constant to every
# logit does not change the softmax
# ([derivation](derivations/shift_invariance_logsumexp.py)). Multiply the numerator and
# the denominator by $e^{-m}$, with $m = \max_j z_j$:
#
# $$
# p_i = \frac{e^{z_i - m}}{\sum_{j=1}^{K} e^{z_j - m}} .
# $$
#
# Now every exponent is at most 0, so no term overflows. The largest term is
# $e^{0} = 1$, so the denominator is at least 1 and the division never computes
# $0 / 0$. A term can still underflow to 0, but only when its true value is already
# below the smallest positive float64, so 0 is the correctly rounded result.
# `softmax_ce.softmax` computes this shifted form. Below it is compared with the exact
# values, which mpmath computes at 50 significant digits straight from the unshifted
# formula.

# %%
def softmax_mpmath(values, digits=50):
    """Evaluate the unshifted formula at `digits` digits."""
    with mpmath.workdps(digits):
        exps = [mpmath.exp(mpmath.mpf(float(v))) for v in values]
        total = mpmath.fsum(exps)
        return np.array([float(e / total) for e in exps])


for case in (large_logits, small_logits):
    stable = softmax_ce.softmax(case)
    exact = softmax_mpmath(case)
    print(f"logits {case}\n  softmax {stable}\n  exact   {exact}")
    assert np.all(np.isfinite(stable))
    assert_allclose(stable, exact, rtol=1e-14, atol=0)

# %% [markdown]
# Both cases give the same probabilities as the small example $(0, -1, -2)$, because
# they differ from it only by a shift.
#
# ## How softmax responds to its logits
#
# Raising one logit raises its own probability and lowers all the others, since they
# share the denominator. The derivative gives the rate:
#
# $$
# \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j),
# \qquad
# J = \operatorname{diag}(p) - p\,p^{\top},
# $$
#
# where $\delta_{ij}$ is 1 when $i = j$ and 0 otherwise
# ([derivation](derivations/softmax_jacobian.py)). Each column of $J$ sums to 0,
# because the probabilities always sum to 1 and so their total cannot change. The check
# below compares `softmax_ce.softmax_jacobian` with this formula and with central
# finite differences.

# %%
# (K, K), entry [i, j] is dp_i / dz_j
jacobian = softmax_ce.softmax_jacobian(logits)
formula = np.diag(probs) - np.outer(probs, probs)

step = 1e-6
finite_differences = np.empty((3, 3))
for j in range(3):
    bump = np.zeros(3)
    bump[j] = step
    above = softmax_ce.softmax(logits + bump)
    below = softmax_ce.softmax(logits - bump)
    finite_differences[:, j] = (above - below) / (2 * step)

print(jacobian)
assert_allclose(jacobian, formula, rtol=1e-12, atol=1e-15)
assert_allclose(jacobian, finite_differences, rtol=0, atol=1e-9)
column_sums = jacobian.sum(axis=0)
assert_allclose(column_sums, np.zeros(3), rtol=0, atol=1e-15)

# %% [markdown]
# ## Summary
#
# - Logits are a classifier's raw scores, one per class. Softmax exponentiates them and
#   divides by the total, which gives a probability distribution.
# - The predicted class is the one with the highest probability, which is always the
#   one with the highest logit.
# - The formula as written overflows for logits above about 709.78 in float64, and
#   computes $0/0$ when all logits are very negative. Subtracting the maximum logit first
#   changes nothing mathematically and avoids both.
# - The Jacobian of softmax is $\operatorname{diag}(p) - p p^{\top}$.
#
# ## Exercises
#
# Each solution below is code that ran when the site was built. Click a solution to
# open it.
#
# **1.** Show that for two classes, softmax is the logistic sigmoid: the first entry of
# $\operatorname{softmax}((a, 0))$ is $\sigma(a) = 1 / (1 + e^{-a})$. What is
# $\operatorname{softmax}((z_1, z_2))_1$ in terms of $z_1 - z_2$? (The symbolic proof is
# on the [derivation page for the properties of softmax](derivations/softmax_properties.py).)

# %% tags=["solution"]
# SciPy's logistic sigmoid is the independent reference.
from scipy.special import expit

# e^a / (e^a + e^0): dividing top and bottom by e^a gives
# 1 / (1 + e^-a). With two logits, shifting by z_2 turns
# (z_1, z_2) into (z_1 - z_2, 0), so the first probability
# is sigmoid(z_1 - z_2).
a = np.linspace(-30.0, 30.0, 121)
pairs = np.stack([a, np.zeros_like(a)], axis=-1)  # (121, 2)
first = softmax_ce.softmax(pairs)[:, 0]
assert_allclose(first, expit(a), rtol=1e-13, atol=0)

z1, z2 = 4.5, 1.25
pair = softmax_ce.softmax(np.array([z1, z2]))
assert_allclose(pair[0], expit(z1 - z2), rtol=1e-14)
print(f"softmax((a, 0))[0] = sigmoid(a) at {a.size} points")

# %% [markdown]
# **2.** Find the largest logit for which the naive formula still works in float64,
# and the same for float32. Check your answer on both sides of the limit.

# %% tags=["solution"]
for dtype in (np.float64, np.float32):
    # exp overflows above this value
    limit = np.log(np.finfo(dtype).max)
    below = np.array([limit * 0.999, 0.0], dtype=dtype)
    above = np.array([limit * 1.001, 0.0], dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        naive_below = np.exp(below) / np.exp(below).sum()
        naive_above = np.exp(above) / np.exp(above).sum()
    print(f"{dtype.__name__}: exp overflows above {limit:.2f}")
    print("   just below:", naive_below)
    print("   just above:", naive_above)
    assert np.all(np.isfinite(naive_below))
    assert np.isnan(naive_above[0])

# %% [markdown]
# **3.** Write a stable softmax for an array of shape $(N, K)$ with the classes on the
# last axis. Compare it with `softmax_ce.softmax` on logits of size up to $10^4$.
# Hint: `keepdims=True` keeps the maximum broadcastable against the logits.

# %% tags=["solution"]
def my_softmax(logits):
    """Softmax over the last axis of `logits` (N, K)."""
    # (N, K), the maximum of each row becomes 0
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=-1, keepdims=True)


wide_logits = rng.uniform(-1e4, 1e4, size=(1000, 5))
mine = my_softmax(wide_logits)
assert np.all(np.isfinite(mine))
reference = softmax_ce.softmax(wide_logits)
assert_allclose(mine, reference, rtol=1e-14, atol=1e-300)
print(f"my_softmax matches on {wide_logits.shape[0]} rows")
