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

from gmm_cli import MAX_K, echo, is_decimal_text
from gmm_core import COVARIANCE_TYPES, as_rng, check_int, check_nonneg_float

MAX_FPS = 1000.0     # ffmpeg refuses absurd frame rates; a GIF frame lasts >= 20 ms anyway
MIN_FPS = 0.01       # one frame per 100 s; ffmpeg's MP4 muxer fails far below (1e-5)
COMPARE_CHOICES = ("kmeans",)
#: ``bayesian`` -> scikit-learn's ``weight_concentration_prior_type``
KINDS = {"dp": "dirichlet_process", "dirichlet": "dirichlet_distribution"}
#: largest weight prior (the library's bound on every prior)
MAX_WEIGHT_PRIOR = 1e100
#: the drawings of data with 3 or more columns (``--view``)
VIEWS = ("pairs", "pca", "dims")
#: the scatter matrix is the default up to this many columns, the PCA biplot above
PAIRS_UP_TO = 6

#: the live window's mouse actions and the keys that go with them (:mod:`gmm_mouse`)
MOUSE_KEYS = (
    ("i", "place the k starting means by clicking them (Enter: k-means++ for the rest, "
          "Escape: cancel)"),
    ("drag +", "move a mean: EM restarts from the shown state with it there"),
    ("shift-click", "add a point: EM restarts from the shown state on the new data"),
    ("ctrl-click, x", "remove the nearest point (x: with the next click)"),
    ("click a point", "pin it: ringed, its responsibilities as bars (Escape unpins)"),
)

#: live-window keys: (keys, what they do); listed by ``h`` and in ``--help`` (here, so
#: ``--help`` needs no drawing module)
KEYS = (("space", "pause / resume"),
        ("right/n", "one iteration forward (pauses; half an iteration with --half-steps)"),
        ("left/p", "one iteration (or half) back (pauses; states are kept), or from a mouse "
                   "restart's first state back to the run it replaced"),
        ("r", "restart EM from a new initialisation (--seed + 1, + 2, ...) on the original "
              "data (undoes added and removed points)"),
        *MOUSE_KEYS,
        ("s", "save the current frame as gmm_frame_<iter>.png in the current directory "
              "(gmm_frame_<iter>M.png, ...E.png for half steps)"),
        ("h", "show / hide this list of keys"),
        ("q", "quit"))

#: old keyword -> (option, whether the value is negated)
ALIASES = {
    "iterations": ("max_iter", False),
    "seed": ("random_state", False),
    "hide_covs": ("show_covariances", True),
    "hide_means": ("show_means", True),
    "hide_real": ("show_true", True),
}


MAX_PATIENCE = 1_000_000
MAX_ITERATIONS = 1_000_000          # max_iter: frames of one animation
MAX_SAMPLED_POINTS = 100_000_000    # n_points, n_true: 1.6 GB of points alone
MAX_SEED = 2**63 - 1                # random_state: fits a JSON/int64 number in parameter files
#: max_radius: covariances (radius squared) and their inverses stay normal doubles
MAX_RADIUS, MIN_RADIUS = 1e150, 1e-150
#: "center" (the command line's start) then gmm_core.INITS, simplest first, scikit-learn's last
INIT_CHOICES = ("center", "kmeans++", "kmeans", "random_from_data", "random")

#: whole-number options and their bounds: the one check of animate()'s keywords
#: (Options) and of the command line's flags (the parser's types use the same bounds)
COUNTS = {
    "n_components": (1, MAX_K),
    "max_iter": (0, MAX_ITERATIONS),
    "patience": (1, MAX_PATIENCE),
    "n_points": (1, MAX_SAMPLED_POINTS),
    "n_true": (1, MAX_SAMPLED_POINTS),
}

#: each option's command-line spellings, in the order --help lists them; the
#: first long one, without dashes, is the option's name in a --save-params file
#: (the historic names: num_clusters, iterations, seed, hide_covs, ...); the
#: --hide_* flags turn the show_* options off
FLAGS = {
    "n_components": ("-k", "--num_clusters", "--num-clusters"),
    "n_true": ("-m", "--means"),
    "max_iter": ("-i", "--iterations"),
    "n_points": ("-N", "--num_points", "--num-points"),
    "max_radius": ("--max_radius", "--max-radius"),
    "n_features": ("-d", "--dim"),
    "fps": ("--fps",),
    "print_ll": ("--print_ll", "--print-ll"),
    "show_covariances": ("--hide_covs", "--hide-covs"),
    "show_means": ("--hide_means", "--hide-means"),
    "show_true": ("--hide_real", "--hide-real"),
    "tol": ("--tol",),
    "patience": ("--patience",),
    "random_state": ("--seed",),
    "init_seed": ("--init-seed", "--init_seed"),
    "init": ("--init",),
    "covariance_type": ("--covariance-type", "--covariance_type"),
    "quiet": ("-q", "--quiet"),
    "dims": ("--dims",),
    "view": ("--view",),
    "bayesian": ("--bayesian",),
    "weight_prior": ("--weight-prior", "--weight_prior"),
    "half_steps": ("--half-steps", "--half_steps"),
    "trails": ("--trails",),
    "restart_check": ("--no-restart-check", "--no_restart_check"),
    "track": ("--track",),
    "track_row": ("--track-row", "--track_row"),
    "explain": ("--explain",),
    "ll_panel": ("--ll-panel", "--ll_panel"),
    "soft": ("--soft",),
    "compare": ("--compare",),
    "contours": ("--contours",),
    "uncertainty": ("--uncertainty",),
    "title": ("--title",),
    "size": ("--size",),
    "dpi": ("--dpi",),
}
NEGATED = ("show_covariances", "show_means", "show_true", "restart_check")


def file_name(option):
    """The name a --save-params file gives ``option`` (a key of :data:`FLAGS`, or a
    command-line-only flag's dest): its first long flag without dashes."""
    long_flag = next((f for f in FLAGS.get(option, ()) if f.startswith("--")), option)
    return long_flag.lstrip("-").replace("-", "_")
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


def check_bayesian(bayesian, weight_prior):
    """``(bayesian, weight_prior)`` checked: ``bayesian`` None or one of :data:`KINDS`,
    ``weight_prior`` None (scikit-learn's 1/k) or a number in (0, 1e100], and only with
    ``bayesian``.

    Raises
    ------
    ValueError
        Naming the option and what to give instead.
    """
    if bayesian is not None and (not isinstance(bayesian, str) or bayesian not in KINDS):
        raise ValueError(f"bayesian must be one of {', '.join(map(repr, KINDS))} (the "
                         f"weights' prior: a Dirichlet process or a Dirichlet distribution) "
                         f"or None, got {bayesian!r:.60}")
    if weight_prior is None:
        return bayesian, None
    if bayesian is None:
        raise ValueError("weight_prior is the concentration of a variational fit's weight "
                         "prior: give bayesian='dp' or 'dirichlet' too (--bayesian)")
    if isinstance(weight_prior, bool) or not isinstance(weight_prior, numbers.Real):
        raise ValueError(f"weight_prior must be a number > 0 and at most "
                         f"{MAX_WEIGHT_PRIOR:g}, got {weight_prior!r:.60}")
    value = float(weight_prior)
    if not (math.isfinite(value) and 0 < value <= MAX_WEIGHT_PRIOR):
        raise ValueError(f"weight_prior must be a number > 0 and at most "
                         f"{MAX_WEIGHT_PRIOR:g}, got {weight_prior!r:.60}")
    return bayesian, value


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
        ``max_iter`` iterations; see :func:`gmm_select.stop_on_plateau`).
    init : str or tuple (weights, means, covariances)
        How EM starts (``--init``): ``"center"`` (every component near the
        data's centre, fanning out; see :func:`gmm_em.center_start`), or one
        of :data:`gmm.INITS`; a tuple is in user units (d-dimensional), e.g.
        from :func:`gmm.load_params`.
    covariance_type : {"full", "tied", "diag", "spherical"}
    random_state : None, int or numpy.random.Generator
        Randomness for sampling and initialisation (``--seed``); with an int
        s the r-th restart (``r`` key) uses s + r.
    init_seed : None or int
        The seed of EM's start alone (``--init-seed``): EM starts from
        ``default_rng(init_seed)`` on the points ``random_state`` sampled (or
        loaded), and the r-th restart uses init_seed + r; None: the start
        draws on from ``random_state``.
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
        for d > 2 as ``view`` says. One column ``(i,)``: fit that column
        alone (1-D).
    view : None, "pairs", "pca" or "dims"
        How data with 3 or more columns is drawn (``--view``): a scatter
        matrix, the biplot of the principal components of the fit's
        standardised coordinates, or two columns (``dims``, default 0 and
        1); None: pairs up to 6 columns, pca above (see
        :func:`gmm_transforms.choose_view`, which checks it).
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
    bayesian : None, "dp" or "dirichlet"
        A variational Bayesian fit instead of EM (``--bayesian``): a
        Dirichlet-process or Dirichlet prior on the weights; components
        fade with their expected weights (see :mod:`gmm_fading`).
    weight_prior : float or None
        The weight prior's concentration (``--weight-prior``; default
        ``1 / n_components``, as scikit-learn's); only with ``bayesian``.
    """

    n_components: int = 5
    max_iter: int = 200
    tol: float = 3e-5
    patience: int = 5
    init: object = "center"
    covariance_type: str = "full"
    random_state: object = None
    init_seed: object = None
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
    view: object = None
    bayesian: object = None
    weight_prior: object = None
    half_steps: bool = False
    trails: bool = False
    restart_check: bool = True
    track: object = None
    track_row: object = None
    explain: bool = False

    @property
    def start_seed(self):
        """The seed EM's starts count from (restart r uses it + r): ``init_seed``,
        else ``random_state``; None when that is a Generator or None."""
        seed = self.random_state if self.init_seed is None else self.init_seed
        return int(seed) if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) \
            else None

    def __post_init__(self):
        features = self.n_features
        if isinstance(features, bool) or not isinstance(features, numbers.Integral) \
                or features not in (1, 2):
            raise ValueError(f"n_features must be 1 or 2 (the dimension of sampled points), "
                             f"got {self.n_features!r}")
        object.__setattr__(self, "n_features", int(features))
        for name, (low, high) in COUNTS.items():
            object.__setattr__(self, name, check_int(name, getattr(self, name), low, high))
        object.__setattr__(self, "tol", check_nonneg_float("tol", self.tol))
        as_rng(self.random_state, MAX_SEED)         # raises for a bad seed; the run makes its own
        if self.init_seed is not None:
            object.__setattr__(self, "init_seed", check_int("init_seed", self.init_seed,
                                                            0, MAX_SEED))
        object.__setattr__(self, "max_radius", check_nonneg_float(
            "max_radius", self.max_radius, positive=True, minimum=MIN_RADIUS, maximum=MAX_RADIUS))
        if isinstance(self.init, str) and self.init not in INIT_CHOICES:
            raise ValueError(f"init must be one of {', '.join(INIT_CHOICES)} or a tuple "
                             f"(weights, means, covariances), got {self.init!r:.60}")
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(f"title must be a str or None, got {type(self.title).__name__}")
        if self.size is not None:
            object.__setattr__(self, "size", check_size(self.size))
        if self.dpi is not None:
            object.__setattr__(self, "dpi", check_int("dpi", self.dpi, MIN_DPI, MAX_DPI))
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
        if self.view is not None and self.view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)} (or None), "
                             f"got {self.view!r:.60}")
        _, weight_prior = check_bayesian(self.bayesian, self.weight_prior)
        object.__setattr__(self, "weight_prior", weight_prior)
        if self.track is not None and self.track_row is not None:
            raise ValueError("--track and --track-row both pin a point; give one of them")
        if self.track is not None:
            object.__setattr__(self, "track", check_track(self.track))
        if self.track_row is not None:
            object.__setattr__(self, "track_row",
                               check_int("track_row", self.track_row, 0, 2**63 - 1))

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
    def from_flags(cls, flags):
        """Options from the command line's parsed flags (a dict: option -> value,
        the parser's dests being the option names of :data:`FLAGS`)."""
        values = {name: flags[name] for name in FLAGS}
        for name in ("dims", "size", "track"):
            values[name] = None if values[name] is None else tuple(values[name])
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class CommandLine:
    """One parsed command line: its :class:`Options` and the flags only a command line has.

    Attributes
    ----------
    options : Options
    load_path, columns : str or None
        ``--load_path`` and ``--columns``.
    drop_missing : bool
        ``--drop-missing``: leave out the file's rows with an empty or NA cell.
    save, save_params, save_labels, init_params : str or None
        ``--save``, ``--save-params``, ``--save-labels``, ``--init-params``.
    select_k : list of int or None
        ``--select-k``'s ks.
    criterion : {"bic", "aic"}
    n_init : int
        ``--n-init``.
    jobs : int or None
        ``--jobs``: threads of EM's passes (None: every core; the numbers do not
        depend on it).
    explicit : frozenset of str
        The options given on the command line whose default a ``--init-params``
        file would otherwise replace (``n_components``, ``covariance_type``).
    record : tuple of (name, value)
        Every flag under its name in a ``--save-params`` file (:func:`file_name`),
        in the parser's order.
    """

    options: Options
    load_path: object = None
    columns: object = None
    drop_missing: bool = False
    save: object = None
    save_params: object = None
    save_labels: object = None
    init_params: object = None
    select_k: object = None
    criterion: str = "bic"
    n_init: int = 1
    jobs: object = None
    explicit: frozenset = frozenset()
    record: tuple = ()

    def conflict(self):
        """Why these flags cannot be combined, as one line, or None."""
        if self.options.covariance_type == "all" and self.select_k is None:
            return ("--covariance-type all compares the covariance types by "
                    f"{self.criterion.upper()} and needs --select-k (e.g. --select-k 1:9); "
                    "without it give one of " + ", ".join(COVARIANCE_TYPES))
        if self.select_k is not None and "n_components" in self.explicit:
            return (f"--select-k and -k cannot be combined: --select-k chooses k from "
                    f"{self.select_k[0]}..{self.select_k[-1]}; drop -k")
        if self.columns is not None and self.load_path is None:
            return "--columns chooses columns of a data file; give it with --load_path"
        if self.drop_missing and self.load_path is None:
            return "--drop-missing leaves out rows of a data file; give it with --load_path"
        if self.options.bayesian is not None and self.n_init > 1 and self.select_k is None:
            return (f"--n-init {self.n_init} keeps the best of several EM runs; "
                    "--bayesian runs one variational fit: drop --n-init")
        return None

    @classmethod
    def from_flags(cls, flags, explicit=frozenset()):
        """The command line of the parser's ``flags`` (a dict: dest -> value).

        Raises ValueError, in the flags' words, for flags refused together."""
        if flags["weight_prior"] is not None and flags["bayesian"] is None:
            raise ValueError(f"--weight-prior {flags['weight_prior']:g} is the weight prior of "
                             "a variational fit: add --bayesian (or drop --weight-prior)")
        own = {f.name for f in dataclasses.fields(cls)} - {"options", "explicit", "record"}
        record = tuple((file_name(name), (not value) if name in NEGATED else value)
                       for name, value in flags.items())
        return cls(options=Options.from_flags(flags), explicit=frozenset(explicit),
                   record=record, **{name: flags[name] for name in own})
