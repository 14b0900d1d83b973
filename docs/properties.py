# %% [markdown]
# # Properties of softmax
#
# Softmax is applied *after* the model has computed its scores. It does not change how
# the logits $z$ are computed: it only rescales them into probabilities. This page
# collects what that rescaling keeps and what it changes: the order of the classes, the
# effect of adding a constant, the effect of a temperature, and the shape of the
# decision boundaries of a linear model. The symbolic proofs are on the
# [derivation page for these properties](derivations/softmax_properties.py); here each
# property is checked on numbers when the site builds.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from numpy.testing import assert_allclose
from scipy.stats import entropy

import softmax_ce
from _figures import CLASS_COLORS, use_site_style

use_site_style()
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(1)

# %% [markdown]
# ## Order is kept
#
# All entries share one denominator and $e^{x}$ is increasing, so
#
# $$
# z_i \gt z_j \iff p_i \gt p_j .
# $$
#
# Softmax ranks the classes exactly as the logits do. In particular the predicted class
# $\arg\max_i p_i$ is $\arg\max_i z_i$, and training with softmax changes predictions only
# by changing the logits.

# %%
logits = rng.normal(scale=4.0, size=(1000, 6))  # (N, K)
probs = softmax_ce.softmax(logits)

# argsort ranks the classes of every row. Random floats have
# no ties, so the two rankings must agree exactly.
ranks_by_probs = np.argsort(probs, axis=-1)
ranks_by_logits = np.argsort(logits, axis=-1)
assert np.array_equal(ranks_by_probs, ranks_by_logits)
print(f"same class ranking in all {logits.shape[0]} rows")

# %% [markdown]
# ## Only differences between logits matter
#
# Adding the same number $c$ to every logit multiplies the numerator and the denominator
# by $e^{c}$, which cancels:
#
# $$
# \operatorname{softmax}(z + c\,\mathbf{1}) = \operatorname{softmax}(z)
# \quad\text{for every } c \in \mathbb{R}
# $$
#
# ([derivation](derivations/shift_invariance_logsumexp.py)). Softmax depends only on the
# differences $z_i - z_j$. The ratio of two probabilities depends only on the difference
# of their logits,
#
# $$
# \frac{p_i}{p_j} = e^{z_i - z_j},
# \qquad
# \ln p_i - \ln p_j = z_i - z_j ,
# $$
#
# so a logit difference is a log-odds. This is also why the stable implementation may
# subtract the maximum logit (see [Softmax](softmax.py)).

# %%
shifts = rng.normal(scale=100.0, size=(1000, 1))  # one c per row
shifted_probs = softmax_ce.softmax(logits + shifts)
assert_allclose(shifted_probs, probs, rtol=1e-12, atol=1e-300)

log_probs = softmax_ce.log_softmax(logits)
log_ratio = log_probs[:, 0] - log_probs[:, 1]
logit_gap = logits[:, 0] - logits[:, 1]
assert_allclose(log_ratio, logit_gap, rtol=1e-12, atol=1e-12)
print("shifted logits give the same probabilities")
print("log-ratios equal logit differences")

# %% [markdown]
# Softmax is *not* invariant to scaling: $\operatorname{softmax}(2z)$ keeps the order
# of $\operatorname{softmax}(z)$ but is more peaked. Scaling is what a temperature does.
#
# ## Temperature
#
# Dividing the logits by a temperature $T > 0$ before softmax,
#
# $$
# p_i(T) = \frac{e^{z_i / T}}{\sum_{j} e^{z_j / T}},
# $$
#
# keeps the order of the classes and changes how sure the distribution is:
#
# - as $T \to 0$, $p(T)$ tends to the one-hot vector of the largest logit (when that
#   logit is unique);
# - at $T = 1$ it is the plain softmax;
# - as $T \to \infty$, $p(T)$ tends to the uniform distribution $1/K$.
#
# The entropy $H(p) = -\sum_i p_i \ln p_i$ measures how spread out $p$ is. Its
# derivative with respect to $T$ is $\operatorname{Var}_{p}(z) / T^{3}$, the variance of
# the logits under $p(T)$ divided by $T^3$, which is positive unless all logits are
# equal. So the entropy grows with the temperature. The figure and the checks below show
# this for one set of logits.

# %%
example_logits = np.array([2.0, 1.0, 0.2, -1.0])
temperatures = np.array([0.25, 1.0, 4.0])

fig, axes = plt.subplots(
    1, temperatures.size, sharey=True, figsize=(7.0, 2.4)
)
for ax, temperature in zip(axes, temperatures):
    p = softmax_ce.softmax(example_logits / temperature)
    ax.bar(np.arange(1, 5), p, color=CLASS_COLORS[0])
    ax.set_title(f"T = {temperature:g}")
    ax.set_xticks(np.arange(1, 5))
    ax.set_xlabel("class")
axes[0].set_ylabel("probability")
axes[0].set_ylim(0, 1)
plt.show()

# Entropy on a fine grid of temperatures, computed by SciPy:
# it must increase.
grid = np.geomspace(0.01, 100.0, 400)
grid_probs = softmax_ce.softmax(example_logits / grid[:, None])
entropies = entropy(grid_probs, axis=-1)  # (400,)
assert np.all(np.diff(entropies) > 0)

cold = softmax_ce.softmax(example_logits / 0.01)
hot = softmax_ce.softmax(example_logits / 1e6)
assert_allclose(cold, [1.0, 0.0, 0.0, 0.0], rtol=0, atol=1e-40)
assert_allclose(hot, np.full(4, 0.25), rtol=0, atol=1e-6)
print("T = 0.01:", cold)
print("T = 1e6: ", hot)

# %% [markdown]
# ## A linear model with softmax has linear decision boundaries
#
# Consider the simplest classifier, a single linear layer (a multiclass perceptron)
# with weights $W$ of shape $(K, d)$ and bias $b$ of shape $(K,)$. Its logits are
# linear in the input $x \in \mathbb{R}^d$:
#
# $$
# z = W x + b, \qquad z_k = w_k^{\top} x + b_k ,
# $$
#
# where $w_k^\top$ is row $k$ of $W$. Softmax does not change these scores; it only
# converts them. Where are two classes $i$ and $j$ equally likely? By the ratio above,
# $p_i = p_j$ exactly when $z_i = z_j$:
#
# $$
# p_i = p_j
# \iff (w_i - w_j)^{\top} x + (b_i - b_j) = 0 ,
# $$
#
# which is a hyperplane in $\mathbb{R}^d$, a straight line when $d = 2$. The region
# where class $i$ is predicted is where $z_i \ge z_j$ for every $j$: an intersection of
# half-spaces, so a convex region with flat sides. Adding softmax on top of a linear
# model keeps its decision boundaries linear, and it does not make them curved either.
# Curved boundaries come from the scores: a model whose logits are non-linear in $x$
# has non-linear boundaries, with or without softmax.
#
# The figure shows a model with $K = 3$ classes on a 2-D input. In the left panel
# each point is coloured by the mixture $\sum_k p_k \, \text{colour}_k$, so a pure
# colour means a confident prediction and a blend means doubt. Dashed lines are the
# three lines $p_i = p_j$. Each is a decision boundary only on the part where classes
# $i$ and $j$ are the two most likely, drawn solid. The right panel uses the same
# colouring for a model whose logits are quadratic in $x$: there the boundaries
# $p_i = p_j$ are curves.

# %%
W = np.array([[2.0, 0.5], [-1.5, 1.5], [-0.5, -2.0]])  # (K, d)
b = np.array([0.3, -0.2, 0.0])  # (K,)

# A model with quadratic logits z_k = w_k . features(x), for contrast.
W_quadratic = np.array(
    [
        [0.0, 0.0, 1.0, 1.0, 0.0],  # x1^2 + x2^2
        [1.5, 0.0, 0.0, 0.0, 0.0],
        [-1.0, 1.0, 0.0, 0.0, 0.5],
    ]
)
b_quadratic = np.array([-3.0, 0.0, 0.0])


def quadratic_features(points):
    """Map points (..., 2) to (x1, x2, x1^2, x2^2, x1 x2)."""
    x1, x2 = points[..., 0], points[..., 1]
    return np.stack([x1, x2, x1**2, x2**2, x1 * x2], axis=-1)


side = np.linspace(-3.0, 3.0, 301)
grid_x1, grid_x2 = np.meshgrid(side, side)
points = np.stack([grid_x1, grid_x2], axis=-1)  # (301, 301, 2)
colors = np.array([to_rgb(c) for c in CLASS_COLORS])  # (K, 3)


def draw_probabilities(ax, grid_logits, title):
    """Colour each point by its class probabilities, mixed."""
    grid_probs = softmax_ce.softmax(grid_logits)  # (301, 301, K)
    mixed = grid_probs @ colors  # (301, 301, 3), RGB
    ax.imshow(mixed, origin="lower", extent=(-3, 3, -3, 3),
              alpha=0.75)
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_aspect("equal")
    return grid_probs


fig, (ax_linear, ax_quadratic) = plt.subplots(
    1, 2, figsize=(7.0, 3.6)
)

linear_logits = points @ W.T + b  # (301, 301, K)
linear_probs = draw_probabilities(
    ax_linear, linear_logits, "linear logits $Wx + b$"
)
ax_linear.set_ylabel("$x_2$")
t = np.linspace(-10.0, 10.0, 4001)
for i, j in ((0, 1), (0, 2), (1, 2)):
    # The line (w_i - w_j) . x + (b_i - b_j) = 0, parametrised
    # as x = x0 + t * direction.
    normal = W[i] - W[j]
    x0 = -(b[i] - b[j]) * normal / (normal @ normal)
    direction = np.array([-normal[1], normal[0]])
    direction /= np.linalg.norm(direction)
    line = x0 + t[:, None] * direction  # (4001, 2)
    line_logits = line @ W.T + b  # (4001, K)
    line_probs = softmax_ce.softmax(line_logits)
    # The claim p_i = p_j, checked along the whole line.
    assert_allclose(
        line_probs[:, i], line_probs[:, j], rtol=1e-9, atol=1e-300
    )
    # Solid where i and j beat the third class, dashed elsewhere.
    other = 3 - i - j
    on_boundary = line_logits[:, i] >= line_logits[:, other]
    boundary = np.where(on_boundary[:, None], line, np.nan)
    ax_linear.plot(*line.T, color="#555555", linestyle="--", lw=0.8)
    ax_linear.plot(*boundary.T, color="#222222", lw=1.6)
label_positions = [(2.0, 0.6), (-1.6, 1.6), (0.4, -2.0)]
for k, position in enumerate(label_positions):
    ax_linear.text(*position, f"class {k + 1}", ha="center")
ax_linear.set_xlim(-3, 3)
ax_linear.set_ylim(-3, 3)

features = quadratic_features(points)  # (301, 301, 5)
quadratic_logits = features @ W_quadratic.T + b_quadratic
quadratic_probs = draw_probabilities(
    ax_quadratic, quadratic_logits, "quadratic logits"
)
predicted = quadratic_probs.argmax(axis=-1)  # (301, 301)
ax_quadratic.contour(
    side, side, predicted, levels=[0.5, 1.5],
    colors="#222222", linewidths=1.6,
)
plt.tight_layout()
plt.show()

# %% [markdown]
# The checks below confirm on the grid what the figure shows. For the linear model,
# the predicted class is the class of the largest logit. Each of its regions is
# convex: the midpoint of two points of one class belongs to the same class. The
# quadratic model has a class whose region is not convex.

# %%
linear_predicted = linear_probs.argmax(axis=-1)  # (301, 301)
largest_logit = linear_logits.argmax(axis=-1)
assert np.array_equal(linear_predicted, largest_logit)


def predict_linear(x):
    return np.argmax(x @ W.T + b, axis=-1)


def predict_quadratic(x):
    logits = quadratic_features(x) @ W_quadratic.T + b_quadratic
    return np.argmax(logits, axis=-1)


def convexity_violations(predict, n_pairs=20000):
    """Count same-class pairs whose midpoint gets another class."""
    starts = rng.uniform(-3, 3, size=(n_pairs, 2))
    ends = rng.uniform(-3, 3, size=(n_pairs, 2))
    same = predict(starts) == predict(ends)
    midpoints = (starts + ends) / 2
    moved = predict(midpoints) != predict(starts)
    return int(np.sum(same & moved))


linear_violations = convexity_violations(predict_linear)
quadratic_violations = convexity_violations(predict_quadratic)
print("midpoints in another region")
print("  linear model:   ", linear_violations)
print("  quadratic model:", quadratic_violations)
assert linear_violations == 0
assert quadratic_violations > 0

# %% [markdown]
# ## Summary
#
# - Softmax is applied to scores that the model has already computed; it does not
#   change them.
# - It keeps the order of the classes, so the predicted class is the largest logit.
# - Adding a constant to all logits changes nothing: only differences $z_i - z_j$
#   matter, and they are log-odds, $\ln(p_i / p_j)$.
# - Dividing the logits by a temperature $T$ keeps the order; small $T$ sharpens the
#   distribution towards one-hot and large $T$ flattens it towards uniform.
# - For a linear model $z = Wx + b$, the set where $p_i = p_j$ is a hyperplane, so
#   softmax keeps the decision boundaries linear and each class region convex.
#
# ## Exercises
#
# **1.** Show on numbers that $\operatorname{softmax}(2z) \neq \operatorname{softmax}(z)$
# in general, but that both predict the same class. For which $z$ are they equal?

# %% tags=["solution"]
z = np.array([1.0, 0.0, -0.5])
plain, doubled = softmax_ce.softmax(z), softmax_ce.softmax(2 * z)
print("softmax(z): ", plain)
print("softmax(2z):", doubled)
assert not np.allclose(doubled, plain)
assert doubled.argmax() == plain.argmax()

# They are equal exactly when all logits are equal. Then both are uniform, because
# softmax(2z) = softmax(z) forces 2(z_i - z_j) = z_i - z_j for every pair.
flat = np.full(3, 0.7)
flat_doubled = softmax_ce.softmax(2 * flat)
assert_allclose(flat_doubled, softmax_ce.softmax(flat), rtol=1e-15)
assert_allclose(flat_doubled, np.full(3, 1 / 3), rtol=1e-15)

# %% [markdown]
# **2.** In the linear model of the figure, the three lines $p_i = p_j$ meet in one
# point. Find it by solving a linear system, and show that all three probabilities are
# $1/3$ there. Why must the three lines meet in one point?

# %% tags=["solution"]
# z_1 = z_2 and z_1 = z_3 are two linear equations in x; together they imply z_2 = z_3,
# so the third line passes through the same point.
A = np.stack([W[0] - W[1], W[0] - W[2]])  # (2, d)
rhs = -np.array([b[0] - b[1], b[0] - b[2]])
meeting_point = np.linalg.solve(A, rhs)
p_meeting = softmax_ce.softmax(W @ meeting_point + b)
print("meeting point:", meeting_point)
print("probabilities:", p_meeting)
assert_allclose(p_meeting, np.full(3, 1 / 3), rtol=1e-12)

# %% [markdown]
# **3.** Compute $\operatorname{softmax}(z / T)$ for $z = (3, 2.9, -1)$ and
# $T = 10^{-3}$ both with the naive formula and with `softmax_ce.softmax`. Which one
# gives the limit $T \to 0$ correctly?

# %% tags=["solution"]
z = np.array([3.0, 2.9, -1.0])
scaled = z / 1e-3  # logits up to 3000: e^3000 overflows
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(scaled) / np.exp(scaled).sum()
stable = softmax_ce.softmax(scaled)
print("naive: ", naive)
print("stable:", stable)
assert np.isnan(naive[0])
# Exact value: p_2 / p_1 = exp(-0.1 / 1e-3) = exp(-100), about 3.7e-44.
assert_allclose(stable[1] / stable[0], np.exp(-100.0), rtol=1e-12)
assert stable[0] == 1.0
