"""Compact legends: every mark on the screen explained, in every writer and the live window.

:func:`add_legends` gives the scene one small legend (the entries the
:class:`gmm_scene.Scene` lists for its marks, in the corner it chooses) and
each side panel its own (k-means centres and cells, the log-likelihood
curve; the criterion curve draws its own).
A legend is a view (see :class:`gmm_animator.Animator`): on top of the moving
ellipses every frame, never moved; its pixels are drawn once and blended over
each frame (:class:`gmm_layers.Prerendered`).
"""

import numpy as np
from matplotlib.lines import Line2D

from gmm_blocks import is_streamed, row_blocks
from gmm_layers import Prerendered
from gmm_plot import TRUE_COLOR, Z_TEXT
from gmm_scene import BaseView

__all__ = ["LegendView", "add_legends", "add_panel_legends", "emptiest_corner",
           "mean_true_and_cycle_entries"]

#: matplotlib location names of the four corners, in the order tried
CORNERS = ("upper left", "upper right", "lower left", "lower right")
FONTSIZE = 8


def emptiest_corner(points, xlim, ylim, *, box=(0.38, 0.3), taken=()):
    """The corner of the axes (a :data:`CORNERS` name) holding the fewest points.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
    xlim, ylim : (float, float)
    box : (float, float)
        Width and height of a corner region, as fractions of the axes.
    taken : sequence of str
        Corners already used (e.g. by a panel title).
    """
    pts = points if is_streamed(points) else np.asarray(points)   # read in blocks below
    if len(pts.shape) != 2 or pts.shape[1] < 2:
        raise ValueError(f"points must be (n, 2) positions in the axes, got shape {pts.shape}; "
                         "a 1-D scene has no y per point (see gmm_scene1d.HistogramScene.note_corner)")
    found = np.zeros(len(CORNERS), dtype=np.int64)
    for _, block in row_blocks(pts):        # O(block) memory, a memory map's pages released
        u = (block[:, 0] - xlim[0]) / (xlim[1] - xlim[0])
        v = (block[:, 1] - ylim[0]) / (ylim[1] - ylim[0])
        for i, name in enumerate(CORNERS):
            du = u < box[0] if "left" in name else u > 1 - box[0]
            dv = v > 1 - box[1] if "upper" in name else v < box[1]
            found[i] += np.count_nonzero(du & dv)
    counts = [int(c) if name not in taken else len(pts) + 1 for c, name in zip(found, CORNERS)]
    return CORNERS[int(np.argmin(counts))]      # ties: the first (upper left)


def mean_true_and_cycle_entries(options, colors, *, has_true):
    """The legend entries both scenes share: the mean's ``+``, the true
    components' gray dashes (sampled data) and, past 20 components, how the
    colours cycle."""
    entries = []
    if options.show_means:
        entries.append((Line2D([], [], marker="+", linestyle="none", color="black",
                               markersize=9, markeredgewidth=2), "mean"))
    if has_true:
        entries.append((Line2D([], [], color=TRUE_COLOR, linestyle="--", linewidth=1.5),
                        "true component"))
    if len(colors) > 20:
        entries.append((Line2D([], [], color=colors[0], linestyle=":", linewidth=2, marker="x",
                               markeredgecolor="black"), "components 21+: dotted, x"))
    return entries


class LegendView(BaseView):
    """A fixed legend on ``ax`` from ``(handle, label)`` pairs; no per-frame change.

    ``static=True``: drawn once with the background layer instead of with every
    frame's artists (cheaper; only where nothing animated is drawn under it).
    """

    def __init__(self, ax, entries, *, loc="upper left", static=False):
        handles, labels = zip(*entries)
        self.legend = ax.legend(handles, labels, loc=loc, fontsize=FONTSIZE, framealpha=0.85,
                                handlelength=1.8, borderpad=0.35, labelspacing=0.25,
                                handletextpad=0.5, borderaxespad=0.4, edgecolor="0.75")
        self.legend.set_zorder(Z_TEXT)
        self.artists = [] if static else [Prerendered(self.legend)]

    def box(self):
        """The legend's width and height as fractions of its axes (with its gap)."""
        ax = self.legend.axes
        extent = self.legend.get_window_extent(ax.figure.canvas.get_renderer())
        axes = ax.get_window_extent()
        return (min(1.0, (extent.width + 8) / axes.width),
                min(1.0, (extent.height + 8) / axes.height))

    def update(self, state):
        return []


def add_legends(anim, scene):
    """A legend on the scene (its :meth:`gmm_scene.Scene.legend_entries`, in the
    corner :meth:`gmm_scene.Scene.place_legend` chooses) and one on each side
    panel; before ``anim``'s first frame."""
    legend = LegendView(anim.ax, scene.legend_entries(), static=scene.static_legend)
    loc = scene.place_legend(anim, legend.box())
    legend.legend.set_loc(loc)
    anim.add_view(legend)
    add_panel_legends(anim, scene.fit, scene.kmeans_legend_entries, loc)


def add_panel_legends(anim, fit, kmeans_entries, loc):
    """Legends on the side panels there are: ``--compare``'s at ``loc`` (the
    k-means centre, ``kmeans_entries``, the true components) and ``--ll-panel``'s."""
    kax = anim.panels.get("kmeans")
    if kax is not None:
        entries = [(Line2D([], [], marker="+", linestyle="none", color="black", markersize=9,
                           markeredgewidth=2), "k-means centre")] + list(kmeans_entries)
        if fit.true_components is not None:
            entries.append((Line2D([], [], color=TRUE_COLOR, linestyle="--"), "true component"))
        anim.add_view(LegendView(kax, entries, loc=loc))
    lax = anim.panels.get("ll")
    if lax is not None:
        anim.add_view(LegendView(lax, [
            (Line2D([], [], color="0.15", linewidth=1.5),
             ("EM" if fit.options.bayesian is None else "variational fit")
             + ", one point per iteration"),
            (Line2D([], [], marker="o", linestyle="none", color="0.15",
                    markeredgecolor="white", markersize=7), "this frame")], loc="lower right"))


def point_entry(options, colors):
    """The legend entry of a data point coloured by its likeliest component, or by
    the mix of responsibilities with ``options.soft`` (2-D and scatter-matrix scenes)."""
    return (Line2D([], [], marker="o", linestyle="none", color=colors[0], alpha=0.6,
                   markersize=4),
            "point: colour mixes responsibilities" if options.soft
            else "point: colour of likeliest component")
