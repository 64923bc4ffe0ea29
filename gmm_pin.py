"""One point's responsibilities: a pinned data point, ringed, with its r_ik as bars.

``--track X Y`` (the data point nearest (X, Y) in the drawn axes' units) or
``--track-row N`` pins a point in saved files; in the live window a click on
a point pins it (a second click moves the pin, Esc removes it; see
:mod:`gmm_mouse`). :class:`PinnedPoint` rings it and draws, in a free corner
of the scene, one bar per component in the component's colour: the point's
responsibility under the E-step that colours the frame (an M-step frame of
``--half-steps`` keeps the previous E-step's, as the points do).
"""

import numpy as np
from matplotlib.patches import Rectangle

import gmm
from gmm_blocks import row_blocks
from gmm_plot import Z_TEXT
from gmm_scene import BaseView
from gmm_steps import assigning_state

__all__ = ["tracked_row", "point_responsibilities", "PinnedPoint", "BOX"]

#: the bar panel's width and height, in fractions of the scene axes
BOX = (0.36, 0.24)


def tracked_row(fit, options):
    """The row ``options.track_row`` or the one nearest ``options.track``, or None.

    ``track`` is in the drawn axes' units (user units for one or two data
    columns), one number per drawn axis.

    Raises
    ------
    ValueError
        A row outside the data, or ``track`` with the wrong number of coordinates.
    """
    n, drawn = np.shape(fit.points)        # a memory map's view: read in blocks below
    if options.track_row is not None:
        row = int(options.track_row)
        if not 0 <= row < n:
            raise ValueError(f"--track-row {row}: the data have {n} rows (0 to {n - 1}); "
                             "give a row in that range")
        return row
    if options.track is None:
        return None
    target = np.asarray(options.track, dtype=float)
    if target.shape != (drawn,):
        raise ValueError(f"--track takes {drawn} number{'s' if drawn > 1 else ''} (the drawn "
                         f"axes' coordinates), got {target.size}")
    target = target / fit.display_unit
    best, row = np.inf, 0
    for sl, block in row_blocks(fit.points):
        with np.errstate(over="ignore", invalid="ignore"):
            dist = np.sum((block - target) ** 2, axis=1)
        dist = np.where(np.isfinite(dist), dist, np.inf)
        i = int(np.argmin(dist))
        if dist[i] < best:          # ties: the first row, as one argmin over all rows
            best, row = dist[i], sl.start + i
    return row


def point_responsibilities(fit, row, state):
    """Row ``row``'s responsibilities (k,) under the E-step colouring ``state``.

    The fit's own (standardised, all columns) parameters of that iteration,
    so the bars agree with the points' colours for any number of columns.
    """
    shown = assigning_state(state)
    weights, means, covs = fit.fit_params(int(shown.iteration))
    x = np.asarray(fit.Z[row:row + 1], dtype=float)
    return gmm.responsibilities(x, weights, means, covs)[0]


class PinnedPoint(BaseView):
    """A ring around the pinned point and its responsibilities as bars (scene axes).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The scene axes.
    fit : gmm_fit.FitRun
    colors : ndarray, shape (k, 4)
    row : int or None
        The pinned row (None: nothing pinned yet).
    place : callable, optional
        ``place() -> (x, y, ha, va)`` in axes fractions: the corner of the bar
        panel, asked at each pin (default: the upper left corner).
    """

    def __init__(self, ax, fit, colors, *, row=None, place=None):
        self.ax, self.fit, self.place = ax, fit, place
        self.colors = np.asarray(colors, dtype=float)
        k = len(self.colors)
        self.ring = ax.scatter([0.0], [0.0], s=260, facecolors="none", edgecolors="black",
                               linewidths=2.2, zorder=Z_TEXT - 0.2)
        self.halo = ax.scatter([0.0], [0.0], s=330, facecolors="none", edgecolors="white",
                               linewidths=3.2, zorder=Z_TEXT - 0.21)
        tr = ax.transAxes
        self.box = Rectangle((0, 0), BOX[0], BOX[1], transform=tr, facecolor="white",
                             edgecolor="0.5", alpha=0.93, zorder=Z_TEXT)
        self.bars = [Rectangle((0, 0), 0, 0, transform=tr, facecolor=c, edgecolor="0.2",
                               linewidth=0.6, zorder=Z_TEXT + 0.1) for c in self.colors]
        self.values = [ax.text(0, 0, "", transform=tr, ha="center", va="bottom",
                               fontsize=7 if k > 5 else 8, zorder=Z_TEXT + 0.2)
                       for _ in range(k)]
        self.title = ax.text(0, 0, "", transform=tr, ha="left", va="top", fontsize=8,
                             zorder=Z_TEXT + 0.2)
        for artist in (self.box, *self.bars):
            ax.add_patch(artist)
        self.artists = [self.halo, self.ring, self.box, *self.bars, *self.values, self.title]
        self.corner = (0.01, 0.99 - BOX[1])
        self.anchor = (0.01, 0.99, "left", "top")
        self.resp = None
        self.pin(row)

    def pin(self, row):
        """Pin data row ``row`` (None: remove the pin)."""
        self.row = None if row is None else int(row)
        self.placed = False             # the corner is asked at the next frame (legends placed)
        if self.row is not None:
            p = np.asarray(self.fit.points[self.row], dtype=float)
            xy = np.zeros(2)
            xy[:p.size] = p[:2]          # one drawn column: the point sits on the axis (y = 0)
            self.ring.set_offsets([xy])
            self.halo.set_offsets([xy])
        for artist in self.artists:
            artist.set_visible(self.row is not None)

    def update(self, state):
        """The bars of the pinned point's responsibilities for ``state``."""
        if self.row is not None and self.row >= len(self.fit.points):
            self.pin(None)              # the live window's edits removed rows
        if self.row is None:
            return []
        if not self.placed and self.place is not None:
            self.anchor = x, y, ha, va = self.place()
            self.corner = (x - BOX[0] if ha == "right" else x, y - BOX[1] if va == "top" else y)
        self.placed = True
        self.resp = point_responsibilities(self.fit, self.row, state)
        k = len(self.resp)
        x0, y0 = self.corner
        w, h = BOX
        self.box.set_xy((x0, y0))
        inner_h = 0.62 * h
        slot = 0.92 * w / k
        for j, (bar, text, r) in enumerate(zip(self.bars, self.values, self.resp)):
            left = x0 + 0.04 * w + j * slot
            bar.set_bounds(left + 0.15 * slot, y0 + 0.06 * h, 0.7 * slot, inner_h * float(r))
            text.set_position((left + 0.5 * slot, y0 + 0.07 * h + inner_h * float(r)))
            text.set_text(f"{r:.2f}" if k <= 8 else "")
        self.title.set_position((x0 + 0.03 * w, y0 + 0.97 * h))
        self.title.set_text(f"point {self.row}: responsibilities $r_{{ik}}$")
        return self.artists
