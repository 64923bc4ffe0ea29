"""k-means: k-means++ seeding, Lloyd iterations, and ``kmeans_steps``.

KMeansState, kmeans_steps
    Lloyd's k-means one state per iteration, to compare with EM
    (``--compare kmeans``).
kmeans_plusplus, nearest, fill_empty, lloyd
    The steps, also run by the centre-picking inits of :func:`gmm_em.em_steps`
    (``"kmeans++"``, ``"kmeans"``, ``"random_from_data"``).
nearest_T, one_hot_nearest
    The nearest centre of points held one per column (the engine's layout).
refill_moves, refill_candidates, fill_empty_counts, Candidates, chunk_candidates
    :func:`fill_empty` for data read in blocks: the few points that could be
    moved are gathered chunk by chunk, then moved with the clusters' sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from gmm_blocks import block_slices, ordered_sum, resolve_jobs
from gmm_core import CHUNK_ROWS, check_int, check_spread, check_X, chunks, real_array

__all__ = [
    "KMeansState",
    "kmeans_steps",
]


# --------------------------------------------------------------------------
# Seeding and Lloyd helpers (also run by gmm_em's inits)
# --------------------------------------------------------------------------
def _sq_dist(Xc, centres):
    """Squared Euclidean distances (m, k), clipped at 0."""
    d2 = (np.einsum("ij,ij->i", Xc, Xc)[:, None] - 2.0 * Xc @ centres.T
          + np.einsum("ij,ij->i", centres, centres)[None, :])
    return np.maximum(d2, 0.0, out=d2)


class _Written:
    """An accumulator with nothing to add: each chunk writes its own rows."""

    def merge(self, other):
        return self


def nearest(Xc, centres, jobs=1):
    """Index of and squared distance to the nearest centre, per point.

    The chunks of rows are spread over ``jobs`` threads (BLAS on one thread
    each); every chunk writes only its own rows, so any ``jobs`` gives the
    same answer.
    """
    n = Xc.shape[0]
    idx = np.empty(n, dtype=np.intp)
    dist = np.empty(n)

    def chunk(sl, acc):
        d2 = _sq_dist(Xc[sl], centres)
        idx[sl] = d2.argmin(axis=1)
        dist[sl] = d2[np.arange(d2.shape[0]), idx[sl]]

    ordered_sum(chunk, block_slices(n, CHUNK_ROWS), _Written, jobs)
    return idx, dist


def kmeans_plusplus(Xc, k, rng, centres=None):
    """Greedy k-means++ seeding (2 + log k candidates per centre); returns centre indices.

    Every pass over the points goes chunk by chunk (``chunks``): memory stays
    O(chunk * trials) and no single numpy call runs long, so a signal handler
    gets to run between chunks even at 1e7 rows.

    Parameters
    ----------
    Xc : ndarray, shape (n, d)
    k : int
        Centres in all.
    rng : numpy.random.Generator
    centres : array-like, shape (m, d), optional
        Centres chosen already (the live window's clicked means): the k - m
        further rows are chosen from the distances to them, and only their
        indices are returned. Without, the first centre is a uniform draw.

    Returns
    -------
    ndarray of int, shape (k,) or (k - m,)
    """
    n = Xc.shape[0]
    trials = 2 + int(np.log(k))
    given = None if centres is None else np.asarray(centres, dtype=float).reshape(-1, Xc.shape[1])
    chosen = [] if given is not None and len(given) else [int(rng.integers(n))]
    closest = np.empty(n)
    for sl in chunks(n):
        closest[sl] = (_sq_dist(Xc[sl], given).min(axis=1) if not chosen
                       else _sq_dist(Xc[sl], Xc[chosen]).ravel())
    for _ in range(k - len(chosen) - (0 if given is None else len(given))):
        pot = closest.sum()
        if pot <= 0:  # every point sits on a centre: pick any unused rows
            unused = np.ones(n, dtype=bool)
            unused[chosen] = False
            chosen.append(int(rng.choice(np.flatnonzero(unused))))
            continue
        cand = np.searchsorted(np.cumsum(closest), rng.uniform(size=trials) * pot)
        cand = np.minimum(cand, n - 1)
        cand_pot = np.zeros(trials)     # potential after adding each candidate
        for sl in chunks(n):
            cand_pot += np.minimum(closest[None, sl], _sq_dist(Xc[sl], Xc[cand]).T).sum(axis=1)
        best = int(cand[int(np.argmin(cand_pot))])
        for sl in chunks(n):
            np.minimum(closest[sl], _sq_dist(Xc[sl], Xc[best:best + 1]).ravel(), out=closest[sl])
        chosen.append(best)
    return np.array(chosen, dtype=np.intp)


def fill_empty(labels, dist, k):
    """Give every empty cluster the point farthest from its own centre.

    Only points whose cluster keeps at least one other member are moved.
    """
    counts = np.bincount(labels, minlength=k)
    for j in np.flatnonzero(counts == 0):
        movable = counts[labels] > 1
        cand = np.where(movable, dist, -1.0)
        i = int(np.argmax(cand))
        counts[labels[i]] -= 1
        labels[i] = j
        counts[j] = 1
        dist[i] = 0.0
    return labels


def refill_candidates(lab, dist, index, counts, n_empty):
    """The points of one chunk that :func:`fill_empty` could move, in index order.

    With ``n_empty`` empty clusters, fill_empty moves ``n_empty`` points, each
    the farthest (first index on ties) of the points whose cluster keeps
    another member.  A cluster of more than ``n_empty + 1`` points never runs
    out of members, so of its points only the ``n_empty`` farthest of the
    chunk can be moved; a smaller cluster may run out, so all of its points
    stay candidates.

    Parameters
    ----------
    lab, dist, index : ndarray (m,)
        Nearest centre, squared distance to it, and global row index of each point.
    counts : ndarray (k,) of int
        Points per cluster over the whole data.
    n_empty : int

    Returns
    -------
    ndarray of int: positions (into the chunk) of the candidates, increasing.
    """
    small = counts[lab] <= n_empty + 1
    big = np.flatnonzero(~small)
    order = np.lexsort((index[big], -dist[big]))[:n_empty]   # farthest, then first
    return np.sort(np.concatenate([np.flatnonzero(small), big[order]]))


def fill_empty_counts(lab, dist, counts):
    """:func:`fill_empty` on candidates (:func:`refill_candidates`, in row order)
    with the clusters' sizes over all the data.

    Returns
    -------
    list of (position, old label, new label)
        The candidates moved, in the order fill_empty moves them.
    """
    lab, dist, counts = lab.copy(), dist.copy(), counts.copy()
    moved = []
    for j in np.flatnonzero(counts == 0):
        cand = np.where(counts[lab] > 1, dist, -1.0)
        i = int(np.argmax(cand))
        moved.append((i, int(lab[i]), int(j)))
        counts[lab[i]] -= 1
        lab[i], counts[j], dist[i] = j, 1, 0.0
    return moved


def one_hot_nearest(xt, centres, which):
    """One-hot (k, m) float of the nearest of ``centres`` (k, d) to each point of xt (d, m).

    The row that attains a column's maximum of ``2 c.x - |c|^2`` is written
    as 1.0 in place of the products; a chunk with a tie (two centres at one
    distance) takes :func:`nearest_T`'s first-on-ties rule instead.
    """
    L = centres @ xt
    L *= 2.0
    L -= np.einsum("ij,ij->i", centres, centres)[:, None]
    top = L.max(axis=0)
    np.equal(L, top, out=L, casting="unsafe")
    if np.count_nonzero(L) != xt.shape[1]:
        return (nearest_T(xt, centres) == which).astype(float)
    return L


def nearest_T(xt, centres):
    """Index of the nearest of ``centres`` (k, d) to each point of xt (d, m), first on ties.

    ``|x - c|^2 = |x|^2 - (2 c.x - |c|^2)``: the nearest centre has the largest
    ``2 c.x - |c|^2``, one (k, m) product; the first maximum is found by
    comparing rows with the column maxima (faster than argmax along axis 0).
    """
    L = centres @ xt
    L *= 2.0
    L -= np.einsum("ij,ij->i", centres, centres)[:, None]
    top = L.max(axis=0)
    out = np.full(xt.shape[1], len(centres) - 1, dtype=np.intp)
    for j in range(len(centres) - 2, -1, -1):
        np.copyto(out, j, where=L[j] == top)
    return out


class Candidates:
    """Rows that may refill an empty centre: global index, label, distance, point."""

    def __init__(self, d):
        self.index = np.empty(0, dtype=np.int64)
        self.lab = np.empty(0, dtype=np.intp)
        self.dist = np.empty(0)
        self.points = np.empty((d, 0))

    def merge(self, other):
        self.index = np.concatenate([self.index, other.index])
        self.lab = np.concatenate([self.lab, other.lab])
        self.dist = np.concatenate([self.dist, other.dist])
        self.points = np.concatenate([self.points, other.points], axis=1)
        return self


def chunk_candidates(xt, first_row, centres, counts, n_empty):
    """The :class:`Candidates` of a chunk of points xt (d, m) whose first is row
    ``first_row``: each point's nearest centre and squared distance to it, kept
    where :func:`refill_candidates` says."""
    lab = nearest_T(xt, centres)
    diff = xt - centres[lab].T
    dist = np.einsum("ij,ij->j", diff, diff)
    index = np.arange(first_row, first_row + xt.shape[1])
    pick = refill_candidates(lab, dist, index, counts, n_empty)
    part = Candidates(xt.shape[0])
    part.index, part.lab, part.dist, part.points = index[pick], lab[pick], dist[pick], xt[:, pick]
    return part


def refill_moves(each, centres, counts):
    """:func:`fill_empty` for data read in blocks: which rows move to the empty clusters.

    Parameters
    ----------
    each : callable
        A row source's ``each(fn, make_acc)`` (e.g. :class:`gmm_blocks.InMemoryRows`):
        ``fn(xt, rows, acc)`` on centred blocks ``xt`` (d, m) of rows ``rows``.
    centres : ndarray (k, d)
        Centred like the blocks; every row belongs to its nearest (first on ties).
    counts : ndarray (k,) of int
        Rows per centre over all the data.

    Returns
    -------
    list of (row index, old label, new label, point (d, 1))
        In fill_empty's order: each empty cluster takes the row farthest from
        its own centre among rows whose cluster keeps another member.  One
        pass over the data when a cluster is empty, none otherwise.
    """
    n_empty = int(np.count_nonzero(counts == 0))
    if n_empty == 0:
        return []

    def block(xt, rows, acc):
        for sl in chunks(xt.shape[1]):
            acc.merge(chunk_candidates(xt[:, sl], rows.start + sl.start, centres, counts,
                                       n_empty))

    cand = each(block, lambda: Candidates(centres.shape[1]))
    return [(int(cand.index[i]), old, new, np.ascontiguousarray(cand.points[:, i:i + 1]))
            for i, old, new in fill_empty_counts(cand.lab, cand.dist, counts)]


def lloyd(Xc, labels, k, n_iter):
    """A few Lloyd iterations from hard labels; returns the final labels."""
    for _ in range(n_iter):
        centres, _ = _label_means(Xc, labels, k)
        new, dist = nearest(Xc, centres)
        new = fill_empty(new, dist, k)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _label_means(Xc, labels, k):
    """Mean of the points with each label (0 for an empty label) and the counts.

    Returns
    -------
    means : ndarray (k, d)
    counts : ndarray (k,) of int
    """
    counts = np.bincount(labels, minlength=k)
    sums = np.empty((k, Xc.shape[1]))
    for c in range(Xc.shape[1]):
        sums[:, c] = np.bincount(labels, weights=Xc[:, c], minlength=k)
    return sums / np.maximum(counts, 1)[:, None], counts


# --------------------------------------------------------------------------
# k-means (Lloyd), for comparing with EM
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class KMeansState:
    """One state of a Lloyd k-means run.

    Attributes
    ----------
    iteration : int
        0 for the initial centres, ``t`` after ``t`` Lloyd iterations.
    means : ndarray of shape (k, d)
        Centres (named like :attr:`gmm.GMMState.means` so views can draw either).
    labels : ndarray of shape (n,), int
        Index of the nearest centre for each point (ties: lowest index).
    objective : float
        Mean squared Euclidean distance of the points to their nearest
        centre (scikit-learn's ``inertia_ / n``).
    converged : bool
        True on the last state when the assignment stopped changing.
    """

    iteration: int
    means: np.ndarray
    labels: np.ndarray
    objective: float
    converged: bool = False


def kmeans_steps(X, centres, max_iter=100, n_jobs=None) -> Iterator[KMeansState]:
    """Lloyd's k-means from given centres, one :class:`KMeansState` per iteration.

    State 0 holds ``centres`` and their nearest-centre assignment; each
    iteration moves every centre to the mean of its points (a centre with no
    points stays where it is) and reassigns. The run stops after ``max_iter``
    iterations or at the first state whose assignment equals the previous one
    (a fixed point; that state has ``converged=True``). From the same centres
    the trajectory is scikit-learn's ``KMeans(init=centres, n_init=1,
    algorithm="lloyd", tol=0)``.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Finite real numbers (as :func:`gmm.em_steps` accepts them), whose
        spread around their mean has squares float64 can hold (the same
        limits as ``em_steps``; a ``ValueError`` says so otherwise).
    centres : array-like of shape (k, d)
        Initial centres, e.g. the means of EM's state 0; real, finite, not so
        far from X that squared distances overflow.
    max_iter : int, default 100
        Maximum number of iterations (>= 0).
    n_jobs : int or None
        Threads of the nearest-centre search (as :func:`gmm.em_steps`'s: None
        is every core or :func:`gmm_blocks.parallel_jobs`'s value); the
        states do not depend on it.

    Returns
    -------
    iterator of KMeansState
        Arguments are validated when called, not at the first ``next()``.
    """
    X = check_X(X)
    centres = real_array(centres, "centres", copy=True)
    if centres.ndim != 2 or centres.shape[1] != X.shape[1] or len(centres) == 0:
        raise ValueError(f"centres must have shape (k, {X.shape[1]}) to match X's "
                         f"{X.shape[1]} columns, got {centres.shape}")
    if not np.all(np.isfinite(centres)):
        raise ValueError("centres must be finite")
    max_iter = check_int("max_iter", max_iter, 0)
    jobs = resolve_jobs(n_jobs)
    n, d = X.shape
    origin = X.mean(axis=0)
    if not np.isfinite(origin).all():     # |X| near float64's limit: the sum overflowed
        origin = (0.5 * X).mean(axis=0) * 2.0
    with np.errstate(over="ignore", invalid="ignore"):
        Xc = X - origin
        centres_c = centres - origin
    spread = float(max(Xc.max(), -Xc.min()))
    check_spread(spread if np.isfinite(spread) else np.inf, n, d)
    far = float(np.abs(centres_c).max())
    check_spread(far if np.isfinite(far) else np.inf, n, d, "centres", small_ok=True)
    return _kmeans_generator(Xc, origin, centres, centres_c, max_iter, jobs)


def _kmeans_generator(Xc, origin, centres, centres_c, max_iter, jobs=1):
    # distances are computed around the data's mean (Xc = X - origin): far
    # from the origin, |x|^2 - 2 x.c + |c|^2 would cancel the digits that
    # separate the points
    k = centres.shape[0]
    labels, dist = nearest(Xc, centres_c, jobs)
    yield KMeansState(0, centres, labels, float(dist.mean()))
    for t in range(1, max_iter + 1):
        label_means, counts = _label_means(Xc, labels, k)
        moved = counts[:, None] > 0             # a centre with no points stays put, exactly
        centres_c = np.where(moved, label_means, centres_c)
        centres = np.where(moved, centres_c + origin, centres)
        new_labels, dist = nearest(Xc, centres_c, jobs)
        converged = bool(np.array_equal(new_labels, labels))
        labels = new_labels
        yield KMeansState(t, centres, labels, float(dist.mean()), converged)
        if converged:
            return
