# %% [markdown]
# # Softmax properties, derived
#
# **Claim.** For logits $z \in \mathbb{R}^K$ and $p = \operatorname{softmax}(z)$:
#
# 1. Softmax preserves order: $p_i / p_j = e^{z_i - z_j}$, so $p_i > p_j$ exactly when
#    $z_i > z_j$, and the most probable class is the class with the largest logit.
# 2. For $K = 2$ it is the logistic sigmoid of the difference:
#    $p_1 = \sigma(z_1 - z_2)$ with $\sigma(t) = 1 / (1 + e^{-t})$.
# 3. With a temperature $T > 0$, $\operatorname{softmax}(z / T)$ tends to the one-hot
#    vector of the largest logit as $T \to 0^+$ and to the uniform distribution $1/K$ as
#    $T \to \infty$. Its derivative in $T$ is
#    $\partial p_i / \partial T = -p_i (z_i - \langle p, z \rangle) / T^2$.
# 4. For a linear model $z = Wx + b$, the boundary where classes $i$ and $j$ are equally
#    probable, $p_i = p_j$, is the hyperplane $(w_i - w_j) \cdot x + (b_i - b_j) = 0$,
#    where $w_i$ is row $i$ of $W$.

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
    plain_bases,
    show,
    softmax_vector,
    sum_over,
    symbol_vector,
    to_probabilities,
)

# %% [markdown]
# ## Definitions

# %%
i, j = indices("i j")
k = indices("k")
z = sp.IndexedBase("z", real=True)
p = sp.IndexedBase("p", positive=True)
T = sp.Symbol("T", positive=True)

softmax_formula = sp.exp(z[i]) / sum_over(sp.exp(z[k]), k)
show(p[i], softmax_formula)

# %% [markdown]
# ## Step 1: softmax preserves order
#
# In the ratio of two probabilities the denominators cancel:

# %%
ratio_formula = sp.powsimp(sp.cancel(softmax_formula / softmax_formula.subs(i, j)))
show(Notation(r"\frac{p_i}{p_j}", "p_i/p_j"), ratio_formula)
assert_equal(ratio_formula, sp.exp(z[i] - z[j]), "p_i / p_j = exp(z_i - z_j)")


def fixed_ratios(size):
    """Return the matrix of p_a / p_b for `size` classes, with p written out as exponentials."""
    probabilities = softmax_vector(z, size)
    return sp.Matrix(size, size, lambda a, b: probabilities[a] / probabilities[b])


agrees_for_fixed_K(ratio_formula, fixed_ratios, (2, 3, 4), (i, j))

# %% [markdown]
# With $u = z_i - z_j$, SymPy solves $e^u > 1$ and $e^u < 1$ over the reals: the ratio
# exceeds 1 exactly when $z_i > z_j$ and falls below 1 exactly when $z_i < z_j$:

# %%
u = sp.Symbol("u", real=True)
above_one = sp.solve_univariate_inequality(sp.exp(u) > 1, u, relational=False)
below_one = sp.solve_univariate_inequality(sp.exp(u) < 1, u, relational=False)
show(Notation(r"\{u : e^u > 1\}", "{u : exp(u) > 1}"), above_one)
show(Notation(r"\{u : e^u < 1\}", "{u : exp(u) < 1}"), below_one)
assert above_one == sp.Interval.open(0, sp.oo), above_one
assert below_one == sp.Interval.open(-sp.oo, 0), below_one
confirm("p_i > p_j exactly when z_i > z_j, so argmax p = argmax z")

# %% [markdown]
# ## Step 2: two classes give the sigmoid
#
# With $K = 2$, dividing the numerator and the denominator of $p_1$ by $e^{z_1}$:

# %%
z1, z2 = z[1], z[2]
p1 = softmax_vector(z, 2)[0]
inverse = sp.powsimp(sp.expand(1 / p1))
sigmoid_form = 1 / inverse
show(p[1], p1, sigmoid_form)

t = sp.Symbol("t", real=True)
sigmoid = 1 / (1 + sp.exp(-t))
assert_equal(sigmoid_form, sigmoid.subs(t, z1 - z2), "p_1 = σ(z_1 - z_2)")
assert_equal(softmax_vector(z, 2)[1], sigmoid.subs(t, z2 - z1), "p_2 = σ(z_2 - z_1)")
assert_equal(sigmoid.subs(t, z2 - z1), 1 - sigmoid.subs(t, z1 - z2), "σ(-t) = 1 - σ(t)")
confirm("K = 2: p_1 = σ(z_1 - z_2) and p_2 = 1 - p_1")

# %% [markdown]
# Only the difference of the two logits matters, which is shift invariance again. Binary
# logistic regression is two-class softmax regression with one logit fixed at 0. The
# derivative of the sigmoid is the $K = 2$ softmax Jacobian entry $p_1 (1 - p_1)$:

# %%
sigmoid_derivative = sp.diff(sigmoid, t)
assert_equal(sigmoid_derivative, sigmoid * (1 - sigmoid), "σ' = σ (1 - σ)")
show(Notation(r"\sigma'(t)", "σ'(t)"), sigmoid_derivative, sp.factor(sigmoid * (1 - sigmoid)))

# %% [markdown]
# ## Step 3: temperature
#
# Dividing the logits by $T$ keeps their order, by step 1, but changes how peaked the
# distribution is. By shift invariance, subtract the largest logit. Number the classes so
# that it is $z_1$, and write $z_k = z_1 - g_k$ with gaps $g_k > 0$. SymPy takes the limits
# for each fixed $K = 2, 3, 4$:

# %%
def temperature_softmax_with_gaps(size):
    """Return softmax(z / T) for logits (0, -g_2, ..., -g_size), and the gap symbols."""
    gaps = sp.symbols(f"g_2:{size + 1}", positive=True)
    logits = sp.Matrix([0, *(-gap for gap in gaps)])
    exponentials = [sp.exp(logit / T) for logit in logits]
    total = sp.Add(*exponentials)
    return sp.Matrix([e / total for e in exponentials]), gaps


COLD_LIMIT = Notation(r"\lim_{T \to 0^+} \operatorname{softmax}(z / T)", "lim T→0⁺ softmax(z/T)")
HOT_LIMIT = Notation(r"\lim_{T \to \infty} \operatorname{softmax}(z / T)", "lim T→∞ softmax(z/T)")
cold_limits = {}
hot_limits = {}
for size in (2, 3, 4):
    probabilities, gaps = temperature_softmax_with_gaps(size)
    cold_limits[size] = probabilities.applyfunc(lambda entry: sp.limit(entry, T, 0, "+"))
    hot_limits[size] = probabilities.applyfunc(lambda entry: sp.limit(entry, T, sp.oo))
    show(COLD_LIMIT, cold_limits[size].T, label=f"K = {size}, T → 0⁺")
    show(HOT_LIMIT, hot_limits[size].T, label=f"K = {size}, T → ∞")
    assert cold_limits[size] == sp.Matrix([1] + [0] * (size - 1)), cold_limits[size]
    assert hot_limits[size] == sp.Matrix([sp.Rational(1, size)] * size), hot_limits[size]
confirm("T → 0⁺ gives the one-hot argmax and T → ∞ gives 1/K, for K = 2, 3, 4")

# %% [markdown]
# SymPy cannot take these limits for a symbolic $K$, because `limit` does not handle a
# sum with a symbolic number of terms, so the page checks them numerically instead, for
# every $K$ from 2 to 50, with distinct random logits:

# %%
rng = np.random.default_rng(0)
for size in range(2, 51):
    logits = rng.permutation(np.linspace(-2.0, 2.0, size))  # distinct, gaps at least 4/49
    for temperature, expected in [
        (1e-3, np.eye(size)[np.argmax(logits)]),
        (1e9, np.full(size, 1 / size)),
    ]:
        scaled = logits / temperature
        probabilities = np.exp(scaled - scaled.max())  # shifted by the maximum, as softmax must be
        probabilities /= probabilities.sum()
        assert np.allclose(probabilities, expected, rtol=0, atol=1e-8), (size, temperature)
confirm("numerically, T = 10⁻³ gives the one-hot argmax and T = 10⁹ gives 1/K, for K = 2, ..., 50")

# %% [markdown]
# !!! note "Ties"
#     If several logits share the maximum, the cold limit splits the mass equally between
#     them. For $K = 3$ with $z_1 = z_2 > z_3$:

# %%
tie_gap = sp.Symbol("g_3", positive=True)
tie_exponentials = [sp.Integer(1), sp.Integer(1), sp.exp(-tie_gap / T)]
tie_limits = sp.Matrix([sp.limit(e / sp.Add(*tie_exponentials), T, 0, "+") for e in tie_exponentials])
show(COLD_LIMIT, tie_limits.T)
assert tie_limits == sp.Matrix([sp.Rational(1, 2), sp.Rational(1, 2), 0])

# %% [markdown]
# The derivative in $T$, for general $K$, through the delta-sum toolkit. Write
# $p = \operatorname{softmax}(z / T)$:

# %%
temperature_softmax_formula = sp.exp(z[i] / T) / sum_over(sp.exp(z[k] / T), k)
temperature_derivative_raw = evaluate_sums(sp.diff(temperature_softmax_formula, T))
temperature_derivative_formula = sp.collect(
    sp.expand(to_probabilities(temperature_derivative_raw, z, p, scale=1 / T)), p[i]
)
show(sp.Derivative(p[i], T), temperature_derivative_raw, label="derivative in T")
show(sp.Derivative(p[i], T), temperature_derivative_formula, label="in terms of p = softmax(z/T)")
assert_equal(
    temperature_derivative_formula,
    -p[i] * (z[i] - sum_over(p[k] * z[k], k)) / T**2,
    "∂p_i/∂T = -p_i (z_i - ⟨p, z⟩) / T²",
)


def fixed_temperature_derivative(size):
    """Return ∂ softmax(z / T) / ∂T for `size` classes by direct differentiation."""
    z_plain, restore = plain_bases(z)
    return restore(softmax_vector(z_plain, size, scale=1 / T).diff(T))


def in_temperature_logits(expr):
    """Replace each p_x by exp(z_x / T) / sum_k exp(z_k / T)."""
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == p,
        lambda e: temperature_softmax_formula.subs(i, e.indices[0]),
    )


agrees_for_fixed_K(
    in_temperature_logits(temperature_derivative_formula), fixed_temperature_derivative, (2, 3, 4), (i,)
)
confirm("∂p_i/∂T = -p_i (z_i - ⟨p, z⟩) / T², for general K and for K = 2, 3, 4")

# %% [markdown]
# A class with a logit above the $p$-weighted mean $\langle p, z \rangle$ loses
# probability as $T$ grows, and a class below it gains: heating flattens the distribution.
#
# ## Step 4: linear decision boundaries
#
# For a linear model the logits are $z_k = \sum_m W_{km} x_m + b_k$ over $d$ features.
# By step 1, $p_i = p_j$ exactly when $e^{z_i - z_j} = 1$, and the only real solution of
# $e^u = 1$ is $u = 0$:

# %%
assert sp.solve(sp.exp(u) - 1, u) == [0]

d = sp.Symbol("d", integer=True, positive=True)
m = indices("m", upper=d)
W = sp.IndexedBase("W", real=True)
x = sp.IndexedBase("x", real=True)
b = sp.IndexedBase("b", real=True)


def linear_logit(q):
    """Return z_q = sum_m W_qm x_m + b_q."""
    return sum_over(W[q, m] * x[m], m) + b[q]


boundary_formula = sp.factor_terms(linear_logit(i) - linear_logit(j))
show(Notation("z_i - z_j", "z_i - z_j"), boundary_formula)

# %% [markdown]
# This is affine in $x$: the two sums are $w_i \cdot x$ and $w_j \cdot x$, so the
# boundary $z_i - z_j = 0$ is the hyperplane with normal $w_i - w_j$ and offset
# $b_i - b_j$. For $d = 2$ and $d = 3$ with explicit features, SymPy confirms that the
# boundary equation has a zero Hessian in $x$ (no curvature) and the claimed gradient:

# %%
for features in (2, 3):
    boundary = sp.expand(linear_logit(1) - linear_logit(2)).subs(d, features).doit()
    inputs = symbol_vector(x, features)
    show(Notation("z_1 - z_2", "z_1 - z_2"), boundary, label=f"d = {features}")
    assert sp.hessian(boundary, list(inputs)) == sp.zeros(features, features)
    normal = sp.Matrix([boundary]).jacobian(inputs).T
    claimed_normal = sp.Matrix([W[1, r] - W[2, r] for r in range(1, features + 1)])
    assert_equal(normal, claimed_normal, "the normal is w_1 - w_2")
    at_origin = boundary.subs({x[r]: 0 for r in range(1, features + 1)})
    assert_equal(at_origin, b[1] - b[2], "the offset is b_1 - b_2")
confirm("p_i = p_j exactly on the hyperplane (w_i - w_j)·x + (b_i - b_j) = 0")

# %% [markdown]
# Class $i$ is the prediction where $z_i \ge z_j$ for every $j$: an intersection of
# $K - 1$ half-spaces, which is a convex polyhedron. Softmax does not bend these
# boundaries: a curved boundary needs logits that are not linear in $x$.
#
# ## Result

# %%
show(Notation(r"\frac{p_i}{p_j}", "p_i/p_j"), ratio_formula, label="order")
show(p[1], sigmoid_form, label="K = 2")
show(sp.Derivative(p[i], T), temperature_derivative_formula, label="temperature")
show(Notation("z_i - z_j", "z_i - z_j"), boundary_formula, label="decision boundary: this = 0")

# %% [markdown]
# ## Assertion

# %%
assert_equal(ratio_formula, sp.exp(z[i] - z[j]), "p_i / p_j = exp(z_i - z_j)")
assert_equal(sigmoid_form, sigmoid.subs(t, z1 - z2), "p_1 = σ(z_1 - z_2)")
assert all(cold_limits[size] == sp.Matrix([1] + [0] * (size - 1)) for size in cold_limits)
assert all(hot_limits[size] == sp.Matrix([sp.Rational(1, size)] * size) for size in hot_limits)
assert_equal(
    temperature_derivative_formula,
    -p[i] * (z[i] - sum_over(p[k] * z[k], k)) / T**2,
    "∂p_i/∂T = -p_i (z_i - ⟨p, z⟩) / T²",
)
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#softmax_properties) lists those tests
# with their source.
