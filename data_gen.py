"""Point sets for the GMM visualizer: random Gaussian mixtures, named shapes, and a
command line that writes them to a file.

``load_points`` and ``DataError`` (the safe loader for user files, defined in
``gmm_load``) are part of this module's documented API.

Everything returns plain float64 arrays of shape (n, d). Randomness is passed in as
``random_state`` (see :func:`gmm_core.as_rng`: None, an int seed or a Generator); the global NumPy
RNG is never touched.

Command line (writes atomically, refuses to overwrite without ``--force``)::

    python data_gen.py gaussians -N 2000 -m 5 --max_radius 10 --seed 0 -o out.npy
    python data_gen.py circles -N 1000 --noise 0.1 --seed 0 -o examples/circles.npy --force

Exit status 0 when written; 2 with one ``error:`` line for bad input or a failed
write (no file left); 130, 143 or 129 with one word after Ctrl-C, SIGTERM or SIGHUP
(the temp file removed, an existing target kept). Whole-number flags take digits
0-9 only; ``--max_radius`` lies in [1e-150, 1e150] and ``--noise`` in [0, 1e150].
"""
from __future__ import annotations

import argparse
import errno
import os
import sys

import numpy as np

from gmm_atomic import AtomicFile, target_problem
from gmm_cli import (
    INT_TEXT,
    ArgumentParser,
    ExitStatus,
    SignalPolicy,
    Terminated,
    UsageError,
    echo,
    exit_status,
    is_decimal_text,
    one_line,
    write_stderr,
)
from gmm_core import as_rng, check_int, check_nonneg_float
from gmm_load import LOADABLE_EXTENSIONS, DataError, IndexColumnWarning, column_names, load_points

__all__ = [
    "DataError",
    "IndexColumnWarning",
    "sample_gaussians",
    "circles",
    "spirals",
    "moons",
    "load_points",
    "column_names",
    "write_points",
    "build_parser",
    "main",
]

GENERATORS = ("gaussians", "circles", "spirals", "moons")

#: Largest number of points a sampler makes (16 GB of float64 coordinates).
MAX_POINTS = 10**9
#: Largest ``--seed`` (numpy takes any size; 128 bits are plenty).
MAX_SEED = 2**128 - 1
#: Largest length scale (``max_radius``, ``noise``, radii): variances scale with its
#: square, which must stay finite in float64 (1e150**2 = 1e300 < 1.8e308).
MAX_SCALE = 1e150
#: Smallest ``max_radius``: the smallest covariance eigenvalue, (0.04 * max_radius)**2,
#: must stay a normal float64 (> 2.2e-308) so covariances keep full precision.
MIN_RADIUS = 1e-150

# Axis standard deviations of a sampled Gaussian, as fractions of max_radius.
_MIN_AXIS_FRACTION = 0.04
_MAX_AXIS_FRACTION = 0.20


# --------------------------------------------------------------------------- helpers


def _even_split(n, parts):
    """Counts (parts,) summing to n that differ by at most one, larger ones first."""
    counts = np.full(parts, n // parts, dtype=np.int64)
    counts[: n % parts] += 1
    return counts


def _proportional_split(n, weights):
    """Counts summing to n, proportional to ``weights`` (largest-remainder rounding)."""
    weights = np.asarray(weights, dtype=np.float64)
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = n - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def _rotation(theta):
    """Rotation matrices (..., 2, 2) for angles ``theta`` (...)."""
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([np.stack([c, -s], axis=-1), np.stack([s, c], axis=-1)], axis=-2)


# --------------------------------------------------------------------------- samplers


def _sample_line(n_points, n_gaussians, radius, rng, return_labels):
    """:func:`sample_gaussians` with one feature: (X (n, 1), means (m, 1), covs (m, 1, 1))."""
    unit_means = rng.uniform(-1.0, 1.0, n_gaussians)
    sds = rng.uniform(_MIN_AXIS_FRACTION, _MAX_AXIS_FRACTION, n_gaussians)
    labels = np.repeat(np.arange(n_gaussians), _even_split(n_points, n_gaussians))
    unit_x = unit_means[labels] + sds[labels] * rng.standard_normal(n_points)
    perm = rng.permutation(n_points)
    X = (radius * unit_x[perm])[:, None]
    means = (radius * unit_means)[:, None]
    covariances = (radius * sds) ** 2
    covariances = covariances[:, None, None]
    if return_labels:
        return X, means, covariances, labels[perm]
    return X, means, covariances


def _noisy_and_shuffled(X, noise, rng):
    """``X`` (n, 2) plus Gaussian noise of standard deviation ``noise``, rows in random order."""
    n = X.shape[0]
    X += noise * rng.standard_normal((n, 2))
    return X[rng.permutation(n)]


def sample_gaussians(n_points, n_gaussians, *, max_radius=10, random_state=None,
                     return_labels=False, n_features=2):
    """Sample points from ``n_gaussians`` random 2-D (or 1-D) Gaussians.

    Means are uniform in the disc of radius ``max_radius``. Each covariance has a
    uniformly random orientation and two axis standard deviations drawn uniformly
    from ``[0.04, 0.20] * max_radius``, so the blob size scales with the radius and
    not with the number of Gaussians: with the defaults and five Gaussians the blobs
    are clearly visible and sometimes overlap, while many Gaussians in a small
    radius overlap heavily (EM then cannot recover the truth).

    Points are split **as evenly as n allows** (counts differ by at most one; the
    first ``n_points % n_gaussians`` Gaussians get one extra point), so every
    Gaussian gets at least one point. The rows are shuffled.

    Parameters
    ----------
    n_points : int
        Number of points n, at least ``n_gaussians`` and at most :data:`MAX_POINTS`.
    n_gaussians : int
        Number of Gaussians m, at least 1.
    max_radius : float, default 10
        Radius of the disc (centred at the origin) that holds the means, in
        [1e-150, 1e150] (:data:`MIN_RADIUS`, :data:`MAX_SCALE`): covariances scale
        with its square, which must stay a finite, normal float64.
    random_state : None, int or numpy.random.Generator
        Source of randomness.
    return_labels : bool, default False
        Also return which Gaussian drew each point.
    n_features : {2, 1}, default 2
        1: points on a line; means uniform in ``[-max_radius, max_radius]``,
        standard deviations uniform in ``[0.04, 0.20] * max_radius`` (the
        2-D rule along one axis).

    Returns
    -------
    X : ndarray of shape (n, d), float64
        The points, shuffled (d = ``n_features``).
    means : ndarray of shape (m, d)
        True means, each with norm <= ``max_radius``.
    covariances : ndarray of shape (m, d, d)
        True covariances, symmetric positive definite.
    labels : ndarray of shape (n,), int
        Index of the Gaussian that drew each row of X (only if ``return_labels``).
    """
    n_gaussians = check_int("n_gaussians", n_gaussians, 1, MAX_POINTS)
    n_points = check_int("n_points", n_points, 1, MAX_POINTS)
    if n_points < n_gaussians:
        raise ValueError(
            f"n_points ({n_points}) must be at least n_gaussians ({n_gaussians}) so that "
            "every Gaussian gets a point; ask for more points or fewer Gaussians"
        )
    radius = check_nonneg_float("max_radius", max_radius, positive=True, minimum=MIN_RADIUS,
                                maximum=MAX_SCALE)
    if isinstance(n_features, bool) or n_features not in (1, 2):
        raise ValueError(f"n_features must be 1 or 2, got {n_features!r}")
    rng = as_rng(random_state)
    if n_features == 1:
        return _sample_line(n_points, n_gaussians, radius, rng, return_labels)

    # Work in the unit disc, then scale: the same seed gives the same picture at any radius.
    r = np.sqrt(rng.uniform(0.0, 1.0, n_gaussians))
    phi = rng.uniform(0.0, 2.0 * np.pi, n_gaussians)
    unit_means = np.column_stack([r * np.cos(phi), r * np.sin(phi)])
    axes = rng.uniform(_MIN_AXIS_FRACTION, _MAX_AXIS_FRACTION, (n_gaussians, 2))
    rot = _rotation(rng.uniform(0.0, np.pi, n_gaussians))
    factors = rot * axes[:, None, :]  # (m, 2, 2): R @ diag(axes), cov = F F^T

    labels = np.repeat(np.arange(n_gaussians), _even_split(n_points, n_gaussians))
    z = rng.standard_normal((n_points, 2))
    unit_x = unit_means[labels] + np.einsum("nij,nj->ni", factors[labels], z)
    perm = rng.permutation(n_points)

    X = radius * unit_x[perm]
    means = radius * unit_means
    covariances = radius**2 * (factors @ np.swapaxes(factors, 1, 2))
    covariances = 0.5 * (covariances + np.swapaxes(covariances, 1, 2))
    if return_labels:
        return X, means, covariances, labels[perm]
    return X, means, covariances


def circles(n_points=1000, *, noise=0.1, radii=(1.0, 2.0, 3.0), random_state=None):
    """Concentric noisy rings around the origin (three by default).

    A GMM cannot separate the rings: each ring is one cluster for a human, but no
    mixture of a few Gaussians puts a ring into one component.

    Points are split between the rings in proportion to their radius (the same
    density along every ring), at uniformly random angles, then each coordinate
    gets independent Gaussian noise with standard deviation ``noise``.

    Parameters
    ----------
    n_points : int, default 1000
    noise : float, default 0.1
        Standard deviation of the added noise, in [0, 1e150].
    radii : sequence of float, default (1, 2, 3)
        Ring radii, each > 0.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_points, 2), float64, rows shuffled.
    """
    n_points = check_int("n_points", n_points, 1, MAX_POINTS)
    noise = check_nonneg_float("noise", noise, maximum=MAX_SCALE)
    try:
        radii = np.asarray([check_nonneg_float("radii", r, positive=True, maximum=MAX_SCALE)
                            for r in radii])
    except TypeError as exc:
        if "not iterable" not in str(exc):
            raise
        raise TypeError(f"radii must be a sequence of numbers, got {radii!r}") from None
    if radii.size == 0:
        raise ValueError("radii must hold at least one radius")
    rng = as_rng(random_state)
    ring_r = np.repeat(radii, _proportional_split(n_points, radii))
    angle = rng.uniform(0.0, 2.0 * np.pi, n_points)
    X = ring_r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _noisy_and_shuffled(X, noise, rng)


def spirals(n_points=1000, *, noise=0.1, n_arms=2, turns=1.5, radius=3.0,
            random_state=None):
    """Interleaved Archimedean spirals (two arms by default).

    Arm ``a`` (0 <= a < n_arms) is the curve ``r = radius * t``,
    ``angle = 2 pi (turns * t + a / n_arms)`` for ``t`` in [0.1, 1]; points are spread
    with roughly constant density along the curve, and each coordinate gets
    independent Gaussian noise with standard deviation ``noise``.

    Parameters
    ----------
    n_points : int, default 1000
        Split as evenly as possible between the arms.
    noise : float, default 0.1
        Standard deviation of the added noise, in [0, 1e150].
    n_arms : int, default 2
    turns : float, default 1.5
        Number of turns of each arm, > 0.
    radius : float, default 3.0
        Outer radius of the arms, > 0.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_points, 2), float64, rows shuffled.
    """
    n_points = check_int("n_points", n_points, 1, MAX_POINTS)
    noise = check_nonneg_float("noise", noise, maximum=MAX_SCALE)
    n_arms = check_int("n_arms", n_arms, 1, MAX_POINTS)
    turns = check_nonneg_float("turns", turns, positive=True, maximum=MAX_SCALE)
    radius = check_nonneg_float("radius", radius, positive=True, maximum=MAX_SCALE)
    rng = as_rng(random_state)
    used = min(n_arms, n_points)        # the same split: arms past n_points get no point
    arm = np.repeat(np.arange(used), _even_split(n_points, used))
    # Arc length of r = c t grows about like t^2, so t = sqrt(u) is about uniform along it.
    t_min = 0.1
    t = np.sqrt(rng.uniform(t_min**2, 1.0, n_points))
    angle = 2.0 * np.pi * (turns * t + arm / n_arms)
    X = radius * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _noisy_and_shuffled(X, noise, rng)


def moons(n_points=1000, *, noise=0.1, random_state=None):
    """Two interleaving half circles of radius 1.

    The upper moon is the unit half circle centred at (0, 0) with y >= 0; the lower
    moon is the unit half circle centred at (1, 0.5) with y <= 0.5 (the layout of
    scikit-learn's ``make_moons``). Points are split as evenly as possible, at
    uniformly random angles, then each coordinate gets independent Gaussian noise
    with standard deviation ``noise``.

    Parameters
    ----------
    n_points : int, default 1000
    noise : float, default 0.1
        Standard deviation of the added noise, in [0, 1e150].
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_points, 2), float64, rows shuffled.
    """
    n_points = check_int("n_points", n_points, 1, MAX_POINTS)
    noise = check_nonneg_float("noise", noise, maximum=MAX_SCALE)
    rng = as_rng(random_state)
    lower = np.repeat([False, True], _even_split(n_points, 2))
    angle = rng.uniform(0.0, np.pi, n_points)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    X[lower] = np.array([1.0, 0.5]) - X[lower]
    return _noisy_and_shuffled(X, noise, rng)


# --------------------------------------------------------------------------- CLI


class _Parser(ArgumentParser):
    """gmm_cli's one-line parser; a value starting with '-' taken for a flag gets a hint."""

    def error(self, message):
        if message.endswith("expected one argument"):   # e.g. --noise -inf: taken as a flag
            message += " (write a value that starts with '-' as --flag=VALUE)"
        super().error(message)


def _whole_number(minimum, maximum, shown_max=None, too_big="too large"):
    """argparse type: a decimal integer in [minimum, maximum] (ASCII digits, no spaces)."""
    shown_max = shown_max or f"{maximum:,}"

    def parse(text):
        if not INT_TEXT.fullmatch(text):
            raise argparse.ArgumentTypeError(
                f"expected a whole number written with digits 0-9, got {echo(text)}")
        if len(text.lstrip("+-0")) <= len(str(maximum)) and int(text) < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {echo(text)}")
        if len(text.lstrip("+-0")) > len(str(maximum)) or int(text) > maximum:
            raise argparse.ArgumentTypeError(f"{too_big}: at most {shown_max}, "
                                             f"got {echo(text)}")
        return int(text)
    return parse


def _bounded_float(minimum, maximum):
    """argparse type: a decimal number in [minimum, maximum]; no nan, inf, hex or spaces.
    ``-0`` is 0."""
    def parse(text):
        if text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise argparse.ArgumentTypeError(f"must be finite, got {echo(text)}")
        if not is_decimal_text(text) or text != text.strip():
            raise argparse.ArgumentTypeError(
                f"expected a decimal number such as 0.5 or 1e3, got {echo(text)}")
        value = float(text) + 0.0
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"must be in [{minimum:g}, {maximum:g}], got {echo(text)}")
        return value
    return parse


def build_parser():
    """The one argument parser of ``python data_gen.py``."""
    parser = _Parser(
        description="Write a 2-D point set (one point per row; gaussians -d 1: one value "
                    "per row) to a .npy, .csv, .tsv or .txt file.",
        epilog="example: python data_gen.py circles -N 1000 --seed 0 -o examples/circles.npy",
    )
    sub = parser.add_subparsers(dest="generator", metavar="{" + ",".join(GENERATORS) + "}",
                                required=True)

    def common(p, default_n=1000):
        p.add_argument("-N", "--num_points", "--num-points", dest="n_points", metavar="N",
                       type=_whole_number(1, MAX_POINTS, too_big="too many points"),
                       default=default_n,
                       help=f"number of points (default: {default_n})")
        p.add_argument("-o", "--output", required=True, metavar="PATH",
                       help="file to write: .npy (numpy.save), .csv (header x,y) or .txt")
        p.add_argument("--seed", type=_whole_number(0, MAX_SEED, "2**128 - 1"), default=None,
                       help="random seed for a reproducible file (default: fresh randomness)")
        p.add_argument("--force", action="store_true",
                       help="overwrite PATH if it exists (default: refuse)")

    g = sub.add_parser("gaussians", help="points from m random Gaussians (like visualize_gmm.py)",
                       description="Sample points from m random 2-D Gaussians whose means lie "
                                   "in a disc; points are split evenly between them.")
    common(g)
    g.add_argument("-m", "--means", dest="n_gaussians", metavar="M",
                   type=_whole_number(1, MAX_POINTS, too_big="too many Gaussians"), default=5,
                   help="number of Gaussians (default: 5)")
    g.add_argument("--max_radius", "--max-radius", dest="max_radius", metavar="R",
                   type=_bounded_float(MIN_RADIUS, MAX_SCALE), default=10.0,
                   help="radius of the disc holding the means; blob sizes scale with it "
                        "(default: 10)")
    g.add_argument("-d", "--dim", dest="n_features", type=_whole_number(1, 2, too_big="1-D or 2-D only"),
                   default=2, metavar="D",
                   help="dimension of the points: 2 (x, y) or 1 (one value per row, "
                        "means in [-R, R]) (default: 2)")

    for shape, text in (
        ("circles", "three concentric noisy rings (radii 1, 2, 3): a GMM cannot separate them"),
        ("spirals", "two interleaved spirals (1.5 turns, outer radius 3)"),
        ("moons", "two interleaving half circles of radius 1"),
    ):
        p = sub.add_parser(shape, help=text, description=text + ".")
        common(p)
        p.add_argument("--noise", type=_bounded_float(0.0, MAX_SCALE), default=0.1, metavar="SD",
                       help="standard deviation of the Gaussian noise added to each "
                            "coordinate (default: 0.1)")
    return parser


def generate(args):
    """Run the generator chosen by parsed ``args``; returns X (n, 2)."""
    if args.generator == "gaussians":
        X, _, _ = sample_gaussians(args.n_points, args.n_gaussians,
                                   max_radius=args.max_radius, random_state=args.seed,
                                   n_features=args.n_features)
        return X
    shape = {"circles": circles, "spirals": spirals, "moons": moons}[args.generator]
    return shape(args.n_points, noise=args.noise, random_state=args.seed)


def _check_output(path, force):
    """Refuse ``-o path`` early, with the reason, unless a new file can go there."""
    if not path or "\0" in path:
        raise UsageError(f"-o {path!r}: not a usable file name")
    if path.endswith((os.sep, "/")):
        raise UsageError(f"{path}: ends in a slash, so it names a directory; give a file name "
                        "such as points.npy")
    try:
        os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise UsageError(f"{path}: file name too long for this file system") from None
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory; give a file name such as "
                        f"{os.path.join(path, 'points.npy')}")
    ext = os.path.splitext(path)[1].lower()
    if ext not in LOADABLE_EXTENSIONS:
        shown = f"'{ext}'" if ext else "(none)"
        raise UsageError(
            f"{path}: unsupported output extension {shown}; use .npy, .csv, .tsv or .txt"
        )
    if os.path.lexists(path) and not force:
        raise UsageError(f"{path}: already exists; pass --force to overwrite it")
    if os.path.lexists(path) and not os.path.isfile(path):   # --force onto a FIFO or device
        raise UsageError(f"{path}: exists and is not a regular file (a FIFO, device or broken "
                        "link); choose another file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        problem = target_problem(path)
        fix = "create it first" if "does not exist" in problem else "choose another path"
        raise UsageError(f"{path}: {problem}; {fix}")
    return ext


def write_points(path, X, *, force=False):
    """Write X (n, d), or (n,) for one column, to ``path`` atomically (temp file in the
    same folder, then rename).

    ``.npy`` is what ``numpy.save`` writes; ``.csv`` writes a header ``x,y``
    (``x`` for d = 1, ``x0,x1,...`` for d > 2) and comma-separated values; ``.txt`` writes
    space-separated values without a header. Values are written with 17
    significant digits so they round-trip. Raises ``FileExistsError`` when
    ``path`` exists and ``force`` is False.
    """
    path = os.fspath(path)
    if os.path.lexists(path) and not force:
        raise FileExistsError(f"{path}: already exists; pass --force to overwrite it")
    _write_atomically(path, X)


#: Rows per ``savetxt`` call (a signal is handled between calls, not after the whole file).
_WRITE_ROWS = 1 << 16


def _write_atomically(path, X, before_commit=lambda: None):
    """Write X to ``path`` through an :class:`AtomicFile`; ``before_commit()`` runs after
    the last byte and before the rename (it may raise to abandon the file)."""
    ext = os.path.splitext(path)[1].lower()
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim not in (1, 2):
        raise ValueError(f"points must be an (n, d) array, or (n,) for one column; got shape "
                         f"{X.shape}")
    with AtomicFile(path) as out:
        fh = out.fp
        if ext == ".npy":
            # Given an object with only .write (not a real file), numpy.save writes the
            # data in 16 MiB chunks from Python, so a signal is handled between chunks.
            np.save(_WriteOnly(fh), X, allow_pickle=False)
        else:
            X = X.reshape(len(X), -1)       # (n,): one column
            d = X.shape[1]
            names = {1: ["x"], 2: ["x", "y"]}.get(d) or [f"x{i}" for i in range(d)]
            delimiter = {".csv": ",", ".tsv": "\t"}.get(ext, " ")
            if ext in (".csv", ".tsv"):
                fh.write((delimiter.join(names) + "\n").encode())
            for start in range(0, X.shape[0], _WRITE_ROWS):
                np.savetxt(fh, X[start:start + _WRITE_ROWS], fmt="%.17g", delimiter=delimiter)
        before_commit()


class _WriteOnly:
    """A file seen through its ``write`` method alone."""

    def __init__(self, fh):
        self.write = fh.write


def _say(line):
    """``line`` on stderr, on one line; a closed or broken stderr is ignored."""
    if sys.stderr is not None:      # closed at start: print(file=None) would mean stdout
        write_stderr(one_line(line))


def main(argv=None):
    """Command-line entry point; returns the exit status.

    0: the file was written. 2: bad input or a write failure (one ``error:`` line on
    stderr, no file left). 130, 143, 129: Ctrl-C, SIGTERM or SIGHUP (one word on
    stderr; the temp file is removed and an existing target kept).
    """
    parser = build_parser()
    args = None
    try:
        with SignalPolicy() as signals:
            args = parser.parse_args(argv)
            _check_output(args.output, args.force)
            X = generate(args)
            signals.check()
            _write_atomically(args.output, X, signals.check)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except (ValueError, TypeError) as exc:     # UsageError, DataError, a sampler's check
        _say(f"error: {exc}")
        return ExitStatus.USAGE
    except OSError as exc:
        _say(f"error: {args.output}: cannot write ({exc.strerror or exc})")
        return ExitStatus.USAGE
    except MemoryError:                    # numpy cannot allocate n_points rows
        _say(f"error: -N {args.n_points} is too many points for this machine's memory; "
             "use a smaller -N")
        return ExitStatus.USAGE
    except (KeyboardInterrupt, Terminated) as exc:     # the temp file has been removed
        status, word = exit_status(exc)
        _say(word)
        return status
    n = X.shape[0]
    _say(f"wrote {n} point{'' if n == 1 else 's'} ({args.generator}) to {args.output}")
    return ExitStatus.OK


if __name__ == "__main__":
    sys.exit(main())
