"""Drawing for gmm-visualizer: ellipse geometry, component colours and views.

A *view* draws one thing. It creates its artists once on an ``ax`` in
``__init__`` and changes them in ``update(state) -> list[Artist]``, where
``state`` is a 2-D :class:`gmm.GMMState` already in display units (views know
nothing about standardisation or projection). Every view lists all the
artists it owns in ``artists`` so an animator can draw them itself.

z-order: points < true ellipses < fitted ellipses < means < text, so a small
component's ellipse is never hidden under its points.
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_rgba_array
from matplotlib.patches import Ellipse

__all__ = [
    "DEFAULT_N_STD",
    "Z_POINTS", "Z_TRUE", "Z_FIT", "Z_MEANS", "Z_TEXT",
    "component_colors",
    "covariance_ellipse",
    "frame_limits",
    "criterion_curve",
    "CriterionCurveView",
    "PointsView",
    "EllipsesView",
    "TrueEllipsesView",
    "MeansView",
    "IterationText",
    "mix_colors",
    "voronoi_cells",
    "SoftPointsView",
    "ContoursView",
    "LogLikelihoodPanel",
    "VoronoiView",
    "PanelTitle",
    "fit_text",
    "KMeansText",
    "FollowerPanel",
]

#: Mahalanobis radius of every drawn ellipse: the contour c = 2, as the
#: original tool drew (semi-axes sqrt(2) * sigma).
DEFAULT_N_STD = float(np.sqrt(2.0))

Z_POINTS, Z_TRUE, Z_FIT, Z_MEANS, Z_TEXT = 1.0, 2.0, 3.0, 4.0, 5.0

TRUE_COLOR = "0.45"
POINT_ALPHA = 0.5


def component_colors(n_components):
    """Stable, distinct colours for components ``0 .. n_components-1``.

    Component ``j`` always gets the same colour for a given ``n_components``
    (and, up to 20 components, for every ``n_components``): tab10 first, then
    the light tab20 shades; beyond 20, evenly spaced hues of ``turbo`` visited
    with a stride so neighbouring indices differ strongly.

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
    if k <= 20:
        tab10 = colormaps["tab10"].colors
        tab20 = colormaps["tab20"].colors
        base = list(tab10) + [tab20[2 * j + 1] for j in range(10)]
        return to_rgba_array(base[:k])
    # k > 20: a stride coprime with k through evenly spaced hues
    stride = max(1, int(round(k * 0.382)))
    while np.gcd(stride, k) != 1:
        stride += 1
    positions = ((np.arange(k) * stride) % k + 0.5) / k
    return colormaps["turbo"](0.05 + 0.9 * positions)


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
    lo = points.min(axis=0)
    hi = points.max(axis=0)
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


def criterion_curve(ax, ks, values, best_k, *, label="BIC", color="C0", excluded=()):
    """Draw a model-selection criterion against k, the chosen k marked (static).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    ks : sequence of int, shape (m,)
        Numbers of components, increasing.
    values : sequence of float, shape (m,)
        Criterion per k (lower is better).
    best_k : int
        The chosen k (one of ``ks``): a filled marker, a dotted vertical line
        and the text ``k = best_k``.
    label : str
        Criterion name for the title and y axis.
    excluded : sequence of int
        ks whose fit was not eligible (degenerate): a gray ``x`` over them.

    Returns
    -------
    line : matplotlib.lines.Line2D
        The curve (``get_xdata``/``get_ydata`` are ``ks``/``values``).
    """
    ks = np.asarray(ks, dtype=int)
    values = np.asarray(values, dtype=float)
    (line,) = ax.plot(ks, values, "o-", color=color, markersize=4, linewidth=1.5)
    j = int(np.flatnonzero(ks == best_k)[0])
    ax.axvline(best_k, color="0.4", linestyle=":", linewidth=1.0)
    bad = np.isin(ks, np.asarray(excluded, dtype=int))
    if bad.any():
        ax.plot(ks[bad], values[bad], "x", color="0.35", markersize=9, markeredgewidth=2.0)
    ax.plot([best_k], [values[j]], "o", markersize=10, markerfacecolor="none",
            markeredgecolor=CHOSEN_COLOR, markeredgewidth=2.0)
    ax.annotate(f"k = {best_k}", (best_k, values[j]), xytext=(7, 9),
                textcoords="offset points", ha="left", va="bottom", fontsize=9,
                color=CHOSEN_COLOR)
    ax.set_xlabel("k (components)", fontsize=9)
    ax.set_title(f"{label} (lower is better)", fontsize=9)
    if len(ks) <= 15:
        ax.set_xticks(ks)
    ax.margins(x=0.08, y=0.12)
    ax.grid(True, linewidth=0.5, alpha=0.4)
    # plain numbers: an offset/exponent label would collide with the title
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    return line


CHOSEN_COLOR = "crimson"


class CriterionCurveView:
    """Static view: :func:`criterion_curve` on its own axes.

    Drawn once into the background (no per-frame artists); it declares its
    colours in ``palette_colors`` so a GIF palette keeps them.
    """

    def __init__(self, ax, ks, values, best_k, *, label="BIC", excluded=()):
        self.line = criterion_curve(ax, ks, values, best_k, label=label, excluded=excluded)
        self.artists = []
        self.palette_colors = to_rgba_array(["C0", CHOSEN_COLOR, "0.35", "0.4"])

    def update(self, state):
        """Nothing changes; returns no artists."""
        return []


def _marker_size(n):
    """Scatter marker area (points^2) that keeps clouds readable for any n."""
    return float(np.clip(12.0 * np.sqrt(1000.0 / max(n, 1)), 0.8, 25.0))


class PointsView:
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

    def __init__(self, ax, points, colors, *, image_threshold=50_000, alpha=None):
        points = np.asarray(points, dtype=float)
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
            self._init_image(points)
        self.artists = [self.artist]

    def _init_image(self, points):
        ax = self.ax
        ax.apply_aspect()
        bbox = ax.get_window_extent()
        width = max(int(round(bbox.width)), 1)
        height = max(int(round(bbox.height)), 1)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        col = np.floor((points[:, 0] - x0) / (x1 - x0) * width).astype(np.int64)
        row = np.floor((points[:, 1] - y0) / (y1 - y0) * height).astype(np.int64)
        np.clip(col, 0, width - 1, out=col)
        np.clip(row, 0, height - 1, out=row)
        occupied, inverse, counts = np.unique(row * width + col, return_inverse=True,
                                              return_counts=True)
        self._occupied = occupied
        self._counts = counts.astype(float)
        self._rgb = np.ascontiguousarray(self.colors[:, :3])
        k = len(self.colors)
        inverse = inverse.ravel()
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


class EllipsesView:
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
                               linewidth=linewidth, zorder=Z_FIT + 0.01)
            for c in np.asarray(colors)
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


class TrueEllipsesView:
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


class MeansView:
    """Coloured ``+`` at each component mean, outlined in black."""

    def __init__(self, ax, colors, *, size=160.0):
        colors = np.asarray(colors)
        start = np.zeros((len(colors), 2))
        self.halo = ax.scatter(start[:, 0], start[:, 1], marker="+", s=size * 1.15, c="black",
                               linewidths=4.0, zorder=Z_MEANS)
        self.marks = ax.scatter(start[:, 0], start[:, 1], marker="+", s=size, c=colors,
                                linewidths=2.5, zorder=Z_MEANS + 0.01)
        self.artists = [self.halo, self.marks]

    def update(self, state):
        """Move the markers to ``state.means`` (shape (k, 2))."""
        means = np.asarray(state.means, dtype=float)[:, :2]
        self.halo.set_offsets(means)
        self.marks.set_offsets(means)
        return [self.halo, self.marks]


class IterationText:
    """``iter t / max   log-likelihood ll`` above the axes, right-aligned
    (monospace; the left corner stays free for the y axis offset text).

    ``label``, ``attribute`` and ``spec`` name the quantity shown after the
    iteration (default: the state's ``log_likelihood`` as ``.4f``). A text
    wider than the axes plus ``LEFT_ALLOWANCE`` pixels (its column of the
    figure) is drawn in a smaller font, so it never runs off the figure or
    into a neighbouring panel's text.
    """

    #: pixels left of the axes the text may use (the scene's tick-label margin)
    LEFT_ALLOWANCE = 56
    #: advance of one DejaVu Sans Mono character, in ems
    CHAR_EM = 0.602

    def __init__(self, ax, max_iter, *, fontsize=10, label="log-likelihood",
                 attribute="log_likelihood", spec=".4f"):
        self.max_iter = int(max_iter)
        self._width = len(str(self.max_iter))
        self.label, self.attribute, self.spec = label, attribute, spec
        self.fontsize = float(fontsize)
        self.ax = ax
        self.text = ax.text(1.0, 1.015, "", transform=ax.transAxes, ha="right", va="bottom",
                            family="monospace", fontsize=fontsize, zorder=Z_TEXT)
        self.artists = [self.text]

    def format(self, state):
        """The label for ``state``."""
        value = format(getattr(state, self.attribute), self.spec)
        s = f"iter {state.iteration:>{self._width}d} / {self.max_iter}   {self.label} {value}"
        if state.converged:
            s += "   (converged)"
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


# --------------------------------------------------------------------------- #
# Teaching views: soft colours, density contours, log-likelihood panel,
# k-means comparison panel
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

    def __init__(self, ax, points, colors, *, responsibilities=None, image_threshold=50_000,
                 alpha=None):
        super().__init__(ax, points, colors, image_threshold=image_threshold, alpha=alpha)
        if responsibilities is None:
            import gmm
            shown = np.asarray(points, dtype=float)

            def responsibilities(state):
                return gmm.responsibilities(shown, state.weights, state.means,
                                            state.covariances)
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


class ContoursView:
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
        points = np.asarray(points, dtype=float)
        step = max(1, int(np.ceil(len(points) / max_level_points)))
        self.level_points = points[::step]
        shades = np.linspace(0.62, 0.12, len(self.QUANTILES))  # outer light, inner dark
        self.level_colors = np.c_[shades, shades, shades, np.ones_like(shades)]
        from matplotlib.collections import LineCollection
        self.lines = LineCollection([], linewidths=linewidth, zorder=Z_CONTOURS)
        ax.add_collection(self.lines, autolim=False)
        self.levels = np.full(len(self.QUANTILES), np.nan)
        self.segments = [[] for _ in self.QUANTILES]           # per level, list of (m, 2)
        self.artists = [self.lines]

    def log_density(self, state, X):
        """Mixture log-density of ``state`` at ``X`` (m, 2), shape (m,)."""
        import gmm
        return gmm.log_density(X, state.weights, state.means, state.covariances)

    def update(self, state):
        """Recompute the grid density and the contour lines for ``state``."""
        from contourpy import LineType, contour_generator
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


class LogLikelihoodPanel:
    """Mean log-likelihood per iteration up to the current state, on its own axes.

    The curve runs over the iterations seen so far, the current one marked.
    The x range is fixed to ``[0, max_iter]`` (frames never rescale it); the
    y range only grows (with a margin), and when it changes
    ``background_stale`` is set so an animator that caches the static layer
    redraws it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel's own axes.
    max_iter : int
        Largest iteration number.
    history : callable
        ``history() -> list`` of the run's states so far, state ``t`` at index
        ``t`` (the animator's history), so a frame drawn alone (a PNG of the
        last state) still shows the whole curve.
    """

    def __init__(self, ax, max_iter, *, history, color="0.15"):
        self.ax = ax
        self.max_iter = int(max_iter)
        self.history = history
        self.line, = ax.plot([], [], "-", color=color, linewidth=1.5, zorder=Z_FIT)
        self.marker, = ax.plot([], [], "o", color=color, markeredgecolor="white",
                               markersize=7, zorder=Z_MEANS)
        ax.set_title("mean log-likelihood", fontsize=10)
        ax.set_xlabel("iteration", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        # plain tick labels: an offset text would collide with the title
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
        self._xmax = max(1, self.max_iter)
        ax.set_xlim(-0.02 * self._xmax, 1.02 * self._xmax)
        ax.set_ylim(0.0, 1.0)
        self._ylim = None
        self.background_stale = False
        self.artists = [self.line, self.marker]

    def curve(self, iteration):
        """Iterations 0..t known so far and their log-likelihoods (2 arrays)."""
        states = self.history()[: iteration + 1]
        lls = np.array([s.log_likelihood for s in states], dtype=float)
        return np.arange(len(lls), dtype=float), lls

    def update(self, state):
        t = int(state.iteration)
        its, lls = self.curve(t)
        self.line.set_data(its, lls)
        self.marker.set_data([t], [float(state.log_likelihood)])
        self._grow_limits(lls)
        return [self.line, self.marker]

    def _grow_limits(self, lls):
        finite = lls[np.isfinite(lls)]
        ylim = self._ylim
        if len(finite):
            lo, hi = float(finite.min()), float(finite.max())
            # grow before a value reaches the edge, so the marker is never clipped
            edge = 0.0 if ylim is None else 0.04 * (ylim[1] - ylim[0])
            if ylim is None or lo < ylim[0] + edge or hi > ylim[1] - edge:
                # EM's curve mostly climbs: room above grows with the span,
                # so the limits (and the background) change O(log) times
                if ylim is not None:
                    lo, hi = min(lo, ylim[0]), max(hi, ylim[1])
                span = max(hi - lo, 1e-3 * max(abs(hi), 1.0), 1e-9)
                ylim = (lo - 0.1 * span, hi + 0.4 * span)
        if ylim != self._ylim:
            self._ylim = ylim
            self.ax.set_ylim(*ylim)
            self.background_stale = True


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


class VoronoiView:
    """k-means' hard assignment as regions: each centre's Voronoi cell, tinted
    with its colour and outlined in gray, under the points."""

    def __init__(self, ax, colors, *, tint=0.14):
        from matplotlib.collections import PolyCollection
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


class PanelTitle:
    """A fixed label in the top-left corner inside the axes, on a white box
    (smaller, or cut with an ellipsis, when it is wider than the axes)."""

    def __init__(self, ax, text, *, fontsize=10):
        self.text = ax.text(0.015, 0.985, text, transform=ax.transAxes, ha="left", va="top",
                            fontsize=fontsize, fontweight="bold", zorder=Z_TEXT,
                            bbox=dict(boxstyle="round,pad=0.25", facecolor="white",
                                      edgecolor="0.7", alpha=0.9))
        fit_text(self.text, 0.97 * ax.get_window_extent().width - 8)
        self.artists = [self.text]

    def update(self, state):
        return []


class KMeansText(IterationText):
    """``iter t / max   mean sq. distance D`` for a k-means state."""

    def __init__(self, ax, max_iter, *, fontsize=10):
        super().__init__(ax, max_iter, fontsize=fontsize, label="mean sq. distance",
                         attribute="objective", spec=".4g")


class FollowerPanel:
    """Views on another axes that follow a second sequence of states.

    Each frame the animator hands the EM state; this panel looks up state
    number ``state.iteration`` of its own sequence (pulled lazily from
    ``source()``, kept, and held at its last state once it ends) and
    updates its child views with it. Used for the k-means panel.

    Parameters
    ----------
    source : callable
        ``source() -> iterator`` of states (state 0 first) in display units;
        called again by :meth:`reset` for a new run.
    views : list
        Child views (``update(state)``, ``artists``) drawn on the panel.
    frame : callable
        ``frame() -> int``: which state to show (the animator's frame index,
        so the panel keeps advancing after EM has stopped).
    """

    def __init__(self, source, views, *, frame):
        self.source = source
        self.frame = frame
        self.views = list(views)
        self.artists = [a for v in self.views for a in v.artists]
        self.reset()

    def reset(self):
        """Start over from a fresh ``source()`` (e.g. after an EM restart)."""
        self._iterator = None
        self.history = []
        self._done = False

    def state(self, i):
        """State ``min(i, last)`` of the followed sequence."""
        if self._iterator is None:
            self._iterator = iter(self.source())
        while len(self.history) <= i and not self._done:
            try:
                self.history.append(next(self._iterator))
            except StopIteration:
                self._done = True
        return self.history[min(i, len(self.history) - 1)]

    def has_state(self, i):
        """Whether the followed sequence has a state ``i`` (pulls up to it)."""
        self.state(i)
        return len(self.history) > i

    def update(self, state):
        own = self.state(int(self.frame()))
        changed = []
        for view in self.views:
            changed.extend(view.update(own))
        return changed
