"""Tests for gmm_animator: drawing a state, the figure's layout, the kept history.

Blitted frames equal a full redraw, the GIF palette keeps drawn colours,
texts and labels stay inside the figure, a state whose labels were dropped
for memory is drawn with labels recomputed from the fit.
"""

import itertools
import os

import numpy as np
import pytest
from PIL import Image
from scipy.stats import multivariate_normal

import gmm_animator
import gmm_history
import gmm_plot
import gmm_scene2d
import gmm_writers
import visualize_gmm
from draw_reference import assert_equals_redraw_but_legend_rounding
from visualize_gmm import main


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["-N", "300", "-k", "3", "-m", "3", "--seed", "0"]


@pytest.mark.parametrize("centre, spread, views", [
    ((-73.5673, 45.5012), 3e-5, []),                        # GPS degrees, a few metres
    ((-73.5673, 45.5012), 3e-5, ["--compare", "kmeans", "--ll-panel"]),
    ((500000.0, 4649776.0), 3.0, []),                       # UTM metres
    ((1e6, 1e6), 1.0, []),
])
def test_tick_labels_are_whole_values_and_inside_the_figure(tmp_path, captured_animator,
                                                            centre, spread, views):
    """No offset notation ("+4.55e1" beside ticks 0.0001 ... is easy to misread):
    every tick label is the coordinate itself, and no label is cut off."""
    rng = np.random.default_rng(2)
    X = np.r_[rng.normal(0, 1, (100, 2)), rng.normal([4, 2], 0.7, (100, 2))] * spread + centre
    np.save(tmp_path / "d.npy", X)
    assert main(["-k", "2", "--load_path", str(tmp_path / "d.npy"), "-i", "3", "--seed", "0",
                 "-q", "-s", str(tmp_path / "o.png")] + views) == 0
    anim = captured_animator["anim"]
    renderer = anim.canvas.get_renderer()
    scenes = [ax for ax in anim.fig.axes if ax.get_aspect() == 1.0]
    assert len(scenes) == (2 if views else 1)
    for ax in scenes:
        for axis, lo_hi in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            assert axis.get_major_formatter().get_offset() == ""
            shown = [(t.get_position(), t.get_text()) for t in axis.get_ticklabels()
                     if t.get_text()]
            assert len(shown) >= 3
            for pos, text in shown:
                value = pos[0] if axis is ax.xaxis else pos[1]
                if lo_hi[0] <= value <= lo_hi[1]:
                    assert float(text.replace("\u2212", "-")) == pytest.approx(value, rel=1e-12)
    width, height = anim.size
    for ax in anim.fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= 0 and box.x1 <= width, (box, width)
    with Image.open(tmp_path / "o.png") as im:
        assert im.size == (width, height)


@pytest.mark.parametrize("n_points", [300, 60_000])          # scatter and image modes
def test_fast_render_equals_full_redraw(n_points):
    anim = visualize_gmm.animate(None, 3, max_iter=12, tol=0, random_state=0,
                                 n_points=n_points, n_true=3).animator
    assert anim.views[0].mode == ("scatter" if n_points < 50_000 else "image")
    anim.run()          # every state known: the header's "iter t / T" is final, as in a save
    # forward, then back and forth (the live window's keys): points whose labels stay
    # are restored from saved pixels, which must never be a stale frame's
    order = [*range(13), 12, 0, 12, 11, 1, 1, 5]
    fast, reused = {}, 0
    for i in order:
        frame = anim.render(i).astype(int)
        assert fast.setdefault(i, frame) is frame or np.array_equal(fast[i], frame)
        reused += anim.layers.unchanged[0] > 0      # saved pixels of unchanged artists used
    assert reused or anim.views[0].mode == "image"     # (the image is set every frame)
    for artist in anim.artists:
        artist.set_animated(False)
    for i in (0, 3, 12):
        anim.show_state(i)
        anim.canvas.draw()
        full = np.asarray(anim.canvas.buffer_rgba())[..., :3]
        assert_equals_redraw_but_legend_rounding(fast[i], full, [anim.views[-1].legend])
    assert not np.array_equal(fast[0], fast[3])


def test_palette_quantizer_keeps_drawn_colours():
    colors = gmm_plot.component_colors(7)
    q = gmm_writers.PaletteQuantizer(colors)
    assert q.palette.shape == (256, 3)
    probe = np.round(255 * np.r_[colors[:, :3], 0.5 * colors[:, :3] + 0.5,
                                 [[1, 1, 1], [0, 0, 0], [0.45, 0.45, 0.45]]]).astype(np.uint8)
    got = q.palette[q(probe[None])[0]].astype(int)
    # every colour the views draw (full, half-transparent over white, white,
    # black, the true-ellipse gray) comes back within a 5-bit cell
    assert np.abs(got - probe).max() <= 8
    np.testing.assert_array_equal(got[-3:-1], [[255, 255, 255], [0, 0, 0]])


def test_label_budget_bounds_memory_and_saves_every_frame(tmp_path, monkeypatch,
                                                          captured_animator):
    # 300 points -> 300 bytes of uint8 labels per state; keep at most 3 states' labels
    monkeypatch.setattr(gmm_history.StateHistory, "LABEL_BUDGET_BYTES", 900)
    out = tmp_path / "x.gif"
    assert main(SMALL + ["-i", "7", "--tol", "0", "-q", "-s", str(out)]) == 0
    history = captured_animator["anim"].history
    assert len(history) == 8
    assert [s.labels is None for s in history] == [True] * 5 + [False] * 3
    assert history[-1].labels.dtype == np.uint8
    assert all(s.means.shape == (3, 2) for s in history)         # parameters are kept
    with Image.open(out) as im:
        assert im.n_frames == 8
    # a dropped state is shown with its labels recomputed from the fit (not kept)
    anim = captured_animator["anim"]
    anim.show_state(0)
    assert anim.history[0].labels is None
    points_view = next(v for v in anim.views if type(v) is gmm_scene2d.PointsView)
    X = np.asarray(points_view.artist.get_offsets())
    s0 = anim.history[0]
    logp = np.stack([np.log(w) + multivariate_normal(m, c).logpdf(X)
                     for w, m, c in zip(s0.weights, s0.means, s0.covariances)], axis=1)
    np.testing.assert_array_equal(points_view.artist.get_facecolor()[:, :3],
                                  points_view._face[logp.argmax(axis=1), :3])


def test_show_state_or_render_past_the_end_is_an_index_error():
    X = np.random.default_rng(0).normal(size=(40, 2))
    anim = visualize_gmm.animate(X, 2, max_iter=3, tol=0, random_state=0).animator
    for method in (anim.show_state, anim.render):
        with pytest.raises(IndexError, match=r"^no state 9; the run has 4 states \(0 to 3\)$"):
            method(9)
    assert anim.render(3).shape == (anim.size[1], anim.size[0], 3)


def _text_boxes(anim):
    """Window extents of every visible text of the figure, after a full draw."""
    anim.canvas.draw()
    renderer = anim.canvas.get_renderer()
    drawn = [getattr(a, "artist", a) for a in anim.artists]        # unwrap cached artists
    drawn += [getattr(t, "artist", t) for v in anim.views for t in getattr(v, "artists", [])]
    texts = [a for a in drawn if type(a).__name__ == "Text"]
    for ax in anim.fig.axes:
        texts += [ax.xaxis.label, ax.yaxis.label, ax.title]
    texts = list({id(t): t for t in texts}.values())
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts
            if t.get_visible() and t.get_text()]


def test_tall_narrow_data_texts_fit_and_do_not_overlap(tmp_path):
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(0, .05, 600), rng.normal(0, 1, 600) * 50 + np.repeat([0, 200, 400], 200)]
    for long_run in (False, True):
        anim = visualize_gmm.animate(X, 3, random_state=0, compare="kmeans", ll_panel=True,
                                     max_iter=1000 if long_run else 50).animator
        last = anim.run() - 1
        anim.render(last)
        # the scene's column is at least 480 px wide (400 px axes + margins)
        assert anim.ax.get_window_extent().width >= 399.5
        width = anim.size[0]
        boxes = _text_boxes(anim)
        for text, box in boxes:
            assert box.x0 >= -0.5 and box.x1 <= width + 0.5, (text, box)
        status = [(t, b) for t, b in boxes if t.startswith("iter ")]
        titles = [(t, b) for t, b in boxes if t.startswith(("EM:", "k-means"))]
        assert len(status) == 2 and len(titles) == 2
        for group in (status, titles):
            (_, a), (_, b) = sorted(group, key=lambda tb: tb[1].x0)
            assert a.x1 <= b.x0, group
        # each title inside its own axes
        for (text, box), ax in zip(sorted(titles, key=lambda tb: tb[1].x0),
                                   (anim.ax, anim.panels["kmeans"])):
            axbox = ax.get_window_extent()
            assert axbox.x0 <= box.x0 and box.x1 <= axbox.x1, text


def test_long_column_names_stay_inside_the_figure(tmp_path):
    X = np.random.default_rng(1).normal(size=(200, 2)) * [3, 1]
    names = ["a very long column name for the horizontal measurement in millimetres " * 2,
             "another very long column name describing the vertical measurement " * 2]
    anim = visualize_gmm.animate(X, 2, random_state=0, column_names=names, compare="kmeans").animator
    anim.render(0)
    width, height = anim.size
    renderer = anim.canvas.get_renderer()
    for ax in (anim.ax, anim.panels["kmeans"]):
        for label in (ax.xaxis.label, ax.yaxis.label):
            box = label.get_window_extent(renderer)
            assert label.get_text().endswith("\u2026")
            assert 0 <= box.x0 and box.x1 <= width and 0 <= box.y0 and box.y1 <= height


def test_default_status_text_keeps_its_font():
    anim = visualize_gmm.animate(None, 5, n_true=5, random_state=32).animator
    anim.render(0)
    text = next(v for v in anim.views if type(v).__name__ == "IterationText").text
    assert text.get_fontsize() == 10


def test_gps_like_tick_labels_and_axis_labels_stay_inside_their_column():
    rng = np.random.default_rng(0)
    X = np.c_[45.1234 + rng.normal(0, 2e-4, 400) + np.repeat([0, 8e-4], 200),
              7.5812 + rng.normal(0, 3e-4, 400)]
    anim = visualize_gmm.animate(X, 2, random_state=0, column_names=["lat", "lon"], compare="kmeans",
                                 ll_panel=True, max_iter=5).animator
    anim.render(0)
    renderer = anim.canvas.get_renderer()
    boundary = 0.0
    for ax in sorted(anim.fig.axes, key=lambda a: a.get_position().x0):
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= boundary, (ax.get_ylabel(), box.x0, boundary)
        assert ax.yaxis.label.get_window_extent(renderer).x0 >= boundary
        boundary = box.x1
    assert boundary <= anim.size[0]
    # the widened figure keeps the scene's pixel size and the drawing
    assert anim.render(0).shape == (anim.size[1], anim.size[0], 3)


PANELS = {"kmeans": ["--compare", "kmeans"], "ll": ["--ll-panel"],
          "criterion": ["--select-k", "1:2"], "curves": ["--select-k", "1:2",
                                                         "--covariance-type", "all"]}


def _with_panels(argv, panels):
    """``argv`` with the flags of ``panels`` (names of :data:`PANELS`); ``-k 2``
    unless a --select-k panel chooses k."""
    if not any(p in ("criterion", "curves") for p in panels):
        argv = argv + ["-k", "2"]
    return argv + [flag for p in panels for flag in PANELS[p]]


@pytest.mark.parametrize("dim", ["2", "1"])
@pytest.mark.parametrize("panels", [
    tuple(p for p in combination if p)
    for combination in itertools.product(("", "kmeans"), ("", "ll"), ("", "criterion", "curves"))])
def test_saved_size_is_size_times_dpi_with_every_combination_of_panels(
        tmp_path, captured_animator, dim, panels):
    """Every panel is known before the layout is computed: --size 6 4 --dpi 150 is
    900x600 pixels whichever panels stand beside the scene (the --select-k curve
    was once added after the layout was final)."""
    out = tmp_path / "a.png"
    argv = ["-d", dim, "-N", "120", "-m", "2", "-i", "2", "--seed", "0", "-q",
            "--size", "6", "4", "--dpi", "150", "--title", "T", "-s", str(out)]
    assert main(_with_panels(argv, panels)) == 0
    anim = captured_animator["anim"]
    expected = {"kmeans": "kmeans", "ll": "ll", "criterion": "criterion", "curves": "criterion"}
    assert sorted(anim.panels) == sorted(expected[p] for p in panels)
    with Image.open(out) as img:
        assert img.size == (900, 600)
    assert tuple(anim.size) == (900, 600)
    # every axes (and the title) inside the figure
    renderer = anim.canvas.get_renderer()
    for ax in anim.fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= -1 and box.x1 <= 901 and box.y0 >= -1 and box.y1 <= 601
    for text, box in _drawn_texts(anim.fig):        # each label whole, not cut
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= 900 and box.y1 <= 600, (text, box)


def _drawn_texts(fig):
    """Every drawn text of ``fig`` with its window extent, after a full draw: each
    axes' (and inset axes') axis labels, tick labels of ticks in view, title and
    texts, and the figure's texts."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = list(fig.texts)
    axes = list(fig.axes)
    axes += [child for ax in fig.axes for child in ax.child_axes]
    for ax in axes:
        texts += [ax.xaxis.label, ax.yaxis.label, ax.title] + list(ax.texts)
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())),
                               (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks():
                if lo - 1e-9 * (hi - lo) <= tick.get_loc() <= hi + 1e-9 * (hi - lo):
                    texts += [tick.label1, tick.label2]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts
            if t.get_visible() and t.get_text().strip()]


LAYOUT_DATA = {"2": ["-d", "2"], "1": ["-d", "1"],
               "pairs": ["--load_path", os.path.join(ROOT, "examples", "iris.csv")]}


@pytest.mark.parametrize("size", [None, ("19.2", "10.8"), ("4", "3")])
@pytest.mark.parametrize("data", sorted(LAYOUT_DATA))
@pytest.mark.parametrize("panels", [(), ("kmeans", "ll", "criterion"), ("ll", "curves")])
def test_every_label_tick_label_and_title_lies_inside_the_figure(
        tmp_path, captured_animator, size, data, panels):
    """No text is cut off by the figure's edge, whatever stands beside the scene
    (the 1-D --select-k panel's x label once was, below the bottom edge)."""
    if data == "pairs" and "kmeans" in panels:
        panels = tuple(p for p in panels if p != "kmeans")      # one 2-D panel only
    argv = LAYOUT_DATA[data] + ["-N", "150", "-m", "2", "-i", "2", "--seed", "0", "-q",
                                "-s", str(tmp_path / "a.png")]
    argv += ["--size", *size] if size else []
    assert main(_with_panels(argv, panels)) == 0
    anim = captured_animator["anim"]
    anim.render(len(anim.history) - 1)
    width, height = anim.size
    texts = _drawn_texts(anim.fig)
    assert len(texts) >= 8
    for text, box in texts:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, (text, box)


def test_arrange_columns_fills_a_wide_frame_by_hand():
    """Hand-derived: a 600x400 equal-aspect scene (rigid) and two 300-px side
    panels in a 1920x1080 frame. One row scales by min(1920/1200, 1080/400) = 1.6;
    the panels stacked in one column beside the scene: min(1920/900, 2.7) = 2.133,
    the scene 1280x853 and each panel 640 px wide (all the spare width) and
    half the scene's height, level with it."""
    scale, slots = gmm_animator.arrange_columns(
        [600, 300, 300], [False, True, True], [False, True, True], 400, 0, (1920, 1080))
    assert scale == pytest.approx(1920 / 900)
    tall = 400 * scale
    bottom = (1080 - tall) / 2
    np.testing.assert_allclose(slots[0], (0, bottom, 600 * scale, tall))
    np.testing.assert_allclose(slots[1], (600 * scale, bottom + tall / 2, 640, tall / 2))
    np.testing.assert_allclose(slots[2], (600 * scale, bottom, 640, tall / 2))
    # a free (1-D) scene is not made a tall strip: the panels go to a second row
    scale, slots = gmm_animator.arrange_columns(
        [640, 640, 320, 320], [True] * 4, [False, False, True, True], 480, 0, (1920, 1080))
    assert scale == pytest.approx(min(1920 / 1280, 1080 / 960))
    np.testing.assert_allclose([s[3] for s in slots], [540] * 4)
    np.testing.assert_allclose([s[2] for s in slots], [960] * 4)
    # the natural shape asks for no change: one row at scale 2, a title band kept
    scale, slots = gmm_animator.arrange_columns([600, 300], [False, True], [False, True],
                                                370, 30, (1800, 800))
    assert scale == pytest.approx(2.0)
    np.testing.assert_allclose(slots, [(0, 0, 1200, 740), (1200, 0, 600, 740)])


@pytest.mark.parametrize("argv", [
    ["-d", "1", "--ll-panel", "--compare", "kmeans", "--select-k", "1:3"],
    ["-d", "2", "--ll-panel", "--compare", "kmeans", "--select-k", "1:3"],
    ["--load_path", os.path.join(ROOT, "examples", "iris.csv"), "--ll-panel",
     "--select-k", "1:3"]])
def test_a_wide_size_frame_is_filled(tmp_path, captured_animator, argv):
    """--size 19.2 10.8 with every panel: the drawing spans at least 90% of the
    frame's width, and of its height too where no equal-aspect 2-D scene of
    wide data limits it (the 1-D one once used 45% of the height)."""
    assert main(argv + ["-N", "150", "-m", "2", "-i", "2", "--seed", "0", "-q", "--size",
                        "19.2", "10.8", "-s", str(tmp_path / "a.png")]) == 0
    anim = captured_animator["anim"]
    anim.render(len(anim.history) - 1)
    renderer = anim.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in anim.fig.axes]
    width, height = anim.size
    assert (width, height) == (1920, 1080)
    used_height = max(b.y1 for b in boxes) - min(b.y0 for b in boxes)
    assert max(b.x1 for b in boxes) - min(b.x0 for b in boxes) >= 0.9 * width
    assert used_height >= (0.6 if "-d" in argv and "2" in argv else 0.9) * height
    assert anim.ax.get_window_extent(renderer).height >= 0.4 * height
