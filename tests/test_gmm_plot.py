"""Tests for gmm_plot, the look every scene shares: colours, the means' markers,
the iteration header, plain tick labels, screen positions for the mouse (Agg)."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import gmm_plot


def test_component_colors_stable_and_distinct():
    c5, c10, c20 = (gmm_plot.component_colors(k) for k in (5, 10, 20))
    np.testing.assert_array_equal(c5, c10[:5])
    np.testing.assert_array_equal(c10, c20[:10])
    for k in (1, 3, 10, 20, 21, 37, 50, 80):
        c = gmm_plot.component_colors(k)
        assert c.shape == (k, 4)
        assert len({tuple(np.round(row, 6)) for row in c}) == min(k, 20)
        # past 20 a colour repeats, but never with the same outline and mean marker
        looks = {(tuple(np.round(row, 6)), str(style), marker)
                 for row, (style, marker) in zip(c, gmm_plot.component_styles(k))}
        assert len(looks) == k
    with pytest.raises(ValueError):
        gmm_plot.component_colors(0)


def _lab(rgb):
    """CIELAB (D65) of sRGB colours in [0, 1], shape (m, 3): the textbook formulas."""
    c = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = c @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]).T / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.c_[116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])]


def test_palette_is_saturated_and_distinct_on_a_projector():
    """The 20 colours differ by at least 20 CIELAB units pairwise (tab20's
    closest pair: 16.6) and none is pale: each has lightness <= 75 and is
    black or has chroma >= 24 (tab20's pale half has lightness 68-86, and all
    but one shade fail one of the two)."""
    lab = _lab(gmm_plot.component_colors(20)[:, :3])
    dist = np.linalg.norm(lab[:, None] - lab[None], axis=2) + np.eye(20) * 1e9
    assert dist.min() >= 20
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    assert np.all(lab[:, 0] <= 75)
    assert np.all((chroma >= 24) | (lab[:, 0] < 5))


def test_plain_ticks_show_coordinates_and_fall_back_to_an_offset_when_zoomed():
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.85, 0.85))
    fx, fy = gmm_plot.plain_ticks(ax)
    ax.set_xlim(512420, 512445)
    ax.set_ylim(4649765, 4649790)                   # UTM metres
    fig.canvas.draw()

    def labels(axis):
        return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]

    assert fy.get_offset() == "" and fx.get_offset() == ""
    assert "4649780" in labels(ax.yaxis) and "512430" in labels(ax.xaxis)
    assert fy.budget == 8                           # the first draw's width, at least 8
    ax.set_ylim(4649776.0, 4649776.1)               # zoomed to 10 cm: plain would be long
    fig.canvas.draw()
    assert fy.get_offset() != ""                    # matplotlib's offset instead
    assert max(len(t) for t in labels(ax.yaxis)) <= fy.budget
    ax.set_ylim(4649765, 4649790)                   # back: plain again
    fig.canvas.draw()
    assert fy.get_offset() == "" and "4649780" in labels(ax.yaxis)
    ax.set_ylim(-3e-7, 5e-7)                        # tiny values: a power of ten
    fig.canvas.draw()
    assert "1e" in fy.get_offset() and "1e" in ax.yaxis.get_offset_text().get_text()


def test_pixels_and_nearest_on_a_hand_computed_transform():
    """A 400 px figure, axes from 10% to 90% with limits 0..10: 32 px a unit, the
    origin at (40, 40) px; a one-coordinate position sits on the x axis (y = 0)."""
    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    np.testing.assert_allclose(gmm_plot.pixels(ax, [[1.0, 2.0]]), [[72.0, 104.0]])
    np.testing.assert_allclose(gmm_plot.pixels(ax, [[1.0]]), [[72.0, 40.0]])
    coords = np.array([[1.0, 2.0], [2.0, 6.0], [9.0, 9.0]])
    event = type("Event", (), {"x": 75.0, "y": 200.0})()
    j, dist = gmm_plot.nearest(ax, coords, event, along_x=False)
    assert j == 1 and dist == pytest.approx(np.hypot(29.0, 32.0))
    j, dist = gmm_plot.nearest(ax, coords, event, along_x=True)
    assert j == 0 and dist == pytest.approx(3.0)
