"""Toolkit for the derivations: indexed sums over K classes, proofs by zero difference, display.

SymPy differentiates an indexed ``Sum`` into a ``Sum`` of ``KroneckerDelta`` factors.
``.doit()`` then returns a ``Piecewise`` on the index range, and SymPy 1.14's
``simplify`` can raise ``StopIteration`` on such sums. This module does the few
things the derivations need, with every index range declared up front:

* ``indices`` creates integer index symbols and records their range ``1 <= i <= K``;
* ``evaluate_sums`` applies linearity and collapses ``Sum(f(k) * delta(k, j), (k, 1, K))``
  to ``f(j)``, but only when ``j`` is declared on the same range as ``k``;
* ``canonical`` renames bound indices so that equal sums compare equal;
* ``assert_zero`` proves an identity by reducing a difference to 0 and raises otherwise;
* ``agrees_for_fixed_K`` substitutes K = 2, 3, ... into a general-K result and compares
  it with the same quantity computed for that fixed K;
* ``show`` prints an equation in the terminal (Unicode or, with ``SOFTMAX_CE_LATEX=1``,
  LaTeX) and typesets it as display math in a Jupyter kernel.
"""

import itertools
import os
import sys

import sympy as sp

# Number of classes. Every index declared by `indices` runs over 1..K unless given other bounds.
K = sp.Symbol("K", integer=True, positive=True)

# Declared range (lower, upper) of every index symbol, both bounds inclusive.
_INDEX_RANGES: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {}

# Names tried, in order, when `canonical` renames the index of a sum.
_BOUND_INDEX_NAMES = ("k", "m", "n", "l", "r", "s", "t", "u")


# --- Indices and sums --------------------------------------------------------


def indices(names, lower=1, upper=K):
    """Create integer index symbols and declare that each runs over lower..upper.

    A later declaration of the same name replaces the earlier range. Each derivation
    declares its indices at the top, and several derivations may run in one process
    (the tests run them with runpy), where c can be a class in one and a feature in another.
    """
    symbols = sp.symbols(names, integer=True, positive=True, seq=True)
    for symbol in symbols:
        _INDEX_RANGES[symbol] = (sp.sympify(lower), sp.sympify(upper))
    return symbols if len(symbols) > 1 else symbols[0]


def _declare(symbol, lower, upper):
    bounds = (sp.sympify(lower), sp.sympify(upper))
    known = _INDEX_RANGES.get(symbol)
    if known is not None and known != bounds:
        raise ValueError(
            f"index {symbol} is already declared on {known[0]}..{known[1]}, "
            f"cannot declare it again on {bounds[0]}..{bounds[1]}"
        )
    _INDEX_RANGES[symbol] = bounds


def index_range(index):
    """Return the declared (lower, upper) of an index, raising KeyError if it has none."""
    try:
        return _INDEX_RANGES[index]
    except KeyError:
        raise KeyError(
            f"index {index!r} has no declared range; create it with indices({str(index)!r})"
        ) from None


def sum_over(summand, index):
    """Return the unevaluated sum of `summand` over the declared range of `index`."""
    lower, upper = index_range(index)
    return sp.Sum(summand, (index, lower, upper))


def evaluate_sums(expr):
    """Apply linearity and Kronecker-delta collapse to every Sum in `expr`, innermost first.

    A factor that does not depend on the summation index k moves out of the sum, and a
    term free of k sums to (upper - lower + 1) copies. A factor delta(k, j) collapses
    the sum to the remaining factors at k = j, but only if j is a declared index with
    exactly the range of k, so no case outside the range is lost.
    Sums that none of these rules reduce stay as Sums.
    """
    for _ in range(20):
        new = expr.replace(lambda e: isinstance(e, sp.Sum), _evaluate_one_sum)
        if new == expr:
            return new
        expr = new
    raise RuntimeError(f"evaluate_sums did not reach a fixed point on {expr}")


def _evaluate_one_sum(total):
    summand = total.function
    limits = total.limits
    if len(limits) > 1:
        # Sum(f, (j, ...), (i, ...)) sums over j first. SymPy merges a Sum of a Sum into
        # one Sum with several limits, so evaluate the innermost limit and rebuild.
        inner = _evaluate_one_sum(sp.Sum(summand, limits[0]))
        return sp.Sum(inner, *limits[1:])
    index, lower, upper = limits[0]
    terms = sp.Add.make_args(sp.expand(summand, power_exp=False, power_base=False, log=False))
    result = sp.S.Zero
    for term in terms:
        constant, dependent = term.as_independent(index, as_Add=False)
        if dependent == 1:
            result += constant * (upper - lower + 1)
            continue
        collapsed = _collapse_delta(dependent, index, lower, upper)
        if collapsed is not None:
            result += constant * collapsed
        else:
            result += constant * sp.Sum(dependent, (index, lower, upper))
    return result


def _collapse_delta(dependent, index, lower, upper):
    """Return sum_k dependent(k) when it contains delta(k, j) with j on k's range, else None."""
    for factor in sp.Mul.make_args(dependent):
        if not isinstance(factor, sp.KroneckerDelta) or index not in factor.args:
            continue
        other = factor.args[1] if factor.args[0] == index else factor.args[0]
        if other.has(index):
            continue
        if _INDEX_RANGES.get(other) != (lower, upper) and not _is_integer_in(other, lower, upper):
            continue
        rest = dependent / factor
        rest = _rename_bound(rest, avoid={other})
        return rest.subs(index, other)
    return None


def _is_integer_in(value, lower, upper):
    return (
        value.is_Integer
        and sp.Ge(value, lower) is sp.true
        and sp.Le(value, upper) is sp.true
    )


def _rename_bound(expr, avoid):
    """Rename summation indices of `expr` that clash with symbols in `avoid`."""

    def rename(total):
        index, lower, upper = total.limits[0]
        if index not in avoid:
            return total
        fresh = _fresh_index(expr.free_symbols | avoid | _bound_symbols(expr), lower, upper)
        return sp.Sum(total.function.subs(index, fresh), (fresh, lower, upper), *total.limits[1:])

    return expr.replace(lambda e: isinstance(e, sp.Sum), rename)


def _bound_symbols(expr):
    return {limit[0] for total in expr.atoms(sp.Sum) for limit in total.limits}


def _fresh_index(taken, lower, upper):
    for name in itertools.chain(_BOUND_INDEX_NAMES, (f"k{n}" for n in itertools.count(1))):
        candidate = sp.Symbol(name, integer=True, positive=True)
        if candidate in taken:
            continue
        known = _INDEX_RANGES.get(candidate)
        if known is not None and known != (lower, upper):
            continue
        _declare(candidate, lower, upper)
        return candidate
    raise AssertionError("unreachable: the name generator is infinite")


def canonical(expr):
    """Rename the index of every Sum to the first free name in k, m, n, ..., outermost first.

    Two sums that differ only in the name of their index, such as sum_i p_i v_i and
    sum_k p_k v_k, become the same object, so their difference cancels.
    """
    # Unique dummies first, so that giving an outer sum the name k cannot capture a k
    # that an inner sum binds.
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), _bind_to_dummies)
    return _canonical(expr, frozenset(expr.free_symbols))


def _bind_to_dummies(total):
    body = total.function
    limits = []
    for index, lower, upper in total.limits:
        dummy = sp.Dummy(str(index), integer=True, positive=True)
        _INDEX_RANGES[dummy] = (lower, upper)
        body = body.xreplace({index: dummy})
        limits.append((dummy, lower, upper))
    return sp.Sum(body, *limits)


def _canonical(expr, taken):
    if isinstance(expr, sp.Sum):
        body = expr.function
        limits = list(expr.limits)
        # The last limit is the outermost sum, so it takes the first free name.
        for position in reversed(range(len(limits))):
            dummy, lower, upper = limits[position]
            fresh = _fresh_index(taken, lower, upper)
            taken = taken | {fresh}
            body = body.xreplace({dummy: fresh})
            limits[position] = (fresh, lower, upper)
        return sp.Sum(_canonical(body, taken), *limits)
    if not expr.args or expr.is_Atom:
        return expr
    return expr.func(*(_canonical(arg, taken) for arg in expr.args))


# --- Softmax notation --------------------------------------------------------


def symbol_vector(base, n):
    """Return the column (base_1, ..., base_n) of an IndexedBase."""
    return sp.Matrix([base[a] for a in range(1, n + 1)])


def diagonal_matrix(column):
    """Return the square matrix with `column` on its diagonal (sp.diag rejects Indexed entries)."""
    size = len(column)
    return sp.Matrix(size, size, lambda a, b: column[a] if a == b else 0)


def softmax_vector(z, n, scale=1):
    """Return softmax(scale * z) for n classes as the column of exp(scale z_i) / sum_k exp(scale z_k)."""
    return softmax_of([scale * z[a] for a in range(1, n + 1)])


def softmax_of(logits):
    """Return the column softmax(logits) for a sequence of logit expressions."""
    exponentials = [sp.exp(logit) for logit in logits]
    total = sp.Add(*exponentials)
    return sp.Matrix([e / total for e in exponentials])


def exp_sum_to_symbol(expr, z, denominator, n=None, scale=1):
    """Replace sum_k exp(scale * z_k) over all K classes (or over 1..n for fixed n) by `denominator`."""

    def is_full_exp_sum(e):
        if not isinstance(e, sp.Sum) or len(e.limits) != 1:
            return False
        index, lower, upper = e.limits[0]
        return e.function == sp.exp(scale * z[index]) and (lower, upper) == (1, K)

    expr = expr.replace(is_full_exp_sum, lambda e: denominator)
    if n is not None:
        total = sp.Add(*(sp.exp(scale * z[a]) for a in range(1, n + 1)))
        expr = expr.xreplace({total: denominator})
    return expr


def to_probabilities(expr, z, p, n=None, scale=1):
    """Rewrite `expr`, written in exp(z_i) and sum_k exp(z_k), in terms of p_i = softmax(z)_i.

    Each exp(z_i) becomes p_i * S with S = sum_k exp(z_k). Pass n for a fixed number of
    classes written as z[1] .. z[n], and `scale` for p = softmax(scale * z), such as
    scale = 1/T for a temperature T. For a batch z[n, k], softmax runs over the last
    index and each row n has its own S_n. Raises ValueError if the S do not cancel,
    because then the expression cannot be written in p alone.
    """
    denominators = {}

    def denominator(row):
        if row not in denominators:
            denominators[row] = sp.Dummy("S", positive=True)
        return denominators[row]

    def full_exp_sum_row(e):
        # Sum(exp(scale z[row, k]), (k, 1, K)) -> row, or None for any other expression.
        if not isinstance(e, sp.Sum) or len(e.limits) != 1:
            return None
        index, lower, upper = e.limits[0]
        if (lower, upper) != (1, K) or not isinstance(e.function, sp.exp):
            return None
        logit = sp.expand(e.function.args[0] / scale)
        if not (isinstance(logit, sp.Indexed) and logit.base == z and logit.indices[-1] == index):
            return None
        row = logit.indices[:-1]
        return None if any(part.has(index) for part in row) else row

    expr = expr.replace(
        lambda e: full_exp_sum_row(e) is not None,
        lambda e: denominator(full_exp_sum_row(e)),
    )
    if n is not None:
        expr = exp_sum_to_symbol(expr, z, denominator(()), n, scale)

    def logit_coefficients(e):
        # exp(scale * (c z_a + d z_b)) -> {z_a: c, z_b: d}, or None for any other exp.
        if not isinstance(e, sp.exp):
            return None
        coefficients = sp.expand(e.args[0] / scale).as_coefficients_dict()
        for term, coefficient in coefficients.items():
            if not (isinstance(term, sp.Indexed) and term.base == z and coefficient.is_Rational):
                return None
        return coefficients

    def in_probabilities(e):
        # exp(c z_a + d z_b) = (p_a S)^c (p_b S)^d; SymPy writes exp(z_a)^2 as exp(2 z_a).
        factors = []
        for term, power in logit_coefficients(e).items():
            factors.append((p[term.indices] * denominator(term.indices[:-1])) ** power)
        return sp.Mul(*factors)

    expr = expr.replace(lambda e: logit_coefficients(e) is not None, in_probabilities)
    expr = sp.cancel(evaluate_sums(expr))
    if any(expr.has(symbol) for symbol in denominators.values()):
        raise ValueError(f"the softmax denominator does not cancel in {expr}")
    return expr


def from_probabilities(expr, p, z, scale=1):
    """Replace every p_x in `expr` by its definition exp(scale z_x) / sum_k exp(scale z_k).

    For a batch, P[n, x] becomes exp(Z[n, x]) / sum_k exp(Z[n, k]): softmax runs over
    the last index.
    """

    def definition(indexed):
        *row, index = indexed.indices
        taken = expr.free_symbols | set(indexed.free_symbols) | _bound_symbols(expr)
        bound = _fresh_index(taken, 1, K)
        return sp.exp(scale * z[(*row, index)]) / sp.Sum(sp.exp(scale * z[(*row, bound)]), (bound, 1, K))

    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == p,
        definition,
    )


def use_normalisation(expr, p):
    """Replace every full-range sum_k p_k by 1, the normalisation of a probability vector."""

    def is_full_sum_of_p(e):
        if not isinstance(e, sp.Sum) or len(e.limits) != 1:
            return False
        index, lower, upper = e.limits[0]
        return e.function == p[index] and (lower, upper) == (1, K)

    return expr.replace(is_full_sum_of_p, lambda e: sp.S.One)


# --- Proofs ------------------------------------------------------------------


def exp_to_generators(expr):
    """Write every exp(c_1 t_1 + c_2 t_2 + ...) with rational c as a product of powers E_t^c.

    The exponentials of terms that are linearly independent over the rationals, such as
    distinct logits, are algebraically independent. So two expressions are equal exactly
    when their rewritten forms are equal as rational functions, and SymPy handles plain
    positive symbols E_t far faster than exp objects.
    """
    generators = {}

    def generator(term):
        if term not in generators:
            generators[term] = sp.Dummy(f"E_{term}", positive=True)
        return generators[term]

    def as_generators(e):
        coefficients = sp.expand(e.args[0]).as_coefficients_dict()
        if not all(c.is_Rational for c in coefficients.values()):
            return e
        factors = [generator(term) ** c if term != 1 else sp.E**c for term, c in coefficients.items()]
        return sp.Mul(*factors)

    # xreplace with a precomputed table is much cheaper than replace() on large sums.
    return expr.xreplace({e: as_generators(e) for e in expr.atoms(sp.exp)})


def reduce(expr, rules=()):
    """Evaluate sums, apply each rule (a function of an expression), rename indices, cancel."""
    expr = evaluate_sums(sp.sympify(expr))
    for rule in rules:
        expr = evaluate_sums(rule(expr))
    return sp.cancel(canonical(expr))


def is_zero(expr):
    """Return True if the rational expression `expr` is identically 0.

    Exponentials become generators (see `exp_to_generators`). Sums and Kronecker deltas
    that remain are treated as opaque symbols, so False means "not shown to be 0".
    """
    expr = exp_to_generators(sp.sympify(expr))
    if _is_zero_with_opaque_denominators(expr):
        return True
    # Add.as_numer_denom combines equal denominators without the gcd search that makes
    # together() and cancel() slow on these expressions; an exact 0 needs no gcd.
    numerator, _ = expr.as_numer_denom()
    return _expands_to_zero(numerator)


def _is_zero_with_opaque_denominators(expr):
    """Return True if `expr` is 0 with every reciprocal 1/b taken as a new variable T_b.

    Forgetting that T_b b = 1 can only lose cancellations, never invent them: a
    polynomial in T_b that is 0 stays 0 when T_b is replaced by 1/b. This avoids
    multiplying out the denominators, and it succeeds whenever both sides share them.
    """
    reciprocals = {}

    def reciprocal_power(power):
        variable = reciprocals.setdefault(power.base, sp.Dummy("T"))
        return variable ** (-power.exp)

    negative_powers = [e for e in expr.atoms(sp.Pow) if e.exp.is_Integer and e.exp < 0]
    polynomial = expr.xreplace({power: reciprocal_power(power) for power in negative_powers})
    return _expands_to_zero(polynomial)


def _expands_to_zero(expr):
    """Return True if `expr`, a polynomial in its non-arithmetic parts, expands to 0.

    Every subexpression that is not a sum, a product, a positive integer power or a
    rational number is a generator of the polynomial ring QQ[generators], and the
    expansion runs in that ring's sparse arithmetic, far faster than Expr.expand.
    """
    from sympy.polys.rings import ring

    generators = set()

    def collect(e):
        if e.is_Rational:
            return
        if isinstance(e, (sp.Add, sp.Mul)):
            for arg in e.args:
                collect(arg)
        elif isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            collect(e.base)
        else:
            generators.add(e)

    collect(expr)
    if not generators:
        return expr == 0
    ordered = sorted(generators, key=sp.default_sort_key)
    polynomial_ring, *variables = ring(ordered, sp.QQ)
    variable_of = dict(zip(ordered, variables))

    def build(e):
        if e.is_Rational:
            return polynomial_ring.ground_new(e)
        if isinstance(e, sp.Add):
            return sum((build(arg) for arg in e.args), polynomial_ring.zero)
        if isinstance(e, sp.Mul):
            product = polynomial_ring.one
            for arg in e.args:
                product *= build(arg)
            return product
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            return build(e.base) ** int(e.exp)
        return variable_of[e]

    return build(expr) == 0


def assert_zero(expr, claim, rules=(), delta_cases=()):
    """Prove that `expr` is 0 or raise AssertionError naming `claim` and the residue.

    `rules` are functions applied after the sums are evaluated (for example
    `lambda e: use_normalisation(e, p)`). Each pair (i, j) in `delta_cases` splits the
    proof into the case i = j (j replaced by i) and the case i != j (delta(i, j) -> 0),
    and both must reduce to 0.
    """
    residue = _prepare(expr, rules)
    if is_zero(residue):
        return
    for first, second in delta_cases:
        equal = _prepare(residue.subs(second, first), rules)
        unequal = _prepare(residue.subs(sp.KroneckerDelta(first, second), 0), rules)
        if is_zero(equal) and is_zero(unequal):
            return
    raise AssertionError(
        f"claim failed: {claim}; the difference reduces to {sp.cancel(residue)}, not 0"
    )


def _prepare(expr, rules):
    expr = sp.sympify(expr)
    for rule in (lambda e: e, *rules):
        expr = rule(expr)
        if expr.has(sp.Sum):
            expr = evaluate_sums(expr)
    return canonical(expr) if expr.has(sp.Sum) else expr


def assert_equal(lhs, rhs, claim, rules=(), delta_cases=()):
    """Prove lhs = rhs by reducing lhs - rhs to 0 (see `assert_zero`)."""
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
        if lhs.shape != rhs.shape:
            raise AssertionError(f"claim failed: {claim}; shapes {lhs.shape} and {rhs.shape} differ")
        for position, (left, right) in enumerate(zip(lhs, rhs)):
            row, column = divmod(position, lhs.shape[1])
            assert_zero(left - right, f"{claim} (entry {row + 1}, {column + 1})", rules, delta_cases)
        return
    assert_zero(lhs - rhs, claim, rules, delta_cases)


def substitute(expr, mapping):
    """Substitute `mapping` in `expr`, with the fast xreplace unless a key is a bound index.

    Fixed-K checks substitute thousands of times, and subs() is several times slower
    than xreplace(), which is exact for symbols and Indexed atoms that no sum binds.
    """
    expr = sp.sympify(expr)
    if set(mapping) & _bound_symbols(expr):
        return expr.subs(mapping)
    return expr.xreplace(mapping)


def expand_finite_sums(expr):
    """Write every Sum with integer limits as the Add of its terms, innermost first.

    This is what Sum.doit() does for such limits, without its search for closed forms.
    """

    def expand(total):
        body = total.function
        for index, lower, upper in total.limits:
            if not (lower.is_Integer and upper.is_Integer):
                raise ValueError(
                    f"cannot expand a sum over {index} from {lower} to {upper}: limits must be integers"
                )
            # replace() works innermost first, so `body` binds no index and xreplace is safe.
            values = range(int(lower), int(upper) + 1)
            body = sp.Add(*(body.xreplace({index: value}) for value in values))
        return body

    return expr.replace(lambda e: isinstance(e, sp.Sum), expand)


def plain_bases(*bases):
    """Return assumption-free copies of IndexedBases and a function that maps results back.

    SymPy differentiates through exp and log far faster when it cannot query assumptions
    (about 40% less time for the K = 2..6 Hessians of cross-entropy). Derivatives do not
    depend on assumptions, so fixed-K code computes with the copies and `restore`
    renames the result to the original bases. Only simplifications that need assumptions
    are lost, such as expand_log without force=True.
    """
    copies = tuple(sp.IndexedBase(f"{base.label}_plain") for base in bases)
    originals = dict(zip(copies, bases))

    def restore(expr):
        atoms = expr.atoms(sp.Indexed)
        mapping = {atom: originals[atom.base][atom.indices] for atom in atoms if atom.base in originals}
        return expr.xreplace(mapping)

    return (*copies, restore)


def polynomial_det(matrix, generators):
    """Return det(matrix) for entries that are polynomials in `generators`, with integer coefficients.

    The determinant is computed in the ring ZZ[generators]. For diag(p) - p pᵀ with K = 6
    that took 0.02 s, where Matrix.det(method="berkowitz") took 80 s (SymPy 1.14).
    """
    from sympy.polys.matrices import DomainMatrix

    ring = sp.ZZ[tuple(generators)]
    rows, columns = matrix.shape
    domain_matrix = DomainMatrix.from_list_sympy(rows, columns, matrix.tolist()).convert_to(ring)
    return ring.to_sympy(domain_matrix.det())


def agrees_for_fixed_K(general, fixed, Ks, free_indices=(), fixed_rule=None):
    """Check a general-K expression against fixed-K results and return the Ks checked.

    `fixed(n)` returns the quantity computed for K = n: a scalar, or a Matrix or list
    indexed by the free indices (1-based in the formula, 0-based in the container).
    For every n in `Ks` and every value of the free indices in 1..n, the general result
    with K = n substituted and its sums expanded must equal the fixed-K result.
    `fixed_rule(difference, n)`, if given, is applied to each difference first (for
    example to eliminate p_n = 1 - p_1 - ... - p_(n-1)).
    """
    for n in Ks:
        reference = fixed(n)
        for values in itertools.product(range(1, n + 1), repeat=len(free_indices)):
            mapping = {K: n, **dict(zip(free_indices, values))}
            substituted = expand_finite_sums(substitute(general, mapping))
            position = tuple(value - 1 for value in values)
            if isinstance(reference, sp.MatrixBase):
                if len(position) == 1:
                    # A column or row vector, indexed by its single free index.
                    expected = reference[position[0]]
                else:
                    expected = reference[position] if position else reference
            else:
                expected = reference
                for offset in position:
                    expected = expected[offset]
            difference = substituted - expected
            if fixed_rule is not None:
                difference = fixed_rule(difference, n)
            if not is_zero(difference):
                where = ", ".join(f"{index} = {value}" for index, value in zip(free_indices, values))
                raise AssertionError(
                    f"general-K result disagrees with K = {n} at {where or 'the only entry'}: "
                    f"difference {sp.cancel(difference)}"
                )
    return tuple(Ks)


# --- Display -----------------------------------------------------------------


def in_kernel():
    """Return True when running inside a Jupyter kernel (as when the site builds)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def latex_requested():
    """Return True when SOFTMAX_CE_LATEX=1 requests LaTeX instead of Unicode in the terminal."""
    return os.environ.get("SOFTMAX_CE_LATEX", "") == "1"


class Notation:
    """A name or an operator typed for display only, as LaTeX and as plain text."""

    def __init__(self, latex, plain):
        self.latex = latex
        self.plain = plain

    def __repr__(self):
        return f"Notation({self.latex!r}, {self.plain!r})"


def _latex(expr):
    if isinstance(expr, Notation):
        return expr.latex
    if isinstance(expr, str):
        return expr
    return sp.latex(expr)


def _pretty_form(expr):
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.stringpict import prettyForm

    if isinstance(expr, Notation):
        return prettyForm(expr.plain)
    if isinstance(expr, str):
        return prettyForm(expr)
    return PrettyPrinter({"use_unicode": True, "wrap_line": False})._print(expr)


def show(*parts, label=None):
    """Display `parts` joined by = signs: typeset in a kernel, printed in a terminal.

    Strings are used as they are (LaTeX in a kernel and with SOFTMAX_CE_LATEX=1, plain
    text otherwise). `label` is printed above the equation in a terminal only, because
    on a page the prose of the markdown cell introduces it.
    """
    if in_kernel():
        from IPython.display import Latex, display

        display(Latex("$$" + " = ".join(_latex(part) for part in parts) + "$$"))
        return
    if label:
        print(f"\n{label}")
    if latex_requested():
        print("$$" + " = ".join(_latex(part) for part in parts) + "$$")
        return
    from sympy.printing.pretty.pretty_symbology import pretty_use_unicode
    from sympy.printing.pretty.stringpict import prettyForm, stringPict

    # The Unicode drawing tables are chosen by a global flag, which sympy.pretty sets
    # for its own call only, so set it here, whatever the encoding of stdout.
    previous = pretty_use_unicode(True)
    try:
        forms = [_pretty_form(part) for part in parts]
        pieces = [forms[0]]
        for form in forms[1:]:
            pieces += [prettyForm(" = "), form]
        # stringPict.next aligns the pieces on their baselines, as sympy.pretty does for Eq.
        text = prettyForm(*stringPict.next(*pieces)).render(wrap_line=False)
    finally:
        pretty_use_unicode(previous)
    print(text)


def confirm(statement):
    """Report a claim that an assertion just proved, on the page and in the terminal."""
    print(f"✓ {statement}")
