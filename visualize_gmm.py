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

A *state transform* is a plain function ``GMMState -> GMMState``. The
:class:`Animator` owns the figure, the views (see :mod:`gmm_plot`), the state
history and the frame loop, and feeds either a writer or the live window.
Teaching views (``--ll-panel``, ``--soft``, ``--compare kmeans``,
``--contours``) are more views, some on extra axes beside the scene
(:meth:`Animator.add_side_axes`); the live window's keys (:attr:`Animator.KEYS`)
pause, step through the kept states, restart, save a frame and quit.
"""

import argparse
import dataclasses
import html
import io
import math
import os
import sys
import tempfile

import numpy as np

# The writers live in gmm_writers; their names are re-exported here.
from gmm_writers import (  # noqa: F401
    HOLD_SECONDS, SUPPORTED_EXTENSIONS, WRITERS, GifWriter, HtmlWriter, Mp4Writer,
    PaletteQuantizer, PngWriter, _AtomicFile, _extension,
)

__all__ = [
    "build_parser", "main", "animate", "Animator",
    "standardise", "to_user_units",
    "WRITERS", "SUPPORTED_EXTENSIONS",
]

DEFAULT_SAVE = "gmm_vid.gif"
IMAGE_THRESHOLD = 50_000      # above this many points, draw points as an image
MAX_SAMPLED_POINTS = 100_000_000   # -N above this is refused (1.6 GB of points alone)
DPI = 100


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #

class UsageError(ValueError):
    """Bad input; ``main`` prints ``error: <message>`` and exits 2.

    A ``ValueError``, so library callers (``animate(...).save(path)``) get the
    same message text as the command line.
    """


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one ``error:`` line (no usage block)."""

    def error(self, message):
        raise UsageError(message)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends ``(default: X)`` unless the help text already states a default."""

    def _get_help_string(self, action):
        if "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _number(kind, low, inclusive, what):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not math.isfinite(value) or value < low or (value == low and not inclusive):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    parse.__name__ = what
    return parse


MAX_FPS = 1000.0     # ffmpeg refuses absurd frame rates; a GIF frame lasts >= 20 ms anyway


def check_fps(value):
    """``value`` as frames per second: a finite number > 0 and at most :data:`MAX_FPS`.

    The one check behind ``--fps`` and ``animate(fps=...)``, so both say the same.

    Raises
    ------
    ValueError
        ``expected a number > 0 and at most 1000, got ...``.
    """
    try:
        fps = float(value)
    except (TypeError, ValueError):
        fps = math.nan
    if isinstance(value, bool) or not (math.isfinite(fps) and 0.0 < fps <= MAX_FPS):
        raise ValueError(f"expected a number > 0 and at most {MAX_FPS:g}, got {value!r}")
    return fps


def _fps(text):
    """``--fps`` argument type: :func:`check_fps` with argparse's error type."""
    try:
        return check_fps(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_fps.__name__ = "fps"
_count = _number(int, 1, True, "an integer >= 1")
_nonneg_int = _number(int, 0, True, "an integer >= 0")
_positive = _number(float, 0.0, False, "a number > 0")
_nonneg = _number(float, 0.0, True, "a number >= 0")

INITS = ("kmeans++", "kmeans", "random_from_data", "random")
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def build_parser():
    """The command-line parser; every flag carries help text with its default."""
    p = _Parser(
        prog=_prog_name(),
        description="Animate EM fitting a Gaussian Mixture Model to 2-D points, one "
                    "EM iteration per frame. Without --save a live window opens; with "
                    f"no display the animation is saved to {DEFAULT_SAVE}.",
        formatter_class=_HelpFormatter,
    )
    p.add_argument("-k", "--num_clusters", "--num-clusters", dest="num_clusters",
                   type=_count, default=5, metavar="K",
                   help="number of Gaussian components to fit")
    p.add_argument("-m", "--means", dest="means", type=_count, default=5, metavar="M",
                   help="number of true Gaussians the data is sampled from "
                        "(ignored with --load_path)")
    p.add_argument("-i", "--iterations", dest="iterations", type=_nonneg_int, default=50,
                   metavar="I",
                   help="maximum number of EM iterations; frames = iterations + 1 "
                        "unless EM converges earlier (see --tol); 0 shows only the "
                        "initial state")
    p.add_argument("-N", "--num_points", "--num-points", dest="num_points", type=_count,
                   default=1000, metavar="N",
                   help="number of points to sample (ignored with --load_path)")
    p.add_argument("--max_radius", "--max-radius", dest="max_radius", type=_positive,
                   default=10.0, metavar="R",
                   help="true means are sampled within this distance of the origin")
    p.add_argument("--fps", type=_fps, default=10.0,
                   help="frames per second of the animation (a number > 0, at most "
                        f"{MAX_FPS:g}); GIF frames last at least 20 ms, so a GIF plays "
                        "at most 50 frames per second")
    p.add_argument("--load_path", "--load-path", dest="load_path", default=None,
                   metavar="PATH",
                   help="fit points from a .npy/.csv/.txt file (n rows, >= 2 columns) "
                        "instead of sampling; with more than 2 columns all are fitted "
                        "and the top two principal components are drawn (see --dims)")
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
    p.add_argument("--seed", type=_nonneg_int, default=None,
                   help="random seed for sampling and initialisation (default: None, "
                        "different every run)")
    p.add_argument("--init", choices=INITS, default="kmeans++",
                   help="how EM picks its initial parameters; 'random' (random soft "
                        "responsibilities, as scikit-learn) starts at a nearly symmetric "
                        "point where the log-likelihood barely moves, so with the default "
                        "--tol EM often stops after iteration 1: add --tol 0")
    p.add_argument("--covariance-type", "--covariance_type", dest="covariance_type",
                   choices=COVARIANCE_TYPES, default="full",
                   help="covariance constraint of the fitted components")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no status lines on stderr")
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
    g.add_argument("--select-k", "--select_k", dest="select_k", type=parse_k_list,
                   default=None, metavar="KS",
                   help="fit every k in KS (1:10 = 1..10 inclusive, or 2,3,5), print a "
                        "table of k, log-likelihood, BIC and AIC to stdout, then animate "
                        "the best k beside its criterion curve; -k is ignored "
                        "(default: off)")
    g.add_argument("--criterion", choices=("bic", "aic"), default="bic",
                   help="criterion --select-k minimises")
    g.add_argument("--n-init", "--n_init", dest="n_init", type=_count, default=1,
                   metavar="R",
                   help="EM runs from different initialisations per fit; the run with "
                        "the highest final log-likelihood is kept and animated")
    g.add_argument("--dims", nargs=2, type=_nonneg_int, default=None, metavar=("I", "J"),
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
# State transforms (GMMState -> GMMState)
# --------------------------------------------------------------------------- #

def standardise(X):
    """Centre ``X`` and divide by one overall scale (shapes are kept).

    Parameters
    ----------
    X : ndarray, shape (n, d)

    Returns
    -------
    Z : ndarray, shape (n, d)
        ``(X - centre) / scale``.
    centre : ndarray, shape (d,)
    scale : float
        Root-mean-square deviation over all coordinates; 1 when it is 0.
    """
    X = np.asarray(X, dtype=float)
    centre = X.mean(axis=0)
    Z = X - centre
    scale = float(np.sqrt(np.mean(Z * Z)))
    if not (scale > 0 and math.isfinite(scale)):
        scale = 1.0
    Z /= scale
    return Z, centre, scale


def to_user_units(state, centre, scale):
    """Undo :func:`standardise` on a state.

    means -> means * scale + centre, covariances -> covariances * scale^2,
    log-likelihood -> log-likelihood - d * log(scale) (a density in user units).
    """
    d = state.means.shape[1]
    return dataclasses.replace(
        state,
        means=state.means * scale + centre,
        covariances=state.covariances * (scale * scale),
        log_likelihood=float(state.log_likelihood - d * math.log(scale)),
    )


# --------------------------------------------------------------------------- #
# Analysis: 2-D projections, choosing k, parameter files
# --------------------------------------------------------------------------- #

def pca_projection(X):
    """The top two principal axes of ``X``.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points in user units.

    Returns
    -------
    P : ndarray, shape (2, d)
        Orthonormal rows: the eigenvectors of the covariance of ``X`` with the
        two largest eigenvalues, largest first; each row's largest-magnitude
        entry is positive (a fixed sign, so the picture does not flip).
    centre : ndarray, shape (d,)
        Mean of ``X``; the view shows ``(x - centre) P^T`` (PC scores).
    explained : ndarray, shape (2,)
        Fraction of the total variance along each axis (0 when X is constant).
    """
    X = np.asarray(X, dtype=float)
    centre = X.mean(axis=0)
    Xc = X - centre
    cov = Xc.T @ Xc / len(X)
    vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
    order = np.argsort(vals)[::-1][:2]
    P = vecs[:, order].T.copy()
    signs = np.sign(P[np.arange(2), np.abs(P).argmax(axis=1)])
    P *= np.where(signs == 0, 1.0, signs)[:, None]
    total = float(np.clip(vals, 0.0, None).sum())
    explained = np.clip(vals[order], 0.0, None) / total if total > 0 else np.zeros(2)
    return P, centre, explained


def column_projection(n_features, dims):
    """Projection onto two chosen columns ``dims = (i, j)``: P (2, d), centre 0 (d,)."""
    return np.eye(n_features)[list(dims)], np.zeros(n_features)


def project(state, P, centre):
    """2-D view of a d-dimensional state under the linear map ``x -> P (x - centre)``.

    means -> (means - centre) P^T, covariances -> P S P^T: exactly the
    parameters of the projected Gaussians, so the drawn ellipses are the
    projections of the fitted ones. Weights, labels and the log-likelihood
    (of the full d-dimensional fit) are kept.

    Parameters
    ----------
    state : GMMState
        ``means`` (k, d), ``covariances`` (k, d, d).
    P : ndarray, shape (2, d)
    centre : ndarray, shape (d,)
    """
    P = np.asarray(P, dtype=float)
    means = (state.means - centre) @ P.T
    covs = np.einsum("ai,kij,bj->kab", P, state.covariances, P)
    covs = 0.5 * (covs + np.swapaxes(covs, 1, 2))
    return dataclasses.replace(state, means=means, covariances=covs)


def view_of(X, dims=None, names=None):
    """How ``X`` is shown in 2-D: a projection (or None) and the axis labels.

    d == 2 without ``dims``: no projection, labels from ``names`` (or None).
    ``dims = (i, j)``: those columns, labelled by ``names`` or ``x{i}``.
    Otherwise (d > 2): the top two principal components, labelled
    ``PC1 (62% var)``.

    Returns
    -------
    projection : tuple (P (2, d), centre (d,)) or None
    labels : tuple (str, str) or None

    Raises
    ------
    ValueError
        ``dims`` out of range or repeated.
    """
    d = X.shape[1]
    if names is not None and len(names) != d:
        names = None
    if dims is not None:
        i, j = (int(v) for v in dims)
        for v in (i, j):
            if not 0 <= v < d:
                raise UsageError(f"--dims {i} {j}: column {v} does not exist; the data has "
                                 f"{d} columns, numbered 0 to {d - 1}")
        if i == j:
            raise UsageError(f"--dims {i} {j}: pick two different columns")
        label = (lambda c: names[c]) if names is not None else (lambda c: f"x{c}")
        return column_projection(d, (i, j)), (label(i), label(j))
    if d == 2:
        return None, (tuple(names) if names is not None else None)
    P, centre, explained = pca_projection(X)
    return (P, centre), tuple(f"PC{a + 1} ({100 * e:.0f}% var)" for a, e in enumerate(explained))


def params_to_fit_units(params, centre, scale):
    """``(weights, means, covariances)`` in user units -> standardised units."""
    weights, means, covs = (np.asarray(a, dtype=float) for a in params)
    return weights, (means - centre) / scale, covs / (scale * scale)


def params_to_user_units(params, centre, scale):
    """``(weights, means, covariances)`` in standardised units -> user units."""
    weights, means, covs = (np.asarray(a, dtype=float) for a in params)
    return weights, means * scale + centre, covs * (scale * scale)


def select_components(X, ks, *, criterion="bic", n_init=1, covariance_type="full",
                      init="kmeans++", max_iter=100, tol=1e-3, random_state=None):
    """Fit every k in ``ks`` (standardised, as the CLI fits) and score it in user units.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points in user units.
    ks : sequence of int
    criterion : {"bic", "aic"}
    n_init, covariance_type, init, max_iter, tol, random_state
        As for :func:`gmm.select_k`.

    Returns
    -------
    best_k : int
    rows : list of dict
        Per k: ``k``, ``n_parameters``, ``log_likelihood`` (mean per point),
        ``bic``, ``aic`` - all of the data in user units, equal to
        ``GaussianMixture.bic/aic`` (and scikit-learn's) for the parameters
        ``weights``, ``means``, ``covariances`` (user units) - and
        ``initial_params`` (user units): state 0 of the kept run, so
        ``em_steps`` can replay it; ``degenerate``: a component collapsed
        onto a lower-dimensional set (its smallest variance, in standardised
        units, is at the ``reg_covar`` floor - e.g. rounded or repeated
        values). Its likelihood grows without bound as the floor shrinks, so
        a degenerate k is not chosen unless every k is degenerate.
    """
    import gmm

    X = np.asarray(X, dtype=float)
    Z, centre, scale = standardise(X)
    best_k, table = gmm.select_k(Z, ks, criterion=criterion, n_init=n_init,
                                 covariance_type=covariance_type, init=init,
                                 max_iter=max_iter, tol=tol, random_state=random_state)
    n, d = X.shape
    shift = d * math.log(scale)       # per-point log-likelihood: user = fit - shift
    rows = []
    for row in table:
        model = row["model"]
        s = model.state_
        weights, means, covs = params_to_user_units((s.weights, s.means, s.covariances),
                                                    centre, scale)
        rows.append({
            "k": row["k"], "n_parameters": row["n_parameters"],
            "log_likelihood": row["log_likelihood"] - shift,
            "bic": row["bic"] + 2 * n * shift, "aic": row["aic"] + 2 * n * shift,
            "weights": weights, "means": means, "covariances": covs,
            "initial_params": params_to_user_units(model.initial_params_, centre, scale),
            "degenerate": row["degenerate"],
        })
    return best_k, rows


def format_selection_table(rows, best_k, criterion):
    """The table ``--select-k`` prints: aligned columns, the chosen k marked.

    Returns
    -------
    str
        Header, one line per k (``*`` after the chosen one) and a last line
        naming the choice.
    """
    head = ("k", "params", "log-likelihood", "BIC", "AIC")
    cells = [(str(r["k"]), str(r["n_parameters"]), f"{r['log_likelihood']:.6f}",
              f"{r['bic']:.2f}", f"{r['aic']:.2f}") for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    degenerate = any(r.get("degenerate") for r in rows)
    for r, c in zip(rows, cells):
        mark = ("*" if r["k"] == best_k else "") + ("!" if r.get("degenerate") else "")
        lines.append("  ".join(v.rjust(w) for v, w in zip(c, widths))
                     + (f"  {mark}" if mark else ""))
    if degenerate and all(r.get("degenerate") for r in rows):
        among = "; every row is marked !, so among all of them"
    else:
        among = " among the rows without !" if degenerate else ""
    lines.append(f"* chosen: k = {best_k} (lowest {criterion.upper()}{among}); "
                 "log-likelihood is the mean per point")
    if degenerate:
        lines.append("! a component collapsed onto a lower-dimensional set (rounded or "
                     "repeated values?): its smallest variance sits at the reg_covar floor, "
                     "so its likelihood is not meaningful")
    return "\n".join(lines)


def parse_k_list(text):
    """``"1:10"`` (inclusive range), ``"2,3,5"`` or ``"4"`` -> sorted distinct ints >= 1."""
    text = text.strip()
    try:
        if ":" in text:
            lo, hi = (int(v) for v in text.split(":"))
            if lo < 1 or hi < lo:
                raise argparse.ArgumentTypeError(
                    f"expected a range LO:HI with 1 <= LO <= HI, got {text!r}")
            ks = list(range(lo, hi + 1))
        else:
            ks = sorted({int(v) for v in text.split(",")})
            if ks[0] < 1:
                raise argparse.ArgumentTypeError(f"every k must be >= 1, got {text!r}")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a range like 1:10 or a list like 2,3,5, got {text!r}") from None
    return ks


parse_k_list.__name__ = "k list"


class FitRecord:
    """A state transform that remembers the full (d-dimensional) fit as it passes.

    ``record(state)`` returns ``state`` unchanged and keeps its log-likelihood
    and the last state, so the final parameters can be saved
    (``--save-params``) whatever the view shows.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget the recorded run (a restart)."""
        self.log_likelihoods = []
        self.last = None

    def __call__(self, state):
        self.log_likelihoods.append(float(state.log_likelihood))
        self.last = state
        return state


# --------------------------------------------------------------------------- #
# Saving: where to, and with which writer (writers are in gmm_writers)
# --------------------------------------------------------------------------- #

def check_save_path(path):
    """Raise :class:`UsageError` unless ``path`` can be written by a writer.

    Checks the extension, the directory (exists, is writable) and, for .mp4,
    that imageio-ffmpeg provides an ffmpeg binary: all before any work.
    """
    if not path:
        raise UsageError("--save needs a file name, e.g. --save out.gif "
                         f"(one of {', '.join(SUPPORTED_EXTENSIONS)})")
    if os.path.isdir(path):
        raise UsageError(f"cannot save to {path!r}: it is a directory; give a file name "
                         f"inside it, e.g. {os.path.join(path, 'out.gif')!r}")
    ext = _extension(path)
    if ext not in WRITERS:
        raise UsageError(f"cannot save to {path!r}: unknown extension {ext or '(none)'!r}; "
                         f"use one of {', '.join(SUPPORTED_EXTENSIONS)}")
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise UsageError(f"cannot save to {path!r}: {directory!r} is a file, not a "
                         "directory; choose another path")
    if not os.path.isdir(directory):
        raise UsageError(f"cannot save to {path!r}: directory {directory!r} does not exist; "
                         "create it first or choose another path")
    try:
        fd, probe = tempfile.mkstemp(prefix=".gmm-probe-", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"cannot save to {path!r}: directory {directory!r} is not "
                         f"writable ({exc.strerror or exc}); choose another "
                         "directory") from None
    if ext == ".mp4":
        _check_ffmpeg(path)


def _check_ffmpeg(path):
    """Raise :class:`UsageError` unless an executable ffmpeg is available for .mp4."""
    import shutil

    try:
        import imageio_ffmpeg
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:     # ImportError, RuntimeError: no binary
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"cannot save {path!r}: .mp4 needs ffmpeg from the "
                         f"imageio-ffmpeg package ({reason}); install it with "
                         "'pip install imageio-ffmpeg' or save a .gif") from None
    found = exe if exe and os.path.isfile(exe) else shutil.which(exe or "")
    where = " (set by IMAGEIO_FFMPEG_EXE)" if os.environ.get("IMAGEIO_FFMPEG_EXE") else ""
    if not found:
        raise UsageError(f"cannot save {path!r}: ffmpeg not found at {exe!r}{where}; "
                         "install imageio-ffmpeg or save a .gif")
    if not os.access(found, os.X_OK):
        raise UsageError(f"cannot save {path!r}: ffmpeg at {found!r}{where} is not "
                         "executable; fix its permissions or save a .gif")


# --------------------------------------------------------------------------- #
# Animator
# --------------------------------------------------------------------------- #

def _figure_layout(xlim, ylim, box=560, margins=(64, 16, 40, 36), min_width=480):
    """Figure size in pixels (multiples of 16), axes rectangle and final limits.

    The axes box is shaped to the data's aspect, but the figure is at least
    ``min_width`` pixels wide (tall, narrow data gets wider limits) so the
    ``iter t / max`` text and panel titles fit above it; after rounding the figure to
    whole multiples of 16 pixels, the limits are widened (about their centre)
    so that one data unit has the same length on both axes. ``margins`` are
    left, right, bottom, top in pixels.

    Returns
    -------
    size : (int, int)
        Figure width, height in pixels.
    rect : tuple of 4 floats
        Axes rectangle in figure fractions.
    xlim, ylim : tuple of float
    """
    left, right, bottom, top = margins
    dx, dy = xlim[1] - xlim[0], ylim[1] - ylim[0]
    ratio = dy / dx
    box_w, box_h = (box, box * ratio) if ratio <= 1 else (box / ratio, box)
    box_w = max(box_w, min_width - left - right)
    width = int(16 * math.ceil((box_w + left + right) / 16))
    height = int(16 * math.ceil((box_h + bottom + top) / 16))
    box_w, box_h = width - left - right, height - bottom - top
    units_per_px = max(dx / box_w, dy / box_h)
    cx, cy = 0.5 * (xlim[0] + xlim[1]), 0.5 * (ylim[0] + ylim[1])
    hx, hy = 0.5 * units_per_px * box_w, 0.5 * units_per_px * box_h
    rect = (left / width, bottom / height, box_w / width, box_h / height)
    return (width, height), rect, (cx - hx, cx + hx), (cy - hy, cy + hy)


class Animator:
    """Owns the figure, the views, the state history and the frame loop.

    States are pulled lazily from ``states`` and kept in ``history`` (for
    stepping back), labels stored as uint8 (k <= 256); once the kept labels
    exceed ``LABEL_BUDGET_BYTES`` (256 MiB: 268 states at n = 1e6) the oldest
    states keep their parameters but their ``labels`` become None; such a
    state is still shown (live window, stepping back) with labels recomputed
    by ``relabel(state)`` when set (:func:`animate` sets it). The same
    frame loop feeds a writer (:meth:`save`) or the live window (:meth:`show`).

    Parameters
    ----------
    states : iterator of GMMState
        2-D states in display units, state 0 first.
    points : ndarray, shape (n, 2)
        Points in display units.
    n_components : int
    max_iter : int
        Maximum iteration number (for the ``iter t / max`` text).
    fps : float
    true_components : tuple (means (m, 2), covariances (m, 2, 2)), optional
        Gray dashed ellipses; omitted when None.
    show_covariances, show_means : bool
        Include the fitted ellipses / means views.
    interactive : bool
        Create the figure through pyplot (a window) instead of a bare Agg canvas.
    on_state : callable, optional
        Called with each state when it is first pulled (e.g. to print it).
    """

    def __init__(self, states, points, *, n_components, max_iter, fps,
                 true_components=None, show_covariances=True, show_means=True,
                 interactive=False, on_state=None):
        import gmm_plot

        self._source = iter(states)
        self._exhausted = False
        self.history = []
        self.on_state = on_state
        self.fps = float(fps)
        self.max_iter = int(max_iter)
        self.interactive = interactive
        points = np.asarray(points, dtype=float)
        self.size, rect, xlim, ylim = _figure_layout(*gmm_plot.frame_limits(points))
        figsize = (self.size[0] / DPI, self.size[1] / DPI)
        if interactive:
            import matplotlib.pyplot as plt
            self.fig = plt.figure(figsize=figsize, dpi=DPI)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            self.fig = Figure(figsize=figsize, dpi=DPI)
            FigureCanvasAgg(self.fig)
        self.canvas = self.fig.canvas
        ax = self.fig.add_axes(rect)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.tick_params(labelsize=8)
        ax.apply_aspect()
        self.ax = ax

        colors = gmm_plot.component_colors(n_components)
        self.colors = colors
        self.views = [gmm_plot.PointsView(ax, points, colors, image_threshold=IMAGE_THRESHOLD)]
        if true_components is not None:
            self.views.append(gmm_plot.TrueEllipsesView(ax, *true_components))
        if show_covariances:
            self.views.append(gmm_plot.EllipsesView(ax, colors))
        if show_means:
            self.views.append(gmm_plot.MeansView(ax, colors))
        self.views.append(gmm_plot.IterationText(ax, max_iter))
        self.artists = sorted((a for v in self.views for a in v.artists),
                              key=lambda a: a.get_zorder())
        ax.set_xlim(ax.get_xlim())      # freeze limits (no autoscaling by artists)
        ax.set_ylim(ax.get_ylim())
        self._background = None
        self.current = None
        self._label_bytes = 0
        self._labels_dropped = 0

    # -- extra panels --------------------------------------------------------
    def add_side_axes(self, width=272, margins=(56, 16)):
        """Widen the figure and return new axes to the right of everything so far.

        The scene (and any earlier panels) keep their size and position in
        pixels; the new axes get ``width`` pixels (a multiple of 16 keeps the
        figure's size a multiple of 16), minus ``margins`` = (left, right) for
        its tick labels, and the scene's height and vertical position. Call
        it before the first frame; static drawing on it lands in the
        background layer, artists appended to ``self.artists`` are redrawn
        every frame.

        Returns
        -------
        matplotlib.axes.Axes
        """
        if self._background is not None:
            raise RuntimeError("add_side_axes must be called before the first frame")
        old_w, height = self.size
        new_w = old_w + int(width)
        for ax in self.fig.axes:                    # keep every axes' pixel box
            x0, y0, w, h = ax.get_position().bounds
            ax.set_position((x0 * old_w / new_w, y0, w * old_w / new_w, h))
        self.fig.set_size_inches(new_w / DPI, height / DPI)
        self.size = (new_w, height)
        _, y0, _, h = self.ax.get_position().bounds
        left, right = margins
        ax = self.fig.add_axes(((old_w + left) / new_w, y0, (width - left - right) / new_w, h))
        ax.tick_params(labelsize=8)
        return ax

    def fit_margins(self, gap=4):
        """Widen the figure where tick labels or axis labels would not fit.

        Each axes' labels (its tight box) must start at least ``gap`` pixels
        right of the figure's left edge or of the previous axes' labels; where
        they do not, that axes and everything right of it move right by whole
        multiples of 16 pixels (wide tick labels such as GPS coordinates, long
        axis labels). Axes keep their size in pixels. Call it before the first
        frame; a figure whose labels fit is unchanged.
        """
        if self._background is not None:
            raise RuntimeError("fit_margins must be called before the first frame")
        renderer = self.canvas.get_renderer()
        boundary = 0.0
        for ax in sorted(self.fig.axes, key=lambda a: a.get_position().x0):
            box = ax.get_tightbbox(renderer)
            short = boundary + gap - box.x0
            if short > 0:
                shift = int(16 * math.ceil(short / 16))
                old_w, height = self.size
                new_w = old_w + shift
                x_cut = ax.get_position().x0 * old_w
                for other in self.fig.axes:
                    x0, y0, w, h = other.get_position().bounds
                    px = x0 * old_w + (shift if x0 * old_w >= x_cut - 0.5 else 0)
                    other.set_position((px / new_w, y0, w * old_w / new_w, h))
                self.fig.set_size_inches(new_w / DPI, height / DPI)
                self.size = (new_w, height)
                box = ax.get_tightbbox(renderer)
            boundary = box.x1

    def add_view(self, view, *, replace=None):
        """Add a view (on any axes of the figure), or put it in place of ``replace``.

        Its artists join the per-frame drawing in z-order. A replaced view's
        artists are removed from the figure.
        """
        if replace is not None:
            for a in replace.artists:
                a.remove()
            self.views[self.views.index(replace)] = view
        else:
            self.views.append(view)
        self.artists = sorted((a for v in self.views for a in v.artists),
                              key=lambda a: a.get_zorder())
        self._background = None
        return view

    def palette_colors(self):
        """Colours a GIF palette must hold: the components' plus any that views
        declare in a ``palette_colors`` attribute (e.g. soft-colour mixes); (m, 3)."""
        extra = [np.asarray(v.palette_colors, dtype=float)[:, :3] for v in self.views
                 if getattr(v, "palette_colors", None) is not None]
        return np.concatenate([np.asarray(self.colors, dtype=float)[:, :3]] + extra)

    def restart(self, states):
        """Start over with a new state sequence (the ``r`` key): the history is
        cleared and every view with a ``reset()`` method is reset."""
        self._source = iter(states)
        self._exhausted = False
        self.history = []
        self.current = None
        self._label_bytes = 0
        self._labels_dropped = 0
        for view in self.views:
            reset = getattr(view, "reset", None)
            if callable(reset):
                reset()

    # -- states ------------------------------------------------------------
    #: label arrays of kept states may use at most this many bytes; beyond it
    #: the oldest states keep their parameters but drop their labels
    LABEL_BUDGET_BYTES = 256 * 2**20

    def _pull(self):
        if self._exhausted:
            return False
        try:
            state = next(self._source)
        except StopIteration:
            self._exhausted = True
            return False
        if self.on_state is not None:
            self.on_state(state)
        self.history.append(self._compact(state))
        self._label_bytes += self.history[-1].labels.nbytes
        self._enforce_label_budget()
        return True

    def _compact(self, state):
        """The state with labels in the smallest integer type that holds them."""
        k = len(state.weights)
        dtype = np.uint8 if k <= 256 else np.uint16 if k <= 65536 else None
        if dtype is None or state.labels.dtype == dtype:
            return state
        return dataclasses.replace(state, labels=state.labels.astype(dtype))

    def _enforce_label_budget(self):
        # frames are drawn in order, so only the newest labels are still needed
        # by a writer; a long run at large n keeps memory bounded this way
        i = self._labels_dropped
        while self._label_bytes > self.LABEL_BUDGET_BYTES and i < len(self.history) - 1:
            state = self.history[i]
            self._label_bytes -= state.labels.nbytes
            self.history[i] = dataclasses.replace(state, labels=None)
            i += 1
        self._labels_dropped = i

    def state(self, i):
        """State ``i`` (pulling EM forward as needed), or None past the end."""
        while len(self.history) <= i and self._pull():
            pass
        return self.history[i] if i < len(self.history) else None

    def indices(self):
        """Frame indices 0, 1, ... until the run ends (EM converged or max_iter)."""
        i = 0
        while self.state(i) is not None:
            yield i
            i += 1

    def run(self):
        """Pull every state; returns the number of states."""
        for _ in self.indices():
            pass
        return len(self.history)

    # -- drawing -----------------------------------------------------------
    def show_state(self, i):
        """Update every view to state ``i``; returns the changed artists.

        Raises
        ------
        IndexError
            The run has no state ``i`` (EM stopped earlier).
        """
        state = self.state(i)
        if state is None:
            raise IndexError(f"no state {i}; the run has {len(self.history)} states "
                             f"(0 to {len(self.history) - 1})")
        if state.labels is None and getattr(self, "relabel", None) is not None:
            # dropped to bound memory: recomputed for this frame, not kept
            state = dataclasses.replace(state, labels=self.relabel(state))
        if state.labels is None:
            raise RuntimeError(f"labels of state {i} were dropped to bound memory "
                               "(see Animator.LABEL_BUDGET_BYTES)")
        self.current = i                # views may ask which frame they draw
        changed = []
        for view in self.views:
            changed.extend(view.update(state))
        return changed

    def render(self, i):
        """Frame ``i`` as an (H, W, 3) uint8 array (a view into the canvas).

        The static layer (axes, ticks) is drawn once, and again only when a
        view sets ``background_stale`` (e.g. a panel's axis limits grew); each
        frame restores it and draws only the views' artists, in z-order.
        """
        self.show_state(i)
        stale = [v for v in self.views if getattr(v, "background_stale", False)]
        if self._background is None or stale:
            for a in self.artists:
                a.set_animated(True)
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            for v in stale:
                v.background_stale = False
        self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for a in self.artists:
            a.draw(renderer)
        return np.asarray(self.canvas.buffer_rgba())[..., :3]

    # -- outputs -----------------------------------------------------------
    def save(self, path, *, progress=False):
        """Stream every frame into ``path`` (writer chosen by extension), atomically.

        A temp file in the target directory is renamed over ``path`` only on
        success; on any error or KeyboardInterrupt it is removed and an
        existing ``path`` is left untouched.

        Returns
        -------
        n_frames : int
            Number of frames of the animation before the final hold: one per
            EM state, plus, with ``compare``, EM's last state repeated while
            k-means still runs. A ``.png`` holds only the last of them.

        Raises
        ------
        ValueError
            Unknown extension, missing or unwritable directory, or no ffmpeg for
            .mp4 (checked before any work; the same message as ``--save``).
        """
        check_save_path(path)
        ext = _extension(path)
        writer_cls, wants_path = WRITERS[ext]
        quantizer = PaletteQuantizer(self.palette_colors()) if ext in (".gif", ".html") else None
        from tqdm import tqdm

        with _AtomicFile(path) as target, tqdm(
                total=self.max_iter + 1, unit="frame", file=sys.stderr, leave=False,
                desc=f"saving {os.path.basename(path)}", disable=not progress) as bar:
            if wants_path:
                target.fp.close()       # the writer (ffmpeg) opens the temp path itself
            writer = writer_cls(target.path if wants_path else target.fp, self.size,
                                self.fps, quantizer)
            try:
                if writer.needs_every_frame:
                    for i in self.indices():
                        writer.add(self.render(i))
                        bar.update(1)
                else:
                    n = self.run()
                    bar.update(n)
                    writer.add(self.render(n - 1))
                writer.finish()
            except BaseException:
                writer.abort()
                raise
        return len(self.history)

    def to_html(self):
        """The whole animation as one self-contained HTML page (a str).

        The same player that ``save("x.html")`` writes, rendered in memory
        (EM states already computed are reused, frames are drawn again).
        """
        buf = io.BytesIO()
        writer = HtmlWriter(buf, self.size, self.fps, PaletteQuantizer(self.palette_colors()))
        for i in self.indices():
            writer.add(self.render(i))
        writer.finish()
        return buf.getvalue().decode("utf-8")

    def _repr_html_(self):
        """Jupyter display: the HTML player in an isolated ``<iframe srcdoc>``.

        The iframe keeps the player's element ids, style and script apart from
        the notebook page (several players per notebook work).
        """
        w, h = self.size
        return (f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
                f'width="{w + 40}" height="{h + 90}" style="border: none;" '
                'title="EM fitting a Gaussian mixture"></iframe>')

    def __repr__(self):
        return (f"<visualize_gmm.Animator: {self.size[0]}x{self.size[1]} px, "
                f"up to {self.max_iter + 1} frames at {self.fps:g} fps>")

    #: live-window keys: (keys, what they do); listed by ``h`` and in ``--help``
    KEYS = (("space", "pause / resume"),
            ("right/n", "one iteration forward (pauses)"),
            ("left/p", "one iteration back (pauses; states are kept)"),
            ("r", "restart EM from a new initialisation (--seed + 1, + 2, ...; same data)"),
            ("s", "save the current frame as gmm_frame_<iter>.png in the current directory"),
            ("h", "show / hide this list of keys"),
            ("q", "quit"))

    def show(self, *, close_after_last=False):
        """Play the animation in a live window (blocks until it is closed).

        A timer advances one state per ``1 / fps`` seconds; :attr:`KEYS`
        pause, step, restart, save and quit (matplotlib's own key bindings are
        switched off for this figure). With ``close_after_last`` the window
        closes about a second after the last frame and the drawn frame indices
        are reported on stderr.

        Returns
        -------
        Animator
            ``self``, after the window was closed.
        """
        import matplotlib
        import matplotlib.pyplot as plt

        drawn = []
        canvas = self.fig.canvas
        manager = getattr(canvas, "manager", None)
        default_keys = getattr(manager, "key_press_handler_id", None)
        if default_keys is not None:          # matplotlib's s, q, p, r, h, arrows
            canvas.mpl_disconnect(default_keys)
        canvas.mpl_connect("key_press_event", self.on_key)
        if close_after_last:
            canvas.mpl_connect("draw_event", lambda event: drawn.append(self.current))
        self.paused = False
        self._close_after_last = close_after_last
        self._close_timer = None
        scale = _screen_scale(self.size, _screen_size(manager))
        if scale < 1.0:                 # the whole figure, smaller, on the screen
            # the Tk backends reset dpi to _original_dpi x the screen's pixel
            # ratio when the window maps: scale both
            if hasattr(self.fig, "_original_dpi"):
                self.fig._original_dpi = DPI * scale
            self.fig.set_dpi(DPI * scale)
        if self.current is None:
            self.show_state(0)
        self._timer = canvas.new_timer(interval=max(1, int(round(1000.0 / self.fps))))
        self._timer.add_callback(self._tick)
        self._timer.start()
        plt.show()
        self._timer.stop()
        if close_after_last:
            seen = [i for j, i in enumerate(drawn) if i is not None and (j == 0 or drawn[j - 1] != i)]
            print(f"live window ({matplotlib.get_backend()}) drew frames: "
                  + " ".join(str(i) for i in seen), file=sys.stderr)
        return self

    def _tick(self):
        """Timer callback: the next state unless paused or at the end."""
        if getattr(self, "paused", False) or self.step(+1):
            return
        if getattr(self, "_close_after_last", False) and self._close_timer is None:
            import matplotlib.pyplot as plt
            timer = self.fig.canvas.new_timer(interval=int(1000 * HOLD_SECONDS))
            timer.single_shot = True
            timer.add_callback(plt.close, self.fig)
            timer.start()
            self._close_timer = timer

    def step(self, delta):
        """Show state ``current + delta`` if it exists; returns whether it moved."""
        i = (-1 if self.current is None else self.current) + int(delta)
        if i < 0 or self.state(i) is None:
            return False
        try:
            self.show_state(i)
        except RuntimeError as exc:          # labels dropped to bound memory
            print(f"cannot show state {i}: {exc}", file=sys.stderr)
            return False
        self.fig.canvas.draw_idle()
        return True

    def on_key(self, event):
        """Live-window key handler (see :attr:`KEYS`)."""
        key = (event.key or "").lower()
        if key in (" ", "space"):
            self.paused = not getattr(self, "paused", False)
        elif key in ("right", "n"):
            self.paused = True
            self.step(+1)
        elif key in ("left", "p"):
            self.paused = True
            self.step(-1)
        elif key == "r":
            self.restart_run()
        elif key == "s":
            self.save_frame()
        elif key == "h":
            self.toggle_help()
        elif key == "q":
            import matplotlib.pyplot as plt
            plt.close(self.fig)

    #: ``restart_factory() -> iterator of states`` for the ``r`` key (set by
    #: :func:`animate`); None: ``r`` only prints that it cannot restart
    restart_factory = None

    def restart_run(self):
        """Rerun EM from a new initialisation (the ``r`` key) and play from state 0."""
        if self.restart_factory is None:
            print("restart: not available for this animation", file=sys.stderr)
            return False
        self.restart(self.restart_factory())
        self.show_state(0)
        self.paused = False
        self.fig.canvas.draw_idle()
        return True

    def save_frame(self, directory="."):
        """Save the current frame as ``gmm_frame_<iter>.png`` (the ``s`` key).

        Written atomically; the path goes to stderr. Returns the path.
        """
        state = self.history[self.current if self.current is not None else 0]
        path = os.path.join(directory, f"gmm_frame_{state.iteration}.png")
        help_text = getattr(self, "_help_text", None)
        hidden = help_text is not None and help_text.get_visible()
        if hidden:
            help_text.set_visible(False)
        animated = [a for a in self.artists if a.get_animated()]
        for a in animated:
            a.set_animated(False)
        try:
            with _AtomicFile(path) as target:
                self.fig.savefig(target.fp, format="png", dpi=DPI)
        finally:
            for a in animated:
                a.set_animated(True)
            if hidden:
                help_text.set_visible(True)
        print(f"saved frame {state.iteration} to {os.path.abspath(path)}", file=sys.stderr)
        return path

    def toggle_help(self):
        """Show or hide the list of keys over the figure (and print it to stderr)."""
        text = getattr(self, "_help_text", None)
        lines = [f"{keys:>9}  {what}" for keys, what in self.KEYS]
        if text is None:
            text = self._help_text = self.fig.text(
                0.5, 0.5, "\n".join(lines), ha="center", va="center", family="monospace",
                fontsize=9, zorder=10,
                bbox=dict(boxstyle="round,pad=0.6", facecolor="white", edgecolor="0.4",
                          alpha=0.95))
            text.set_visible(False)
        text.set_visible(not text.get_visible())
        if text.get_visible():
            print("keys:\n" + "\n".join(lines), file=sys.stderr)
        self.fig.canvas.draw_idle()


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
        Nothing is fitted until frames are requested (EM runs lazily).

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
    bad_rows = int(np.count_nonzero(~np.isfinite(X).all(axis=1)))
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
    projection, axis_labels = view_of(X, dims, column_names)
    record = fit_record if fit_record is not None else FitRecord()
    tracker = _RunTracker(Z, centre, scale, projection)     # for the teaching views
    if projection is None:              # d == 2: the data itself
        def display(steps):
            return (record(to_user_units(tracker(s), centre, scale)) for s in steps)
        points = X
    else:
        def display(steps):
            return (project(record(to_user_units(tracker(s), centre, scale)), *projection)
                    for s in steps)
        points = (X - projection[1]) @ projection[0].T
    states = display(steps)
    if not show_true:
        true_components = None
    if true_components is not None:
        tm, tc = (np.asarray(a, float) for a in true_components)
        true_components = ((tm, tc) if projection is None else
                           project(_Components(tm, tc), *projection).parts())
    anim = Animator(states, points, n_components=n_components, max_iter=max_iter, fps=fps,
                    true_components=true_components, show_covariances=show_covariances,
                    show_means=show_means, interactive=interactive, on_state=on_state)
    anim.fit_record = record
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

    def responsibilities(self, state):
        """(n, k) responsibilities of the full fit at ``state.iteration``."""
        import gmm
        weights, means, covs = self.params[int(state.iteration)]
        return gmm.responsibilities(self.Z, weights, means, covs)

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
        print(f"restart {self.count}: EM from a new initialisation ({how})", file=sys.stderr)
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
        anim.add_view(gmm_plot.SoftPointsView(ax, points, colors, responsibilities=resp,
                                              image_threshold=IMAGE_THRESHOLD), replace=old)
    if contours:
        anim.add_view(gmm_plot.ContoursView(ax, points))
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
            views.append(gmm_plot.VoronoiView(kax, colors))
        views.append(gmm_plot.PointsView(kax, points, colors, image_threshold=IMAGE_THRESHOLD))
        if true_components is not None:
            views.append(gmm_plot.TrueEllipsesView(kax, *true_components))
        if show_means:
            views.append(gmm_plot.MeansView(kax, colors))
        views.append(gmm_plot.KMeansText(kax, max_iter))
        views.append(gmm_plot.PanelTitle(kax, "k-means (Lloyd): hard assignment"))
        kax.set_xlim(kax.get_xlim())
        kax.set_ylim(kax.get_ylim())
        follower = anim.add_view(gmm_plot.FollowerPanel(
            lambda: tracker.kmeans_states(max_iter), views, frame=lambda: anim.current))
        title = "EM: Gaussian mixture" + (" (soft colours)" if soft else "")
        anim.add_view(gmm_plot.PanelTitle(ax, title))
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
        anim.add_view(gmm_plot.LogLikelihoodPanel(lax, max_iter, history=lambda: anim.history))
        anim.ll_ax = lax
    return wrap


def _screen_size(manager):
    """(width, height) in pixels of the screen a live window is on, or None.

    Known for the Tk backends (the default); other backends give None.
    """
    window = getattr(manager, "window", None)
    try:
        return int(window.winfo_screenwidth()), int(window.winfo_screenheight())
    except Exception:           # not Tk, or no window
        return None


def _screen_scale(size, screen, *, fill=(0.9, 0.8)):
    """Factor (<= 1) that makes a ``size`` = (w, h) px figure fit ``screen``.

    The figure may take ``fill`` of the screen's width and height (room for
    the window's title bar and toolbar); 1 when it fits or ``screen`` is None.
    """
    if not screen:
        return 1.0
    w, h = size
    return min(1.0, fill[0] * screen[0] / w, fill[1] * screen[1] / h)


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
    try:
        print(f"iteration {state.iteration:>3}  log-likelihood {state.log_likelihood:.6f}",
              flush=False)
    except BrokenPipeError:
        _stdout_gone()


def _stdout_gone():
    """stdout's reader went away (``... | head``): the rest of stdout goes to devnull.

    The run (and its save) carries on; only the printed lines nobody reads are lost.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):   # not a real file
        pass


def _flush_stdout():
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()


class _Terminated(BaseException):
    """SIGTERM arrived (``kill PID``); raised so temp files are removed on the way out."""


class _SigtermRaises:
    """While active (main thread only), SIGTERM raises :class:`_Terminated`."""

    def __enter__(self):
        import signal
        import threading

        self._previous = None
        if threading.current_thread() is threading.main_thread():
            def handler(signum, frame):
                raise _Terminated
            previous = signal.signal(signal.SIGTERM, handler)
            self._previous = signal.SIG_DFL if previous is None else previous
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            import signal
            signal.signal(signal.SIGTERM, self._previous)
        return False


def _one_line(exc):
    """An exception's message on one line (line breaks in e.g. paths are escaped)."""
    text = str(exc) or type(exc).__name__
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


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


def _check_params_path(path, flag="--save-params"):
    """Raise :class:`UsageError` unless ``path`` can take a parameter file."""
    import gmm
    try:
        gmm.check_params_path(path)
    except gmm.ParamsError as exc:
        raise UsageError(f"{flag} {exc}") from None


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
        import gmm_plot
        ks, rows, best_k, criterion = self.selection
        ax = anim.add_side_axes()
        anim.add_view(gmm_plot.CriterionCurveView(
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
        if not self.args.quiet:
            print(f"saved the fitted parameters to {path}", file=sys.stderr)


def _analysis_plan(args, X, true_components):
    """Validate the analysis flags and do their work before the animation.

    Loads ``--init-params`` (k and the covariance type default to the file's),
    samples the data here when a fit needs it first, runs ``--select-k`` (or
    the ``--n-init`` restarts) and prints its table. The animation then
    replays the kept run from its state 0.
    """
    import gmm

    explicit = getattr(args, "explicit", set(_FILE_DEFAULTS))
    rng = np.random.default_rng(args.seed)
    names = None
    if args.load_path is not None:
        import data_gen
        names = data_gen.column_names(args.load_path)
    d = X.shape[1] if X is not None else 2
    n = len(X) if X is not None else args.num_points
    if args.dims is not None:
        view_of(np.zeros((1, d)), args.dims)          # raises on a bad --dims
    if args.save_params is not None:
        _check_params_path(args.save_params)
    k, init, covariance_type = args.num_clusters, args.init, args.covariance_type
    if args.init_params is not None:
        if args.select_k is not None:
            raise UsageError("--init-params and --select-k cannot be combined: --select-k "
                             "fits every k from its own initialisations")
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
        best_k, rows = select_components(
            X, ks, criterion=args.criterion, n_init=args.n_init,
            covariance_type=covariance_type, init=init, max_iter=args.iterations,
            tol=args.tol, random_state=rng)
        if args.select_k is not None:
            print(format_selection_table(rows, best_k, args.criterion), flush=True)
            selection = (ks, rows, best_k, args.criterion)
        k = best_k
        init = next(r["initial_params"] for r in rows if r["k"] == best_k)
    return _AnalysisPlan(X=X, true_components=true_components, rng=rng, k=k, init=init,
                         covariance_type=covariance_type, column_names=names,
                         selection=selection, args=args)


def _run(args):
    # ---- validate everything before any work ----
    save = args.save
    live = False
    if save is not None:
        check_save_path(save)
    if args.load_path is not None:
        import data_gen
        if not args.load_path:
            raise UsageError("--load_path is empty; give the path of a .npy, .csv or "
                             ".txt file with one point per row")
        X = data_gen.load_points(args.load_path)
        true_components = None
        note = _degenerate_note(X)
        if note:
            print(f"warning: {note}", file=sys.stderr)
    else:
        X = None
        true_components = None
    n = len(X) if X is not None else args.num_points
    if X is None and n > MAX_SAMPLED_POINTS:
        raise UsageError(f"-N {n} is too many points to sample (at most "
                         f"{MAX_SAMPLED_POINTS:,}); use a smaller -N")
    if args.num_clusters > n and args.select_k is None and args.init_params is None:
        raise UsageError(f"-k {args.num_clusters} is more than the number of points ({n}); "
                         "use fewer components or more points")
    if save is None:
        live = _live_window_available()
        if not live:
            save = DEFAULT_SAVE
            check_save_path(save)

    plan = _analysis_plan(args, X, true_components)     # may sample X; fits --select-k
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
    if args.seed is not None:       # the r key restarts EM with --seed + 1, + 2, ...
        anim.restart_factory.random_state = args.seed
    plan.decorate(anim)
    if live:
        anim.show(close_after_last=args.close_after_last)
        plan.save_params(anim)
        return 0
    progress = not args.quiet and sys.stderr.isatty()
    n_frames = anim.save(save, progress=progress)
    _flush_stdout()
    if args.save is None:
        print(f"no display available: saved the animation to {save}", file=sys.stderr)
    elif not args.quiet and _extension(save) == ".png":     # only the last frame is written
        print(f"saved the final frame (iteration {anim.history[-1].iteration}) to {save}",
              file=sys.stderr)
    elif not args.quiet:
        print(f"saved {n_frames} frame{'' if n_frames == 1 else 's'} to {save}",
              file=sys.stderr)
    plan.save_params(anim)
    return 0


def main(argv=None):
    """Run the command line; returns the exit status.

    0 on success; 2 with one ``error: ...`` line on stderr for bad input or a
    failed write (never a traceback, never a partial file); 130 after Ctrl-C,
    143 after SIGTERM (both remove the temporary file and keep an existing one).
    """
    parser = build_parser()
    try:
        args = _parse_args(parser, argv)
    except UsageError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:        # --help
        return int(exc.code or 0)
    try:
        with _SigtermRaises():
            return _run(args)
    except UsageError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except ValueError as exc:        # data_gen.DataError, gmm argument errors
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    except OSError as exc:           # e.g. disk full, ffmpeg died while writing
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: could not write the output{where}: "
              f"{' '.join(str(exc.strerror or exc).split())}", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: not enough memory for this run; use fewer points (-N or a "
              "smaller file) or fewer components (-k)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _flush_stdout()
        print("interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        _flush_stdout()
        print("terminated", file=sys.stderr)
        return 143


if __name__ == "__main__":
    sys.exit(main())
