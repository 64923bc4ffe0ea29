"""The PCA biplot (gmm_scene_pca, gmm_transforms.pca_projection with the fit's scale)."""
import re

import numpy as np
import pandas as pd
import pytest

import gmm_scene
import gmm_transforms
from gmm_scene_pca import BiplotScene, LoadingsView, arrow_tips, loadings, spread_labels
from test_gmm_scene_pairs import IRIS, mixed_units_table
from visualize_gmm import animate

PERCENT = re.compile(r"^PC(\d), (\d+)% of the (standardised )?variance$")


def eigh_top_two(cov):
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order[:2]].T


@pytest.fixture(scope="module")
def mixed_anim():
    anim = animate(mixed_units_table(), 3, random_state=1, max_iter=30, view="pca").animator
    anim.run()
    anim.render(len(anim.history) - 1)
    return anim


def test_loadings_are_eigh_of_the_standardised_covariance(mixed_anim):
    X = mixed_units_table().to_numpy()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)             # per column: dollars, years, ratio
    vals, top = eigh_top_two(np.cov(Z, rowvar=False, bias=True))
    load = loadings(mixed_anim.fit)
    for row, ref in zip(load, top):
        assert min(np.abs(row - ref).max(), np.abs(row + ref).max()) < 1e-9   # up to sign
    # the points are the standardised data's scores on those axes
    signs = np.sign(np.sum(load * top, axis=1))
    np.testing.assert_allclose(mixed_anim.fit.points, Z @ (top * signs[:, None]).T, atol=1e-9)
    # the labels give each axis' share of the standardised variance
    labels = mixed_anim.ax.get_xlabel(), mixed_anim.ax.get_ylabel()
    shares = [int(PERCENT.match(lab).group(2)) for lab in labels]
    assert all(PERCENT.match(lab).group(3) for lab in labels)
    assert shares == [round(100 * v / vals.sum()) for v in vals[:2]]
    # unlike the raw covariance, where dollars take PC1 by their unit alone
    raw = gmm_transforms.pca_projection(X)[2]
    assert raw[0] > 0.999 and shares[0] < 90


def test_shares_sum_to_the_whole_variance():
    X = mixed_units_table().to_numpy()
    scale = X.std(axis=0)
    P, _, explained = gmm_transforms.pca_projection(X, scale)
    d = X.shape[1]
    full = np.linalg.eigvalsh(np.cov(X / scale, rowvar=False, bias=True))
    assert full.sum() == pytest.approx(d)                  # standardised: trace = d
    np.testing.assert_allclose(explained, np.sort(full)[::-1][:2] / d, rtol=1e-10)
    assert 0 < explained.sum() <= 1
    np.testing.assert_allclose(P @ P.T, np.eye(2), atol=1e-12)


def test_the_states_are_the_projection_of_the_fit(mixed_anim):
    fit = mixed_anim.fit
    last = mixed_anim.fit.user_states()[-1]                           # user units, 3-D
    shown = mixed_anim.history[-1]
    X = mixed_units_table().to_numpy()
    mean, sd = X.mean(axis=0), X.std(axis=0)
    load = loadings(fit)
    fit_means = (last.means - mean) / sd
    fit_covs = last.covariances / np.outer(sd, sd)
    np.testing.assert_allclose(shown.means, fit_means @ load.T, atol=1e-9)
    np.testing.assert_allclose(shown.covariances, load @ fit_covs @ load.T, atol=1e-9)


def test_arrows_point_along_each_columns_loading(mixed_anim):
    scene = mixed_anim.scene
    assert isinstance(scene, BiplotScene) and isinstance(scene, gmm_scene.Scene)
    view = next(v for v in mixed_anim.views if isinstance(v, LoadingsView))
    load = loadings(mixed_anim.fit)
    assert [t.get_text() for t in view.labels] == ["price_usd", "year", "debt_ratio"]
    for arrow, column in zip(view.arrows, load.T):
        tip = np.array(arrow.xy)
        assert tip @ column > 0
        assert abs(tip[0] * column[1] - tip[1] * column[0]) < 1e-12 * max(1, np.abs(tip).max())
    xlim, ylim = mixed_anim.ax.get_xlim(), mixed_anim.ax.get_ylim()
    longest = max(np.hypot(*np.array(a.xy)) for a in view.arrows)
    assert longest == pytest.approx(0.8 * 0.5 * min(xlim[1] - xlim[0], ylim[1] - ylim[0]))


def test_arrow_tips_and_label_spreading():
    tips, factor = arrow_tips(np.array([[1.0, 0.0], [0.0, 0.5]]), (-2, 2), (-1, 1))
    np.testing.assert_allclose(tips, [[0.8, 0.0], [0.0, 0.4]])
    assert factor == pytest.approx(0.8)
    down = spread_labels(np.array([[100.0, 50.0], [105.0, 48.0], [300.0, 49.0]]), (40.0, 10.0))
    assert down[0] == 0 and down[2] == 0 and down[1] <= -(10.0 - 2.0)


def test_iris_columns_share_units_and_say_so():
    anim = animate(pd.read_csv(IRIS), 3, random_state=0, max_iter=2, view="pca").animator
    labels = anim.ax.get_xlabel(), anim.ax.get_ylabel()
    assert all(PERCENT.match(lab) and not PERCENT.match(lab).group(3) for lab in labels)
    assert labels[0] == "PC1, 92% of the variance"        # the classic iris PCA


def test_dims_keep_two_columns_in_their_units():
    table = mixed_units_table()
    anim = animate(table, 3, random_state=1, max_iter=2, dims=(2, 0)).animator
    assert anim.fit.view == "dims" and type(anim.scene).__name__ == "ScatterScene"
    np.testing.assert_allclose(anim.fit.points, table.to_numpy()[:, [2, 0]])
    assert (anim.ax.get_xlabel(), anim.ax.get_ylabel()) == ("debt_ratio", "price_usd")
    default = animate(table, 3, random_state=1, max_iter=2, view="dims").animator
    np.testing.assert_allclose(default.fit.points, table.to_numpy()[:, [0, 1]])


def test_mouse_positions_lift_to_the_view_plane(mixed_anim):
    fit = mixed_anim.fit
    y = np.array([[0.5, -0.25], [0.0, 0.0]])
    z = fit.to_fit_units(y)
    load = loadings(fit)
    np.testing.assert_allclose(z @ load.T, y, atol=1e-12)       # lands where it was clicked
    np.testing.assert_allclose(z[1], 0.0, atol=1e-12)           # the origin: the data's mean
