"""Choosing the number of components: fit every k of a list, score each by BIC and AIC."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np

from gmm_core import (
    COVARIANCE_TYPES,
    INITS,
    as_rng,
    check_covariance_type,
    check_int,
    check_nonneg_float,
    check_X,
    n_parameters,
)
from gmm_em import centred, check_fit_scale, em_steps
from gmm_mixture import ConvergenceWarning, GaussianMixture

__all__ = ["select_k", "best_row", "check_covariance_types", "stop_on_plateau", "DEGENERATE_FACTOR"]

#: ``select_k`` calls a fit degenerate when some component's smallest variance
#: is at most this many times ``reg_covar``: it collapsed onto a lower-dimensional
#: set (rounded or repeated values) and its likelihood is bounded only by reg_covar
DEGENERATE_FACTOR = 1.5


#: changes of the mean log-likelihood below this are rounding, not progress
ROUNDING = 1e-12


def stop_on_plateau(steps, tol, patience):
    """EM states until the mean log-likelihood has changed by less than ``tol`` in
    each of ``patience`` consecutive iterations, none of them larger than the
    change before it; that last state has ``converged=True``.

    The command line's stopping rule (and :func:`select_k`'s with ``patience``). A single small change is not trusted:
    EM often crawls along a plateau (two components sharing a cluster) before
    it speeds up again, so stopping at the first small step would show a
    plateau as "converged". Near a maximum EM's changes shrink geometrically;
    a small change that is larger than the one before (above
    :data:`ROUNDING`) means EM is leaving a saddle, e.g. components started
    together on two overlapping clusters, and is not counted as calm.
    ``tol=0`` never stops early.

    Parameters
    ----------
    steps : iterator of gmm.GMMState
        From :func:`gmm.em_steps` with ``tol=0``.
    tol : float
    patience : int >= 1
    """
    previous, last_change, calm = None, math.inf, 0
    for state in steps:
        ll = float(state.log_likelihood)
        if previous is not None:
            change = abs(ll - previous)
            speeding_up = change > max(last_change, ROUNDING)
            calm = calm + 1 if change < tol and not speeding_up else 0
            last_change = change
        if tol > 0 and calm >= patience:
            yield dataclasses.replace(state, converged=True)
            return
        yield state
        previous = ll


def _check_ks(ks, n):
    """``ks`` as a list of distinct ints in [1, n], read lazily (an endless iterable fails)."""
    if isinstance(ks, (str, bytes)) or not hasattr(ks, "__iter__"):
        raise TypeError(f"ks must be an iterable of integers such as range(1, 11), "
                        f"got {type(ks).__name__}")
    out, seen = [], set()
    for k in ks:            # stops at the first bad k: range(1, 10**10) needs no list
        k = check_int("ks", k, 1)
        if k > n:
            raise ValueError(f"ks holds k={k}, which needs at least that many samples, but X "
                             f"has {n}; give ks within 1..{n}")
        if k in seen:
            raise ValueError(f"ks holds k={k} twice; give each number of components once")
        seen.add(k)
        out.append(k)
    if not out:
        raise ValueError("ks is empty; give at least one number of components, e.g. range(1, 11)")
    return out


def check_covariance_types(covariance_types):
    """``covariance_types`` as a tuple of distinct names of ``COVARIANCE_TYPES``.

    ``"all"`` means every type, in the order of ``COVARIANCE_TYPES``
    (full, tied, diag, spherical); otherwise a non-empty iterable of names
    (not a single string), each once, kept in the order given.
    """
    if isinstance(covariance_types, str):
        if covariance_types == "all":
            return tuple(COVARIANCE_TYPES)
        raise ValueError(f"covariance_types must be 'all' or a list of names from "
                         f"{', '.join(COVARIANCE_TYPES)}; got the string "
                         f"{covariance_types!r:.80} (for one type use covariance_type=)")
    if not hasattr(covariance_types, "__iter__"):
        raise TypeError(f"covariance_types must be 'all' or a list of names from "
                        f"{', '.join(COVARIANCE_TYPES)}, got {type(covariance_types).__name__}")
    out = []
    for name in covariance_types:
        if not isinstance(name, str):
            raise TypeError(f"covariance_types holds {name!r:.80} "
                            f"({type(name).__name__}); give names from "
                            f"{', '.join(COVARIANCE_TYPES)}")
        if name not in COVARIANCE_TYPES:
            raise ValueError(f"covariance_types holds {name!r:.80}; give names from "
                             f"{', '.join(COVARIANCE_TYPES)} (or 'all')")
        if name in out:
            raise ValueError(f"covariance_types holds {name!r} twice; give each type once")
        out.append(name)       # an endless iterable fails at its 5th name (repeat)
    if not out:
        raise ValueError("covariance_types is empty; give at least one of "
                         f"{', '.join(COVARIANCE_TYPES)}, or 'all'")
    return tuple(out)


def select_k(X, ks, *, criterion="bic", n_init=1, covariance_type=None, covariance_types=None,
             max_iter=100, tol=1e-3, init="kmeans++", reg_covar=1e-6, random_state=None,
             callback=None, patience=None):
    """Fit a mixture for every k in ``ks`` (and every covariance type asked for),
    score each fit by BIC and AIC, and pick the best.

    Parameters
    ----------
    X : array-like of shape (n, d)
    ks : iterable of int
        Candidate numbers of components, each a Python or numpy integer with
        ``1 <= k <= n``, each once (so at most ``n`` of them; an endless or
        huge iterable fails at its first k above ``n``).
    criterion : {"bic", "aic"}, default="bic"
        Which criterion picks the best k: the lowest among the fits that are
        not ``degenerate`` (among all of them if every fit is).
    n_init : int, default=1
        Restarts per k; the run with the highest final log-likelihood is kept.
        The work grows with ``len(ks) * n_init``; nothing caps it.
    covariance_type : str, optional
        The one covariance type of every fit (default ``"full"``); not with
        ``covariance_types``.
    covariance_types : "all" or sequence of str, optional
        Compare covariance types as well as k, as R's mclust does: every k
        is fitted for each of these types (``"all"``: full, tied, diag,
        spherical; a sequence: distinct names, in the order given) and the
        best ``(k, covariance_type)`` pair is chosen. Changes the return value
        (see below).
    max_iter, tol, reg_covar, random_state
        As for :func:`em_steps` (all checked before the first fit).
    init : str, default="kmeans++"
        One of ``INITS`` (a parameter tuple would fix k).
    callback : callable, optional
        Called as ``callback(row)`` with each row of ``table`` as soon as its
        k is fitted, e.g. to show progress (this module never prints).
    patience : int >= 1, optional
        The stopping rule of every run. None (default): scikit-learn's, the
        first change of the mean log-likelihood below ``tol``. An int: the
        command line's, ``patience`` such changes in a row
        (:func:`stop_on_plateau`), so a table made with the command line's
        ``--tol``/``--patience`` scores the fits the command line animates.

    Returns
    -------
    best : int, or tuple (int, str) with ``covariance_types``
        The chosen k; with ``covariance_types`` the chosen
        ``(k, covariance_type)`` pair. Ties go to the earlier row.
    table : list of dict
        One row per fit: per covariance type (in the order given), per k (in
        the order given); ``covariance_type``, ``k``, ``log_likelihood`` (mean per
        point), ``bic``, ``aic``, ``n_parameters``, ``model`` (the fitted
        :class:`GaussianMixture`) and ``degenerate``: True when a component
        collapsed onto a lower-dimensional set (e.g. repeated or rounded
        values), its smallest variance at most ``DEGENERATE_FACTOR *
        reg_covar``; its likelihood then grows without bound as ``reg_covar``
        shrinks, so its BIC/AIC are not meaningful.
    """
    if not isinstance(criterion, str) or criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', got {criterion!r:.80}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    X = check_X(X)
    ks = _check_ks(ks, X.shape[0])
    if covariance_types is None:
        types = (check_covariance_type("full" if covariance_type is None else covariance_type),)
    elif covariance_type is not None:
        raise TypeError("select_k got both covariance_type= and covariance_types=; pass "
                        "covariance_types= alone to compare several types")
    else:
        types = check_covariance_types(covariance_types)
    # every fit's own arguments, checked before the first fit starts
    check_int("n_init", n_init, 1)
    check_int("max_iter", max_iter, 0)
    check_nonneg_float("tol", tol)
    if patience is not None:
        check_int("patience", patience, 1)
    check_fit_scale(centred(X)[1], check_nonneg_float("reg_covar", reg_covar))
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)} for select_k (a tuple of "
                         f"parameters fixes k); got {init!r:.80}")
    rng = as_rng(random_state)
    table = []
    for covariance_type in types:
        for k in ks:
            table.append(_scored_fit(X, k, covariance_type, n_init=n_init, max_iter=max_iter,
                                     tol=tol, init=init, reg_covar=reg_covar, rng=rng,
                                     patience=patience))
            if callback is not None:
                callback(table[-1])
    best = best_row(table, criterion)
    if covariance_types is None:
        return best["k"], table
    return (best["k"], best["covariance_type"]), table


def best_row(rows, criterion):
    """The row with the lowest ``criterion`` among the fits that are not
    degenerate (among all of them when every fit is); ties go to the first."""
    return min([row for row in rows if not row["degenerate"]] or rows,
               key=lambda row: row[criterion])


def _scored_fit(X, k, covariance_type, *, n_init, max_iter, tol, init, reg_covar, rng,
                patience=None):
    """One row of :func:`select_k`'s table: the fit of ``k`` components, scored."""
    if patience is None:
        model = GaussianMixture(k, covariance_type=covariance_type, tol=tol, reg_covar=reg_covar,
                                max_iter=max_iter, init=init, random_state=rng, n_init=n_init)
        with warnings.catch_warnings():     # a fit cut short by max_iter is still scored
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X)
    else:
        model = _plateau_fit(X, k, covariance_type, n_init=n_init, max_iter=max_iter, tol=tol,
                             patience=patience, init=init, reg_covar=reg_covar, rng=rng)
    floor = float(np.linalg.eigvalsh(model.state_.covariances).min())
    # state_ holds the mean log-likelihood of X under the final parameters
    # already: score the fit without another pass over X
    ll, n = model.state_.log_likelihood, X.shape[0]
    p = n_parameters(k, X.shape[1], covariance_type)
    return {"covariance_type": covariance_type, "k": k, "log_likelihood": ll,
            "bic": -2 * ll * n + p * math.log(n), "aic": -2 * ll * n + 2 * p,
            "n_parameters": p, "model": model,
            "degenerate": floor <= DEGENERATE_FACTOR * reg_covar}


def _plateau_fit(X, k, covariance_type, *, n_init, max_iter, tol, patience, init, reg_covar,
                 rng):
    """The best of ``n_init`` runs of :func:`em_steps` stopped by :func:`stop_on_plateau`
    (highest final mean log-likelihood; ties keep the earlier run), as a fitted
    :class:`GaussianMixture` whose ``initial_params_`` is the kept run's state 0."""
    best = None
    for _ in range(n_init):
        states = stop_on_plateau(em_steps(X, k, max_iter=max_iter, tol=0.0,
                                          covariance_type=covariance_type, init=init,
                                          reg_covar=reg_covar, random_state=rng), tol, patience)
        first = last = next(states)
        history = [first.log_likelihood]
        for last in states:
            history.append(last.log_likelihood)
        if best is None or last.log_likelihood > best[1].log_likelihood:
            best = (first, last, history)
    first, last, history = best
    return GaussianMixture.from_state(
        last, {"covariance_type": covariance_type, "tol": tol, "reg_covar": reg_covar,
               "max_iter": max_iter, "init": init, "n_init": n_init},
        lower_bounds=history, converged=bool(last.converged),
        initial_params=(first.weights, first.means, first.covariances))
