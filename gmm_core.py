"""What the model's modules share: version, argument checks, chunking, parameter counts.

__version__, _read_version
    The version declared in pyproject.toml (the package metadata when installed).
COVARIANCE_TYPES, INITS
    The accepted ``covariance_type`` and named ``init`` values.
check_init_params, check_init_tuple, check_mixture
    Validate mixture parameters ``(weights, means, covariances)`` (starting
    parameters, and parameters evaluated on data).
real_array, check_X, check_int, check_nonneg_float, check_covariance_type, as_rng
    Argument checks; each raises ``TypeError`` or ``ValueError`` with one line
    naming the argument.
check_spread
    Data whose squares overflow or underflow float64 cannot be fitted: one
    clear ``ValueError`` saying so and to standardise.
CHUNK_ROWS, chunks, e_step_rows
    Row chunking of the passes (the E-step's by its number of components) and
    of k-means' nearest-centre search.
n_parameters
    The number of free parameters of a mixture (scikit-learn's count).
"""

from __future__ import annotations

import math
import numbers
import os
import re

import numpy as np

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

__all__ = [
    "__version__",
    "COVARIANCE_TYPES",
    "INITS",
    "CHUNK_ROWS",
    "e_step_rows",
    "check_init_params",
    "n_parameters",
    "singular", "cholesky", "exp_normalise", "first_argmax_of_exp",
]


def _read_version():
    """The version declared in pyproject.toml (the one source of truth).

    A checkout reads the pyproject.toml beside this file; an installed copy
    (no such file, or an unreadable one) answers from its package metadata.
    """
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyproject.toml")
    if os.path.exists(here):
        try:
            found = _pyproject_version(here)
        except Exception:  # a broken file: fall back to the package metadata
            found = None
        if found:
            return found
    from importlib import metadata      # 20 ms; only an installed copy asks it
    try:
        return metadata.version("gmm-visualizer")
    except Exception:
        return "0+unknown"


def _pyproject_version(path):
    """``project.version`` of a pyproject.toml (its one line, read as text, before Python 3.11)."""
    if tomllib is not None:
        with open(path, "rb") as fh:
            return tomllib.load(fh)["project"]["version"]
    with open(path, encoding="utf-8") as fh:
        found = re.search(r'^version\s*=\s*"([^"]+)"', fh.read(), re.M)
    return found.group(1) if found else None


__version__ = _read_version()

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INITS = ("kmeans++", "kmeans", "random", "random_from_data")

#: Rows per chunk of a pass over the data (the E-step's: :func:`e_step_rows`).
CHUNK_ROWS = 16384


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
#: Largest finite float64 and the smallest spread whose square is still a
#: normal float64 with full precision (below it squares underflow).
_FMAX = float(np.finfo(np.float64).max)
_MIN_SPREAD = math.sqrt(float(np.finfo(np.float64).tiny) / float(np.finfo(np.float64).eps))
_STANDARDISE = ("standardise it first (subtract each column's mean and divide by its "
                "standard deviation)")


def _sci(x):
    """``x`` (any float type, float128 too) in 4 significant digits, never via float64."""
    return np.format_float_scientific(x, precision=3, trim="-")


def real_array(value, name, copy=False) -> np.ndarray:
    """``value`` as a float64 array of real numbers, or a ValueError naming ``name``.

    Accepts what scikit-learn's ``check_array`` accepts: any integer, bool or
    float dtype (float16 to float128), and object arrays holding numbers
    (e.g. a DataFrame of pandas' nullable dtypes).  Complex numbers (even with
    a zero imaginary part), strings, dates and timedeltas are rejected rather
    than cast.  A float128 value outside float64's range, or a non-zero one
    that would underflow to 0, is an error, never silently inf or 0.  NaN and
    infinity are left to the caller.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array ({exc}); "
                         "pass an array of numbers") from None
    if arr.dtype == object:
        if any(isinstance(v, (complex, np.complexfloating)) for v in arr.flat):
            raise ValueError(f"{name} must be real-valued, got complex numbers; "
                             "pass the real part or split them into columns")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{name} must hold numbers only; converting it to floats failed "
                             f"({exc}); e.g. np.asarray({name}, dtype=float)") from None
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real-valued, got complex numbers; "
                         "pass the real part or split them into columns")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}; "
                         f"convert it to floats, e.g. np.asarray({name}, dtype=float)")
    if arr.dtype.kind == "f" and arr.dtype.itemsize > 8 and arr.size:
        # float128: range-check in its own precision before narrowing
        finite = np.isfinite(arr)
        big = np.abs(np.where(finite, arr, 0))
        if big.max() > _FMAX:
            raise ValueError(f"{name} holds finite values beyond float64's range "
                             f"(largest magnitude {_sci(big.max())}, float64 ends at "
                             f"{_FMAX:.4g}); {_STANDARDISE}")
        out = np.array(arr, dtype=np.float64)
        if ((out == 0) & (big > 0)).any():
            raise ValueError(f"{name} holds non-zero values too small for float64 (smallest "
                             f"magnitude {_sci(big[big > 0].min())}); {_STANDARDISE}")
        return out
    return np.array(arr, dtype=np.float64) if copy else np.asarray(arr, dtype=np.float64)


def check_X(X, n_components=None, name="X") -> np.ndarray:
    """Return X as a C-contiguous float64 (n, d) array or raise ValueError.

    ``X`` may be any array-like ``real_array`` accepts (lists, DataFrames,
    int/bool/float16/32/128, object arrays of numbers, read-only or strided
    arrays); it must be 2-D, non-empty and finite.
    """
    arr = real_array(X, name)
    if arr.ndim != 2:
        hint = (f"; reshape a single feature with {name}.reshape(-1, 1)" if arr.ndim == 1 else "")
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features), got {arr.ndim}-D "
                         f"with shape {arr.shape}{hint}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one sample "
                         "and one feature")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    # a finite sum of every entry proves them all finite (one fast contiguous
    # reduction); a NaN, an infinity or an overflowing sum looks row by row
    with np.errstate(over="ignore", invalid="ignore"):
        all_finite = bool(np.isfinite(arr.sum()))
    bad = None if all_finite else ~np.isfinite(arr).all(axis=1)
    if bad is not None and bad.any():
        raise ValueError(f"{name} contains NaN or infinity in {int(bad.sum())} of "
                         f"{arr.shape[0]} rows; remove or impute those rows first")
    if n_components is not None and arr.shape[0] < n_components:
        raise ValueError(f"n_components={n_components} needs at least that many samples, "
                         f"but {name} has {arr.shape[0]}; use fewer components or more data")
    return arr


#: ``em_steps`` refuses data whose largest column variance is below this many
#: times ``reg_covar`` (> 0): every component would be at least ~30 times wider
#: than the whole data set, so the fit would describe reg_covar, not the data
#: (data at 1e-10 with the default 1e-6).  Strong but deliberate
#: regularisation (reg_covar near the data's variance) is fitted as scikit-learn
#: fits it.
REG_COVAR_DOMINATES = 1e-3


def check_scale(spread, var, n, d, reg_covar):
    """:func:`gmm_em.check_fit_scale` from the numbers: the largest absolute centred
    coordinate and the largest column variance (a float, or a function giving it)."""
    if not math.isfinite(spread):
        spread = math.inf
    check_spread(spread, n, d)
    if reg_covar > 0 and spread > 0:
        var = var() if callable(var) else var
        if var < REG_COVAR_DOMINATES * reg_covar:
            raise ValueError(
                f"X varies too little for reg_covar={reg_covar:g}: its largest column variance "
                f"is {var:.3g}, under {REG_COVAR_DOMINATES:g} * reg_covar, so reg_covar "
                "(absolute, added to every covariance) would hide the data in every component; "
                "standardise X (subtract each column's mean and divide by its standard "
                "deviation) or lower reg_covar")


def check_spread(spread, n, d, name="X", small_ok=False):
    """Raise ValueError when points ``spread`` apart cannot be fitted in float64.

    Parameters
    ----------
    spread : float
        Largest absolute coordinate of the centred data (and of any given
        centres or means, centred the same way); inf or NaN when centring
        itself overflowed.
    n, d : int
        Number of rows and columns: sums of ``n`` squares must stay finite.
    name : str
        The argument named in the message.
    small_ok : bool
        Check only for overflow (for means, which may sit on the centre).

    A spread of exactly 0 (all rows equal) is representable.  Otherwise the
    squares of the spread, summed over ``n`` rows and ``d`` columns with some
    headroom, must not overflow, and must not underflow below float64's normal
    range (where they would lose their digits or become 0).
    """
    if spread == 0:
        return
    if not math.isfinite(spread) or \
            2 * math.log(spread) + math.log(8.0 * n * d) > math.log(_FMAX):
        limit = math.sqrt(_FMAX / (8.0 * n * d))
        raise ValueError(f"the values of {name} cannot be represented in a fit: they lie up "
                         f"to {spread:.3g} from the data's mean and squares of that overflow "
                         f"float64 (the limit for {n} rows is about {limit:.3g}); {_STANDARDISE}")
    if spread < _MIN_SPREAD and not small_ok:
        raise ValueError(f"the values of {name} cannot be represented in a fit: they lie only "
                         f"up to {spread:.3g} from their mean and squares of that underflow "
                         f"float64 (the limit is about {_MIN_SPREAD:.3g}); {_STANDARDISE}")


def check_int(name, value, minimum, maximum=None):
    """``value`` as an int from ``minimum`` to ``maximum`` (None: no limit).

    The one integer check of the library, the options and data_gen. A bool,
    a float or a string is a TypeError, even when it holds a whole number.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r:.60}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        shown = str(value) if value < 10**15 else f"about 10**{int(value).bit_length() * 3 // 10}"
        raise ValueError(f"{name} must be at most {maximum:,}, got {shown}")
    return int(value)


def usable_cores():
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def check_n_jobs(n_jobs, name="n_jobs"):
    """Threads a pass may use for ``n_jobs``, scikit-learn's meanings; an int >= 1.

    ``None`` or ``-1``: every usable core; a positive int: that many (any size:
    a pass never starts more threads than it has blocks); ``-2``, ``-3``, ...:
    all cores but 1, 2, ... (at least one).  0, other types and non-integral
    numbers raise.
    """
    cores = usable_cores()
    if n_jobs is None:
        return cores
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"{name} must be an integer (a thread count >= 1, or -1 for every "
                        f"core) or None, got {str(n_jobs)[:60]!s} ({type(n_jobs).__name__})")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError(f"{name}=0 would run on no thread; use a thread count >= 1, "
                         "or -1 (or None) for every core")
    return n_jobs if n_jobs > 0 else max(cores + 1 + n_jobs, 1)


def check_nonneg_float(name, value, *, positive=False, minimum=None, maximum=None):
    """``value`` as a finite float >= 0 (> 0 with ``positive``), at least ``minimum``
    and at most ``maximum`` when given.

    The one number check of the library, the options (``animate()``'s and the
    command line's) and data_gen. A bool, a string or a complex number is a
    TypeError; an int beyond float64 is "at most ``maximum``" when there is one.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r:.60}")
    try:
        with np.errstate(over="ignore"):
            as_float = float(value)
    except (OverflowError, ValueError, TypeError):  # a 400-digit int, an odd Real
        if maximum is None:
            raise ValueError(f"{name} must be a finite number >= 0 within float64's range, "
                             f"got {str(value)[:60]}") from None
        as_float = math.inf
    if maximum is not None and as_float > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, got {as_float:g}")
    if math.isinf(as_float) and isinstance(value, np.floating) and np.isfinite(value):
        raise ValueError(f"{name} must be a finite number >= 0 within float64's range, "
                         f"got {value!s} (finite, but beyond float64)")
    if not (as_float >= 0 and math.isfinite(as_float)) or (positive and as_float == 0):
        raise ValueError(f"{name} must be a finite number {'>' if positive else '>='} 0, "
                         f"got {as_float}")
    if minimum is not None and as_float < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {as_float:g}")
    return as_float


def check_covariance_type(covariance_type):
    if not isinstance(covariance_type, str) or covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; "
                         f"got {covariance_type!r}")
    return covariance_type


def as_rng(random_state, max_seed=None) -> np.random.Generator:
    """Turn None, an int seed from 0 to ``max_seed`` (None: no limit), a Generator,
    a RandomState, a SeedSequence or a BitGenerator into a Generator (no global
    state). The one place a ``random_state`` becomes a generator."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer, got {random_state}")
        check_int("random_state", random_state, 0, max_seed)
        return np.random.default_rng(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, (np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be None, an int or a numpy.random.Generator, "
                    f"got {type(random_state).__name__}")


def check_init_tuple(init, n_components, n_features, covariance_type):
    """Validate ``(weights, means, covariances)`` and return float64 copies."""
    try:
        count = len(init)
    except TypeError:
        raise ValueError("init as a tuple must be (weights, means, covariances); "
                         f"got {type(init).__name__}") from None
    if count != 3:
        raise ValueError("init as a tuple must be (weights, means, covariances); "
                         f"got {count} items")
    return check_mixture(init[0], init[1], init[2], n_components, n_features,
                          covariance_type, prefix="init ")


def check_mixture(weights, means, covariances, n_components, n_features,
                   covariance_type="full", prefix=""):
    """Validate mixture parameters; return float64 copies (covariances symmetrised).

    Parameters
    ----------
    weights, means, covariances : array-like
        Expected shapes (k,), (k, d), (k, d, d).
    n_components : int or None
        ``k``; None takes it from ``len(weights)``.
    n_features : int
        ``d`` (the number of columns of the data they are used with).
    covariance_type : str
        The constraint the covariances must satisfy.
    prefix : str
        Put before the argument names in messages (``"init "``).

    Raises
    ------
    ValueError
        Naming the array and saying what is wrong: not real numbers, a wrong
        shape, NaN/inf, weights outside [0, 1] or not summing to 1 (within
        1e-6), covariances not symmetric, not positive definite, too small to
        invert in float64, or not of ``covariance_type``'s form.
    """
    weights = real_array(weights, f"{prefix}weights", copy=True)
    means = real_array(means, f"{prefix}means", copy=True)
    covs = real_array(covariances, f"{prefix}covariances", copy=True)
    _check_mixture_shapes(weights, means, covs, n_components, n_features, prefix)
    for name, a in (("weights", weights), ("means", means), ("covariances", covs)):
        if not np.isfinite(a).all():
            raise ValueError(f"{prefix}{name} contain NaN or infinity")
    _check_weights(weights, prefix)
    covs = _symmetric_positive_definite(covs, prefix)
    _check_covariance_form(covs, covariance_type, prefix)
    return weights, means, covs


def _check_mixture_shapes(weights, means, covs, n_components, d, prefix):
    """Shapes (k,), (k, d), (k, d, d), with ``k = n_components`` when given."""
    if weights.ndim != 1 or (n_components is not None and weights.shape[0] != n_components) \
            or weights.shape[0] == 0:
        want = "(n_components,)" if n_components is None else f"({n_components},)"
        raise ValueError(f"{prefix}weights must have shape {want}, got {weights.shape}")
    k = weights.shape[0]
    if n_components is None and means.shape != (k, d) and means.ndim == 2 \
            and means.shape[0] != k:
        raise ValueError(f"{prefix}weights have {k} entries but {prefix}means {means.shape[0]} "
                         f"rows: both must have one per component")
    if means.shape != (k, d):
        if means.ndim == 2 and means.shape[0] == k:
            raise ValueError(f"{prefix}means have {means.shape[1]} columns but X has {d}: "
                             f"{prefix}means must have shape ({k}, {d}) = (n_components, "
                             f"n_features), got {means.shape}")
        raise ValueError(f"{prefix}means must have shape ({k}, {d}) = (n_components, n_features), "
                         f"got {means.shape}")
    if covs.shape != (k, d, d):
        raise ValueError(f"{prefix}covariances must have shape ({k}, {d}, {d}) "
                         f"(full matrices for every covariance type), got {covs.shape}")


def _check_weights(weights, prefix):
    """Weights in [0, 1] summing to 1 (within 1e-6)."""
    if (weights < 0).any() or (weights > 1).any():
        raise ValueError(f"{prefix}weights must lie in [0, 1], got values from "
                         f"{weights.min():.6g} to {weights.max():.6g}")
    if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-6):
        raise ValueError(f"{prefix}weights must sum to 1, they sum to {weights.sum():.8g}; "
                         "divide them by their sum")


def _symmetric_positive_definite(covs, prefix):
    """``covs`` (k, d, d) exactly symmetrised, after checking they are SPD and invertible."""
    size = np.abs(covs).max(axis=(1, 2))                  # per component
    if (np.abs(covs - np.swapaxes(covs, 1, 2)).max(axis=(1, 2)) > 1e-10 * size).any():
        raise ValueError(f"{prefix}covariances must be symmetric")
    covs = 0.5 * (covs + np.swapaxes(covs, 1, 2))
    smallest = np.linalg.eigvalsh(covs).min(axis=1)
    if (smallest <= 0).any():
        raise ValueError(f"{prefix}covariances must be positive definite")
    if (smallest < _MIN_SPREAD ** 2).any():
        raise ValueError(f"{prefix}covariances are too small to invert in float64 (smallest "
                         f"eigenvalue {smallest.min():.3g}); standardise the data and the "
                         "parameters")
    try:
        np.linalg.cholesky(covs)
    except np.linalg.LinAlgError:
        raise ValueError(f"{prefix}covariances must be positive definite (one is numerically "
                         "singular)") from None
    return covs


def _check_covariance_form(covs, covariance_type, prefix):
    """Tied: all equal; diag: diagonal; spherical: ``c * I`` (to 1e-10 of the largest entry)."""
    d = covs.shape[1]
    tol = 1e-10 * float(np.abs(covs).max())
    off = covs - covs * np.eye(d)
    if covariance_type == "tied" and not np.allclose(covs, covs[:1], rtol=0, atol=tol):
        raise ValueError(f"covariance_type='tied' needs the same covariance matrix for every "
                         f"component in {prefix or 'the '}covariances")
    if covariance_type in ("diag", "spherical") and np.abs(off).max(initial=0) > tol:
        raise ValueError(f"covariance_type={covariance_type!r} needs diagonal "
                         f"{prefix}covariances")
    if covariance_type == "spherical":
        diag = np.diagonal(covs, axis1=1, axis2=2)
        if np.abs(diag - diag[:, :1]).max() > tol:
            raise ValueError(f"covariance_type='spherical' needs {prefix}covariances of the "
                             "form c * I")


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
    return check_init_tuple(init, n_components, n_features,
                             check_covariance_type(covariance_type))


# --------------------------------------------------------------------------
# Row chunking
# --------------------------------------------------------------------------
def chunks(n, size=CHUNK_ROWS):
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def e_step_rows(k):
    """Rows per chunk of an E-step pass with ``k`` components.

    About 160,000 numbers in each (k, chunk) block, a power of two from
    8,192 (k >= 11) to 65,536 (k <= 2) that divides the pass's tasks
    (``gmm_blocks.e_step_task_rows``), so every chunk is whole. (The sums do
    not depend on the thread count whatever the size: tasks are cut the same
    for any count and chunked from their start.) Larger blocks leave the cache (at k = 20, 8,192 rows
    are 12% faster on one thread than 16,384); smaller ones spend their time
    in Python, holding the GIL the other threads wait for (at k = 2 and
    8,192 rows, two threads were slower than one; bench/bench_em.py).
    """
    rows = 163_840 // max(int(k), 1)
    return 1 << min(16, max(13, rows.bit_length() - 1))


def n_parameters(n_components, n_features, covariance_type="full"):
    """Number of free parameters of a mixture (as scikit-learn counts them)."""
    k, d = n_components, n_features
    cov = {"full": k * d * (d + 1) / 2, "diag": k * d, "tied": d * (d + 1) / 2,
           "spherical": k}[check_covariance_type(covariance_type)]
    return int(cov + k * d + k - 1)


# --------------------------------------------------------------------------
# Small numeric building blocks of the engines (gmm_em, gmm_bayes)
# --------------------------------------------------------------------------
#: A covariance whose Cholesky factor has (min L_ii / max L_ii)^2 below this
#: (condition number above ~5e12) is singular to working precision
SINGULAR = 1000 * np.finfo(np.float64).eps


def singular(chol):
    """Components whose Cholesky factors (k, d, d) are singular to working precision.

    ``(max L_ii / min L_ii)^2`` bounds the condition number from below; a factor
    this lopsided is rounding noise (e.g. ``reg_covar=0`` on collinear points).
    k * d numbers: cheap enough for every iteration.
    """
    diag = np.diagonal(chol, axis1=1, axis2=2)
    return diag.min(axis=1) ** 2 < SINGULAR * diag.max(axis=1) ** 2


def cholesky(covariances):
    """Batched Cholesky factors (k, d, d); a clear error when a matrix is not PD."""
    try:
        return np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise ValueError(
            "fitting failed because a component's covariance is not positive definite "
            "(a collapsed component on duplicated or collinear points); increase reg_covar, "
            "use fewer components, or rescale the data") from None


def exp_normalise(L):
    """In place: ``L (k, m)`` of weighted log-probs becomes ``exp(L - max)``.

    Returns
    -------
    mx : ndarray (m,)
        Column maxima.
    s : ndarray (m,)
        Column sums after the exponential: responsibilities are ``L / s`` and
        the per-point log-likelihood is ``mx + log(s)``.
    """
    mx = L.max(axis=0)
    L -= mx
    np.exp(L, out=L)
    return mx, L.sum(axis=0)


def first_argmax_of_exp(E, out):
    """Row index of the first 1.0 in each column of ``E = exp(L - max)``.

    After subtracting the column maximum the winning entries are exactly
    ``exp(0) == 1.0``, so this equals ``argmax`` of the log-probs (first index
    on ties) while being faster than numpy's argmax along axis 0.
    """
    out[...] = E.shape[0] - 1
    for j in range(E.shape[0] - 2, -1, -1):
        np.copyto(out, j, where=E[j] == 1.0)
    return out
