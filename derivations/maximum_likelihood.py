# %% [markdown]
# # Maximum likelihood and cross-entropy
#
# **Claim.** Let a model assign the probabilities $P_{n,k}$ to the classes $k$ of
# observations $n = 1, \dots, N$, with observed one-hot (or soft) targets $Y_{n,k}$.
#
# 1. The negative log-likelihood $-\log \prod_n \prod_k P_{n,k}^{Y_{n,k}}$ equals the
#    summed cross-entropy $\sum_n \bigl(-\sum_k Y_{n,k} \log P_{n,k}\bigr)$. Since $-\log$
#    is strictly decreasing, maximising the likelihood and minimising the cross-entropy
#    pick the same parameters.
# 2. Without inputs, a categorical distribution $\pi$ fitted to counts $n_1, \dots, n_K$
#    with $N = \sum_k n_k$ has the maximum-likelihood estimate $\hat\pi_k = n_k / N$.
# 3. $\operatorname{CE}(y, p) = H(y) + \operatorname{KL}(y \,\|\, p)$ with
#    $\operatorname{KL}(y \,\|\, p) \ge 0$ (Gibbs' inequality) and equality only at $p = y$.
#    So for a fixed target, cross-entropy is smallest when the prediction equals it.

# %%
import sympy as sp

from _symbolic import (
    K,
    Notation,
    agrees_for_fixed_K,
    assert_equal,
    assert_zero,
    confirm,
    evaluate_sums,
    indices,
    show,
    sum_over,
    symbol_vector,
    use_normalisation,
)

# %% [markdown]
# ## Definitions
#
# Observations are indexed by $n$ over $1, \dots, N$ and classes by $j, k$ over
# $1, \dots, K$. Probabilities are positive and targets non-negative.

# %%
N = sp.Symbol("N", integer=True, positive=True)
n = indices("n", upper=N)
j, k = indices("j k")

P = sp.IndexedBase("P", positive=True)
Y = sp.IndexedBase("Y", nonnegative=True)

FIXED_KS = (2, 3, 4)

# %% [markdown]
# ## Step 1: the likelihood of N observations
#
# With one-hot rows $Y_n$, the factor $\prod_k P_{n,k}^{Y_{n,k}}$ is the probability the
# model gave to the class that was observed in row $n$, because the other factors are
# $P^0 = 1$. Observations are independent given the model, so the likelihood is the
# product over rows:

# %%
likelihood = sp.Product(sp.Product(P[n, k] ** Y[n, k], (k, 1, K)), (n, 1, N))
show(Notation(r"\mathcal{L}", "ℒ"), likelihood)

# %% [markdown]
# For two observations of three classes, labelled 2 and 1, SymPy evaluates the product
# to the two probabilities of the observed classes:

# %%
labels = {1: 2, 2: 1}
one_hot_rows = {Y[row, q]: int(q == label) for row, label in labels.items() for q in range(1, 4)}
example = likelihood.subs({K: 3, N: 2}).doit().subs(one_hot_rows)
show(Notation(r"\mathcal{L}", "ℒ"), example, label="N = 2, K = 3, labels (2, 1)")
assert example == P[1, 2] * P[2, 1], example

# %% [markdown]
# ## Step 2: the negative log-likelihood is the summed cross-entropy
#
# The probabilities are positive, so the logarithm turns the products into sums and the
# powers into factors:

# %%
negative_log_likelihood = -sp.expand_log(sp.log(likelihood))
NEGATIVE_LOG_LIKELIHOOD = Notation(r"-\log \mathcal{L}", "-log ℒ")
show(NEGATIVE_LOG_LIKELIHOOD, negative_log_likelihood)
row_cross_entropy = -sum_over(Y[n, k] * sp.log(P[n, k]), k)
assert_equal(negative_log_likelihood, sum_over(row_cross_entropy, n), "-log ℒ = Σ_n CE(Y_n, P_n)")
agrees_for_fixed_K(
    negative_log_likelihood.subs(N, 2),
    lambda size: -sp.expand_log(
        sp.log(sp.Mul(*(P[row, q] ** Y[row, q] for row in (1, 2) for q in range(1, size + 1))))
    ),
    FIXED_KS,
)
confirm(f"-log ℒ = Σ_n CE(Y_n, P_n), for general N and K and for N = 2, K = {', '.join(map(str, FIXED_KS))}")

# %% [markdown]
# $-\log t$ is strictly decreasing in $t > 0$, as its derivative shows, so the parameters
# that make $\mathcal{L}$ largest make $-\log \mathcal{L}$, the summed cross-entropy,
# smallest. Dividing by $N$ (the 'mean' reduction) does not move the minimum either.

# %%
t = sp.Symbol("t", positive=True)
slope = sp.diff(-sp.log(t), t)
show(sp.Derivative(-sp.log(t), t), slope)
assert slope.is_negative
confirm("-log t is strictly decreasing, so argmax ℒ = argmin Σ_n CE")

# %% [markdown]
# !!! note "Not specific to softmax"
#     Nothing here used how $P$ is computed. Any model that outputs a distribution over
#     classes is fitted by maximum likelihood through the same loss. Softmax is the usual
#     way to turn a network's logits into such a distribution.
#
# ## Step 3: the categorical MLE, π̂ = n / N
#
# The simplest model has no inputs: one distribution $\pi$ for every observation. With
# $n_k$ observations of class $k$, the log-likelihood is $\sum_k n_k \log \pi_k$, to be
# maximised subject to $\sum_k \pi_k = 1$. A Lagrange multiplier $\lambda$ handles the
# constraint:

# %%
pi = sp.IndexedBase("pi", positive=True)
counts = sp.IndexedBase("n", positive=True)
lagrange = sp.Symbol("lambda", real=True)

log_likelihood_counts = sum_over(counts[k] * sp.log(pi[k]), k)
lagrangian = log_likelihood_counts - lagrange * (sum_over(pi[k], k) - 1)
show(Notation(r"\Lambda(\pi, \lambda)", "Λ(π, λ)"), lagrangian)

# %% [markdown]
# Setting the derivative with respect to $\pi_j$ to 0 gives $\pi_j$ in terms of
# $\lambda$:

# %%
stationarity = evaluate_sums(sp.diff(lagrangian, pi[j]))
show(Notation(r"\frac{\partial \Lambda}{\partial \pi_j}", "∂Λ/∂π_j"), stationarity)
(pi_in_lambda,) = sp.solve(stationarity, pi[j])
show(pi[j], pi_in_lambda)

# %% [markdown]
# The constraint then fixes $\lambda$: the probabilities $n_k / \lambda$ must sum to 1.

# %%
constraint = evaluate_sums(sum_over(pi_in_lambda.subs(j, k), k)) - 1
show(Notation(r"\sum_k \pi_k - 1", "Σ_k π_k - 1"), constraint)
(lagrange_value,) = sp.solve(constraint, lagrange)
show(lagrange, lagrange_value)
categorical_mle_formula = pi_in_lambda.subs(lagrange, lagrange_value)
show(Notation(r"\hat\pi_j", "π̂_j"), categorical_mle_formula, label="maximum-likelihood estimate")

# %% [markdown]
# The multiplier is the total count $N = \sum_k n_k$, so $\hat\pi_j = n_j / N$: the
# observed frequency. It is the maximum, not just a stationary point, because the
# log-likelihood is concave: its Hessian is diagonal with negative entries.

# %%
hessian_counts = evaluate_sums(sp.diff(evaluate_sums(sp.diff(log_likelihood_counts, pi[j])), pi[k]))
show(
    Notation(r"\frac{\partial^2}{\partial \pi_j \partial \pi_k} \sum_m n_m \log \pi_m", "∂²(Σ n log π)/∂π_j∂π_k"),
    hessian_counts,
)
assert (hessian_counts.subs(k, j)).is_negative
assert hessian_counts.subs(sp.KroneckerDelta(j, k), 0) == 0
assert_equal(evaluate_sums(sum_over(categorical_mle_formula.subs(j, k), k)), 1, "π̂ sums to 1")
confirm("π̂_j = n_j / Σ_k n_k, a maximum because the log-likelihood is concave")

# %% [markdown]
# For $K = 2, 3, 4$, SymPy solves the whole system (the $K$ stationarity
# equations and the constraint) for $\pi_1, \dots, \pi_K, \lambda$. There must be exactly
# one solution, and it must be the general formula:

# %%
def fixed_mle(size):
    """Solve the Lagrange system for `size` classes; return the column of π̂."""
    pis = symbol_vector(pi, size)
    objective = sum(counts[q] * sp.log(pi[q]) for q in range(1, size + 1)) - lagrange * (sum(pis) - 1)
    equations = [sp.diff(objective, variable) for variable in pis] + [sum(pis) - 1]
    # n_k / π_k - λ = 0 times π_k > 0 is n_k - λ π_k = 0, the same condition as a polynomial,
    # which SymPy solves several times faster.
    polynomials = [sp.numer(sp.together(equation)) for equation in equations]
    solutions = sp.solve(polynomials, list(pis) + [lagrange], dict=True)
    assert len(solutions) == 1, f"expected one stationary point for K = {size}, got {solutions}"
    return pis.subs(solutions[0])


agrees_for_fixed_K(categorical_mle_formula, fixed_mle, FIXED_KS, (j,))
confirm(f"the general-K estimate = SymPy's solution for K = {', '.join(map(str, FIXED_KS))}")

# %% [markdown]
# Softmax gives the same estimate. A model with a single logit vector $z$ for every
# row has, by the gradient of cross-entropy, the summed gradient
# $\sum_n (p - Y_n)$. Its entry $j$ is $N p_j - n_j$, because $\sum_n Y_{n,j} = n_j$ for
# one-hot rows. It is 0 exactly when $p_j = n_j / N$, so the fitted logits are the
# log-counts up to a common shift.

# %%
p = sp.IndexedBase("p", positive=True)
summed_gradient = evaluate_sums(sum_over(p[j] - Y[n, j], n)).subs(sum_over(Y[n, j], n), counts[j])
show(Notation(r"\sum_n (p_j - Y_{n,j})", "Σ_n (p_j - Y_nj)"), summed_gradient)
(softmax_fit,) = sp.solve(summed_gradient, p[j])
estimate_with_total = categorical_mle_formula.subs(sum_over(counts[k], k), N)
assert_equal(softmax_fit, estimate_with_total, "softmax fit = n_j / N")
confirm("a softmax fitted to counts gives p_j = n_j / N")

# %% [markdown]
# ## Step 4: cross-entropy is entropy plus KL divergence
#
# For a target $y$ and a prediction $p$, both positive and summing to 1, define the
# entropy $H(y) = -\sum_k y_k \log y_k$ and the Kullback-Leibler divergence
# $\operatorname{KL}(y \,\|\, p) = \sum_k y_k \log (y_k / p_k)$:

# %%
y = sp.IndexedBase("y", positive=True)
cross_entropy_formula = -sum_over(y[k] * sp.log(p[k]), k)
entropy_formula = -sum_over(y[k] * sp.log(y[k]), k)
kl_formula = sum_over(y[k] * sp.log(y[k] / p[k]), k)
CROSS_ENTROPY = Notation(r"\operatorname{CE}(y, p)", "CE(y, p)")
show(CROSS_ENTROPY, cross_entropy_formula)
show(Notation("H(y)", "H(y)"), entropy_formula)
show(Notation(r"\operatorname{KL}(y \,\|\, p)", "KL(y ‖ p)"), kl_formula)

# %% [markdown]
# Splitting the logarithm in the KL divergence separates the two other sums:

# %%
kl_split = evaluate_sums(sp.expand_log(kl_formula))
show(Notation(r"\operatorname{KL}(y \,\|\, p)", "KL(y ‖ p)"), kl_split)
assert_equal(
    cross_entropy_formula, entropy_formula + kl_formula, "CE(y, p) = H(y) + KL(y ‖ p)", rules=[sp.expand_log]
)
agrees_for_fixed_K(
    sp.expand_log(entropy_formula + kl_formula),
    lambda size: -sum(y[q] * sp.log(p[q]) for q in range(1, size + 1)),
    FIXED_KS,
)
confirm("CE(y, p) = H(y) + KL(y ‖ p), for general K and for K = 2, 3, 4")

# %% [markdown]
# ## Step 5: Gibbs' inequality, KL ≥ 0
#
# The lemma is $\log x \le x - 1$ for $x > 0$. The function $f(x) = x - 1 - \log x$ has
# one stationary point, at $x = 1$, where $f = 0$, and $f'' > 0$ everywhere, so
# $f \ge 0$ with equality only at $x = 1$:

# %%
x = sp.Symbol("x", positive=True)
gap = x - 1 - sp.log(x)
(stationary_point,) = sp.solve(sp.diff(gap, x), x)
curvature = sp.diff(gap, x, 2)
show(Notation("f(x)", "f(x)"), gap)
show(Notation("f'(x)", "f'(x)"), sp.diff(gap, x))
show(Notation("f''(x)", "f''(x)"), curvature)
assert stationary_point == 1
assert gap.subs(x, stationary_point) == 0
assert curvature.is_positive
assert sp.solve(gap, x) == [1], "f(x) = 0 only at x = 1"
confirm("log x ≤ x - 1 for x > 0, with equality only at x = 1")

# %% [markdown]
# Apply it with $x = p_k / y_k$ to each term of $-\operatorname{KL}$:
# $y_k \log(p_k / y_k) \le y_k (p_k / y_k - 1) = p_k - y_k$. The gap of each term is
# $y_k f(p_k / y_k) \ge 0$. Summed over $k$, the bound is $\sum_k p_k - \sum_k y_k = 0$:

# %%
term_gap = y[k] * (p[k] / y[k] - 1) - y[k] * sp.log(p[k] / y[k])
assert_zero(term_gap - y[k] * gap.subs(x, p[k] / y[k]), "each term's gap is y_k f(p_k / y_k)")
bound = evaluate_sums(sum_over(sp.expand(y[k] * (p[k] / y[k] - 1)), k))
show(Notation(r"\sum_k y_k \left(\frac{p_k}{y_k} - 1\right)", "Σ_k y_k (p_k/y_k - 1)"), bound)
assert_zero(bound, "the bound is 0", rules=[lambda e: use_normalisation(use_normalisation(e, p), y)])
confirm("-KL(y ‖ p) ≤ Σ_k p_k - Σ_k y_k = 0, so KL(y ‖ p) ≥ 0")

# %% [markdown]
# Equality needs every term's gap to be 0, that is $p_k / y_k = 1$ for all $k$: the
# divergence is 0 only at $p = y$. With $H(y)$ fixed by the target, the cross-entropy
# $H(y) + \operatorname{KL}(y \,\|\, p)$ is smallest, and equal to $H(y)$, exactly when
# the prediction is the target.
#
# !!! note "Targets with zeros"
#     A one-hot target has $y_k = 0$ for all but one class. With the convention
#     $0 \log 0 = 0$ those terms drop out of $H$ and of KL, the bound runs over the
#     classes with $y_k > 0$ only, and it becomes $\sum_{k : y_k > 0} p_k - 1 \le 0$.
#     For one-hot $y$ we get $H(y) = 0$, and the cross-entropy is the KL divergence itself.
#
# ## Result

# %%
show(NEGATIVE_LOG_LIKELIHOOD, negative_log_likelihood, label="negative log-likelihood")
show(Notation(r"\hat\pi_j", "π̂_j"), categorical_mle_formula, label="categorical MLE")
show(CROSS_ENTROPY, entropy_formula + kl_formula, label="entropy plus KL divergence")

# %% [markdown]
# ## Assertion

# %%
assert_equal(negative_log_likelihood, sum_over(row_cross_entropy, n), "-log ℒ = Σ_n CE(Y_n, P_n)")
assert_equal(categorical_mle_formula, counts[j] / sum_over(counts[k], k), "π̂_j = n_j / N")
assert_equal(cross_entropy_formula, entropy_formula + kl_formula, "CE = H + KL", rules=[sp.expand_log])
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#maximum_likelihood) lists those tests
# with their source.
