"""Tests for gmm_fit.FitRun: the fit on the user's data behind an animation."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm
import gmm_em
import gmm_fit
import gmm_transforms
import visualize_gmm
from gmm_fit import FitRun
from gmm_options import Options


@pytest.mark.parametrize("bad", [[[np.nan, 1.0]], [[np.inf, 1.0], [2.0, -np.inf]]])
def test_animate_counts_non_finite_rows_of_the_data_as_given(bad):
    X = np.r_[np.asarray(bad), np.arange(8.0).reshape(4, 2)]
    with pytest.raises(ValueError) as info:
        visualize_gmm.animate(X, n_components=1).animator
    assert str(info.value) == (f"X contains NaN or infinity in {len(bad)} of {len(X)} rows; "
                               "remove or impute those rows first")


def test_restart_resets_the_fit_record():
    X = np.random.default_rng(2).normal(size=(60, 2))
    anim = visualize_gmm.animate(X, 2, max_iter=3, tol=0, random_state=0).animator
    anim.run()
    assert len(anim.fit.record.log_likelihoods) == 4
    anim.restart(anim.fit.restart()[0])
    assert anim.fit.record.log_likelihoods == [] and anim.fit.record.last is None
    anim.run()
    assert anim.fit.record.log_likelihoods == [s.log_likelihood for s in anim.history]


def _run(fit, steps=None):
    return list(steps if steps is not None else fit.states())


def test_states_are_em_in_user_units_and_recorded_on_the_way():
    """Each display state is gmm.em_steps on the standardised data, mapped back
    by hand (means * s + m, covariances * s s^T, ll - sum log s)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 2)) * [1e3, 2e-2] + [5e4, -7.0]
    fit = FitRun(X, Options(n_components=2, max_iter=4, tol=0, random_state=3, init="kmeans++"))
    shown = _run(fit)
    Z, m, s = gmm_transforms.standardise(X)
    np.testing.assert_allclose(Z * s + m, X, rtol=1e-12)
    s = np.broadcast_to(s, (2,))
    ref = list(gmm.em_steps(Z, 2, max_iter=4, tol=0, random_state=np.random.default_rng(3)))
    assert len(shown) == len(ref) == 5
    for a, b in zip(shown, ref):
        np.testing.assert_allclose(a.means, b.means * s + m, rtol=1e-9)
        np.testing.assert_allclose(a.covariances, b.covariances * np.outer(s, s), rtol=1e-9)
        assert a.log_likelihood == pytest.approx(b.log_likelihood - np.log(s).sum(), rel=1e-12)
    assert fit.record.log_likelihoods == [a.log_likelihood for a in shown]
    np.testing.assert_array_equal(fit.labels(shown[-1]), shown[-1].labels)


def test_restart_r_uses_seed_plus_r_or_draws_on():
    X = np.random.default_rng(0).normal(size=(80, 2))
    seeded = FitRun(X, Options(n_components=3, max_iter=2, random_state=10))
    for r in (1, 2):
        states, how = seeded.restart()
        again = FitRun(X, Options(n_components=3, max_iter=2, random_state=10 + r))
        np.testing.assert_array_equal(next(states).means, next(again.states()).means)
        assert how == f"seed {10 + r}" and seeded.restarts == r
    g = np.random.default_rng(4)
    drawn = FitRun(X, Options(n_components=3, max_iter=2, random_state=g))
    _run(drawn)
    states, how = drawn.restart()
    assert how == "next draw of the random generator"
    assert drawn.rng is g                              # the caller's generator draws on


def test_more_than_two_columns_are_fitted_and_projected():
    X = np.random.default_rng(1).normal(size=(90, 4)) * [1, 2, 3, 4]
    pairs = FitRun(X, Options(n_components=2, max_iter=1, random_state=0))
    assert pairs.view == "pairs" and pairs.points.shape == (90, 4)     # the default for 4
    fit = FitRun(X, Options(n_components=2, max_iter=1, random_state=0, view="pca"))
    assert fit.view == "pca"
    assert fit.points.shape == (90, 2) and fit.n_features == 4
    shown = _run(fit)
    assert shown[0].means.shape == (2, 2) and fit.record.last.means.shape == (2, 4)
    assert fit.responsibilities(shown[-1]).shape == (90, 2)


def test_kmeans_states_start_from_em_state_0_means():
    X = np.random.default_rng(2).normal(size=(100, 2)) * [3, 1] + 7
    fit = FitRun(X, Options(n_components=3, max_iter=5, random_state=1))
    first = _run(fit)[0]
    k0 = next(fit.kmeans_states())
    np.testing.assert_allclose(k0.means, first.means, rtol=1e-12)


def test_bad_points_and_options_are_value_errors():
    with pytest.raises(ValueError, match="shape"):
        FitRun(np.zeros(5), Options())
    with pytest.raises(ValueError, match="cannot fit 5 components to 3 points"):
        FitRun(np.zeros((3, 2)), Options(n_components=5))


def _mixed_units(n_per=150, seed=4):
    """Three well separated clusters whose columns differ in scale by 1e4 and
    1e-4, the last column offset by 1e9 (as dollars, metres and a timestamp)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, -4.0, 3.0], [-5.0, 5.0, -4.0]])
    X = np.concatenate([c + rng.normal(size=(n_per, 3)) * [1.0, 0.6, 1.5] for c in centres])
    return X[rng.permutation(len(X))] * [1e4, 1e-4, 1.0] + [0.0, 0.0, 1e9]


def test_mixed_units_fit_equals_sklearns_from_the_same_start():
    """Per-column standardising: the fit in user units is scikit-learn's on the
    raw data, from the same start, to 1e-6 relative.

    The only part of EM that is not equivariant under a per-column affine map
    is the ``reg_covar`` floor: this tool adds 1e-6 to each variance in units
    of that column's standard deviation s_j (1e-6 s_j^2 in user units), where
    scikit-learn on raw data adds 1e-6 in raw units to every axis (1e-6 on a
    column whose variance is 1e-8 would swamp it). So scikit-learn runs on
    the raw data divided column by column by s_j (not centred: the 1e9 offset
    stays, so its handling is checked too), where its floor is exactly this
    tool's; its means and covariances are mapped back by ``* s`` and
    ``* outer(s, s)``, which is exact to rounding.
    """
    X = _mixed_units()
    fit = FitRun(X, Options(n_components=3, max_iter=8, tol=0, random_state=1,
                            init="kmeans++"))
    _run(fit)
    last = fit.record.last
    weights, means, covs = last.weights, last.means, last.covariances
    s = X.std(axis=0)
    np.testing.assert_allclose(fit.scale, s, rtol=1e-12)
    start = FitRun(X, Options(n_components=3, max_iter=0, random_state=1, init="kmeans++"))
    _run(start)                               # the record holds d-dimensional states
    first = start.record.last
    w0, m0, c0 = first.weights, first.means, first.covariances
    sk = SkGaussianMixture(3, covariance_type="full", max_iter=8, tol=0, reg_covar=1e-6,
                           weights_init=w0, means_init=m0 / s,
                           precisions_init=np.linalg.inv(c0 / np.outer(s, s)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)     # 8 iterations on purpose
        sk.fit(X / s)
    np.testing.assert_allclose(weights, sk.weights_, rtol=1e-6)
    offset = np.array([0.0, 0.0, 1e9])        # means to 1e-6 of each column's spread
    np.testing.assert_allclose((means - offset) / s, (sk.means_ * s - offset) / s, atol=1e-6)
    np.testing.assert_allclose(covs, sk.covariances_ * np.outer(s, s), rtol=1e-6)
    # the age variances of issue 14: 1e-6 in this column's units, not in income's
    assert np.all(np.diagonal(covs, axis1=1, axis2=2)[:, 1] < 1e-8)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_center_start_is_half_the_cloud_near_its_centre(covariance_type):
    X = np.random.default_rng(1).normal(size=(400, 2)) @ [[2.0, 0.5], [0.0, 0.3]] + [3.0, -1.0]
    w, m, c = gmm_em.center_start(X, 4, covariance_type, np.random.default_rng(0))
    cov = np.cov(X.T, bias=True)
    want = {"full": cov, "tied": cov, "diag": np.diag(np.diag(cov)),
            "spherical": np.eye(2) * np.trace(cov) / 2}[covariance_type]
    np.testing.assert_allclose(w, 0.25)
    np.testing.assert_allclose(c, np.repeat(0.5 * want[None], 4, axis=0), rtol=1e-5)
    # means within 3 standard deviations of the centre (Mahalanobis; spread 1)
    d = m - X.mean(axis=0)
    assert np.all(np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d) < 3 ** 2 * 4)
    assert len({tuple(row) for row in np.round(m, 9)}) == 4         # not identical


def test_center_init_runs_em_from_center_start_in_fit_units():
    X = np.random.default_rng(3).normal(size=(150, 2)) * [5.0, 5.0]
    fit = FitRun(X, Options(n_components=3, max_iter=3, tol=0, random_state=7, init="center"),
                 shared_scale=True)
    shown = _run(fit)
    rng = np.random.default_rng(7)
    start = gmm_em.center_start(fit.Z, 3, "full", rng)
    ref = list(gmm.em_steps(fit.Z, 3, max_iter=3, tol=0, init=start, random_state=rng))
    for a, b in zip(shown, ref):
        np.testing.assert_allclose(a.means, b.means * fit.scale + fit.centre, rtol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_default_start_and_rule_do_not_stop_on_the_saddle_of_overlapping_groups(seed):
    """Two height groups 15 cm apart (1-D, rounded to 0.1): from copies of the
    whole cloud near its centre EM crawls with changes below --tol, and these
    seeds stopped there ("converged" at iteration 6, log-likelihood -3.718);
    the default start and rule end where 300 iterations end (-3.691)."""
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(165, 6, 300), rng.normal(180, 7, 300)].round(1)[:, None]

    def run(**kw):
        return _run(FitRun(X, Options(n_components=2, random_state=seed, **kw)))

    last, long = run()[-1], run(tol=0, max_iter=300)[-1]
    assert last.converged and long.log_likelihood - last.log_likelihood <= 0.01
    assert long.log_likelihood == pytest.approx(-3.6911, abs=1e-4)


def test_default_run_shows_a_journey_and_stops_honestly():
    """Issue 15 on a subset (bench/bench_stopping.py measures seeds 0-19): the
    default command's animation is long, frame 0 differs clearly from the
    end, and the end is the long run's log-likelihood (within 0.01)."""
    def run(options):                   # as visualize_gmm -k 5 -m 5 --seed S runs it
        rng = np.random.default_rng(options.random_state)
        X, true_components = gmm_fit.sample(options, rng)
        return _run(FitRun(X, options, rng=rng, true_components=true_components,
                           shared_scale=True))

    for seed in (0, 3):
        states = run(Options(random_state=seed))
        first, last = states[0], states[-1]
        assert len(states) >= 15 and last.converged
        # the means travel (the data spans about 20 units) and the ellipses shrink
        travel = np.linalg.norm(first.means - last.means, axis=1).mean()
        assert travel > 1.0
        det_first, det_last = (np.linalg.det(s.covariances) for s in (first, last))
        assert np.median(det_first) > 4 * np.median(det_last)
        assert np.all(det_first > det_last)
        long = run(Options(random_state=seed, tol=0, max_iter=300))[-1]
        assert long.log_likelihood - last.log_likelihood <= 0.01
