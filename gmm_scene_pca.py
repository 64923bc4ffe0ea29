"""The principal-component view of wide data, as a biplot.

:class:`BiplotScene` is the :class:`gmm_scene.Scene` of ``--view pca`` (the
default above :data:`gmm_options.PAIRS_UP_TO` columns): the 2-D scatter
scene (:class:`gmm_scene2d.ScatterScene`) of the data's top two principal
components in the fit's standardised coordinates
(:func:`gmm_transforms.pca_projection`), plus one labelled arrow per column
(:class:`LoadingsView`): the direction a point moves in the view when that
column grows by one of its own units of the fit (one standard deviation for
columns standardised one by one), all arrows scaled by one factor so the
longest reaches :data:`ARROW_REACH` of the view. A column whose arrow lies
along PC1 drives PC1; a short arrow is a column the view hardly shows.
"""

import numpy as np
from matplotlib.lines import Line2D

from gmm_plot import Z_POINTS, Z_TRUE
from gmm_scene import BaseView
from gmm_scene2d import ScatterScene

#: the longest arrow reaches this fraction of the view's smaller half-width
ARROW_REACH = 0.8
ARROW_COLOR = "0.15"
Z_ARROWS = 0.5 * (Z_POINTS + Z_TRUE)      # over the points, under every ellipse


def loadings(fit):
    """``(2, d)`` loadings of the columns on the drawn axes: the rows of the fit's
    PCA in its standardised coordinates (``projection P`` times the fit's scale).

    Parameters
    ----------
    fit : gmm_fit.FitRun
        With ``view == "pca"``.
    """
    P = np.asarray(fit.projection[0], dtype=float)
    return P * (np.asarray(fit.scale, dtype=float) / fit.display_unit)


def arrow_tips(load, xlim, ylim, reach=ARROW_REACH):
    """Tips (d, 2) of the loading arrows from the origin: ``load.T`` (d, 2) times one
    factor, so the longest reaches ``reach`` of the smaller half-width of the limits.

    Returns
    -------
    tips : ndarray, shape (d, 2)
    factor : float
    """
    vectors = np.asarray(load, dtype=float).T
    room = reach * 0.5 * min(xlim[1] - xlim[0], ylim[1] - ylim[0])
    longest = float(np.max(np.hypot(vectors[:, 0], vectors[:, 1]), initial=0.0))
    factor = room / longest if longest > 0 else 0.0
    return vectors * factor, factor


def spread_labels(anchors, size, gap=2.0):
    """Vertical offsets (pixels) that keep labels at ``anchors`` from overlapping.

    Labels are taken from the highest anchor down; one whose box (``size`` =
    width, height in pixels, centred on its anchor) meets an earlier one's
    moves down below it. Near-parallel arrows (columns that move together)
    get readable names this way.

    Parameters
    ----------
    anchors : ndarray, shape (m, 2)
        Label positions in pixels.
    size : (float, float)

    Returns
    -------
    ndarray, shape (m,)
        Offsets (<= 0) to add to each anchor's y.
    """
    anchors = np.asarray(anchors, dtype=float)
    width, height = size
    offsets = np.zeros(len(anchors))
    placed = []
    for i in np.argsort(-anchors[:, 1], kind="stable"):
        x, y = anchors[i]
        for px, py in sorted(placed, key=lambda p: -p[1]):
            if abs(px - x) < width and abs(py - y) < height + gap:
                y = min(y, py - height - gap)
        offsets[i] = y - anchors[i, 1]
        placed.append((x, y))
    return offsets


class LoadingsView(BaseView):
    """One arrow per column from the origin of the principal components, labelled
    with the column's name at its tip; redrawn with every frame over the points.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The scene axes, limits final.
    load : ndarray, shape (2, d)
        The loadings (:func:`loadings`).
    names : list of str
        d column names.
    """

    def __init__(self, ax, load, names):
        self.tips, self.factor = arrow_tips(load, ax.get_xlim(), ax.get_ylim())
        self.arrows, self.labels = [], []
        norms = np.maximum(np.hypot(self.tips[:, 0], self.tips[:, 1]), 1e-300)
        away = 6.0 * self.tips / norms[:, None]          # points beyond the tip
        pixels = ax.transData.transform(self.tips) + away * ax.figure.dpi / 72.0
        width = 6.0 * max((len(n) for n in names), default=1) * ax.figure.dpi / 100.0
        down = spread_labels(pixels, (width, 11.0 * ax.figure.dpi / 100.0))
        for (x, y), (dx, dy), drop, name in zip(self.tips, away, down, names):
            arrow = ax.annotate("", xy=(x, y), xytext=(0.0, 0.0), zorder=Z_ARROWS,
                                arrowprops=dict(arrowstyle="-|>", color=ARROW_COLOR, lw=1.4,
                                                shrinkA=0, shrinkB=0, mutation_scale=10))
            label = ax.annotate(name, xy=(x, y),
                                xytext=(dx, dy + drop * 72.0 / ax.figure.dpi),
                                textcoords="offset points", fontsize=8, color=ARROW_COLOR,
                                ha="left" if x >= 0 else "right",
                                va="bottom" if y >= 0 else "top", zorder=Z_ARROWS,
                                bbox=dict(boxstyle="round,pad=0.1", facecolor="white",
                                          edgecolor="none", alpha=0.7))
            self.arrows.append(arrow)
            self.labels.append(label)
        self.artists = self.arrows + self.labels


class BiplotScene(ScatterScene):
    """The :class:`gmm_scene2d.ScatterScene` of the top two principal components
    (``fit.view == "pca"``) with the columns' loadings as labelled arrows.

    Parameters
    ----------
    fit : gmm_fit.FitRun
        Its ``projection`` (the PCA), ``scale``, ``display_unit`` and
        ``column_names`` (or ``x0``, ``x1``, ...).
    options : gmm_options.Options
    """

    def __init__(self, fit, options):
        super().__init__(fit, options)
        d = fit.n_features
        names = fit.column_names
        self.names = list(names) if names is not None and len(names) == d else [
            f"x{i}" for i in range(d)]

    def views(self, anim):
        """The scatter scene's views and the loading arrows."""
        views = super().views(anim)
        views.append(LoadingsView(anim.ax, loadings(self.fit), self.names))
        return views

    def legend_entries(self):
        """The scatter scene's entries and the arrow's."""
        return super().legend_entries() + [
            (Line2D([], [], color=ARROW_COLOR, linewidth=1.4, marker=">", markersize=5),
             "column: its loading (arrow)")]
