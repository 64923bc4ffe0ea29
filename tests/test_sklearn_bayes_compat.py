"""``gmm.BayesianGaussianMixture`` as a drop-in for scikit-learn's.

References: scikit-learn itself.  Its own ``BayesianGaussianMixture`` tests
run against our class (``sklearn_bayes_plugin``); started from the same
responsibilities (scikit-learn's ``_initialize`` of them, ours from their
M-step statistics given as ``init``) the fitted values, bounds and
predictions equal scikit-learn's per covariance type and prior type, in
float64 and float32; its machinery (``clone``, ``Pipeline``,
``GridSearchCV``) works; arbitrary arguments fit or are refused naming the
argument.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.exceptions import NotFittedError as SkNotFittedError
from sklearn.mixture import BayesianGaussianMixture as SkBayes
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gmm import BayesianGaussianMixture
from em_reference import assert_fits_or_names, quiet
from sklearn_suite import run_sklearn_tests

COV_TYPES = ["full", "tied", "diag", "spherical"]
PRIOR_TYPES = ["dirichlet_process", "dirichlet_distribution"]
K = 6


def _blobs(n=300, seed=0):
    """Three well separated blobs in 2-D, shape (n, 2)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    return np.concatenate([c + rng.normal(size=(n // 3, 2)) * [1.0, 0.6] for c in centres])


X = _blobs()


class _SkFromResp(SkBayes):
    """scikit-learn's class started from given responsibilities ``resp0`` (n, k)."""

    resp0 = None

    def _initialize_parameters(self, X, random_state, xp=None):
        self._initialize(X, self.resp0.astype(X.dtype))


def _resp(n, k=K, seed=1):
    """Hard random responsibilities (n, k), every component with points."""
    labels = np.random.default_rng(seed).permutation(np.arange(n) % k)
    return np.eye(k)[labels]


def _statistics(R, X, covariance_type, reg_covar=1e-6):
    """The M-step statistics of responsibilities R (n, k) as (weights, means, covariances
    (k, d, d)): the start :func:`gmm.vb_steps` takes as ``init`` (computed by hand)."""
    X = np.asarray(X, dtype=np.float64)
    k, d = R.shape[1], X.shape[1]
    nk = R.sum(axis=0) + 10 * np.finfo(np.float64).eps
    means = R.T @ X / nk[:, None]
    scat = np.stack([(R[:, j] * (X - means[j]).T) @ (X - means[j]) for j in range(k)])
    if covariance_type == "tied":
        scat = np.repeat(scat.sum(axis=0)[None] / nk.sum(), k, axis=0)
    else:
        scat = scat / nk[:, None, None]
    var = np.diagonal(scat, axis1=1, axis2=2)
    if covariance_type == "diag":
        scat = var[:, :, None] * np.eye(d)
    elif covariance_type == "spherical":
        scat = var.mean(axis=1)[:, None, None] * np.eye(d)
    return nk / nk.sum(), means, scat + reg_covar * np.eye(d)




def _pair(covariance_type, prior_type, dtype=np.float64, **kw):
    """(ours, scikit-learn's) estimators fitted on X in ``dtype`` from the same start."""
    Xd = X.astype(dtype)
    R = _resp(len(X))
    args = dict(n_components=K, covariance_type=covariance_type,
                weight_concentration_prior_type=prior_type, **kw)
    sk = _SkFromResp(**args)
    sk.resp0 = R
    with quiet():
        ours = BayesianGaussianMixture(init=_statistics(R, Xd, covariance_type), **args).fit(Xd)
        sk.fit(Xd)
    return ours, sk


# ---------------------------------------------------------------------------
# 1. scikit-learn's own tests, run against gmm.BayesianGaussianMixture
# ---------------------------------------------------------------------------
def test_sklearn_own_bayesian_mixture_tests_pass_against_ours(tmp_path):
    """sklearn/mixture/tests/test_bayesian_mixture.py and the BayesianGaussianMixture
    cases of test_mixture.py, as installed, with the class replaced by ours
    (tests/sklearn_bayes_plugin.py): every test not deselected passes, and only
    the listed tests (private functions, GaussianMixture cases) are deselected."""
    import sklearn_bayes_plugin

    out, passed, deselected = run_sklearn_tests(
        tmp_path, "sklearn_bayes_plugin", ("test_bayesian_mixture.py", "test_mixture.py"))
    assert len(passed) >= 12, out[-3000:]          # 16 with scikit-learn 1.9
    assert {name for name, _ in passed} >= {
        "test_monotonic_likelihood", "test_bayesian_mixture_weights",
        "test_invariant_translation", "test_bayesian_mixture_predict_predict_proba",
        "test_gaussian_mixture_n_iter", "test_bayesian_mixture_precisions_prior_initialisation"}
    gm_case = "GaussianMixture case (run against ours by sklearn_gmm_plugin)"
    expected = dict(sklearn_bayes_plugin.DESELECTED, test_gaussian_mixture_n_iter=gm_case,
                    test_mixture_n_components_greater_than_n_samples_error=gm_case)
    assert deselected.items() <= expected.items()
    assert "test_log_wishart_norm" in deselected


# ---------------------------------------------------------------------------
# 2. The same numbers as scikit-learn from the same start
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("covariance_type", COV_TYPES)
def test_fit_from_the_same_start_equals_sklearn(covariance_type, prior_type, dtype):
    ours, sk = _pair(covariance_type, prior_type, dtype, max_iter=30,
                     tol=0 if dtype == np.float32 else 1e-3)
    rtol = 1e-6 if dtype == np.float64 else 2e-3
    assert ours.n_iter_ == sk.n_iter_ and ours.converged_ == sk.converged_
    assert ours.lower_bound_ == pytest.approx(float(np.squeeze(sk.lower_bound_)), rel=rtol)
    np.testing.assert_allclose(ours.lower_bounds_, np.ravel(sk.lower_bounds_), rtol=rtol)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_",
                 "mean_precision_", "degrees_of_freedom_", "mean_prior_", "covariance_prior_"):
        a, b = np.asarray(getattr(ours, name)), np.asarray(getattr(sk, name))
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max(), err_msg=name)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_", "mean_prior_",
                 "covariance_prior_", "mean_precision_", "degrees_of_freedom_"):
        assert np.asarray(getattr(ours, name)).dtype == np.asarray(getattr(sk, name)).dtype, name
    assert type(ours.degrees_of_freedom_prior_) is type(sk.degrees_of_freedom_prior_)
    for a, b in zip(np.atleast_2d(ours.weight_concentration_),
                    np.atleast_2d(sk.weight_concentration_)):
        np.testing.assert_allclose(a, b, rtol=rtol)
    for name in ("weight_concentration_prior_", "mean_precision_prior_",
                 "degrees_of_freedom_prior_"):
        assert getattr(ours, name) == pytest.approx(getattr(sk, name), rel=1e-12)
    Xt = _blobs(60, seed=1).astype(dtype)
    if dtype == np.float64:
        np.testing.assert_array_equal(ours.predict(Xt), sk.predict(Xt))
    for name in ("predict_proba", "score_samples"):
        a, b = getattr(ours, name)(Xt), getattr(sk, name)(Xt)
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)
    assert ours.score(Xt) == pytest.approx(sk.score(Xt), rel=rtol)
    assert ours.n_features_in_ == sk.n_features_in_ == 2
    Xs, ys = ours.sample(7)
    Xs_sk, ys_sk = sk.sample(7)
    assert Xs.shape == Xs_sk.shape and ys.shape == ys_sk.shape and ys.dtype == ys_sk.dtype


def test_given_priors_equal_sklearn():
    """Every prior given (not the defaults) in every covariance type."""
    priors = dict(weight_concentration_prior=0.3, mean_precision_prior=0.5,
                  mean_prior=[1.0, 2.0], degrees_of_freedom_prior=3.5)
    cov_prior = {"full": [[2.0, 0.3], [0.3, 1.0]], "tied": [[1.0, -0.2], [-0.2, 0.5]],
                 "diag": [0.7, 1.3], "spherical": 0.8}
    for covariance_type in COV_TYPES:
        ours, sk = _pair(covariance_type, "dirichlet_process", max_iter=20,
                         covariance_prior=cov_prior[covariance_type], **priors)
        assert ours.n_iter_ == sk.n_iter_
        for name in ("weights_", "means_", "covariances_", "covariance_prior_"):
            np.testing.assert_allclose(getattr(ours, name), getattr(sk, name), rtol=1e-6,
                                       atol=1e-9, err_msg=name)


@pytest.mark.parametrize("max_iter", [0, 1, 3])
def test_max_iter_and_warm_start_as_sklearn(max_iter):
    """n_iter_, lower_bound_ (-inf when nothing ran), converged_, and two warm
    starts of max_iter iterations = one fit of 2 * max_iter, as scikit-learn."""
    ours, sk = _pair("full", "dirichlet_process", max_iter=max_iter, tol=0)
    assert (ours.n_iter_, ours.converged_) == (max_iter, False)
    if max_iter:
        assert sk.n_iter_ == max_iter and not sk.converged_
        assert ours.lower_bound_ == pytest.approx(sk.lower_bound_, rel=1e-9)
        assert len(ours.lower_bounds_) == len(sk.lower_bounds_) == max_iter
    else:
        assert ours.lower_bound_ == -np.inf
        np.testing.assert_allclose(ours.means_, sk.means_, rtol=1e-9)
    init = _statistics(_resp(len(X)), X, "full")
    with quiet():
        warm = BayesianGaussianMixture(n_components=K, init=init, max_iter=max_iter, tol=0,
                                       warm_start=True)
        warm.fit(X).fit(X)
        once = BayesianGaussianMixture(n_components=K, init=init, max_iter=2 * max_iter,
                                       tol=0).fit(X)
    np.testing.assert_allclose(warm.means_, once.means_, rtol=1e-10, atol=1e-12)
    assert warm.n_iter_ == max_iter


def test_tied_diag_spherical_after_the_start_are_views_of_full():
    """scikit-learn's test_compare_covar_type on public attributes: after the
    start (max_iter=0) tied = mean of full scale matrices, diag = their
    diagonals, spherical = the diagonals' means."""
    init = {t: _statistics(_resp(len(X)), X, t) for t in COV_TYPES}
    fits = {t: BayesianGaussianMixture(n_components=K, covariance_type=t, max_iter=0,
                                       init=init[t]).fit(X) for t in COV_TYPES}
    full = fits["full"].covariances_ * fits["full"].degrees_of_freedom_[:, None, None]
    np.testing.assert_allclose(fits["tied"].covariances_ * fits["tied"].degrees_of_freedom_,
                               full.mean(axis=0), rtol=1e-10)
    diag = fits["diag"].covariances_ * fits["diag"].degrees_of_freedom_[:, None]
    np.testing.assert_allclose(diag, np.diagonal(full, axis1=1, axis2=2), rtol=1e-10)
    sph = fits["spherical"].covariances_ * fits["spherical"].degrees_of_freedom_
    np.testing.assert_allclose(sph, diag.mean(axis=1), rtol=1e-10)


def test_superfluous_components_lose_their_weight_as_in_sklearn():
    """Three blobs, ten components, a small weight prior: about three
    components keep weight in both fits (each from its own k-means start)."""
    with quiet():
        ours = BayesianGaussianMixture(n_components=10, weight_concentration_prior=1e-3,
                                       max_iter=500, random_state=0).fit(X)
        sk = SkBayes(n_components=10, weight_concentration_prior=1e-3, max_iter=500,
                     random_state=0).fit(X)
    assert (ours.weights_ > 0.05).sum() == (sk.weights_ > 0.05).sum() == 3
    np.testing.assert_allclose(np.sort(ours.weights_)[-3:], np.sort(sk.weights_)[-3:], atol=0.01)


# ---------------------------------------------------------------------------
# 3. scikit-learn's machinery
# ---------------------------------------------------------------------------
def test_clone_get_params_set_params_repr():
    est = BayesianGaussianMixture(n_components=3, covariance_type="diag", random_state=0,
                                  weight_concentration_prior=0.1)
    assert set(est.get_params()) == set(SkBayes().get_params()) | {"init", "keep_history"}
    twin = clone(est)
    assert type(twin) is BayesianGaussianMixture and twin.get_params() == est.get_params()
    with pytest.raises(SkNotFittedError):
        twin.predict(X)
    np.testing.assert_array_equal(twin.fit(X).means_, clone(est).fit(X).means_)
    assert est.set_params(n_components=2) is est and est.n_components == 2
    with pytest.raises(ValueError, match="n_component'.*valid parameters"):
        est.set_params(n_component=3)
    assert repr(est) == ("BayesianGaussianMixture(n_components=2, covariance_type='diag', "
                         "weight_concentration_prior=0.1, random_state=0)")
    with pytest.raises(TypeError):
        BayesianGaussianMixture(3)          # keyword-only, as scikit-learn's


def test_pipeline_and_grid_search():
    Z = StandardScaler().fit_transform(X)
    pipe = make_pipeline(StandardScaler(), BayesianGaussianMixture(n_components=4,
                                                                    random_state=0)).fit(X)
    direct = BayesianGaussianMixture(n_components=4, random_state=0).fit(Z)
    np.testing.assert_array_equal(pipe.predict(X), direct.predict(Z))
    assert pipe.score(X) == pytest.approx(direct.score(Z), rel=1e-12)
    with quiet():
        grid = GridSearchCV(BayesianGaussianMixture(n_components=4, random_state=0),
                            {"weight_concentration_prior": [0.01, 1.0],
                             "covariance_type": ["full", "spherical"]}, cv=3).fit(X)
    assert set(grid.best_params_) == {"weight_concentration_prior", "covariance_type"}
    assert np.isfinite(grid.best_score_)


def test_dataframe_feature_names_as_sklearn():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["a", "b"])
    ours = BayesianGaussianMixture(n_components=3, random_state=0).fit(df)
    sk = SkBayes(n_components=3, random_state=0).fit(df)
    np.testing.assert_array_equal(ours.feature_names_in_, sk.feature_names_in_)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        ours.predict(X)
    with pytest.raises(ValueError, match="feature names should match"):
        ours.predict(df.rename(columns={"a": "z"}))


def test_not_fitted_and_convergence_warning_are_sklearns_classes():
    with pytest.raises(SkNotFittedError, match="This BayesianGaussianMixture instance is not "
                                               "fitted yet"):
        BayesianGaussianMixture().score(X)
    with pytest.warns(SkConvergenceWarning, match="did not converge"):
        BayesianGaussianMixture(n_components=3, max_iter=2, random_state=0).fit(X)


# ---------------------------------------------------------------------------
# 4. Arbitrary arguments
# ---------------------------------------------------------------------------
PARAM_NAMES = sorted(set(BayesianGaussianMixture().get_params()) - {"verbose"})
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 6), st.sampled_from([10**20, -10**20]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
    st.sampled_from(["full", "kmeans", "random", "dirichlet_process", "spherical"]),
    st.sampled_from([np.int64(2), np.float32(0.5), np.float64(3.0), np.bool_(True)]),
    st.lists(st.floats(0, 1), max_size=3), st.just(np.full((2, 2), 0.5)),
    st.just([10**400, 0]), st.just(np.array([1e-320, 1.0])), st.just(np.array([1e308, 1.0])),
    st.just([[1.0, 2.0], [2.0, 1.0]]), st.just([[1.0, 0.0], [0.0, np.nan]]),
)


@given(name=st.sampled_from(PARAM_NAMES), value=HOSTILE)
@settings(max_examples=120, deadline=None)
@example(name="weight_concentration_prior", value=float("nan"))
@example(name="weight_concentration_prior", value=-1.0)
@example(name="weight_concentration_prior", value=1e308)
@example(name="weight_concentration_prior", value=10**400)
@example(name="mean_precision_prior", value=0.0)
@example(name="degrees_of_freedom_prior", value=1.0)
@example(name="covariance_prior", value=[[1.0, 2.0], [2.0, 1.0]])
@example(name="covariance_prior", value=[[1.0, 0.0], [0.0, np.nan]])
@example(name="covariance_prior", value=-1.0)
@example(name="mean_prior", value=[0.5])
@example(name="mean_prior", value="ab")
@example(name="weight_concentration_prior_type", value="dirichlet")
@example(name="init", value=(np.full(2, 0.5), np.zeros((2, 2)), np.stack([np.eye(2)] * 2)))
def test_any_parameter_value_fits_or_is_refused_naming_it(name, value):
    """One parameter set to an arbitrary value: the fit works (finite
    parameters and score) or raises ValueError/TypeError naming it."""
    if name == "n_init" and isinstance(value, int) and value > 6:
        return
    est = assert_fits_or_names(BayesianGaussianMixture(n_components=2, random_state=0,
                                                       max_iter=20), name, value, X[::10])
    if est is not None:
        np.testing.assert_allclose(est.weights_.sum(), 1.0)
