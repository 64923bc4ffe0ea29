"""The EM engine: the state, the chunked E- and M-steps, inits, and evaluating parameters.

The EM map is scikit-learn's ``GaussianMixture`` map (same M-step formulas, the
same ``10 * eps`` added to the component counts, the same absolute
``reg_covar``), so from the same starting parameters the trajectory agrees with
scikit-learn to about 1e-6 or better.  It is computed differently:

* The E-step is one matrix product per chunk of rows.  For each point the
  log-density of every component is a quadratic polynomial in the point's
  coordinates, so with the feature vector ``F(x) = [x_i x_j (i <= j), x, 1]``
  all ``k`` log-densities (plus the log-weights) are ``F(x) @ C`` for a
  ``(q, k)`` coefficient matrix ``C``.
* The M-step needs only ``resp^T F``: the component counts, first moments and
  second moments, accumulated chunk by chunk.  No ``(n, k)`` array is ever
  kept; the extra memory is ``O(chunk * (k + q))``.
* The data are centred on their mean first, so second moments do not cancel.
  A component whose covariance would still lose more than about seven digits to
  cancellation is recomputed exactly in a second pass.

* Every pass runs over a row source: the centred data in memory (one
  block), a memory map read block by block (:mod:`gmm_blocks`) or a dask
  array whose blocks are mapped in parallel (:mod:`gmm_dask`); a pass is one
  function of a block and an accumulator (:class:`_Stats`), summed.

Public names: ``GMMState``, ``em_steps``, ``log_responsibilities``,
``responsibilities``, ``log_density`` (documented in :mod:`gmm`), and for the
estimator and ``select_k``: ``initial_params``, ``centred``, ``check_fit_scale``;
``row_source`` and ``subsample_size`` (data read in blocks, subsampled starts);
for other fitting rules on the same passes (:mod:`gmm_bayes`): ``fit_source``,
``start_params`` and ``moment_pass``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from gmm_core import (
    INITS,
    REG_COVAR_DOMINATES,
    as_rng,
    check_covariance_type,
    check_init_tuple,
    check_int,
    check_mixture,
    check_nonneg_float,
    check_scale,
    check_spread,
    check_X,
    cholesky,
    chunks,
    e_step_rows,
    exp_normalise,
    first_argmax_of_exp,
    singular,
)
from gmm_blocks import (
    InMemoryRows,
    RowStream,
    centred_rows,
    e_step_task_rows,
    is_streamed,
    one_blas_thread,
    resolve_jobs,
)
from gmm_kmeans import (
    fill_empty,
    kmeans_plusplus,
    lloyd,
    nearest,
    nearest_T,
    one_hot_nearest,
    refill_moves,
)

__all__ = [
    "GMMState",
    "em_steps",
    "log_responsibilities",
    "responsibilities",
    "log_density",
    "initial_params",
    "centred",
    "check_fit_scale",
    "REG_COVAR_DOMINATES",
    "KMEANS_LLOYD_ITERS",
    "fit_source",
    "start_params",
    "moment_pass",
]

#: Up to this many features the quadratic-feature E-step is used; above it
#: the per-component Cholesky path (fewer flops for large d).
_QUAD_MAX_D = 10
#: Lloyd iterations run by ``init="kmeans"`` after k-means++ seeding.
KMEANS_LLOYD_ITERS = 10
_EPS10 = 10 * np.finfo(np.float64).eps
_LOG_2PI = math.log(2 * math.pi)


# --------------------------------------------------------------------------
# The state
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class GMMState:
    """One state of an EM run.

    Attributes
    ----------
    iteration : int
        0 for the initial parameters, ``t`` after ``t`` EM iterations.
    weights : ndarray of shape (k,)
        Mixing weights; they sum to 1.
    means : ndarray of shape (k, d)
        Component means.
    covariances : ndarray of shape (k, d, d)
        Full covariance matrices (whatever the covariance type), symmetric
        positive definite.
    log_likelihood : float
        Mean per-point natural-log likelihood of X under this state's
        parameters, including the ``-(d/2) log(2 pi)`` term.
    labels : ndarray of shape (n,), int
        Index of the most responsible component for each point under this
        state's parameters.
    converged : bool
        True only on the last state of a run that met ``tol``.
    """

    iteration: int
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    log_likelihood: float
    labels: np.ndarray
    converged: bool = False

    @property
    def n_components(self) -> int:
        """Number of components ``k``."""
        return int(self.weights.shape[0])


# --------------------------------------------------------------------------
# Small pure building blocks
# --------------------------------------------------------------------------
class _Params:
    """Mixture parameters in centred coordinates, prepared for the E-step.

    Parameters
    ----------
    weights : ndarray of shape (k,)
    means : ndarray of shape (k, d), centred coordinates
    covariances : ndarray of shape (k, d, d)
    radius_sq : float, optional
        Largest squared norm of a (centred) data point.  The quadratic
        expansion loses about ``eps * lambda_max(S^-1) * (|x| + |mu|)^2`` of
        absolute accuracy; components for which that exceeds ~1e-9 (a very
        tight component, e.g. one collapsed onto a single point) are
        evaluated directly from ``x - mu`` instead.
    fitting : bool
        Raise ValueError for a covariance singular to working precision
        (``_singular``): during EM that is a collapsed component whose
        log-likelihood is rounding noise.
    """

    def __init__(self, weights, means, covariances, radius_sq=None, fitting=False):
        k, d = means.shape
        self.k, self.d = k, d
        self.weights, self.means, self.covariances = weights, means, covariances
        chol = cholesky(covariances)
        if fitting and singular(chol).any():
            raise ValueError(
                "a component's covariance is singular to float64 precision (a component "
                "collapsed onto a line or plane of the data); increase reg_covar, use fewer "
                "components, or standardise X (subtract each column's mean and divide by its "
                "standard deviation)")
        self.chol = chol
        log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):
            log_w = np.log(weights)
        const = log_w - 0.5 * (d * _LOG_2PI + log_det)
        # a zero weight (possible only in given parameters, never after an
        # M-step) is -inf: kept out of the matrix product (-inf * 0 is NaN)
        # and written into the product's rows afterwards
        self.absent = np.flatnonzero(weights == 0)
        self.quad = d <= _QUAD_MAX_D
        self.iu = np.triu_indices(d) if self.quad else None
        if self.quad:
            eye = np.broadcast_to(np.eye(d), covariances.shape)
            inv_chol = np.linalg.solve(chol, eye)             # L^-1
            prec = np.swapaxes(inv_chol, 1, 2) @ inv_chol      # S^-1 = L^-T L^-1
            prec = 0.5 * (prec + np.swapaxes(prec, 1, 2))
            iu = self.iu
            quad = prec[:, iu[0], iu[1]] * np.where(iu[0] == iu[1], -0.5, -1.0)
            lin = np.einsum("kij,kj->ki", prec, means)
            c0 = np.where(weights == 0, 0.0, const) - 0.5 * np.einsum("ki,ki->k", lin, means)
            # coefficients (k, q) for the features [x_i x_j (i<=j), x, 1]
            self.C = np.ascontiguousarray(np.hstack([quad, lin, c0[:, None]]))
            if not np.isfinite(self.C).all():    # k * q numbers: not a per-row cost
                raise ValueError(
                    "a component's covariance is too close to singular, or its mean too far "
                    "from the data, to be evaluated in float64 (its inverse overflows); "
                    "increase reg_covar or standardise the data (subtract each column's mean "
                    "and divide by its standard deviation)")
            if radius_sq is None:
                radius_sq = 0.0
            lam_max = np.linalg.eigvalsh(prec)[:, -1]
            reach = (math.sqrt(radius_sq) + np.sqrt(np.einsum("ki,ki->k", means, means))) ** 2
            self.direct = np.flatnonzero(np.finfo(float).eps * lam_max * reach > 1e-9)
        self.const = const

    def _direct_rows(self, XT, rows, out):
        """``out[j] = log w_j + log N(x | mu_j, S_j)`` from ``x - mu_j``, for j in rows."""
        # scipy.linalg takes a quarter of a second to import, a third of a short
        # run's start-up; only this path (d > 3, or a component too narrow for the
        # quadratic form) needs it, so it is imported on first use
        from scipy.linalg import solve_triangular
        for j in rows:
            z = solve_triangular(self.chol[j], XT - self.means[j][:, None], lower=True,
                                 check_finite=False)      # L^-1 (x - mu)
            out[j] = self.const[j] - 0.5 * np.einsum("ij,ij->j", z, z)
        return out

    def log_prob_T(self, XT, F=None):
        """Weighted log-densities ``log w_j + log N(x | mu_j, S_j)``, shape (k, m).

        Parameters
        ----------
        XT : ndarray (d, m)
            Centred points, one per column.
        F : ndarray (q, m), optional
            Their quadratic features, when already computed.
        """
        if self.quad:
            out = self.C @ (_features_T(XT, self.iu) if F is None else F)
            if self.direct.size:
                self._direct_rows(XT, self.direct, out)
        else:
            out = self._direct_rows(XT, range(self.k), np.empty((self.k, XT.shape[1])))
        if self.absent.size:
            out[self.absent] = -np.inf
        return out


def _features_T(XT, iu):
    """Quadratic features ``[x_i x_j (i<=j), x, 1]`` of points XT (d, m), shape (q, m)."""
    d, m = XT.shape
    t = iu[0].shape[0]
    F = np.empty((t + d + 1, m))
    for row, (i, j) in enumerate(zip(iu[0], iu[1])):
        np.multiply(XT[i], XT[j], out=F[row])
    F[t:t + d] = XT
    F[-1] = 1.0
    return F


class _Stats:
    """Sufficient statistics accumulated over chunks: counts, sums, scatter."""

    def __init__(self, k, d):
        self.r = np.zeros(k)            # sum of responsibilities
        self.s1 = np.zeros((k, d))      # sum r x
        self.s2 = np.zeros((k, d, d))   # sum r x x^T (upper triangle while quadratic)
        self.total = 0.0                # sum of log p(x) over the points of a pass
        self._quad_iu = None

    def merge(self, other):
        """Add the statistics of other chunks (a block's, in a parallel pass); returns self."""
        self.r += other.r
        self.s1 += other.s1
        self.s2 += other.s2
        self.total += other.total
        if self._quad_iu is None:
            self._quad_iu = other._quad_iu
        return self

    def add(self, R, XT, F=None, iu=None):
        """Add a chunk of responsibilities R (k, m) for the points XT (d, m).

        With quadratic features F (q, m) all three statistics are one product.
        """
        d = XT.shape[0]
        if F is not None:
            G = R @ F.T                                  # (k, q)
            t = iu[0].shape[0]
            self.s2[:, iu[0], iu[1]] += G[:, :t]
            self.s1 += G[:, t:t + d]
            self.r += G[:, -1]
            self._quad_iu = iu
        else:
            self.r += R.sum(axis=1)
            self.s1 += R @ XT.T
            for j in range(R.shape[0]):
                self.s2[j] += (XT * R[j]) @ XT.T

    def finish(self):
        """Mirror the upper triangle of the scatter after quadratic accumulation."""
        if self._quad_iu is not None:
            lower = np.tril_indices(self.s2.shape[1], -1)
            self.s2[:, lower[0], lower[1]] = self.s2[:, lower[1], lower[0]]
            self._quad_iu = None
        return self


def _m_step(stats, covariance_type, reg_covar):
    """scikit-learn's M-step from accumulated statistics.

    Returns
    -------
    weights : ndarray (k,)
    means : ndarray (k, d)
    covariances : ndarray (k, d, d)
    needs_exact : ndarray (k,) of bool
        Components whose scatter lost too many digits to cancellation.
    """
    r, s1, s2 = stats.r, stats.s1, stats.s2
    k, d = s1.shape
    nk = r + _EPS10
    means = s1 / nk[:, None]
    eye = np.eye(d)
    # sum_i r_i (x_i - mu)(x_i - mu)^T / nk, written with the moments
    second = s2 / nk[:, None, None]
    if covariance_type == "full":
        outer = means[:, :, None] * means[:, None, :]
        scatter = second - (2.0 - r / nk)[:, None, None] * outer
        covs = scatter + reg_covar * eye
    elif covariance_type in ("diag", "spherical"):
        var = np.diagonal(second, axis1=1, axis2=2) - means ** 2
        scatter = var[:, :, None] * eye
        var = var + reg_covar
        if covariance_type == "spherical":
            var = np.repeat(var.mean(axis=1, keepdims=True), d, axis=1)
        covs = var[:, :, None] * eye
    else:  # tied
        total = s2.sum(axis=0) - np.einsum("k,ki,kj->ij", nk, means, means)
        total = 0.5 * (total + total.T)     # exactly symmetric (einsum's order is not)
        scatter = np.broadcast_to(total / nk.sum(), (k, d, d))
        covs = (scatter + reg_covar * eye).copy()
    # digits lost: smallest scatter variance against the raw second moment
    raw = np.diagonal(second, axis1=1, axis2=2).max(axis=1)
    kept = np.diagonal(scatter, axis1=1, axis2=2).min(axis=1)
    needs_exact = (kept < 1e-7 * raw) & (r > 0) & (raw > 0)
    if covariance_type == "tied":
        needs_exact[:] = needs_exact.any()
    weights = nk / nk.sum()
    return weights, means, covs, needs_exact


def _covs_from_scatter(scat, nk, covariance_type, reg_covar, covs, which):
    """Replace ``covs[which]`` by covariances computed from exact scatter matrices."""
    d = scat.shape[1]
    eye = np.eye(d)
    covs = covs.copy()
    if covariance_type == "tied":
        covs[:] = scat.sum(axis=0) / nk.sum() + reg_covar * eye
        return covs
    for j in np.flatnonzero(which):
        c = scat[j] / nk[j]
        if covariance_type == "full":
            covs[j] = c + reg_covar * eye
        else:
            var = np.diag(c) + reg_covar
            if covariance_type == "spherical":
                var = np.full(d, var.mean())
            covs[j] = np.diag(var)
    return covs


def _exact_m_step(data, params, covariance_type, reg_covar, means, covs, which):
    """Recompute the covariances of components ``which`` in a second, exact pass.

    Used only when the moment formula would cancel badly (a tight component
    far from the data's centre); the formulas are scikit-learn's.
    """
    k, d = means.shape
    idx = range(k) if covariance_type == "tied" else np.flatnonzero(which)

    def block(XT, rows, acc):
        for sl in chunks(XT.shape[1]):
            R = params.log_prob_T(XT[:, sl])
            _, s = exp_normalise(R)
            R /= s
            acc.r += R.sum(axis=1)
            for j in idx:
                diff = XT[:, sl] - means[j][:, None]
                acc.s2[j] += (diff * R[j]) @ diff.T

    acc = data.each(block, functools.partial(_Stats, k, d))
    return _covs_from_scatter(acc.s2, acc.r + _EPS10, covariance_type, reg_covar, covs, which)


def _e_sum(XT, params, labels_out=None, stats=None):
    """One block of centred points XT (d, m): the sum of ``log p(x)``, labels into
    ``labels_out`` and M-step statistics into ``stats`` when given (unfinished)."""
    total = 0.0
    for sl in chunks(XT.shape[1], e_step_rows(params.k)):
        xt = XT[:, sl]
        F = _features_T(xt, params.iu) if params.quad else None
        E = params.log_prob_T(xt, F)
        mx, s = exp_normalise(E)
        if labels_out is not None:
            first_argmax_of_exp(E, labels_out[sl])
        total += float(mx.sum() + np.log(s).sum())
        if stats is not None:
            if F is not None:      # (E / s) F^T == E (F / s)^T: divide the thinner array
                F /= s
                stats.add(E, xt, F, params.iu)
            else:
                E /= s
                stats.add(E, xt)
    return total


# --------------------------------------------------------------------------
# Initialisation (k-means++ seeding and Lloyd steps: gmm_kmeans)
# --------------------------------------------------------------------------
def _chunked_stats(XT, k, iu, resp_of_chunk):
    """Statistics of responsibilities ``resp_of_chunk(sl) -> (k, m)``, chunk by chunk."""
    stats = _Stats(k, XT.shape[0])
    for sl in chunks(XT.shape[1]):
        xt = XT[:, sl]
        stats.add(resp_of_chunk(sl), xt, None if iu is None else _features_T(xt, iu), iu)
    return stats.finish()


def _hard_stats(XT, labels, k, iu):
    """Statistics of one-hot responsibilities."""
    def one_hot(sl):
        R = np.zeros((k, sl.stop - sl.start))
        R[labels[sl], np.arange(sl.stop - sl.start)] = 1.0
        return R
    return _chunked_stats(XT, k, iu, one_hot)


def _random_stats(XT, k, rng, iu):
    """Statistics of random soft responsibilities (scikit-learn's ``init="random"``)."""
    def random_soft(sl):
        R = rng.uniform(size=(sl.stop - sl.start, k)).T
        return R / R.sum(axis=0)
    return _chunked_stats(XT, k, iu, random_soft)


def initial_params(Xc, XT, k, init, covariance_type, reg_covar, rng):
    """Initial (weights, means, covariances) in centred coordinates.

    Parameters
    ----------
    Xc : ndarray (n, d) and XT : ndarray (d, n)
        The centred data in both layouts.
    """
    n, d = Xc.shape
    iu = np.triu_indices(d) if d <= _QUAD_MAX_D else None
    labels = None
    if init == "random":
        stats = _random_stats(XT, k, rng, iu)
    else:
        if init == "random_from_data":
            centres_idx = rng.choice(n, size=k, replace=False)
        else:
            centres_idx = kmeans_plusplus(Xc, k, rng)
        labels, dist = nearest(Xc, Xc[centres_idx])
        labels = fill_empty(labels, dist, k)
        if init == "kmeans":
            labels = lloyd(Xc, labels, k, KMEANS_LLOYD_ITERS)
        stats = _hard_stats(XT, labels, k, iu)
    weights, means, covs, exact = _m_step(stats, covariance_type, reg_covar)
    if exact.any() and labels is not None:
        scat = np.zeros((k, d, d))
        for j in range(k):
            if covariance_type == "tied" or exact[j]:
                diff = Xc[labels == j] - means[j]
                scat[j] = diff.T @ diff
        covs = _covs_from_scatter(scat, stats.r + _EPS10, covariance_type, reg_covar, covs, exact)
    return weights, means, covs


#: k-means++ and k-means seed on a uniform random subsample of this many rows
#: (at least; ``subsample_size``) once X has more than SUBSAMPLE_FACTOR times as many.
SUBSAMPLE_ROWS = 10_000
SUBSAMPLE_FACTOR = 10


def subsample_size(k):
    """Rows the k-means++ / k-means seeding of ``k`` centres looks at when X is large:
    ``max(SUBSAMPLE_ROWS, ceil(100 * k * ln k))``."""
    return max(SUBSAMPLE_ROWS, math.ceil(100 * k * math.log(max(k, 1))))


def _start(data, Xc, k, init, covariance_type, reg_covar, rng):
    """State 0's parameters (centred) for a named ``init``, for any row source.

    Up to ``SUBSAMPLE_FACTOR * subsample_size(k)`` rows (and for every
    in-memory "random" or "random_from_data" start) this is
    :func:`initial_params` on the whole data.  Above it "kmeans++" and
    "kmeans" choose their centres on ``subsample_size(k)`` rows drawn
    uniformly without replacement, and state 0 is the M-step of every row
    assigned to its nearest centre: one pass over the data.
    """
    n, d = data.shape
    big = n > SUBSAMPLE_FACTOR * subsample_size(k)
    if big and init in ("kmeans++", "kmeans"):
        return _hard_start(data, _subsample_centres(data, k, init, rng), covariance_type,
                           reg_covar)
    if big and Xc is None and init == "random_from_data":
        idx = rng.choice(n, size=k, replace=False)
        order = np.argsort(idx)
        centres = np.empty((k, d))
        centres[order] = data.sample(idx[order])
        return _hard_start(data, centres, covariance_type, reg_covar)
    if big and Xc is None and init == "random":
        if not data.ordered:
            raise ValueError('init="random" draws one number per row in order, which a '
                             'parallel source cannot reproduce; use init="kmeans++" or '
                             '"random_from_data" for a dask array')
        iu = np.triu_indices(d) if d <= _QUAD_MAX_D else None
        stats = data.each(lambda XT, rows, acc: acc.merge(_random_stats(XT, k, rng, iu)),
                          functools.partial(_Stats, k, d), jobs=1)     # draws in row order
        return _m_step(stats, covariance_type, reg_covar)[:3]
    if Xc is None:          # a small block-wise source: in memory for the start
        Xc = np.ascontiguousarray(data.sample(np.arange(n)))
        XT = np.ascontiguousarray(Xc.T)
    else:
        XT = data.XT
    return initial_params(Xc, XT, k, init, covariance_type, reg_covar, rng)


def _subsample_centres(data, k, init, rng):
    """k-means++ (then, for "kmeans", Lloyd) centres (k, d) on a uniform subsample."""
    n = data.shape[0]
    idx = np.sort(rng.choice(n, size=subsample_size(k), replace=False))
    S = np.ascontiguousarray(data.sample(idx))
    chosen = kmeans_plusplus(S, k, rng)
    if init != "kmeans":
        return S[chosen]
    labels, dist = nearest(S, S[chosen])
    labels = lloyd(S, fill_empty(labels, dist, k), k, KMEANS_LLOYD_ITERS)
    counts = np.bincount(labels, minlength=k)
    sums = np.stack([np.bincount(labels, weights=S[:, c], minlength=k)
                     for c in range(S.shape[1])], axis=1)
    return sums / np.maximum(counts, 1)[:, None]


def _hard_start(data, centres, covariance_type, reg_covar):
    """The M-step of every row assigned to its nearest of ``centres`` (k, d), centred.

    One pass over the data (two when a covariance would lose digits to
    cancellation).  A centre no row is nearest to takes the row farthest from
    its own centre (:func:`gmm_kmeans.fill_empty`'s rule, as the start on all
    rows in memory), found in one more pass, whatever the row source.
    """
    k, d = centres.shape
    iu = np.triu_indices(d) if d <= _QUAD_MAX_D else None
    which = np.arange(k)[:, None]

    def block(XT, rows, acc):
        for sl in chunks(XT.shape[1]):
            xt = XT[:, sl]
            acc.add(one_hot_nearest(xt, centres, which), xt,
                    None if iu is None else _features_T(xt, iu), iu)

    stats = data.each(block, functools.partial(_Stats, k, d))
    moved = _refill_empty(data, centres, stats, iu)
    weights, means, covs, exact = _m_step(stats.finish(), covariance_type, reg_covar)
    if exact.any():
        def scatter(XT, rows, acc):
            for sl in chunks(XT.shape[1]):
                xt = XT[:, sl]
                lab = nearest_T(xt, centres)
                for i, j in moved.items():          # rows given to empty centres
                    if rows.start + sl.start <= i < rows.start + sl.stop:
                        lab[i - rows.start - sl.start] = j
                for j in range(k):
                    diff = xt[:, lab == j] - means[j][:, None]
                    acc.s2[j] += diff @ diff.T

        scat = data.each(scatter, functools.partial(_Stats, k, d)).s2
        covs = _covs_from_scatter(scat, stats.r + _EPS10, covariance_type, reg_covar, covs, exact)
    return weights, means, covs


def _refill_empty(data, centres, stats, iu):
    """Give every centre that no row is nearest to the farthest row (fill_empty's rule,
    :func:`gmm_kmeans.refill_moves`), moving its statistics in ``stats`` (unfinished).

    Returns
    -------
    dict {global row index: new label} of the rows moved (empty when none was).
    """
    moved = {}
    for index, old, new, x in refill_moves(data.each, centres, np.rint(stats.r).astype(int)):
        R = np.zeros((len(centres), 1))
        R[new], R[old] = 1.0, -1.0
        stats.add(R, x, None if iu is None else _features_T(x, iu), iu)
        moved[index] = new
    return moved


def center_start(X, n_components, covariance_type="full", random_state=None, spread=1.0,
                 width=0.5, reg_covar=1e-6):
    """A start with every component near the data's centre: EM's journey made visible.

    Each component has weight 1/k, ``width`` times the covariance of the
    whole data (as ``covariance_type`` allows: its diagonal for "diag", the
    mean variance for "spherical") and a mean drawn from N(centre, spread^2 *
    covariance), clipped to the data's bounding box, so the components start
    as overlapping blobs in the middle of the cloud and fan out to the
    clusters as EM runs. They start narrower than the cloud and a standard
    deviation apart because k copies of the whole cloud on one centre are a
    saddle point of EM: from near it, on overlapping clusters, EM crawls for
    tens of iterations with changes too small to tell from convergence. Meant
    for standardised data (the command line's fit coordinates); pass it to
    :func:`em_steps` as ``init``.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Finite data, n >= 2.
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    random_state : None, int or numpy.random.Generator
    spread : float, default 1.0
        How far the means start from the centre, in standard deviations.
    width : float, default 0.5
        The components' covariance as a fraction of the data's.
    reg_covar : float, default 1e-6
        Added to the covariance's diagonal, as :func:`em_steps` adds it (data
        whose points are all equal still gets an invertible start).

    Returns
    -------
    weights (k,), means (k, d), covariances (k, d, d)
    """
    k = check_int("n_components", n_components, 1)
    covariance_type = check_covariance_type(covariance_type)
    rng = as_rng(random_state)
    centre, cov, low, high = _centre_cov_box(X)
    d = cov.shape[0]
    if covariance_type == "diag":
        cov = np.diag(np.diag(cov))
    elif covariance_type == "spherical":
        cov = np.eye(d) * float(np.trace(cov)) / d
    chol = np.linalg.cholesky(cov + reg_covar * np.eye(d))
    means = centre + spread * rng.standard_normal((k, d)) @ chol.T
    # inside the data's bounding box (data on a line or a point stays exact)
    means = np.clip(means, low, high)
    cov = width * cov + reg_covar * np.eye(d)
    return np.full(k, 1.0 / k), means, np.repeat(cov[None], k, axis=0)


def _centre_cov_box(X):
    """Mean (d,), covariance (d, d) and column minima and maxima (d,) of X;
    in one or two passes over the blocks of a memory map or dask array."""
    source = row_source(X)
    if source is None:
        X = np.asarray(X, dtype=float)
        centre, Xc = centred(X)
        return centre, Xc.T @ Xc / X.shape[0], X.min(axis=0), X.max(axis=0)
    summary = source.summary()          # sets source.centre
    n, d = source.shape
    scatter = source.each(_add_scatter, functools.partial(_Stats, 1, d)).s2[0]
    return source.centre, scatter / n, summary.low, summary.high


def _add_scatter(xt, rows, acc):
    """Accumulate the scatter ``xt xt^T`` of centred points xt (d, m)."""
    acc.s2[0] += xt @ xt.T


# --------------------------------------------------------------------------
# EM
# --------------------------------------------------------------------------
def _readonly(*arrays):
    for a in arrays:
        a.setflags(write=False)


def em_steps(X, n_components, *, max_iter=100, tol=1e-3, covariance_type="full",
             init="kmeans++", reg_covar=1e-6, random_state=None,
             n_jobs=None) -> Iterator[GMMState]:
    """Run EM on X and yield one :class:`GMMState` per iteration.

    State 0 holds the initial parameters; state ``t`` the parameters after
    ``t`` E- and M-steps.  Each state's ``log_likelihood`` and ``labels`` are
    computed under that state's own parameters (the E-step of state ``t`` is
    also the one the next M-step uses).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data; finite real numbers (lists, DataFrames, any integer, bool or
        float dtype, object arrays of numbers; complex numbers are rejected).
        The fit is exact at any scale float64 can hold, with two limits,
        each a ``ValueError`` saying so (standardise the data to avoid both):
        the spread of X around its mean must have finite squares summed over
        the rows (about 1e150 for a million rows) and squares that do not
        underflow (about 1e-146); and, when ``reg_covar > 0``, the largest
        column variance of X must be at least ``REG_COVAR_DOMINATES * reg_covar``
        (1e-3 * reg_covar): below that ``reg_covar`` (absolute, as in
        scikit-learn) would hide the data in every covariance and the fit
        would describe ``reg_covar``, not X.  Between the limits the fit is
        scale-free when ``reg_covar`` scales with the data (or is 0): ``s * X``
        gives the same labels and a log-likelihood lower by ``d * log(s)``.
        Rows that are all equal are allowed (each component is then that
        point with covariance ``reg_covar * I``, as in scikit-learn).
        Data not held in memory are read block by block and never copied
        whole: an ``np.memmap`` (``np.load(path, mmap_mode="r")``; its pages
        are released after each block, so the resident set stays a few
        blocks) and a 2-D ``dask.array`` chunked by rows (each pass is one map
        over its blocks plus a sum, run by the active dask scheduler, e.g. a
        ``dask.distributed.Client``).  Their states equal the in-memory
        path's to about 1e-12; a memory map's ``labels`` are uint8 (uint16
        above 256 components), a dask array's a lazy dask array.
    n_components : int
        Number of mixture components ``k``, ``1 <= k <= n_samples``; a Python
        or numpy integer (``3.0`` and ``True`` are rejected, as scikit-learn
        rejects them).
    max_iter : int, default=100
        Maximum number of EM iterations (states after state 0).
    tol : float, default=1e-3
        Stop at the first state ``t`` with
        ``|log_likelihood_t - log_likelihood_{t-1}| < tol``; that state has
        ``converged=True``.  ``tol=0`` never stops early and yields exactly
        ``max_iter + 1`` states.  (scikit-learn's ``fit`` notices the same
        change one M-step later: the trajectories are identical, its stopping
        point is one iteration later.)
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        scikit-learn's meanings.  ``state.covariances`` is always
        ``(k, d, d)``.
    init : str or tuple, default="kmeans++"
        "kmeans++" (greedy k-means++ centres), "kmeans" (k-means++ then up to
        10 Lloyd steps), "random_from_data" (k distinct data rows as
        centres), "random" (random soft responsibilities, then one M-step),
        or ``(weights (k,), means (k, d), covariances (k, d, d))`` used as
        state 0 exactly.  Centre-picking inits assign every point to its
        nearest centre and run one M-step from those hard assignments, so
        state 0 already has data-driven covariances; a centre left with no
        points takes the point farthest from its own centre.  Large X: above
        ``SUBSAMPLE_FACTOR * subsample_size(k)`` rows (100,000 for k <= 21)
        "kmeans++" and "kmeans" pick their centres on a uniform random
        subsample of ``subsample_size(k) = max(10000, ceil(100 k ln k))``
        rows (drawn from ``random_state``, so just as reproducible) and state
        0 is the M-step of every row assigned to its nearest centre: the
        start then costs about one EM iteration.  Smaller X is seeded on all
        of its rows.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance (absolute, as in
        scikit-learn).
    random_state : None, int, numpy.random.Generator, RandomState, SeedSequence or BitGenerator
        Source of randomness for the init; the global RNG is never used.
    n_jobs : int or None, default=None
        Threads a pass over the data may use (in-memory data and memory maps;
        a dask array's scheduler decides for itself).  The rows are cut into
        blocks (32,768 to 131,072 rows, more for fewer components:
        ``gmm_blocks.e_step_task_rows``) whatever the count, each block's sums
        kept apart and added in block order, so every ``n_jobs`` gives the
        same states to the last bit; BLAS runs on one thread inside a pass
        (its threads gain nothing on one block's small products and stall when
        the machine is busy).  None: the value of an enclosing
        :func:`gmm_blocks.parallel_jobs`, else every usable core; -1: every
        core; -2: all but one, and so on (scikit-learn's meanings).

    Yields
    ------
    GMMState

    Raises
    ------
    ValueError, TypeError
        At call time (not at the first ``next()``) for bad arguments, each
        naming the argument.  During iteration, a ``ValueError`` when a
        component's covariance becomes singular (possible with
        ``reg_covar=0``) or the log-likelihood leaves float64's range.
    """
    k = check_int("n_components", n_components, 1)
    jobs = resolve_jobs(n_jobs)
    source = row_source(X, jobs)
    if source is None:
        X = check_X(X, k)
    max_iter = check_int("max_iter", max_iter, 0)
    tol = check_nonneg_float("tol", tol)
    reg_covar = check_nonneg_float("reg_covar", reg_covar)
    covariance_type = check_covariance_type(covariance_type)
    n, d = X.shape if source is None else source.shape
    if isinstance(init, str):
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple "
                             f"(weights, means, covariances); got {init!r}")
        init_tuple = None
    elif isinstance(init, (tuple, list)):
        init_tuple = check_init_tuple(init, k, d, covariance_type)
    else:
        raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple "
                         f"(weights, means, covariances); got {type(init).__name__}")
    rng = as_rng(random_state)
    if source is None:
        source = _centred_in_memory(X, reg_covar, jobs)
        centre, Xc = source.centre, None
    else:
        centre, Xc = _checked_source(source, k, reg_covar), None
    if init_tuple is not None:
        check_spread(float(np.abs(init_tuple[1] - centre).max()), n, d, "init means",
                      small_ok=True)
        if singular(np.linalg.cholesky(init_tuple[2])).any():
            raise ValueError("init covariances are singular to float64 precision (condition "
                             "number above about 5e12); widen their smallest variances")
    return _em_generator(Xc, centre, k, max_iter, tol, covariance_type, init, init_tuple,
                         reg_covar, rng, source, jobs)


def row_source(X, n_jobs=None):
    """The block-wise row source of ``X``, or None for data held in memory.

    A ``dask.array`` gets a :class:`gmm_dask.DaskRows` (dask is imported only
    then: the type's module is looked at, not imported), a memory map or a
    :class:`gmm_blocks.StandardisedRows` a :class:`gmm_blocks.RowStream`.
    """
    if type(X).__module__.split(".")[0] == "dask":
        import gmm_dask     # optional dependency: only for dask input
        return gmm_dask.DaskRows(X)
    if is_streamed(X):
        return RowStream(X, n_jobs)
    return None


def _checked_source(source, k, reg_covar):
    """One validation pass over a block-wise source (as ``check_X`` and
    ``check_fit_scale`` check data in memory); returns its centre (d,)."""
    n, d = source.shape
    summary = source.summary()          # sets source.centre and source.radius_sq
    if summary.bad:
        raise ValueError(f"X contains NaN or infinity in {summary.bad} of {n} rows; "
                         "remove or impute those rows first")
    if n < k:
        raise ValueError(f"n_components={k} needs at least that many samples, but X has {n}; "
                         "use fewer components or more data")
    spread, var, _ = summary.scale_facts()
    check_scale(spread, var, n, d, reg_covar)
    return source.centre


def _centred_in_memory(X, reg_covar, jobs):
    """The in-memory row source of X (n, d) (:func:`gmm_blocks.centred_rows`), scale-checked."""
    source, spread, var = centred_rows(X, jobs)
    check_scale(spread, var, X.shape[0], X.shape[1], reg_covar)
    return source


def centred(X):
    """Column means of X and ``X - mean``, without overflow in the mean itself."""
    centre = X.mean(axis=0)
    if not np.isfinite(centre).all():     # |X| near float64's limit: the sum overflowed
        centre = (0.5 * X).mean(axis=0) * 2.0
    with np.errstate(over="ignore", invalid="ignore"):
        Xc = X - centre
    return centre, Xc


def check_fit_scale(Xc, reg_covar):
    """Raise ValueError when centred data ``Xc`` cannot be fitted honestly.

    The squares of its spread must be representable (``check_spread``), and
    with ``reg_covar > 0`` its largest column variance must be at least
    ``REG_COVAR_DOMINATES * reg_covar``.  Rows that are all equal (spread 0)
    pass.
    """
    n, d = Xc.shape
    spread = float(max(Xc.max(), -Xc.min()))          # no (n, d) temporary
    check_scale(spread, lambda: float(np.einsum("ij,ij->j", Xc, Xc).max()) / n, n, d,
                 reg_covar)


def _em_generator(Xc, centre, k, max_iter, tol, covariance_type, init, init_tuple, reg_covar,
                  rng, source=None, n_jobs=None):
    # in memory: one point per column, for fast reductions over k
    data = InMemoryRows(np.ascontiguousarray(Xc.T), n_jobs) if source is None else source
    if Xc is None and isinstance(data, InMemoryRows):
        Xc = data.XT.T                  # the rows, a view (what the in-memory start reads)
    n, d = data.shape
    if init_tuple is not None:
        weights, means, covs = init_tuple
        means = means - centre
    else:
        with one_blas_thread():         # k-means' products, as the passes'
            weights, means, covs = _start(data, Xc, k, init, covariance_type, reg_covar, rng)
    del Xc
    prev_ll = None
    for t in range(max_iter + 1):
        params = _Params(weights, means, covs, data.radius_sq, fitting=True)
        last = t == max_iter
        labels, stats = _pass(data, params, not last)
        ll = stats.total / n
        if not math.isfinite(ll):
            raise ValueError(
                f"the log-likelihood at iteration {t} is {ll}: some point has zero density "
                "under every component in float64 (a start far from the data, or a "
                "component collapsed with reg_covar=0); increase reg_covar or standardise X")
        converged = prev_ll is not None and abs(ll - prev_ll) < tol
        out_w, out_m, out_c = weights.copy(), means + centre, covs.copy()
        _readonly(out_w, out_m, out_c, *([labels] if isinstance(labels, np.ndarray) else []))
        yield GMMState(iteration=t, weights=out_w, means=out_m, covariances=out_c,
                       log_likelihood=ll, labels=labels, converged=bool(converged))
        if converged or last:
            return
        prev_ll = ll
        weights, means, covs, exact = _m_step(stats.finish(), covariance_type, reg_covar)
        if exact.any():
            covs = _exact_m_step(data, params, covariance_type, reg_covar, means, covs, exact)


def _pass(data, params, want_stats):
    """One E-step pass over a row source: labels (or lazy labels) and the statistics.

    Returns
    -------
    labels : ndarray (n,), or the source's lazy labels (dask)
    stats : _Stats
        ``stats.total`` is the summed log-likelihood; the moments are
        accumulated when ``want_stats`` (unfinished).
    """
    labels = data.new_labels(params.k)

    def block(xt, rows, acc):
        with np.errstate(invalid="ignore", over="ignore"):   # a non-finite ll raises later
            acc.total += _e_sum(xt, params, None if labels is None else labels[rows],
                                acc if want_stats else None)

    stats = data.each(block, functools.partial(_Stats, params.k, params.d),
                      task_rows=e_step_task_rows(params.k))
    if labels is None:
        labels = data.lazy_labels(functools.partial(_block_labels, params))
    return labels, stats


def _block_labels(params, xt):
    """Most responsible component (first on ties) of the centred points xt (d, m), int32."""
    out = np.empty(xt.shape[1], dtype=np.int32)
    with np.errstate(invalid="ignore", over="ignore"):
        _e_sum(xt, params, out)
    return out


# --------------------------------------------------------------------------
# Evaluating parameters on data
# --------------------------------------------------------------------------
def _prepared(X, weights, means, covariances):
    """Validated, centred data ``XT`` (d, n) and :class:`_Params` for scoring ``X``.

    The parameters are checked as ``check_init_params`` checks them (shapes
    agreeing with each other and with X's columns, finite, weights in [0, 1]
    summing to 1, covariances symmetric positive definite); X's spread and the
    means' distance from X's centre must have representable squares.
    """
    X = check_X(X)
    n, d = X.shape
    weights, means, covariances = check_mixture(weights, means, covariances, None, d)
    centre, Xc = centred(X)
    spread = float(max(Xc.max(), -Xc.min()))
    check_spread(spread if math.isfinite(spread) else math.inf, n, d, small_ok=True)
    check_spread(float(np.abs(means - centre).max()), n, d, "means", small_ok=True)
    XT = np.ascontiguousarray(Xc.T)
    params = _Params(weights, means - centre, covariances,
                     float(np.einsum("ij,ij->j", XT, XT).max()))
    return XT, params


def _check_evaluated(norm):
    """Raise ValueError when some point's mixture log-density left float64's range."""
    bad = ~np.isfinite(norm)
    if bad.any():
        raise ValueError(
            f"the log-density of {int(bad.sum())} of {norm.shape[0]} points is below float64's "
            "range (they lie too far from every component, measured in its standard "
            "deviations); standardise X and the parameters, or check they belong together")


def log_responsibilities(X, weights, means, covariances):
    """Per-point log-likelihood and log-responsibilities.

    Parameters
    ----------
    X : array-like of shape (n, d)
    weights : array-like of shape (k,)
    means : array-like of shape (k, d)
    covariances : array-like of shape (k, d, d)

    Returns
    -------
    log_prob_norm : ndarray of shape (n,)
        ``log sum_j w_j N(x | mu_j, S_j)``.
    log_resp : ndarray of shape (n, k)
        Log posterior probability of each component for each point.
    """
    XT, params = _prepared(X, weights, means, covariances)
    n = XT.shape[1]
    log_resp = np.empty((n, params.k))
    norm = np.empty(n)
    with one_blas_thread(), np.errstate(invalid="ignore", over="ignore"):  # see _check_evaluated
        for sl in chunks(n):
            L = params.log_prob_T(XT[:, sl])
            mx = L.max(axis=0)                      # log-sum-exp over the components
            L -= mx
            log_s = np.log(np.exp(L).sum(axis=0))
            L -= log_s
            log_resp[sl] = L.T
            norm[sl] = mx + log_s
    _check_evaluated(norm)
    return norm, log_resp


def responsibilities(X, weights, means, covariances):
    """Posterior probability of each component for each point, shape (n, k).

    Equal to ``exp(log_responsibilities(...)[1])``, computed without the
    logarithms (the colours of ``--soft`` ask for it once per frame).
    """
    XT, params = _prepared(X, weights, means, covariances)
    n = XT.shape[1]
    resp = np.empty((n, params.k))
    top = np.empty(n)                       # largest weighted log-density of each point
    with one_blas_thread(), np.errstate(invalid="ignore", over="ignore"):  # see _check_evaluated
        for sl in chunks(n):
            E = params.log_prob_T(XT[:, sl])
            top[sl], s = exp_normalise(E)
            E /= s
            resp[sl] = E.T
    _check_evaluated(top)
    return resp


def log_density(X, weights, means, covariances):
    """Mixture log-density ``log p(x)`` at each point, shape (n,).

    Parameters
    ----------
    X : array-like of shape (n, d)
    weights : array-like of shape (k,)
        In [0, 1], summing to 1 (within 1e-6); a zero weight is allowed.
    means : array-like of shape (k, d)
        ``d`` must equal X's number of columns.
    covariances : array-like of shape (k, d, d)
        Symmetric positive definite.

    Raises
    ------
    ValueError
        Naming the argument, for parameters that ``check_init_params`` would
        reject, for shapes that disagree (X's columns against the means'), and
        when X or the means lie too far apart for float64 (squares overflow),
        as :func:`log_responsibilities` and :func:`responsibilities` do.
    """
    return log_responsibilities(X, weights, means, covariances)[0]




# --------------------------------------------------------------------------
# The passes, for other fitting rules on the same engine (gmm_bayes)
# --------------------------------------------------------------------------
def fit_source(X, n_components, reg_covar, n_jobs=None):
    """X validated as :func:`em_steps` validates it, as a row source of centred rows.

    Parameters
    ----------
    X : array-like, np.memmap or dask array of shape (n, d)
    n_components : int
    reg_covar : float
    n_jobs : int or None
        Threads a pass may use, as in :func:`em_steps`.

    Returns
    -------
    data : row source
        ``data.shape``, ``data.radius_sq``, ``data.each(fn, make_acc)`` (every
        block of centred rows, one point per column), ``data.sample(idx)``.
    centre : ndarray (d,)
        Column means of X (the rows ``data`` hands out are ``x - centre``).
    Xc : ndarray (n, d) or None
        The centred data when held in memory (for :func:`start_params`); drop
        it after the start.
    """
    jobs = resolve_jobs(n_jobs)
    source = row_source(X, jobs)
    if source is not None:
        return source, _checked_source(source, n_components, reg_covar), None
    source = _centred_in_memory(check_X(X, n_components), reg_covar, jobs)
    return source, source.centre, source.XT.T


def start_params(data, Xc, n_components, init, covariance_type, reg_covar, rng):
    """The start ``em_steps(init=init)`` makes: (weights (k,), means (k, d), covariances
    (k, d, d)) in the centred coordinates of ``data`` (from :func:`fit_source`)."""
    with one_blas_thread():         # k-means' products, as the passes'
        return _start(data, Xc, n_components, init, covariance_type, reg_covar, rng)


def moment_pass(data, log_weights, means, covariances, covariance_type, reg_covar):
    """One E-step pass over ``data`` and scikit-learn's M-step statistics of it.

    The responsibilities are those of the weighted log-densities
    ``log_weights_j + log N(x | means_j, covariances_j)``; the log-weights need
    not be normalised (a variational E-step adds expectations to them).

    Parameters
    ----------
    data : row source from :func:`fit_source`
    log_weights : ndarray (k,)
    means : ndarray (k, d), centred coordinates
    covariances : ndarray (k, d, d)
    covariance_type : str
    reg_covar : float

    Returns
    -------
    labels : ndarray (n,) or lazy dask array
        Most responsible component of each row.
    log_norm : float
        ``sum_i log sum_j exp(weighted log-density)`` over the rows.
    nk : ndarray (k,)
        Responsibility sums plus ``10 * eps`` (scikit-learn's counts).
    xk : ndarray (k, d)
        Responsibility-weighted means (centred).
    sk : ndarray (k, d, d)
        scikit-learn's covariance estimates of the type, ``reg_covar`` added,
        as full matrices (tied: k equal copies; spherical: ``var * I``).
    """
    shift = float(np.max(log_weights))
    params = _Params(np.exp(log_weights - shift), means, covariances, data.radius_sq,
                     fitting=True)
    labels, stats = _pass(data, params, True)
    _, xk, sk, exact = _m_step(stats.finish(), covariance_type, reg_covar)
    if exact.any():
        sk = _exact_m_step(data, params, covariance_type, reg_covar, xk, sk, exact)
    return labels, stats.total + data.shape[0] * shift, stats.r + _EPS10, xk, sk
