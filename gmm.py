"""Gaussian mixture models fitted by Expectation-Maximization, one state per iteration.

The library's public face: every name below is importable from here and is
defined in the module named beside it.  The EM map is scikit-learn's
``GaussianMixture`` map, computed by chunked matrix products (``gmm_em``); no
module of the library draws or imports matplotlib.

Public API
----------
GMMState
    One EM state: parameters, mean log-likelihood, hard labels.
em_steps
    Generator of states: state 0 (the initial parameters), then one per
    iteration.
GaussianMixture
    scikit-learn's ``GaussianMixture`` (a drop-in: same constructor, attributes,
    methods and stopping rule) built on ``em_steps``.
NotFittedError, ConvergenceWarning
    Raised by an unfitted ``GaussianMixture`` / warned when its fit did not
    converge; also scikit-learn's classes of those names when scikit-learn is
    imported.
log_responsibilities, responsibilities, log_density
    Evaluate a set of mixture parameters on data.
select_k, n_parameters
    Fit every k of a list and score each by BIC and AIC (flags degenerate
    fits); the number of free parameters of a mixture.
save_params, load_params, ParamsError
    Write fitted parameters to ``.npz`` / ``.json`` atomically and read them
    back without unpickling; a bad file raises ``ParamsError`` (a
    ``ValueError``) with one line naming it.
check_params_path, check_init_params
    The checks ``save_params`` and ``em_steps(init=tuple)`` apply, for
    callers that want to fail early.
BayesianGaussianMixture
    scikit-learn's ``BayesianGaussianMixture`` (a drop-in: variational
    inference with a Dirichlet-process or Dirichlet prior on the weights, so
    components the data do not need lose their weight), built on ``vb_steps``.
vb_steps, VBState, PRIOR_TYPES
    Generator of variational states (a ``GMMState`` with the expected weights
    and the lower bound per point in ``log_likelihood``, also named
    ``lower_bound``); the accepted ``weight_concentration_prior_type`` values.
KMeansState, kmeans_steps
    Lloyd's k-means one state per iteration, to compare with EM.
to_sklearn_shape
    Full (k, d, d) covariances in scikit-learn's per-type shape.
DEGENERATE_FACTOR
    ``select_k``'s threshold (times ``reg_covar``) for a collapsed component.
COVARIANCE_TYPES, INITS, CHUNK_ROWS, __version__
    The accepted ``covariance_type`` and named ``init`` values; rows per
    chunk of the E-step; the version.

Where each lives
----------------
``gmm_em``        GMMState, em_steps, log_responsibilities, responsibilities, log_density
``gmm_mixture``   GaussianMixture, NotFittedError, ConvergenceWarning, to_sklearn_shape
``gmm_bayes``     BayesianGaussianMixture, vb_steps, VBState, PRIOR_TYPES
``gmm_select``    select_k, DEGENERATE_FACTOR
``gmm_core``      n_parameters, check_init_params, COVARIANCE_TYPES, INITS, CHUNK_ROWS, __version__
``gmm_params``    save_params, load_params, ParamsError, check_params_path
``gmm_kmeans``    KMeansState, kmeans_steps
"""

from __future__ import annotations

from gmm_bayes import PRIOR_TYPES, BayesianGaussianMixture, VBState, vb_steps
from gmm_core import (
    CHUNK_ROWS,
    COVARIANCE_TYPES,
    INITS,
    __version__,
    check_init_params,
    n_parameters,
)
from gmm_em import GMMState, em_steps, log_density, log_responsibilities, responsibilities
from gmm_kmeans import KMeansState, kmeans_steps
from gmm_mixture import ConvergenceWarning, GaussianMixture, NotFittedError, to_sklearn_shape
from gmm_params import ParamsError, check_params_path, load_params, save_params
from gmm_select import DEGENERATE_FACTOR, select_k

__all__ = [
    "GMMState",
    "em_steps",
    "GaussianMixture",
    "NotFittedError",
    "ConvergenceWarning",
    "select_k",
    "n_parameters",
    "save_params",
    "load_params",
    "ParamsError",
    "check_params_path",
    "check_init_params",
    "__version__",
    "log_responsibilities",
    "responsibilities",
    "log_density",
    "COVARIANCE_TYPES",
    "INITS",
    "KMeansState",
    "kmeans_steps",
    "to_sklearn_shape",
    "DEGENERATE_FACTOR",
    "CHUNK_ROWS",
    "BayesianGaussianMixture",
    "vb_steps",
    "VBState",
    "PRIOR_TYPES",
]
