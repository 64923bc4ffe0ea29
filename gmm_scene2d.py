"""The 2-D scene: the data as points, each component as an ellipse and a mean.

:class:`ScatterScene` is the :class:`gmm_scene.Scene` for two drawn columns
(the data itself, two chosen columns, or the top two principal components
of wider data): points coloured by their likeliest component (or, with
``--soft``, by the responsibility mix: :class:`SoftPointsView`), the fitted
and true ellipses and the means (the marks of :mod:`gmm_plot`), density
contours (:class:`ContoursView`), points sized by their uncertainty
(:class:`UncertaintyView`), and on the ``--compare kmeans`` panel the
k-means centres with their Voronoi cells (:class:`VoronoiView`). Views take
2-D :class:`gmm.GMMState` in display units.

z-order: regions < points < contours < true ellipses < fitted ellipses < means
< text.
"""

import numpy as np
from contourpy import LineType, contour_generator
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import gmm
from gmm_blocks import column_min_max, is_streamed, pixel_representatives, read_rows
from gmm_ellipse import covariance_ellipse
from gmm_fading import FadingView
from gmm_fading import legend_entries as fading_entries
from gmm_legend import emptiest_corner, mean_true_and_cycle_entries, point_entry
from gmm_plot import (
    DEFAULT_N_STD, POINT_ALPHA, TRUE_COLOR, Z_FIT, Z_POINTS, Z_TRUE, MeansView,
    component_colors, component_styles, fit_text, nearest,
)
from gmm_scene import BaseView
from gmm_steps import by_assigning
from gmm_trails import TrailsView

IMAGE_THRESHOLD = 50_000      # above this many points, points are drawn as an image
#: above this many points, or for points read from a memory map, each pixel is
#: coloured by a few of its points (read in blocks: no per-point arrays)
REPRESENTED_ABOVE = 20_000_000


# --------------------------------------------------------------------------- #
# The marks: points, ellipses
# --------------------------------------------------------------------------- #

def frame_limits(points, margin=0.06, min_aspect=0.4):
    """Axis limits covering ``points`` with a margin, never degenerate.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        Points in display units.
    margin : float
        Fraction of the larger range added on each side.
    min_aspect : float
        The shorter side is widened to at least this fraction of the longer
        one, so a thin cloud still gets a usable picture.

    Returns
    -------
    xlim, ylim : tuple of float
    """
    lo, hi = column_min_max(points)          # block by block for a memory map
    centre = 0.5 * (lo + hi)
    span = hi - lo
    big = float(span.max())
    if not big > 0 or not np.isfinite(big):
        # all points identical: a unit-ish window around them
        big = max(1.0, float(np.abs(centre).max()) * 1e-3) if np.all(np.isfinite(centre)) else 1.0
        span = np.array([big, big])
    span = np.maximum(span, min_aspect * big)
    half = 0.5 * span + margin * big
    return ((float(centre[0] - half[0]), float(centre[0] + half[0])),
            (float(centre[1] - half[1]), float(centre[1] + half[1])))


def streamed_or_array(points):
    """``points`` as drawn: a memory map (or a view of one, read block by block)
    as it is, anything else as a float array."""
    return points if is_streamed(points) else np.asanyarray(points, dtype=float)


def points_of(points, rows=None):
    """Rows ``rows`` (increasing indices; None: all) of ``points`` (n, v) as a float
    array (m, v); a memory map's (or its view's) read in groups, pages released."""
    if rows is None and not is_streamed(points):
        return np.asarray(points, dtype=float)
    return read_rows(points, np.arange(len(points)) if rows is None else rows)


def drawn_responsibilities(points):
    """``state -> (m, k)``: the responsibilities of ``points`` (m, 2), drawn
    coordinates, under a drawn (2-D) state."""
    def responsibilities(state):
        return gmm.responsibilities(points, state.weights, state.means, state.covariances)
    return responsibilities


def _marker_size(n):
    """Scatter marker area (points^2) that keeps clouds readable for any n."""
    return float(np.clip(12.0 * np.sqrt(1000.0 / max(n, 1)), 0.8, 25.0))


class PointsView(BaseView):
    """Data points coloured by each state's labels.

    Small n: a scatter whose face colours change per frame. Large n (more
    than ``image_threshold`` points): an RGBA image with one pixel per axes
    pixel. Each point's pixel is computed once; a frame costs one
    ``np.bincount`` of (pixel, label) pairs and a write of the occupied
    pixels, each shown in the mean colour of its points and more opaque
    where more points fall.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose limits, aspect and figure size are final.
    points : ndarray, shape (n, 2)
        Points in display units.
    colors : ndarray, shape (k, 4)
        RGBA per component.
    image_threshold : int
        Use the image above this many points.
    alpha : float, optional
        Opacity of a lone point (default 0.5 for the scatter, 0.35 for the
        image, where dense pixels reach at most 0.65).
    pixels : tuple, optional
        Another points view's :attr:`pixels` on the same axes and points: its
        representatives, not found again (a pass over a memory map).

    Attributes
    ----------
    pixels : tuple or None
        :func:`gmm_blocks.pixel_representatives`' answer when each pixel is
        coloured by a few of its points (a memory map, a huge cloud), else None.
    """

    #: above this many (occupied pixel, component) bins, recolour the image
    #: with three weighted bincounts (memory O(n)) instead of one pair count
    MAX_PAIR_BINS = 8_000_000
    #: points per pixel whose labels colour it, above REPRESENTED_ABOVE points
    PER_PIXEL = 16

    def __init__(self, ax, points, colors, *, image_threshold=IMAGE_THRESHOLD, alpha=None,
                 pixels=None):
        points = streamed_or_array(points)
        self.ax = ax
        self._reps = self.pixels = None
        self.n = len(points)
        self.colors = np.asarray(colors, dtype=float)
        self.mode = "image" if self.n > image_threshold else "scatter"
        if alpha is None:
            alpha = POINT_ALPHA if self.mode == "scatter" else 0.35
        self.alpha = float(alpha)
        if self.mode == "scatter":
            face = self.colors.copy()
            face[:, 3] = self.alpha
            self._face = face
            self._shown = None          # the labels the colours show
            xy = points_of(points)        # at most image_threshold points
            self.artist = ax.scatter(xy[:, 0], xy[:, 1], s=_marker_size(self.n),
                                     c=np.tile(face[:1], (self.n, 1)), linewidths=0,
                                     zorder=Z_POINTS)
        else:
            self._init_image(points, is_streamed(points) or self.n > REPRESENTED_ABOVE, pixels)
        self.artists = [self.artist]

    @property
    def represented_rows(self):
        """Increasing row indices (r,) of the points whose labels colour the image
        (up to ``PER_PIXEL`` per pixel), or None when every point does."""
        return self._reps

    def _init_image(self, points, represented=False, pixels=None):
        ax = self.ax
        ax.apply_aspect()
        bbox = ax.get_window_extent()
        width = max(int(round(bbox.width)), 1)
        height = max(int(round(bbox.height)), 1)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        self._reps = None
        if represented:
            self._init_represented(points, (x0, x1), (y0, y1), width, height, pixels)
            return
        col = np.floor((points[:, 0] - x0) / (x1 - x0) * width).astype(np.int64)
        row = np.floor((points[:, 1] - y0) / (y1 - y0) * height).astype(np.int64)
        np.clip(col, 0, width - 1, out=col)
        np.clip(row, 0, height - 1, out=row)
        occupied, inverse, counts = np.unique(row * width + col, return_inverse=True,
                                              return_counts=True)
        self._finish_image(occupied, counts, inverse.ravel(), counts, (x0, x1), (y0, y1),
                           width, height)

    def _init_represented(self, points, xlim, ylim, width, height, pixels=None):
        """The image of a cloud too large to index point by point (a memory map):
        each pixel coloured by up to ``PER_PIXEL`` of its points, read block by block
        (or ``pixels``, another view's :attr:`pixels` on the same axes)."""
        if pixels is None:
            pixels = pixel_representatives(points, xlim, ylim, width, height, self.PER_PIXEL)
        self.pixels = pixels
        occupied, counts, self._reps, inverse = pixels
        self._finish_image(occupied, counts, inverse, np.bincount(inverse,
                           minlength=len(occupied)), xlim, ylim, width, height)

    def _finish_image(self, occupied, counts, inverse, mixed_counts, xlim, ylim, width, height):
        """The image from each occupied pixel's point count and the pixel of each
        colouring point (``inverse``; ``mixed_counts`` of them per pixel)."""
        ax = self.ax
        (x0, x1), (y0, y1) = xlim, ylim
        self._occupied = occupied
        self._counts = np.asarray(mixed_counts, dtype=float)
        self._rgb = np.ascontiguousarray(self.colors[:, :3])
        k = len(self.colors)
        if len(occupied) * k <= self.MAX_PAIR_BINS:
            # one bincount of (pixel, label) pairs per frame
            self._pair_base = inverse * k
            self._inverse = None
        else:
            # too many (pixel, label) bins: three weighted bincounts instead
            self._pair_base = None
            self._inverse = inverse
        self._image = np.zeros((height, width, 4), dtype=np.uint8)
        # light enough that same-coloured ellipses and means stay visible:
        # a lone point at opacity `alpha`, dense pixels at most 0.65
        opacity = self.alpha + (0.65 - self.alpha) * (1.0 - 0.8 ** (counts - 1))
        self._image.reshape(-1, 4)[occupied, 3] = np.round(255 * opacity).astype(np.uint8)
        aspect, adjustable = ax.get_aspect(), ax.get_adjustable()
        self.artist = ax.imshow(self._image, extent=(x0, x1, y0, y1), origin="lower",
                                interpolation="nearest", zorder=Z_POINTS)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(aspect, adjustable=adjustable)

    def update(self, state):
        """Recolour the points by ``state.labels`` (shape (n,))."""
        labels = np.asarray(state.labels)
        if self.mode == "image" and self._reps is not None:
            labels = labels[self._reps]
        if self.mode == "scatter":
            if not np.array_equal(labels, self._shown):     # same labels: left as drawn
                self.artist.set_facecolor(self._face[labels])
                self._shown = labels.copy()
        else:
            m = len(self._occupied)
            flat = self._image.reshape(-1, 4)
            if self._pair_base is not None:
                k = len(self._rgb)
                pairs = np.bincount(self._pair_base + labels, minlength=m * k)
                mixed = pairs.reshape(m, k) @ self._rgb
            else:
                mixed = np.empty((m, 3))
                for c in range(3):
                    channel = self._rgb[:, c][labels]
                    mixed[:, c] = np.bincount(self._inverse, weights=channel, minlength=m)
            mixed /= self._counts[:, None]
            flat[self._occupied, :3] = np.round(255 * mixed).astype(np.uint8)
            self.artist.set_data(self._image)
        return [self.artist]


class EllipsesView(BaseView):
    """One fitted ellipse per component (Mahalanobis radius ``n_std``).

    Each ellipse is a coloured line over a wider white one, so it stays
    visible on top of its own (same-coloured) points.
    """

    def __init__(self, ax, colors, *, n_std=DEFAULT_N_STD, linewidth=2.0):
        self.n_std = float(n_std)
        self.halos = [
            covariance_ellipse(ax, (0.0, 0.0), np.eye(2), self.n_std, edgecolor="white",
                               linewidth=linewidth + 1.5, zorder=Z_FIT)
            for _ in np.asarray(colors)
        ]
        self.patches = [
            covariance_ellipse(ax, (0.0, 0.0), np.eye(2), self.n_std, edgecolor=c,
                               linewidth=linewidth, linestyle=style, zorder=Z_FIT + 0.01)
            for c, (style, _) in zip(np.asarray(colors), component_styles(len(colors)))
        ]
        self.artists = self.halos + self.patches

    def update(self, state):
        """Reshape ellipse j to ``state.means[j]`` and ``state.covariances[j]``."""
        for halo, patch, mean, cov in zip(self.halos, self.patches, state.means,
                                          state.covariances):
            covariance_ellipse(None, mean, cov, self.n_std, ellipse=patch)
            halo.set_center(patch.get_center())     # same geometry, computed once
            halo.set_width(patch.get_width())
            halo.set_height(patch.get_height())
            halo.set_angle(patch.get_angle())
            halo.set_visible(patch.get_visible())
        return self.halos + self.patches


class TrueEllipsesView(BaseView):
    """Static gray dashed ellipses of the components the data was sampled from.

    Parameters
    ----------
    means : ndarray, shape (m, 2)
    covariances : ndarray, shape (m, 2, 2)
    """

    def __init__(self, ax, means, covariances, *, n_std=DEFAULT_N_STD, linewidth=1.5):
        self.patches = [
            covariance_ellipse(ax, mu, cov, n_std, edgecolor=TRUE_COLOR, linestyle="--",
                               linewidth=linewidth, zorder=Z_TRUE)
            for mu, cov in zip(np.asarray(means, float), np.asarray(covariances, float))
        ]
        self.artists = list(self.patches)

    def update(self, state):
        """Nothing changes; returns no artists."""
        return []


# --------------------------------------------------------------------------- #
# Teaching views on the scene: soft colours, uncertainty, contours, k-means cells
# --------------------------------------------------------------------------- #

Z_REGIONS = 0.5      # k-means Voronoi cells: under the points
Z_CONTOURS = 1.5     # density contours: over the points, under the ellipses


def mix_colors(resp, colors):
    """Responsibility-weighted mix of component colours.

    Parameters
    ----------
    resp : ndarray, shape (n, k)
        Rows of non-negative weights summing to 1.
    colors : ndarray, shape (k, 3 or 4)
        Component colours in [0, 1].

    Returns
    -------
    rgb : ndarray, shape (n, 3)
        ``resp @ colors[:, :3]``.
    """
    return np.asarray(resp, dtype=float) @ np.asarray(colors, dtype=float)[:, :3]


class SoftPointsView(PointsView):
    """Points coloured by the responsibility-weighted mix of component colours.

    A point that two components share equally is drawn halfway between
    their colours. In the image mode (large n) each pixel shows the mean
    mixed colour of its points: three weighted ``np.bincount`` calls per
    frame, no per-point Python work.

    Parameters
    ----------
    ax, points, colors, image_threshold, alpha
        As :class:`PointsView`.
    responsibilities : callable, optional
        ``responsibilities(state) -> (n, k)`` array. Default: computed from
        the displayed points and the (2-D) state with
        :func:`gmm.responsibilities`; the animator passes its own for data
        with more than two columns.
    """

    def __init__(self, ax, points, colors, *, responsibilities=None,
                 image_threshold=IMAGE_THRESHOLD, alpha=None, pixels=None):
        super().__init__(ax, points, colors, image_threshold=image_threshold, alpha=alpha,
                         pixels=pixels)
        if responsibilities is None:
            responsibilities = drawn_responsibilities(points_of(points, self.represented_rows))
        self.responsibilities = responsibilities
        if self.mode == "image":
            k = len(self._rgb)
            self._pixel = (self._pair_base // k if self._pair_base is not None
                           else self._inverse)
        k = len(self.colors)
        # pairwise half mixes join the GIF palette (a few components only)
        if 2 <= k <= 6:
            i, j = np.triu_indices(k, 1)
            self.palette_colors = 0.5 * (self.colors[i, :3] + self.colors[j, :3])
        else:
            self.palette_colors = None

    def update(self, state):
        """Recolour each point (or pixel) by ``responsibilities(state)``."""
        resp = np.asarray(self.responsibilities(state), dtype=float)
        if self.mode == "scatter":
            face = np.empty((self.n, 4))
            face[:, :3] = np.clip(mix_colors(resp, self.colors), 0.0, 1.0)
            face[:, 3] = self.alpha
            self.artist.set_facecolor(face)
        else:
            # the mean of the points' mixed colours (mixing is linear, so mixing
            # first needs 3 bincounts instead of k)
            m = len(self._occupied)
            rgb = mix_colors(resp, self.colors)
            mixed = np.empty((m, 3))
            for c in range(3):
                mixed[:, c] = np.bincount(self._pixel, weights=rgb[:, c], minlength=m)
            mixed /= self._counts[:, None]
            flat = self._image.reshape(-1, 4)
            flat[self._occupied, :3] = np.round(255 * np.clip(mixed, 0.0, 1.0)).astype(np.uint8)
            self.artist.set_data(self._image)
        return [self.artist]


class LastResponsibilities:
    """``responsibilities(state)`` computed once per state: views of one frame
    (``--soft`` and ``--uncertainty``) share the (n, k) array.

    Parameters
    ----------
    responsibilities : callable
        ``responsibilities(state) -> (n, k)`` array.
    """

    def __init__(self, responsibilities):
        self.responsibilities = responsibilities
        self._state, self._value = None, None

    def __call__(self, state):
        if state is not self._state:
            self._value = np.asarray(self.responsibilities(state), dtype=float)
            self._state = state
        return self._value


def uncertainty(resp):
    """mclust's uncertainty of each point, ``1 - max_j resp[i, j]``.

    Parameters
    ----------
    resp : ndarray, shape (n, k)

    Returns
    -------
    ndarray, shape (n,)
        In ``[0, 1 - 1/k]``: 0 when one component owns the point.
    """
    resp = np.asarray(resp, dtype=float)
    # column by column: max over a short last axis is ~5x slower at n = 1e6
    largest = resp[:, 0].copy()
    for j in range(1, resp.shape[1]):
        np.maximum(largest, resp[:, j], out=largest)
    return np.clip(1.0 - largest, 0.0, 1.0, out=largest)


class UncertaintyView(BaseView):
    """Points sized by their uncertainty ``1 - max responsibility`` (mclust's
    uncertainty plot): the points EM is unsure about stand out.

    The marker area is ``base * (MIN_SCALE + (MAX_SCALE - MIN_SCALE) * u)``
    with ``u = min(uncertainty / 0.5, 1)``, so a certain point keeps a
    visible dot and a point EM cannot decide between two components (or
    more) is the largest. The points view (plain or
    ``--soft``) stays and still sets the colours: in the scatter mode this
    view resizes its markers every frame; in the image mode (large n, one pixel
    per point) the image stays and the ``max_markers`` most uncertain points
    (those with ``u >= MIN_SHOWN``) are drawn over it as sized markers in
    their most responsible component's colour (their mixed colour over
    ``--soft``), so a frame costs one
    ``argpartition`` of the n uncertainties, not n markers. Nothing here is
    2-D specific: a scatter of a 1-D view can be wrapped the same way.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    points_view : PointsView
        The scene's points view (``mode``, ``artist``, ``colors``); it keeps
        owning its artist.
    points : ndarray, shape (n, 2) or (r, 2)
        The points ``responsibilities`` answers for (used in the image mode):
        the displayed points, or the points view's representatives
        (:attr:`PointsView.represented_rows`) when it has them.
    responsibilities : callable
        ``responsibilities(state) -> (n, k)`` (or (r, k)).
    max_markers : int
        Image mode: at most this many markers per frame.
    """

    MIN_SCALE, MAX_SCALE = 0.4, 6.0
    FULL_SIZE_AT = 0.5          # a two-way tie (1 - max resp = 1/2) gets the largest marker
    MIN_SHOWN = 0.05
    IMAGE_MARKER = 3.0          # base marker area (points^2) over the image

    def __init__(self, ax, points_view, points, responsibilities, *, max_markers=2000):
        self.points_view = points_view
        self.responsibilities = responsibilities
        self.mode = points_view.mode
        self.colors = np.asarray(points_view.colors, dtype=float)
        self.max_markers = int(max_markers)
        self.overlay = None
        if self.mode == "scatter":
            self.base = float(np.median(points_view.artist.get_sizes()))
        else:
            self.base = self.IMAGE_MARKER
            self.points = np.asarray(points, dtype=float)
            # no marker edges: they would triple the drawing time
            self.overlay = ax.scatter([], [], s=[], linewidths=0, zorder=Z_POINTS + 0.1)
        self.artists = [self.overlay] if self.overlay is not None else []
        self.sizes = None

    def marker_sizes(self, u):
        """Marker areas (points^2) for normalised uncertainties ``u`` in [0, 1]."""
        return self.base * (self.MIN_SCALE + (self.MAX_SCALE - self.MIN_SCALE) * u)

    def update(self, state):
        """Size the points (or the overlay's markers) by ``responsibilities(state)``."""
        resp = np.asarray(self.responsibilities(state), dtype=float)
        u = np.minimum(uncertainty(resp) / self.FULL_SIZE_AT, 1.0)
        if self.mode == "scatter":
            self.sizes = self.marker_sizes(u)
            self.points_view.artist.set_sizes(self.sizes)
            return [self.points_view.artist]
        top = np.flatnonzero(u >= self.MIN_SHOWN)    # usually a small part of n
        if len(top) > self.max_markers:
            top = top[np.argpartition(u[top], len(top) - self.max_markers)[-self.max_markers:]]
        top = top[np.argsort(u[top])]             # the most uncertain drawn last, on top
        face = np.empty((len(top), 4))
        if isinstance(self.points_view, SoftPointsView):    # the same mixed colours
            face[:, :3] = np.clip(mix_colors(resp[top], self.colors), 0.0, 1.0)
        else:
            face[:, :3] = self.colors[resp[top].argmax(axis=1), :3]
        face[:, 3] = 0.9
        self.sizes = self.marker_sizes(u[top])
        self.overlay.set_offsets(self.points[top] if len(top) else np.empty((0, 2)))
        self.overlay.set_sizes(self.sizes)
        self.overlay.set_facecolor(face)
        return [self.overlay]


class ContoursView(BaseView):
    """Line contours of the mixture's log-density on a fixed grid.

    Levels are the quantiles ``QUANTILES`` of the log-density at (a fixed
    subsample of) the data points, so the contour of quantile ``q`` encloses
    the densest ``1 - q`` of the points: read from the outside in, 95%, 75%,
    50%, 25% and 5% of the points. Darker lines mean higher density.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose limits are final; the grid covers them.
    points : ndarray, shape (n, 2)
        Points in display units (for the levels).
    resolution : int
        Grid nodes along the longer side of the axes (the shorter side gets
        proportionally fewer, at least 20).
    max_level_points : int
        At most this many evenly strided points set the levels.
    """

    QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

    def __init__(self, ax, points, *, resolution=120, max_level_points=2000, linewidth=1.0):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        if (x1 - x0) >= (y1 - y0):
            nx, ny = resolution, max(20, int(round(resolution * (y1 - y0) / (x1 - x0))))
        else:
            ny, nx = resolution, max(20, int(round(resolution * (x1 - x0) / (y1 - y0))))
        self.x = np.linspace(x0, x1, nx)
        self.y = np.linspace(y0, y1, ny)
        gx, gy = np.meshgrid(self.x, self.y)
        self.grid = np.c_[gx.ravel(), gy.ravel()]             # (ny * nx, 2)
        step = max(1, int(np.ceil(len(points) / max_level_points)))
        self.level_points = read_rows(points, np.arange(0, len(points), step))
        shades = np.linspace(0.62, 0.12, len(self.QUANTILES))  # outer light, inner dark
        self.level_colors = np.c_[shades, shades, shades, np.ones_like(shades)]
        self.lines = LineCollection([], linewidths=linewidth, zorder=Z_CONTOURS)
        ax.add_collection(self.lines, autolim=False)
        self.levels = np.full(len(self.QUANTILES), np.nan)
        self.segments = [[] for _ in self.QUANTILES]           # per level, list of (m, 2)
        self.artists = [self.lines]

    def log_density(self, state, X):
        """Mixture log-density of ``state`` at ``X`` (m, 2), shape (m,)."""
        return gmm.log_density(X, state.weights, state.means, state.covariances)

    def update(self, state):
        """Recompute the grid density and the contour lines for ``state``."""
        both = self.log_density(state, np.vstack([self.grid, self.level_points]))
        n_grid = len(self.grid)                 # one call: grid nodes, then level points
        z = both[:n_grid].reshape(len(self.y), len(self.x))
        finite = np.isfinite(z)
        if not finite.all():
            z = np.where(finite, z, z[finite].min() - 1.0 if finite.any() else 0.0)
        self.levels = np.quantile(both[n_grid:], self.QUANTILES)
        gen = contour_generator(self.x, self.y, z, line_type=LineType.Separate)
        segments, colors = [], []
        for j, level in enumerate(self.levels):
            lines = [ln for ln in gen.lines(level) if len(ln) >= 2]
            self.segments[j] = lines
            segments.extend(lines)
            colors.extend([self.level_colors[j]] * len(lines))
        self.lines.set_segments(segments)
        self.lines.set_color(colors if colors else "none")
        return [self.lines]


def voronoi_cells(centres, xlim, ylim):
    """Voronoi cells of ``centres`` clipped to a rectangle.

    Each cell is the rectangle cut by the half-planes
    ``|x - c_j| <= |x - c_i|`` for every other centre (Sutherland-Hodgman);
    duplicate centres share one cell.

    Parameters
    ----------
    centres : ndarray, shape (k, 2)
    xlim, ylim : (float, float)

    Returns
    -------
    cells : list of k ndarrays, shape (m_j, 2)
        Polygon vertices (possibly empty).
    """
    centres = np.asarray(centres, dtype=float)
    box = np.array([[xlim[0], ylim[0]], [xlim[1], ylim[0]], [xlim[1], ylim[1]],
                    [xlim[0], ylim[1]]])
    cells = []
    for j, cj in enumerate(centres):
        poly = box
        for i, ci in enumerate(centres):
            if i == j or len(poly) == 0 or np.array_equal(ci, cj):
                continue
            normal = ci - cj                        # keep points with n.x <= n.(ci+cj)/2
            offset = 0.5 * normal @ (ci + cj)
            poly = _clip_half_plane(poly, normal, offset)
        cells.append(poly)
    return cells


def _clip_half_plane(poly, normal, offset):
    """The part of convex polygon ``poly`` (m, 2) where ``normal . x <= offset``."""
    s = poly @ normal - offset
    inside = s <= 0
    if inside.all():
        return poly
    if not inside.any():
        return np.empty((0, 2))
    out = []
    m = len(poly)
    for a in range(m):
        b = (a + 1) % m
        if inside[a]:
            out.append(poly[a])
        if inside[a] != inside[b]:
            t = s[a] / (s[a] - s[b])
            out.append(poly[a] + t * (poly[b] - poly[a]))
    return np.array(out)


class VoronoiView(BaseView):
    """k-means' hard assignment as regions: each centre's Voronoi cell, tinted
    with its colour and outlined in gray, under the points."""

    def __init__(self, ax, colors, *, tint=0.14):
        self.xlim, self.ylim = ax.get_xlim(), ax.get_ylim()
        colors = np.asarray(colors, dtype=float)
        face = colors.copy()
        face[:, 3] = tint
        self.cells = PolyCollection([], facecolors=face, edgecolors="0.35", linewidths=1.0,
                                    zorder=Z_REGIONS)
        ax.add_collection(self.cells, autolim=False)
        self.polygons = []
        self.artists = [self.cells]

    def update(self, state):
        """Cells of ``state.means`` (shape (k, 2))."""
        self.polygons = voronoi_cells(np.asarray(state.means, float)[:, :2], self.xlim, self.ylim)
        self.cells.set_verts([p if len(p) else np.zeros((0, 2)) for p in self.polygons])
        return [self.cells]


# --------------------------------------------------------------------------- #
# The scene
# --------------------------------------------------------------------------- #

#: views whose points are fixed when they are built: data cannot be edited with them
FIXED_POINT_VIEWS = (SoftPointsView, UncertaintyView, ContoursView)


def own_limits(points, margin=0.06):
    """Limits covering ``points`` (n, 2) with ``margin`` of each axis' own range on
    each side: for axes in different units, each with its own scale."""
    lo, hi = column_min_max(points)          # block by block for a memory map
    limits = []
    for a, b in zip(lo, hi):
        span = float(b - a)
        if not (span > 0 and np.isfinite(span)):
            span = max(1.0, abs(float(a)) * 1e-3) if np.isfinite(a) else 1.0
        pad = margin * span
        centre = 0.5 * (float(a) + float(b))
        limits.append((centre - 0.5 * span - pad, centre + 0.5 * span + pad))
    return tuple(limits)


class ScatterScene:
    """The :class:`gmm_scene.Scene` of two drawn columns: points, ellipses, means.

    Parameters
    ----------
    fit : gmm_fit.FitRun
        Its ``points`` (n, 2) in display units, ``true_components``,
        ``axis_labels``, ``equal_aspect``, ``n_features`` and ``scale``.
    options : gmm_options.Options
        ``n_components``, the ``show_*`` flags and the teaching flags.
    """

    data_axes = 2
    pins_points = True
    static_legend = False     # ellipses move under it: drawn with every frame

    def __init__(self, fit, options):
        self.fit, self.options = fit, options
        self.points = streamed_or_array(fit.points)
        self.colors = component_colors(options.n_components)
        # k-means cells only where they are exact: 2 columns, and k-means distances in
        # the drawn units (one scale for both columns, not standardised column by column)
        self.cells = bool(fit.n_features == 2 and np.all(fit.scale == fit.scale[0]))
        self.kmeans_legend_entries = ([(Patch(facecolor=self.colors[0], alpha=0.25),
                                        "nearest-centre cell")] if self.cells else [])
        self.em_title = ("EM: Gaussian mixture" + (" (soft colours)" if options.soft else "")
                         + (" (size: uncertainty)" if options.uncertainty else ""))

    def frame(self):
        """Limits from the points: equal aspect (:func:`frame_limits`) when
        both columns share their units, else each axis its own (:func:`own_limits`)."""
        if self.fit.equal_aspect:
            return (*frame_limits(self.points), True)
        return (*own_limits(self.points), False)

    def views(self, anim):
        """Points, true and fitted ellipses, means; the axes labelled with the columns."""
        ax, fit, options, colors = anim.ax, self.fit, self.options, self.colors
        views = [PointsView(ax, self.points, colors)]
        if fit.true_components is not None:
            views.append(TrueEllipsesView(ax, *fit.true_components))
        if options.show_covariances:
            views.append(EllipsesView(ax, colors))
        if options.show_means:
            views.append(MeansView(ax, colors))
        if fit.axis_labels is not None:
            ax.set_xlabel(fit.axis_labels[0], fontsize=9, labelpad=2)
            ax.set_ylabel(fit.axis_labels[1], fontsize=9, labelpad=2)
            box = ax.get_window_extent()      # long labels (CSV column names) fit the axes
            fit_text(ax.xaxis.label, box.width + 24)
            fit_text(ax.yaxis.label, box.height + 30)
        return views

    def add_teaching_views(self, anim):
        """``soft`` replaces the points view, ``uncertainty`` sizes its points,
        ``contours`` draws over them; the responsibilities are the fit's
        full-dimensional ones for data with more than two columns."""
        ax, fit, options, colors = anim.ax, self.fit, self.options, self.colors
        if options.soft or options.uncertainty:
            shown, resp = self.shown_responsibilities(anim)
            if options.half_steps:      # an M-step frame keeps the previous E-step's colours
                resp = by_assigning(resp)
            if options.uncertainty:     # one (n, k) array per frame for both
                resp = LastResponsibilities(resp)
        if options.soft:
            old = next(v for v in anim.views if type(v) is PointsView)
            anim.add_view(SoftPointsView(ax, fit.points, colors, responsibilities=resp,
                                         pixels=old.pixels), replace=old)
        if options.uncertainty:
            points_view = next(v for v in anim.views if isinstance(v, PointsView))
            anim.add_view(UncertaintyView(ax, points_view, shown, resp))
        if options.contours:
            anim.add_view(ContoursView(ax, fit.points))
        if options.trails:
            anim.add_view(TrailsView(ax, colors, lambda: anim.history))
        if options.bayesian is not None:    # after the ellipses and means it fades
            ellipses = [g for v in anim.views if isinstance(v, EllipsesView)
                        for g in (v.halos, v.patches)]
            anim.add_view(FadingView(ellipses, [c for v in anim.views
                                                if isinstance(v, MeansView) for c in v.artists]))

    def shown_responsibilities(self, anim):
        """``(points (m, 2), responsibilities: state -> (m, k))`` of the points whose
        colour and size are drawn: every point, or only the representatives of the
        pixels of the points view's image (a memory map, a huge cloud), read once;
        the fit's full-dimensional responsibilities for more than two columns."""
        fit = self.fit
        rows = next(v for v in anim.views if type(v) is PointsView).represented_rows
        shown = points_of(fit.points, rows)
        if fit.n_features != 2:
            return shown, (fit.responsibilities if rows is None
                           else fit.responsibilities_of(rows))
        return shown, drawn_responsibilities(shown)

    def kmeans_views(self, anim, kax):
        """The k-means panel: limits, aspect and labels as the scene's; cells, points,
        true ellipses and centres."""
        ax, fit, colors = anim.ax, self.fit, self.colors
        kax.set_xlim(ax.get_xlim())
        kax.set_ylim(ax.get_ylim())
        kax.set_aspect(ax.get_aspect(), adjustable="box")       # equal only where the scene is
        kax.set_xlabel(ax.get_xlabel(), fontsize=ax.xaxis.label.get_fontsize(), labelpad=2)
        kax.set_ylabel(ax.get_ylabel(), fontsize=ax.yaxis.label.get_fontsize(), labelpad=2)
        kax.apply_aspect()
        views = [VoronoiView(kax, colors)] if self.cells else []
        views.append(PointsView(kax, fit.points, colors))
        if fit.true_components is not None:
            views.append(TrueEllipsesView(kax, *fit.true_components))
        if self.options.show_means:
            views.append(MeansView(kax, colors))
        return views

    def legend_entries(self):
        """The point, the fitted ellipse, mean and true ellipse, and the marks of
        ``--uncertainty`` and ``--contours``, as drawn."""
        options, colors = self.options, self.colors
        entries = [point_entry(options, colors)]
        if options.show_covariances:
            entries.append((Line2D([], [], color=colors[0], linewidth=2), "fitted component"))
        entries += mean_true_and_cycle_entries(options, colors,
                                               has_true=self.fit.true_components is not None)
        if options.uncertainty:
            entries.append((Line2D([], [], marker="o", linestyle="none", color="0.3",
                                   markersize=8), "bigger: less certain"))
        if options.contours:
            entries.append((Line2D([], [], color="0.3", linewidth=1),
                            "density contour (5-95%)"))
        if options.trails:
            entries.append((Line2D([], [], color=colors[0], linewidth=2, alpha=0.5, marker="o",
                                   markersize=3), "mean's path (older: fainter)"))
        if options.bayesian is not None and options.show_covariances:
            entries += fading_entries(colors[0])
        return entries

    def place_legend(self, anim, box):
        """The corner with the fewest points; with ``--compare`` a lower one (the
        panel titles run along the top)."""
        taken = ("upper left", "upper right") if self.options.compare else ()
        return emptiest_corner(self.fit.points, anim.ax.get_xlim(), anim.ax.get_ylim(),
                               box=box, taken=taken)

    def nearest_point(self, anim, event):
        """The data point nearest the mouse on the screen, and its distance in pixels."""
        return nearest(anim.ax, self.fit.points, event, along_x=False)

    def edit_refusal(self, anim):
        """Views built on fixed points (``--soft``, ``--uncertainty``,
        ``--contours``) or the ``--compare`` panel forbid editing the data."""
        if any(isinstance(v, FIXED_POINT_VIEWS) for v in anim.views) or "kmeans" in anim.panels:
            return ("adding or removing points works without --soft, --uncertainty, "
                    "--contours and --compare")
        return None

    def refill(self, anim):
        """A new points view of the fit's points in place of the old one."""
        view = next((v for v in anim.views if type(v) is PointsView), None)
        if view is not None:
            anim.add_view(PointsView(view.ax, anim.fit.points, self.colors), replace=view)

    def note_corner(self, anim, box, taken, under_title):
        """The corner with the fewest points for a note of ``box`` (axes fractions)."""
        ax = anim.ax
        return emptiest_corner(self.fit.points, ax.get_xlim(), ax.get_ylim(),
                               box=box, taken=taken), 0.0
