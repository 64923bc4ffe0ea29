"""Independent tests of the EM engine in ``gmm.py`` (issue 3).

Every numerical check compares against a reference that does not share code
with ``gmm.py``: scikit-learn's ``GaussianMixture`` for the EM trajectory and
the model-selection scores, ``scipy.stats.multivariate_normal`` for densities,
log-likelihoods and responsibilities, and hand-derived values.

Conventions used below
----------------------
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
import dataclasses
import inspect
import random
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm
from gmm import GaussianMixture, GMMState, em_steps

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
# 1. Exactness against scikit-learn
# ---------------------------------------------------------------------------
def _exactness_cases():
    """Covariance type x d x k, the data set rotating so every data set meets
    every d and every k.  The real data sets (n = 150/178, many tied values)
    are only used with k <= 8, where no component collapses."""
    ks = (1, 3, 8, 20)
    names = ("blobs", "elongated", "overlapping", "real")
    cases = []
    for ct in COV_TYPES:
        for i, d in enumerate((1, 2, 3, 5)):
            for j, k in enumerate(ks):
                name = names[(i + j) % 4]
                if name == "real" and k > 8:
                    name = "blobs"
                cases.append(pytest.param(ct, d, k, name, id=f"{ct}-d{d}-k{k}-{name}"))
    return cases


@pytest.mark.parametrize("covariance_type,d,k,dataset", _exactness_cases())
def test_trajectory_matches_sklearn(covariance_type, d, k, dataset):
    T = 8
    X = DATASETS[dataset](400, d, seed=10 * d + k)
    init = random_init(X, k, covariance_type, seed=k + 100 * d)
    states = run(X, k, init=init, tol=0, max_iter=T, covariance_type=covariance_type)
    assert len(states) == T + 1
    assert [s.iteration for s in states] == list(range(T + 1))
    # state 0 is the given start, exactly
    np.testing.assert_array_equal(states[0].weights, init[0])
    np.testing.assert_array_equal(states[0].means, init[1])
    np.testing.assert_array_equal(states[0].covariances, init[2])
    ref = sk_trajectory(X, init, covariance_type, T)
    for t in range(1, T + 1):
        assert_close_states(states[t], ref[t - 1])
        assert_type_constraint(states[t].covariances, covariance_type)
        # sklearn's lower bound at iteration t is the log-likelihood of state t-1
        assert states[t - 1].log_likelihood == pytest.approx(ref[t - 1][3], rel=1e-9, abs=1e-9)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(60, 250), d=st.integers(1, 4),
       k=st.integers(1, 6), covariance_type=st.sampled_from(COV_TYPES),
       dataset=st.sampled_from(["blobs", "elongated", "overlapping"]))
def test_trajectory_matches_sklearn_random_problems(seed, n, d, k, covariance_type, dataset):
    """The same comparison over random data, sizes and starts."""
    T = 6
    X = DATASETS[dataset](n, d, seed)
    init = random_init(X, k, covariance_type, seed)
    states = run(X, k, init=init, tol=0, max_iter=T, covariance_type=covariance_type)
    ref = sk_trajectory(X, init, covariance_type, T)
    for t in range(1, T + 1):
        assert_close_states(states[t], ref[t - 1])


@pytest.mark.parametrize("covariance_type", COV_TYPES)
@pytest.mark.parametrize("reg_covar", [0.0, 1e-3])
def test_trajectory_matches_sklearn_reg_covar_and_full_iris(covariance_type, reg_covar):
    """All four iris columns (d = 4), another reg_covar, a longer run."""
    X = make_real(0, 4, 0)
    k, T = 3, 20
    init = random_init(X, k, covariance_type, seed=7)
    states = run(X, k, init=init, tol=0, max_iter=T, covariance_type=covariance_type,
                 reg_covar=reg_covar)
    ref = sk_trajectory(X, init, covariance_type, T, reg_covar=reg_covar)
    for t in range(1, T + 1):
        assert_close_states(states[t], ref[t - 1])


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_trajectory_matches_sklearn_many_rows(covariance_type):
    """n = 3 * 2**14 + 123 rows: any chunked accumulation crosses several
    chunk boundaries and ends on a partial chunk."""
    X = make_elongated(3 * 2**14 + 123, 3, seed=5)
    k, T = 4, 3
    init = random_init(X, k, covariance_type, seed=5)
    states = run(X, k, init=init, tol=0, max_iter=T, covariance_type=covariance_type)
    ref = sk_trajectory(X, init, covariance_type, T)
    for t in range(1, T + 1):
        assert_close_states(states[t], ref[t - 1])
        assert states[t - 1].log_likelihood == pytest.approx(ref[t - 1][3], rel=1e-9)
    assert_labels_are_argmax(states[-1], X)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_tight_component_far_from_centre(covariance_type):
    """A component of spread 1e-4 sitting 50 away from the data's centre: a
    moment formula sum(x x^T)/n - mu mu^T would cancel all its digits."""
    rng = np.random.default_rng(0)
    X = np.vstack([make_blobs(300, 2, seed=1), 50 + 1e-4 * rng.standard_normal((50, 2))])
    w, _, cov = random_init(X, 3, covariance_type, seed=3)
    init = (w, np.array([[0.0, 0.0], [1.0, 1.0], [50.0, 50.0]]), cov)
    T = 5
    states = run(X, 3, init=init, tol=0, max_iter=T, covariance_type=covariance_type)
    ref = sk_trajectory(X, init, covariance_type, T)
    for t in range(1, T + 1):
        np.testing.assert_allclose(states[t].means, ref[t - 1][1], rtol=0, atol=1e-9)
        # the tight component's covariance is ~1e-8 + reg_covar: compare it tightly
        np.testing.assert_allclose(states[t].covariances, ref[t - 1][2], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("shift,scale", [(1e6, 1.0), (0.0, 1e3), (0.0, 1e-3), (-7.0, 2.0)])
def test_translation_and_scale_equivariance(shift, scale):
    """Fitting s X + c from the correspondingly moved start (reg_covar * s^2)
    gives s mu + c, s^2 S and a log-likelihood lower by d log s."""
    X = make_elongated(500, 2, seed=0)
    w, mu, cov = random_init(X, 3, "full", seed=0)
    a = run(X, 3, init=(w, mu, cov), tol=0, max_iter=10, reg_covar=1e-4)
    b = run(scale * X + shift, 3, init=(w, scale * mu + shift, scale**2 * cov), tol=0,
            max_iter=10, reg_covar=1e-4 * scale**2)
    for sa, sb in zip(a, b):
        np.testing.assert_allclose((sb.means - shift) / scale, sa.means, rtol=0, atol=1e-8)
        np.testing.assert_allclose(sb.covariances / scale**2, sa.covariances, rtol=0, atol=1e-8)
        np.testing.assert_allclose(sb.weights, sa.weights, rtol=0, atol=1e-9)
        assert sb.log_likelihood == pytest.approx(sa.log_likelihood - 2 * np.log(scale),
                                                  abs=1e-8)


def test_warm_start_reference():
    """The one-iteration-per-fit sklearn reference equals a plain T-iteration fit
    (guards the method the other exactness tests rely on)."""
    X = make_blobs(300, 2, seed=1)
    init = random_init(X, 4, "full", seed=2)
    T = 6
    model = sk_model(init, "full", 1e-6, T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    last = sk_trajectory(X, init, "full", T)[-1]
    np.testing.assert_allclose(model.means_, last[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.covariances_, last[2], rtol=0, atol=1e-12)
    states = run(X, 4, init=init, tol=0, max_iter=T)
    assert_close_states(states[-1], (model.weights_, model.means_, model.covariances_))


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_named_init_trajectory_matches_sklearn(covariance_type):
    """Whatever state 0 a named init produces, the EM map from it is sklearn's."""
    X = make_elongated(300, 3, seed=4)
    k, T = 5, 10
    states = run(X, k, init="kmeans++", tol=0, max_iter=T,
                 covariance_type=covariance_type, random_state=3)
    s0 = states[0]
    ref = sk_trajectory(X, (s0.weights, s0.means, s0.covariances), covariance_type, T)
    for t in range(1, T + 1):
        assert_close_states(states[t], ref[t - 1])


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_mstep_moment_identities(covariance_type):
    """Any M-step output reproduces the data's first and second moments
    (sum_j w_j mu_j = mean x; sum_j w_j (S_j - r I + mu_j mu_j^T) = mean x x^T,
    restricted to the diagonal for diag and to the trace for spherical).
    Holds for every state t >= 1 and for state 0 of every named init."""
    X = make_overlapping(250, 3, seed=5)
    n, d = X.shape
    r = 1e-3
    first = X.mean(axis=0)
    second = X.T @ X / n
    for init in NAMED_INITS:
        states = run(X, 4, init=init, tol=0, max_iter=3, covariance_type=covariance_type,
                     reg_covar=r, random_state=0)
        for s in states:
            np.testing.assert_allclose(s.weights @ s.means, first, rtol=0, atol=1e-12)
            S = s.covariances - r * np.eye(d)
            mom = np.einsum("j,jab->ab", s.weights, S + s.means[:, :, None] * s.means[:, None, :])
            if covariance_type in ("full", "tied"):
                np.testing.assert_allclose(mom, second, rtol=0, atol=1e-10)
            elif covariance_type == "diag":
                np.testing.assert_allclose(np.diag(mom), np.diag(second), rtol=0, atol=1e-10)
            else:
                assert np.trace(mom) == pytest.approx(np.trace(second), abs=1e-10)


# ---------------------------------------------------------------------------
# 2. Log-likelihood against scipy.stats
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COV_TYPES)
@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_log_likelihood_matches_scipy(covariance_type, d):
    X = make_blobs(200, d, seed=d) * 3.0  # not unit scale: the log-det term matters
    states = run(X, 4, tol=0, max_iter=5, covariance_type=covariance_type, random_state=d)
    for s in states:
        ref = ref_log_likelihood(X, s.weights, s.means, s.covariances)
        assert abs(s.log_likelihood - ref) <= 1e-9 * max(1.0, abs(ref))
        assert_labels_are_argmax(s, X)


def test_log_likelihood_hand_derived():
    """One standard normal: the 2*pi term is included, ll = -d/2 log(2 pi) - |x|^2/2."""
    X1 = np.zeros((3, 1))
    init1 = (np.ones(1), np.zeros((1, 1)), np.ones((1, 1, 1)))
    s = next(em_steps(X1, 1, init=init1, max_iter=0))
    assert s.log_likelihood == pytest.approx(-0.5 * np.log(2 * np.pi), abs=1e-12)
    X2 = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    init2 = (np.ones(1), np.zeros((1, 2)), np.eye(2)[None])
    s = next(em_steps(X2, 1, init=init2, max_iter=0))
    assert s.log_likelihood == pytest.approx(-np.log(2 * np.pi) - 0.5, abs=1e-12)
    # two equal-weight components at +-1 with unit variance, data at 0:
    # ll = log N(0 | 1, 1) = -log(2 pi)/2 - 1/2, both labels tie
    init3 = (np.array([0.5, 0.5]), np.array([[-1.0], [1.0]]), np.ones((2, 1, 1)))
    s = next(em_steps(np.zeros((2, 1)), 2, init=init3, max_iter=0))
    assert s.log_likelihood == pytest.approx(-0.5 * np.log(2 * np.pi) - 0.5, abs=1e-12)
    # after one EM step from there: both components move to 0, variance = reg_covar
    s1 = run(np.zeros((2, 1)), 2, init=init3, max_iter=1, tol=0, reg_covar=0.25)[1]
    np.testing.assert_allclose(s1.means, 0.0, atol=1e-15)
    np.testing.assert_allclose(s1.covariances, 0.25, rtol=1e-12)
    np.testing.assert_allclose(s1.weights, 0.5, rtol=1e-12)


# ---------------------------------------------------------------------------
# 3. Properties (hypothesis)
# ---------------------------------------------------------------------------
@st.composite
def gmm_problems(draw):
    """Random small data (some degenerate) plus a k, a type, an init and a seed."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["gauss", "duplicates", "collinear", "k_near_n"]))
    d = draw(st.integers(1, 3))
    n = draw(st.integers(4, 40))
    if kind == "duplicates":
        base = rng.standard_normal((draw(st.integers(1, 4)), d)) * 5
        X = base[rng.integers(0, len(base), n)]
        # keep a couple of distinct values so k distinct centres can exist
        X = np.vstack([X, rng.standard_normal((2, d))])
    elif kind == "collinear":
        t = rng.standard_normal(n) * 3
        X = np.outer(t, rng.standard_normal(d)) + rng.standard_normal(d)
    else:
        X = rng.standard_normal((n, d)) * rng.uniform(0.1, 10) + rng.uniform(-5, 5, d)
    n = len(X)
    if kind == "k_near_n":
        k = draw(st.integers(max(1, n - 2), n))
    else:
        k = draw(st.integers(1, min(n, 6)))
    covariance_type = draw(st.sampled_from(COV_TYPES))
    init = draw(st.sampled_from(NAMED_INITS))
    max_iter = draw(st.integers(0, 8))
    return X, k, covariance_type, init, max_iter, seed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gmm_problems())
def test_em_invariants(problem):
    X, k, covariance_type, init, max_iter, seed = problem
    states = run(X, k, init=init, tol=0, max_iter=max_iter,
                 covariance_type=covariance_type, random_state=seed)
    assert len(states) == max_iter + 1
    assert [s.iteration for s in states] == list(range(max_iter + 1))
    assert not any(s.converged for s in states)
    for s in states:
        assert_valid_state(s, X, k)
        assert_type_constraint(s.covariances, covariance_type)
        assert_labels_are_argmax(s, X)
        ref = ref_log_likelihood(X, s.weights, s.means, s.covariances)
        # scipy's own error grows with the condition number of a covariance
        # (a component collapsed onto a plane has cond ~ 1e8): checked against
        # 50-digit mpmath, e.g. ours 3.6060870054, mpmath 3.6060870057,
        # scipy 3.6060869734.  Allow scipy that much slack, no more.
        cond = float(np.linalg.cond(s.covariances).max())
        slack = 1e-8 * max(1.0, abs(ref)) + 8 * np.finfo(float).eps * cond
        assert abs(s.log_likelihood - ref) <= slack
    # EM never lowers the log-likelihood -- for the exact M-step.  sklearn's
    # M-step (which the contract requires) adds reg_covar * I, which is not the
    # maximiser: when a component's variance is within ~1e3 * reg_covar (a
    # component collapsing onto duplicated points, k close to n) the
    # log-likelihood can fall (sklearn's own trajectory does, e.g. by 1e-2 for
    # k = 29 points of 31).  The loss is second order in reg_covar / variance,
    # so assert where every eigenvalue is >= 1e4 * reg_covar (most draws).
    reg = 1e-6
    for prev, cur in zip(states, states[1:]):
        a, b = prev.log_likelihood, cur.log_likelihood
        smallest = min(np.linalg.eigvalsh(prev.covariances).min(),
                       np.linalg.eigvalsh(cur.covariances).min())
        if smallest >= 1e4 * reg:
            assert b >= a - 1e-9 * max(1.0, abs(a)), f"log-likelihood fell from {a} to {b}"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gmm_problems(), st.sampled_from([1e-1, 1e-3, 1e-6, "data"]), st.integers(0, 7))
def test_tol_stops_at_first_small_change(problem, tol, pick):
    X, k, covariance_type, init, max_iter, seed = problem
    max_iter += 3
    kw = dict(init=init, covariance_type=covariance_type, random_state=seed, max_iter=max_iter)
    full = run(X, k, tol=0, **kw)
    lls = np.array([s.log_likelihood for s in full])
    changes = np.abs(np.diff(lls))
    if tol == "data":  # a tol that falls between observed changes
        tol = float(changes[pick % len(changes)]) * 1.5 + 1e-300
    stopped = run(X, k, tol=tol, **kw)
    small = np.nonzero(changes < tol)[0]
    expected_len = small[0] + 2 if len(small) else max_iter + 1
    assert len(stopped) == expected_len
    assert [s.converged for s in stopped[:-1]] == [False] * (expected_len - 1)
    assert stopped[-1].converged == bool(len(small))
    # stopping early does not change the trajectory
    for a, b in zip(stopped, full):
        np.testing.assert_array_equal(a.means, b.means)
        assert a.log_likelihood == b.log_likelihood


def test_state_is_frozen_and_small():
    """States are immutable and keep no (n, k) array."""
    X = make_blobs(500, 2, seed=0)
    s = run(X, 7, max_iter=2, random_state=0)[-1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.iteration = 5
    for f in dataclasses.fields(s):
        v = getattr(s, f.name)
        if isinstance(v, np.ndarray):
            assert v.size < 500 * 7, f"{f.name} has shape {v.shape}"


def test_em_steps_is_lazy_iterator():
    X = make_blobs(100, 2, seed=0)
    it = em_steps(X, 3, max_iter=1000, tol=0, random_state=0)
    assert next(it).iteration == 0
    assert next(it).iteration == 1


def test_default_tol_converges_on_easy_data():
    X = make_blobs(400, 2, seed=3)
    states = run(X, 4, random_state=0)  # defaults: tol=1e-3, max_iter=100
    assert states[-1].converged
    assert len(states) < 101
    assert abs(states[-1].log_likelihood - states[-2].log_likelihood) < 1e-3


# ---------------------------------------------------------------------------
# 4. Initialisations
# ---------------------------------------------------------------------------
def _three_far_blobs(seed=0):
    """Three tight blobs 100 apart with 20, 30, 50 points; returns X, labels."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    lab = np.repeat([0, 1, 2], [20, 30, 50])
    X = centres[lab] + rng.standard_normal((100, 2))
    perm = rng.permutation(100)
    return X[perm], lab[perm]


@pytest.mark.parametrize("init", ["kmeans++", "kmeans"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_centre_inits_find_far_blobs_and_do_one_mstep(init, seed):
    """k-means++ cannot miss a blob 100 sigma away, so state 0 is exactly one
    M-step from the true hard assignment: blob means, blob fractions and
    blob scatter + reg_covar."""
    X, lab = _three_far_blobs(seed)
    s0 = run(X, 3, init=init, max_iter=0, random_state=seed, reg_covar=1e-6)[0]
    centres = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    blob_of = [np.argmin(np.linalg.norm(m - centres, axis=1)) for m in s0.means]
    assert sorted(blob_of) == [0, 1, 2]
    order = np.argsort(blob_of)  # order[j] = component sitting on blob j
    for j, comp in enumerate(order):
        pts = X[lab == j]
        np.testing.assert_allclose(s0.means[comp], pts.mean(axis=0), rtol=0, atol=1e-10)
        assert s0.weights[comp] == pytest.approx(len(pts) / 100, abs=1e-12)
        scatter = np.cov(pts.T, bias=True) + 1e-6 * np.eye(2)
        np.testing.assert_allclose(s0.covariances[comp], scatter, rtol=1e-9)
    np.testing.assert_array_equal(s0.labels, order[lab])


@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random_from_data"])
def test_centre_inits_with_k_equal_n(init):
    """k = n distinct points: every point is its own centre, so state 0 has
    means = the points, weights = 1/n and covariances = reg_covar * I."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 2))
    s0 = run(X, 12, init=init, max_iter=0, reg_covar=1e-2, random_state=1)[0]
    order = np.lexsort(s0.means.T)
    np.testing.assert_allclose(s0.means[order], X[np.lexsort(X.T)], atol=1e-12)
    np.testing.assert_allclose(s0.weights, 1 / 12, rtol=1e-12)
    np.testing.assert_allclose(s0.covariances, np.broadcast_to(1e-2 * np.eye(2), (12, 2, 2)),
                               rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random_from_data"])
@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_centre_inits_use_hard_assignments(init, covariance_type):
    """Hard assignments: n * weight is a whole number >= 1 for every component
    (no empty component), and the covariances are data-driven, not the identity."""
    X = make_overlapping(157, 2, seed=2) * 7.0
    for seed in range(3):
        s0 = run(X, 6, init=init, max_iter=0, covariance_type=covariance_type,
                 random_state=seed)[0]
        counts = s0.weights * len(X)
        np.testing.assert_allclose(counts, np.round(counts), atol=1e-8)
        assert np.all(np.round(counts) >= 1)
        assert not np.allclose(s0.covariances, np.eye(2))


def test_random_init_is_soft():
    """'random' = one M-step from random soft responsibilities: weights are not
    hard-assignment fractions and every component has points from everywhere."""
    X = make_blobs(200, 2, seed=0)
    s0 = run(X, 4, init="random", max_iter=0, random_state=0)[0]
    counts = s0.weights * len(X)
    assert np.max(np.abs(counts - np.round(counts))) > 1e-3
    # averages of random soft memberships sit close to the data mean
    assert np.all(np.linalg.norm(s0.means - X.mean(0), axis=1) < 0.5)


@pytest.mark.parametrize("init", NAMED_INITS)
def test_same_random_state_same_states(init):
    X = make_elongated(300, 2, seed=1)
    kw = dict(init=init, max_iter=4, tol=0, covariance_type="full")
    a = run(X, 5, random_state=42, **kw)
    b = run(X, 5, random_state=42, **kw)
    c = run(X, 5, random_state=np.random.default_rng(42), **kw)
    d = run(X, 5, random_state=np.random.default_rng(42), **kw)
    for sa, sb in zip(a, b):
        for f in ("weights", "means", "covariances", "labels"):
            np.testing.assert_array_equal(getattr(sa, f), getattr(sb, f))
    for sc, sd in zip(c, d):
        np.testing.assert_array_equal(sc.means, sd.means)
    if init != "kmeans":  # Lloyd steps may reach the same centres from other seeds
        other = run(X, 5, random_state=43, **kw)
        assert not np.array_equal(a[0].means, other[0].means)


def test_no_global_rng_use():
    X = make_blobs(200, 2, seed=0)
    np.random.seed(1234)
    random.seed(1234)
    np_state = np.random.get_state()
    py_state = random.getstate()
    for init in NAMED_INITS:
        for rs in (None, 0, np.random.default_rng(0)):
            run(X, 3, init=init, max_iter=2, random_state=rs)
    gm = GaussianMixture(3, random_state=0).fit(X)
    gm.sample(10)
    after = np.random.get_state()
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:]
    assert random.getstate() == py_state


def test_default_init_is_kmeanspp():
    X = make_blobs(200, 2, seed=0)
    a = run(X, 4, max_iter=2, random_state=5)
    b = run(X, 4, init="kmeans++", max_iter=2, random_state=5)
    np.testing.assert_array_equal(a[-1].means, b[-1].means)


# ---------------------------------------------------------------------------
# 5. GaussianMixture: sklearn's names and values
# ---------------------------------------------------------------------------
def _sk_from_params(X, weights, means, covariances, covariance_type):
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


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_gaussian_mixture_scores_match_sklearn(covariance_type):
    X = make_elongated(300, 3, seed=8)
    Xtest = make_blobs(50, 3, seed=9)
    gm = GaussianMixture(4, covariance_type=covariance_type, random_state=0, max_iter=30)
    assert gm.fit(X) is gm
    k, d = 4, 3
    expected_shape = {"full": (k, d, d), "tied": (d, d), "diag": (k, d),
                      "spherical": (k,)}[covariance_type]
    assert gm.covariances_.shape == expected_shape
    assert gm.weights_.shape == (k,) and gm.means_.shape == (k, d)
    assert isinstance(gm.converged_, (bool, np.bool_))
    assert isinstance(gm.n_iter_, (int, np.integer)) and 1 <= gm.n_iter_ <= 30
    covs = expand_sk_covariances(gm.covariances_, covariance_type, k, d)
    sk = _sk_from_params(X, gm.weights_, gm.means_, covs, covariance_type)
    for data in (X, Xtest):
        np.testing.assert_allclose(gm.score_samples(data), sk.score_samples(data), rtol=1e-9)
        assert gm.score(data) == pytest.approx(sk.score(data), rel=1e-9)
        assert gm.bic(data) == pytest.approx(sk.bic(data), rel=1e-9)
        assert gm.aic(data) == pytest.approx(sk.aic(data), rel=1e-9)
        np.testing.assert_allclose(gm.predict_proba(data), sk.predict_proba(data), atol=1e-9)
        proba = sk.predict_proba(data)
        top = np.sort(proba, axis=1)
        clear = top[:, -1] - top[:, -2] > 1e-6
        np.testing.assert_array_equal(gm.predict(data)[clear], sk.predict(data)[clear])
    # scikit-learn's lower_bound_: the log-likelihood of the parameters the last
    # M-step started from; state_ holds the log-likelihood of the final ones
    assert gm.lower_bound_ == gm.lower_bounds_[-1] and len(gm.lower_bounds_) == gm.n_iter_
    assert gm.state_.log_likelihood == pytest.approx(gm.score(X), rel=1e-10)


@pytest.mark.parametrize("n", [500, gmm.CHUNK_ROWS + 37])
def test_responsibilities_and_log_density_match_sklearn(n):
    """The module-level scoring functions, with one very tight component (scored
    from x - mu, not the quadratic expansion) and more rows than a chunk."""
    X = make_overlapping(n, 2, seed=5) + 50.0
    weights = np.array([0.5, 0.3, 0.2])
    means = np.array([[50.0, 50.0], [52.0, 49.0], [50.5, 50.5]])
    covs = np.array([[[2.0, 0.5], [0.5, 1.0]], [[1.0, -0.3], [-0.3, 0.5]],
                     [[1e-8, 0.0], [0.0, 4e-8]]])
    X[:40] = means[2] + np.random.default_rng(1).normal(size=(40, 2)) * [1e-4, 2e-4]
    sk = _sk_from_params(X, weights, means, covs, "full")
    resp = gmm.responsibilities(X, weights, means, covs)
    norm, log_resp = gmm.log_responsibilities(X, weights, means, covs)
    assert resp.shape == log_resp.shape == (n, 3)
    np.testing.assert_allclose(resp, sk.predict_proba(X), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    assert resp[:40, 2].min() > 0.999                   # the tight component owns its points
    np.testing.assert_allclose(np.exp(log_resp), resp, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(norm, sk.score_samples(X), rtol=1e-10)
    np.testing.assert_array_equal(gmm.log_density(X, weights, means, covs), norm)


def test_gaussian_mixture_wraps_em_steps():
    X = make_overlapping(300, 2, seed=3)
    with pytest.warns(gmm.ConvergenceWarning, match="did not converge"):   # tol=0 never does
        gm = GaussianMixture(5, tol=0, max_iter=7, init="kmeans", random_state=11,
                             keep_history=True).fit(X)
    states = run(X, 5, tol=0, max_iter=7, init="kmeans", random_state=11)
    np.testing.assert_array_equal(gm.means_, states[-1].means)
    np.testing.assert_array_equal(gm.weights_, states[-1].weights)
    np.testing.assert_array_equal(gm.covariances_, states[-1].covariances)
    assert gm.n_iter_ == 7 and not gm.converged_
    assert len(gm.history_) == 8
    assert gm.lower_bounds_ == [st.log_likelihood for st in gm.history_[:-1]]
    assert gm.history_[-2].log_likelihood == gm.lower_bound_
    np.testing.assert_array_equal(gm.predict(X), states[-1].labels)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_gaussian_mixture_tuple_init_stops_where_sklearn_does(covariance_type):
    """From the same start with tol > 0, the estimator stops where sklearn does
    (em_steps itself stops one M-step earlier): same n_iter_, lower_bound_,
    lower_bounds_ and final parameters."""
    X = make_blobs(300, 2, seed=6)
    init = random_init(X, 4, covariance_type, seed=6)
    gm = GaussianMixture(4, covariance_type=covariance_type, tol=1e-4, max_iter=300,
                         init=init, keep_history=True).fit(X)
    assert gm.converged_
    sk = sk_model(init, covariance_type, 1e-6, 300)
    sk.set_params(tol=1e-4)
    sk.fit(X)
    assert sk.converged_
    assert sk.n_iter_ == gm.n_iter_
    assert sk.lower_bound_ == pytest.approx(gm.lower_bound_, rel=1e-9)
    np.testing.assert_allclose(sk.lower_bounds_, gm.lower_bounds_, rtol=1e-9)
    np.testing.assert_allclose(sk.means_, gm.means_, atol=1e-6)
    # em_steps with the same tol stops one M-step earlier, at state n_iter_ - 1
    states = run(X, 4, init=init, tol=1e-4, max_iter=300, covariance_type=covariance_type)
    assert states[-1].converged and states[-1].iteration == gm.n_iter_ - 1


def test_gaussian_mixture_sample():
    X = make_blobs(400, 2, seed=2)
    gm = GaussianMixture(3, random_state=0).fit(X)
    Xs, ys = gm.sample(20000)
    assert Xs.shape == (20000, 2) and ys.shape == (20000,)
    freq = np.bincount(ys, minlength=3) / 20000
    sd = np.sqrt(gm.weights_ * (1 - gm.weights_) / 20000)
    assert np.all(np.abs(freq - gm.weights_) < 5 * sd + 1e-12)
    for j in range(3):
        pts = Xs[ys == j]
        se = np.sqrt(np.diag(gm.covariances_[j]) / len(pts))
        assert np.all(np.abs(pts.mean(0) - gm.means_[j]) < 6 * se)
        np.testing.assert_allclose(np.cov(pts.T), gm.covariances_[j], rtol=0.1,
                                   atol=0.1 * np.abs(gm.covariances_[j]).max())


def test_gaussian_mixture_defaults_match_sklearn_names():
    gm = GaussianMixture()
    # every parameter the two classes share has scikit-learn's default ...
    sk_defaults = SkGaussianMixture().get_params()
    shared = sorted(set(inspect.signature(GaussianMixture).parameters) & set(sk_defaults))
    assert {"n_components", "covariance_type", "tol", "reg_covar", "max_iter", "n_init",
            "random_state"} <= set(shared)
    assert {name: getattr(gm, name) for name in shared} == {name: sk_defaults[name]
                                                            for name in shared}
    # ... all of scikit-learn's parameters are there, in its order, then ours
    params = list(inspect.signature(GaussianMixture).parameters)
    assert params == list(inspect.signature(SkGaussianMixture).parameters) + ["init",
                                                                               "keep_history"]
    assert gm.init is None and gm.keep_history is False      # init_params decides


# ---------------------------------------------------------------------------
# 6. Bad arguments
# ---------------------------------------------------------------------------
_X = make_blobs(20, 2, seed=0)
_GOOD_INIT = random_init(_X, 3, "full", seed=0)

BAD_CALLS = [
    ("1-D X", lambda: (np.arange(10.0), 2, {}), r"2-?d|two.dimensional|n_samples|reshape"),
    ("3-D X", lambda: (np.zeros((4, 2, 2)), 2, {}), r"2-?d|two.dimensional|n_samples"),
    ("strings", lambda: (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), 2, {}),
     r"numeric|number"),
    ("NaN", lambda: (np.where(np.arange(40).reshape(20, 2) == 5, np.nan, _X), 2, {}),
     r"nan|finite"),
    ("inf", lambda: (np.where(np.arange(40).reshape(20, 2) == 5, np.inf, _X), 2, {}),
     r"inf|finite"),
    ("n < k", lambda: (_X[:3], 5, {}), r"n_components|sample|point"),
    ("k = 0", lambda: (_X, 0, {}), r"n_components|at least|>= ?1|positive"),
    ("k < 0", lambda: (_X, -2, {}), r"n_components|at least|>= ?1|positive"),
    ("unknown init", lambda: (_X, 2, {"init": "kmeans+"}), r"kmeans\+\+"),
    ("unknown covariance type", lambda: (_X, 2, {"covariance_type": "ful"}), r"full"),
    ("tuple of 2", lambda: (_X, 3, {"init": _GOOD_INIT[:2]}), r"weights|tuple|three|3"),
    ("weights wrong length", lambda: (_X, 3, {"init": (np.ones(2) / 2,) + _GOOD_INIT[1:]}),
     r"weights|shape|\(3"),
    ("means wrong d", lambda: (_X, 3, {"init": (_GOOD_INIT[0], np.zeros((3, 3)),
                                                _GOOD_INIT[2])}), r"means|shape"),
    ("covariances (k, d)", lambda: (_X, 3, {"init": _GOOD_INIT[:2] + (np.ones((3, 2)),)}),
     r"covariance|shape"),
    ("covariance not SPD", lambda: (_X, 3, {"init": _GOOD_INIT[:2] + (
        -_GOOD_INIT[2],)}), r"positive|definite"),
    ("weights not summing to 1", lambda: (_X, 3, {"init": (np.ones(3),) + _GOOD_INIT[1:]}),
     r"weights|sum"),
    ("negative weight", lambda: (_X, 3, {"init": (np.array([1.5, -0.25, -0.25]),)
                                          + _GOOD_INIT[1:]}), r"weight"),
    ("diag type, full covariances", lambda: (_X, 3, {"init": _GOOD_INIT, "covariance_type":
                                                     "diag"}), r"diag"),
    ("tied type, unequal covariances", lambda: (_X, 3, {"init": _GOOD_INIT, "covariance_type":
                                                        "tied"}), r"tied|same|equal"),
    ("spherical type, diag covariances", lambda: (_X, 3, {
        "init": random_init(_X, 3, "diag", seed=0), "covariance_type": "spherical"}),
     r"spherical|c ?\* ?I|multiple of the identity"),
    ("max_iter < 0", lambda: (_X, 2, {"max_iter": -1}), r"max_iter"),
    ("tol < 0", lambda: (_X, 2, {"tol": -1.0}), r"tol"),
    ("reg_covar < 0", lambda: (_X, 2, {"reg_covar": -1.0}), r"reg_covar"),
]


@pytest.mark.parametrize("make,pattern", [pytest.param(m, p, id=i) for i, m, p in BAD_CALLS])
def test_bad_arguments_raise_at_call(make, pattern):
    """Raised when em_steps is called (not at the first next()), with a message
    that names what to change."""
    X, k, kw = make()
    with pytest.raises(ValueError) as info:
        em_steps(X, k, **kw)
    assert re.search(pattern, str(info.value), flags=re.IGNORECASE), str(info.value)


@pytest.mark.parametrize("make,pattern", [pytest.param(m, p, id=i) for i, m, p in BAD_CALLS
                                          if i in ("1-D X", "NaN", "n < k", "unknown init",
                                                   "unknown covariance type", "k = 0")])
def test_bad_arguments_raise_in_fit(make, pattern):
    X, k, kw = make()
    with pytest.raises(ValueError) as info:
        GaussianMixture(k, **kw).fit(X)
    assert re.search(pattern, str(info.value), flags=re.IGNORECASE), str(info.value)


def test_array_like_input_accepted():
    """Lists and integer arrays are fine (converted to float)."""
    Xl = [[0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [5, 6]]
    a = run(Xl, 2, random_state=0, max_iter=3)
    b = run(np.asarray(Xl, dtype=float), 2, random_state=0, max_iter=3)
    np.testing.assert_array_equal(a[-1].means, b[-1].means)


@pytest.mark.parametrize("k", [2.5, "3"])
def test_non_integer_k_rejected(k):
    with pytest.raises((ValueError, TypeError), match="n_components"):
        em_steps(_X, k)


@pytest.mark.parametrize("k", [3.0, np.float64(3), True])
def test_float_and_bool_k_rejected_as_sklearn_rejects_them(k):
    """scikit-learn's parameter validation refuses n_components=3.0 (and True);
    so does em_steps, naming the argument.  numpy integers are integers."""
    with pytest.raises((ValueError, TypeError)):
        SkGaussianMixture(k).fit(_X)
    with pytest.raises(TypeError, match="n_components"):
        em_steps(_X, k)
    assert len(run(_X, np.int64(3), random_state=0, max_iter=1)[-1].weights) == 3


def test_complex_rejected_and_object_numbers_accepted_as_sklearn():
    """sklearn refuses complex X with a ValueError and converts object arrays of
    numbers; so does em_steps.  Complex init means are refused, not truncated."""
    with pytest.raises(ValueError):
        SkGaussianMixture(2).fit(_X.astype(complex))
    with pytest.raises(ValueError, match="X must be real"):
        em_steps(_X.astype(complex), 2)
    a = run(_X.astype(object), 2, random_state=0, max_iter=2)
    b = run(_X, 2, random_state=0, max_iter=2)
    np.testing.assert_array_equal(a[-1].means, b[-1].means)
    w, mu, cov = _GOOD_INIT
    with pytest.raises(ValueError, match="init means must be real"):
        em_steps(_X, 3, init=(w, mu + 1j, cov))


def test_float128_beyond_float64_is_not_called_nan():
    X = _X.astype(np.longdouble)
    X[0, 0] = np.longdouble("1e400")
    with pytest.raises(ValueError, match="beyond float64's range") as info:
        em_steps(X, 2)
    assert "NaN" not in str(info.value)
    X[0, 0] = np.longdouble("1e-400")
    with pytest.raises(ValueError, match=r"too small for float64 \(smallest magnitude 1e-400"):
        em_steps(X, 2)
    with pytest.raises(ValueError, match=r"tol .*got 1e\+400 \(finite, but beyond float64\)"):
        em_steps(_X, 2, tol=np.longdouble("1e400"))


def test_kmeans_plusplus_in_chunks_picks_what_the_whole_array_algorithm_picks():
    """The chunked seeding (signals land between chunks, O(chunk) memory) is the
    greedy k-means++ of the unchunked formulation, written out here."""
    from gmm_kmeans import kmeans_plusplus

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

    X = make_blobs(gmm.CHUNK_ROWS * 2 + 101, 2, seed=4)
    np.testing.assert_array_equal(kmeans_plusplus(X, 7, np.random.default_rng(9)),
                                  whole(X, 7, np.random.default_rng(9)))


def test_gaussian_mixture_misuse():
    """Predicting before fit, or with another number of features, says so."""
    with pytest.raises(ValueError, match="fit"):
        GaussianMixture(2).predict(_X)
    gm = GaussianMixture(2, random_state=0).fit(_X)
    with pytest.raises(ValueError, match="feature"):
        gm.predict(_X[:, :1])
    with pytest.raises(ValueError, match="feature"):
        gm.score_samples(np.hstack([_X, _X]))


# ---------------------------------------------------------------------------
# Atomic writes (the shared temp-file-then-rename helper)
# ---------------------------------------------------------------------------
def _enospc(*args, **kwargs):
    import errno
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failing", ["fsync", "replace", "chmod"])
def test_atomic_file_leaves_no_temp_file_when_finishing_fails(tmp_path, monkeypatch, failing):
    """A failure after the with-body (fsync, chmod or the rename) removes the
    temp file, leaves the target untouched and propagates the error."""
    import os

    import gmm_writers

    target = tmp_path / "out.gif"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="No space left"):
        with gmm_writers._AtomicFile(str(target)) as f:
            f.fp.write(b"new contents")
            monkeypatch.setattr(os, failing, _enospc)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.gif"]
    assert target.read_bytes() == b"old"


@pytest.mark.parametrize("umask", [0o022, 0o002])
@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_saved_params_permissions_follow_the_umask(tmp_path, umask, ext):
    """Like any file the user creates: 0o666 minus the umask (mkstemp's 0o600
    must not leak through)."""
    import os
    import stat

    gm = GaussianMixture(2, random_state=0, max_iter=3).fit(_X)
    path = tmp_path / f"fit{ext}"
    old = os.umask(umask)
    try:
        gm.save(str(path))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_steps_far_from_the_origin_match_sklearn(seed):
    """Three close blobs (spread 1e-2) at an offset of 1e6: squared distances
    computed around the origin lose the digits that separate them; the
    labels, centres and objective must still equal scikit-learn's Lloyd run
    (which centres the data first)."""
    from sklearn.cluster import KMeans

    from gmm import kmeans_steps

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


def _atomic_savers():
    """name -> (target file name, save(path)) for every writer built on atomic_file."""
    import atomic_file
    import data_gen

    gm = GaussianMixture(2, random_state=0, max_iter=3).fit(_X)
    return {
        "atomic_write": ("out.gif", lambda p: atomic_file.atomic_write(p, lambda fh: fh.write(b"x"))),
        "save_params.npz": ("fit.npz", gm.save),
        "save_params.json": ("fit.json", gm.save),
        "write_points.npy": ("pts.npy", lambda p: data_gen.write_points(p, _X, force=True)),
        "write_points.csv": ("pts.csv", lambda p: data_gen.write_points(p, _X, force=True)),
    }


@pytest.mark.parametrize("failing", ["fsync", "chmod", "replace"])
@pytest.mark.parametrize("saver", ["atomic_write", "save_params.npz", "save_params.json",
                                   "write_points.npy", "write_points.csv"])
def test_every_save_is_synced_and_cleans_up(tmp_path, monkeypatch, saver, failing):
    """gmm.save_params and data_gen.write_points go through atomic_file: the
    data are fsynced before the rename, and a failure there leaves the old
    file and no temp file."""
    import os

    name, save = _atomic_savers()[saver]
    target = tmp_path / name
    target.write_bytes(b"old")
    monkeypatch.setattr(os, failing, _enospc)
    with pytest.raises(OSError, match="No space left"):
        save(str(target))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert target.read_bytes() == b"old"
    save(str(target))                                   # and it works without the fault
    assert target.read_bytes() != b"old"


@pytest.mark.parametrize("saver", ["atomic_write", "save_params.npz", "write_points.csv"])
def test_every_save_gets_a_new_files_mode(tmp_path, saver):
    import os
    import stat

    name, save = _atomic_savers()[saver]
    old = os.umask(0o027)
    try:
        save(str(tmp_path / name))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640


def test_atomic_file_is_a_stdlib_only_leaf():
    """gmm (no matplotlib) and data_gen (no gmm) can both import it."""
    import subprocess
    import sys

    code = ("import sys, atomic_file; bad = {'numpy', 'gmm', 'data_gen', 'matplotlib'}"
            " & set(sys.modules); assert not bad, bad")
    root = __import__("os").path.dirname(__import__("os").path.dirname(__file__))
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("module", ["gmm", "gmm_core", "gmm_em", "gmm_kmeans", "gmm_mixture",
                                    "gmm_params", "gmm_select"])
def test_library_modules_import_without_matplotlib_or_sklearn(module):
    """The model draws nothing and needs no scikit-learn: importing any part
    of it loads neither (a server or a notebook without a display can use it)."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import sys, {module}; bad = {{'matplotlib', 'sklearn'}} & set(sys.modules);"
            " assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------------------
# select_k
# ---------------------------------------------------------------------------
def test_select_k_scores_each_fit_without_another_pass_over_X(monkeypatch):
    """BIC = -2 n ll + p log n and AIC = -2 n ll + 2 p from the fit's own final
    log-likelihood: no extra E-step over X (score / score_samples are never
    called), and the values equal GaussianMixture.bic / aic."""
    import math

    import gmm

    X = make_blobs(400, 2, seed=3)

    def no_extra_pass(*args, **kwargs):
        raise AssertionError("select_k scored X again")

    monkeypatch.setattr(gmm.GaussianMixture, "score", no_extra_pass)
    monkeypatch.setattr(gmm.GaussianMixture, "score_samples", no_extra_pass)
    best, table = gmm.select_k(X, [1, 2, 4, 6], n_init=2, random_state=0)
    monkeypatch.undo()
    assert best == 4
    n = X.shape[0]
    for row in table:
        model, p = row["model"], row["n_parameters"]
        assert p == gmm.n_parameters(row["k"], 2)
        assert row["log_likelihood"] == pytest.approx(model.score(X), rel=1e-12)
        assert row["bic"] == pytest.approx(model.bic(X), rel=1e-12)
        assert row["aic"] == pytest.approx(model.aic(X), rel=1e-12)
        assert row["bic"] == pytest.approx(-2 * n * model.score(X) + p * math.log(n), rel=1e-12)
        assert row["aic"] == pytest.approx(-2 * n * model.score(X) + 2 * p, rel=1e-12)


# ---------------------------------------------------------------------------
# Public checks used by the CLI (one place for each rule)
# ---------------------------------------------------------------------------
def test_check_params_path(tmp_path):
    import gmm

    gmm.check_params_path(str(tmp_path / "fit.npz"))          # fine: nothing raised,
    gmm.check_params_path(tmp_path / "fit.JSON")              # nothing created
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "d.npz").mkdir()
    cases = {
        str(tmp_path / "fit.txt"): "unsupported extension .txt; use .npz or .json",
        str(tmp_path / "fit"): "unsupported extension (none)",
        str(tmp_path / "d.npz"): "is a directory",
        str(tmp_path / "no" / "fit.npz"): "does not exist; create it first",
        "/proc/fit.npz": "is not writable",
    }
    for path, fragment in cases.items():
        with pytest.raises(gmm.ParamsError) as info:
            gmm.check_params_path(path)
        assert str(info.value).startswith(path + ": ") and fragment in str(info.value)
        assert "\n" not in str(info.value)
        with pytest.raises(gmm.ParamsError, match=re.escape(fragment)):   # save_params agrees
            gmm.save_params(path, [1.0], [[0.0, 0.0]], [np.eye(2)])


def test_check_init_params_is_em_steps_validation():
    """The public check accepts what em_steps accepts, rejects what it rejects
    with the same message, and returns float64 copies."""
    import gmm

    w, m, c = _GOOD_INIT
    out = gmm.check_init_params((list(w), m.astype(np.float32), c), 3, 2)
    assert all(a.dtype == np.float64 for a in out)
    np.testing.assert_array_equal(out[0], w)
    checked = 0
    for _, make, _ in BAD_CALLS:
        X, k, kw = make()
        if not isinstance(kw.get("init"), tuple):
            continue
        checked += 1
        with pytest.raises(ValueError) as from_em:
            em_steps(X, k, **kw)
        with pytest.raises(ValueError) as from_check:
            gmm.check_init_params(kw["init"], k, X.shape[1], kw.get("covariance_type", "full"))
        assert str(from_check.value) == str(from_em.value)
    assert checked == 10
    with pytest.raises(ValueError, match="covariance_type"):
        gmm.check_init_params(_GOOD_INIT, 3, 2, "banana")


# ---------------------------------------------------------------------------
# load_params: files that are not what their extension says
# ---------------------------------------------------------------------------
def _written(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_load_params_says_what_a_wrong_file_looks_like(tmp_path):
    import io

    import gmm

    npy = io.BytesIO()
    np.save(npy, np.zeros(3))
    real = tmp_path / "real.npz"
    GaussianMixture(2, random_state=0, max_iter=2).fit(_X).save(str(real))
    cases = [
        ("text.npz", b"weights,means\n1,2\n", "not a .npz archive (looks like a text file)"),
        ("arr.npz", npy.getvalue(), "not a .npz archive (looks like a NumPy .npy array)"),
        ("noise.npz", bytes(range(256)), "not a .npz archive (looks like binary data)"),
        ("empty.npz", b"", "the file is empty"),
        ("empty.json", b"", "the file is empty"),
        ("zip.json", real.read_bytes(), "not a JSON file (looks like a zip archive such as .npz)"),
        ("trailing.json", b'{"format": 1,}', "not valid JSON (Expecting property name enclosed "
                                            "in double quotes at line 1 column 14)"),
        ("words.json", "weights: [1]\né".encode(), "not valid JSON (Expecting value at line 1 "
                                                   "column 1)"),
    ]
    for name, data, expected in cases:
        path = _written(tmp_path, name, data)
        with pytest.raises(gmm.ParamsError) as info:
            gmm.load_params(path)
        message = str(info.value)
        assert message.startswith(f"{path}: {expected}"), message
        assert "--save-params or GaussianMixture.save" in message and "\n" not in message
        assert "pickle" not in message
    assert gmm.load_params(str(real))["weights"].shape == (2,)        # the real one still loads


def test_module_docstring_lists_the_public_api():
    """Every name in gmm.__all__ is described under "Public API"."""
    import gmm

    section = gmm.__doc__.split("Public API")[1]
    listed = set(re.findall(r"^([A-Za-z_][\w, ]*)$", section, flags=re.MULTILINE))
    names = {name.strip() for line in listed for name in line.split(",")}
    assert set(gmm.__all__) <= names, set(gmm.__all__) - names


# ---------------------------------------------------------------------------
# Frame timing shared by the GIF and HTML writers (gmm_writers)
# ---------------------------------------------------------------------------
def _reference_delays(n, fps, ticks, minimum, hold):
    """Frame i ends at round((i+1) * ticks / fps), each delay >= minimum (a late
    frame is caught up later), the last holds ``hold`` s more."""
    out, done = [], 0
    for i in range(n):
        delay = max(int(round((i + 1) * ticks / fps)) - done, minimum)
        done += delay
        out.append(delay)
    out[-1] += int(round(hold * ticks))
    return out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12), fps=st.sampled_from([0.5, 3.0, 7.3, 10.0, 30.0, 80.0, 120.0, 1000.0]))
def test_gif_and_html_writers_share_the_frame_clock(n, fps):
    import io

    from PIL import Image

    import gmm_writers

    quant = gmm_writers.PaletteQuantizer(np.array([[0.8, 0.1, 0.1]]))
    frames = [np.full((4, 6, 3), 20 * i, dtype=np.uint8) for i in range(n)]
    gif, page = io.BytesIO(), io.BytesIO()
    writers = [gmm_writers.GifWriter(gif, (6, 4), fps, quant),
               gmm_writers.HtmlWriter(page, (6, 4), fps, quant)]
    for w in writers:
        for rgb in frames:
            w.add(rgb)
        w.finish()
        assert w.n_frames == n
    gif.seek(0)
    with Image.open(gif) as im:
        durations = []
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
    assert durations == [10 * d for d in _reference_delays(n, fps, 100, 2, 1.0)]
    html = page.getvalue().decode()
    played = [int(d) for d in re.search(r"var D = \[([\d,]*)\];", html).group(1).split(",")]
    assert played == _reference_delays(n, fps, 1000, 1, 1.0)
