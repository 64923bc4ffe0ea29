"""Tests for gmm_animation: the small public object animate() returns."""

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal

import gmm_animation
import visualize_gmm
from gmm_options import Options


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return np.r_[rng.normal([0, 0], 0.5, (40, 2)), rng.normal([4, 3], 0.7, (40, 2))]


def test_what_animate_returns_is_a_small_public_object(X):
    """model, labels, states, figure, save, to_html and the notebook display; the
    drawing machinery stays behind one name (``animator``)."""
    anim = visualize_gmm.animate(X, 2, max_iter=3, tol=0, random_state=0)
    assert isinstance(anim, gmm_animation.Animation)
    public = {name for name in dir(anim) if not name.startswith("_")}
    assert public == {"model", "labels", "states", "figure", "save", "to_html", "animator"}
    assert callable(anim._repr_html_) and anim.figure is anim.animator.fig
    assert [s.iteration for s in anim.states] == [0, 1, 2, 3]


def test_results_are_the_last_state_as_scipy_computes_it(X):
    anim = visualize_gmm.animate(X, 2, max_iter=5, tol=0, random_state=1)
    last = anim.states[-1]
    dens = np.column_stack([w * multivariate_normal(m, c).pdf(X)
                            for w, m, c in zip(last.weights, last.means, last.covariances)])
    np.testing.assert_array_equal(anim.labels, dens.argmax(axis=1))
    np.testing.assert_allclose(anim.model.predict_proba(X), dens / dens.sum(axis=1, keepdims=True),
                               rtol=1e-9, atol=1e-12)


def test_a_dataframe_fit_predicts_the_dataframe_without_a_warning(X):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["income", "age"])
    model = visualize_gmm.animate(df, 2, max_iter=3, random_state=0).model
    assert list(model.feature_names_in_) == ["income", "age"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(df)
    plain = visualize_gmm.animate(X, 2, max_iter=3, random_state=0).model
    assert not hasattr(plain, "feature_names_in_")


def test_build_animator_samples_when_there_is_no_data():
    anim = gmm_animation.build_animator(Options(n_components=2, n_true=2, n_points=50,
                                                max_iter=2, random_state=0))
    assert anim.fit.points.shape == (50, 2) and anim.run() == 3


def test_save_writes_what_the_command_line_writes(tmp_path, X):
    anim = visualize_gmm.animate(X, 2, max_iter=2, tol=0, random_state=0)
    assert anim.save(str(tmp_path / "a.png")) == 3
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert anim.to_html().startswith("<!DOCTYPE html>") or "<html" in anim.to_html()[:200]
