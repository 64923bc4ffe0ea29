"""--explain (issue 26, point 4): the panel's numbers equal those recomputed with
scipy.stats from the frame's state, and its M-step numbers are the engine's next
parameters."""
import numpy as np
import pytest
from scipy.stats import norm

import visualize_gmm
from gmm_explain import ExplainPanel, explain_numbers
from pinned_data import blobs, scipy_responsibilities, weighted_densities


def _panel(anim):
    return next(v for v in anim.views if isinstance(v, ExplainPanel))


@pytest.mark.parametrize("half", [False, True])
def test_numbers_are_scipys_and_the_m_step_is_the_engines(half):
    X = blobs(3)
    row = 17
    animation = visualize_gmm.animate(X, 3, track_row=row, explain=True, half_steps=half,
                                 max_iter=6, tol=0, random_state=1)
    anim = animation.animator
    n = anim.run()
    states = animation.states
    panel = _panel(anim)
    for frame in range(n - 1):
        anim.render(frame)
        shown = anim.history[frame]
        source = shown.iteration - (1 if half and frame % 2 == 1 else 0)
        nums = panel.numbers
        weighted = weighted_densities(X, states[source])[row]
        resp = scipy_responsibilities(X, states[source])
        np.testing.assert_allclose(nums["weighted"], weighted, rtol=1e-9)
        np.testing.assert_allclose(nums["total"], weighted.sum(), rtol=1e-9)
        np.testing.assert_allclose(nums["resp"], resp[row], atol=1e-12)
        k = int(np.argmax(resp[row]))
        assert nums["k"] == k
        n_k = resp[:, k].sum()
        np.testing.assert_allclose(nums["N_k"], n_k, rtol=1e-9)
        np.testing.assert_allclose(nums["weight"], n_k / len(X), rtol=1e-9)
        np.testing.assert_allclose(nums["mean"], resp[:, k] @ X / n_k, rtol=1e-9)
        # the M-step from these responsibilities gives the engine's next state
        np.testing.assert_allclose(nums["mean"], states[source + 1].means[k], rtol=1e-6)
        np.testing.assert_allclose(nums["weight"], states[source + 1].weights[k], rtol=1e-6)
        text = " ".join(t.get_text() for t in panel.artists)
        assert f"{nums['resp'][k]:.4f}" in text and f"{nums['N_k']:.4f}" in text
        assert f"point i = {row}" in text


def test_one_dimensional_numbers_are_scipys():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-3, 1, 150), rng.normal(3, 1, 150)])[:, None]
    animation = visualize_gmm.animate(x, 2, track_row=5, explain=True, max_iter=4, tol=0,
                                 random_state=0)
    anim = animation.animator
    anim.run()
    anim.render(2)
    s = animation.states[2]
    dens = np.array([w * norm(m[0], np.sqrt(c[0, 0])).pdf(x[5, 0])
                     for w, m, c in zip(s.weights, s.means, s.covariances)])
    np.testing.assert_allclose(_panel(anim).numbers["weighted"], dens, rtol=1e-9)


def test_without_a_pin_the_panel_says_how_to_pin():
    animation = visualize_gmm.animate(blobs(), 3, explain=True, max_iter=2, random_state=0)
    anim = animation.animator
    anim.render(0)
    assert _panel(anim).numbers is None
    assert "--track" in _panel(anim).head.get_text()


def test_projected_data_are_refused():
    X = np.random.default_rng(0).normal(size=(100, 3))
    for drawn in ({"view": "pca"}, {"dims": (0, 2)}):
        with pytest.raises(ValueError, match="--explain .* this fit has 3: fit one or two "
                                             "with --columns"):
            visualize_gmm.animate(X, 2, explain=True, **drawn)
    with pytest.raises(ValueError, match="--explain draws in one 2-D panel"):
        visualize_gmm.animate(X, 2, explain=True)               # the scatter matrix


def test_explain_numbers_of_a_hand_case():
    points = np.array([[0.0], [2.0]])
    state = type("S", (), {"weights": np.array([0.5, 0.5]), "means": np.array([[0.0], [2.0]]),
                           "covariances": np.ones((2, 1, 1))})
    nums = explain_numbers(points, 0, state)
    g0, g2 = norm.pdf(0.0), norm.pdf(2.0)
    np.testing.assert_allclose(nums["weighted"], [0.5 * g0, 0.5 * g2])
    np.testing.assert_allclose(nums["resp"], [g0 / (g0 + g2), g2 / (g0 + g2)])
    r = np.array([g0, g2]) / (g0 + g2)          # the other point is the mirror image
    np.testing.assert_allclose(nums["N_k"], r[0] + r[1])


@pytest.mark.parametrize("size", [None, (19.2, 10.8)])
def test_panel_text_stays_inside_the_figure(size):
    animation = visualize_gmm.animate(blobs(), 8, track_row=0, explain=True, max_iter=2,
                                 random_state=0, size=size)
    anim = animation.animator
    anim.render(1)
    renderer = anim.canvas.get_renderer()
    fig_w, fig_h = anim.size
    for t in _panel(anim).ax.texts:
        box = t.get_window_extent(renderer)
        assert box.x1 <= fig_w + 1 and box.y0 >= -1 and t.get_fontsize() >= 6, t.get_text()
