"""The look every scene and panel shares: component colours and line styles,
z-orders, the means' markers, the ``iter t / T`` header, plain tick labels,
text that fits, and screen positions of scene coordinates for the mouse.

A *view* (:class:`gmm_scene.View`) draws one thing. It creates its artists
once on an ``ax`` in ``__init__`` and changes them in ``update(state) ->
list[Artist]``, where ``state`` is a :class:`gmm.GMMState` already in display
units (views know nothing about standardisation or projection). Every view
lists all the artists it owns in ``artists`` so an animator can draw them
itself.

z-order: points < true components < fitted components < means < text, so a
small component's ellipse is never hidden under its points. The scenes'
own marks live in :mod:`gmm_scene2d` (points, ellipses) and
:mod:`gmm_scene1d` (histogram, curves); the panels in :mod:`gmm_teaching`.
"""

import unicodedata

import numpy as np
from matplotlib.colors import to_rgba_array
from matplotlib.markers import MarkerStyle
from matplotlib.mathtext import MathTextParser
from matplotlib.ticker import ScalarFormatter

from gmm_layers import GlyphText
from gmm_scene import BaseView

__all__ = [
    "DEFAULT_N_STD",
    "Z_POINTS", "Z_TRUE", "Z_FIT", "Z_MEANS", "Z_TEXT",
    "component_colors",
    "component_styles",
    "MeansView",
    "IterationText",
    "fit_text",
    "check_title",
    "is_math_text",
    "PlainTickFormatter",
    "plain_ticks",
    "drawn_positions",
    "pixels",
    "nearest",
]

#: Mahalanobis radius of every drawn ellipse: the contour c = 2 (semi-axes
#: sqrt(2) * sigma), one level for fitted and true ellipses alike.
DEFAULT_N_STD = float(np.sqrt(2.0))

Z_POINTS, Z_TRUE, Z_FIT, Z_MEANS, Z_TEXT = 1.0, 2.0, 3.0, 4.0, 5.0

TRUE_COLOR = "0.45"
POINT_ALPHA = 0.5


#: 20 saturated colours, distinct on a projector (at least 20 apart in CIELAB):
#: tab10 with black for its gray (the true components are gray), then ten darker
#: or more vivid hues (tab20's pale half washes out on a bright screen)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#000000", "#bcbd22", "#17becf", "#393b79", "#ff1493", "#637939", "#f032e6",
           "#8c6d31", "#00a087", "#0000ff", "#4363d8", "#7b4173", "#004d40")
#: outline of a fitted ellipse and marker of its mean, per pass through :data:`PALETTE`
CYCLE_LINESTYLES = ("-", (0, (1.2, 1.2)), (0, (6, 2, 1.2, 2)), (0, (3, 1.2)))
CYCLE_MARKERS = ("+", "x", "1", "*")


def component_colors(n_components):
    """Stable, distinct, saturated colours for components ``0 .. n_components-1``.

    Component ``j`` gets ``PALETTE[j % 20]`` for every ``n_components``; past
    20 the colours repeat, and :func:`component_styles` gives the repeats a
    different outline and mean marker, so no two components look the same.

    Parameters
    ----------
    n_components : int
        Number of components, >= 1.

    Returns
    -------
    colors : ndarray, shape (n_components, 4)
        RGBA in [0, 1], alpha 1.
    """
    k = int(n_components)
    if k < 1:
        raise ValueError(f"n_components must be >= 1, got {k}")
    return to_rgba_array([PALETTE[j % len(PALETTE)] for j in range(k)])


def component_styles(n_components):
    """``(linestyle, marker)`` of each component: one pair per pass through the palette.

    Components ``j`` and ``j + 20`` share a colour, so they differ here
    (solid / dotted / dash-dot / dashed outline, ``+`` / ``x`` / tri / star
    mean); beyond 80 components the pairs repeat with the colour.
    """
    passes = len(CYCLE_LINESTYLES)
    return [(CYCLE_LINESTYLES[(j // len(PALETTE)) % passes],
             CYCLE_MARKERS[(j // len(PALETTE)) % passes]) for j in range(int(n_components))]


class MeansView(BaseView):
    """Coloured ``+`` at each component mean, outlined in black (past 20
    components another marker per pass, see :func:`component_styles`)."""

    def __init__(self, ax, colors, *, size=160.0, clip_on=True):
        colors = np.asarray(colors)
        start = np.zeros((len(colors), 2))
        self.halo = ax.scatter(start[:, 0], start[:, 1], marker="+", s=size * 1.15, c="black",
                               linewidths=4.0, zorder=Z_MEANS, clip_on=clip_on)
        self.marks = ax.scatter(start[:, 0], start[:, 1], marker="+", s=size, c=colors,
                                linewidths=2.5, zorder=Z_MEANS + 0.01, clip_on=clip_on)
        markers = [m for _, m in component_styles(len(colors))]
        if len(set(markers)) > 1:
            paths = [MarkerStyle(m).get_path().transformed(MarkerStyle(m).get_transform())
                     for m in markers]
            self.halo.set_paths(paths)
            self.marks.set_paths(paths)
        self.artists = [self.halo, self.marks]

    def update(self, state):
        """Move the markers to ``state.means`` (shape (k, 2))."""
        return self.place(np.asarray(state.means, dtype=float)[:, :2])

    def place(self, xy):
        """Put the markers at ``xy`` (shape (k, 2), data coordinates)."""
        self.halo.set_offsets(xy)
        self.marks.set_offsets(xy)
        return [self.halo, self.marks]


class IterationText(BaseView):
    """``iter t / T   log-likelihood ll`` above the axes, right-aligned
    (monospace; the left corner stays free for the y axis offset text).

    T is ``last()`` when given (the last iteration computed so far: the
    run's last once EM has stopped), else ``max_iter``. The last state says
    ``(converged)`` when the stopping rule fired, and, with ``tol > 0``,
    that ``-i`` ran out when it reached ``max_iter`` instead.

    ``label``, ``value`` and ``spec`` name the quantity shown after the
    iteration (default: the state's ``log_likelihood`` as ``.4f``; ``value(state)``
    gives another number). A text
    wider than the axes plus ``LEFT_ALLOWANCE`` pixels (its column of the
    figure) is drawn in a smaller font, so it never runs off the figure or
    into a neighbouring panel's text.
    """

    #: pixels left of the axes the text may use (the scene's tick-label margin)
    LEFT_ALLOWANCE = 56
    #: advance of one DejaVu Sans Mono character, in ems
    CHAR_EM = 0.602

    def __init__(self, ax, max_iter, *, fontsize=10, label="log-likelihood",
                 value=None, spec=".4f", last=None, tol=0.0):
        self.max_iter = int(max_iter)
        self.last, self.tol = last, float(tol)
        self._width = len(str(self.max_iter))
        self.label, self.spec = label, spec
        self.value = (lambda state: state.log_likelihood) if value is None else value
        self.fontsize = float(fontsize)
        self.ax = ax
        self.text = ax.text(1.0, 1.015, "", transform=ax.transAxes, ha="right", va="bottom",
                            family="monospace", fontsize=fontsize, zorder=Z_TEXT)
        self.artists = [GlyphText(self.text)]       # a few characters change per frame

    def format(self, state):
        """The label for ``state``."""
        value = format(self.value(state), self.spec)
        end = self.max_iter if self.last is None else max(int(self.last()), state.iteration)
        s = f"iter {state.iteration:>{self._width}d} / {end}   {self.label} {value}"
        if state.converged:
            s += "   (converged)"
        elif self.tol > 0 and state.iteration == self.max_iter > 0:
            s += "   (-i ran out: not converged)"
        return s

    def fitting_fontsize(self, text):
        """Largest font size <= ``fontsize`` (at least 4) at which ``text`` fits.

        Estimated from the monospace advance; when that is within hinting's
        rounding of the room (glyph advances are rounded to whole pixels, up
        to about 0.6 pixel each at small sizes), measured on the drawn text.
        """
        fig = self.ax.figure
        fig_w = fig.get_figwidth() * fig.dpi
        x0, _, w, _ = self.ax.get_position().bounds
        right = min((x0 + w) * fig_w, fig_w)
        room = right - max(0.0, x0 * fig_w - self.LEFT_ALLOWANCE)
        longest = max((len(line) for line in text.splitlines()), default=0)
        advance = self.CHAR_EM * self.fontsize * fig.dpi / 72.0
        if longest * (advance + 0.6) <= room:
            return self.fontsize
        size = max(4.0, min(self.fontsize, self.fontsize * room / max(longest * advance, 1.0)))
        renderer = fig.canvas.get_renderer()
        self.text.set_text(text)
        for _ in range(12):                 # a few steps of about 4%
            self.text.set_fontsize(size)
            if size <= 4.0 or self.text.get_window_extent(renderer).width <= room:
                break
            size = max(4.0, 0.96 * size)
        return size

    def update(self, state):
        s = self.format(state)
        self.text.set_text(s)
        self.text.set_fontsize(self.fitting_fontsize(s))
        return self.artists


class PlainTickFormatter(ScalarFormatter):
    """Tick labels that are the coordinates themselves, not an offset.

    matplotlib's default writes GPS-like data as ``0.00005`` beside an offset
    ``+4.55e1``, which is easy to misread; this formatter writes ``45.50005``.
    Powers of ten are used only from 1e7 up and below 1e-5 (a ``1e-6`` label at
    the axis end, as usual). The widest label of the first draw (at least
    ``min_chars``) is the width the figure was laid out for: if zooming in the
    live window would make plain labels wider than that, this draw falls back
    to matplotlib's offset notation instead of cutting labels off.

    Parameters
    ----------
    min_chars : int, default 8
        Labels up to this many characters always stay plain.
    """

    def __init__(self, min_chars=8):
        super().__init__(useOffset=False)
        self.set_powerlimits((-5, 7))
        self.min_chars = min_chars
        self.budget = None

    def set_locs(self, locs):
        self.set_useOffset(False)
        super().set_locs(locs)
        width = max((len(self(x)) for x in locs), default=0)
        if self.budget is None:
            self.budget = max(width, self.min_chars)
        elif width > self.budget:
            self.set_useOffset(True)
            super().set_locs(locs)


def plain_ticks(ax, labelsize=8):
    """Give ``ax`` :class:`PlainTickFormatter` tick labels (one per axis) of ``labelsize``.

    Returns
    -------
    (PlainTickFormatter, PlainTickFormatter)
        The x and y formatters.
    """
    ax.tick_params(labelsize=labelsize)
    formatters = PlainTickFormatter(), PlainTickFormatter()
    ax.xaxis.set_major_formatter(formatters[0])
    ax.yaxis.set_major_formatter(formatters[1])
    return formatters


def fit_text(text, max_px, *, min_fontsize=6.0):
    """Shrink ``text`` (a matplotlib Text) until it is at most ``max_px`` long.

    The font size goes down proportionally, to ``min_fontsize`` at least; a
    text still too long is then cut, ending in an ellipsis. A vertical text
    (a y-axis label) is measured by its height. The cut is found by
    bisection: O(log n) measurements of ever shorter prefixes, so the work
    grows linearly with the length n of the text. Mathtext is only cut
    between ``$...$`` segments, so what is left still parses.

    Returns
    -------
    float
        The length of the text in pixels afterwards.
    """
    renderer = text.get_figure().canvas.get_renderer()
    vertical = abs(text.get_rotation() % 180 - 90) < 1e-6

    def length():
        bbox = text.get_window_extent(renderer)
        return bbox.height if vertical else bbox.width

    now = length()
    if now <= max_px or not text.get_text():
        return now
    text.set_fontsize(max(min_fontsize, text.get_fontsize() * max_px / now))
    if length() <= max_px:
        return length()
    full = text.get_text()
    if not is_math_text(full):
        text.set_parse_math(False)  # a prefix of plain text may hold an even number of '$'
    cuts = _cut_points(full)

    def fits(i):
        text.set_text(full[:cuts[i]].rstrip() + "\u2026")
        return length() <= max_px

    lo, hi = 0, len(cuts)       # cuts[:lo] fit (or lo == 0), cuts[hi:] do not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    fits(lo)
    return length()


def is_math_text(s):
    """Whether matplotlib reads ``s`` as mathtext: an even number (> 0) of unescaped '$'."""
    dollars = s.count("$") - s.count("\\$")
    return dollars > 0 and dollars % 2 == 0




def _cut_points(s):
    """Prefix lengths (ascending, from 1) at which ``s`` may be cut: all of them for plain
    text; for mathtext only those outside ``$...$`` segments."""
    if not is_math_text(s):
        return list(range(1, len(s)))
    cuts, inside, escaped = [], False, False
    for i, ch in enumerate(s):
        if ch == "$" and not escaped:
            inside = not inside
        escaped = ch == "\\" and not escaped
        if not inside and i + 1 < len(s):
            cuts.append(i + 1)
    return cuts or [len(s)]




def check_title(title):
    """``title`` if matplotlib can draw it, else ValueError saying how to fix it.

    Refused: control characters (they draw as boxes; a line break too, as
    the figure keeps room for one line of title), text that is not valid
    Unicode, and mathtext (text between ``$`` signs) that matplotlib cannot
    parse.
    """
    for i, ch in enumerate(title):
        if unicodedata.category(ch) in ("Cc", "Cs"):
            what = "a line break" if ch in "\r\n" else "the control character"
            raise ValueError(f"holds {what} {ch!r} (U+{ord(ch):04X}) at position {i}; a "
                             "title is one line of text: remove it")
    if not is_math_text(title):
        return title
    try:
        MathTextParser("path").parse(title)
    except ValueError as exc:
        why = " ".join(str(exc).split())
        why = why.rpartition("Exception: ")[2].partition(", (line:")[0][:100]
        raise ValueError(f"is not valid mathtext ({why}); close every $...$ segment and "
                         "brace, or write a literal dollar sign as \\$") from None
    return title


def drawn_positions(coords):
    """Axes data positions (m, 2) of scene coordinates (m, v): with one coordinate
    (v = 1, a position on the x axis, as a 1-D scene's means) y is 0."""
    xy = np.atleast_2d(np.asarray(coords, dtype=float))
    if xy.shape[1] == 1:
        xy = np.column_stack([xy[:, 0], np.zeros(len(xy))])
    return xy[:, :2]


def pixels(ax, coords):
    """Display pixels (m, 2) of scene coordinates (m, v) on ``ax``, drawn at
    :func:`drawn_positions`."""
    return ax.transData.transform(drawn_positions(coords))


def nearest(ax, coords, event, *, along_x):
    """Index of the row of ``coords`` (m, v) nearest the mouse ``event`` on the
    screen, and its distance in pixels: along x only when ``along_x``, else to
    the drawn position (:func:`pixels`)."""
    delta = pixels(ax, coords) - np.array([event.x, event.y])
    if along_x:
        delta[:, 1] = 0.0
    dist = np.hypot(delta[:, 0], delta[:, 1])
    j = int(np.argmin(dist))
    return j, float(dist[j])
