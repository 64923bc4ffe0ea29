"""Tests for gmm_teaching, the panels beside every scene: the log-likelihood
panel, the k-means comparison (against scikit-learn's KMeans), the views of
every teaching flag together, and the gallery of docs/teaching.md redrawn pixel for pixel.
"""
import json
import os

import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, Polygon
from PIL import Image

import gmm_legend
import gmm_plot
import gmm_scene2d
import gmm_teaching
import gmm_writers
import visualize_gmm
from draw_reference import assert_equals_redraw_but_legend_rounding
from readme_commands import GALLERY_COMMANDS
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["-N", "300", "-k", "3", "-m", "3", "--seed", "0"]


# ---------------------------------------------------------------- log-likelihood panel

def test_ll_panel_curve_up_to_the_current_frame():
    anim = visualize_gmm.animate(None, 3, max_iter=6, tol=0, random_state=0, n_points=300, n_true=3,
                                 ll_panel=True).animator
    assert len(anim.fig.axes) == 2
    panel = next(v for v in anim.views if isinstance(v, gmm_teaching.LogLikelihoodPanel))
    assert panel.ax is anim.fig.axes[1] and panel.ax is anim.panels["ll"]
    for i in range(7):
        anim.render(i)
    anim.render(4)                                  # a step back shows the curve up to 4
    x, y = panel.line.get_data()
    np.testing.assert_array_equal(x, np.arange(5))
    np.testing.assert_array_equal(y, [anim.history[i].log_likelihood for i in range(5)])
    np.testing.assert_array_equal(panel.marker.get_data(), [[4], [anim.history[4].log_likelihood]])
    lo, hi = panel.ax.get_ylim()
    lls = [s.log_likelihood for s in anim.history]
    assert lo < min(lls) and hi > max(lls)          # every point inside the panel
    # the scene's axes did not move or change size
    assert anim.ax.get_position().x0 == pytest.approx(64 / (anim.size[0]))


def test_ll_panel_in_a_png_shows_the_whole_curve(tmp_path, captured_animator):
    assert main(SMALL + ["-i", "5", "--tol", "0", "--ll-panel", "-q",
                         "-s", str(tmp_path / "x.png")]) == 0
    anim = captured_animator["anim"]
    panel = next(v for v in anim.views if isinstance(v, gmm_teaching.LogLikelihoodPanel))
    assert len(panel.line.get_xdata()) == 6
    png = np.asarray(Image.open(tmp_path / "x.png").convert("RGB"))
    assert png.shape[:2] == (anim.size[1], anim.size[0])


def test_ll_panel_grows_limits_and_redraws_the_background():
    anim = visualize_gmm.animate(None, 3, max_iter=25, tol=0, random_state=0, n_points=300, n_true=3,
                                 ll_panel=True).animator
    panel = next(v for v in anim.views if isinstance(v, gmm_teaching.LogLikelihoodPanel))
    for i in range(26):
        frame = anim.render(i).copy()
    assert panel.ax.get_xlim()[1] >= 25
    for a in anim.artists:
        a.set_animated(False)
    anim.canvas.draw()
    full = np.asarray(anim.canvas.buffer_rgba())[..., :3]
    legends = [v.legend for v in anim.views if isinstance(v, gmm_legend.LegendView)]
    assert_equals_redraw_but_legend_rounding(frame, full, legends)  # fast path == full redraw


# ---------------------------------------------------------------- k-means comparison

def test_compare_kmeans_panel_matches_sklearn_from_em_start(tmp_path):
    from sklearn.cluster import KMeans
    anim = visualize_gmm.animate(None, 4, max_iter=30, random_state=2, n_points=400, n_true=4,
                                 compare="kmeans").animator
    n_frames = anim.run()
    assert len(anim.fig.axes) == 2
    follower = next(v for v in anim.views if isinstance(v, gmm_teaching.FollowerPanel))
    kax = anim.panels["kmeans"]
    titles = [t.get_text() for t in anim.ax.texts + kax.texts]
    assert any(t.startswith("EM") for t in titles) and any("k-means" in t for t in titles)
    X = anim.views[0].artist.get_offsets().data
    start = anim.history[0].means
    km_states = follower.history
    # frames run until both runs stopped
    assert n_frames == max(len(km_states), sum(1 for _ in _distinct(anim.history)))
    assert km_states[-1].converged or len(km_states) == 31
    for t in range(1, len(km_states)):
        km = KMeans(4, init=start, n_init=1, algorithm="lloyd", max_iter=t, tol=0).fit(X)
        np.testing.assert_allclose(km_states[t].means, km.cluster_centers_, rtol=1e-7,
                                   atol=1e-7)
        assert km_states[t].objective == pytest.approx(km.inertia_ / len(X), rel=1e-7)
    # what is drawn on the k-means panel at the last frame
    anim.render(n_frames - 1)
    points, voronoi, means, text = (next(v for v in follower.views if isinstance(v, cls))
                                    for cls in (gmm_scene2d.PointsView, gmm_scene2d.VoronoiView,
                                                gmm_plot.MeansView, gmm_teaching.KMeansText))
    last = km_states[-1]
    np.testing.assert_allclose(points.artist.get_facecolors()[:, :3],
                               anim.colors[last.labels, :3])
    np.testing.assert_allclose(means.marks.get_offsets(), last.means)
    assert f"{last.objective:.4g}" in text.text.get_text()
    # Voronoi cells: each vertex is at least as close to its own centre; areas fill the box
    (x0, x1), (y0, y1) = kax.get_xlim(), kax.get_ylim()
    area = 0.0
    for j, poly in enumerate(voronoi.polygons):
        d = ((poly[:, None, :] - last.means[None]) ** 2).sum(-1)
        assert np.all(d[:, j] <= d.min(axis=1) + 1e-9)
        x, y = poly[:, 0], poly[:, 1]
        area += 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    assert area == pytest.approx((x1 - x0) * (y1 - y0), rel=1e-9)
    # EM's panel shows EM's objective, k-means' its own
    assert any("log-likelihood" in v.text.get_text() for v in anim.views
               if isinstance(v, gmm_plot.IterationText)) or any(
        "log-likelihood" in t.get_text() for t in anim.ax.texts)
    assert "mean sq. distance" in text.text.get_text()


def _distinct(states):
    prev = None
    for s in states:
        if s.iteration != getattr(prev, "iteration", None):
            yield s
        prev = s


def test_compare_prints_each_em_state_once(tmp_path, capsys):
    assert main(SMALL + ["-i", "30", "--compare", "kmeans", "--print_ll", "-q",
                         "-s", str(tmp_path / "c.gif")]) == 0
    lines = capsys.readouterr().out.splitlines()
    its = [int(line.split()[1]) for line in lines]
    assert its == list(range(len(its)))


# ---------------------------------------------------------------- combinations, formats

@pytest.mark.parametrize("ext", [".gif", ".html", ".png", ".mp4"])
def test_all_views_together_with_hide_flags_in_every_format(tmp_path, captured_animator, ext):
    out = tmp_path / f"all{ext}"
    argv = SMALL + ["-i", "3", "--tol", "0", "--ll-panel", "--soft", "--compare", "kmeans",
                    "--contours", "--hide_means", "--hide_covs", "-q", "-s", str(out)]
    assert main(argv) == 0
    anim = captured_animator["anim"]
    assert out.stat().st_size > 0
    assert len(anim.fig.axes) == 3                      # EM, k-means, log-likelihood
    names = [type(v).__name__ for v in anim.views]
    assert "EllipsesView" not in names and "MeansView" not in names
    follower = next(v for v in anim.views if isinstance(v, gmm_teaching.FollowerPanel))
    assert not any(isinstance(v, gmm_plot.MeansView) for v in follower.views)
    for cls in ("SoftPointsView", "ContoursView", "LogLikelihoodPanel", "TrueEllipsesView"):
        assert cls in names
    if ext == ".png":
        img = Image.open(out)
        assert img.size == tuple(anim.size)


def test_gif_palette_keeps_soft_mixes(tmp_path, captured_animator):
    out = tmp_path / "soft.gif"
    assert main(SMALL + ["-i", "2", "--soft", "-q", "-s", str(out)]) == 0
    anim = captured_animator["anim"]
    q = gmm_writers.PaletteQuantizer(anim.palette_colors())
    c = anim.colors[:, :3]
    mix = np.round(255 * (0.5 * (c[0] + c[1]) * 0.5 + 0.5)).astype(np.uint8)   # over white
    got = q.palette[q(mix[None, None])[0, 0]].astype(int)
    assert np.abs(got - mix).max() <= 12
    assert len(anim.palette_colors()) == 3 + 3                       # k + pairwise mixes


def test_default_picture_has_no_teaching_views():
    anim = visualize_gmm.animate(None, 3, max_iter=1, random_state=0, n_points=200, n_true=3).animator
    assert [type(v).__name__ for v in anim.views] == [
        "PointsView", "TrueEllipsesView", "EllipsesView", "MeansView", "IterationText",
        "LocalMaximumNote", "LegendView"]
    assert len(anim.fig.axes) == 1
    assert anim.palette_colors().shape == (3, 3)


def test_help_lists_views_and_keys(capsys):
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for flag in ("--ll-panel", "--soft", "--compare {kmeans}", "--contours"):
        assert flag in out
    for key in ("space = pause / resume", "right/n =", "left/p =", "r = restart",
                "s = save the current frame as gmm_frame_<iter>.png", "q = quit", "h = "):
        assert key in out, key


def test_bad_compare_is_one_error_line(capsys):
    assert main(SMALL + ["--compare", "pca"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "kmeans" in err[0]
    with pytest.raises(ValueError, match="compare"):
        visualize_gmm.animate(None, 2, n_points=50, compare="pca").animator


# ------------------------------------------------------ docs/teaching.md gallery

# GALLERY_COMMANDS (tests/readme_commands.py): the commands that made
# examples/gallery/ (docs/teaching.md shows them); run verbatim below in a scratch directory


#: what each gallery command's final frame draws, as numbers (see _drawn_data);
#: regenerate with GMM_WRITE_GALLERY_DRAWN=1 when the gallery is regenerated
GALLERY_DRAWN = os.path.join(ROOT, "tests", "gallery_drawn.json")


def _drawn_data(fig):
    """The data of every drawn artist of ``fig``, axes by axes, as rows of numbers.

    Ellipses (centre, axes, angle), polygons, lines, images and scatter
    points (offsets and colours) are summarised by sums; text, spines and
    ticks are left out, so font rendering never changes the rows.
    """
    rows = []
    for n, ax in enumerate(fig.axes):
        for a in ax.get_children():
            if not a.get_visible():
                continue
            if isinstance(a, Ellipse):
                rows.append([n, "ellipse", *a.center, a.width, a.height, a.angle % 180.0])
            elif isinstance(a, Polygon):
                xy = np.asarray(a.get_xy(), float)
                rows.append([n, "polygon", len(xy), *xy.sum(0)])
            elif isinstance(a, Line2D):
                xy = np.asarray(a.get_xydata(), float)
                if len(xy):
                    rows.append([n, "line", len(xy), *np.nansum(xy, 0), *np.nansum(xy**2, 0)])
            elif isinstance(a, AxesImage):
                pixels = np.asarray(a.get_array(), float)
                rows.append([n, "image", *pixels.shape, pixels.sum(), (pixels**2).sum()])
            elif isinstance(a, PathCollection):
                xy, colours = np.asarray(a.get_offsets(), float), a.get_facecolors()
                rows.append([n, "points", len(xy), *xy.sum(0), *np.sum(colours, 0)])
            elif isinstance(a, PolyCollection):
                vertices = [p.vertices for p in a.get_paths()]
                rows.append([n, "polygons", len(vertices),
                             *np.sum([v.sum(0) for v in vertices], 0)])
    return [[float(x) if not isinstance(x, str) else x for x in row] for row in rows]


def test_gallery_commands_make_the_committed_files(tmp_path, monkeypatch, captured_animator):
    write = bool(os.environ.get("GMM_WRITE_GALLERY_DRAWN"))
    if not write:
        with open(GALLERY_DRAWN, encoding="utf-8") as fh:
            drawn_reference = json.load(fh)
    drawn_now = {}
    (tmp_path / "examples" / "gallery").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    for command in GALLERY_COMMANDS:
        assert main(command.split() + ["-q"]) == 0, command
        name = command.split()[-1]
        anim = captured_animator["anim"]
        committed = os.path.join(ROOT, name)
        assert os.path.getsize(committed) < 2**20
        with Image.open(name) as new, Image.open(committed) as old:
            assert new.size == old.size == tuple(anim.size)
            if name.endswith(".gif"):
                assert new.n_frames == old.n_frames == len(anim.history) > 10
                new.seek(new.n_frames - 1)
                old.seek(old.n_frames - 1)
            # the same final picture (tolerant of font rendering differences)
            diff = np.abs(np.asarray(new.convert("RGB"), dtype=int)
                          - np.asarray(old.convert("RGB"), dtype=int))
            assert diff.mean() < 1.0, name
            if name.endswith(".gif"):       # control: the first frame is far from the last
                old.seek(0)
                first = np.abs(np.asarray(new.convert("RGB"), dtype=int)
                               - np.asarray(old.convert("RGB"), dtype=int))
                assert first.mean() > 2.0, name
        # ... and exactly the same drawn data (a picture a few iterations off,
        # within the pixel bound, still fails here)
        drawn_now[name] = _drawn_data(anim.fig)
        if not write:
            want = drawn_reference[name]
            assert [(r[0], r[1], len(r)) for r in drawn_now[name]] == \
                [(r[0], r[1], len(r)) for r in want], name
            for got, ref in zip(drawn_now[name], want):
                np.testing.assert_allclose(got[2:], ref[2:], rtol=1e-7, atol=1e-9,
                                           err_msg=f"{name}: {got[1]}")
    if write:
        with open(GALLERY_DRAWN, "w", encoding="utf-8") as fh:
            json.dump(drawn_now, fh, indent=0)


def test_ll_panel_x_range_is_fixed_and_y_range_only_grows():
    anim = visualize_gmm.animate(None, 3, max_iter=30, tol=0, random_state=1, n_points=300, n_true=3,
                                 ll_panel=True).animator
    panel = next(v for v in anim.views if isinstance(v, gmm_teaching.LogLikelihoodPanel))
    anim.run()                  # as a save does: the run's end is known from frame 0
    xlims, ylims = [], []
    for i in range(31):
        anim.render(i)
        xlims.append(panel.ax.get_xlim())
        ylims.append(panel.ax.get_ylim())
    assert set(xlims) == {(-0.02 * 30, 1.02 * 30)}       # [0, T] from frame 0
    for (lo0, hi0), (lo1, hi1) in zip(ylims, ylims[1:]):
        assert lo1 <= lo0 and hi1 >= hi0                 # never shrinks or jumps back
    lls = [s.log_likelihood for s in anim.history]
    assert ylims[-1][0] < min(lls) and ylims[-1][1] > max(lls)


def test_ll_panel_x_range_ends_at_the_last_iteration_run():
    """Saved: 0 to the iteration EM stopped at, from frame 0. Live (states pulled
    one by one): doubling steps 10, 20, ... up to max_iter, then the end."""
    anim = visualize_gmm.animate(None, 3, max_iter=200, random_state=0, n_points=300, n_true=3,
                                 ll_panel=True).animator         # runs 40 iterations
    panel = next(v for v in anim.views if isinstance(v, gmm_teaching.LogLikelihoodPanel))
    seen = []
    for i in anim.indices():
        anim.render(i)
        seen.append(panel.ax.get_xlim()[1] / 1.02)
    last = anim.history[-1]
    assert last.converged and 10 < last.iteration < 200
    assert seen[0] == pytest.approx(10) and seen[-1] == pytest.approx(last.iteration)
    assert all(x == pytest.approx(10 * 2 ** round(np.log2(x / 10))) for x in seen[:-1])
    anim.render(0)
    assert panel.ax.get_xlim()[1] == pytest.approx(1.02 * last.iteration)


@pytest.mark.parametrize("seed", [1, 4])
def test_ll_panel_marker_never_sits_on_the_edge(seed):
    """The current point stays inside the panel (was half clipped at the top
    when a value landed just under the previous upper limit)."""
    anim = visualize_gmm.animate(None, 4, max_iter=20, tol=0, random_state=seed, n_points=400,
                                 n_true=4, init="random_from_data", ll_panel=True).animator
    panel = next(v for v in anim.views if isinstance(v, gmm_teaching.LogLikelihoodPanel))
    for i in range(21):
        anim.render(i)
        lo, hi = panel.ax.get_ylim()
        y = float(panel.marker.get_ydata()[0])
        assert lo + 0.02 * (hi - lo) <= y <= hi - 0.02 * (hi - lo), (i, y, lo, hi)



# ---------------------------------------------------------------------------
# The BIC-by-type panel: far-worse types off the scale, one-column labels
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("values, chosen, top", [
    # iris 1:9: a steep k = 1 of diag and spherical is still in range
    ([548.9, 574.0, 830.0, 853.8, 1012.2, 1522.1, 1804.1], [548.9, 574.0, 830.0], None),
    # customers: spherical 6,000 above the others, whose rise is 1,300
    ([17338.0, 17700.0, 18630.0, 24962.0, 26910.0], [17338.0, 18630.0], 18630.0),
    # a smooth far-worse tail: cut at 6 times the chosen curve's rise
    ([100.0, 110.0, 150.0, 200.0, 300.0, 500.0, 900.0], [100.0, 150.0], 300.0),
    ([100.0, 5000.0], [100.0], None),                      # one k: no rise, no cut
])
def test_readable_top_cuts_only_far_values(values, chosen, top):
    assert gmm_teaching.readable_top(values, chosen) == top


def _type_rows(table, labels=None):
    """criterion_curves rows from ``{type: [bic per k = 1, 2, ...]}``."""
    labels = labels or {}
    return [{"covariance_type": t, "k": k, "bic": v, "degenerate": False,
             "label": labels.get(t, t)}
            for t, curve in table.items() for k, v in enumerate(curve, start=1)]


def _off_scale_marks(ax):
    """The triangles alone (not diag's curve, whose marker is a triangle too)."""
    return [ln for ln in ax.lines
            if ln.get_marker() == "^" and ln.get_linestyle() == "None" and len(ln.get_xdata())]


def test_a_far_worse_type_is_marked_off_the_scale_with_its_values():
    """Spherical 2-3 times the others' BIC (a diamonds-like table): the y range
    comes from the good types, and each spherical point is a triangle at the top
    edge with its value, so the good curves keep the panel's height."""
    import matplotlib.pyplot as plt
    rows = _type_rows({"full": [32929, 30228, 29782, 29589], "tied": [32929, 32958, 31528, 31559],
                       "diag": [35746, 32659, 31614, 30726],
                       "spherical": [81126, 74086, 71216, 3.02e6]})
    fig, ax = plt.subplots()
    gmm_teaching.criterion_curves(ax, rows, (4, "full"))
    low, high = ax.get_ylim()
    assert 35746 < high < 40000 and low < 29589
    marks = _off_scale_marks(ax)
    assert sorted(m.get_xdata()[0] for m in marks) == [1, 2, 3, 4]
    assert {t.get_text() for t in ax.texts} >= {"81.1k", "74.1k", "71.2k", "3.02M"}
    assert "off the scale" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_one_column_curves_carry_the_model_labels():
    import matplotlib.pyplot as plt
    rows = _type_rows({"full": [900, 850, 860], "tied": [900, 870, 880]},
                      {"full": "full = diag = spherical (V)", "tied": "tied (E)"})
    fig, ax = plt.subplots()
    gmm_teaching.criterion_curves(ax, rows, (2, "full"))
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["full = diag = spherical (V)", "tied (E)"]
    assert "chosen: k = 2, full = diag = spherical (V)" in texts
    assert not _off_scale_marks(ax)
    plt.close(fig)


def test_compare_kmeans_on_data_read_in_blocks_is_refused_before_any_frame(tmp_path):
    """Lloyd's k-means of the panel holds the data in memory: on a memory map it is
    one clear ValueError when the figure is built (the command line's one error
    line, no file), not a failure halfway through a save."""
    import visualize_gmm
    X = np.random.default_rng(0).normal(size=(300, 2))
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    with pytest.raises(ValueError, match=r"--compare kmeans holds the data in memory, and "
                                         r"these 300 rows are read block by block"):
        visualize_gmm.animate(M, 2, compare="kmeans", max_iter=2, random_state=0).animator
    anim = visualize_gmm.animate(X, 2, compare="kmeans", max_iter=2, random_state=0).animator
    assert "kmeans" in anim.panels
