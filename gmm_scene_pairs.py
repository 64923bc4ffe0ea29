"""The scatter-matrix scene: every pair of columns in its own panel, each column's histogram.

:class:`PairsScene` is the :class:`gmm_scene.Scene` of data with 3 or more
drawn columns (``--view pairs``, the default up to
:data:`gmm_options.PAIRS_UP_TO` columns), drawn as R's ``pairs()`` and
mclust's classification plot draw them:

- below the diagonal, panel (row i, column j) shows column j across and
  column i up, in the user's units: the points coloured by component (as an
  image, one pixel per panel pixel, above :data:`PANEL_IMAGE_THRESHOLD`
  points), each component's ellipse of its marginal covariance for that pair
  (``covariances[c][[j, i]][:, [j, i]]``, the same Mahalanobis level as
  every scene), the means and the true components;
- on the diagonal, column i's histogram with the mixture's marginal density
  and its weighted components, the intervals and means below the axis, as
  the 1-D scene (:mod:`gmm_scene1d`) draws one column;
- above the diagonal, the legend (nothing moves there).

Every panel reuses the 2-D and 1-D views unchanged: a :class:`MarginalView`
hands them the marginal state of their columns (:func:`marginal`). Panels
are inset axes of the animator's scene axes, so the layout moves and scales
them with it; the panels' static layer is drawn once and each frame draws
only the views' artists, as in every scene.
"""

import dataclasses

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from gmm_legend import mean_true_and_cycle_entries, point_entry
from gmm_plot import POINT_ALPHA, Z_POINTS, Z_TEXT, MeansView, component_colors, plain_ticks
from gmm_scene import BaseView
from gmm_scene1d import (
    DENSITY_COLOR, UNCERTAINTY_COLOR, AxisMeansView, DensityCurvesView, DensityLocator,
    Histogram, HistogramView, IntervalsView, ScaleView, TrueCurvesView,
)
from gmm_scene1d import UncertaintyView as CurveUncertaintyView
from gmm_scene2d import (
    EllipsesView, PointsView, SoftPointsView, TrueEllipsesView, UncertaintyView,
)

#: a panel draws its points as an image above this many points (panels are small:
#: one pixel per point is as sharp as markers there, and far cheaper per frame)
PANEL_IMAGE_THRESHOLD = 3000
#: gap between panels, in pixels
GAP_PX = 6
#: the most uncertain points drawn as markers per panel with --uncertainty (image mode)
PANEL_MARKERS = 300
TICK_SIZE = 7


def marginal(state, columns):
    """The state of the marginal mixture of ``columns``: its means and covariances
    restricted to them (a Gaussian's marginal); weights, labels, iteration and
    log-likelihood kept.

    Parameters
    ----------
    state : gmm.GMMState
        ``means`` (k, d), ``covariances`` (k, d, d).
    columns : sequence of int
        m column numbers.

    Returns
    -------
    gmm.GMMState
        ``means`` (k, m), ``covariances`` (k, m, m).
    """
    cols = np.asarray(columns, dtype=np.intp)
    covs = np.asarray(state.covariances)
    return dataclasses.replace(state, means=np.asarray(state.means)[:, cols],
                               covariances=covs[:, cols[:, None], cols[None, :]])


def marginal_components(components, columns):
    """``(means (m, c), covariances (m, c, c))`` of true ``components`` (means (m, d),
    covariances (m, d, d)) restricted to ``columns``."""
    means, covs = (np.asarray(a, dtype=float) for a in components)
    cols = np.asarray(columns, dtype=np.intp)
    return means[:, cols], covs[:, cols[:, None], cols[None, :]]


class MarginalView:
    """A view of some columns of d-dimensional states: ``view`` (a 2-D or 1-D
    view) is updated with :func:`marginal` of each state.

    Parameters
    ----------
    view : gmm_scene.View
    columns : sequence of int
    """

    def __init__(self, view, columns):
        self.view = view
        self.columns = tuple(int(c) for c in columns)
        self.artists = view.artists
        self.palette_colors = view.palette_colors

    @property
    def background_stale(self):
        """The wrapped view's flag (a diagonal's scale grew)."""
        return self.view.background_stale

    @background_stale.setter
    def background_stale(self, value):
        self.view.background_stale = value

    def update(self, state):
        return self.view.update(marginal(state, self.columns))

    def reset(self):
        self.view.reset()

    def has_state(self, i):
        return self.view.has_state(i)


class PerIteration:
    """``func(state)`` computed once per EM state (iteration and log-likelihood), so
    the panels of one frame, which see marginal copies of one state, share it.

    Parameters
    ----------
    func : callable
        ``func(state) -> ndarray`` (the fit's (n, k) responsibilities).
    """

    def __init__(self, func):
        self.func = func
        self._key, self._value = None, None

    def __call__(self, state):
        key = (int(state.iteration), float(state.log_likelihood))
        if key != self._key:
            self._value = np.asarray(self.func(state), dtype=float)
            self._key = key
        return self._value


class NameView(BaseView):
    """A column's name in the top left of its diagonal panel, over the bars and
    curves (redrawn with them each frame)."""

    def __init__(self, ax, name):
        self.text = ax.text(0.04, 0.95, name, transform=ax.transAxes, ha="left", va="top",
                            fontsize=8, fontweight="bold", zorder=Z_TEXT,
                            bbox=dict(boxstyle="round,pad=0.15", facecolor="white",
                                      edgecolor="none", alpha=0.75))
        self.artists = [self.text]


def panel_rects(d, gap):
    """Rectangles of a d x d grid of panels in a unit square, row 0 at the top.

    Parameters
    ----------
    d : int
    gap : float
        Space between neighbouring panels, as a fraction of the square.

    Returns
    -------
    dict
        ``(row, column) -> (x0, y0, width, height)``.
    """
    size = (1.0 - (d - 1) * gap) / d
    return {(r, c): (c * (size + gap), 1.0 - (r + 1) * size - r * gap, size, size)
            for r in range(d) for c in range(d)}


class PairsScene:
    """The :class:`gmm_scene.Scene` of 3 or more drawn columns: a scatter matrix.

    Parameters
    ----------
    fit : gmm_fit.FitRun
        Its ``points`` (n, d) in display units (no projection: ``fit.view ==
        "pairs"``), ``axis_labels`` (d names), ``true_components`` and
        ``responsibilities``.
    options : gmm_options.Options
        ``n_components``, the ``show_*`` flags and the teaching flags.

    Attributes
    ----------
    histograms : list of gmm_scene1d.Histogram
        One per column; their x limits are the column's in every panel.
    panels : dict
        ``(row, column) -> Axes`` for the drawn panels (row >= column).
    """

    data_axes = 2
    pins_points = False       # a pinned point would need a ring in every panel
    static_legend = True      # the legend sits above the diagonal: nothing moves there

    def __init__(self, fit, options):
        self.fit, self.options = fit, options
        self.points = np.asanyarray(fit.points, dtype=float)
        self.d = self.points.shape[1]
        self.colors = component_colors(options.n_components)
        self.names = list(fit.axis_labels or [f"x{c}" for c in range(self.d)])
        self.histograms = [Histogram(self.points[:, c], self._true((c,)))
                           for c in range(self.d)]
        self.kmeans_legend_entries = []
        self.em_title = "EM: Gaussian mixture"
        self.panels = {}
        self.legend_box = (0.0, 0.0)

    def _true(self, columns):
        """The true components restricted to ``columns``, or None."""
        if self.fit.true_components is None:
            return None
        return marginal_components(self.fit.true_components, columns)

    def frame(self):
        """A square of unit limits: the panels are laid out inside it."""
        return (0.0, 1.0), (0.0, 1.0), True

    # -- panels --------------------------------------------------------------
    def _panel(self, anim, rect, row, col):
        """Inset axes for panel (row, col) with the columns' limits and outer tick labels."""
        ax = anim.ax.inset_axes(rect)
        xlim = self.histograms[col].xlim
        ylim = self.histograms[row].ylim if row == col else self.histograms[row].xlim
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        plain_ticks(ax, labelsize=TICK_SIZE)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.yaxis.set_major_locator(DensityLocator(nbins=3) if row == col else MaxNLocator(nbins=3))
        ax.tick_params(length=2.5, pad=1.5)
        ax.tick_params(axis="x", labelbottom=row == self.d - 1)
        ax.tick_params(axis="y", labelleft=col == 0 and row > 0)
        if row == self.d - 1:
            ax.set_xlabel(self.names[col], fontsize=8, labelpad=1)
        if col == 0 and row > 0:
            ax.set_ylabel(self.names[row], fontsize=8, labelpad=1)
        self.panels[(row, col)] = ax
        return ax

    def _pair_views(self, ax, row, col):
        """Points, true and fitted ellipses and means of columns (col, row)."""
        cols, options = (col, row), self.options
        views = [MarginalView(PointsView(ax, self.points[:, list(cols)], self.colors,
                                         image_threshold=PANEL_IMAGE_THRESHOLD), cols)]
        true = self._true(cols)
        if true is not None:
            views.append(TrueEllipsesView(ax, *true))
        if options.show_covariances:
            views.append(MarginalView(EllipsesView(ax, self.colors, linewidth=1.5), cols))
        if options.show_means:
            views.append(MarginalView(MeansView(ax, self.colors, size=60.0), cols))
        return views

    def _diagonal_views(self, anim, ax, c):
        """Column c as the 1-D scene draws it: scale, bars, curves, intervals, means."""
        hist, options, colors = self.histograms[c], self.options, self.colors
        ax.axhline(0.0, color="0.2", linewidth=0.8, zorder=Z_POINTS - 0.5)
        ax.tick_params(axis="y", left=False)

        def history():
            return [marginal(s, (c,)) for s in anim.history]

        views = [ScaleView(hist, [ax], history),
                 MarginalView(HistogramView(ax, hist, colors), (c,))]
        true = self._true((c,))
        if true is not None:
            views.append(TrueCurvesView(ax, hist.grid, true))
        views.append(MarginalView(DensityCurvesView(ax, colors, hist.grid, hist=hist,
                                                    components=options.show_covariances), (c,)))
        if options.show_covariances:
            views.append(MarginalView(IntervalsView(ax, colors, hist, linewidth=2.0), (c,)))
        if options.show_means:
            views.append(MarginalView(AxisMeansView(ax, colors, size=60.0), (c,)))
        views.append(NameView(ax, self.names[c]))
        return views

    def views(self, anim):
        """Every panel's views: the pairs below the diagonal, the histograms on it."""
        ax = anim.ax
        ax.set_axis_off()
        # no mouse event lands on the scene axes (the mouse clicks and drags in one
        # 2-D view; its positions here would be of no panel): an empty hit area
        ax.patch.set_width(0.0)
        box = ax.get_window_extent()
        rects = panel_rects(self.d, GAP_PX / max(box.width, 1.0))
        views = []
        for (row, col), rect in rects.items():
            if row < col:
                continue
            pax = self._panel(anim, rect, row, col)
            views += (self._diagonal_views(anim, pax, row) if row == col
                      else self._pair_views(pax, row, col))
        return views

    # -- teaching flags ------------------------------------------------------
    def add_teaching_views(self, anim):
        """``soft``: points and bars coloured by the fit's responsibilities;
        ``uncertainty``: uncertain points drawn larger, the 1-D uncertainty curve
        on the diagonal; ``contours``, ``compare``, ``trails``, ``explain`` and
        a tracked point need one 2-D panel (ValueError)."""
        options, fit, colors = self.options, self.fit, self.colors
        for flag, given in (("--contours", options.contours),
                            ("--compare kmeans", options.compare),
                            ("--trails", options.trails), ("--explain", options.explain),
                            ("--track", options.track is not None),
                            ("--track-row", options.track_row is not None)):
            if given:
                raise ValueError(f"{flag} draws in one 2-D panel; the scatter matrix has "
                                 f"{self.d * (self.d - 1) // 2}: use --view pca or --dims I J")
        if not (options.soft or options.uncertainty):
            return
        resp = PerIteration(fit.responsibilities)      # one (n, k) array per frame
        for view in [v for v in anim.views if isinstance(v, MarginalView)]:
            inner, cols = view.view, view.columns
            if options.soft and type(inner) is PointsView:
                soft = SoftPointsView(inner.ax, self.points[:, list(cols)], colors,
                                      responsibilities=resp,
                                      image_threshold=PANEL_IMAGE_THRESHOLD)
                inner = anim.add_view(MarginalView(soft, cols), replace=view).view
            if options.soft and isinstance(inner, HistogramView):
                anim.add_view(MarginalView(HistogramView(inner.bars.axes, inner.hist, colors,
                                                         responsibilities=resp), cols),
                              replace=view)
            if options.uncertainty and isinstance(inner, PointsView):
                anim.add_view(UncertaintyView(inner.ax, inner, self.points[:, list(cols)],
                                              resp, max_markers=PANEL_MARKERS))
            if options.uncertainty and isinstance(inner, DensityCurvesView):
                hist = self.histograms[cols[0]]
                anim.add_view(MarginalView(CurveUncertaintyView(self.panels[cols * 2], hist.grid),
                                           cols))

    def kmeans_views(self, anim, kax):
        """No k-means panel beside a scatter matrix (see :meth:`add_teaching_views`)."""
        raise ValueError("--compare kmeans draws in one 2-D panel: use --view pca or --dims I J")

    # -- legend, notes, mouse --------------------------------------------------
    def legend_entries(self):
        """Point, fitted ellipse, bar, density curves, means and true components."""
        options, colors = self.options, self.colors
        entries = [point_entry(options, colors)]
        if options.show_covariances:
            entries.append((Line2D([], [], color=colors[0], linewidth=2),
                            "fitted component (marginal)"))
        entries += [(Patch(facecolor=colors[0], alpha=POINT_ALPHA + 0.1, edgecolor="white"),
                     "bars: stacked by responsibility" if options.soft
                     else "bar: colour of most of its points"),
                    (Line2D([], [], color=DENSITY_COLOR, linewidth=1.5),
                     "marginal mixture density")]
        if options.uncertainty:
            entries += [(Line2D([], [], marker="o", linestyle="none", color="0.3", markersize=8),
                         "bigger: less certain"),
                        (Line2D([], [], color=UNCERTAINTY_COLOR, linestyle=(0, (1.2, 1.6)),
                                linewidth=2), "uncertainty (0 at the axis, 1 at the top)")]
        return entries + mean_true_and_cycle_entries(
            options, colors, has_true=self.fit.true_components is not None)

    def place_legend(self, anim, box):
        """Upper right: above the diagonal, where no panel is drawn."""
        self.legend_box = box
        return "upper right"

    def nearest_point(self, anim, event):
        """No point is picked in the scatter matrix (editing is refused)."""
        return 0, float("inf")

    def edit_refusal(self, anim):
        """Points are added and removed in a 2-D view only (clicks do not reach the
        mouse in this scene: :meth:`views` leaves the scene axes no hit area)."""
        return ("adding or removing points works in one 2-D panel: rerun with --view pca "
                "or --dims I J")

    def refill(self, anim):
        """Nothing to refill: the data cannot be edited here."""

    def note_corner(self, anim, box, taken, under_title):
        """Upper right, under the legend: still above the diagonal."""
        below = self.legend_box[1] if "upper right" in taken else 0.0
        return "upper right", below
