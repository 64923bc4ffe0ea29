"""The 1-D scene: the data as a histogram, the mixture's density and its components.

What a statistics textbook (and R's mclust) draws for a 1-D mixture, with the
look of the 2-D scene (:mod:`gmm_plot`): the same colour per component, the
same header, a legend. One EM iteration per frame:

- the data as a density-normalised histogram (bins by the Freedman-Diaconis
  rule with Sturges' as the floor, numpy's ``"auto"``: :func:`histogram_edges`), each bar in the colour of the component
  most of its points belong to, or with ``soft`` stacked by responsibility;
- the mixture density ``sum_j w_j N(x | mu_j, s_j^2)`` as a dark curve and
  each weighted component ``w_j N(x | mu_j, s_j^2)`` as a coloured curve
  (:func:`component_densities`), so the curves and the bars share one scale
  (both integrate to 1 over the line);
- each mean as a ``+`` on the axis, and below the axis the interval
  ``mu_j +- sqrt(2) s_j`` as a bar: the 1-D section of the 2-D ellipse
  (Mahalanobis radius sqrt(2), :data:`gmm_plot.DEFAULT_N_STD`);
- true components of sampled data as gray dashed curves.

The views follow the protocol of :mod:`gmm_plot` (``update(state) ->
artists``, ``artists``); states are 1-D :class:`gmm.GMMState` in display
units (means (k, 1), covariances (k, 1, 1)). :class:`gmm_animator.Animator`
picks this scene, :class:`HistogramScene` (a :class:`gmm_scene.Scene`), for
one-column data.
"""

import dataclasses
import math

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from gmm_fading import FadingView
from gmm_fading import legend_entries as fading_entries
from gmm_legend import mean_true_and_cycle_entries
from gmm_plot import (
    DEFAULT_N_STD, POINT_ALPHA, TRUE_COLOR, Z_FIT, Z_POINTS, Z_TRUE, MeansView,
    component_colors, component_styles, nearest,
)
from gmm_scene import BaseView
from gmm_steps import by_assigning
from gmm_trails import add_means_panel

#: the histogram never has more bins than this (Freedman-Diaconis gives millions
#: for heavy-tailed data, whose IQR is tiny next to its range)
MAX_BINS = 400
#: x values at which the density curves are evaluated
GRID_POINTS = 600
#: the band below the axis holding the interval bars, as a fraction of the top
STRIP = 0.2
#: headroom above the highest bar (or true curve)
HEADROOM = 1.3
#: a component curve below this fraction of the top is left out (its tails)
TAIL = 0.004
#: the curves may raise the top to at most this multiple of the bars' (a component
#: collapsing onto one value would otherwise flatten the histogram; its peak is cut)
MAX_GROWTH = 3.0
DENSITY_COLOR = "0.1"
BOUNDARY_COLOR = "0.3"
UNCERTAINTY_COLOR = "#6a3d9a"


# --------------------------------------------------------------------------- #
# Numbers: bins, densities, limits (no figures)
# --------------------------------------------------------------------------- #

def histogram_edges(x, max_bins=MAX_BINS):
    """Bin edges of ``x`` as ``numpy.histogram_bin_edges(x, "auto")`` gives them, at
    most ``max_bins`` bins.

    The Freedman-Diaconis width ``2 IQR n^(-1/3)``, but never wider than
    Sturges' ``range / (log2 n + 1)`` (for few points, or two clusters whose
    gap inflates the IQR, Freedman-Diaconis alone gives a handful of bars;
    R's ``hist`` uses Sturges) and never narrower than ``range / (2 sqrt(n))``
    (heavy tails, or an IQR of 0). Then ``ceil(range / width)`` equal bins
    from min to max. Where the Freedman-Diaconis width is the one chosen, the
    edges are numpy's ``"fd"`` edges. Constant data gets one bin of width ``max(1, |x| 1e-3)`` around it.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Finite values, n >= 1.
    max_bins : int

    Returns
    -------
    edges : ndarray, shape (bins + 1,)
        Increasing.
    """
    x = np.asarray(x, dtype=float).ravel()
    lo, hi = float(x.min()), float(x.max())
    if not hi > lo:
        half = 0.5 * max(1.0, abs(lo) * 1e-3)
        return np.array([lo - half, lo + half])
    span, n = hi - lo, len(x)
    q75, q25 = np.percentile(x, [75, 25])
    fd = 2.0 * float(q75 - q25) * n ** (-1.0 / 3.0)          # Freedman-Diaconis
    fd = max(fd, 0.5 * span / math.sqrt(n))                  # at most 2 sqrt(n) bins
    width = min(fd, span / (math.log2(n) + 1.0))             # at least Sturges' bins
    bins = math.ceil(span / width) if math.isfinite(span / width) else max_bins
    return np.linspace(lo, hi, int(min(max(bins, 1), max_bins)) + 1)


def component_densities(x, weights, means, variances):
    """``w_j N(x | mu_j, var_j)`` for each component j at each x.

    Parameters
    ----------
    x : ndarray, shape (m,)
    weights, means, variances : array_like, shape (k,)

    Returns
    -------
    ndarray, shape (k, m)
        Each row integrates to its weight; the column sums are the mixture density.
    """
    x = np.asarray(x, dtype=float).ravel()
    w, mu, var = (np.asarray(a, dtype=float).ravel() for a in (weights, means, variances))
    z = (x[None, :] - mu[:, None]) ** 2 / var[:, None]
    with np.errstate(divide="ignore"):
        log_w = np.log(w)
    return np.exp(log_w[:, None] - 0.5 * z - 0.5 * np.log(2.0 * np.pi * var)[:, None])


def _state_arrays(state):
    """(weights, means, variances), each (k,), of a 1-D state."""
    return (np.asarray(state.weights, dtype=float),
            np.asarray(state.means, dtype=float)[:, 0],
            np.asarray(state.covariances, dtype=float).reshape(len(state.weights), -1)[:, 0])


class Histogram:
    """The data's histogram, each point's bin, and the scene's limits.

    Parameters
    ----------
    x : ndarray, shape (n,) or (n, 1)
        The points in display units.
    true_components : tuple (means (m, 1), covariances (m, 1, 1)), optional
        Their curves are kept below the top of the scene too.

    Attributes
    ----------
    edges : ndarray, shape (b + 1,)
    bins : ndarray, shape (n,)
        Each point's bin (the last bin includes the maximum, as numpy's).
    density : ndarray, shape (b,)
        ``counts / (n * width)``: the bars' heights, integrating to 1.
    xlim, ylim : (float, float)
        x: the edges plus 6% on each side; y: from ``-STRIP * top`` (the
        interval bars' band) to ``top``.
    top : float
        The top of the scene: :data:`HEADROOM` times the highest bar (or
        true curve) at first; :class:`ScaleView` raises it for the curves.
    grid : ndarray, shape (GRID_POINTS,)
        x values of the density curves, across ``xlim``.
    """

    def __init__(self, x, true_components=None):
        self._count(x)
        span = float(self.edges[-1] - self.edges[0])
        self.xlim = (float(self.edges[0]) - 0.06 * span, float(self.edges[-1]) + 0.06 * span)
        self.grid = np.linspace(*self.xlim, GRID_POINTS)
        #: (m, GRID_POINTS) the true components' curves on the grid (m = 0 without them)
        self.true_curves = (np.zeros((0, GRID_POINTS)) if true_components is None
                            else true_density(self.grid, true_components))
        self.base_top = self.top = self._peak_top()

    def _count(self, x):
        """Bins, counts and density of the points ``x``."""
        x = np.asarray(x, dtype=float).ravel()
        self.n = len(x)
        self.edges = histogram_edges(x)
        nb = len(self.edges) - 1
        self.width = float(self.edges[1] - self.edges[0])
        self.bins = np.clip(np.searchsorted(self.edges, x, side="right") - 1, 0,
                            nb - 1).astype(np.int32)          # <= MAX_BINS bins: 4 bytes a point
        self.counts = np.bincount(self.bins, minlength=nb)
        self.density = self.counts / (self.n * self.width)

    def _peak_top(self):
        """:data:`HEADROOM` times the highest bar or true curve."""
        peak = float(self.density.max())
        if len(self.true_curves):
            peak = max(peak, float(self.true_curves.max()))
        return HEADROOM * peak

    def refill(self, x):
        """The histogram of new points ``x`` (the live window's edited data) in the
        same scene: new edges, bins, counts, density and :attr:`base_top`; the
        limits, the grid and the true curves stay (the axes do not move), and
        :class:`ScaleView` moves :attr:`top` at the next frame. Views built on
        the old bins (:class:`HistogramView`) must be built again."""
        self._count(x)
        self.base_top = self._peak_top()

    @property
    def ylim(self):
        """The scene's y range: the interval bars' band below 0, then up to ``top``."""
        return (-STRIP * self.top, self.top)

    def bars(self, low, high):
        """Rectangles of every bin from heights ``low`` to ``high`` (each (..., b)):
        (..., b, 4, 2) vertices, so stacked layers are one array."""
        low, high = np.broadcast_arrays(np.asarray(low, dtype=float),
                                        np.asarray(high, dtype=float))
        x0 = np.broadcast_to(self.edges[:-1], low.shape)
        x1 = np.broadcast_to(self.edges[1:], low.shape)
        return np.stack([np.stack([x0, low], -1), np.stack([x1, low], -1),
                         np.stack([x1, high], -1), np.stack([x0, high], -1)], axis=-2)

    def rows(self, k):
        """y of the k interval bars, evenly spaced in the band below the axis."""
        return -self.top * STRIP * (np.arange(k) + 1.0) / (k + 1.0)


def true_density(grid, true_components):
    """``w_j N(x | mu_j, var_j)`` (m, len(grid)) of the true components
    ``(means (m, 1), covariances (m, 1, 1))``, with equal weights 1/m: the sampler
    splits the points evenly (counts differ by at most one)."""
    means, covs = (np.asarray(a, dtype=float) for a in true_components)
    m = len(means)
    return component_densities(grid, np.full(m, 1.0 / m), means.reshape(m), covs.reshape(m))


def column_view(X, i, names=None):
    """``(X[:, [i]], [name])``: one column of a wider table, to fit alone (1-D).

    Raises
    ------
    ValueError
        Column ``i`` does not exist.
    """
    if names is None and hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
    X = np.asarray(X, dtype=float)
    d = X.shape[1] if X.ndim == 2 else 0
    if isinstance(i, bool) or not 0 <= int(i) < d:
        raise ValueError(f"dims: column {i} does not exist; the data has {d} column"
                         f"{'s' if d != 1 else ''}, numbered 0 to {d - 1}")
    i = int(i)
    name = names[i] if names is not None and len(names) == d else f"x{i}"
    return np.ascontiguousarray(X[:, [i]]), [name]


def unsupported(options):
    """Why ``options`` (anything with ``contours``) has no 1-D picture, as one line,
    or None."""
    if options.contours:
        return ("--contours draws the density's contour lines in 2-D; 1-D data already "
                "shows the density itself (the dark curve over the histogram): drop --contours")
    return None


# --------------------------------------------------------------------------- #
# Views
# --------------------------------------------------------------------------- #

def _tinted(colors, alpha):
    """``colors`` (k, 4) blended with white at ``alpha``, opaque (k, 4)."""
    rgb = np.asarray(colors, dtype=float)[:, :3]
    out = np.ones((len(rgb), 4))
    out[:, :3] = alpha * rgb + (1.0 - alpha)
    return out


class HistogramView(BaseView):
    """The histogram's bars, coloured per frame.

    Hard (default): each bar in the colour of the component most of its
    points are labelled with (``state.labels``); one ``bincount`` of (bin,
    label) pairs per frame. Soft (``responsibilities`` given): each bar
    stacked from component 0 up, layer j as tall as the bar's share of
    component j's responsibility (layers sum to the bar's height).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    hist : Histogram
    colors : ndarray, shape (k, 4)
    responsibilities : callable, optional
        ``responsibilities(state) -> (n, k)``: stack the bars (``--soft``).
    """

    def __init__(self, ax, hist, colors, *, responsibilities=None, alpha=POINT_ALPHA + 0.1):
        self.hist = hist
        self.k = len(colors)
        self.responsibilities = responsibilities
        self.face = _tinted(colors, alpha)
        # (bin, label) pair numbers are below MAX_BINS * k <= 4e6: int32 holds them
        self._pair_base = hist.bins * np.int32(self.k)
        #: colours a GIF palette must hold (see Animator.palette_colors)
        self.palette_colors = self.face
        if responsibilities is None:
            verts = hist.bars(0.0, hist.density)
        else:
            verts = hist.bars(0.0, np.zeros((self.k, len(hist.density)))).reshape(-1, 4, 2)
        self.bars = PolyCollection(verts, facecolors=[_tinted([[0.5] * 3], alpha)[0]],
                                   edgecolors="white", linewidths=0.6, zorder=Z_POINTS)
        ax.add_collection(self.bars, autolim=False)
        self.artists = [self.bars]

    def layers(self, state):
        """(k, b) stacked heights: component j's share of each bar (soft mode)."""
        resp = np.asarray(self.responsibilities(state), dtype=float)
        h = self.hist
        scale = 1.0 / (h.n * h.width)
        return np.stack([np.bincount(h.bins, weights=resp[:, j], minlength=len(h.density))
                         for j in range(resp.shape[1])]) * scale

    def majority(self, labels):
        """(b,) the most frequent label in each bin (0 for an empty bin)."""
        nb = len(self.hist.density)
        pairs = np.bincount(self._pair_base + np.asarray(labels), minlength=nb * self.k)
        return pairs.reshape(nb, self.k).argmax(axis=1)

    def update(self, state):
        if self.responsibilities is None:
            self.bars.set_facecolor(self.face[self.majority(state.labels)])
            return [self.bars]
        layers = self.layers(state)
        top = np.cumsum(layers, axis=0)
        self.bars.set_verts(self.hist.bars(top - layers, top).reshape(-1, 4, 2))
        self.bars.set_facecolor(np.repeat(self.face[:len(layers)], layers.shape[1], axis=0))
        return [self.bars]


class DensityCurvesView(BaseView):
    """The mixture density (dark) and, unless ``components=False``, each weighted
    component ``w_j N(x | mu_j, s_j^2)`` in its colour, over ``grid``."""

    def __init__(self, ax, colors, grid, *, components=True, hist=None):
        self.grid = np.asarray(grid, dtype=float)
        self.hist = hist
        zeros = np.zeros_like(self.grid)
        # the mixture as a thin dark line over the wider coloured components: where
        # one component makes up the density both stay visible
        self.total, = ax.plot(self.grid, zeros, color=DENSITY_COLOR, linewidth=1.5,
                              zorder=Z_FIT + 0.11)
        self.lines = []
        if components:
            self.lines = [ax.plot(self.grid, zeros, color=c, linewidth=3.2, linestyle=style,
                                  zorder=Z_FIT)[0]
                          for c, (style, _) in zip(np.asarray(colors),
                                                   component_styles(len(colors)))]
        self.artists = [self.total] + self.lines

    def update(self, state):
        dens = component_densities(self.grid, *_state_arrays(state))
        # a component's flat tails are not drawn along the axis (they would hide it)
        floor = 0.0 if self.hist is None else TAIL * self.hist.top
        for line, row in zip(self.lines, dens):
            line.set_ydata(np.where(row > floor, row, np.nan))
        self.total.set_ydata(dens.sum(axis=0))
        return self.artists


class UncertaintyView(BaseView):
    """mclust's uncertainty in 1-D: ``1 - max_j p(j | x)`` at each x of ``grid``
    (0 where one component explains x, 1 - 1/k where k share it equally), a
    dotted curve from the axis line (0) to the top of the scene (1), in axes
    fractions so the density's rescaling leaves it alone. Where the density
    underflows to zero (far tails) nothing is drawn."""

    def __init__(self, ax, grid):
        self.grid = np.asarray(grid, dtype=float)
        self.base = STRIP / (1.0 + STRIP)           # the axis line, in axes fractions
        self.line, = ax.plot(self.grid, np.full_like(self.grid, self.base),
                             color=UNCERTAINTY_COLOR, linestyle=(0, (1.2, 1.6)), linewidth=2.0,
                             transform=ax.get_xaxis_transform(), zorder=Z_FIT + 0.2)
        self.artists = [self.line]

    def uncertainty(self, state):
        """``1 - max_j p(j | x)`` on the grid, shape (m,); NaN where p(x) is 0."""
        dens = component_densities(self.grid, *_state_arrays(state))
        total = dens.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, 1.0 - dens.max(axis=0) / total, np.nan)

    def update(self, state):
        self.line.set_ydata(self.base + (1.0 - self.base) * self.uncertainty(state))
        return self.artists


class TrueCurvesView(BaseView):
    """Static gray dashed curves ``w_j N(x | mu_j, s_j^2)`` of the true components."""

    def __init__(self, ax, grid, true_components):
        self.lines = [ax.plot(grid, row, color=TRUE_COLOR, linestyle="--", linewidth=1.4,
                              zorder=Z_TRUE)[0]
                      for row in true_density(grid, true_components)]
        self.artists = list(self.lines)

    def update(self, state):
        return []


class IntervalsView(BaseView):
    """Below the axis, one bar per component from ``mu - sqrt(2) s`` to ``mu + sqrt(2) s``
    (the 2-D ellipse's section), each on its own row, over a white halo."""

    def __init__(self, ax, colors, hist, *, n_std=DEFAULT_N_STD, linewidth=3.0):
        self.hist = hist
        self.n_std = float(n_std)
        k = len(colors)
        styles = [style for style, _ in component_styles(k)]
        self.halo = LineCollection([], colors="white", linewidths=linewidth + 2.0,
                                   zorder=Z_FIT, capstyle="butt")
        self.bars = LineCollection([], colors=np.asarray(colors), linewidths=linewidth,
                                   linestyles=styles, zorder=Z_FIT + 0.01, capstyle="butt")
        ax.add_collection(self.halo, autolim=False)
        ax.add_collection(self.bars, autolim=False)
        self.artists = [self.halo, self.bars]

    def segments(self, state):
        """(k, 2, 2) end points of the bars."""
        _, mu, var = _state_arrays(state)
        r = self.n_std * np.sqrt(var)
        rows = self.hist.rows(len(mu))
        return np.stack([np.column_stack([mu - r, rows]),
                         np.column_stack([mu + r, rows])], axis=1)

    def update(self, state):
        segments = self.segments(state)
        self.halo.set_segments(segments)
        self.bars.set_segments(segments)
        return self.artists


class AxisMeansView(MeansView):
    """A ``+`` at each mean on the x axis (y = 0), outlined in black (past 20
    components another marker, as :class:`gmm_plot.MeansView`); drawn over the
    axes' edge, not clipped by it."""

    def __init__(self, ax, colors, *, size=160.0):
        super().__init__(ax, colors, size=size, clip_on=False)

    def update(self, state):
        """Move the markers to ``(mean, 0)`` (``state.means`` shape (k, 1))."""
        means = np.asarray(state.means, dtype=float)[:, :1]
        return self.place(np.column_stack([means, np.zeros_like(means)]))


class BoundariesView(BaseView):
    """k-means' hard assignment on the line: a vertical line halfway between each
    pair of neighbouring distinct centres (where the nearest centre changes)."""

    def __init__(self, ax):
        # x in data units, y in axes fractions: from the axis (y = 0) to the top
        self.bottom = STRIP / (1.0 + STRIP)
        self.lines = LineCollection([], colors=BOUNDARY_COLOR, linewidths=1.3,
                                    linestyles=(0, (4, 2)), zorder=Z_TRUE + 0.5,
                                    transform=ax.get_xaxis_transform())
        ax.add_collection(self.lines, autolim=False)
        self.artists = [self.lines]

    @staticmethod
    def boundaries(centres):
        """Midpoints between neighbouring distinct sorted centres, (m,)."""
        c = np.unique(np.asarray(centres, dtype=float).ravel())
        return 0.5 * (c[1:] + c[:-1])

    def update(self, state):
        self.lines.set_segments([[(b, self.bottom), (b, 1.0)]
                                 for b in self.boundaries(state.means)])
        return [self.lines]


class DensityLocator(MaxNLocator):
    """A density axis' ticks: matplotlib's usual ones at 0 and above only (the
    band below 0 holds the interval bars, not negative densities)."""

    def __init__(self, nbins="auto", **kwargs):
        super().__init__(nbins=nbins, steps=[1, 2, 2.5, 5, 10], **kwargs)

    def tick_values(self, vmin, vmax):
        ticks = super().tick_values(vmin, vmax)
        return ticks[ticks >= 0] + 0.0          # + 0.0: never a "-0" tick


def _baseline(ax):
    """The axis line y = 0 and the light band below it (the interval bars'
    rows); y ticks only at densities (:class:`DensityLocator`)."""
    ax.yaxis.set_major_locator(DensityLocator())
    ax.axhline(0.0, color="0.2", linewidth=0.8, zorder=Z_POINTS - 0.5)
    ax.add_patch(Rectangle((0.0, 0.0), 1.0, STRIP / (1.0 + STRIP), transform=ax.transAxes,
                           facecolor="0.96", edgecolor="none", zorder=0))


class ScaleView(BaseView):
    """Raises the scene's top so every known state's density curve fits under it
    and stays, with the bars and the true curves, out of the legend's corner
    (the legend is in the static layer, under everything that moves); draws nothing.

    At each frame it looks at every state computed so far (a saved file has
    them all before its first frame, so its scale never changes; a live
    window's grows as EM sharpens the curves, redrawing the background).
    The top is at least :attr:`Histogram.base_top` and at most
    :data:`MAX_GROWTH` times it.

    Parameters
    ----------
    hist : Histogram
    axes : list of matplotlib.axes.Axes
        Axes sharing the scale (the scene, the k-means panel).
    history : callable
        ``history() -> sequence`` of the states so far.
    """

    def __init__(self, hist, axes, history):
        self.hist, self.axes, self.history = hist, axes, history
        self.corner, self.box = None, (0.0, 0.0)
        self.background_stale = False
        self.artists = []
        self.reset()

    def reset(self):
        """Forget the states' peaks (a new run: the ``r`` key)."""
        self._peaks = {}

    def share_with(self, ax):
        """Scale ``ax`` (a panel beside the scene) with the scene."""
        self.axes.append(ax)

    def keep_clear(self, corner, box):
        """Keep the curves and bars below a legend of ``box`` (width, height as
        axes fractions) in ``corner`` ("upper left" or "upper right")."""
        self.corner, self.box = corner, box

    def _corner_mask(self, x):
        x0, x1 = self.hist.xlim
        u = (x - x0) / (x1 - x0)
        return u < self.box[0] if self.corner == "upper left" else u > 1.0 - self.box[0]

    def peaks(self, state):
        """(highest point, highest point under the legend) of the state's density."""
        key = (int(state.iteration), float(state.log_likelihood))
        if key not in self._peaks:
            total = component_densities(self.hist.grid, *_state_arrays(state)).sum(axis=0)
            under = total[self._corner_mask(self.hist.grid)] if self.corner else total[:0]
            self._peaks[key] = (float(total.max()), float(under.max(initial=0.0)))
        return self._peaks[key]

    def needed_top(self):
        h = self.hist
        centres = 0.5 * (h.edges[1:] + h.edges[:-1])
        peak = under = 0.0
        if self.corner:
            under = max(float(h.density[self._corner_mask(centres)].max(initial=0.0)),
                        float(h.true_curves[:, self._corner_mask(h.grid)].max(initial=0.0)))
        for state in self.history():
            p, u = self.peaks(state)
            peak, under = max(peak, p), max(under, u)
        top = max(h.base_top, HEADROOM * peak)
        room = (1.0 - self.box[1]) * (1.0 + STRIP) - STRIP     # the legend's bottom / top
        if self.corner and room > 0.1:
            top = max(top, 1.02 * under / room)
        return min(top, MAX_GROWTH * h.base_top)

    def update(self, state):
        top = self.needed_top()
        if top != self.hist.top:
            self.hist.top = top
            for ax in self.axes:
                ax.set_ylim(*self.hist.ylim)
            self.background_stale = True
        return []


# --------------------------------------------------------------------------- #
# The scene
# --------------------------------------------------------------------------- #

def emptier_top_corner(hist, box):
    """``"upper left"`` or ``"upper right"``: where fewer bars reach into a legend of
    ``box`` (width, height as fractions of the axes); ties: upper right."""
    (x0, x1), (y0, y1) = hist.xlim, (hist.ylim[0], hist.base_top)
    centres = 0.5 * (hist.edges[1:] + hist.edges[:-1])
    u = (centres - x0) / (x1 - x0)
    reach = np.maximum((hist.density - y0) / (y1 - y0) - (1.0 - box[1]), 0.0)
    left = float(reach[u < box[0]].sum())
    right = float(reach[u > 1.0 - box[0]].sum())
    return "upper left" if left < right else "upper right"


class HistogramScene:
    """The :class:`gmm_scene.Scene` of one drawn column: a histogram, density curves,
    intervals below the axis, the means on it.

    Parameters
    ----------
    fit : gmm_fit.FitRun
        Its ``points`` (n, 1) in display units, ``true_components``,
        ``axis_labels``, ``responsibilities`` and ``kmeans_states``.
    options : gmm_options.Options
        ``n_components``, the ``show_*`` flags and the teaching flags.

    Attributes
    ----------
    histogram : Histogram
        The data's bins and the scene's limits (refilled after edits).
    """

    data_axes = 1
    pins_points = True
    static_legend = True      # ScaleView keeps every bar and curve below it

    def __init__(self, fit, options):
        self.fit, self.options = fit, options
        self.histogram = Histogram(np.asanyarray(fit.points, dtype=float), fit.true_components)
        self.colors = component_colors(options.n_components)
        self.kmeans_legend_entries = [(Line2D([], [], color=BOUNDARY_COLOR, linestyle=(0, (4, 2))),
                                       "boundary (halfway)")]
        self.em_title = "EM: Gaussian mixture" + (" (soft)" if options.soft else "")

    def frame(self):
        """The histogram's limits, in a 4:3 box."""
        return self.histogram.xlim, self.histogram.ylim, False

    def views(self, anim):
        """The scale, the bars, the true and fitted curves, the intervals and means."""
        ax, fit, options, colors, hist = anim.ax, self.fit, self.options, self.colors, self.histogram
        _baseline(ax)
        ax.set_ylabel("density", fontsize=9, labelpad=2)
        if fit.axis_labels:
            ax.set_xlabel(fit.axis_labels[0], fontsize=9, labelpad=2)
        views = [ScaleView(hist, [ax], lambda: anim.history), HistogramView(ax, hist, colors)]
        if fit.true_components is not None:
            views.append(TrueCurvesView(ax, hist.grid, fit.true_components))
        views.append(DensityCurvesView(ax, colors, hist.grid,
                                       components=options.show_covariances, hist=hist))
        if options.show_covariances:
            views.append(IntervalsView(ax, colors, hist))
        if options.show_means:
            views.append(AxisMeansView(ax, colors))
        return views

    def add_teaching_views(self, anim):
        """``soft`` stacks the bars by responsibility, ``uncertainty`` adds the curve
        of :class:`UncertaintyView`; ``contours`` has no 1-D picture (ValueError,
        see :func:`unsupported`)."""
        problem = unsupported(self.options)
        if problem:
            raise ValueError(problem)
        if self.options.soft:
            old = next(v for v in anim.views if isinstance(v, HistogramView))
            anim.add_view(HistogramView(anim.ax, self.histogram, self.colors,
                                        responsibilities=by_assigning(self.fit.responsibilities)),
                          replace=old)
        if self.options.uncertainty:
            anim.add_view(UncertaintyView(anim.ax, self.histogram.grid))
        if self.options.trails:
            add_means_panel(anim, self.colors)
        if self.options.bayesian is not None:   # after the curves, intervals and means
            curves = [v.lines for v in anim.views if isinstance(v, DensityCurvesView)]
            anim.add_view(FadingView(curves, [c for v in anim.views
                                              if isinstance(v, (IntervalsView, AxisMeansView))
                                              for c in v.artists]))

    def kmeans_views(self, anim, kax):
        """k-means on the same line: the histogram coloured by its assignment, the
        boundaries between the centres, the true curves and the centres, on the
        scene's scale."""
        ax, hist, colors = anim.ax, self.histogram, self.colors
        kax.set_xlim(ax.get_xlim())
        kax.set_ylim(ax.get_ylim())
        kax.set_xlabel(ax.get_xlabel(), fontsize=9, labelpad=2)
        _baseline(kax)
        next(v for v in anim.views if isinstance(v, ScaleView)).share_with(kax)
        views = [HistogramView(kax, hist, colors), BoundariesView(kax)]
        if self.fit.true_components is not None:
            views.append(TrueCurvesView(kax, hist.grid, self.fit.true_components))
        if self.options.show_means:
            views.append(AxisMeansView(kax, colors))
        return views

    def legend_entries(self):
        """The bar, the mixture and component curves, the interval, the uncertainty
        curve, the mean and the true curves, as drawn."""
        options, colors = self.options, self.colors
        entries = [(Patch(facecolor=_tinted(colors[:1], POINT_ALPHA + 0.1)[0], edgecolor="white"),
                    "bars: stacked by responsibility" if options.soft
                    else "bar: colour of most of its points"),
                   (Line2D([], [], color=DENSITY_COLOR, linewidth=1.5), "mixture density")]
        if options.show_covariances:
            entries += [(Line2D([], [], color=colors[0], linewidth=3.2), "component w\u00b7N(x)"),
                        (Line2D([], [], color=colors[0], linewidth=3),
                         "\u03bc \u00b1 \u221a2\u00b7\u03c3")]
        if options.uncertainty:
            entries.append((Line2D([], [], color=UNCERTAINTY_COLOR, linestyle=(0, (1.2, 1.6)),
                                   linewidth=2), "uncertainty (0 at the axis, 1 at the top)"))
        if options.bayesian is not None and options.show_covariances:
            entries += fading_entries(colors[0])
        return entries + mean_true_and_cycle_entries(
            options, colors, has_true=self.fit.true_components is not None)

    def place_legend(self, anim, box):
        """The top corner fewer bars reach into (upper right with ``--compare``); the
        scale keeps the curves below the legend."""
        loc = "upper right" if self.options.compare else emptier_top_corner(self.histogram, box)
        next(v for v in anim.views if isinstance(v, ScaleView)).keep_clear(loc, box)
        return loc

    def nearest_point(self, anim, event):
        """The data point nearest the mouse along x, and its distance in pixels."""
        return nearest(anim.ax, self.fit.points, event, along_x=True)

    def edit_refusal(self, anim):
        """Only the ``--compare`` panel forbids editing (the bars are rebuilt, soft
        ones too)."""
        return ("adding or removing points works without --compare"
                if "kmeans" in anim.panels else None)

    def refill(self, anim):
        """The histogram of the fit's points (:meth:`Histogram.refill`) and new bars."""
        self.histogram.refill(anim.fit.points)
        for view in [v for v in anim.views if isinstance(v, HistogramView)]:
            anim.add_view(HistogramView(view.bars.axes, self.histogram, self.colors,
                                        responsibilities=view.responsibilities), replace=view)

    def note_corner(self, anim, box, taken, under_title):
        """A top corner, above the bars and curves (:class:`ScaleView` keeps
        :data:`HEADROOM` over them; the bottom corners hold the intervals); when the
        legend and a panel title take both, under the title (``under_title``)."""
        loc = next((c for c in ("upper left", "upper right") if c not in taken), "upper left")
        return loc, (under_title if loc in taken else 0.0)


def command_line_data(options, X, names):
    """The command line's data after loading: ``--dims I`` (one column) fits that
    column alone (the options' ``dims`` become None, the names that column's).

    Returns ``(X, names, options)``; ``X`` None (sampled later) stays None.

    Raises
    ------
    ValueError
        ``--dims`` with more than two columns, or one with sampled data, or
        a flag without a 1-D picture on 1-D data (:func:`unsupported`).
    """
    dims = options.dims
    if dims is not None and len(dims) > 2:
        raise ValueError(f"--dims takes one column I (fit it alone, in 1-D) or two columns "
                         f"I J (the drawn view), got {len(dims)} numbers")
    if dims is not None and len(dims) == 1:
        if X is None:
            raise ValueError(f"--dims {dims[0]} fits one column of a --load_path file; to "
                             "sample 1-D points use -d 1")
        try:
            X, names = column_view(X, dims[0], names)
        except ValueError as exc:
            raise ValueError(f"--{exc}") from None
        options = dataclasses.replace(options, dims=None)
    d = X.shape[1] if X is not None else options.n_features
    problem = unsupported(options) if d == 1 else None
    if problem:
        raise ValueError(problem)
    return X, names, options
