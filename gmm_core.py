"""Foundations shared by gmm, gmm_kmeans and gmm_params: version, argument checks, chunking.

Contents (the public names are re-exported by :mod:`gmm`, where they are documented)
------------------------------------------------------------------------------------
__version__, _read_version
    The version declared in pyproject.toml (the package metadata when installed).
COVARIANCE_TYPES, INITS
    The accepted ``covariance_type`` and named ``init`` values.
check_init_params, _check_init_tuple
    Validate starting parameters ``(weights, means, covariances)``.
_check_X, _check_int, _check_nonneg_float, _check_covariance_type, _as_rng
    Argument checks; each raises ``TypeError`` or ``ValueError`` with one line.
CHUNK_ROWS, _chunks
    Row chunking of the E-step and of k-means' nearest-centre search.

This is a leaf: it imports numpy and the standard library only, and never
imports ``gmm``, ``gmm_kmeans``, ``gmm_params``, scipy or matplotlib.  Imports
point one way, ``gmm_core <- gmm_kmeans, gmm_params <- gmm``: ``gmm_kmeans``
and ``gmm_params`` import this module (and never ``gmm``); ``gmm`` imports all
three.
"""

from __future__ import annotations

import math
import numbers
import os

import numpy as np

__all__ = [
    "__version__",
    "COVARIANCE_TYPES",
    "INITS",
    "CHUNK_ROWS",
    "check_init_params",
]


def _read_version():
    """The version declared in pyproject.toml (the one source of truth).

    An installed copy answers from its package metadata; a checkout reads the
    pyproject.toml beside this file.
    """
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyproject.toml")
    if os.path.exists(here):
        try:
            import tomllib
            with open(here, "rb") as fh:
                return tomllib.load(fh)["project"]["version"]
        except ImportError:  # Python < 3.11: the one line we need, read as text
            import re
            with open(here, encoding="utf-8") as fh:
                found = re.search(r'^version\s*=\s*"([^"]+)"', fh.read(), re.M)
            if found:
                return found.group(1)
        except Exception:  # a broken file: fall back to the package metadata
            pass
    try:
        from importlib.metadata import version
        return version("gmm-visualizer")
    except Exception:
        return "0+unknown"


__version__ = _read_version()

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INITS = ("kmeans++", "kmeans", "random", "random_from_data")

#: Rows per chunk in the E-step; keeps the (chunk, k) block cache-friendly.
CHUNK_ROWS = 16384


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
def _check_X(X, n_components=None) -> np.ndarray:
    """Return X as a C-contiguous float64 (n, d) array or raise ValueError."""
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"X could not be converted to an array ({exc}); "
                         "pass a numeric array of shape (n_samples, n_features)") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"X must be numeric, got dtype {arr.dtype}; "
                         "convert it to floats, e.g. np.asarray(X, dtype=float)")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError("X must be real-valued, got complex numbers; pass the real part or split them into columns")
    if arr.ndim != 2:
        hint = (" ; reshape a single feature with X.reshape(-1, 1)" if arr.ndim == 1 else "")
        raise ValueError(f"X must be 2-D of shape (n_samples, n_features), got {arr.ndim}-D "
                         f"with shape {arr.shape}{hint}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"X is empty (shape {arr.shape}); it needs at least one sample and one feature")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise ValueError(f"X contains NaN or infinity in {int(bad.sum())} of {arr.shape[0]} rows; "
                         "remove or impute those rows first")
    if n_components is not None and arr.shape[0] < n_components:
        raise ValueError(f"n_components={n_components} needs at least that many samples, "
                         f"but X has {arr.shape[0]}; use fewer components or more data")
    return arr


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_nonneg_float(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def _check_covariance_type(covariance_type):
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; "
                         f"got {covariance_type!r}")
    return covariance_type


def _as_rng(random_state) -> np.random.Generator:
    """Turn None, an int or a Generator into a Generator (no global state)."""
    if random_state is None or isinstance(random_state, (numbers.Integral, np.integer)) \
            and not isinstance(random_state, bool):
        if random_state is not None and random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise TypeError(f"random_state must be None, an int or a numpy.random.Generator, "
                    f"got {type(random_state).__name__}")


def _check_init_tuple(init, n_components, n_features, covariance_type):
    """Validate ``(weights, means, covariances)`` and return float64 copies."""
    if len(init) != 3:
        raise ValueError("init as a tuple must be (weights, means, covariances); "
                         f"got {len(init)} items")
    k, d = n_components, n_features
    try:
        weights = np.array(init[0], dtype=np.float64)
        means = np.array(init[1], dtype=np.float64)
        covs = np.array(init[2], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("init tuple must hold numeric arrays (weights, means, covariances)") from None
    if weights.shape != (k,):
        raise ValueError(f"init weights must have shape ({k},), got {weights.shape}")
    if means.shape != (k, d):
        raise ValueError(f"init means must have shape ({k}, {d}) = (n_components, n_features), "
                         f"got {means.shape}")
    if covs.shape != (k, d, d):
        raise ValueError(f"init covariances must have shape ({k}, {d}, {d}) "
                         f"(full matrices for every covariance type), got {covs.shape}")
    for name, a in (("weights", weights), ("means", means), ("covariances", covs)):
        if not np.isfinite(a).all():
            raise ValueError(f"init {name} contain NaN or infinity")
    if (weights < 0).any() or (weights > 1).any():
        raise ValueError("init weights must lie in [0, 1]")
    if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-6):
        raise ValueError(f"init weights must sum to 1, they sum to {weights.sum():.8g}; "
                         "divide them by their sum")
    if not np.allclose(covs, np.swapaxes(covs, 1, 2), rtol=1e-10, atol=1e-12 * max(1.0, np.abs(covs).max())):
        raise ValueError("init covariances must be symmetric")
    if (np.linalg.eigvalsh(covs).min(axis=1) <= 0).any():
        raise ValueError("init covariances must be positive definite")
    off = covs - covs * np.eye(d)
    tol = 1e-10 * max(1.0, float(np.abs(covs).max()))
    if covariance_type == "tied" and not np.allclose(covs, covs[:1], rtol=0, atol=tol):
        raise ValueError("covariance_type='tied' needs the same covariance matrix for every component in init")
    if covariance_type in ("diag", "spherical") and np.abs(off).max(initial=0) > tol:
        raise ValueError(f"covariance_type={covariance_type!r} needs diagonal init covariances")
    if covariance_type == "spherical":
        diag = np.diagonal(covs, axis1=1, axis2=2)
        if np.abs(diag - diag[:, :1]).max() > tol:
            raise ValueError("covariance_type='spherical' needs init covariances of the form c * I")
    return weights, means, 0.5 * (covs + np.swapaxes(covs, 1, 2))


def check_init_params(init, n_components, n_features, covariance_type="full"):
    """Validate starting parameters as ``em_steps(..., init=init)`` would.

    Parameters
    ----------
    init : tuple (weights, means, covariances)
        ``weights`` (k,) in [0, 1] summing to 1, ``means`` (k, d) and
        ``covariances`` (k, d, d) symmetric positive definite, satisfying the
        covariance type's constraint (tied: all equal; diag: diagonal;
        spherical: ``c * I``).
    n_components : int
        ``k``.
    n_features : int
        ``d``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"

    Returns
    -------
    weights : ndarray (k,)
    means : ndarray (k, d)
    covariances : ndarray (k, d, d)
        float64 copies (covariances exactly symmetrised).

    Raises
    ------
    ValueError
        Saying which array is wrong and how.
    """
    return _check_init_tuple(init, n_components, n_features,
                             _check_covariance_type(covariance_type))


# --------------------------------------------------------------------------
# Row chunking
# --------------------------------------------------------------------------
def _chunks(n, size=CHUNK_ROWS):
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))
