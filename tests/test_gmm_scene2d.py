"""Tests for gmm_scene2d, the scene of two drawn columns: soft colours, density
contours and uncertainty sizes against scipy.stats, the scene's protocol
answers (limits, legend entries, the mouse's hit test, refilling edited data).
"""
import numpy as np
import pytest
from matplotlib.artist import Artist
from matplotlib.figure import Figure

import gmm
import gmm_plot
import gmm_scene
import gmm_scene2d
import visualize_gmm
from draw_reference import TWO, assert_mahalanobis_contour, axes, scipy_logpdf, scipy_resp
from draw_reference import state as make_state
from visualize_gmm import main

SMALL = ["-N", "300", "-k", "3", "-m", "3", "--seed", "0"]


# ---------------------------------------------------------------- ellipses, points

@pytest.mark.parametrize("points", [
    np.array([[0.0, 0.0], [1.0, 2.0], [-3.0, 1.0]]),
    np.zeros((5, 2)) + 7.0,                       # all identical
    np.c_[np.linspace(0, 1e6, 10), np.zeros(10)],  # a line
])
def test_frame_limits_cover_points(points):
    (x0, x1), (y0, y1) = gmm_scene2d.frame_limits(points)
    assert x1 > x0 and y1 > y0
    assert np.all(points[:, 0] > x0) and np.all(points[:, 0] < x1)
    assert np.all(points[:, 1] > y0) and np.all(points[:, 1] < y1)
    assert min(x1 - x0, y1 - y0) >= 0.4 * max(x1 - x0, y1 - y0)


class _State:
    def __init__(self, labels, means, covariances, iteration=3, ll=-1.25, converged=False):
        self.labels = np.asarray(labels)
        self.means = np.asarray(means, float)
        self.covariances = np.asarray(covariances, float)
        self.weights = np.full(len(self.means), 1.0 / len(self.means))
        self.iteration = iteration
        self.log_likelihood = ll
        self.converged = converged


def test_scatter_points_take_component_colours():
    fig, ax = axes(lim=None)
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(40, 2))
    colors = gmm_plot.component_colors(3)
    view = gmm_scene2d.PointsView(ax, pts, colors)
    assert view.mode == "scatter"
    labels = rng.integers(0, 3, 40)
    view.update(_State(labels, np.zeros((3, 2)), np.tile(np.eye(2), (3, 1, 1))))
    face = view.artist.get_facecolors()
    np.testing.assert_allclose(face[:, :3], colors[labels, :3])
    assert view.artist.get_zorder() < gmm_plot.Z_TRUE


@pytest.mark.parametrize("max_pair_bins", [gmm_scene2d.PointsView.MAX_PAIR_BINS, 0])
def test_image_points_pixel_colours_follow_labels(monkeypatch, max_pair_bins):
    monkeypatch.setattr(gmm_scene2d.PointsView, "MAX_PAIR_BINS", max_pair_bins)
    fig, ax = axes(lim=None)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_aspect("equal")
    # two tight blobs far apart, labelled 0 and 1, plus a pixel shared by both labels
    pts = np.array([[2.0, 2.0]] * 5 + [[8.0, 8.0]] * 5 + [[5.0, 5.0], [5.0, 5.0]])
    labels = np.array([0] * 5 + [1] * 5 + [0, 1])
    colors = gmm_plot.component_colors(2)
    view = gmm_scene2d.PointsView(ax, pts, colors, image_threshold=0)
    assert view.mode == "image"
    view.update(_State(labels, np.zeros((2, 2)), np.tile(np.eye(2), (2, 1, 1))))
    img = view.artist.get_array()
    h, w = img.shape[:2]

    def pixel(x, y):
        return img[int(y / 10 * h), int(x / 10 * w)]

    np.testing.assert_allclose(pixel(2, 2)[:3] / 255, colors[0, :3], atol=1 / 255)
    np.testing.assert_allclose(pixel(8, 8)[:3] / 255, colors[1, :3], atol=1 / 255)
    np.testing.assert_allclose(pixel(5, 5)[:3] / 255, colors[:2, :3].mean(0), atol=1 / 255)
    assert pixel(2, 2)[3] > pixel(5, 5)[3] > 0        # denser pixel is more opaque
    assert img[..., 3].astype(bool).sum() == 3        # only occupied pixels are drawn
    # relabelling swaps the colours
    view.update(_State(1 - labels, np.zeros((2, 2)), np.tile(np.eye(2), (2, 1, 1))))
    img = view.artist.get_array()
    np.testing.assert_allclose(pixel(2, 2)[:3] / 255, colors[1, :3], atol=1 / 255)


def test_views_update_to_state_and_zorder():
    fig, ax = axes(lim=None)
    colors = gmm_plot.component_colors(2)
    means = np.array([[1.0, 2.0], [-3.0, 0.5]])
    covs = np.array([[[1.0, 0.4], [0.4, 0.5]], [[0.2, 0.0], [0.0, 3.0]]])
    state = _State([0, 1], means, covs, iteration=7, ll=-2.5, converged=True)
    ell = gmm_scene2d.EllipsesView(ax, colors)
    mv = gmm_plot.MeansView(ax, colors)
    tv = gmm_scene2d.TrueEllipsesView(ax, means[::-1], covs[::-1])
    txt = gmm_plot.IterationText(ax, 50)
    ell.update(state)
    for j in range(2):
        assert_mahalanobis_contour(ell.patches[j], means[j], covs[j], np.sqrt(2))
        np.testing.assert_allclose(ell.patches[j].get_edgecolor(), colors[j])
    np.testing.assert_allclose(mv.update(state)[1].get_offsets(), means)
    assert tv.update(state) == []
    assert_mahalanobis_contour(tv.patches[0], means[1], covs[1], np.sqrt(2))
    assert tv.patches[0].get_linestyle() == "--"
    txt.update(state)
    assert txt.text.get_text() == "iter  7 / 50   log-likelihood -2.5000   (converged)"
    z = [tv.patches[0].get_zorder(), ell.patches[0].get_zorder(), mv.marks.get_zorder(),
         txt.text.get_zorder()]
    assert z == sorted(z) and len(set(z)) == 4


def test_ellipses_view_halo_has_the_patch_geometry_from_one_eigendecomposition(monkeypatch):
    ax = Figure().add_subplot()
    view = gmm_scene2d.EllipsesView(ax, gmm_plot.component_colors(2))
    calls = []
    original = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda a: calls.append(1) or original(a))
    state = type("S", (), {"means": np.array([[1.0, 2.0], [np.nan, 0.0]]),
                           "covariances": np.array([[[2.0, 0.5], [0.5, 1.0]], np.eye(2)])})
    view.update(state)
    assert len(calls) == 2                      # one per component
    for halo, patch in zip(view.halos, view.patches):
        assert halo.get_center() == patch.get_center()
        assert (halo.get_width(), halo.get_height(), halo.get_angle()) == \
            (patch.get_width(), patch.get_height(), patch.get_angle())
        assert halo.get_visible() == patch.get_visible()
    assert view.patches[0].get_visible() and not view.halos[1].get_visible()
    vals = np.linalg.eigvalsh([[2.0, 0.5], [0.5, 1.0]])
    assert view.halos[0].get_width() == pytest.approx(2 * np.sqrt(2 * vals[1]))


# ---------------------------------------------------------------- soft colours

def test_soft_scatter_colour_is_the_responsibility_mix():
    fig, ax = axes()
    pts = np.array([[0.0, 0.0], [-1.0, 0.5], [2.5, -1.0], [0.3, 0.2]])
    colors = gmm_plot.component_colors(2)
    view = gmm_scene2d.SoftPointsView(ax, pts, colors)
    view.update(TWO)
    face = view.artist.get_facecolors()
    resp = scipy_resp(pts, TWO)
    np.testing.assert_allclose(face[:, :3], resp @ colors[:, :3], atol=1e-12)
    # the point midway is exactly the half mix; alpha stays the points' alpha
    np.testing.assert_allclose(face[0, :3], 0.5 * (colors[0, :3] + colors[1, :3]), atol=1e-12)
    np.testing.assert_allclose(face[:, 3], gmm_plot.POINT_ALPHA)
    # a hard view of the same state draws the argmax colour instead
    hard = gmm_scene2d.PointsView(ax, pts, colors)
    hard.update(gmm.GMMState(0, TWO.weights, TWO.means, TWO.covariances, 0.0,
                             resp.argmax(axis=1)))
    assert not np.allclose(hard.artist.get_facecolors()[0, :3], face[0, :3])


def test_soft_image_pixel_is_the_mean_mix_of_its_points():
    fig, ax = axes()
    rng = np.random.default_rng(0)
    pts = np.r_[[[0.0, 0.0]], rng.uniform(-3.5, 3.5, size=(400, 2))]
    colors = gmm_plot.component_colors(2)
    view = gmm_scene2d.SoftPointsView(ax, pts, colors, image_threshold=10)
    assert view.mode == "image"
    view.update(TWO)
    resp = scipy_resp(pts, TWO)
    image = view.artist.get_array()
    flat = np.asarray(image).reshape(-1, 4)
    # recompute each point's pixel like the view does, then every occupied
    # pixel's RGB is the mean mix of its points
    pixel = view._pixel
    for p in np.unique(pixel)[:50]:
        members = pixel == p
        want = np.round(255 * (resp[members] @ colors[:, :3]).mean(axis=0))
        np.testing.assert_array_equal(flat[view._occupied[p], :3], want)
    # the point at the origin sits alone in its pixel: exactly the half mix
    assert (pixel == pixel[0]).sum() == 1
    np.testing.assert_array_equal(flat[view._occupied[pixel[0]], :3],
                                  np.round(255 * 0.5 * (colors[0, :3] + colors[1, :3])))


def test_soft_uses_full_dimensional_responsibilities(tmp_path, captured_animator):
    rng = np.random.default_rng(5)
    X = np.concatenate([rng.normal(c, 1.0, size=(100, 3)) for c in (0.0, 2.0)])
    np.save(tmp_path / "x3.npy", X)
    assert main(["-k", "2", "--load_path", str(tmp_path / "x3.npy"), "--seed", "0", "-i", "3",
                 "--tol", "0", "--soft", "--view", "pca", "-q", "-s", str(tmp_path / "s.png")]) == 0
    anim = captured_animator["anim"]
    soft = anim.views[0]
    assert type(soft).__name__ == "SoftPointsView"
    last = anim.fit.record.last                          # full 3-D fit, user units
    resp = scipy_resp(X, last)
    np.testing.assert_allclose(soft.artist.get_facecolors()[:, :3],
                               resp @ anim.colors[:, :3], atol=1e-8)


# ---------------------------------------------------------------- contours

def test_contour_levels_and_lines_match_scipy_density():
    fig, ax = axes()
    rng = np.random.default_rng(1)
    state = make_state([0.3, 0.7], [[-1.5, 0.5], [1.0, -0.5]],
                   [[[0.6, 0.2], [0.2, 0.4]], [[1.0, -0.3], [-0.3, 0.5]]])
    pts = np.concatenate([rng.multivariate_normal(m, c, size=n) for m, c, n in
                          zip(state.means, state.covariances, (90, 210))])
    view = gmm_scene2d.ContoursView(ax, pts, resolution=120)
    view.update(state)
    want = np.quantile(scipy_logpdf(pts, state), view.QUANTILES)
    np.testing.assert_allclose(view.levels, want, rtol=1e-9)
    assert np.all(np.diff(view.levels) > 0)
    n_drawn = 0
    for level, lines in zip(view.levels, view.segments):
        assert lines, level
        for ln in lines:
            n_drawn += 1
            # every vertex of the level's line lies on the scipy density's level set
            np.testing.assert_allclose(scipy_logpdf(ln, state), level, atol=0.02)
    assert len(view.lines.get_segments()) == n_drawn
    # the inner (densest) level is darker than the outer one
    colors = view.lines.get_colors()
    assert colors[-1][0] < colors[0][0]


def test_contours_view_one_density_call_per_frame_same_levels(monkeypatch):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 2))
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlim(-4, 4)
    ax.set_ylim(-3, 3)
    view = gmm_scene2d.ContoursView(ax, points)
    state = type("S", (), {"weights": np.array([0.4, 0.6]),
                           "means": np.array([[-1.0, 0.0], [1.0, 0.5]]),
                           "covariances": np.array([np.eye(2), [[1.0, 0.3], [0.3, 0.5]]])})
    calls = []
    original = gmm.log_density
    monkeypatch.setattr(gmm, "log_density", lambda X, *a: calls.append(len(X)) or original(X, *a))
    view.update(state)
    assert calls == [len(view.grid) + len(view.level_points)]
    expected = np.quantile(original(points, state.weights, state.means, state.covariances),
                           view.QUANTILES)
    np.testing.assert_allclose(view.levels, expected, rtol=1e-12)


# ---------------------------------------------------------------- uncertainty (mclust)

def _expected_sizes(base, resp):
    """Marker areas of the uncertainty view, from responsibilities computed elsewhere."""
    u = np.minimum((1.0 - resp.max(axis=1)) / 0.5, 1.0)
    return base * (0.4 + 5.6 * u)


def test_uncertainty_is_one_minus_the_largest_responsibility():
    resp = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.2, 0.7, 0.1]])
    np.testing.assert_allclose(gmm_scene2d.uncertainty(resp), [0.0, 0.5, 2 / 3, 0.3],
                               atol=1e-15)


def test_uncertainty_scatter_sizes_follow_scipy_responsibilities():
    fig, ax = axes()
    pts = np.array([[0.0, 0.0], [-1.0, 0.5], [2.5, -1.0], [0.3, 0.2], [-3.0, 3.0]])
    colors = gmm_plot.component_colors(2)
    points = gmm_scene2d.PointsView(ax, pts, colors)
    base = float(points.artist.get_sizes()[0])

    def resp(state):
        return gmm.responsibilities(pts, state.weights, state.means, state.covariances)

    view = gmm_scene2d.UncertaintyView(ax, points, pts, resp)
    assert view.artists == []                           # the points view keeps its artist
    assert view.update(TWO) == [points.artist]
    sizes = points.artist.get_sizes()
    np.testing.assert_allclose(sizes, _expected_sizes(base, scipy_resp(pts, TWO)), rtol=1e-9)
    # the midway point (a two-way tie) is the largest, a far one near the smallest
    assert sizes[0] == pytest.approx(6.0 * base) and sizes[2] < 0.5 * base
    # updated every frame: a state that owns every point shrinks them all
    one = make_state([1.0], [[0.0, 0.0]], [np.eye(2)])
    view.update(one)
    np.testing.assert_allclose(points.artist.get_sizes(), 0.4 * base)


def test_uncertainty_image_mode_marks_the_most_uncertain_points():
    fig, ax = axes()
    rng = np.random.default_rng(1)
    pts = rng.uniform(-3.5, 3.5, size=(600, 2))
    colors = gmm_plot.component_colors(2)
    soft = gmm_scene2d.SoftPointsView(ax, pts, colors, image_threshold=10)
    assert soft.mode == "image"
    view = gmm_scene2d.UncertaintyView(ax, soft, pts, lambda s: scipy_resp(pts, s),
                                        max_markers=40)
    (overlay,) = view.update(TWO)
    resp = scipy_resp(pts, TWO)
    u = 1.0 - resp.max(axis=1)
    shown = overlay.get_offsets()
    assert len(shown) == 40
    # exactly the 40 largest uncertainties, drawn in increasing order
    idx = [int(np.flatnonzero((pts == p).all(axis=1))[0]) for p in np.asarray(shown)]
    assert sorted(idx) == sorted(np.argsort(u)[-40:].tolist())
    assert np.all(np.diff(u[idx]) >= 0)
    np.testing.assert_allclose(overlay.get_sizes(), _expected_sizes(3.0, resp[idx]), rtol=1e-9)
    # over --soft the markers carry the same mixed colours
    np.testing.assert_allclose(overlay.get_facecolors()[:, :3], resp[idx] @ colors[:, :3],
                               atol=1e-12)
    # one component owns every point (the other is far away): no markers
    view.update(make_state([0.5, 0.5], [[0.0, 0.0], [60.0, 60.0]], [np.eye(2), np.eye(2)]))
    assert len(overlay.get_offsets()) == 0


def test_uncertainty_with_soft_computes_responsibilities_once_per_frame():
    calls = []
    pts = np.random.default_rng(2).normal(size=(50, 2))

    def resp(state):
        calls.append(state.iteration)
        return scipy_resp(pts, state)

    shared = gmm_scene2d.LastResponsibilities(resp)
    fig, ax = axes()
    soft = gmm_scene2d.SoftPointsView(ax, pts, gmm_plot.component_colors(2),
                                       responsibilities=shared)
    view = gmm_scene2d.UncertaintyView(ax, soft, pts, shared)
    for state in (TWO, TWO, gmm.GMMState(1, TWO.weights, TWO.means, TWO.covariances, 0.0,
                                          np.zeros(0, int))):
        soft.update(state)
        view.update(state)
    assert calls == [0, 1]


@pytest.mark.parametrize("ext", [".gif", ".html", ".png", ".mp4"])
def test_uncertainty_with_every_view_in_every_format(tmp_path, captured_animator, ext):
    out = tmp_path / f"u{ext}"
    argv = SMALL + ["-i", "3", "--tol", "0", "--uncertainty", "--soft", "--ll-panel",
                    "--compare", "kmeans", "--contours", "--hide_covs", "-q", "-s", str(out)]
    assert main(argv) == 0
    anim = captured_animator["anim"]
    assert out.stat().st_size > 0
    names = [type(v).__name__ for v in anim.views]
    assert {"SoftPointsView", "UncertaintyView", "ContoursView", "LogLikelihoodPanel"} <= set(
        names) and "EllipsesView" not in names
    # the final frame's sizes come from the last state's responsibilities (scipy)
    soft = next(v for v in anim.views if isinstance(v, gmm_scene2d.SoftPointsView))
    resp = scipy_resp(anim.fit.points, anim.history[-1])
    base = 12.0 * np.sqrt(1000.0 / 300)                 # the scatter's marker area at n = 300
    np.testing.assert_allclose(soft.artist.get_sizes(), _expected_sizes(base, resp), rtol=1e-6)


def test_uncertainty_option_of_animate_and_its_default():
    anim = visualize_gmm.animate(None, 3, max_iter=1, random_state=0, n_points=200, n_true=3,
                                 uncertainty=True).animator
    assert [type(v).__name__ for v in anim.views][-3:] == ["UncertaintyView", "LocalMaximumNote",
                                                           "LegendView"]
    anim.render(1)
    sizes = anim.views[0].artist.get_sizes()
    assert len(sizes) == 200 and sizes.min() > 0 and sizes.max() > sizes.min()
    assert "UncertaintyView" not in [type(v).__name__ for v in visualize_gmm.animate(
        None, 3, max_iter=1, random_state=0, n_points=200, n_true=3).animator.views]


def test_uncertainty_in_the_live_window_under_xvfb(tmp_path, run_in_window):
    proc = run_in_window(["-m", "window_driver", "-N", "200", "-m", "3", "-k", "3", "-i", "3",
                          "--seed", "0", "--uncertainty", "--soft", "--fps", "20"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "drew frames: 0 1 2 3" in proc.stderr, proc.stderr


# ---------------------------------------------------------------- the scene's protocol

def test_scatter_scene_is_a_scene_and_every_view_a_view():
    anim = visualize_gmm.animate(None, 3, max_iter=2, random_state=0, n_points=200, n_true=3,
                                 soft=True, uncertainty=True, contours=True, compare="kmeans",
                                 ll_panel=True).animator
    assert isinstance(anim.scene, gmm_scene2d.ScatterScene)
    assert isinstance(anim.scene, gmm_scene.Scene)
    assert anim.scene.data_axes == 2 and not anim.scene.static_legend
    follower = next(v for v in anim.views if type(v).__name__ == "FollowerPanel")
    for view in anim.views + follower.views:
        assert isinstance(view, gmm_scene.View), type(view).__name__
    assert all(isinstance(a, Artist) for a in anim.show_state(0))


def test_own_limits_pad_each_axis_by_its_own_range():
    points = np.array([[0.0, 100.0], [10.0, 300.0], [5.0, 200.0]])
    (x0, x1), (y0, y1) = gmm_scene2d.own_limits(points, margin=0.1)
    assert (x0, x1) == pytest.approx((-1.0, 11.0))
    assert (y0, y1) == pytest.approx((80.0, 320.0))
    # a constant column gets a unit-ish span around its value, never zero
    (c0, c1), _ = gmm_scene2d.own_limits(np.array([[7.0, 0.0], [7.0, 1.0]]), margin=0.0)
    assert c0 < 7.0 < c1 and c1 - c0 == pytest.approx(1.0)


def test_frame_is_equal_aspect_for_shared_units_and_own_scales_otherwise(tmp_path):
    sampled = visualize_gmm.animate(None, 2, max_iter=1, random_state=0, n_points=100, n_true=2).animator
    xlim, ylim, equal = sampled.scene.frame()
    assert equal and (xlim, ylim) == gmm_scene2d.frame_limits(sampled.fit.points)
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(0, 1, 200), rng.normal(1000, 300, 200)])
    mixed = visualize_gmm.animate(X, 2, max_iter=1, random_state=0, dims=[0, 1]).animator
    xlim, ylim, equal = mixed.scene.frame()
    if not mixed.fit.equal_aspect:
        assert not equal and (xlim, ylim) == gmm_scene2d.own_limits(mixed.fit.points)
        assert mixed.ax.get_xlim() == pytest.approx(xlim)


@pytest.mark.parametrize("flags, labels", [
    ({}, ["point: colour of likeliest component", "fitted component", "mean",
          "true component"]),
    ({"soft": True, "show_covariances": False, "show_means": False, "uncertainty": True,
      "contours": True},
     ["point: colour mixes responsibilities", "true component", "bigger: less certain",
      "density contour (5-95%)"]),
])
def test_legend_lists_exactly_the_drawn_marks(flags, labels):
    anim = visualize_gmm.animate(None, 3, max_iter=1, random_state=0, n_points=200, n_true=3,
                                 **flags).animator
    assert [label for _, label in anim.scene.legend_entries()] == labels
    assert [t.get_text() for t in anim.ax.get_legend().get_texts()] == labels


def test_hit_test_finds_the_point_under_the_mouse():
    anim = visualize_gmm.animate(None, 3, max_iter=1, random_state=0, n_points=200, n_true=3).animator
    anim.fig.canvas.draw()
    j = 17
    px, py = anim.ax.transData.transform(anim.fit.points[j])
    event = type("Event", (), {"x": px + 0.3, "y": py - 0.2})()
    index, distance = anim.scene.nearest_point(anim, event)
    assert index == j or np.allclose(anim.fit.points[index], anim.fit.points[j])
    assert distance == pytest.approx(np.hypot(0.3, 0.2), abs=1e-6)


def test_edits_are_refused_with_views_on_fixed_points_and_refill_draws_new_points():
    plain = visualize_gmm.animate(None, 3, max_iter=1, random_state=0, n_points=200, n_true=3).animator
    assert plain.scene.edit_refusal(plain) is None
    for flags in ({"soft": True}, {"contours": True}, {"uncertainty": True},
                  {"compare": "kmeans"}):
        anim = visualize_gmm.animate(None, 3, max_iter=1, random_state=0, n_points=200,
                                     n_true=3, **flags).animator
        assert "works without --soft" in anim.scene.edit_refusal(anim)
    plain.fit.edit_points(add=np.array([50.0, -50.0]))
    plain.scene.refill(plain)
    points = next(v for v in plain.views if type(v) is gmm_scene2d.PointsView)
    offsets = np.asarray(points.artist.get_offsets())
    assert len(offsets) == 201
    np.testing.assert_allclose(offsets, plain.fit.points)


# ---------------------------------------------------------------- memory-mapped data

@pytest.mark.parametrize("d, view", [(2, None), (4, "pca")])
def test_teaching_views_of_a_memory_map_draw_only_the_representatives(tmp_path, monkeypatch,
                                                                      d, view):
    """``--soft``, ``--uncertainty`` and ``--contours`` on a memory map (2 columns,
    and 4 drawn as the PCA biplot): the views are handed the pixels'
    representatives only (r rows, r << n: no array of n rows), and draw the
    values of the in-memory path with the same representatives to 1e-10, its
    responsibilities those of the fitted model (user units) at those rows."""
    import gmm_blocks
    from block_data import blobs
    n = 200_000
    X = blobs(n, seed=4, d=d)
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    monkeypatch.setattr(gmm_blocks, "BLOCK_ROWS", 2 * gmm_blocks.CHUNK_ROWS)   # 7 blocks
    monkeypatch.setattr(gmm_scene2d, "REPRESENTED_ABOVE", 1000)     # in memory: the same rule
    monkeypatch.setattr(gmm_scene2d.PointsView, "PER_PIXEL", 2)
    drawn = []
    for data in (X, M):
        anim = visualize_gmm.animate(data, 3, max_iter=2, random_state=0, soft=True,
                                     uncertainty=True, contours=True, view=view).animator
        anim.show_state(2)
        soft = next(v for v in anim.views if isinstance(v, gmm_scene2d.SoftPointsView))
        sizes = next(v for v in anim.views if isinstance(v, gmm_scene2d.UncertaintyView))
        lines = next(v for v in anim.views if isinstance(v, gmm_scene2d.ContoursView))
        rows = soft.represented_rows
        resp = soft.responsibilities(anim.state(2))
        assert 1000 < len(rows) < n // 3
        assert resp.shape == (len(rows), 3) and sizes.points.shape == (len(rows), 2)
        reference = anim.fit.model().predict_proba(X[rows])
        np.testing.assert_allclose(resp, reference, rtol=0, atol=1e-8)
        drawn.append((rows, resp, sizes.points, sizes.sizes, lines.levels, soft._image))
    for memory, mapped in zip(drawn[0][:-1], drawn[1][:-1]):
        np.testing.assert_allclose(mapped, memory, rtol=0, atol=1e-10)
    # the image: the PCA's moments summed in another order move a point lying on
    # a pixel's edge (1e-14) to the next pixel at most once in a while
    moved = (drawn[0][-1] != drawn[1][-1]).any(axis=-1)
    assert moved.sum() <= (0 if view is None else 4)
