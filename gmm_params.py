"""Saving and loading fitted mixture parameters, never pickled.

save_params, load_params, ParamsError
    Write fitted parameters to ``.npz`` / ``.json`` atomically and read them
    back without unpickling; a bad file raises ``ParamsError`` (a
    ``ValueError``) with one line naming it.
check_params_path
    The check ``save_params`` applies, for callers that want to fail early.
PARAMS_FORMAT, PARAMS_FORMAT_VERSION
    The ``format`` tag and version every parameter file carries.
start_from_file, save_run_params, check_labels_path, save_labels
    The command line's ``--init-params``, ``--save-params`` and ``--save-labels``.
"""

from __future__ import annotations

import itertools
import json
import os
import stat
import tempfile
import zipfile

import numpy as np

from gmm_atomic import atomic_write, target_problem
from gmm_cli import UsageError, echo
from gmm_core import COVARIANCE_TYPES, __version__, check_init_params

__all__ = [
    "PARAMS_FORMAT",
    "PARAMS_FORMAT_VERSION",
    "ParamsError",
    "check_params_path",
    "save_params",
    "load_params",
]

PARAMS_FORMAT = "gmm-visualizer-params"
PARAMS_FORMAT_VERSION = 1


class ParamsError(ValueError):
    """A parameter file that cannot be used; the message names the file."""


def _params_extension(path, problem):
    """``.npz`` or ``.json``, the extension of parameter file ``path`` (a str);
    :class:`ParamsError` for another or for a path through a file (``problem``:
    :func:`gmm_atomic.target_problem`'s answer for ``path``, or None)."""
    if problem is not None and "not a directory" in problem:    # before the name's checks
        raise ParamsError(f"{path}: {problem}; choose another path")
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".npz", ".json"):
        raise ParamsError(f"{path}: unsupported extension {ext or '(none)'}; use .npz or .json")
    return ext


def check_params_path(path):
    """Raise :class:`ParamsError` unless :func:`save_params` can write ``path``.

    Checks that the name ends in ``.npz`` or ``.json``, is not a directory
    nor an existing FIFO, device or read-only file, and that its directory
    exists and takes a new file (a probe file is
    created there and removed; ``path`` itself is never touched). The
    one-line message names ``path`` and what to do.

    Parameters
    ----------
    path : str or os.PathLike
    """
    path = os.fspath(path)
    problem = target_problem(path) if path else None
    _params_extension(path, problem)
    if os.path.isdir(path):
        raise ParamsError(f"{path}: is a directory; give a file name ending in .npz or .json")
    if os.path.lexists(path) and not os.path.isfile(path):
        raise ParamsError(f"{path}: exists and is not a regular file (a FIFO, device or "
                          "broken link); give another file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        problem = target_problem(path)
        fix = "create it first" if "does not exist" in problem else "choose another path"
        raise ParamsError(f"{path}: {problem}; {fix}")
    try:    # a real probe: os.access says yes to root even on /proc or a read-only mount
        fd, probe = tempfile.mkstemp(prefix=".gmm-probe-", dir=directory)
    except OSError:
        raise ParamsError(f"{path}: directory {directory} is not writable; "
                          "choose another directory") from None
    os.close(fd)
    os.unlink(probe)
    if problem is not None:         # an existing read-only file
        raise ParamsError(f"{path}: {problem}; choose another path")


def save_params(path, weights, means, covariances, *, covariance_type="full",
                log_likelihood_history=(), options=None):
    """Write fitted mixture parameters to ``.npz`` or ``.json``, atomically.

    Parameters
    ----------
    path : str
        Ends in ``.npz`` or ``.json``.
    weights : array-like (k,)
    means : array-like (k, d)
    covariances : array-like (k, d, d)
    covariance_type : str
    log_likelihood_history : sequence of float
        Mean log-likelihood per EM state, state 0 first.
    options : dict, optional
        JSON-serialisable options of the run that produced the parameters.
    """
    check_params_path(path)
    ext = os.path.splitext(path)[1].lower()
    weights, means, covariances = (_real_finite(name, value) for name, value in (
        ("weights", weights), ("means", means), ("covariances", covariances)))
    meta = {"format": PARAMS_FORMAT, "format_version": PARAMS_FORMAT_VERSION,
            "library_version": __version__, "covariance_type": covariance_type,
            "options": dict(options or {})}
    history = np.asarray(list(log_likelihood_history), dtype=float)
    if ext == ".json":
        doc = dict(meta, weights=weights.tolist(), means=means.tolist(),
                   covariances=covariances.tolist(), log_likelihood_history=history.tolist())
        data = json.dumps(doc, indent=1, allow_nan=False).encode()
        atomic_write(path, lambda fh: fh.write(data))
    else:
        atomic_write(path, lambda fh: np.savez(
            fh, weights=weights, means=means, covariances=covariances,
            log_likelihood_history=history, meta=np.array(json.dumps(meta))))


def _real_finite(name, value):
    """``value`` as a float64 array; TypeError/ValueError naming ``name`` unless it holds
    finite real numbers (a complex value would lose its imaginary part)."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers of a regular shape") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    with np.errstate(over="ignore"):
        array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity) to be saved")
    return array


_WRITE_PARAMS_HINT = "write parameter files with --save-params or GaussianMixture.save"


def _looks_like(head):
    """A few words on what a file starting with the bytes ``head`` is."""
    if head.startswith(b"PK"):
        return "a zip archive such as .npz"
    if head.startswith(b"\x93NUMPY"):
        return "a NumPy .npy array"
    if b"\0" not in head:
        try:
            head.decode("utf-8")
            return "a text file"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:      # only a character cut at the end
                return "a text file"
    return "binary data"


def _open_params_file(path):
    """Open ``path`` for binary reading; it must be an existing regular file.

    Opened without blocking and checked on the open descriptor, so a FIFO or a
    device is refused at once instead of waiting for a writer forever.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ParamsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ParamsError(f"{path}: is a directory, not a parameter file") from None
    except (OSError, ValueError) as exc:        # ValueError: a NUL byte in the name
        raise ParamsError(f"{path}: cannot read it "
                          f"({getattr(exc, 'strerror', None) or exc})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO or device)"
        raise ParamsError(f"{path}: is {what}, not a parameter file")
    return os.fdopen(fd, "rb")


def _check_params_file_kind(path, ext, head):
    """Raise ParamsError when ``head``, the first bytes of ``path``, cannot be its format.

    A renamed text file, a ``.npy`` array or a ``.npz`` called ``.json`` gets
    a message saying what the file looks like instead of a parser's error.
    """
    if not head:
        raise ParamsError(f"{path}: the file is empty; {_WRITE_PARAMS_HINT}")
    kind = _looks_like(head)
    if ext == ".npz" and not head.startswith(b"PK"):
        raise ParamsError(f"{path}: not a .npz archive (looks like {kind}); {_WRITE_PARAMS_HINT}")
    if ext == ".json" and kind != "a text file":
        raise ParamsError(f"{path}: not a JSON file (looks like {kind}); {_WRITE_PARAMS_HINT}")


def _json_int(text):
    """A JSON integer as a Python int, or as a float when it has too many digits to be
    an exact int (inf beyond float64, refused later as not finite)."""
    return int(text) if len(text) <= 20 else float(text)


def _read_json(path, fh):
    """The parameter document of a ``.json`` file (a dict), or ParamsError."""
    try:
        text = fh.read().decode("utf-8-sig")          # a BOM from a hand edit is fine
        return json.loads(text, parse_int=_json_int)
    except UnicodeDecodeError:
        raise ParamsError(f"{path}: not a JSON file (not UTF-8 text); {_WRITE_PARAMS_HINT}") \
            from None
    except json.JSONDecodeError as exc:
        raise ParamsError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}); {_WRITE_PARAMS_HINT}") from None
    except RecursionError:
        raise ParamsError(f"{path}: JSON nested too deeply to be a parameter file; "
                          f"{_WRITE_PARAMS_HINT}") from None


def _numeric(path, key, value):
    """``value`` (a nested list from JSON or an array from .npz) as a float64 array.

    Only real numbers are accepted: strings, booleans, complex numbers and
    objects are refused rather than converted (``complex -> float`` would drop
    the imaginary part, ``"1.5" -> 1.5`` would hide a broken file).
    """
    bad = f"{path}: {key} must be an array of real numbers"
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            raise ParamsError(f"{bad}, got dtype {value.dtype}")
        with np.errstate(over="ignore"):
            return value.astype(np.float64)
    stack = [value]
    while stack:                                # iterative: no recursion on deep lists
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool) or not isinstance(item, (int, float)):
            raise ParamsError(f"{bad}, found {type(item).__name__} {_short(repr(item))}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (ValueError, OverflowError):
        raise ParamsError(f"{bad} of a regular shape (every row the same length)") from None


def _short(text, limit=40):
    return text if len(text) <= limit else text[:limit] + "..."


def load_params(path, *, n_features=None):
    """Read parameters written by :func:`save_params`; nothing is unpickled.

    Parameters
    ----------
    path : str or os.PathLike
    n_features : int, optional
        When given, the means must have this many columns.

    Returns
    -------
    dict
        ``weights`` (k,), ``means`` (k, d), ``covariances`` (k, d, d),
        ``covariance_type``, ``log_likelihood_history``, ``options``,
        ``library_version``.

    Raises
    ------
    ParamsError
        With one line naming the file and the problem: not a regular file
        (a FIFO is refused at once), not JSON/.npz, nested too deeply, a
        number that is not finite in float64, a non-numeric or complex
        value, wrong shapes, weights outside [0, 1] or not summing to 1,
        covariances not symmetric positive definite.
    """
    path = os.fspath(path)
    ext = _params_extension(path, target_problem(path) if path else None)
    meta, arrays = _read_params_file(path, ext)
    _check_format(path, meta)
    weights, means, covs, history = _numeric_arrays(path, arrays)
    if means.ndim != 2 or 0 in means.shape:
        raise ParamsError(f"{path}: means must be a (k, d) array with k, d >= 1, "
                          f"got shape {means.shape}")
    k, d = means.shape
    if n_features is not None and d != n_features:
        raise ParamsError(f"{path}: parameters are for {d}-column data, but the data has "
                          f"{n_features} columns")
    covariance_type, options = _type_and_options(path, meta)
    try:
        weights, means, covs = check_init_params((weights, means, covs), k, d, covariance_type)
    except ValueError as exc:
        raise ParamsError(f"{path}: {exc}") from None
    return {"weights": weights, "means": means, "covariances": covs,
            "covariance_type": covariance_type, "log_likelihood_history": history,
            "options": options, "library_version": meta.get("library_version")}


def _read_params_file(path, ext):
    """The metadata dict and the raw arrays of a ``.json`` or ``.npz`` parameter file."""
    with _open_params_file(path) as fh:
        try:
            head = fh.read(512)
            _check_params_file_kind(path, ext, head)
            fh.seek(0)
            if ext == ".json":
                meta = _read_json(path, fh)
                if not isinstance(meta, dict):
                    raise ParamsError(f"{path}: not a gmm-visualizer parameter file")
                arrays = {key: meta[key] for key in
                          ("weights", "means", "covariances", "log_likelihood_history")
                          if key in meta}
            else:
                with np.load(fh, allow_pickle=False) as z:
                    arrays = {key: z[key] for key in z.files}
                meta_text = arrays.pop("meta", None)
                meta = {} if meta_text is None else json.loads(str(meta_text))
        except ParamsError:
            raise
        except RecursionError:
            raise ParamsError(f"{path}: metadata nested too deeply") from None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            first = str(exc).splitlines()[0] if str(exc) else "unreadable"
            raise ParamsError(f"{path}: cannot read parameters ({type(exc).__name__}: "
                              f"{_short(first, 120)})") from None
    return meta, arrays


def _check_format(path, meta):
    """The metadata names this project's parameter format, in a version this code reads."""
    if not isinstance(meta, dict) or meta.get("format") != PARAMS_FORMAT:
        raise ParamsError(f"{path}: not a gmm-visualizer parameter file "
                          "(write one with --save-params or GaussianMixture.save)")
    version = meta.get("format_version")
    if type(version) is not int or version != PARAMS_FORMAT_VERSION:  # noqa: E721 (not True)
        raise ParamsError(f"{path}: parameter format version {_short(repr(version))} is not "
                          f"supported (this version reads {PARAMS_FORMAT_VERSION}); "
                          "refit and save again")


def _numeric_arrays(path, arrays):
    """Finite float64 weights, means, covariances and the (possibly empty) ll history."""
    for key in ("weights", "means", "covariances"):
        if key not in arrays:
            raise ParamsError(f"{path}: has no {key}; {_WRITE_PARAMS_HINT}")
    weights, means, covs = (_numeric(path, key, arrays[key])
                            for key in ("weights", "means", "covariances"))
    for key, values in (("weights", weights), ("means", means), ("covariances", covs)):
        if not np.isfinite(values).all():
            raise ParamsError(f"{path}: {key} hold NaN, infinity or a number too large for "
                              f"float64 (beyond 1.8e308); {_WRITE_PARAMS_HINT}")
    raw_history = arrays.get("log_likelihood_history")
    history = (np.empty(0) if raw_history is None
               else _numeric(path, "log_likelihood_history", raw_history).ravel())
    return weights, means, covs, history


def _type_and_options(path, meta):
    """The file's covariance type (default "full") and its options dict."""
    covariance_type = meta.get("covariance_type", "full")
    if not isinstance(covariance_type, str) or covariance_type not in COVARIANCE_TYPES:
        raise ParamsError(f"{path}: covariance_type must be one of "
                          f"{', '.join(COVARIANCE_TYPES)}, got {_short(repr(covariance_type))}")
    options = meta.get("options", {})
    if not isinstance(options, dict):
        raise ParamsError(f"{path}: options must be a JSON object, got "
                          f"{type(options).__name__}")
    return covariance_type, options


def labels_table(resp, index=None, kept=None):
    """The rows ``--save-labels`` writes, as text: a header and one line per point.

    Parameters
    ----------
    resp : ndarray, shape (n, k)
        Each point's responsibilities (the fit's last state); the label is
        the most responsible component.
    index : tuple (name, list of N str), optional
        The input's row index (one cell per row of the file), written first.
    kept : ndarray of bool, shape (N,), optional
        Which rows of the file are the n points (``--drop-missing``); the
        others get an empty label and empty responsibilities.

    Returns
    -------
    list of str
        ``[index,]label,responsibility_0,...``; responsibilities with 17
        significant digits (they read back as the same doubles).
    """
    return list(label_lines([resp], resp.shape[1], index, kept))


def _csv_cell(text):
    """``text`` as one CSV cell: quoted when it holds a comma, a quote or a line break."""
    if any(c in text for c in ',"\n\r') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def label_lines(blocks, k, index=None, kept=None):
    """The lines of :func:`labels_table`, from the responsibilities in blocks of
    rows (arrays (m, k), in order), one at a time: a memory map's labels are
    written without holding them all."""
    head = ["label"] + [f"responsibility_{j}" for j in range(k)]
    yield ",".join(([_csv_cell(index[0])] if index else []) + head)
    rows = iter(range(len(kept))) if kept is not None else itertools.count()
    blank = "," * k                 # a row left out: no label, no responsibilities

    def prefix(r):
        return _csv_cell(index[1][r]) + "," if index else ""

    for block in blocks:
        labels = block.argmax(axis=1)
        for i in range(len(block)):
            row = next(rows)
            while kept is not None and not kept[row]:
                yield prefix(row) + blank
                row = next(rows)
            yield prefix(row) + ",".join([str(int(labels[i]))] +
                                         [repr(float(v)) for v in block[i]])
    for row in rows if kept is not None else ():
        yield prefix(row) + blank


# --------------------------------------------------------------------------- #
# The command line's parameter and label files
# --------------------------------------------------------------------------- #

def start_from_file(command_line, d, n):
    """``(k, init, covariance_type)``: the command line's, or those of its
    ``--init-params`` file (``-k`` and ``--covariance-type`` default to the file's).

    Parameters
    ----------
    command_line : gmm_options.CommandLine
    d, n : int
        The data's number of columns and of points.

    Raises
    ------
    gmm_cli.UsageError
        A flag that cannot be combined with ``--init-params``, or a file that
        does not fit the data or the flags.
    """
    options = command_line.options
    k, init, covariance_type = options.n_components, options.init, options.covariance_type
    path = command_line.init_params
    if path is None:
        return k, init, covariance_type
    if command_line.select_k is not None:
        raise UsageError("--init-params and --select-k cannot be combined: --select-k "
                         "fits every k from its own initialisations")
    if command_line.n_init > 1:
        raise UsageError(f"--init-params and --n-init {command_line.n_init} cannot be "
                         "combined: EM starts once, from the file's parameters; drop --n-init")
    try:
        params = load_params(path, n_features=d)
    except ParamsError as exc:
        raise UsageError(f"--init-params {exc}") from None
    file_k = len(params["weights"])
    if "n_components" in command_line.explicit and k != file_k:
        raise UsageError(f"-k {k} does not match --init-params {path}, which holds "
                         f"{file_k} components; drop -k or pass -k {file_k}")
    k = file_k
    init = (params["weights"], params["means"], params["covariances"])
    file_type = params["covariance_type"]
    if "covariance_type" not in command_line.explicit:
        covariance_type = file_type
    else:
        try:
            check_init_params(init, k, d, covariance_type)
        except ValueError as exc:
            raise UsageError(f"--init-params {path} (fitted with --covariance-type "
                             f"{file_type}) cannot start a --covariance-type "
                             f"{covariance_type} fit: {exc}") from None
    if k > n:
        raise UsageError(f"--init-params {path} holds {k} components, more than the "
                         f"number of points ({n})")
    return k, init, covariance_type


def save_run_params(command_line, record, options, column_names=None):
    """Write a run's final d-dimensional fit (user units) to ``--save-params``,
    with the command line's flags; returns the status line.

    Parameters
    ----------
    command_line : gmm_options.CommandLine
    record : gmm_transforms.FitRecord
        The run's states in user units (the last one is saved).
    options : gmm_options.Options
        The options the run used (k and the covariance type may come from
        ``--select-k`` or ``--init-params``; ``--dims I`` is a 1-D fit of
        column I, no drawn view, so dims are None).
    column_names : list of str, optional
        The loaded columns' names.
    """
    path, last = command_line.save_params, record.last
    saved = dict(command_line.record)
    saved.update(num_clusters=options.n_components, covariance_type=options.covariance_type,
                 dims=None if options.dims is None else list(options.dims))   # as the run used them
    if options.random_state is not None:        # a seed drawn for a run without --seed
        saved["seed"] = options.random_state
    if command_line.load_path is not None:      # the data was loaded, not sampled
        for key in ("means", "num_points", "max_radius"):
            saved.pop(key, None)
        if column_names is not None:
            saved["column_names"] = list(column_names)
    save_params(path, last.weights, last.means, last.covariances,
                covariance_type=options.covariance_type,
                log_likelihood_history=record.log_likelihoods, options=saved)
    return f"saved the fitted parameters to {path}"


LABEL_EXTENSIONS = (".csv",)


def check_labels_path(path):
    """Raise :class:`gmm_cli.UsageError` unless ``--save-labels`` ``path`` can take a new
    CSV file (that it names no input or other output is
    :func:`gmm_cli.check_distinct_files`)."""
    if not path:
        raise UsageError("--save-labels is empty; give the path of a .csv file")
    ext = os.path.splitext(path)[1].lower()
    if ext not in LABEL_EXTENSIONS:
        raise UsageError(f"--save-labels {echo(path)}: unknown extension "
                         f"{echo(ext) if ext else '(none)'}; use .csv")
    problem = target_problem(path)
    if problem is not None:
        raise UsageError(f"--save-labels {echo(path)}: {problem}; choose another path")


def save_labels(path, fit, index=None, kept=None):
    """Write ``--save-labels`` atomically (inside the caller's ``all_or_none``),
    block by block; returns the status and note lines.

    Parameters
    ----------
    path : str
    fit : gmm_fit.FitRun
        A finished run (its last state labels the points).
    index : tuple (name, list of N str), optional
        The input's row index; left out (with a note) when the points were
        edited in the live window.
    kept : ndarray of bool, shape (N,), optional
        The rows of the file that were fitted (``--drop-missing``): the
        others are written with an empty label.
    """
    notes = []
    if (index is not None or kept is not None) and fit.edits != (0, 0):    # points edited
        index = kept = None
        notes.append("--save-labels: the data were edited in the window; the "
                     "input's row index no longer applies and is left out")
    state = fit.record.last
    count = 0

    def write(fp):
        nonlocal count
        for line in label_lines(fit.responsibility_blocks(state), len(state.weights), index,
                                kept):
            fp.write((line + "\n").encode("utf-8"))
            count += 1
    atomic_write(path, write)
    notes.append(f"saved {count - 1} labels and responsibilities to {path}")
    return notes
