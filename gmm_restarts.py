"""Local maxima made visible: after a run converges, a few other starts are tried.

EM climbs to the nearest maximum of the likelihood, and an honest
``(converged)`` says nothing about better ones. When a run converges on
small data (:func:`worth_checking`) and the check is on (``--no-restart-check``
turns it off), :class:`LocalMaximumNote` runs EM from the next seeds, those
the live window's ``r`` key would use (``--seed + 1``, ``+ 2``, ...), while
they take under :data:`BUDGET` of the run's time so far; when one ends
:data:`CLEAR_GAIN` or more per point higher, the last frame says so
(:meth:`BetterStart.message`), e.g. ``converged to a local maximum: --seed 7
reaches -4.2300 (this run -4.3500)``. The named seed, rerun, reaches that
value: ``--seed S`` on the same data file, or ``--init-seed S`` beside the run's
own flags (the points sampled with ``--seed`` stay; the ``r`` key pressed r
times in the live window does the same).
"""

import dataclasses
import time

import numpy as np

from gmm_plot import Z_TEXT, fit_text
from gmm_scene import BaseView

__all__ = ["BetterStart", "worth_checking", "better_start", "LocalMaximumNote", "found",
           "status_lines",
           "MAX_STARTS", "BUDGET", "CLEAR_GAIN", "MAX_CELLS"]

#: other starts tried at most
MAX_STARTS = 4
#: the check stops starting runs once it has used this fraction of the run's time
BUDGET = 0.2
#: a start is clearly better when its mean log-likelihood is this much higher (per point)
CLEAR_GAIN = 0.01
#: small data: rows times components at most this
MAX_CELLS = 200_000


@dataclasses.dataclass(frozen=True)
class BetterStart:
    """A start that reached a clearly higher mean log-likelihood than the shown run.

    Attributes
    ----------
    seed : int
        Its random seed.
    presses : int
        How many presses of ``r`` from the shown run start it.
    value, this : float
        Its final mean log-likelihood and the shown run's (user units).
    by_seed : bool
        A new run with ``--seed seed`` on the same input reproduces it (the
        data were not sampled with the seed, nor the start given its own);
        otherwise the run's flags with ``--init-seed seed`` do.
    """

    seed: int
    presses: int
    value: float
    this: float
    by_seed: bool

    def lines(self, live=False):
        """The finding, the start, its value (three str); ``live`` names ``r``."""
        who = f"--seed {self.seed}" if self.by_seed else f"--init-seed {self.seed}"
        value = f"reaches {self.value:.4f} (this run {self.this:.4f})"
        if live:
            value += ": press r" + ("" if self.presses == 1 else f" {self.presses} times")
        return "converged to a local maximum:", who, value

    def message(self, live=False):
        """The status line, e.g. ``converged to a local maximum: --seed 7 reaches
        -4.2300 (this run -4.3500)``."""
        return " ".join(self.lines(live))


def worth_checking(fit):
    """Whether other starts are cheap and nameable for ``fit`` (a
    :class:`gmm_fit.FitRun`): an int seed (``options.start_seed``), a named init
    (not parameters), unedited data, and at most :data:`MAX_CELLS` rows times
    components."""
    options = fit.options
    return (options.start_seed is not None
            and isinstance(options.init, str) and fit.edits == (0, 0)
            and len(fit.Z) * options.n_components <= MAX_CELLS)


def better_start(fit, this, *, budget, max_starts=MAX_STARTS, clock=time.perf_counter):
    """The best of up to ``max_starts`` next seeds if clearly better than ``this``.

    Parameters
    ----------
    fit : gmm_fit.FitRun
        The shown run (``fit.options.start_seed`` an int: see :func:`worth_checking`).
    this : float
        The shown run's final mean log-likelihood (user units).
    budget : float
        Seconds; no new start begins once the starts so far took this long.
    max_starts : int
    clock : callable
        Seconds (for tests).

    Returns
    -------
    BetterStart or None
    """
    base = fit.options.start_seed + fit.restarts
    spent, best = 0.0, None
    for presses in range(1, max_starts + 1):
        if presses > 1 and spent >= budget:
            break
        began = clock()
        value = fit.final_log_likelihood(base + presses)
        spent += clock() - began
        if best is None or value > best[1]:
            best = (presses, value)
    if best is None or best[1] < this + CLEAR_GAIN:
        return None
    presses, value = best
    # a fresh default_rng(seed) reproduces this run only if the seed did not also sample the data
    by_seed = (fit.restarts == 0 and fit.options.init_seed is None
               and np.isclose(fit.final_log_likelihood(base), this, rtol=0.0, atol=1e-9))
    return BetterStart(base + presses, presses, value, this, bool(by_seed))


class LocalMaximumNote(BaseView):
    """The last frame's note when another start reaches a clearly higher maximum.

    When a converged state is first shown, the check (:func:`better_start`)
    runs within :data:`BUDGET` of the time since the view was made or
    reset (the run's time: EM and the frames drawn so far); its note sits at
    the bottom of the scene on every converged frame.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The scene axes.
    fit : gmm_fit.FitRun
    live : bool
        The note names the ``r`` key (live window).
    place : callable, optional
        ``place() -> (x, y, ha, va)`` in axes fractions, asked when the note is
        first shown (the legends are placed by then), e.g.
        :func:`gmm_mouse.note_anchor` (the scene's corner for notes); default
        the bottom centre.
    """

    def __init__(self, ax, fit, *, live=False, place=None, clock=time.perf_counter):
        self.fit, self.live, self.clock = fit, bool(live), clock
        self.ax, self.place = ax, place
        self.text = ax.text(0.5, 0.015, "", transform=ax.transAxes, ha="center", va="bottom",
                            fontsize=9, color="#7a1f00", zorder=Z_TEXT + 0.5,
                            bbox=dict(boxstyle="round,pad=0.3", facecolor="#fff4d6",
                                      edgecolor="#c77700", alpha=0.95))
        self.text.set_visible(False)
        self.artists = [self.text]
        self.reset()

    def reset(self):
        """A new run: check again when it converges."""
        self.started = self.clock()
        self.checked = False
        self.result = None

    def check(self, state):
        """Run the check for the converged ``state`` (once per run)."""
        self.checked = True
        if worth_checking(self.fit):
            budget = BUDGET * (self.clock() - self.started)
            self.result = better_start(self.fit, float(self.fit.record.last.log_likelihood),
                                       budget=budget, clock=self.clock)
        if self.result is not None:
            self.text.set_text("\n".join(self.result.lines(self.live)))
            if self.place is not None:
                x, y, ha, va = self.place()
                self.text.set_position((x, y))
                self.text.set_horizontalalignment(ha)
                self.text.set_verticalalignment(va)
            self.text.set_visible(True)         # an invisible text measures 0 pixels
            fit_text(self.text, 0.96 * self.ax.get_window_extent().width)

    def update(self, state):
        if state.converged and not self.checked:
            self.check(state)
        self.text.set_visible(bool(state.converged and self.result is not None))
        return self.artists


def found(views):
    """The :class:`BetterStart` a :class:`LocalMaximumNote` among ``views`` found, or None."""
    return next((v.result for v in views if isinstance(v, LocalMaximumNote)
                 and v.result is not None), None)


def status_lines(views):
    """The status line of a :class:`BetterStart` found among ``views`` (a list, maybe empty)."""
    better = found(views)
    return [] if better is None else [better.message()]
