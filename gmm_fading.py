"""Drawing a variational fit (``--bayesian``): components fade with their expected weights.

The scenes draw a variational state as they draw an EM state (its weights
are the expected weights, its means and covariances the posterior's); this
module adds what differs:

- :class:`FadingView` sets each component's marks (ellipse or density curve,
  interval, mean) to the opacity and line width of :func:`opacities` and
  :func:`line_widths` every frame: the rule, for k components and expected
  weight ``w``,

  ============================  ===========================================  ==========
  expected weight               opacity                                      line width
  ============================  ===========================================  ==========
  ``w > 1%`` (effective)        ``0.25 + 0.75 * min(1, k * w)``               as drawn
  ``0.5% < w <= 1%``            ``0.35`` (a thin outline)                    x 0.4
  ``w <= 0.5%``                 ``0`` (gone)                                 x 0.4
  ============================  ===========================================  ==========

  so a component with at least an even share (``1/k``) is opaque, and one
  the data stop supporting grows fainter, turns into a thin outline and
  vanishes;
- :class:`FadingHeader`: ``effective components E of k`` over ``iter t / T   lower bound B``;
- :func:`legend_entries`: the legend's explanation of the fading;
"""

import numpy as np
from matplotlib.lines import Line2D

from gmm_steps import StepText
from gmm_scene import BaseView
from gmm_variational import THRESHOLD, effective_components

#: at and below this expected weight a component is not drawn (half of THRESHOLD:
#: below the weight an empty component keeps under the default prior, about 1/(k n))
VANISH = THRESHOLD / 2
#: opacity of an effective component with a tiny weight; an even share (1/k) is opaque
FAINTEST = 0.25
#: opacity of a component between VANISH and THRESHOLD: the thin outline
OUTLINE_ALPHA = 0.35
#: line width factor of a component at or below THRESHOLD
THIN = 0.4


def opacities(weights, threshold=THRESHOLD):
    """The opacity of each component of expected ``weights`` (k,), as the table of
    :mod:`gmm_fading` says; shape (k,), values in [0, 1]."""
    w = np.asarray(weights, dtype=float)
    k = len(w)
    alive = FAINTEST + (1.0 - FAINTEST) * np.minimum(1.0, k * w)
    return np.where(w > threshold, alive, np.where(w > threshold * (VANISH / THRESHOLD), OUTLINE_ALPHA, 0.0))


def line_widths(weights, threshold=THRESHOLD):
    """Line width factors (k,): 1 for effective components, :data:`THIN` below."""
    return np.where(np.asarray(weights, dtype=float) > threshold, 1.0, THIN)


class FadingView(BaseView):
    """Fades the marks of each component with its expected weight (after the views
    that place them have updated: add it after them).

    Parameters
    ----------
    groups : sequence of sequences of Artist
        Each a list of k artists, artist j drawing component j (the ellipses and
        their white halos, the 1-D density curves); each gets its component's
        opacity (``set_alpha``) and line width factor.
    collections : sequence of Collection
        Collections with one item per component (the means' markers, the 1-D
        intervals): per-item opacities and line widths.
    threshold : float
        The weight below which a component is no longer counted (1%).

    Attributes
    ----------
    alphas : ndarray, shape (k,)
        The opacities of the last state drawn.
    """

    def __init__(self, groups=(), collections=(), *, threshold=THRESHOLD):
        self.groups = [list(g) for g in groups]
        self.collections = list(collections)
        self.threshold = float(threshold)
        self.widths = [[a.get_linewidth() for a in g] for g in self.groups]
        self.collection_widths = [np.broadcast_to(c.get_linewidths(), (self._k(),)).copy()
                                  for c in self.collections]
        self.alphas = None
        self.artists = []       # the faded artists belong to (and are drawn by) their views

    def _k(self):
        return len(self.groups[0]) if self.groups else len(self.collections[0].get_offsets())

    def update(self, state):
        """Opacity and width of every mark from ``state.weights``; returns the changed artists."""
        alphas = opacities(state.weights, self.threshold)
        widths = line_widths(state.weights, self.threshold)
        changed = []
        for group, base in zip(self.groups, self.widths):
            for artist, a, lw, w in zip(group, alphas, base, widths):
                artist.set_alpha(float(a))
                artist.set_linewidth(lw * float(w))
            changed.extend(group)
        for collection, base in zip(self.collections, self.collection_widths):
            collection.set_alpha(alphas)
            collection.set_linewidths(base * widths)
            changed.append(collection)
        self.alphas = alphas
        return changed


class FadingHeader(StepText):
    """``effective components E of k`` over ``iter t / T   lower bound B`` above the
    scene (two lines: one would shrink the font too far beside a panel); with
    ``phrases`` (:data:`gmm_steps.EM_PHRASES` for ``--half-steps``) the second line
    names the half step, as :class:`gmm_steps.StepText`."""

    def __init__(self, ax, max_iter, *, threshold=THRESHOLD, phrases=None, **kwargs):
        super().__init__(ax, max_iter, label="lower bound",
                         phrases={} if phrases is None else phrases, **kwargs)
        self.threshold = float(threshold)

    def format(self, state):
        """The header of ``state``: the iteration, its bound and its effective components."""
        count = effective_components(state.weights, self.threshold)
        return (f"effective components {count} of {len(state.weights)}\n"
                f"{super().format(state)}")


def legend_entries(color):
    """The legend's account of the fading, in ``color`` (component 0's)."""
    return [(Line2D([], [], color=color, linewidth=2, alpha=0.45),
             "fainter: smaller expected weight"),
            (Line2D([], [], color=color, linewidth=2 * THIN, alpha=OUTLINE_ALPHA),
             f"thin: weight below {THRESHOLD:.0%}, then gone")]


#: pixels above the figure for the header's second line
HEADER_LINE = 16


def finish_layout(anim, options):
    """For a variational fit: room for the header's second line, and the
    ``--ll-panel`` titled as what it plots (the lower bound)."""
    if options.bayesian is None:
        return
    anim.layout.add_headroom(HEADER_LINE)
    ax = anim.panels.get("ll")
    if ax is not None:
        ax.set_title("lower bound per point", fontsize=10)


