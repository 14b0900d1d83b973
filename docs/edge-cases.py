# %% [markdown]
# # Edge cases
#
# Real logits are not always tame. A masked class gets $-\infty$, a diverging model
# produces $10^{308}$ or NaN, half precision rounds aggressively, and a batch can be
# empty. This page lists what `softmax_ce` returns for each of these inputs. Every value
# in the table below was computed by the library when this site was built, and the
# SciPy column by `scipy.special` next to it. The page asserts that the two agree, so a
# change in the library that broke one of these rules would fail the build.
#
# Two rules decide most rows:
#
# - **softmax, log_softmax and logsumexp follow `scipy.special`.** The library shifts
#   every row by its maximum $m$ and writes the log of the row total as
#   $\log\left(1 + r\right) = \operatorname{log1p}(r)$, where $r$ is the sum of
#   $e^{z_k - m}$ over every entry but one maximal entry. No finite logit can make
#   this overflow, and it keeps terms far below 1 that $\log(1 + r)$ rounds away.
# - **cross_entropy follows `torch.nn.functional.cross_entropy`**, with one deliberate
#   exception: a term whose target weight is 0 counts as 0 even when its
#   log-probability is $-\infty$ ($0 \log 0 = 0$). PyTorch multiplies $0 \cdot (-\infty)$
#   and returns NaN there.
#
# Each row is computed on its own: a NaN or infinite row never changes another row of
# the same batch.

# %%
import warnings

import numpy as np
import scipy.special
from IPython.display import Markdown
from numpy.testing import assert_allclose, assert_array_equal

import softmax_ce

# The library must not warn on any of these inputs: a warning here fails the build.
warnings.simplefilter("error", RuntimeWarning)


def scipy_or_error(function, x):
    """Call scipy.special along the last axis, silencing its RuntimeWarnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return function(x, axis=-1)
        except ValueError as error:
            return error


def show(value):
    """Format a number or an array for a table cell."""
    if isinstance(value, Exception):
        return f"raises {type(value).__name__}"
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    if array.size == 0:
        return f"empty {array.shape}"
    return "[" + ", ".join(f"{float(v):.6g}" for v in array.reshape(-1)) + "]"


def same_as_scipy(ours, theirs, rtol):
    """Assert that NaN, inf and finite values agree. Return whether they are identical."""
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert_array_equal(np.isnan(ours), np.isnan(theirs))
    assert_array_equal(ours[np.isinf(ours)], theirs[np.isinf(ours)])
    finite = np.isfinite(ours)
    assert_allclose(ours[finite], theirs[finite], rtol=rtol, atol=rtol)
    return np.array_equal(ours, theirs, equal_nan=True)


# %% [markdown]
# ## The table
#
# Each row gives the logits $z$ (one row of a batch, classes on the last axis) and a
# target for the cross-entropy columns: an integer label $y$ or a probability row $q$.
# The loss is the default `reduction="mean"` over that one row, and the gradient is
# $\partial L / \partial z$. The SciPy column shows "same" when `scipy.special` returns
# identical values, and lists what differs otherwise. The PyTorch column states
# PyTorch's documented behaviour in words, because torch is not installed here.

# %%
float16 = np.float16
CASES = [
    # (row name, logits, target, PyTorch's behaviour). torch.nn.functional.cross_entropy
    # applies log_softmax and then nll_loss, or -sum(q * log_softmax) for
    # probabilities (aten/src/ATen/native/LossNLL.cpp); the notes follow from that.
    ("large logits", [1000.0, 0.0], 0,
     "loss 0 from a shifted log_softmax"),
    ("all -inf", [-np.inf, -np.inf], 0,
     "NaN loss and gradient: log_softmax of the row is NaN"),
    ("masked class", [-1.0, -np.inf], 0,
     "the same values"),
    ("label on masked class", [0.0, -np.inf], 1,
     "loss inf"),
    ("q = 0 on masked class", [-np.inf, 0.0], np.array([0.0, 1.0]),
     "NaN: -Σ q log p contains 0 · (-inf)"),
    ("+inf logit", [np.inf, 0.0], 0,
     "NaN loss: log_softmax is NaN at the +inf entry"),
    ("NaN logit", [np.nan, 0.0], 0,
     "NaN loss and gradient"),
    ("tiny second term", [0.0, -40.0], 0,
     "not documented. Taking the log of the row total without log1p gives loss 0"),
    ("gap of 2e308", [1e308, -1e308], 1,
     "loss inf"),
    ("float16, wide gap", np.array([-20000.0, -20016.0], dtype=float16), 0,
     "float16 results. The precision of the internal sums is not documented"),
    ("empty class axis", np.zeros(0), None,
     "cross_entropy needs at least one class"),
]

rows = []
for number, (name, logits, target, torch_note) in enumerate(CASES, start=1):
    z = np.asarray(logits)
    probs = softmax_ce.softmax(z)
    log_probs = softmax_ce.log_softmax(z)
    lse = softmax_ce.logsumexp(z)
    if target is None:
        loss = grad = ValueError("no classes")
    else:
        loss, grad = softmax_ce.cross_entropy_with_grad(z, target)

    # Compare with SciPy. float16 results are compared at float16 precision.
    rtol = 1e-3 if z.dtype == np.float16 else 1e-13
    differences = []
    for label, ours, function in [
        ("softmax", probs, scipy.special.softmax),
        ("log_softmax", log_probs, scipy.special.log_softmax),
        ("logsumexp", lse, scipy.special.logsumexp),
    ]:
        theirs = scipy_or_error(function, z)
        if isinstance(theirs, Exception):
            differences.append(f"{label} {show(theirs)}")
        elif not same_as_scipy(ours, theirs, rtol):
            differences.append(f"{label} {show(theirs)}")
    scipy_note = "; ".join(differences) if differences else "same"

    target_text = show(target) if isinstance(target, np.ndarray) else f"y = {target}"
    rows.append(
        f"| {number} | {name}: {show(z)} | {show(probs)} | {show(log_probs)} | {show(lse)} "
        f"| {target_text if target is not None else '-'}: {show(loss)} | {show(grad)} "
        f"| {scipy_note} | {torch_note} |"
    )

header = (
    "| # | logits z | softmax | log_softmax | logsumexp | cross-entropy | gradient "
    "| SciPy | PyTorch |\n|---|---|---|---|---|---|---|---|---|\n"
)
Markdown(header + "\n".join(rows))

# %% [markdown]
# ## The rules, row by row
#
# 1. **Large logits.** $e^{1000}$ overflows float64, but the shifted form computes
#    $e^{0}$ and $e^{-1000}$, so the result is exact: $[1, 0]$.
# 2. **All $-\infty$.** The row has no finite maximum and $\sum_k e^{z_k} = 0$, so
#    softmax is $0/0$ and is NaN, as in SciPy. logsumexp is $\log 0 = -\infty$. Other
#    rows of a batch are unaffected, because every reduction runs along one row.
# 3. **A masked class.** $e^{-\infty} = 0$, so a $-\infty$ logit gets probability
#    exactly 0 and log-probability exactly $-\infty$. `log_softmax` is computed as
#    $z - \operatorname{LSE}(z)$, never as $\log(\operatorname{softmax}(z))$.
# 4. **A label on a masked class.** $-\log 0 = \infty$. The gradient
#    $p - \mathrm{onehot}(y)$ stays finite.
# 5. **Zero target probability on a masked class.** The term $0 \cdot \log 0$ is the
#    limit $\lim_{q \to 0} q \log q = 0$, so the loss is 0 and the gradient
#    $p - q = [0, 0]$. This is the one place where the library deliberately differs
#    from PyTorch.
# 6. **A $+\infty$ logit.** $\infty - \infty$ is undefined: SciPy returns NaN for the
#    whole softmax row, and for the $+\infty$ entries of log_softmax, whose other
#    entries are $-\infty$. logsumexp is $+\infty$.
# 7. **NaN.** NaN anywhere in a row makes the whole row NaN, in every function.
# 8. **A tiny second term.** $\log(1 + e^{-40})$ is $4.25 \cdot 10^{-18}$, but
#    $1 + e^{-40}$ rounds to 1 in float64. Through `log1p` the library keeps it, in
#    logsumexp, in log_softmax (where SciPy returns 0) and in the loss of a confident,
#    correct prediction.
# 9. **A gap too large for float64.** $10^{308} - (-10^{308})$ overflows to $\infty$
#    when shifting, and $e^{-\infty} = 0$ is the correct limit. No warning is emitted.
# 10. **float16.** Both inputs are exact in float16 (its spacing near 20000 is 16). The
#     library accumulates in float32 and rounds the result to float16, so the top
#     log-probability is $-1.2 \cdot 10^{-7}$, the float16 value nearest to
#     $-1.125 \cdot 10^{-7}$, where a float16 sum gives 0.
# 11. **An empty class axis.** logsumexp of an empty sum is $\log 0 = -\infty$, as in
#     SciPy. softmax returns an empty array, where SciPy raises ValueError. A
#     cross-entropy needs at least one class and raises ValueError.

# %% [markdown]
# ## Batches: ignored rows, weights and empty input
#
# Options of `cross_entropy` that act on a whole batch cannot be shown on one row.

# %%
logits = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [0.0, 0.0, 5.0]])
labels = np.array([0, -1, 2])
weight = np.array([1.0, 2.0, 100.0])

# Row 1 is ignored. Indexing weight with -1 first would put weight[-1] = 100 into the
# denominator of the mean. The library masks first.
loss, grad = softmax_ce.cross_entropy_with_grad(logits, labels, weight=weight, ignore_index=-1)
kept_loss = softmax_ce.cross_entropy(logits[[0, 2]], labels[[0, 2]], weight=weight)
assert loss == kept_loss
assert np.all(grad[1] == 0)
print("loss with row 1 ignored:", loss, "  gradient of row 1:", grad[1])

# %% [markdown]
# A mean over nothing is $0 / 0$. Like PyTorch, the library returns NaN for an empty
# batch with `reduction="mean"`, 0 for `"sum"`, and an empty array for `"none"`, without
# a warning. The same NaN comes back when every row is ignored; the gradient is then 0.

# %%
empty_logits = np.zeros((0, 3))
empty_labels = np.zeros(0, dtype=np.int64)
results = {
    reduction: softmax_ce.cross_entropy(empty_logits, empty_labels, reduction=reduction)
    for reduction in ("none", "sum", "mean")
}
assert results["none"].shape == (0,)
assert results["sum"] == 0.0
assert np.isnan(results["mean"])
all_ignored = softmax_ce.cross_entropy_with_grad(logits, np.full(3, -100))
assert np.isnan(all_ignored[0])
assert np.all(all_ignored[1] == 0)
results

# %% [markdown]
# ## Summary
#
# - Softmax, log_softmax and logsumexp return what `scipy.special` returns on
#   infinite, NaN and empty input, and keep tiny terms through `log1p`.
# - Cross-entropy returns what PyTorch returns, except that $0 \log 0 = 0$.
# - A NaN or infinite row stays in its row, and no input makes the library warn.
#
# The tests in `tests/test_edge_cases.py` check every kind of case shown here with
# Hypothesis, on random inputs with explicit infinities.
