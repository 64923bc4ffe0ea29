"""``GaussianMixture``: scikit-learn's estimator (a drop-in) on top of :func:`gmm_em.em_steps`.

The class holds scikit-learn's protocol (constructor parameters,
``get_params``/``set_params``, fitted attributes); each step of ``fit`` and of
using the fitted model is a small module function of the parameters, so it can
be read and tested alone.  scikit-learn is never imported here, except by
``__sklearn_tags__`` (which only scikit-learn calls) and to mix its exception
classes into ours once the program has imported it.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import sys
import time
import warnings

import numpy as np

from gmm_core import (
    COVARIANCE_TYPES,
    INITS,
    as_rng,
    check_covariance_type,
    check_init_params,
    check_int,
    check_nonneg_float,
    check_X,
    n_parameters,
)
from gmm_blocks import RowStream, evaluate_rows, is_streamed
from gmm_core import check_n_jobs
from gmm_em import GMMState, em_steps, initial_params, log_responsibilities
from gmm_params import load_params, save_params

__all__ = ["GaussianMixture", "NotFittedError", "ConvergenceWarning", "to_sklearn_shape",
           "EstimatorProtocol", "fit_input", "continues_warm"]


class NotFittedError(ValueError, AttributeError):
    """A :class:`GaussianMixture` method that needs a fitted model ran before ``fit``.

    A ``ValueError`` and an ``AttributeError``, as scikit-learn's.  When the
    program has imported scikit-learn, the error raised is also a
    ``sklearn.exceptions.NotFittedError``, so either ``except`` catches it.
    """


class ConvergenceWarning(UserWarning):
    """The best of :class:`GaussianMixture`'s runs reached ``max_iter`` before ``tol``.

    When the program has imported scikit-learn, the warning is also a
    ``sklearn.exceptions.ConvergenceWarning``, so its filters (and
    ``pytest.warns``) see it.
    """


#: our class -> the subclass of it and scikit-learn's class of the same name
_WITH_SKLEARN = {}


def sklearn_flavoured(cls):
    """``cls``, or a subclass of ``cls`` and scikit-learn's class of the same name.

    scikit-learn is never imported for this: its class is mixed in only when
    the program has imported scikit-learn already (code that catches or
    filters scikit-learn's class has), so a program without it pays nothing.
    """
    if "sklearn" not in sys.modules:
        return cls
    if cls not in _WITH_SKLEARN:
        try:
            from sklearn import exceptions
            base = getattr(exceptions, cls.__name__)
        except Exception:  # a broken or partial install: ours alone
            return cls
        _WITH_SKLEARN[cls] = type(cls.__name__, (cls, base),
                                  {"__module__": cls.__module__, "__doc__": cls.__doc__,
                                   "__reduce__": _reduce_flavoured})
    return _WITH_SKLEARN[cls]


def _reduce_flavoured(self):
    """Pickle a scikit-learn-flavoured instance by the name of our class (joblib workers)."""
    ours = next(c for c in type(self).__mro__ if c in (NotFittedError, ConvergenceWarning))
    return _unpickle_flavoured, (ours.__name__, self.args)


def _unpickle_flavoured(name, args):
    """Rebuild a pickled instance: scikit-learn's class too when it can be imported."""
    cls = {"NotFittedError": NotFittedError, "ConvergenceWarning": ConvergenceWarning}[name]
    try:
        import sklearn  # noqa: F401  (the pickled instance was one of its classes too)
    except ImportError:
        pass
    return sklearn_flavoured(cls)(*args)


#: scikit-learn's ``init_params`` values and the init each runs (:func:`em_steps`, :func:`gmm_bayes.vb_steps`)
INIT_PARAMS = {"kmeans": "kmeans", "k-means++": "kmeans++", "random": "random",
               "random_from_data": "random_from_data"}

#: the longest repr shown whole (scikit-learn's N_CHAR_MAX); longer ones are cut in the middle
REPR_MAX = 700
#: scikit-learn's message for a fit whose covariances became singular (its tests match it)
_ILL_DEFINED = ("Fitting the mixture model failed because some components have ill-defined "
                "empirical covariance (for instance caused by singleton or collapsed samples). "
                "Try to decrease the number of components, increase reg_covar, or scale the "
                "input data.")


def mixture_input(X, name="X"):
    """Validate data for :class:`GaussianMixture` as scikit-learn would accept it.

    Parameters
    ----------
    X : array-like of shape (n, d)
        A numpy array (any real dtype, read-only or strided), nested lists, an
        object array of numbers, or a DataFrame.

    Returns
    -------
    X64 : ndarray of shape (n, d), float64, C-contiguous
    dtype : numpy dtype
        float32 for float32 input (results then come back in float32, as
        scikit-learn's do), else float64.
    names : ndarray of str (object) or None
        The column names of a DataFrame whose names are all strings.
    """
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise TypeError(f"{name} is a sparse matrix; GaussianMixture needs dense data, "
                        f"e.g. {name}.toarray()")
    names = feature_names(X, name)
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array ({exc}); pass numbers "
                         "of shape (n_samples, n_features)") from None
    if arr.dtype == object or arr.dtype.kind in "US":    # numbers as objects or strings
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{name} must hold numbers only; converting it to floats failed "
                             f"({exc})") from None
    dtype = np.dtype(np.float32) if arr.dtype == np.float32 else np.dtype(np.float64)
    return check_X(arr), dtype, names


def _streamed_input(X, name="X"):
    """A memory map (or lazily standardised rows) checked as far as is cheap: 2-D,
    non-empty, real; its rows are checked as they are read.  ``(X, dtype, None)``."""
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features) and non-empty, "
                         f"got shape {X.shape}")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {X.dtype}")
    dtype = np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)
    return X, dtype, None


def feature_names(X, name="X"):
    """String column names of a DataFrame-like ``X`` (scikit-learn's rule), else None."""
    columns = getattr(X, "columns", None)
    if columns is None or isinstance(X, np.ndarray):
        return None
    try:
        names = np.asarray(list(columns), dtype=object)
    except TypeError:
        return None
    is_str = [isinstance(c, str) for c in names]
    if not names.size or not any(is_str):
        return None
    if not all(is_str):
        kinds = sorted({type(c).__name__ for c in names})
        raise TypeError(f"{name}'s column names mix types {kinds}: feature names are only "
                        "supported if all input features have string names; convert them, "
                        f"e.g. {name}.columns = {name}.columns.astype(str)")
    return names


def _init_array(value, name):
    """An ``*_init`` argument as a finite float64 array (its dtype before conversion too)."""
    try:
        arr = np.asarray(value)
        if arr.dtype == object:
            arr = arr.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must be an array of float64 numbers ({exc})") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) \
            or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    out = arr.astype(np.float64)
    if not np.isfinite(out).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return out, arr.dtype


def _check_init_shape(arr, shape, name, param):
    """scikit-learn's shape message (its tests match it), naming our argument first."""
    if arr.shape != shape:
        raise ValueError(f"{name}: The parameter '{param}' should have the shape of {shape}, "
                         f"but got {arr.shape}")


def _checked_weights_init(value, k):
    """``weights_init`` (k,) checked as scikit-learn checks it."""
    w, dtype = _init_array(value, "weights_init")
    _check_init_shape(w, (k,), "weights_init", "weights")
    if (w < 0).any() or (w > 1).any():
        # scikit-learn's words and (swapped) order, which its tests match; then ours
        raise ValueError(f"weights_init: The parameter 'weights' should be in the range [0, 1], "
                         f"but got max value {w.min():.5f}, min value {w.max():.5f}; every "
                         f"weight must lie in [0, 1] (these span {w.min():.5g} to {w.max():.5g})")
    atol = 1e-6 if dtype == np.float32 else 1e-8
    if not abs(1.0 - w.sum()) <= atol:
        raise ValueError(f"weights_init: The parameter 'weights' should be normalized, but got "
                         f"sum(weights) = {w.sum():.5f}; divide them by their sum")
    return w


def _checked_precisions_init(value, k, d, covariance_type):
    """``precisions_init`` in scikit-learn's per-type shape -> covariances (k, d, d)."""
    P, _ = _init_array(value, "precisions_init")
    shape = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]
    param = f"{covariance_type} precision"
    _check_init_shape(P, shape, "precisions_init", param)
    if covariance_type in ("diag", "spherical"):
        if (P <= 0).any():
            raise ValueError(f"precisions_init: '{param}' should be positive (they are "
                             "inverse variances)")
        with np.errstate(over="ignore"):
            var = np.broadcast_to((1.0 / P).reshape(k, -1), (k, d))
        cov = np.zeros((k, d, d))
        cov[:, np.arange(d), np.arange(d)] = var
    else:
        mats = P if covariance_type == "full" else P[None]
        for m in mats:
            if not (np.isclose(m, m.T).all() and np.linalg.eigvalsh(m).min() > 0):
                raise ValueError(f"precisions_init: '{param}' should be symmetric, "
                                 "positive-definite")
        with np.errstate(over="ignore", invalid="ignore"):
            cov = np.linalg.inv(mats)
        cov = np.broadcast_to(0.5 * (cov + np.swapaxes(cov, 1, 2)), (k, d, d)).copy()
    if not np.isfinite(cov).all():
        raise ValueError(f"precisions_init: '{param}' is too close to 0 (or singular) to "
                         "invert in float64; give larger precisions or standardise the data")
    return cov


def _available_bytes():
    """Physical memory in bytes (a bound on what ``sample`` may try to allocate)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 2 ** 40


class _Run:
    """One EM run of :meth:`GaussianMixture.fit`: its first and last states and bounds."""

    def __init__(self, first, last, lower_bounds, lower_bound, converged, history):
        self.first, self.last = first, last
        self.lower_bounds, self.lower_bound = lower_bounds, lower_bound
        self.converged, self.history = converged, history



# --------------------------------------------------------------------------
# The estimator's steps, as functions of its parameters
# --------------------------------------------------------------------------
def checked_params(est):
    """The estimator's constructor parameters validated (at fit time, as scikit-learn does); a dict."""
    p = checked_mixture_params(est)
    check_n_jobs(est.n_jobs)
    p["n_jobs"] = est.n_jobs
    if est.init is not None:
        _check_init_choice(est)
    return p


def checked_mixture_params(est):
    """The parameters every mixture estimator shares (``GaussianMixture``'s and
    ``BayesianGaussianMixture``'s), validated; a dict (``k``, ``tol``, ``reg_covar``,
    ``max_iter``, ``n_init``, ``verbose_interval``, ``covariance_type``, ``verbose``)."""
    p = {"k": check_int("n_components", est.n_components, 1),
         "tol": check_nonneg_float("tol", est.tol),
         "reg_covar": check_nonneg_float("reg_covar", est.reg_covar),
         "max_iter": check_int("max_iter", est.max_iter, 0),
         "n_init": check_int("n_init", est.n_init, 1),
         "verbose_interval": check_int("verbose_interval", est.verbose_interval, 1)}
    if not isinstance(est.covariance_type, str):
        raise TypeError(f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; "
                        f"got {type(est.covariance_type).__name__}")
    p["covariance_type"] = check_covariance_type(est.covariance_type)
    for name in ("warm_start", "keep_history"):
        if not isinstance(getattr(est, name), (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {getattr(est, name)!r}")
    verbose = est.verbose
    p["verbose"] = (int(verbose) if isinstance(verbose, (bool, np.bool_))
                    else check_int("verbose", verbose, 0))
    if not (isinstance(est.init_params, str) and est.init_params in INIT_PARAMS):
        raise ValueError(f"init_params must be one of {', '.join(map(repr, INIT_PARAMS))}; "
                         f"got {est.init_params!r}")
    return p


def _check_init_choice(est):
    """``init`` given: alone (no scikit-learn start arguments) and a known name or a tuple."""
    init = est.init
    if est.init_params != "kmeans" or any(
            getattr(est, a) is not None for a in ("weights_init", "means_init", "precisions_init")):
        raise ValueError("init (this project's spelling of the start) cannot be combined "
                         "with init_params, weights_init, means_init or precisions_init "
                         "(scikit-learn's); give one or the other")
    if not (isinstance(init, (tuple, list)) or (isinstance(init, str) and init in INITS)):
        raise ValueError(f"init must be one of {', '.join(INITS)} or a tuple (weights, "
                         f"means, covariances); got {init!r}")


def user_start(est, p, d):
    """The user's start: (named init or None, weights, means, covariances), None where not given."""
    k, cov = p["k"], p["covariance_type"]
    if isinstance(est.init, (tuple, list)):
        return (None,) + check_init_params(est.init, k, d, cov)
    if isinstance(est.init, str):
        return est.init, None, None, None
    w = None if est.weights_init is None else _checked_weights_init(est.weights_init, k)
    m = None
    if est.means_init is not None:
        m, _ = _init_array(est.means_init, "means_init")
        _check_init_shape(m, (k, d), "means_init", "means")
    c = (None if est.precisions_init is None
         else _checked_precisions_init(est.precisions_init, k, d, cov))
    return INIT_PARAMS[est.init_params], w, m, c


def check_fit_data(X64, k):
    """Raise scikit-learn's errors for fewer than 2 samples or fewer samples than components."""
    n = X64.shape[0]
    if n < 2:
        raise ValueError(f"X has {n} sample (shape {X64.shape}), but fitting needs at least "
                         "2 samples")
    if n < k:
        raise ValueError(f"Expected n_samples >= n_components but got n_components = {k}, "
                         f"n_samples = {n}; use fewer components or more data")


def collapse_floor(X64):
    """Starting variances below this are rounding noise of the coordinates.

    A standard deviation under ~1e-12 of the data's range: the start collapsed.
    A memory map is read block by block.
    """
    if is_streamed(X64):
        summary = RowStream(X64).summary()
        centre, low, high = summary.centre(), summary.low, summary.high
    else:
        centre, low, high = X64.mean(axis=0), X64.min(axis=0), X64.max(axis=0)
    reach = np.maximum(high - centre, centre - low)
    return (1e3 * np.finfo(np.float64).eps * reach) ** 2


def run_start(X, p, start, rng):
    """The start of one run: an :func:`em_steps` init name or a (w, mu, cov) tuple."""
    name, w, m, c = start
    if name is None or (w is not None and m is not None and c is not None):
        return (w, m, c)
    if w is None and m is None and c is None:
        return name                      # em_steps makes it, exactly as em_steps(init=name)
    k = p["k"]
    centre = X.mean(axis=0)
    Xc = X - centre
    w0, m0, c0 = initial_params(Xc, np.ascontiguousarray(Xc.T), k, name,
                                p["covariance_type"], p["reg_covar"], rng)
    del Xc
    return (w0 if w is None else w, m0 + centre if m is None else m,
            c0 if c is None else c)


def check_collapsed(state, p):
    """Raise scikit-learn's error when a variance of the start is rounding noise.

    scikit-learn fails there when such a variance comes out <= 0 (e.g. an
    empty k-means cluster and ``reg_covar=0``).  Only the start is checked:
    a component that collapses during EM is left to the Cholesky
    factorisation, as in scikit-learn, whose run goes on unless a variance
    is exactly <= 0.
    """
    var = np.diagonal(state.covariances, axis1=1, axis2=2)
    if (var <= p["collapsed"]).any():
        raise ValueError(_ILL_DEFINED + " (a component collapsed: a variance is zero "
                         "up to rounding)")


def _say(p, message):
    if p["verbose"]:
        print(message)


def _start_states(X, p, init, rng, user_tuple):
    """``em_steps`` from ``init`` with ``tol=0`` (the run applies scikit-learn's rule).

    em_steps' own argument and data checks raise as they are, naming the
    ``*_init`` argument a start came from when the user gave scikit-learn's.
    """
    if not isinstance(init, str) and (np.linalg.eigvalsh(init[2]).min(axis=1) <= 0).any():
        raise ValueError(_ILL_DEFINED + " (a starting covariance is not positive definite)")
    try:
        return em_steps(X, p["k"], max_iter=p["max_iter"], tol=0.0,
                        covariance_type=p["covariance_type"], init=init,
                        reg_covar=p["reg_covar"], random_state=rng, n_jobs=p["n_jobs"])
    except ValueError as exc:
        if isinstance(init, str) or user_tuple:
            raise
        message = str(exc)
        for theirs, ours in (("init weights", "weights_init"), ("init means", "means_init"),
                             ("init covariances", "the covariances (inverse "
                                                  "precisions_init)")):
            message = message.replace(theirs, ours)
        raise ValueError(message) from exc


def run_em(X, p, init, prev_lb, rng, keep_history, user_tuple):
    """One EM run from ``init`` with scikit-learn's stopping rule; a :class:`_Run`.

    scikit-learn's iteration ``t`` is an E-step on state ``t-1`` (its
    log-likelihood is the lower bound ``lb_t``) and the M-step to state
    ``t``; it stops after the first ``t`` with ``|lb_t - lb_{t-1}| < tol``
    (``lb_0`` is ``-inf``, or the previous fit's under ``warm_start``).
    A failure while iterating is numerical, reported with scikit-learn's message.
    """
    tol, max_iter, verbose = p["tol"], p["max_iter"], p["verbose"]
    states = _start_states(X, p, init, rng, user_tuple)
    try:
        state = first = next(states)
        check_collapsed(state, p)
        history = [state] if keep_history else None
        lower_bounds, lb, converged = [], prev_lb, False
        t0 = t_prev = time.perf_counter()
        for t in range(1, max_iter + 1):
            prev, lb = lb, state.log_likelihood
            state = next(states)
            lower_bounds.append(lb)
            if history is not None:
                history.append(state)
            change = lb - prev
            if verbose and t % p["verbose_interval"] == 0:
                now = time.perf_counter()
                _say(p, f"  Iteration {t}" + (f"\t time lapse {now - t_prev:.5f}s\t "
                                              f"ll change {change:.5f}" if verbose >= 2 else ""))
                t_prev = now
            if abs(change) < tol:
                converged = True
                break
        states.close()
    except ValueError as exc:
        if str(exc).startswith(_ILL_DEFINED):
            raise
        raise ValueError(f"{_ILL_DEFINED} ({exc})") from exc
    if max_iter:
        end = "converged" if converged else "did not converge"
        _say(p, f"Initialization {end}." + (
            f" time lapse {time.perf_counter() - t0:.5f}s\t lower bound {lb:.5f}."
            if verbose >= 2 else ""))
    return _Run(first, state, lower_bounds, lb if max_iter else -math.inf, converged, history)


def best_run(X64, p, start, rng, warm_from, keep_history, user_tuple):
    """The run with the highest lower bound of ``n_init`` (one run when warm-starting).

    ``warm_from`` is ``(state, lower_bound)`` of the fitted model, or None.
    """
    best = None
    for i in range(1 if warm_from else p["n_init"]):
        _say(p, f"Initialization {i}")
        if warm_from:
            s, prev_lb = warm_from
            init, prev = (s.weights, s.means, s.covariances), float(prev_lb)
        else:
            init, prev = run_start(X64, p, start, rng), -math.inf
        run = run_em(X64, p, init, prev, rng, keep_history, user_tuple)
        if best is None or run.lower_bound > best.lower_bound or best.lower_bound == -math.inf:
            best = run
    return best


def fitted_attributes(state, covariance_type, dtype=np.float64):
    """scikit-learn's fitted attributes of a :class:`GMMState`, in its shapes and ``dtype``; a dict."""
    d = state.means.shape[1]
    full = np.array(state.covariances)
    # upper-triangular U with precision = U U^T (scikit-learn's convention)
    chol = np.linalg.cholesky(full)
    eye = np.broadcast_to(np.eye(d), full.shape)
    U = np.swapaxes(np.linalg.solve(chol, eye), 1, 2)
    prec = U @ np.swapaxes(U, 1, 2)
    prec = 0.5 * (prec + np.swapaxes(prec, 1, 2))
    return {"state_": state,
            "weights_": np.array(state.weights, dtype=dtype),
            "means_": np.array(state.means, dtype=dtype),
            # a dask array's stay lazy; a memory map's stay uint8/uint16 (1-2 bytes a row)
            "labels_": (state.labels if state.labels.dtype.kind == "u"
                        else state.labels.astype(np.int64)),
            "covariances_": to_sklearn_shape(full, covariance_type).astype(dtype),
            "precisions_": to_sklearn_shape(prec, covariance_type).astype(dtype),
            "precisions_cholesky_": to_sklearn_shape(U, covariance_type).astype(dtype),
            "n_features_in_": d}


def check_feature_names(fitted, names, cls):
    """scikit-learn's warnings and error when X's column names disagree with the fit's."""
    if fitted is not None and names is None:
        warnings.warn(f"X does not have valid feature names, but {cls} was fitted with "
                      "feature names", UserWarning, stacklevel=4)
    elif fitted is None and names is not None:
        warnings.warn(f"X has feature names, but {cls} was fitted without feature names",
                      UserWarning, stacklevel=4)
    elif fitted is not None and (len(fitted) != len(names) or (fitted != names).any()):
        raise ValueError("The feature names should match those that were passed during fit: "
                         f"fitted on {list(fitted)}, got {list(names)}; select or rename "
                         "X's columns to match")


def sample_mixture(state, n_samples, rng):
    """``n_samples`` points drawn from the mixture of ``state``, grouped by component.

    Returns
    -------
    X : ndarray (n_samples, d), float64
    y : ndarray (n_samples,), int64
        Component of each sample, in increasing order.
    """
    if isinstance(n_samples, (bool, np.bool_)) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
    n_samples = int(n_samples)
    if n_samples < 1:
        raise ValueError(f"Invalid value for 'n_samples': {n_samples}; sample() needs "
                         "n_samples >= 1")
    d = state.means.shape[1]
    need = n_samples * (d + 1) * 8
    if need > _available_bytes():
        raise ValueError(f"n_samples={n_samples} is too large: the samples would need "
                         f"{need / 2**30:.3g} GiB, more than this machine's memory; draw "
                         "fewer (or in batches)")
    rng = as_rng(rng)
    try:
        counts = rng.multinomial(n_samples, state.weights / state.weights.sum())
        X = np.empty((n_samples, d))
        y = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        chol = np.linalg.cholesky(state.covariances)
        start = 0
        for j, c in enumerate(counts):
            z = rng.standard_normal((int(c), d))
            X[start:start + c] = state.means[j] + z @ chol[j].T
            start += c
    except MemoryError:
        raise ValueError(f"n_samples={n_samples} is too large for the memory available; "
                         "draw fewer (or in batches)") from None
    return X, y


def is_default(value, default):
    """Whether a constructor parameter still has its default (``repr`` leaves those out)."""
    try:
        return value is default or (type(value) is type(default) and bool(value == default))
    except Exception:  # arrays and the like
        return False


def to_sklearn_shape(full, covariance_type):
    """(k, d, d) matrices -> scikit-learn's per-type array.

    Parameters
    ----------
    full : ndarray (k, d, d)
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    ndarray of shape (k, d, d), (d, d), (k, d) or (k,) for the four types.
    """
    if covariance_type == "full":
        return full
    if covariance_type == "tied":
        return full[0]
    diag = np.diagonal(full, axis1=1, axis2=2).copy()
    if covariance_type == "diag":
        return diag
    return diag[:, 0]


class EstimatorProtocol:
    """scikit-learn's estimator protocol for a class whose constructor takes only
    keyword parameters stored under their own names: ``get_params``,
    ``set_params``, ``repr``, tags and the fitted check (``state_`` set by ``fit``).
    """

    #: read by scikit-learn < 1.6 (newer versions call ``__sklearn_tags__``)
    _estimator_type = "DensityEstimator"

    @classmethod
    def _param_defaults(cls):
        """Constructor parameter -> default, in signature order."""
        return {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()
                if p.name != "self"}

    def get_params(self, deep=True):
        """The constructor's parameters, ``{name: value}`` (nothing is nested, so ``deep``
        changes nothing)."""
        return {name: getattr(self, name) for name in self._param_defaults()}

    def set_params(self, **params):
        """Set constructor parameters by name (checked at the next ``fit``); returns self."""
        valid = self._param_defaults()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator "
                                 f"{type(self).__name__}; valid parameters are: "
                                 f"{', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        """The changed parameters, as scikit-learn shows them: arrays summarised
        (a few items at each end), the whole cut in the middle past 700 characters."""
        with np.printoptions(threshold=6, edgeitems=2):
            changed = [f"{name}={value!r}" for (name, value), default
                       in zip(self.get_params().items(), self._param_defaults().values())
                       if not is_default(value, default)]
        text = f"{type(self).__name__}({', '.join(changed)})"
        return text if len(text) <= REPR_MAX else f"{text[:REPR_MAX // 2]}...{text[-REPR_MAX // 2:]}"

    def __sklearn_tags__(self):
        """scikit-learn's tags (only scikit-learn >= 1.6 calls this, so it may import it)."""
        from sklearn.utils import Tags, TargetTags
        return Tags(estimator_type="density_estimator", target_tags=TargetTags(required=False),
                    transformer_tags=None, regressor_tags=None, classifier_tags=None)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "state_")

    def _check_fitted(self):
        if not hasattr(self, "state_"):
            raise sklearn_flavoured(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator.")

    # -- the steps every mixture estimator shares (hooks: ``_fit``, ``_log_resp_of``) --
    def fit(self, X, y=None):
        """Fit the mixture to X (n, d) (``n_init`` runs, the best kept); returns self."""
        self._fit(X)
        return self

    def fit_predict(self, X, y=None):
        """Fit, then the labels of X under the final parameters, (n,); equals
        ``fit(X).predict(X)``."""
        X64 = self._fit(X)
        return self._log_resp_of(X64)[1].argmax(axis=1)

    def _predict_input(self, X):
        """Validated float64 X (n, d) and its dtype, after the fitted checks."""
        self._check_fitted()
        X64, dtype, names = _streamed_input(X) if is_streamed(X) else mixture_input(X)
        cls = type(self).__name__
        check_feature_names(getattr(self, "feature_names_in_", None), names, cls)
        if X64.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X64.shape[1]} features, but {cls} is expecting "
                             f"{self.n_features_in_} features as input (it was fitted on "
                             f"{self.n_features_in_})")
        return X64, dtype

    def predict(self, X):
        """Most responsible component of each row of X, shape (n,)."""
        X64, _ = self._predict_input(X)
        return self._log_resp_of(X64)[1].argmax(axis=1)

    def score(self, X, y=None):
        """Mean of :meth:`score_samples` over the rows of X."""
        return float(self.score_samples(X).mean())

    def _set_optional(self, name, value):
        """Set attribute ``name``, or remove it (from an earlier fit) when ``value`` is None."""
        if value is not None:
            setattr(self, name, value)
        elif hasattr(self, name):
            delattr(self, name)


class GaussianMixture(EstimatorProtocol):
    """Gaussian mixture estimator with scikit-learn's API, built on :func:`em_steps`.

    A drop-in for ``sklearn.mixture.GaussianMixture``: the same constructor,
    fitted attributes, methods, stopping rule, warnings and errors, and
    ``get_params``/``set_params`` so ``clone``, ``Pipeline``,
    ``GridSearchCV`` and ``cross_val_score`` work.  scikit-learn is never
    imported for it.  scikit-learn's own tests of ``GaussianMixture`` pass
    against this class (``tests/test_sklearn_compat.py``).

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    tol : float, default=1e-3
        A run stops when the mean log-likelihood changed by less than ``tol``
        between consecutive iterations (checked after each M-step, as
        scikit-learn does).
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance.
    max_iter : int, default=100
        EM iterations (M-steps) per run; 0 keeps the initial parameters.
    n_init : int, default=1
        Runs from different starts; the one with the highest ``lower_bound_``
        is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How a start is made (see "Differences" for how ours are computed).
    weights_init : array-like of shape (k,), optional
    means_init : array-like of shape (k, d), optional
    precisions_init : array-like, optional
        Inverse covariances in the covariance type's shape: full (k, d, d),
        tied (d, d), diag (k, d), spherical (k,).  Each given array replaces
        that part of the start; when all three are given no data-driven start
        is computed.
    random_state : None, int, numpy.random.Generator or RandomState
    warm_start : bool, default=False
        A second ``fit`` continues from the fitted parameters (one run, its
        stopping rule comparing with the previous ``lower_bound_``).
    verbose : int, default=0
        1 prints each run's start and end and every ``verbose_interval``-th
        iteration; 2 adds times and log-likelihood changes.
    verbose_interval : int, default=10
    init : str or tuple, optional
        This project's spelling of the start, ``None`` by default (then
        ``init_params`` and the ``*_init`` arrays decide): one of ``INITS``
        (``"kmeans++"`` is ``init_params="k-means++"``), or ``(weights (k,),
        means (k, d), covariances (k, d, d))`` used as the start exactly.  A
        given ``init`` replaces ``init_params``; combining it with a
        non-default ``init_params`` or with ``weights_init``, ``means_init``
        or ``precisions_init`` raises ``ValueError``.
    keep_history : bool, default=False
        Keep every :class:`GMMState` of the kept run in ``history_``.
    n_jobs : int or None, default=None
        Threads for the passes over the data (as :func:`gmm.em_steps`: None
        and -1 every core, -2 all but one; the results do not depend on it).
        Not a scikit-learn parameter (its ``GaussianMixture`` has none);
        ``get_params``, ``set_params`` and ``clone`` carry it like the others.

    Attributes
    ----------
    weights_ : ndarray (k,)
    means_ : ndarray (k, d)
    covariances_, precisions_, precisions_cholesky_ : ndarray
        scikit-learn's per-type shapes: full (k, d, d), tied (d, d), diag
        (k, d), spherical (k,).  ``precisions_cholesky_`` is the
        upper-triangular ``U`` with ``precision = U U^T``.
    converged_ : bool
    n_iter_ : int
        M-steps of the kept run.
    lower_bound_ : float
        Mean log-likelihood of X under the parameters the last M-step started
        from (scikit-learn's definition; ``-inf`` when ``max_iter=0``).
    lower_bounds_ : list of float
        ``lower_bound_`` after each iteration of the kept run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame whose column names are all strings.
    labels_ : ndarray (n,)
        Most responsible component of each training point (= ``fit_predict``);
        int64, uint8 (uint16 above 256 components) for a memory map, a lazy
        dask array for a dask array.
    state_ : GMMState
        The final parameters in float64 with full (k, d, d) covariances;
        ``state_.log_likelihood`` is the mean log-likelihood under them.
    history_ : list of GMMState
        Only when ``keep_history=True``: states 0 .. ``n_iter_``.
    initial_params_ : tuple (weights (k,), means (k, d), covariances (k, d, d))
        The start of the kept run; ``em_steps(X, k, init=initial_params_)``
        replays it exactly.

    Differences from scikit-learn
    -----------------------------
    * The EM runs in float64 also for float32 data (attributes and results
      are then cast to float32, as scikit-learn's dtype), so float32 fits are
      more accurate than scikit-learn's and differ in the last float32 digits.
      The E-step and M-step are computed differently (see :mod:`gmm_em`);
      from the same start the trajectory agrees to about 1e-6.
    * Starts: ``init_params="kmeans"`` seeds with k-means++ and runs at most
      ``KMEANS_LLOYD_ITERS`` (10) Lloyd iterations (scikit-learn: ``KMeans``
      to convergence); ``"k-means++"`` and ``"random_from_data"`` assign every
      point to its nearest seed before the first M-step (scikit-learn gives
      each component only its seed point, so its starting covariances are
      ``reg_covar * I``).  The random numbers come from a numpy
      ``Generator``, so the same ``random_state`` gives a different (equally
      valid) start than scikit-learn's.
    * ``random_state`` may also be a ``numpy.random.Generator``;
      ``sample(n, random_state=...)`` takes its own source of randomness.
    * Bad parameters raise ``TypeError`` or ``ValueError`` naming the
      parameter (scikit-learn's ``InvalidParameterError`` is both); ``tol``
      and ``reg_covar`` must also be finite.  ``sample`` takes integers only
      (scikit-learn lets numpy truncate 2.5, and fails with a numpy
      traceback for ``10**20``) and refuses a request larger than the
      machine's memory with ``ValueError``.
    * The ill-defined-covariance ``ValueError`` is raised when a starting
      variance is zero up to rounding or a covariance is not positive
      definite; scikit-learn raises when its rounding makes a variance <= 0,
      so on such degenerate data one may raise where the other does not.
    * ``warm_start`` continues from ``state_`` (the fitted parameters in
      float64), not from attributes edited by hand.
    * No array API support (numpy arrays, lists and DataFrames only).
    * Extras: ``init``, ``keep_history``, ``labels_``, ``state_``,
      ``history_``, ``initial_params_``, :meth:`save` and :meth:`load`.
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None, warm_start=False,
                 verbose=0, verbose_interval=10, init=None, keep_history=False, n_jobs=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.init = init
        self.keep_history = keep_history
        self.n_jobs = n_jobs

    # -- scikit-learn's estimator protocol ----------------------------------
    # -- fitting -----------------------------------------------------------------
    def fit(self, X, y=None):
        """Fit the mixture to X (n, d) by EM (``n_init`` runs, the best kept); returns self.

        Warns :class:`ConvergenceWarning` when the kept run did not converge
        (unless ``max_iter=0``).  ``X`` may be a 2-D ``dask.array`` chunked by
        rows: every EM pass then runs on its blocks where dask computes them
        (e.g. a ``dask.distributed`` cluster), and ``labels_`` is a lazy dask
        array; the parameters equal those of ``fit(X.compute())`` to ~1e-12.
        """
        self._fit(X)
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the labels of X under the final parameters, (n,); equals ``fit(X).predict(X)``."""
        X64 = self._fit(X)
        if is_streamed(X64):
            return self._streamed(X64, "labels")
        return self._log_resp_of(X64)[1].argmax(axis=1)

    def _fit(self, X):
        """Fit and return X as validated float64 (n, d)."""
        p = checked_params(self)
        X64, dtype, names = fit_input(X)
        k, d = p["k"], X64.shape[1]
        check_fit_data(X64, k)
        start = user_start(self, p, d)
        warm = continues_warm(self, k, d)
        p["collapsed"] = np.asarray(collapse_floor(X64))     # (a dask array computes here)
        best = best_run(X64, p, start, as_rng(self.random_state),
                        (self.state_, self.lower_bound_) if warm else None,
                        self.keep_history, isinstance(self.init, (tuple, list)))
        self._set_fitted(best.last, converged=best.converged, lower_bound=best.lower_bound,
                         lower_bounds=best.lower_bounds, dtype=dtype, feature_names=names,
                         initial_params=(best.first.weights, best.first.means,
                                         best.first.covariances),
                         history=best.history if self.keep_history else None)
        if not self.converged_ and p["max_iter"] > 0:
            warnings.warn("Best performing initialization did not converge. Try different init "
                          "parameters, or increase max_iter, tol, or check for degenerate data.",
                          sklearn_flavoured(ConvergenceWarning), stacklevel=3)
        return X64

    def _set_fitted(self, state, *, lower_bound, lower_bounds=(), converged=False,
                    initial_params=None, history=None, feature_names=None, dtype=np.float64):
        """Set every fitted attribute from the last state ``state`` (scikit-learn's
        shapes, in ``dtype``); the one place they are set. None removes an
        optional attribute left by an earlier fit."""
        start = initial_params and tuple(map(np.array, initial_params))
        for name, value in {**fitted_attributes(state, self.covariance_type, dtype),
                            "converged_": bool(converged), "n_iter_": int(state.iteration),
                            "lower_bound_": float(lower_bound), "initial_params_": start,
                            "lower_bounds_": [float(v) for v in lower_bounds],
                            "history_": history, "feature_names_in_": feature_names}.items():
            if value is not None:
                setattr(self, name, value)
            elif hasattr(self, name):
                delattr(self, name)

    @classmethod
    def from_state(cls, state, params, **fitted):
        """A fitted estimator whose last state is ``state`` (a :class:`GMMState` in the
        data's units), built with the constructor's ``params`` (a dict:
        ``covariance_type``, ``init``, ...).

        ``fitted``: ``lower_bounds`` (the log-likelihood history), ``converged``,
        ``initial_params``, ``feature_names`` (scikit-learn's ``feature_names_in_``).
        """
        model = cls(len(state.weights), **params)
        model._set_fitted(state, lower_bound=state.log_likelihood, **fitted)
        return model

    # -- using the fitted model ------------------------------------------------------
    def _log_resp_of(self, X64):
        s = self.state_
        return log_responsibilities(X64, s.weights, s.means, s.covariances)

    def _streamed(self, X, what, dtype=np.float64):
        """:func:`gmm_blocks.evaluate_rows` of a memory map under the fitted parameters."""
        s = self.state_
        return evaluate_rows(X, lambda rows: log_responsibilities(rows, s.weights, s.means,
                                                                  s.covariances),
                             len(s.weights), what, self.n_jobs, dtype)

    def predict(self, X):
        """Most responsible component of each row of X, shape (n,).

        This method, ``predict_proba``, ``score_samples`` and ``score`` read a
        memory map (``np.load(path, mmap_mode="r")``) block by block: only
        their answer is held in memory.
        """
        X64, _ = self._predict_input(X)
        if is_streamed(X64):
            return self._streamed(X64, "labels")
        return self._log_resp_of(X64)[1].argmax(axis=1)

    def predict_proba(self, X):
        """Responsibilities of each component for each row of X, shape (n, k)."""
        X64, dtype = self._predict_input(X)
        if is_streamed(X64):
            return self._streamed(X64, "proba", dtype)
        return np.exp(self._log_resp_of(X64)[1]).astype(dtype, copy=False)

    def score_samples(self, X):
        """Log-density ``log p(x)`` of each row of X, shape (n,)."""
        X64, dtype = self._predict_input(X)
        if is_streamed(X64):
            return self._streamed(X64, "density", dtype)
        return self._log_resp_of(X64)[0].astype(dtype, copy=False)

    def score(self, X, y=None):
        """Mean per-sample log-likelihood of X (a memory map: no (n,) array is made)."""
        if is_streamed(X):
            return self._mean_log_density(*self._predict_input(X))
        return float(self.score_samples(X).mean())

    def _n_parameters(self):
        k, d = self.means_.shape
        return n_parameters(k, d, self.covariance_type)

    def _mean_log_density(self, X64, dtype):
        if is_streamed(X64):
            return self._streamed(X64, "total") / X64.shape[0]
        return float(self._log_resp_of(X64)[0].astype(dtype, copy=False).mean())

    def bic(self, X):
        """Bayesian information criterion on X (lower is better; a memory map block by block)."""
        X64, dtype = self._predict_input(X)
        n = X64.shape[0]
        return -2 * self._mean_log_density(X64, dtype) * n + self._n_parameters() * math.log(n)

    def aic(self, X):
        """Akaike information criterion on X (lower is better; a memory map block by block)."""
        X64, dtype = self._predict_input(X)
        return -2 * self._mean_log_density(X64, dtype) * X64.shape[0] + 2 * self._n_parameters()

    def save(self, path, options=None):
        """Write the fitted parameters to ``path`` (``.npz`` or ``.json``), atomically;
        a DataFrame's column names (``feature_names_in_``) go with them."""
        self._check_fitted()
        history = ([st.log_likelihood for st in getattr(self, "history_", [])]
                   or [self.state_.log_likelihood])
        if hasattr(self, "feature_names_in_"):
            options = {**(options or {}), "feature_names_in": list(self.feature_names_in_)}
        save_params(path, self.state_.weights, self.state_.means, self.state_.covariances,
                    covariance_type=self.covariance_type, log_likelihood_history=history,
                    options=options)

    @classmethod
    def load(cls, path):
        """A fitted estimator from a file written by :meth:`save` (never unpickled).

        Predictions equal those of the saved model exactly, on a DataFrame with
        the same columns too (``feature_names_in_`` is kept); ``labels_`` and
        ``converged_`` describe no data set and are empty / False.
        """
        p = load_params(path)
        names = (p.get("options") or {}).get("feature_names_in")
        hist = p["log_likelihood_history"]
        state = GMMState(iteration=max(len(hist) - 1, 0), weights=p["weights"], means=p["means"],
                         covariances=p["covariances"],
                         log_likelihood=float(hist[-1]) if len(hist) else float("nan"),
                         labels=np.empty(0, dtype=np.int32), converged=False)
        return cls.from_state(state, {"covariance_type": p["covariance_type"],
                                      "init": (p["weights"], p["means"], p["covariances"])},
                              lower_bounds=hist,
                              feature_names=None if names is None else np.array(names, dtype=object))

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default=1
            At least 1.
        random_state : None, int, numpy.random.Generator or RandomState
            Defaults to the estimator's own ``random_state`` (as scikit-learn:
            an int there gives the same samples on every call).

        Returns
        -------
        X : ndarray (n_samples, d), float64
        y : ndarray (n_samples,), int64
            Component of each sample, in increasing order.
        """
        self._check_fitted()
        return sample_mixture(self.state_, n_samples,
                              self.random_state if random_state is None else random_state)


def fit_input(X):
    """X for ``fit``: (X64, dtype, feature names); a dask array passed through as it is
    and a memory map checked as far as is cheap (both fitted block by block, in place)."""
    if type(X).__module__.split(".")[0] == "dask":
        return X, np.dtype(np.float64), None
    return _streamed_input(X) if is_streamed(X) else mixture_input(X)


def continues_warm(est, k, d):
    """Whether ``fit`` continues from the fitted model (``warm_start`` and fitted);
    ValueError when its shape differs from ``k`` components and ``d`` features."""
    warm = bool(est.warm_start) and hasattr(est, "converged_") and hasattr(est, "state_")
    if warm and est.state_.means.shape != (k, d):
        raise ValueError(f"warm_start=True continues from the fitted model, which has "
                         f"{est.state_.means.shape[0]} components and "
                         f"{est.state_.means.shape[1]} features, but n_components={k} and "
                         f"X has {d} features; set warm_start=False to fit afresh")
    return warm
