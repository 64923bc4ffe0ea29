"""The clicked-start GIF of docs/live-window.md: two runs on the same data,
started from clicked means.

Left: two of the three means clicked in one cluster and the third between
the other two; EM keeps that split and converges to a local optimum with a
lower log-likelihood (one component stretched over two clusters).
Right: one mean clicked in each cluster; EM finds the clusters. Both runs
go through the live window's own code (:class:`gmm_window.LiveWindow` and
:mod:`gmm_mouse`, fed matplotlib's mouse and key events), drawn off-screen
and written side by side::

    python examples/clicked_start.py           # writes examples/clicked_start.gif
"""

import os
import sys

import numpy as np
from matplotlib.backend_bases import KeyEvent, MouseEvent

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import gmm_window  # noqa: E402  (the repository root is on the path now)
import visualize_gmm  # noqa: E402
from gmm_atomic import AtomicFile  # noqa: E402
from gmm_writers import GifWriter, PaletteQuantizer  # noqa: E402

OUT = os.path.join("examples", "clicked_start.gif")
DATA = dict(n_points=300, n_true=3, random_state=4, max_iter=40, fps=6)
BAD = [(-5.7, -5.5), (-5.4, -3.5), (0.7, 5.8)]    # two in one cluster, one between two
GOOD = [(8.5, 4.7), (-5.6, -4.5), (-7.0, 6.9)]    # one click per cluster
HOLD_START = 4                                    # frames showing the clicked start


def clicked_run(clicks, title):
    """An Animator whose run starts from ``clicks``, placed as in the live window."""
    anim = visualize_gmm.animate(None, 3, title=title, **DATA).animator
    anim.show_state(0)
    window = gmm_window.LiveWindow(anim, quiet=True)
    canvas = anim.fig.canvas
    canvas.draw()
    window.on_key(KeyEvent("key_press_event", canvas, "i"))
    for xy in clicks:
        x, y = anim.ax.transData.transform(xy)
        canvas.callbacks.process("button_press_event",
                                 MouseEvent("button_press_event", canvas, x, y, button=1))
    anim.run()
    return anim


def main(path=OUT):
    titles = ["clicked: 2 means in one cluster", "clicked: one mean per cluster"]
    runs = [clicked_run(BAD, titles[0]), clicked_run(GOOD, titles[1])]
    n = max(len(a.history) for a in runs)
    w, h = runs[0].size
    gap = 16
    size = (2 * w + gap, h)
    quantizer = PaletteQuantizer(runs[0].palette_colors())     # both runs: the same colours
    with AtomicFile(path) as target:
        writer = GifWriter(target.fp, size, DATA["fps"], quantizer)
        for i in [0] * HOLD_START + list(range(1, n)):     # the clicked start stays a while
            frames = [a.render(min(i, len(a.history) - 1)).copy() for a in runs]
            blank = np.full((h, gap, 3), 255, dtype=np.uint8)
            writer.add(np.concatenate([frames[0], blank, frames[1]], axis=1))
        writer.finish()
    for title, a in zip(titles, runs):
        last = a.history[-1]
        print(f"{title}: iteration {last.iteration}, log-likelihood {last.log_likelihood:.4f}")
    print(f"saved {writer.n_frames} frames to {path}")


if __name__ == "__main__":
    main()
