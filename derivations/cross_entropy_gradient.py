# %% [markdown]
# # The gradient of cross-entropy
#
# **Claim.** For logits $z \in \mathbb{R}^K$, probabilities $p = \hat y = \operatorname{softmax}(z)$
# and a target distribution $y$ ($y_k \ge 0$, $\sum_k y_k = 1$), the cross-entropy
# $L = -\sum_k y_k \log p_k$ has the gradient
#
# $$
# \frac{\partial L}{\partial z_j} = p_j - y_j, \qquad \nabla_z L = \hat y - y .
# $$
#
# This holds for one-hot labels and for soft targets alike. It needs $\sum_k y_k = 1$:
# for any non-negative $y$ the gradient is $p_j \sum_k y_k - y_j$.
#
# The page derives the gradient by two independent routes: (a) rewrite $L$ with
# log-sum-exp and differentiate once, (b) apply the chain rule through the softmax
# Jacobian. Both give the same result for a symbolic $K$, and both agree with SymPy's
# direct differentiation for $K = 2, \dots, 6$.

# %%
import functools

import sympy as sp

from _symbolic import (
    Notation,
    agrees_for_fixed_K,
    assert_equal,
    assert_zero,
    confirm,
    evaluate_sums,
    from_probabilities,
    indices,
    plain_bases,
    reduce,
    show,
    softmax_vector,
    substitute,
    sum_over,
    symbol_vector,
    to_probabilities,
    use_normalisation,
)

# %% [markdown]
# ## Definitions
#
# The indices $i, j, k$ run over $1, \dots, K$. The target $y$ is a vector of
# non-negative numbers. Where it must sum to 1, the page states it and applies
# $\sum_k y_k = 1$ as an explicit rule.

# %%
i, j = indices("i j")
k = indices("k")
z = sp.IndexedBase("z", real=True)
p = sp.IndexedBase("p", positive=True)
y = sp.IndexedBase("y", nonnegative=True)

loss_in_p = -sum_over(y[k] * sp.log(p[k]), k)
loss_in_logits = from_probabilities(loss_in_p, p, z)
show(sp.Symbol("L"), loss_in_p, loss_in_logits, label="cross-entropy")


def targets_sum_to_one(expr):
    """Apply sum_k y_k = 1 to every full-range sum of y in `expr`."""
    return use_normalisation(expr, y)


FIXED_KS = (2, 3, 4, 5, 6)
DL_DZ = Notation(r"\frac{\partial L}{\partial z_j}", "∂L/∂z_j")

# %% [markdown]
# ## Route (a): through log-sum-exp
#
# ### Step a1: split the logarithm
#
# $\log p_k = z_k - \log \sum_m e^{z_m}$, because the numerator and the denominator of
# $p_k$ are both positive:

# %%
loss_split = evaluate_sums(sp.expand_log(loss_in_logits))
show(sp.Symbol("L"), loss_split)

# %% [markdown]
# The log-sum-exp term is multiplied by $\sum_k y_k$. With $\sum_k y_k = 1$ the loss is
# log-sum-exp minus the target-weighted logits:

# %%
loss_formula = targets_sum_to_one(loss_split)
show(sp.Symbol("L"), loss_formula, label="with sum_k y_k = 1")

# %% [markdown]
# ### Step a2: differentiate
#
# The derivative of log-sum-exp is softmax (see the page on shift invariance), and the
# derivative of $\sum_k y_k z_k$ is a Kronecker delta sum that picks out $y_j$. First
# without using $\sum_k y_k = 1$:

# %%
gradient_route_a_unnormalised = to_probabilities(evaluate_sums(sp.diff(loss_split, z[j])), z, p)
show(DL_DZ, gradient_route_a_unnormalised, label="any y ≥ 0")

# %% [markdown]
# Then with it:

# %%
gradient_route_a = sp.expand(targets_sum_to_one(gradient_route_a_unnormalised))
show(DL_DZ, gradient_route_a, label="sum_k y_k = 1")

# %% [markdown]
# ## Route (b): the chain rule through the softmax Jacobian
#
# $L$ depends on $z$ only through $p$, so
# $\frac{\partial L}{\partial z_j} = \sum_i \frac{\partial L}{\partial p_i} \frac{\partial p_i}{\partial z_j}$,
# that is $\nabla_z L = J^\top (-y \oslash p)$, where $\oslash$ divides elementwise.
#
# ### Step b1: the two factors
#
# $\partial L / \partial p_i$ is read off the definition. The Jacobian is differentiated
# again here, as on the page on the softmax Jacobian, so that this route does not depend
# on that page:

# %%
loss_gradient_in_p = evaluate_sums(sp.diff(loss_in_p, p[i]))
softmax_formula = sp.exp(z[i]) / sum_over(sp.exp(z[k]), k)
jacobian_formula = sp.factor(to_probabilities(evaluate_sums(sp.diff(softmax_formula, z[j])), z, p))
DL_DP = Notation(r"\frac{\partial L}{\partial p_i}", "∂L/∂p_i")
show(DL_DP, loss_gradient_in_p, label="outer factor")
show(sp.Derivative(p[i], z[j]), jacobian_formula, label="inner factor")

# %% [markdown]
# ### Step b2: multiply and sum over i
#
# The $p_i$ of the Jacobian cancels the $1/p_i$ of the outer factor, and the delta
# collapses the sum:

# %%
chain_rule_sum = sum_over(sp.expand(loss_gradient_in_p * jacobian_formula), i)
show(DL_DZ, chain_rule_sum, label="chain rule")
gradient_route_b_unnormalised = sp.expand(evaluate_sums(chain_rule_sum))
show(DL_DZ, gradient_route_b_unnormalised, label="delta collapsed")
gradient_route_b = sp.expand(targets_sum_to_one(gradient_route_b_unnormalised))
show(DL_DZ, gradient_route_b, label="sum_k y_k = 1")

# %% [markdown]
# ## The two routes agree
#
# The routes share no step after the definition of $L$, and their results are equal,
# with and without $\sum_k y_k = 1$:

# %%
assert_equal(
    gradient_route_a_unnormalised, gradient_route_b_unnormalised, "routes (a) and (b) agree for any y"
)
assert_equal(gradient_route_a, gradient_route_b, "routes (a) and (b) agree for sum_k y_k = 1")
gradient_formula = gradient_route_a
gradient_unnormalised_formula = gradient_route_a_unnormalised
confirm("route (a) = route (b)")

# %% [markdown]
# Both agree with SymPy differentiating $-\sum_k y_k \log p_k$ directly for each
# $K = 2, \dots, 6$, with $p$ written out as exponentials. The unnormalised formula is
# compared as it is. The normalised one is compared after substituting
# $y_K = 1 - y_1 - \dots - y_{K-1}$ on both sides.

# %%
@functools.cache
def fixed_gradient(n):
    """Return the gradient of -sum_k y_k log softmax(z)_k for n classes, by direct differentiation."""
    z_plain, y_plain, restore = plain_bases(z, y)
    probabilities = softmax_vector(z_plain, n)
    loss = -sum(y_plain[a] * sp.log(probabilities[a - 1]) for a in range(1, n + 1))
    # log(e^{z_a} / S) = z_a - log S, because both parts are positive. The same function,
    # with a far smaller derivative to compare.
    loss = sp.expand_log(loss, force=True)
    return restore(sp.Matrix([loss]).jacobian(symbol_vector(z_plain, n)).T)


def eliminate_last_target(expr, n):
    """Substitute y_n = 1 - y_1 - ... - y_(n-1) in `expr`, which uses sum_k y_k = 1."""
    return substitute(expr, {y[n]: 1 - sum(y[a] for a in range(1, n))})


agrees_for_fixed_K(
    from_probabilities(gradient_unnormalised_formula, p, z), fixed_gradient, FIXED_KS, (j,)
)
agrees_for_fixed_K(
    from_probabilities(gradient_formula, p, z),
    fixed_gradient,
    FIXED_KS,
    (j,),
    fixed_rule=eliminate_last_target,
)


def fixed_loss(n):
    """Return -sum_k y_k log softmax(z)_k for n classes, with the logarithm split."""
    probabilities = softmax_vector(z, n)
    return sp.expand_log(-sum(y[a] * sp.log(probabilities[a - 1]) for a in range(1, n + 1)))


agrees_for_fixed_K(loss_formula, fixed_loss, FIXED_KS, fixed_rule=eliminate_last_target)
confirm("general-K loss and gradients = direct fixed-K results for K = 2, ..., 6")

# %% [markdown]
# ## Without Σ y = 1
#
# For a target that does not sum to 1 the gradient is $p_j \sum_k y_k - y_j$, not
# $p_j - y_j$. Doubling a one-hot target, for example, doubles the gradient: it becomes
# $2p - y$ with $y = 2e_c$. The entries of the gradient still sum to 0 for every $y$,
# because the loss does not change when all logits move together:

# %%
gradient_entry_sum = reduce(
    sum_over(gradient_unnormalised_formula, j), rules=[lambda e: use_normalisation(e, p)]
)
show(Notation(r"\sum_j \frac{\partial L}{\partial z_j}", "Σ_j ∂L/∂z_j"), gradient_entry_sum)
assert_zero(gradient_entry_sum, "the gradient entries sum to 0 for any y")
confirm("Σ_j ∂L/∂z_j = 0 for any y ≥ 0")

# %% [markdown]
# ## One-hot labels
#
# A label $c \in \{1, \dots, K\}$ is the target $y_k = \delta_{kc}$. Its entries sum to
# 1 by the delta collapse, so the rule $\sum_k y_k = 1$ is not an extra assumption
# here. The loss becomes $-\log p_c = \operatorname{LSE}(z) - z_c$:

# %%
c = indices("c")


def one_hot(expr):
    """Replace every target entry y_x in `expr`, inside sums too, by δ_xc."""
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == y,
        lambda e: sp.KroneckerDelta(e.indices[0], c),
    )


one_hot_target_sum = evaluate_sums(one_hot(sum_over(y[k], k)))
show(Notation(r"\sum_k \delta_{kc}", "Σ_k δ_kc"), one_hot_target_sum)
assert_equal(one_hot_target_sum, 1, "a one-hot target sums to 1")
one_hot_loss = evaluate_sums(one_hot(loss_split))
show(sp.Symbol("L"), one_hot_loss, label="one-hot loss")

# %% [markdown]
# Substituting $y_k = \delta_{kc}$ into the gradient for any $y$ gives $p_j - \delta_{jc}$:

# %%
one_hot_gradient_formula = sp.expand(evaluate_sums(one_hot(gradient_unnormalised_formula)))
show(DL_DZ, one_hot_gradient_formula, label="one-hot gradient")
assert_equal(one_hot_gradient_formula, p[j] - sp.KroneckerDelta(j, c), "∂L/∂z_j = p_j - δ_jc")
for label in (1, 2):
    agrees_for_fixed_K(
        from_probabilities(one_hot_gradient_formula, p, z).subs(c, label),
        lambda n: fixed_gradient(n).xreplace({y[a]: int(a == label) for a in range(1, n + 1)}),
        FIXED_KS,
        (j,),
    )
confirm("one-hot: ∂L/∂z_j = p_j - δ_jc, for general K and for labels 1, 2 with K = 2, ..., 6")

# %% [markdown]
# !!! note "Soft targets"
#     Nothing above assumed $y$ one-hot. Any distribution works: label-smoothed
#     targets, a teacher's probabilities in distillation, or averaged annotator votes.
#     The gradient is $p - y$ as long as each target row sums to 1.
#
# ## Result

# %%
show(sp.Symbol("L"), loss_formula, label="loss, sum_k y_k = 1")
show(DL_DZ, gradient_formula, label="gradient, sum_k y_k = 1")
show(DL_DZ, gradient_unnormalised_formula, label="gradient, any y ≥ 0")
show(DL_DZ, one_hot_gradient_formula, label="gradient, one-hot label c")

# %% [markdown]
# ## Assertion

# %%
assert_equal(gradient_formula, p[j] - y[j], "∂L/∂z_j = p_j - y_j")
assert_equal(
    gradient_unnormalised_formula, p[j] * sum_over(y[k], k) - y[j], "∂L/∂z_j = p_j Σ_k y_k - y_j"
)
assert_equal(
    sp.diff(loss_formula, z[j]),
    from_probabilities(gradient_formula, p, z),
    "the gradient is the derivative of L = LSE(z) - Σ_k y_k z_k",
)
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#cross_entropy_gradient) lists those tests
# with their source.
