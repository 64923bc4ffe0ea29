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
import pytest
import sklearn.mixture

import gmm

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


def deselection_reason(item):
    """Why ``item`` is deselected, or None to run it."""
    name = getattr(item, "originalname", None) or item.name.split("[")[0]
    if name in DESELECTED:
        return DESELECTED[name]
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        if any(isinstance(v, sklearn.mixture.BayesianGaussianMixture)
               for v in callspec.params.values()):
            return "BayesianGaussianMixture case"
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
    """Every test that runs uses gmm.GaussianMixture, not scikit-learn's."""
    assert getattr(request.module, "GaussianMixture", OURS) is OURS
