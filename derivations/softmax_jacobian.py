# %% [markdown]
# # The softmax Jacobian
#
# **Claim.** For logits $z \in \mathbb{R}^K$ and probabilities $p = \operatorname{softmax}(z)$,
#
# $$
# \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j),
# \qquad
# J = \operatorname{diag}(p) - p\,p^\top .
# $$
#
# The matrix $J$ is symmetric and its rows and columns sum to 0. It is singular, with the
# all-ones vector in its null space, which is shift invariance seen from the derivative.
# It is positive semi-definite, because $v^\top J v$ is the variance of $v$ under $p$.
# A product with $J$ never needs the matrix: $J v = p \odot (v - \langle p, v \rangle)$
# costs $O(K)$ operations instead of $O(K^2)$.
#
# The proof runs three times: for $K = 3$ with the full matrix on screen, for each
# $K = 2, \dots, 6$, and for a symbolic $K$ with indexed sums. Every equation after this
# claim is output that SymPy computed when the page was built.

# %%
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
    polynomial_det,
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
# The logits are $z_1, \dots, z_K$, real. Softmax exponentiates them and divides by the
# total, so that the results are positive and sum to 1:
#
# $$
# p_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}} .
# $$
#
# $\delta_{ij}$ is the Kronecker delta: 1 when $i = j$, else 0. The symbols carry their
# assumptions (logits real, probabilities positive), so that SymPy may use them.

# %%
z = sp.IndexedBase("z", real=True)
p = sp.IndexedBase("p", positive=True)
v = sp.IndexedBase("v", real=True)


def claimed_matrix(column):
    """Return diag(c) - c c^T for a column c."""
    n = column.shape[0]
    diagonal = sp.Matrix(n, n, lambda a, b: column[a] if a == b else 0)
    return diagonal - column * column.T


# %% [markdown]
# ## Worked example: K = 3
#
# With three classes the probabilities are:

# %%
softmax_3 = softmax_vector(z, 3)
show(sp.Symbol("p"), softmax_3)

# %% [markdown]
# SymPy differentiates each $p_i$ with respect to each $z_j$. Two entries in raw form,
# one on the diagonal and one off it, show the quotient rule at work:

# %%
jacobian_3 = softmax_3.jacobian(symbol_vector(z, 3))
show(sp.Derivative(p[1], z[1]), jacobian_3[0, 0], label="diagonal entry")
show(sp.Derivative(p[1], z[2]), jacobian_3[0, 1], label="off-diagonal entry")

# %% [markdown]
# Every entry is a ratio of exponentials. Replacing each $e^{z_i}$ by $p_i \sum_k e^{z_k}$
# (the definition of $p_i$, read backwards) makes the sum cancel and leaves the entries in
# $p$ alone. This is the whole $3 \times 3$ Jacobian:

# %%
jacobian_3_in_p = jacobian_3.applyfunc(lambda entry: to_probabilities(entry, z, p, n=3))
show(sp.Symbol("J"), jacobian_3_in_p)

# %% [markdown]
# The claimed form $\operatorname{diag}(p) - p p^\top$, built from the vector $p$:

# %%
p_3 = symbol_vector(p, 3)
show(Notation(r"\operatorname{diag}(p) - p p^{\top}", "diag(p) - p pᵀ"), claimed_matrix(p_3))

# %% [markdown]
# The two agree entry by entry. The check is made twice: in $p$, and directly on the
# exponentials, where it does not depend on the substitution of the previous step.

# %%
assert_equal(jacobian_3_in_p, claimed_matrix(p_3), "J = diag(p) - p pᵀ for K = 3, in p")
assert_equal(jacobian_3, claimed_matrix(softmax_3), "J = diag(p) - p pᵀ for K = 3, in exp(z)")
confirm("K = 3: J = diag(p) - p pᵀ")

# %% [markdown]
# The determinant already shows that $J$ is singular. SymPy factors it as a product with
# the factor $p_1 + p_2 + p_3 - 1$, which is 0 because probabilities sum to 1:

# %%
determinant_3 = sp.factor(polynomial_det(jacobian_3_in_p, p_3))
show(Notation(r"\det J", "det J"), determinant_3)
assert_zero(determinant_3.subs(p[3], 1 - p[1] - p[2]), "det J = 0 for K = 3")
confirm("K = 3: det J = 0 once p₃ = 1 - p₁ - p₂")

# %% [markdown]
# ## Every K from 2 to 6
#
# For each $K = 2, \dots, 6$ SymPy's Jacobian of the exponentials must equal
# $\operatorname{diag}(p) - p p^\top$ with $p$ written out as exponentials. Once that
# holds, the properties of the claim are properties of the matrix
# $\operatorname{diag}(p) - p p^\top$ for a probability vector $p$, and they are checked
# on it with $p_K = 1 - p_1 - \dots - p_{K-1}$: $J = J^\top$, $J \mathbf{1} = 0$,
# $\mathbf{1}^\top J = 0$, $\det J = 0$ and
# $v^\top J v = \sum_i p_i (v_i - \langle p, v \rangle)^2$.

# %%
FIXED_KS = (2, 3, 4, 5, 6)


def fixed_jacobian(n):
    """Return the n x n softmax Jacobian, differentiated by SymPy, in exp(z)."""
    z_plain, restore = plain_bases(z)
    return restore(softmax_vector(z_plain, n).jacobian(symbol_vector(z_plain, n)))


def eliminate_last(expr, n):
    """Substitute p_n = 1 - p_1 - ... - p_(n-1) in `expr`, which uses sum_k p_k = 1."""
    return substitute(expr, {p[n]: 1 - sum(p[a] for a in range(1, n))})


for n in FIXED_KS:
    softmax_n = softmax_vector(z, n)
    assert_equal(fixed_jacobian(n), claimed_matrix(softmax_n), f"J = diag(p) - p pᵀ for K = {n}")

    p_n = symbol_vector(p, n)
    jacobian_n = claimed_matrix(p_n).applyfunc(lambda entry: eliminate_last(entry, n))
    ones = sp.ones(n, 1)
    v_n = symbol_vector(v, n)
    mean_n = (p_n.T * v_n)[0]
    variance_n = eliminate_last(sum(p_n[a] * (v_n[a] - mean_n) ** 2 for a in range(n)), n)

    assert_equal(jacobian_n, jacobian_n.T, f"J symmetric for K = {n}")
    assert_equal(jacobian_n * ones, sp.zeros(n, 1), f"rows of J sum to 0 for K = {n}")
    assert_equal(ones.T * jacobian_n, sp.zeros(1, n), f"columns of J sum to 0 for K = {n}")
    assert_zero(eliminate_last(polynomial_det(claimed_matrix(p_n), p_n), n), f"det J = 0 for K = {n}")
    assert_equal((v_n.T * jacobian_n * v_n)[0], variance_n, f"vᵀJv = Var_p(v) for K = {n}")
    confirm(
        f"K = {n}: J = diag(p) - p pᵀ, symmetric, rows and columns sum to 0, det J = 0, vᵀJv = Var_p(v)"
    )

# %% [markdown]
# ## General K
#
# Now $K$ is a symbol and the indices $i, j, k$ are integer symbols declared on
# $1, \dots, K$. The softmax denominator is an unevaluated sum.
#
# !!! note "Why the index ranges are declared"
#     SymPy differentiates $\sum_k e^{z_k}$ with respect to $z_j$ into
#     $\sum_k e^{z_k} \delta_{jk}$. Its own `.doit()` returns a `Piecewise` that is
#     $e^{z_j}$ only if $1 \le j \le K$. The helper `evaluate_sums` in `derivations/_symbolic.py`
#     collapses such a sum to $e^{z_j}$ only when $j$ is declared on the same range as
#     $k$, so no case is dropped silently.

# %%
i, j = indices("i j")
k = indices("k")
softmax_formula = sp.exp(z[i]) / sum_over(sp.exp(z[k]), k)
show(p[i], softmax_formula, label="softmax, general K")

# %% [markdown]
# First, the probabilities sum to 1. The sum over $i$ of the numerators is the
# denominator again:

# %%
assert_equal(sum_over(softmax_formula, i), 1, "softmax sums to 1")
confirm("sum over i of p_i = 1")


def normalised(expr):
    """Apply sum_k p_k = 1, just proved, to every full-range sum of p in `expr`."""
    return use_normalisation(expr, p)


# %% [markdown]
# ### Step 1: differentiate
#
# SymPy applies the quotient rule. The numerator gives $e^{z_i}\delta_{ij}$, and the
# denominator gives a sum of Kronecker deltas:

# %%
derivative_raw = sp.diff(softmax_formula, z[j])
show(sp.Derivative(p[i], z[j]), derivative_raw, label="quotient rule")

# %% [markdown]
# ### Step 2: collapse the sum of deltas
#
# In $\sum_k e^{z_k}\delta_{jk}$ only the term $k = j$ survives, because $j$ lies in
# $1, \dots, K$:

# %%
derivative_logits = evaluate_sums(derivative_raw)
show(sp.Derivative(p[i], z[j]), derivative_logits, label="delta sum collapsed")

# %% [markdown]
# ### Step 3: write it in p
#
# Substituting $e^{z_i} = p_i \sum_k e^{z_k}$ cancels every denominator:

# %%
jacobian_formula = sp.factor(to_probabilities(derivative_logits, z, p))
show(sp.Derivative(p[i], z[j]), jacobian_formula, label="in terms of p")

# %% [markdown]
# Entry $(i, j)$ of $\operatorname{diag}(p)$ is $p_i \delta_{ij}$ and entry $(i, j)$ of
# $p p^\top$ is $p_i p_j$, so this is the claimed $J = \operatorname{diag}(p) - p p^\top$.
# The general result must agree with the fixed-$K$ Jacobians computed above, entry by
# entry, once $K$ and the indices are given values:

# %%
agrees_for_fixed_K(derivative_logits, fixed_jacobian, FIXED_KS, (i, j))
agrees_for_fixed_K(jacobian_formula, lambda n: claimed_matrix(symbol_vector(p, n)), FIXED_KS, (i, j))
confirm(f"general-K Jacobian = fixed-K Jacobian for K = {', '.join(map(str, FIXED_KS))}")

# %% [markdown]
# ### Step 4: symmetry
#
# $J_{ij} - J_{ji} = (p_i - p_j)\,\delta_{ij}$. When $i \ne j$ the delta is 0, and
# when $i = j$ the bracket is 0, so the proof splits into these two cases:

# %%
jacobian_transposed = jacobian_formula.subs({i: j, j: i}, simultaneous=True)
show(Notation("J_{ij} - J_{ji}", "J_ij - J_ji"), sp.factor(jacobian_formula - jacobian_transposed))
assert_zero(jacobian_formula - jacobian_transposed, "J symmetric", delta_cases=[(i, j)])
confirm("J_ij = J_ji")

# %% [markdown]
# ### Step 5: rows and columns sum to 0, so J is singular
#
# Summing row $i$ over $j$ collapses the delta and leaves $p_i - p_i \sum_j p_j$:

# %%
row_sum = evaluate_sums(sum_over(jacobian_formula, j))
column_sum = evaluate_sums(sum_over(jacobian_formula, i))
show(Notation(r"\sum_j J_{ij}", "Σ_j J_ij"), row_sum, label="row sum")
show(Notation(r"\sum_i J_{ij}", "Σ_i J_ij"), column_sum, label="column sum")

# %% [markdown]
# With $\sum_k p_k = 1$ both are 0. So $J \mathbf{1} = 0$: the all-ones vector is in
# the null space and $J$ is singular. This is shift invariance again: moving every logit
# by the same amount, the direction $\mathbf{1}$, does not change $p$, so the derivative
# in that direction is 0.

# %%
assert_zero(row_sum, "rows of J sum to 0", rules=[normalised])
assert_zero(column_sum, "columns of J sum to 0", rules=[normalised])
confirm("J 1 = 0 and 1ᵀ J = 0")

# %% [markdown]
# ### Step 6: positive semi-definite
#
# The quadratic form $v^\top J v = \sum_i \sum_j v_i J_{ij} v_j$ reduces to a second
# moment minus a squared first moment, which is a variance:

# %%
quadratic_form_formula = reduce(
    sum_over(sum_over(v[i] * jacobian_formula * v[j], j), i), rules=[normalised]
)
show(Notation(r"v^{\top} J v", "vᵀ J v"), quadratic_form_formula)

mean_v = sum_over(p[k] * v[k], k)
variance_formula = sum_over(p[i] * (v[i] - mean_v) ** 2, i)
assert_equal(quadratic_form_formula, variance_formula, "vᵀJv = Var_p(v)", rules=[normalised])
show(Notation(r"v^{\top} J v", "vᵀ J v"), variance_formula, label="as a variance")

# %% [markdown]
# Each term $p_i (v_i - \langle p, v\rangle)^2$ is a positive number times a square, so
# the sum is $\ge 0$ for every real $v$, and $J$ is positive semi-definite. The form is 0
# only if every $v_i$ equals the mean, that is, only if $v$ is a multiple of
# $\mathbf{1}$. The null space is exactly the line of $\mathbf{1}$, so $J$ has rank $K - 1$.

# %%
variance_term = variance_formula.function
assert variance_term.is_nonnegative, f"SymPy cannot show {variance_term} >= 0"
agrees_for_fixed_K(
    variance_formula,
    lambda n: (symbol_vector(v, n).T * claimed_matrix(symbol_vector(p, n)) * symbol_vector(v, n))[0],
    FIXED_KS,
    fixed_rule=eliminate_last,
)
confirm("vᵀ J v = Σ_i p_i (v_i - ⟨p, v⟩)² ≥ 0")

# %% [markdown]
# ### Step 7: the Jacobian-vector product in O(K)
#
# Reverse-mode and forward-mode differentiation only ever need $J v$ or $v^\top J$ (the
# same thing, since $J$ is symmetric). Summing row $i$ of $J$ against $v$:

# %%
jvp_formula = sp.collect(reduce(sum_over(jacobian_formula * v[j], j), rules=[normalised]), p[i])
show(Notation(r"(J v)_i", "(J v)_i"), jvp_formula)
assert_equal(jvp_formula, p[i] * (v[i] - mean_v), "(Jv)_i = p_i (v_i - ⟨p, v⟩)")
agrees_for_fixed_K(
    jvp_formula,
    lambda n: claimed_matrix(symbol_vector(p, n)) * symbol_vector(v, n),
    FIXED_KS,
    (i,),
)
confirm("(J v)_i = p_i (v_i - ⟨p, v⟩)")

# %% [markdown]
# That is $J v = p \odot (v - \langle p, v\rangle \mathbf{1})$: one dot product and two
# elementwise operations, $O(K)$, where forming $J$ and multiplying costs $O(K^2)$. SymPy
# counts the arithmetic operations of both forms, with the entries of $J$ as opaque
# symbols:

# %%
print(f"{'K':>3} {'J @ v':>8} {'p*(v - <p,v>)':>14}")
for n in FIXED_KS:
    entries = sp.Matrix(n, n, lambda a, b: sp.Symbol(f"J{a}{b}"))
    v_n = symbol_vector(v, n)
    p_n = symbol_vector(p, n)
    dense_count = sum(sp.count_ops(entry) for entry in entries * v_n)
    mean_n = sp.Symbol("m")
    dot_count = sp.count_ops((p_n.T * v_n)[0])
    fast_count = dot_count + sum(sp.count_ops(p_n[a] * (v_n[a] - mean_n)) for a in range(n))
    print(f"{n:>3} {dense_count:>8} {fast_count:>14}")

# %% [markdown]
# ## Result
#
# For every number of classes $K$, SymPy derived:

# %%
show(sp.Derivative(p[i], z[j]), jacobian_formula, label="Jacobian")
show(Notation(r"v^{\top} J v", "vᵀ J v"), variance_formula, label="quadratic form")
show(Notation(r"(J v)_i", "(J v)_i"), jvp_formula, label="Jacobian-vector product")

# %% [markdown]
# ## Assertion
#
# The final check restates the claim in SymPy and reduces each difference to 0.

# %%
assert_equal(jacobian_formula, p[i] * (sp.KroneckerDelta(i, j) - p[j]), "∂p_i/∂z_j = p_i (δ_ij - p_j)")
assert_equal(
    from_probabilities(jacobian_formula, p, z),
    sp.diff(softmax_formula, z[j]),
    "the formula in p is the derivative of softmax",
)
assert_equal(jvp_formula, p[i] * (v[i] - mean_v), "J v = p ⊙ (v - ⟨p, v⟩)")
assert_equal(quadratic_form_formula, variance_formula, "vᵀJv = Var_p(v)", rules=[normalised])
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#softmax_jacobian) lists those tests
# with their source.
