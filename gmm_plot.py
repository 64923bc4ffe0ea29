"""Drawing for gmm-visualizer: ellipse geometry, component colours and views.

A *view* draws one thing. It creates its artists once on an ``ax`` in
``__init__`` and changes them in ``update(state) -> list[Artist]``, where
``state`` is a 2-D :class:`gmm.GMMState` already in display units (views know
nothing about standardisation or projection). Every view lists all the
artists it owns in ``artists`` so an animator can draw them itself.

z-order: points < true ellipses < fitted ellipses < means < text, so a small
component's ellipse is never hidden under its points.

The teaching views (``--soft``, ``--contours``, ``--ll-panel``, ``--compare
kmeans``, the ``--select-k`` curve) live in :mod:`gmm_teaching`, which builds
on this module.
"""

import numpy as np
from matplotlib.colors import to_rgba_array
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Ellipse
from matplotlib.ticker import ScalarFormatter

from gmm_blocks import column_min_max, is_streamed, pixel_representatives
from gmm_scene import BaseView

__all__ = [
    "DEFAULT_N_STD",
    "Z_POINTS", "Z_TRUE", "Z_FIT", "Z_MEANS", "Z_TEXT",
    "component_colors",
    "component_styles",
    "covariance_ellipse",
    "frame_limits",
    "PointsView",
    "EllipsesView",
    "TrueEllipsesView",
    "MeansView",
    "IterationText",
    "fit_text",
    "PlainTickFormatter",
    "plain_ticks",
]

#: Mahalanobis radius of every drawn ellipse: the contour c = 2 (semi-axes
#: sqrt(2) * sigma), one level for fitted and true ellipses alike.
DEFAULT_N_STD = float(np.sqrt(2.0))

Z_POINTS, Z_TRUE, Z_FIT, Z_MEANS, Z_TEXT = 1.0, 2.0, 3.0, 4.0, 5.0

TRUE_COLOR = "0.45"
POINT_ALPHA = 0.5
IMAGE_THRESHOLD = 50_000      # above this many points, points are drawn as an image
#: above this many points, or for points read from a memory map, each pixel is
#: coloured by a few of its points (read in blocks: no per-point arrays)
REPRESENTED_ABOVE = 20_000_000


#: 20 saturated colours, distinct on a projector (at least 20 apart in CIELAB):
#: tab10 with black for its gray (the true components are gray), then ten darker
#: or more vivid hues (tab20's pale half washes out on a bright screen)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#000000", "#bcbd22", "#17becf", "#393b79", "#ff1493", "#637939", "#f032e6",
           "#8c6d31", "#00a087", "#0000ff", "#4363d8", "#7b4173", "#004d40")
#: outline of a fitted ellipse and marker of its mean, per pass through :data:`PALETTE`
CYCLE_LINESTYLES = ("-", (0, (1.2, 1.2)), (0, (6, 2, 1.2, 2)), (0, (3, 1.2)))
CYCLE_MARKERS = ("+", "x", "1", "*")


def component_colors(n_components):
    """Stable, distinct, saturated colours for components ``0 .. n_components-1``.

    Component ``j`` gets ``PALETTE[j % 20]`` for every ``n_components``; past
    20 the colours repeat, and :func:`component_styles` gives the repeats a
    different outline and mean marker, so no two components look the same.

    Parameters
    ----------
    n_components : int
        Number of components, >= 1.

    Returns
    -------
    colors : ndarray, shape (n_components, 4)
        RGBA in [0, 1], alpha 1.
    """
    k = int(n_components)
    if k < 1:
        raise ValueError(f"n_components must be >= 1, got {k}")
    return to_rgba_array([PALETTE[j % len(PALETTE)] for j in range(k)])


def component_styles(n_components):
    """``(linestyle, marker)`` of each component: one pair per pass through the palette.

    Components ``j`` and ``j + 20`` share a colour, so they differ here
    (solid / dotted / dash-dot / dashed outline, ``+`` / ``x`` / tri / star
    mean); beyond 80 components the pairs repeat with the colour.
    """
    passes = len(CYCLE_LINESTYLES)
    return [(CYCLE_LINESTYLES[(j // len(PALETTE)) % passes],
             CYCLE_MARKERS[(j // len(PALETTE)) % passes]) for j in range(int(n_components))]


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
        ellipse = Ellipse(centre, width, height, angle=angle, **kwargs)
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
    """

    #: above this many (occupied pixel, component) bins, recolour the image
    #: with three weighted bincounts (memory O(n)) instead of one pair count
    MAX_PAIR_BINS = 8_000_000
    #: points per pixel whose labels colour it, above REPRESENTED_ABOVE points
    PER_PIXEL = 16

    def __init__(self, ax, points, colors, *, image_threshold=IMAGE_THRESHOLD, alpha=None):
        points = np.asanyarray(points, dtype=float)         # a memory map stays one
        self.ax = ax
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
            self.artist = ax.scatter(points[:, 0], points[:, 1], s=_marker_size(self.n),
                                     c=np.tile(face[:1], (self.n, 1)), linewidths=0,
                                     zorder=Z_POINTS)
        else:
            self._init_image(points, is_streamed(points) or self.n > REPRESENTED_ABOVE)
        self.artists = [self.artist]

    def _init_image(self, points, represented=False):
        ax = self.ax
        ax.apply_aspect()
        bbox = ax.get_window_extent()
        width = max(int(round(bbox.width)), 1)
        height = max(int(round(bbox.height)), 1)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        self._reps = None
        if represented:
            self._init_represented(points, (x0, x1), (y0, y1), width, height)
            return
        col = np.floor((points[:, 0] - x0) / (x1 - x0) * width).astype(np.int64)
        row = np.floor((points[:, 1] - y0) / (y1 - y0) * height).astype(np.int64)
        np.clip(col, 0, width - 1, out=col)
        np.clip(row, 0, height - 1, out=row)
        occupied, inverse, counts = np.unique(row * width + col, return_inverse=True,
                                              return_counts=True)
        self._finish_image(occupied, counts, inverse.ravel(), counts, (x0, x1), (y0, y1),
                           width, height)

    def _init_represented(self, points, xlim, ylim, width, height):
        """The image of a cloud too large to index point by point (a memory map):
        each pixel coloured by up to ``PER_PIXEL`` of its points, read block by block."""
        occupied, counts, self._reps, inverse = pixel_representatives(
            points, xlim, ylim, width, height, self.PER_PIXEL)
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
            self.artist.set_facecolor(self._face[labels])
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


class MeansView(BaseView):
    """Coloured ``+`` at each component mean, outlined in black (past 20
    components another marker per pass, see :func:`component_styles`)."""

    def __init__(self, ax, colors, *, size=160.0, clip_on=True):
        colors = np.asarray(colors)
        start = np.zeros((len(colors), 2))
        self.halo = ax.scatter(start[:, 0], start[:, 1], marker="+", s=size * 1.15, c="black",
                               linewidths=4.0, zorder=Z_MEANS, clip_on=clip_on)
        self.marks = ax.scatter(start[:, 0], start[:, 1], marker="+", s=size, c=colors,
                                linewidths=2.5, zorder=Z_MEANS + 0.01, clip_on=clip_on)
        markers = [m for _, m in component_styles(len(colors))]
        if len(set(markers)) > 1:
            paths = [MarkerStyle(m).get_path().transformed(MarkerStyle(m).get_transform())
                     for m in markers]
            self.halo.set_paths(paths)
            self.marks.set_paths(paths)
        self.artists = [self.halo, self.marks]

    def update(self, state):
        """Move the markers to ``state.means`` (shape (k, 2))."""
        return self.place(np.asarray(state.means, dtype=float)[:, :2])

    def place(self, xy):
        """Put the markers at ``xy`` (shape (k, 2), data coordinates)."""
        self.halo.set_offsets(xy)
        self.marks.set_offsets(xy)
        return [self.halo, self.marks]


class IterationText(BaseView):
    """``iter t / T   log-likelihood ll`` above the axes, right-aligned
    (monospace; the left corner stays free for the y axis offset text).

    T is ``last()`` when given (the last iteration computed so far: the
    run's last once EM has stopped), else ``max_iter``. The last state says
    ``(converged)`` when the stopping rule fired, and, with ``tol > 0``,
    that ``-i`` ran out when it reached ``max_iter`` instead.

    ``label``, ``value`` and ``spec`` name the quantity shown after the
    iteration (default: the state's ``log_likelihood`` as ``.4f``; ``value(state)``
    gives another number). A text
    wider than the axes plus ``LEFT_ALLOWANCE`` pixels (its column of the
    figure) is drawn in a smaller font, so it never runs off the figure or
    into a neighbouring panel's text.
    """

    #: pixels left of the axes the text may use (the scene's tick-label margin)
    LEFT_ALLOWANCE = 56
    #: advance of one DejaVu Sans Mono character, in ems
    CHAR_EM = 0.602

    def __init__(self, ax, max_iter, *, fontsize=10, label="log-likelihood",
                 value=None, spec=".4f", last=None, tol=0.0):
        self.max_iter = int(max_iter)
        self.last, self.tol = last, float(tol)
        self._width = len(str(self.max_iter))
        self.label, self.spec = label, spec
        self.value = (lambda state: state.log_likelihood) if value is None else value
        self.fontsize = float(fontsize)
        self.ax = ax
        self.text = ax.text(1.0, 1.015, "", transform=ax.transAxes, ha="right", va="bottom",
                            family="monospace", fontsize=fontsize, zorder=Z_TEXT)
        self.artists = [self.text]

    def format(self, state):
        """The label for ``state``."""
        value = format(self.value(state), self.spec)
        end = self.max_iter if self.last is None else max(int(self.last()), state.iteration)
        s = f"iter {state.iteration:>{self._width}d} / {end}   {self.label} {value}"
        if state.converged:
            s += "   (converged)"
        elif self.tol > 0 and state.iteration == self.max_iter > 0:
            s += "   (-i ran out: not converged)"
        return s

    def fitting_fontsize(self, text):
        """Largest font size <= ``fontsize`` (at least 6) at which ``text`` fits."""
        fig = self.ax.figure
        fig_w = fig.get_figwidth() * fig.dpi
        x0, _, w, _ = self.ax.get_position().bounds
        right = min((x0 + w) * fig_w, fig_w)
        room = right - max(0.0, x0 * fig_w - self.LEFT_ALLOWANCE)
        longest = max((len(line) for line in text.splitlines()), default=0)
        need = longest * self.CHAR_EM * self.fontsize * fig.dpi / 72.0
        if need <= room:
            return self.fontsize
        return max(6.0, self.fontsize * room / need)

    def update(self, state):
        s = self.format(state)
        self.text.set_text(s)
        self.text.set_fontsize(self.fitting_fontsize(s))
        return [self.text]


class PlainTickFormatter(ScalarFormatter):
    """Tick labels that are the coordinates themselves, not an offset.

    matplotlib's default writes GPS-like data as ``0.00005`` beside an offset
    ``+4.55e1``, which is easy to misread; this formatter writes ``45.50005``.
    Powers of ten are used only from 1e7 up and below 1e-5 (a ``1e-6`` label at
    the axis end, as usual). The widest label of the first draw (at least
    ``min_chars``) is the width the figure was laid out for: if zooming in the
    live window would make plain labels wider than that, this draw falls back
    to matplotlib's offset notation instead of cutting labels off.

    Parameters
    ----------
    min_chars : int, default 8
        Labels up to this many characters always stay plain.
    """

    def __init__(self, min_chars=8):
        super().__init__(useOffset=False)
        self.set_powerlimits((-5, 7))
        self.min_chars = min_chars
        self.budget = None

    def set_locs(self, locs):
        self.set_useOffset(False)
        super().set_locs(locs)
        width = max((len(self(x)) for x in locs), default=0)
        if self.budget is None:
            self.budget = max(width, self.min_chars)
        elif width > self.budget:
            self.set_useOffset(True)
            super().set_locs(locs)


def plain_ticks(ax, labelsize=8):
    """Give ``ax`` :class:`PlainTickFormatter` tick labels (one per axis) of ``labelsize``.

    Returns
    -------
    (PlainTickFormatter, PlainTickFormatter)
        The x and y formatters.
    """
    ax.tick_params(labelsize=labelsize)
    formatters = PlainTickFormatter(), PlainTickFormatter()
    ax.xaxis.set_major_formatter(formatters[0])
    ax.yaxis.set_major_formatter(formatters[1])
    return formatters


def fit_text(text, max_px, *, min_fontsize=6.0):
    """Shrink ``text`` (a matplotlib Text) until it is at most ``max_px`` long.

    The font size goes down proportionally, to ``min_fontsize`` at least; a
    text still too long is then cut, ending in an ellipsis. A vertical text
    (a y-axis label) is measured by its height.

    Returns
    -------
    float
        The length of the text in pixels afterwards.
    """
    renderer = text.get_figure().canvas.get_renderer()
    vertical = abs(text.get_rotation() % 180 - 90) < 1e-6

    def length():
        bbox = text.get_window_extent(renderer)
        return bbox.height if vertical else bbox.width

    now = length()
    if now <= max_px or not text.get_text():
        return now
    text.set_fontsize(max(min_fontsize, text.get_fontsize() * max_px / now))
    full = text.get_text()
    keep = len(full)
    while length() > max_px and keep > 1:
        keep -= 1
        text.set_text(full[:keep].rstrip() + "\u2026")
    return length()


def pixels(ax, coords):
    """Display pixels of scene coordinates (m, v) on ``ax``; with one coordinate
    (v = 1, a position on the x axis) y is taken as 0."""
    xy = np.atleast_2d(np.asarray(coords, dtype=float))
    if xy.shape[1] == 1:
        xy = np.column_stack([xy[:, 0], np.zeros(len(xy))])
    return ax.transData.transform(xy[:, :2])


def nearest(ax, coords, event, *, along_x):
    """Index of the row of ``coords`` (m, v) nearest the mouse ``event`` on the
    screen, and its distance in pixels: along x only when ``along_x``, else to
    the drawn position (:func:`pixels`)."""
    delta = pixels(ax, coords) - np.array([event.x, event.y])
    if along_x:
        delta[:, 1] = 0.0
    dist = np.hypot(delta[:, 0], delta[:, 1])
    j = int(np.argmin(dist))
    return j, float(dist[j])
