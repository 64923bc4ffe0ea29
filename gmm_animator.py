"""The animation figure: :class:`Animator`, its layout and where it may save.

- :class:`Animator`: owns the figure, the views (see :mod:`gmm_plot`), the
  state history and the frame loop, and feeds either a writer (see
  :mod:`gmm_writers`) or the live window (keys in :attr:`Animator.KEYS`).
- :func:`_figure_layout`: figure size, axes rectangle and equal-aspect limits.
- :func:`check_save_path`, :func:`_check_ffmpeg`: refuse a bad ``--save``
  path before any work.
- :func:`screen_size`, :func:`screen_scale`: fit the live window to the screen.
- Constants :data:`DPI` and :data:`IMAGE_THRESHOLD` (above this many points,
  points are drawn as an image).

matplotlib and :mod:`gmm_plot` are imported when an Animator is built, not
when this module is imported. :mod:`visualize_gmm` re-exports these names.
"""

import dataclasses
import html
import io
import math
import os
import sys

import numpy as np

from atomic_file import AtomicFile
from gmm_cli import NoSignals, check_save_path
from gmm_writers import HOLD_SECONDS, WRITERS, HtmlWriter, PaletteQuantizer, extension

IMAGE_THRESHOLD = 50_000      # above this many points, draw points as an image
DPI = 100


# --------------------------------------------------------------------------- #
# Animator
# --------------------------------------------------------------------------- #

#: How the Animator meets Ctrl-C and SIGTERM. The CLI swaps in an object with
#: the same members (``visualize_gmm._SigtermRaises``). ``check()`` runs
#: between saved frames and before a save is committed: it raises a signal
#: whose exception Python had to swallow (one that landed in a finalizer), so
#: a save the user interrupted is never completed. Around the live window's
#: event loop, ``deferred()`` makes a signal only set ``pending``: raised in a
#: Tk callback, its exception would be printed by Tk and the window would run
#: on; the window's timer sees ``pending`` and closes the window, and
#: ``check()`` after the loop raises it.
signals = NoSignals()


def _figure_layout(xlim, ylim, box=560, margins=(64, 16, 40, 36), min_width=480):
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


class Animator:
    """Owns the figure, the views, the state history and the frame loop.

    States are pulled lazily from ``states`` and kept in ``history`` (for
    stepping back), labels stored as uint8 (k <= 256); once the kept labels
    exceed ``LABEL_BUDGET_BYTES`` (256 MiB: 268 states at n = 1e6) the oldest
    states keep their parameters but their ``labels`` become None; such a
    state is still shown (live window, stepping back) with labels recomputed
    by ``relabel(state)`` when set (:func:`animate` sets it). The same
    frame loop feeds a writer (:meth:`save`) or the live window (:meth:`show`).

    Parameters
    ----------
    states : iterator of GMMState
        2-D states in display units, state 0 first.
    points : ndarray, shape (n, 2)
        Points in display units.
    n_components : int
    max_iter : int
        Maximum iteration number (for the ``iter t / max`` text).
    fps : float
    true_components : tuple (means (m, 2), covariances (m, 2, 2)), optional
        Gray dashed ellipses; omitted when None.
    show_covariances, show_means : bool
        Include the fitted ellipses / means views.
    interactive : bool
        Create the figure through pyplot (a window) instead of a bare Agg canvas.
    on_state : callable, optional
        Called with each state when it is first pulled (e.g. to print it).
    """

    def __init__(self, states, points, *, n_components, max_iter, fps,
                 true_components=None, show_covariances=True, show_means=True,
                 interactive=False, on_state=None):
        import gmm_plot

        self._source = iter(states)
        self._exhausted = False
        self.history = []
        self.on_state = on_state
        self.fps = float(fps)
        self.max_iter = int(max_iter)
        self.interactive = interactive
        points = np.asarray(points, dtype=float)
        self.size, rect, xlim, ylim = _figure_layout(*gmm_plot.frame_limits(points))
        figsize = (self.size[0] / DPI, self.size[1] / DPI)
        if interactive:
            import matplotlib.pyplot as plt
            self.fig = plt.figure(figsize=figsize, dpi=DPI)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            self.fig = Figure(figsize=figsize, dpi=DPI)
            FigureCanvasAgg(self.fig)
        self.canvas = self.fig.canvas
        ax = self.fig.add_axes(rect)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        gmm_plot.plain_ticks(ax)          # 45.50005, not 0.00005 and +4.55e1
        ax.apply_aspect()
        self.ax = ax

        colors = gmm_plot.component_colors(n_components)
        self.colors = colors
        self.views = [gmm_plot.PointsView(ax, points, colors, image_threshold=IMAGE_THRESHOLD)]
        if true_components is not None:
            self.views.append(gmm_plot.TrueEllipsesView(ax, *true_components))
        if show_covariances:
            self.views.append(gmm_plot.EllipsesView(ax, colors))
        if show_means:
            self.views.append(gmm_plot.MeansView(ax, colors))
        self.views.append(gmm_plot.IterationText(ax, max_iter))
        self.artists = sorted((a for v in self.views for a in v.artists),
                              key=lambda a: a.get_zorder())
        ax.set_xlim(ax.get_xlim())      # freeze limits (no autoscaling by artists)
        ax.set_ylim(ax.get_ylim())
        self._background = None
        self.current = None
        self._label_bytes = 0
        self._labels_dropped = 0

    # -- extra panels --------------------------------------------------------
    def add_side_axes(self, width=272, margins=(56, 16)):
        """Widen the figure and return new axes to the right of everything so far.

        The scene (and any earlier panels) keep their size and position in
        pixels; the new axes get ``width`` pixels (a multiple of 16 keeps the
        figure's size a multiple of 16), minus ``margins`` = (left, right) for
        its tick labels, and the scene's height and vertical position. Call
        it before the first frame; static drawing on it lands in the
        background layer, artists appended to ``self.artists`` are redrawn
        every frame.

        Returns
        -------
        matplotlib.axes.Axes
        """
        if self._background is not None:
            raise RuntimeError("add_side_axes must be called before the first frame")
        old_w = self.size[0]
        new_w = self._widen(int(width))
        _, y0, _, h = self.ax.get_position().bounds
        left, right = margins
        ax = self.fig.add_axes(((old_w + left) / new_w, y0, (width - left - right) / new_w, h))
        import gmm_plot
        gmm_plot.plain_ticks(ax)          # 45.50005, not 0.00005 and +4.55e1
        return ax

    def fit_margins(self, gap=4):
        """Widen the figure where tick labels or axis labels would not fit.

        Each axes' labels (its tight box) must start at least ``gap`` pixels
        right of the figure's left edge or of the previous axes' labels; where
        they do not, that axes and everything right of it move right by whole
        multiples of 16 pixels (wide tick labels such as GPS coordinates, long
        axis labels). Labels past the right edge widen the figure on the right
        the same way. Axes keep their size in pixels. Call it before the first
        frame; a figure whose labels fit is unchanged.
        """
        if self._background is not None:
            raise RuntimeError("fit_margins must be called before the first frame")
        renderer = self.canvas.get_renderer()
        boundary = 0.0
        for ax in sorted(self.fig.axes, key=lambda a: a.get_position().x0):
            box = ax.get_tightbbox(renderer)
            short = boundary + gap - box.x0
            if short > 0:
                self._widen(int(16 * math.ceil(short / 16)),
                            from_px=ax.get_position().x0 * self.size[0])
                box = ax.get_tightbbox(renderer)
            boundary = box.x1
        short = boundary + gap - self.size[0]     # the last labels past the right edge
        if short > 0:
            self._widen(int(16 * math.ceil(short / 16)))

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
        self._background = None
        return view

    def palette_colors(self):
        """Colours a GIF palette must hold: the components' plus any that views
        declare in a ``palette_colors`` attribute (e.g. soft-colour mixes); (m, 3)."""
        extra = [np.asarray(v.palette_colors, dtype=float)[:, :3] for v in self.views
                 if getattr(v, "palette_colors", None) is not None]
        return np.concatenate([np.asarray(self.colors, dtype=float)[:, :3]] + extra)

    def restart(self, states):
        """Start over with a new state sequence (the ``r`` key): the history is
        cleared and every view with a ``reset()`` method is reset."""
        self._source = iter(states)
        self._exhausted = False
        self.history = []
        self.current = None
        self._label_bytes = 0
        self._labels_dropped = 0
        for view in self.views:
            reset = getattr(view, "reset", None)
            if callable(reset):
                reset()

    # -- states ------------------------------------------------------------
    #: label arrays of kept states may use at most this many bytes; beyond it
    #: the oldest states keep their parameters but drop their labels
    LABEL_BUDGET_BYTES = 256 * 2**20

    def _pull(self):
        if self._exhausted:
            return False
        try:
            state = next(self._source)
        except StopIteration:
            self._exhausted = True
            return False
        if self.on_state is not None:
            self.on_state(state)
        self.history.append(self._compact(state))
        self._label_bytes += self.history[-1].labels.nbytes
        self._enforce_label_budget()
        return True

    def _compact(self, state):
        """The state with labels in the smallest integer type that holds them."""
        k = len(state.weights)
        dtype = np.uint8 if k <= 256 else np.uint16 if k <= 65536 else None
        if dtype is None or state.labels.dtype == dtype:
            return state
        return dataclasses.replace(state, labels=state.labels.astype(dtype))

    def _enforce_label_budget(self):
        # frames are drawn in order, so only the newest labels are still needed
        # by a writer; a long run at large n keeps memory bounded this way
        i = self._labels_dropped
        while self._label_bytes > self.LABEL_BUDGET_BYTES and i < len(self.history) - 1:
            state = self.history[i]
            self._label_bytes -= state.labels.nbytes
            self.history[i] = dataclasses.replace(state, labels=None)
            i += 1
        self._labels_dropped = i

    def state(self, i):
        """State ``i`` (pulling EM forward as needed), or None past the end."""
        while len(self.history) <= i and self._pull():
            pass
        return self.history[i] if i < len(self.history) else None

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
        state = self.state(i)
        if state is None:
            raise IndexError(f"no state {i}; the run has {len(self.history)} states "
                             f"(0 to {len(self.history) - 1})")
        if state.labels is None and getattr(self, "relabel", None) is not None:
            # dropped to bound memory: recomputed for this frame, not kept
            state = dataclasses.replace(state, labels=self.relabel(state))
        if state.labels is None:
            raise RuntimeError(f"labels of state {i} were dropped to bound memory "
                               "(see Animator.LABEL_BUDGET_BYTES)")
        self.current = i                # views may ask which frame they draw
        changed = []
        for view in self.views:
            changed.extend(view.update(state))
        return changed

    def render(self, i):
        """Frame ``i`` as an (H, W, 3) uint8 array (a view into the canvas).

        The static layer (axes, ticks) is drawn once, and again only when a
        view sets ``background_stale`` (e.g. a panel's axis limits grew); each
        frame restores it and draws only the views' artists, in z-order.
        """
        self.show_state(i)
        stale = [v for v in self.views if getattr(v, "background_stale", False)]
        if self._background is None or stale:
            for a in self.artists:
                a.set_animated(True)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            for v in stale:
                v.background_stale = False
        self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for a in self.artists:
            a.draw(renderer)
        return np.asarray(self.canvas.buffer_rgba())[..., :3]

    # -- outputs -----------------------------------------------------------
    def save(self, path, *, progress=False):
        """Stream every frame into ``path`` (writer chosen by extension), atomically.

        A temp file in the target directory is renamed over ``path`` only on
        success; on any error or KeyboardInterrupt it is removed and an
        existing ``path`` is left untouched.

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
        from tqdm import tqdm

        with AtomicFile(path) as target, tqdm(
                total=self.max_iter + 1, unit="frame", file=sys.stderr, leave=False,
                desc=f"saving {os.path.basename(path)}", disable=not progress) as bar:
            if wants_path:
                target.fp.close()       # the writer (ffmpeg) opens the temp path itself
            writer = writer_cls(target.path if wants_path else target.fp, self.size,
                                self.fps, quantizer)
            try:
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
        for i in self.indices():
            writer.add(self.render(i))
        writer.finish()
        return buf.getvalue().decode("utf-8")

    def _repr_html_(self):
        """Jupyter display: the HTML player in an isolated ``<iframe srcdoc>``.

        The iframe keeps the player's element ids, style and script apart from
        the notebook page (several players per notebook work).
        """
        w, h = self.size
        return (f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
                f'width="{w + 40}" height="{h + 90}" style="border: none;" '
                'title="EM fitting a Gaussian mixture"></iframe>')

    def __repr__(self):
        return (f"<visualize_gmm.Animator: {self.size[0]}x{self.size[1]} px, "
                f"up to {self.max_iter + 1} frames at {self.fps:g} fps>")

    #: live-window keys: (keys, what they do); listed by ``h`` and in ``--help``
    KEYS = (("space", "pause / resume"),
            ("right/n", "one iteration forward (pauses)"),
            ("left/p", "one iteration back (pauses; states are kept)"),
            ("r", "restart EM from a new initialisation (--seed + 1, + 2, ...; same data)"),
            ("s", "save the current frame as gmm_frame_<iter>.png in the current directory"),
            ("h", "show / hide this list of keys"),
            ("q", "quit"))

    def show(self, *, close_after_last=False):
        """Play the animation in a live window (blocks until it is closed).

        A timer advances one state per ``1 / fps`` seconds; :attr:`KEYS`
        pause, step, restart, save and quit (matplotlib's own key bindings are
        switched off for this figure). With ``close_after_last`` the window
        closes about a second after the last frame and the drawn frame indices
        are reported on stderr.

        Returns
        -------
        Animator
            ``self``, after the window was closed.
        """
        import matplotlib
        import matplotlib.pyplot as plt

        drawn = []
        canvas = self.fig.canvas
        manager = getattr(canvas, "manager", None)
        default_keys = getattr(manager, "key_press_handler_id", None)
        if default_keys is not None:          # matplotlib's s, q, p, r, h, arrows
            canvas.mpl_disconnect(default_keys)
        canvas.mpl_connect("key_press_event", self.on_key)
        if close_after_last:
            canvas.mpl_connect("draw_event", lambda event: drawn.append(self.current))
        self.paused = False
        self._close_after_last = close_after_last
        self._close_timer = None
        scale = screen_scale(self.size, screen_size(manager))
        if scale < 1.0:                 # the whole figure, smaller, on the screen
            # the Tk backends reset dpi to _original_dpi x the screen's pixel
            # ratio when the window maps: scale both
            if hasattr(self.fig, "_original_dpi"):
                self.fig._original_dpi = DPI * scale
            self.fig.set_dpi(DPI * scale)
        if self.current is None:
            self.show_state(0)
        self._timer = canvas.new_timer(interval=max(1, int(round(1000.0 / self.fps))))
        self._timer.add_callback(self._tick)
        self._timer.start()
        with signals.deferred():        # a signal stops the loop (see _tick), not a callback
            plt.show()
        self._timer.stop()
        signals.check()
        if close_after_last:
            seen = [i for j, i in enumerate(drawn) if i is not None and (j == 0 or drawn[j - 1] != i)]
            print(f"live window ({matplotlib.get_backend()}) drew frames: "
                  + " ".join(str(i) for i in seen), file=sys.stderr)
        return self

    def _tick(self):
        """Timer callback: the next state unless paused or at the end; after a
        Ctrl-C or SIGTERM (``signals.pending``) it closes the window instead."""
        if signals.pending is not None:
            import matplotlib.pyplot as plt
            plt.close(self.fig)
            return
        if getattr(self, "paused", False) or self.step(+1):
            return
        if getattr(self, "_close_after_last", False) and self._close_timer is None:
            import matplotlib.pyplot as plt
            timer = self.fig.canvas.new_timer(interval=int(1000 * HOLD_SECONDS))
            timer.single_shot = True
            timer.add_callback(plt.close, self.fig)
            timer.start()
            self._close_timer = timer

    def step(self, delta):
        """Show state ``current + delta`` if it exists; returns whether it moved."""
        i = (-1 if self.current is None else self.current) + int(delta)
        if i < 0 or self.state(i) is None:
            return False
        try:
            self.show_state(i)
        except RuntimeError as exc:          # labels dropped to bound memory
            print(f"cannot show state {i}: {exc}", file=sys.stderr)
            return False
        self.fig.canvas.draw_idle()
        return True

    def on_key(self, event):
        """Live-window key handler (see :attr:`KEYS`)."""
        key = (event.key or "").lower()
        if key in (" ", "space"):
            self.paused = not getattr(self, "paused", False)
        elif key in ("right", "n"):
            self.paused = True
            self.step(+1)
        elif key in ("left", "p"):
            self.paused = True
            self.step(-1)
        elif key == "r":
            self.restart_run()
        elif key == "s":
            self.save_frame()
        elif key == "h":
            self.toggle_help()
        elif key == "q":
            import matplotlib.pyplot as plt
            plt.close(self.fig)

    #: ``restart_factory() -> iterator of states`` for the ``r`` key (set by
    #: :func:`animate`); None: ``r`` only prints that it cannot restart
    restart_factory = None
    #: no status lines on stderr (the CLI's -q): e.g. the ``s`` key's "saved frame"
    quiet = False

    def restart_run(self):
        """Rerun EM from a new initialisation (the ``r`` key) and play from state 0."""
        if self.restart_factory is None:
            print("restart: not available for this animation", file=sys.stderr)
            return False
        self.restart(self.restart_factory())
        self.show_state(0)
        self.paused = False
        self.fig.canvas.draw_idle()
        return True

    def save_frame(self, directory="."):
        """Save the current frame as ``gmm_frame_<iter>.png`` (the ``s`` key).

        Written atomically; the path goes to stderr. Returns the path.
        """
        state = self.history[self.current if self.current is not None else 0]
        path = os.path.join(directory, f"gmm_frame_{state.iteration}.png")
        help_text = getattr(self, "_help_text", None)
        hidden = help_text is not None and help_text.get_visible()
        if hidden:
            help_text.set_visible(False)
        animated = [a for a in self.artists if a.get_animated()]
        for a in animated:
            a.set_animated(False)
        try:
            with AtomicFile(path) as target:
                self.fig.savefig(target.fp, format="png", dpi=DPI)
        finally:
            for a in animated:
                a.set_animated(True)
            if hidden:
                help_text.set_visible(True)
        if not self.quiet:
            print(f"saved frame {state.iteration} to {os.path.abspath(path)}", file=sys.stderr)
        return path

    def toggle_help(self):
        """Show or hide the list of keys over the figure (and print it to stderr)."""
        text = getattr(self, "_help_text", None)
        lines = [f"{keys:>9}  {what}" for keys, what in self.KEYS]
        if text is None:
            text = self._help_text = self.fig.text(
                0.5, 0.5, "\n".join(lines), ha="center", va="center", family="monospace",
                fontsize=9, zorder=10,
                bbox=dict(boxstyle="round,pad=0.6", facecolor="white", edgecolor="0.4",
                          alpha=0.95))
            text.set_visible(False)
        text.set_visible(not text.get_visible())
        if text.get_visible():
            print("keys:\n" + "\n".join(lines), file=sys.stderr)
        self.fig.canvas.draw_idle()


# --------------------------------------------------------------------------- #
# Live window: fit the figure to the screen
# --------------------------------------------------------------------------- #

def screen_size(manager):
    """(width, height) in pixels of the screen a live window is on, or None.

    Known for the Tk backends (the default); other backends give None.
    """
    window = getattr(manager, "window", None)
    try:
        return int(window.winfo_screenwidth()), int(window.winfo_screenheight())
    except Exception:           # not Tk, or no window
        return None


def screen_scale(size, screen, *, fill=(0.9, 0.8)):
    """Factor (<= 1) that makes a ``size`` = (w, h) px figure fit ``screen``.

    The figure may take ``fill`` of the screen's width and height (room for
    the window's title bar and toolbar); 1 when it fits or ``screen`` is None.
    """
    if not screen:
        return 1.0
    w, h = size
    return min(1.0, fill[0] * screen[0] / w, fill[1] * screen[1] / h)
