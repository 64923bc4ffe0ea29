"""pytest plugin: scikit-learn's own GaussianMixture tests, run against ``gmm.GaussianMixture``.

``tests/test_sklearn_compat.py`` runs pytest in a subprocess on the test files
shipped inside the installed scikit-learn
(``sklearn/mixture/tests/test_gaussian_mixture.py`` and ``test_mixture.py``)
with ``-p sklearn_gmm_plugin``.  Nothing is copied: this plugin

* replaces ``sklearn.mixture.GaussianMixture`` by ``gmm.GaussianMixture``
  when it is loaded, before those files are imported, so their
  ``from sklearn.mixture import GaussianMixture`` (and the estimators their
  parametrizations build at import time) get ours;
* checks, in every test it lets run, that the module's ``GaussianMixture``
  is ours;
* deselects only the tests listed in :data:`DESELECTED` and
  :func:`deselection_reason` (scikit-learn's private functions, its array-API
  cases and its ``BayesianGaussianMixture`` cases), and prints each with its
  reason in the terminal summary, one line per test function:
  ``DESELECTED <file>::<function> (<n> cases) -- <reason>``.

scikit-learn's conftest supplies the fixtures (``global_dtype``,
``global_random_seed``); ``SKLEARN_RUN_FLOAT32_TESTS=1`` adds the float32
variants.  This process only: the project's own tests keep scikit-learn's
class as their reference.
"""
import sklearn.mixture

import gmm
from sklearn_suite import deselection_rule, ours_in_every_test, plugin_hooks

OURS = gmm.GaussianMixture
sklearn.mixture.GaussianMixture = OURS

#: test function -> why it is not run against gmm.GaussianMixture
DESELECTED = {
    "test_suffstat_sk_full": "tests sklearn's private _estimate_gaussian_covariances_full",
    "test_suffstat_sk_tied": "tests sklearn's private _estimate_gaussian_covariances_tied",
    "test_suffstat_sk_diag": "tests sklearn's private _estimate_gaussian_covariances_diag",
    "test_gaussian_suffstat_sk_spherical":
        "tests sklearn's private _estimate_gaussian_covariances_spherical",
    "test_compute_log_det_cholesky": "tests sklearn's private _compute_log_det_cholesky",
    "test_gaussian_mixture_log_probabilities":
        "tests sklearn's private _estimate_log_gaussian_prob",
    "test_gaussian_mixture_precisions_init":
        "calls the estimator's private _set_parameters and _initialize (sklearn internals)",
    "test_gaussian_mixture_all_init_does_not_estimate_gaussian_parameters":
        "counts calls of sklearn's private _estimate_gaussian_parameters (mocked), "
        "which gmm.GaussianMixture does not use",
    "test_gaussian_mixture_array_api_compliance": "array API case (gmm takes numpy only)",
    "test_gaussian_mixture_raises_where_array_api_not_implemented":
        "array API case (gmm takes numpy only)",
}


#: Why an item is deselected (None: run it)
deselection_reason = deselection_rule(DESELECTED, sklearn.mixture.BayesianGaussianMixture,
                                      "BayesianGaussianMixture case")
pytest_collection_modifyitems, pytest_terminal_summary = plugin_hooks(deselection_reason)
#: every test that runs uses ours
_runs_against_gmm = ours_in_every_test("GaussianMixture", OURS)
