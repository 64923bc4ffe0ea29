"""Test-side hooks for live-window runs in a child process (TkAgg under Xvfb).

:func:`close_after_last` makes every :class:`gmm_window.LiveWindow` close about
a second after its last frame and report the frames it drew on stderr, so a
test can run the real window without a person pressing ``q``.
"""

import sys

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.backend_bases import KeyEvent, MouseEvent

import gmm_window
from gmm_writers import HOLD_SECONDS


def close_after_last():
    """Patch :class:`gmm_window.LiveWindow`: close after the last frame, report drawn frames.

    After a normal close, one line ``live window (BACKEND) drew frames: 0 1 ...``
    goes to stderr (a frame index once per run of draws).
    """
    show = gmm_window.LiveWindow.show
    closing = []

    def patched_show(self):
        drawn = []
        self.fig.canvas.mpl_connect("draw_event", lambda event: drawn.append(self.anim.current))
        result = show(self)
        seen = [i for j, i in enumerate(drawn) if i is not None and (j == 0 or drawn[j - 1] != i)]
        print(f"live window ({matplotlib.get_backend()}) drew frames: "
              + " ".join(str(i) for i in seen), file=sys.stderr)
        return result

    def patched_tick(self):
        if self.signals.pending is not None:
            plt.close(self.fig)
        elif not self.paused and not self.step(+1) and not closing:
            timer = self.fig.canvas.new_timer(interval=int(1000 * HOLD_SECONDS))
            timer.single_shot = True
            timer.add_callback(plt.close, self.fig)
            timer.start()
            closing.append(timer)

    gmm_window.LiveWindow.show = patched_show
    gmm_window.LiveWindow._tick = patched_tick


def main():
    """``visualize_gmm.main(sys.argv[1:])`` with :func:`close_after_last` applied."""
    import visualize_gmm

    close_after_last()
    return visualize_gmm.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())


def key_sender(canvas):
    """``key(k)``: a key press ``k`` fed to ``canvas``'s callbacks, as Tk would."""
    def key(k):
        canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", canvas, k))
    return key


def mouse_sender(anim):
    """``mouse(xy, name="button_press_event", modifiers=None) -> [xdata, ydata]``:
    a left-button event at data coordinates ``xy`` of ``anim.ax``, fed to the
    canvas' callbacks; returns the data coordinates the handlers saw."""
    canvas = anim.fig.canvas

    def mouse(xy, name="button_press_event", modifiers=None):
        px, py = anim.ax.transData.transform(xy)
        event = MouseEvent(name, canvas, px, py, button=1, modifiers=modifiers)
        canvas.callbacks.process(name, event)
        return [event.xdata, event.ydata]
    return mouse


def run_plan(canvas, plan, interval=150):
    """Call the functions of ``plan`` one per timer tick, ``interval`` ms apart,
    from the window's own event loop (start it with ``window.show()``)."""
    timer = canvas.new_timer(interval=interval)
    timer.single_shot = True

    def tick():
        plan.pop(0)()
        if plan:
            timer.start()
    timer.add_callback(tick)
    timer.start()
    return timer
