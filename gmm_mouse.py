"""The live window's mouse: click EM's starting means, drag a mean, add or remove points.

:class:`MouseControl` belongs to a :class:`gmm_window.LiveWindow` and turns
mouse events and a few keys (:data:`gmm_options.MOUSE_KEYS`) into restarts of its
:class:`gmm_fit.FitRun`: from clicked means (``i``), from the shown state with
one mean moved (drag a ``+``), or from the shown state on edited data
(shift-click adds a point, ctrl-click or ``x`` then a click removes the
nearest). Every restart plays from its state 0, says where it started in a
note in a free corner of the scene (``start: clicked``) and tells the
animator how it started (``--print_ll`` prints ``restart: <how>``). ``r`` (a
new random start on the original data) undoes them all; the left arrow at a
restarted run's state 0 goes back to the run it replaced (:meth:`MouseControl.go_back`).

Positions reach the fit through one conversion,
:meth:`gmm_fit.FitRun.to_fit_units`, from the scene's axes data
coordinates; :meth:`MouseControl.coords` takes as many of them as the scene
has data axes (:attr:`gmm_scene.Scene.data_axes`). Which point a click
removes, whether the data may be edited with the views drawn, redrawing
edited data and where the note goes are the scene's answers
(:class:`gmm_scene.Scene`); a mean's marker is found where it is drawn.
"""

import sys

import numpy as np

import gmm_plot
import gmm_scene
import gmm_teaching
from gmm_pin import PinnedPoint

#: a press this close (pixels) to a mean's marker drags it
PICK_PIXELS = 12

#: at most this many replaced runs are kept for going back (each keeps its states)
MAX_UNDO = 10

#: the note's room, as fractions of the axes (width, height)
NOTE_BOX = (0.5, 0.06)


class RunNote(gmm_scene.BaseView):
    """Where the shown run started (``start: clicked``, data edited), in a corner of
    the scene that the legend and a panel title leave free (:func:`note_anchor`):
    a view, so saved frames carry it."""

    def __init__(self, anim):
        x, y, ha, va = note_anchor(anim)
        self.text = anim.ax.text(x, y, "", transform=anim.ax.transAxes, ha=ha, va=va, fontsize=8,
                            color="0.15", zorder=gmm_plot.Z_TEXT,
                            bbox=dict(boxstyle="round,pad=0.25", facecolor="white",
                                      edgecolor="0.75", alpha=0.85))
        self.artists = [self.text]

    def update(self, state):
        self.text.set_visible(bool(self.text.get_text()))
        return [self.text]

    def show(self, *parts):
        """The non-empty ``parts`` joined by "; ", or one a line when that is wider
        than :data:`NOTE_BOX` (it would run into the legend)."""
        parts = [p for p in parts if p]
        self.text.set_text("; ".join(parts))
        if len(parts) > 1 and (self.text.get_window_extent().width
                               > NOTE_BOX[0] * self.text.axes.get_window_extent().width):
            self.text.set_text("\n".join(parts))
        self.text.set_visible(bool(parts))


def note_anchor(anim, size=NOTE_BOX, also_taken=()):
    """Where :class:`RunNote` goes on ``anim.ax``: ``(x, y, ha, va)`` in axes fractions.

    The scene chooses the corner (:meth:`gmm_scene.Scene.note_corner`), avoiding
    the legend's and a panel title's (``--compare``: upper left) and those in
    ``also_taken`` (other notes' corners); a note that must share a corner with
    the title goes under it. ``size``: the note's (width, height) in axes fractions.
    """
    ax = anim.ax
    titles = [v.text for v in anim.views if isinstance(v, gmm_teaching.PanelTitle)
              and v.text.axes is ax]                  # in the upper left corner
    taken = [_legend_corner(ax)] + ["upper left"] * bool(titles) + list(also_taken)
    under_title = 0.0
    if titles:
        box = titles[0].get_window_extent(ax.figure.canvas.get_renderer())
        under_title = (box.height + 4) / ax.get_window_extent().height
    loc, below = anim.scene.note_corner(anim, size, taken, under_title)
    x, ha = (0.01, "left") if "left" in loc else (0.99, "right")
    y, va = (0.99 - below, "top") if "upper" in loc else (0.01, "bottom")
    return x, y, ha, va


def corner_name(anchor):
    """The :data:`gmm_legend.CORNERS` name of an ``(x, y, ha, va)`` anchor of :func:`note_anchor`."""
    _, _, ha, va = anchor
    return f"{'upper' if va == 'top' else 'lower'} {ha if ha in ('left', 'right') else 'right'}"


def _legend_corner(ax):
    """The corner (a :data:`gmm_legend.CORNERS` name) of ``ax``'s legend, or None."""
    legend = ax.get_legend()
    if legend is None:
        return None
    box, axes = legend.get_window_extent(), ax.get_window_extent()
    cx, cy = 0.5 * (box.x0 + box.x1), 0.5 * (box.y0 + box.y1)
    return (("upper" if cy > 0.5 * (axes.y0 + axes.y1) else "lower")
            + (" left" if cx < 0.5 * (axes.x0 + axes.x1) else " right"))


class MouseControl:
    """Mouse restarts for ``window`` (a :class:`gmm_window.LiveWindow`).

    Attributes
    ----------
    mode : {None, "place", "remove"}
        ``"place"``: clicks are starting means (:attr:`clicked`);
        ``"remove"``: the next click removes the nearest point.
    clicked : list of ndarray
        Means clicked so far in ``"place"`` mode (axes data coordinates).
    dragging : int or None
        The component whose mean is being dragged.
    """

    def __init__(self, window):
        self.window = window
        self.anim = anim = window.anim
        self.fit, self.ax = anim.fit, anim.ax
        self.k = len(anim.colors)
        self.mode, self.clicked, self.dragging = None, [], None
        self._drag_from = self._drag_to = None
        self.marks, = self.ax.plot([], [], "x", color="black", markersize=10, mew=2.5,
                                   zorder=gmm_plot.Z_TEXT)
        self.status = _status_box(anim.fig)
        self.note = anim.add_view(RunNote(anim))
        self.shown_points = self.fit.points     # the data the points view draws
        self.started = ""           # the note's first part: where the shown run started
        self.replaced = []          # (history, frame, fit snapshot, note) per replaced run
        for name, handler in (("button_press_event", self.on_press),
                              ("motion_notify_event", self.on_motion),
                              ("button_release_event", self.on_release)):
            anim.fig.canvas.mpl_connect(name, handler)

    def coords(self, event):
        """The event's position in the scene's data coordinates: (x, y), or (x,)
        for a scene with one data axis (:attr:`gmm_scene.Scene.data_axes`)."""
        return np.array([event.xdata, event.ydata][:self.anim.scene.data_axes], dtype=float)

    def _shown(self):
        """The shown state's index and state (0 when nothing was shown yet)."""
        i = self.anim.current or 0
        return i, self.anim.history[i]

    # -- keys --------------------------------------------------------------
    def on_key(self, key):
        """Handle ``i``, Enter, Escape, ``x`` and going back (left arrow, ``p``); returns
        whether the key was used."""
        if key == "i":
            self.mode, self.clicked, self.window.paused = "place", [], True
            self._show_clicked()
        elif key == "enter" and self.mode == "place":
            if self.clicked:
                self._start_from_clicked()
        elif key == "escape" and (self.mode is not None or self.dragging is not None):
            self.cancel()
        elif key in ("left", "p") and self.anim.current == 0 and self.replaced:
            self.go_back()
        elif key == "x":
            self.mode = "remove"
            self._say("remove: click next to a point (Escape cancels)")
        else:
            return key == "escape" and self.pin(None)     # Escape also removes a pin
        return True

    def cancel(self):
        """Leave the clicking mode or drag without restarting (Escape)."""
        self.mode, self.clicked, self.dragging = None, [], None
        self._show_clicked()
        self._redraw()                                  # a dragged marker goes back

    # -- mouse -------------------------------------------------------------
    def _usable(self, event):
        toolbar = getattr(self.anim.fig.canvas, "toolbar", None)
        busy = toolbar is not None and str(getattr(toolbar, "mode", "") or "") != ""
        return (event.inaxes is self.ax and event.button == 1 and not busy
                and event.xdata is not None)

    def on_press(self, event):
        """Mouse button: a clicked mean, a removed or added point, or a drag's start."""
        if not self._usable(event):
            return
        mods = _modifiers(event)
        if self.mode == "place":
            self.clicked.append(self.coords(event))
            if len(self.clicked) >= self.k:
                self._start_from_clicked()
            else:
                self._show_clicked()
        elif self.mode == "remove" or "ctrl" in mods:
            self.mode = None
            self._edit(remove=event)
        elif "shift" in mods:
            self._edit(add=self.coords(event))
        elif self.anim.current is not None:
            i, state = self._shown()
            means = np.asarray(state.means, dtype=float)[:, :len(self.coords(event))]
            j, dist = gmm_plot.nearest(self.ax, means, event, along_x=False)  # 1-D: + on the axis
            if dist <= PICK_PIXELS:
                self.dragging, self.window.paused = j, True
                self._drag_from = self._drag_to = means[j].copy()
            else:
                self.pin(event)

    def pin(self, event=None):
        """Pin the data point under the mouse ``event`` (within :data:`PICK_PIXELS`):
        ringed, its responsibilities beside it; None unpins (Escape). Returns
        whether the pin changed."""
        view = next((v for v in self.anim.views if isinstance(v, PinnedPoint)), None)
        row, dist = ((None, 0.0) if event is None
                     else self.anim.scene.nearest_point(self.anim, event))
        if view is None or (event is None and view.row is None) or not (
                event is None or (row is not None and dist <= PICK_PIXELS)):
            return False
        view.pin(row)
        self._redraw()
        return True

    def _redraw(self):
        if self.anim.current is not None:
            self.anim.show_state(self.anim.current)
        self.anim.fig.canvas.draw_idle()

    def on_motion(self, event):
        """While dragging: the mean's marker follows the mouse."""
        if self.dragging is None or event.inaxes is not self.ax or event.xdata is None:
            return
        self._drag_to = self.coords(event)
        _, state = self._shown()
        for view in self.anim.views:
            if isinstance(view, gmm_plot.MeansView):    # 1-D: AxisMeansView, one too
                means = np.array(state.means, dtype=float)[:, :2]
                means[self.dragging, :len(self._drag_to)] = self._drag_to
                view.update(_Means(means))
        self.anim.fig.canvas.draw_idle()

    def on_release(self, event):
        """The end of a drag: EM restarts from the shown state with the mean moved."""
        if self.dragging is None:
            return
        j, self.dragging = self.dragging, None
        if event.inaxes is self.ax and event.xdata is not None:
            self._drag_to = self.coords(event)
        if np.allclose(gmm_plot.pixels(self.ax, self._drag_from),
                       gmm_plot.pixels(self.ax, self._drag_to), atol=1.0):
            self.cancel()               # a click on a mean, not a drag
            return
        i, state = self._shown()
        weights, means, covs = self.fit.fit_params(state.iteration)
        moved = means.copy()
        to_fit = self.fit.to_fit_units
        moved[j] += (to_fit(self._drag_to) - to_fit(self._drag_from))[0]
        self._restart((weights, moved, covs),
                      f"mean {j} dragged to {_fmt(self._drag_to)} at iteration {state.iteration}",
                      f"start: iteration {state.iteration}, mean {j} moved")

    # -- restarts ------------------------------------------------------------
    def _start_from_clicked(self):
        clicked = np.array(self.clicked)
        self.mode, self.clicked = None, []
        self._show_clicked()
        m = len(clicked)
        init = self.fit.means_start(self.fit.to_fit_units(clicked), self.fit.rng)
        how = "clicked means " + " ".join(_fmt(c) for c in clicked)
        if m < self.k:
            how += f" + {self.k - m} by k-means++"
        self._restart(init, how, "start: clicked" if m == self.k
                      else f"start: {m} clicked + {self.k - m} k-means++")

    def _edit(self, add=None, remove=None):
        """Add a point at ``add`` or remove the one nearest the event ``remove``; EM
        restarts from the shown state's parameters on the new data."""
        if self.anim.current is None:           # no state shown yet: nothing to start from
            return
        refusal = self.anim.scene.edit_refusal(self.anim)
        if refusal:
            self._say(refusal)
            return
        before = self.fit.snapshot()
        i, state = self._shown()
        params = self.fit.fit_params(state.iteration)
        try:
            how = _apply_edit(self.anim, add, remove)
        except ValueError as exc:
            self._say(str(exc))
            return
        self._restart(params, f"{how}, from iteration {state.iteration}",
                      f"start: iteration {state.iteration}", before)

    def _restart(self, init, how, started, before=None):
        """Play a new run from ``init`` (fit units); False (nothing changed) when EM
        cannot start there. ``before``: the fit's snapshot before the data were edited."""
        before = self.fit.snapshot() if before is None else before
        try:
            states = self.fit.restart_from(init)
        except ValueError as exc:
            self.fit.restore(before)
            self._say(f"cannot restart there: {exc}")
            return False
        frame = self.anim.current or 0       # the replaced run stays whole, for going back
        replaced = self.window.play_from(states, how)
        self.replaced = self.replaced[-(MAX_UNDO - 1):] + [
            (replaced, frame, before, self.started)]
        self.started = started
        # the scene's data views follow edited data
        self.shown_points = redraw_points(self.anim, self.shown_points)
        self._update_note()
        self.anim.show_state(0)
        self.window.paused = False
        if not self.window.quiet:
            print(f"restart: {how}", file=sys.stderr)
        self._say("")
        return True

    def after_restart(self):
        """After ``r`` (a new random start on the original data): the points and notes
        follow the fit."""
        self.mode, self.clicked, self.dragging = None, [], None
        self._show_clicked()
        self.started, self.replaced = "", []
        self.shown_points = redraw_points(self.anim, self.shown_points)
        self._update_note()

    def go_back(self):
        """Left arrow at a mouse-started run's state 0: back to the run it replaced,
        its data and the frame it was left on (paused)."""
        anim = self.anim
        history, frame, snapshot, self.started = self.replaced.pop()
        self.fit.restore(snapshot)
        anim.restart(history=history)
        self.shown_points = redraw_points(self.anim, self.shown_points)
        self._update_note()
        anim.show_state(frame)
        self.window.paused = True
        self._say(f"back to the previous run at iteration {history[frame].iteration}")

    # -- drawing -------------------------------------------------------------
    def _update_note(self):
        added, removed = self.fit.edits
        edited = f"data edited: +{added} / -{removed} points" if (added or removed) else ""
        self.note.show(self.started, edited)
        manager = getattr(self.anim.fig.canvas, "manager", None)
        if self.window.title and manager is not None:
            manager.set_window_title(self.window.title + (f" ({edited})" if edited else ""))

    def _show_clicked(self):
        """The clicked means as black x's, and the clicking mode's status line."""
        pts = gmm_plot.drawn_positions(
            np.array(self.clicked).reshape(-1, self.anim.scene.data_axes))
        self.marks.set_data(pts[:, 0], pts[:, 1])
        if self.mode == "place":
            self._say(f"start: click mean {len(self.clicked) + 1} of {self.k} "
                      "(Enter: k-means++ for the rest, Escape: cancel)")
        else:
            self._say("")

    def _say(self, text):
        """The status line in the window's lower left (not in saved frames)."""
        self.status.set_text(text)
        self.status.set_visible(bool(text))        # no empty box
        if text and not self.window.quiet and self.mode != "place":
            print(text, file=sys.stderr)
        self.anim.fig.canvas.draw_idle()


def _status_box(fig):
    """The boxed status line over the figure's bottom edge while a mode asks for
    clicks: opaque, so it stays readable where it covers the x axis label."""
    return fig.text(0.006, 0.008, "", ha="left", va="bottom", fontsize=8.5, color="0.1",
                    zorder=10, visible=False,
                    bbox=dict(boxstyle="round,pad=0.3", facecolor="#fffbe6", edgecolor="0.6"))


def _apply_edit(anim, add=None, remove=None):
    """Add a point at ``add`` (drawn coordinates) or remove the one nearest the mouse
    event ``remove`` from ``anim.fit``; returns how, for the restart line.
    ValueError (data unchanged) when too few points would remain."""
    fit = anim.fit
    if remove is not None:
        j, _ = anim.scene.nearest_point(anim, remove)
        where = fit.points[j].copy()
        fit.edit_points(remove=[j])
        return f"point removed at {_fmt(where)}"
    fit.edit_points(add=add)
    return f"point added at {_fmt(add)}"


def redraw_points(anim, shown):
    """Redraw the data when the fit's are no longer the ``shown`` ones (edited, or
    restored by ``r`` or going back): the scene refills its data views
    (:meth:`gmm_scene.Scene.refill`). Returns the points drawn now."""
    points = anim.fit.points
    if points is shown:
        return shown
    anim.scene.refill(anim)
    if anim.current is not None:
        anim.show_state(anim.current)
    return points


class _Means:
    """A stand-in state for :meth:`gmm_plot.MeansView.update` while dragging."""

    def __init__(self, means):
        self.means = means


def _modifiers(event):
    """The modifier keys held during a mouse event, as a set of "ctrl", "shift", ..."""
    mods = set(getattr(event, "modifiers", None) or ())
    key = (getattr(event, "key", None) or "").lower()
    mods.update(part for part in key.replace("control", "ctrl").split("+") if part)
    return mods


def _fmt(coords):
    """``(1.234, 5.68)``: scene coordinates for the transcript, 4 significant digits."""
    return "(" + ", ".join(f"{float(v):.4g}" for v in np.ravel(coords)) + ")"
