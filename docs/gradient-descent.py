# %% [markdown]
# # Gradient descent with softmax
#
# The derivation pages prove two facts about the cross-entropy of softmax
# probabilities. First, its gradient with respect to the logits is
# $\hat y - y$, the predicted probabilities minus the one-hot target
# ([derivation](derivations/cross_entropy_gradient.py)). Second, its Hessian
# is positive semi-definite, so the loss is convex in the weights of a linear
# model ([derivation](derivations/hessian_convexity.py)). This page puts both
# to work. With the chain rule and nothing else, they train a real
# classifier. The sections below draw the decision regions of a linear model
# on Iris, show what the learning rate does, classify handwritten digits, and
# end with the one case where training never settles.
#
# Every number and figure below was computed when the site was built. The
# page asserts its claims, so a regression in the library fails the build.

# %%
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from _figures import CLASS_COLORS, INK, use_site_style
from softmax_ce import SoftmaxRegression, cross_entropy_with_grad, softmax
from softmax_ce.regression import ConvergenceWarning

use_site_style()
np.set_printoptions(precision=4, suppress=True)


def standardise(train, *others):
    """Scale columns to zero mean and unit variance with the statistics of ``train``."""
    mean = train.mean(axis=0)
    scale = train.std(axis=0)
    scale[scale == 0] = 1.0  # a constant column is only centred
    return [(array - mean) / scale for array in (train, *others)]


# %% [markdown]
# ## From the logits' gradient to the weights' gradient
#
# A linear classifier computes the logits of a sample $x \in \mathbb{R}^d$ as
# $z = W x + b$, with weights $W$ of shape $(K, d)$ and a bias $b$ of shape
# $(K,)$. For a batch, stack the $N$ samples as the rows of $X$ $(N, d)$. The
# logits are then the rows of $Z = X W^\top + \mathbf{1} b^\top$ $(N, K)$, the
# probabilities are the rows of $P = \operatorname{softmax}(Z)$, and the
# one-hot targets are the rows of $Y$. Training minimises the mean loss
#
# $$
# J(W, b) = \frac{1}{N} \sum_{n=1}^{N} L_n ,
# \qquad
# L_n = -\log p_{n, y_n} .
# $$
#
# The derivation gives $\partial L_n / \partial z_n = p_n - y_n$. Logit $k$ of
# sample $n$ is $z_{n,k} = \sum_j W_{kj} x_{n,j} + b_k$, so
# $\partial z_{n,k} / \partial W_{kj} = x_{n,j}$ and
# $\partial z_{n,k} / \partial b_k = 1$. The chain rule sums over the samples:
#
# $$
# \frac{\partial J}{\partial W_{kj}}
#   = \frac{1}{N} \sum_{n} (p_{n,k} - y_{n,k})\, x_{n,j},
# \qquad
# \nabla_W J = \frac{1}{N} (P - Y)^\top X ,
# \qquad
# \nabla_b J = \frac{1}{N} (P - Y)^\top \mathbf{1} .
# $$
#
# A gradient descent step with learning rate $\eta$ is therefore
#
# $$
# W \leftarrow W - \eta\, \frac{(P - Y)^\top X}{N},
# \qquad
# b \leftarrow b - \eta\, \frac{(P - Y)^\top \mathbf{1}}{N} .
# $$
#
# Many texts store the weights the other way round, as a $(d, K)$ matrix with
# $Z = X W$. The same step then reads $W \leftarrow W - \eta\, X^\top (P - Y) / N$,
# the transpose of the matrix above. Each sample pulls row $k$ of $W$ towards
# $x_n$ when class $k$ is its label and $p_{n,k} < 1$. It pushes every other
# row away from $x_n$ in proportion to that row's probability. A sample that
# is already classified with confidence contributes almost nothing.
#
# `cross_entropy_with_grad` returns the mean loss together with
# $G = (P - Y)/N$ in one pass over the logits. The cell below checks $G$
# against $P$ and $Y$ built by hand, and the weight gradient $G^\top X$
# against central finite differences of $J$.

# %%
rng = np.random.default_rng(0)
n_samples, n_features, n_classes = 8, 3, 4
X_small = rng.standard_normal((n_samples, n_features))  # (N, d)
y_small = rng.integers(0, n_classes, size=n_samples)  # (N,)
W_small = rng.standard_normal((n_classes, n_features))  # (K, d)
b_small = rng.standard_normal(n_classes)  # (K,)


def mean_loss(W, b):
    loss, _ = cross_entropy_with_grad(X_small @ W.T + b, y_small)
    return float(loss)


loss, grad_logits = cross_entropy_with_grad(X_small @ W_small.T + b_small, y_small)
P = softmax(X_small @ W_small.T + b_small)  # (N, K)
Y = np.eye(n_classes)[y_small]  # (N, K), one-hot
assert_allclose(grad_logits, (P - Y) / n_samples, rtol=1e-12, atol=1e-15)

grad_W = grad_logits.T @ X_small  # (K, d)
step = 1e-6
numeric_grad_W = np.zeros_like(W_small)
for k, j in np.ndindex(W_small.shape):
    shift = np.zeros_like(W_small)
    shift[k, j] = step
    upper, lower = mean_loss(W_small + shift, b_small), mean_loss(W_small - shift, b_small)
    numeric_grad_W[k, j] = (upper - lower) / (2 * step)
assert_allclose(grad_W, numeric_grad_W, rtol=1e-6, atol=1e-9)

print(f"J = {float(loss):.6f}")
largest_gap = np.max(np.abs(grad_W - numeric_grad_W))
print(f"(P - Y)^T X / N matches central differences, largest gap {largest_gap:.1e}")

# %% [markdown]
# That is all a training loop needs. The loop below is complete. It starts
# from zero weights, and each epoch computes the logits, takes the loss and $G$
# from one call, and applies the update.

# %%
def gradient_descent(X, y, learning_rate, n_epochs):
    """Train W (K, d) and b (K,) by full-batch gradient descent from zero.

    Returns W, b and the loss at the start of every epoch.
    """
    n_classes = int(y.max()) + 1
    W = np.zeros((n_classes, X.shape[1]))
    b = np.zeros(n_classes)
    losses = []
    for _ in range(n_epochs):
        logits = X @ W.T + b  # (N, K)
        loss, grad_logits = cross_entropy_with_grad(logits, y)  # grad_logits = (P - Y) / N
        losses.append(float(loss))
        W -= learning_rate * grad_logits.T @ X
        b -= learning_rate * grad_logits.sum(axis=0)
    return W, b, losses


# %% [markdown]
# [`softmax_ce.SoftmaxRegression`](api.md#softmax-regression) runs this same
# loop. It adds input checks, an optional L2 penalty
# $\tfrac{\lambda}{2}\lVert W \rVert^2$ (whose gradient $\lambda W$ joins
# $\nabla_W J$), sample weights, mini-batches, and a stopping rule: it stops
# when the norm of the gradient falls below `tol`. Run for the same number of
# epochs without a penalty, it returns the same weights as the loop above.

# %%
iris = load_iris()
(X_iris,) = standardise(iris.data)
y_iris = iris.target

W_loop, b_loop, losses_loop = gradient_descent(X_iris, y_iris, learning_rate=0.5, n_epochs=200)
model = SoftmaxRegression(learning_rate=0.5, max_iter=200, tol=0.0).fit(X_iris, y_iris)
assert_allclose(model.coef_, W_loop, rtol=1e-12, atol=1e-14)
assert_allclose(model.intercept_, b_loop, rtol=1e-12, atol=1e-14)
assert_allclose(model.loss_history_[:-1], losses_loop, rtol=1e-12)

print("SoftmaxRegression reproduces the hand-written loop on Iris.")
print(f"loss at the start: {losses_loop[0]:.4f} (log 3 = {math.log(3):.4f})")
print(f"loss after 200 epochs: {model.loss_history_[-1]:.4f}")

# %% [markdown]
# The features are standardised before training, here and on the rest of the
# page: each column is shifted to mean 0 and scaled to variance 1. Gradient
# descent takes one step size for every direction, and features on very
# different scales make some directions far steeper than others.
#
# ## Decision regions on two features of Iris
#
# Take two features of Iris, petal length and petal width, so that the model
# can be drawn in the plane. On these features a straight line separates
# setosa from the other two species. Raising the setosa logit on one side of
# that line and lowering it on the other lowers the loss of every sample. So
# without a penalty the loss would have no minimum, and the
# [last section](#when-the-loss-has-no-minimum) looks at this case in detail.
# A small L2 penalty, $\lambda = 10^{-2}$, gives the loss a minimum.
#
# Softmax keeps the order of the logits, so the model predicts class $i$ over
# class $j$ exactly where $z_i > z_j$:
#
# $$
# (w_i - w_j)^\top x + (b_i - b_j) > 0 ,
# $$
#
# where $w_i$ is row $i$ of $W$. That is a half-plane bounded by a straight
# line, and the region of each class is an intersection of half-planes: a
# convex polygon. Softmax turns the logits into probabilities without bending
# the boundaries ([Properties of softmax](properties.py) shows this from the
# other side).

# %%
petal = [2, 3]  # petal length (cm), petal width (cm)
(X_petal,) = standardise(iris.data[:, petal])
petal_model = SoftmaxRegression(learning_rate=1.0, l2=1e-2, tol=1e-6, max_iter=20_000)
petal_model.fit(X_petal, y_iris)
petal_accuracy = petal_model.score(X_petal, y_iris)
print(f"converged in {petal_model.n_iter_} epochs, training accuracy {petal_accuracy:.3f}")
assert petal_model.converged_
assert petal_accuracy > 0.9

# Predict on a fine grid that covers the data.
spacing = 0.01
grid_x, grid_y = np.meshgrid(np.arange(-2.0, 2.0, spacing), np.arange(-2.0, 2.0, spacing))
grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])  # (M, 2)
region = petal_model.predict(grid).reshape(grid_x.shape)

# Neighbouring grid points with different predictions mark the boundaries.
points = grid.reshape(*region.shape, 2)  # (rows, columns, 2), x grows along a row
neighbours = [
    (region[:, :-1], region[:, 1:], (points[:, :-1] + points[:, 1:]) / 2),  # side by side
    (region[:-1, :], region[1:, :], (points[:-1, :] + points[1:, :]) / 2),  # one above another
]
boundary = {}  # (class i, class j) -> midpoints between an i point and a j point
for first, second, midpoints in neighbours:
    differs = first != second
    for i, j, point in zip(first[differs], second[differs], midpoints[differs]):
        boundary.setdefault((int(min(i, j)), int(max(i, j))), []).append(point)
print("pairs of classes that share a boundary:", sorted(boundary))

# %% [markdown]
# The figure colours each point of the plane by its predicted class. For each
# pair of classes that share a boundary, the dashed line is
# $(w_i - w_j)^\top x + b_i - b_j = 0$, drawn from the fitted weights. The
# edges of the regions lie on these lines.

# %%
fig, ax = plt.subplots(figsize=(5.2, 4.4))
ax.pcolormesh(
    grid_x, grid_y, region, cmap=ListedColormap(CLASS_COLORS), alpha=0.22, vmin=0, vmax=2
)
for label, name in enumerate(iris.target_names):
    members = X_petal[y_iris == label]
    ax.scatter(*members.T, s=14, color=CLASS_COLORS[label], edgecolor="white",
               linewidth=0.4, label=name)

W, b = petal_model.coef_, petal_model.intercept_
line_x = np.array([-2.0, 2.0])
for i, j in boundary:
    normal, offset = W[i] - W[j], b[i] - b[j]
    # normal . (x, y) + offset = 0, solved for y.
    line_y = -(normal[0] * line_x + offset) / normal[1]
    ax.plot(line_x, line_y, "--", color=INK, linewidth=0.8)
ax.set(xlim=(-2, 2), ylim=(-2, 2))
ax.set(xlabel="petal length (standardised)", ylabel="petal width (standardised)")
ax.set_title("Softmax regression: every boundary is a straight line")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The picture is backed by a check that uses the predicted classes only. The
# midpoints between neighbouring grid points with different predictions trace
# the boundaries. For each pair of classes, the cell fits a straight line to
# those midpoints (total least squares, through the SVD). It asserts that none
# of them is further from that line than one grid step, and that the line is
# the one the weights predict.

# %%
assert len(boundary) >= 2
for (i, j), pair_points in sorted(boundary.items()):
    pair_points = np.array(pair_points)
    centred = pair_points - pair_points.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    normal = directions[1]  # normal of the best-fitting line
    distances = np.abs(centred @ normal)
    # The fitted line must be the one the weights predict, with normal w_i - w_j.
    cosine = abs(normal @ (W[i] - W[j])) / np.linalg.norm(W[i] - W[j])
    print(f"classes {i} and {j}: {len(pair_points)} boundary points, the farthest "
          f"{distances.max():.4f} from one line, |cos| to w_i - w_j = {cosine:.6f}")
    assert distances.max() <= spacing
    assert cosine > 0.999

# %% [markdown]
# ## Choosing the learning rate
#
# The learning rate $\eta$ is the one knob of plain gradient descent. Too
# small and training crawls. Too large and the steps overshoot. How large is
# too large depends on the curvature of $J$. If the Hessian's largest
# eigenvalue is at most $L$ everywhere, any $\eta \le 1/L$ never increases the
# loss. For softmax regression the Hessian of the loss in the logits is
# $\operatorname{diag}(p) - p p^\top$, and
# $v^\top(\operatorname{diag}(p) - p p^\top) v$ is the variance of the entries of
# $v$ under $p$. A variance is at most a quarter of the squared range, and
# $(\max_k v_k - \min_k v_k)^2 / 4 \le \lVert v \rVert^2 / 2$, so that Hessian
# is below $\tfrac12 I$. Through the linear layer this gives
# $L \le \tfrac12 \lambda_{\max}(\tilde X^\top \tilde X / N) + \lambda$, with
# $\tilde X$ the features plus a column of ones.
#
# The figure trains on all four standardised Iris features with
# $\lambda = 0.1$ for 300 epochs at four learning rates:
#
# - $\eta = 0.05$ creeps towards the minimum.
# - $\eta = 1$, just below $2/L$, converges fast.
# - $\eta = 3.2$ overshoots and settles into a cycle that never converges.
# - $\eta = 50$ diverges. `fit` raises a `DivergenceError` (a
#   `FloatingPointError`) that names the epoch. The error carries the losses
#   up to that epoch, and the figure draws them.
#
# The two large rates fail in different ways. Far from the optimum the softmax
# saturates and the curvature of the cross-entropy fades, so an overshooting
# step cannot make the cross-entropy explode. The L2 term is different. Its
# curvature $\lambda$ is the same everywhere, and its part of each step
# multiplies $W$ by $1 - \eta \lambda$. Once $\eta \lambda > 2$ that factor is
# below $-1$, so $\lVert W \rVert$ grows geometrically until the loss
# overflows. At $\eta = 50$ the factor is $-4$. The penalty
# $\tfrac{\lambda}{2}\lVert W \rVert^2$ soon dominates $J$ and grows by
# $4^2 = 16$ per epoch, a straight line of slope $\log_{10} 16 \approx 1.2$ in
# the right panel.

# %%
l2 = 0.1
X1 = np.column_stack([X_iris, np.ones(len(X_iris))])
smoothness = 0.5 * np.linalg.eigvalsh(X1.T @ X1 / len(X1)).max() + l2
print(f"L <= {smoothness:.3f}, so 1/L = {1 / smoothness:.3f} and 2/L = {2 / smoothness:.3f}")

optimum = SoftmaxRegression(learning_rate=1.0, l2=l2, tol=1e-10, max_iter=100_000)
optimum = optimum.fit(X_iris, y_iris).loss_history_[-1]

curves, errors = {}, {}
for learning_rate in [0.05, 1.0, 3.2, 50.0]:
    model = SoftmaxRegression(learning_rate=learning_rate, l2=l2, tol=0.0, max_iter=300)
    try:
        curves[learning_rate] = model.fit(X_iris, y_iris).loss_history_
    except FloatingPointError as error:
        print(f"learning_rate={learning_rate}: {type(error).__name__}: {error}")
        errors[learning_rate] = error
        curves[learning_rate] = error.loss_history

slow, good, cycling = curves[0.05], curves[1.0], curves[3.2]
assert np.all(np.diff(slow) <= 0)
assert slow[-1] - optimum > 1e-3
assert abs(good[-1] - optimum) < 1e-9
# A cycle of period 2, high above the minimum.
assert abs(cycling[-1] - cycling[-3]) < 1e-9
assert abs(cycling[-1] - cycling[-2]) > 1e-2
assert min(cycling[-2:]) > optimum + 0.1
assert list(errors) == [50.0]
assert errors[50.0].epoch < 300
late_slope = np.diff(np.log10(errors[50.0].loss_history[-100:])).mean()
assert abs(late_slope - np.log10(16)) < 0.01

print(f"after 300 epochs, J - J* is {slow[-1] - optimum:.1e} for η = 0.05 "
      f"and {abs(good[-1] - optimum):.0e} for η = 1")
print(f"η = 3.2 alternates between J = {cycling[-2]:.4f} and J = {cycling[-1]:.4f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(7.0, 3.0))
styles = {
    0.05: ("#1f77b4", "too small"),
    1.0: ("#2ca02c", "good"),
    3.2: ("#ff7f0e", "too large, cycles"),
    50.0: ("#d62728", "too large, diverges"),
}
for learning_rate, history in curves.items():
    color, verdict = styles[learning_rate]
    label = f"η = {learning_rate:g}: {verdict}"
    left.plot(history, color=color, linewidth=1.2, label=label)
    # J reaches 1e306 before it overflows, too close to the float limit for a
    # log-scale axis, so the right panel plots log10(J) on a linear axis.
    right.plot(np.log10(history), color=color, linewidth=1.2, label=label)

diverged = errors[50.0]
last_epoch = len(diverged.loss_history) - 1
last_value = np.log10(diverged.loss_history[-1])
right.plot(last_epoch, last_value, "x", color="#d62728")
right.annotate(
    f"J overflows in epoch {diverged.epoch}", (last_epoch, last_value),
    xytext=(-10, -8), textcoords="offset points", ha="right", va="top",
    color=INK, fontsize=8,
)
left.set(ylim=(0.45, 1.15), xlabel="epoch", ylabel="objective J", title="near the minimum")
right.set(xlabel="epoch", ylabel="log10 J", title="the whole range")
left.legend(fontsize=7, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Handwritten digits
#
# The digits data set that ships with scikit-learn has 1797 images of
# $8 \times 8$ pixels, so $d = 64$ features and $K = 10$ classes. The split
# below keeps a quarter of the images for testing, with the same proportion
# of each digit in both parts. The features are standardised with the
# statistics of the training part only. The model uses $\lambda = 10^{-2}$
# and full-batch steps with $\eta = 1$.

# %%
digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(
    digits.data, digits.target, test_size=0.25, stratify=digits.target, random_state=0
)
X_train, X_test = standardise(X_train, X_test)

digits_model = SoftmaxRegression(learning_rate=1.0, l2=1e-2, tol=1e-5, max_iter=20_000)
digits_model.fit(X_train, y_train)
train_accuracy = digits_model.score(X_train, y_train)
test_accuracy = digits_model.score(X_test, y_test)
print(f"{digits_model.n_iter_} epochs, gradient norm {digits_model.gradient_norm_:.1e}")
print(f"accuracy on the {len(y_train)} training images: {train_accuracy:.3f}")
print(f"accuracy on the {len(y_test)} held-out images: {test_accuracy:.3f}")
assert digits_model.converged_
assert test_accuracy > 0.95

# %% [markdown]
# scikit-learn's L-BFGS solver, run on the same objective, finds the same
# model. Its `LogisticRegression` minimises
# $\tfrac12 \lVert W \rVert^2 + C \sum_n L_n$, which is $N C$ times $J$ when
# $C = 1/(N \lambda)$.

# %%
reference = LogisticRegression(C=1 / (len(y_train) * 1e-2), tol=1e-10, max_iter=10_000)
reference.fit(X_train, y_train)
agreement = np.mean(reference.predict(X_test) == digits_model.predict(X_test))
print(f"test predictions that match scikit-learn's: {100 * agreement:.1f} %")
assert agreement >= 0.99

# %% [markdown]
# The confusion matrix counts, for each true digit (row), how the test images
# were classified (column). The correct classifications are on the diagonal.

# %%
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, digits_model.predict(X_test)), 1)
assert confusion.sum() == len(y_test)
assert np.trace(confusion) / len(y_test) == test_accuracy
# Every digit is classified correctly in at least 85 % of its test images.
assert np.all(np.diag(confusion) >= 0.85 * confusion.sum(axis=1))

fig, ax = plt.subplots(figsize=(4.6, 4.2))
ax.imshow(confusion, cmap="Blues")
for (row, column), count in np.ndenumerate(confusion):
    if count:
        text_color = "white" if count > confusion.max() / 2 else INK
        ax.text(column, row, count, ha="center", va="center", fontsize=8, color=text_color)
ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit")
ax.set_title(f"Digits test set: accuracy {test_accuracy:.3f}")
ax.spines[:].set_visible(False)
plt.show()

# %% [markdown]
# Each row of $W$ scores one digit, and with $d = 64$ it can be drawn as an
# $8 \times 8$ image. Blue pixels raise the digit's logit when they are inked,
# and red pixels lower it. The rows are rough templates of each digit, minus
# what the digit shares with the others.

# %%
fig, axes = plt.subplots(1, 10, figsize=(7.0, 1.0))
limit = np.abs(digits_model.coef_).max()
for digit, ax in enumerate(axes):
    ax.imshow(digits_model.coef_[digit].reshape(8, 8), cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_title(str(digit))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## When the loss has no minimum
#
# Suppose some weights $(W, b)$ classify every training sample correctly, with
# a margin: $z_{n, y_n} - z_{n,k} = m_{n,k} > 0$ for every sample $n$ and every
# other class $k$. Scale them by $c > 1$. The loss of sample $n$ is
#
# $$
# L_n(cW, cb) = \log\Bigl(1 + \sum_{k \ne y_n} e^{-c\, m_{n,k}}\Bigr),
# $$
#
# which decreases strictly as $c$ grows and tends to 0. So $J$ gets
# arbitrarily close to 0 but never reaches it. The infimum is not attained,
# and there is no minimiser. Convexity does not help, because a convex
# function need not have a minimum. Gradient descent keeps following the
# downhill direction, which makes the weights larger and the model more
# confident. The loss keeps falling, ever more slowly, and the gradient
# shrinks but never vanishes. The training accuracy is already 100 %, so all
# that growth buys is overconfidence.
#
# The L2 penalty fixes this. $\tfrac{\lambda}{2}\lVert W \rVert^2$ grows
# without bound as the weights grow, so large weights are no longer cheap,
# and $J$ becomes strongly convex in $W$ with a single minimiser. Its size is
# bounded too: $J(W^*) \le J(0) = \log K$ and
# $J \ge \tfrac{\lambda}{2}\lVert W \rVert^2$ give
# $\lVert W^* \rVert \le \sqrt{2 \log K / \lambda}$.
#
# The experiment trains on three well-separated clouds of points, with and
# without $\lambda = 10^{-2}$. It records $\lVert W \rVert$ and the
# cross-entropy part of the loss after more and more epochs.

# %%
blob_rng = np.random.default_rng(0)
centres = np.array([[0.0, 3.0], [-3.0, -1.5], [3.0, -1.5]])
clouds = [centre + 0.6 * blob_rng.standard_normal((30, 2)) for centre in centres]
X_blobs = np.concatenate(clouds)  # (90, 2)
y_blobs = np.repeat(np.arange(3), 30)

checkpoints = np.array([1, 3, 10, 30, 100, 300, 1000, 3000, 10_000])  # epochs
runs = {}
for l2 in [0.0, 1e-2]:
    norms, cross_entropies = [], []
    for n_epochs in checkpoints:
        model = SoftmaxRegression(learning_rate=0.5, l2=l2, tol=0.0, max_iter=int(n_epochs))
        model.fit(X_blobs, y_blobs)
        loss, _ = cross_entropy_with_grad(model.decision_function(X_blobs), y_blobs)
        norms.append(np.linalg.norm(model.coef_))
        cross_entropies.append(float(loss))
    runs[l2] = (np.array(norms), np.array(cross_entropies), model)

free_norms, free_losses, free_model = runs[0.0]
penalised_norms, penalised_losses, penalised_model = runs[1e-2]
norm_bound = math.sqrt(2 * math.log(3) / 1e-2)

assert free_model.score(X_blobs, y_blobs) == 1.0  # separable: every point is right
assert np.all(np.diff(free_norms) > 0)
assert np.all(np.diff(free_losses) < 0)
assert free_losses[-1] < 1e-3
# The norm grows by about the same amount per tenfold more epochs (100, 1000, 10000).
growth_per_decade = np.diff(free_norms[checkpoints >= 100][::2])
assert np.all(np.abs(growth_per_decade / growth_per_decade.mean() - 1) < 0.2)
assert penalised_norms[-1] <= norm_bound
assert abs(penalised_norms[-1] - penalised_norms[-2]) < 1e-6 * penalised_norms[-1]

print(f"after {checkpoints[-1]} epochs without L2: ||W|| = {free_norms[-1]:.2f}, "
      f"cross-entropy {free_losses[-1]:.1e}")
print(f"after {checkpoints[-1]} epochs with L2: ||W|| = {penalised_norms[-1]:.2f}, "
      f"cross-entropy {penalised_losses[-1]:.1e}")
print(f"bound on ||W*|| with L2: sqrt(2 log 3 / λ) = {norm_bound:.2f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(7.0, 3.0))
for l2, color in [(0.0, "#d62728"), (1e-2, "#2ca02c")]:
    norms, cross_entropies, _ = runs[l2]
    left.plot(checkpoints, norms, "o-", markersize=3, color=color, label=f"λ = {l2:g}")
    right.plot(checkpoints, cross_entropies, "o-", markersize=3, color=color)
left.set(xscale="log", xlabel="epochs", ylabel="‖W‖")
left.set_title("weights keep growing without L2")
right.set(xscale="log", yscale="log", xlabel="epochs", ylabel="cross-entropy")
right.set_title("loss keeps falling towards 0")
left.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Without the penalty, $\lVert W \rVert$ grows by about the same amount every
# time the number of epochs is multiplied by ten. The loss falls by a similar
# factor each time, heading for 0. With $\lambda = 10^{-2}$ both curves level
# off at the unique minimiser.
#
# `SoftmaxRegression` does not hide this. With `tol > 0`, a run on separable
# data without L2 ends at `max_iter` with a `ConvergenceWarning`:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    SoftmaxRegression(learning_rate=0.5, tol=1e-6, max_iter=2000).fit(X_blobs, y_blobs)
assert [warning.category for warning in caught] == [ConvergenceWarning]
print(caught[0].message)

# %% [markdown]
# ## Summary
#
# - The gradient of the mean cross-entropy with respect to the logits is
#   $(P - Y)/N$. The chain rule through $Z = X W^\top + \mathbf{1} b^\top$
#   turns it into $\nabla_W J = (P - Y)^\top X / N$ and
#   $\nabla_b J = (P - Y)^\top \mathbf{1} / N$.
# - A gradient descent step is $W \leftarrow W - \eta (P - Y)^\top X / N$, which
#   is $W \leftarrow W - \eta X^\top (P - Y) / N$ in the $(d, K)$ convention.
# - Softmax does not bend decision boundaries. The classes of a linear model
#   are separated by straight lines, or hyperplanes in more dimensions.
# - A learning rate of at most $1/L$ never increases the loss. Too large a
#   rate makes the loss cycle, and with an L2 penalty it can make the weights
#   overflow, which `SoftmaxRegression` reports as a `DivergenceError`.
# - Full-batch gradient descent reaches the same optimum as scikit-learn's
#   L-BFGS on the same objective, and about 97 % test accuracy on digits.
# - On separable data the loss has no minimiser and the weights grow forever.
#   An L2 penalty restores a unique, bounded solution.
#
# ## Exercises
#
# **1. The sums over classes stay at zero.** Every row of $P - Y$ sums to 0.
# Show that, from zero weights, gradient descent keeps $\sum_k b_k = 0$ and
# $\sum_k w_k = 0$ at every step, with or without L2. Check it on the digits
# model.

# %% tags=["solution"]
# Summed over the classes, the bias gradient is 1^T (P - Y)^T 1 / N = 0,
# because every row of P - Y sums to 0. The same sum of the weight gradient
# is 1^T (P - Y)^T X / N + l2 * 1^T W = l2 * 1^T W. From W = 0 and b = 0 both
# sums start at 0, so every step keeps them at 0, up to rounding.
bias_sum = digits_model.intercept_.sum()
column_sums = digits_model.coef_.sum(axis=0)  # (d,), one sum over the classes per feature
print(f"sum of the biases: {bias_sum:.1e}")
print(f"largest sum over the classes of a weight column: {np.abs(column_sums).max():.1e}")
assert abs(bias_sum) < 1e-10
assert np.abs(column_sums).max() < 1e-10

# %% [markdown]
# **2. A safe step size.** Compute the bound
# $L = \tfrac12 \lambda_{\max}(\tilde X^\top \tilde X / N) + \lambda$ for the
# digits training set with $\lambda = 10^{-2}$. Train for 300 epochs with
# $\eta = 1/L$ and with $\eta = 1$, check that the loss with $\eta = 1/L$
# never increases, and compare how close each run gets to the minimum.

# %% tags=["solution"]
# For a step of at most 1/L the descent lemma gives
# J(theta - eta grad J) <= J(theta) - (eta / 2) ||grad J||^2, so the loss never
# increases. The bound is loose, because the softmax Hessian is well below I/2
# for most samples. So eta = 1, about 3.7 / L here, still converges, and after
# the same number of epochs it is much closer to the minimum. J* is taken from
# digits_model, which trained until the gradient norm fell below 1e-5.
X1_train = np.column_stack([X_train, np.ones(len(X_train))])
smoothness = 0.5 * np.linalg.eigvalsh(X1_train.T @ X1_train / len(X1_train)).max() + 1e-2
minimum = digits_model.loss_history_[-1]
gaps = {}
for learning_rate in [1 / smoothness, 1.0]:
    model = SoftmaxRegression(learning_rate=learning_rate, l2=1e-2, tol=0.0, max_iter=300)
    history = model.fit(X_train, y_train).loss_history_
    gaps[learning_rate] = history[-1] - minimum
    print(f"η = {learning_rate:.3f}: J - J* = {gaps[learning_rate]:.1e} after 300 epochs")
    if learning_rate == 1 / smoothness:
        assert np.all(np.diff(history) <= 1e-15)
print(f"L = {smoothness:.2f}, so η = 1 is {smoothness:.1f}/L")
assert gaps[1.0] < gaps[1 / smoothness] / 2

# %% [markdown]
# **3. Mini-batches.** Train the digits model with stochastic gradient descent
# on batches of 32 images (`batch_size=32`, `random_state=0`) for 30 epochs at
# $\eta = 0.05$. Compare its objective, test accuracy and final gradient norm
# with the full-batch model. Why does the gradient norm stay far above the
# $10^{-5}$ that the full-batch model reached?

# %% tags=["solution"]
# Each epoch now takes 43 steps instead of one, so 30 epochs already get close
# to the optimum. But each step follows a noisy estimate of the gradient. With
# a constant learning rate the weights keep jittering around the minimiser
# instead of settling on it, so the full-data gradient norm stays far from 0.
# Shrinking the learning rate over time, or larger batches, reduce the jitter.
sgd_model = SoftmaxRegression(
    learning_rate=0.05, l2=1e-2, batch_size=32, random_state=0, tol=0.0, max_iter=30
)
sgd_model.fit(X_train, y_train)
sgd_accuracy = sgd_model.score(X_test, y_test)
full_objective = digits_model.loss_history_[-1]
sgd_objective = sgd_model.loss_history_[-1]
print(f"steps per epoch: {math.ceil(len(y_train) / 32)}")
print(f"objective: SGD {sgd_objective:.4f}, full batch {full_objective:.4f}")
print(f"test accuracy: SGD {sgd_accuracy:.3f}, full batch {test_accuracy:.3f}")
print(f"gradient norm: SGD {sgd_model.gradient_norm_:.1e}, "
      f"full batch {digits_model.gradient_norm_:.1e}")
assert full_objective <= sgd_objective < 1.05 * full_objective
assert sgd_accuracy > 0.94
assert sgd_model.gradient_norm_ > 100 * digits_model.gradient_norm_
