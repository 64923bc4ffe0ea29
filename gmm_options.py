"""The options of one animation: :class:`Options`, filled by the command line and by ``animate()``.

One name per option, scikit-learn's where one exists (``n_components``,
``max_iter``, ``tol``, ``random_state``, ``covariance_type``, ``init``). The
notebook keywords of earlier versions (``iterations``, ``seed``,
``hide_covs``, ``hide_means``, ``hide_real``) are accepted by
:meth:`Options.from_keywords` as aliases that warn (FutureWarning, once per calling line).
"""

import dataclasses
import math
import numbers
import warnings

from gmm_cli import echo, is_decimal_text

MAX_FPS = 1000.0     # ffmpeg refuses absurd frame rates; a GIF frame lasts >= 20 ms anyway
MIN_FPS = 0.01       # one frame per 100 s; ffmpeg's MP4 muxer fails far below (1e-5)
COMPARE_CHOICES = ("kmeans",)

#: old keyword -> (option, whether the value is negated)
ALIASES = {
    "iterations": ("max_iter", False),
    "seed": ("random_state", False),
    "hide_covs": ("show_covariances", True),
    "hide_means": ("show_means", True),
    "hide_real": ("show_true", True),
}


MAX_PATIENCE = 1_000_000
MIN_DPI, MAX_DPI = 50, 600
MIN_INCHES, MAX_INCHES = 1.0, 40.0
MAX_SIDE_PX = 8192      # --size x --dpi: one frame stays a few hundred MB at most
MIN_SIDE_PX = 240       # below, fonts shrink to nothing


def size_problem(size, dpi):
    """Why ``size`` inches at ``dpi`` (None: 100) is too many pixels, or None."""
    dpi = 100 if dpi is None else dpi
    if size is None or MIN_SIDE_PX <= min(size) * dpi and max(size) * dpi <= MAX_SIDE_PX:
        return None
    return (f"{size[0]:g} x {size[1]:g} inches at {dpi} dpi is "
            f"{round(size[0] * dpi)} x {round(size[1] * dpi)} pixels; each side must be "
            f"{MIN_SIDE_PX} to {MAX_SIDE_PX} pixels: change the size or the dpi")


def check_count(name, value, low, high):
    """``value`` as an int in [low, high] (not a bool or float); ValueError/TypeError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number from {low} to {high}, got {value!r:.60}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be from {low} to {high}, got {value}")
    return int(value)


def check_track(track):
    """``track`` (``--track``) as a tuple of 1 or 2 finite floats; ValueError otherwise."""
    try:
        values = tuple(float(v) for v in track)
    except (TypeError, ValueError):
        raise ValueError(f"track (--track) must be 1 or 2 numbers (a point's coordinates), "
                         f"got {track!r:.60}") from None
    if len(values) not in (1, 2) or not all(math.isfinite(v) for v in values):
        raise ValueError(f"track (--track) must be 1 or 2 finite numbers (a point's coordinates), "
                         f"got {track!r:.60}")
    return values


def check_size(size):
    """``size`` as (width, height) in inches, each a finite number from
    :data:`MIN_INCHES` to :data:`MAX_INCHES`; ValueError otherwise."""
    try:
        w, h = (float(v) for v in size)
        bad = any(isinstance(v, (bool, str)) for v in size)
    except (TypeError, ValueError, OverflowError):
        bad = True
    if bad or not all(math.isfinite(v) and MIN_INCHES <= v <= MAX_INCHES for v in (w, h)):
        raise ValueError(f"size must be two numbers (width, height in inches) from "
                         f"{MIN_INCHES:g} to {MAX_INCHES:g}, got {size!r:.60}")
    return (w, h)


def check_fps(value):
    """``value`` as frames per second: a finite number from :data:`MIN_FPS` to :data:`MAX_FPS`.

    The one check behind ``--fps`` and ``animate(fps=...)``, so both say the same.

    Raises
    ------
    ValueError
        ``expected a number >= 0.01 and at most 1000, got ...``.
    """
    try:
        if isinstance(value, str) and not is_decimal_text(value):
            raise ValueError
        fps = float(value)
    except (TypeError, ValueError, OverflowError):
        fps = math.nan
    if isinstance(value, bool) or not (math.isfinite(fps) and MIN_FPS <= fps <= MAX_FPS):
        shown = echo(value) if isinstance(value, str) else repr(value)
        raise ValueError(f"expected a number >= {MIN_FPS:g} and at most {MAX_FPS:g}, "
                         f"got {shown}")
    return fps


@dataclasses.dataclass(frozen=True)
class Options:
    """What one animation shows and how it fits; the command line's flags in parentheses.

    Attributes
    ----------
    n_components : int
        Components to fit (``-k``).
    max_iter : int
        Maximum number of EM iterations (``-i``); frames = iterations + 1
        unless EM converges earlier.
    tol, patience : float, int
        Stop once the mean log-likelihood has changed by less than ``tol``
        in each of ``patience`` consecutive iterations, none larger than the
        one before (``--tol``, ``--patience``; ``tol=0`` runs exactly
        ``max_iter`` iterations; see :func:`gmm_fit.stop_on_plateau`).
    init : str or tuple (weights, means, covariances)
        How EM starts (``--init``): ``"center"`` (every component near the
        data's centre, fanning out; see :func:`gmm_em.center_start`), or one
        of :data:`gmm.INITS`; a tuple is in user units (d-dimensional), e.g.
        from :func:`gmm.load_params`.
    covariance_type : {"full", "tied", "diag", "spherical"}
    random_state : None, int or numpy.random.Generator
        Randomness for sampling and initialisation (``--seed``); with an int
        s the r-th restart (``r`` key) uses s + r.
    n_points, n_true, max_radius
        Without data: sample ``n_points`` points (``-N``) from ``n_true``
        Gaussians (``-m``) with means within ``max_radius`` of the origin.
    n_features : {2, 1}
        Without data: the dimension of the sampled points (``-d``); 1 draws
        a histogram with the mixture's density (see :mod:`gmm_scene1d`).
    fps : float
        Frames per second, from :data:`MIN_FPS` to :data:`MAX_FPS`.
    show_covariances, show_means, show_true : bool
        Draw the fitted ellipses, the means, the true ellipses (``--hide_*``).
    print_ll : bool
        Print ``iteration I  log-likelihood LL`` per state (``--print_ll``).
    dims : tuple (int, int), tuple (int,) or None
        Draw these two columns (``--dims``); default: the data for d == 2,
        the top two principal components for d > 2. One column ``(i,)``:
        fit that column alone (1-D).
    ll_panel, soft, contours : bool
        Teaching views: ``--ll-panel``, ``--soft``, ``--contours``.
    uncertainty : bool
        ``--uncertainty``: each point sized by 1 - its largest responsibility
        (1-D: that uncertainty as a curve over x).
    half_steps : bool
        ``--half-steps``: an M-step frame and an E-step frame per iteration
        (see :mod:`gmm_steps`).
    trails : bool
        ``--trails``: each mean's path through the iterations, fading (1-D: a
        panel of the means against the iteration; see :mod:`gmm_trails`).
    restart_check : bool
        After a run converges on small data, try a few other seeds and say on
        the last frame when one reaches a clearly higher log-likelihood
        (``--no-restart-check`` turns it off; see :mod:`gmm_restarts`).
    track : tuple of float or None
        ``--track X Y``: pin the data point nearest (X, Y) (drawn axes' units;
        one number for 1-D) and show its responsibilities (see :mod:`gmm_pin`).
    track_row : int or None
        ``--track-row N``: pin row N of the data.
    explain : bool
        ``--explain``: a panel with the E- and M-step formulas and the pinned
        point's numbers (see :mod:`gmm_explain`).
    compare : None or "kmeans"
        ``--compare kmeans``: a k-means panel beside EM.
    quiet : bool
        No status lines on stderr (``-q``).
    title : str or None
        A title above the figure (``--title``).
    size : tuple (width, height) in inches, or None
        Figure size (``--size``); default: sized to the data.
    dpi : int or None
        Pixels per inch (``--dpi``, default 100); fonts scale with it.
    """

    n_components: int = 5
    max_iter: int = 200
    tol: float = 3e-5
    patience: int = 5
    init: object = "center"
    covariance_type: str = "full"
    random_state: object = None
    n_points: int = 1000
    n_true: int = 5
    max_radius: float = 10.0
    fps: float = 10.0
    show_covariances: bool = True
    show_means: bool = True
    show_true: bool = True
    print_ll: bool = False
    dims: object = None
    ll_panel: bool = False
    soft: bool = False
    compare: object = None
    contours: bool = False
    uncertainty: bool = False
    quiet: bool = False
    title: object = None
    size: object = None
    dpi: object = None
    n_features: int = 2
    half_steps: bool = False
    trails: bool = False
    restart_check: bool = True
    track: object = None
    track_row: object = None
    explain: bool = False

    def __post_init__(self):
        if isinstance(self.n_features, bool) or self.n_features not in (1, 2):
            raise ValueError(f"n_features must be 1 or 2 (the dimension of sampled points), "
                             f"got {self.n_features!r}")
        object.__setattr__(self, "patience", check_count("patience", self.patience, 1,
                                                         MAX_PATIENCE))
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(f"title must be a str or None, got {type(self.title).__name__}")
        if self.size is not None:
            object.__setattr__(self, "size", check_size(self.size))
        if self.dpi is not None:
            object.__setattr__(self, "dpi", check_count("dpi", self.dpi, MIN_DPI, MAX_DPI))
        problem = size_problem(self.size, self.dpi)
        if problem:
            raise ValueError(f"size and dpi: {problem}")
        try:
            fps = check_fps(self.fps)
        except ValueError as exc:
            raise ValueError(f"fps: {exc}") from None
        object.__setattr__(self, "fps", fps)
        compare = None if self.compare in (None, False, "") else self.compare
        if compare is not None and compare not in COMPARE_CHOICES:
            raise ValueError(f"compare must be one of {', '.join(COMPARE_CHOICES)} (or None), "
                             f"got {compare!r}")
        object.__setattr__(self, "compare", compare)
        if self.track is not None and self.track_row is not None:
            raise ValueError("--track and --track-row both pin a point; give one of them")
        if self.track is not None:
            object.__setattr__(self, "track", check_track(self.track))
        if self.track_row is not None:
            object.__setattr__(self, "track_row",
                               check_count("track_row", self.track_row, 0, 2**63 - 1))

    @classmethod
    def from_keywords(cls, caller="animate()", **keywords):
        """Options from keyword arguments; the old names of :data:`ALIASES` warn once.

        Raises
        ------
        TypeError
            An unknown keyword, or an option given under both of its names.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        values = {}
        for key, value in keywords.items():
            if key in ALIASES:
                name, negate = ALIASES[key]
                if name in keywords:
                    raise TypeError(f"{caller} got both {key}= and {name}=; pass only {name}=")
                # once per calling line (the warnings module's default for FutureWarning)
                warnings.warn(f"{caller}: {key}= is an old name; use {name}="
                              f"{'not ' if negate else ''}{key}", FutureWarning, stacklevel=3)
                values[name] = (not value) if negate else value
            elif key in names:
                values[key] = value
            else:
                raise TypeError(f"{caller} got an unexpected keyword argument {key!r}")
        return cls(**values)

    @classmethod
    def from_args(cls, args, **overrides):
        """Options from the command line's parsed ``args``; ``overrides`` win."""
        values = dict(
            n_components=args.num_clusters, max_iter=args.iterations, tol=args.tol,
            init=args.init, covariance_type=args.covariance_type, random_state=args.seed,
            n_points=args.num_points, n_true=args.means, max_radius=args.max_radius,
            fps=args.fps, show_covariances=not args.hide_covs,
            show_means=not args.hide_means, show_true=not args.hide_real,
            print_ll=args.print_ll, dims=args.dims, ll_panel=args.ll_panel,
            soft=args.soft, compare=args.compare, contours=args.contours, quiet=args.quiet,
            uncertainty=args.uncertainty, patience=args.patience, title=args.title,
            size=None if args.size is None else tuple(args.size), dpi=args.dpi,
            n_features=getattr(args, "dim", 2), half_steps=args.half_steps,
            trails=args.trails, restart_check=args.restart_check,
            track=None if args.track is None else tuple(args.track), track_row=args.track_row,
            explain=args.explain)
        values.update(overrides)
        return cls(**values)
