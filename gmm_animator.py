"""The animation figure: :class:`Animator` draws state t of a fit and saves through a writer.

The Animator owns the figure, its layout (:func:`figure_layout`) and its
views, made by the :class:`gmm_scene.Scene` of the data (:data:`SCENES`) and
the panels of :mod:`gmm_teaching`; it pulls display states
from a :class:`gmm_fit.FitRun` into a :class:`gmm_history.StateHistory` and
hands finished frames to one writer (see :mod:`gmm_writers`). The live
window around it is :mod:`gmm_window`.
"""

import io
import math
import os
import sys

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from tqdm import tqdm

import gmm_fading
import gmm_legend
import gmm_teaching
from gmm_atomic import AtomicFile
from gmm_cli import NoSignals
from gmm_explain import add_explain_panel
from gmm_history import StateHistory
from gmm_mouse import corner_name, note_anchor
from gmm_pin import BOX as PIN_BOX
from gmm_pin import PinnedPoint, tracked_row
from gmm_plot import fit_text, plain_ticks
from gmm_restarts import LocalMaximumNote
from gmm_scene1d import HistogramScene
from gmm_scene2d import ScatterScene
from gmm_scene_pairs import PairsScene
from gmm_scene_pca import BiplotScene
from gmm_steps import (
    EM_PHRASES, by_assigning, frame_stream, iteration_header, last_iteration, per_iteration,
)
from gmm_writers import (
    WRITERS, HtmlWriter, PaletteQuantizer, check_save_path, even_pixels, extension,
)

DPI = 100

def figure_layout(xlim, ylim, box=560, margins=(64, 16, 40, 36), min_width=480):
    """Figure size in pixels (multiples of 16), axes rectangle and final limits.

    The axes box is shaped to the data's aspect, but the figure is at least
    ``min_width`` pixels wide (tall, narrow data gets wider limits) so the
    ``iter t / max`` text and panel titles fit above it; after rounding the figure to
    whole multiples of 16 pixels, the limits are widened (about their centre)
    so that one data unit has the same length on both axes. ``margins`` are
    left, right, bottom, top in pixels.

    Returns
    -------
    size : (int, int)
        Figure width, height in pixels.
    rect : tuple of 4 floats
        Axes rectangle in figure fractions.
    xlim, ylim : tuple of float
    """
    left, right, bottom, top = margins
    dx, dy = xlim[1] - xlim[0], ylim[1] - ylim[0]
    ratio = dy / dx
    box_w, box_h = (box, box * ratio) if ratio <= 1 else (box / ratio, box)
    box_w = max(box_w, min_width - left - right)
    width = int(16 * math.ceil((box_w + left + right) / 16))
    height = int(16 * math.ceil((box_h + bottom + top) / 16))
    box_w, box_h = width - left - right, height - bottom - top
    units_per_px = max(dx / box_w, dy / box_h)
    cx, cy = 0.5 * (xlim[0] + xlim[1]), 0.5 * (ylim[0] + ylim[1])
    hx, hy = 0.5 * units_per_px * box_w, 0.5 * units_per_px * box_h
    rect = (left / width, bottom / height, box_w / width, box_h / height)
    return (width, height), rect, (cx - hx, cx + hx), (cy - hy, cy + hy)


def column_edges(boxes, right_margins, width):
    """Where each axes' column starts and ends, in pixels.

    ``boxes`` are the axes' (x, y, w, h) in pixels, ordered left to right in
    one row (as :class:`PixelLayout` lays them out); a column ends its
    reserved right margin past its axes (``right_margins``), the next one
    starts there, so every pixel reserved for an axes' labels (tick labels that
    widen as a panel's limits grow included) stays in its column.

    Returns
    -------
    edges : (len(boxes) + 1,) ndarray
        0, the boundaries, ``width``.
    """
    inner = [x + w + right for (x, _, w, _), right in zip(boxes[:-1], right_margins[:-1])]
    return np.array([0.0] + inner + [float(width)])


def _shapes(stackable):
    """The arrangements tried for the columns: one row; the stackable ones (side
    panels) in one column at the right; the stackable ones in a second row.
    Each is a list of rows, a row a list of columns, a column a list of indices."""
    main = [[i] for i, s in enumerate(stackable) if not s]
    side = [i for i, s in enumerate(stackable) if s]
    shapes = [[[[i] for i in range(len(stackable))]]]
    if main and len(side) > 1:
        shapes.append([main + [side]])
    if main and side:
        shapes.append([main, [[i] for i in side]])
    return shapes


def arrange_columns(widths, free, stackable, body, title, target, axes_heights=None):
    """Scale factor and pixel slot of each column to fill a ``target`` frame.

    The figure is a row of columns of ``body`` pixels' height under a
    ``title`` band. Each arrangement of :func:`_shapes` is scaled by the
    largest factor at which every column keeps at least its natural size;
    then rows share the frame's height, and columns that are ``free`` (any
    shape will do) share their row's spare width; other columns keep their
    natural shape, centred in their slot, and the free ones beside them take
    their height. The arrangement kept has the largest factor, discounted by
    how far the main (not stackable) free columns' shape strays from their
    natural one, so a histogram is not made a tall strip, and by how far a
    stacked panel's axes fall below 40% of their natural height (a panel
    whose legend takes room below it).

    Parameters
    ----------
    widths : (n,) array_like
        Natural widths of the columns, pixels.
    free, stackable : (n,) sequence of bool
    body, title : float
        Natural heights of the columns and of the title band, pixels.
    target : (int, int)
        The frame's width and height, pixels.
    axes_heights : (n,) array_like, optional
        Natural height of each column's axes, pixels (default ``body``).

    Returns
    -------
    scale : float
    slots : list of n (x, y, w, h)
        Each column's rectangle in the frame, pixels from the bottom left.
    """
    tw, th = target
    inner = [body] * len(widths) if axes_heights is None else axes_heights
    best = None
    for shape in _shapes(stackable):
        row_w = [sum(max(widths[i] for i in col) for col in row) for row in shape]
        scale = min(tw / max(row_w), th / (body * len(shape) + title))
        row_h = (th - title * scale) / len(shape)
        slots, strain = [None] * len(widths), 1.0
        for r, row in enumerate(shape):
            col_w = [max(widths[i] for i in col) * scale for col in row]
            stretch = [all(free[i] for i in col) for col in row]
            spare = tw - sum(col_w)
            grow = sum(w for w, s in zip(col_w, stretch) if s)
            x = 0.0 if grow else spare / 2
            # beside an equal-aspect scene the panels take its height, level with it
            tall = row_h if all(stretch) else body * scale
            y_top = th - title * scale - r * row_h - (row_h - tall) / 2
            for col, w, s in zip(row, col_w, stretch):
                w = w + spare * w / grow if s and grow else w
                cell_h = tall / len(col)
                for j, i in enumerate(col):
                    h = cell_h if free[i] else body * scale
                    y = y_top - (j + 1) * cell_h + (cell_h - h) / 2
                    slots[i] = (x, y, w, h)
                    if len(col) > 1:            # the share of its axes' height kept
                        kept = (cell_h - (body - inner[i]) * scale) / (inner[i] * scale)
                        strain = min(strain, max(kept, 0.0) / 0.4)
                    if free[i] and not stackable[i]:
                        ratio = (w / h) / (widths[i] / body)
                        strain = min(strain, ratio, 1.0 / ratio)
                x += w
        score = scale * strain
        if best is None or score > best[0] + 1e-9:
            best = (score, scale, slots)
    return best[1], best[2]


def place_in_slot(box, column, slot, scale):
    """An axes' rectangle once its column is moved into ``slot``.

    Parameters
    ----------
    box : (x, y, w, h)
        The axes in the natural layout, pixels.
    column : (left, right, height)
        Its column's edges and height in the natural layout, pixels.
    slot : (x, y, w, h)
        The column's new rectangle, pixels.
    scale : float
        The margins around the axes (tick labels, titles) grow by this factor;
        the axes takes the rest of the slot.

    Returns
    -------
    (x, y, w, h) : pixels
    """
    x0, y0, w0, h0 = box
    left, right, height = column
    sx, sy, sw, sh = slot
    margin_l, margin_b = (x0 - left) * scale, y0 * scale
    margin_r, margin_t = (right - x0 - w0) * scale, (height - y0 - h0) * scale
    return (sx + margin_l, sy + margin_b, max(sw - margin_l - margin_r, 1.0),
            max(sh - margin_b - margin_t, 1.0))


class PixelLayout:
    """A figure whose axes keep their size in pixels as panels join the scene.

    The scene axes is shaped to the data's aspect (:func:`figure_layout`);
    panels are added to its right and the figure widens for them and for
    labels that would not fit.

    Parameters
    ----------
    xlim, ylim : (float, float)
        The scene's limits (:meth:`gmm_scene.Scene.frame`).
    equal_aspect : bool
        One data unit as long on both axes (the limits widen to the figure's
        shape); False: a 4:3 box with exactly these limits.
    interactive : bool
        Create the figure through pyplot (for a window) instead of a bare Agg canvas.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
        The scene, limits fixed.
    size : (int, int)
        Figure width and height in pixels.
    """

    def __init__(self, xlim, ylim, equal_aspect, *, interactive=False):
        if equal_aspect:
            self.size, rect, xlim, ylim = figure_layout(xlim, ylim)
        else:                       # each axis its own scale: a 4:3 box
            self.size, rect, _, _ = figure_layout((0.0, 1.0), (0.0, 0.75))
        figsize = (self.size[0] / DPI, self.size[1] / DPI)
        if interactive:
            import matplotlib.pyplot as plt     # picks a GUI backend: a window's figure only
            self.fig = plt.figure(figsize=figsize, dpi=DPI)
        else:
            self.fig = Figure(figsize=figsize, dpi=DPI)
            FigureCanvasAgg(self.fig)
        ax = self.fig.add_axes(rect)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal" if equal_aspect else "auto", adjustable="box")
        plain_ticks(ax)          # 45.50005, not 0.00005 and +4.55e1
        ax.apply_aspect()
        self.ax = ax
        self.title_px = 0             # the --title band's height (add_title)
        self._stackable = []          # side axes that may be stacked in a column (finish)
        x0, _, w, _ = ax.get_position().bounds          # pixels kept right of each axes
        self._right_margin = {ax: self.size[0] * (1.0 - x0 - w)}

    def add_side_axes(self, width=272, margins=(56, 16), stack=True):
        """Widen the figure and return new axes to the right of everything so far.

        The scene (and any earlier panels) keep their size and position in
        pixels; the new axes get ``width`` pixels (a multiple of 16 keeps the
        figure's size a multiple of 16), minus ``margins`` = (left, right) for
        its tick labels, and the scene's height and vertical position.
        ``stack``: a ``--size`` frame may stack the axes with other side axes
        in one column (:meth:`finish`); False keeps it in the scene's row.

        Returns
        -------
        matplotlib.axes.Axes
        """
        old_w = self.size[0]
        new_w = self._widen(int(width))
        _, y0, _, h = self.ax.get_position().bounds
        left, right = margins
        ax = self.fig.add_axes(((old_w + left) / new_w, y0, (width - left - right) / new_w, h))
        plain_ticks(ax)          # 45.50005, not 0.00005 and +4.55e1
        if stack:
            self._stackable.append(ax)
        self._right_margin[ax] = float(right)
        return ax

    def fit_margins(self, gap=4):
        """Widen (or heighten) the figure where tick labels or axis labels would not fit.

        Each axes' labels (its tight box) must start at least ``gap`` pixels
        right of the figure's left edge or of the previous axes' labels; where
        they do not, that axes and everything right of it move right by whole
        multiples of 16 pixels (wide tick labels such as GPS coordinates, long
        axis labels). Labels past the right edge widen the figure on the right
        the same way. A panel whose labels the bottom edge cuts gives up
        that many rows of its height; the scene's labels cut by the bottom or
        top edge make the figure taller there. Otherwise axes keep their size
        in pixels; a figure whose labels fit is unchanged.
        """
        renderer = self.fig.canvas.get_renderer()
        boundary = 0.0
        boxes, moved = {}, False        # each axes' labels; measured again once one moved
        for ax in sorted(self.fig.axes, key=lambda a: a.get_position().x0):
            box = boxes[ax] = ax.get_tightbbox(renderer)
            short = boundary + gap - box.x0
            if short > 0:
                self._widen(int(16 * math.ceil(short / 16)),
                            from_px=ax.get_position().x0 * self.size[0])
                box = ax.get_tightbbox(renderer)
                moved = True
            boundary = box.x1
        short = boundary + gap - self.size[0]     # the last labels past the right edge
        if short > 0:
            self._widen(int(16 * math.ceil(short / 16)))    # widens on the right: none moves
        if moved:
            boxes = {ax: ax.get_tightbbox(renderer) for ax in self.fig.axes}
        for ax in self.fig.axes:        # a panel's labels cut by the bottom edge: it
            short = -boxes[ax].y0       # gives up a few rows of its height
            if short > 0 and ax is not self.ax:
                x0, y0, w, h = ax.get_position().bounds
                lift = math.ceil(short + 3.0) / self.size[1]     # + hinting at small sizes
                ax.set_position((x0, y0 + lift, w, h - lift))
                boxes[ax] = ax.get_tightbbox(renderer)
        boxes = list(boxes.values())
        short = -min(box.y0 for box in boxes)       # the scene's labels cut by the bottom
        if short > 0:
            self.add_footroom(int(16 * math.ceil(short / 16)))
        short = max(box.y1 for box in boxes) - self.size[1]           # by the top edge
        if short > 0:
            self.add_headroom(int(16 * math.ceil(short / 16)))

    def add_title(self, text, height=30, fontsize=13):
        """Make room above everything for ``text`` (``--title``), centred, in bold.

        Every axes keeps its size and position in pixels from the bottom;
        the title is shrunk (or cut with an ellipsis) to the figure's width.
        """
        width, new_h = self.add_headroom(height)
        self.title_px += int(height)
        title = self.fig.text(0.5, 1.0 - 6.0 / new_h, text, ha="center", va="top",
                              fontsize=fontsize, fontweight="bold")
        fit_text(title, width - 16)
        return title

    def add_footroom(self, height):
        """``height`` more pixels below everything (every axes keeps its size and
        its position in pixels from the top); returns the new (width, height)."""
        return self._taller(int(height), below=int(height))

    def add_headroom(self, height):
        """``height`` more pixels above everything (every axes keeps its size and
        position in pixels from the bottom); returns the new (width, height)."""
        return self._taller(int(height), below=0)

    def _taller(self, extra, below):
        """The figure ``extra`` pixels taller, ``below`` of them under every axes
        (which keep their size in pixels); returns the new (width, height)."""
        width, old_h = self.size
        new_h = old_h + extra
        for ax in self.fig.axes:
            x0, y0, w, h = ax.get_position().bounds
            ax.set_position((x0, (y0 * old_h + below) / new_h, w, h * old_h / new_h))
        self.fig.set_size_inches(width / DPI, new_h / DPI)
        self.size = (width, new_h)
        return self.size

    def finish(self, size=None, dpi=None):
        """Scale the finished layout to ``size`` inches at ``dpi`` (``--size``, ``--dpi``).

        Without ``size`` the figure keeps its inches and ``dpi`` only scales
        it. With ``size`` the figure becomes exactly ``size x dpi`` pixels
        (each side as :func:`gmm_writers.even_pixels` rounds it: nearest, then
        down to even, as video needs) and its columns (the scene, each panel)
        are arranged to fill it (:func:`arrange_columns`): everything is
        scaled by one factor, so fonts and lines grow with the figure, and
        axes free to take any shape (not equal-aspect data axes) take the
        spare width and height. The ``--title`` stays at the top. Returns the
        effective dpi.
        """
        if size is None and dpi is None:
            return float(DPI)
        dpi = float(DPI if dpi is None else dpi)
        w0, h0 = self.size
        if size is None:
            self.size = (even_pixels(w0 * dpi / DPI), even_pixels(h0 * dpi / DPI))
            self.fig.set_dpi(dpi)
            self.fig.set_size_inches(self.size[0] / dpi, self.size[1] / dpi)
            return dpi
        tw, th = (even_pixels(v * dpi) for v in size)
        axes = sorted(self.fig.axes, key=lambda a: a.get_position().x0)
        boxes = [np.multiply(a.get_position().bounds, (w0, h0, w0, h0)) for a in axes]
        edges = column_edges(boxes, [self._right_margin[a] for a in axes], w0)
        body = h0 - self.title_px
        scale, slots = arrange_columns(
            np.diff(edges), [a.get_aspect() == "auto" for a in axes],
            [a in self._stackable for a in axes], body, self.title_px, (tw, th),
            [box[3] for box in boxes])
        for ax, box, lo, hi, slot in zip(axes, boxes, edges[:-1], edges[1:], slots):
            x, y, w, h = place_in_slot(box, (lo, hi, body), slot, scale)
            ax.set_position((x / tw, y / th, w / tw, h / th))
        for text in self.fig.texts:     # the title: same fraction across, same gap to the top
            x, y = text.get_position()
            text.set_position((x, 1.0 - (1.0 - y) * h0 * scale / th))
        effective = DPI * scale
        self.fig.set_dpi(effective)
        self.fig.set_size_inches(tw / effective, th / effective)
        self.size = (tw, th)
        return effective

    def _widen(self, extra, from_px=math.inf):
        """Make the figure ``extra`` pixels wider; returns the new width.

        Every axes keeps its size in pixels; those starting at or right of
        ``from_px`` (pixels from the left edge) move right by ``extra``, the
        others stay where they are (the default: the new room is on the right).
        """
        old_w, height = self.size
        new_w = old_w + extra
        for ax in self.fig.axes:
            x0, y0, w, h = ax.get_position().bounds
            px = x0 * old_w + (extra if x0 * old_w >= from_px - 0.5 else 0)
            ax.set_position((px / new_w, y0, w * old_w / new_w, h))
        self.fig.set_size_inches(new_w / DPI, height / DPI)
        self.size = (new_w, height)
        return new_w


#: the scene of the drawn data, by :attr:`gmm_fit.FitRun.view` for 3+ columns, else by the
#: number of drawn columns (a new scene: one entry)
SCENES = {1: HistogramScene, 2: ScatterScene, "pairs": PairsScene, "pca": BiplotScene}


class SavedLayers:
    """The saved pixels a frame starts from, so that it draws only what changed.

    ``background``: the static layer (axes, ticks, labels: the figure drawn
    with every artist animated). Above it, ``unchanged`` = ``(j, pixels)``: the
    figure after the first j artists (in z-order), none of them changed since
    (matplotlib's ``stale`` flag; e.g. points whose labels stayed). A frame
    restores the deepest saved pixels still valid and draws the artists above.
    """

    def __init__(self):
        self.background = None
        self.unchanged = (0, None)

    def draw(self, canvas, artists, *, redraw_static=False):
        """Draw ``artists`` (sorted by z-order) over the saved pixels on ``canvas``."""
        if self.background is None or redraw_static:
            for a in artists:
                a.set_animated(True)
            canvas.draw()
            self.background = canvas.copy_from_bbox(canvas.figure.bbox)
            self.unchanged = (0, self.background)
        first_changed = next((j for j, a in enumerate(artists) if a.stale), len(artists))
        if self.unchanged[0] > first_changed or self.unchanged[1] is None:
            self.unchanged = (0, self.background)       # a saved artist changed: forget it
        start, pixels = self.unchanged
        canvas.restore_region(pixels)
        renderer = canvas.get_renderer()
        for j in range(start, len(artists) + 1):
            if j == first_changed and j > start:
                self.unchanged = (j, canvas.copy_from_bbox(canvas.figure.bbox))
            if j < len(artists):
                artists[j].draw(renderer)


class Animator:
    """The figure and its views for one :class:`gmm_fit.FitRun`; draws state t, saves.

    States are pulled lazily from the fit into :attr:`history` (kept for
    stepping back; see :class:`gmm_history.StateHistory` for its memory
    bound); :meth:`render` draws one frame, :meth:`save` streams every frame
    to a writer. What is drawn comes from the :attr:`scene` for the data's
    drawn columns (:data:`SCENES`), following ``options``, plus the
    ``iter t / T`` header and the panels of :func:`gmm_teaching.add_panels`;
    the whole layout (every panel, the legends, ``--title``, ``--size`` and
    ``--dpi``) is decided here, once.

    Parameters
    ----------
    fit : gmm_fit.FitRun
        The fit whose display states are drawn.
    options : gmm_options.Options
        ``max_iter``, ``fps``, ``n_components``, ``show_*``, the teaching flags,
        ``title``, ``size`` and ``dpi``.
    interactive : bool
        Create the figure through pyplot (for a live window) instead of a
        bare Agg canvas.
    on_state : callable, optional
        Called with each display state when it is first pulled (e.g. to print it).
    selection : tuple (rows, best_k, criterion), optional
        What ``--select-k`` found: its criterion curve is a panel beside the scene.

    Attributes
    ----------
    scene : gmm_scene.Scene
        The drawing of the data.
    panels : dict
        Axes beside the scene by name (``"kmeans"``, ``"ll"``, ``"criterion"``).
    dpi : float
        The figure's pixels per inch (100, or as ``options.size`` and
        ``options.dpi`` make it).
    """

    def __init__(self, fit, options, *, interactive=False, on_state=None, selection=None):
        self.fit = fit
        self.half_steps = bool(options.half_steps)
        self.history = StateHistory(frame_stream(fit.states(), self.half_steps),
                                    on_state=per_iteration(on_state),
                                    relabel=by_assigning(fit.labels))
        self.fps = float(options.fps)
        self.max_iter = int(options.max_iter)
        self.interactive = interactive
        self.panels = {}
        kind = fit.view if fit.view in SCENES else np.shape(fit.points)[1]
        self.scene = scene = SCENES[kind](fit, options)
        self.layout = PixelLayout(*scene.frame(), interactive=interactive)
        self.fig, self.ax = self.layout.fig, self.layout.ax
        self.canvas = self.fig.canvas
        self.colors = scene.colors
        self.layers = SavedLayers()
        self.current = None
        self.views = scene.views(self)
        self.views.append(
            iteration_header(self.ax, options, lambda: self.history) if options.bayesian is None
            else gmm_fading.FadingHeader(self.ax, options.max_iter, tol=options.tol,
                                         phrases=EM_PHRASES if options.half_steps else None,
                                         last=lambda: last_iteration(self.history)))
        self.artists = sorted((a for v in self.views for a in v.artists),
                              key=lambda a: a.get_zorder())
        self.ax.set_xlim(self.ax.get_xlim())      # freeze limits (no autoscaling by artists)
        self.ax.set_ylim(self.ax.get_ylim())
        scene.add_teaching_views(self)
        pin = None
        if scene.pins_points and (interactive or options.explain or options.track is not None
                                  or options.track_row is not None):
            pin = self.add_view(PinnedPoint(self.ax, fit, scene.colors,
                                            row=tracked_row(fit, options),
                                            place=lambda: note_anchor(self, PIN_BOX)))
        if options.explain:
            add_explain_panel(self, pin)
        if options.restart_check:       # its note keeps clear of the pinned point's panel
            self.add_view(LocalMaximumNote(self.ax, fit, live=interactive, place=lambda: (
                note_anchor(self, also_taken=[corner_name(pin.anchor)] if pin and pin.row is
                            not None else []))))
        gmm_teaching.add_panels(self, scene, options, selection)
        gmm_fading.finish_layout(self, options)
        gmm_legend.add_legends(self, scene)
        self.layout.fit_margins()       # wide tick labels (e.g. GPS) or long axis labels
        if options.title:
            self.layout.add_title(options.title)
        self.dpi = self.layout.finish(options.size, options.dpi)

    # -- layout (before the first frame) -------------------------------------
    @property
    def size(self):
        """Figure width and height in pixels."""
        return self.layout.size

    def add_side_axes(self, name, width=272, margins=(56, 16), stack=True):
        """New axes right of everything so far (see :meth:`PixelLayout.add_side_axes`;
        ``stack=False`` keeps it in the scene's row of a ``--size`` frame),
        kept in :attr:`panels` under ``name``.

        Call it before the first frame; static drawing on it lands in the
        background layer, artists of views added with :meth:`add_view` are
        redrawn every frame.
        """
        if self.layers.background is not None:
            raise RuntimeError("add_side_axes must be called before the first frame")
        self.panels[name] = ax = self.layout.add_side_axes(width, margins, stack)
        return ax

    def add_view(self, view, *, replace=None):
        """Add a view (on any axes of the figure), or put it in place of ``replace``.

        Its artists join the per-frame drawing in z-order. A replaced view's
        artists are removed from the figure.
        """
        if replace is not None:
            for a in replace.artists:
                a.remove()
            self.views[self.views.index(replace)] = view
        else:
            self.views.append(view)
        self.artists = sorted((a for v in self.views for a in v.artists),
                              key=lambda a: a.get_zorder())
        self.layers.background = None
        return view

    def palette_colors(self):
        """Colours a GIF palette must hold: the components' plus any that views
        declare in their ``palette_colors`` (e.g. soft-colour mixes); (m, 3)."""
        extra = [np.asarray(v.palette_colors, dtype=float)[:, :3] for v in self.views
                 if v.palette_colors is not None]
        return np.concatenate([np.asarray(self.colors, dtype=float)[:, :3]] + extra)

    def restart(self, states=(), *, history=None):
        """Start over with a new state sequence (the ``r`` key, a mouse restart) or
        go back to a kept ``history``; every view is reset. Returns the replaced :class:`StateHistory`, whole."""
        old, self.current = self.history, None
        self.history = (history if history is not None
                        else old.fresh(frame_stream(states, self.half_steps)))
        for view in self.views:
            view.reset()
        return old

    # -- states ------------------------------------------------------------
    def _holds(self, i):
        """Whether a view still has its own state ``i`` after EM stopped (k-means panel)."""
        return any(view.has_state(i) for view in self.views)

    def state(self, i):
        """State ``i`` (pulling EM forward as needed), or None past the end.

        EM's last state is repeated while a panel beside it (``--compare``)
        still has iterations to show.
        """
        return self.history.state(i, hold=self._holds)

    def indices(self):
        """Frame indices 0, 1, ... until the run ends (EM converged or max_iter)."""
        i = 0
        while self.state(i) is not None:
            yield i
            i += 1

    def run(self):
        """Pull every state; returns the number of states."""
        for _ in self.indices():
            pass
        return len(self.history)

    # -- drawing -----------------------------------------------------------
    def show_state(self, i):
        """Update every view to state ``i``; returns the changed artists.

        Raises
        ------
        IndexError
            The run has no state ``i`` (EM stopped earlier).
        """
        if self.state(i) is None:
            raise IndexError(f"no state {i}; the run has {len(self.history)} states "
                             f"(0 to {len(self.history) - 1})")
        state = self.history.with_labels(i)
        self.current = i                # views may ask which frame they draw
        changed = []
        for view in self.views:
            changed.extend(view.update(state))
        return changed

    def render(self, i):
        """Frame ``i`` as an (H, W, 3) uint8 array (a view into the canvas).

        The static layer is drawn again only when a view sets
        ``background_stale`` (e.g. a panel's axis limits grew); see
        :class:`SavedLayers` for what each frame draws.
        """
        self.show_state(i)
        stale = [v for v in self.views if v.background_stale]
        self.layers.draw(self.canvas, self.artists, redraw_static=bool(stale))
        for v in stale:
            v.background_stale = False
        return np.asarray(self.canvas.buffer_rgba())[..., :3]

    # -- outputs -----------------------------------------------------------
    def save(self, path, *, progress=False, signals=NoSignals()):
        """Stream every frame into ``path`` (writer chosen by extension), atomically.

        A temp file in the target directory is renamed over ``path`` only on
        success; on any error or KeyboardInterrupt it is removed and an
        existing ``path`` is left untouched. ``signals`` (a
        :class:`gmm_cli.SignalPolicy`) is checked between frames and before
        the save is committed, so an interrupted save is never completed;
        ``progress`` shows a tqdm bar on stderr.

        Returns
        -------
        n_frames : int
            Number of frames of the animation before the final hold: one per
            EM state, plus, with ``compare``, EM's last state repeated while
            k-means still runs. A ``.png`` holds only the last of them.

        Raises
        ------
        ValueError
            Unknown extension, missing or unwritable directory, or no ffmpeg for
            .mp4 (checked before any work; the same message as ``--save``).
        """
        check_save_path(path)
        ext = extension(path)
        writer_cls, wants_path = WRITERS[ext]
        quantizer = PaletteQuantizer(self.palette_colors()) if ext in (".gif", ".html") else None

        with AtomicFile(path) as target, tqdm(
                total=(2 if self.half_steps else 1) * self.max_iter + 1, unit="frame", file=sys.stderr, leave=False,
                desc=f"saving {os.path.basename(path)}", disable=not progress) as bar:
            if wants_path:
                target.fp.close()       # the writer (ffmpeg) opens the temp path itself
            writer = writer_cls(target.path if wants_path else target.fp, self.size,
                                self.fps, quantizer)
            try:
                self.run()              # the header's "iter t / T" knows T from frame 0
                if writer.needs_every_frame:
                    for i in self.indices():
                        writer.add(self.render(i))
                        bar.update(1)
                        signals.check()
                else:
                    n = self.run()
                    bar.update(n)
                    writer.add(self.render(n - 1))
                writer.finish()
                signals.check()         # never commit a save the user interrupted
            except BaseException:
                writer.abort()
                raise
        return len(self.history)

    def to_html(self):
        """The whole animation as one self-contained HTML page (a str).

        The same player that ``save("x.html")`` writes, rendered in memory
        (EM states already computed are reused, frames are drawn again).
        """
        buf = io.BytesIO()
        writer = HtmlWriter(buf, self.size, self.fps, PaletteQuantizer(self.palette_colors()))
        self.run()
        for i in self.indices():
            writer.add(self.render(i))
        writer.finish()
        return buf.getvalue().decode("utf-8")

    def __repr__(self):
        return (f"<gmm_animator.Animator: {self.size[0]}x{self.size[1]} px, "
                f"up to {self.max_iter + 1} frames at {self.fps:g} fps>")
