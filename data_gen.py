"""Point sets for the GMM visualizer: random Gaussian mixtures, named shapes, and a
safe loader for user files.

Everything returns plain float64 arrays of shape (n, d). Randomness is passed in as
``random_state`` (None, an int seed or a ``np.random.Generator``); the global NumPy
RNG is never touched. This module imports only numpy and the standard-library helper
``atomic_file`` (never ``gmm`` or matplotlib).

Command line (writes atomically, refuses to overwrite without ``--force``)::

    python data_gen.py gaussians -N 2000 -m 5 --max_radius 10 --seed 0 -o out.npy
    python data_gen.py circles -N 1000 --noise 0.1 --seed 0 -o examples/circles.npy
"""
from __future__ import annotations

import argparse
import math
import os
import stat
import sys

import numpy as np
from numpy.lib import format as npy_format

from atomic_file import AtomicFile

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
LOADABLE_EXTENSIONS = (".npy", ".csv", ".txt")

# Axis standard deviations of a sampled Gaussian, as fractions of max_radius.
_MIN_AXIS_FRACTION = 0.04
_MAX_AXIS_FRACTION = 0.20


class DataError(ValueError):
    """A data file cannot be used. ``str(exc)`` is one line: ``"<file>: <problem>[; <fix>]"``."""


class IndexColumnWarning(UserWarning):
    """A text file's first column was a row index and was left out (one-line message)."""


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


# --------------------------------------------------------------------------- loading


def _open_regular(path):
    """Open ``path`` for binary reading after checking it is an existing regular file."""
    name = os.fspath(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise DataError(f"{name}: no such file; check the path") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot access the file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError(
            f"{name}: is a directory; give the path of a .npy, .csv or .txt file inside it"
        )
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{name}: is not a regular file; give a .npy, .csv or .txt file")
    try:
        return open(name, "rb")
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def _extension(path):
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    if ext not in LOADABLE_EXTENSIONS:
        shown = f"'{ext}'" if ext else "(none)"
        hint = "; save the array with numpy.save" if ext == ".npz" else ""
        raise DataError(
            f"{name}: unsupported file extension {shown}; use .npy, .csv or .txt{hint}"
        )
    return ext


def _rows_phrase(count):
    return f"{count} row" if count == 1 else f"{count} rows"


def _check_shape(name, n, d):
    """Raise DataError unless an (n, d) table has a row and at least two columns."""
    if n == 0:
        raise DataError(f"{name}: has 0 rows; need at least one point (one point per row)")
    if d < 2:
        raise DataError(
            f"{name}: has {d} column{'s' if d != 1 else ''}; need at least 2 "
            "(one point per row, x and y in columns)"
        )


def _finalise(name, X, where):
    """Check a numeric (n, d) array and return it as C-ordered float64.

    ``where(i)`` describes data row i (e.g. "row 3" or "line 7") for messages.
    """
    n, d = X.shape
    _check_shape(name, n, d)
    with np.errstate(over="ignore", invalid="ignore"):
        X = np.ascontiguousarray(X, dtype=np.float64)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        verb = "contains" if rows.size == 1 else "contain"
        raise DataError(
            f"{name}: {_rows_phrase(rows.size)} of {n} {verb} NaN or inf "
            f"(first at {where(int(rows[0]))}); remove or fill them"
        )
    return X


def _describe_non_npy(head):
    """What a file that lacks the .npy magic looks like, from its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "looks like a .npz or zip archive; save a single array with numpy.save"
    if head[:1] == b"\x80" or head.startswith((b"(lp", b"(dp", b"cnumpy")):
        return "looks like a Python pickle, which is never loaded; save it with numpy.save"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            textual = True
        except UnicodeDecodeError as exc:  # a character cut at the end of `head` is fine
            textual = exc.start >= len(head) - 3
        if textual:
            return "looks like a text file; if it holds numbers, rename it to .csv or .txt"
    return "is not a NumPy .npy file (no NumPy header); save the array with numpy.save"


def _load_npy(name, fh):
    head = fh.read(512)
    if not head:
        raise DataError(f"{name}: is empty (0 bytes); save an array with numpy.save")
    if not head.startswith(npy_format.MAGIC_PREFIX):
        raise DataError(f"{name}: {_describe_non_npy(head)}")
    fh.seek(0)
    try:
        version = npy_format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = npy_format.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):
            # 3.0 only differs in the header's text encoding (utf-8 vs latin-1), which
            # matters only for non-ASCII structured field names; those are rejected below.
            shape, _, dtype = npy_format.read_array_header_2_0(fh)
        else:
            raise DataError(
                f"{name}: unsupported .npy format version {version[0]}.{version[1]}; "
                "re-save it with numpy.save"
            )
    except DataError:
        raise
    except Exception:  # numpy raises ValueError, SyntaxError, tokenize.TokenError, ...
        raise DataError(f"{name}: has a corrupt .npy header; re-save the array with numpy.save") \
            from None
    data_offset = fh.tell()

    # Everything below is decided from the header alone: no data has been read yet.
    if dtype.hasobject:
        raise DataError(
            f"{name}: holds Python objects (a pickled array), which are never loaded; "
            "save a numeric array, e.g. numpy.save(path, x.astype(float))"
        )
    if dtype.names is not None or dtype.subdtype is not None:
        raise DataError(
            f"{name}: holds a structured array ({dtype}); save a plain numeric (n, 2) array"
        )
    kind_names = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes",
                  "M": "dates", "m": "time deltas", "V": "raw bytes"}
    if dtype.kind not in "iuf":
        what = kind_names.get(dtype.kind, f"dtype {dtype}")
        raise DataError(
            f"{name}: holds {what} ({dtype}), not real numbers; save int or float data"
        )
    if len(shape) != 2:
        if len(shape) == 0:
            got = "a single number (0-D array)"
        elif len(shape) == 1:
            got = f"a 1-D array of {shape[0]} values"
        else:
            got = f"a {len(shape)}-D array of shape {tuple(shape)}"
        raise DataError(
            f"{name}: is {got}; need a 2-D array of shape (n, 2) or wider "
            "(one point per row), e.g. x.reshape(-1, 2)"
        )
    n, d = shape
    _check_shape(name, n, d)
    expected = n * d * dtype.itemsize
    available = os.fstat(fh.fileno()).st_size - data_offset
    if available < expected:
        raise DataError(
            f"{name}: is truncated: header promises {expected} bytes of data but only "
            f"{max(available, 0)} are present; re-save the array"
        )

    fh.seek(0)
    try:
        X = npy_format.read_array(fh, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{name}: cannot be read as a .npy array ({first})") from None
    except MemoryError:
        raise DataError(f"{name}: is too large to load ({expected / 1e9:.1f} GB of data); "
                        "use fewer points") from None
    return _finalise(name, X, lambda i: f"row index {i}")


# Text files ----------------------------------------------------------------


def _decode_text(name, raw):
    if raw.startswith(npy_format.MAGIC_PREFIX):
        raise DataError(f"{name}: is a NumPy .npy file; rename it to .npy")
    if b"\x00" in raw:
        raise DataError(
            f"{name}: is a binary file, not text; save numbers as comma, semicolon "
            "or whitespace separated text"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _content_lines(text):
    """Stripped lines that are neither blank nor '#' comments."""
    return [s for s in map(str.strip, text.splitlines()) if s and s[0] != "#"]


def _content_line_numbers(text):
    """1-based file line numbers of the lines ``_content_lines`` keeps (same order)."""
    return [i for i, s in enumerate(map(str.strip, text.splitlines()), start=1)
            if s and s[0] != "#"]


def _pick_delimiter(lines):
    """';' if any of the first lines uses it, else ',' if any does, else a tab if all of
    them hold one, else None (any run of whitespace)."""
    sample = lines[:50]
    if any(";" in line for line in sample):
        return ";"
    if any("," in line for line in sample):
        return ","
    if sample and all("\t" in line for line in sample):
        return "\t"
    return None


def _split(line, delimiter):
    if delimiter is None:
        return line.split()
    return [field.strip() for field in line.split(delimiter)]


def _is_number(field):
    if not field or "_" in field:
        return False
    try:
        float(field)
    except ValueError:
        return False
    return True


def _header_and_data(lines, delimiter):
    """Split off the header line, if any: the first line, when any field is not a number."""
    if lines:
        fields = _split(lines[0], delimiter)
        if not all(_is_number(f) for f in fields):
            names = [_unquote(f) for f in fields]
            return names, lines[1:]
    return None, lines


def _unquote(field):
    return field.strip().strip('"').strip("'").strip()


def _index_column(header, data, delimiter):
    """True when the first column of a text table is a row index, not data.

    That is what pandas' ``to_csv`` writes (a header whose first name is empty)
    and R's ``write.csv``/``write.table`` write (an empty or missing first name,
    quoted row names): a header line, its first name empty or absent (one name
    fewer than the rows have values), and distinct whole numbers, quoted or not,
    down the first column.  A named column is always data.
    """
    if header is None or not data:
        return False
    first_row = _split(data[0], delimiter)
    if len(first_row) < 3 or (header[0] != "" and len(header) != len(first_row) - 1):
        return False
    seen = set()
    for line in data:
        field = _unquote(_split(line, delimiter)[0])
        if not field.lstrip("+-").isdigit() or int(field) in seen:
            return False
        seen.add(int(field))
    return True


def _without_index_column(name, header, data, delimiter):
    """``(header, data)`` with a row-index first column removed (and a warning said)."""
    if not _index_column(header, data, delimiter):
        return header, data
    import warnings

    warnings.warn(f"{name}: the first column is a row index (no name, distinct whole "
                  "numbers, as pandas' to_csv and R's write.csv write) and is left out",
                  IndexColumnWarning, stacklevel=4)   # load_points' caller
    sep = " " if delimiter is None else delimiter
    data = [sep.join(_split(line, delimiter)[1:]) for line in data]
    return (header[1:] if header[0] == "" else header), data


def _diagnose_text(name, data, numbers, delimiter):
    """Find the first bad line of ``data`` (file lines ``numbers``); raise a DataError."""
    n_columns = len(_split(data[0], delimiter))
    for number, line in zip(numbers, data):
        fields = _split(line, delimiter)
        if len(fields) != n_columns:
            raise DataError(
                f"{name}: line {number} has {len(fields)} values but line {numbers[0]} has "
                f"{n_columns}; every row needs the same number of columns"
            )
        for column, field in enumerate(fields, start=1):
            if not _is_number(field):
                shown = repr(field) if field else "an empty value"
                if delimiter == ";" and _is_number(field.replace(",", ".", 1)):
                    raise DataError(
                        f"{name}: line {number}, column {column}: {shown} uses a decimal "
                        "comma; write decimals with '.' (e.g. 1.5)"
                    )
                raise DataError(
                    f"{name}: line {number}, column {column}: {shown} is not a number; "
                    "the file must be numeric (an optional header line is allowed)"
                )


def _load_text(name, fh):
    try:
        raw = fh.read()
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise DataError(f"{name}: is empty; need one point per row, x and y in columns")
    text = _decode_text(name, raw)
    lines = _content_lines(text)
    delimiter = _pick_delimiter(lines)
    header, as_written = _header_and_data(lines, delimiter)
    header, data = _without_index_column(name, header, as_written, delimiter)
    if not data:
        raise DataError(
            f"{name}: has 0 rows{' (only a header line)' if header else ''}; "
            "need at least one point (one point per row)"
        )

    def data_line_numbers():  # only needed for messages, so computed lazily
        numbers = _content_line_numbers(text)
        return numbers[1:] if header is not None else numbers

    try:
        X = np.loadtxt(data, delimiter=delimiter, dtype=np.float64, ndmin=2, comments=None)
        if X.shape[1] != len(_split(data[0], delimiter)):
            raise ValueError("column count mismatch")
    except ValueError as exc:
        # judged on the rows as written, so column numbers are the file's
        _diagnose_text(name, as_written, data_line_numbers(), delimiter)
        first = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise DataError(f"{name}: is not a numeric table ({first})") from None
    if header is not None and len(header) != X.shape[1]:
        first = _content_line_numbers(text)[0]
        raise DataError(
            f"{name}: the header on line {first} has {len(header)} names but the rows have "
            f"{X.shape[1]} values; give one name per column or drop the header"
        )
    if header is None:
        header = _commented_header(text, data[0], delimiter)
    return _finalise(name, X, lambda i: f"line {data_line_numbers()[i]}"), header


def load_points(path, *, with_names=False):
    """Load points from a ``.npy``, ``.csv`` or ``.txt`` file, safely.

    ``.npy`` files are checked from their header first (dtype and shape are
    validated before any data is read, so a huge file of the wrong shape is rejected
    at once) and read with ``allow_pickle=False``. Text files hold one point per
    line, values separated by commas, semicolons or whitespace; blank lines and
    lines starting with ``#`` are skipped, and the first line may be a header (it is
    one when any of its fields is not a number). A first column that is a row
    index - no name in the header and distinct whole numbers, as pandas'
    ``to_csv`` and R's ``write.csv`` write - is left out, with an
    :class:`IndexColumnWarning`. Nothing is ever unpickled or executed.

    Parameters
    ----------
    path : str or os.PathLike
        File to read; the extension (case-insensitive) picks the format.
    with_names : bool, default False
        Also return the column names, as :func:`column_names` would, from the
        same read of the file.

    Returns
    -------
    X : ndarray of shape (n, d), float64, C-ordered
        n >= 1 points with d >= 2 finite coordinates. Integer data is converted.
    names : list of str or None
        Only with ``with_names=True``.

    Raises
    ------
    DataError
        A ``ValueError`` whose message is one line naming the file, the problem
        and, where it helps, what to do.
    """
    name = os.fspath(path)
    fh = _open_regular(name)
    with fh:
        if _extension(name) == ".npy":
            X, names = _load_npy(name, fh), None
        else:
            X, names = _load_text(name, fh)
    return (X, names) if with_names else X


def column_names(path):
    """Column names from a text file's header line.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    list of str or None
        The header fields of a ``.csv``/``.txt`` file that has a header line, or
        failing that a ``# x,y`` comment line just before the first row (as written
        by ``numpy.savetxt(..., header=...)``) with one name per column; else None
        (always None for ``.npy``).

    Raises
    ------
    DataError
        If the file is missing, a directory, unreadable or of an unsupported type.
    """
    name = os.fspath(path)
    fh = _open_regular(name)
    with fh:
        if _extension(name) == ".npy":
            return None
        try:
            raw = fh.read()
        except OSError as exc:
            raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
        text = _decode_text(name, raw)
        lines = _content_lines(text)
        delimiter = _pick_delimiter(lines)
        header, data = _header_and_data(lines, delimiter)
        if _index_column(header, data, delimiter):
            header = header[1:] if header[0] == "" else header
        if header is None and data:
            header = _commented_header(text, data[0], delimiter)
        return header


def _commented_header(text, first_data_line, delimiter):
    """Names from a '# x,y' comment right before the first data line (numpy.savetxt's
    header style), if it has one non-numeric name per column; else None."""
    previous = None
    for line in map(str.strip, text.splitlines()):
        if line == first_data_line:
            break
        previous = line if line else previous
    if not previous or not previous.startswith("#"):
        return None
    names = [f.strip('"\'') for f in _split(previous.lstrip("#").strip(), delimiter)]
    n_columns = len(_split(first_data_line, delimiter))
    if len(names) != n_columns or any(not f or _is_number(f) for f in names):
        return None
    return names


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
