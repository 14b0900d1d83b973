# %% [markdown]
# # Label smoothing and class weights
#
# **Claim.** Label smoothing with $\varepsilon \in [0, 1]$, as PyTorch defines it, trains
# against the targets
#
# $$
# q = (1 - \varepsilon)\, e_y + \frac{\varepsilon}{K} \mathbf{1},
# $$
#
# which sum to 1, so the gradient of the cross-entropy is $\partial L / \partial z = p - q$.
# Another convention spreads $\varepsilon$ over the $K - 1$ wrong classes only. It gives
# the same targets as PyTorch's with $\varepsilon$ replaced by $\varepsilon K / (K - 1)$.
#
# With class weights $w$, one row with label $y$ has loss $-w_y \log p_y$ and gradient
# $w_y (p - e_y)$. The 'mean' reduction divides the summed loss by $\sum_n w_{y_n}$ over
# the rows that are not ignored, as PyTorch does, so for a batch with logits $Z$ (shape
# $(N, K)$), labels $y_n$, kept rows $r_n \in \{0, 1\}$ and probabilities $P$,
#
# $$
# \frac{\partial L}{\partial Z_{n,j}} = \frac{r_n\, w_{y_n} (P_{n,j} - \delta_{j y_n})}{\sum_m r_m w_{y_m}} .
# $$
#
# With smoothing and weights together, PyTorch weights the smoothing term of class $k$ by
# $w_k$, and the gradient becomes
#
# $$
# \frac{\partial L}{\partial Z_{n,j}} = r_n\,\frac{(1 - \varepsilon)\, w_{y_n} (P_{n,j} - \delta_{j y_n})
#   + \frac{\varepsilon}{K}\bigl(P_{n,j} \sum_k w_k - w_j\bigr)}{\sum_m r_m w_{y_m}} .
# $$

# %%
import sympy as sp

from _symbolic import (
    K,
    Notation,
    agrees_for_fixed_K,
    assert_equal,
    confirm,
    evaluate_sums,
    expand_finite_sums,
    from_probabilities,
    indices,
    plain_bases,
    show,
    softmax_of,
    softmax_vector,
    sum_over,
    symbol_vector,
    to_probabilities,
)

# %% [markdown]
# ## Definitions
#
# Classes are indexed by $j, k$ over $1, \dots, K$, and the label $c$ of a single row is
# an index on the same range. $\varepsilon$ is the smoothing and $w_k \ge 0$ the class
# weights.

# %%
j, k = indices("j k")
c = indices("c")
z = sp.IndexedBase("z", real=True)
p = sp.IndexedBase("p", positive=True)
w = sp.IndexedBase("w", nonnegative=True)
epsilon = sp.Symbol("epsilon", nonnegative=True)

smoothed_target = (1 - epsilon) * sp.KroneckerDelta(k, c) + epsilon / K
show(sp.IndexedBase("q")[k], smoothed_target, label="PyTorch's smoothed target")

DL_DZ = Notation(r"\frac{\partial L}{\partial z_j}", "∂L/∂z_j")
FIXED_KS = (2, 3, 4)

# %% [markdown]
# ## Step 1: the smoothed targets sum to 1
#
# The delta collapses to 1 and the constant $\varepsilon / K$ is summed $K$ times, which
# leaves $(1 - \varepsilon) + \varepsilon$:

# %%
target_total = evaluate_sums(sum_over(smoothed_target, k))
show(Notation(r"\sum_k q_k", "Σ_k q_k"), target_total)
assert_equal(target_total, 1, "Σ_k q_k = 1")
confirm("the smoothed targets sum to 1")

# %% [markdown]
# The true class gets $1 - \varepsilon + \varepsilon / K$ and every other class
# $\varepsilon / K$:

# %%
true_class_mass = smoothed_target.subs(k, c)
other_class_mass = smoothed_target.subs(sp.KroneckerDelta(k, c), 0)
show(Notation("q_c", "q_c"), true_class_mass)
show(Notation(r"q_{k \ne c}", "q_k (k ≠ c)"), other_class_mass)

# %% [markdown]
# !!! note "The other convention: $\varepsilon / (K - 1)$"
#     Some texts give the true class $1 - \varepsilon'$ and each wrong class
#     $\varepsilon' / (K - 1)$, so that the wrong classes share all of $\varepsilon'$. Both
#     conventions give the same targets when the true-class masses agree. SymPy solves
#     for $\varepsilon'$ and checks the wrong classes then agree too:

# %%
epsilon_other = sp.Symbol(r"epsilon'", nonnegative=True)
(equivalent,) = sp.solve(sp.Eq(1 - epsilon_other, true_class_mass), epsilon_other)
show(epsilon_other, sp.factor(equivalent))
wrong_class_mass = (epsilon_other / (K - 1)).subs(epsilon_other, equivalent)
assert_equal(wrong_class_mass, other_class_mass, "the wrong classes agree")
confirm("PyTorch's ε equals ε' = ε (K - 1) / K in the ε/(K - 1) convention")

# %% [markdown]
# So PyTorch's $\varepsilon = 0.1$ with $K = 10$ moves $0.09$ of the mass off the true
# class, not $0.1$. Passing a value meant for the other convention to PyTorch, or to this
# library, smooths less than intended, by the factor $(K - 1)/K$.
#
# ## Step 2: the gradient is p − q
#
# The loss is $L = -\sum_k q_k \log p_k$. SymPy differentiates it with $p$ written as
# exponentials:

# %%
smoothed_loss_in_p = -sum_over(smoothed_target * sp.log(p[k]), k)
smoothed_loss = evaluate_sums(sp.expand_log(from_probabilities(smoothed_loss_in_p, p, z)))
show(sp.Symbol("L"), smoothed_loss)
smoothed_gradient = sp.expand(to_probabilities(evaluate_sums(sp.diff(smoothed_loss, z[j])), z, p))
show(DL_DZ, smoothed_gradient)
assert_equal(smoothed_gradient, p[j] - smoothed_target.subs(k, j), "∂L/∂z_j = p_j - q_j")
confirm("label smoothing: ∂L/∂z_j = p_j - q_j")

# %% [markdown]
# The loss splits into the unsmoothed loss and a uniform term, which is how PyTorch
# computes it: $L = (1 - \varepsilon)(-\log p_c) + \varepsilon \cdot \frac{1}{K}\sum_k (-\log p_k)$.

# %%
def logits_loss(target):
    """Return -sum_k target_k log p_k written in the logits, the logarithm split."""
    return evaluate_sums(sp.expand_log(from_probabilities(-sum_over(target * sp.log(p[k]), k), p, z)))


assert_equal(
    smoothed_loss,
    (1 - epsilon) * logits_loss(sp.KroneckerDelta(k, c)) + epsilon * logits_loss(sp.Integer(1) / K),
    "L = (1 - ε) NLL + ε · mean_k(-log p_k)",
)
confirm("the smoothed loss = (1 - ε) · unsmoothed loss + ε · uniform term")

# %% [markdown]
# For each fixed $K = 2, 3, 4$ and the labels 1 and 2, SymPy differentiates the smoothed loss
# directly and the result must be the general formula:

# %%
def fixed_smoothed_gradient(size, label):
    """Return the gradient of -sum_k q_k log softmax(z)_k for `size` classes and one label."""
    z_plain, restore = plain_bases(z)
    targets = [(1 - epsilon) * int(q == label) + epsilon / size for q in range(1, size + 1)]
    # log(e^{z_k} / S) = z_k - log S, because both parts are positive.
    probabilities = softmax_vector(z_plain, size)
    loss = -sum(target * sp.log(probability) for target, probability in zip(targets, probabilities))
    loss = sp.expand_log(loss, force=True)
    return restore(sp.Matrix([loss]).jacobian(symbol_vector(z_plain, size)).T)


for label in (1, 2):
    agrees_for_fixed_K(
        from_probabilities(smoothed_gradient, p, z).subs(c, label),
        lambda size: fixed_smoothed_gradient(size, label),
        FIXED_KS,
        (j,),
    )
confirm(f"general-K smoothed gradient = direct fixed-K gradients for K = {', '.join(map(str, FIXED_KS))}")

# %% [markdown]
# ## Step 3: class weights on one row
#
# A weight $w_c$ on the row's class scales its loss, $L = -w_c \log p_c$, and so scales
# its gradient:

# %%
weighted_loss = evaluate_sums(sp.expand_log(from_probabilities(-w[c] * sp.log(p[c]), p, z)))
weighted_gradient = sp.factor(to_probabilities(evaluate_sums(sp.diff(weighted_loss, z[j])), z, p))
show(sp.Symbol("L"), weighted_loss)
show(DL_DZ, weighted_gradient)
claimed_weighted_gradient = w[c] * (p[j] - sp.KroneckerDelta(j, c))
assert_equal(weighted_gradient, claimed_weighted_gradient, "∂L/∂z_j = w_c (p_j - δ_jc)")


def fixed_weighted_gradient(size, label):
    """Return the gradient of -w_label log softmax(z)_label for `size` classes."""
    z_plain, restore = plain_bases(z)
    probabilities = softmax_vector(z_plain, size)
    loss = sp.expand_log(-w[label] * sp.log(probabilities[label - 1]), force=True)
    return restore(sp.Matrix([loss]).jacobian(symbol_vector(z_plain, size)).T)


for label in (1, 2):
    agrees_for_fixed_K(
        from_probabilities(weighted_gradient, p, z).subs(c, label),
        lambda size: fixed_weighted_gradient(size, label),
        FIXED_KS,
        (j,),
    )
confirm("a weighted row: ∂L/∂z_j = w_c (p_j - δ_jc), for general K and for K = 2, 3, 4")

# %% [markdown]
# ## Step 4: a batch with weights, ignored rows and smoothing
#
# A batch has logits $Z_{n,k}$, labels $y_n$ and a mask $r_n$ that is 0 for rows whose
# label is `ignore_index` and 1 otherwise. PyTorch's row loss, with smoothing weighted per
# class, is
#
# $$
# \ell_n = (1 - \varepsilon)\, w_{y_n} (-\log P_{n,y_n})
#        + \frac{\varepsilon}{K} \sum_k w_k (-\log P_{n,k}),
# $$
#
# and the 'mean' reduction is $L = \sum_n r_n \ell_n \,/\, \sum_n r_n w_{y_n}$. Row $s$ of
# the gradient:

# %%
N = sp.Symbol("N", integer=True, positive=True)
n, s = indices("n s", upper=N)
Z = sp.IndexedBase("Z", real=True)
P = sp.IndexedBase("P", positive=True)
labels = sp.IndexedBase("y", integer=True, positive=True)
kept = sp.IndexedBase("r", nonnegative=True)


def row_log_sum_exp(row):
    """Return log sum_k exp(Z_row,k)."""
    return sp.log(sum_over(sp.exp(Z[row, k]), k))


def label_term(row):
    """Return w_(y_row) (-log P_row,y_row), with -log P written as log-sum-exp minus the logit."""
    return w[labels[row]] * (row_log_sum_exp(row) - Z[row, labels[row]])


def smoothing_term(row):
    """Return (1/K) sum_k w_k (-log P_row,k)."""
    return sum_over(w[k] * (row_log_sum_exp(row) - Z[row, k]), k) / K


mean_denominator = sum_over(kept[n] * w[labels[n]], n)


def batch_gradient(row_loss):
    """Return ∂/∂Z_sj of sum_n r_n row_loss(n) / sum_n r_n w_(y_n), written in P."""
    loss = sum_over(kept[n] * row_loss(n), n) / mean_denominator
    return to_probabilities(evaluate_sums(sp.diff(loss, Z[s, j])), Z, P)


label_gradient = sp.factor(batch_gradient(label_term))
smoothing_gradient = sp.factor(batch_gradient(smoothing_term))
LABEL_PART = Notation(
    r"\frac{\partial}{\partial Z_{sj}} \frac{\sum_n r_n w_{y_n}(-\log P_{n,y_n})}{\sum_n r_n w_{y_n}}",
    "∂(label part)/∂Z_sj",
)
SMOOTHING_PART = Notation(
    r"\frac{\partial}{\partial Z_{sj}} \frac{\sum_n r_n \frac{1}{K}\sum_k w_k(-\log P_{n,k})}{\sum_n r_n w_{y_n}}",
    "∂(smoothing part)/∂Z_sj",
)
show(LABEL_PART, label_gradient, label="label part")
show(SMOOTHING_PART, smoothing_gradient, label="smoothing part")

# %% [markdown]
# Without smoothing the first part is the whole gradient: the weighted mean of
# $w_{y_n}(P_n - e_{y_n})$ over the kept rows, with ignored rows at exactly 0. With
# smoothing, differentiation is linear, so the gradient is $(1 - \varepsilon)$ times the
# first part plus $\varepsilon$ times the second. SymPy checks that against the
# derivative of the whole loss:

# %%
batch_gradient_formula = (1 - epsilon) * label_gradient + epsilon * smoothing_gradient
whole = batch_gradient(lambda row: (1 - epsilon) * label_term(row) + epsilon * smoothing_term(row))
assert_equal(whole, batch_gradient_formula, "batch gradient = (1 - ε) label part + ε smoothing part")
assert_equal(
    label_gradient,
    kept[s] * w[labels[s]] * (P[s, j] - sp.KroneckerDelta(j, labels[s])) / mean_denominator,
    "weighted mean: ∂L/∂Z_sj = r_s w_(y_s) (P_sj - δ_(j, y_s)) / Σ_n r_n w_(y_n)",
)
assert_equal(
    smoothing_gradient,
    kept[s] * (P[s, j] * sum_over(w[k], k) - w[j]) / (K * mean_denominator),
    "smoothing part: r_s (P_sj Σ_k w_k - w_j) / (K Σ_n r_n w_(y_n))",
)
show(DL_DZ, batch_gradient_formula, label="batch gradient, 'mean' reduction")
confirm("batch gradient with weights, ignored rows and smoothing derived")

# %% [markdown]
# The denominator $\sum_n r_n w_{y_n}$ counts each kept row with the weight of its label,
# not the number of rows. With all weights 1 and no ignored rows it is $N$, and the
# gradient is $(P - Q)/N$ with $Q$ the smoothed targets. For a fixed batch of
# $N = 2$ rows and $K = 3$ classes, with labels $(2, 3)$ and both rows kept, SymPy
# differentiates the loss written out in full:

# %%
def fixed_batch_gradient(label_values, size):
    """Return the gradient of PyTorch's weighted, smoothed 'mean' loss for explicit labels."""
    Z_plain, w_plain, restore = plain_bases(Z, w)
    rows = len(label_values)
    logits = sp.Matrix(rows, size, lambda row, q: Z_plain[row + 1, q + 1])
    total = 0
    for row, label in enumerate(label_values, start=1):
        probabilities = softmax_of(logits.row(row - 1))
        # log(e^{z_k} / S) = z_k - log S, because both parts are positive.
        log_p = [sp.expand_log(sp.log(probability), force=True) for probability in probabilities]
        total += (1 - epsilon) * w_plain[label] * -log_p[label - 1]
        total += (epsilon / size) * sum(w_plain[q] * -log_p[q - 1] for q in range(1, size + 1))
    loss = total / sum(w_plain[label] for label in label_values)
    return restore(sp.Matrix(rows, size, lambda row, q: sp.diff(loss, logits[row, q])))


label_values = (2, 3)
direct = fixed_batch_gradient(label_values, 3)
batch_gradient_in_logits = from_probabilities(batch_gradient_formula, P, Z)
fixed_values = {labels[1]: label_values[0], labels[2]: label_values[1], kept[1]: 1, kept[2]: 1}
general = sp.Matrix(
    2,
    3,
    lambda row, q: expand_finite_sums(
        batch_gradient_in_logits.subs({s: row + 1, j: q + 1, K: 3, N: 2})
    ).subs(fixed_values),
)
assert_equal(general, direct, "batch gradient for N = 2, K = 3, labels (2, 3)")
confirm("the general batch gradient = SymPy's direct gradient for N = 2, K = 3")

# %% [markdown]
# ## Result

# %%
show(sp.IndexedBase("q")[k], smoothed_target, label="smoothed target")
show(DL_DZ, smoothed_gradient, label="gradient with smoothing")
show(DL_DZ, weighted_gradient, label="gradient of a weighted row")
show(DL_DZ, batch_gradient_formula, label="batch gradient, 'mean' reduction")

# %% [markdown]
# ## Assertion

# %%
assert_equal(target_total, 1, "Σ_k q_k = 1")
assert_equal(smoothed_gradient, p[j] - smoothed_target.subs(k, j), "∂L/∂z_j = p_j - q_j")
assert_equal(weighted_gradient, claimed_weighted_gradient, "∂L/∂z_j = w_c (p_j - δ_jc)")
assert_equal(whole, batch_gradient_formula, "batch gradient")
confirm("all claims on this page hold")

# %% [markdown]
# ## Tested by
#
# The test suite checks this result numerically as well: its formulas, turned into
# NumPy functions, against the `softmax_ce` library on random logits and against
# finite differences. [How each result is tested](../tests.py#label_smoothing_class_weights) lists those tests
# with their source.
