"""What :func:`visualize_gmm.animate` returns: one EM run and its animation, for notebooks.

A small public object: the fit's results (``model``, ``labels``, ``states``),
the ``figure``, ``save(path)``, ``to_html()`` and its notebook display. The
drawing machinery behind it is :class:`gmm_animator.Animator`
(``animator``), which the command line and the live window use directly;
:func:`build_animator` makes one from :class:`gmm_options.Options`.
"""

import dataclasses
import functools
import html

import gmm_cli
import gmm_fit
import gmm_scene1d
from gmm_animator import Animator
from gmm_core import as_rng
from gmm_fit import FitRun

__all__ = ["Animation", "build_animator", "print_restart"]


class Animation:
    """EM fitting a Gaussian mixture: the run's results and its animation.

    Nothing is fitted until a result or a frame is asked for (EM runs
    lazily); then every result is in the data's units, d-dimensional.
    In Jupyter the object displays itself as the HTML player.

    Parameters
    ----------
    animator : gmm_animator.Animator
        The animation of one :class:`gmm_fit.FitRun` (``animator.fit``).
    """

    def __init__(self, animator):
        self.animator = animator

    @property
    def model(self):
        """gmm.GaussianMixture: the last state as a fitted model in user units, so
        ``predict``, ``predict_proba`` and ``score`` work on the raw data (a
        DataFrame's column names are its ``feature_names_in_``)."""
        self.animator.run()
        return self.animator.fit.model()

    @property
    def labels(self):
        """ndarray (n,): each point's most responsible component in the last state
        (what the last frame colours and ``--save-labels`` writes)."""
        self.animator.run()
        fit = self.animator.fit
        return fit.labels(fit.record.last)

    @property
    def states(self):
        """list of gmm.GMMState: every state of the run, state 0 first (user units)."""
        self.animator.run()
        return self.animator.fit.user_states()

    @property
    def figure(self):
        """matplotlib.figure.Figure: the figure every frame is drawn on."""
        return self.animator.fig

    def save(self, path, *, progress=False):
        """Write the animation to ``path`` as ``--save path`` does (.gif, .mp4,
        .html, .png: the last frame), atomically; returns the number of frames.

        Raises
        ------
        ValueError
            Unknown extension, missing or unwritable directory, or no ffmpeg
            for .mp4 (checked before any work).
        """
        return self.animator.save(path, progress=progress)

    def to_html(self):
        """The whole animation as one self-contained HTML page (a str)."""
        return self.animator.to_html()

    def _repr_html_(self):
        """Jupyter display: the HTML player in an isolated ``<iframe srcdoc>``.

        The iframe keeps the player's element ids, style and script apart from
        the notebook page (several players per notebook work).
        """
        w, h = self.animator.size
        return (f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
                f'width="{w + 40}" height="{h + 90}" style="border: none;" '
                'title="EM fitting a Gaussian mixture"></iframe>')

    def __repr__(self):
        w, h = self.animator.size
        return (f"<gmm_animation.Animation: {w}x{h} px, up to "
                f"{self.animator.max_iter + 1} frames at {self.animator.fps:g} fps>")


def build_animator(options, X=None, *, rng=None, true_components=None, column_names=None,
                   interactive=False, on_state=None, shared_scale=False, selection=None):
    """The :class:`gmm_animator.Animator` of ``options`` on ``X`` (None: sampled with ``rng``).

    What :func:`visualize_gmm.animate` wraps in an :class:`Animation` and the
    command line saves or shows. ``print_ll`` prints each state as
    ``--print_ll`` does; a pandas DataFrame's column names label the axes;
    ``selection`` (``--select-k``'s rows, best and criterion) adds its curve.
    """
    rng = as_rng(options.random_state) if rng is None else rng
    if X is not None and options.dims is not None and len(options.dims) == 1:
        X, column_names = gmm_scene1d.column_view(X, options.dims[0], column_names)
        options = dataclasses.replace(options, dims=None)
    if X is None:
        X, sampled = gmm_fit.sample(options, rng)
        true_components = sampled if true_components is None else true_components
        shared_scale = True             # both columns in the same units
    if options.print_ll:
        printer = functools.partial(_print_state, what="log-likelihood" if options.bayesian
                                    is None else "lower bound")
        on_state = printer if on_state is None else _both(printer, on_state)
    if column_names is None and hasattr(X, "columns"):     # a pandas DataFrame keeps its names
        column_names = [str(c) for c in X.columns]
    fit = FitRun(X, options, rng=rng, true_components=true_components,
                 column_names=column_names, shared_scale=shared_scale)
    return Animator(fit, options, interactive=interactive, on_state=on_state,
                    selection=selection)


def _both(first, second):
    """A callback calling ``first(x)`` then ``second(x)``."""
    def call(x):
        first(x)
        second(x)
    return call


def _print_state(state, what):
    """``--print_ll``'s line: ``what`` is "log-likelihood", or "lower bound" for a
    variational fit (``--bayesian``)."""
    gmm_cli.print_stdout(f"iteration {state.iteration:>3}  {what} {state.log_likelihood:.6f}")


def print_restart(how):
    """The live window's restart line under ``--print_ll``."""
    gmm_cli.print_stdout(f"restart: {how}")
