"""pytest plugin: scikit-learn's own BayesianGaussianMixture tests, run against
``gmm.BayesianGaussianMixture``.

``tests/test_sklearn_bayes_compat.py`` runs pytest in a subprocess on the
test files shipped inside the installed scikit-learn
(``sklearn/mixture/tests/test_bayesian_mixture.py`` and ``test_mixture.py``)
with ``-p sklearn_bayes_plugin``.  Nothing is copied: this plugin

* replaces ``sklearn.mixture.BayesianGaussianMixture`` by
  ``gmm.BayesianGaussianMixture`` when it is loaded, before those files are
  imported, so their imports (and the estimators their parametrizations build
  at import time) get ours;
* checks, in every test it lets run, that the module's
  ``BayesianGaussianMixture`` is ours;
* deselects only the tests listed in :data:`DESELECTED` and the
  ``GaussianMixture`` cases of ``test_mixture.py`` (run against
  ``gmm.GaussianMixture`` by ``sklearn_gmm_plugin``), and prints each with its
  reason: ``DESELECTED <file>::<function> (<n> cases) -- <reason>``.
"""
import sklearn.mixture

import gmm
from sklearn_suite import deselection_rule, ours_in_every_test, plugin_hooks

OURS = gmm.BayesianGaussianMixture
sklearn.mixture.BayesianGaussianMixture = OURS

#: test function -> why it is not run against gmm.BayesianGaussianMixture
DESELECTED = {
    "test_log_dirichlet_norm": "tests sklearn's private _log_dirichlet_norm",
    "test_log_wishart_norm": "tests sklearn's private _log_wishart_norm",
    "test_compare_covar_type": "calls the estimator's private _check_parameters and "
                               "_initialize_parameters (sklearn internals)",
}


#: Why an item is deselected (None: run it)
deselection_reason = deselection_rule(
    DESELECTED, sklearn.mixture.GaussianMixture,
    "GaussianMixture case (run against ours by sklearn_gmm_plugin)")
pytest_collection_modifyitems, pytest_terminal_summary = plugin_hooks(deselection_reason)
#: every test that runs uses ours
_runs_against_ours = ours_in_every_test("BayesianGaussianMixture", OURS)
