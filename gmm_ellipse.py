"""Ellipse geometry: the one place a covariance becomes a drawn contour.

:func:`covariance_ellipse` draws {x : (x - mean)^T cov^-1 (x - mean) = n_std^2}
(semi-axes ``n_std * sqrt(eigenvalue)`` along the eigenvectors) as a
:class:`ViewEllipse`: an ordinary matplotlib Ellipse that, while drawn, is
cut to its arcs inside the axes' view when it is far larger than the view,
so an ellipse 1e15 times the view draws in milliseconds and still looks
right where it crosses it.
"""

import numpy as np
from matplotlib.patches import Ellipse
from matplotlib.path import Path
from matplotlib.transforms import IdentityTransform

from gmm_plot import DEFAULT_N_STD

__all__ = ["covariance_ellipse", "ViewEllipse", "visible_arcs"]


def _ellipse_geometry(cov, n_std):
    """Width, height and angle (degrees) of the Mahalanobis contour n_std."""
    cov = np.asarray(cov, dtype=float)
    if cov.shape != (2, 2):
        raise ValueError(f"covariance must be 2x2 to draw, got shape {cov.shape}")
    if not np.all(np.isfinite(cov)):
        return None
    sym = 0.5 * (cov + cov.T)
    vals, vecs = np.linalg.eigh(sym)          # ascending eigenvalues
    vals = np.clip(vals, 0.0, None)
    major = vecs[:, 1]
    width = 2.0 * n_std * np.sqrt(vals[1])    # along the major eigenvector
    height = 2.0 * n_std * np.sqrt(vals[0])
    angle = float(np.degrees(np.arctan2(major[1], major[0])))
    return float(width), float(height), angle


def covariance_ellipse(ax, mean, cov, n_std=DEFAULT_N_STD, *, ellipse=None, **kwargs):
    """Draw the ellipse {x : (x - mean)^T cov^-1 (x - mean) = n_std^2}.

    The semi-axes are ``n_std * sqrt(eigenvalue)`` along the eigenvectors of
    ``cov``. This is the one place ellipse geometry lives; views reshape their
    patches through it every frame (``ellipse=``).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes the new patch is added to (ignored when ``ellipse`` is given).
    mean : array_like, shape (2,)
        Centre.
    cov : array_like, shape (2, 2)
        Symmetric positive semi-definite covariance.
    n_std : float, default sqrt(2)
        Mahalanobis radius of the contour (sqrt of the level c).
    ellipse : matplotlib.patches.Ellipse, optional
        Existing patch to reshape in place instead of creating one.
    **kwargs
        Passed to :class:`matplotlib.patches.Ellipse` (new patch) or to
        ``ellipse.set`` (existing patch); e.g. ``edgecolor``, ``linestyle``.

    Returns
    -------
    ellipse : matplotlib.patches.Ellipse
        The patch; hidden when ``mean`` or ``cov`` is not finite.
    """
    mean = np.asarray(mean, dtype=float)
    geometry = _ellipse_geometry(cov, float(n_std))
    visible = geometry is not None and bool(np.all(np.isfinite(mean)))
    width, height, angle = geometry if visible else (0.0, 0.0, 0.0)
    centre = (float(mean[0]), float(mean[1])) if visible else (0.0, 0.0)
    if ellipse is None:
        kwargs.setdefault("fill", False)
        ellipse = ViewEllipse(centre, width, height, angle=angle, **kwargs)
        ax.add_patch(ellipse)
    else:
        ellipse.set_center(centre)
        ellipse.set_width(width)
        ellipse.set_height(height)
        ellipse.set_angle(angle)
        if kwargs:
            ellipse.set(**kwargs)
    ellipse.set_visible(visible)
    return ellipse


#: an ellipse more than this many times its view's span (on either axis) is
#: drawn as its visible arcs only: Agg's time grows with a curve's length in
#: pixels (an ellipse 1e15 wide took minutes), a few hundred segments do not
CLIP_FACTOR = 1000.0
#: line segments per visible arc of a clipped ellipse
ARC_SEGMENTS = 256


class ViewEllipse(Ellipse):
    """An :class:`~matplotlib.patches.Ellipse` that, while it is drawn, becomes
    only its arcs inside (a margin around) the axes' view when it is far larger
    than the view (:data:`CLIP_FACTOR`), so a huge ellipse draws in constant
    time and still looks right where it crosses the view. Otherwise (and for
    every other purpose) it is an ordinary Ellipse."""

    _arcs = None

    def draw(self, renderer):
        ax = self.axes
        self._arcs = None if ax is None else visible_arcs(
            self.get_center(), self.get_width(), self.get_height(), self.get_angle(),
            ax.get_xlim(), ax.get_ylim())
        try:
            return super().draw(renderer)
        finally:
            self._arcs = None

    def get_path(self):
        return super().get_path() if self._arcs is None else self._arcs

    def get_patch_transform(self):
        return super().get_patch_transform() if self._arcs is None else IdentityTransform()


def visible_arcs(center, width, height, angle, xlim, ylim):
    """The arcs of an ellipse inside its view (with one view span of margin on
    each side), as a :class:`~matplotlib.path.Path` of line segments in data
    coordinates; None when the ellipse is small enough to draw whole.

    Parameters
    ----------
    center : (2,) ; width, height : float (full axes) ; angle : float (degrees)
    xlim, ylim : (2,) the view's limits

    The crossings with the view are found in the ellipse's own frame (where
    it is the unit circle), so arcs of an ellipse 1e15 times the view are
    as exact as its centre's floating-point position allows.
    """
    a, b = 0.5 * abs(float(width)), 0.5 * abs(float(height))
    theta = np.radians(float(angle))
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    (x0, x1), (y0, y1) = sorted(map(float, xlim)), sorted(map(float, ylim))
    spans = np.array([max(x1 - x0, 1e-300), max(y1 - y0, 1e-300)])
    half = np.hypot(a * rot[:, 0], b * rot[:, 1])       # bounding box half-extents (x, y)
    if not np.all(np.isfinite(half)) or np.all(half <= CLIP_FACTOR * spans):
        return None
    b = max(b, a * 1e-12, 1e-300)                       # a flat ellipse: a thin one
    a = max(a, b)
    box = (x0 - spans[0], x1 + spans[0], y0 - spans[1], y1 + spans[1])
    c = np.asarray(center, dtype=float)
    corners = np.array([[box[0], box[2]], [box[1], box[2]], [box[1], box[3]], [box[0], box[3]]])
    unit = (corners - c) @ rot / np.array([a, b])       # the view in the circle's frame
    points = _circle_crossings(unit)

    def to_data(u):
        return c + (u * np.array([a, b])) @ rot.T

    def inside(u):
        x, y = to_data(u)
        return box[0] <= x <= box[1] and box[2] <= y <= box[3]

    if not points:          # far larger than the margin box, so none of it is inside
        return Path(np.empty((0, 2)))
    order = sorted(points, key=lambda u: np.arctan2(u[1], u[0]))
    vertices, codes = [], []
    for i, start in enumerate(order):
        end = order[(i + 1) % len(order)]
        sweep = np.arctan2(start[0] * end[1] - start[1] * end[0], start @ end) % (2 * np.pi)
        if sweep == 0.0 and len(order) > 1:
            continue
        sweep = sweep if sweep > 0 else 2 * np.pi
        if not inside(_rotate(start, 0.5 * sweep)):
            continue
        arc = _rotate(start, np.linspace(0.0, sweep, ARC_SEGMENTS + 1))
        vertices.append(to_data(arc))
        codes += [Path.MOVETO] + [Path.LINETO] * ARC_SEGMENTS
    if not vertices:
        return Path(np.empty((0, 2)))
    return Path(np.concatenate(vertices), codes)


def _rotate(u, delta):
    """Unit vector ``u`` (2,) turned by ``delta`` radians (scalar or (m,) -> (m, 2));
    exact for tiny turns, unlike cos/sin of a large angle plus a tiny one."""
    delta = np.asarray(delta, dtype=float)
    cos, sin = np.cos(delta)[..., None], np.sin(delta)[..., None]
    return u * cos + np.array([-u[1], u[0]]) * sin


def _circle_crossings(polygon):
    """Points (unit vectors) where the unit circle crosses the edges of ``polygon`` (m, 2)."""
    found = []
    for p, q in zip(polygon, np.roll(polygon, -1, axis=0)):
        d = q - p
        dd, pd, pp = d @ d, p @ d, p @ p - 1.0
        disc = pd * pd - dd * pp
        if dd == 0.0 or disc < 0.0:
            continue
        for s in ((-pd - np.sqrt(disc)) / dd, (-pd + np.sqrt(disc)) / dd):
            if 0.0 <= s <= 1.0:
                u = p + s * d
                found.append(u / np.hypot(u[0], u[1]))
    return found
