"""gmm_mixture.GaussianMixture: scores, fits, samples and misuse against scikit-learn.
"""
import inspect
import re
import warnings

import numpy as np
import pytest
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


# --------------------------------------------------------------------------
# Memory maps and threads
# --------------------------------------------------------------------------
@pytest.fixture
def mapped(tmp_path):
    """(X in memory, the same rows as a memory map, float32 rows as a memory map)."""
    from block_data import blobs
    X = blobs(150_000, seed=3)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "x32.npy", X.astype(np.float32))
    return (X, np.load(tmp_path / "x.npy", mmap_mode="r"),
            np.load(tmp_path / "x32.npy", mmap_mode="r"))


def test_memory_map_fit_and_methods_equal_in_memory(mapped):
    """fit, fit_predict, predict, predict_proba, score_samples and score on a memory
    map: the in-memory results to 1e-10 (its blocks centred on their own means)."""
    X, M, _ = mapped
    ref = GaussianMixture(3, random_state=0, max_iter=20).fit(X)
    ours = GaussianMixture(3, random_state=0, max_iter=20)
    labels = ours.fit_predict(M)
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.covariances_, ref.covariances_, rtol=0, atol=1e-10)
    assert ours.n_iter_ == ref.n_iter_ and ours.labels_.dtype == np.uint8
    np.testing.assert_array_equal(labels, ref.predict(X))
    np.testing.assert_array_equal(ours.predict(M), ref.predict(X))
    assert ours.predict(M).dtype == ref.predict(X).dtype
    np.testing.assert_allclose(ours.predict_proba(M), ref.predict_proba(X), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.score_samples(M), ref.score_samples(X), rtol=1e-12)
    assert ours.score(M) == pytest.approx(ref.score(X), rel=1e-12)
    assert ours.score(M) == pytest.approx(float(np.mean(ours.score_samples(M))), rel=1e-12)
    assert ours.bic(M) == pytest.approx(ref.bic(X), rel=1e-12)
    assert ours.aic(M) == pytest.approx(ref.aic(X), rel=1e-12)


def test_float32_memory_map_answers_in_float32(mapped):
    X, _, M32 = mapped
    model = GaussianMixture(3, random_state=0, max_iter=5).fit(M32)
    ref = GaussianMixture(3, random_state=0, max_iter=5).fit(np.asarray(M32))
    assert model.means_.dtype == np.float32
    np.testing.assert_allclose(model.means_, ref.means_, rtol=1e-6)
    assert model.predict_proba(M32).dtype == np.float32
    assert model.score_samples(M32).dtype == np.float32


def test_memory_map_methods_never_hold_the_file(tmp_path):
    """Size-based, not timed: fit and score on a 64 MB memory map grow the child's
    peak resident set by far less than the file (the whole file was 3.6x its size)."""
    import os
    import subprocess
    import sys
    import textwrap

    from block_data import blobs
    from child_env import python_path
    path = tmp_path / "big.npy"
    np.save(path, blobs(4_000_000, seed=4))
    code = textwrap.dedent(f"""
        import resource, warnings, numpy as np, gmm
        warnings.simplefilter("ignore")
        M = np.load({str(path)!r}, mmap_mode="r")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        model = gmm.GaussianMixture(3, max_iter=2, random_state=0).fit(M)
        model.score(M)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=python_path()), timeout=300)
    assert out.returncode == 0, out.stderr
    grown = int(out.stdout.split()[-1])
    # a few uint8 label arrays (4 MB each) and a few 1 MB blocks per thread
    assert grown < 40e6, f"peak RSS grew by {grown / 1e6:.1f} MB for a 64 MB file"


def test_memory_map_with_bad_shape_or_rows_is_refused(tmp_path):
    np.save(tmp_path / "one.npy", np.zeros(10))
    model = GaussianMixture(2, random_state=0).fit(np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(ValueError, match="2-D"):
        model.predict(np.load(tmp_path / "one.npy", mmap_mode="r"))
    bad = np.random.default_rng(1).normal(size=(100, 2))
    bad[7] = np.nan
    np.save(tmp_path / "bad.npy", bad)
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.score(np.load(tmp_path / "bad.npy", mmap_mode="r"))
    with pytest.raises(ValueError, match="NaN or infinity"):
        GaussianMixture(2).fit(np.load(tmp_path / "bad.npy", mmap_mode="r"))


@pytest.mark.parametrize("value, error", [(0, ValueError), (1.5, TypeError), ("all", TypeError),
                                          (float("nan"), TypeError)])
def test_bad_n_jobs_is_refused_at_fit_naming_it(value, error):
    model = GaussianMixture(2, n_jobs=value)         # scikit-learn checks at fit, so do we
    with pytest.raises(error, match="n_jobs"):
        model.fit(np.random.default_rng(0).normal(size=(50, 2)))


def test_n_jobs_does_not_change_the_fit(monkeypatch):
    import gmm_blocks
    from block_data import blobs
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 500)
    X = blobs(9000, seed=6)
    fits = [GaussianMixture(3, random_state=0, n_jobs=jobs).fit(X) for jobs in (1, 2, -1)]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.means_, fits[0].means_)
        np.testing.assert_array_equal(other.covariances_, fits[0].covariances_)
        assert other.lower_bound_ == fits[0].lower_bound_


@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_save_and_load_keep_a_dataframes_column_names(tmp_path, ext):
    """A model fitted on a DataFrame, saved and loaded, predicts on the DataFrame
    without scikit-learn's feature-names warning and as the fitted one does."""
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(200, 2)),
                      columns=["weight, kg", "age"])
    fitted = GaussianMixture(2, random_state=0).fit(df)
    fitted.save(str(tmp_path / f"m{ext}"))
    loaded = GaussianMixture.load(str(tmp_path / f"m{ext}"))
    assert list(loaded.feature_names_in_) == ["weight, kg", "age"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(loaded.predict(df), fitted.predict(df))
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(df.rename(columns={"age": "years"}))


def test_repr_names_the_changed_parameters_and_summarises_arrays():
    assert repr(GaussianMixture(3, tol=1e-4)) == "GaussianMixture(n_components=3, tol=0.0001)"
    text = repr(GaussianMixture(3, means_init=np.arange(600.0).reshape(300, 2)))
    assert "means_init=array([[  0.,   1.]," in text and "...," in text and "599." in text
    assert len(text) < 400
    long = repr(GaussianMixture(3, means_init=[[float(i)] * 2 for i in range(300)]))
    assert len(long) == 2 * (700 // 2) + 3 and "..." in long
