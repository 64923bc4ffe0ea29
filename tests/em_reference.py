"""Data sets and independent references shared by the tests of the EM engine.

Every numerical check compares against a reference that does not share code
with the library: scikit-learn's ``GaussianMixture`` for the EM trajectory and
the model-selection scores, ``scipy.stats.multivariate_normal`` for densities,
log-likelihoods and responsibilities, and hand-derived values.

Conventions
-----------
* State ``t`` of ``em_steps(X, k, init=(w, mu, cov), tol=0, max_iter=T)`` is
  compared with the parameters of sklearn after ``t`` EM iterations from the
  same start.  The sklearn trajectory is read off one iteration at a time
  with ``warm_start=True, max_iter=1`` (each ``fit`` call is exactly one
  E-step + M-step from the current parameters); ``test_warm_start_reference``
  checks that this equals a plain ``max_iter=T`` fit.
* sklearn's ``lower_bound_`` after iteration ``t`` is the log-likelihood of the
  parameters *before* that iteration, i.e. of our state ``t - 1``.
* Data sets are centred and scaled to unit overall spread, so absolute
  tolerances of 1e-6 on means and covariances are relative to the data scale.
"""
import contextlib
import warnings

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm
from gmm_em import GMMState, em_steps
from gmm_mixture import to_sklearn_shape


COV_TYPES = ("full", "tied", "diag", "spherical")
NAMED_INITS = ("kmeans++", "kmeans", "random", "random_from_data")
TOL_EXACT = 1e-6


# ---------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------
def _standardise(X):
    """Centre ``X`` (n, d) and divide by one overall scale (shape is kept)."""
    X = np.asarray(X, dtype=float)
    X = X - X.mean(axis=0)
    return X / np.sqrt((X**2).sum(axis=1).mean())


def _random_rotation(d, rng):
    """Random orthogonal (d, d) matrix."""
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def make_blobs(n, d, seed):
    """Four well separated isotropic blobs, (n, d)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(4, d))
    lab = rng.integers(0, 4, size=n)
    return _standardise(centres[lab] + rng.standard_normal((n, d)))


def make_elongated(n, d, seed):
    """Three long thin rotated clusters (axis ratio 20:1), (n, d)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-6, 6, size=(3, d))
    lab = rng.integers(0, 3, size=n)
    scales = np.geomspace(4.0, 0.2, d) if d > 1 else np.array([1.0])
    Z = rng.standard_normal((n, d)) * scales
    rots = [_random_rotation(d, rng) for _ in range(3)]
    out = np.stack([Z[i] @ rots[lab[i]].T for i in range(n)])
    return _standardise(centres[lab] + out)


def make_overlapping(n, d, seed):
    """Three strongly overlapping Gaussians (centres about 1 sigma apart)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((3, d))
    lab = rng.integers(0, 3, size=n)
    return _standardise(centres[lab] + rng.standard_normal((n, d)))


def make_real(n, d, seed):
    """A real data set shipped with scikit-learn (no download).

    d <= 4: the first d columns of iris (n = 150); d = 5: the first five
    columns of wine (n = 178).  ``n`` and ``seed`` are ignored.
    """
    if d <= 4:
        X = load_iris().data[:, :d]
    else:
        X = load_wine().data[:, :d]
        X = X / X.std(axis=0)  # wine's columns differ by orders of magnitude
    return _standardise(X)


DATASETS = {
    "blobs": make_blobs,
    "elongated": make_elongated,
    "overlapping": make_overlapping,
    "real": make_real,
}


# ---------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------
def random_init(X, k, covariance_type, seed):
    """A random but valid ``(weights, means, covariances)`` start.

    Returns weights (k,), means (k, d) drawn near distinct data points and
    covariances (k, d, d) satisfying the covariance type's constraint.
    """
    rng = np.random.default_rng(seed)
    n, d = X.shape
    weights = rng.dirichlet(np.full(k, 5.0))
    means = X[rng.choice(n, size=k, replace=False)] + 0.05 * rng.standard_normal((k, d))
    base = 0.5 * np.cov(X.T).reshape(d, d) + 0.05 * np.eye(d)

    def spd():
        A = rng.standard_normal((d, d))
        return base + 0.1 * (A @ A.T) / d

    if covariance_type == "full":
        covs = np.stack([spd() for _ in range(k)])
    elif covariance_type == "tied":
        covs = np.repeat(spd()[None], k, axis=0)
    elif covariance_type == "diag":
        covs = np.stack([np.diag(np.diag(base) * rng.uniform(0.5, 2.0, d)) for _ in range(k)])
    else:
        scale = np.trace(base) / d
        covs = np.stack([scale * rng.uniform(0.5, 2.0) * np.eye(d) for _ in range(k)])
    return weights, means, covs


def sk_precisions(covariances, covariance_type):
    """Our (k, d, d) covariances -> sklearn's ``precisions_init`` for the type."""
    if covariance_type == "full":
        P = np.linalg.inv(covariances)
        return (P + np.swapaxes(P, 1, 2)) / 2
    if covariance_type == "tied":
        P = np.linalg.inv(covariances[0])
        return (P + P.T) / 2
    diag = np.diagonal(covariances, axis1=1, axis2=2)
    if covariance_type == "diag":
        return 1.0 / diag
    return 1.0 / diag[:, 0]


def expand_sk_covariances(cov, covariance_type, k, d):
    """sklearn's per-type ``covariances_`` -> (k, d, d)."""
    cov = np.asarray(cov)
    if covariance_type == "full":
        return cov
    if covariance_type == "tied":
        return np.repeat(cov[None], k, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return cov[:, None, None] * np.eye(d)


def sk_model(init, covariance_type, reg_covar, max_iter, **kw):
    """A sklearn GaussianMixture started exactly from ``init``."""
    w, mu, cov = init
    return SkGaussianMixture(
        n_components=len(w), covariance_type=covariance_type, tol=0,
        reg_covar=reg_covar, max_iter=max_iter, n_init=1,
        weights_init=w, means_init=mu,
        precisions_init=sk_precisions(cov, covariance_type), **kw)


def sk_trajectory(X, init, covariance_type, T, reg_covar=1e-6):
    """sklearn parameters after each of ``T`` EM iterations from ``init``.

    Returns a list of T tuples (weights, means, covariances (k, d, d),
    log-likelihood of the previous parameters).
    """
    k, d = init[1].shape
    model = sk_model(init, covariance_type, reg_covar, 1, warm_start=True)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(T):
            model.fit(X)
            out.append((model.weights_.copy(), model.means_.copy(),
                        expand_sk_covariances(model.covariances_, covariance_type, k, d),
                        model.lower_bound_))
    return out


def ref_log_joint(X, weights, means, covariances):
    """log(w_j) + log N(x_i | mu_j, S_j) with scipy, (n, k)."""
    return np.column_stack([
        np.log(w) + multivariate_normal(mean=m, cov=c).logpdf(X).reshape(len(X))
        for w, m, c in zip(weights, means, covariances)])


def ref_log_likelihood(X, weights, means, covariances):
    """Mean per-point log of the mixture density, via scipy."""
    return float(logsumexp(ref_log_joint(X, weights, means, covariances), axis=1).mean())


def run(X, k, **kw):
    """All states of one ``em_steps`` run, as a list."""
    return list(em_steps(X, k, **kw))


def assert_type_constraint(cov, covariance_type):
    """(k, d, d) covariances obey the covariance type's constraint."""
    k, d, _ = cov.shape
    if covariance_type == "tied":
        np.testing.assert_allclose(cov, np.repeat(cov[:1], k, axis=0), rtol=0, atol=1e-12)
    if covariance_type in ("diag", "spherical"):
        off = cov * (1 - np.eye(d))
        assert np.all(off == 0), "diag/spherical covariances must be diagonal"
    if covariance_type == "spherical":
        diag = np.diagonal(cov, axis1=1, axis2=2)
        np.testing.assert_allclose(diag, diag[:, :1].repeat(d, axis=1), rtol=1e-12)


def assert_valid_state(state, X, k):
    """Shapes, finiteness, weights summing to 1, SPD covariances.

    Symmetry is checked to rounding relative to the data's second moment
    (sklearn's tied formula X^T X - sum nk mu mu^T cancels at that scale)."""
    n, d = X.shape
    assert isinstance(state, GMMState)
    assert state.weights.shape == (k,)
    assert state.means.shape == (k, d)
    assert state.covariances.shape == (k, d, d)
    assert state.labels.shape == (n,)
    assert np.issubdtype(state.labels.dtype, np.integer)
    for a in (state.weights, state.means, state.covariances):
        assert np.all(np.isfinite(a))
    assert np.isfinite(state.log_likelihood)
    assert np.all(state.weights >= 0)
    assert abs(state.weights.sum() - 1) < 1e-12
    cov = state.covariances
    asym = np.abs(cov - np.swapaxes(cov, 1, 2)).max(axis=(1, 2))
    scale2 = max(np.abs(cov).max(), (X**2).sum(axis=1).mean())
    assert np.all(asym <= 1e-12 * scale2), "covariances must be symmetric"
    assert np.all(np.linalg.eigvalsh(cov) > 0), "covariances must be positive definite"


def assert_labels_are_argmax(state, X):
    """``labels`` maximises the responsibility computed with scipy."""
    lj = ref_log_joint(X, state.weights, state.means, state.covariances)
    picked = lj[np.arange(len(X)), state.labels]
    best = lj.max(axis=1)
    # ties between identical components may go either way: allow rounding only
    assert np.all(picked >= best - 1e-9 * np.maximum(1.0, np.abs(best)))


def assert_close_states(ours, theirs, scale=1.0, tol=TOL_EXACT):
    """Weights, means, covariances agree to ``tol`` (means/covs relative to scale)."""
    w, mu, cov = theirs[:3]
    np.testing.assert_allclose(ours.weights, w, rtol=0, atol=tol)
    np.testing.assert_allclose(ours.means, mu, rtol=0, atol=tol * scale)
    np.testing.assert_allclose(ours.covariances, cov, rtol=0, atol=tol * scale**2)


# ---------------------------------------------------------------------------
# 5. GaussianMixture: sklearn's names and values
# ---------------------------------------------------------------------------
def sk_from_params(X, weights, means, covariances, covariance_type):
    """A fitted sklearn model whose parameters are overwritten with these.

    (sklearn 1.9 cannot ``fit`` with ``max_iter=0`` and ``precisions_init``,
    so the public fitted attributes are set directly.)  ``covariances`` is
    (k, d, d); sklearn's ``precisions_cholesky_`` is the upper-triangular
    U = L^-T with S = L L^T, so that U U^T = S^-1.
    """
    k, d = means.shape
    model = SkGaussianMixture(k, covariance_type=covariance_type, random_state=0).fit(X)
    diag = np.diagonal(covariances, axis1=1, axis2=2)
    if covariance_type == "full":
        chol = np.swapaxes(np.linalg.inv(np.linalg.cholesky(covariances)), 1, 2)
        cov = covariances
    elif covariance_type == "tied":
        chol = np.linalg.inv(np.linalg.cholesky(covariances[0])).T
        cov = covariances[0]
    elif covariance_type == "diag":
        chol, cov = 1 / np.sqrt(diag), diag
    else:
        chol, cov = 1 / np.sqrt(diag[:, 0]), diag[:, 0]
    model.weights_, model.means_ = np.array(weights), np.array(means)
    model.covariances_, model.precisions_cholesky_ = cov, chol
    return model


def separated_blobs(k, d=2, n_per=80, sep=12.0, seed=0, scale=1.0, shift=0.0):
    """Well separated round blobs with known k, in arbitrary units."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    centres *= sep / np.linalg.norm(centres[:, None] - centres[None], axis=2)[
        ~np.eye(k, dtype=bool)].min() if k > 1 else 1.0
    X = np.concatenate([c + rng.normal(size=(n_per, d)) for c in centres])
    return X[rng.permutation(len(X))] * scale + shift


def sk_precision_cholesky(covs, covariance_type):
    """scikit-learn's ``precisions_cholesky_`` for covariances in its per-type shape.

    For a matrix S = L L^T (Cholesky), the stored factor is (L^-1)^T, so that
    P P^T = S^-1; diagonal and spherical variances store 1 / sqrt(var).
    """
    covs = np.asarray(covs, dtype=float)
    if covariance_type in ("diag", "spherical"):
        return 1.0 / np.sqrt(covs)
    factors = np.linalg.cholesky(covs)                 # (k, d, d) or (d, d), lower
    eye = np.broadcast_to(np.eye(covs.shape[-1]), covs.shape)
    return np.swapaxes(np.linalg.solve(factors, eye), -1, -2)


def sk_holding(weights, means, covariances, covariance_type):
    """scikit-learn's GaussianMixture holding the given (full-matrix) parameters."""
    sk = SkGaussianMixture(len(weights), covariance_type=covariance_type)
    covs = to_sklearn_shape(np.asarray(covariances), covariance_type)
    sk.weights_, sk.means_, sk.covariances_ = np.asarray(weights), np.asarray(means), covs
    sk.precisions_cholesky_ = sk_precision_cholesky(covs, covariance_type)
    sk.converged_, sk.n_iter_, sk.lower_bound_ = True, 1, 0.0
    sk.n_features_in_ = np.asarray(means).shape[1]
    return sk


# ---------------------------------------------------------------------------
# 6. Bad arguments
# ---------------------------------------------------------------------------
SMALL_X = make_blobs(20, 2, seed=0)
GOOD_INIT = random_init(SMALL_X, 3, "full", seed=0)

BAD_CALLS = [
    ("1-D X", lambda: (np.arange(10.0), 2, {}), r"2-?d|two.dimensional|n_samples|reshape"),
    ("3-D X", lambda: (np.zeros((4, 2, 2)), 2, {}), r"2-?d|two.dimensional|n_samples"),
    ("strings", lambda: (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), 2, {}),
     r"numeric|number"),
    ("NaN", lambda: (np.where(np.arange(40).reshape(20, 2) == 5, np.nan, SMALL_X), 2, {}),
     r"nan|finite"),
    ("inf", lambda: (np.where(np.arange(40).reshape(20, 2) == 5, np.inf, SMALL_X), 2, {}),
     r"inf|finite"),
    ("n < k", lambda: (SMALL_X[:3], 5, {}), r"n_components|sample|point"),
    ("k = 0", lambda: (SMALL_X, 0, {}), r"n_components|at least|>= ?1|positive"),
    ("k < 0", lambda: (SMALL_X, -2, {}), r"n_components|at least|>= ?1|positive"),
    ("unknown init", lambda: (SMALL_X, 2, {"init": "kmeans+"}), r"kmeans\+\+"),
    ("unknown covariance type", lambda: (SMALL_X, 2, {"covariance_type": "ful"}), r"full"),
    ("tuple of 2", lambda: (SMALL_X, 3, {"init": GOOD_INIT[:2]}), r"weights|tuple|three|3"),
    ("weights wrong length", lambda: (SMALL_X, 3, {"init": (np.ones(2) / 2,) + GOOD_INIT[1:]}),
     r"weights|shape|\(3"),
    ("means wrong d", lambda: (SMALL_X, 3, {"init": (GOOD_INIT[0], np.zeros((3, 3)),
                                                GOOD_INIT[2])}), r"means|shape"),
    ("covariances (k, d)", lambda: (SMALL_X, 3, {"init": GOOD_INIT[:2] + (np.ones((3, 2)),)}),
     r"covariance|shape"),
    ("covariance not SPD", lambda: (SMALL_X, 3, {"init": GOOD_INIT[:2] + (
        -GOOD_INIT[2],)}), r"positive|definite"),
    ("weights not summing to 1", lambda: (SMALL_X, 3, {"init": (np.ones(3),) + GOOD_INIT[1:]}),
     r"weights|sum"),
    ("negative weight", lambda: (SMALL_X, 3, {"init": (np.array([1.5, -0.25, -0.25]),)
                                          + GOOD_INIT[1:]}), r"weight"),
    ("diag type, full covariances", lambda: (SMALL_X, 3, {"init": GOOD_INIT, "covariance_type":
                                                     "diag"}), r"diag"),
    ("tied type, unequal covariances", lambda: (SMALL_X, 3, {"init": GOOD_INIT, "covariance_type":
                                                        "tied"}), r"tied|same|equal"),
    ("spherical type, diag covariances", lambda: (SMALL_X, 3, {
        "init": random_init(SMALL_X, 3, "diag", seed=0), "covariance_type": "spherical"}),
     r"spherical|c ?\* ?I|multiple of the identity"),
    ("max_iter < 0", lambda: (SMALL_X, 2, {"max_iter": -1}), r"max_iter"),
    ("tol < 0", lambda: (SMALL_X, 2, {"tol": -1.0}), r"tol"),
    ("reg_covar < 0", lambda: (SMALL_X, 2, {"reg_covar": -1.0}), r"reg_covar"),
]


@contextlib.contextmanager
def quiet():
    """Silence the ConvergenceWarning of both libraries (a test that wants it says so)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", gmm.ConvergenceWarning)
        yield


def assert_fits_or_names(est, name, value, X):
    """``est`` with parameter ``name`` set to ``value``: its fit on X works (finite
    means and score, one label per row) or raises ValueError/TypeError naming it."""
    est.set_params(**{name: value})
    try:
        with quiet():
            est.fit(X)
    except (ValueError, TypeError) as exc:
        assert name in str(exc), (name, value, str(exc))
        return
    assert np.isfinite(est.means_).all() and np.isfinite(est.score(X))
    assert est.predict(X).shape == (len(X),)
    return est
