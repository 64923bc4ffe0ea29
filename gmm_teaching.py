"""Teaching views for gmm-visualizer: soft colours, density contours, the
log-likelihood panel, the k-means comparison panel and the model-selection curve.

The drawing behind ``--soft``, ``--contours``, ``--ll-panel``, ``--compare
kmeans`` and ``--select-k``. The views follow :mod:`gmm_plot`'s protocol
(artists made once in ``__init__``, ``update(state) -> list[Artist]`` with a
2-D :class:`gmm.GMMState` in display units, all owned artists in
``artists``). :func:`add_teaching_views` adds the views an animation's
options ask for.

z-order: regions < points < contours < true ellipses < fitted ellipses < means
< text.
"""

import numpy as np
from contourpy import LineType, contour_generator
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba_array
from matplotlib.lines import Line2D

import gmm

from gmm_plot import (
    IMAGE_THRESHOLD, Z_FIT, Z_MEANS, Z_POINTS, Z_TEXT, IterationText, MeansView, PointsView, TrueEllipsesView,
    fit_text,
)

__all__ = [
    "Z_REGIONS", "Z_CONTOURS",
    "CHOSEN_COLOR",
    "criterion_curve",
    "CriterionCurveView",
    "TYPE_STYLES",
    "criterion_curves",
    "CriterionCurvesView",
    "mix_colors",
    "voronoi_cells",
    "SoftPointsView",
    "LastResponsibilities",
    "uncertainty",
    "UncertaintyView",
    "ContoursView",
    "LogLikelihoodPanel",
    "VoronoiView",
    "PanelTitle",
    "KMeansText",
    "FollowerPanel",
    "add_teaching_views",
]


# --------------------------------------------------------------------------- #
# Model selection: the criterion curve beside the scene (--select-k)
# --------------------------------------------------------------------------- #


def criterion_curve(ax, ks, values, best_k, *, label="BIC", color="C0", excluded=()):
    """Draw a model-selection criterion against k, the chosen k marked (static).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    ks : sequence of int, shape (m,)
        Numbers of components, increasing.
    values : sequence of float, shape (m,)
        Criterion per k (lower is better).
    best_k : int
        The chosen k (one of ``ks``): a filled marker, a dotted vertical line
        and the text ``k = best_k``.
    label : str
        Criterion name for the title and y axis.
    excluded : sequence of int
        ks whose fit was not eligible (degenerate): a gray ``x`` over them.

    Returns
    -------
    line : matplotlib.lines.Line2D
        The curve (``get_xdata``/``get_ydata`` are ``ks``/``values``).
    """
    ks = np.asarray(ks, dtype=int)
    values = np.asarray(values, dtype=float)
    (line,) = ax.plot(ks, values, "o-", color=color, markersize=4, linewidth=1.5)
    j = int(np.flatnonzero(ks == best_k)[0])
    ax.axvline(best_k, color="0.4", linestyle=":", linewidth=1.0)
    bad = np.isin(ks, np.asarray(excluded, dtype=int))
    if bad.any():
        ax.plot(ks[bad], values[bad], "x", color="0.35", markersize=9, markeredgewidth=2.0)
    ax.plot([best_k], [values[j]], "o", markersize=10, markerfacecolor="none",
            markeredgecolor=CHOSEN_COLOR, markeredgewidth=2.0)
    # below the chosen point: the curve rises on both sides of its minimum, so
    # the label sits in free space (above it, it would cross the rising curve)
    ax.annotate(f"k = {best_k}", (best_k, values[j]), xytext=(0, -11),
                textcoords="offset points", ha="center", va="top", fontsize=9,
                color=CHOSEN_COLOR,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none",
                          alpha=0.8))
    ax.set_xlabel("k (components)", fontsize=9)
    ax.set_title(f"{label} (lower is better)", fontsize=9)
    marks = [(line, f"{label} of the best fit"),
             (Line2D([], [], marker="o", linestyle="none", markerfacecolor="none",
                     markeredgecolor=CHOSEN_COLOR, markeredgewidth=2.0), "chosen k")]
    if bad.any():
        marks.append((Line2D([], [], marker="x", linestyle="none", color="0.35",
                             markeredgewidth=2.0), "degenerate (!)"))
    ax.legend(*zip(*marks), loc="upper right", fontsize=8, framealpha=0.85)
    if len(ks) <= 15:
        ax.set_xticks(ks)
    ax.margins(x=0.08, y=0.2)
    ax.grid(True, linewidth=0.5, alpha=0.4)
    # plain numbers: an offset/exponent label would collide with the title
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    return line


CHOSEN_COLOR = "crimson"


class CriterionCurveView:
    """Static view: :func:`criterion_curve` on its own axes.

    Drawn once into the background (no per-frame artists); it declares its
    colours in ``palette_colors`` so a GIF palette keeps them.
    """

    def __init__(self, ax, ks, values, best_k, *, label="BIC", excluded=()):
        self.line = criterion_curve(ax, ks, values, best_k, label=label, excluded=excluded)
        self.artists = []
        self.palette_colors = to_rgba_array(["C0", CHOSEN_COLOR, "0.35", "0.4"])

    def update(self, state):
        """Nothing changes; returns no artists."""
        return []


#: colour and marker of each covariance type's curve (``--covariance-type all``),
#: so the curves stay apart in gray scale too
TYPE_STYLES = {"full": ("C0", "o"), "tied": ("C1", "s"), "diag": ("C2", "^"),
               "spherical": ("C4", "D")}


def criterion_curves(ax, rows, best, *, criterion="bic"):
    """Draw a criterion against k for several covariance types, as mclust's BIC plot.

    One colour and marker per type, a legend below the axes (it never covers
    a curve), the chosen ``(k, type)`` circled and named in the legend,
    degenerate fits crossed out in gray (static).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Its bottom edge moves up to make room for the legend.
    rows : list of dict
        Per fit: ``covariance_type``, ``k``, ``criterion``, ``degenerate``
        (the rows of :func:`gmm_transforms.select_components_by_type`).
    best : tuple (int, str)
        The chosen ``(k, covariance_type)``.
    criterion : {"bic", "aic"}

    Returns
    -------
    lines : dict str -> matplotlib.lines.Line2D
        Each type's curve (``get_xdata``/``get_ydata`` are its ks/values).
    """
    best_k, best_type = best
    lines, ks_all = {}, set()
    for covariance_type in dict.fromkeys(r["covariance_type"] for r in rows):
        mine = sorted((r for r in rows if r["covariance_type"] == covariance_type),
                      key=lambda r: r["k"])
        ks = np.array([r["k"] for r in mine], dtype=int)
        values = np.array([r[criterion] for r in mine], dtype=float)
        ks_all.update(ks.tolist())
        color, marker = TYPE_STYLES.get(covariance_type, ("0.2", "o"))
        (lines[covariance_type],) = ax.plot(ks, values, "-", marker=marker, color=color,
                                            markersize=4.5, linewidth=1.4,
                                            label=covariance_type)
        bad = np.array([r["degenerate"] for r in mine], dtype=bool)
        if bad.any():
            ax.plot(ks[bad], values[bad], "x", color="0.35", markersize=9,
                    markeredgewidth=2.0)
    value = next(r[criterion] for r in rows
                 if r["k"] == best_k and r["covariance_type"] == best_type)
    ax.plot([best_k], [value], "o", markersize=11, markerfacecolor="none",
            markeredgecolor=CHOSEN_COLOR, markeredgewidth=2.0,
            label=f"chosen: k = {best_k}, {best_type}")
    if any(r["degenerate"] for r in rows):
        ax.plot([], [], "x", color="0.35", markersize=8, markeredgewidth=2.0,
                label="degenerate (not chosen)")
    ax.set_xlabel("k (components)", fontsize=9)
    ax.set_title(f"{criterion.upper()} by covariance type (lower is better)", fontsize=9)
    ks_all = sorted(ks_all)
    if len(ks_all) <= 15:
        ax.set_xticks(ks_all)
    ax.margins(x=0.06, y=0.08)
    ax.grid(True, linewidth=0.5, alpha=0.4)
    ax.tick_params(labelsize=8)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    # the legend sits at the panel's bottom; the axes (ticks and x label,
    # about 36 px) move up above it, so it never covers a curve or a label
    fig = ax.figure
    x0, y0, w, h = ax.get_position().bounds
    legend = ax.legend(loc="lower center", bbox_to_anchor=(x0 + w / 2, y0),
                       bbox_transform=fig.transFigure, ncol=2, fontsize=8, frameon=False,
                       handlelength=1.6, columnspacing=1.0, borderaxespad=0.0)
    renderer = fig.canvas.get_renderer()
    fig_h = fig.get_size_inches()[1] * fig.dpi
    room = (legend.get_window_extent(renderer).height + 42.0) / fig_h
    ax.set_position((x0, y0 + room, w, max(h - room, 0.2 * h)))
    return lines


class CriterionCurvesView:
    """Static view: :func:`criterion_curves` (``--select-k KS --covariance-type all``)."""

    def __init__(self, ax, rows, best, *, criterion="bic"):
        self.lines = criterion_curves(ax, rows, best, criterion=criterion)
        self.artists = []
        colors = [TYPE_STYLES.get(t, ("0.2",))[0] for t in self.lines]
        self.palette_colors = to_rgba_array(colors + [CHOSEN_COLOR, "0.35"])

    def update(self, state):
        """Nothing changes; returns no artists."""
        return []


# --------------------------------------------------------------------------- #
# Teaching views: soft colours, density contours, log-likelihood panel,
# k-means comparison panel
# --------------------------------------------------------------------------- #

Z_REGIONS = 0.5      # k-means Voronoi cells: under the points
Z_CONTOURS = 1.5     # density contours: over the points, under the ellipses


def mix_colors(resp, colors):
    """Responsibility-weighted mix of component colours.

    Parameters
    ----------
    resp : ndarray, shape (n, k)
        Rows of non-negative weights summing to 1.
    colors : ndarray, shape (k, 3 or 4)
        Component colours in [0, 1].

    Returns
    -------
    rgb : ndarray, shape (n, 3)
        ``resp @ colors[:, :3]``.
    """
    return np.asarray(resp, dtype=float) @ np.asarray(colors, dtype=float)[:, :3]


class SoftPointsView(PointsView):
    """Points coloured by the responsibility-weighted mix of component colours.

    A point that two components share equally is drawn halfway between
    their colours. In the image mode (large n) each pixel shows the mean
    mixed colour of its points: three weighted ``np.bincount`` calls per
    frame, no per-point Python work.

    Parameters
    ----------
    ax, points, colors, image_threshold, alpha
        As :class:`PointsView`.
    responsibilities : callable, optional
        ``responsibilities(state) -> (n, k)`` array. Default: computed from
        the displayed points and the (2-D) state with
        :func:`gmm.responsibilities`; the animator passes its own for data
        with more than two columns.
    """

    def __init__(self, ax, points, colors, *, responsibilities=None,
                 image_threshold=IMAGE_THRESHOLD, alpha=None):
        super().__init__(ax, points, colors, image_threshold=image_threshold, alpha=alpha)
        if responsibilities is None:
            shown = np.asarray(points, dtype=float)

            def responsibilities(state):
                return gmm.responsibilities(shown, state.weights, state.means,
                                            state.covariances)
        self.responsibilities = responsibilities
        if self.mode == "image":
            k = len(self._rgb)
            self._pixel = (self._pair_base // k if self._pair_base is not None
                           else self._inverse)
        k = len(self.colors)
        # pairwise half mixes join the GIF palette (a few components only)
        if 2 <= k <= 6:
            i, j = np.triu_indices(k, 1)
            self.palette_colors = 0.5 * (self.colors[i, :3] + self.colors[j, :3])
        else:
            self.palette_colors = None

    def update(self, state):
        """Recolour each point (or pixel) by ``responsibilities(state)``."""
        resp = np.asarray(self.responsibilities(state), dtype=float)
        if self.mode == "scatter":
            face = np.empty((self.n, 4))
            face[:, :3] = np.clip(mix_colors(resp, self.colors), 0.0, 1.0)
            face[:, 3] = self.alpha
            self.artist.set_facecolor(face)
        else:
            # the mean of the points' mixed colours (mixing is linear, so mixing
            # first needs 3 bincounts instead of k)
            m = len(self._occupied)
            rgb = mix_colors(resp, self.colors)
            mixed = np.empty((m, 3))
            for c in range(3):
                mixed[:, c] = np.bincount(self._pixel, weights=rgb[:, c], minlength=m)
            mixed /= self._counts[:, None]
            flat = self._image.reshape(-1, 4)
            flat[self._occupied, :3] = np.round(255 * np.clip(mixed, 0.0, 1.0)).astype(np.uint8)
            self.artist.set_data(self._image)
        return [self.artist]


class LastResponsibilities:
    """``responsibilities(state)`` computed once per state: views of one frame
    (``--soft`` and ``--uncertainty``) share the (n, k) array.

    Parameters
    ----------
    responsibilities : callable
        ``responsibilities(state) -> (n, k)`` array.
    """

    def __init__(self, responsibilities):
        self.responsibilities = responsibilities
        self._state, self._value = None, None

    def __call__(self, state):
        if state is not self._state:
            self._value = np.asarray(self.responsibilities(state), dtype=float)
            self._state = state
        return self._value


def uncertainty(resp):
    """mclust's uncertainty of each point, ``1 - max_j resp[i, j]``.

    Parameters
    ----------
    resp : ndarray, shape (n, k)

    Returns
    -------
    ndarray, shape (n,)
        In ``[0, 1 - 1/k]``: 0 when one component owns the point.
    """
    resp = np.asarray(resp, dtype=float)
    # column by column: max over a short last axis is ~5x slower at n = 1e6
    largest = resp[:, 0].copy()
    for j in range(1, resp.shape[1]):
        np.maximum(largest, resp[:, j], out=largest)
    return np.clip(1.0 - largest, 0.0, 1.0, out=largest)


class UncertaintyView:
    """Points sized by their uncertainty ``1 - max responsibility`` (mclust's
    uncertainty plot): the points EM is unsure about stand out.

    The marker area is ``base * (MIN_SCALE + (MAX_SCALE - MIN_SCALE) * u)``
    with ``u = min(uncertainty / 0.5, 1)``, so a certain point keeps a
    visible dot and a point EM cannot decide between two components (or
    more) is the largest. The points view (plain or
    ``--soft``) stays and still sets the colours: in the scatter mode this
    view resizes its markers every frame; in the image mode (large n, one pixel
    per point) the image stays and the ``max_markers`` most uncertain points
    (those with ``u >= MIN_SHOWN``) are drawn over it as sized markers in
    their most responsible component's colour (their mixed colour over
    ``--soft``), so a frame costs one
    ``argpartition`` of the n uncertainties, not n markers. Nothing here is
    2-D specific: a scatter of a 1-D view can be wrapped the same way.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    points_view : gmm_plot.PointsView
        The scene's points view (``mode``, ``artist``, ``colors``); it keeps
        owning its artist.
    points : ndarray, shape (n, 2)
        The displayed points (used in the image mode).
    responsibilities : callable
        ``responsibilities(state) -> (n, k)``.
    max_markers : int
        Image mode: at most this many markers per frame.
    """

    MIN_SCALE, MAX_SCALE = 0.4, 6.0
    FULL_SIZE_AT = 0.5          # a two-way tie (1 - max resp = 1/2) gets the largest marker
    MIN_SHOWN = 0.05
    IMAGE_MARKER = 3.0          # base marker area (points^2) over the image

    def __init__(self, ax, points_view, points, responsibilities, *, max_markers=2000):
        self.points_view = points_view
        self.responsibilities = responsibilities
        self.mode = points_view.mode
        self.colors = np.asarray(points_view.colors, dtype=float)
        self.max_markers = int(max_markers)
        self.overlay = None
        if self.mode == "scatter":
            self.base = float(np.median(points_view.artist.get_sizes()))
        else:
            self.base = self.IMAGE_MARKER
            self.points = np.asarray(points, dtype=float)
            # no marker edges: they would triple the drawing time
            self.overlay = ax.scatter([], [], s=[], linewidths=0, zorder=Z_POINTS + 0.1)
        self.artists = [self.overlay] if self.overlay is not None else []
        self.sizes = None

    def marker_sizes(self, u):
        """Marker areas (points^2) for normalised uncertainties ``u`` in [0, 1]."""
        return self.base * (self.MIN_SCALE + (self.MAX_SCALE - self.MIN_SCALE) * u)

    def update(self, state):
        """Size the points (or the overlay's markers) by ``responsibilities(state)``."""
        resp = np.asarray(self.responsibilities(state), dtype=float)
        u = np.minimum(uncertainty(resp) / self.FULL_SIZE_AT, 1.0)
        if self.mode == "scatter":
            self.sizes = self.marker_sizes(u)
            self.points_view.artist.set_sizes(self.sizes)
            return [self.points_view.artist]
        top = np.flatnonzero(u >= self.MIN_SHOWN)    # usually a small part of n
        if len(top) > self.max_markers:
            top = top[np.argpartition(u[top], len(top) - self.max_markers)[-self.max_markers:]]
        top = top[np.argsort(u[top])]             # the most uncertain drawn last, on top
        face = np.empty((len(top), 4))
        if isinstance(self.points_view, SoftPointsView):    # the same mixed colours
            face[:, :3] = np.clip(mix_colors(resp[top], self.colors), 0.0, 1.0)
        else:
            face[:, :3] = self.colors[resp[top].argmax(axis=1), :3]
        face[:, 3] = 0.9
        self.sizes = self.marker_sizes(u[top])
        self.overlay.set_offsets(self.points[top] if len(top) else np.empty((0, 2)))
        self.overlay.set_sizes(self.sizes)
        self.overlay.set_facecolor(face)
        return [self.overlay]


class ContoursView:
    """Line contours of the mixture's log-density on a fixed grid.

    Levels are the quantiles ``QUANTILES`` of the log-density at (a fixed
    subsample of) the data points, so the contour of quantile ``q`` encloses
    the densest ``1 - q`` of the points: read from the outside in, 95%, 75%,
    50%, 25% and 5% of the points. Darker lines mean higher density.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose limits are final; the grid covers them.
    points : ndarray, shape (n, 2)
        Points in display units (for the levels).
    resolution : int
        Grid nodes along the longer side of the axes (the shorter side gets
        proportionally fewer, at least 20).
    max_level_points : int
        At most this many evenly strided points set the levels.
    """

    QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

    def __init__(self, ax, points, *, resolution=120, max_level_points=2000, linewidth=1.0):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        if (x1 - x0) >= (y1 - y0):
            nx, ny = resolution, max(20, int(round(resolution * (y1 - y0) / (x1 - x0))))
        else:
            ny, nx = resolution, max(20, int(round(resolution * (x1 - x0) / (y1 - y0))))
        self.x = np.linspace(x0, x1, nx)
        self.y = np.linspace(y0, y1, ny)
        gx, gy = np.meshgrid(self.x, self.y)
        self.grid = np.c_[gx.ravel(), gy.ravel()]             # (ny * nx, 2)
        points = np.asarray(points, dtype=float)
        step = max(1, int(np.ceil(len(points) / max_level_points)))
        self.level_points = points[::step]
        shades = np.linspace(0.62, 0.12, len(self.QUANTILES))  # outer light, inner dark
        self.level_colors = np.c_[shades, shades, shades, np.ones_like(shades)]
        self.lines = LineCollection([], linewidths=linewidth, zorder=Z_CONTOURS)
        ax.add_collection(self.lines, autolim=False)
        self.levels = np.full(len(self.QUANTILES), np.nan)
        self.segments = [[] for _ in self.QUANTILES]           # per level, list of (m, 2)
        self.artists = [self.lines]

    def log_density(self, state, X):
        """Mixture log-density of ``state`` at ``X`` (m, 2), shape (m,)."""
        return gmm.log_density(X, state.weights, state.means, state.covariances)

    def update(self, state):
        """Recompute the grid density and the contour lines for ``state``."""
        both = self.log_density(state, np.vstack([self.grid, self.level_points]))
        n_grid = len(self.grid)                 # one call: grid nodes, then level points
        z = both[:n_grid].reshape(len(self.y), len(self.x))
        finite = np.isfinite(z)
        if not finite.all():
            z = np.where(finite, z, z[finite].min() - 1.0 if finite.any() else 0.0)
        self.levels = np.quantile(both[n_grid:], self.QUANTILES)
        gen = contour_generator(self.x, self.y, z, line_type=LineType.Separate)
        segments, colors = [], []
        for j, level in enumerate(self.levels):
            lines = [ln for ln in gen.lines(level) if len(ln) >= 2]
            self.segments[j] = lines
            segments.extend(lines)
            colors.extend([self.level_colors[j]] * len(lines))
        self.lines.set_segments(segments)
        self.lines.set_color(colors if colors else "none")
        return [self.lines]


class LogLikelihoodPanel:
    """Mean log-likelihood per iteration up to the current state, on its own axes.

    The curve runs over the iterations seen so far, the current one marked.
    The x range is ``[0, T]`` with T the run's last iteration once EM has
    stopped (saved files know it from the first frame), growing in doubling
    steps while a live run goes on; the
    y range only grows (with a margin), and when it changes
    ``background_stale`` is set so an animator that caches the static layer
    redraws it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel's own axes.
    max_iter : int
        Largest iteration number.
    history : callable
        ``history() -> list`` of the run's states so far, state ``t`` at index
        ``t`` (the animator's history), so a frame drawn alone (a PNG of the
        last state) still shows the whole curve.
    """

    def __init__(self, ax, max_iter, *, history, color="0.15"):
        self.ax = ax
        self.max_iter = int(max_iter)
        self.history = history
        self.line, = ax.plot([], [], "-", color=color, linewidth=1.5, zorder=Z_FIT)
        self.marker, = ax.plot([], [], "o", color=color, markeredgecolor="white",
                               markersize=7, zorder=Z_MEANS)
        ax.set_title("mean log-likelihood", fontsize=10)
        ax.set_xlabel("iteration", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        # plain tick labels: an offset text would collide with the title
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
        self._xmax = max(1, self.max_iter)
        ax.set_xlim(-0.02 * self._xmax, 1.02 * self._xmax)
        ax.set_ylim(0.0, 1.0)
        self._ylim = None
        self.background_stale = False
        self.artists = [self.line, self.marker]

    def curve(self, iteration):
        """Iterations 0..t known so far and their log-likelihoods (2 arrays)."""
        states = self.history()[: iteration + 1]
        lls = np.array([s.log_likelihood for s in states], dtype=float)
        return np.arange(len(lls), dtype=float), lls

    def update(self, state):
        t = int(state.iteration)
        self._grow_x()
        its, lls = self.curve(t)
        self.line.set_data(its, lls)
        self.marker.set_data([t], [float(state.log_likelihood)])
        self._grow_limits(lls)
        return [self.line, self.marker]

    def _grow_x(self):
        """x range 0 to the run's last iteration once EM has stopped (a save computes
        every state first); while it runs (live), doubling steps from 10, at most ``max_iter``."""
        states = self.history()
        last = states[-1] if len(states) else None
        if last is not None and (last.converged or int(last.iteration) >= self.max_iter):
            xmax = max(1, int(last.iteration))
        else:
            xmax = 10
            while xmax < len(states) and xmax < self.max_iter:
                xmax *= 2
            xmax = max(1, min(xmax, self.max_iter))
        if xmax != self._xmax:
            self._xmax = xmax
            self.ax.set_xlim(-0.02 * xmax, 1.02 * xmax)
            self.background_stale = True

    def _grow_limits(self, lls):
        finite = lls[np.isfinite(lls)]
        ylim = self._ylim
        if len(finite):
            lo, hi = float(finite.min()), float(finite.max())
            # grow before a value reaches the edge, so the marker is never clipped
            edge = 0.0 if ylim is None else 0.04 * (ylim[1] - ylim[0])
            if ylim is None or lo < ylim[0] + edge or hi > ylim[1] - edge:
                # EM's curve mostly climbs: room above grows with the span,
                # so the limits (and the background) change O(log) times
                if ylim is not None:
                    lo, hi = min(lo, ylim[0]), max(hi, ylim[1])
                span = max(hi - lo, 1e-3 * max(abs(hi), 1.0), 1e-9)
                ylim = (lo - 0.1 * span, hi + 0.4 * span)
        if ylim != self._ylim:
            self._ylim = ylim
            self.ax.set_ylim(*ylim)
            self.background_stale = True


def voronoi_cells(centres, xlim, ylim):
    """Voronoi cells of ``centres`` clipped to a rectangle.

    Each cell is the rectangle cut by the half-planes
    ``|x - c_j| <= |x - c_i|`` for every other centre (Sutherland-Hodgman);
    duplicate centres share one cell.

    Parameters
    ----------
    centres : ndarray, shape (k, 2)
    xlim, ylim : (float, float)

    Returns
    -------
    cells : list of k ndarrays, shape (m_j, 2)
        Polygon vertices (possibly empty).
    """
    centres = np.asarray(centres, dtype=float)
    box = np.array([[xlim[0], ylim[0]], [xlim[1], ylim[0]], [xlim[1], ylim[1]],
                    [xlim[0], ylim[1]]])
    cells = []
    for j, cj in enumerate(centres):
        poly = box
        for i, ci in enumerate(centres):
            if i == j or len(poly) == 0 or np.array_equal(ci, cj):
                continue
            normal = ci - cj                        # keep points with n.x <= n.(ci+cj)/2
            offset = 0.5 * normal @ (ci + cj)
            poly = _clip_half_plane(poly, normal, offset)
        cells.append(poly)
    return cells


def _clip_half_plane(poly, normal, offset):
    """The part of convex polygon ``poly`` (m, 2) where ``normal . x <= offset``."""
    s = poly @ normal - offset
    inside = s <= 0
    if inside.all():
        return poly
    if not inside.any():
        return np.empty((0, 2))
    out = []
    m = len(poly)
    for a in range(m):
        b = (a + 1) % m
        if inside[a]:
            out.append(poly[a])
        if inside[a] != inside[b]:
            t = s[a] / (s[a] - s[b])
            out.append(poly[a] + t * (poly[b] - poly[a]))
    return np.array(out)


class VoronoiView:
    """k-means' hard assignment as regions: each centre's Voronoi cell, tinted
    with its colour and outlined in gray, under the points."""

    def __init__(self, ax, colors, *, tint=0.14):
        self.xlim, self.ylim = ax.get_xlim(), ax.get_ylim()
        colors = np.asarray(colors, dtype=float)
        face = colors.copy()
        face[:, 3] = tint
        self.cells = PolyCollection([], facecolors=face, edgecolors="0.35", linewidths=1.0,
                                    zorder=Z_REGIONS)
        ax.add_collection(self.cells, autolim=False)
        self.polygons = []
        self.artists = [self.cells]

    def update(self, state):
        """Cells of ``state.means`` (shape (k, 2))."""
        self.polygons = voronoi_cells(np.asarray(state.means, float)[:, :2], self.xlim, self.ylim)
        self.cells.set_verts([p if len(p) else np.zeros((0, 2)) for p in self.polygons])
        return [self.cells]


class PanelTitle:
    """A fixed label in the top-left corner inside the axes, on a white box
    (smaller, or cut with an ellipsis, when it is wider than the axes)."""

    def __init__(self, ax, text, *, fontsize=10):
        self.text = ax.text(0.015, 0.985, text, transform=ax.transAxes, ha="left", va="top",
                            fontsize=fontsize, fontweight="bold", zorder=Z_TEXT,
                            bbox=dict(boxstyle="round,pad=0.25", facecolor="white",
                                      edgecolor="0.7", alpha=0.9))
        fit_text(self.text, 0.97 * ax.get_window_extent().width - 8)
        self.artists = [self.text]

    def update(self, state):
        return []


class KMeansText(IterationText):
    """``iter t / max   mean sq. distance D`` for a k-means state."""

    def __init__(self, ax, max_iter, *, fontsize=10, last=None):
        super().__init__(ax, max_iter, fontsize=fontsize, label="mean sq. distance",
                         attribute="objective", spec=".4g", last=last)


class FollowerPanel:
    """Views on another axes that follow a second sequence of states.

    Each frame the animator hands the EM state; this panel looks up state
    number ``state.iteration`` of its own sequence (pulled lazily from
    ``source()``, kept, and held at its last state once it ends) and
    updates its child views with it. Used for the k-means panel.

    Parameters
    ----------
    source : callable
        ``source() -> iterator`` of states (state 0 first) in display units;
        called again by :meth:`reset` for a new run.
    views : list
        Child views (``update(state)``, ``artists``) drawn on the panel.
    frame : callable
        ``frame() -> int``: which state to show (the animator's frame index,
        so the panel keeps advancing after EM has stopped).
    """

    def __init__(self, source, views, *, frame):
        self.source = source
        self.frame = frame
        self.views = list(views)
        self.artists = [a for v in self.views for a in v.artists]
        self.reset()

    def reset(self):
        """Start over from a fresh ``source()`` (e.g. after an EM restart)."""
        self._iterator = None
        self.history = []
        self._done = False

    def state(self, i):
        """State ``min(i, last)`` of the followed sequence."""
        if self._iterator is None:
            self._iterator = iter(self.source())
        while len(self.history) <= i and not self._done:
            try:
                self.history.append(next(self._iterator))
            except StopIteration:
                self._done = True
        return self.history[min(i, len(self.history) - 1)]

    def has_state(self, i):
        """Whether the followed sequence has a state ``i`` (pulls up to it)."""
        self.state(i)
        return len(self.history) > i

    def update(self, state):
        own = self.state(int(self.frame()))
        changed = []
        for view in self.views:
            changed.extend(view.update(own))
        return changed


# --------------------------------------------------------------------------- #
# Assembly: the teaching views of one animation
# --------------------------------------------------------------------------- #

LL_PANEL_WIDTH = 320          # pixels, tick labels included


def add_teaching_views(anim, fit, options):
    """Add the teaching views ``options`` ask for to ``anim`` (all off: no change).

    ``soft`` replaces the points view; ``contours`` draws over the points;
    ``compare="kmeans"`` adds a panel of the scene's size beside it in which
    k-means (Lloyd) runs from EM state 0's means (frames run until both runs
    stop: the animator repeats EM's last state while the panel
    :meth:`~FollowerPanel.has_state`); ``ll_panel`` adds the log-likelihood
    curve beside everything.

    Parameters
    ----------
    anim : gmm_animator.Animator
        Before its first frame.
    fit : gmm_fit.FitRun
        Gives the full-dimensional responsibilities and the k-means run.
    options : gmm_options.Options
    """
    ax, colors = anim.ax, anim.colors
    resp = None if fit.n_features == 2 else fit.responsibilities
    if options.uncertainty:      # one (n, k) array per frame for both
        shown = np.asarray(fit.points, dtype=float)
        resp = LastResponsibilities(resp or (lambda state: gmm.responsibilities(
            shown, state.weights, state.means, state.covariances)))
    if options.soft:
        old = next(v for v in anim.views if type(v) is PointsView)
        anim.add_view(SoftPointsView(ax, fit.points, colors, responsibilities=resp), replace=old)
    if options.uncertainty:
        points_view = next(v for v in anim.views if isinstance(v, PointsView))
        anim.add_view(UncertaintyView(ax, points_view, fit.points, resp))
    if options.contours:
        anim.add_view(ContoursView(ax, fit.points))
    if options.compare == "kmeans":
        _add_kmeans_panel(anim, fit, options)
    if options.ll_panel:
        add_ll_panel(anim, options)


def add_ll_panel(anim, options):
    """The ``--ll-panel`` curve beside the scene (2-D or 1-D): the mean
    log-likelihood of every state so far, a marker at the shown one."""
    lax = anim.add_side_axes("ll", width=LL_PANEL_WIDTH, margins=(64, 16))
    anim.add_view(LogLikelihoodPanel(lax, options.max_iter, history=lambda: anim.history))


def _add_kmeans_panel(anim, fit, options):
    """The ``--compare kmeans`` panel: k-means on the same points beside EM's scene."""
    ax, colors = anim.ax, anim.colors
    scene_px = int(round(ax.get_position().width * anim.size[0]))
    kax = anim.add_side_axes("kmeans", width=scene_px + 80, margins=(64, 16))
    kax.set_xlim(ax.get_xlim())
    kax.set_ylim(ax.get_ylim())
    kax.set_aspect(ax.get_aspect(), adjustable="box")       # equal only where the scene is
    kax.set_xlabel(ax.get_xlabel(), fontsize=ax.xaxis.label.get_fontsize(), labelpad=2)
    kax.set_ylabel(ax.get_ylabel(), fontsize=ax.yaxis.label.get_fontsize(), labelpad=2)
    kax.apply_aspect()
    views = []
    # regions only where they are exact: 2 columns, and k-means distances in the drawn
    # units (one scale for both columns, not standardised column by column)
    if fit.n_features == 2 and np.all(fit.scale == fit.scale[0]):
        views.append(VoronoiView(kax, colors))
    views.append(PointsView(kax, fit.points, colors))
    if fit.true_components is not None:
        views.append(TrueEllipsesView(kax, *fit.true_components))
    if options.show_means:
        views.append(MeansView(kax, colors))
    # "iter t / T": T is k-means' own last iteration (panel: the follower below)
    views.append(KMeansText(kax, options.max_iter, last=lambda: len(panel.history) - 1))
    views.append(PanelTitle(kax, "k-means (Lloyd): hard assignment"))
    kax.set_xlim(kax.get_xlim())
    kax.set_ylim(kax.get_ylim())
    panel = anim.add_view(FollowerPanel(fit.kmeans_states, views, frame=lambda: anim.current))
    title = "EM: Gaussian mixture" + (" (soft colours)" if options.soft else "")
    if options.uncertainty:
        title += " (size: uncertainty)"
    anim.add_view(PanelTitle(ax, title))
