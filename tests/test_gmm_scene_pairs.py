"""The scatter-matrix scene (gmm_scene_pairs): what each panel draws equals the fit's marginals."""
import os
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import gmm
import gmm_scene
import gmm_scene_pairs
from gmm_plot import MeansView
from gmm_scene1d import DensityCurvesView, HistogramView
from gmm_scene2d import EllipsesView, PointsView, SoftPointsView, UncertaintyView
from gmm_scene_pairs import MarginalView, PairsScene, marginal, panel_rects
from readme_commands import MORE_COLUMNS_COMMANDS
from visualize_gmm import animate, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IRIS = os.path.join(ROOT, "examples", "iris.csv")


def iris():
    return pd.read_csv(IRIS)


def mixed_units_table(n=600, seed=7):
    """A pandas table as users bring them: dollars, years and a ratio, three groups."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    price = np.array([18000.0, 42000.0, 95000.0])[group] * np.exp(rng.normal(0, 0.15, n))
    year = np.array([1996.0, 2008.0, 2018.0])[group] + rng.normal(0, 3, n)
    ratio = np.clip(np.array([0.2, 0.5, 0.35])[group] + rng.normal(0, 0.06, n), 0, 1)
    return pd.DataFrame({"price_usd": price.round(2), "year": year.round(1),
                         "debt_ratio": ratio.round(4)})


def inner_views(anim, kind):
    """``{columns: view}`` of the panels' wrapped views of type ``kind``."""
    return {v.columns: v.view for v in anim.views
            if isinstance(v, MarginalView) and type(v.view) is kind}


def ellipse_vertices(patch):
    """Points on the drawn ellipse's outline in data coordinates, (m, 2): each path
    segment's end point (Bezier control points are off the curve)."""
    ends = [verts[-2:] for verts, _ in patch.get_path().iter_segments(simplify=False)
            if len(verts)]
    return patch.get_patch_transform().transform(np.array(ends))


@pytest.fixture(scope="module")
def iris_anim():
    anim = animate(iris(), 3, random_state=0, max_iter=15).animator
    anim.run()
    anim.render(len(anim.history) - 1)
    return anim


def test_the_scene_follows_the_protocol(iris_anim):
    assert isinstance(iris_anim.scene, PairsScene)
    assert isinstance(iris_anim.scene, gmm_scene.Scene)
    assert all(isinstance(v, gmm_scene.View) for v in iris_anim.views)
    # every pair once (below the diagonal) and every column on the diagonal
    assert sorted(iris_anim.scene.panels) == [(r, c) for r in range(4) for c in range(r + 1)]


def test_each_panels_ellipse_is_the_marginal_covariance_in_user_units(iris_anim):
    last = iris_anim.fit.user_states()[-1]                         # user units, 4-D
    ellipses = inner_views(iris_anim, EllipsesView)
    assert len(ellipses) == 6
    for (j, i), view in ellipses.items():               # column j across, column i up
        ax = iris_anim.scene.panels[(i, j)]
        assert ax.get_xlabel() in ("", "sepal_length sepal_width petal_length".split()[j])
        for c, patch in enumerate(view.patches):
            mu = last.means[c][[j, i]]
            S = last.covariances[c][[j, i]][:, [j, i]]
            xy = ellipse_vertices(patch) - mu
            maha = np.einsum("ma,ab,mb->m", xy, np.linalg.inv(S), xy)
            np.testing.assert_allclose(maha, 2.0, rtol=1e-9)    # sqrt(2) sigma, as everywhere
    means = inner_views(iris_anim, MeansView)
    for (j, i), view in means.items():
        np.testing.assert_allclose(view.marks.get_offsets(), last.means[:, [j, i]])


def test_diagonal_density_is_the_mixtures_marginal(iris_anim):
    last = iris_anim.fit.user_states()[-1]
    curves = inner_views(iris_anim, DensityCurvesView)
    assert sorted(curves) == [(0,), (1,), (2,), (3,)]
    for (c,), view in curves.items():
        x = view.grid
        expected = sum(w * stats.norm.pdf(x, m[c], np.sqrt(S[c, c]))
                       for w, m, S in zip(last.weights, last.means, last.covariances))
        np.testing.assert_allclose(view.total.get_ydata(), expected, rtol=1e-9, atol=1e-300)
        # the histogram integrates to 1 like the density, over the column's own limits
        hist = iris_anim.scene.histograms[c]
        assert np.sum(hist.density * np.diff(hist.edges)) == pytest.approx(1.0)
        assert iris_anim.scene.panels[(c, c)].get_xlim() == pytest.approx(hist.xlim)


def test_points_are_the_columns_in_user_units():
    X = iris()
    anim = animate(X, 3, random_state=0, max_iter=2).animator
    anim.render(0)
    points = inner_views(anim, PointsView)
    for (j, i), view in points.items():
        np.testing.assert_allclose(view.artist.get_offsets(), X.to_numpy()[:, [j, i]])


def test_marginal_keeps_weights_and_labels():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(2, 4, 4))
    state = gmm.GMMState(3, np.array([0.3, 0.7]), rng.normal(size=(2, 4)),
                         A @ np.swapaxes(A, 1, 2), -1.5, rng.integers(0, 2, 9))
    sub = marginal(state, (3, 1))
    assert sub.means.shape == (2, 2) and sub.covariances.shape == (2, 2, 2)
    np.testing.assert_array_equal(sub.means, state.means[:, [3, 1]])
    np.testing.assert_array_equal(sub.covariances[1], state.covariances[1][[3, 1]][:, [3, 1]])
    assert sub.weights is state.weights and sub.labels is state.labels
    assert (sub.iteration, sub.log_likelihood) == (3, -1.5)


def test_panel_rects_tile_the_square_with_gaps():
    rects = panel_rects(3, 0.02)
    assert rects[(0, 0)][1] + rects[(0, 0)][3] == pytest.approx(1.0)    # row 0 at the top
    assert rects[(2, 2)][0] + rects[(2, 2)][2] == pytest.approx(1.0)
    assert rects[(1, 1)][0] - (rects[(1, 0)][0] + rects[(1, 0)][2]) == pytest.approx(0.02)


@pytest.mark.parametrize("d", [3, 4, 5, 6, 7, 8])
def test_default_view_by_number_of_columns(d):
    X = np.random.default_rng(d).normal(size=(200, d)) * np.arange(1, d + 1) ** 3
    anim = animate(X, 2, random_state=0, max_iter=1).animator
    frame = anim.render(1)
    assert frame.shape[:2] == anim.size[::-1]
    assert anim.fit.view == ("pairs" if d <= 6 else "pca")
    if d <= 6:
        assert len(anim.scene.panels) == d * (d + 1) // 2


def test_mixed_units_table_each_column_in_its_units():
    table = mixed_units_table()
    anim = animate(table, 3, random_state=1, max_iter=40).animator
    anim.run()
    anim.render(len(anim.history) - 1)
    scene = anim.scene
    for c, name in enumerate(table.columns):
        low, high = table[name].min(), table[name].max()
        xlim = scene.panels[(2, c)].get_xlim()
        assert xlim[0] < low and high < xlim[1]
        assert (xlim[1] - xlim[0]) < 1.3 * (high - low)         # its own scale, not a shared one
    assert scene.panels[(2, 0)].get_xlabel() == "price_usd"
    assert scene.panels[(1, 0)].get_ylabel() == "year"


def test_teaching_flags_share_one_responsibility_array_per_frame():
    anim = animate(iris(), 3, random_state=0, max_iter=3, soft=True, uncertainty=True,
                   ll_panel=True).animator
    anim.render(2)
    soft = inner_views(anim, SoftPointsView)
    sized = [v for v in anim.views if isinstance(v, UncertaintyView)]
    bars = [v.view for v in anim.views if isinstance(v, MarginalView)
            and isinstance(v.view, HistogramView)]
    assert len(soft) == len(sized) == 6 and len(bars) == 4
    shared = {id(v.responsibilities) for v in list(soft.values()) + sized + bars}
    assert len(shared) == 1                        # one (n, k) array per frame for all panels
    resp = anim.fit.responsibilities(anim.history[2])
    np.testing.assert_allclose(next(iter(sized)).responsibilities(anim.history[2]), resp)
    assert "ll" in anim.panels


def test_hide_flags_leave_views_out():
    anim = animate(iris(), 3, random_state=0, max_iter=1, show_covariances=False,
                   show_means=False).animator
    assert not inner_views(anim, EllipsesView) and not inner_views(anim, MeansView)
    anim.render(0)


def test_edits_are_refused_with_a_note(iris_anim):
    note = iris_anim.scene.edit_refusal(iris_anim)
    assert "--view pca" in note and "--dims" in note
    # no click reaches the window's mouse: the scene axes has no hit area
    middle = iris_anim.ax.transAxes.transform((0.3, 0.3))
    assert iris_anim.canvas.inaxes(middle) is None


def test_large_tables_draw_points_as_images():
    X = np.random.default_rng(0).normal(size=(100_000, 4)) * [1, 10, 100, 1000]
    anim = animate(X, 2, random_state=0, max_iter=1).animator
    anim.render(1)
    assert all(v.mode == "image" for v in inner_views(anim, PointsView).values())
    assert gmm_scene_pairs.PANEL_IMAGE_THRESHOLD < 100_000


@pytest.mark.parametrize("extra, fragment", [
    (["--view", "bogus"], "invalid choice: 'bogus'"),
    (["--view", ""], "invalid choice"),
    (["--view", "pca", "--dims", "0", "1"], "--view pca draws every column"),
    (["--view", "pairs", "--contours"], "--contours draws in one 2-D panel"),
    (["--view", "pairs", "--compare", "kmeans"], "--compare kmeans draws in one 2-D panel"),
])
def test_bad_views_are_one_error_line(tmp_path, capsys, extra, fragment):
    out = tmp_path / "o.png"
    status = main(["-k", "3", "--load_path", IRIS, "-i", "1", "-s", str(out)] + extra)
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert fragment in err and not out.exists()


def test_views_need_three_columns_and_pairs_at_most_ten(tmp_path, capsys):
    two = tmp_path / "two.csv"
    pd.DataFrame({"a": range(30), "b": np.arange(30) ** 2}).to_csv(two, index=False)
    wide = tmp_path / "wide.npy"
    np.save(wide, np.random.default_rng(0).normal(size=(40, 11)))
    for path, view, fragment in [(two, "pairs", "3 or more columns"),
                                 (wide, "pairs", "at most 10 columns")]:
        status = main(["-k", "2", "--load_path", str(path), "--view", view, "-s",
                       str(tmp_path / "o.png")])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1 and fragment in err, err
    assert main(["-k", "2", "--load_path", str(wide), "--view", "pca", "-i", "1", "-q", "-s",
                 str(tmp_path / "o.png")]) == 0


def test_size_and_dpi_are_kept(tmp_path):
    from PIL import Image
    out = tmp_path / "o.png"
    assert main(["-k", "3", "--load_path", IRIS, "-i", "2", "-q", "--ll-panel", "--size", "6",
                 "4", "--dpi", "150", "-s", str(out)]) == 0
    assert Image.open(out).size == (900, 600)


@pytest.mark.parametrize("command", MORE_COLUMNS_COMMANDS)
def test_more_columns_page_commands_verbatim(tmp_path, monkeypatch, captured_animator, command):
    """docs/more-columns.md's commands as shown: the default for iris's four columns
    is the scatter matrix, --view pca the biplot, --dims and three --columns
    draw what they say; each saves one PNG of the final frame."""
    (tmp_path / "examples").mkdir()
    shutil.copy(IRIS, tmp_path / "examples" / "iris.csv")
    monkeypatch.chdir(tmp_path)
    assert main(command.split()) == 0
    scene = captured_animator["anim"].scene
    want = (gmm_scene_pairs.PairsScene if "--view" not in command and "--dims" not in command
            else type(scene))
    assert isinstance(scene, want)
    if "--dims" in command:
        assert not isinstance(scene, gmm_scene_pairs.PairsScene)
    out = command.rsplit(" ", 1)[1]
    assert os.path.getsize(out) > 0


def test_diagonal_density_axes_tick_no_negative_values(iris_anim):
    """The diagonal's histograms are density axes: their y ticks are 0 and above,
    though the band below 0 holds the interval bars; other panels keep their
    negative ticks wherever the data has them."""
    for (row, col), ax in iris_anim.scene.panels.items():
        lo, hi = sorted(ax.get_ylim())
        ticks = [t for t in ax.yaxis.get_majorticklocs() if lo <= t <= hi]
        if row == col:
            assert lo < 0 and ticks and min(ticks) >= 0, (row, col, lo, ticks)
            assert not np.any(np.signbit(ticks))
