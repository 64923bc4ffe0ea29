"""Tests for gmm_mouse and FitRun's mouse restarts: clicked means, dragged means,
edited points, the ``restart:`` transcript.

In-process: matplotlib's own MouseEvent/KeyEvent objects fed to an Agg canvas
through its callback registry (the path a real window's events take). The
real TkAgg window under Xvfb, with matplotlib events and with ``xdotool``
clicks, is in test_gmm_mouse_window.py.
"""

import os

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from matplotlib.backend_bases import KeyEvent, MouseEvent

import gmm
import gmm_fit
import gmm_kmeans
import gmm_options
import gmm_plot
import gmm_scene1d
import gmm_teaching
import gmm_transforms
import gmm_window
import gmm_params
import visualize_gmm

SMALL = dict(max_iter=8, tol=0, random_state=0, n_points=200, n_true=3)
FAITHFUL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples", "faithful.csv")


def _window(X=None, k=3, **options):
    anim = visualize_gmm.animate(X, k, **{**SMALL, **options}).animator
    anim.show_state(0)
    transcript = (lambda how: print(f"restart: {how}")) if options.get("print_ll") else None
    window = gmm_window.LiveWindow(anim, on_restart=transcript)   # as the CLI's --print_ll
    anim.fig.canvas.draw()              # axes transforms final
    return anim, window


def _key(window, key):
    window.on_key(KeyEvent("key_press_event", window.fig.canvas, key))


def _mouse(anim, xy, name="button_press_event", modifiers=None):
    """A left-button mouse event at data coordinates ``xy``, through the canvas'
    callbacks; returns it (its ``xdata``/``ydata`` are what the handler saw)."""
    canvas = anim.fig.canvas
    px, py = anim.ax.transData.transform(xy)
    event = MouseEvent(name, canvas, px, py, button=1, modifiers=modifiers)
    canvas.callbacks.process(name, event)
    return event


def _remove_near(anim, window, target, how):
    """Remove the point nearest ``target`` by ``x`` then a click, or by ctrl-click."""
    if how == "x":
        _key(window, "x")
        _mouse(anim, target)
    else:
        _mouse(anim, target, modifiers=frozenset({"ctrl"}))


def _user_X(anim):
    """The data in user units (2-D, unit 1): the drawn points."""
    return np.asarray(anim.fit.points, dtype=float)


def _data_cov(X, reg=1e-6, scale=1.0):
    """The center start's covariance: the data's (biased) covariance + reg in fit units."""
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / len(X) + reg * np.outer(scale, scale) * np.eye(X.shape[1])


def test_clicked_means_start_em_there_with_equal_weights_and_the_datas_spread(capsys):
    anim, window = _window(print_ll=True)
    capsys.readouterr()
    _key(window, "i")
    assert window.mouse.mode == "place" and window.paused
    assert "click mean 1 of 3" in window.mouse.status.get_text()
    events = [_mouse(anim, xy) for xy in [(1.0, -1.0), (4.0, 2.0), (8.0, -3.0)]]
    clicked = np.array([[e.xdata, e.ydata] for e in events])
    state = anim.state(0)
    # the clicked points, to rounding (they pass through the fit's standardised units)
    np.testing.assert_allclose(state.means, clicked, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(state.weights, np.full(3, 1 / 3))
    X = _user_X(anim)
    want_cov = _data_cov(X, scale=anim.fit.scale)
    for cov in state.covariances:
        np.testing.assert_allclose(cov, want_cov, rtol=1e-9)
    # the next state is EM's own step from that start on the data itself
    reference = list(gmm.em_steps(X, 3, max_iter=1, tol=0,
                                  init=(state.weights, clicked, state.covariances)))
    np.testing.assert_allclose(anim.state(1).means, reference[1].means, rtol=1e-7, atol=1e-9)
    assert window.mouse.note.text.get_text() == "start: clicked"
    assert window.mouse.mode is None and not window.paused
    out = capsys.readouterr().out.splitlines()
    restart = next(i for i, line in enumerate(out) if line.startswith("restart: "))
    assert out[restart] == "restart: clicked means " + " ".join(
        f"({x:.4g}, {y:.4g})" for x, y in clicked)
    assert out[restart + 1].startswith("iteration   0  log-likelihood")     # a transcript


def test_enter_fills_the_missing_means_by_kmeans_plusplus_and_escape_cancels():
    anim, window = _window()
    before = anim.state(0).means.copy()
    _key(window, "i")
    _mouse(anim, (3.0, 0.0))
    _key(window, "escape")                                      # cancelled: nothing restarts
    assert window.mouse.mode is None and window.mouse.clicked == []
    np.testing.assert_array_equal(anim.state(0).means, before)
    _key(window, "i")
    _key(window, "enter")                                       # nothing clicked: stays
    assert window.mouse.mode == "place"
    event = _mouse(anim, (3.0, 0.0))
    _key(window, "enter")
    means = anim.state(0).means
    np.testing.assert_allclose(means[0], [event.xdata, event.ydata], rtol=1e-12, atol=1e-12)
    X = _user_X(anim)
    for m in means[1:]:                                         # k-means++ picks data points
        assert np.min(np.abs(X - m).max(axis=1)) < 1e-9 * np.abs(X).max()
    assert window.mouse.note.text.get_text() == "start: 1 clicked + 2 k-means++"


def test_kmeans_plusplus_after_clicked_centres_draws_far_points_first():
    Z = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 0.0]])
    rng = np.random.default_rng(0)
    picks = [Z[gmm_kmeans.kmeans_plusplus(Z, 2, rng, centres=[[0.0, 0.0]])][0, 0]
             for _ in range(50)]
    # probability 100 / 100.01 for the far point
    assert picks.count(10.0) >= 48
    assert gmm_kmeans.kmeans_plusplus(Z, 3, rng, centres=np.empty((0, 2))).shape == (3,)


def test_dragging_a_mean_restarts_from_the_shown_state_with_it_moved(capsys):
    anim, window = _window()
    for _ in range(4):
        _key(window, "n")
    shown = anim.state(anim.current)
    assert shown.iteration == 4
    j = 1
    start = _mouse(anim, shown.means[j])
    assert window.mouse.dragging == j and window.paused
    _mouse(anim, shown.means[j] + [0.5, 0.5], "motion_notify_event")
    end = _mouse(anim, shown.means[j] + [1.5, -1.0], "button_release_event")
    new = anim.state(0)
    want = shown.means.copy()
    want[j] += [end.xdata - start.xdata, end.ydata - start.ydata]
    np.testing.assert_allclose(new.means, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(new.weights, shown.weights, rtol=1e-12)
    np.testing.assert_allclose(new.covariances, shown.covariances, rtol=1e-12)
    assert window.mouse.note.text.get_text() == "start: iteration 4, mean 1 moved"
    assert "restart: mean 1 dragged to" in capsys.readouterr().err


def test_a_click_on_a_mean_without_moving_is_not_a_restart():
    anim, window = _window()
    _key(window, "n")
    means = anim.state(1).means
    _mouse(anim, means[0])
    _mouse(anim, means[0], "button_release_event")
    assert len(anim.history) >= 2 and anim.current == 1        # same run, same frame


def test_shift_click_adds_a_point_and_the_fit_changes():
    anim, window = _window()
    _key(window, "n")
    shown = anim.state(1)
    X0 = _user_X(anim).copy()
    event = _mouse(anim, (10.0, 4.0), modifiers=frozenset({"shift"}))
    X1 = _user_X(anim)
    assert len(X1) == len(X0) + 1
    np.testing.assert_array_equal(X1[-1], [event.xdata, event.ydata])
    np.testing.assert_array_equal(X1[:-1], X0)
    assert len(anim.views[0].artist.get_offsets()) == len(X1)          # drawn too
    new = anim.state(0)                                          # the shown parameters ...
    np.testing.assert_allclose(new.means, shown.means, rtol=1e-12)
    start = (new.weights, new.means, new.covariances)
    # ... on the new data: EM's step is that of the edited data, not the original
    on_new = list(gmm.em_steps(X1, 3, max_iter=1, tol=0, init=start))[1]
    on_old = list(gmm.em_steps(X0, 3, max_iter=1, tol=0, init=start))[1]
    np.testing.assert_allclose(anim.state(1).means, on_new.means, rtol=1e-7)
    assert not np.allclose(anim.state(1).means, on_old.means, rtol=1e-7)
    assert "data edited: +1 / -0 points" in window.mouse.note.text.get_text()
    anim.run()                              # --save-labels writes the edited data's rows
    assert len(gmm_params.labels_table(anim.fit.responsibilities(anim.fit.record.last))) == 1 + len(X1)


@pytest.mark.parametrize("how", ["ctrl", "x"])
def test_ctrl_click_or_x_removes_the_nearest_point_and_r_restores_the_data(how, tmp_path,
                                                                         monkeypatch):
    anim, window = _window()
    X0 = _user_X(anim).copy()
    target = X0[17] + [0.05, -0.03]
    _remove_near(anim, window, target, how)
    X1 = _user_X(anim)
    px = anim.ax.transData.transform(X0) - anim.ax.transData.transform(target)
    nearest = int(np.argmin(np.hypot(px[:, 0], px[:, 1])))      # on the screen
    np.testing.assert_array_equal(X1, np.delete(X0, nearest, axis=0))
    assert window.mouse.note.text.get_text().endswith("data edited: +0 / -1 points")
    monkeypatch.chdir(tmp_path)
    path = window.save_frame()                                   # s works on the edited run
    assert path.endswith("gmm_frame_0.png")
    _key(window, "r")                                            # undo: the original data
    np.testing.assert_array_equal(_user_X(anim), X0)
    assert anim.fit.edits == (0, 0) and window.mouse.note.text.get_text() == ""
    assert len(anim.views[0].artist.get_offsets()) == len(X0)


def test_editing_points_is_refused_with_views_built_on_fixed_points(capsys):
    anim, window = _window(soft=True)
    n = len(anim.fit.points)
    _mouse(anim, (4.0, 0.0), modifiers=frozenset({"shift"}))
    assert len(anim.fit.points) == n
    assert "works without --soft" in window.mouse.status.get_text()


def test_help_lists_the_mouse_keys_and_r_says_it_restores_the_data():
    text = "\n".join(gmm_window.help_lines())
    for keys, _ in gmm_options.MOUSE_KEYS:
        assert keys in text
    assert "original data" in dict(gmm_options.KEYS)["r"]


@settings(max_examples=12, deadline=None)
@given(exponent=st.sampled_from([0, 60, -60, 200]), d=st.sampled_from([2, 3]),
       seed=st.integers(0, 2**16))
@example(exponent=-60, d=3, seed=0)
def test_to_fit_units_inverts_the_drawing_at_any_scale_and_in_projections(exponent, d, seed):
    """Scene coordinates (user units / display unit, projected for d > 2) map back to
    the fit's standardised units; independent reference: gmm_transforms.standardise."""
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(50, d)) * [3.0, 0.5, 2.0][:d] + 7.0) * 10.0 ** exponent
    fit = gmm_fit.FitRun(X, gmm_options.Options(n_components=2, random_state=0))
    Z, centre, scale = gmm_transforms.standardise(X, per_column=fit.scale.size > 1)
    got = fit.to_fit_units(fit.points)           # d == 2, and d == 3's scatter matrix
    assert (fit.display_unit == 1.0) == (exponent == 0)          # a power of ten
    np.testing.assert_allclose(got, Z, rtol=1e-9, atol=1e-9)
    if d > 2:                                    # the PCA view: lifted into its plane
        fit = gmm_fit.FitRun(X, gmm_options.Options(n_components=2, random_state=0,
                                                    view="pca"))
        got = fit.to_fit_units(fit.points)
        P, offset = fit.projection
        unit = fit.display_unit
        back = (got * fit.scale / unit + fit.centre / unit - offset) @ np.asarray(P).T
        np.testing.assert_allclose(back, fit.points, rtol=1e-9, atol=1e-9 * np.abs(
            fit.points).max())
        # the plane's point nearest the data's mean in the fit's coordinates
        Pz = np.asarray(P) * fit.scale / unit            # orthonormal rows
        np.testing.assert_allclose(Pz @ Pz.T, np.eye(2), atol=1e-9)
        off_plane = got @ (np.eye(d) - Pz.T @ Pz)
        np.testing.assert_allclose(off_plane, 0.0, atol=1e-9 * np.abs(got).max())
    with pytest.raises(ValueError, match="columns"):
        fit.to_fit_units(np.zeros((1, 5)))


def test_left_at_a_mouse_runs_state_0_goes_back_to_the_run_it_replaced():
    anim, window = _window(ll_panel=True)
    for _ in range(3):
        _key(window, "n")
    first = [anim.state(i) for i in range(4)]
    X0 = _user_X(anim).copy()
    _mouse(anim, (10.0, 4.0), modifiers=frozenset({"shift"}))          # edit: run 2
    _key(window, "n")
    _key(window, "n")
    _mouse(anim, anim.state(2).means[0])                                # drag: run 3
    _mouse(anim, anim.state(2).means[0] + [1.0, 1.0], "button_release_event")
    assert len(window.mouse.replaced) == 2
    _key(window, "left")                     # at state 0 of run 3: back to run 2, frame 2
    assert anim.current == 2 and window.paused and len(_user_X(anim)) == len(X0) + 1
    _key(window, "left")
    _key(window, "left")
    assert anim.current == 0
    _key(window, "p")                        # back to the first run, original data, frame 3
    assert anim.current == 3 and anim.fit.edits == (0, 0)
    np.testing.assert_array_equal(_user_X(anim), X0)
    assert len(anim.views[0].artist.get_offsets()) == len(X0)
    for i, state in enumerate(first):
        np.testing.assert_array_equal(anim.state(i).means, state.means)
    assert window.mouse.note.text.get_text() == ""
    _key(window, "p")                        # nothing older: an ordinary step back
    assert anim.current == 2
    # the first run continues where it was left, recorded for --save-params
    for _ in range(10):
        _key(window, "n")
    assert anim.current == 8
    again = visualize_gmm.animate(None, 3, **SMALL).animator
    again.run()
    np.testing.assert_allclose(anim.fit.record.log_likelihoods,
                               again.fit.record.log_likelihoods, rtol=1e-12)
    np.testing.assert_allclose(anim.fit.record.last.means, again.fit.record.last.means,
                               rtol=1e-12)


def test_a_scene_with_one_data_axis_takes_the_x_of_a_click():
    """Clicks keep as many coordinates as the scene has data axes, and the 1-D
    scene's hit test measures along x only."""
    anim, window = _window()
    event = _mouse(anim, (3.0, 1.0), "motion_notify_event")
    assert window.mouse.coords(event).shape == (2,) and anim.scene.data_axes == 2
    one, one_window = _window(_eruptions(), 2)
    event = _mouse(one, (3.0, 0.1), "motion_notify_event")
    np.testing.assert_array_equal(one_window.mouse.coords(event), [event.xdata])
    assert one.scene.data_axes == 1
    along_x = np.array([[event.xdata + 0.5], [event.xdata - 0.1], [event.xdata + 3.0]])
    assert gmm_plot.nearest(one.ax, along_x, event, along_x=True)[0] == 1
    assert gmm_plot.pixels(one.ax, along_x).shape == (3, 2)
    j, dist = one.scene.nearest_point(one, event)
    x = one.fit.points[:, 0]
    assert abs(x[j] - event.xdata) == pytest.approx(np.abs(x - event.xdata).min())


# --------------------------------------------------------------------------- the 1-D scene


def _eruptions():
    """Old Faithful's eruption times (272, 1): the 1-D scene's data."""
    return np.loadtxt(FAITHFUL, delimiter=",", skiprows=1)[:, :1]


def _bar_heights(anim):
    """(layers, bins) heights of the scene's histogram bars as drawn (1 layer unless soft)."""
    view = next(v for v in anim.views if isinstance(v, gmm_scene1d.HistogramView))
    assert view.bars.axes is anim.ax and view.bars in anim.ax.collections
    verts = np.array([p.vertices[:4] for p in view.bars.get_paths()])
    edges = anim.scene.histogram.edges
    heights = (verts[:, 2, 1] - verts[:, 0, 1]).reshape(-1, len(edges) - 1)
    np.testing.assert_array_equal(verts[:, 0, 0].reshape(heights.shape)[0], edges[:-1])
    return heights


def _reg(anim):
    """The 1-D fit's reg_covar in user units (1e-6 in its standardised units)."""
    return 1e-6 * float(anim.fit.scale[0]) ** 2


def _assert_histogram_of(anim, X):
    """The drawn bars are numpy's density histogram of ``X`` (n, 1), "auto" bins."""
    density, edges = np.histogram(X[:, 0], bins="auto", density=True)
    np.testing.assert_array_equal(anim.scene.histogram.edges, edges)
    np.testing.assert_allclose(_bar_heights(anim).sum(axis=0), density, rtol=1e-12, atol=1e-15)


def test_1d_clicks_x_are_the_starting_means_and_em_steps_from_there(capsys):
    X = _eruptions()
    anim, window = _window(X, 2, print_ll=True)
    capsys.readouterr()
    assert anim.scene.data_axes == 1
    _key(window, "i")
    first = _mouse(anim, (2.5, 0.3))                    # y is ignored: x marked on the axis
    np.testing.assert_allclose(np.column_stack(window.mouse.marks.get_data()),
                               [[first.xdata, 0.0]])
    second = _mouse(anim, (3.1, -0.05))
    clicked = np.array([[first.xdata], [second.xdata]])
    state = anim.state(0)
    np.testing.assert_allclose(state.means, clicked, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(state.weights, [0.5, 0.5])
    np.testing.assert_allclose(state.covariances, [_data_cov(X, scale=anim.fit.scale)] * 2,
                               rtol=1e-9)
    reference = list(gmm.em_steps(X, 2, max_iter=2, tol=0, reg_covar=_reg(anim),
                                  init=(state.weights, clicked, state.covariances)))
    for i in (1, 2):
        np.testing.assert_allclose(anim.state(i).means, reference[i].means, rtol=1e-9)
        np.testing.assert_allclose(anim.state(i).covariances, reference[i].covariances,
                                   rtol=1e-9)
    assert window.mouse.note.text.get_text() == "start: clicked"
    assert window.mouse.note.text.get_position()[1] > 0.9       # above the bars and curves
    out = capsys.readouterr().out.splitlines()
    restart = out.index(f"restart: clicked means ({first.xdata:.4g}) ({second.xdata:.4g})")
    assert out[restart + 1].startswith("iteration   0  log-likelihood")


def test_1d_dragging_the_mean_on_the_axis_moves_it_along_x():
    anim, window = _window(_eruptions(), 2)
    for _ in range(3):
        _key(window, "n")
    shown = anim.state(3)
    j, x = 1, shown.means[1, 0]
    _mouse(anim, (x, 0.3))                      # above the +: not a drag
    _mouse(anim, (x, 0.3), "button_release_event")
    assert window.mouse.dragging is None and anim.current == 3
    start = _mouse(anim, (x, 0.0))
    assert window.mouse.dragging == j and window.paused
    moving = _mouse(anim, (x - 0.4, 0.2), "motion_notify_event")
    marker = next(v for v in anim.views if isinstance(v, gmm_scene1d.AxisMeansView))
    np.testing.assert_allclose(marker.marks.get_offsets()[j], [moving.xdata, 0.0])
    end = _mouse(anim, (x - 0.8, 0.25), "button_release_event")
    new = anim.state(0)
    want = shown.means.copy()
    want[j, 0] += end.xdata - start.xdata
    np.testing.assert_allclose(new.means, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(new.weights, shown.weights, rtol=1e-12)
    np.testing.assert_allclose(new.covariances, shown.covariances, rtol=1e-12)
    assert window.mouse.note.text.get_text() == "start: iteration 3, mean 1 moved"


def test_1d_shift_click_adds_a_point_the_histogram_and_the_fit_follow(tmp_path, monkeypatch):
    anim, window = _window(_eruptions(), 2, print_ll=True)
    _key(window, "n")
    shown = anim.state(1)
    X0 = _user_X(anim).copy()
    _assert_histogram_of(anim, X0)
    event = _mouse(anim, (5.25, 0.5), modifiers=frozenset({"shift"}))
    X1 = _user_X(anim)
    assert X1.shape == (len(X0) + 1, 1) and X1[-1, 0] == event.xdata > X0.max()
    np.testing.assert_array_equal(X1[:-1], X0)
    _assert_histogram_of(anim, X1)                           # bins to the new maximum too
    new = anim.state(0)
    np.testing.assert_allclose(new.means, shown.means, rtol=1e-12)
    start = (new.weights, new.means, new.covariances)
    on_new = list(gmm.em_steps(X1, 2, max_iter=1, tol=0, init=start, reg_covar=_reg(anim)))[1]
    on_old = list(gmm.em_steps(X0, 2, max_iter=1, tol=0, init=start, reg_covar=_reg(anim)))[1]
    np.testing.assert_allclose(anim.state(1).means, on_new.means, rtol=1e-9)
    assert not np.allclose(anim.state(1).means, on_old.means, rtol=1e-7)
    assert window.mouse.note.text.get_text() == "start: iteration 1; data edited: +1 / -0 points"
    monkeypatch.chdir(tmp_path)
    assert window.save_frame().endswith("gmm_frame_0.png")    # s on the edited run
    anim.run()                          # --save-params: the edited run's own history
    full = list(gmm.em_steps(X1, 2, max_iter=8, tol=0, init=start, reg_covar=_reg(anim)))
    np.testing.assert_allclose(anim.fit.record.log_likelihoods,
                               [s.log_likelihood for s in full], rtol=1e-9)
    np.testing.assert_allclose(anim.fit.model().means_, full[-1].means, rtol=1e-9)


@pytest.mark.parametrize("how", ["ctrl", "x"])
def test_1d_removing_the_point_nearest_in_x_then_left_and_r_undo(how):
    anim, window = _window(_eruptions(), 2, soft=True)       # stacked bars follow too
    X0 = _user_X(anim).copy()
    target = (X0[17, 0] + 0.0003, 0.35)          # values are 0.001 apart: X0[17]'s nearest
    _remove_near(anim, window, target, how)
    X1 = _user_X(anim)
    np.testing.assert_array_equal(np.sort(X1, axis=0), np.sort(np.delete(X0, 17, axis=0), axis=0))
    assert _bar_heights(anim).shape[0] == 2
    _assert_histogram_of(anim, X1)
    assert anim.fit.responsibilities(anim.state(0)).shape == (len(X1), 2)
    _key(window, "left")                          # back to the first run and its data
    np.testing.assert_array_equal(_user_X(anim), X0)
    _assert_histogram_of(anim, X0)
    _mouse(anim, target, modifiers=frozenset({"ctrl"}))
    assert len(_user_X(anim)) == len(X0) - 1
    _key(window, "r")                             # a new random start on the original data
    np.testing.assert_array_equal(_user_X(anim), X0)
    _assert_histogram_of(anim, X0)
    assert window.mouse.note.text.get_text() == ""


def test_1d_compare_refuses_edits_but_not_clicks():
    anim, window = _window(_eruptions(), 2, compare="kmeans")
    n = len(anim.fit.points)
    _mouse(anim, (4.0, 0.2), modifiers=frozenset({"shift"}))
    assert len(anim.fit.points) == n
    assert window.mouse.status.get_text() == "adding or removing points works without --compare"
    _key(window, "i")
    _mouse(anim, (2.0, 0.1))
    _mouse(anim, (4.0, 0.1))
    np.testing.assert_allclose(anim.state(0).means[:, 0], [2.0, 4.0], atol=0.02)
    # the note stays clear of the panel title in the upper left and the legend
    note = window.mouse.note.text.get_window_extent()
    title = next(v for v in anim.views if isinstance(v, gmm_teaching.PanelTitle)
                 and v.text.axes is anim.ax).text.get_window_extent()
    legend = anim.ax.get_legend().get_window_extent()
    assert not note.overlaps(title) and not note.overlaps(legend)


def test_1d_a_long_note_takes_two_lines_clear_of_the_legend_and_the_bars():
    anim, window = _window(_eruptions(), 2)
    _mouse(anim, (5.2, 0.3), modifiers=frozenset({"shift"}))
    for _ in range(3):
        _key(window, "n")
    x = anim.state(3).means[0, 0]
    _mouse(anim, (x, 0.0))
    _mouse(anim, (x + 0.3, 0.0), "button_release_event")
    text = window.mouse.note.text
    assert text.get_text() == "start: iteration 3, mean 0 moved\ndata edited: +1 / -0 points"
    anim.fig.canvas.draw()
    note = text.get_window_extent()
    assert not note.overlaps(anim.ax.get_legend().get_window_extent())
    bars = next(v for v in anim.views if isinstance(v, gmm_scene1d.HistogramView)).bars
    assert note.y0 > bars.get_window_extent().y1          # above the tallest bar
