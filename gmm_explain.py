"""``--explain``: EM's formulas beside the scene, with the pinned point's numbers.

A side panel writes the E-step and the M-step in matplotlib's mathtext and,
for the point pinned with ``--track`` / ``--track-row`` (or a click in the
live window; see :mod:`gmm_pin`), this frame's numbers (:func:`explain_numbers`):
each component's weighted density pi_k N(x_i | mu_k, Sigma_k), their sum,
the responsibilities r_ik, and for the point's likeliest component the
M-step those responsibilities give (N_k, the new weight and mean). The
numbers come from the E-step that colours the frame: in an M-step frame of
``--half-steps`` the previous state's (so its M-step numbers are the shown
component), otherwise the frame's own (its M-step numbers are the next
iteration's). Everything is in the drawn units, so it needs the fit's own
columns (one or two, not a projection of more).
"""

import numpy as np

import gmm
from gmm_plot import Z_TEXT
from gmm_scene import BaseView
from gmm_steps import assigning_state

__all__ = ["explain_numbers", "ExplainPanel", "add_explain_panel", "MAX_ROWS", "WIDTH"]

#: components listed in the table at most (the rest are summed in one line)
MAX_ROWS = 8
#: the panel's width in pixels (tick-free axes)
WIDTH = 400

E_STEP = (r"$r_{ik} = \dfrac{\pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)}"
          r"{\sum_j \pi_j\,\mathcal{N}(x_i \mid \mu_j, \Sigma_j)}$")
M_STEP = (r"$N_k = \sum_i r_{ik},\quad \pi_k = \dfrac{N_k}{n},\quad "
          r"\mu_k = \dfrac{1}{N_k}\sum_i r_{ik}\,x_i$")
M_COV = r"$\Sigma_k = \dfrac{1}{N_k}\sum_i r_{ik}\,(x_i - \mu_k)(x_i - \mu_k)^{\top}$"


def explain_numbers(points, row, state):
    """The numbers of the formulas for data row ``row`` under ``state``'s E-step.

    Parameters
    ----------
    points : ndarray, shape (n, d)
        The data in the state's units.
    row : int
    state : GMMState
        Its weights, means (k, d) and covariances (k, d, d) give the E-step.

    Returns
    -------
    dict
        ``weighted`` (k,): pi_k N(x_i | mu_k, Sigma_k); ``total``: their sum;
        ``resp`` (k,): r_ik; ``k``: the likeliest component; ``N_k``,
        ``weight`` (N_k / n) and ``mean`` (d,): the M-step of component ``k``
        from every point's responsibilities.
    """
    points = np.asarray(points, dtype=float)
    w, m, c = state.weights, state.means, state.covariances
    log_norm, log_resp = gmm.log_responsibilities(points[row:row + 1], w, m, c)
    resp = np.exp(log_resp[0])
    weighted = np.exp(log_resp[0] + log_norm[0])
    k = int(np.argmax(resp))
    r_k = gmm.responsibilities(points, w, m, c)[:, k]
    n_k = float(r_k.sum())
    return {"weighted": weighted, "total": float(np.exp(log_norm[0])), "resp": resp, "k": k,
            "N_k": n_k, "weight": n_k / len(points), "mean": r_k @ points / n_k}


def _vector(v):
    v = np.atleast_1d(np.asarray(v, dtype=float))
    return f"{v[0]:.4g}" if v.size == 1 else "(" + ", ".join(f"{x:.4g}" for x in v) + ")"


class ExplainPanel(BaseView):
    """The formulas and the pinned point's numbers on a tick-free side axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    points : callable
        ``points() -> (n, d)`` array: the data in display units (the states'
        units), as the live window's edits leave it.
    colors : ndarray, shape (k, 4)
    pinned : callable
        ``pinned() -> int or None``: the pinned row.
    """

    def __init__(self, ax, points, colors, pinned, *, fontsize=10):
        self.ax, self.points, self.pinned = ax, points, pinned
        self.colors = np.asarray(colors, dtype=float)
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        rows = min(len(self.colors), MAX_ROWS)
        # the layout in lines of 1.4 font sizes; a short panel (1-D) gets a smaller font
        lines = 18.0 + 1.05 * (rows + 2)
        height = ax.get_window_extent().height
        line_px = 1.4 * ax.figure.dpi / 72.0
        fs = max(6.0, min(float(fontsize), height / (lines * line_px)))
        unit = fs * line_px / height                     # one line in axes fractions
        at = [1.0]

        def text(s="", size=fs, advance=1.3, **kw):
            t = ax.text(0.02, at[0], s, transform=ax.transAxes, va="top", fontsize=size,
                        zorder=Z_TEXT, **kw)
            at[0] -= advance * unit
            return t
        text("E-step: each point's responsibilities", fontweight="bold")
        text(E_STEP, fs + 1, advance=3.0)
        self.head = text("", fs - 0.5, advance=2.4, linespacing=1.3)
        self.rows = [text("", fs - 0.5, advance=1.05, family="monospace")
                     for _ in range(rows + 1)]                   # the header, then the rows
        self.sum = text("", fs - 0.5, advance=1.65, family="monospace")
        text("M-step: each component from them", fontweight="bold")
        text(M_STEP, advance=2.6)
        text(M_COV, advance=2.6)
        self.m_lines = [text("", fs - 0.5) for _ in range(4)]
        self.numbers = None
        self.artists = [self.head, *self.rows, self.sum, *self.m_lines]

    def update(self, state):
        """This frame's numbers for the pinned row (a hint when none is pinned)."""
        row = self.pinned()
        for t in self.artists:
            t.set_text("")
        if row is None:
            self.numbers = None
            self.head.set_text("pin a point (--track X Y, --track-row N,\n"
                               "or click one) to see its numbers")
            return self.artists
        source = assigning_state(state)
        points = np.asarray(self.points(), dtype=float)
        self.numbers = nums = explain_numbers(points, row, source)
        x = _vector(points[row])
        self.head.set_text(f"point i = {row}, x = {x}\nunder the parameters of iteration "
                           f"{source.iteration} (this frame's colours)")
        self.rows[0].set_text(f"{'k':>3} {'pi_k N(x_i|k)':>14} {'r_ik':>8}")
        self.rows[0].set_color("0.2")
        shown = len(self.rows) - 1
        for j in range(shown):
            line = self.rows[j + 1]
            line.set_text(f"{j:>3} {nums['weighted'][j]:>14.5g} {nums['resp'][j]:>8.4f}")
            line.set_color(self.colors[j])
        rest = len(nums["resp"]) - shown
        more = f"  (+{rest} more)" if rest > 0 else ""
        self.sum.set_text(f"{'sum':>3} {nums['total']:>14.5g} {1.0:>8.4f}{more}")
        k = nums["k"]
        self.m_lines[0].set_text(f"likeliest component k = {k}, from these r_ik:")
        self.m_lines[0].set_color(self.colors[k])
        self.m_lines[1].set_text(f"$N_k$ = {nums['N_k']:.4f}     $\\pi_k$ = {nums['weight']:.4f}")
        self.m_lines[2].set_text(f"$\\mu_k$ = {_vector(nums['mean'])}")
        self.m_lines[3].set_text(f"(the parameters of iteration {source.iteration + 1})")
        return self.artists


def add_explain_panel(anim, pin, width=WIDTH):
    """The ``--explain`` panel beside everything so far, following ``pin``
    (a :class:`gmm_pin.PinnedPoint`)."""
    fit = anim.fit
    if np.shape(fit.points)[1] != fit.n_features:
        raise ValueError("--explain writes the formulas' numbers for every fitted column, "
                         f"at most 2; this fit has {fit.n_features}: fit one or two with "
                         "--columns (--dims only chooses the columns drawn)")
    ax = anim.add_side_axes("explain", width=width, margins=(8, 8), stack=False)
    return anim.add_view(ExplainPanel(ax, lambda: fit.points, anim.colors, lambda: pin.row))
