"""Variational Bayesian Gaussian mixtures: :func:`vb_steps` and :class:`BayesianGaussianMixture`.

The variational map is scikit-learn's ``BayesianGaussianMixture`` map (a
Dirichlet-process or Dirichlet prior on the weights, Gaussian-Wishart priors on
the components).  Its E-step is an EM E-step in disguise: the expected
log-density of a point under component ``j`` is ``log N(x | m_j, S_j) + c_j``
with ``S_j`` the expected covariance and ``c_j`` a per-component constant (the
expected log-weight plus digamma terms), so the engine's chunked pass
(:func:`gmm_em.moment_pass`) computes the responsibilities' counts, first and
second moments, and the variational M-step is a few (k, d, d) formulas of
them.  The entropy of the responsibilities, needed for the lower bound, comes
from the same moments (``sum r log r = sum r L - sum log-norm``, and
``sum_i r_ij L_ij`` is a quadratic form of the moments), so no (n, k) array is
kept or passed over twice.

Public names: ``VBState``, ``vb_steps``, ``BayesianGaussianMixture``,
``PRIOR_TYPES`` (documented in :mod:`gmm`).
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from gmm_core import (
    INITS,
    as_rng,
    check_covariance_type,
    check_init_tuple,
    check_int,
    check_nonneg_float,
)
from gmm_em import GMMState, fit_source, log_responsibilities, moment_pass, start_params
from gmm_mixture import (
    INIT_PARAMS,
    ConvergenceWarning,
    EstimatorProtocol,
    check_fit_data,
    checked_mixture_params,
    continues_warm,
    fit_input,
    fitted_attributes,
    sample_mixture,
    sklearn_flavoured,
)

__all__ = ["VBState", "vb_steps", "BayesianGaussianMixture", "PRIOR_TYPES"]

#: The accepted ``weight_concentration_prior_type`` values (scikit-learn's)
PRIOR_TYPES = ("dirichlet_process", "dirichlet_distribution")
_EPS10 = 10 * np.finfo(np.float64).eps
_LOG_2PI = math.log(2 * math.pi)
#: Priors are numbers in (0, PRIOR_MAX]: beyond it the bound's gamma functions overflow
PRIOR_MAX = 1e100
#: A prior may pull a covariance at most this many times past the data's variance
#: (mean_prior far from the data, a huge covariance_prior): beyond it the posterior
#: covariances are singular to float64 precision
PRIOR_PULL_MAX = 1e10


@dataclass(frozen=True)
class VBState(GMMState):
    """One state of a variational fit: a :class:`gmm.GMMState` and the posterior.

    Attributes
    ----------
    weights : ndarray (k,)
        Expected mixing weights under the posterior (sum to 1).
    means : ndarray (k, d)
        Posterior means of the component means.
    covariances : ndarray (k, d, d)
        Inverse of the expected precision (scikit-learn's ``covariances_``), as
        full matrices whatever the covariance type.
    log_likelihood : float
        The variational lower bound (ELBO) per point: scikit-learn's
        ``lower_bound_`` divided by n.  Like scikit-learn's it leaves out
        terms that are constant during a fit (the priors' normalising
        constants), so compare its changes, not its level with an EM
        log-likelihood.  Also available as :attr:`lower_bound`.
    labels : ndarray (n,)
        Most responsible component of each point under this state.
    converged : bool
    weight_concentration : ndarray (k,) or (2, k)
        Posterior Dirichlet parameters, or the two Beta parameters of each
        stick for the Dirichlet process.
    mean_precision : ndarray (k,)
    degrees_of_freedom : ndarray (k,)
        (Equal entries for "tied".)
    """

    weight_concentration: np.ndarray = None
    mean_precision: np.ndarray = None
    degrees_of_freedom: np.ndarray = None

    @property
    def lower_bound(self) -> float:
        """The lower bound per point (the ``log_likelihood`` field)."""
        return self.log_likelihood


@dataclass(frozen=True)
class _Priors:
    """The priors in the fit's centred coordinates (``covariance`` always (d, d))."""

    kind: str
    weight_concentration: float
    mean_precision: float
    mean: np.ndarray
    degrees_of_freedom: float
    covariance: np.ndarray


@dataclass(frozen=True)
class _Posterior:
    """Variational parameters in centred coordinates; ``covariances`` (k, d, d) full."""

    weight_concentration: np.ndarray
    mean_precision: np.ndarray
    means: np.ndarray
    degrees_of_freedom: np.ndarray
    covariances: np.ndarray


# --------------------------------------------------------------------------
# The variational formulas (scikit-learn's), one small function each
# --------------------------------------------------------------------------
def weight_concentration(nk, priors):
    """Posterior weight parameters from the counts nk (k,): (k,) or (2, k) for the DP."""
    if priors.kind == "dirichlet_process":
        rest = np.concatenate([np.cumsum(nk[::-1])[-2::-1], [0.0]])   # sum of later counts
        return np.stack([1.0 + nk, priors.weight_concentration + rest])
    return priors.weight_concentration + nk


def expected_weights(wc, kind):
    """Expected mixing weights (k,) of posterior weight parameters ``wc``."""
    if kind == "dirichlet_process":
        total = wc[0] + wc[1]
        w = wc[0] / total * np.concatenate([[1.0], np.cumprod(wc[1] / total)[:-1]])
        return w / w.sum()
    return wc / wc.sum()


def expected_log_weights(wc, kind):
    """``E[log pi_j]`` (k,) under posterior weight parameters ``wc``."""
    # scipy.special is imported where a variational fit needs it: 0.15 s of
    # start-up that every EM run and --help would otherwise pay
    from scipy.special import digamma
    if kind == "dirichlet_process":
        log_total = digamma(wc[0] + wc[1])
        before = np.cumsum(digamma(wc[1]) - log_total)[:-1]
        return digamma(wc[0]) - log_total + np.concatenate([[0.0], before])
    return digamma(wc) - digamma(wc.sum())


def log_weight_offsets(post, kind):
    """``c_j`` (k,) with expected log-density ``log N(x | m_j, S_j) + c_j``."""
    from scipy.special import digamma     # on first use: see expected_log_weights
    d = post.means.shape[1]
    nu = post.degrees_of_freedom
    log_lambda = d * math.log(2.0) + digamma(0.5 * (nu[None, :] - np.arange(d)[:, None])).sum(0)
    return (expected_log_weights(post.weight_concentration, kind) - 0.5 * d * np.log(nu)
            + 0.5 * (log_lambda - d / post.mean_precision))


def posterior(nk, xk, sk, priors, covariance_type):
    """The variational M-step: a :class:`_Posterior` from the statistics.

    Parameters
    ----------
    nk : ndarray (k,)
        Counts (responsibility sums + 10 eps).
    xk : ndarray (k, d)
        Weighted means, centred.
    sk : ndarray (k, d, d)
        scikit-learn's covariance estimates of the type (``reg_covar`` added),
        full matrices.
    """
    k, d = xk.shape
    beta = priors.mean_precision + nk
    means = (priors.mean_precision * priors.mean + nk[:, None] * xk) / beta[:, None]
    diff = xk - priors.mean
    shrink = priors.mean_precision / beta
    if covariance_type == "tied":
        share = nk.sum() / k
        nu = np.full(k, priors.degrees_of_freedom + share)
        scale = (priors.covariance + sk[0] * share
                 + priors.mean_precision / k * ((nk / beta) * diff.T) @ diff)
        covs = np.repeat((scale / nu[0])[None], k, axis=0)
    else:
        nu = priors.degrees_of_freedom + nk
        spread = shrink[:, None, None] * diff[:, :, None] * diff[:, None, :]
        scale = priors.covariance + nk[:, None, None] * (sk + spread)
        if covariance_type != "full":
            var = np.diagonal(scale, axis1=1, axis2=2)
            if covariance_type == "spherical":
                var = np.repeat(var.mean(axis=1, keepdims=True), d, axis=1)
            scale = var[:, :, None] * np.eye(d)
        covs = scale / nu[:, None, None]
    covs = 0.5 * (covs + np.swapaxes(covs, 1, 2))
    return _Posterior(weight_concentration(nk, priors), beta, means, nu, covs)


def lower_bound(post, entropy, kind):
    """scikit-learn's lower bound (a total over the points) after an M-step.

    ``entropy`` is ``-sum r log r`` of the responsibilities the M-step used.
    """
    from scipy.special import betaln, gammaln     # on first use: see expected_log_weights
    d = post.means.shape[1]
    nu = post.degrees_of_freedom
    log_det_cov = 2.0 * np.log(np.diagonal(np.linalg.cholesky(post.covariances),
                                           axis1=1, axis2=2)).sum(axis=1)
    half_log_det_prec = -0.5 * log_det_cov - 0.5 * d * np.log(nu)
    log_wishart = -(nu * half_log_det_prec + 0.5 * d * math.log(2.0) * nu
                    + gammaln(0.5 * (nu[None, :] - np.arange(d)[:, None])).sum(0)).sum()
    wc = post.weight_concentration
    if kind == "dirichlet_process":
        log_norm_weight = -betaln(wc[0], wc[1]).sum()
    else:
        log_norm_weight = gammaln(wc.sum()) - gammaln(wc).sum()
    return float(entropy - log_wishart - log_norm_weight
                 - 0.5 * d * np.log(post.mean_precision).sum())


def resp_dot_log_prob(offsets, post, nk, xk, sk, reg_covar, covariance_type):
    """``sum_ij r_ij L_ij``, L the weighted log-densities of ``post``, from the moments.

    ``sum_i r_ij L_ij = r_j (c_j - (d log 2 pi + log det S_j) / 2) - tr(P_j A_j) / 2``
    with ``A_j = sum_i r_ij (x_i - m_j)(x_i - m_j)^T``, which the M-step's
    statistics give: ``n_j (s_j - reg_covar I) + r_j (xbar_j - m_j)(xbar_j - m_j)^T``.
    """
    k, d = xk.shape
    r = nk - _EPS10
    counts = np.full(k, nk.sum() / k) if covariance_type == "tied" else nk
    diff = xk - post.means
    A = (counts[:, None, None] * (sk - reg_covar * np.eye(d))
         + r[:, None, None] * diff[:, :, None] * diff[:, None, :])
    chol = np.linalg.cholesky(post.covariances)
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    prec = np.linalg.inv(post.covariances)
    trace = np.einsum("kij,kji->k", prec, A)
    return float((r * (offsets - 0.5 * (d * _LOG_2PI + log_det)) - 0.5 * trace).sum())


# --------------------------------------------------------------------------
# Priors and arguments
# --------------------------------------------------------------------------
def _positive(name, value):
    """None, or a finite number > 0 (scikit-learn's interval (0, inf))."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number > 0 or None (scikit-learn's default), "
                        f"got {value!r}")
    try:
        out = float(value)
    except (OverflowError, ValueError):
        out = math.inf
    if not (0 < out <= PRIOR_MAX):
        raise ValueError(f"{name} must be a number in (0, {PRIOR_MAX:g}] or None "
                         f"(scikit-learn's default), got {value!r}")
    return out


def _prior_array(name, value, shape):
    """A finite float64 array of ``shape`` (scikit-learn's shape message)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must be an array of numbers of shape {shape} ({exc})") from None
    if arr.shape != shape:
        raise ValueError(f"{name}: The parameter '{name}' should have the shape of {shape}, "
                         f"but got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; give finite numbers")
    return arr


def _covariance_prior(value, d, covariance_type, data_cov):
    """``covariance_prior`` as a (d, d) matrix (``data_cov`` for None), checked."""
    if value is None:
        cov = data_cov
        if covariance_type != "full" and covariance_type != "tied":
            var = np.diag(cov)
            cov = np.diag(np.full(d, var.mean()) if covariance_type == "spherical" else var)
        where = "the data's covariance (the default covariance_prior)"
    elif covariance_type in ("full", "tied"):
        cov = _prior_array("covariance_prior", value, (d, d))
        where = "covariance_prior"
    elif covariance_type == "diag":
        cov = np.diag(_prior_array("covariance_prior", value, (d,)))
        where = "covariance_prior"
    else:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        cov = _positive("covariance_prior", value) * np.eye(d)
        where = "covariance_prior"
    sym = np.allclose(cov, cov.T, rtol=1e-10, atol=0)
    if not sym or np.linalg.eigvalsh(0.5 * (cov + cov.T)).min() <= 0:
        raise ValueError(f"{where} must be symmetric and positive definite ('covariance_prior' "
                         "should be symmetric, positive-definite); give a positive definite "
                         "matrix (positive variances for diag and spherical), or for the "
                         "default remove constant or duplicated columns of X")
    return 0.5 * (cov + cov.T)


class _Scatter:
    """Accumulator of the scatter ``sum x x^T`` (d, d) of centred rows."""

    def __init__(self, d):
        self.s = np.zeros((d, d))

    def merge(self, other):
        self.s += other.s
        return self


def _add_scatter(xt, rows, acc):
    acc.s += xt @ xt.T


def make_priors(data, centre, covariance_type, kind, weight_concentration_prior,
                mean_precision_prior, mean_prior, degrees_of_freedom_prior, covariance_prior,
                reg_covar=0.0):
    """The checked priors (scikit-learn's defaults for None) in centred coordinates."""
    n, d = data.shape
    k_wc = _positive("weight_concentration_prior", weight_concentration_prior)
    beta0 = _positive("mean_precision_prior", mean_precision_prior)
    beta0 = 1.0 if beta0 is None else beta0
    nu0 = _positive("degrees_of_freedom_prior", degrees_of_freedom_prior)
    if nu0 is not None and nu0 <= d - 1:
        raise ValueError(f"The parameter 'degrees_of_freedom_prior' should be greater than "
                         f"{d - 1}, but got {nu0:.3f}. (It must exceed n_features - 1; the "
                         "default is n_features.)")
    data_cov = data.each(_add_scatter, lambda: _Scatter(d)).s / (n - 1)
    var = np.diag(data_cov) + reg_covar
    mean = np.zeros(d)
    if mean_prior is not None:
        mean = _prior_array("mean_prior", mean_prior, (d,)) - centre
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            pull = beta0 * float(np.max(np.where(var > 0, mean ** 2 / var, mean ** 2 > 0)))
        if not pull <= PRIOR_PULL_MAX:
            raise ValueError(f"mean_prior lies too far from the data for mean_precision_prior="
                             f"{beta0:g}: mean_precision_prior * (distance / standard "
                             f"deviation)^2 is {pull:.3g}, above {PRIOR_PULL_MAX:g}, so the "
                             "posterior covariances would be singular in float64; give a "
                             "mean_prior near the data (or None for its mean) or standardise X")
    cov = _covariance_prior(covariance_prior, d, covariance_type, data_cov)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        pull = float(np.max(np.where(var > 0, np.diag(cov) / (n * var), np.inf)))
    if covariance_prior is not None and not pull <= PRIOR_PULL_MAX:
        raise ValueError(f"covariance_prior is {pull:.3g} times n times the data's variance "
                         f"(above {PRIOR_PULL_MAX:g}), so the posterior covariances would be "
                         "singular in float64; give a covariance_prior nearer the data's "
                         "covariance (or None for it) or standardise X")
    return _Priors(kind, k_wc, beta0, mean, float(d) if nu0 is None else nu0, cov)


def check_prior_type(kind):
    """``weight_concentration_prior_type`` checked."""
    if not (isinstance(kind, str) and kind in PRIOR_TYPES):
        raise ValueError(f"weight_concentration_prior_type must be one of "
                         f"{', '.join(PRIOR_TYPES)}; got {kind!r}")
    return kind


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------
def _start_posterior(data, Xc, k, init, priors, covariance_type, reg_covar, rng):
    """The posterior of the start and its lower bound (entropy of the start taken as 0)."""
    n = data.shape[0]
    if isinstance(init, str):
        w, xk, sk = start_params(data, Xc, k, init, covariance_type, reg_covar, rng)
    else:
        w, xk, sk = init
    nk = w * (n + k * _EPS10)
    post = posterior(nk, xk, sk, priors, covariance_type)
    return post, lower_bound(post, 0.0, priors.kind)


def _state(t, post, lb, labels, converged, centre, kind):
    arrays = [expected_weights(post.weight_concentration, kind), post.means + centre,
              post.covariances.copy(), np.array(post.weight_concentration),
              post.mean_precision.copy(), post.degrees_of_freedom.copy()]
    for a in arrays + ([labels] if isinstance(labels, np.ndarray) else []):
        a.setflags(write=False)
    w, m, c, wc, beta, nu = arrays
    return VBState(iteration=t, weights=w, means=m, covariances=c, log_likelihood=lb,
                   labels=labels, converged=bool(converged), weight_concentration=wc,
                   mean_precision=beta, degrees_of_freedom=nu)


def _vb_generator(data, centre, post, lb, priors, max_iter, tol, covariance_type, reg_covar):
    """States from ``post`` (lower bound ``lb``, a total): one pass per state."""
    n = data.shape[0]
    prev = None
    for t in range(max_iter + 1):
        offsets = log_weight_offsets(post, priors.kind)
        labels, log_norm, nk, xk, sk = moment_pass(data, offsets, post.means, post.covariances,
                                                   covariance_type, reg_covar)
        converged = prev is not None and abs(lb - prev) / n < tol
        yield _state(t, post, lb / n, labels, converged, centre, priors.kind)
        if converged or t == max_iter:
            return
        entropy = log_norm - resp_dot_log_prob(offsets, post, nk, xk, sk, reg_covar,
                                               covariance_type)
        prev = lb
        post = posterior(nk, xk, sk, priors, covariance_type)
        lb = lower_bound(post, entropy, priors.kind)
        if not math.isfinite(lb):
            raise ValueError(f"the lower bound at iteration {t + 1} is {lb}: the fit left "
                             "float64's range; increase reg_covar or standardise X")


def vb_steps(X, n_components, *, max_iter=100, tol=1e-3, covariance_type="full",
             init="kmeans++", reg_covar=1e-6, random_state=None,
             weight_concentration_prior_type="dirichlet_process",
             weight_concentration_prior=None, mean_precision_prior=None, mean_prior=None,
             degrees_of_freedom_prior=None, covariance_prior=None) -> Iterator[VBState]:
    """Fit a variational Bayesian mixture to X and yield one :class:`VBState` per iteration.

    scikit-learn's ``BayesianGaussianMixture`` map: state 0 is the posterior
    made from the start's statistics, state ``t`` the posterior after ``t``
    variational E- and M-steps.  Components the data do not need lose their
    expected weight.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        As :func:`gmm.em_steps` takes it: in memory, an ``np.memmap``
        (``np.load(path, mmap_mode="r")``, read block by block) or a 2-D
        ``dask.array`` chunked by rows; at least 2 rows.
    n_components : int
        The most components the fit may use, ``1 <= k <= n_samples``.
    max_iter : int, default=100
        Iterations after state 0.
    tol : float, default=1e-3
        Stop at the first state ``t`` whose lower bound per point changed by
        less than ``tol`` from state ``t-1`` (``converged=True``); ``tol=0``
        yields exactly ``max_iter + 1`` states.  (scikit-learn's ``fit``
        applies ``tol`` to the total bound, n times the one here:
        :class:`BayesianGaussianMixture` does so too.)
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    init : str or tuple, default="kmeans++"
        :func:`gmm.em_steps`'s starts ("kmeans++", "kmeans", "random",
        "random_from_data"), or ``(weights (k,), means (k, d), covariances
        (k, d, d))``: the start's statistics, i.e. the weights, means and
        covariances (``reg_covar`` included) an EM M-step gives from the
        starting responsibilities (an EM state's parameters will do).
    reg_covar : float, default=1e-6
    random_state : None, int or numpy.random.Generator
    weight_concentration_prior_type : {"dirichlet_process", "dirichlet_distribution"}
    weight_concentration_prior : float > 0, optional
        Default ``1 / n_components``.  Smaller: fewer components keep weight.
    mean_precision_prior : float > 0, optional
        Default 1.
    mean_prior : array-like (d,), optional
        Default the column means of X.
    degrees_of_freedom_prior : float > n_features - 1, optional
        Default ``n_features``.
    covariance_prior : optional
        (d, d) for full and tied, (d,) for diag, a number for spherical;
        default the data's covariance (``np.cov(X.T)``; its diagonal, or the
        diagonal's mean, for diag and spherical).

    Yields
    ------
    VBState
        ``weights`` the expected weights, ``log_likelihood`` (= ``lower_bound``)
        the lower bound per point.  State 0's bound counts the start's
        responsibilities as hard (entropy 0): exact for the centre-picking
        starts, a lower value for "random" and tuple starts.

    Raises
    ------
    ValueError, TypeError
        At call time, naming the argument.
    """
    k = check_int("n_components", n_components, 1)
    max_iter = check_int("max_iter", max_iter, 0)
    tol = check_nonneg_float("tol", tol)
    reg_covar = check_nonneg_float("reg_covar", reg_covar)
    covariance_type = check_covariance_type(covariance_type)
    kind = check_prior_type(weight_concentration_prior_type)
    if isinstance(init, str) and init not in INITS or not isinstance(init, (str, tuple, list)):
        raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple "
                         f"(weights, means, covariances); got {init!r}")
    rng = as_rng(random_state)
    data, centre, Xc = fit_source(X, k, reg_covar)
    if data.shape[0] < 2:
        raise ValueError("X has 1 sample, but a variational fit needs at least 2 (the default "
                         "covariance_prior is the data's covariance)")
    if not isinstance(init, str):
        w, m, c = check_init_tuple(init, k, data.shape[1], covariance_type)
        init = (w, m - centre, c)
    if weight_concentration_prior is None:
        weight_concentration_prior = 1.0 / k
    priors = make_priors(data, centre, covariance_type, kind, weight_concentration_prior,
                         mean_precision_prior, mean_prior, degrees_of_freedom_prior,
                         covariance_prior)
    post, lb = _start_posterior(data, Xc, k, init, priors, covariance_type, reg_covar, rng)
    del Xc
    return _vb_generator(data, centre, post, lb, priors, max_iter, tol, covariance_type,
                         reg_covar)


# --------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------
class _Run:
    """One run of :meth:`BayesianGaussianMixture.fit`: its states and bounds."""

    def __init__(self, first, last, lower_bounds, lower_bound, converged, history):
        self.first, self.last = first, last
        self.lower_bounds, self.lower_bound = lower_bounds, lower_bound
        self.converged, self.history = converged, history


def _say(verbose, message):
    if verbose:
        print(message)


def run_vb(states, n, prev_lb, p):
    """scikit-learn's stopping rule over ``states`` (``tol`` on the total bound); a :class:`_Run`.

    Iteration ``t`` is the E-step on state ``t-1`` and the M-step to state
    ``t``, whose bound is ``lb_t``; the run stops after the first ``t`` with
    ``|lb_t - lb_{t-1}| < tol`` (``lb_0`` is ``-inf``, or the previous fit's
    under ``warm_start``).
    """
    state = first = next(states)
    history = [state] if p["keep_history"] else None
    lower_bounds, lb, converged = [], prev_lb, False
    t_prev = time.perf_counter()
    for t in range(1, p["max_iter"] + 1):
        prev = lb
        state = next(states)
        lb = state.log_likelihood * n
        lower_bounds.append(lb)
        if history is not None:
            history.append(state)
        if p["verbose"] and t % p["verbose_interval"] == 0:
            now = time.perf_counter()
            _say(p["verbose"], f"  Iteration {t}" + (
                f"\t time lapse {now - t_prev:.5f}s\t ll change {lb - prev:.5f}"
                if p["verbose"] >= 2 else ""))
            t_prev = now
        if abs(lb - prev) < p["tol"]:
            converged = True
            break
    states.close()
    if p["max_iter"]:
        _say(p["verbose"], f"Initialization {'converged' if converged else 'did not converge'}.")
    return _Run(first, state, lower_bounds, lb if p["max_iter"] else -math.inf, converged,
                history)


def _posterior_of(state, centre):
    """A fitted :class:`VBState` (user coordinates) as a posterior centred on ``centre``."""
    return _Posterior(np.array(state.weight_concentration), np.array(state.mean_precision),
                      state.means - centre, np.array(state.degrees_of_freedom),
                      np.array(state.covariances))


def checked_bayes_params(est):
    """The estimator's parameters validated at fit time (priors need X: later); a dict."""
    p = checked_mixture_params(est)
    p["kind"] = check_prior_type(est.weight_concentration_prior_type)
    p["keep_history"] = bool(est.keep_history)
    init = est.init
    if init is None:
        init = INIT_PARAMS[est.init_params]
    elif est.init_params != "kmeans":
        raise ValueError("init (this project's spelling of the start) cannot be combined with "
                         "init_params (scikit-learn's); give one or the other")
    elif not (isinstance(init, (tuple, list)) or (isinstance(init, str) and init in INITS)):
        raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple (weights, "
                         f"means, covariances); got {init!r}")
    p["init"] = init
    return p


def _prior_attributes(priors, centre, covariance_type, given, dtype):
    """scikit-learn's ``*_prior_`` attributes (user coordinates, its shapes and dtypes:
    defaults computed from X keep float32 where numpy's mean and var do); a dict."""
    cov = priors.covariance
    shaped = {"full": cov, "tied": cov, "diag": np.diag(cov).copy(),
              "spherical": cov[0, 0]}[covariance_type]
    if given["covariance_prior"] is None and covariance_type in ("diag", "spherical"):
        shaped = np.asarray(shaped, dtype=dtype)[()]
    elif covariance_type == "spherical":
        shaped = float(shaped)
    mean = priors.mean + centre
    return {"weight_concentration_prior_": priors.weight_concentration,
            "mean_precision_prior_": priors.mean_precision,
            "mean_prior_": mean.astype(dtype) if given["mean_prior"] is None else mean,
            "degrees_of_freedom_prior_": (centre.shape[0]
                                          if given["degrees_of_freedom_prior"] is None
                                          else priors.degrees_of_freedom),
            "covariance_prior_": shaped}


def _posterior_attributes(state, covariance_type, dtype):
    """scikit-learn's posterior attributes of a :class:`VBState`; a dict."""
    wc = np.asarray(state.weight_concentration, dtype=dtype)
    nu = np.asarray(state.degrees_of_freedom, dtype=dtype)
    return {"weight_concentration_": (wc[0], wc[1]) if wc.ndim == 2 else wc,
            "mean_precision_": np.asarray(state.mean_precision, dtype=dtype),
            "degrees_of_freedom_": nu[0] if covariance_type == "tied" else nu}


class BayesianGaussianMixture(EstimatorProtocol):
    """Variational Bayesian Gaussian mixture with scikit-learn's API, built on :func:`vb_steps`.

    A drop-in for ``sklearn.mixture.BayesianGaussianMixture``: the same
    keyword-only constructor, fitted attributes, methods, stopping rule,
    warnings and errors, and ``get_params``/``set_params`` so ``clone``,
    ``Pipeline`` and ``GridSearchCV`` work.  scikit-learn is never imported
    for it.  scikit-learn's own tests of ``BayesianGaussianMixture`` pass
    against this class (``tests/test_sklearn_bayes_compat.py``).

    Parameters
    ----------
    n_components, covariance_type, tol, reg_covar, max_iter, n_init, init_params,
    random_state, warm_start, verbose, verbose_interval
        As :class:`gmm.GaussianMixture` (``tol`` applies to the total lower
        bound, as scikit-learn's).
    weight_concentration_prior_type : {"dirichlet_process", "dirichlet_distribution"}
    weight_concentration_prior, mean_precision_prior, mean_prior,
    degrees_of_freedom_prior, covariance_prior
        The priors, None for scikit-learn's defaults (see :func:`vb_steps`).
    init : str or tuple, optional
        This project's start (as :func:`vb_steps`' ``init``); replaces
        ``init_params``, combining it with a non-default ``init_params``
        raises ``ValueError``.
    keep_history : bool, default=False
        Keep every :class:`VBState` of the kept run in ``history_``.

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_
        As scikit-learn's (expected weights; covariances the inverse expected
        precisions), in its per-type shapes.
    weight_concentration_ : ndarray (k,), or a tuple of two (k,) for the DP
    mean_precision_ : ndarray (k,)
    degrees_of_freedom_ : ndarray (k,) (a number for "tied")
    weight_concentration_prior_, mean_precision_prior_, mean_prior_,
    degrees_of_freedom_prior_, covariance_prior_
        The priors used.
    lower_bound_ : float
        The total lower bound after the last iteration of the kept run
        (``-inf`` when ``max_iter=0``); ``lower_bounds_`` after each iteration.
    n_iter_, converged_, n_features_in_, feature_names_in_, labels_
    state_ : VBState
        The final state in float64 (``state_.log_likelihood`` is the bound per point).
    history_ : list of VBState
        Only with ``keep_history=True``.

    Differences from scikit-learn
    -----------------------------
    * The starts are :class:`gmm.GaussianMixture`'s (k-means++ seeding, at
      most 10 Lloyd steps for "kmeans"; "k-means++" and "random_from_data"
      assign every point to its nearest seed), drawn from a numpy
      ``Generator``: the same ``random_state`` gives a different, equally
      valid start.  From the same start the fit agrees with scikit-learn's
      to about 1e-12 in float64.
    * Computed in float64 also for float32 data; the results are float64, as
      scikit-learn's are (its float64 priors promote them), except
      ``mean_prior_`` and a default diag/spherical ``covariance_prior_``.
    * Bad parameters raise ``TypeError``/``ValueError`` naming the parameter;
      priors must also be finite.  No array API support.
    """

    def __init__(self, *, n_components=1, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans",
                 weight_concentration_prior_type="dirichlet_process",
                 weight_concentration_prior=None, mean_precision_prior=None, mean_prior=None,
                 degrees_of_freedom_prior=None, covariance_prior=None, random_state=None,
                 warm_start=False, verbose=0, verbose_interval=10, init=None,
                 keep_history=False):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weight_concentration_prior_type = weight_concentration_prior_type
        self.weight_concentration_prior = weight_concentration_prior
        self.mean_precision_prior = mean_precision_prior
        self.mean_prior = mean_prior
        self.degrees_of_freedom_prior = degrees_of_freedom_prior
        self.covariance_prior = covariance_prior
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.init = init
        self.keep_history = keep_history

    # -- fitting (fit, fit_predict: EstimatorProtocol) ----------------------------
    def _fit(self, X):
        """Fit and return X as validated float64 (n, d)."""
        p = checked_bayes_params(self)
        X64, dtype, names = fit_input(X)
        k, d = p["k"], X64.shape[1]
        check_fit_data(X64, k)
        warm = continues_warm(self, k, d)
        data, centre, Xc = fit_source(X64, k, p["reg_covar"])
        init = p["init"]
        if not isinstance(init, str):
            w, m, c = check_init_tuple(init, k, d, p["covariance_type"])
            init = (w, m - centre, c)
        wcp = self.weight_concentration_prior
        priors = make_priors(data, centre, p["covariance_type"], p["kind"],
                             1.0 / k if wcp is None else wcp, self.mean_precision_prior,
                             self.mean_prior, self.degrees_of_freedom_prior,
                             self.covariance_prior, p["reg_covar"])
        best = self._best_run(data, centre, Xc, p, priors, init, warm)
        del Xc
        self._set_fitted(best, priors, centre, dtype, names)
        if not self.converged_ and p["max_iter"] > 0:
            warnings.warn("Best performing initialization did not converge. Try different init "
                          "parameters, or increase max_iter, tol, or check for degenerate data.",
                          sklearn_flavoured(ConvergenceWarning), stacklevel=3)
        return X64

    def _best_run(self, data, centre, Xc, p, priors, init, warm):
        """The run with the highest lower bound of ``n_init`` (one when warm-starting)."""
        rng = as_rng(self.random_state)
        n = data.shape[0]
        best = None
        for i in range(1 if warm else p["n_init"]):
            _say(p["verbose"], f"Initialization {i}")
            if warm:
                post, prev = _posterior_of(self.state_, centre), float(self.lower_bound_)
                lb0 = -math.inf
            else:
                post, lb0 = _start_posterior(data, Xc, p["k"], init, priors,
                                             p["covariance_type"], p["reg_covar"], rng)
                prev = -math.inf
            states = _vb_generator(data, centre, post, lb0, priors, p["max_iter"], 0.0,
                                   p["covariance_type"], p["reg_covar"])
            run = run_vb(states, n, prev, p)
            if best is None or run.lower_bound > best.lower_bound \
                    or best.lower_bound == -math.inf:
                best = run
        return best

    def _set_fitted(self, best, priors, centre, dtype, names):
        """Set the fitted attributes; float64 whatever X's dtype (scikit-learn's priors
        make its results float64), ``dtype`` only for priors computed from X."""
        state = best.last
        f64 = np.dtype(np.float64)
        for attrs in (fitted_attributes(state, self.covariance_type, f64),
                      _posterior_attributes(state, self.covariance_type, f64),
                      _prior_attributes(priors, centre, self.covariance_type,
                                        self.get_params(), dtype)):
            for name, value in attrs.items():
                setattr(self, name, value)
        self.converged_ = bool(best.converged)
        self.n_iter_ = int(state.iteration)
        self.lower_bound_ = float(best.lower_bound)
        self.lower_bounds_ = list(best.lower_bounds)
        self._set_optional("history_", best.history)
        self._set_optional("feature_names_in_", names)

    # -- using the fitted model (predict, score: EstimatorProtocol) ---------------------
    def _log_resp_of(self, X64):
        """Per-row log-normaliser (n,) and log-responsibilities (n, k) of the posterior."""
        from scipy.special import logsumexp     # on first use: see expected_log_weights
        s = self.state_
        offsets = log_weight_offsets(_posterior_of(s, 0.0), self.weight_concentration_prior_type)
        total = logsumexp(offsets)
        norm, log_resp = log_responsibilities(X64, np.exp(offsets - total), s.means,
                                              s.covariances)
        return norm + total, log_resp

    def predict_proba(self, X):
        """Responsibilities of each component for each row of X, shape (n, k)."""
        X64, dtype = self._predict_input(X)
        return np.exp(self._log_resp_of(X64)[1])

    def score_samples(self, X):
        """scikit-learn's per-row score: log-sum-exp of the expected weighted log-densities, (n,)."""
        X64, _ = self._predict_input(X)
        return self._log_resp_of(X64)[0]

    def sample(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` points from the mixture of expected weights, means and
        covariances: (X (n_samples, d), y (n_samples,)), grouped by component."""
        self._check_fitted()
        return sample_mixture(self.state_, n_samples,
                              self.random_state if random_state is None else random_state)
