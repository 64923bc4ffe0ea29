"""What a command-line run animates, once the analysis flags did their work.

:func:`make_plan` checks ``--dims``/``--view`` against the data, loads an
``--init-params`` start, and runs ``--select-k`` (printing its table) or the
``--n-init`` restarts; the :class:`Plan` it returns names the options, data
and start the animation replays from its state 0.
"""

import dataclasses
import functools
import sys

import numpy as np
from tqdm import tqdm

import gmm_cli
import gmm_fit
import gmm_params
from gmm_cli import UsageError
from gmm_core import COVARIANCE_TYPES, as_rng
from gmm_options import Options
from gmm_transforms import (
    format_selection_grid, format_selection_table, one_model_groups, select_components,
    select_components_by_type, view_of,
)

__all__ = ["Plan", "make_plan"]


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a command line run animates, once the "analysis" flags did their work.

    ``selection`` is None or ``(rows, best_k, criterion)`` of ``--select-k``;
    ``notes`` are status lines for the end of the run.
    """
    options: Options
    X: object
    true_components: object
    rng: np.random.Generator
    selection: object = None
    sampled: bool = False       # X was sampled: its columns share units (one scale)
    notes: tuple = ()


def make_plan(cl, options, X, signals):
    """Validate the analysis flags and do their work before the animation.

    Loads ``--init-params`` (k and the covariance type default to the file's),
    samples the data here when a fit needs it first, runs ``--select-k`` (or
    the ``--n-init`` restarts) and prints its table. The animation then
    replays the kept run from its state 0.
    """
    rng = as_rng(options.random_state)
    sampled = X is None
    d = X.shape[1] if X is not None else options.n_features
    n = len(X) if X is not None else options.n_points
    if options.dims is not None or options.view is not None:
        view_of(np.zeros((1, d)), options.dims, view=options.view)     # a bad --dims or --view
    if X is not None:
        flags = [flag for flag, given in (("--save-params", cl.save_params is not None),
                                          ("--init-params", cl.init_params is not None),
                                          ("--select-k", cl.select_k is not None),
                                          ("--n-init", cl.n_init > 1)) if given]
        if flags:
            gmm_fit.check_user_units(X, flags[0])
    k, init, covariance_type = gmm_params.start_from_file(cl, d, n)
    if cl.select_k is not None and max(cl.select_k) > n:
        raise UsageError(f"--select-k: k = {max(cl.select_k)} is more than the number of "
                         f"points ({n}); use smaller k")
    options = dataclasses.replace(options, n_components=k, init=init,
                                  covariance_type=covariance_type)
    if not (cl.select_k is not None or (cl.n_init > 1 and cl.init_params is None)):
        return Plan(options, X, None, rng, sampled=sampled)
    return _choose(cl, options, X, rng, signals)


def _choose(cl, options, X, rng, signals):
    """The :class:`Plan` of ``--select-k`` (prints its table) or of the ``--n-init``
    restarts: the kept run's k, covariance type and starting parameters."""
    k, init, covariance_type = options.n_components, options.init, options.covariance_type
    true_components, sampled = None, X is None
    if X is None:
        X, true_components = gmm_fit.sample(options, rng)
    starts = rng if options.init_seed is None else np.random.default_rng(options.init_seed)
    ks = cl.select_k if cl.select_k is not None else [k]
    # one tick per k fitted, on a terminal only (like the save bar)
    every_type = covariance_type == "all"       # --covariance-type all: choose the type too
    models = len(one_model_groups(COVARIANCE_TYPES, X.shape[1])) if every_type else 1
    fits = len(ks) * models
    with tqdm(total=fits, unit="fit", desc="choosing k", file=sys.stderr, leave=False,
              disable=fits < 2 or not gmm_cli.progress_bars(options.quiet)) as bar:
        def fitted(row):
            bar.set_postfix_str(f"k={row['k']} {row['covariance_type']} done", refresh=False)
            bar.update(1)
            signals.check()         # a Ctrl-C lost in a finalizer stops here

        choose = (functools.partial(select_components_by_type, covariance_types="all")
                  if every_type else functools.partial(select_components,
                                                       covariance_type=covariance_type))
        best, rows = choose(
            X, ks, criterion=cl.criterion, n_init=cl.n_init,
            init="kmeans++" if init == "center" else init, max_iter=options.max_iter,
            tol=options.tol, patience=options.patience, random_state=starts, callback=fitted,
            per_column=not sampled)
    best_k, best_type = best if every_type else (best, covariance_type)
    selection = None
    if cl.select_k is not None:
        table = (format_selection_grid(rows, best, cl.criterion) if every_type
                 else format_selection_table(rows, best_k, cl.criterion))
        gmm_cli.print_stdout(table, flush=True)
        selection = (rows, best, cl.criterion)
    init = next(r["initial_params"] for r in rows
                if r["k"] == best_k and r.get("covariance_type", best_type) == best_type)
    if options.bayesian is not None:    # beside the criterion's choice: one fit, the largest k
        options = dataclasses.replace(options, n_components=max(ks), covariance_type=best_type)
    else:
        options = dataclasses.replace(options, n_components=best_k, init=init,
                                      covariance_type=best_type)
    return Plan(options, X, true_components, rng, selection, sampled,
                edge_note(best_k, cl.select_k, cl.criterion))


def edge_note(best_k, ks, criterion):
    """A note when ``--select-k``'s choice is the smallest or largest k tried (more
    than one): the best k may lie outside the range. A tuple of 0 or 1 line."""
    if ks is None or len(ks) < 2 or min(ks) < best_k < max(ks):
        return ()
    edge, wider = (("largest", f"{min(ks)}:{2 * max(ks)}") if best_k == max(ks)
                   else ("smallest", f"1:{max(ks)}"))
    if edge == "smallest" and min(ks) == 1:
        return ()               # k = 1 is the smallest k there is
    return (f"note: {criterion.upper()} chose k = {best_k}, the {edge} k tried; the best k "
            f"may lie outside the range: try --select-k {wider}",)
