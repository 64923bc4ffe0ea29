"""Tests for gmm_legend: the emptiest corner counted by hand, legends that list
exactly what the scene and each panel draw, placed where the scene says."""

import numpy as np
import pytest

import gmm_legend
import gmm_plot
import visualize_gmm
from draw_reference import axes, frame_over


def test_emptiest_corner_counts_points_in_each_corner_box():
    # 3 points upper left, 2 upper right, 1 lower left, 0 lower right
    pts = np.array([[0.1, 0.9], [0.2, 0.8], [0.05, 0.95], [0.9, 0.9], [0.8, 0.85],
                    [0.1, 0.1]])
    assert gmm_legend.emptiest_corner(pts, (0, 1), (0, 1)) == "lower right"
    assert gmm_legend.emptiest_corner(pts, (0, 1), (0, 1),
                                      taken=("lower right",)) == "lower left"
    # a box as wide as the axes: the 5 upper points count for both upper corners;
    # a tie goes to the first corner in CORNERS order
    assert gmm_legend.emptiest_corner(pts, (0, 1), (0, 1), box=(1.0, 0.3),
                                      taken=("lower right", "lower left")) == "upper left"


def test_emptiest_corner_needs_two_columns():
    pts = np.array([[0.1, 0.1], [0.2, 0.15], [0.9, 0.9]])
    assert gmm_legend.emptiest_corner(pts, (0, 1), (0, 1)) == "upper left"
    with pytest.raises(ValueError, match=r"points must be \(n, 2\).*\(3, 1\)"):
        gmm_legend.emptiest_corner(pts[:, :1], (0, 1), (0, 1))


def test_emptiest_corner_of_a_memory_map_equals_the_array(tmp_path):
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 1, (5000, 2)) ** 3.0      # crowded in the lower left
    np.save(tmp_path / "p.npy", pts)
    mapped = np.load(tmp_path / "p.npy", mmap_mode="r")
    assert (gmm_legend.emptiest_corner(mapped, (0, 1), (0, 1))
            == gmm_legend.emptiest_corner(pts, (0, 1), (0, 1)) == "upper right")


def test_legend_view_box_is_its_extent_over_the_axes():
    fig, ax = axes(size=(400, 300))
    view = gmm_legend.LegendView(ax, [(ax.plot([], [])[0], "a label")], static=True)
    assert view.artists == [] and view.update(None) == []
    renderer = fig.canvas.get_renderer()
    extent = view.legend.get_window_extent(renderer)
    width, height = view.box()
    assert width == pytest.approx((extent.width + 8) / ax.get_window_extent().width)
    assert height == pytest.approx((extent.height + 8) / ax.get_window_extent().height)
    moving = gmm_legend.LegendView(ax, [(ax.plot([], [])[0], "b")])
    assert [a.artist for a in moving.artists] == [moving.legend]


def test_prerendered_legend_blends_to_what_drawing_it_in_place_gives():
    fig, ax = axes(size=(400, 300))
    rng = np.random.default_rng(0)
    under = ax.scatter(*rng.uniform(-4, -1, (2, 400)), s=30, c=rng.uniform(0, 1, (400, 3)),
                       alpha=0.7, animated=True)
    view = gmm_legend.LegendView(ax, [(ax.plot([], [], "o")[0], "a point"),
                                      (ax.plot([], [], "--")[0], "a line")])
    pre, = view.artists
    pre.set_animated(True)
    assert view.legend.get_animated()          # left out of the background, as the legend
    direct, blended = frame_over(fig, under, view.legend), frame_over(fig, under, pre)
    changed = np.abs(blended - frame_over(fig, under, ax.plot([], [])[0])).any(-1)
    assert changed.sum() > 500                  # the legend is there (frame and text)
    assert np.abs(blended - direct).max() <= 2  # a level or two of rounding at most
    cached = pre._layer
    frame_over(fig, under, pre)
    assert pre._layer is cached                 # unchanged: not drawn again
    view.legend.set_loc("lower right")          # a change: drawn afresh, in its new place
    moved, direct = frame_over(fig, under, pre), frame_over(fig, under, view.legend)
    assert pre._layer is not cached and np.abs(moved - direct).max() <= 2


@pytest.mark.parametrize("k, has_true, show_means, expected", [
    (3, True, True, ["mean", "true component"]),
    (3, False, False, []),
    (21, False, True, ["mean", "components 21+: dotted, x"]),
])
def test_shared_entries_follow_the_options(k, has_true, show_means, expected):
    options = type("O", (), {"show_means": show_means})()
    entries = gmm_legend.mean_true_and_cycle_entries(
        options, gmm_plot.component_colors(k), has_true=has_true)
    assert [label for _, label in entries] == expected


def test_scene_and_panels_get_their_legends_in_the_scenes_corner():
    anim = visualize_gmm.animate(None, 3, max_iter=2, random_state=0, n_points=200, n_true=3,
                                 compare="kmeans", ll_panel=True).animator
    legend = anim.ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [label for _, label in anim.scene.legend_entries()]
    box = next(v for v in anim.views if isinstance(v, gmm_legend.LegendView)
               and v.legend is legend).box()
    corner = anim.scene.place_legend(anim, box)
    anim.fig.canvas.draw()
    drawn, frame = legend.get_window_extent(), anim.ax.get_window_extent()
    assert (drawn.y0 + drawn.y1 < frame.y0 + frame.y1) == corner.startswith("lower")
    assert (drawn.x0 + drawn.x1 < frame.x0 + frame.x1) == corner.endswith("left")
    kmeans = [t.get_text() for t in anim.panels["kmeans"].get_legend().get_texts()]
    assert kmeans[0] == "k-means centre" and "true component" in kmeans
    assert [t.get_text() for t in anim.panels["ll"].get_legend().get_texts()] == [
        "EM, one point per iteration", "this frame"]
    # --compare: the panel titles run along the top, so the scene's legend is below
    assert anim.scene.place_legend(anim, box).startswith("lower")
