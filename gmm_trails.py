"""``--trails``: each mean's path through the iterations, fading with age.

2-D (:class:`TrailsView`, on the scene): the means of states 0..t joined in
order, one line per component in its colour, older segments fainter, a dot
at each iteration, so one final frame shows the whole journey. 1-D
(:class:`MeansByIterationView`, a panel beside the histogram): each mean
against the iteration, x in the data's units (the histogram's limits), the
iterations running down from 0 at the top.
"""

import numpy as np
from matplotlib.collections import LineCollection

from gmm_plot import Z_FIT, Z_MEANS
from gmm_scene import BaseView
from gmm_steps import iteration_states

__all__ = ["mean_paths", "fade", "trail_segments", "TrailsView", "MeansByIterationView",
           "add_means_panel"]

Z_TRAILS = Z_FIT + 0.5        # over the ellipses, under the means


def mean_paths(frames, iteration):
    """The means of states 0..``iteration`` of a run.

    Parameters
    ----------
    frames : sequence of GMMState
        The animator's history (one frame per iteration is read:
        :func:`gmm_steps.iteration_states`).
    iteration : int

    Returns
    -------
    ndarray, shape (m, k, d)
        ``m = min(iteration + 1, states known)`` rows of means.
    """
    states = iteration_states(frames)[: int(iteration) + 1]
    return np.stack([np.asarray(s.means, dtype=float) for s in states])


def fade(n, *, oldest=0.3, newest=0.95):
    """Opacities of ``n`` segments, oldest first: linear from ``oldest`` to ``newest``.

    Returns
    -------
    ndarray, shape (n,)
    """
    if n <= 0:
        return np.empty(0)
    if n == 1:
        return np.array([newest])
    return np.linspace(oldest, newest, n)


def trail_segments(paths, colors):
    """Segments and their RGBA colours for every component's path.

    Parameters
    ----------
    paths : ndarray, shape (m, k, 2)
        Positions per iteration and component.
    colors : ndarray, shape (k, 3 or 4)

    Returns
    -------
    segments : ndarray, shape ((m - 1) * k, 2, 2)
        Component 0's segments (oldest first), then component 1's, ...
    rgba : ndarray, shape ((m - 1) * k, 4)
        Each segment's component colour with its :func:`fade` opacity.
    """
    paths = np.asarray(paths, dtype=float)
    m, k = paths.shape[:2]
    if m < 2:
        return np.empty((0, 2, 2)), np.empty((0, 4))
    starts, ends = paths[:-1], paths[1:]                           # (m-1, k, 2)
    segments = np.stack([starts, ends], axis=2).transpose(1, 0, 2, 3).reshape(-1, 2, 2)
    rgba = np.empty(((m - 1) * k, 4))
    rgba[:, :3] = np.repeat(np.asarray(colors, dtype=float)[:, :3], m - 1, axis=0)
    rgba[:, 3] = np.tile(fade(m - 1), k)
    return segments, rgba


class TrailsView(BaseView):
    """Each mean's path over states 0..t as a fading line in its colour (2-D scene).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    colors : ndarray, shape (k, 4)
    history : callable
        ``history() -> sequence`` of the frames so far (the animator's).
    """

    def __init__(self, ax, colors, history, *, linewidth=2.0):
        self.colors = np.asarray(colors, dtype=float)
        self.history = history
        self.halo = LineCollection([], colors="white", linewidths=linewidth + 1.5,
                                   zorder=Z_TRAILS, capstyle="round")
        self.lines = LineCollection([], linewidths=linewidth, zorder=Z_TRAILS + 0.01,
                                    capstyle="round")
        self.dots = ax.scatter([], [], s=12.0, linewidths=0, zorder=Z_TRAILS + 0.02)
        ax.add_collection(self.halo, autolim=False)
        ax.add_collection(self.lines, autolim=False)
        self.artists = [self.halo, self.lines, self.dots]

    def update(self, state):
        """The paths up to ``state.iteration``."""
        paths = mean_paths(self.history(), state.iteration)[:, :, :2]
        segments, rgba = trail_segments(paths, self.colors)
        self.lines.set_segments(segments)
        self.lines.set_color(rgba if len(rgba) else "none")
        halo = np.ones_like(rgba)
        halo[:, 3] = 0.8 * rgba[:, 3]
        self.halo.set_segments(segments)
        self.halo.set_color(halo if len(halo) else "none")
        m, k = paths.shape[:2]
        dots = np.empty((m * k, 4))
        dots[:, :3] = np.repeat(self.colors[:, :3], m, axis=0)
        dots[:, 3] = np.tile(fade(m), k)
        self.dots.set_offsets(paths.transpose(1, 0, 2).reshape(-1, 2))
        self.dots.set_facecolor(dots)
        return self.artists


class MeansByIterationView(BaseView):
    """1-D trails: each mean (x, the data's units) against the iteration (y, down).

    The panel's x limits are the histogram's; the y range covers the run's
    iterations (0 at the top), growing in doubling steps while a live run goes
    on (``background_stale`` is then set).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    colors : ndarray, shape (k, 4)
    history : callable
        ``history() -> sequence`` of the frames so far.
    """

    def __init__(self, ax, colors, history, *, linewidth=2.0):
        self.ax = ax
        self.colors = np.asarray(colors, dtype=float)
        self.history = history
        self.lines = LineCollection([], linewidths=linewidth, zorder=Z_TRAILS)
        ax.add_collection(self.lines, autolim=False)
        start = np.zeros(len(self.colors))
        self.marks = ax.scatter(start, start, marker="+", s=120, linewidths=2.5,
                                c=self.colors, zorder=Z_MEANS)
        self.artists = [self.lines, self.marks]
        self._ymax = 0
        self._grow(10)

    def _grow(self, last):
        ymax = 10
        while ymax < last:
            ymax *= 2
        if ymax != self._ymax:
            self._ymax = ymax
            self.ax.set_ylim(ymax + 0.5, -0.5)
            self.background_stale = True

    def update(self, state):
        """Each mean's values over iterations 0..t; the current ones marked."""
        paths = mean_paths(self.history(), state.iteration)[:, :, 0]      # (m, k)
        m, k = paths.shape
        self._grow(max(m - 1, int(state.iteration)))
        xy = np.stack([paths, np.broadcast_to(np.arange(m, dtype=float)[:, None], (m, k))],
                      axis=-1)                                           # (m, k, 2)
        segments, rgba = trail_segments(xy, self.colors)
        self.lines.set_segments(segments)
        self.lines.set_color(rgba if len(rgba) else "none")
        self.marks.set_offsets(xy[-1])
        return self.artists


def add_means_panel(anim, colors, width=224):
    """The 1-D trails panel beside the scene (limits x as the scene's), its view added."""
    ax = anim.add_side_axes("trails", width=width, margins=(48, 16))
    ax.set_xlim(anim.ax.get_xlim())
    ax.set_title("means by iteration", fontsize=10)
    ax.set_ylabel("iteration", fontsize=9, labelpad=2)
    ax.set_xlabel(anim.ax.get_xlabel(), fontsize=9, labelpad=2)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="0.92", linewidth=0.8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return anim.add_view(MeansByIterationView(ax, colors, lambda: anim.history))
