"""--trails (issue 26, point 2): the drawn paths are the engine's means, in order."""
import numpy as np
import pytest

import visualize_gmm
from gmm_steps import half_steps
from gmm_trails import (MeansByIterationView, TrailsView, fade, mean_paths,
                        trail_segments)
from pinned_data import blobs


def test_fade_runs_from_faint_to_strong():
    a = fade(5)
    assert a.shape == (5,) and np.all(np.diff(a) > 0) and a[0] > 0 and a[-1] <= 1
    assert fade(0).shape == (0,) and fade(1)[0] == a[-1]


def test_trail_segments_join_consecutive_means_per_component():
    paths = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)     # (m=3, k=2, 2)
    colors = np.array([[1.0, 0, 0, 1], [0, 0, 1.0, 1]])
    seg, rgba = trail_segments(paths, colors)
    assert seg.shape == (4, 2, 2)
    expected = [[paths[0, 0], paths[1, 0]], [paths[1, 0], paths[2, 0]],
                [paths[0, 1], paths[1, 1]], [paths[1, 1], paths[2, 1]]]
    np.testing.assert_array_equal(seg, expected)
    np.testing.assert_array_equal(rgba[:2, :3], [[1, 0, 0]] * 2)
    np.testing.assert_array_equal(rgba[:, 3], np.tile(fade(2), 2))
    assert trail_segments(paths[:1], colors)[0].shape == (0, 2, 2)


@pytest.mark.parametrize("half", [False, True])
def test_drawn_trails_are_the_engine_means(half):
    X = blobs(3)
    animation = visualize_gmm.animate(X, 3, trails=True, half_steps=half, max_iter=7, tol=0,
                                 random_state=4)
    anim = animation.animator
    n = anim.run()
    states = animation.states
    view = next(v for v in anim.views if isinstance(v, TrailsView))
    for frame in (0, n // 2, n - 1):
        anim.show_state(frame)
        t = anim.history[frame].iteration
        means = np.stack([s.means for s in states[:t + 1]])          # (t+1, k, 2)
        np.testing.assert_allclose(mean_paths(anim.history, t), means)
        seg = view.lines.get_segments()
        assert len(seg) == 3 * t
        for j in range(3):
            for s in range(t):
                np.testing.assert_allclose(seg[j * t + s], [means[s, j], means[s + 1, j]])
        np.testing.assert_allclose(view.dots.get_offsets(), means.transpose(1, 0, 2).reshape(-1, 2))


def test_m_step_frame_trail_already_reaches_the_new_means():
    X = blobs(4)
    frames = list(half_steps(visualize_gmm.animate(X, 3, max_iter=3, tol=0,
                                                   random_state=0).states))
    np.testing.assert_array_equal(mean_paths(frames[:2], 1)[-1], frames[1].means)


def test_one_dimensional_trails_panel_plots_means_against_iteration():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-3, 1, 150), rng.normal(3, 1, 150)])[:, None]
    animation = visualize_gmm.animate(x, 2, trails=True, max_iter=5, tol=0, random_state=0)
    anim = animation.animator
    n = anim.run()
    states = animation.states
    view = next(v for v in anim.views if isinstance(v, MeansByIterationView))
    assert "trails" in anim.panels
    anim.render(n - 1)
    np.testing.assert_allclose(view.marks.get_offsets(),
                               np.c_[states[-1].means[:, 0], [n - 1] * 2])
    seg = view.lines.get_segments()
    np.testing.assert_allclose(seg[0], [[states[0].means[0, 0], 0], [states[1].means[0, 0], 1]])
    np.testing.assert_allclose(anim.panels["trails"].get_xlim(), anim.ax.get_xlim())
