"""gmm_select.select_k.
"""
import math
import os

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm_mixture
import gmm_select
from gmm_em import GMMState, em_steps
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


# ---------------------------------------------------------------------------
# select_k over covariance types (covariance_types=)
# ---------------------------------------------------------------------------
IRIS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "examples", "iris.csv")
TYPES = ("full", "tied", "diag", "spherical")


def _sklearn_bic(model, X):
    """scikit-learn's ``bic(X)`` for a GaussianMixture holding ``model``'s fitted
    parameters (its per-type shapes); the precision factors are derived here:
    for S = L L^T the stored factor is (L^-1)^T, for variances 1 / sqrt(var)."""
    t = model.covariance_type
    covs = np.asarray(model.covariances_, dtype=float)
    if t in ("diag", "spherical"):
        chol = 1.0 / np.sqrt(covs)
    else:
        factors = np.linalg.cholesky(covs)
        eye = np.broadcast_to(np.eye(X.shape[1]), covs.shape)
        chol = np.swapaxes(np.linalg.solve(factors, eye), -1, -2)
    sk = SkGaussianMixture(len(model.weights_), covariance_type=t)
    sk.weights_, sk.means_, sk.covariances_ = model.weights_, model.means_, covs
    sk.precisions_cholesky_ = chol
    sk.converged_, sk.n_iter_, sk.lower_bound_ = True, 1, 0.0
    sk.n_features_in_ = X.shape[1]
    return sk.bic(X)


def test_select_k_over_all_types_on_iris_equals_sklearn_bic():
    """covariance_types="all" fits every (k, type); each BIC equals
    scikit-learn's bic() for the same fitted parameters (1e-6 relative), and
    the chosen pair is the lowest scikit-learn BIC among the fits that are not
    degenerate."""
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    best, table = gmm_select.select_k(X, range(1, 10), covariance_types="all",
                                      random_state=0)
    assert [(r["covariance_type"], r["k"]) for r in table] == [
        (t, k) for t in TYPES for k in range(1, 10)]
    sk_bic = {}
    for row in table:
        sk_bic[row["k"], row["covariance_type"]] = _sklearn_bic(row["model"], X)
        assert row["bic"] == pytest.approx(sk_bic[row["k"], row["covariance_type"]], rel=1e-6)
        assert row["model"].covariance_type == row["covariance_type"]
    eligible = {(r["k"], r["covariance_type"]) for r in table if not r["degenerate"]}
    assert best == min(eligible, key=sk_bic.get)
    assert isinstance(best[0], int) and best[1] in TYPES


def test_select_k_types_in_the_order_given_and_one_type_as_before():
    """A list of types keeps its order; one type in the list fits exactly what
    covariance_type= fits (same generator draws), only the return differs."""
    X = make_blobs(200, 3, seed=1)
    best, table = gmm_select.select_k(X, [2, 3], covariance_types=["diag", "full"],
                                      random_state=0, max_iter=5)
    assert [(r["covariance_type"], r["k"]) for r in table] == [
        ("diag", 2), ("diag", 3), ("full", 2), ("full", 3)]
    assert best == min(((r["k"], r["covariance_type"]) for r in table),
                       key=lambda kt: next(r["bic"] for r in table
                                           if (r["k"], r["covariance_type"]) == kt))
    best_one, one = gmm_select.select_k(X, [2, 3], covariance_types=("tied",), random_state=0,
                                        max_iter=5)
    best_k, plain = gmm_select.select_k(X, [2, 3], covariance_type="tied", random_state=0,
                                        max_iter=5)
    assert best_one == (best_k, "tied")
    assert [r["bic"] for r in one] == [r["bic"] for r in plain]
    assert all(r["covariance_type"] == "tied" for r in plain)


def test_select_k_default_is_full_and_both_type_keywords_refused():
    X = make_blobs(60, 2, seed=2)
    assert all(r["covariance_type"] == "full"
               for r in gmm_select.select_k(X, [1, 2], random_state=0, max_iter=2)[1])
    with pytest.raises(TypeError, match="covariance_type= and covariance_types="):
        gmm_select.select_k(X, [1, 2], covariance_type="diag", covariance_types="all")


NAMES = st.sampled_from(TYPES)
HOSTILE = st.one_of(NAMES, st.sampled_from(["ALL", "all", "Full", "full ", "", "none"]),
                    st.text(max_size=6), st.integers(-2, 2), st.none(), st.floats(),
                    st.binary(max_size=3), st.lists(NAMES, max_size=2))


@settings(max_examples=40, deadline=None)
@given(types=st.one_of(st.lists(HOSTILE, max_size=5), st.tuples(HOSTILE), HOSTILE,
                       st.sets(NAMES, max_size=2)))
@example(types=[])
@example(types="")
@example(types=["full", "full"])
@example(types=["full", "Full"])
@example(types=["full", 1])
@example(types=[b"full"])
@example(types="full")
@example(types=5)
@example(types=None)
@example(types={"diag": 1})
def test_hostile_covariance_types_fit_or_raise_naming_the_argument(types):
    """Any value: a ValueError/TypeError naming covariance_types (before any
    fit), or one row per (distinct valid type, k) and a chosen pair among them."""
    X = make_blobs(40, 2, seed=0)
    if types is None:               # None means "one type": covariance_type's default
        best, table = gmm_select.select_k(X, [1, 2], covariance_types=types, max_iter=1,
                                          random_state=0)
        assert best in (1, 2) and {r["covariance_type"] for r in table} == {"full"}
        return
    names = list(types) if not isinstance(types, (str, bytes, int, float)) else None
    valid = (types == "all" or names is not None and len(names) > 0
             and all(isinstance(t, str) and t in TYPES for t in names)
             and len(set(names)) == len(names))
    if not valid:
        with pytest.raises((ValueError, TypeError), match="covariance_types"):
            gmm_select.select_k(X, [1, 2], covariance_types=types, max_iter=1, random_state=0)
        return
    best, table = gmm_select.select_k(X, [1, 2], covariance_types=types, max_iter=1,
                                      random_state=0)
    expected = list(TYPES) if types == "all" else names
    assert [r["covariance_type"] for r in table] == [t for t in expected for _ in (1, 2)]
    assert best in {(r["k"], r["covariance_type"]) for r in table}


def test_covariance_types_may_be_any_iterable_read_once():
    X = make_blobs(40, 2, seed=0)
    table = gmm_select.select_k(X, [1], covariance_types=(t for t in ["diag", "full"]),
                                max_iter=1, random_state=0)[1]
    assert [r["covariance_type"] for r in table] == ["diag", "full"]
    endless = iter(lambda: "tied", None)          # "tied" forever: fails at the repeat
    with pytest.raises(ValueError, match="covariance_types holds 'tied' twice"):
        gmm_select.select_k(X, [1], covariance_types=endless)


# ---------------------------------------------------------------------------
# stop_on_plateau: the command line's stopping rule
# ---------------------------------------------------------------------------
def _states(lls):
    """GMMStates whose only meaningful field is the log-likelihood ``lls[t]``."""
    one = np.ones(1)
    return [GMMState(t, one, np.zeros((1, 2)), np.eye(2)[None], float(ll),
                         np.zeros(0, dtype=np.int64)) for t, ll in enumerate(lls)]


@pytest.mark.parametrize("lls, tol, patience, stop", [
    # a plateau of 2 small steps, then EM speeds up again: patience 3 waits it out
    ([-5.0, -4.0, -3.99999, -3.99998, -3.5, -3.4, -3.39999, -3.39998, -3.39997, -3.39996],
     1e-4, 3, 8),
    ([-5.0, -4.0, -3.99999, -3.99998, -3.5], 1e-4, 1, 2),      # the library's rule
    ([-5.0, -4.0, -3.99999, -3.99998, -3.5], 1e-4, 2, 3),
    ([-5.0, -4.0, -3.99999, -3.99998, -3.5], 0.0, 1, None),    # tol 0: never
    ([-5.0, -5.0, -5.0], 1e-4, 5, None),                       # -i ran out first
])
def test_stop_on_plateau_waits_for_patience_small_changes(lls, tol, patience, stop):
    out = list(gmm_select.stop_on_plateau(iter(_states(lls)), tol, patience))
    assert len(out) == (len(lls) if stop is None else stop + 1)
    assert [s.converged for s in out] == [False] * (len(out) - 1) + [stop is not None]


@pytest.mark.parametrize("lls, grows", [
    ([0.0, 1e-6, 1.5e-6, 1.8e-6, 1.9e-6, 1.95e-6, 1.97e-6], False),   # shrinking changes
    ([0.0, 1e-6, 1.5e-6, 1.7e-6, 1.9e-6, 2.2e-6, 2.6e-6], True),     # growing again
])
def test_plateau_rule_waits_while_changes_grow(lls, grows):
    out = list(gmm_select.stop_on_plateau(iter(_states(lls)), 1e-5, 5))
    assert out[-1].converged is (not grows) and len(out) == (len(lls) if grows else 6)


# ---------------------------------------------------------------------------
# select_k(patience=): every run stopped by the command line's rule
# ---------------------------------------------------------------------------
def test_patience_scores_the_run_that_em_steps_and_the_plateau_rule_give():
    """With patience, a row's fit is em_steps(tol=0) from the row's own state 0,
    stopped by stop_on_plateau: the same final parameters and log-likelihood,
    and its BIC is scikit-learn's for those parameters."""
    X = make_blobs(300, 2, seed=5)
    for row in gmm_select.select_k(X, [2, 3], n_init=2, tol=1e-3, patience=2, max_iter=40,
                                   random_state=1)[1]:
        model = row["model"]
        replay = list(gmm_select.stop_on_plateau(
            em_steps(X, row["k"], max_iter=40, tol=0, init=model.initial_params_),
            1e-3, 2))
        assert replay[-1].log_likelihood == pytest.approx(row["log_likelihood"], abs=1e-12)
        np.testing.assert_allclose(replay[-1].means, model.means_, atol=1e-12)
        assert row["bic"] == pytest.approx(_sklearn_bic(model, X), rel=1e-10)


@pytest.mark.parametrize("patience", [0, -1, 1.5, "2", float("nan")])
def test_a_bad_patience_raises_naming_it(patience):
    with pytest.raises((ValueError, TypeError), match="patience"):
        gmm_select.select_k(make_blobs(40, 2, seed=0), [1, 2], patience=patience)
