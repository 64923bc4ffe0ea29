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
import os
import secrets
import sys
import warnings

import gmm_cli
import gmm_core
import gmm_params
import gmm_table
import gmm_variational
from gmm_atomic import all_or_none, free_name
from gmm_blocks import parallel_jobs
from gmm_cli import ExitStatus, UsageError
from gmm_core import COVARIANCE_TYPES
from gmm_options import (
    COMPARE_CHOICES, COUNTS, FLAGS, INIT_CHOICES, KEYS, MAX_DPI, MAX_FPS, MAX_INCHES,
    MAX_RADIUS, MAX_SEED, MIN_DPI, MIN_FPS, MIN_INCHES, MIN_RADIUS, PAIRS_UP_TO, VIEWS,
    CommandLine, Options, check_fps, size_problem,
)
from gmm_writers import check_save_path, extension

# Only what builds and checks the command line is imported above: the modules that
# fit and draw (scipy, matplotlib, the scenes) are imported inside the functions that
# run a fit, so --help, --version and a refused flag start in a fraction of the time.

DEFAULT_SAVE = "gmm_vid.gif"
DRAWN_SEEDS = 1_000_000             # without --seed: a seed below this, short to retype


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #

_fps = gmm_cli.checked(check_fps)
MAX_N_INIT = 10_000                 # --n-init restarts per fit
MAX_COLUMN = 2**31 - 1              # --dims: a column number
MAX_JOBS = 4096                     # --jobs: threads of a pass
_restarts = gmm_cli.integer(1, MAX_N_INIT, "an integer >= 1")
_seed = gmm_cli.random_seed(MAX_SEED)
_column = gmm_cli.integer(0, MAX_COLUMN, "an integer >= 0")
_nonneg = gmm_cli.number(0.0, True, None, "a number >= 0")
_threads = gmm_cli.integer(1, MAX_JOBS, "a thread count >= 1 (or -1 for every core)")


def _jobs(text):
    """--jobs: a thread count, or -1 for every core."""
    return -1 if text.strip() == "-1" else _threads(text)


_dpi = gmm_cli.integer(MIN_DPI, MAX_DPI, f"an integer >= {MIN_DPI}")
_finite = gmm_cli.number(-float("inf"), True, None, "a finite number")
_row = gmm_cli.integer(0, MAX_COLUMN, "a row number >= 0")


def _count(option):
    """argparse type of a whole-number option: the bounds of :data:`gmm_options.COUNTS`."""
    low, high = COUNTS[option]
    return gmm_cli.integer(low, high, f"an integer >= {low}")


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
    p.add_argument(*FLAGS["n_components"], dest="n_components", type=_count("n_components"),
                   default=5, metavar="K",
                   help="number of Gaussian components to fit")
    p.add_argument(*FLAGS["n_true"], dest="n_true", type=_count("n_true"), default=5, metavar="M",
                   help="number of true Gaussians the data is sampled from "
                        "(ignored with --load_path)")
    p.add_argument(*FLAGS["max_iter"], dest="max_iter", type=_count("max_iter"), default=200,
                   metavar="I",
                   help="maximum number of EM iterations; frames = iterations + 1 "
                        "unless EM converges earlier (see --tol); 0 shows only the "
                        "initial state; when it runs out first the header says "
                        "'not converged'")
    p.add_argument(*FLAGS["n_points"], dest="n_points", type=_count("n_points"),
                   default=1000, metavar="N",
                   help="number of points to sample (ignored with --load_path)")
    p.add_argument(*FLAGS["max_radius"], dest="max_radius", type=_radius,
                   default=10.0, metavar="R",
                   help="true means are sampled within this distance of the origin")
    p.add_argument(*FLAGS["n_features"], dest="n_features", type=gmm_cli.integer(1, 2, "a dimension >= 1"), default=2,
                   metavar="D",
                   help="dimension of the sampled points: 2, or 1 (a histogram with the "
                        "mixture's density and its components) (ignored with --load_path)")
    p.add_argument(*FLAGS["fps"], dest="fps", type=_fps, default=10.0,
                   help=f"frames per second of the animation (from {MIN_FPS:g} to "
                        f"{MAX_FPS:g}); GIF frames last at least 20 ms, so a GIF plays "
                        "at most 50 frames per second")
    p.add_argument("--load_path", "--load-path", dest="load_path", default=None,
                   metavar="PATH",
                   help="fit points from a .npy/.csv/.txt file (n rows; one column or a "
                        "1-D .npy array is 1-D data) "
                        "instead of sampling; with more than 2 columns all are fitted "
                        "and drawn as --view says; "
                        "a pandas/R row-index first column is left out")
    p.add_argument(*FLAGS["print_ll"], dest="print_ll", action="store_true",
                   help="print 'iteration I  log-likelihood LL' (mean per point, in "
                        "the data's units) for every state to stdout")
    p.add_argument(*FLAGS["show_covariances"], dest="show_covariances", action="store_false",
                   help="do not draw the fitted covariance ellipses")
    p.add_argument(*FLAGS["show_means"], dest="show_means", action="store_false",
                   help="do not draw the fitted means")
    p.add_argument(*FLAGS["show_true"], dest="show_true", action="store_false",
                   help="do not draw the true (gray dashed) ellipses of sampled data")
    _add_output_and_fit_arguments(p)
    _add_analysis_arguments(p)
    gmm_variational.add_arguments(p)
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
    p.add_argument(*FLAGS["tol"], dest="tol", type=_nonneg, default=3e-5,
                   help="stop ('converged') once the mean log-likelihood has changed by "
                        "less than this in each of --patience consecutive iterations "
                        "(0 runs exactly --iterations iterations)")
    p.add_argument(*FLAGS["patience"], dest="patience", type=_count("patience"), default=5, metavar="P",
                   help="consecutive small changes (below --tol, none larger than the "
                        "one before) needed to stop: one small step is often a plateau "
                        "EM leaves again")
    p.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="threads for the EM passes (default: every core; -1: every core); "
                        "the numbers do not depend on it")
    p.add_argument(*FLAGS["random_state"], dest="random_state", type=_seed, default=None,
                   metavar="SEED",
                   help="random seed for sampling and initialisation (default: one drawn "
                        "for the run, printed as 'seed S: rerun with --seed S' and written "
                        "by --save-params)")
    p.add_argument(*FLAGS["init_seed"], dest="init_seed", type=_seed, default=None,
                   metavar="S",
                   help="seed of EM's start alone: the same points (from --seed or the "
                        "file), another start, e.g. the one a 'converged to a local "
                        "maximum' line names (default: EM's start follows --seed)")
    p.add_argument(*FLAGS["init"], dest="init", choices=INIT_CHOICES, default="center",
                   help="how EM picks its initial parameters: 'center' starts every "
                        "component as a blob half the cloud's size near its centre, so the "
                        "animation shows them fan out; 'kmeans++' (the library's default) "
                        "starts close to the answer; 'random' (random soft "
                        "responsibilities, as scikit-learn) starts at a nearly symmetric "
                        "point. --select-k and --n-init use kmeans++ for 'center'")
    p.add_argument(*FLAGS["covariance_type"], dest="covariance_type",
                   choices=COVARIANCE_TYPES + ("all",), default="full",
                   help="covariance constraint of the fitted components; 'all' (with "
                        "--select-k) fits every k for every type and picks the best pair")
    p.add_argument(*FLAGS["quiet"], dest="quiet", action="store_true",
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
                        "number (a row index is not counted), comma-separated, e.g. income,age; "
                        "needed when the file has text, date or True/False columns "
                        "(default: every column)")
    g.add_argument("--drop-missing", "--drop_missing", dest="drop_missing", action="store_true",
                   help="leave out the rows of a --load_path text table (.csv, .tsv, .txt) "
                        "with an empty or NA cell (NA, NaN, N/A, null, ...) in the fitted "
                        "columns, with a note counting them (default: such a row is an error)")
    g.add_argument(*FLAGS["dims"], dest="dims", nargs="+", type=_column, default=None, metavar="I",
                   help="draw columns I and J (numbered from 0) instead of the default "
                        "view; EM still fits all columns (default: the data itself for 2 "
                        "columns, as --view says for more); one column "
                        "I alone: fit just that column (1-D, drawn as a histogram)")
    g.add_argument(*FLAGS["view"], dest="view", choices=VIEWS, default=None,
                   help="how data with 3 or more columns is drawn: pairs (a scatter matrix: "
                        "every pair of columns, each column's histogram), pca (the top two "
                        "principal components of the standardised columns, each column's "
                        "loading an arrow) or dims (two columns, --dims I J, default 0 1); "
                        f"default: pairs up to {PAIRS_UP_TO} columns, pca above")
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
    g.add_argument(*FLAGS["title"], dest="title", default=None, metavar="TEXT",
                   type=gmm_cli.checked(_checked_title),
                   help="a title above the figure (and in the live window's title bar)")
    g.add_argument(*FLAGS["size"], dest="size", nargs=2, type=_inches, default=None, metavar=("W", "H"),
                   help=f"figure width and height in inches ({MIN_INCHES:g} to "
                        f"{MAX_INCHES:g}); default: sized to the data (about 6 x 6)")
    g.add_argument(*FLAGS["dpi"], dest="dpi", type=_dpi, default=None, metavar="N",
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
    g.add_argument(*FLAGS["ll_panel"], dest="ll_panel", action="store_true",
                   help="a second axes beside the scene: the mean log-likelihood per "
                        "iteration up to the current frame, current point marked "
                        "(default: off)")
    g.add_argument(*FLAGS["soft"], dest="soft", action="store_true",
                   help="colour each point by the responsibility-weighted mix of the "
                        "component colours, so points between clusters look mixed "
                        "(default: off, the colour of the most responsible component)")
    g.add_argument(*FLAGS["compare"], dest="compare", choices=COMPARE_CHOICES, default=None,
                   help="a second scene beside EM: k-means (Lloyd) started from the same "
                        "centres as EM's state 0, one iteration per frame, with its hard "
                        "assignment regions, centres and mean squared distance "
                        "(default: off)")
    g.add_argument(*FLAGS["contours"], dest="contours", action="store_true",
                   help="line contours of the mixture's log-density, enclosing 95/75/50/25/5%% "
                        "of the points, updated every frame (default: off)")
    g.add_argument(*FLAGS["uncertainty"], dest="uncertainty", action="store_true",
                   help="size each point by its uncertainty, 1 - its largest responsibility "
                        "(mclust's uncertainty plot); above 50000 points the most uncertain "
                        "few thousand are sized markers over the image; 1-D data: a dotted "
                        "curve of the uncertainty at each x (default: off)")
    g.add_argument(*FLAGS["half_steps"], dest="half_steps", action="store_true",
                   help="two frames per iteration: the M-step (components move, points keep "
                        "the previous colours) and the E-step (points recoloured); the "
                        "arrow keys step half an iteration (default: off)")
    g.add_argument(*FLAGS["trails"], dest="trails", action="store_true",
                   help="each mean leaves its path through the iterations as a fading line "
                        "in its colour; 1-D data: a panel of the means against the iteration "
                        "(default: off)")
    g.add_argument(*FLAGS["restart_check"], dest="restart_check",
                   action="store_false",
                   help="do not try other seeds after a run converges (default: on small data "
                        "a few, within 20%% of the run's time; the last frame names a seed that "
                        "reaches a clearly higher log-likelihood)")
    g.add_argument(*FLAGS["track"], dest="track", nargs="+", type=_finite, default=None, metavar="X",
                   help="pin the data point nearest X Y (the drawn axes' units; one number "
                        "for 1-D data): it is ringed, and a panel shows its responsibility for "
                        "each component every frame (live window: click a point; Esc unpins)")
    g.add_argument(*FLAGS["track_row"], dest="track_row", type=_row, default=None,
                   metavar="N", help="pin row N of the data (0 = the first), as --track")
    g.add_argument(*FLAGS["explain"], dest="explain", action="store_true",
                   help="a panel with the E-step and M-step formulas and, for the pinned point "
                        "(--track, --track-row, a click), this frame's numbers: each "
                        "component's pi_k N(x_i | ...), their sum, r_ik, and its likeliest "
                        "component's N_k, weight and mean (default: off)")


def _checked_title(title):
    """``--title``'s check (:func:`gmm_plot.check_title`: matplotlib parses mathtext)."""
    import gmm_plot  # matplotlib: imported only once a title is given (cheap --help)
    return gmm_plot.check_title(title)


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
            interactive=False, on_state=None, drop_missing=False, **options):
    """Set up the EM animation of a GMM fit to ``X``; returns a :class:`gmm_animation.Animation`.

    In Jupyter the returned object displays itself as the HTML player;
    ``.save(path)`` writes what ``--save path`` writes. Nothing is fitted
    until frames or results are requested (EM runs lazily).

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
    drop_missing : bool
        Leave out the rows of ``X`` with a NaN (or a DataFrame's missing
        value) rather than refuse them; ``.labels`` then has one label per
        row kept (a DataFrame's kept rows: ``df.dropna()``).
    **options
        The fields of :class:`gmm_options.Options`, which names and explains
        them: ``max_iter`` (200), ``tol`` (3e-5), ``patience`` (5), ``init``
        ("center"), ``title``, ``size``, ``dpi``, ``covariance_type``,
        ``random_state``, ``init_seed``, ``n_points``, ``n_true``, ``max_radius``,
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
    gmm_animation.Animation
        ``.model`` (a fitted :class:`gmm.GaussianMixture` in user units),
        ``.labels`` (n,), ``.states`` (the d-dimensional :class:`gmm.GMMState`
        list in user units), ``.figure``, ``.save(path)``, ``.to_html()``.

    Raises
    ------
    ValueError
        Bad arguments: the options are checked as the command line checks
        its flags (:class:`gmm_options.Options`), the data by :mod:`gmm_fit`.
    TypeError
        An unknown keyword, or an option given under both of its names.
    """
    import gmm_animation  # the fit and the drawing: see the note below the imports
    opts = Options.from_keywords(n_components=n_components, **options)
    X = gmm_table.without_missing(X) if drop_missing and X is not None else X
    if opts.title is not None:
        _checked_title(opts.title)      # the --title check: before any work, one message
    return gmm_animation.Animation(gmm_animation.build_animator(
        opts, X, true_components=true_components, column_names=column_names,
        interactive=interactive, on_state=on_state))



#: options whose default is replaced by a --init-params file unless given explicitly
_FILE_DEFAULTS = ("n_components", "covariance_type")


def parse_command_line(argv=None, parser=None):
    """The :class:`gmm_options.CommandLine` of ``argv`` (default: ``sys.argv[1:]``).

    One parse: the options of :data:`_FILE_DEFAULTS` start out as a sentinel
    in the namespace (argparse fills in a default only for attributes not
    already there), so the ones given explicitly are known.

    Raises
    ------
    gmm_cli.UsageError
        A bad flag or value, or a ``--size`` that is too many or too few pixels.
    SystemExit
        ``--help``, ``--version``.
    """
    parser = build_parser() if parser is None else parser
    unset = object()
    flags = vars(parser.parse_args(argv, namespace=argparse.Namespace(
        **{dest: unset for dest in _FILE_DEFAULTS})))
    explicit = {dest for dest in _FILE_DEFAULTS if flags[dest] is not unset}
    flags.update({dest: parser.get_default(dest) for dest in _FILE_DEFAULTS
                  if dest not in explicit})
    problem = size_problem(flags["size"], flags["dpi"])
    if problem:
        raise UsageError(f"--size {problem}")
    try:
        return CommandLine.from_flags(flags, explicit)
    except ValueError as exc:       # flags each fine alone, refused together
        raise UsageError(str(exc)) from None


def _run(cl, signals):
    """Check every input, then animate into the window or a file; returns ExitStatus.OK."""
    import gmm_animation  # the fit and the drawing: see the note below the imports
    import gmm_load
    import gmm_plan
    import gmm_restarts
    import gmm_scene1d
    save, notes = cl.save, []       # notes: printed once the run cannot fail
    _check_flags_and_outputs(cl)
    table = _load(cl, notes) if cl.load_path is not None else gmm_load.Table(None, None)
    X, names, options = gmm_scene1d.command_line_data(cl.options, table.X, table.names)
    options = _with_seed(options, notes)
    n = len(X) if X is not None else options.n_points
    if options.n_components > n and cl.select_k is None and cl.init_params is None:
        raise UsageError(f"-k {options.n_components} is more than the number of points ({n}); "
                         "use fewer components or more points")
    live = False
    if save is None:
        import gmm_window   # pyplot and its GUI backend: only for a run that may show one
        live = gmm_window.available()
    if save is None and not live:
        save = free_name(DEFAULT_SAVE)     # never replaces a file the user did not name
        check_save_path(save)
    plan = gmm_plan.make_plan(cl, options, X, signals)     # may sample X; fits --select-k
    notes.extend(plan.notes)
    anim = gmm_animation.build_animator(
        plan.options, plan.X, rng=plan.rng, true_components=plan.true_components,
        column_names=names, interactive=live, shared_scale=plan.sampled,
        selection=plan.selection)
    if live:
        _print_notes(notes, options.quiet)
        source = (os.path.basename(cl.load_path) if cl.load_path else
                  f"{options.n_points} points from {options.n_true} random Gaussians")
        gmm_window.LiveWindow(
            anim, signals=signals, quiet=options.quiet,
            title=gmm_window.window_title(plan.options, source),
            on_restart=gmm_animation.print_restart if plan.options.print_ll else None).show()
        with all_or_none():
            _save_results(cl, anim, plan.options, names, table, notes)
        _print_comparison(plan, anim)
        _print_notes(notes, options.quiet)
        return ExitStatus.OK
    with all_or_none():             # the animation and --save-params: both or neither
        n_frames = anim.save(save, progress=gmm_cli.progress_bars(options.quiet), signals=signals)
        if cl.save is None:
            taken = "" if save == DEFAULT_SAVE else f" ({DEFAULT_SAVE} exists and was kept)"
            notes.append(f"no display available: saved the animation to {save}{taken}")
        elif extension(save) == ".png":     # only the last frame is written
            notes.append(f"saved the final frame (iteration {anim.history[-1].iteration}) "
                         f"to {save}")
        else:
            notes.append(f"saved {n_frames} frame{'' if n_frames == 1 else 's'} to {save}")
        notes.extend(gmm_restarts.status_lines(anim.views))    # a clearly higher maximum
        _save_results(cl, anim, plan.options, names, table, notes)
    _print_comparison(plan, anim)
    gmm_cli.flush_stdout()          # --print_ll > /dev/full fails the run: no file kept
    _print_notes(notes, options.quiet)
    return ExitStatus.OK


def _check_flags_and_outputs(cl):
    """Before any work: flags refused together, and every output path (writable, not
    an input, not another output); UsageError otherwise."""
    if cl.save is not None:
        check_save_path(cl.save)
    problem = cl.conflict()
    if problem:
        raise UsageError(problem)
    if cl.save_params is not None:
        try:
            gmm_params.check_params_path(cl.save_params)
        except gmm_params.ParamsError as exc:
            raise UsageError(f"--save-params {exc}") from None
    if cl.save_labels is not None:
        gmm_params.check_labels_path(cl.save_labels)
    gmm_cli.check_distinct_files(
        [("--save", cl.save), ("--save-params", cl.save_params),
         ("--save-labels", cl.save_labels)],
        [("--load_path", cl.load_path), ("--init-params", cl.init_params)])


def _with_seed(options, notes):
    """``options`` with a seed: without ``--seed`` one is drawn, used and said (a
    status line), so any run can be repeated."""
    if options.random_state is not None:
        return options
    seed = secrets.randbelow(DRAWN_SEEDS)
    notes.append(f"seed {seed}: rerun with --seed {seed}")
    return dataclasses.replace(options, random_state=seed)


def _print_comparison(plan, anim):
    """``--select-k KS --bayesian``: the criterion's k beside the variational fit's
    effective components, one line on stdout after the table."""
    if plan.selection is not None and plan.options.bayesian is not None:
        anim.run()
        gmm_cli.print_stdout(gmm_variational.comparison_line(plan.selection,
                                                             anim.fit.record.last.weights),
                             flush=True)


def _save_results(cl, anim, options, names, table, notes):
    """Write --save-params and --save-labels, if given (inside the caller's all_or_none)."""
    if cl.save_params is None and cl.save_labels is None:
        return
    anim.run()                  # a live window closed early: finish the fit
    if cl.save_params is not None:
        notes.append(gmm_params.save_run_params(cl, anim.fit.record, options, names))
    if cl.save_labels is not None:
        notes.extend(gmm_params.save_labels(cl.save_labels, anim.fit, table.index, table.kept))


def _load(cl, notes):
    """The :class:`gmm_load.Table` of --load_path; a pandas/R index column becomes a note."""
    import gmm_fit  # the fit's module: see the note below the imports
    import gmm_load
    if not cl.load_path:
        raise UsageError("--load_path is empty; give the path of a .npy, .csv, .tsv "
                         "or .txt file with one point per row")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", gmm_load.IndexColumnWarning)
        table = gmm_load.load_table(cl.load_path, columns=cl.columns, drop_missing=cl.drop_missing,
                                    mmap=gmm_load.worth_mapping(cl.load_path))
    for note in caught:
        if issubclass(note.category, gmm_load.IndexColumnWarning):  # a pandas/R index
            notes.append(f"note: {note.message}")
        else:
            warnings.warn_explicit(note.message, note.category, note.filename, note.lineno)
    notes.extend(f"note: {line}" for line in table.notes)       # --drop-missing
    note = gmm_fit.degenerate_note(table.X)
    if note:
        notes.append(f"warning: {note}")
    return table


def _print_notes(notes, quiet):
    """Print the status, note and warning lines gathered so far (-q: warnings only).

    Held back until the run can no longer fail, so an error is always the
    only line on stderr.
    """
    lines, notes[:] = list(notes), []
    for line in lines:
        if not quiet or line.startswith("warning:"):
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
    try:
        cl = parse_command_line(argv)
    except (UsageError, gmm_cli.StdoutError) as exc:
        status, line = gmm_cli.exit_status(exc)
        gmm_cli.write_stderr(line)
        return status
    except SystemExit as exc:        # --help, --version
        return gmm_cli.flushed(int(exc.code or 0))
    try:
        with warnings.catch_warnings(record=True) as caught, \
                gmm_cli.held_log_records() as logged, gmm_cli.SignalPolicy() as signals, \
                parallel_jobs(cl.jobs):
            status = _run(cl, signals)
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
