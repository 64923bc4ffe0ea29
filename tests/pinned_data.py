"""Data and an independent reference shared by the issue 26 tests (half steps,
trails, the pinned point, --explain)."""
import numpy as np
from scipy.stats import multivariate_normal


def blobs(seed=0, n=240):
    """Three unit Gaussian blobs in 2-D (n // 3 points each), shape (n, 2)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
    return np.concatenate([c + rng.normal(size=(n // 3, 2)) for c in centres])


def weighted_densities(X, state):
    """w_k N(x | mu_k, S_k) by scipy.stats for every row of X, shape (n, k)."""
    return np.column_stack([w * multivariate_normal(m, c).pdf(X) for w, m, c in
                            zip(state.weights, state.means, state.covariances)])


def scipy_responsibilities(X, state):
    """Responsibilities of ``state`` for the rows of X by scipy.stats, shape (n, k)."""
    dens = weighted_densities(np.atleast_2d(X), state)
    return dens / dens.sum(axis=1, keepdims=True)
