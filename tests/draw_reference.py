"""Shared helpers of the drawing tests: GMM states, scipy's responsibilities and
densities (the independent reference), bare Agg axes."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import gmm


def state(weights, means, covs, labels=None, iteration=0, ll=0.0):
    """A :class:`gmm.GMMState` from plain lists."""
    weights, means, covs = (np.asarray(a, dtype=float) for a in (weights, means, covs))
    return gmm.GMMState(iteration, weights, means, covs, ll,
                        np.zeros(0, int) if labels is None else labels)


def scipy_log_parts(X, state):
    """(n, k) log(w_j N(x | mu_j, S_j)) by scipy."""
    return np.stack([np.log(w) + multivariate_normal(m, c).logpdf(X)
                     for w, m, c in zip(state.weights, state.means, state.covariances)], axis=1)


def scipy_resp(X, state):
    """(n, k) responsibilities by scipy."""
    parts = scipy_log_parts(X, state)
    return np.exp(parts - logsumexp(parts, axis=1, keepdims=True))


def scipy_logpdf(X, state):
    """(n,) mixture log-density by scipy."""
    return logsumexp(scipy_log_parts(X, state), axis=1)


def axes(size=(400, 400), lim=(-4, 4)):
    """A figure of ``size`` pixels on an Agg canvas and one axes with ``lim`` limits
    (None: matplotlib's default limits)."""
    fig = Figure(figsize=(size[0] / 100, size[1] / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    if lim is not None:
        ax.set_xlim(*lim)
        ax.set_ylim(*lim)
    return fig, ax


#: two unit components at x = -1 and x = 1
TWO = state([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [np.eye(2), np.eye(2)])


def rotation(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def boundary(ellipse, n=64):
    """Points on the drawn patch (data coordinates), from the patch's own transform."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    unit = np.c_[np.cos(t), np.sin(t)]
    return ellipse.get_patch_transform().transform(unit)


def assert_mahalanobis_contour(ellipse, mean, cov, n_std, rtol=1e-9):
    """Every drawn boundary point p has (p-mean)^T cov^-1 (p-mean) == n_std^2, and
    the farthest/nearest boundary points are at n_std*sqrt(eigenvalues)."""
    mean = np.asarray(mean, float)
    p = boundary(ellipse) - mean
    maha = np.einsum("ni,ij,nj->n", p, np.linalg.inv(cov), p)
    np.testing.assert_allclose(maha, n_std ** 2, rtol=rtol)
    np.testing.assert_allclose(ellipse.get_center(), mean, rtol=rtol, atol=rtol * np.abs(mean).max())
    # semi-axes and orientation: patch transform maps (1, 0) to the end of the
    # width axis and (0, 1) to the end of the height axis
    tr = ellipse.get_patch_transform()
    a = tr.transform([[1.0, 0.0]])[0] - mean
    b = tr.transform([[0.0, 1.0]])[0] - mean
    lam = np.linalg.eigvalsh(cov)                       # ascending
    lengths = sorted([np.hypot(*a), np.hypot(*b)])
    np.testing.assert_allclose(lengths, n_std * np.sqrt(lam), rtol=rtol)
    # the width/height directions are the eigenvectors (when the axes differ)
    vals, vecs = np.linalg.eigh(cov)
    if vals[1] - vals[0] > 1e-6 * vals[1]:
        major, minor = (a, b) if np.hypot(*a) >= np.hypot(*b) else (b, a)
        for v, e in ((major, vecs[:, 1]), (minor, vecs[:, 0])):
            u = v / np.linalg.norm(v)
            assert abs(u[0] * e[1] - u[1] * e[0]) <= 1e-9


def assert_equals_redraw_but_legend_rounding(fast, full, legends):
    """``fast`` (an animator's frame) equals ``full`` (the same state redrawn whole),
    except inside the boxes of ``legends`` (2 pixels of antialiased edge included),
    where a legend blended from its cached layer (:class:`gmm_layers.Prerendered`)
    may round a level or two away from one drawn in place."""
    fast, full = np.asarray(fast, dtype=int), np.asarray(full, dtype=int)
    assert np.abs(fast - full).max() <= 2
    inside = np.zeros(full.shape[:2], dtype=bool)
    height = full.shape[0]
    for legend in legends:
        box = legend.get_window_extent()
        rows = slice(max(int(height - box.y1) - 2, 0), int(height - box.y0) + 3)
        inside[rows, max(int(box.x0) - 2, 0):int(box.x1) + 3] = True
    assert not (np.abs(fast - full).any(-1) & ~inside).any()


def frame_over(fig, under, artist):
    """The RGB pixels (H, W, 3) int of ``fig``: its background drawn, then ``under``
    (an animated artist), then ``artist`` (e.g. a cached wrapper of another)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    under.draw(renderer)
    artist.draw(renderer)
    return np.asarray(renderer.buffer_rgba())[..., :3].astype(int)
