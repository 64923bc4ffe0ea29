"""Gaussian mixture models fitted by Expectation-Maximization, one state per iteration.

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

Public API
----------
GMMState
    One EM state: parameters, mean log-likelihood, hard labels.
em_steps
    Generator of states: state 0 (the initial parameters), then one per
    iteration.
GaussianMixture
    scikit-learn's ``GaussianMixture`` (a drop-in: same constructor, attributes,
    methods and stopping rule) built on ``em_steps``.
NotFittedError, ConvergenceWarning
    Raised by an unfitted ``GaussianMixture`` / warned when its fit did not
    converge; also scikit-learn's classes of those names when scikit-learn is
    imported.
log_responsibilities, responsibilities, log_density
    Evaluate a set of mixture parameters on data.
select_k, n_parameters
    Fit every k of a list and score each by BIC and AIC (flags degenerate
    fits); the number of free parameters of a mixture.
save_params, load_params, ParamsError
    Write fitted parameters to ``.npz`` / ``.json`` atomically and read them
    back without unpickling; a bad file raises ``ParamsError`` (a
    ``ValueError``) with one line naming it.
check_params_path, check_init_params
    The checks ``save_params`` and ``em_steps(init=tuple)`` apply, for
    callers that want to fail early.
KMeansState, kmeans_steps
    Lloyd's k-means one state per iteration, to compare with EM.
COVARIANCE_TYPES, INITS, __version__
    The accepted ``covariance_type`` and named ``init`` values; the version.

The version, the argument checks and the row chunking live in ``gmm_core``,
saving and loading in ``gmm_params`` and k-means in ``gmm_kmeans``; their public
names are re-exported here (``gmm.__version__``, ``gmm.check_init_params``,
``gmm.save_params``, ``gmm.kmeans_steps``, ...), so code that imports them from
``gmm`` keeps working.

Imports point one way, ``gmm_core <- gmm_kmeans, gmm_params <- gmm``:
``gmm_core`` is a numpy/standard-library leaf, ``gmm_kmeans`` and ``gmm_params``
import it and never ``gmm``, and ``gmm`` imports all three.  This module uses
numpy and scipy only (plus those three modules); it never draws.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from scipy.linalg import solve_triangular

import gmm_core
from gmm_core import (  # the public ones re-exported: gmm.check_init_params, gmm.__version__
    COVARIANCE_TYPES,
    INITS,
    __version__,
    _as_rng,
    _check_covariance_type,
    _check_init_tuple,
    _check_int,
    _check_nonneg_float,
    _check_mixture,
    _check_spread,
    _check_X,
    _chunks,
    check_init_params,
)
from gmm_kmeans import (  # KMeansState, kmeans_steps re-exported; the rest seed the inits
    KMeansState,
    _fill_empty,
    _kmeans_plusplus,
    _lloyd,
    _nearest,
    kmeans_steps,
)
from gmm_params import (  # re-exported: gmm.save_params is the documented name
    ParamsError,
    check_params_path,
    load_params,
    save_params,
)

__all__ = [
    "GMMState",
    "em_steps",
    "GaussianMixture",
    "NotFittedError",
    "ConvergenceWarning",
    "select_k",
    "n_parameters",
    "save_params",
    "load_params",
    "ParamsError",
    "check_params_path",
    "check_init_params",
    "__version__",
    "log_responsibilities",
    "responsibilities",
    "log_density",
    "COVARIANCE_TYPES",
    "INITS",
    "KMeansState",
    "kmeans_steps",
]

#: Rows per chunk of the E-step (defined in gmm_core, whose ``_chunks`` takes it
#: as its default when defined: rebinding this name changes no chunk size).
CHUNK_ROWS = gmm_core.CHUNK_ROWS
#: Up to this many features the quadratic-feature E-step is used; above it
#: the per-component Cholesky path (fewer flops for large d).
_QUAD_MAX_D = 10
#: ``em_steps`` refuses data whose largest column variance is below this many
#: times ``reg_covar`` (> 0): every component would be at least ~30 times wider
#: than the whole data set, so the fit would describe reg_covar, not the data
#: (data at 1e-10 with the default 1e-6).  Strong but deliberate
#: regularisation (reg_covar near the data's variance) is fitted as scikit-learn
#: fits it.
REG_COVAR_DOMINATES = 1e-3
#: Lloyd iterations run by ``init="kmeans"`` after k-means++ seeding.
KMEANS_LLOYD_ITERS = 10
_EPS10 = 10 * np.finfo(np.float64).eps
#: A covariance whose Cholesky factor has (min L_ii / max L_ii)^2 below this
#: (condition number above ~5e12) is singular to working precision
_SINGULAR = 1000 * np.finfo(np.float64).eps
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
def _singular(chol):
    """Components whose Cholesky factors (k, d, d) are singular to working precision.

    ``(max L_ii / min L_ii)^2`` bounds the condition number from below; a factor
    this lopsided is rounding noise (e.g. ``reg_covar=0`` on collinear points).
    k * d numbers: cheap enough for every iteration.
    """
    diag = np.diagonal(chol, axis1=1, axis2=2)
    return diag.min(axis=1) ** 2 < _SINGULAR * diag.max(axis=1) ** 2


def _cholesky(covariances):
    """Batched Cholesky factors (k, d, d); a clear error when a matrix is not PD."""
    try:
        return np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise ValueError(
            "fitting failed because a component's covariance is not positive definite "
            "(a collapsed component on duplicated or collinear points); increase reg_covar, "
            "use fewer components, or rescale the data") from None


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
        chol = _cholesky(covariances)
        if fitting and _singular(chol).any():
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


def _exp_normalise(L):
    """In place: ``L (k, m)`` of weighted log-probs becomes ``exp(L - max)``.

    Returns
    -------
    mx : ndarray (m,)
        Column maxima.
    s : ndarray (m,)
        Column sums after the exponential: responsibilities are ``L / s`` and
        the per-point log-likelihood is ``mx + log(s)``.
    """
    mx = L.max(axis=0)
    L -= mx
    np.exp(L, out=L)
    return mx, L.sum(axis=0)


def _first_argmax_of_exp(E, out):
    """Row index of the first 1.0 in each column of ``E = exp(L - max)``.

    After subtracting the column maximum the winning entries are exactly
    ``exp(0) == 1.0``, so this equals ``argmax`` of the log-probs (first index
    on ties) while being faster than numpy's argmax along axis 0.
    """
    out[...] = E.shape[0] - 1
    for j in range(E.shape[0] - 2, -1, -1):
        np.copyto(out, j, where=E[j] == 1.0)
    return out


class _Stats:
    """Sufficient statistics accumulated over chunks: counts, sums, scatter."""

    def __init__(self, k, d):
        self.r = np.zeros(k)            # sum of responsibilities
        self.s1 = np.zeros((k, d))      # sum r x
        self.s2 = np.zeros((k, d, d))   # sum r x x^T (upper triangle while quadratic)
        self._quad_iu = None

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


def _exact_m_step(XT, params, covariance_type, reg_covar, means, covs, which):
    """Recompute the covariances of components ``which`` in a second, exact pass.

    Used only when the moment formula would cancel badly (a tight component
    far from the data's centre); the formulas are scikit-learn's.
    """
    k, d = means.shape
    r = np.zeros(k)
    scat = np.zeros((k, d, d))
    idx = range(k) if covariance_type == "tied" else np.flatnonzero(which)
    for sl in _chunks(XT.shape[1]):
        R = params.log_prob_T(XT[:, sl])
        _, s = _exp_normalise(R)
        R /= s
        r += R.sum(axis=1)
        for j in idx:
            diff = XT[:, sl] - means[j][:, None]
            scat[j] += (diff * R[j]) @ diff.T
    return _covs_from_scatter(scat, r + _EPS10, covariance_type, reg_covar, covs, which)


def _e_step(XT, params, labels_out=None, stats=None):
    """One pass over the data: mean log-likelihood, labels and (optionally) statistics.

    Parameters
    ----------
    XT : ndarray (d, n)
        Centred data, one point per column.
    params : _Params
    labels_out : ndarray (n,) of int, optional
        Filled with the most responsible component of each point.
    stats : _Stats, optional
        Accumulates the M-step statistics when given.

    Returns
    -------
    log_likelihood : float
        Mean of ``log p(x)`` over the points.
    """
    n = XT.shape[1]
    total = 0.0
    for sl in _chunks(n):
        xt = XT[:, sl]
        F = _features_T(xt, params.iu) if params.quad else None
        E = params.log_prob_T(xt, F)
        mx, s = _exp_normalise(E)
        if labels_out is not None:
            _first_argmax_of_exp(E, labels_out[sl])
        total += float(mx.sum() + np.log(s).sum())
        if stats is not None:
            if F is not None:      # (E / s) F^T == E (F / s)^T: divide the thinner array
                F /= s
                stats.add(E, xt, F, params.iu)
            else:
                E /= s
                stats.add(E, xt)
    if stats is not None:
        stats.finish()
    return total / n


# --------------------------------------------------------------------------
# Initialisation (k-means++ seeding and Lloyd steps: gmm_kmeans)
# --------------------------------------------------------------------------
def _chunked_stats(XT, k, iu, resp_of_chunk):
    """Statistics of responsibilities ``resp_of_chunk(sl) -> (k, m)``, chunk by chunk."""
    stats = _Stats(k, XT.shape[0])
    for sl in _chunks(XT.shape[1]):
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


def _initial_params(Xc, XT, k, init, covariance_type, reg_covar, rng):
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
            centres_idx = _kmeans_plusplus(Xc, k, rng)
        labels, dist = _nearest(Xc, Xc[centres_idx])
        labels = _fill_empty(labels, dist, k)
        if init == "kmeans":
            labels = _lloyd(Xc, labels, k, KMEANS_LLOYD_ITERS)
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


# --------------------------------------------------------------------------
# EM
# --------------------------------------------------------------------------
def _readonly(*arrays):
    for a in arrays:
        a.setflags(write=False)


def em_steps(X, n_components, *, max_iter=100, tol=1e-3, covariance_type="full",
             init="kmeans++", reg_covar=1e-6, random_state=None) -> Iterator[GMMState]:
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
        points takes the point farthest from its own centre.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance (absolute, as in
        scikit-learn).
    random_state : None, int, numpy.random.Generator, RandomState, SeedSequence or BitGenerator
        Source of randomness for the init; the global RNG is never used.

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
    k = _check_int("n_components", n_components, 1)
    X = _check_X(X, k)
    max_iter = _check_int("max_iter", max_iter, 0)
    tol = _check_nonneg_float("tol", tol)
    reg_covar = _check_nonneg_float("reg_covar", reg_covar)
    covariance_type = _check_covariance_type(covariance_type)
    n, d = X.shape
    if isinstance(init, str):
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple "
                             f"(weights, means, covariances); got {init!r}")
        init_tuple = None
    elif isinstance(init, (tuple, list)):
        init_tuple = _check_init_tuple(init, k, d, covariance_type)
    else:
        raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple "
                         f"(weights, means, covariances); got {type(init).__name__}")
    rng = _as_rng(random_state)
    centre, Xc = _centred(X)
    _check_fit_scale(Xc, reg_covar)
    if init_tuple is not None:
        _check_spread(float(np.abs(init_tuple[1] - centre).max()), n, d, "init means",
                      small_ok=True)
        if _singular(np.linalg.cholesky(init_tuple[2])).any():
            raise ValueError("init covariances are singular to float64 precision (condition "
                             "number above about 5e12); widen their smallest variances")
    return _em_generator(Xc, centre, k, max_iter, tol, covariance_type, init, init_tuple,
                         reg_covar, rng)


def _centred(X):
    """Column means of X and ``X - mean``, without overflow in the mean itself."""
    centre = X.mean(axis=0)
    if not np.isfinite(centre).all():     # |X| near float64's limit: the sum overflowed
        centre = (0.5 * X).mean(axis=0) * 2.0
    with np.errstate(over="ignore", invalid="ignore"):
        Xc = X - centre
    return centre, Xc


def _check_fit_scale(Xc, reg_covar):
    """Raise ValueError when centred data ``Xc`` cannot be fitted honestly.

    The squares of its spread must be representable (``_check_spread``), and
    with ``reg_covar > 0`` its largest column variance must be at least
    ``REG_COVAR_DOMINATES * reg_covar``.  Rows that are all equal (spread 0)
    pass.
    """
    n, d = Xc.shape
    spread = float(max(Xc.max(), -Xc.min()))          # no (n, d) temporary
    if not math.isfinite(spread):
        spread = math.inf
    _check_spread(spread, n, d)
    if reg_covar > 0 and spread > 0:
        var = float(np.einsum("ij,ij->j", Xc, Xc).max()) / n
        if var < REG_COVAR_DOMINATES * reg_covar:
            raise ValueError(
                f"X varies too little for reg_covar={reg_covar:g}: its largest column variance "
                f"is {var:.3g}, under {REG_COVAR_DOMINATES:g} * reg_covar, so reg_covar "
                "(absolute, added to every covariance) would hide the data in every component; "
                "standardise X (subtract each column's mean and divide by its standard "
                "deviation) or lower reg_covar")


def _em_generator(Xc, centre, k, max_iter, tol, covariance_type, init, init_tuple, reg_covar,
                  rng):
    n, d = Xc.shape
    XT = np.ascontiguousarray(Xc.T)      # one point per column: fast reductions over k
    if init_tuple is not None:
        weights, means, covs = init_tuple
        means = means - centre
    else:
        weights, means, covs = _initial_params(Xc, XT, k, init, covariance_type, reg_covar, rng)
    del Xc
    radius_sq = float(np.einsum("ij,ij->j", XT, XT).max())
    prev_ll = None
    for t in range(max_iter + 1):
        params = _Params(weights, means, covs, radius_sq, fitting=True)
        labels = np.empty(n, dtype=np.int32)
        last = t == max_iter
        stats = None if last else _Stats(k, d)
        with np.errstate(invalid="ignore", over="ignore"):   # a non-finite ll raises below
            ll = _e_step(XT, params, labels, stats)
        if not math.isfinite(ll):
            raise ValueError(
                f"the log-likelihood at iteration {t} is {ll}: some point has zero density "
                "under every component in float64 (a start far from the data, or a "
                "component collapsed with reg_covar=0); increase reg_covar or standardise X")
        converged = prev_ll is not None and abs(ll - prev_ll) < tol
        out_w, out_m, out_c = weights.copy(), means + centre, covs.copy()
        _readonly(out_w, out_m, out_c, labels)
        yield GMMState(iteration=t, weights=out_w, means=out_m, covariances=out_c,
                       log_likelihood=ll, labels=labels, converged=bool(converged))
        if converged or last:
            return
        prev_ll = ll
        weights, means, covs, exact = _m_step(stats, covariance_type, reg_covar)
        if exact.any():
            covs = _exact_m_step(XT, params, covariance_type, reg_covar, means, covs, exact)


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
    X = _check_X(X)
    n, d = X.shape
    weights, means, covariances = _check_mixture(weights, means, covariances, None, d)
    centre, Xc = _centred(X)
    spread = float(max(Xc.max(), -Xc.min()))
    _check_spread(spread if math.isfinite(spread) else math.inf, n, d, small_ok=True)
    _check_spread(float(np.abs(means - centre).max()), n, d, "means", small_ok=True)
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
    with np.errstate(invalid="ignore", over="ignore"):   # non-finite rows raise below
        for sl in _chunks(n):
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
    with np.errstate(invalid="ignore", over="ignore"):   # non-finite rows raise below
        for sl in _chunks(n):
            E = params.log_prob_T(XT[:, sl])
            top[sl], s = _exp_normalise(E)
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
# Estimator
# --------------------------------------------------------------------------
class NotFittedError(ValueError, AttributeError):
    """A :class:`GaussianMixture` method that needs a fitted model ran before ``fit``.

    A ``ValueError`` and an ``AttributeError``, as scikit-learn's.  When the
    program has imported scikit-learn, the error raised is also a
    ``sklearn.exceptions.NotFittedError``, so either ``except`` catches it.
    """


class ConvergenceWarning(UserWarning):
    """The best of :class:`GaussianMixture`'s runs reached ``max_iter`` before ``tol``.

    When the program has imported scikit-learn, the warning is also a
    ``sklearn.exceptions.ConvergenceWarning``, so its filters (and
    ``pytest.warns``) see it.
    """


#: our class -> the subclass of it and scikit-learn's class of the same name
_WITH_SKLEARN = {}


def _sklearn_flavoured(cls):
    """``cls``, or a subclass of ``cls`` and scikit-learn's class of the same name.

    scikit-learn is never imported for this: its class is mixed in only when
    the program has imported scikit-learn already (code that catches or
    filters scikit-learn's class has), so a program without it pays nothing.
    """
    if "sklearn" not in sys.modules:
        return cls
    if cls not in _WITH_SKLEARN:
        try:
            from sklearn import exceptions
            base = getattr(exceptions, cls.__name__)
        except Exception:  # a broken or partial install: ours alone
            return cls
        _WITH_SKLEARN[cls] = type(cls.__name__, (cls, base),
                                  {"__module__": cls.__module__, "__doc__": cls.__doc__,
                                   "__reduce__": _reduce_flavoured})
    return _WITH_SKLEARN[cls]


def _reduce_flavoured(self):
    """Pickle a scikit-learn-flavoured instance by the name of our class (joblib workers)."""
    ours = next(c for c in type(self).__mro__ if c in (NotFittedError, ConvergenceWarning))
    return _unpickle_flavoured, (ours.__name__, self.args)


def _unpickle_flavoured(name, args):
    """Rebuild a pickled instance: scikit-learn's class too when it can be imported."""
    cls = {"NotFittedError": NotFittedError, "ConvergenceWarning": ConvergenceWarning}[name]
    try:
        import sklearn  # noqa: F401  (the pickled instance was one of its classes too)
    except ImportError:
        pass
    return _sklearn_flavoured(cls)(*args)


#: scikit-learn's ``init_params`` values and the :func:`em_steps` init each runs
_INIT_PARAMS = {"kmeans": "kmeans", "k-means++": "kmeans++", "random": "random",
                "random_from_data": "random_from_data"}

#: scikit-learn's message for a fit whose covariances became singular (its tests match it)
_ILL_DEFINED = ("Fitting the mixture model failed because some components have ill-defined "
                "empirical covariance (for instance caused by singleton or collapsed samples). "
                "Try to decrease the number of components, increase reg_covar, or scale the "
                "input data.")


def _mixture_input(X, name="X"):
    """Validate data for :class:`GaussianMixture` as scikit-learn would accept it.

    Parameters
    ----------
    X : array-like of shape (n, d)
        A numpy array (any real dtype, read-only or strided), nested lists, an
        object array of numbers, or a DataFrame.

    Returns
    -------
    X64 : ndarray of shape (n, d), float64, C-contiguous
    dtype : numpy dtype
        float32 for float32 input (results then come back in float32, as
        scikit-learn's do), else float64.
    names : ndarray of str (object) or None
        The column names of a DataFrame whose names are all strings.
    """
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise TypeError(f"{name} is a sparse matrix; GaussianMixture needs dense data, "
                        f"e.g. {name}.toarray()")
    names = _feature_names(X, name)
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array ({exc}); pass numbers "
                         "of shape (n_samples, n_features)") from None
    if arr.dtype == object or arr.dtype.kind in "US":    # numbers as objects or strings
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{name} must hold numbers only; converting it to floats failed "
                             f"({exc})") from None
    dtype = np.dtype(np.float32) if arr.dtype == np.float32 else np.dtype(np.float64)
    return _check_X(arr), dtype, names


def _feature_names(X, name="X"):
    """String column names of a DataFrame-like ``X`` (scikit-learn's rule), else None."""
    columns = getattr(X, "columns", None)
    if columns is None or isinstance(X, np.ndarray):
        return None
    try:
        names = np.asarray(list(columns), dtype=object)
    except TypeError:
        return None
    is_str = [isinstance(c, str) for c in names]
    if not names.size or not any(is_str):
        return None
    if not all(is_str):
        kinds = sorted({type(c).__name__ for c in names})
        raise TypeError(f"{name}'s column names mix types {kinds}: feature names are only "
                        "supported if all input features have string names; convert them, "
                        f"e.g. {name}.columns = {name}.columns.astype(str)")
    return names


def _init_array(value, name):
    """An ``*_init`` argument as a finite float64 array (its dtype before conversion too)."""
    try:
        arr = np.asarray(value)
        if arr.dtype == object:
            arr = arr.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must be an array of float64 numbers ({exc})") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) \
            or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    out = arr.astype(np.float64)
    if not np.isfinite(out).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return out, arr.dtype


def _check_init_shape(arr, shape, name, param):
    """scikit-learn's shape message (its tests match it), naming our argument first."""
    if arr.shape != shape:
        raise ValueError(f"{name}: The parameter '{param}' should have the shape of {shape}, "
                         f"but got {arr.shape}")


def _checked_weights_init(value, k):
    """``weights_init`` (k,) checked as scikit-learn checks it."""
    w, dtype = _init_array(value, "weights_init")
    _check_init_shape(w, (k,), "weights_init", "weights")
    if (w < 0).any() or (w > 1).any():
        # scikit-learn's words and (swapped) order, which its tests match; then ours
        raise ValueError(f"weights_init: The parameter 'weights' should be in the range [0, 1], "
                         f"but got max value {w.min():.5f}, min value {w.max():.5f}; every "
                         f"weight must lie in [0, 1] (these span {w.min():.5g} to {w.max():.5g})")
    atol = 1e-6 if dtype == np.float32 else 1e-8
    if not abs(1.0 - w.sum()) <= atol:
        raise ValueError(f"weights_init: The parameter 'weights' should be normalized, but got "
                         f"sum(weights) = {w.sum():.5f}; divide them by their sum")
    return w


def _checked_precisions_init(value, k, d, covariance_type):
    """``precisions_init`` in scikit-learn's per-type shape -> covariances (k, d, d)."""
    P, _ = _init_array(value, "precisions_init")
    shape = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]
    param = f"{covariance_type} precision"
    _check_init_shape(P, shape, "precisions_init", param)
    if covariance_type in ("diag", "spherical"):
        if (P <= 0).any():
            raise ValueError(f"precisions_init: '{param}' should be positive (they are "
                             "inverse variances)")
        with np.errstate(over="ignore"):
            var = np.broadcast_to((1.0 / P).reshape(k, -1), (k, d))
        cov = np.zeros((k, d, d))
        cov[:, np.arange(d), np.arange(d)] = var
    else:
        mats = P if covariance_type == "full" else P[None]
        for m in mats:
            if not (np.isclose(m, m.T).all() and np.linalg.eigvalsh(m).min() > 0):
                raise ValueError(f"precisions_init: '{param}' should be symmetric, "
                                 "positive-definite")
        with np.errstate(over="ignore", invalid="ignore"):
            cov = np.linalg.inv(mats)
        cov = np.broadcast_to(0.5 * (cov + np.swapaxes(cov, 1, 2)), (k, d, d)).copy()
    if not np.isfinite(cov).all():
        raise ValueError(f"precisions_init: '{param}' is too close to 0 (or singular) to "
                         "invert in float64; give larger precisions or standardise the data")
    return cov


def _available_bytes():
    """Physical memory in bytes (a bound on what ``sample`` may try to allocate)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 2 ** 40


class _Run:
    """One EM run of :meth:`GaussianMixture.fit`: its first and last states and bounds."""

    def __init__(self, first, last, lower_bounds, lower_bound, converged, history):
        self.first, self.last = first, last
        self.lower_bounds, self.lower_bound = lower_bounds, lower_bound
        self.converged, self.history = converged, history


class GaussianMixture:
    """Gaussian mixture estimator with scikit-learn's API, built on :func:`em_steps`.

    A drop-in for ``sklearn.mixture.GaussianMixture``: the same constructor,
    fitted attributes, methods, stopping rule, warnings and errors, and
    ``get_params``/``set_params`` so ``clone``, ``Pipeline``,
    ``GridSearchCV`` and ``cross_val_score`` work.  scikit-learn is never
    imported for it.  scikit-learn's own tests of ``GaussianMixture`` pass
    against this class (``tests/test_sklearn_compat.py``).

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    tol : float, default=1e-3
        A run stops when the mean log-likelihood changed by less than ``tol``
        between consecutive iterations (checked after each M-step, as
        scikit-learn does).
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance.
    max_iter : int, default=100
        EM iterations (M-steps) per run; 0 keeps the initial parameters.
    n_init : int, default=1
        Runs from different starts; the one with the highest ``lower_bound_``
        is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How a start is made (see "Differences" for how ours are computed).
    weights_init : array-like of shape (k,), optional
    means_init : array-like of shape (k, d), optional
    precisions_init : array-like, optional
        Inverse covariances in the covariance type's shape: full (k, d, d),
        tied (d, d), diag (k, d), spherical (k,).  Each given array replaces
        that part of the start; when all three are given no data-driven start
        is computed.
    random_state : None, int, numpy.random.Generator or RandomState
    warm_start : bool, default=False
        A second ``fit`` continues from the fitted parameters (one run, its
        stopping rule comparing with the previous ``lower_bound_``).
    verbose : int, default=0
        1 prints each run's start and end and every ``verbose_interval``-th
        iteration; 2 adds times and log-likelihood changes.
    verbose_interval : int, default=10
    init : str or tuple, optional
        This project's spelling of the start, ``None`` by default (then
        ``init_params`` and the ``*_init`` arrays decide): one of ``INITS``
        (``"kmeans++"`` is ``init_params="k-means++"``), or ``(weights (k,),
        means (k, d), covariances (k, d, d))`` used as the start exactly.  A
        given ``init`` replaces ``init_params``; combining it with a
        non-default ``init_params`` or with ``weights_init``, ``means_init``
        or ``precisions_init`` raises ``ValueError``.
    keep_history : bool, default=False
        Keep every :class:`GMMState` of the kept run in ``history_``.

    Attributes
    ----------
    weights_ : ndarray (k,)
    means_ : ndarray (k, d)
    covariances_, precisions_, precisions_cholesky_ : ndarray
        scikit-learn's per-type shapes: full (k, d, d), tied (d, d), diag
        (k, d), spherical (k,).  ``precisions_cholesky_`` is the
        upper-triangular ``U`` with ``precision = U U^T``.
    converged_ : bool
    n_iter_ : int
        M-steps of the kept run.
    lower_bound_ : float
        Mean log-likelihood of X under the parameters the last M-step started
        from (scikit-learn's definition; ``-inf`` when ``max_iter=0``).
    lower_bounds_ : list of float
        ``lower_bound_`` after each iteration of the kept run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame whose column names are all strings.
    labels_ : ndarray (n,)
        Most responsible component of each training point (= ``fit_predict``).
    state_ : GMMState
        The final parameters in float64 with full (k, d, d) covariances;
        ``state_.log_likelihood`` is the mean log-likelihood under them.
    history_ : list of GMMState
        Only when ``keep_history=True``: states 0 .. ``n_iter_``.
    initial_params_ : tuple (weights (k,), means (k, d), covariances (k, d, d))
        The start of the kept run; ``em_steps(X, k, init=initial_params_)``
        replays it exactly.

    Differences from scikit-learn
    -----------------------------
    * The EM runs in float64 also for float32 data (attributes and results
      are then cast to float32, as scikit-learn's dtype), so float32 fits are
      more accurate than scikit-learn's and differ in the last float32 digits.
      The E-step and M-step are computed differently (see the module
      docstring); from the same start the trajectory agrees to about 1e-6.
    * Starts: ``init_params="kmeans"`` seeds with k-means++ and runs at most
      ``KMEANS_LLOYD_ITERS`` (10) Lloyd iterations (scikit-learn: ``KMeans``
      to convergence); ``"k-means++"`` and ``"random_from_data"`` assign every
      point to its nearest seed before the first M-step (scikit-learn gives
      each component only its seed point, so its starting covariances are
      ``reg_covar * I``).  The random numbers come from a numpy
      ``Generator``, so the same ``random_state`` gives a different (equally
      valid) start than scikit-learn's.
    * ``random_state`` may also be a ``numpy.random.Generator``;
      ``sample(n, random_state=...)`` takes its own source of randomness.
    * Bad parameters raise ``TypeError`` or ``ValueError`` naming the
      parameter (scikit-learn's ``InvalidParameterError`` is both); ``tol``
      and ``reg_covar`` must also be finite.  ``sample`` takes integers only
      (scikit-learn lets numpy truncate 2.5, and fails with a numpy
      traceback for ``10**20``) and refuses a request larger than the
      machine's memory with ``ValueError``.
    * The ill-defined-covariance ``ValueError`` is raised when a starting
      variance is zero up to rounding or a covariance is not positive
      definite; scikit-learn raises when its rounding makes a variance <= 0,
      so on such degenerate data one may raise where the other does not.
    * ``warm_start`` continues from ``state_`` (the fitted parameters in
      float64), not from attributes edited by hand.
    * No array API support (numpy arrays, lists and DataFrames only).
    * Extras: ``init``, ``keep_history``, ``labels_``, ``state_``,
      ``history_``, ``initial_params_``, :meth:`save` and :meth:`load`.
    """

    #: read by scikit-learn < 1.6 (newer versions call ``__sklearn_tags__``)
    _estimator_type = "DensityEstimator"

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None, warm_start=False,
                 verbose=0, verbose_interval=10, init=None, keep_history=False):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.init = init
        self.keep_history = keep_history

    # -- scikit-learn's estimator protocol ----------------------------------
    @classmethod
    def _param_defaults(cls):
        """Constructor parameter -> default, in signature order."""
        return {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()
                if p.name != "self"}

    def get_params(self, deep=True):
        """The constructor's parameters, ``{name: value}`` (nothing is nested, so ``deep`` changes nothing)."""
        return {name: getattr(self, name) for name in self._param_defaults()}

    def set_params(self, **params):
        """Set constructor parameters by name (checked at the next ``fit``); returns self."""
        valid = self._param_defaults()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator "
                                 f"{type(self).__name__}; valid parameters are: "
                                 f"{', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        def is_default(value, default):
            try:
                return value is default or (type(value) is type(default) and bool(value == default))
            except Exception:  # arrays and the like
                return False
        changed = [f"{name}={value!r}" for (name, value), default
                   in zip(self.get_params().items(), self._param_defaults().values())
                   if not is_default(value, default)]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        """scikit-learn's tags (only scikit-learn >= 1.6 calls this, so it may import it)."""
        from sklearn.utils import Tags, TargetTags
        return Tags(estimator_type="density_estimator", target_tags=TargetTags(required=False),
                    transformer_tags=None, regressor_tags=None, classifier_tags=None)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "state_")

    # -- checks ----------------------------------------------------------------
    def _checked_params(self):
        """The constructor parameters validated (at fit time, as scikit-learn does); a dict."""
        p = {"k": _check_int("n_components", self.n_components, 1),
             "tol": _check_nonneg_float("tol", self.tol),
             "reg_covar": _check_nonneg_float("reg_covar", self.reg_covar),
             "max_iter": _check_int("max_iter", self.max_iter, 0),
             "n_init": _check_int("n_init", self.n_init, 1),
             "verbose_interval": _check_int("verbose_interval", self.verbose_interval, 1)}
        if not isinstance(self.covariance_type, str):
            raise TypeError(f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; "
                            f"got {type(self.covariance_type).__name__}")
        p["covariance_type"] = _check_covariance_type(self.covariance_type)
        for name in ("warm_start", "keep_history"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        verbose = self.verbose
        p["verbose"] = (int(verbose) if isinstance(verbose, (bool, np.bool_))
                        else _check_int("verbose", verbose, 0))
        if not (isinstance(self.init_params, str) and self.init_params in _INIT_PARAMS):
            raise ValueError(f"init_params must be one of {', '.join(map(repr, _INIT_PARAMS))}; "
                             f"got {self.init_params!r}")
        init = self.init
        if init is not None:
            if self.init_params != "kmeans" or any(
                    getattr(self, a) is not None
                    for a in ("weights_init", "means_init", "precisions_init")):
                raise ValueError("init (this project's spelling of the start) cannot be combined "
                                 "with init_params, weights_init, means_init or precisions_init "
                                 "(scikit-learn's); give one or the other")
            if not (isinstance(init, (tuple, list)) or (isinstance(init, str) and init in INITS)):
                raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple (weights, "
                                 f"means, covariances); got {init!r}")
        return p

    def _user_start(self, p, d):
        """The user's start: (named init or None, weights, means, covariances), None where not given."""
        k, cov = p["k"], p["covariance_type"]
        if isinstance(self.init, (tuple, list)):
            return (None,) + check_init_params(self.init, k, d, cov)
        if isinstance(self.init, str):
            return self.init, None, None, None
        w = None if self.weights_init is None else _checked_weights_init(self.weights_init, k)
        m = None
        if self.means_init is not None:
            m, _ = _init_array(self.means_init, "means_init")
            _check_init_shape(m, (k, d), "means_init", "means")
        c = (None if self.precisions_init is None
             else _checked_precisions_init(self.precisions_init, k, d, cov))
        return _INIT_PARAMS[self.init_params], w, m, c

    def _check_fitted(self):
        if not hasattr(self, "state_"):
            raise _sklearn_flavoured(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator.")

    # -- fitting -----------------------------------------------------------------
    def fit(self, X, y=None):
        """Fit the mixture to X (n, d) by EM (``n_init`` runs, the best kept); returns self.

        Warns :class:`ConvergenceWarning` when the kept run did not converge
        (unless ``max_iter=0``).
        """
        self._fit(X)
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the labels of X under the final parameters, (n,); equals ``fit(X).predict(X)``."""
        X64 = self._fit(X)
        return self._log_resp_of(X64)[1].argmax(axis=1)

    def _fit(self, X):
        """Fit and return X as validated float64 (n, d)."""
        p = self._checked_params()
        X64, dtype, names = _mixture_input(X)
        n, d = X64.shape
        k = p["k"]
        if n < 2:
            raise ValueError(f"X has {n} sample (shape {X64.shape}), but fitting needs at least "
                             "2 samples")
        if n < k:
            raise ValueError(f"Expected n_samples >= n_components but got n_components = {k}, "
                             f"n_samples = {n}; use fewer components or more data")
        start = self._user_start(p, d)
        warm = bool(self.warm_start) and hasattr(self, "converged_") and hasattr(self, "state_")
        if warm and (self.state_.means.shape != (k, d)):
            raise ValueError(f"warm_start=True continues from the fitted model, which has "
                             f"{self.state_.means.shape[0]} components and "
                             f"{self.state_.means.shape[1]} features, but n_components={k} and "
                             f"X has {d} features; set warm_start=False to fit afresh")
        # a starting variance below this is rounding noise of the coordinates (a
        # standard deviation under ~1e-12 of the data's range): the start collapsed
        centre = X64.mean(axis=0)
        reach = np.maximum(X64.max(axis=0) - centre, centre - X64.min(axis=0))
        p["collapsed"] = (1e3 * np.finfo(np.float64).eps * reach) ** 2
        rng = _as_rng(self.random_state)
        best = None
        for i in range(1 if warm else p["n_init"]):
            self._say(p, f"Initialization {i}")
            if warm:
                s = self.state_
                init, prev = (s.weights, s.means, s.covariances), float(self.lower_bound_)
            else:
                init, prev = self._start(X64, p, start, rng), -math.inf
            run = self._run(X64, p, init, prev, rng)
            if best is None or run.lower_bound > best.lower_bound or best.lower_bound == -math.inf:
                best = run
        self._set_state(best.last, dtype)
        self.converged_ = bool(best.converged)
        self.n_iter_ = int(best.last.iteration)
        self.lower_bound_ = float(best.lower_bound)
        self.lower_bounds_ = list(best.lower_bounds)
        start_state = best.first
        self.initial_params_ = (np.array(start_state.weights), np.array(start_state.means),
                                np.array(start_state.covariances))
        if self.keep_history:
            self.history_ = best.history
        elif hasattr(self, "history_"):
            del self.history_
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if not self.converged_ and p["max_iter"] > 0:
            warnings.warn("Best performing initialization did not converge. Try different init "
                          "parameters, or increase max_iter, tol, or check for degenerate data.",
                          _sklearn_flavoured(ConvergenceWarning), stacklevel=3)
        return X64

    def _start(self, X, p, start, rng):
        """The start of one run: an :func:`em_steps` init name or a (w, mu, cov) tuple."""
        name, w, m, c = start
        if name is None or (w is not None and m is not None and c is not None):
            return (w, m, c)
        if w is None and m is None and c is None:
            return name                      # em_steps makes it, exactly as em_steps(init=name)
        k, d = p["k"], X.shape[1]
        centre = X.mean(axis=0)
        Xc = X - centre
        w0, m0, c0 = _initial_params(Xc, np.ascontiguousarray(Xc.T), k, name,
                                     p["covariance_type"], p["reg_covar"], rng)
        del Xc
        return (w0 if w is None else w, m0 + centre if m is None else m,
                c0 if c is None else c)

    def _run(self, X, p, init, prev_lb, rng):
        """One EM run from ``init`` with scikit-learn's stopping rule; a :class:`_Run`.

        scikit-learn's iteration ``t`` is an E-step on state ``t-1`` (its
        log-likelihood is the lower bound ``lb_t``) and the M-step to state
        ``t``; it stops after the first ``t`` with ``|lb_t - lb_{t-1}| < tol``
        (``lb_0`` is ``-inf``, or the previous fit's under ``warm_start``).
        :func:`em_steps` runs with ``tol=0`` and this loop applies that rule.
        """
        tol, max_iter, verbose = p["tol"], p["max_iter"], p["verbose"]
        if not isinstance(init, str) and (np.linalg.eigvalsh(init[2]).min(axis=1) <= 0).any():
            raise ValueError(_ILL_DEFINED + " (a starting covariance is not positive definite)")
        # em_steps' own argument and data checks raise as they are (naming the
        # *_init argument a start came from); a failure while iterating is
        # numerical, reported with scikit-learn's message
        try:
            states = em_steps(X, p["k"], max_iter=max_iter, tol=0.0,
                              covariance_type=p["covariance_type"], init=init,
                              reg_covar=p["reg_covar"], random_state=rng)
        except ValueError as exc:
            if isinstance(init, str) or isinstance(self.init, (tuple, list)):
                raise
            message = str(exc)
            for theirs, ours in (("init weights", "weights_init"), ("init means", "means_init"),
                                 ("init covariances", "the covariances (inverse "
                                                      "precisions_init)")):
                message = message.replace(theirs, ours)
            raise ValueError(message) from exc
        try:
            state = first = next(states)
            self._check_collapsed(state, p)
            history = [state] if self.keep_history else None
            lower_bounds, lb, converged = [], prev_lb, False
            t0 = t_prev = time.perf_counter()
            for t in range(1, max_iter + 1):
                prev, lb = lb, state.log_likelihood
                state = next(states)
                lower_bounds.append(lb)
                if history is not None:
                    history.append(state)
                change = lb - prev
                if verbose and t % p["verbose_interval"] == 0:
                    now = time.perf_counter()
                    self._say(p, f"  Iteration {t}" + (f"\t time lapse {now - t_prev:.5f}s\t "
                                                       f"ll change {change:.5f}"
                                                       if verbose >= 2 else ""))
                    t_prev = now
                if abs(change) < tol:
                    converged = True
                    break
            states.close()
        except ValueError as exc:
            if str(exc).startswith(_ILL_DEFINED):
                raise
            raise ValueError(f"{_ILL_DEFINED} ({exc})") from exc
        if max_iter:
            end = "converged" if converged else "did not converge"
            self._say(p, f"Initialization {end}." + (
                f" time lapse {time.perf_counter() - t0:.5f}s\t lower bound {lb:.5f}."
                if verbose >= 2 else ""))
        return _Run(first, state, lower_bounds, lb if max_iter else -math.inf, converged,
                    history)

    @staticmethod
    def _check_collapsed(state, p):
        """Raise scikit-learn's error when a variance of the start is rounding noise.

        scikit-learn fails there when such a variance comes out <= 0 (e.g. an
        empty k-means cluster and ``reg_covar=0``).  Only the start is checked:
        a component that collapses during EM is left to the Cholesky
        factorisation, as in scikit-learn, whose run goes on unless a variance
        is exactly <= 0.
        """
        var = np.diagonal(state.covariances, axis1=1, axis2=2)
        if (var <= p["collapsed"]).any():
            raise ValueError(_ILL_DEFINED + " (a component collapsed: a variance is zero "
                             "up to rounding)")

    @staticmethod
    def _say(p, message):
        if p["verbose"]:
            print(message)

    def _set_state(self, state, dtype=np.float64):
        """Set the fitted parameters from a :class:`GMMState`, in scikit-learn's shapes and ``dtype``."""
        k, d = state.means.shape
        self.state_ = state
        self.weights_ = np.array(state.weights, dtype=dtype)
        self.means_ = np.array(state.means, dtype=dtype)
        self.labels_ = np.array(state.labels, dtype=np.int64)
        full = np.array(state.covariances)
        self.covariances_ = _to_sklearn_shape(full, self.covariance_type).astype(dtype)
        # upper-triangular U with precision = U U^T (scikit-learn's convention)
        chol = np.linalg.cholesky(full)
        eye = np.broadcast_to(np.eye(d), full.shape)
        U = np.swapaxes(np.linalg.solve(chol, eye), 1, 2)
        prec = U @ np.swapaxes(U, 1, 2)
        prec = 0.5 * (prec + np.swapaxes(prec, 1, 2))
        self.precisions_ = _to_sklearn_shape(prec, self.covariance_type).astype(dtype)
        self.precisions_cholesky_ = _to_sklearn_shape(U, self.covariance_type).astype(dtype)
        self.n_features_in_ = d

    # -- using the fitted model ------------------------------------------------------
    def _predict_input(self, X):
        """Validated float64 X (n, d) and the dtype of the results, after the fitted checks."""
        self._check_fitted()
        X64, dtype, names = _mixture_input(X)
        fitted = getattr(self, "feature_names_in_", None)
        cls = type(self).__name__
        if fitted is not None and names is None:
            warnings.warn(f"X does not have valid feature names, but {cls} was fitted with "
                          "feature names", UserWarning, stacklevel=3)
        elif fitted is None and names is not None:
            warnings.warn(f"X has feature names, but {cls} was fitted without feature names",
                          UserWarning, stacklevel=3)
        elif fitted is not None and (len(fitted) != len(names) or (fitted != names).any()):
            raise ValueError("The feature names should match those that were passed during fit: "
                             f"fitted on {list(fitted)}, got {list(names)}; select or rename "
                             "X's columns to match")
        if X64.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X64.shape[1]} features, but {cls} is expecting "
                             f"{self.n_features_in_} features as input (it was fitted on "
                             f"{self.n_features_in_})")
        return X64, dtype

    def _log_resp_of(self, X64):
        s = self.state_
        return log_responsibilities(X64, s.weights, s.means, s.covariances)

    def predict(self, X):
        """Most responsible component of each row of X, shape (n,)."""
        X64, _ = self._predict_input(X)
        return self._log_resp_of(X64)[1].argmax(axis=1)

    def predict_proba(self, X):
        """Responsibilities of each component for each row of X, shape (n, k)."""
        X64, dtype = self._predict_input(X)
        return np.exp(self._log_resp_of(X64)[1]).astype(dtype, copy=False)

    def score_samples(self, X):
        """Log-density ``log p(x)`` of each row of X, shape (n,)."""
        X64, dtype = self._predict_input(X)
        return self._log_resp_of(X64)[0].astype(dtype, copy=False)

    def score(self, X, y=None):
        """Mean per-sample log-likelihood of X."""
        return float(self.score_samples(X).mean())

    def _n_parameters(self):
        k, d = self.means_.shape
        return n_parameters(k, d, self.covariance_type)

    def bic(self, X):
        """Bayesian information criterion on X (lower is better)."""
        X64, dtype = self._predict_input(X)
        score = float(self._log_resp_of(X64)[0].astype(dtype, copy=False).mean())
        n = X64.shape[0]
        return -2 * score * n + self._n_parameters() * math.log(n)

    def aic(self, X):
        """Akaike information criterion on X (lower is better)."""
        X64, dtype = self._predict_input(X)
        score = float(self._log_resp_of(X64)[0].astype(dtype, copy=False).mean())
        return -2 * score * X64.shape[0] + 2 * self._n_parameters()

    def save(self, path, options=None):
        """Write the fitted parameters to ``path`` (``.npz`` or ``.json``), atomically."""
        self._check_fitted()
        history = ([st.log_likelihood for st in getattr(self, "history_", [])]
                   or [self.state_.log_likelihood])
        save_params(path, self.state_.weights, self.state_.means, self.state_.covariances,
                    covariance_type=self.covariance_type, log_likelihood_history=history,
                    options=options)

    @classmethod
    def load(cls, path):
        """A fitted estimator from a file written by :meth:`save` (never unpickled).

        Predictions equal those of the saved model exactly; ``labels_`` and
        ``converged_`` describe no data set and are empty / False.
        """
        p = load_params(path)
        model = cls(p["weights"].shape[0], covariance_type=p["covariance_type"],
                    init=(p["weights"], p["means"], p["covariances"]))
        hist = p["log_likelihood_history"]
        state = GMMState(iteration=max(len(hist) - 1, 0), weights=p["weights"], means=p["means"],
                         covariances=p["covariances"],
                         log_likelihood=float(hist[-1]) if len(hist) else float("nan"),
                         labels=np.empty(0, dtype=np.int32), converged=False)
        model._set_state(state)
        model.converged_ = False
        model.n_iter_ = state.iteration
        model.lower_bound_ = state.log_likelihood
        model.lower_bounds_ = [float(v) for v in hist]
        return model

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default=1
            At least 1.
        random_state : None, int, numpy.random.Generator or RandomState
            Defaults to the estimator's own ``random_state`` (as scikit-learn:
            an int there gives the same samples on every call).

        Returns
        -------
        X : ndarray (n_samples, d), float64
        y : ndarray (n_samples,), int64
            Component of each sample, in increasing order.
        """
        self._check_fitted()
        if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, numbers.Integral):
            raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
        n_samples = int(n_samples)
        if n_samples < 1:
            raise ValueError(f"Invalid value for 'n_samples': {n_samples}; sample() needs "
                             "n_samples >= 1")
        s = self.state_
        d = s.means.shape[1]
        need = n_samples * (d + 1) * 8
        if need > _available_bytes():
            raise ValueError(f"n_samples={n_samples} is too large: the samples would need "
                             f"{need / 2**30:.3g} GiB, more than this machine's memory; draw "
                             "fewer (or in batches)")
        rng = _as_rng(self.random_state if random_state is None else random_state)
        try:
            counts = rng.multinomial(n_samples, s.weights / s.weights.sum())
            X = np.empty((n_samples, d))
            y = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
            chol = np.linalg.cholesky(s.covariances)
            start = 0
            for j, c in enumerate(counts):
                z = rng.standard_normal((int(c), d))
                X[start:start + c] = s.means[j] + z @ chol[j].T
                start += c
        except MemoryError:
            raise ValueError(f"n_samples={n_samples} is too large for the memory available; "
                             "draw fewer (or in batches)") from None
        return X, y


def _to_sklearn_shape(full, covariance_type):
    """(k, d, d) matrices -> scikit-learn's per-type array."""
    if covariance_type == "full":
        return full
    if covariance_type == "tied":
        return full[0]
    diag = np.diagonal(full, axis1=1, axis2=2).copy()
    if covariance_type == "diag":
        return diag
    return diag[:, 0]


# --------------------------------------------------------------------------
# Choosing k
# --------------------------------------------------------------------------
def n_parameters(n_components, n_features, covariance_type="full"):
    """Number of free parameters of a mixture (as scikit-learn counts them)."""
    k, d = n_components, n_features
    cov = {"full": k * d * (d + 1) / 2, "diag": k * d, "tied": d * (d + 1) / 2,
           "spherical": k}[_check_covariance_type(covariance_type)]
    return int(cov + k * d + k - 1)


def _check_ks(ks, n):
    """``ks`` as a list of distinct ints in [1, n], read lazily (an endless iterable fails)."""
    if isinstance(ks, (str, bytes)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"ks must be an iterable of integers such as range(1, 11), "
                        f"got {type(ks).__name__}")
    out, seen = [], set()
    for k in ks:            # stops at the first bad k: range(1, 10**10) needs no list
        k = _check_int("ks", k, 1)
        if k > n:
            raise ValueError(f"ks holds k={k}, which needs at least that many samples, but X "
                             f"has {n}; give ks within 1..{n}")
        if k in seen:
            raise ValueError(f"ks holds k={k} twice; give each number of components once")
        seen.add(k)
        out.append(k)
    if not out:
        raise ValueError("ks is empty; give at least one number of components, e.g. range(1, 11)")
    return out


def select_k(X, ks, *, criterion="bic", n_init=1, covariance_type="full", max_iter=100,
             tol=1e-3, init="kmeans++", reg_covar=1e-6, random_state=None, callback=None):
    """Fit a mixture for every k in ``ks`` and score it by BIC and AIC.

    Parameters
    ----------
    X : array-like of shape (n, d)
    ks : iterable of int
        Candidate numbers of components, each a Python or numpy integer with
        ``1 <= k <= n``, each once (so at most ``n`` of them; an endless or
        huge iterable fails at its first k above ``n``).
    criterion : {"bic", "aic"}, default="bic"
        Which criterion picks the best k: the lowest among the fits that are
        not ``degenerate`` (among all of them if every fit is).
    n_init : int, default=1
        Restarts per k; the run with the highest final log-likelihood is kept.
        The work grows with ``len(ks) * n_init``; nothing caps it.
    covariance_type, max_iter, tol, reg_covar, random_state
        As for :func:`em_steps` (all checked before the first fit).
    init : str, default="kmeans++"
        One of ``INITS`` (a parameter tuple would fix k).
    callback : callable, optional
        Called as ``callback(row)`` with each row of ``table`` as soon as its
        k is fitted, e.g. to show progress (this module never prints).

    Returns
    -------
    best_k : int
    table : list of dict
        One row per k, in the order given: ``k``, ``log_likelihood`` (mean per
        point), ``bic``, ``aic``, ``n_parameters``, ``model`` (the fitted
        :class:`GaussianMixture`) and ``degenerate``: True when a component
        collapsed onto a lower-dimensional set (e.g. repeated or rounded
        values), its smallest variance at most ``DEGENERATE_FACTOR *
        reg_covar``; its likelihood then grows without bound as ``reg_covar``
        shrinks, so its BIC/AIC are not meaningful.
    """
    if not isinstance(criterion, str) or criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', got {criterion!r:.80}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    X = _check_X(X)
    ks = _check_ks(ks, X.shape[0])
    # every fit's own arguments, checked before the first fit starts
    _check_int("n_init", n_init, 1)
    _check_int("max_iter", max_iter, 0)
    _check_nonneg_float("tol", tol)
    _check_fit_scale(_centred(X)[1], _check_nonneg_float("reg_covar", reg_covar))
    _check_covariance_type(covariance_type)
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)} for select_k (a tuple of "
                         f"parameters fixes k); got {init!r:.80}")
    rng = _as_rng(random_state)
    table = []
    for k in ks:
        model = GaussianMixture(k, covariance_type=covariance_type, tol=tol, reg_covar=reg_covar,
                                max_iter=max_iter, init=init, random_state=rng, n_init=n_init)
        with warnings.catch_warnings():     # a fit cut short by max_iter is still scored
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X)
        floor = float(np.linalg.eigvalsh(model.state_.covariances).min())
        # state_ holds the mean log-likelihood of X under the final parameters
        # already: score the fit without another pass over X
        ll, p, n = model.state_.log_likelihood, model._n_parameters(), X.shape[0]
        table.append({"k": k, "log_likelihood": ll, "bic": -2 * ll * n + p * math.log(n),
                      "aic": -2 * ll * n + 2 * p, "n_parameters": p,
                      "model": model, "degenerate": floor <= DEGENERATE_FACTOR * reg_covar})
        if callback is not None:
            callback(table[-1])
    best = min([row for row in table if not row["degenerate"]] or table,
               key=lambda row: row[criterion])
    return best["k"], table


#: ``select_k`` calls a fit degenerate when some component's smallest variance
#: is at most this many times ``reg_covar``: it collapsed onto a lower-dimensional
#: set (rounded or repeated values) and its likelihood is bounded only by reg_covar
DEGENERATE_FACTOR = 1.5
