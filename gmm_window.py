"""The live window: an :class:`gmm_animator.Animator` played on screen, with keys.

A timer advances one state per ``1 / fps`` seconds; the keys of :data:`gmm_options.KEYS`
pause, step through the kept states, restart EM (``r``: :meth:`LiveWindow.restart`
asks the :class:`gmm_fit.FitRun` for a new run and plays it from state 0),
save the current frame and quit; the mouse (:mod:`gmm_mouse`) places starting
means, drags means and edits points. The figure is scaled down to fit the screen.
Signals: inside the event loop a Ctrl-C or SIGTERM is only recorded by the
policy (:meth:`gmm_cli.SignalPolicy.deferred`), the next timer tick closes the
window, and the policy raises it once the loop has returned.
"""

import os
import sys
import textwrap

import matplotlib
import matplotlib.pyplot as plt

from gmm_atomic import AtomicFile
from gmm_animator import DPI
from gmm_cli import NoSignals
from gmm_mouse import MouseControl
from gmm_options import KEYS
from gmm_steps import step_of



def available():
    """True when pyplot resolves to an interactive backend (a display exists)."""
    try:
        backend = matplotlib.get_backend().lower()     # resolves the default backend
    except Exception:           # e.g. TkAgg requested but no display
        return False
    try:
        from matplotlib.backends import BackendFilter, backend_registry
        interactive = backend_registry.list_builtin(BackendFilter.INTERACTIVE)
    except ImportError:         # matplotlib < 3.9 has only the older list
        from matplotlib import rcsetup
        interactive = rcsetup.interactive_bk
    return backend in {b.lower() for b in interactive}


class LiveWindow:
    """Plays ``anim`` (built with ``interactive=True``) in a window until it is closed.

    Parameters
    ----------
    anim : gmm_animator.Animator
    signals : gmm_cli.SignalPolicy or gmm_cli.NoSignals
        How Ctrl-C and SIGTERM end the window (see the module docstring).
    quiet : bool
        No status lines on stderr (the CLI's ``-q``): "restart N", "saved frame".
    title : str, optional
        The window's title (see :func:`window_title`); default matplotlib's.
    on_restart : callable, optional
        ``on_restart(how)`` before each restarted run's first state (``r``, a
        clicked start, a dragged mean, edited points); ``how`` says where it
        started. The CLI prints it under ``--print_ll``.

    Attributes
    ----------
    paused : bool
        The timer does not advance (space, or after stepping with a key).
    """

    def __init__(self, anim, *, signals=NoSignals(), quiet=False, title=None, on_restart=None):
        self.anim = anim
        self.on_restart = on_restart
        self.title = title
        self.fig = anim.fig
        self.signals = signals
        self.quiet = quiet
        self.paused = False
        self.help_text = None
        self.hint = None
        self._timer = None
        self.mouse = MouseControl(self)     # clicked means, dragged means, edited points

    def show(self):
        """Open the window and play (blocks until it is closed); returns ``self``.

        matplotlib's own key bindings are switched off for this figure.
        """
        canvas = self.fig.canvas
        manager = getattr(canvas, "manager", None)
        default_keys = getattr(manager, "key_press_handler_id", None)
        if default_keys is not None:          # matplotlib's s, q, p, r, h, arrows
            canvas.mpl_disconnect(default_keys)
        canvas.mpl_connect("key_press_event", self.on_key)
        if self.title and manager is not None:
            manager.set_window_title(self.title)
        self.hint = hint(self.fig)
        scale = screen_scale(self.anim.size, screen_size(manager))
        if scale < 1.0:                 # the whole figure, smaller, on the screen
            # the Tk backends reset dpi to _original_dpi x the screen's pixel
            # ratio when the window maps: scale both
            if hasattr(self.fig, "_original_dpi"):
                self.fig._original_dpi = self.anim.dpi * scale
            self.fig.set_dpi(self.anim.dpi * scale)
        if self.anim.current is None:
            self.anim.show_state(0)
        self._timer = canvas.new_timer(interval=max(1, int(round(1000.0 / self.anim.fps))))
        self._timer.add_callback(self._tick)
        started = []

        def start_on_first_draw(event):
            # the timer starts once state 0 is on the screen: a window that maps
            # slowly (a busy machine) still shows the initial parameters first
            if not started:
                started.append(canvas.mpl_disconnect(first_draw))
                self._timer.start()

        first_draw = canvas.mpl_connect("draw_event", start_on_first_draw)
        with self.signals.deferred():   # a signal stops the loop (see _tick), not a callback
            plt.show()
        self._timer.stop()
        self.signals.check()
        return self

    def _tick(self):
        """Timer callback: the next state unless paused or at the end; after a
        Ctrl-C or SIGTERM (``signals.pending``) it closes the window instead."""
        if self.signals.pending is not None:
            plt.close(self.fig)
            return
        if not self.paused:
            self.step(+1)

    def step(self, delta):
        """Show state ``current + delta`` if it exists; returns whether it moved."""
        anim = self.anim
        i = (-1 if anim.current is None else anim.current) + int(delta)
        if i < 0 or anim.state(i) is None:
            return False
        try:
            anim.show_state(i)
        except RuntimeError as exc:          # labels dropped to bound memory
            print(f"cannot show state {i}: {exc}", file=sys.stderr)
            return False
        self.fig.canvas.draw_idle()
        return True

    def on_key(self, event):
        """Key handler (see :data:`gmm_options.KEYS`)."""
        key = (event.key or "").lower()
        if self.mouse.on_key(key):
            return
        if key in (" ", "space"):
            self.paused = not self.paused
        elif key in ("right", "n"):
            self.paused = True
            self.step(+1)
        elif key in ("left", "p"):
            self.paused = True
            self.step(-1)
        elif key == "r":
            self.restart()
        elif key == "s":
            self.save_frame()
        elif key == "h":
            self.toggle_help()
        elif key == "q":
            plt.close(self.fig)

    def restart(self):
        """EM from a new initialisation on the same data (the ``r`` key), played from state 0.

        :meth:`gmm_fit.FitRun.restart` picks the seed (``--seed`` + 1, + 2,
        ...) and starts the new run on the original data; the animator forgets
        the old states.
        """
        states, how = self.anim.fit.restart()
        self.play_from(states, how)
        self.mouse.after_restart()
        if not self.quiet:
            print(f"restart {self.anim.fit.restarts}: EM from a new initialisation ({how})",
                  file=sys.stderr)
        self.anim.show_state(0)
        self.paused = False
        self.fig.canvas.draw_idle()

    def play_from(self, states, how):
        """Put a restarted run's ``states`` in the animator and return the replaced
        :class:`gmm_history.StateHistory`; ``how`` (where it started) goes first to
        ``on_restart(how)`` (``--print_ll``: a ``restart: <how>`` line before the
        run's first state)."""
        if self.on_restart is not None:
            self.on_restart(how)
        return self.anim.restart(states)

    def save_frame(self, directory="."):
        """Save the current frame as ``gmm_frame_<iter>.png`` (the ``s`` key).

        Written atomically, without the key list, the "h: keys" hint and the
        mouse's status line; the
        path goes to stderr.
        Returns the path.
        """
        anim = self.anim
        state = anim.history[anim.current if anim.current is not None else 0]
        half = {"M": "M", "E": "E"}.get(step_of(state), "")      # --half-steps: M/E frames apart
        path = os.path.join(directory, f"gmm_frame_{state.iteration}{half}.png")
        hidden = self.help_text is not None and self.help_text.get_visible()
        if hidden:
            self.help_text.set_visible(False)
        hint_shown = [t for t in (self.hint, self.mouse.status) if t is not None and
                      t.get_visible()]
        for t in hint_shown:
            t.set_visible(False)
        animated = [a for a in anim.artists if a.get_animated()]
        for a in animated:
            a.set_animated(False)
        try:
            with AtomicFile(path) as target:
                self.fig.savefig(target.fp, format="png", dpi=self.anim.dpi)
        finally:
            for a in animated:
                a.set_animated(True)
            if hidden:
                self.help_text.set_visible(True)
            for t in hint_shown:
                t.set_visible(True)
        if not self.quiet:
            print(f"saved frame {state.iteration} to {os.path.abspath(path)}", file=sys.stderr)
        return path

    def toggle_help(self):
        """Show or hide the list of keys over the figure (and print it to stderr)."""
        lines = help_lines()
        if self.help_text is None:
            self.help_text = self.fig.text(
                0.5, 0.5, "\n".join(lines), ha="center", va="center", family="monospace",
                multialignment="left",
                fontsize=help_fontsize(lines, self.anim.size[0], self.anim.dpi,
                                       height_px=self.anim.size[1]), zorder=10,
                bbox=dict(boxstyle="round,pad=0.6", facecolor="white", edgecolor="0.4",
                          alpha=0.95))
            self.help_text.set_visible(False)
        self.help_text.set_visible(not self.help_text.get_visible())
        if self.help_text.get_visible():
            print("\n".join(lines), file=sys.stderr)
        self.fig.canvas.draw_idle()


def help_lines(width=58):
    """The ``h`` box's lines: the keys in one left-aligned column, each
    description wrapped at ``width`` characters and indented under its first line."""
    column = max(len(keys) for keys, _ in KEYS) + 2
    lines = ["keys:"]
    for keys, what in KEYS:
        wrapped = textwrap.wrap(what, width) or [""]
        lines.append(f"{keys:<{column}}{wrapped[0]}")
        lines.extend(" " * column + more for more in wrapped[1:])
    return lines


def help_fontsize(lines, figure_px, dpi=DPI, *, height_px=None, largest=9.0, smallest=5.0):
    """Font size (points) at which the monospace ``lines`` take at most 88% of
    a ``figure_px``-wide (and ``height_px``-tall) figure at ``dpi``, box padding
    included; at most ``largest`` points at 100 dpi: a figure at a lower dpi
    (a small ``--size``) keeps that many pixels when they fit, so the box is
    as readable as in a default figure."""
    longest = max(len(line) for line in lines) + 3          # + the box's padding
    px_per_pt = dpi / 72.0
    fits = 0.88 * figure_px / (longest * 0.602 * px_per_pt)
    if height_px is not None:           # lines at 1.2 line spacing, 1.2 lines of padding
        fits = min(fits, 0.88 * height_px / ((1.2 * len(lines) + 1.2) * px_per_pt))
    return max(smallest, min(largest * max(1.0, DPI / dpi), fits))


def hint(fig):
    """The faint "h: keys" in the figure's lower right corner (live window only)."""
    return fig.text(0.995, 0.005, "h: keys", ha="right", va="bottom", fontsize=8,
                    color="0.55", zorder=10)


def window_title(options, source):
    """The live window's title: the tool, the data, and ``--title`` when given."""
    fit = "EM" if options.bayesian is None else "variational fit"
    title = f"visualize_gmm: {fit}, k = {options.n_components}, on {source}"
    return f"{options.title} - {title}" if options.title else title


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
