#!/usr/bin/env python
"""Animate Expectation-Maximization fitting a Gaussian Mixture Model.

One frame per EM state (state 0 = the initial parameters first)::

    python visualize_gmm.py -k 5 -m 5
    python visualize_gmm.py -k 20 --load_path examples/circles.npy --print_ll -i 100 --fps 15
    python visualize_gmm.py -k 5 -m 5 --save out.gif      # or .mp4, .html, .png

The flow of a run::

    options (gmm_options.Options, from the flags or animate()'s keywords)
      -> gmm_fit.FitRun (standardise, EM states, user units, 2-D view)
      -> gmm_animator.Animator (figure and views: draw state t)
      -> a writer (gmm_writers, --save) or gmm_window.LiveWindow (keys)

This module is the face: :func:`build_parser`, :func:`main` and
:func:`animate`, plus the "analysis" flags' work before the animation
(``--init-params``, ``--select-k``, ``--n-init``, ``--save-params``).
"""

import argparse
import dataclasses
import functools
import os
import sys
import warnings

import numpy as np
from tqdm import tqdm

import data_gen
import gmm_cli
import gmm_core
import gmm_em
import gmm_fit
import gmm_load
import gmm_params
import gmm_restarts
import gmm_scene1d
import gmm_window
from gmm_atomic import all_or_none, atomic_write, target_problem
from gmm_blocks import column_min_max
from gmm_animator import Animator
from gmm_cli import ExitStatus, UsageError, check_save_path
from gmm_core import COVARIANCE_TYPES
from gmm_fit import FitRun
from gmm_plot import check_title
from gmm_options import (
    COMPARE_CHOICES, MAX_DPI, MAX_FPS, MAX_INCHES, MAX_PATIENCE, MIN_DPI, MIN_FPS, MIN_INCHES,
    Options, check_fps, size_problem,
)
from gmm_transforms import format_selection_table, select_components, standardise, view_of
from gmm_transforms import format_selection_grid, select_components_by_type
from gmm_window import KEYS, LiveWindow
from gmm_writers import extension

DEFAULT_SAVE = "gmm_vid.gif"
MAX_SAMPLED_POINTS = 100_000_000   # -N above this is refused (1.6 GB of points alone)


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #

_fps = gmm_cli.checked(check_fps)
MAX_COMPONENTS = gmm_cli.MAX_K      # -k, as --select-k: more colours than anyone can tell apart
MAX_ITERATIONS = 1_000_000          # -i: frames of one animation
MAX_N_INIT = 10_000                 # --n-init restarts per fit
MAX_SEED = 2**63 - 1                # --seed: fits a JSON/int64 number in --save-params files
MAX_COLUMN = 2**31 - 1              # --dims: a column number
#: --max_radius: covariances (radius squared) and their inverses stay normal doubles
MAX_RADIUS, MIN_RADIUS = 1e150, 1e-150
_components = gmm_cli.integer(1, MAX_COMPONENTS, "an integer >= 1")
_points = gmm_cli.integer(1, MAX_SAMPLED_POINTS, "an integer >= 1")
_iterations = gmm_cli.integer(0, MAX_ITERATIONS, "an integer >= 0")
_restarts = gmm_cli.integer(1, MAX_N_INIT, "an integer >= 1")
_seed = gmm_cli.random_seed(MAX_SEED)
_column = gmm_cli.integer(0, MAX_COLUMN, "an integer >= 0")
_nonneg = gmm_cli.number(0.0, True, None, "a number >= 0")
_patience = gmm_cli.integer(1, MAX_PATIENCE, "an integer >= 1")
_dpi = gmm_cli.integer(MIN_DPI, MAX_DPI, f"an integer >= {MIN_DPI}")
_finite = gmm_cli.number(-float("inf"), True, None, "a finite number")
_row = gmm_cli.integer(0, MAX_COLUMN, "a row number >= 0")


def _inches(text):
    """``--size`` type: a number of inches from :data:`MIN_INCHES` to :data:`MAX_INCHES`."""
    value = gmm_cli.number(MIN_INCHES, True, MAX_INCHES, "a number of inches >= 1")(text)
    if not MIN_INCHES <= value <= MAX_INCHES:       # (number() checks this already)
        raise argparse.ArgumentTypeError(
            f"expected a number of inches from {MIN_INCHES:g} to {MAX_INCHES:g}, "
            f"got {gmm_cli.echo(text)}")
    return value


def _radius(text):
    """``--max_radius`` type: a number from :data:`MIN_RADIUS` to :data:`MAX_RADIUS`."""
    value = gmm_cli.number(0.0, False, None, "a number > 0")(text)
    if not MIN_RADIUS <= value <= MAX_RADIUS:
        raise argparse.ArgumentTypeError(
            f"expected a number from {MIN_RADIUS:g} to {MAX_RADIUS:g} (the true covariances, "
            f"radius squared, must stay representable), got {gmm_cli.echo(text)}")
    return value


#: "center" (the command line's start) then gmm_core.INITS, simplest first, scikit-learn's last
INIT_CHOICES = ("center", "kmeans++", "kmeans", "random_from_data", "random")


def build_parser():
    """The command-line parser; every flag carries help text with its default."""
    p = gmm_cli.ArgumentParser(
        prog=_prog_name(),
        description="Animate EM fitting a Gaussian Mixture Model to 2-D points (1-D: "
                    "a histogram with the mixture's density), one "
                    "EM iteration per frame. Without --save a live window opens; with "
                    f"no display the animation is saved to {DEFAULT_SAVE}.",
        formatter_class=gmm_cli.HelpFormatter,
    )
    p.add_argument("-k", "--num_clusters", "--num-clusters", dest="num_clusters",
                   type=_components, default=5, metavar="K",
                   help="number of Gaussian components to fit")
    p.add_argument("-m", "--means", dest="means", type=_points, default=5, metavar="M",
                   help="number of true Gaussians the data is sampled from "
                        "(ignored with --load_path)")
    p.add_argument("-i", "--iterations", dest="iterations", type=_iterations, default=200,
                   metavar="I",
                   help="maximum number of EM iterations; frames = iterations + 1 "
                        "unless EM converges earlier (see --tol); 0 shows only the "
                        "initial state; when it runs out first the header says "
                        "'not converged'")
    p.add_argument("-N", "--num_points", "--num-points", dest="num_points", type=_points,
                   default=1000, metavar="N",
                   help="number of points to sample (ignored with --load_path)")
    p.add_argument("--max_radius", "--max-radius", dest="max_radius", type=_radius,
                   default=10.0, metavar="R",
                   help="true means are sampled within this distance of the origin")
    p.add_argument("-d", "--dim", dest="dim", type=gmm_cli.integer(1, 2, "a dimension >= 1"), default=2,
                   metavar="D",
                   help="dimension of the sampled points: 2, or 1 (a histogram with the "
                        "mixture's density and its components) (ignored with --load_path)")
    p.add_argument("--fps", type=_fps, default=10.0,
                   help=f"frames per second of the animation (from {MIN_FPS:g} to "
                        f"{MAX_FPS:g}); GIF frames last at least 20 ms, so a GIF plays "
                        "at most 50 frames per second")
    p.add_argument("--load_path", "--load-path", dest="load_path", default=None,
                   metavar="PATH",
                   help="fit points from a .npy/.csv/.txt file (n rows; one column or a "
                        "1-D .npy array is 1-D data) "
                        "instead of sampling; with more than 2 columns all are fitted "
                        "and the top two principal components are drawn (see --dims); "
                        "a pandas/R row-index first column is left out")
    p.add_argument("--print_ll", "--print-ll", dest="print_ll", action="store_true",
                   help="print 'iteration I  log-likelihood LL' (mean per point, in "
                        "the data's units) for every state to stdout")
    p.add_argument("--hide_covs", "--hide-covs", dest="hide_covs", action="store_true",
                   help="do not draw the fitted covariance ellipses")
    p.add_argument("--hide_means", "--hide-means", dest="hide_means", action="store_true",
                   help="do not draw the fitted means")
    p.add_argument("--hide_real", "--hide-real", dest="hide_real", action="store_true",
                   help="do not draw the true (gray dashed) ellipses of sampled data")
    _add_output_and_fit_arguments(p)
    _add_analysis_arguments(p)
    _add_teaching_arguments(p)
    _add_figure_arguments(p)
    package = p.add_argument_group("notebook/package")
    package.add_argument("--version", action="version", version=_version_line(),
                         help="print the version (from pyproject.toml) and exit")
    return p


def _add_output_and_fit_arguments(p):
    """--save, the fit's own flags (as scikit-learn's GaussianMixture) and -q."""
    p.add_argument("-s", "--save", "--save_path", "--save-path", dest="save", default=None,
                   metavar="PATH",
                   help="save instead of showing a window; the extension picks the "
                        "format: .gif (Pillow), .mp4 (ffmpeg from imageio-ffmpeg), "
                        ".html (self-contained player), .png (final frame)")
    p.add_argument("--tol", type=_nonneg, default=3e-5,
                   help="stop ('converged') once the mean log-likelihood has changed by "
                        "less than this in each of --patience consecutive iterations "
                        "(0 runs exactly --iterations iterations)")
    p.add_argument("--patience", type=_patience, default=5, metavar="P",
                   help="consecutive small changes (below --tol, none larger than the "
                        "one before) needed to stop: one small step is often a plateau "
                        "EM leaves again")
    p.add_argument("--seed", type=_seed, default=None,
                   help="random seed for sampling and initialisation (default: None, "
                        "different every run)")
    p.add_argument("--init", choices=INIT_CHOICES, default="center",
                   help="how EM picks its initial parameters: 'center' starts every "
                        "component as a blob half the cloud's size near its centre, so the "
                        "animation shows them fan out; 'kmeans++' (the library's default) "
                        "starts close to the answer; 'random' (random soft "
                        "responsibilities, as scikit-learn) starts at a nearly symmetric "
                        "point. --select-k and --n-init use kmeans++ for 'center'")
    p.add_argument("--covariance-type", "--covariance_type", dest="covariance_type",
                   choices=COVARIANCE_TYPES + ("all",), default="full",
                   help="covariance constraint of the fitted components; 'all' (with "
                        "--select-k) fits every k for every type and picks the best pair")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no status or note lines on stderr "
                        "(warnings and errors still print)")


def _add_analysis_arguments(p):
    """The "analysis" flags: choosing k, views of d > 2 data, parameter files."""
    g = p.add_argument_group(
        "analysis",
        "choose k by BIC/AIC, view data with more than 2 columns, keep a fitted model")
    g.add_argument("--select-k", "--select_k", dest="select_k", type=gmm_cli.parse_k_list,
                   default=None, metavar="KS",
                   help="fit every k in KS (1:10 = 1..10 inclusive, or 2,3,5), print a "
                        "table of k, log-likelihood, BIC and AIC to stdout, then animate "
                        "the best k beside its criterion curve (not with -k); a "
                        "progress bar counts the fits on a terminal (default: off)")
    g.add_argument("--criterion", choices=("bic", "aic"), default="bic",
                   help="criterion --select-k minimises")
    g.add_argument("--n-init", "--n_init", dest="n_init", type=_restarts, default=1,
                   metavar="R",
                   help="EM runs from different initialisations per fit; the run with "
                        "the highest final log-likelihood is kept and animated")
    g.add_argument("--columns", dest="columns", default=None, metavar="NAMES",
                   help="fit only these columns of --load_path, by header name or 0-based "
                        "number (a row index counts), comma-separated, e.g. income,age; "
                        "needed when the file has text, date or True/False columns "
                        "(default: every column)")
    g.add_argument("--dims", nargs="+", type=_column, default=None, metavar="I",
                   help="draw columns I and J (numbered from 0) instead of the default "
                        "view; EM still fits all columns (default: the data itself for 2 "
                        "columns, the top two principal components for more); one column "
                        "I alone: fit just that column (1-D, drawn as a histogram)")
    g.add_argument("--save-params", "--save_params", dest="save_params", default=None,
                   metavar="PATH",
                   help="after the run write the final weights, means, covariances, "
                        "log-likelihood history, options and library version to PATH "
                        "(.npz or .json) (default: off)")
    g.add_argument("--save-labels", "--save_labels", dest="save_labels", default=None,
                   metavar="PATH",
                   help="after the run write one CSV row per input point, in input order: "
                        "the file's row index (if it had one), the hard label and one "
                        "responsibility column per component, with a header (default: off)")
    g.add_argument("--init-params", "--init_params", dest="init_params", default=None,
                   metavar="PATH",
                   help="start EM from the parameters in PATH (written by --save-params "
                        "or GaussianMixture.save); -k and --covariance-type default to "
                        "the file's (default: off)")


def _add_figure_arguments(p):
    """--title, --size and --dpi: the figure for slides and print."""
    g = p.add_argument_group("figure")
    g.add_argument("--title", default=None, metavar="TEXT", type=gmm_cli.checked(check_title),
                   help="a title above the figure (and in the live window's title bar)")
    g.add_argument("--size", nargs=2, type=_inches, default=None, metavar=("W", "H"),
                   help=f"figure width and height in inches ({MIN_INCHES:g} to "
                        f"{MAX_INCHES:g}); default: sized to the data (about 6 x 6)")
    g.add_argument("--dpi", type=_dpi, default=None, metavar="N",
                   help=f"pixels per inch ({MIN_DPI} to {MAX_DPI}; default 100); "
                        "--size 19.2 10.8 --dpi 100 makes a 1920x1080 figure and fonts "
                        "grow with the figure")


def _add_teaching_arguments(p):
    """The "teaching views" flags (all off by default: the plain scene)."""
    keys = "; ".join(f"{k} = {what}" for k, what in KEYS)
    g = p.add_argument_group(
        "teaching views",
        "extra views of the same run; they combine with each other and with the --hide_* "
        f"flags, in the live window and in every saved format. Live-window keys: {keys}.")
    g.add_argument("--ll-panel", "--ll_panel", dest="ll_panel", action="store_true",
                   help="a second axes beside the scene: the mean log-likelihood per "
                        "iteration up to the current frame, current point marked "
                        "(default: off)")
    g.add_argument("--soft", action="store_true",
                   help="colour each point by the responsibility-weighted mix of the "
                        "component colours, so points between clusters look mixed "
                        "(default: off, the colour of the most responsible component)")
    g.add_argument("--compare", choices=COMPARE_CHOICES, default=None,
                   help="a second scene beside EM: k-means (Lloyd) started from the same "
                        "centres as EM's state 0, one iteration per frame, with its hard "
                        "assignment regions, centres and mean squared distance "
                        "(default: off)")
    g.add_argument("--contours", action="store_true",
                   help="line contours of the mixture's log-density, enclosing 95/75/50/25/5%% "
                        "of the points, updated every frame (default: off)")
    g.add_argument("--uncertainty", action="store_true",
                   help="size each point by its uncertainty, 1 - its largest responsibility "
                        "(mclust's uncertainty plot); above 50000 points the most uncertain "
                        "few thousand are sized markers over the image; 1-D data: a dotted "
                        "curve of the uncertainty at each x (default: off)")
    g.add_argument("--half-steps", "--half_steps", dest="half_steps", action="store_true",
                   help="two frames per iteration: the M-step (components move, points keep "
                        "the previous colours) and the E-step (points recoloured); the "
                        "arrow keys step half an iteration (default: off)")
    g.add_argument("--trails", action="store_true",
                   help="each mean leaves its path through the iterations as a fading line "
                        "in its colour; 1-D data: a panel of the means against the iteration "
                        "(default: off)")
    g.add_argument("--no-restart-check", "--no_restart_check", dest="restart_check",
                   action="store_false",
                   help="do not try other seeds after a run converges (default: on small data "
                        "a few, within 20%% of the run's time; the last frame names a seed that "
                        "reaches a clearly higher log-likelihood)")
    g.add_argument("--track", nargs="+", type=_finite, default=None, metavar="X",
                   help="pin the data point nearest X Y (the drawn axes' units; one number "
                        "for 1-D data): it is ringed, and a panel shows its responsibility for "
                        "each component every frame (live window: click a point; Esc unpins)")
    g.add_argument("--track-row", "--track_row", dest="track_row", type=_row, default=None,
                   metavar="N", help="pin row N of the data (0 = the first), as --track")
    g.add_argument("--explain", action="store_true",
                   help="a panel with the E-step and M-step formulas and, for the pinned point "
                        "(--track, --track-row, a click), this frame's numbers: each "
                        "component's pi_k N(x_i | ...), their sum, r_ik, and its likeliest "
                        "component's N_k, weight and mean (default: off)")


def _prog_name():
    """``visualize-gmm`` when run as the installed command, else ``visualize_gmm.py``."""
    name = os.path.splitext(os.path.basename(sys.argv[0] if sys.argv else ""))[0]
    return "visualize-gmm" if name == "visualize-gmm" else "visualize_gmm.py"


def _version_line():
    """``gmm-visualizer X.Y.Z``: the version pyproject.toml declares."""
    return f"gmm-visualizer {gmm_core.__version__}"


# --------------------------------------------------------------------------- #
# Core
# --------------------------------------------------------------------------- #

def animate(X=None, n_components=5, *, true_components=None, column_names=None,
            interactive=False, on_state=None, **options):
    """Set up the EM animation of a GMM fit to ``X``; returns the :class:`gmm_animator.Animator`.

    In Jupyter the returned object displays itself as the HTML player;
    ``.save(path)`` writes what ``--save path`` writes. Nothing is fitted
    until frames are requested (EM runs lazily).

    Parameters
    ----------
    X : ndarray, shape (n, d >= 1), optional
        Points in user units (one column: a 1-D fit, drawn as a histogram). None: sample ``n_points`` from ``n_true`` random
        Gaussians within ``max_radius`` (their ellipses are drawn gray dashed).
    n_components : int
        Number of components to fit (``-k``).
    true_components : tuple (means (m, d), covariances (m, d, d)), optional
        True components to draw, in user units.
    column_names : list of str, optional
        One name per column, for the axis labels (default: a pandas
        DataFrame's column names).
    interactive : bool
        Figure for a live window (pyplot; see :class:`gmm_window.LiveWindow`)
        rather than an off-screen canvas.
    on_state : callable, optional
        Called with each display state (2-D, user units) as EM produces it.
    **options
        The fields of :class:`gmm_options.Options`, which names and explains
        them: ``max_iter`` (200), ``tol`` (3e-5), ``patience`` (5), ``init``
        ("center"), ``title``, ``size``, ``dpi``, ``covariance_type``,
        ``random_state``, ``n_points``, ``n_true``, ``max_radius``,
        ``n_features`` (2, or 1 to sample 1-D data), ``fps``,
        ``show_covariances``, ``show_means``, ``show_true``, ``print_ll``,
        ``dims`` (one column ``(i,)``: fit that column alone, in 1-D), ``ll_panel``,
        ``soft``, ``compare``, ``contours``,
        ``uncertainty``, ``half_steps``, ``trails``, ``restart_check``, ``track``,
        ``track_row``, ``explain``. The old
        names ``iterations``, ``seed``, ``hide_covs``, ``hide_means`` and
        ``hide_real`` still work and warn once (FutureWarning).

    Returns
    -------
    Animation
        An :class:`gmm_animator.Animator` (play, ``.save(path)``) with the
        results: ``.model`` (a fitted :class:`gmm.GaussianMixture` in user
        units), ``.labels`` (n,) and ``.states`` (the d-dimensional
        :class:`gmm.GMMState` list in user units). Its display states are in user units (see :attr:`gmm_fit.FitRun.display_unit`
        for data beyond 1e50 or below 1e-50); ``anim.fit.record`` holds the
        d-dimensional parameters in user units.

    Raises
    ------
    ValueError
        Bad arguments (from :mod:`gmm_options`, :mod:`gmm` or :mod:`data_gen`).
    TypeError
        An unknown keyword, or an option given under both of its names.
    """
    opts = Options.from_keywords(n_components=n_components, **options)
    return _animation(opts, X, true_components=true_components, column_names=column_names,
                      interactive=interactive, on_state=on_state)


def _animation(options, X=None, *, rng=None, true_components=None, column_names=None,
               interactive=False, on_state=None, shared_scale=False, selection=None):
    """The Animator of ``options`` on ``X`` (None: sampled with ``rng``), with the
    criterion curve of a ``--select-k`` ``selection`` beside it."""
    rng = np.random.default_rng(options.random_state) if rng is None else rng
    if X is not None and options.dims is not None and len(options.dims) == 1:
        X, column_names = gmm_scene1d.column_view(X, options.dims[0], column_names)
        options = dataclasses.replace(options, dims=None)
    if X is None:
        X, sampled = gmm_fit.sample(options, rng)
        true_components = sampled if true_components is None else true_components
        shared_scale = True             # both columns in the same units
    if options.print_ll:
        on_state = _print_ll if on_state is None else _both(_print_ll, on_state)
    if column_names is None and hasattr(X, "columns"):     # a pandas DataFrame keeps its names
        column_names = [str(c) for c in X.columns]
    fit = FitRun(X, options, rng=rng, true_components=true_components,
                 column_names=column_names, shared_scale=shared_scale)
    anim = Animation(fit, options, interactive=interactive, on_state=on_state,
                     selection=selection)
    return anim


class Animation(Animator):
    """The :class:`gmm_animator.Animator` of :func:`animate`, plus the fit's results.

    ``.states``, ``.labels`` and ``.model`` finish the fit first (EM runs
    lazily) and are all in the data's units, d-dimensional.
    """

    @property
    def states(self):
        """list of gmm.GMMState: every state of the run, state 0 first (user units)."""
        self.run()
        return self.fit.user_states()

    @property
    def labels(self):
        """ndarray (n,): each point's most responsible component in the last state
        (what the last frame colours and ``--save-labels`` writes)."""
        self.run()
        return self.fit.labels(self.fit.record.last)

    @property
    def model(self):
        """gmm.GaussianMixture: the last state as a fitted model in user units, so
        ``predict``, ``predict_proba`` and ``score`` work on the raw data."""
        self.run()
        return self.fit.model()


def _both(first, second):
    """A callback calling ``first(x)`` then ``second(x)``."""
    def call(x):
        first(x)
        second(x)
    return call


def _print_ll(state):
    gmm_cli.print_stdout(f"iteration {state.iteration:>3}  log-likelihood {state.log_likelihood:.6f}")


def _print_restart(how):
    gmm_cli.print_stdout(f"restart: {how}")


def _degenerate_note(X):
    """A one-line note when EM cannot be meaningful on ``X`` (all points identical)."""
    if not isinstance(X, np.ndarray):       # a dask array: its summary answers
        summary = gmm_em.row_source(X).summary()
        low, high = summary.low, summary.high
    else:
        low, high = column_min_max(X)
    if not np.all(low == high):
        return None
    what = "the only point" if len(X) == 1 else f"all {len(X)} points are identical"
    return (f"{what}: EM has nothing to fit (every component sits on that point "
            "with the smallest allowed covariance); drawing it anyway")


#: options whose default is replaced by a --init-params file unless given explicitly
_FILE_DEFAULTS = ("num_clusters", "covariance_type")


def _parse_args(parser, argv):
    """``parser.parse_args(argv)`` plus ``args.explicit``: which of
    :data:`_FILE_DEFAULTS` the command line gives explicitly.

    One parse: those options start out as a sentinel in the namespace
    (argparse fills in a default only for attributes not already there), and
    the ones still holding it get their ordinary default afterwards.
    """
    unset = object()
    args = parser.parse_args(argv, namespace=argparse.Namespace(
        **{dest: unset for dest in _FILE_DEFAULTS}))
    args.explicit = {dest for dest in _FILE_DEFAULTS if getattr(args, dest) is not unset}
    for dest in _FILE_DEFAULTS:
        if dest not in args.explicit:
            setattr(args, dest, parser.get_default(dest))
    return args


#: parameters in user units need variances (scale squared) and their inverses
#: to be normal doubles; data whose spread is outside this range is only drawn
USER_UNIT_SCALES = (1e-150, 1e150)


def _check_representable(X, args):
    """Raise :class:`UsageError` if a flag needs user-unit parameters that ``X``'s
    scale cannot hold (data of magnitude 1e160 has variances beyond 1e308)."""
    flags = [flag for flag, given in (("--save-params", args.save_params is not None),
                                      ("--init-params", args.init_params is not None),
                                      ("--select-k", args.select_k is not None),
                                      ("--n-init", args.n_init > 1)) if given]
    if not flags:
        return
    scales = standardise(X)[2]
    low, high = USER_UNIT_SCALES
    scale = float(scales.min() if scales.min() < low else scales.max())
    if not low <= scale <= high:
        raise UsageError(
            f"{flags[0]} needs the fitted parameters in the data's units, but the data's spread "
            f"({scale:.3g}) squared is not a representable double (allowed spread: {low:g} to "
            f"{high:g}); rescale the data, or drop {flags[0]} (the animation alone works at "
            "any scale)")


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What a command line run animates, once the "analysis" flags did their work.

    ``selection`` is None or ``(rows, best_k, criterion)`` of ``--select-k``.
    """
    options: Options
    X: object
    true_components: object
    rng: np.random.Generator
    selection: object = None
    sampled: bool = False       # X was sampled: its columns share units (one scale)


def _plan(args, X, true_components, signals):
    """Validate the analysis flags and do their work before the animation.

    Loads ``--init-params`` (k and the covariance type default to the file's),
    samples the data here when a fit needs it first, runs ``--select-k`` (or
    the ``--n-init`` restarts) and prints its table. The animation then
    replays the kept run from its state 0.
    """
    rng = np.random.default_rng(args.seed)
    sampled = X is None
    d = X.shape[1] if X is not None else args.dim
    n = len(X) if X is not None else args.num_points
    if args.dims is not None:
        view_of(np.zeros((1, d)), args.dims)          # raises on a bad --dims
    if X is not None:
        _check_representable(X, args)
    k, init, covariance_type = _start(args, d, n)
    if args.select_k is not None and max(args.select_k) > n:
        raise UsageError(f"--select-k: k = {max(args.select_k)} is more than the number of "
                         f"points ({n}); use smaller k")
    options = Options.from_args(args, n_components=k, init=init, covariance_type=covariance_type)
    if not (args.select_k is not None or (args.n_init > 1 and args.init_params is None)):
        return _Plan(options, X, true_components, rng, sampled=sampled)
    if X is None:
        X, true_components = gmm_fit.sample(options, rng)
    ks = args.select_k if args.select_k is not None else [k]
    # one tick per k fitted, on a terminal only (like the save bar)
    every_type = covariance_type == "all"       # --covariance-type all: choose the type too
    fits = len(ks) * (len(COVARIANCE_TYPES) if every_type else 1)
    with tqdm(total=fits, unit="fit", desc="choosing k", file=sys.stderr, leave=False,
              disable=fits < 2 or not gmm_cli.progress_bars(args.quiet)) as bar:
        def fitted(row):
            bar.set_postfix_str(f"k={row['k']} {row['covariance_type']} done", refresh=False)
            bar.update(1)
            signals.check()         # a Ctrl-C lost in a finalizer stops here

        choose = (functools.partial(select_components_by_type, covariance_types="all")
                  if every_type else functools.partial(select_components,
                                                       covariance_type=covariance_type))
        best, rows = choose(
            X, ks, criterion=args.criterion, n_init=args.n_init,
            init="kmeans++" if init == "center" else init, max_iter=args.iterations,
            tol=args.tol, random_state=rng, callback=fitted, per_column=not sampled)
    best_k, best_type = best if every_type else (best, covariance_type)
    selection = None
    if args.select_k is not None:
        table = (format_selection_grid(rows, best, args.criterion) if every_type
                 else format_selection_table(rows, best_k, args.criterion))
        gmm_cli.print_stdout(table, flush=True)
        selection = (rows, best, args.criterion)
    init = next(r["initial_params"] for r in rows
                if r["k"] == best_k and r.get("covariance_type", best_type) == best_type)
    options = dataclasses.replace(options, n_components=best_k, init=init,
                                  covariance_type=best_type)
    return _Plan(options, X, true_components, rng, selection, sampled)


def _start(args, d, n):
    """``(k, init, covariance_type)``: the flags', or those of the ``--init-params`` file."""
    k, init, covariance_type = args.num_clusters, args.init, args.covariance_type
    if args.init_params is None:
        return k, init, covariance_type
    if args.select_k is not None:
        raise UsageError("--init-params and --select-k cannot be combined: --select-k "
                         "fits every k from its own initialisations")
    if args.n_init > 1:
        raise UsageError(f"--init-params and --n-init {args.n_init} cannot be combined: EM "
                         "starts once, from the file's parameters; drop --n-init")
    path = args.init_params
    try:
        params = gmm_params.load_params(path, n_features=d)
    except gmm_params.ParamsError as exc:
        raise UsageError(f"--init-params {exc}") from None
    file_k = len(params["weights"])
    if "num_clusters" in args.explicit and k != file_k:
        raise UsageError(f"-k {k} does not match --init-params {path}, which holds "
                         f"{file_k} components; drop -k or pass -k {file_k}")
    k = file_k
    init = (params["weights"], params["means"], params["covariances"])
    file_type = params["covariance_type"]
    if "covariance_type" not in args.explicit:
        covariance_type = file_type
    else:
        try:
            gmm_core.check_init_params(init, k, d, covariance_type)
        except ValueError as exc:
            raise UsageError(f"--init-params {path} (fitted with --covariance-type "
                             f"{file_type}) cannot start a --covariance-type "
                             f"{covariance_type} fit: {exc}") from None
    if k > n:
        raise UsageError(f"--init-params {path} holds {k} components, more than the "
                         f"number of points ({n})")
    return k, init, covariance_type


def _save_params(args, anim, options):
    """Write the final d-dimensional fit (user units) to --save-params, if given."""
    path = args.save_params
    if path is None:
        return
    anim.run()                  # a live window closed early: finish the fit
    record = anim.fit.record
    last = record.last
    saved = {key: value for key, value in vars(args).items()
             if key not in ("explicit", "notes", "column_names")
             and isinstance(value, (str, int, float, bool, list, type(None)))}
    saved.update(num_clusters=options.n_components, covariance_type=options.covariance_type)
    if args.load_path is not None:      # the data was loaded, not sampled
        for key in ("means", "num_points", "max_radius"):
            saved.pop(key, None)
        if getattr(args, "column_names", None) is not None:
            saved["column_names"] = list(args.column_names)
    gmm_params.save_params(path, last.weights, last.means, last.covariances,
                           covariance_type=options.covariance_type,
                           log_likelihood_history=record.log_likelihoods, options=saved)
    args.notes.append(f"saved the fitted parameters to {path}")


LABEL_EXTENSIONS = (".csv",)


def _check_labels_path(args):
    """Raise :class:`UsageError` unless ``--save-labels`` can take a new CSV file."""
    path = args.save_labels
    if not path:
        raise UsageError("--save-labels is empty; give the path of a .csv file")
    ext = os.path.splitext(path)[1].lower()
    if ext not in LABEL_EXTENSIONS:
        raise UsageError(f"--save-labels {gmm_cli.echo(path)}: unknown extension "
                         f"{gmm_cli.echo(ext) if ext else '(none)'}; use .csv")
    problem = target_problem(path)
    if problem is not None:
        raise UsageError(f"--save-labels {gmm_cli.echo(path)}: {problem}; choose another path")


def _save_labels(args, anim):
    """Write --save-labels, if given (atomically; inside the caller's all_or_none)."""
    path = args.save_labels
    if path is None:
        return
    anim.run()
    index = getattr(args, "row_index", None)
    if index is not None and anim.fit.edits != (0, 0):     # points added or removed
        index = None
        args.notes.append("--save-labels: the data were edited in the window; the "
                          "input's row index no longer applies and is left out")
    fit = anim.fit
    lines = gmm_params.labels_table(fit.responsibilities(fit.record.last), index)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    atomic_write(path, lambda fp: fp.write(data))
    args.notes.append(f"saved {len(lines) - 1} labels and responsibilities to {path}")


def _free_default_save():
    """:data:`DEFAULT_SAVE`, or ``gmm_vid-1.gif``, ``gmm_vid-2.gif``, ... if it exists.

    The headless fallback never replaces a file the user did not name.
    """
    stem, ext = os.path.splitext(DEFAULT_SAVE)
    name, i = DEFAULT_SAVE, 0
    while os.path.lexists(name):
        i += 1
        name = f"{stem}-{i}{ext}"
    return name


def _run(args, signals):
    """Check every input, then animate into the window or a file; returns ExitStatus.OK."""
    save, notes = args.save, args.notes     # notes: printed once the run cannot fail
    if save is not None:
        check_save_path(save)
    if args.covariance_type == "all" and args.select_k is None:
        raise UsageError("--covariance-type all compares the covariance types by "
                         f"{args.criterion.upper()} and needs --select-k (e.g. --select-k 1:9); "
                         "without it give one of " + ", ".join(COVARIANCE_TYPES))
    if args.select_k is not None and "num_clusters" in args.explicit:
        raise UsageError(f"--select-k and -k cannot be combined: --select-k chooses k from "
                         f"{args.select_k[0]}..{args.select_k[-1]}; drop -k")
    if args.columns is not None and args.load_path is None:
        raise UsageError("--columns chooses columns of a data file; give it with --load_path")
    problem = size_problem(args.size, args.dpi)
    if problem:
        raise UsageError(f"--size {problem}")
    if args.save_params is not None:
        gmm_cli.check_params_path(args.save_params)
    if args.save_labels is not None:
        _check_labels_path(args)
    gmm_cli.check_distinct_files(
        [("--save", save), ("--save-params", args.save_params),
         ("--save-labels", args.save_labels)],
        [("--load_path", args.load_path), ("--init-params", args.init_params)])
    X, names = _load(args) if args.load_path is not None else (None, None)
    X, names = gmm_scene1d.command_line_data(args, X, names)    # --dims I, 1-D checks
    n = len(X) if X is not None else args.num_points
    if args.num_clusters > n and args.select_k is None and args.init_params is None:
        raise UsageError(f"-k {args.num_clusters} is more than the number of points ({n}); "
                         "use fewer components or more points")
    live = save is None and gmm_window.available()
    if save is None and not live:
        save = _free_default_save()
        check_save_path(save)
    plan = _plan(args, X, None, signals)     # may sample X; fits --select-k
    anim = _animation(plan.options, plan.X, rng=plan.rng, true_components=plan.true_components,
                      column_names=names, interactive=live, shared_scale=plan.sampled,
                      selection=plan.selection)
    if live:
        _print_notes(args)
        source = (os.path.basename(args.load_path) if args.load_path else
                  f"{args.num_points} points from {args.means} random Gaussians")
        LiveWindow(anim, signals=signals, quiet=args.quiet,
                   title=gmm_window.window_title(plan.options, source),
                   on_restart=_print_restart if plan.options.print_ll else None).show()
        with all_or_none():
            _save_params(args, anim, plan.options)
            _save_labels(args, anim)
        _print_notes(args)
        return ExitStatus.OK
    with all_or_none():             # the animation and --save-params: both or neither
        n_frames = anim.save(save, progress=gmm_cli.progress_bars(args.quiet), signals=signals)
        if args.save is None:
            taken = "" if save == DEFAULT_SAVE else f" ({DEFAULT_SAVE} exists and was kept)"
            notes.append(f"no display available: saved the animation to {save}{taken}")
        elif extension(save) == ".png":     # only the last frame is written
            notes.append(f"saved the final frame (iteration {anim.history[-1].iteration}) "
                         f"to {save}")
        else:
            notes.append(f"saved {n_frames} frame{'' if n_frames == 1 else 's'} to {save}")
        notes.extend(gmm_restarts.status_lines(anim.views))    # a clearly higher maximum
        _save_params(args, anim, plan.options)
        _save_labels(args, anim)
        gmm_cli.flush_stdout()      # --print_ll > /dev/full fails the run: no file kept
    _print_notes(args)
    return ExitStatus.OK


def _load(args):
    """``(X, column names)`` from --load_path; a pandas/R index column becomes a note."""
    if not args.load_path:
        raise UsageError("--load_path is empty; give the path of a .npy, .csv, .tsv "
                         "or .txt file with one point per row")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", data_gen.IndexColumnWarning)
        table = gmm_load.load_table(args.load_path, columns=args.columns,
                                    mmap=gmm_load.worth_mapping(args.load_path))
    X, names = table.X, table.names
    args.column_names = names           # recorded by --save-params
    args.row_index = table.index        # written beside --save-labels
    for note in caught:
        if issubclass(note.category, data_gen.IndexColumnWarning):  # a pandas/R index
            args.notes.append(f"note: {note.message}")
        else:
            warnings.warn_explicit(note.message, note.category, note.filename, note.lineno)
    note = _degenerate_note(X)
    if note:
        args.notes.append(f"warning: {note}")
    return X, names


def _print_notes(args):
    """Print the status, note and warning lines gathered so far (-q: warnings only).

    Held back until the run can no longer fail, so an error is always the
    only line on stderr.
    """
    lines, args.notes[:] = list(args.notes), []
    for line in lines:
        if not args.quiet or line.startswith("warning:"):
            gmm_cli.write_stderr(line)


def main(argv=None):
    """Run the command line; returns the exit status (a :class:`gmm_cli.ExitStatus`).

    OK (0) on success; USAGE (2) with one ``error: ...`` line on stderr for
    bad input or a failed write (never a traceback, never a partial file, and
    no other line: status lines, notes and warnings are printed only after
    success; ``-q`` leaves out all but warnings); INTERRUPTED (130) after
    Ctrl-C, TERMINATED (143) after SIGTERM, HUNG_UP (129) after SIGHUP (all
    remove the temporary file and keep an existing one); ERROR (1) with one
    ``error: internal error ...`` line for a bug.
    """
    parser = build_parser()
    try:
        args = _parse_args(parser, argv)
    except UsageError as exc:
        status, line = gmm_cli.exit_status(exc)
        gmm_cli.write_stderr(line)
        return status
    except SystemExit as exc:        # --help, --version
        return gmm_cli.flushed(int(exc.code or 0))
    args.notes = []
    try:
        with warnings.catch_warnings(record=True) as caught, \
                gmm_cli.held_log_records() as logged, gmm_cli.SignalPolicy() as signals:
            status = _run(args, signals)
        for line in gmm_cli.warning_lines(caught):     # the run succeeded: now show them
            gmm_cli.write_stderr(line)
        for record in logged:                   # e.g. matplotlib's first-run font cache note
            gmm_cli.write_stderr(gmm_cli.one_line(record.getMessage()))
        return status
    except (Exception, KeyboardInterrupt, gmm_cli.Terminated) as exc:
        if isinstance(exc, (KeyboardInterrupt, gmm_cli.Terminated)):
            gmm_cli.flush_stdout(check=False)
        status, line = gmm_cli.exit_status(exc)
        gmm_cli.write_stderr(line)
        return status


if __name__ == "__main__":
    sys.exit(main())
