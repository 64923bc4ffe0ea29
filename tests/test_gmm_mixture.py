"""gmm_mixture.GaussianMixture: scores, fits, samples and misuse against scikit-learn.
"""
import inspect
import re

import numpy as np
import pytest
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm
from gmm_mixture import GaussianMixture
from em_reference import (
    COV_TYPES,
    make_blobs,
    make_elongated,
    make_overlapping,
    random_init,
    expand_sk_covariances,
    sk_model,
    run,
    sk_from_params,
    SMALL_X,
    BAD_CALLS,
)


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
    sk = sk_from_params(X, gm.weights_, gm.means_, covs, covariance_type)
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
    assert params == list(inspect.signature(SkGaussianMixture).parameters) + [
        "init", "keep_history", "n_jobs"]
    assert gm.init is None and gm.keep_history is False      # init_params decides


@pytest.mark.parametrize("make,pattern", [pytest.param(m, p, id=i) for i, m, p in BAD_CALLS
                                          if i in ("1-D X", "NaN", "n < k", "unknown init",
                                                   "unknown covariance type", "k = 0")])
def test_bad_arguments_raise_in_fit(make, pattern):
    X, k, kw = make()
    with pytest.raises(ValueError) as info:
        GaussianMixture(k, **kw).fit(X)
    assert re.search(pattern, str(info.value), flags=re.IGNORECASE), str(info.value)


def test_gaussian_mixture_misuse():
    """Predicting before fit, or with another number of features, says so."""
    with pytest.raises(ValueError, match="fit"):
        GaussianMixture(2).predict(SMALL_X)
    gm = GaussianMixture(2, random_state=0).fit(SMALL_X)
    with pytest.raises(ValueError, match="feature"):
        gm.predict(SMALL_X[:, :1])
    with pytest.raises(ValueError, match="feature"):
        gm.score_samples(np.hstack([SMALL_X, SMALL_X]))
