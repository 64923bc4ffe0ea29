"""Half-step frames (issue 26, point 1) against the engine's own states.

An M-step frame must show state t's parameters with state t-1's labels
(and, with --soft, responsibilities recomputed with scipy.stats from state
t-1's parameters); an E-step frame is state t. The frames are checked as
states and as drawn (the scatter's face colours, the ellipses' centres).
"""
import os

import numpy as np
import pytest
from matplotlib.backend_bases import KeyEvent
from PIL import Image

import gmm
import gmm_window
import visualize_gmm
from gmm_scene1d import HistogramView
from gmm_scene2d import EllipsesView, PointsView, SoftPointsView
from gmm_steps import (EMFrame, KMeansFrame, StepText, assigning_state, half_steps,
                       iteration_states, per_iteration, step_of)
from gmm_teaching import FollowerPanel, LogLikelihoodPanel
from pinned_data import blobs, scipy_responsibilities
from readme_commands import HALF_STEPS_COMMAND, ROOT


def test_frames_are_the_engine_states_composed():
    X = blobs()
    states = list(gmm.em_steps(X, 3, max_iter=8, tol=0, init="random_from_data",
                               random_state=3))
    frames = list(half_steps(iter(states)))
    assert len(frames) == 2 * (len(states) - 1) + 1
    assert step_of(frames[0]) == "start" and frames[0].iteration == 0
    np.testing.assert_array_equal(frames[0].means, states[0].means)
    changed = 0
    for t in range(1, len(states)):
        m, e = frames[2 * t - 1], frames[2 * t]
        assert isinstance(m, EMFrame) and (m.step, e.step) == ("M", "E")
        assert m.iteration == e.iteration == t
        for name in ("weights", "means", "covariances"):
            np.testing.assert_array_equal(getattr(m, name), getattr(states[t], name))
            np.testing.assert_array_equal(getattr(e, name), getattr(states[t], name))
            np.testing.assert_array_equal(getattr(assigning_state(m), name),
                                          getattr(states[t - 1], name))
        np.testing.assert_array_equal(m.labels, states[t - 1].labels)
        np.testing.assert_array_equal(e.labels, states[t].labels)
        assert m.log_likelihood == e.log_likelihood == states[t].log_likelihood
        assert not m.converged
        changed += int(np.any(m.labels != e.labels))
    assert changed > 0          # the E-step visibly recolours some points
    assert assigning_state(frames[2]) is frames[2]


def test_converged_only_on_the_last_e_step():
    X = blobs(1)
    states = list(gmm.em_steps(X, 3, max_iter=200, tol=1e-3, random_state=0))
    assert states[-1].converged
    frames = list(half_steps(states))
    assert [f.converged for f in frames] == [False] * (len(frames) - 1) + [True]


def test_kmeans_frames_update_then_assign():
    X = blobs(2)
    ks = list(gmm.kmeans_steps(X, X[:3].copy(), 10))
    frames = list(half_steps(ks))
    assert len(ks) > 2 and all(isinstance(f, KMeansFrame) for f in frames)
    for t in range(1, len(ks)):
        m = frames[2 * t - 1]
        # update step: the centres are the means of the previous assignment's points
        for j in range(3):
            np.testing.assert_allclose(m.means[j], X[ks[t - 1].labels == j].mean(axis=0))
        np.testing.assert_array_equal(m.labels, ks[t - 1].labels)
        np.testing.assert_array_equal(frames[2 * t].labels, ks[t].labels)


def test_per_iteration_skips_m_frames():
    seen = []
    call = per_iteration(seen.append)
    X = blobs()
    for f in half_steps(gmm.em_steps(X, 2, max_iter=3, tol=0, random_state=0)):
        call(f)
    assert [s.iteration for s in seen] == [0, 1, 2, 3]
    assert per_iteration(None) is None


def _view(anim, kind):
    return next(v for v in anim.views if type(v) is kind)


def test_drawn_m_frame_is_new_ellipses_with_old_colours():
    X = blobs(4)
    printed = []
    animation = visualize_gmm.animate(X, 3, half_steps=True, max_iter=6, tol=0, init="kmeans++",
                                 random_state=5, on_state=printed.append)
    anim = animation.animator
    n_frames = anim.run()
    states = animation.states            # the engine's states (user units = display units here)
    assert n_frames == 2 * (len(states) - 1) + 1
    assert [s.iteration for s in printed] == list(range(len(states)))     # one per iteration
    points, ellipses = _view(anim, PointsView), _view(anim, EllipsesView)
    face = points._face
    for t in (1, 3, len(states) - 1):
        anim.show_state(2 * t - 1)
        np.testing.assert_allclose(points.artist.get_facecolor(), face[states[t - 1].labels])
        for patch, mean in zip(ellipses.patches, states[t].means):
            np.testing.assert_allclose(patch.get_center(), mean, rtol=1e-9, atol=1e-9)
        header = next(v for v in anim.views if isinstance(v, StepText)).text.get_text()
        assert f"iter {t:>1}" in header and "M-step: components moved to the weighted points" \
            in header
        anim.show_state(2 * t)
        np.testing.assert_allclose(points.artist.get_facecolor(), face[states[t].labels])
        header = next(v for v in anim.views if isinstance(v, StepText)).text.get_text()
        assert "E-step: points reassigned" in header


def test_soft_m_frame_mixes_the_previous_responsibilities():
    X = blobs(5)
    animation = visualize_gmm.animate(X, 3, half_steps=True, soft=True, max_iter=4, tol=0,
                                 random_state=1)
    anim = animation.animator
    anim.run()
    states = animation.states
    view = _view(anim, SoftPointsView)
    for t in (1, 2):
        anim.show_state(2 * t - 1)
        expected = scipy_responsibilities(X, states[t - 1]) @ view.colors[:, :3]
        np.testing.assert_allclose(view.artist.get_facecolor()[:, :3], expected, atol=1e-9)
        anim.show_state(2 * t)
        expected = scipy_responsibilities(X, states[t]) @ view.colors[:, :3]
        np.testing.assert_allclose(view.artist.get_facecolor()[:, :3], expected, atol=1e-9)


def test_ll_panel_and_kmeans_panel_follow_the_rhythm():
    X = blobs(6)
    animation = visualize_gmm.animate(X, 3, half_steps=True, ll_panel=True, compare="kmeans",
                                 max_iter=5, tol=0, random_state=2)
    anim = animation.animator
    anim.run()
    states = animation.states
    ll = _view(anim, LogLikelihoodPanel)
    anim.show_state(3)              # iteration 2, M-step: the curve reaches state 2's value
    xs, ys = ll.line.get_data()
    np.testing.assert_allclose(ys, [s.log_likelihood for s in states[:3]])
    assert len(iteration_states(anim.history)) == len(states)
    panel = _view(anim, FollowerPanel)
    shown = panel.state(3)
    assert step_of(shown) == "M" and shown.iteration == 2
    np.testing.assert_array_equal(shown.labels, panel.state(2).labels)


@pytest.mark.parametrize("soft", [False, True])
def test_one_dimensional_m_frame_keeps_the_previous_colouring(soft):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-3, 1, 150), rng.normal(3, 1, 150)])[:, None]
    animation = visualize_gmm.animate(x, 2, half_steps=True, soft=soft, max_iter=4, tol=0,
                                 random_state=0)
    anim = animation.animator
    anim.run()
    view = next(v for v in anim.views if isinstance(v, HistogramView))
    anim.show_state(1)
    m_colours = np.array(view.bars.get_facecolor()) if not soft else None
    if soft:
        layers_m = view.layers(anim.history[1])
        layers_0 = view.layers(anim.history[0])
        np.testing.assert_allclose(layers_m, layers_0)
    else:
        anim.show_state(0)
        np.testing.assert_allclose(np.array(view.bars.get_facecolor()), m_colours)


def test_arrow_keys_step_half_an_iteration_and_restarts_keep_half_steps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    animation = visualize_gmm.animate(None, 3, max_iter=4, tol=0, random_state=0, n_points=200,
                                 n_true=3, half_steps=True)
    anim = animation.animator
    anim.show_state(0)
    window = gmm_window.LiveWindow(anim)

    def press(key):
        window.on_key(KeyEvent("key_press_event", window.fig.canvas, key))
    press("right")
    assert anim.current == 1 and step_of(anim.history[1]) == "M"
    press("n")
    assert anim.current == 2 and step_of(anim.history[2]) == "E"
    press("left")
    press("s")
    assert os.listdir(tmp_path) == ["gmm_frame_1M.png"]
    press("r")
    for _ in range(3):
        press("n")
    assert [step_of(f) for f in anim.history] == ["start", "M", "E", "M"]


def test_cli_print_ll_is_one_line_per_iteration(tmp_path, capsys):
    argv = ["-N", "200", "-k", "3", "-m", "3", "--seed", "0", "-i", "5", "--tol", "0", "-q",
            "--print_ll", "-s", str(tmp_path / "o.gif")]
    assert visualize_gmm.main(argv) == 0
    plain = capsys.readouterr().out
    assert visualize_gmm.main(argv + ["--half-steps"]) == 0
    assert capsys.readouterr().out == plain and len(plain.splitlines()) == 6


def test_live_m_frame_already_counts_its_iteration():
    X = blobs(7)
    animation = visualize_gmm.animate(X, 3, half_steps=True, ll_panel=True, trails=True, max_iter=6,
                                 tol=0, random_state=2)
    anim = animation.animator
    anim.show_state(3)              # pulled up to iteration 2's M-step frame only (live)
    assert len(anim.history) == 4
    states = visualize_gmm.animate(X, 3, max_iter=6, tol=0, random_state=2).states
    xs, ys = _view(anim, LogLikelihoodPanel).line.get_data()
    np.testing.assert_allclose(ys, [s.log_likelihood for s in states[:3]])
    assert [f.iteration for f in iteration_states(anim.history)] == [0, 1, 2]


def test_docs_half_steps_gif_is_made_by_its_command(tmp_path, monkeypatch):
    (tmp_path / "examples").mkdir()
    monkeypatch.chdir(tmp_path)
    assert visualize_gmm.main(HALF_STEPS_COMMAND.split() + ["-q"]) == 0
    name = HALF_STEPS_COMMAND.split()[-1]
    committed = os.path.join(ROOT, name)
    assert os.path.getsize(committed) < 2 * 2**20
    with Image.open(name) as new, Image.open(committed) as old:
        assert new.size == old.size and new.n_frames == old.n_frames == 2 * 8 + 1
        for i in (7, 8, new.n_frames - 1):       # an M-step frame, its E-step, the last
            new.seek(i)
            old.seek(i)
            diff = np.abs(np.asarray(new.convert("RGB"), dtype=int)
                          - np.asarray(old.convert("RGB"), dtype=int))
            assert diff.mean() < 1.0, i
