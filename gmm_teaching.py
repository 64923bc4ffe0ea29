"""Views and panels shared by the scenes: the log-likelihood panel, the k-means
comparison panel's frame and the model-selection curves.

The drawing behind ``--ll-panel``, ``--compare kmeans`` and ``--select-k``,
the same for every :class:`gmm_scene.Scene`: :func:`add_panels` adds the
panels beside the scene that the options (and a ``--select-k`` selection)
ask for, all before the figure's layout is finished. What a panel draws of
the data (the k-means panel's points or histogram) comes from the scene
(:meth:`gmm_scene.Scene.kmeans_views`). The views follow
:class:`gmm_scene.View`.
"""

import numpy as np
from matplotlib.colors import to_rgba_array
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from gmm_plot import Z_FIT, Z_MEANS, Z_TEXT, IterationText, fit_text
from gmm_scene import BaseView
from gmm_steps import KMEANS_PHRASES, StepText, frame_stream, iteration_states, last_iteration

__all__ = [
    "CHOSEN_COLOR",
    "criterion_curve",
    "CriterionCurveView",
    "TYPE_STYLES",
    "criterion_curves",
    "readable_top",
    "OFF_SCALE_RISE",
    "OFF_SCALE_GAP",
    "CriterionCurvesView",
    "LogLikelihoodPanel",
    "PanelTitle",
    "KMeansText",
    "FollowerPanel",
    "add_panels",
    "add_kmeans_panel",
    "add_ll_panel",
    "add_criterion_panel",
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


class CriterionCurveView(BaseView):
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
        and optionally ``label`` (the curve's name, e.g. ``"full = diag =
        spherical (V)"``; default the type), as
        :func:`gmm_transforms.select_components_by_type` gives them.
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
                                            label=mine[0].get("label", covariance_type))
        bad = np.array([r["degenerate"] for r in mine], dtype=bool)
        if bad.any():
            ax.plot(ks[bad], values[bad], "x", color="0.35", markersize=9,
                    markeredgewidth=2.0)
    chosen = next(r for r in rows if r["k"] == best_k and r["covariance_type"] == best_type)
    ax.plot([best_k], [chosen[criterion]], "o", markersize=11, markerfacecolor="none",
            markeredgecolor=CHOSEN_COLOR, markeredgewidth=2.0,
            label=f"chosen: k = {best_k}, {chosen.get('label', best_type)}")
    if any(r["degenerate"] for r in rows):
        ax.plot([], [], "x", color="0.35", markersize=8, markeredgewidth=2.0,
                label="degenerate (not chosen)")
    top = readable_top([r[criterion] for r in rows],
                       [r[criterion] for r in rows if r["covariance_type"] == best_type])
    if top is not None:
        _mark_off_scale(ax, rows, criterion, top)
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
    widest = max(len(text) for text in ax.get_legend_handles_labels()[1])
    legend = ax.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0),
                       ncol=2 if widest <= 24 else 1, fontsize=8, frameon=False,
                       handlelength=1.6, columnspacing=1.0, borderaxespad=0.0)
    renderer = fig.canvas.get_renderer()
    room_px = legend.get_window_extent(renderer).height + 42.0
    room = room_px / (fig.get_size_inches()[1] * fig.dpi)
    ax.set_position((x0, y0 + room, w, max(h - room, 0.2 * h)))
    # anchored to the axes' bottom, room_px below it in points: it follows the
    # axes wherever a --size frame puts it, and grows with the figure's dpi
    legend.set_bbox_to_anchor((0.5, 0.0), transform=offset_copy(
        ax.transAxes, fig=fig, y=-room_px * 72.0 / fig.dpi, units="points"))
    return lines


#: the BIC-by-type panel's y range reaches at most this many times the
#: chosen type's own rise (its largest minus smallest value over the ks) above
#: the best value; points above are marked at the top edge with their value
OFF_SCALE_RISE = 6.0

#: ... and it stops below a gap between values more than this many times the
#: range covered so far (a type far worse than the others)
OFF_SCALE_GAP = 2.0


def readable_top(values, chosen, rise_factor=OFF_SCALE_RISE, gap_factor=OFF_SCALE_GAP):
    """The top of a y range that keeps the curves near the best readable, or None
    when every value fits.

    The range covers the chosen type's whole curve and grows upward value by
    value, stopping before a value more than ``gap_factor`` times the range
    covered so far above the previous one, or above ``rise_factor`` times the
    chosen curve's rise over the lowest value.

    Parameters
    ----------
    values : sequence of float, shape (m,)
        Every criterion value drawn.
    chosen : sequence of float, shape (c,)
        The chosen type's values (its curve); one value (one k) never cuts.
    rise_factor, gap_factor : float

    Returns
    -------
    float or None
        The largest value inside the range when some value lies above it
        (those are off the scale), else None.
    """
    values = np.sort(np.asarray(values, dtype=float))
    lo, top = values[0], float(np.max(chosen))
    rise = top - float(np.min(chosen))
    if rise <= 0:
        return None
    limit = lo + rise_factor * rise
    for value in values[values > top]:
        if value > limit or value - top > gap_factor * (top - lo):
            break
        top = float(value)
    return top if top < values[-1] else None


def _compact(value):
    """A criterion value short enough to sit under a triangle: from 10,000 up, 3
    significant digits in thousands or millions (``81.1k``, ``3.02M``), else whole (``742``)."""
    size = abs(value)
    if size >= 9.995e5:
        return f"{value / 1e6:.3g}M"
    return f"{value / 1e3:.3g}k" if size >= 1e4 else f"{value:.0f}"


def _mark_off_scale(ax, rows, criterion, top):
    """y range from the lowest value to ``top``; each point above it a triangle of its
    type's colour at the top edge, its value beneath (stacked where several share a k)."""
    values = [r[criterion] for r in rows]
    lo = min(values)
    pad = 0.08 * (top - lo) or 1.0
    ax.set_ylim(lo - pad, top + 2.2 * pad)      # room under the edge for the values
    edge = ax.get_xaxis_transform()            # x in data, y in axes coordinates
    stacked = {}
    for r in sorted(rows, key=lambda r: r[criterion]):
        if r[criterion] <= top:
            continue
        color = TYPE_STYLES.get(r["covariance_type"], ("0.2",))[0]
        below = stacked.get(r["k"], 0)
        stacked[r["k"]] = below + 1
        ax.plot([r["k"]], [0.985], "^", color=color, markersize=6, transform=edge,
                clip_on=False, zorder=4)
        ax.annotate(_compact(r[criterion]), (r["k"], 0.985), xycoords=edge,
                    xytext=(0, -6 - 9 * below), textcoords="offset points", ha="center",
                    va="top", fontsize=7, color=color)
    ax.plot([], [], "^", color="0.35", markersize=6, label="off the scale")


class CriterionCurvesView(BaseView):
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
# Panels: log-likelihood, k-means comparison
# --------------------------------------------------------------------------- #

class LogLikelihoodPanel(BaseView):
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


class PanelTitle(BaseView):
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
                         value=lambda state: state.objective, spec=".4g", last=last)


class FollowerPanel(BaseView):
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
# Assembly: the panels beside the scene
# --------------------------------------------------------------------------- #

LL_PANEL_WIDTH = 320          # pixels, tick labels included
#: pixels of the --covariance-type all panel (curves plus the legend below them)
CRITERION_CURVES_WIDTH = 340


def add_panels(anim, scene, options, selection=None):
    """The panels ``options`` ask for, left to right: ``compare="kmeans"``
    (:func:`add_kmeans_panel`), ``ll_panel`` (:func:`add_ll_panel`), and the
    criterion curve of a ``--select-k`` ``selection`` (:func:`add_criterion_panel`).

    Parameters
    ----------
    anim : gmm_animator.Animator
        Before its layout is finished.
    scene : gmm_scene.Scene
    options : gmm_options.Options
    selection : tuple (rows, best_k, criterion), optional
        What ``--select-k`` found.
    """
    if options.compare == "kmeans":
        add_kmeans_panel(anim, scene, options)
    if options.ll_panel:
        add_ll_panel(anim, options)
    if selection is not None:
        add_criterion_panel(anim, selection)


def add_ll_panel(anim, options):
    """The ``--ll-panel`` curve beside the scene: the mean log-likelihood of every
    state so far, a marker at the shown one."""
    lax = anim.add_side_axes("ll", width=LL_PANEL_WIDTH, margins=(64, 16))
    anim.add_view(LogLikelihoodPanel(lax, options.max_iter,
                                     history=lambda: iteration_states(anim.history)))


def add_kmeans_panel(anim, scene, options):
    """The ``--compare kmeans`` panel, as wide as the scene, beside it: k-means
    (Lloyd) from EM state 0's means, drawn by the scene
    (:meth:`gmm_scene.Scene.kmeans_views`), with its own header and title; the
    frames run until both runs stop (the animator repeats EM's last state while
    the panel :meth:`~FollowerPanel.has_state`).

    Raises ValueError for data read block by block (a memory map or dask
    array): Lloyd's k-means here holds the data in memory.
    """
    if not isinstance(scene.fit.Z, np.ndarray):
        raise ValueError(f"--compare kmeans holds the data in memory, and these "
                         f"{len(scene.fit.Z):,} rows are read block by block (a memory-mapped "
                         "file or a dask array): leave out --compare, or fit a sample of "
                         "the rows")
    ax = anim.ax
    scene_px = int(round(ax.get_position().width * anim.size[0]))
    kax = anim.add_side_axes("kmeans", width=scene_px + 80, margins=(64, 16), stack=False)
    views = scene.kmeans_views(anim, kax)
    # "iter t / T": T is k-means' own last iteration (panel: the follower below)
    if options.half_steps:      # update and assignment steps, in EM's rhythm
        views.append(StepText(kax, options.max_iter, phrases=KMEANS_PHRASES,
                              label="mean sq. distance", value=lambda state: state.objective,
                              spec=".4g", last=lambda: last_iteration(panel.history)))
    else:
        views.append(KMeansText(kax, options.max_iter, last=lambda: len(panel.history) - 1))
    views.append(PanelTitle(kax, "k-means (Lloyd): hard assignment"))
    kax.set_xlim(kax.get_xlim())
    kax.set_ylim(kax.get_ylim())
    panel = anim.add_view(FollowerPanel(
        lambda: frame_stream(scene.fit.kmeans_states(), options.half_steps), views,
        frame=lambda: anim.current))
    anim.add_view(PanelTitle(ax, scene.em_title))


def add_criterion_panel(anim, selection):
    """The ``--select-k`` criterion curve beside everything so far (one curve per
    covariance type for ``--covariance-type all``)."""
    rows, best_k, criterion = selection
    if isinstance(best_k, tuple):           # --covariance-type all: one curve per type
        ax = anim.add_side_axes("criterion", width=CRITERION_CURVES_WIDTH, margins=(64, 16))
        anim.add_view(CriterionCurvesView(ax, rows, best_k, criterion=criterion))
        return
    ax = anim.add_side_axes("criterion")
    anim.add_view(CriterionCurveView(
        ax, [r["k"] for r in rows], [r[criterion] for r in rows], best_k,
        label=criterion.upper(), excluded=[r["k"] for r in rows if r["degenerate"]]))
