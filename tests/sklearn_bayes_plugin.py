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
import pytest
import sklearn.mixture

import gmm

OURS = gmm.BayesianGaussianMixture
sklearn.mixture.BayesianGaussianMixture = OURS

#: test function -> why it is not run against gmm.BayesianGaussianMixture
DESELECTED = {
    "test_log_dirichlet_norm": "tests sklearn's private _log_dirichlet_norm",
    "test_log_wishart_norm": "tests sklearn's private _log_wishart_norm",
    "test_compare_covar_type": "calls the estimator's private _check_parameters and "
                               "_initialize_parameters (sklearn internals)",
}


def deselection_reason(item):
    """Why ``item`` is deselected, or None to run it."""
    name = getattr(item, "originalname", None) or item.name.split("[")[0]
    if name in DESELECTED:
        return DESELECTED[name]
    callspec = getattr(item, "callspec", None)
    if callspec is not None and any(isinstance(v, sklearn.mixture.GaussianMixture)
                                    for v in callspec.params.values()):
        return "GaussianMixture case (run against ours by sklearn_gmm_plugin)"
    return None


_REPORT = []


def pytest_collection_modifyitems(config, items):
    keep, dropped = [], []
    for item in items:
        reason = deselection_reason(item)
        if reason is None:
            keep.append(item)
        else:
            dropped.append(item)
            _REPORT.append((item.nodeid, reason))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    counts = {}
    for nodeid, reason in _REPORT:
        key = (nodeid.split("[")[0].rsplit("/", 1)[-1], reason)
        counts[key] = counts.get(key, 0) + 1
    for (function, reason), n in counts.items():
        terminalreporter.write_line(f"DESELECTED {function} ({n} cases) -- {reason}")


@pytest.fixture(autouse=True)
def _runs_against_gmm(request):
    """Every test that runs uses gmm.BayesianGaussianMixture, not scikit-learn's."""
    assert getattr(request.module, "BayesianGaussianMixture", OURS) is OURS
