"""Choosing the number of components: fit every k of a list, score each by BIC and AIC."""

from __future__ import annotations

import math
import warnings

import numpy as np

from gmm_core import (
    INITS,
    as_rng,
    check_covariance_type,
    check_int,
    check_nonneg_float,
    check_X,
    n_parameters,
)
from gmm_em import centred, check_fit_scale
from gmm_mixture import ConvergenceWarning, GaussianMixture

__all__ = ["select_k", "DEGENERATE_FACTOR"]

#: ``select_k`` calls a fit degenerate when some component's smallest variance
#: is at most this many times ``reg_covar``: it collapsed onto a lower-dimensional
#: set (rounded or repeated values) and its likelihood is bounded only by reg_covar
DEGENERATE_FACTOR = 1.5


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


def select_k(X, ks, *, criterion="bic", n_init=1, covariance_type="full", max_iter=100,
             tol=1e-3, init="kmeans++", reg_covar=1e-6, random_state=None, callback=None):
    """Fit a mixture for every k in ``ks`` and score it by BIC and AIC.

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
    covariance_type, max_iter, tol, reg_covar, random_state
        As for :func:`em_steps` (all checked before the first fit).
    init : str, default="kmeans++"
        One of ``INITS`` (a parameter tuple would fix k).
    callback : callable, optional
        Called as ``callback(row)`` with each row of ``table`` as soon as its
        k is fitted, e.g. to show progress (this module never prints).

    Returns
    -------
    best_k : int
    table : list of dict
        One row per k, in the order given: ``k``, ``log_likelihood`` (mean per
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
    # every fit's own arguments, checked before the first fit starts
    check_int("n_init", n_init, 1)
    check_int("max_iter", max_iter, 0)
    check_nonneg_float("tol", tol)
    check_fit_scale(centred(X)[1], check_nonneg_float("reg_covar", reg_covar))
    check_covariance_type(covariance_type)
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"init must be one of {', '.join(INITS)} for select_k (a tuple of "
                         f"parameters fixes k); got {init!r:.80}")
    rng = as_rng(random_state)
    table = []
    for k in ks:
        model = GaussianMixture(k, covariance_type=covariance_type, tol=tol, reg_covar=reg_covar,
                                max_iter=max_iter, init=init, random_state=rng, n_init=n_init)
        with warnings.catch_warnings():     # a fit cut short by max_iter is still scored
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X)
        floor = float(np.linalg.eigvalsh(model.state_.covariances).min())
        # state_ holds the mean log-likelihood of X under the final parameters
        # already: score the fit without another pass over X
        ll, n = model.state_.log_likelihood, X.shape[0]
        p = n_parameters(k, X.shape[1], covariance_type)
        table.append({"k": k, "log_likelihood": ll, "bic": -2 * ll * n + p * math.log(n),
                      "aic": -2 * ll * n + 2 * p, "n_parameters": p,
                      "model": model, "degenerate": floor <= DEGENERATE_FACTOR * reg_covar})
        if callback is not None:
            callback(table[-1])
    best = min([row for row in table if not row["degenerate"]] or table,
               key=lambda row: row[criterion])
    return best["k"], table
