"""Tests for gmm_plot: ellipse geometry, colours and the views (Agg backend)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

import gmm_plot
from gmm_plot import covariance_ellipse


def _axes():
    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_axes((0.1, 0.1, 0.8, 0.8))


def _rotation(theta):
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def _boundary(ellipse, n=64):
    """Points on the drawn patch (data coordinates), from the patch's own transform."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    unit = np.c_[np.cos(t), np.sin(t)]
    return ellipse.get_patch_transform().transform(unit)


def assert_mahalanobis_contour(ellipse, mean, cov, n_std, rtol=1e-9):
    """Every drawn boundary point p has (p-mean)^T cov^-1 (p-mean) == n_std^2, and
    the farthest/nearest boundary points are at n_std*sqrt(eigenvalues)."""
    mean = np.asarray(mean, float)
    p = _boundary(ellipse) - mean
    maha = np.einsum("ni,ij,nj->n", p, np.linalg.inv(cov), p)
    np.testing.assert_allclose(maha, n_std ** 2, rtol=rtol)
    np.testing.assert_allclose(ellipse.get_center(), mean, rtol=rtol, atol=rtol * np.abs(mean).max())
    # semi-axes and orientation: patch transform maps (1, 0) to the end of the
    # width axis and (0, 1) to the end of the height axis
    tr = ellipse.get_patch_transform()
    a = tr.transform([[1.0, 0.0]])[0] - mean
    b = tr.transform([[0.0, 1.0]])[0] - mean
    lam = np.linalg.eigvalsh(cov)                       # ascending
    lengths = sorted([np.hypot(*a), np.hypot(*b)])
    np.testing.assert_allclose(lengths, n_std * np.sqrt(lam), rtol=rtol)
    # the width/height directions are the eigenvectors (when the axes differ)
    vals, vecs = np.linalg.eigh(cov)
    if vals[1] - vals[0] > 1e-6 * vals[1]:
        major, minor = (a, b) if np.hypot(*a) >= np.hypot(*b) else (b, a)
        for v, e in ((major, vecs[:, 1]), (minor, vecs[:, 0])):
            u = v / np.linalg.norm(v)
            assert abs(u[0] * e[1] - u[1] * e[0]) <= 1e-9


def test_hand_derived_ellipse():
    # cov with standard deviations 2 and 1, rotated by 30 degrees; contour c = 2
    cov = _rotation(np.radians(30)) @ np.diag([4.0, 1.0]) @ _rotation(np.radians(30)).T
    fig, ax = _axes()
    e = covariance_ellipse(ax, (1.0, -2.0), cov)
    assert isinstance(e, Ellipse) and e in ax.patches
    assert e.width == pytest.approx(2 * np.sqrt(2) * 2, rel=1e-12)
    assert e.height == pytest.approx(2 * np.sqrt(2) * 1, rel=1e-12)
    assert (e.angle % 180) == pytest.approx(30.0, abs=1e-9)
    assert e.get_center() == pytest.approx((1.0, -2.0))
    assert not e.get_fill()
    assert_mahalanobis_contour(e, (1.0, -2.0), cov, np.sqrt(2))


@settings(max_examples=60, deadline=None)
@given(theta=st.floats(0, np.pi), log_s1=st.floats(-4, 4), log_s2=st.floats(-4, 4),
       mx=st.floats(-1e3, 1e3), my=st.floats(-1e3, 1e3), n_std=st.floats(0.5, 3.0))
def test_ellipse_is_the_mahalanobis_contour(theta, log_s1, log_s2, mx, my, n_std):
    s = np.exp([log_s1, log_s2])
    cov = _rotation(theta) @ np.diag(s ** 2) @ _rotation(theta).T
    fig, ax = _axes()
    e = covariance_ellipse(ax, (mx, my), cov, n_std)
    assert_mahalanobis_contour(e, (mx, my), cov, n_std)
    # reshaping an existing patch goes through the same geometry
    cov2 = np.array([[2.0, 0.3], [0.3, 0.5]])
    covariance_ellipse(ax, (0.0, 0.0), cov2, n_std, ellipse=e)
    assert_mahalanobis_contour(e, (0.0, 0.0), cov2, n_std)


def test_ellipse_of_nonfinite_covariance_is_hidden():
    fig, ax = _axes()
    e = covariance_ellipse(ax, (0, 0), np.array([[np.nan, 0], [0, 1.0]]))
    assert not e.get_visible()
    covariance_ellipse(ax, (0, 0), np.eye(2), ellipse=e)
    assert e.get_visible()


def test_component_colors_stable_and_distinct():
    c5, c10, c20 = (gmm_plot.component_colors(k) for k in (5, 10, 20))
    np.testing.assert_array_equal(c5, c10[:5])
    np.testing.assert_array_equal(c10, c20[:10])
    for k in (1, 3, 10, 20, 21, 37, 50, 80):
        c = gmm_plot.component_colors(k)
        assert c.shape == (k, 4)
        assert len({tuple(np.round(row, 6)) for row in c}) == min(k, 20)
        # past 20 a colour repeats, but never with the same outline and mean marker
        looks = {(tuple(np.round(row, 6)), str(style), marker)
                 for row, (style, marker) in zip(c, gmm_plot.component_styles(k))}
        assert len(looks) == k
    with pytest.raises(ValueError):
        gmm_plot.component_colors(0)


def _lab(rgb):
    """CIELAB (D65) of sRGB colours in [0, 1], shape (m, 3): the textbook formulas."""
    c = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = c @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]).T / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.c_[116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])]


def test_palette_is_saturated_and_distinct_on_a_projector():
    """The 20 colours differ by at least 20 CIELAB units pairwise (tab20's
    closest pair: 16.6) and none is pale: each has lightness <= 75 and is
    black or has chroma >= 24 (tab20's pale half has lightness 68-86, and all
    but one shade fail one of the two)."""
    lab = _lab(gmm_plot.component_colors(20)[:, :3])
    dist = np.linalg.norm(lab[:, None] - lab[None], axis=2) + np.eye(20) * 1e9
    assert dist.min() >= 20
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    assert np.all(lab[:, 0] <= 75)
    assert np.all((chroma >= 24) | (lab[:, 0] < 5))


@pytest.mark.parametrize("points", [
    np.array([[0.0, 0.0], [1.0, 2.0], [-3.0, 1.0]]),
    np.zeros((5, 2)) + 7.0,                       # all identical
    np.c_[np.linspace(0, 1e6, 10), np.zeros(10)],  # a line
])
def test_frame_limits_cover_points(points):
    (x0, x1), (y0, y1) = gmm_plot.frame_limits(points)
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
    fig, ax = _axes()
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(40, 2))
    colors = gmm_plot.component_colors(3)
    view = gmm_plot.PointsView(ax, pts, colors)
    assert view.mode == "scatter"
    labels = rng.integers(0, 3, 40)
    view.update(_State(labels, np.zeros((3, 2)), np.tile(np.eye(2), (3, 1, 1))))
    face = view.artist.get_facecolors()
    np.testing.assert_allclose(face[:, :3], colors[labels, :3])
    assert view.artist.get_zorder() < gmm_plot.Z_TRUE


@pytest.mark.parametrize("max_pair_bins", [gmm_plot.PointsView.MAX_PAIR_BINS, 0])
def test_image_points_pixel_colours_follow_labels(monkeypatch, max_pair_bins):
    monkeypatch.setattr(gmm_plot.PointsView, "MAX_PAIR_BINS", max_pair_bins)
    fig, ax = _axes()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_aspect("equal")
    # two tight blobs far apart, labelled 0 and 1, plus a pixel shared by both labels
    pts = np.array([[2.0, 2.0]] * 5 + [[8.0, 8.0]] * 5 + [[5.0, 5.0], [5.0, 5.0]])
    labels = np.array([0] * 5 + [1] * 5 + [0, 1])
    colors = gmm_plot.component_colors(2)
    view = gmm_plot.PointsView(ax, pts, colors, image_threshold=0)
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
    fig, ax = _axes()
    colors = gmm_plot.component_colors(2)
    means = np.array([[1.0, 2.0], [-3.0, 0.5]])
    covs = np.array([[[1.0, 0.4], [0.4, 0.5]], [[0.2, 0.0], [0.0, 3.0]]])
    state = _State([0, 1], means, covs, iteration=7, ll=-2.5, converged=True)
    ell = gmm_plot.EllipsesView(ax, colors)
    mv = gmm_plot.MeansView(ax, colors)
    tv = gmm_plot.TrueEllipsesView(ax, means[::-1], covs[::-1])
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
    from matplotlib.figure import Figure
    ax = Figure().add_subplot()
    view = gmm_plot.EllipsesView(ax, gmm_plot.component_colors(2))
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


def test_plain_ticks_show_coordinates_and_fall_back_to_an_offset_when_zoomed():
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.85, 0.85))
    fx, fy = gmm_plot.plain_ticks(ax)
    ax.set_xlim(512420, 512445)
    ax.set_ylim(4649765, 4649790)                   # UTM metres
    fig.canvas.draw()

    def labels(axis):
        return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]

    assert fy.get_offset() == "" and fx.get_offset() == ""
    assert "4649780" in labels(ax.yaxis) and "512430" in labels(ax.xaxis)
    assert fy.budget == 8                           # the first draw's width, at least 8
    ax.set_ylim(4649776.0, 4649776.1)               # zoomed to 10 cm: plain would be long
    fig.canvas.draw()
    assert fy.get_offset() != ""                    # matplotlib's offset instead
    assert max(len(t) for t in labels(ax.yaxis)) <= fy.budget
    ax.set_ylim(4649765, 4649790)                   # back: plain again
    fig.canvas.draw()
    assert fy.get_offset() == "" and "4649780" in labels(ax.yaxis)
    ax.set_ylim(-3e-7, 5e-7)                        # tiny values: a power of ten
    fig.canvas.draw()
    assert "1e" in fy.get_offset() and "1e" in ax.yaxis.get_offset_text().get_text()
