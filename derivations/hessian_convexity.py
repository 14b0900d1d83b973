# %% [markdown]
# # The Hessian and convexity of cross-entropy
#
# **Claim.** For a target $y$ with $\sum_k y_k = 1$, the cross-entropy
# $L = -\sum_k y_k \log p_k$ with $p = \operatorname{softmax}(z)$ has the Hessian
#
# $$
# \nabla_z^2 L = \operatorname{diag}(p) - p\,p^\top ,
# $$
#
# which does not depend on $y$ and is positive semi-definite. So $L$ is convex in the
# logits. For a linear model $z = Wx + b$ with $W$ of shape $(K, d)$ and $b$ of shape
# $(K,)$,
#
# $$
# \frac{\partial L}{\partial W} = (p - y)\,x^\top , \qquad
# \frac{\partial L}{\partial b} = p - y ,
# $$
#
# and over a batch of $N$ rows, with $X$ of shape $(N, d)$ and $P$, $Y$ of shape $(N, K)$,
# the mean loss has $\partial L / \partial W = (P - Y)^\top X / N$ and
# $\partial L / \partial b = \frac{1}{N}\sum_n (P_n - Y_n)$. The Hessian in
# $\operatorname{vec}(W)$ (row-major) is $(\operatorname{diag}(p) - p p^\top) \otimes x x^\top$,
# a Kronecker product of positive semi-definite matrices, so $L$ is convex in $W$ too.

# %%
import functools

import sympy as sp

from _symbolic import (
    K,
    Notation,
    agrees_for_fixed_K,
    assert_equal,
    assert_zero,
    confirm,
    diagonal_matrix,
    evaluate_sums,
    expand_finite_sums,
    from_probabilities,
    indices,
    plain_bases,
    reduce,
    show,
    softmax_of,
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
# Classes are indexed by $i, j, k, l$ over $1, \dots, K$, features by $m$ over
# $1, \dots, d$ and batch rows by $n$ over $1, \dots, N$. From the page on the gradient of
# cross-entropy, with $\sum_k y_k = 1$ the loss is
# $L = \operatorname{LSE}(z) - \sum_k y_k z_k$.

# %%
d, N = sp.symbols("d N", integer=True, positive=True)
i, j, l = indices("i j l")
k = indices("k")
a, a2 = indices("a a'")
m, c, c2 = indices("m c c'", upper=d)
n = indices("n", upper=N)

z = sp.IndexedBase("z", real=True)
p = sp.IndexedBase("p", positive=True)
y = sp.IndexedBase("y", nonnegative=True)
v = sp.IndexedBase("v", real=True)

loss_formula = sp.log(sum_over(sp.exp(z[k]), k)) - sum_over(y[k] * z[k], k)
show(sp.Symbol("L"), loss_formula)


def probabilities_sum_to_one(expr):
    """Apply sum_k p_k = 1 to every full-range sum of p in `expr`."""
    return use_normalisation(expr, p)


FIXED_KS = (2, 3, 4)

# Left-hand sides of the displayed equations.
DL_DZ = Notation(r"\frac{\partial L}{\partial z_j}", "∂L/∂z_j")
D2L_DZ2 = Notation(r"\frac{\partial^2 L}{\partial z_j \partial z_l}", "∂²L/∂z_j∂z_l")
DL_DW = Notation(r"\frac{\partial L}{\partial W_{ac}}", "∂L/∂W_ac")
DL_DB = Notation(r"\frac{\partial L}{\partial b_a}", "∂L/∂b_a")
D2L_DW2 = Notation(r"\frac{\partial^2 L}{\partial W_{ac} \partial W_{a'c'}}", "∂²L/∂W_ac∂W_a'c'")

# %% [markdown]
# ## Step 1: the Hessian in the logits
#
# Differentiating twice, first by $z_j$ and then by $z_l$, and collapsing the delta sums
# after each step:

# %%
gradient_logits = evaluate_sums(sp.diff(loss_formula, z[j]))
hessian_logits = evaluate_sums(sp.diff(gradient_logits, z[l]))
show(DL_DZ, gradient_logits, label="first derivative")
show(D2L_DZ2, hessian_logits, label="second derivative")

# %% [markdown]
# The target entered the gradient as the constant $-y_j$, so it is gone after the second
# differentiation. In $p$ the Hessian is the softmax Jacobian:

# %%
hessian_formula = sp.factor(to_probabilities(hessian_logits, z, p))
show(D2L_DZ2, hessian_formula)
assert not hessian_formula.has(y), f"the Hessian should not depend on y: {hessian_formula}"
assert_equal(hessian_formula, p[j] * (sp.KroneckerDelta(j, l) - p[l]), "∇²L = diag(p) - p pᵀ")
confirm("∇²_z L = diag(p) - p pᵀ, with no y in it")

# %% [markdown]
# SymPy's Hessian of $-\sum_k y_k \log p_k$ for each fixed $K = 2, 3, 4$, with $p$
# written out as exponentials, must agree entry by entry once $y_K = 1 - y_1 - \dots - y_{K-1}$:

# %%
@functools.cache
def fixed_hessian(size):
    """Return the Hessian of -sum_k y_k log softmax(z)_k in z for `size` classes."""
    z_plain, y_plain, restore = plain_bases(z, y)
    logits = symbol_vector(z_plain, size)
    # log(e^{z_k} / S) = z_k - log S is valid because both parts are positive.
    probabilities = softmax_vector(z_plain, size)
    loss = -sum(y_plain[q + 1] * sp.log(probabilities[q]) for q in range(size))
    loss = sp.expand_log(loss, force=True)
    gradient = sp.Matrix([loss]).jacobian(logits)
    return restore(gradient.jacobian(logits))


def eliminate_last_target(expr, size):
    """Substitute y_K = 1 - y_1 - ... - y_(K-1) in `expr`, which uses sum_k y_k = 1."""
    return substitute(expr, {y[size]: 1 - sum(y[q] for q in range(1, size))})


agrees_for_fixed_K(
    from_probabilities(hessian_formula, p, z),
    fixed_hessian,
    FIXED_KS,
    (j, l),
    fixed_rule=eliminate_last_target,
)
confirm(f"general-K Hessian = fixed-K Hessian for K = {', '.join(map(str, FIXED_KS))}")

# %% [markdown]
# !!! note "Targets that do not sum to 1"
#     The derivation above used $\sum_k y_k = 1$ to write $L$. Without it,
#     $L = \operatorname{LSE}(z) \sum_k y_k - \sum_k y_k z_k$, and the Hessian gains the
#     factor $\sum_k y_k$. It is still positive semi-definite for $y \ge 0$:

# %%
loss_any_targets = sp.log(sum_over(sp.exp(z[k]), k)) * sum_over(y[k], k) - sum_over(y[k] * z[k], k)
hessian_any_targets = evaluate_sums(sp.diff(evaluate_sums(sp.diff(loss_any_targets, z[j])), z[l]))
hessian_any_targets = sp.factor(to_probabilities(hessian_any_targets, z, p))
show(D2L_DZ2, hessian_any_targets, label="any y ≥ 0")
assert_equal(hessian_any_targets, sum_over(y[k], k) * hessian_formula, "∇²L = (Σ_k y_k)(diag(p) - p pᵀ)")
# fixed_hessian(K) keeps every y_k free, so it is the reference for any targets as it is.
agrees_for_fixed_K(from_probabilities(hessian_any_targets, p, z), fixed_hessian, FIXED_KS, (j, l))

# %% [markdown]
# ## Step 2: positive semi-definite, so convex
#
# For any direction $v$, $v^\top (\nabla^2 L) v$ reduces to a variance under $p$:

# %%
quadratic_form = reduce(
    sum_over(sum_over(v[j] * hessian_formula * v[l], l), j), rules=[probabilities_sum_to_one]
)
variance_formula = sum_over(p[i] * (v[i] - sum_over(p[k] * v[k], k)) ** 2, i)
show(Notation(r"v^{\top} \nabla^2 L\, v", "vᵀ ∇²L v"), quadratic_form, variance_formula)
assert_equal(
    quadratic_form, variance_formula, "vᵀ∇²Lv = Var_p(v)", rules=[probabilities_sum_to_one]
)
assert variance_formula.function.is_nonnegative, "each term p_i (v_i - <p, v>)^2 must be >= 0"


def fixed_quadratic_form(size):
    """Return vᵀ (diag(p) - p pᵀ) v for `size` classes with p_K = 1 - p_1 - ... - p_(K-1)."""
    probabilities, direction = symbol_vector(p, size), symbol_vector(v, size)
    jacobian = diagonal_matrix(probabilities) - probabilities * probabilities.T
    form = (direction.T * jacobian * direction)[0]
    return eliminate_last_probability(form, size)


def eliminate_last_probability(expr, size):
    """Substitute p_K = 1 - p_1 - ... - p_(K-1) in `expr`, which uses sum_k p_k = 1."""
    return substitute(expr, {p[size]: 1 - sum(p[q] for q in range(1, size))})


agrees_for_fixed_K(
    variance_formula, fixed_quadratic_form, FIXED_KS, fixed_rule=eliminate_last_probability
)
confirm("vᵀ ∇²L v = Σ_i p_i (v_i - ⟨p, v⟩)² ≥ 0, so L is convex in z")

# %% [markdown]
# A function whose Hessian is positive semi-definite everywhere is convex. Cross-entropy
# is convex in the logits, but not strictly: along $v = \mathbf{1}$ the variance is 0,
# which is the shift invariance of softmax.
#
# ## Step 3: a linear model, z = Wx + b
#
# Now the logits are $z_k = \sum_m W_{km} x_m + b_k$. SymPy differentiates the loss with
# respect to one weight $W_{ac}$ directly:

# %%
W = sp.IndexedBase("W", real=True)
x = sp.IndexedBase("x", real=True)
b = sp.IndexedBase("b", real=True)


def linear_logit(q):
    """Return z_q = sum_m W_qm x_m + b_q."""
    return sum_over(W[q, m] * x[m], m) + b[q]


def name_logits(expr):
    """Replace each exp(sum_m W_qm x_m + b_q) by exp(z_q), so softmax can be recognised."""

    def logit_index(e):
        if not isinstance(e, sp.exp):
            return None
        for term in e.args[0].atoms(sp.Indexed):
            if term.base == b and sp.expand(e.args[0] - linear_logit(term.indices[0])) == 0:
                return term.indices[0]
        return None

    return expr.replace(lambda e: logit_index(e) is not None, lambda e: sp.exp(z[logit_index(e)]))


loss_linear = loss_formula.replace(
    lambda e: isinstance(e, sp.Indexed) and e.base == z,
    lambda e: linear_logit(e.indices[0]),
)
show(sp.Symbol("L"), loss_linear, label="loss of a linear model")

# %%
weight_gradient_raw = sp.diff(loss_linear, W[a, c])
bias_gradient_raw = sp.diff(loss_linear, b[a])
weight_gradient_formula = sp.factor(
    to_probabilities(name_logits(evaluate_sums(weight_gradient_raw)), z, p)
)
bias_gradient_formula = sp.factor(to_probabilities(name_logits(evaluate_sums(bias_gradient_raw)), z, p))
show(DL_DW, weight_gradient_formula, label="weights")
show(DL_DB, bias_gradient_formula, label="bias")
assert_equal(weight_gradient_formula, (p[a] - y[a]) * x[c], "∂L/∂W = (p - y) xᵀ")
assert_equal(bias_gradient_formula, p[a] - y[a], "∂L/∂b = p - y")
confirm("∂L/∂W_ac = (p_a - y_a) x_c and ∂L/∂b_a = p_a - y_a")

# %% [markdown]
# Entry $(a, c)$ of the outer product $(p - y)\,x^\top$ is $(p_a - y_a)\,x_c$, so
# $\partial L / \partial W = (p - y)\,x^\top$, with the shape $(K, d)$ of $W$.
#
# ## Step 4: a batch
#
# For $N$ rows $x_n$ (the rows of $X$, shape $(N, d)$) with targets $Y_n$, the mean loss
# is $\frac{1}{N}\sum_n L_n$, where row $n$ has logits $Z_{nk} = \sum_m W_{km} X_{nm} + b_k$.

# %%
X = sp.IndexedBase("X", real=True)
Y = sp.IndexedBase("Y", nonnegative=True)
Z = sp.IndexedBase("Z", real=True)
P = sp.IndexedBase("P", positive=True)


def batch_logit(row, q):
    """Return Z_row,q = sum_m W_qm X_row,m + b_q."""
    return sum_over(W[q, m] * X[row, m], m) + b[q]


def name_batch_logits(expr):
    """Replace each exp(sum_m W_qm X_nm + b_q) by exp(Z_nq)."""

    def logit_position(e):
        if not isinstance(e, sp.exp):
            return None
        bias = [term for term in e.args[0].atoms(sp.Indexed) if term.base == b]
        features = [term for term in e.args[0].atoms(sp.Indexed) if term.base == X]
        if len(bias) != 1 or not features:
            return None
        row, q = features[0].indices[0], bias[0].indices[0]
        return (row, q) if sp.expand(e.args[0] - batch_logit(row, q)) == 0 else None

    return expr.replace(
        lambda e: logit_position(e) is not None,
        lambda e: sp.exp(Z[logit_position(e)]),
    )


row_loss = sp.log(sum_over(sp.exp(batch_logit(n, k)), k)) - sum_over(Y[n, k] * batch_logit(n, k), k)
batch_loss = sum_over(row_loss, n) / N
show(sp.Symbol("L"), batch_loss, label="mean loss over the batch")

# %%
batch_weight_gradient = sp.expand(
    to_probabilities(name_batch_logits(evaluate_sums(sp.diff(batch_loss, W[a, c]))), Z, P)
)
batch_bias_gradient = sp.expand(
    to_probabilities(name_batch_logits(evaluate_sums(sp.diff(batch_loss, b[a]))), Z, P)
)
show(DL_DW, batch_weight_gradient, label="batch, weights")
show(DL_DB, batch_bias_gradient, label="batch, bias")
claimed_batch_weight_gradient = sum_over((P[n, a] - Y[n, a]) * X[n, c], n) / N
assert_equal(batch_weight_gradient, claimed_batch_weight_gradient, "∂L/∂W = (P - Y)ᵀ X / N")
assert_equal(batch_bias_gradient, sum_over(P[n, a] - Y[n, a], n) / N, "∂L/∂b = mean of P - Y")
confirm("∂L/∂W_ac = (1/N) Σ_n (P_na - Y_na) X_nc and ∂L/∂b_a = (1/N) Σ_n (P_na - Y_na)")

# %% [markdown]
# $\sum_n (P_{na} - Y_{na}) X_{nc}$ is entry $(a, c)$ of $(P - Y)^\top X$: the shapes are
# $(K, N)$ times $(N, d)$, which is $(K, d)$ like $W$. Written with column vectors
# $x_n$, the same matrix is $X^\top (P - Y)$ transposed. For small fixed sizes SymPy
# builds the matrices and the batch loss with explicit entries, differentiates, and
# compares:

# %%
def fixed_batch_check(rows, classes, features):
    """Compare d(mean loss)/dW and d(mean loss)/db with (P - Y)ᵀX/N and the mean of P - Y."""
    # Both sides are computed in the plain copies, so nothing needs restoring.
    W_plain, b_plain, X_plain, Y_plain, _ = plain_bases(W, b, X, Y)
    weights = sp.Matrix(classes, features, lambda q, r: W_plain[q + 1, r + 1])
    bias = sp.Matrix([b_plain[q + 1] for q in range(classes)])
    inputs = sp.Matrix(rows, features, lambda s, r: X_plain[s + 1, r + 1])
    targets = sp.Matrix(rows, classes, lambda s, q: Y_plain[s + 1, q + 1])
    logits = inputs * weights.T + sp.ones(rows, 1) * bias.T  # (N, K)
    probabilities = sp.Matrix.vstack(*(softmax_of(logits.row(s)).T for s in range(rows)))  # (N, K)
    entries = [(s, q) for s in range(rows) for q in range(classes)]
    summed_loss = -sum(targets[s, q] * sp.log(probabilities[s, q]) for s, q in entries)
    mean_loss = sp.expand_log(summed_loss / rows, force=True)
    weight_gradient = sp.Matrix(classes, features, lambda q, r: sp.diff(mean_loss, weights[q, r]))
    bias_gradient = sp.Matrix([sp.diff(mean_loss, bias[q]) for q in range(classes)])
    # The derivation needs each target row to sum to 1.
    last_class = {
        targets[s, classes - 1]: 1 - sum(targets[s, q] for q in range(classes - 1)) for s in range(rows)
    }
    claimed_weight = (probabilities - targets).T * inputs / rows
    claimed_bias = (probabilities - targets).T * sp.ones(rows, 1) / rows
    sizes = f"N, K, d = {rows}, {classes}, {features}"
    weight_gradient, claimed_weight = weight_gradient.xreplace(last_class), claimed_weight.xreplace(last_class)
    bias_gradient, claimed_bias = bias_gradient.xreplace(last_class), claimed_bias.xreplace(last_class)
    assert_equal(weight_gradient, claimed_weight, f"∂L/∂W for {sizes}")
    assert_equal(bias_gradient, claimed_bias, f"∂L/∂b for {sizes}")


for sizes in [(1, 3, 2), (2, 2, 2)]:
    fixed_batch_check(*sizes)
    confirm(f"N, K, d = {sizes}: ∂L/∂W = (P - Y)ᵀ X / N, ∂L/∂b = mean of P - Y")

# %% [markdown]
# ## Step 5: convexity in W
#
# Differentiating $\partial L / \partial W_{ac}$ once more, by $W_{a'c'}$, gives the
# Hessian in the weights. Stack the weights row by row into $\operatorname{vec}(W)$,
# so that $W_{ac}$ is entry $(a - 1)d + c$:

# %%
weight_hessian_raw = sp.diff(evaluate_sums(weight_gradient_raw), W[a2, c2])
weight_hessian_formula = sp.factor(
    to_probabilities(name_logits(evaluate_sums(weight_hessian_raw)), z, p)
)
show(D2L_DW2, weight_hessian_formula)
assert_equal(
    weight_hessian_formula,
    p[a] * (sp.KroneckerDelta(a, a2) - p[a2]) * x[c] * x[c2],
    "∇²_W L = (diag(p) - p pᵀ) ⊗ x xᵀ",
)

# %% [markdown]
# The factor $p_a(\delta_{aa'} - p_{a'})$ is entry $(a, a')$ of $\operatorname{diag}(p) - p p^\top$
# and $x_c x_{c'}$ is entry $(c, c')$ of $x x^\top$. Their product at row $(a - 1)d + c$ and
# column $(a' - 1)d + c'$ is the Kronecker product
# $(\operatorname{diag}(p) - p p^\top) \otimes x x^\top$. SymPy's Hessian of the loss in
# $\operatorname{vec}(W)$ for $(K, d) = (2, 2)$ and $(3, 1)$ agrees with SymPy's `kronecker_product`:

# %%
def fixed_weight_hessian(classes, features):
    """Return SymPy's Hessian in vec(W) and the claimed Kronecker product, both in exp(z)."""
    # Both sides are computed in the plain copies, so nothing needs restoring.
    W_plain, b_plain, x_plain, y_plain, _ = plain_bases(W, b, x, y)
    weights = sp.Matrix(classes, features, lambda q, r: W_plain[q + 1, r + 1])
    inputs = sp.Matrix([x_plain[r + 1] for r in range(features)])
    logits = weights * inputs + sp.Matrix([b_plain[q + 1] for q in range(classes)])
    probabilities = softmax_of(logits)
    loss = -sum(y_plain[q + 1] * sp.log(probabilities[q]) for q in range(classes))
    loss = sp.expand_log(loss, force=True)
    loss = loss.xreplace({y_plain[classes]: 1 - sum(y_plain[q + 1] for q in range(classes - 1))})
    variables = list(weights)  # row-major, as vec(W)
    gradient = sp.Matrix([loss]).jacobian(variables)
    hessian = gradient.jacobian(variables)
    jacobian = sp.diag(*probabilities) - probabilities * probabilities.T
    return hessian, sp.kronecker_product(jacobian, inputs * inputs.T)


for classes, features in [(2, 2), (3, 1)]:
    hessian, claimed = fixed_weight_hessian(classes, features)
    sizes = f"K = {classes}, d = {features}"
    assert_equal(hessian, claimed, f"∇²_vec(W) L = (diag(p) - p pᵀ) ⊗ x xᵀ for {sizes}")
    confirm(f"{sizes}: ∇²_vec(W) L = (diag(p) - p pᵀ) ⊗ x xᵀ")

# %% [markdown]
# The eigenvalues of a Kronecker product are the products of the eigenvalues of the
# factors. Both factors are positive semi-definite ($x x^\top$ has eigenvalues
# $\lVert x \rVert^2$ and 0), so the products are $\ge 0$. The same follows directly:
# for a direction $V$ of shape $(K, d)$, the quadratic form of the weight Hessian is the
# variance of $u = V x$ under $p$.

# %%
V = sp.IndexedBase("V", real=True)
quadratic_form_terms = V[a, c] * weight_hessian_formula * V[a2, c2]
weight_quadratic_form = reduce(
    sum_over(sum_over(sum_over(sum_over(quadratic_form_terms, c2), a2), c), a),
    rules=[probabilities_sum_to_one],
)
u = {q: sum_over(V[q, m] * x[m], m) for q in (a, k)}  # u = V x, entry by entry
weight_variance = sum_over(p[a] * (u[a] - sum_over(p[k] * u[k], k)) ** 2, a)
show(
    Notation(r"\operatorname{vec}(V)^{\top} \nabla^2_W L \operatorname{vec}(V)", "vec(V)ᵀ ∇²_W L vec(V)"),
    weight_quadratic_form,
)
assert_equal(
    weight_quadratic_form,
    weight_variance,
    "vec(V)ᵀ ∇²_W L vec(V) = Var_p(V x)",
    rules=[probabilities_sum_to_one],
)
assert weight_variance.function.is_nonnegative, "each term of the variance must be >= 0"

# For K = 2 classes and d = 2 features: vec(V)ᵀ (J ⊗ x xᵀ) vec(V) with explicit entries.
direction = sp.Matrix(2, 2, lambda q, r: V[q + 1, r + 1])
inputs = symbol_vector(x, 2)
probabilities = symbol_vector(p, 2)
jacobian = diagonal_matrix(probabilities) - probabilities * probabilities.T
vec_direction = sp.Matrix(list(direction))  # row-major, as vec(W)
fixed_form = (vec_direction.T * sp.kronecker_product(jacobian, inputs * inputs.T) * vec_direction)[0]
general_form = expand_finite_sums(substitute(weight_variance, {K: 2, d: 2}))
assert_zero(
    eliminate_last_probability(general_form - fixed_form, 2),
    "vec(V)ᵀ ∇²_W L vec(V) = Var_p(V x) for K = 2, d = 2",
)
confirm("vec(V)ᵀ ∇²_W L vec(V) = Var_p(V x) ≥ 0, so L is convex in W")

# %% [markdown]
# ## Result

# %%
show(D2L_DZ2, hessian_formula, label="Hessian in the logits")
show(DL_DW, weight_gradient_formula, label="gradient in W")
show(DL_DB, bias_gradient_formula, label="gradient in b")
show(DL_DW, batch_weight_gradient, label="batch gradient in W")
show(D2L_DW2, weight_hessian_formula, label="Hessian in W")

# %% [markdown]
# ## Assertion

# %%
assert_equal(hessian_formula, p[j] * (sp.KroneckerDelta(j, l) - p[l]), "∇²_z L = diag(p) - p pᵀ")
assert not hessian_formula.has(y), "∇²_z L does not depend on y"
assert_equal(
    quadratic_form, variance_formula, "vᵀ∇²Lv = Var_p(v) ≥ 0", rules=[probabilities_sum_to_one]
)
assert_equal(weight_gradient_formula, (p[a] - y[a]) * x[c], "∂L/∂W = (p - y) xᵀ")
assert_equal(bias_gradient_formula, p[a] - y[a], "∂L/∂b = p - y")
assert_equal(batch_weight_gradient, claimed_batch_weight_gradient, "∂L/∂W = (P - Y)ᵀ X / N")
assert_equal(
    weight_hessian_formula,
    p[a] * (sp.KroneckerDelta(a, a2) - p[a2]) * x[c] * x[c2],
    "∇²_W L = (diag(p) - p pᵀ) ⊗ x xᵀ",
)
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#hessian_convexity) lists those tests
# with their source.
