#!/usr/bin/env python
"""Animate Expectation-Maximization fitting a Gaussian Mixture Model.

One frame per EM state (state 0 = the initial parameters first)::

    python visualize_gmm.py -k 5 -m 5
    python visualize_gmm.py -k 20 --load_path examples/circles.npy --print_ll -i 100 --fps 15
    python visualize_gmm.py -k 5 -m 5 --save out.gif      # or .mp4, .html, .png

Pipeline::

    X (user units) -> standardise -> gmm.em_steps -> GMMState (fit units)
      -> to_user_units -> project (d > 2: PCA or --dims) -> Animator -> views
      -> writer / window

A *state transform* is a plain function ``GMMState -> GMMState`` (they and
the analysis helpers live in :mod:`gmm_transforms`). The :class:`Animator`
(in :mod:`gmm_animator`) owns the figure, the views (see :mod:`gmm_plot`), the state
history and the frame loop, and feeds either a writer or the live window.
Teaching views (``--ll-panel``, ``--soft``, ``--compare kmeans``,
``--contours``) are more views, some on extra axes beside the scene
(:meth:`Animator.add_side_axes`); the live window's keys (:attr:`Animator.KEYS`)
pause, step through the kept states, restart, save a frame and quit.
"""

import argparse
import dataclasses
import math
import os
import sys
import warnings

import numpy as np

import gmm_animator
import gmm_cli
import gmm_transforms
from atomic_file import all_or_none
from gmm_animator import IMAGE_THRESHOLD, Animator
from gmm_cli import UsageError, check_save_path
from gmm_core import COVARIANCE_TYPES
from gmm_transforms import (
    FitRecord, display_unit, format_selection_table, params_to_fit_units, params_to_user_units,
    project, select_components, standardise, to_user_units, view_of,
)
from gmm_writers import extension

DEFAULT_SAVE = "gmm_vid.gif"
MAX_SAMPLED_POINTS = 100_000_000   # -N above this is refused (1.6 GB of points alone)


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #

MAX_FPS = 1000.0     # ffmpeg refuses absurd frame rates; a GIF frame lasts >= 20 ms anyway
MIN_FPS = 0.01       # one frame per 100 s; ffmpeg's MP4 muxer fails far below (1e-5)


def check_fps(value):
    """``value`` as frames per second: a finite number from :data:`MIN_FPS` to :data:`MAX_FPS`.

    The one check behind ``--fps`` and ``animate(fps=...)``, so both say the same.

    Raises
    ------
    ValueError
        ``expected a number >= 0.01 and at most 1000, got ...``.
    """
    try:
        if isinstance(value, str) and not gmm_cli.is_decimal_text(value):
            raise ValueError
        fps = float(value)
    except (TypeError, ValueError, OverflowError):
        fps = math.nan
    if isinstance(value, bool) or not (math.isfinite(fps) and MIN_FPS <= fps <= MAX_FPS):
        shown = gmm_cli.echo(value) if isinstance(value, str) else repr(value)
        raise ValueError(f"expected a number >= {MIN_FPS:g} and at most {MAX_FPS:g}, "
                         f"got {shown}")
    return fps


_fps = gmm_cli.checked(check_fps, "fps")
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
_seed = gmm_cli.integer(0, MAX_SEED, "an integer >= 0")
_column = gmm_cli.integer(0, MAX_COLUMN, "an integer >= 0")
_nonneg = gmm_cli.number(0.0, True, None, "a number >= 0")


def _radius(text):
    """``--max_radius`` type: a number from :data:`MIN_RADIUS` to :data:`MAX_RADIUS`."""
    value = gmm_cli.number(0.0, False, None, "a number > 0")(text)
    if not MIN_RADIUS <= value <= MAX_RADIUS:
        raise argparse.ArgumentTypeError(
            f"expected a number from {MIN_RADIUS:g} to {MAX_RADIUS:g} (the true covariances, "
            f"radius squared, must stay representable), got {gmm_cli.echo(text)}")
    return value


_radius.__name__ = "radius"

#: gmm_core.INITS in the order --help lists them (simplest first, scikit-learn's last)
INIT_CHOICES = ("kmeans++", "kmeans", "random_from_data", "random")


def build_parser():
    """The command-line parser; every flag carries help text with its default."""
    p = gmm_cli.ArgumentParser(
        prog=_prog_name(),
        description="Animate EM fitting a Gaussian Mixture Model to 2-D points, one "
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
    p.add_argument("-i", "--iterations", dest="iterations", type=_iterations, default=50,
                   metavar="I",
                   help="maximum number of EM iterations; frames = iterations + 1 "
                        "unless EM converges earlier (see --tol); 0 shows only the "
                        "initial state")
    p.add_argument("-N", "--num_points", "--num-points", dest="num_points", type=_points,
                   default=1000, metavar="N",
                   help="number of points to sample (ignored with --load_path)")
    p.add_argument("--max_radius", "--max-radius", dest="max_radius", type=_radius,
                   default=10.0, metavar="R",
                   help="true means are sampled within this distance of the origin")
    p.add_argument("--fps", type=_fps, default=10.0,
                   help=f"frames per second of the animation (from {MIN_FPS:g} to "
                        f"{MAX_FPS:g}); GIF frames last at least 20 ms, so a GIF plays "
                        "at most 50 frames per second")
    p.add_argument("--load_path", "--load-path", dest="load_path", default=None,
                   metavar="PATH",
                   help="fit points from a .npy/.csv/.txt file (n rows, >= 2 columns) "
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
    p.add_argument("-s", "--save", "--save_path", "--save-path", dest="save", default=None,
                   metavar="PATH",
                   help="save instead of showing a window; the extension picks the "
                        "format: .gif (Pillow), .mp4 (ffmpeg from imageio-ffmpeg), "
                        ".html (self-contained player), .png (final frame)")
    p.add_argument("--tol", type=_nonneg, default=1e-3,
                   help="stop when the mean log-likelihood changes by less than this "
                        "(0 runs exactly --iterations iterations)")
    p.add_argument("--seed", type=_seed, default=None,
                   help="random seed for sampling and initialisation (default: None, "
                        "different every run)")
    p.add_argument("--init", choices=INIT_CHOICES, default="kmeans++",
                   help="how EM picks its initial parameters; 'random' (random soft "
                        "responsibilities, as scikit-learn) starts at a nearly symmetric "
                        "point where the log-likelihood barely moves, so with the default "
                        "--tol EM often stops after iteration 1: add --tol 0")
    p.add_argument("--covariance-type", "--covariance_type", dest="covariance_type",
                   choices=COVARIANCE_TYPES, default="full",
                   help="covariance constraint of the fitted components")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no status or note lines on stderr "
                        "(warnings and errors still print)")
    # test hook: close the live window a moment after the last frame and report
    # which frames were drawn (stderr)
    p.add_argument("--close-after-last", dest="close_after_last", action="store_true",
                   help=argparse.SUPPRESS)
    _add_analysis_arguments(p)
    _add_teaching_arguments(p)
    package = p.add_argument_group("notebook/package")
    package.add_argument("--version", action="version", version=_version_line(),
                         help="print the version (from pyproject.toml) and exit")
    return p


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
    g.add_argument("--dims", nargs=2, type=_column, default=None, metavar=("I", "J"),
                   help="draw columns I and J (numbered from 0) instead of the default "
                        "view; EM still fits all columns (default: the data itself for 2 "
                        "columns, the top two principal components for more)")
    g.add_argument("--save-params", "--save_params", dest="save_params", default=None,
                   metavar="PATH",
                   help="after the run write the final weights, means, covariances, "
                        "log-likelihood history, options and library version to PATH "
                        "(.npz or .json) (default: off)")
    g.add_argument("--init-params", "--init_params", dest="init_params", default=None,
                   metavar="PATH",
                   help="start EM from the parameters in PATH (written by --save-params "
                        "or GaussianMixture.save); -k and --covariance-type default to "
                        "the file's (default: off)")


def _add_teaching_arguments(p):
    """The "teaching views" flags (all off by default: the original picture)."""
    keys = "; ".join(f"{k} = {what}" for k, what in Animator.KEYS)
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


def _prog_name():
    """``visualize-gmm`` when run as the installed command, else ``visualize_gmm.py``."""
    name = os.path.splitext(os.path.basename(sys.argv[0] if sys.argv else ""))[0]
    return "visualize-gmm" if name == "visualize-gmm" else "visualize_gmm.py"


def _version_line():
    """``gmm-visualizer X.Y.Z``: the version pyproject.toml declares (via gmm)."""
    import gmm
    return f"gmm-visualizer {gmm.__version__}"


# --------------------------------------------------------------------------- #
# Core
# --------------------------------------------------------------------------- #

def animate(X=None, n_components=5, *, max_iter=None, tol=1e-3, init="kmeans++",
            covariance_type="full", random_state=None, true_components=None,
            n_points=1000, n_true=5, max_radius=10.0, fps=10.0,
            show_covariances=True, show_means=True, show_true=True,
            interactive=False, on_state=None,
            iterations=None, seed=None, hide_covs=False, hide_means=False,
            hide_real=False, print_ll=False, dims=None, column_names=None,
            fit_record=None, ll_panel=False, soft=False, compare=None, contours=False):
    """Set up the EM animation of a GMM fit to ``X``; returns the :class:`Animator`.

    The keywords mirror the command-line flags: ``iterations`` (``-i``, 50),
    ``tol``, ``seed``, ``init``, ``covariance_type``, ``fps``, ``max_radius``,
    ``hide_covs``, ``hide_means``, ``hide_real``, ``print_ll``. In Jupyter the
    returned object displays itself as the HTML player; ``.save(path)`` writes
    what ``--save path`` writes.

    Parameters
    ----------
    X : ndarray, shape (n, d >= 2), optional
        Points in user units. None: sample ``n_points`` from ``n_true`` random
        Gaussians within ``max_radius`` (their ellipses are drawn gray dashed).
    n_components : int
        Number of components to fit.
    iterations : int, default 50
        Maximum number of EM iterations (``-i``); ``max_iter`` is an alias.
    seed : None, int or numpy.random.Generator
        Randomness for sampling and initialisation (``--seed``);
        ``random_state`` is an alias.
    max_iter, tol, init, covariance_type, random_state
        Passed to :func:`gmm.em_steps` (fitting runs in standardised units).
    hide_covs, hide_means, hide_real : bool
        Leave out the fitted ellipses / means / true ellipses (the CLI's
        ``--hide_*`` flags; the same as ``show_* = False``).
    print_ll : bool
        Print ``iteration I  log-likelihood LL`` for each state as it is
        computed (``--print_ll``).
    true_components : tuple (means (m, 2), covariances (m, 2, 2)), optional
        True components to draw, in user units.
    fps : float
        Frames per second, > 0 and at most :data:`MAX_FPS` (checked by
        :func:`check_fps`, the same message as ``--fps``).
    show_covariances, show_means, show_true : bool
        Which views to include.
    interactive : bool
        Figure for a live window (pyplot) rather than an off-screen canvas.
    on_state : callable, optional
        Called with each display state (2-D, user units) as EM produces it.
    dims : tuple (int, int), optional
        Draw these two columns (``--dims``). Default: the data itself for
        d == 2, the top two principal components for d > 2 (see
        :func:`view_of`); EM always fits all d columns.
    column_names : list of str, optional
        One name per column, for the axis labels.
    fit_record : FitRecord, optional
        Collects the full d-dimensional states (user units) as they pass;
        the animator keeps it as ``fit_record`` either way.
    ll_panel : bool
        ``--ll-panel``: the mean log-likelihood per iteration, up to the
        current frame, on a second axes beside the scene.
    soft : bool
        ``--soft``: points coloured by the responsibility-weighted mix of the
        component colours (responsibilities of the full d-dimensional fit).
    compare : None or "kmeans"
        ``--compare kmeans``: a panel of the same size beside EM where Lloyd
        k-means runs on the same (standardised) data from EM state 0's means,
        one iteration per frame, with its Voronoi cells (2-column data),
        centres and mean squared distance. Frames run until both runs stop.
    contours : bool
        ``--contours``: contours of the mixture's log-density that enclose
        95/75/50/25/5% of the points, recomputed every frame.

    In the live window the keys of :attr:`Animator.KEYS` apply; ``r`` reruns
    EM from a new initialisation on the same data (an int seed s gives the
    r-th restart seed s + r; otherwise the random generator draws on).

    An ``init`` tuple ``(weights, means, covariances)`` is in user units
    (d-dimensional), e.g. from :func:`gmm.load_params`.

    Returns
    -------
    Animator
        Nothing is fitted until frames are requested (EM runs lazily). Its
        states are in user units, except for data beyond 1e50 or below
        1e-50 in magnitude: then they (and the axes, labelled e.g.
        ``x0 (×1e+300)``) are in multiples of ``anim.display_unit``, a
        power of ten (variances would overflow or underflow otherwise); the
        log-likelihood is always per user unit, and ``anim.fit_record``
        holds the user-unit parameters.

    Raises
    ------
    ValueError
        Bad arguments (from :mod:`gmm` or :mod:`data_gen`).
    TypeError
        An option given under both of its names (``iterations`` and
        ``max_iter``, ``seed`` and ``random_state``).
    """
    max_iter = _one_of("iterations", iterations, "max_iter", max_iter, default=50)
    random_state = _one_of("seed", seed, "random_state", random_state, default=None)
    try:
        fps = check_fps(fps)
    except ValueError as exc:
        raise ValueError(f"fps: {exc}") from None
    show_covariances = show_covariances and not hide_covs
    show_means = show_means and not hide_means
    show_true = show_true and not hide_real
    if print_ll:
        on_state = _print_ll if on_state is None else _both(_print_ll, on_state)
    import gmm

    rng = np.random.default_rng(random_state)
    if X is None:
        import data_gen
        X, means, covs = data_gen.sample_gaussians(n_points, n_true, max_radius=max_radius,
                                                   random_state=rng)
        if true_components is None:
            true_components = (means, covs)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 2:
        raise ValueError(f"points must be an (n, d >= 2) array, got shape {X.shape}")
    step = gmm_transforms.CHUNK_ROWS    # in blocks: a signal is handled between them
    bad_rows = sum(int(np.count_nonzero(~np.isfinite(X[a:a + step]).all(axis=1)))
                   for a in range(0, len(X), step))
    if bad_rows:        # counted here: after standardising every row would be NaN
        raise ValueError(f"X contains NaN or infinity in {bad_rows} of {len(X)} rows; "
                         "remove or impute those rows first")
    if n_components > len(X):
        raise ValueError(f"cannot fit {n_components} components to {len(X)} points; "
                         "use fewer components (-k) or more points")
    Z, centre, scale = standardise(X)
    if isinstance(init, (tuple, list)):             # given in user units
        init = params_to_fit_units(init, centre, scale)
    steps = gmm.em_steps(Z, n_components, max_iter=max_iter, tol=tol,
                         covariance_type=covariance_type, init=init, random_state=rng)
    # data near 1e300 or 1e-300 is drawn in multiples of a power of ten (its
    # variances would overflow or underflow); the log-likelihood stays per user unit
    unit = display_unit(X)
    Xd = X / unit if unit != 1.0 else X
    projection, axis_labels = view_of(Xd, dims, column_names)
    if unit != 1.0:
        axis_labels = tuple(f"{name} (\u00d7{unit:g})" for name in
                            (axis_labels or [f"x{dims[0] if dims else 0}",
                                             f"x{dims[1] if dims else 1}"]))
    record = fit_record if fit_record is not None else FitRecord()
    tracker = _RunTracker(Z, centre / unit, scale / unit, projection)   # teaching views

    def shown(state):
        """A fit-unit state in display units, recorded in user units on the way."""
        state = tracker(state)
        if unit == 1.0:
            return record(to_user_units(state, centre, scale))
        with np.errstate(over="ignore", under="ignore"):    # only --save-params reads it
            record(to_user_units(state, centre, scale))
        return to_user_units(state, centre, scale, unit)

    if projection is None:              # d == 2: the data itself
        def display(steps):
            return (shown(s) for s in steps)
        points = Xd
    else:
        def display(steps):
            return (project(shown(s), *projection) for s in steps)
        points = (Xd - projection[1]) @ projection[0].T
    states = display(steps)
    if not show_true:
        true_components = None
    if true_components is not None:
        tm, tc = (np.asarray(a, float) for a in true_components)
        tm, tc = tm / unit, tc / unit / unit
        true_components = ((tm, tc) if projection is None else
                           project(_Components(tm, tc), *projection).parts())
    anim = Animator(states, points, n_components=n_components, max_iter=max_iter, fps=fps,
                    true_components=true_components, show_covariances=show_covariances,
                    show_means=show_means, interactive=interactive, on_state=on_state)
    anim.fit_record = record
    anim.display_unit = unit            # drawn coordinates are user units / this
    anim.relabel = tracker.labels       # states whose labels were dropped (memory)
    if axis_labels is not None:
        anim.ax.set_xlabel(axis_labels[0], fontsize=9, labelpad=2)
        anim.ax.set_ylabel(axis_labels[1], fontsize=9, labelpad=2)
        _fit_axis_labels(anim.ax)
    wrap = _add_teaching_views(anim, tracker, points, X.shape[1], max_iter=max_iter,
                               ll_panel=ll_panel, soft=soft, compare=compare,
                               contours=contours, true_components=true_components,
                               show_means=show_means)
    anim.fit_margins()                  # wide tick labels (e.g. GPS) or long axis labels
    if wrap is not None:                # nothing was pulled yet: same states, wrapped
        anim.restart(wrap(states))
    restart_init = "kmeans++" if isinstance(init, (tuple, list)) else init
    anim.restart_factory = _Restarter(
        lambda rs: gmm.em_steps(Z, n_components, max_iter=max_iter, tol=tol,
                                covariance_type=covariance_type, init=restart_init,
                                random_state=rs),
        display if wrap is None else (lambda steps: wrap(display(steps))),
        random_state, rng, resets=(tracker, record))
    return anim


def _fit_axis_labels(ax):
    """Shrink (or cut) long axis labels, e.g. CSV column names, to the axes' size."""
    import gmm_plot
    box = ax.get_window_extent()
    gmm_plot.fit_text(ax.xaxis.label, box.width + 24)
    gmm_plot.fit_text(ax.yaxis.label, box.height + 30)


@dataclasses.dataclass(frozen=True)
class _Components:
    """Means and covariances only (true components), so :func:`project` applies."""
    means: np.ndarray
    covariances: np.ndarray

    def parts(self):
        return self.means, self.covariances


# --------------------------------------------------------------------------- #
# Teaching views (--ll-panel, --soft, --compare kmeans, --contours) and restart
# --------------------------------------------------------------------------- #

class _RunTracker:
    """A state transform that keeps each EM state's full-dimensional parameters.

    ``tracker(state)`` (a fit-unit :class:`gmm.GMMState`) returns the state
    unchanged and keeps its parameters by iteration, so views can get what the
    2-D display state cannot give them: responsibilities of d > 2 data and the
    k-means run started from EM's initial means. Scaling and projection stay
    here, out of the views.
    """

    def __init__(self, Z, centre, scale, projection):
        self.Z = Z
        self.centre = centre
        self.scale = scale
        self.projection = projection
        self.params = {}

    def __call__(self, state):
        self.params[int(state.iteration)] = (state.weights, state.means, state.covariances)
        return state

    def reset(self):
        self.params = {}

    def labels(self, state, chunk=65536):
        """(n,) labels (most responsible component) of the full fit at
        ``state.iteration``, computed in chunks of rows (memory O(chunk * k))."""
        import gmm
        weights, means, covs = self.params[int(state.iteration)]
        return np.concatenate([
            gmm.log_responsibilities(self.Z[a:a + chunk], weights, means, covs)[1].argmax(axis=1)
            for a in range(0, len(self.Z), chunk)])

    def responsibilities(self, state, chunk=65536):
        """(n, k) responsibilities of the full fit at ``state.iteration``, in
        chunks of rows (a signal is handled between them)."""
        import gmm
        weights, means, covs = self.params[int(state.iteration)]
        return np.concatenate([gmm.responsibilities(self.Z[a:a + chunk], weights, means, covs)
                               for a in range(0, len(self.Z), chunk)])

    def kmeans_states(self, max_iter):
        """Lloyd k-means on the standardised data from EM state 0's means, as
        display states: centres in display units, objective (mean squared
        distance over all d columns) in user units squared."""
        import gmm
        start = self.params[0][1]
        for ks in gmm.kmeans_steps(self.Z, start, max_iter):
            k, d = ks.means.shape
            _, means, covs = params_to_user_units((np.ones(k) / k, ks.means,
                                                   np.zeros((k, d, d))), self.centre, self.scale)
            if self.projection is not None:
                means = project(_Components(means, covs), *self.projection).means
            yield dataclasses.replace(ks, means=means,
                                      objective=ks.objective * self.scale ** 2)


class _Restarter:
    """``restart_factory`` of an animation: EM again from a new initialisation.

    Restart r uses ``default_rng(seed + r)`` when the animation was seeded
    with an int, otherwise it draws on from the animation's random generator
    (so the command line with ``--seed`` restarts the same way every time).
    The data stays the same; an ``init`` tuple restarts with k-means++.
    """

    def __init__(self, make_steps, display, random_state, rng, resets=()):
        self.make_steps = make_steps
        self.display = display
        self.random_state = random_state
        self.rng = rng
        self.resets = resets
        self.count = 0
        self.quiet = False          # no "restart N" status line (the CLI's -q)

    def __call__(self):
        self.count += 1
        seed = self.random_state
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            rng = np.random.default_rng(int(seed) + self.count)
            how = f"seed {int(seed) + self.count}"
        else:
            rng = self.rng
            how = "next draw of the random generator"
        for obj in self.resets:
            obj.reset()
        if not self.quiet:
            print(f"restart {self.count}: EM from a new initialisation ({how})",
                  file=sys.stderr)
        return self.display(self.make_steps(rng))


COMPARE_CHOICES = ("kmeans",)
LL_PANEL_WIDTH = 320          # pixels, tick labels included


def _add_teaching_views(anim, tracker, points, n_features, *, max_iter, ll_panel=False,
                        soft=False, compare=None, contours=False, true_components=None,
                        show_means=True):
    """Add the teaching views of :func:`animate` to ``anim`` (all off: no change).

    ``soft`` replaces the points view; ``contours`` draws over the points;
    ``compare="kmeans"`` adds a panel of the same size beside the scene in
    which k-means (Lloyd) runs from EM state 0's means; ``ll_panel`` adds the
    log-likelihood curve beside everything. Raises ValueError for an unknown
    ``compare``.

    Returns
    -------
    wrap : callable or None
        With ``compare``, ``wrap(states)`` repeats EM's last state while
        k-means still has iterations to show (frames run until both stop;
        ``on_state`` sees each EM state once). None otherwise.
    """
    import gmm_plot
    import gmm_teaching

    if compare in (None, False, ""):
        compare = None
    elif compare not in COMPARE_CHOICES:
        raise ValueError(f"compare must be one of {', '.join(COMPARE_CHOICES)} (or None), "
                         f"got {compare!r}")
    if not (ll_panel or soft or compare or contours):
        return None
    wrap = None
    ax, colors = anim.ax, anim.colors
    if soft:
        old = next(v for v in anim.views if type(v) is gmm_plot.PointsView)
        resp = None if n_features == 2 else tracker.responsibilities
        anim.add_view(gmm_teaching.SoftPointsView(ax, points, colors, responsibilities=resp,
                                                  image_threshold=IMAGE_THRESHOLD), replace=old)
    if contours:
        anim.add_view(gmm_teaching.ContoursView(ax, points))
    if compare == "kmeans":
        scene_px = int(round(ax.get_position().width * anim.size[0]))
        kax = anim.add_side_axes(width=scene_px + 80, margins=(64, 16))
        kax.set_xlim(ax.get_xlim())
        kax.set_ylim(ax.get_ylim())
        kax.set_aspect("equal", adjustable="box")
        kax.set_xlabel(ax.get_xlabel(), fontsize=ax.xaxis.label.get_fontsize(), labelpad=2)
        kax.set_ylabel(ax.get_ylabel(), fontsize=ax.yaxis.label.get_fontsize(), labelpad=2)
        kax.apply_aspect()
        views = []
        if n_features == 2:                   # regions only where they are exact
            views.append(gmm_teaching.VoronoiView(kax, colors))
        views.append(gmm_plot.PointsView(kax, points, colors, image_threshold=IMAGE_THRESHOLD))
        if true_components is not None:
            views.append(gmm_plot.TrueEllipsesView(kax, *true_components))
        if show_means:
            views.append(gmm_plot.MeansView(kax, colors))
        views.append(gmm_teaching.KMeansText(kax, max_iter))
        views.append(gmm_teaching.PanelTitle(kax, "k-means (Lloyd): hard assignment"))
        kax.set_xlim(kax.get_xlim())
        kax.set_ylim(kax.get_ylim())
        follower = anim.add_view(gmm_teaching.FollowerPanel(
            lambda: tracker.kmeans_states(max_iter), views, frame=lambda: anim.current))
        title = "EM: Gaussian mixture" + (" (soft colours)" if soft else "")
        anim.add_view(gmm_teaching.PanelTitle(ax, title))
        anim.kmeans_ax = kax

        def hold_em_while_kmeans_runs(states):
            i, last = -1, None
            for last in states:
                i += 1
                yield last
            while last is not None and follower.has_state(i + 1):
                i += 1
                yield last

        wrap = hold_em_while_kmeans_runs
        if anim.on_state is not None:     # held EM states are not new states
            anim.on_state = _once_per_state(anim.on_state)
    if ll_panel:
        lax = anim.add_side_axes(width=LL_PANEL_WIDTH, margins=(64, 16))
        anim.add_view(gmm_teaching.LogLikelihoodPanel(lax, max_iter,
                                                      history=lambda: anim.history))
        anim.ll_ax = lax
    return wrap


def _once_per_state(callback):
    """``callback`` skipping a state object it has just been given."""
    last = []

    def call(state):
        if last and last[0] is state:
            return
        last[:] = [state]
        callback(state)
    return call


def _one_of(name, value, alias, alias_value, *, default):
    """The value of an option that has two keyword names (at most one given)."""
    if value is not None and alias_value is not None:
        raise TypeError(f"animate() got both {name}= and {alias}=; pass only {name}=")
    if value is not None:
        return value
    return default if alias_value is None else alias_value


def _both(first, second):
    """A callback calling ``first(x)`` then ``second(x)``."""
    def call(x):
        first(x)
        second(x)
    return call


def _live_window_available():
    """True when pyplot resolves to an interactive backend (a display exists)."""
    try:
        import matplotlib
        import matplotlib.pyplot  # noqa: F401  (resolves the default backend)
        backend = matplotlib.get_backend().lower()
    except Exception:           # e.g. TkAgg requested but no display
        return False
    try:
        from matplotlib.backends import BackendFilter, backend_registry
        interactive = backend_registry.list_builtin(BackendFilter.INTERACTIVE)
    except ImportError:         # matplotlib < 3.9
        from matplotlib import rcsetup
        interactive = rcsetup.interactive_bk
    return backend in {b.lower() for b in interactive}


def _print_ll(state):
    gmm_cli.print_stdout(f"iteration {state.iteration:>3}  log-likelihood {state.log_likelihood:.6f}")


def _progress_bars(args):
    """Progress bars (saving, --select-k fits) go to stderr on a terminal, unless -q."""
    return not args.quiet and sys.stderr.isatty()


def _degenerate_note(X):
    """A one-line note when EM cannot be meaningful on ``X`` (all points identical)."""
    if not np.all(X.min(axis=0) == X.max(axis=0)):
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
    scale = standardise(X)[2]
    low, high = USER_UNIT_SCALES
    if not low <= scale <= high:
        raise UsageError(
            f"{flags[0]} needs the fitted parameters in the data's units, but the data's spread "
            f"({scale:.3g}) squared is not a representable double (allowed spread: {low:g} to "
            f"{high:g}); rescale the data, or drop {flags[0]} (the animation alone works at "
            "any scale)")


class _AnalysisPlan:
    """What the "analysis" flags change in a run; built by :func:`_analysis_plan`.

    Attributes: ``X``, ``true_components``, ``rng``, ``k``, ``init``,
    ``covariance_type``, ``column_names``, ``selection`` (None or
    ``(ks, rows, best_k, criterion)``) and the parsed ``args``.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def decorate(self, anim):
        """Add the criterion curve beside the scene (with --select-k)."""
        if self.selection is None:
            return
        import gmm_teaching
        ks, rows, best_k, criterion = self.selection
        ax = anim.add_side_axes()
        anim.add_view(gmm_teaching.CriterionCurveView(
            ax, [r["k"] for r in rows], [r[criterion] for r in rows], best_k,
            label=criterion.upper(), excluded=[r["k"] for r in rows if r["degenerate"]]))

    def save_params(self, anim):
        """Write the final d-dimensional fit (user units) to --save-params, if given."""
        path = self.args.save_params
        if path is None:
            return
        import gmm
        anim.run()                  # a live window closed early: finish the fit
        record = anim.fit_record
        last = record.last
        options = {key: value for key, value in vars(self.args).items()
                   if key not in ("explicit", "close_after_last")
                   and isinstance(value, (str, int, float, bool, list, type(None)))}
        options.update(num_clusters=self.k, covariance_type=self.covariance_type)
        gmm.save_params(path, last.weights, last.means, last.covariances,
                        covariance_type=self.covariance_type,
                        log_likelihood_history=record.log_likelihoods, options=options)
        self.args.notes.append(f"saved the fitted parameters to {path}")


def _analysis_plan(args, X, true_components, names=None):
    """Validate the analysis flags and do their work before the animation.

    Loads ``--init-params`` (k and the covariance type default to the file's),
    samples the data here when a fit needs it first, runs ``--select-k`` (or
    the ``--n-init`` restarts) and prints its table. The animation then
    replays the kept run from its state 0.
    """
    import gmm

    explicit = getattr(args, "explicit", set(_FILE_DEFAULTS))
    rng = np.random.default_rng(args.seed)
    d = X.shape[1] if X is not None else 2
    n = len(X) if X is not None else args.num_points
    if args.dims is not None:
        view_of(np.zeros((1, d)), args.dims)          # raises on a bad --dims
    if args.save_params is not None:
        gmm_cli.check_params_path(args.save_params)
    k, init, covariance_type = args.num_clusters, args.init, args.covariance_type
    if X is not None:
        _check_representable(X, args)
    if args.init_params is not None:
        if args.select_k is not None:
            raise UsageError("--init-params and --select-k cannot be combined: --select-k "
                             "fits every k from its own initialisations")
        if args.n_init > 1:
            raise UsageError(f"--init-params and --n-init {args.n_init} cannot be combined: EM "
                             "starts once, from the file's parameters; drop --n-init")
        path = args.init_params
        try:
            params = gmm.load_params(path, n_features=d)
        except gmm.ParamsError as exc:
            raise UsageError(f"--init-params {exc}") from None
        file_k = len(params["weights"])
        if "num_clusters" in explicit and k != file_k:
            raise UsageError(f"-k {k} does not match --init-params {path}, which holds "
                             f"{file_k} components; drop -k or pass -k {file_k}")
        k = file_k
        init = (params["weights"], params["means"], params["covariances"])
        file_type = params["covariance_type"]
        if "covariance_type" not in explicit:
            covariance_type = file_type
        else:
            try:
                gmm.check_init_params(init, k, d, covariance_type)
            except ValueError as exc:
                raise UsageError(f"--init-params {path} (fitted with --covariance-type "
                                 f"{file_type}) cannot start a --covariance-type "
                                 f"{covariance_type} fit: {exc}") from None
        if k > n:
            raise UsageError(f"--init-params {path} holds {k} components, more than the "
                             f"number of points ({n})")
    if args.select_k is not None and max(args.select_k) > n:
        raise UsageError(f"--select-k: k = {max(args.select_k)} is more than the number of "
                         f"points ({n}); use smaller k")
    fits_first = args.select_k is not None or (args.n_init > 1 and args.init_params is None)
    if X is None and fits_first:
        import data_gen
        X, means, covs = data_gen.sample_gaussians(args.num_points, args.means,
                                                   max_radius=args.max_radius, random_state=rng)
        true_components = (means, covs)
    selection = None
    if fits_first:
        ks = args.select_k if args.select_k is not None else [k]
        from tqdm import tqdm

        # one tick per k fitted, on a terminal only (like the save bar)
        with tqdm(total=len(ks), unit="fit", desc="choosing k", file=sys.stderr, leave=False,
                  disable=len(ks) < 2 or not _progress_bars(args)) as bar:
            def fitted(row):
                bar.set_postfix_str(f"k={row['k']} done", refresh=False)
                bar.update(1)
                args.signals.check()    # a Ctrl-C lost in a finalizer stops here

            best_k, rows = select_components(
                X, ks, criterion=args.criterion, n_init=args.n_init,
                covariance_type=covariance_type, init=init, max_iter=args.iterations,
                tol=args.tol, random_state=rng, callback=fitted)
        if args.select_k is not None:
            gmm_cli.print_stdout(format_selection_table(rows, best_k, args.criterion), flush=True)
            selection = (ks, rows, best_k, args.criterion)
        k = best_k
        init = next(r["initial_params"] for r in rows if r["k"] == best_k)
    return _AnalysisPlan(X=X, true_components=true_components, rng=rng, k=k, init=init,
                         covariance_type=covariance_type, column_names=names,
                         selection=selection, args=args)


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
    gmm_animator.signals = signals
    try:
        return _run_checked(args, signals)
    finally:
        gmm_animator.signals = gmm_animator.NoSignals()


def _run_checked(args, signals):
    # ---- validate everything before any work ----
    save = args.save
    live = False
    notes = args.notes      # status lines, printed only once the run cannot fail any more
    if save is not None:
        check_save_path(save)
    if args.select_k is not None and "num_clusters" in args.explicit:
        raise UsageError(f"--select-k and -k cannot be combined: --select-k chooses k from "
                         f"{args.select_k[0]}..{args.select_k[-1]}; drop -k")
    if args.load_path is not None:
        import data_gen
        if not args.load_path:
            raise UsageError("--load_path is empty; give the path of a .npy, .csv or "
                             ".txt file with one point per row")
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", data_gen.IndexColumnWarning)
            X, names = data_gen.load_points(args.load_path, with_names=True)
        for note in caught:
            if issubclass(note.category, data_gen.IndexColumnWarning):  # a pandas/R index
                notes.append(f"note: {note.message}")
            else:
                warnings.warn_explicit(note.message, note.category, note.filename,
                                       note.lineno)
        true_components = None
        note = _degenerate_note(X)
        if note:
            notes.append(f"warning: {note}")
    else:
        X = names = None
        true_components = None
    n = len(X) if X is not None else args.num_points
    if args.num_clusters > n and args.select_k is None and args.init_params is None:
        raise UsageError(f"-k {args.num_clusters} is more than the number of points ({n}); "
                         "use fewer components or more points")
    if save is None:
        live = _live_window_available()
        if not live:
            save = _free_default_save()
            check_save_path(save)

    args.signals = signals
    plan = _analysis_plan(args, X, true_components, names)   # may sample X; fits --select-k
    anim = animate(plan.X, plan.k, max_iter=args.iterations, tol=args.tol,
                   init=plan.init, covariance_type=plan.covariance_type,
                   random_state=plan.rng, true_components=plan.true_components,
                   dims=args.dims, column_names=plan.column_names,
                   n_points=args.num_points, n_true=args.means,
                   max_radius=args.max_radius, fps=args.fps,
                   show_covariances=not args.hide_covs, show_means=not args.hide_means,
                   show_true=not args.hide_real, interactive=live,
                   on_state=_print_ll if args.print_ll else None,
                   ll_panel=args.ll_panel, soft=args.soft, compare=args.compare,
                   contours=args.contours)
    anim.quiet = args.quiet
    anim.restart_factory.quiet = args.quiet
    if args.seed is not None:       # the r key restarts EM with --seed + 1, + 2, ...
        anim.restart_factory.random_state = args.seed
    plan.decorate(anim)
    anim.fit_margins()              # again: decorate may have added the --select-k panel
    if live:
        _print_notes(args)
        anim.show(close_after_last=args.close_after_last)
        with all_or_none():
            plan.save_params(anim)
        _print_notes(args)
        return 0
    with all_or_none():             # the animation and --save-params: both or neither
        n_frames = anim.save(save, progress=_progress_bars(args))
        if args.save is None:
            taken = "" if save == DEFAULT_SAVE else f" ({DEFAULT_SAVE} exists and was kept)"
            notes.append(f"no display available: saved the animation to {save}{taken}")
        elif extension(save) == ".png":     # only the last frame is written
            notes.append(f"saved the final frame (iteration {anim.history[-1].iteration}) "
                         f"to {save}")
        else:
            notes.append(f"saved {n_frames} frame{'' if n_frames == 1 else 's'} to {save}")
        plan.save_params(anim)
    gmm_cli.flush_stdout()
    _print_notes(args)
    return 0


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
        gmm_cli.flush_stdout()
        return int(exc.code or 0)
    args.notes = []
    try:
        with warnings.catch_warnings(record=True) as caught, \
                gmm_cli.held_log_records() as logged, gmm_cli.SignalPolicy() as signals:
            status = _run(args, signals)
        for w in caught:                        # the run succeeded: now show them
            gmm_cli.write_stderr(gmm_cli.one_line(warnings.formatwarning(
                w.message, w.category, w.filename, w.lineno, line="").strip()))
        for record in logged:                   # e.g. matplotlib's first-run font cache note
            gmm_cli.write_stderr(gmm_cli.one_line(record.getMessage()))
        return status
    except (Exception, KeyboardInterrupt, gmm_cli.Terminated) as exc:
        if isinstance(exc, (KeyboardInterrupt, gmm_cli.Terminated)):
            gmm_cli.flush_stdout()
        status, line = gmm_cli.exit_status(exc)
        gmm_cli.write_stderr(line)
        return status


if __name__ == "__main__":
    sys.exit(main())
