"""A fit on the user's data: :class:`FitRun`.

EM runs in coordinates standardised per column (see
:func:`gmm_transforms.standardise`); everything leaving a FitRun is in the
user's units, or for d > 2 projected to the 2-D view, and for data beyond
1e50 or below 1e-50 in magnitude in multiples of :attr:`FitRun.display_unit`::

    X (user units) -> standardise -> gmm.em_steps -> GMMState (fit units)
      -> to_user_units (recorded: params in user units) -> project -> display state
"""

import dataclasses

import numpy as np

import data_gen
import gmm
import gmm_blocks
import gmm_em
import gmm_mixture
import gmm_transforms
import gmm_variational
from gmm_core import as_rng
from gmm_select import stop_on_plateau
from gmm_kmeans import kmeans_plusplus
from gmm_transforms import (
    FitRecord, choose_view, column_ranges, display_unit, params_to_fit_units,
    params_to_user_units, project, shares_units, standardise, to_user_units, view_of,
)

LABEL_CHUNK = 65536     # rows per block when labels or responsibilities are recomputed


def sample(options, rng):
    """Points and true components drawn as ``options`` says (``n_points``, ``n_true``,
    ``max_radius``, ``n_features``); returns ``X (n, d), (means (m, d), covariances (m, d, d))``."""
    X, means, covs = data_gen.sample_gaussians(options.n_points, options.n_true,
                                               max_radius=options.max_radius, random_state=rng,
                                               n_features=options.n_features)
    return X, (means, covs)


@dataclasses.dataclass(frozen=True)
class _Components:
    """Means and covariances only (true components), so :func:`project` applies."""
    means: np.ndarray
    covariances: np.ndarray


class FitRun:
    """EM on ``X`` as ``options`` say, as a lazy stream of display states, restartable.

    The live window's mouse (see :mod:`gmm_mouse`) restarts it from scene
    positions (:meth:`to_fit_units`, :meth:`means_start`, :meth:`restart_from`)
    and edits its points (:meth:`edit_points`, :meth:`snapshot`, :meth:`restore`).

    Parameters
    ----------
    X : ndarray, shape (n, d >= 1)
        Points in user units (d = 1: a 1-D fit, drawn as a histogram).
    options : gmm_options.Options
        ``n_components``, ``max_iter``, ``tol``, ``init``, ``covariance_type``,
        ``random_state``, ``dims`` and ``show_true`` are used here.
    rng : numpy.random.Generator, optional
        The generator EM initialises from (default: one from
        ``options.random_state``); restarts draw on from it unless
        ``options.random_state`` is an int.
    true_components : tuple (means (m, d), covariances (m, d, d)), optional
        In user units; shown as :attr:`true_components` in display units.
    column_names : list of str, optional
        One name per column, for :attr:`axis_labels`.
    shared_scale : bool, default False
        Standardise all columns by one scale (sampled data: the columns share
        units, so k-means++ distances and pictures are those of the data).
        Otherwise each column by its own, unless the columns' ranges are
        within a factor of 3 (:func:`gmm_transforms.shares_units`) or the
        fit is spherical.

    Attributes
    ----------
    points : ndarray, shape (n, 2), or (n, 1) for 1-D data
        The points in display units.
    true_components : tuple or None
        True means and covariances in display units (None when not shown).
    axis_labels : tuple of str or None
        Two (the drawn axes), or d for the scatter matrix (``view == "pairs"``).
    column_names : list of str or None
        As given.
    view : {"data", "dims", "pairs", "pca"}
        How the columns are drawn (:func:`gmm_transforms.choose_view`).
    equal_aspect : bool
        Whether the two drawn axes share units (sampled data, principal
        components, columns whose ranges are within a factor of 3): drawn
        with equal aspect; otherwise each axis gets its own scale (the
        ellipses are still the exact contours in those axes).
    display_unit : float
        Drawn coordinates are user units divided by this power of ten (1
        except for data beyond 1e50 or below 1e-50 in magnitude, whose
        variances would overflow or underflow); the log-likelihood is
        always per user unit.
    record : gmm_transforms.FitRecord
        The full d-dimensional states of the current run in user units, as
        they pass (final parameters for ``--save-params``).
    feature_names : ndarray of str or None
        A DataFrame's column names (the model's ``feature_names_in_``).
    restarts : int
        How many times :meth:`restart` was called.
    edits : (int, int)
        Points added and removed in the live window since the data was
        loaded or the last :meth:`restart` (see :meth:`edit_points`).

    Raises
    ------
    ValueError
        ``X`` is not an (n, d >= 1) array of finite numbers, or has fewer
        rows than ``n_components``; bad options (from :func:`gmm.em_steps`,
        :func:`gmm_transforms.view_of`).
    """

    def __init__(self, X, options, *, rng=None, true_components=None, column_names=None,
                 shared_scale=False):
        self.options = options
        self.rng = as_rng(options.random_state) if rng is None else rng
        self.feature_names = gmm_mixture.feature_names(X)   # a DataFrame's, for model()
        source = gmm_em.row_source(X)       # a memory map or dask array: read in blocks
        if source is None:
            X = np.asarray(X, dtype=float)
        summary = _check_points(X, options.n_components, source)
        ranges = column_ranges(X) if summary is None else summary.high - summary.low
        self.n_features = X.shape[1]
        self.Z, self.centre, self.scale = _standardised(X, summary, ranges, options,
                                                        shared_scale)
        init = options.init
        if isinstance(init, (tuple, list)):             # given in user units
            init = params_to_fit_units(init, self.centre, self.scale)
        self._steps = self._em(init, _start_rng(options, self.rng))
        self.display_unit = unit = display_unit(
            X if summary is None else np.abs([summary.low, summary.high]))
        if summary is not None:     # drawn in place (a memory map) or gathered (dask)
            X = X if isinstance(X, np.ndarray) else np.asarray(X.compute(), dtype=float)
        self.view = choose_view(self.n_features, options.view, options.dims)
        self.column_names = column_names
        (self.projection, self.axis_labels, self.equal_aspect, self.points) = _scene_view(
            X, options.dims, column_names, unit, shared_scale,
            ranges if summary is not None and unit == 1.0 else None,
            view=options.view, scale=self.scale / unit)
        self.true_components = (_in_display_units(true_components, unit, self.projection)
                                if true_components is not None and options.show_true else None)
        self.record = FitRecord()
        self._params = {}           # iteration -> (weights, means, covariances), fit units
        self.restarts = 0
        self._original = (self.Z, self.points)      # r restores them after edits
        self.edits = (0, 0)                          # points added, removed since then

    def _em(self, init, rng):
        o = self.options
        if isinstance(init, str) and init == "center":
            init = gmm_em.center_start(self.Z, o.n_components, o.covariance_type, rng)
        if o.bayesian is not None:      # a variational fit, its bound ready for user units
            return stop_on_plateau(gmm_variational.variational_steps(self.Z, o, init, rng,
                                                                     self.scale),
                                   o.tol, o.patience)
        return stop_on_plateau(
            gmm.em_steps(self.Z, o.n_components, max_iter=o.max_iter, tol=0,
                         covariance_type=o.covariance_type, init=init, random_state=rng),
            o.tol, o.patience)

    def _display(self, steps):
        """Fit-unit states as display states, kept and recorded on the way."""
        for state in steps:
            self._params[int(state.iteration)] = (state.weights, state.means, state.covariances)
            if self.display_unit == 1.0:
                shown = self.record(to_user_units(state, self.centre, self.scale))
            else:
                with np.errstate(over="ignore", under="ignore"):   # only --save-params reads it
                    self.record(to_user_units(state, self.centre, self.scale))
                shown = to_user_units(state, self.centre, self.scale, self.display_unit)
            yield shown if self.projection is None else project(shown, *self.projection)

    def states(self):
        """The display states of the first run (state 0 first), computed lazily."""
        return self._display(self._steps)

    def restart(self):
        """EM again on the same data from a new initialisation (the ``r`` key).

        Restart r uses ``default_rng(seed + r)`` when ``options.random_state``
        is an int seed, otherwise it draws on from :attr:`rng`; an ``init``
        tuple restarts with k-means++. The record and the kept parameters
        start over, and points added or removed with :meth:`edit_points` are
        undone (the original data is back).

        Returns
        -------
        states : iterator of GMMState
            Display states of the new run, computed lazily.
        how : str
            Where the new initialisation came from, e.g. ``"seed 4"``.
        """
        self.restarts += 1
        rng, how = _restart_rng(self.options.start_seed, self.rng, self.restarts)
        self._params = {}
        self.record.reset()
        self.Z, self.points = self._original
        self.edits = (0, 0)
        init = self.options.init
        return self._display(self._em("kmeans++" if isinstance(init, (tuple, list)) else init,
                                      rng)), how

    def final_log_likelihood(self, seed):
        """Mean log-likelihood (user units) where EM ends from ``default_rng(seed)``
        on the current data: what :meth:`restart` with that seed reaches (and, for
        data not sampled with the seed, a new run with ``--seed seed``). This
        run, its record and its kept parameters are left alone."""
        init = self.options.init
        last = None
        for last in self._em("kmeans++" if isinstance(init, (tuple, list)) else init,
                             np.random.default_rng(seed)):
            pass
        return float(last.log_likelihood - np.sum(np.log(self.scale)))

    def user_states(self):
        """The d-dimensional states of the current run so far, in user units.

        Returns
        -------
        list of gmm.GMMState
            State 0 first: weights (k,), means (k, d), covariances (k, d, d),
            the log-likelihood per point of the data in user units and the
            (n,) labels; as :func:`gmm.em_steps` on the data itself would give
            them (up to the ``reg_covar`` floor, which is per column here).
        """
        last = self.record.last
        states = []
        for it in sorted(self._params):
            if last is not None and it == int(last.iteration):
                states.append(last)
                continue
            weights, means, covs = params_to_user_units(self._params[it], self.centre,
                                                        self.scale)
            state = gmm.GMMState(it, weights, means, covs,
                                 self.record.log_likelihoods[it], np.empty(0, dtype=np.int64))
            states.append(dataclasses.replace(state, labels=self.labels(state)))
        return states

    def model(self):
        """A fitted :class:`gmm.GaussianMixture` in user units, from the last recorded state:
        its ``predict``, ``predict_proba``, ``score`` and ``bic`` work on the raw data.

        Raises
        ------
        ValueError
            No state has been computed yet.
        """
        last = self.record.last
        if last is None:
            raise ValueError("no EM state yet: run the animation (or call .run()) first")
        o = self.options
        start = params_to_user_units(self._params[min(self._params)], self.centre, self.scale)
        return gmm.GaussianMixture.from_state(
            last, dict(covariance_type=o.covariance_type, tol=o.tol, max_iter=o.max_iter,
                       init=start),
            lower_bounds=self.record.log_likelihoods, converged=last.converged,
            initial_params=start, feature_names=self.feature_names)

    def labels(self, state):
        """(n,) labels (most responsible component) of the full fit at
        ``state.iteration``: :func:`row_labels`."""
        return row_labels(self.Z, self._params[int(state.iteration)])

    def responsibilities(self, state):
        """(n, k) responsibilities of the full fit at ``state.iteration``:
        :func:`row_responsibilities`."""
        return row_responsibilities(self.Z, self._params[int(state.iteration)])

    def responsibility_blocks(self, state):
        """The responsibilities of :meth:`responsibilities`, one block of rows
        (m, k) at a time (a memory map's rows are read block by block)."""
        return responsibility_blocks(self.Z, self._params[int(state.iteration)])

    def responsibilities_of(self, rows):
        """``state -> (len(rows), k)`` responsibilities of the rows ``rows`` (increasing
        indices) only, as :meth:`responsibilities` gives them; the rows are read once
        (a memory map's in groups, :func:`gmm_blocks.read_rows`), nothing of size n."""
        Z = gmm_blocks.read_rows(self.Z, rows)
        return lambda state: row_responsibilities(Z, self._params[int(state.iteration)])

    def kmeans_states(self):
        """Lloyd k-means on the standardised data from EM state 0's means, as
        display states: centres in display units, objective (mean squared
        distance over all d columns) in user units squared."""
        steps = gmm.kmeans_steps(self.Z, self._params[0][1], self.options.max_iter)
        return _kmeans_in_display_units(steps, self.Z, self.centre / self.display_unit,
                                        self.scale / self.display_unit, self.projection)

    def to_fit_units(self, coords):
        """Points of the drawn scene (shape (m, v) or (v,)) -> the fit's coordinates
        (m, d); see :func:`scene_to_fit_units`, the one conversion of mouse positions."""
        axes = self.n_features if self.projection is None else len(self.projection[0])
        return scene_to_fit_units(coords, axes, self.centre / self.display_unit,
                                  self.scale / self.display_unit, self.projection)

    def fit_params(self, iteration):
        """(weights (k,), means (k, d), covariances (k, d, d)) in fit units at
        ``iteration`` of the current run (computed already)."""
        return self._params[int(iteration)]

    def restart_from(self, init):
        """EM from ``init`` = (weights, means, covariances) in fit units on the
        current data: the live window's clicked means, dragged mean or edited data.

        Raises ValueError (from :func:`gmm.em_steps`) before anything changes
        when EM cannot start there. Returns the new run's display states (lazy).
        """
        steps = self._em(tuple(np.asarray(a, dtype=float) for a in init), self.rng)
        self._params = {}
        self.record.reset()
        return self._display(steps)

    def snapshot(self):
        """The current run's data, kept parameters and record, for :meth:`restore`
        (the live window's going back; a new run replaces rather than changes them)."""
        return (self.Z, self.points, self.edits, self._params, self.record.log_likelihoods,
                self.record.last)

    def restore(self, snapshot):
        """Back to a :meth:`snapshot`: its data, and its run's states continue from there."""
        (self.Z, self.points, self.edits, self._params, self.record.log_likelihoods,
         self.record.last) = snapshot

    def means_start(self, means, rng):
        """A start from the given means (fit units, m <= k rows): weights 1/k and every
        covariance the data's (as the center start), k-means++ for the k - m missing means."""
        k, o = self.options.n_components, self.options
        means = np.asarray(means, dtype=float).reshape(-1, self.n_features)
        if len(means) < k:
            means = np.vstack([means, self.Z[kmeans_plusplus(self.Z, k, rng, centres=means)]])
        weights, _, covs = gmm_em.center_start(self.Z, k, o.covariance_type, rng, spread=0.0,
                                                width=1.0)
        return weights, means[:k], covs

    def edit_points(self, add=None, remove=None):
        """Add points (drawn coordinates, shape (m, v)) or remove rows by index, for
        :meth:`restart_from`; :meth:`restart` undoes every edit.

        Raises ValueError, data unchanged, when fewer than k points would remain.
        """
        Z, points = self.Z, self.points
        added = removed = 0
        if remove is not None:
            keep = np.ones(len(Z), dtype=bool)
            keep[np.asarray(remove, dtype=np.int64)] = False
            if np.count_nonzero(keep) < self.options.n_components:
                raise ValueError(f"cannot remove: {self.options.n_components} components "
                                 f"need at least {self.options.n_components} points")
            removed = len(Z) - int(np.count_nonzero(keep))
            Z, points = Z[keep], points[keep]
        if add is not None:
            coords = np.atleast_2d(np.asarray(add, dtype=float))
            Z = np.vstack([Z, self.to_fit_units(coords)])
            points = np.concatenate([points, coords.reshape((-1,) + points.shape[1:])])
            added = len(coords)
        self.Z, self.points = Z, points
        self.edits = (self.edits[0] + added, self.edits[1] + removed)


def _user_objective(Z, ks, scale):
    """Mean squared distance of the points ``Z`` (fit units) to their k-means centres
    in (display) user units: each column's squared deviations times its scale squared."""
    total = 0.0
    for a in range(0, len(Z), LABEL_CHUNK):
        diff = Z[a:a + LABEL_CHUNK] - ks.means[ks.labels[a:a + LABEL_CHUNK]]
        total += float(np.sum(diff * diff, axis=0) @ (scale * scale))
    return total / max(len(Z), 1)


def responsibility_blocks(Z, params):
    """Yield the (m, k) responsibilities of ``Z``'s rows (fit units; an array or a
    memory map's lazy view) under ``params`` = (weights, means, covariances), one
    block of :data:`LABEL_CHUNK` rows at a time (a signal is handled between them)."""
    weights, means, covs = params
    for a in range(0, len(Z), LABEL_CHUNK):
        yield gmm.responsibilities(np.asarray(Z[a:a + LABEL_CHUNK]), weights, means, covs)


def row_responsibilities(Z, params):
    """(n, k) responsibilities of every row of ``Z``, block by block into one array
    (no second full-size copy); see :func:`responsibility_blocks`."""
    out = np.empty((len(Z), len(params[0])))
    for a, block in zip(range(0, len(Z), LABEL_CHUNK), responsibility_blocks(Z, params)):
        out[a:a + len(block)] = block
    return out


def row_labels(Z, params):
    """(n,) labels (most responsible component) of ``Z``'s rows under ``params``, in
    blocks of rows (memory O(block * k)); for data read in blocks as compact as the
    engine's labels (uint8 up to 256 components)."""
    weights, means, covs = params
    dtype = np.intp if isinstance(Z, np.ndarray) else (
        np.uint8 if len(weights) <= 256 else np.uint16)
    return np.concatenate([
        gmm.log_responsibilities(np.asarray(Z[a:a + LABEL_CHUNK]), weights, means,
                                 covs)[1].argmax(axis=1).astype(dtype, copy=False)
        for a in range(0, len(Z), LABEL_CHUNK)])


def _start_rng(options, rng):
    """The generator of the first run's start: ``default_rng(options.init_seed)``
    when given, else ``rng`` (which sampled the points, if the run sampled them)."""
    return rng if options.init_seed is None else np.random.default_rng(options.init_seed)


def _restart_rng(seed, rng, r):
    """``(generator, how)`` of the r-th restart: ``default_rng(seed + r)`` for an int
    seed, else (None) ``rng`` drawn on."""
    if seed is not None:
        return np.random.default_rng(seed + r), f"seed {seed + r}"
    return rng, "next draw of the random generator"


def _scene_view(X, dims, column_names, unit, shared_scale, ranges=None, *, view=None,
                scale=None):
    """``(projection, axis_labels, equal_aspect, points)``: what the scene draws of
    ``X`` (user units) divided by the display ``unit``; ``ranges``: the columns'
    ranges when already known (data read in blocks); ``view`` and ``scale`` (the
    fit's per-column scale, display units) as :func:`gmm_transforms.view_of`."""
    Xd = X / unit if unit != 1.0 else X
    projection, labels = view_of(Xd, dims, column_names, view=view, scale=scale)
    if unit != 1.0:
        labels = tuple(f"{name} (\u00d7{unit:g})" for name in
                       (labels or [f"x{dims[0] if dims else 0}", f"x{dims[1] if dims else 1}"]))
    # a memory map's view is read block by block when drawn, never formed whole
    points = Xd if projection is None else gmm_blocks.project_rows(Xd, *projection)
    # equal aspect only where both axes share units: sampled data, principal
    # components, or two columns whose ranges are within a factor of 3
    equal = bool(shared_scale or choose_view(X.shape[1], view, dims) == "pca" or shares_units(
        ranges if ranges is not None and projection is None else column_ranges(points)))
    return projection, labels, equal, points


def _kmeans_in_display_units(steps, Z, centre, scale, projection):
    """k-means ``steps`` on the standardised ``Z`` as drawn: centres in display units
    (``centre``, ``scale``: the standardisation in display units; projected when
    ``projection`` is given), objective in user units squared."""
    shared = bool(np.all(scale == scale[0]))
    for ks in steps:
        k, d = ks.means.shape
        _, means, covs = params_to_user_units((np.ones(k) / k, ks.means,
                                               np.zeros((k, d, d))), centre, scale)
        if projection is not None:
            means = project(_Components(means, covs), *projection).means
        objective = (ks.objective * scale[0] ** 2 if shared
                     else _user_objective(Z, ks, scale))
        yield dataclasses.replace(ks, means=means, objective=objective)


def _standardised(X, summary, ranges, options, shared_scale):
    """``(Z, centre, scale)``: X standardised for the fit, per column unless the
    columns share units (sampled data, similar ranges) or the fit is spherical."""
    per_column = (not shared_scale and options.covariance_type != "spherical"
                  and not shares_units(ranges))
    if summary is None:
        return standardise(X, per_column=per_column)
    return gmm_blocks.standardise_lazy(X, per_column, summary)


def _in_display_units(components, unit, projection):
    """True ``(means, covariances)`` in user units -> as drawn (display units, projected)."""
    tm, tc = (np.asarray(a, float) for a in components)
    tm, tc = tm / unit, tc / unit / unit
    if projection is not None:
        shown = project(_Components(tm, tc), *projection)
        tm, tc = shown.means, shown.covariances
    return tm, tc


def scene_to_fit_units(coords, axes, centre, scale, projection=None):
    """Points of the drawn scene -> the fit's (standardised) coordinates.

    ``coords`` are axes data coordinates (user units divided by the display
    unit), one column per drawn axis. With a projection (d > 2) a point is
    lifted to the point of the view's plane nearest the data's mean in the
    fit's coordinates.

    Parameters
    ----------
    coords : array-like, shape (m, axes) or (axes,)
    axes : int
        The view's axes (2), or d without a projection.
    centre, scale : ndarray, shape (d,)
        The standardisation, in display units.
    projection : tuple (P (2, d), offset (d,)) or None

    Returns
    -------
    ndarray, shape (m, d)
    """
    y = np.atleast_2d(np.asarray(coords, dtype=float))
    if y.ndim != 2 or y.shape[1] != axes:
        raise ValueError(f"coords must have {axes} columns (one per drawn axis), "
                         f"got shape {y.shape}")
    if projection is None:
        return (y - centre) / scale
    # y = (x - offset) P^T = ((x - centre) / scale) (P scale)^T + (centre - offset) P^T:
    # the least-squares solution is the fit-unit point of the view nearest the mean
    P, offset = (np.asarray(a, dtype=float) for a in projection)
    return (y - (centre - offset) @ P.T) @ np.linalg.pinv(P * scale).T


def degenerate_note(X):
    """A one-line note when EM cannot be meaningful on ``X`` (all points identical), or None."""
    if not isinstance(X, np.ndarray):       # a dask array: its summary answers
        summary = gmm_em.row_source(X).summary()
        low, high = summary.low, summary.high
    else:
        low, high = gmm_blocks.column_min_max(X)
    if not np.all(low == high):
        return None
    what = "the only point" if len(X) == 1 else f"all {len(X)} points are identical"
    return (f"{what}: EM has nothing to fit (every component sits on that point "
            "with the smallest allowed covariance); drawing it anyway")


#: parameters in user units need variances (scale squared) and their inverses
#: to be normal doubles; data whose spread is outside this range is only drawn
USER_UNIT_SCALES = (1e-150, 1e150)


def check_user_units(X, flag):
    """Raise ValueError if ``flag`` needs user-unit parameters that ``X``'s scale
    cannot hold (data of magnitude 1e160 has variances beyond 1e308)."""
    scales = standardise(X)[2]
    low, high = USER_UNIT_SCALES
    scale = float(scales.min() if scales.min() < low else scales.max())
    if not low <= scale <= high:
        raise ValueError(
            f"{flag} needs the fitted parameters in the data's units, but the data's spread "
            f"({scale:.3g}) squared is not a representable double (allowed spread: {low:g} to "
            f"{high:g}); rescale the data, or drop {flag} (the animation alone works at "
            "any scale)")


def _check_points(X, n_components, source=None):
    """Raise ValueError unless ``X`` is (n, d >= 1), finite, with at least ``n_components``
    rows; the one check of points in memory and of a row ``source`` (a memory map or
    dask array, checked in one pass over its blocks).

    Returns
    -------
    gmm_blocks.Summary or None
        The source's summary (None for points in memory).
    """
    shape = X.shape if source is None else source.shape
    if len(shape) != 2 or shape[1] < 1:
        hint = "; reshape one variable with x.reshape(-1, 1)" if len(shape) == 1 else ""
        raise ValueError(f"points must be an (n, d >= 1) array (one column: 1-D data), "
                         f"got shape {shape}{hint}")
    summary = None if source is None else source.summary()
    step = gmm_transforms.CHUNK_ROWS    # in blocks: a signal is handled between them
    bad_rows = summary.bad if summary is not None else sum(
        int(np.count_nonzero(~np.isfinite(X[a:a + step]).all(axis=1)))
        for a in range(0, len(X), step))
    if bad_rows:        # counted here: after standardising every row would be NaN
        raise ValueError(f"X contains NaN or infinity in {bad_rows} of {shape[0]} rows; "
                         "remove or impute those rows first")
    if n_components > shape[0]:
        raise ValueError(f"cannot fit {n_components} components to {shape[0]} points; "
                         "use fewer components (-k) or more points")
    return summary
