"""One point's responsibilities (issue 26, point 3): the bars are the pinned row's
responsibilities, recomputed with scipy.stats from the frame's (colouring) state."""
import numpy as np
import pytest
from matplotlib.backend_bases import KeyEvent, MouseEvent
from scipy.stats import norm

import gmm_window
import visualize_gmm
from gmm_pin import PinnedPoint, tracked_row
from pinned_data import blobs, scipy_responsibilities


def _pin(anim):
    return next(v for v in anim.views if isinstance(v, PinnedPoint))


@pytest.mark.parametrize("half", [False, True])
def test_bars_are_the_pinned_points_responsibilities(half):
    X = blobs(1) * 1000.0 + 5e4                  # user units far from the fit's
    animation = visualize_gmm.animate(X, 3, track=(2000.0 + 5e4, 500.0 + 5e4), half_steps=half,
                                 max_iter=6, tol=0, random_state=0)
    anim = animation.animator
    n = anim.run()
    states = animation.states
    view = _pin(anim)
    row = int(np.argmin(((X - [2000.0 + 5e4, 500.0 + 5e4]) ** 2).sum(axis=1)))
    assert view.row == row
    np.testing.assert_allclose(view.ring.get_offsets()[0], X[row])
    for frame in range(n):
        anim.render(frame)
        shown = anim.history[frame]
        t = shown.iteration - (1 if half and frame % 2 == 1 else 0)    # M frame: t - 1's E-step
        expected = scipy_responsibilities(X[row], states[t])[0]
        np.testing.assert_allclose(view.resp, expected, atol=1e-9)
        heights = np.array([b.get_height() for b in view.bars])
        np.testing.assert_allclose(heights / heights.sum(), expected, atol=1e-9)
        assert np.argmax(view.resp) == shown.labels[row]              # as the point is coloured


def test_track_row_in_one_dimension():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-3, 1, 150), rng.normal(3, 1, 150)])[:, None]
    animation = visualize_gmm.animate(x, 2, track_row=7, max_iter=5, tol=0, random_state=0)
    anim = animation.animator
    n = anim.run()
    anim.render(n - 1)
    s = animation.states[-1]
    dens = np.array([w * norm(m[0], np.sqrt(c[0, 0])).pdf(x[7, 0])
                     for w, m, c in zip(s.weights, s.means, s.covariances)])
    np.testing.assert_allclose(_pin(anim).resp, dens / dens.sum(), atol=1e-9)
    np.testing.assert_allclose(_pin(anim).ring.get_offsets()[0], [x[7, 0], 0.0])


def test_bad_track_values_are_value_errors():
    X = blobs()
    with pytest.raises(ValueError, match="--track-row 240: the data have 240 rows"):
        visualize_gmm.animate(X, 3, track_row=240)
    with pytest.raises(ValueError, match="--track takes 2 numbers"):
        visualize_gmm.animate(X, 3, track=(1.0,))
    with pytest.raises(ValueError, match="finite"):
        visualize_gmm.animate(X, 3, track=(1.0, float("nan")))
    with pytest.raises(ValueError, match="give one of them"):
        visualize_gmm.animate(X, 3, track=(1.0, 2.0), track_row=1)
    assert tracked_row(visualize_gmm.animate(X, 3).animator.fit,
                       visualize_gmm.animate(X, 3).animator.fit.options) is None


@pytest.mark.parametrize("argv, fragment", [
    (["--track", "1"], "--track takes 2 numbers"),
    (["--track", "1", "2", "3"], "(--track) must be 1 or 2 finite numbers"),
    (["--track", "nan", "1"], "a finite number"),
    (["--track", "1e400", "1"], "a finite number"),
    (["--track"], "expected at least one argument"),
    (["--track-row", "-1"], "a row number >= 0"),
    (["--track-row", "1" + "0" * 400], "a row number >= 0"),
    (["--track-row", "200"], "--track-row 200: the data have 200 rows"),
    (["--track-row", "1", "--track", "0", "0"], "give one of them"),
])
def test_track_flags_hostile_values_are_one_error_line(argv, fragment, tmp_path, capsys):
    out = tmp_path / "o.png"
    status = visualize_gmm.main(["-N", "200", "-k", "2", "--seed", "0", "-s", str(out)] + argv)
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert fragment in err and len(err) < 300
    assert not out.exists()


def test_click_pins_a_point_a_second_click_moves_it_escape_removes_it():
    X = blobs(2)
    animation = visualize_gmm.animate(X, 3, max_iter=4, tol=0, random_state=0, interactive=True)
    anim = animation.animator
    anim.show_state(0)
    window = gmm_window.LiveWindow(anim)
    view = _pin(anim)
    assert view.row is None and not view.ring.get_visible()
    canvas = window.fig.canvas
    window.fig.canvas.draw()

    def click(row):
        x, y = anim.ax.transData.transform(X[row])
        event = MouseEvent("button_press_event", canvas, x, y, button=1)
        window.mouse.on_press(event)
        window.mouse.on_release(MouseEvent("button_release_event", canvas, x, y, button=1))

    far = int(np.argmax(((X - X.mean(axis=0)) ** 2).sum(axis=1)))      # far from every mean
    click(far)
    assert view.row == far and view.ring.get_visible()
    other = int(np.argmax(X[:, 1]))
    click(other)
    assert view.row == other
    window.on_key(KeyEvent("key_press_event", canvas, "escape"))
    assert view.row is None and not view.ring.get_visible()
