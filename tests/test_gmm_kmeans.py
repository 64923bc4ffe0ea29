"""gmm_kmeans: k-means++ seeding and Lloyd steps against scikit-learn's KMeans.
"""
import numpy as np
import pytest
from sklearn.cluster import KMeans

import gmm_core
from hypothesis import given, settings, strategies as st

from gmm_kmeans import (fill_empty, fill_empty_counts, kmeans_plusplus, kmeans_steps,
                        refill_candidates)
from em_reference import make_blobs


def test_kmeans_plusplus_in_chunks_picks_what_the_whole_array_algorithm_picks():
    """The chunked seeding (signals land between chunks, O(chunk) memory) is the
    greedy k-means++ of the unchunked formulation, written out here."""
    def whole(Xc, k, rng):
        def sq(A, B):
            return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2)
        n, trials = len(Xc), 2 + int(np.log(k))
        chosen = [int(rng.integers(n))]
        closest = sq(Xc, Xc[chosen])[:, 0]
        for _ in range(1, k):
            cand = np.minimum(np.searchsorted(np.cumsum(closest),
                                              rng.uniform(size=trials) * closest.sum()), n - 1)
            d_c = np.minimum(closest[None, :], sq(Xc, Xc[cand]).T)
            best = int(np.argmin(d_c.sum(axis=1)))
            chosen.append(int(cand[best]))
            closest = d_c[best]
        return np.array(chosen)

    X = make_blobs(gmm_core.CHUNK_ROWS * 2 + 101, 2, seed=4)
    np.testing.assert_array_equal(kmeans_plusplus(X, 7, np.random.default_rng(9)),
                                  whole(X, 7, np.random.default_rng(9)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_steps_far_from_the_origin_match_sklearn(seed):
    """Three close blobs (spread 1e-2) at an offset of 1e6: squared distances
    computed around the origin lose the digits that separate them; the
    labels, centres and objective must still equal scikit-learn's Lloyd run
    (which centres the data first)."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 1.0, size=(100, 2)) for c in (0.0, 2.0, 4.0)])
    X = X * 1e-2 + 1e6
    start = X[[0, 100, 200]]
    states = list(kmeans_steps(X, start, max_iter=100))
    np.testing.assert_array_equal(states[0].means, start)
    for t in (1, len(states) - 1):
        km = KMeans(3, init=start, n_init=1, algorithm="lloyd", max_iter=t, tol=0).fit(X)
        np.testing.assert_array_equal(states[t].labels, km.labels_)
        np.testing.assert_allclose(states[t].means, km.cluster_centers_, rtol=0, atol=1e-8)
        assert states[t].objective == pytest.approx(km.inertia_ / len(X), rel=1e-6)


def test_kmeans_steps_match_sklearn_lloyd():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.8, size=(80, 3)) for c in (0.0, 3.0, 6.0)])
    start = X[[0, 1, 2, 3]]
    states = list(kmeans_steps(X, start, max_iter=100))
    assert [s.iteration for s in states] == list(range(len(states)))
    assert states[-1].converged and not any(s.converged for s in states[:-1])
    assert np.array_equal(states[-1].labels, states[-2].labels)      # a fixed point
    for t in (1, 2, len(states) - 1):
        km = KMeans(4, init=start, n_init=1, algorithm="lloyd", max_iter=t, tol=0).fit(X)
        np.testing.assert_allclose(states[t].means, km.cluster_centers_, atol=1e-10)
        np.testing.assert_array_equal(states[t].labels, km.labels_)
        assert states[t].objective == pytest.approx(km.inertia_ / len(X), rel=1e-10)
    objectives = [s.objective for s in states]
    assert np.all(np.diff(objectives) <= 1e-12)                      # Lloyd never worsens
    assert len(list(kmeans_steps(X, start, max_iter=0))) == 1
    with pytest.raises(ValueError, match="centres"):
        kmeans_steps(X, start[:, :2])


def test_kmeans_empty_centre_stays_put():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0]])
    start = np.array([[0.0, 0.0], [5.0, 5.0], [100.0, 100.0]])
    states = list(kmeans_steps(X, start, max_iter=5))
    np.testing.assert_array_equal(states[-1].means[2], [100.0, 100.0])
    np.testing.assert_allclose(states[-1].means[0], [0.05, 0.0])


def test_kmeans_plusplus_after_given_centres_picks_the_uncovered_cluster():
    """With centres on two of three tight clusters, the k - m = 1 new centre is a
    row of the third (its squared distances dwarf the others')."""
    rng = np.random.default_rng(3)
    blobs = [rng.normal(c, 0.01, (30, 2)) for c in ([0, 0], [5, 5], [-6, 4])]
    X = np.vstack(blobs)
    for seed in range(10):
        idx = kmeans_plusplus(X, 3, np.random.default_rng(seed), centres=[[0, 0], [5, 5]])
        assert idx.shape == (1,) and 60 <= idx[0] < 90


@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 60), k=st.integers(2, 7), chunk=st.integers(1, 25),
       seed=st.integers(0, 10**6), ties=st.booleans())
def test_refilling_from_chunk_candidates_is_fill_empty(n, k, chunk, seed, ties):
    """Candidates picked chunk by chunk, then moved with the clusters' sizes over all
    rows, move exactly the points fill_empty moves on every row (ties included)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n) if rng.random() < 0.5 else rng.integers(0, 2, n)
    dist = rng.integers(0, 4, n).astype(float) if ties else rng.random(n)
    counts = np.bincount(labels, minlength=k)
    n_empty = int(np.count_nonzero(counts == 0))
    expected = fill_empty(labels.copy(), dist.copy(), k)
    index = np.arange(n)
    picks = [a + refill_candidates(labels[a:a + chunk], dist[a:a + chunk], index[a:a + chunk],
                                   counts, n_empty) for a in range(0, n, chunk)]
    cand = np.concatenate(picks)
    got = labels.copy()
    for i, old, new in fill_empty_counts(labels[cand], dist[cand], counts):
        assert got[cand[i]] == old
        got[cand[i]] = new
    np.testing.assert_array_equal(got, expected)


def test_kmeans_states_do_not_depend_on_threads():
    X = make_blobs(70_000, 2, seed=8)          # five chunks of rows
    centres = X[:4].copy()
    runs = [list(kmeans_steps(X, centres, max_iter=5, n_jobs=jobs)) for jobs in (1, 2, -1)]
    for run in runs[1:]:
        assert len(run) == len(runs[0])
        for a, b in zip(runs[0], run):
            np.testing.assert_array_equal(a.means, b.means)
            np.testing.assert_array_equal(a.labels, b.labels)
            assert a.objective == b.objective


@pytest.mark.parametrize("value, error", [(0, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_kmeans_bad_n_jobs_is_refused(value, error):
    with pytest.raises(error, match="n_jobs"):
        kmeans_steps(make_blobs(50, 2, seed=0), np.zeros((2, 2)), n_jobs=value)
