"""The command line's variational fit (``--bayesian``): its options, its states, its count.

A variational Bayesian mixture (:func:`gmm.vb_steps`) runs where EM runs, in
the fit's standardised coordinates (see :class:`gmm_fit.FitRun`), and is
drawn by the same scenes; :mod:`gmm_fading` draws its components with an
opacity that follows their expected weights. This module holds what does
not draw (the checks of ``bayesian`` and ``weight_prior`` are
:func:`gmm_options.check_bayesian`): the flags, the state stream
with its lower bound prepared for the change to user units, and the count
of effective components. No matplotlib here.

The lower bound per point under a change of units (column j times ``s_j``,
default priors) moves by ``-(1 + k * nu0 / n) * sum(log s_j)``, not by
``-sum(log s_j)`` as a log-likelihood does (``nu0`` the degrees-of-freedom
prior, ``n_features`` by default): the bound includes the Wishart prior's
normalising constant of each of the k components, which scikit-learn's
bound leaves out. :func:`variational_steps` adds the ``k * nu0 / n`` part,
so :func:`gmm_transforms.to_user_units` (which subtracts ``sum(log s_j)``
from every state) leaves the bound in user units.
"""

import dataclasses

import numpy as np

import gmm_cli
from gmm_options import FLAGS, KINDS, MAX_WEIGHT_PRIOR

#: a component is effective while its expected weight is above this (1%)
THRESHOLD = 0.01
def effective_components(weights, threshold=THRESHOLD):
    """How many expected ``weights`` (k,) are above ``threshold``: the components
    the fit still uses (the header's ``effective components E of k``)."""
    return int(np.count_nonzero(np.asarray(weights, dtype=float) > threshold))


def bound_shift(scale, n, k, degrees_of_freedom_prior):
    """What the lower bound per point gains from fit units to user units, where the
    user's column j is ``scale[j]`` times the fit's: ``-(1 + k * nu0 / n) * sum(log
    scale)``."""
    log_s = float(np.sum(np.log(np.asarray(scale, dtype=float))))
    return -(1.0 + k * float(degrees_of_freedom_prior) / n) * log_s


def variational_steps(Z, options, init, rng, scale):
    """:func:`gmm.vb_steps` on the fit's coordinates ``Z`` as ``options`` say, every
    bound already carrying the ``-(k * nu0 / n) * sum(log scale)`` of the change to
    user units (the rest, ``-sum(log scale)``, is :func:`gmm_transforms.to_user_units`'s).

    Parameters
    ----------
    Z : array-like, shape (n, d)
        The standardised data (in memory, a memory map or dask array).
    options : gmm_options.Options
        ``n_components``, ``max_iter``, ``covariance_type``, ``bayesian``, ``weight_prior``.
    init : str or tuple (weights, means, covariances)
        In fit units (the command line's "center" start already made).
    rng : numpy.random.Generator
    scale : ndarray, shape (d,)
        The user's units per fit unit, per column.

    Returns
    -------
    iterator of gmm.VBState
        State 0 first, ``tol=0`` (the caller's stopping rule decides).
    """
    # The model (scipy) is imported here: the command line's parser imports this
    # module for its flags (add_arguments), and --help should not load the model.
    import gmm
    n, d = Z.shape
    k = options.n_components
    steps = gmm.vb_steps(Z, k, max_iter=options.max_iter, tol=0,
                         covariance_type=options.covariance_type, init=init,
                         random_state=rng,
                         weight_concentration_prior_type=KINDS[options.bayesian],
                         weight_concentration_prior=options.weight_prior)
    extra = bound_shift(scale, n, k, d) - bound_shift(scale, n, 0, d)
    return _shifted(steps, extra)


def _shifted(steps, extra):
    """``steps`` with ``extra`` added to every state's bound."""
    for state in steps:
        yield dataclasses.replace(state, log_likelihood=float(state.log_likelihood) + extra)


def comparison_line(selection, weights, threshold=THRESHOLD):
    """One line for ``--select-k KS --bayesian``: the criterion's choice of k and the
    variational fit's effective components, e.g. ``BIC chose k = 3; the variational
    fit (k = 10) keeps 3 components above 1%``."""
    _, best, criterion = selection
    best_k = best[0] if isinstance(best, tuple) else best
    return (f"{criterion.upper()} chose k = {best_k}; the variational fit (k = {len(weights)}) "
            f"keeps {effective_components(weights, threshold)} components above "
            f"{threshold:.0%}")


def add_arguments(parser):
    """``--bayesian [dp|dirichlet]`` and ``--weight-prior X`` on ``parser``, in the
    "analysis" group's neighbourhood: a group of their own."""
    g = parser.add_argument_group(
        "variational fit",
        "one fit with too many components; those the data do not need fade away")
    g.add_argument(*FLAGS["bayesian"], dest="bayesian", nargs="?", const="dp", choices=tuple(KINDS), default=None,
                   help="fit a variational Bayesian mixture instead of EM, with a "
                        "Dirichlet-process ('dp', the default when no value is given) or "
                        "Dirichlet ('dirichlet') prior on the weights: each component is "
                        "drawn as opaque as its expected weight, those below 1%% fade to a "
                        "thin outline and vanish, the header counts the rest and "
                        "--print_ll/--ll-panel show the lower bound; with --select-k the "
                        "fit uses the largest k and is compared with the criterion's "
                        "choice (default: off, EM)")
    g.add_argument(*FLAGS["weight_prior"], dest="weight_prior",
                   type=gmm_cli.number(0.0, False, MAX_WEIGHT_PRIOR, "a number > 0"),
                   default=None, metavar="X",
                   help="concentration of the weight prior (with --bayesian): small, fewer "
                        "components survive; large, more (default: 1/k, as scikit-learn)")
