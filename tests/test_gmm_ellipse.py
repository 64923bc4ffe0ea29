"""Tests for gmm_ellipse: the drawn ellipse is the Mahalanobis contour (checked
point by point on the patch's own transform), hidden when not finite, and an
ellipse far larger than its view draws only its exact arcs in the view."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.patches import Ellipse
from matplotlib.path import Path

import gmm_ellipse
from draw_reference import assert_mahalanobis_contour, axes, rotation
from gmm_ellipse import covariance_ellipse


def test_hand_derived_ellipse():
    # cov with standard deviations 2 and 1, rotated by 30 degrees; contour c = 2
    cov = rotation(np.radians(30)) @ np.diag([4.0, 1.0]) @ rotation(np.radians(30)).T
    fig, ax = axes(lim=None)
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
    cov = rotation(theta) @ np.diag(s ** 2) @ rotation(theta).T
    fig, ax = axes(lim=None)
    e = covariance_ellipse(ax, (mx, my), cov, n_std)
    assert_mahalanobis_contour(e, (mx, my), cov, n_std)
    # reshaping an existing patch goes through the same geometry
    cov2 = np.array([[2.0, 0.3], [0.3, 0.5]])
    covariance_ellipse(ax, (0.0, 0.0), cov2, n_std, ellipse=e)
    assert_mahalanobis_contour(e, (0.0, 0.0), cov2, n_std)


def test_ellipse_of_nonfinite_covariance_is_hidden():
    fig, ax = axes(lim=None)
    e = covariance_ellipse(ax, (0, 0), np.array([[np.nan, 0], [0, 1.0]]))
    assert not e.get_visible()
    covariance_ellipse(ax, (0, 0), np.eye(2), ellipse=e)
    assert e.get_visible()


@settings(max_examples=60, deadline=None)
@given(log_a=st.floats(4.5, 30), ratio=st.floats(1e-6, 1.0), angle=st.floats(0, 180),
       t=st.floats(0, 2 * np.pi), at=st.tuples(st.floats(-4.5, 4.5), st.floats(-4.5, 4.5)))
def test_a_huge_ellipse_draws_exactly_its_arcs_in_the_view(log_a, ratio, angle, t, at):
    """An ellipse 1e4.5 to 1e30 times the view, through a point in the view:
    its drawn path (line segments only) lies on the ellipse and passes that point."""
    a = 10.0 ** log_a
    b = max(a * ratio, 1.0)
    th = np.radians(angle)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    offset = rot @ np.array([a * np.cos(t), b * np.sin(t)])
    centre = np.asarray(at) - offset                  # the ellipse passes through `at`
    path = gmm_ellipse.visible_arcs(centre, 2 * a, 2 * b, angle, (-5, 5), (-5, 5))
    assert path is not None
    precise = np.abs(centre).max() < 1e13   # else rounding the centre moves it by > 1e-3
    assert len(path.vertices) > 0 or not precise
    if len(path.vertices) == 0:
        return
    assert set(path.codes) <= {Path.MOVETO, Path.LINETO}
    local = (path.vertices - centre) @ rot / np.array([a, b])
    radius = np.hypot(local[:, 0], local[:, 1])
    tolerance = 1e-9 + 4e-16 * np.abs(centre).max() / b   # the centre's own rounding
    assert np.all(np.abs(radius - 1) < max(tolerance, 1e-9)), np.abs(radius - 1).max()
    v = path.vertices
    starts = np.flatnonzero(path.codes == Path.LINETO)
    p, q = v[starts - 1], v[starts]
    d = q - p
    s = np.clip(np.einsum("ij,ij->i", np.asarray(at) - p, d) / np.maximum(
        np.einsum("ij,ij->i", d, d), 1e-300), 0, 1)
    gap = np.hypot(*(p + s[:, None] * d - np.asarray(at)).T).min()
    assert gap < 0.05 or not precise, gap


def test_an_ellipse_around_the_whole_view_draws_nothing_and_fast():
    fig, ax = plt.subplots()
    ax.set_xlim(-5, 5)
    ax.set_ylim(-5, 5)
    patch = gmm_ellipse.covariance_ellipse(ax, [0.0, 0.0], np.eye(2) * 1e30)
    assert len(gmm_ellipse.visible_arcs(patch.get_center(), patch.get_width(),
                                     patch.get_height(), 0.0, (-5, 5), (-5, 5)).vertices) == 0
    fig.canvas.draw()           # minutes before the arcs; now milliseconds
    plt.close(fig)
