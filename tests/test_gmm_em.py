"""gmm_em: EM trajectories against scikit-learn, log-likelihoods against scipy,
state invariants, inits and argument checks (see em_reference for the conventions).
"""
import dataclasses
import random
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm
import gmm_em
from gmm_em import em_steps
from gmm_mixture import GaussianMixture
from em_reference import (
    COV_TYPES,
    NAMED_INITS,
    make_blobs,
    make_elongated,
    make_overlapping,
    make_real,
    DATASETS,
    random_init,
    sk_model,
    sk_trajectory,
    ref_log_likelihood,
    run,
    assert_type_constraint,
    assert_valid_state,
    assert_labels_are_argmax,
    assert_close_states,
    sk_from_params,
    SMALL_X,
    GOOD_INIT,
    BAD_CALLS,
)


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


def test_em_steps_is_lazy_iterator(monkeypatch):
    """Each next() runs exactly one E-step: none at the call, one per state pulled."""
    X = make_blobs(100, 2, seed=0)
    e_steps = []
    e_step = gmm_em._pass       # one E-step pass over the data

    def counted(*args, **kwargs):
        e_steps.append(1)
        return e_step(*args, **kwargs)

    monkeypatch.setattr(gmm_em, "_pass", counted)
    it = em_steps(X, 3, max_iter=1000, tol=0, random_state=0)
    assert len(e_steps) == 0
    assert next(it).iteration == 0
    assert len(e_steps) == 1
    assert next(it).iteration == 1
    assert len(e_steps) == 2


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
    sk = sk_from_params(X, weights, means, covs, "full")
    resp = gmm.responsibilities(X, weights, means, covs)
    norm, log_resp = gmm.log_responsibilities(X, weights, means, covs)
    assert resp.shape == log_resp.shape == (n, 3)
    np.testing.assert_allclose(resp, sk.predict_proba(X), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    assert resp[:40, 2].min() > 0.999                   # the tight component owns its points
    np.testing.assert_allclose(np.exp(log_resp), resp, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(norm, sk.score_samples(X), rtol=1e-10)
    np.testing.assert_array_equal(gmm.log_density(X, weights, means, covs), norm)


@pytest.mark.parametrize("make,pattern", [pytest.param(m, p, id=i) for i, m, p in BAD_CALLS])
def test_bad_arguments_raise_at_call(make, pattern):
    """Raised when em_steps is called (not at the first next()), with a message
    that names what to change."""
    X, k, kw = make()
    with pytest.raises(ValueError) as info:
        em_steps(X, k, **kw)
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
        em_steps(SMALL_X, k)


@pytest.mark.parametrize("k", [3.0, np.float64(3), True])
def test_float_and_bool_k_rejected_as_sklearn_rejects_them(k):
    """scikit-learn's parameter validation refuses n_components=3.0 (and True);
    so does em_steps, naming the argument.  numpy integers are integers."""
    with pytest.raises((ValueError, TypeError)):
        SkGaussianMixture(k).fit(SMALL_X)
    with pytest.raises(TypeError, match="n_components"):
        em_steps(SMALL_X, k)
    assert len(run(SMALL_X, np.int64(3), random_state=0, max_iter=1)[-1].weights) == 3


def test_complex_rejected_and_object_numbers_accepted_as_sklearn():
    """sklearn refuses complex X with a ValueError and converts object arrays of
    numbers; so does em_steps.  Complex init means are refused, not truncated."""
    with pytest.raises(ValueError):
        SkGaussianMixture(2).fit(SMALL_X.astype(complex))
    with pytest.raises(ValueError, match="X must be real"):
        em_steps(SMALL_X.astype(complex), 2)
    a = run(SMALL_X.astype(object), 2, random_state=0, max_iter=2)
    b = run(SMALL_X, 2, random_state=0, max_iter=2)
    np.testing.assert_array_equal(a[-1].means, b[-1].means)
    w, mu, cov = GOOD_INIT
    with pytest.raises(ValueError, match="init means must be real"):
        em_steps(SMALL_X, 3, init=(w, mu + 1j, cov))


def test_float128_beyond_float64_is_not_called_nan():
    X = SMALL_X.astype(np.longdouble)
    X[0, 0] = np.longdouble("1e400")
    with pytest.raises(ValueError, match="beyond float64's range") as info:
        em_steps(X, 2)
    assert "NaN" not in str(info.value)
    X[0, 0] = np.longdouble("1e-400")
    with pytest.raises(ValueError, match=r"too small for float64 \(smallest magnitude 1e-400"):
        em_steps(X, 2)
    with pytest.raises(ValueError, match=r"tol .*got 1e\+400 \(finite, but beyond float64\)"):
        em_steps(SMALL_X, 2, tol=np.longdouble("1e400"))


def test_the_block_sources_implement_the_declared_row_source_protocols(tmp_path):
    """A memory map's and a dask array's row sources are gmm_blocks.BlockSource (so
    RowSource) at runtime; data in memory has no block source."""
    import gmm_blocks

    X = np.random.default_rng(0).normal(size=(200, 3))
    np.save(tmp_path / "x.npy", X)
    sources = [gmm_em.row_source(np.load(tmp_path / "x.npy", mmap_mode="r"))]
    try:
        import dask.array as da
        sources.append(gmm_em.row_source(da.from_array(X, chunks=(50, 3))))
    except ImportError:
        pass
    for source in sources:
        assert isinstance(source, gmm_blocks.BlockSource)
        assert isinstance(source, gmm_blocks.RowSource)
        assert source.shape == (200, 3) and isinstance(source.ordered, bool)
    assert gmm_em.row_source(X) is None

    class NoOrder:                          # a source that does not say its order
        shape, radius_sq = (1, 1), 1.0

        def each(self, fn, make_acc):
            return make_acc()

        def sample(self, idx):
            return np.zeros((len(idx), 1))

        def new_labels(self, k):
            return np.zeros(1, dtype=np.int32)

    assert not isinstance(NoOrder(), gmm_blocks.RowSource)


# --------------------------------------------------------------------------
# Threads, the fast start and refilled empty components
# --------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random", "random_from_data"])
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_every_thread_count_gives_one_threads_states(monkeypatch, init, covariance_type):
    """In-memory data cut into 23 blocks (the E-step's into 12): n_jobs 2, 3 and -1
    give n_jobs=1's states bit for bit (the blocks' sums are added in block order)."""
    import gmm_blocks
    from block_data import assert_same_states, blobs
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 700)
    X = blobs(16_000, seed=2, d=3)
    runs = [list(em_steps(X, 4, max_iter=3, tol=0, init=init, covariance_type=covariance_type,
                          random_state=1, n_jobs=jobs)) for jobs in (1, 2, 3, -1)]
    for other in runs[1:]:
        assert_same_states(runs[0], other, tol=0.0, ll_tol=1e-300)


def test_thread_count_does_not_change_the_sklearn_trajectory(monkeypatch):
    """Many blocks over two threads: still scikit-learn's trajectory from the same start."""
    import gmm_blocks
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 512)
    X = make_blobs(6000, 2, seed=3)
    init = random_init(X, 3, "full", seed=0)
    ours = list(em_steps(X, 3, max_iter=4, tol=0, init=init, n_jobs=2))
    ref = sk_trajectory(X, init, "full", 4)
    for state, (w, mu, cov, _) in zip(ours[1:], ref):
        np.testing.assert_allclose(state.weights, w, rtol=0, atol=1e-6)
        np.testing.assert_allclose(state.means, mu, rtol=0, atol=1e-6)
        np.testing.assert_allclose(state.covariances, cov, rtol=0, atol=1e-6)


@pytest.mark.parametrize("offset, scale", [(1e8, 1.0), (-3e5, 1e-4), (0.0, 1e155)])
def test_blockwise_centring_is_translation_and_scale_free(monkeypatch, offset, scale):
    """Centred in 12 blocks: ``scale * X + offset`` gives X's labels and its means
    moved and scaled; squares that overflow are refused (the scale checks)."""
    import gmm_blocks
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 256)
    X = make_blobs(3000, 2, seed=4)
    Y = X * scale + offset
    if scale > 1e100:
        with pytest.raises(ValueError, match="standardise"):
            em_steps(Y, 2)
        return
    a = list(em_steps(X, 3, max_iter=3, tol=0, random_state=0, reg_covar=0.0))
    b = list(em_steps(Y, 3, max_iter=3, tol=0, random_state=0, reg_covar=0.0))
    for s, t in zip(a, b):
        np.testing.assert_array_equal(s.labels, t.labels)
        np.testing.assert_allclose((t.means - offset) / scale, s.means, rtol=0, atol=1e-6)
        np.testing.assert_allclose(t.covariances / scale ** 2, s.covariances, rtol=1e-6,
                                   atol=1e-7)      # 1e8 * eps of cancellation


def test_an_emptied_component_takes_the_farthest_row(monkeypatch):
    """Above the subsample threshold, a centre no row is nearest to takes the row
    farthest from its own centre, as ``gmm_kmeans.fill_empty`` does on every row."""
    from gmm_kmeans import fill_empty, nearest
    rng = np.random.default_rng(7)
    pts = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    n = gmm_em.SUBSAMPLE_FACTOR * gmm_em.subsample_size(5) + 10
    X = pts[rng.integers(0, 3, n)] + rng.normal(size=(n, 2)) * 0.01
    X[rng.integers(0, n, 50)] += 0.5
    chosen = []
    original = gmm_em.kmeans_plusplus

    def with_a_duplicate(S, k, rng):
        seeds = original(S, k, rng)
        seeds[-1] = seeds[0]                    # two seeds on one row: one centre is empty
        chosen.append(S[seeds])
        return seeds

    monkeypatch.setattr(gmm_em, "kmeans_plusplus", with_a_duplicate)
    state = next(em_steps(X, 5, max_iter=0, random_state=0))
    labels, dist = nearest(X - X.mean(axis=0), chosen[0])     # the seeds are centred rows
    assert np.bincount(labels, minlength=5)[4] == 0
    labels = fill_empty(labels, dist, 5)
    counts = np.bincount(labels, minlength=5)
    assert counts.min() == 1
    np.testing.assert_allclose(state.weights, (counts + 1e-15) / n, rtol=1e-9)
    for j in range(5):
        np.testing.assert_allclose(state.means[j], X[labels == j].mean(axis=0), atol=1e-9)
