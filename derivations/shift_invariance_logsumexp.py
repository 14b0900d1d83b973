# %% [markdown]
# # Shift invariance and log-sum-exp
#
# **Claim.** For logits $z \in \mathbb{R}^K$ and any real $c$, with
# $\mathbf{1}$ the all-ones vector and $\operatorname{LSE}(z) = \log \sum_k e^{z_k}$:
#
# 1. softmax ignores a common shift: $\operatorname{softmax}(z + c\mathbf{1}) = \operatorname{softmax}(z)$;
# 2. log-sum-exp does **not** ignore it, but moves with it:
#    $\operatorname{LSE}(z + c\mathbf{1}) = \operatorname{LSE}(z) + c$;
# 3. $\log \operatorname{softmax}(z) = z - \operatorname{LSE}(z)$;
# 4. $\partial \operatorname{LSE} / \partial z_j = \operatorname{softmax}(z)_j$.
#
# Claims 1 and 2 are why every stable implementation subtracts $\max_k z_k$ first, and
# claim 3 is why log-softmax is never computed as the log of softmax.

# %%
import numpy as np
import sympy as sp

from _symbolic import (
    Notation,
    agrees_for_fixed_K,
    assert_equal,
    confirm,
    evaluate_sums,
    indices,
    show,
    softmax_vector,
    sum_over,
    symbol_vector,
    to_probabilities,
)

# %% [markdown]
# ## Definitions
#
# $K$ is a symbol, the indices $i, j, k$ run over $1, \dots, K$, the logits are real and
# the shift $c$ is a real number.

# %%
i, j = indices("i j")
k = indices("k")
z = sp.IndexedBase("z", real=True)
p = sp.IndexedBase("p", positive=True)
c = sp.Symbol("c", real=True)

softmax_formula = sp.exp(z[i]) / sum_over(sp.exp(z[k]), k)
logsumexp_formula = sp.log(sum_over(sp.exp(z[k]), k))
show(p[i], softmax_formula, label="softmax")
show(Notation(r"\operatorname{LSE}(z)", "LSE(z)"), logsumexp_formula, label="log-sum-exp")

FIXED_KS = (2, 3, 4, 5, 6)

# %% [markdown]
# ## Step 1: softmax of shifted logits
#
# Shifting every logit by $c$ puts $e^{z_k + c} = e^{c} e^{z_k}$ in each term:

# %%
def shift_logits(expr):
    """Replace every logit z_x in `expr`, inside sums too, by z_x + c."""
    return expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == z, lambda e: e + c)


shifted_softmax = shift_logits(softmax_formula)
SHIFTED_SOFTMAX = Notation(r"\operatorname{softmax}(z + c\mathbf{1})_i", "softmax(z + c1)_i")
show(SHIFTED_SOFTMAX, shifted_softmax, label="shifted")
split_softmax = sp.expand_power_exp(shifted_softmax)
show(SHIFTED_SOFTMAX, split_softmax, label="exponentials split")

# %% [markdown]
# The factor $e^c$ does not depend on $k$, so it leaves the sum and cancels against the
# numerator:

# %%
simplified_softmax = sp.cancel(evaluate_sums(split_softmax))
show(SHIFTED_SOFTMAX, simplified_softmax, label="e^c cancelled")
assert_equal(simplified_softmax, softmax_formula, "softmax(z + c1) = softmax(z)")
agrees_for_fixed_K(
    shifted_softmax - softmax_formula,
    lambda n: shift_logits(softmax_vector(z, n)) - softmax_vector(z, n),
    FIXED_KS,
    (i,),
)
confirm("softmax(z + c1) = softmax(z), for general K and for K = 2, ..., 6")

# %% [markdown]
# ## Step 2: log-sum-exp of shifted logits
#
# The same factor $e^c$ leaves the sum, but a logarithm turns it into an added $c$
# instead of cancelling it:

# %%
shifted_logsumexp = shift_logits(logsumexp_formula)
factored_logsumexp = evaluate_sums(sp.expand_power_exp(shifted_logsumexp))
SHIFTED_LOGSUMEXP = Notation(r"\operatorname{LSE}(z + c\mathbf{1})", "LSE(z + c1)")
show(SHIFTED_LOGSUMEXP, shifted_logsumexp, factored_logsumexp)

# %% [markdown]
# The sum of exponentials is positive, so the logarithm of the product splits:

# %%
expanded_logsumexp = sp.expand_log(factored_logsumexp)
show(SHIFTED_LOGSUMEXP, expanded_logsumexp)
shift_of_logsumexp = sp.expand_log(expanded_logsumexp - logsumexp_formula)
show(
    Notation(r"\operatorname{LSE}(z + c\mathbf{1}) - \operatorname{LSE}(z)", "LSE(z + c1) - LSE(z)"),
    shift_of_logsumexp,
    label="difference",
)
assert_equal(shift_of_logsumexp, c, "LSE(z + c1) = LSE(z) + c")


def fixed_shifted_logsumexp(n):
    """Return log(sum_k exp(z_k + c)) for n classes, with SymPy's factor pulling out e^c."""
    total = sp.factor(sp.expand_power_exp(sum(sp.exp(z[a] + c) for a in range(1, n + 1))))
    return sp.expand_log(sp.log(total))


agrees_for_fixed_K(expanded_logsumexp, fixed_shifted_logsumexp, FIXED_KS)
confirm("LSE(z + c1) = LSE(z) + c, for general K and for K = 2, ..., 6")

# %% [markdown]
# !!! note "A common misstatement"
#     Log-sum-exp is often called shift invariant. It is not: the difference above is
#     $c$, not 0. It is softmax, and with it log-softmax, that is invariant. Log-sum-exp
#     is *shift equivariant*: it moves by exactly the shift.
#
# With $c = -\max_k z_k$ the identity is the stable way to compute log-sum-exp:
# $\operatorname{LSE}(z) = m + \operatorname{LSE}(z - m\mathbf{1})$ with $m = \max_k z_k$.
# Every term of the shifted sum is then at most $e^0 = 1$ and one term equals 1, so the
# sum lies in $[1, K]$ and neither overflows nor underflows to 0. The naive form fails
# on logits as ordinary as $(1000, 1)$:

# %%
logits = np.array([1000.0, 1.0])
with np.errstate(over="ignore"):
    naive = np.log(np.sum(np.exp(logits)))
row_max = logits.max()
stable = row_max + np.log(np.sum(np.exp(logits - row_max)))
print(f"naive  log(sum(exp(z)))          = {naive}")
print(f"stable m + log(sum(exp(z - m)))  = {stable}")
assert np.isinf(naive)
assert np.isfinite(stable)

# %% [markdown]
# ## Step 3: log-softmax
#
# Taking the logarithm of $p_i$ splits the quotient, because both parts are positive:

# %%
log_softmax_formula = sp.expand_log(sp.log(softmax_formula))
show(sp.log(p[i]), log_softmax_formula)
assert_equal(log_softmax_formula, z[i] - logsumexp_formula, "log softmax(z)_i = z_i - LSE(z)")
agrees_for_fixed_K(
    log_softmax_formula,
    lambda n: symbol_vector(z, n) - sp.ones(n, 1) * sp.log(sum(sp.exp(z[a]) for a in range(1, n + 1))),
    FIXED_KS,
    (i,),
)
confirm("log softmax(z)_i = z_i - LSE(z)")

# %% [markdown]
# Computed this way, $\log p_i$ is a difference of two moderate numbers, where the log of
# a computed $p_i$ would be $\log 0 = -\infty$ as soon as $p_i$ underflows. Log-softmax
# is also shift invariant, since $z_i$ and $\operatorname{LSE}(z)$ move by the same $c$.

# %%
shifted_log_softmax = evaluate_sums(sp.expand_power_exp(shift_logits(log_softmax_formula)))
shifted_log_softmax = sp.expand_log(shifted_log_softmax)
show(Notation(r"\log \operatorname{softmax}(z + c\mathbf{1})_i", "log softmax(z + c1)_i"), shifted_log_softmax)
assert_equal(shifted_log_softmax, log_softmax_formula, "log softmax(z + c1) = log softmax(z)")
confirm("log softmax(z + c1) = log softmax(z)")

# %% [markdown]
# ## Step 4: the gradient of log-sum-exp is softmax
#
# Differentiating the logarithm gives a sum of Kronecker deltas over the sum of
# exponentials. The delta picks out $k = j$:

# %%
logsumexp_gradient_raw = sp.diff(logsumexp_formula, z[j])
gradient_name = Notation(r"\frac{\partial \operatorname{LSE}}{\partial z_j}", "∂LSE/∂z_j")
show(gradient_name, logsumexp_gradient_raw, label="derivative")
logsumexp_gradient_formula = evaluate_sums(logsumexp_gradient_raw)
gradient_in_p = to_probabilities(logsumexp_gradient_formula, z, p)
show(gradient_name, logsumexp_gradient_formula, gradient_in_p, label="delta collapsed")
assert_equal(logsumexp_gradient_formula, softmax_formula.subs(i, j), "∂LSE/∂z_j = softmax(z)_j")
agrees_for_fixed_K(
    logsumexp_gradient_formula,
    lambda n: sp.Matrix([sp.log(sum(sp.exp(z[a]) for a in range(1, n + 1)))])
    .jacobian(symbol_vector(z, n))
    .T,
    FIXED_KS,
    (j,),
)
confirm("∇ LSE(z) = softmax(z), for general K and for K = 2, ..., 6")

# %% [markdown]
# So softmax is the gradient of a scalar function, log-sum-exp. Its Jacobian, derived on
# the page on the softmax Jacobian, is therefore the Hessian of log-sum-exp, and it is
# symmetric for that reason.
#
# ## Result

# %%
show(SHIFTED_SOFTMAX, simplified_softmax, label="shift invariance")
show(SHIFTED_LOGSUMEXP, expanded_logsumexp, label="shift equivariance")
show(sp.log(p[i]), log_softmax_formula, label="log-softmax")
show(gradient_name, logsumexp_gradient_formula, label="gradient of log-sum-exp")

# %% [markdown]
# ## Assertion

# %%
assert_equal(simplified_softmax, softmax_formula, "softmax(z + c1) = softmax(z)")
assert_equal(expanded_logsumexp, logsumexp_formula + c, "LSE(z + c1) = LSE(z) + c")
assert_equal(log_softmax_formula, z[i] - logsumexp_formula, "log softmax = z - LSE")
assert_equal(logsumexp_gradient_formula, softmax_formula.subs(i, j), "∂LSE/∂z_j = p_j")
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#shift_invariance_logsumexp) lists those tests
# with their source.
