"""How the cost of fitting text (``--title``) and drawing ellipses grows with size.

``gmm_plot.fit_text`` shrinks and cuts a title to the figure's width; it
must take O(log n) measurements whose lengths halve, so its time grows
about linearly with the title's length n. ``covariance_ellipse`` must draw
an ellipse of any finite size (up to 1e150 wide) in about the same time as
a small one. Prints one row per size with the time per character (or per
ellipse) relative to the first row, measured in the same run:

    python bench/bench_text.py            # titles of 500..16000 characters
    python bench/bench_text.py --repeat 5

A ratio column that stays near 1 (or falls) means linear or better. The
old one-character-at-a-time loop is timed beside it as the baseline (up
to ``--baseline-up-to`` characters: it is quadratic; 3,000 characters took
35 s in the hostile run, 10,000 took 389 s).
"""

import argparse
import os
import sys
import time

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt             # noqa: E402
import numpy as np                          # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import gmm_ellipse                          # noqa: E402
import gmm_plot                             # noqa: E402


def one_at_a_time(text, max_px, min_fontsize=6.0):
    """The baseline: the old loop, dropping one character per measurement."""
    renderer = text.get_figure().canvas.get_renderer()
    now = text.get_window_extent(renderer).width
    if now <= max_px:
        return now
    text.set_fontsize(max(min_fontsize, text.get_fontsize() * max_px / now))
    text.set_parse_math(False)
    full, keep = text.get_text(), len(text.get_text())
    while text.get_window_extent(renderer).width > max_px and keep > 1:
        keep -= 1
        text.set_text(full[:keep].rstrip() + "\u2026")
    return text.get_window_extent(renderer).width


def time_title(n, repeat, fit=gmm_plot.fit_text):
    """Best seconds of fitting an n-character plain title into 584 px with ``fit``."""
    words = ("mixture of gaussians, one EM step per frame " * (n // 40 + 1))[:n]
    best = float("inf")
    for _ in range(repeat):
        fig = plt.figure(figsize=(6, 6), dpi=100)
        title = fig.text(0.5, 0.98, words, ha="center", va="top", fontsize=13)
        start = time.perf_counter()
        fit(title, 584)
        best = min(best, time.perf_counter() - start)
        plt.close(fig)
    return best


def time_ellipse(scale, repeat):
    """Best seconds of drawing one frame with an ellipse ``scale`` times the view."""
    best = float("inf")
    for _ in range(repeat):
        fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
        ax.set_xlim(-5, 5)
        ax.set_ylim(-5, 5)
        gmm_ellipse.covariance_ellipse(ax, [1.0, 0.5], np.diag([scale, scale / 3.0]) ** 2)
        start = time.perf_counter()
        fig.canvas.draw()
        best = min(best, time.perf_counter() - start)
        plt.close(fig)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-up-to", type=int, default=2000,
                        help="time the old one-character loop up to this many characters")
    args = parser.parse_args(argv)
    print(f"{'title chars':>12} {'seconds':>9} {'us/char':>9} {'ratio':>7} "
          f"{'old loop s':>11} {'old/new':>8}")
    base = None
    for n in (500, 1000, 2000, 4000, 8000, 16000):
        t = time_title(n, args.repeat)
        per = t / n
        base = per if base is None else base
        old = time_title(n, 1, one_at_a_time) if n <= args.baseline_up_to else None
        shown = f"{old:>11.3f} {old / t:>8.1f}" if old is not None else f"{'-':>11} {'-':>8}"
        print(f"{n:>12} {t:>9.4f} {per * 1e6:>9.2f} {per / base:>7.2f} {shown}")
    print(f"\n{'ellipse size':>12} {'seconds':>9} {'ratio':>7}")
    base = None
    for scale in (1.0, 1e3, 1e15, 1e30, 1e150):
        t = time_ellipse(scale, args.repeat)
        base = t if base is None else base
        print(f"{scale:>12.0e} {t:>9.4f} {t / base:>7.2f}")


if __name__ == "__main__":
    main()
