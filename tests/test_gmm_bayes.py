"""gmm_bayes: vb_steps and the variational formulas.

References: scikit-learn's ``BayesianGaussianMixture`` started from the same
responsibilities (its lower bounds and posterior after every iteration),
scipy (Gaussian log-densities, for the moment identity that gives the
entropy), and hand-derived properties (the bound never decreases, expected
weights sum to 1, covariances positive definite, memory maps and dask arrays
give the in-memory states).
"""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import gmm
import gmm_bayes
from gmm import vb_steps
from test_sklearn_bayes_compat import _SkFromResp, _resp, _statistics

COV_TYPES = ["full", "tied", "diag", "spherical"]
PRIOR_TYPES = ["dirichlet_process", "dirichlet_distribution"]


def _blobs(n=300, seed=0, d=2):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0] * d, [6.0] + [0.0] * (d - 1), [0.0] * (d - 1) + [6.0]])
    return np.concatenate([c + rng.normal(size=(n // 3, d)) for c in centres])


X = _blobs()


# ---------------------------------------------------------------------------
# The trajectory is scikit-learn's
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_every_state_equals_sklearn_after_as_many_iterations(covariance_type, prior_type):
    """State t's posterior and bound (times n) equal scikit-learn's after t
    iterations from the same responsibilities; the expected weights are its weights_."""
    R = _resp(len(X), k=6)
    init = _statistics(R, X, covariance_type)
    states = list(vb_steps(X, 6, init=init, covariance_type=covariance_type, max_iter=6,
                           tol=0, weight_concentration_prior_type=prior_type))
    assert [s.iteration for s in states] == list(range(7))
    for t in (1, 3, 6):
        sk = _SkFromResp(n_components=6, covariance_type=covariance_type, max_iter=t, tol=0,
                         weight_concentration_prior_type=prior_type)
        sk.resp0 = R
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk.fit(X)
        s = states[t]
        assert s.lower_bound * len(X) == pytest.approx(float(np.squeeze(sk.lower_bound_)),
                                                       rel=1e-9)
        np.testing.assert_allclose(s.weights, sk.weights_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(s.means, sk.means_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(gmm.to_sklearn_shape(s.covariances, covariance_type),
                                   sk.covariances_, rtol=1e-9)
        np.testing.assert_allclose(s.mean_precision, sk.mean_precision_, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(s.degrees_of_freedom),
                                   np.broadcast_to(sk.degrees_of_freedom_, (6,)), rtol=1e-12)
        np.testing.assert_allclose(s.weight_concentration,
                                   np.asarray(sk.weight_concentration_), rtol=1e-12)
        np.testing.assert_array_equal(s.labels, sk.predict(X))


def test_state_is_a_gmm_state_with_the_bound_in_log_likelihood():
    s = next(vb_steps(X, 4, random_state=0))
    assert isinstance(s, gmm.GMMState) and isinstance(s, gmm.VBState)
    assert s.lower_bound == s.log_likelihood and s.iteration == 0 and not s.converged
    assert s.covariances.shape == (4, 2, 2) and s.labels.shape == (len(X),)
    assert s.weight_concentration.shape == (2, 4)
    with pytest.raises(ValueError):
        s.weights[0] = 1.0                      # read-only, as em_steps' states


def test_tol_stops_at_the_first_small_change_per_point_and_tol_0_runs_max_iter():
    states = list(vb_steps(X, 5, tol=1e-4, max_iter=500, random_state=0))
    lbs = [s.lower_bound for s in states]
    assert states[-1].converged and not any(s.converged for s in states[:-1])
    assert abs(lbs[-1] - lbs[-2]) < 1e-4
    assert all(abs(b - a) >= 1e-4 for a, b in zip(lbs[:-2], lbs[1:-1]))
    assert len(list(vb_steps(X, 5, tol=0, max_iter=7, random_state=0))) == 8


def test_entropy_from_the_moments_equals_the_direct_sum():
    """sum_ij r_ij L_ij computed from the moment statistics equals the sum over
    scipy's Gaussian log-densities and the responsibilities, so
    -sum r log r (the bound's entropy) comes without an (n, k) pass."""
    for covariance_type in COV_TYPES:
        states = list(vb_steps(X, 4, covariance_type=covariance_type, max_iter=2, tol=0,
                               random_state=3))
        s = states[1]
        centre = X.mean(axis=0)
        post = gmm_bayes._Posterior(s.weight_concentration, s.mean_precision,
                                    s.means - centre, s.degrees_of_freedom, s.covariances)
        offsets = gmm_bayes.log_weight_offsets(post, "dirichlet_process")
        L = np.stack([multivariate_normal(s.means[j], s.covariances[j]).logpdf(X) + offsets[j]
                      for j in range(4)], axis=1)
        R = np.exp(L - logsumexp(L, axis=1, keepdims=True))
        nk = R.sum(0) + 10 * np.finfo(float).eps
        xk = R.T @ (X - centre) / nk[:, None]
        sk = _statistics(R, X, covariance_type)[2]
        got = gmm_bayes.resp_dot_log_prob(offsets, post, nk, xk, sk, 1e-6, covariance_type)
        assert got == pytest.approx((R * L).sum(), rel=1e-10)


def test_superfluous_components_fade():
    """Three blobs, ten components, a small weight prior: seven weights fall
    near zero; a large prior keeps more of them alive."""
    last = list(vb_steps(X, 10, weight_concentration_prior=1e-3, max_iter=400,
                         random_state=0))[-1]
    assert (last.weights > 0.05).sum() == 3 and (last.weights < 0.01).sum() == 7
    wide = list(vb_steps(X, 10, weight_concentration_prior=1e3, max_iter=400,
                         weight_concentration_prior_type="dirichlet_distribution",
                         random_state=0))[-1]
    assert (wide.weights > 0.01).sum() > 3


# ---------------------------------------------------------------------------
# Memory maps and dask arrays
# ---------------------------------------------------------------------------
def _same_states(a, b, tol=1e-9):
    assert len(a) == len(b)
    for s, t in zip(a, b):
        np.testing.assert_allclose(t.weights, s.weights, rtol=0, atol=tol)
        np.testing.assert_allclose(t.means, s.means, rtol=0, atol=tol)
        np.testing.assert_allclose(t.covariances, s.covariances, rtol=0, atol=tol)
        assert t.lower_bound == pytest.approx(s.lower_bound, rel=1e-10)
        np.testing.assert_array_equal(np.asarray(t.labels), s.labels)


@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_memmap_gives_the_in_memory_states(tmp_path, covariance_type):
    X3 = _blobs(3000, seed=2, d=3)
    np.save(tmp_path / "x.npy", X3)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    kw = dict(covariance_type=covariance_type, max_iter=4, tol=0, random_state=1,
              mean_prior=[1.0, 0.0, 0.0])
    a = list(vb_steps(X3, 5, **kw))
    b = list(vb_steps(M, 5, **kw))
    _same_states(a, b)
    assert b[0].labels.dtype == np.uint8


def test_small_dask_array_gives_the_in_memory_states():
    da = pytest.importorskip("dask.array")
    X3 = _blobs(2000, seed=8, d=3)
    D = da.from_array(X3, chunks=(300, 3))
    kw = dict(max_iter=3, tol=0, init="random_from_data", random_state=1)
    a = list(vb_steps(X3, 4, **kw))
    b = list(vb_steps(D, 4, **kw))
    assert isinstance(b[0].labels, da.Array)
    _same_states(a, b)
    est = gmm.BayesianGaussianMixture(n_components=3, random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(D)
    assert np.isfinite(est.lower_bound_)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------
@given(seed=st.integers(0, 10**6), k=st.integers(1, 8), n=st.integers(12, 200),
       d=st.integers(1, 3), covariance_type=st.sampled_from(COV_TYPES),
       prior_type=st.sampled_from(PRIOR_TYPES),
       wcp=st.one_of(st.none(), st.floats(1e-6, 1e6)),
       init=st.sampled_from(["kmeans++", "kmeans", "random", "random_from_data"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(seed=0, k=8, n=12, d=1, covariance_type="full", prior_type="dirichlet_process",
         wcp=1e-6, init="random")
def test_bound_never_decreases_weights_sum_to_1_covariances_positive_definite(
        seed, k, n, d, covariance_type, prior_type, wcp, init):
    rng = np.random.default_rng(seed)
    Xr = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.integers(0, 3, size=(n, 1))
    states = list(vb_steps(Xr, min(k, n), max_iter=40, tol=0, init=init,
                           covariance_type=covariance_type, random_state=seed,
                           weight_concentration_prior_type=prior_type,
                           weight_concentration_prior=wcp))
    lbs = np.array([s.lower_bound for s in states])
    assert np.isfinite(lbs).all()
    # never decreases, up to rounding (reg_covar makes each M-step optimal only
    # to about reg_covar / variance)
    assert (np.diff(lbs) >= -1e-7 * (1 + np.abs(lbs[1:]))).all(), np.diff(lbs).min()
    for s in states:
        assert s.weights.sum() == pytest.approx(1.0, abs=1e-12) and (s.weights >= 0).all()
        np.testing.assert_allclose(s.covariances, np.swapaxes(s.covariances, 1, 2), atol=0)
        assert (np.linalg.eigvalsh(s.covariances) > 0).all()


HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 6), st.sampled_from([10**20, -10**20, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
    st.sampled_from([np.int64(2), np.float32(0.5), np.nan, -1.0, 0.0, 1e300]),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.just(np.full((2, 2), 0.5)), st.just([[1.0, 2.0], [2.0, 1.0]]), st.just(object()),
)
ARGS = ["max_iter", "tol", "covariance_type", "init", "reg_covar", "random_state",
        "weight_concentration_prior_type", "weight_concentration_prior", "mean_precision_prior",
        "mean_prior", "degrees_of_freedom_prior", "covariance_prior"]


@given(name=st.sampled_from(ARGS + ["n_components"]), value=HOSTILE)
@settings(max_examples=150, deadline=None)
@example(name="weight_concentration_prior", value=float("nan"))
@example(name="weight_concentration_prior", value=-1.0)
@example(name="weight_concentration_prior", value=1e300)
@example(name="mean_precision_prior", value=0.0)
@example(name="degrees_of_freedom_prior", value=0.5)
@example(name="covariance_prior", value=[[1.0, 2.0], [2.0, 1.0]])
@example(name="mean_prior", value=[1e300, 0.0])
@example(name="covariance_prior", value=[[1e300, 0.0], [0.0, 1.0]])
@example(name="weight_concentration_prior_type", value="dp")
@example(name="n_components", value=2.0)
def test_hostile_arguments_are_refused_at_call_time_naming_them(name, value):
    """Each argument set to an arbitrary value: vb_steps runs (finite bound)
    or raises ValueError/TypeError at call time, naming the argument."""
    kwargs = {name: value}
    k = kwargs.pop("n_components", 2)
    try:
        states = vb_steps(X[::10], k, **kwargs)
    except (ValueError, TypeError) as exc:
        assert name in str(exc), (name, value, str(exc))
        return
    for s in states:
        assert np.isfinite(s.lower_bound) and np.isfinite(s.means).all()


def test_bad_data_is_refused_at_call_time():
    with pytest.raises(ValueError, match="X"):
        vb_steps(np.full((5, 2), np.nan), 2)
    with pytest.raises(ValueError, match="n_components"):
        vb_steps(X[:3], 4)
    with pytest.raises(ValueError, match="at least 2"):
        vb_steps(X[:1], 1)
    with pytest.raises(ValueError, match="degrees_of_freedom_prior' should be greater than 1"):
        vb_steps(X, 2, degrees_of_freedom_prior=1.0)
    with pytest.raises(ValueError, match="init"):
        vb_steps(X, 2, init=(np.array([0.5, 0.5]), np.zeros((2, 3)), np.stack([np.eye(2)] * 2)))


def test_bound_shifts_with_the_units_as_documented():
    """X scaled by s per column (reg_covar=0, default priors, the start scaled
    with it): same weights, means scaled, and the bound per point lower by
    (1 + k * nu0 / n) * sum(log s), nu0 = degrees_of_freedom_prior (d by default)."""
    s = np.array([10.0, 0.1])
    k, n = 4, len(X)
    w, m, c = _statistics(_resp(n, k=k), X, "full", reg_covar=0.0)
    a = list(vb_steps(X, k, init=(w, m, c), reg_covar=0, max_iter=5, tol=0))
    b = list(vb_steps(X * s, k, init=(w, m * s, c * np.outer(s, s)), reg_covar=0,
                      max_iter=5, tol=0))
    shift = (1 + k * 2 / n) * np.log(s).sum()
    for sa, sb in zip(a, b):
        np.testing.assert_allclose(sb.weights, sa.weights, rtol=1e-9)
        np.testing.assert_allclose(sb.means, sa.means * s, rtol=1e-9, atol=1e-12)
        assert sb.lower_bound == pytest.approx(sa.lower_bound - shift, rel=1e-9, abs=1e-9)
