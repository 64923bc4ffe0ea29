"""Saving and loading fitted mixture parameters, never pickled.

Public API (all re-exported by :mod:`gmm`, where they are documented)
---------------------------------------------------------------------
save_params, load_params, ParamsError
    Write fitted parameters to ``.npz`` / ``.json`` atomically and read them
    back without unpickling; a bad file raises ``ParamsError`` (a
    ``ValueError``) with one line naming it.
check_params_path
    The check ``save_params`` applies, for callers that want to fail early.
PARAMS_FORMAT, PARAMS_FORMAT_VERSION
    The ``format`` tag and version every parameter file carries.

This module uses numpy, the standard library, the standard-library helper
``atomic_file`` and ``gmm_core`` (``__version__`` for ``save_params``, the
init-tuple checks for ``load_params``) only; it never imports matplotlib or
``gmm`` (``gmm`` imports this module for ``GaussianMixture.save`` / ``load``).
Imports point one way, ``gmm_core <- gmm_kmeans, gmm_params <- gmm``.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile

import numpy as np

from atomic_file import atomic_write
from gmm_core import __version__, _check_covariance_type, _check_init_tuple

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


def check_params_path(path):
    """Raise :class:`ParamsError` unless :func:`save_params` can write ``path``.

    Checks that the name ends in ``.npz`` or ``.json``, is not a directory,
    and that its directory exists and takes a new file (a probe file is
    created there and removed; ``path`` itself is never touched). The
    one-line message names ``path`` and what to do.

    Parameters
    ----------
    path : str or os.PathLike
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".npz", ".json"):
        raise ParamsError(f"{path}: unsupported extension {ext or '(none)'}; use .npz or .json")
    if os.path.isdir(path):
        raise ParamsError(f"{path}: is a directory; give a file name ending in .npz or .json")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ParamsError(f"{path}: directory {directory} does not exist; create it first")
    try:    # a real probe: os.access says yes to root even on /proc or a read-only mount
        fd, probe = tempfile.mkstemp(prefix=".gmm-probe-", dir=directory)
    except OSError:
        raise ParamsError(f"{path}: directory {directory} is not writable; "
                          "choose another directory") from None
    os.close(fd)
    os.unlink(probe)


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
    weights = np.asarray(weights, dtype=float)
    means = np.asarray(means, dtype=float)
    covariances = np.asarray(covariances, dtype=float)
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


def _check_params_file_kind(path, ext):
    """Raise ParamsError when the first bytes of ``path`` cannot be its format.

    A renamed text file, a ``.npy`` array or a ``.npz`` called ``.json`` gets
    a message saying what the file looks like instead of a parser's error.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise ParamsError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not head:
        raise ParamsError(f"{path}: the file is empty; {_WRITE_PARAMS_HINT}")
    kind = _looks_like(head)
    if ext == ".npz" and not head.startswith(b"PK"):
        raise ParamsError(f"{path}: not a .npz archive (looks like {kind}); {_WRITE_PARAMS_HINT}")
    if ext == ".json" and kind != "a text file":
        raise ParamsError(f"{path}: not a JSON file (looks like {kind}); {_WRITE_PARAMS_HINT}")


def load_params(path, *, n_features=None):
    """Read parameters written by :func:`save_params`; nothing is unpickled.

    Parameters
    ----------
    path : str
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
        With one line naming the file and the problem.
    """
    ext = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise ParamsError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ParamsError(f"{path}: is a directory, not a parameter file")
    _check_params_file_kind(path, ext)
    try:
        if ext == ".json":
            with open(path, "r", encoding="utf-8") as fh:
                try:
                    doc = json.load(fh)
                except json.JSONDecodeError as exc:
                    raise ParamsError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} "
                                      f"column {exc.colno}); {_WRITE_PARAMS_HINT}") from None
            if not isinstance(doc, dict):
                raise ParamsError(f"{path}: not a gmm-visualizer parameter file")
            meta = doc
            arrays = {key: doc.get(key) for key in
                      ("weights", "means", "covariances", "log_likelihood_history")}
        elif ext == ".npz":
            with np.load(path, allow_pickle=False) as z:
                arrays = {key: z[key] for key in z.files}
            meta = json.loads(str(arrays.pop("meta"))) if "meta" in arrays else {}
        else:
            raise ParamsError(f"{path}: unsupported extension {ext or '(none)'}; use .npz or .json")
    except ParamsError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ParamsError(f"{path}: cannot read parameters ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})") from None
    if not isinstance(meta, dict) or meta.get("format") != PARAMS_FORMAT:
        raise ParamsError(f"{path}: not a gmm-visualizer parameter file "
                          "(write one with --save-params or GaussianMixture.save)")
    if meta.get("format_version") != PARAMS_FORMAT_VERSION:
        raise ParamsError(f"{path}: parameter format version {meta.get('format_version')!r} is not "
                          f"supported (this version reads {PARAMS_FORMAT_VERSION}); refit and save again")
    try:
        weights = np.asarray(arrays["weights"], dtype=float)
        means = np.asarray(arrays["means"], dtype=float)
        covs = np.asarray(arrays["covariances"], dtype=float)
        raw_history = arrays.get("log_likelihood_history")
        history = np.asarray([] if raw_history is None else raw_history, dtype=float).ravel()
    except (KeyError, TypeError, ValueError):
        raise ParamsError(f"{path}: weights, means and covariances must be numeric arrays") from None
    if means.ndim != 2:
        raise ParamsError(f"{path}: means must be a (k, d) array, got shape {means.shape}")
    k, d = means.shape
    if n_features is not None and d != n_features:
        raise ParamsError(f"{path}: parameters are for {d}-column data, but the data has "
                          f"{n_features} columns")
    covariance_type = meta.get("covariance_type", "full")
    try:
        weights, means, covs = _check_init_tuple((weights, means, covs), k, d,
                                                 _check_covariance_type(covariance_type))
    except ValueError as exc:
        raise ParamsError(f"{path}: {exc}") from None
    return {"weights": weights, "means": means, "covariances": covs,
            "covariance_type": covariance_type, "log_likelihood_history": history,
            "options": meta.get("options", {}), "library_version": meta.get("library_version")}
