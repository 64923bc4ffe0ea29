"""Data and comparisons shared by the tests of data read in blocks (memory maps,
dask arrays, threads): the reference is always the in-memory numpy path."""
import numpy as np


def blobs(n, seed=0, k=3, d=2):
    """n points (n, d) from k unit Gaussians whose centres are N(0, 36)."""
    rng = np.random.default_rng(seed)
    centres = 6 * rng.normal(size=(k, d))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))


def duplicated(n, seed=0):
    """n rows taking only three distinct values (n, 2): a 5-component start on
    them leaves two centres with no row (every seed is a duplicate)."""
    rng = np.random.default_rng(seed)
    pts = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    return pts[rng.integers(0, 3, n)]


def assert_same_states(a, b, tol=1e-10, ll_tol=None):
    """Equal states to ``tol`` (the mean log-likelihood to ``ll_tol``, default tol)."""
    ll_tol = tol if ll_tol is None else ll_tol
    assert len(a) == len(b)
    for s, t in zip(a, b):
        assert s.iteration == t.iteration
        np.testing.assert_allclose(t.weights, s.weights, rtol=0, atol=tol)
        np.testing.assert_allclose(t.means, s.means, rtol=0, atol=tol)
        np.testing.assert_allclose(t.covariances, s.covariances, rtol=0, atol=tol)
        assert abs(t.log_likelihood - s.log_likelihood) < ll_tol
        np.testing.assert_array_equal(np.asarray(t.labels), s.labels)
