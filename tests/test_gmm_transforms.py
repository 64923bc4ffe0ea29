"""Tests for gmm_transforms: choosing k, projections of d > 2 data and their states.

References: scikit-learn's GaussianMixture and PCA, and sampled points for
the projection of a Gaussian.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import gmm
import gmm_transforms
from em_reference import separated_blobs, sk_holding


IRIS = "examples/iris.csv"


@pytest.mark.parametrize("k_true, d", [(3, 2), (4, 2), (2, 3)])
def test_select_k_library_finds_known_k(k_true, d):
    X = separated_blobs(k_true, d, seed=k_true + d)
    best, table = gmm.select_k(X, range(1, 7), n_init=2, random_state=0)
    assert best == k_true
    assert [r["k"] for r in table] == list(range(1, 7))
    for row in table:
        m = row["model"]
        sk = sk_holding(m.weights_, m.means_, m.state_.covariances, "full")
        assert row["bic"] == pytest.approx(sk.bic(X), rel=1e-10)
        assert row["aic"] == pytest.approx(sk.aic(X), rel=1e-10)
        assert row["n_parameters"] == sk._n_parameters()


def test_select_k_callback_sees_each_row_as_it_is_fitted():
    X = separated_blobs(3, 2, seed=4)
    seen = []
    best, table = gmm.select_k(X, [3, 1, 2], random_state=0,
                               callback=lambda row: seen.append((row["k"], len(seen))))
    assert [k for k, _ in seen] == [3, 1, 2]
    assert [r["k"] for r in table] == [3, 1, 2]
    # the same rows as without a callback (it only observes)
    plain = gmm.select_k(X, [3, 1, 2], random_state=0)[1]
    assert [r["bic"] for r in table] == [r["bic"] for r in plain]


def test_n_init_keeps_the_best_run():
    X = separated_blobs(5, seed=7, sep=5.0)
    one = gmm_transforms.select_components(X, [5], random_state=np.random.default_rng(3))[1][0]
    many = gmm_transforms.select_components(X, [5], n_init=6,
                                           random_state=np.random.default_rng(3))[1][0]
    # the first of the 6 runs is the single run (same generator), so the kept one is no worse
    assert many["log_likelihood"] >= one["log_likelihood"] - 1e-12
    runs = [gmm.GaussianMixture(5, init="kmeans++", random_state=g).fit(
        gmm_transforms.standardise(X)[0]) for g in [np.random.default_rng(3)]]
    assert runs[0].state_.log_likelihood - np.log(gmm_transforms.standardise(X)[2]).sum() == \
        pytest.approx(one["log_likelihood"], abs=1e-12)


def test_pca_projection_matches_sklearn():
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    P, centre, explained = gmm_transforms.pca_projection(X)
    pca = PCA(2).fit(X)
    np.testing.assert_allclose(np.abs(P @ pca.components_.T), np.eye(2), atol=1e-10)
    np.testing.assert_allclose(explained, pca.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(centre, X.mean(axis=0))
    scores = (X - centre) @ P.T
    np.testing.assert_allclose(np.abs(scores), np.abs(pca.transform(X)), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 6), st.integers(0, 2**32 - 1))
def test_project_is_the_linear_image_of_each_gaussian(d, seed):
    rng = np.random.default_rng(seed)
    k = 3
    A = rng.normal(size=(k, d, d))
    S = A @ np.swapaxes(A, 1, 2) + 0.1 * np.eye(d)
    mu = rng.normal(size=(k, d)) * 3
    P = np.linalg.qr(rng.normal(size=(d, 2)))[0].T           # (2, d) orthonormal rows
    c = rng.normal(size=d)
    state = gmm.GMMState(iteration=0, weights=np.full(k, 1 / k), means=mu, covariances=S,
                         log_likelihood=-1.0, labels=np.zeros(4, int))
    out = gmm_transforms.project(state, P, c)
    for j in range(k):
        # the image of N(mu, S) under y = P (x - c) is N(P (mu - c), P S P^T): compare
        # second moments along random directions (u^T y has variance (P^T u)^T S (P^T u))
        for u in rng.normal(size=(3, 2)):
            assert u @ out.covariances[j] @ u == pytest.approx((P.T @ u) @ S[j] @ (P.T @ u),
                                                               rel=1e-10)
        np.testing.assert_allclose(out.means[j], P @ (mu[j] - c), atol=1e-12)
    np.testing.assert_allclose(out.covariances, np.swapaxes(out.covariances, 1, 2), atol=0)
    assert out.log_likelihood == state.log_likelihood


def test_project_matches_samples():
    rng = np.random.default_rng(0)
    d = 4
    A = rng.normal(size=(d, d))
    S = A @ A.T + np.eye(d)
    mu = rng.normal(size=d)
    P, centre, _ = gmm_transforms.pca_projection(rng.normal(size=(50, d)) @ A)
    Y = (rng.multivariate_normal(mu, S, size=200_000) - centre) @ P.T
    state = gmm.GMMState(0, np.ones(1), mu[None], S[None], 0.0, np.zeros(1, int))
    out = gmm_transforms.project(state, P, centre)
    np.testing.assert_allclose(Y.mean(axis=0), out.means[0], atol=0.03)
    np.testing.assert_allclose(np.cov(Y.T), out.covariances[0], rtol=0.02, atol=0.03)


def test_select_k_marks_nothing_degenerate_in_mixed_units():
    """Income in dollars beside age in years (issue 14): scikit-learn fits every
    k fine on the raw data, so no row is marked degenerate, and both choose 3.
    With one shared scale the reg_covar floor was ~800 years^2 and every k was marked."""
    rng = np.random.default_rng(0)
    centres = np.array([[32_000.0, 25.0], [58_000.0, 41.0], [95_000.0, 56.0]])
    spreads = np.array([[6_000.0, 3.5], [9_000.0, 6.0], [14_000.0, 5.3]])
    X = np.concatenate([c + rng.normal(size=(200, 2)) * sd for c, sd in zip(centres, spreads)])
    best_k, rows = gmm_transforms.select_components(X, [1, 2, 3, 4, 5],
                                                    random_state=np.random.default_rng(1))
    assert not any(r["degenerate"] for r in rows)
    sk_bic = [SkGaussianMixture(k, n_init=3, random_state=0).fit(X).bic(X) for k in range(1, 6)]
    assert best_k == 1 + int(np.argmin(sk_bic)) == 3
    age_variances = np.diagonal(rows[2]["covariances"], axis1=1, axis2=2)[:, 1]
    np.testing.assert_allclose(np.sort(age_variances), np.sort(spreads[:, 1] ** 2), rtol=0.3)


def test_columns_share_units_when_their_ranges_are_within_a_factor_3():
    """Iris (all in cm, ranges 2.4 to 5.9) is fitted with one scale; income
    beside age (ranges 1e5 and 60) with one per column."""
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    np.testing.assert_allclose(gmm_transforms.column_ranges(X), X.max(0) - X.min(0))
    assert gmm_transforms.shares_units(gmm_transforms.column_ranges(X))
    assert not gmm_transforms.shares_units([1e5, 60.0])
    assert gmm_transforms.shares_units([0.0, 2.0, 5.9])         # a constant column aside
    np.testing.assert_array_equal(gmm_transforms.column_ranges([[-1e308, 0], [1e308, 1]]),
                                  [np.inf, 1.0])


@pytest.mark.parametrize("types, d, groups", [
    (("full", "tied", "diag", "spherical"), 1,
     [(("full", "diag", "spherical"), "full = diag = spherical (V)"), (("tied",), "tied (E)")]),
    (("tied", "spherical"), 1, [(("tied",), "tied (E)"), (("spherical",), "spherical (V)")]),
    (("full", "tied", "diag", "spherical"), 2,
     [(("full",), "full"), (("tied",), "tied"), (("diag",), "diag"),
      (("spherical",), "spherical")]),
])
def test_one_model_groups_join_the_types_of_one_variance_per_component(types, d, groups):
    assert gmm_transforms.one_model_groups(types, d) == groups


def test_1d_every_type_fits_the_varying_variance_model_once_and_sklearn_agrees():
    """One column: full, diag and spherical are one model (mclust's V), fitted once
    and shown as one column of the grid; tied (mclust's E) on its own. Every BIC
    is scikit-learn's for the fitted parameters under each type it stands for."""
    rng = np.random.default_rng(4)
    X = np.r_[rng.normal(0, 1, 150), rng.normal(6, 2, 100)][:, None] * 30
    fitted = []
    best, rows = gmm_transforms.select_components_by_type(
        X, [1, 2, 3], "all", max_iter=50, tol=1e-4, patience=2, random_state=0,
        callback=fitted.append)
    assert len(fitted) == 6
    assert [(r["covariance_type"], r["same_as"], r["label"]) for r in rows[::3]] == [
        ("full", ("diag", "spherical"), "full = diag = spherical (V)"),
        ("tied", (), "tied (E)")]
    for row in rows:
        for t in (row["covariance_type"],) + row["same_as"]:
            sk = sk_holding(row["weights"], row["means"], row["covariances"], t)
            assert row["bic"] == pytest.approx(sk.bic(X), rel=1e-10)
    assert best == (2, "full")
    grid = gmm_transforms.format_selection_grid(rows, best, "bic")
    head = grid.splitlines()[1].split("  ")
    assert [h.strip() for h in head if h.strip()] == ["k", "full = diag = spherical (V)",
                                                      "tied (E)"]
    assert "chosen: k = 2, covariance type full = diag = spherical (V)" in grid
    assert "one model of one column, fitted once" in grid and "mclust's E" in grid


def test_pca_and_ranges_of_a_memory_map_are_those_in_memory(tmp_path, monkeypatch):
    """A memory map's principal axes (moments read block by block) and column
    ranges equal the in-memory ones; its 2-D view is read lazily."""
    import gmm_blocks
    monkeypatch.setattr(gmm_blocks, "BLOCK_ROWS", 1000)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6000, 4)) @ rng.normal(size=(4, 4)) * [1, 100, 1, 1] + 50
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    scale = X.std(axis=0)
    for a, b in zip(gmm_transforms.pca_projection(M, scale),
                    gmm_transforms.pca_projection(X, scale)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gmm_transforms.column_ranges(M),
                               gmm_transforms.column_ranges(X), rtol=0, atol=0)
