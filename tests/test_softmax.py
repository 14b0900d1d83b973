"""softmax, log_softmax, logsumexp and the softmax derivative against independent references.

References: mpmath at 60 digits (tests/_references.py), scipy.special, and
the Jacobian built entry by entry from its definition.
"""

import warnings

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from numpy.testing import assert_allclose, assert_array_equal

from _references import apply_rows, log_softmax_row, logsumexp_row, softmax_row
from softmax_ce import (
    log_softmax,
    logsumexp,
    softmax,
    softmax_jacobian,
    softmax_jvp,
    softmax_vjp,
)

# Finite logits, bounded so that shifts by up to 1e3 stay exact enough.
finite_floats = st.floats(-300, 300, allow_nan=False, allow_infinity=False, width=64)
logit_arrays = arrays(np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
                      elements=finite_floats)
# The same, with -inf entries mixed in (a masked class).
masked_floats = st.one_of(finite_floats, st.just(-np.inf))


def scipy_quiet(function, x, **kwargs):
    """Call a scipy.special function, whose edge cases emit RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(x, **kwargs)


# --- mpmath references (mp.dps = 60), checked at rtol 1e-13 ------------------

REFERENCE_ROWS = [
    [1.0, 2.0, 3.0],
    [-1000.0, -1001.0, -1002.0],
    [800.0, 1.0, 1.0],
    [0.0, -40.0],
    [1e-3, 2e-3, -5e-4, 0.0],
    [30.0, -30.0, 7.5, 7.5, 0.25],
    [-745.0, -745.5],
    [700.0, 699.0, -700.0],
]


@pytest.mark.parametrize("row", REFERENCE_ROWS)
def test_softmax_matches_mpmath(row):
    expected = apply_rows(softmax_row, [row])[0]
    assert_allclose(softmax(np.array(row)), expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("row", REFERENCE_ROWS)
def test_log_softmax_matches_mpmath(row):
    expected = apply_rows(log_softmax_row, [row])[0]
    assert_allclose(log_softmax(np.array(row)), expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("row", REFERENCE_ROWS)
def test_logsumexp_matches_mpmath(row):
    expected = apply_rows(logsumexp_row, [row])[0]
    assert_allclose(logsumexp(np.array(row)), expected, rtol=1e-13, atol=0)


def test_random_batch_matches_mpmath():
    x = np.random.default_rng(7).normal(scale=20, size=(6, 9))
    assert_allclose(softmax(x), apply_rows(softmax_row, x), rtol=1e-13, atol=0)
    assert_allclose(log_softmax(x), apply_rows(log_softmax_row, x), rtol=1e-13, atol=0)
    assert_allclose(logsumexp(x), apply_rows(logsumexp_row, x), rtol=1e-13, atol=0)


def test_softmax_of_large_negative_logits():
    # Values from mpmath at 60 digits: softmax([-1000, -1001, -1002]).
    expected = [0.6652409557748219, 0.24472847105479765, 0.09003057317038046]
    assert_allclose(softmax(np.array([-1000.0, -1001.0, -1002.0])), expected, rtol=1e-13, atol=0)


def test_softmax_of_dominant_logit_is_onehot():
    # exp(1 - 800) underflows to 0 in float64, so the result is exactly [1, 0, 0].
    assert_array_equal(softmax(np.array([800.0, 1.0, 1.0])), [1.0, 0.0, 0.0])


def test_logsumexp_keeps_tiny_term():
    # Without log1p of the non-max terms this returned 0.0 (log of 1 + 4e-18 rounds to 0).
    # mpmath at 60 digits: log(1 + exp(-40)) = 4.248354255291589e-18.
    assert logsumexp(np.array([0.0, -40.0])) == pytest.approx(4.248354255291589e-18, rel=1e-13)


def test_log_softmax_keeps_tiny_log_probability():
    # The top class has log p = -log1p(exp(-40)), not 0.
    assert_allclose(log_softmax(np.array([0.0, -40.0])),
                    [-4.248354255291589e-18, -40.0], rtol=1e-13, atol=0)


# --- agreement with scipy.special ------------------------------------------

@given(logit_arrays, st.data())
def test_agrees_with_scipy(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert_allclose(softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=1e-12, atol=1e-300)
    assert_allclose(log_softmax(x, axis=axis), scipy.special.log_softmax(x, axis=axis),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(logsumexp(x, axis=axis), scipy.special.logsumexp(x, axis=axis),
                    rtol=1e-12, atol=1e-12)


EDGE_ROWS = [
    [1000.0, 0.0],
    [-np.inf, -np.inf],
    [np.inf, 0.0],
    [np.inf, np.inf],
    [np.inf, -np.inf],
    [np.nan, 0.0],
    [np.nan, -np.inf],
    [np.nan, np.inf],
    [-1.0, -np.inf],
    [4.0, -np.inf, 4.0, 4.0, 4.0],
]


@pytest.mark.parametrize("row", EDGE_ROWS)
def test_edge_rows_follow_scipy(row):
    x = np.array(row)
    assert_array_equal(softmax(x), scipy_quiet(scipy.special.softmax, x))
    assert_array_equal(log_softmax(x), scipy_quiet(scipy.special.log_softmax, x))
    assert_array_equal(logsumexp(x), scipy_quiet(scipy.special.logsumexp, x))


# --- properties --------------------------------------------------------------

@given(logit_arrays)
def test_softmax_rows_sum_to_one(x):
    probs = softmax(x)
    assert np.all(probs >= 0)
    assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-13)


@given(logit_arrays, st.floats(-500, 500))
def test_shift_invariance(x, constant):
    # Adding a constant to every logit of a row leaves softmax unchanged.
    # The shifted logits are rounded, so compare at a tolerance that allows
    # for that rounding (|x| + |c| up to 800 times 2**-52).
    assert_allclose(softmax(x + constant), softmax(x), rtol=1e-11, atol=1e-300)
    assert_allclose(log_softmax(x + constant), log_softmax(x), rtol=1e-11, atol=1e-11)
    assert_allclose(logsumexp(x + constant), logsumexp(x) + constant, rtol=1e-13, atol=1e-11)


@given(logit_arrays)
def test_log_softmax_is_log_of_softmax_where_finite(x):
    probs = softmax(x)
    positive = probs > 1e-300  # log of an underflowed probability is not comparable
    assert_allclose(log_softmax(x)[positive], np.log(probs[positive]), rtol=1e-12, atol=1e-13)


@given(logit_arrays)
def test_log_softmax_is_logits_minus_logsumexp(x):
    assert_allclose(log_softmax(x), x - logsumexp(x, keepdims=True), rtol=1e-13, atol=1e-12)


@given(logit_arrays)
def test_logsumexp_bounds(x):
    # max <= LSE <= max + log K
    lse = logsumexp(x)
    assert np.all(lse >= x.max(axis=-1))
    assert np.all(lse <= x.max(axis=-1) + np.log(x.shape[-1]) + 1e-12)


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=masked_floats))
def test_masked_logits_have_zero_probability(x):
    # A -inf logit gets probability 0 whenever its row has a finite entry.
    probs = softmax(x)
    finite_rows = np.isfinite(x).any(axis=-1)
    masked = np.isneginf(x) & finite_rows[:, None]
    assert np.all(probs[masked] == 0)
    assert np.all(np.isneginf(log_softmax(x)[masked]))
    assert_allclose(probs[finite_rows].sum(axis=-1), 1.0, rtol=1e-13)
    assert np.all(np.isnan(probs[~finite_rows]))


# --- axis, keepdims, dtypes ---------------------------------------------------

def test_axis_zero_equals_transposed_last_axis():
    x = np.random.default_rng(3).normal(size=(4, 3))
    assert_allclose(softmax(x, axis=0), softmax(x.T).T, rtol=1e-15)
    assert_allclose(log_softmax(x, axis=0), log_softmax(x.T).T, rtol=1e-15)
    assert_allclose(logsumexp(x, axis=0), logsumexp(x.T), rtol=1e-15)


def test_logsumexp_keepdims_shape():
    x = np.zeros((2, 3, 4))
    assert logsumexp(x, axis=1, keepdims=True).shape == (2, 1, 4)
    assert logsumexp(x, axis=1).shape == (2, 4)


def test_logsumexp_of_one_row_is_scalar():
    result = logsumexp(np.array([1.0, 2.0]))
    assert np.ndim(result) == 0
    assert isinstance(result, np.floating)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_dtypes_are_kept(dtype):
    x = np.array([[1.0, 2.0, 3.0]], dtype=dtype)
    assert softmax(x).dtype == dtype
    assert log_softmax(x).dtype == dtype
    assert logsumexp(x).dtype == dtype
    assert softmax_jacobian(x).dtype == dtype
    assert softmax_jvp(x, x).dtype == dtype


@pytest.mark.parametrize("values", [[1, 2, 3], [True, False, True]])
def test_integers_and_booleans_become_float64(values):
    x = np.array(values)
    assert softmax(x).dtype == np.float64
    assert_allclose(softmax(x), softmax(x.astype(np.float64)), rtol=0)


def test_float32_matches_float64_to_float32_precision():
    x = np.random.default_rng(5).normal(scale=10, size=(5, 7))
    assert_allclose(softmax(x.astype(np.float32)), softmax(x), rtol=2e-6, atol=1e-30)
    assert_allclose(log_softmax(x.astype(np.float32)), log_softmax(x), rtol=2e-6, atol=2e-6)


def test_float16_log_softmax_accumulates_in_float32():
    # mpmath at 60 digits: log_softmax([-20000, -20016]) =
    # [-1.1253516838717682e-07, -16.00000011253517]. Both inputs are exact in
    # float16 (the spacing there is 16). Summing in float16 would give [0, -16].
    x = np.array([-20000.0, -20016.0], dtype=np.float16)
    assert_array_equal(x.astype(np.float64), [-20000.0, -20016.0])
    expected = np.array([-1.1253516838717682e-07, -16.00000011253517]).astype(np.float16)
    result = log_softmax(x)
    assert result.dtype == np.float16
    assert_array_equal(result, expected)


def test_float16_softmax_of_wide_row():
    # exp(-20) is below float16's range (6e-8) but not float32's.
    x = np.array([0.0, -20.0], dtype=np.float16)
    assert_array_equal(softmax(x), np.array([1.0, np.exp(-20.0)]).astype(np.float16))


# --- Jacobian, JVP and VJP -------------------------------------------------------

def jacobian_from_definition(z):
    """Build J[i, j] = p_i (delta_ij - p_j) entry by entry from mpmath probabilities."""
    probs = [float(value) for value in softmax_row(z)]
    size = len(z)
    return np.array([[probs[i] * ((i == j) - probs[j]) for j in range(size)] for i in range(size)])


def test_jacobian_matches_definition():
    z = np.array([0.5, -1.0, 2.0, 0.0])
    assert_allclose(softmax_jacobian(z), jacobian_from_definition(z), rtol=1e-13, atol=1e-16)


def test_jacobian_matches_finite_differences():
    z = np.random.default_rng(11).normal(size=5)
    step = 1e-6
    columns = [(softmax(z + step * e) - softmax(z - step * e)) / (2 * step) for e in np.eye(5)]
    assert_allclose(softmax_jacobian(z), np.array(columns).T, rtol=1e-7, atol=1e-10)


def test_jacobian_batched_shape_and_axis():
    x = np.random.default_rng(2).normal(size=(2, 3, 4))
    jacobian = softmax_jacobian(x)
    assert jacobian.shape == (2, 3, 4, 4)
    assert_allclose(jacobian[1, 2], jacobian_from_definition(x[1, 2]), rtol=1e-13, atol=1e-16)
    along_axis_1 = softmax_jacobian(x, axis=1)
    assert along_axis_1.shape == (2, 4, 3, 3)
    assert_allclose(along_axis_1[0, 3], jacobian_from_definition(x[0, :, 3]), rtol=1e-13, atol=1e-16)


def test_jacobian_masked_logit_zero_row_column():
    # Without care, 0 * inf or inf - inf could put NaN into the masked row.
    jacobian = softmax_jacobian(np.array([4.0, -np.inf, 4.0, 4.0, 4.0]))
    assert not np.isnan(jacobian).any()
    assert np.all(jacobian[1, :] == 0)
    assert np.all(jacobian[:, 1] == 0)
    assert_allclose(jacobian[0], [0.1875, 0, -0.0625, -0.0625, -0.0625], rtol=1e-15)


@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 6)), elements=masked_floats),
       st.data())
def test_jvp_and_vjp_equal_jacobian_products(z, data):
    v = data.draw(arrays(np.float64, z.shape, elements=st.floats(-10, 10)))
    finite_rows = np.isfinite(z).any(axis=-1)
    z, v = z[finite_rows], v[finite_rows]
    jacobian = softmax_jacobian(z)
    expected_jvp = np.einsum("nij,nj->ni", jacobian, v)
    expected_vjp = np.einsum("nij,ni->nj", jacobian, v)
    assert_allclose(softmax_jvp(z, v), expected_jvp, rtol=1e-12, atol=1e-12)
    assert_allclose(softmax_vjp(z, v), expected_vjp, rtol=1e-12, atol=1e-12)


@given(logit_arrays)
def test_jacobian_is_symmetric_with_zero_row_sums(x):
    jacobian = softmax_jacobian(x)
    assert_array_equal(jacobian, np.swapaxes(jacobian, -1, -2))
    assert_allclose(jacobian.sum(axis=-1), 0, atol=1e-15)


def test_jvp_along_other_axis():
    z = np.random.default_rng(4).normal(size=(3, 5))
    v = np.random.default_rng(5).normal(size=(3, 5))
    assert_allclose(softmax_jvp(z, v, axis=0), softmax_jvp(z.T, v.T).T, rtol=1e-15)
    assert_allclose(softmax_vjp(z, v, axis=0), softmax_vjp(z.T, v.T).T, rtol=1e-15)


def test_jvp_is_directional_derivative():
    z = np.array([0.3, -1.2, 2.0])
    v = np.array([1.0, 0.5, -2.0])
    step = 1e-6
    difference = (softmax(z + step * v) - softmax(z - step * v)) / (2 * step)
    assert_allclose(softmax_jvp(z, v), difference, rtol=1e-8, atol=1e-12)
