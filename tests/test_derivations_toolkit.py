"""Tests of derivations/_symbolic.py, and the helpers that the other derivation tests share.

The helpers run a derivation script in this process with runpy, lambdify its
general-K formulas for NumPy, and take central finite differences.
"""

import contextlib
import functools
import io
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

DERIVATIONS = Path(__file__).resolve().parents[1] / "derivations"
# The derivations import their toolkit as `_symbolic`, from their own folder.
if str(DERIVATIONS) not in sys.path:
    sys.path.insert(0, str(DERIVATIONS))

# The other derivation tests import K and from_probabilities from this module, so that
# derivations/ is on sys.path before anything imports the toolkit.
import _symbolic  # noqa: E402
from _symbolic import (  # noqa: E402
    K,
    agrees_for_fixed_K,
    assert_equal,
    assert_zero,
    canonical,
    evaluate_sums,
    expand_finite_sums,
    from_probabilities,
    indices,
    is_zero,
    show,
    sum_over,
    to_probabilities,
)

# Numbers of classes for every numeric comparison of a derived formula.
CLASS_COUNTS = (2, 3, 5, 10, 50)


# --- Shared helpers -----------------------------------------------------------


@functools.cache
def derivation(name):
    """Run derivations/NAME.py once per test session and return its module-level names."""
    with contextlib.redirect_stdout(io.StringIO()):
        return runpy.run_path(str(DERIVATIONS / f"{name}.py"), run_name=f"derivation_{name}")


def _vectorised_delta(first, second):
    return np.equal(first, second).astype(np.float64)


def lambdify(arguments, expr):
    """Lambdify a derived formula for NumPy.

    IndexedBase arguments take 1-based arrays (see `one_based`), as in the formulas.
    Index symbols take integer arrays, so one call evaluates a whole vector or matrix.
    Sums over the classes become Python sums, so K must be among the arguments.
    """
    # NumPy's printer writes KroneckerDelta as `1 if i == j else 0`, which fails on arrays.
    delta = sp.Function("kronecker_delta")
    expr = expr.replace(sp.KroneckerDelta, delta)
    return sp.lambdify(arguments, expr, modules=[{"kronecker_delta": _vectorised_delta}, "numpy"])


def one_based(array):
    """Return `array` padded with NaN in front along every axis, so index 1 is its first entry.

    A formula that reached index 0 would then produce NaN and fail the comparison.
    """
    array = np.asarray(array, dtype=np.float64)
    return np.pad(array, [(1, 0)] * array.ndim, constant_values=np.nan)


def central_differences(function, x, step=1e-5):
    """Return the Jacobian d function(x) / dx by central differences, shape out.shape + x.shape."""
    x = np.asarray(x, dtype=np.float64)
    columns = []
    for position in np.ndindex(x.shape):
        forward, backward = x.copy(), x.copy()
        forward[position] += step
        backward[position] -= step
        columns.append((np.asarray(function(forward)) - np.asarray(function(backward))) / (2 * step))
    derivative = np.stack(columns, axis=-1)
    return derivative.reshape(derivative.shape[:-1] + x.shape)


def relative_error(actual, desired):
    """Return max |actual - desired| / max |desired|: the error measured at the scale of the result."""
    return float(np.max(np.abs(np.asarray(actual) - desired)) / np.max(np.abs(desired)))


def random_logits(rng, size, scale=2.0):
    """Return `size` logits drawn from N(0, scale²), moderate enough for exp without a shift."""
    return rng.normal(0.0, scale, size=size)


# --- evaluate_sums --------------------------------------------------------------


def test_delta_sum_collapses_on_same_range():
    j, k = indices("j_t k_t")
    f = sp.Function("f")
    collapsed = evaluate_sums(sum_over(f(k) * sp.KroneckerDelta(k, j), k))
    assert collapsed == f(j)


def test_delta_sum_stays_on_other_range():
    # j runs over 1..d, not 1..K, so Σ_k f(k) δ_kj is f(j) only if j <= K: keep the sum.
    d = sp.Symbol("d", integer=True, positive=True)
    k = indices("k_t")
    j = indices("j_other", upper=d)
    f = sp.Function("f")
    total = evaluate_sums(sum_over(f(k) * sp.KroneckerDelta(k, j), k))
    assert isinstance(total, sp.Sum)


def test_sum_pulls_out_constants():
    i, k = indices("i_t k_t")
    x = sp.IndexedBase("x")
    c = sp.Symbol("c")
    assert evaluate_sums(sum_over(c * x[k] + x[i], k)) == c * sum_over(x[k], k) + K * x[i]


def test_sum_over_undeclared_index_raises():
    undeclared = sp.Symbol("never_declared", integer=True, positive=True)
    with pytest.raises(KeyError, match="no declared range"):
        sum_over(undeclared, undeclared)


def test_canonical_names_make_sums_equal():
    i, k = indices("i_t k_t")
    p = sp.IndexedBase("p")
    assert canonical(sum_over(p[i], i)) == canonical(sum_over(p[k], k))


# --- Proofs -----------------------------------------------------------------------


def test_assert_equal_accepts_true_identity():
    k = indices("k_t")
    x = sp.IndexedBase("x")
    assert_equal(sum_over(2 * x[k], k), 2 * sum_over(x[k], k), "linearity")


def test_assert_equal_rejects_false_identity():
    k = indices("k_t")
    x = sp.IndexedBase("x")
    with pytest.raises(AssertionError, match="claim failed: doubled"):
        assert_equal(sum_over(2 * x[k], k), sum_over(x[k], k), "doubled")


def test_delta_cases_prove_symmetry():
    i, j = indices("i_t j_t")
    p = sp.IndexedBase("p")
    assert_zero((p[i] - p[j]) * sp.KroneckerDelta(i, j), "symmetric", delta_cases=[(i, j)])
    with pytest.raises(AssertionError):
        assert_zero((p[i] + p[j]) * sp.KroneckerDelta(i, j), "not zero", delta_cases=[(i, j)])


def test_is_zero_on_exponentials():
    a, b = sp.symbols("a b", real=True)
    assert is_zero(sp.exp(a) * sp.exp(b) - sp.exp(a + b))
    assert is_zero(sp.exp(a) / (sp.exp(a) + sp.exp(b)) + sp.exp(b) / (sp.exp(a) + sp.exp(b)) - 1)
    assert not is_zero(sp.exp(a) - sp.exp(b))
    assert not is_zero(sp.exp(a) / (sp.exp(a) + sp.exp(b)) - sp.Rational(1, 2))


def test_to_probabilities_rejects_non_softmax():
    k = indices("k_t")
    z = sp.IndexedBase("z", real=True)
    p = sp.IndexedBase("p", positive=True)
    with pytest.raises(ValueError, match="does not cancel"):
        to_probabilities(sp.exp(z[1]) / sum_over(sp.exp(z[k]), k) ** 2, z, p)


def test_expand_finite_sums_matches_doit():
    k = indices("k_t")
    x = sp.IndexedBase("x")
    total = sum_over(x[k] ** 2, k).subs(K, 4)
    assert expand_finite_sums(total) == total.doit()


def test_fixed_k_check_catches_wrong_formula():
    i, k = indices("i_t k_t")
    z = sp.IndexedBase("z", real=True)
    softmax = sp.exp(z[i]) / sum_over(sp.exp(z[k]), k)
    right = _symbolic.softmax_vector
    agrees_for_fixed_K(softmax, lambda n: right(z, n), (2, 3), (i,))
    with pytest.raises(AssertionError, match="disagrees with K = 2"):
        agrees_for_fixed_K(2 * softmax, lambda n: right(z, n), (2, 3), (i,))


# --- Display ----------------------------------------------------------------------


def test_show_prints_unicode_by_default(capsys, monkeypatch):
    monkeypatch.delenv("SOFTMAX_CE_LATEX", raising=False)
    x = sp.Symbol("x")
    show(sp.Symbol("y"), x**2 / 2, label="a step")
    output = capsys.readouterr().out
    assert "a step" in output
    assert "y = " in output
    assert "\\frac" not in output


def test_show_prints_latex_when_requested(capsys, monkeypatch):
    monkeypatch.setenv("SOFTMAX_CE_LATEX", "1")
    x = sp.Symbol("x")
    show(sp.Symbol("y"), x**2 / 2)
    assert "$$y = \\frac{x^{2}}{2}$$" in capsys.readouterr().out
