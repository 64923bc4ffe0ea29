"""gmm_select.select_k.
"""
import math

import pytest

import gmm_mixture
import gmm_select
from gmm_core import n_parameters
from em_reference import make_blobs


# ---------------------------------------------------------------------------
# select_k
# ---------------------------------------------------------------------------
def test_select_k_scores_each_fit_without_another_pass_over_X(monkeypatch):
    """BIC = -2 n ll + p log n and AIC = -2 n ll + 2 p from the fit's own final
    log-likelihood: no extra E-step over X (score / score_samples are never
    called), and the values equal GaussianMixture.bic / aic."""
    X = make_blobs(400, 2, seed=3)

    def no_extra_pass(*args, **kwargs):
        raise AssertionError("select_k scored X again")

    monkeypatch.setattr(gmm_mixture.GaussianMixture, "score", no_extra_pass)
    monkeypatch.setattr(gmm_mixture.GaussianMixture, "score_samples", no_extra_pass)
    best, table = gmm_select.select_k(X, [1, 2, 4, 6], n_init=2, random_state=0)
    monkeypatch.undo()
    assert best == 4
    n = X.shape[0]
    for row in table:
        model, p = row["model"], row["n_parameters"]
        assert p == n_parameters(row["k"], 2)
        assert row["log_likelihood"] == pytest.approx(model.score(X), rel=1e-12)
        assert row["bic"] == pytest.approx(model.bic(X), rel=1e-12)
        assert row["aic"] == pytest.approx(model.aic(X), rel=1e-12)
        assert row["bic"] == pytest.approx(-2 * n * model.score(X) + p * math.log(n), rel=1e-12)
        assert row["aic"] == pytest.approx(-2 * n * model.score(X) + 2 * p, rel=1e-12)
