"""Tests for gmm_layers: a line put together from cached glyphs is matplotlib's own
drawing of it (pixel for pixel, over coloured pixels too), and every text it
cannot copy is handed to matplotlib."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from draw_reference import frame_over
from gmm_layers import GlyphText

HEADERS = ["iter  0 / 49   log-likelihood -4.9488",
           "iter 17 / 49   log-likelihood -4.0404",
           "iter 49 / 49   log-likelihood -4.0394   (converged)",
           "M-step 3 / 12   lower bound 1e+30   [k=5]"]


def _figure(ha="right"):
    """A figure with a header text over a translucent orange band (under the text's
    right half, so the blend meets coloured pixels as well as white ones)."""
    fig = Figure(figsize=(6.4, 4.16), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.875, 0.8))
    under = Rectangle((0.55, 0.88), 0.45, 0.12, transform=fig.transFigure, color="tab:orange",
                      alpha=0.6, animated=True)
    fig.add_artist(under)
    x = 1.0 if ha == "right" else 0.0
    text = ax.text(x, 1.015, "", transform=ax.transAxes, ha=ha, va="bottom",
                   family="monospace", fontsize=10, animated=True)
    return fig, under, text


@pytest.mark.parametrize("fontsize, ha", [(10, "right"), (7.5, "left"), (13, "right"),
                                          (5, "left")])
def test_cached_lines_are_matplotlibs_drawing_of_them(fontsize, ha):
    fig, under, text = _figure(ha)
    text.set_fontsize(fontsize)
    glyphs = GlyphText(text)
    blank = frame_over(fig, under, text)        # the empty string draws nothing
    for line in HEADERS:
        text.set_text(line)
        direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
        assert set(line) <= glyphs.cached                  # put together, not drawn
        assert np.abs(direct - blank).any(-1).sum() > 10 * len(line.replace(" ", ""))
        assert np.abs(cached - direct).max() <= 1, line    # at most a level of rounding
    assert not glyphs.stale


def test_a_new_size_cuts_the_glyphs_again():
    fig, under, text = _figure()
    glyphs = GlyphText(text)
    text.set_text(HEADERS[1])
    small = frame_over(fig, under, glyphs)
    text.set_fontsize(7)
    direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
    assert np.abs(cached - small).max() > 100               # not the old glyphs
    assert np.abs(cached - direct).max() <= 1


@pytest.mark.parametrize("change", ["antialiased", "font file", "off the canvas"])
def test_a_change_the_glyphs_depend_on_draws_the_new_line(change):
    fig, under, text = _figure()
    glyphs = GlyphText(text)
    text.set_text(HEADERS[1])
    frame_over(fig, under, glyphs)
    if change == "antialiased":
        text.set_antialiased(False)
    elif change == "font file":         # the same properties, another font behind them
        with matplotlib.rc_context({"font.monospace": ["DejaVu Sans"]}):
            direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
        assert np.abs(direct - frame_over(fig, under, text)).max() > 100    # it did change
        assert np.abs(cached - direct).max() <= 1
        return
    else:
        text.set_position((1.0, 1.3))       # above the canvas: nothing drawn
    direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
    assert np.abs(cached - direct).max() <= 1


def test_two_sizes_in_turn_keep_both_caches():
    fig, under, text = _figure()
    glyphs = GlyphText(text)
    text.set_text(HEADERS[2])
    for size in (10, 8, 10, 8):
        text.set_fontsize(size)
        direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
        assert np.abs(cached - direct).max() <= 1
        if size == 10:
            first = glyphs.cached
    assert glyphs.cached and first and len(glyphs._other_styles) == 1


def test_characters_that_do_not_line_up_are_left_to_matplotlib():
    fig, under, text = _figure()
    text.set_family("serif")            # proportional: letters differ in width
    glyphs = GlyphText(text)
    for line in HEADERS[:2]:
        text.set_text(line)
        direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
        assert not set(line) <= glyphs.cached         # some refused: matplotlib drew it
        assert np.array_equal(cached, direct)


@pytest.mark.parametrize("line, ha", [("iter 3\nsecond line", "right"),
                                      ("centred 3.14", "center"),
                                      ("a $\\mu$ of 2", "right"),
                                      ("résumé ∑ 3", "right")])
def test_texts_it_cannot_copy_are_drawn_by_matplotlib(line, ha):
    fig, under, text = _figure()
    text.set_horizontalalignment(ha)
    text.set_text(line)
    glyphs = GlyphText(text)
    direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
    assert np.array_equal(cached, direct)
    assert not glyphs.cached


LONG = "iter 3 / 9   log-likelihood -1.2345 " * 3
PLACES = {      # texts GlyphText must hand to matplotlib
    "wrapped": lambda text: text.set(wrap=True, text=LONG),
    "clipped": lambda text: text.set(clip_on=True, clip_box=text.axes.bbox, text=LONG),
    "no room to cut glyphs": lambda text: text.set(       # 2.6 pixels from the left edge
        transform=text.figure.transFigure, position=(0.004, 0.5), text="iter 3 / 9"),
}


@pytest.mark.parametrize("place", PLACES)
def test_wrapped_clipped_or_cramped_texts_are_drawn_by_matplotlib(place):
    fig, under, text = _figure()
    PLACES[place](text)
    glyphs = GlyphText(text)
    direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
    assert np.array_equal(cached, direct)
    assert not glyphs.cached


def test_a_vector_canvas_gets_the_text_itself():
    fig, _, text = _figure()
    text.set_text("iter 3 / 9")
    out = io.StringIO()
    renderer = RendererSVG(640, 416, out)
    GlyphText(text).draw(renderer)
    renderer.finalize()
    assert "iter 3 / 9" in out.getvalue()      # the svg names the text it draws


@settings(max_examples=25, deadline=None)
@given(line=st.text(st.sampled_from("0123456789-+.e iterlogkhd/()[]=:_|~#é¤"), max_size=60),
       fontsize=st.sampled_from([4, 6.5, 10, 12]), ha=st.sampled_from(["left", "right"]))
def test_any_line_draws_as_matplotlib_draws_it(line, fontsize, ha):
    fig, under, text = _figure(ha)
    text.set_fontsize(fontsize)
    glyphs = GlyphText(text)
    text.set_text("iter 0 / 9")            # a first line fills the cache
    frame_over(fig, under, glyphs)
    text.set_text(line)
    direct, cached = frame_over(fig, under, text), frame_over(fig, under, glyphs)
    assert np.abs(cached - direct).max() <= 2    # where small glyphs overlap: Agg rounds each
