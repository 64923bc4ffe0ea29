"""Point sets for the GMM visualizer: random Gaussian mixtures, named shapes, and a
command line that writes them to a file.

The safe loader for user files lives in ``data_load``; its public names
(``load_points``, ``column_names``, ``DataError``, ``IndexColumnWarning``,
``LOADABLE_EXTENSIONS``) are re-exported here, so ``data_gen.load_points`` keeps working.

Everything returns plain float64 arrays of shape (n, d). Randomness is passed in as
``random_state`` (None, an int seed or a ``np.random.Generator``); the global NumPy
RNG is never touched. This module imports only numpy, the standard-library helper
``atomic_file`` and the leaf ``data_load`` (never ``gmm`` or matplotlib).

Command line (writes atomically, refuses to overwrite without ``--force``)::

    python data_gen.py gaussians -N 2000 -m 5 --max_radius 10 --seed 0 -o out.npy
    python data_gen.py circles -N 1000 --noise 0.1 --seed 0 -o examples/circles.npy
"""
from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

from atomic_file import AtomicFile
from data_load import (  # re-exported: data_gen.load_points is the documented name
    LOADABLE_EXTENSIONS,
    DataError,
    IndexColumnWarning,
    column_names,
    load_points,
)

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

# Axis standard deviations of a sampled Gaussian, as fractions of max_radius.
_MIN_AXIS_FRACTION = 0.04
_MAX_AXIS_FRACTION = 0.20


# --------------------------------------------------------------------------- helpers


def _rng(random_state):
    """Return a ``np.random.Generator`` for None, an int seed or a Generator."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int seed, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int seed or a numpy.random.Generator, "
        f"got {type(random_state).__name__}"
    )


def _check_count(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_nonneg(name, value, *, positive=False):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        need = "a finite number > 0" if positive else "a finite number >= 0"
        raise ValueError(f"{name} must be {need}, got {value}")
    return value


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


def sample_gaussians(n_points, n_gaussians, *, max_radius=10, random_state=None,
                     return_labels=False):
    """Sample points from ``n_gaussians`` random 2-D Gaussians.

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
        Number of points n, at least ``n_gaussians``.
    n_gaussians : int
        Number of Gaussians m, at least 1.
    max_radius : float, default 10
        Radius of the disc (centred at the origin) that holds the means; > 0.
    random_state : None, int or numpy.random.Generator
        Source of randomness.
    return_labels : bool, default False
        Also return which Gaussian drew each point.

    Returns
    -------
    X : ndarray of shape (n, 2), float64
        The points, shuffled.
    means : ndarray of shape (m, 2)
        True means, each with norm <= ``max_radius``.
    covariances : ndarray of shape (m, 2, 2)
        True covariances, symmetric positive definite.
    labels : ndarray of shape (n,), int
        Index of the Gaussian that drew each row of X (only if ``return_labels``).
    """
    n_gaussians = _check_count("n_gaussians", n_gaussians, 1)
    n_points = _check_count("n_points", n_points, 1)
    if n_points < n_gaussians:
        raise ValueError(
            f"n_points ({n_points}) must be at least n_gaussians ({n_gaussians}) so that "
            "every Gaussian gets a point; ask for more points or fewer Gaussians"
        )
    radius = _check_nonneg("max_radius", max_radius, positive=True)
    rng = _rng(random_state)

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
        Standard deviation of the added noise, >= 0.
    radii : sequence of float, default (1, 2, 3)
        Ring radii, each > 0.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_points, 2), float64, rows shuffled.
    """
    n_points = _check_count("n_points", n_points, 1)
    noise = _check_nonneg("noise", noise)
    radii = np.asarray([_check_nonneg("radii", r, positive=True) for r in radii])
    if radii.size == 0:
        raise ValueError("radii must hold at least one radius")
    rng = _rng(random_state)
    ring_r = np.repeat(radii, _proportional_split(n_points, radii))
    angle = rng.uniform(0.0, 2.0 * np.pi, n_points)
    X = ring_r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n_points, 2))
    return X[rng.permutation(n_points)]


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
        Standard deviation of the added noise, >= 0.
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
    n_points = _check_count("n_points", n_points, 1)
    noise = _check_nonneg("noise", noise)
    n_arms = _check_count("n_arms", n_arms, 1)
    turns = _check_nonneg("turns", turns, positive=True)
    radius = _check_nonneg("radius", radius, positive=True)
    rng = _rng(random_state)
    arm = np.repeat(np.arange(n_arms), _even_split(n_points, n_arms))
    # Arc length of r = c t grows about like t^2, so t = sqrt(u) is about uniform along it.
    t_min = 0.1
    t = np.sqrt(rng.uniform(t_min**2, 1.0, n_points))
    angle = 2.0 * np.pi * (turns * t + arm / n_arms)
    X = radius * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n_points, 2))
    return X[rng.permutation(n_points)]


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
        Standard deviation of the added noise, >= 0.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_points, 2), float64, rows shuffled.
    """
    n_points = _check_count("n_points", n_points, 1)
    noise = _check_nonneg("noise", noise)
    rng = _rng(random_state)
    lower = np.repeat([False, True], _even_split(n_points, 2))
    angle = rng.uniform(0.0, np.pi, n_points)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    X[lower] = np.array([1.0, 0.5]) - X[lower]
    X += noise * rng.standard_normal((n_points, 2))
    return X[rng.permutation(n_points)]


# --------------------------------------------------------------------------- CLI


class _CLIError(Exception):
    """A usage error, reported by ``main`` as one ``error: ...`` line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage block
        raise _CLIError(message)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _finite_float(minimum_exclusive=None):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        if minimum_exclusive is not None and value <= minimum_exclusive:
            raise argparse.ArgumentTypeError(f"must be > {minimum_exclusive:g}, got {text}")
        if minimum_exclusive is None and value < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
        return value
    return parse


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def build_parser():
    """The one argument parser of ``python data_gen.py``."""
    parser = _Parser(
        description="Write a 2-D point set (one point per row) to a .npy, .csv or .txt file.",
        epilog="example: python data_gen.py circles -N 1000 --seed 0 -o examples/circles.npy",
    )
    sub = parser.add_subparsers(dest="generator", metavar="{" + ",".join(GENERATORS) + "}",
                                required=True)

    def common(p, default_n=1000):
        p.add_argument("-N", "--num_points", "--num-points", dest="n_points", metavar="N",
                       type=_positive_int, default=default_n,
                       help=f"number of points (default: {default_n})")
        p.add_argument("-o", "--output", required=True, metavar="PATH",
                       help="file to write: .npy (numpy.save), .csv (header x,y) or .txt")
        p.add_argument("--seed", type=_seed, default=None,
                       help="random seed for a reproducible file (default: fresh randomness)")
        p.add_argument("--force", action="store_true",
                       help="overwrite PATH if it exists (default: refuse)")

    g = sub.add_parser("gaussians", help="points from m random Gaussians (like visualize_gmm.py)",
                       description="Sample points from m random 2-D Gaussians whose means lie "
                                   "in a disc; points are split evenly between them.")
    common(g)
    g.add_argument("-m", "--means", dest="n_gaussians", metavar="M",
                   type=_positive_int, default=5,
                   help="number of Gaussians (default: 5)")
    g.add_argument("--max_radius", "--max-radius", dest="max_radius", metavar="R",
                   type=_finite_float(0.0), default=10.0,
                   help="radius of the disc holding the means; blob sizes scale with it "
                        "(default: 10)")

    for shape, text in (
        ("circles", "three concentric noisy rings (radii 1, 2, 3): a GMM cannot separate them"),
        ("spirals", "two interleaved spirals (1.5 turns, outer radius 3)"),
        ("moons", "two interleaving half circles of radius 1"),
    ):
        p = sub.add_parser(shape, help=text, description=text + ".")
        common(p)
        p.add_argument("--noise", type=_finite_float(), default=0.1, metavar="SD",
                       help="standard deviation of the Gaussian noise added to each "
                            "coordinate (default: 0.1)")
    return parser


def generate(args):
    """Run the generator chosen by parsed ``args``; returns X (n, 2)."""
    if args.generator == "gaussians":
        X, _, _ = sample_gaussians(args.n_points, args.n_gaussians,
                                   max_radius=args.max_radius, random_state=args.seed)
        return X
    shape = {"circles": circles, "spirals": spirals, "moons": moons}[args.generator]
    return shape(args.n_points, noise=args.noise, random_state=args.seed)


def _check_output(path, force):
    if os.path.isdir(path):
        raise _CLIError(f"{path}: is a directory; give a file name such as "
                        f"{os.path.join(path, 'points.npy')}")
    ext = os.path.splitext(path)[1].lower()
    if ext not in LOADABLE_EXTENSIONS:
        shown = f"'{ext}'" if ext else "(none)"
        raise _CLIError(
            f"{path}: unsupported output extension {shown}; use .npy, .csv or .txt"
        )
    if os.path.lexists(path) and not force:
        raise _CLIError(f"{path}: already exists; pass --force to overwrite it")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _CLIError(f"{path}: directory {folder} does not exist; create it first")
    return ext


def write_points(path, X, *, force=False):
    """Write X (n, d) to ``path`` atomically (temp file in the same folder, then rename).

    ``.npy`` uses ``numpy.save``; ``.csv`` writes a header ``x,y`` (``x0,x1,...`` for
    d > 2) and comma-separated values; ``.txt`` writes space-separated values without
    a header. Values are written with 17 significant digits so they round-trip.
    Raises ``FileExistsError`` when ``path`` exists and ``force`` is False.
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if os.path.lexists(path) and not force:
        raise FileExistsError(f"{path}: already exists; pass --force to overwrite it")
    with AtomicFile(path) as out:
        fh = out.fp
        if ext == ".npy":
            np.save(fh, X, allow_pickle=False)
        else:
            d = X.shape[1]
            names = ["x", "y"] if d == 2 else [f"x{i}" for i in range(d)]
            if ext == ".csv":
                np.savetxt(fh, X, fmt="%.17g", delimiter=",", header=",".join(names),
                           comments="")
            else:
                np.savetxt(fh, X, fmt="%.17g", delimiter=" ")


def main(argv=None):
    """Command-line entry point; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_output(args.output, args.force)
        X = generate(args)
        write_points(args.output, X, force=args.force)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except (_CLIError, ValueError, TypeError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {args.output}: cannot write ({exc.strerror or exc})", file=sys.stderr)
        return 2
    except (MemoryError, OverflowError):   # numpy cannot allocate n_points rows
        print(f"error: -N {args.n_points} is too many points for this machine's memory; "
              "use a smaller -N", file=sys.stderr)
        return 2
    except KeyboardInterrupt:              # write_points has removed its temp file
        print("interrupted", file=sys.stderr)
        return 130
    n = X.shape[0]
    print(f"wrote {n} point{'' if n == 1 else 's'} ({args.generator}) to {args.output}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
