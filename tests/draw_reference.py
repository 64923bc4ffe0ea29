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
