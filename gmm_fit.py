"""A fit on the user's data: :class:`FitRun`.

EM runs in coordinates standardised per column (see
:func:`gmm_transforms.standardise`); everything leaving a FitRun is in the
user's units, or for d > 2 projected to the 2-D view, and for data beyond
1e50 or below 1e-50 in magnitude in multiples of :attr:`FitRun.display_unit`::

    X (user units) -> standardise -> gmm.em_steps -> GMMState (fit units)
      -> to_user_units (recorded: params in user units) -> project -> display state
"""

import dataclasses
import math

import numpy as np

import data_gen
import gmm
import gmm_blocks
import gmm_em
import gmm_mixture
import gmm_transforms
from gmm_transforms import (
    FitRecord, column_ranges, display_unit, params_to_fit_units, params_to_user_units, project,
    shares_units, standardise, to_user_units, view_of,
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


class EditableRun:
    """The restarts the live window's mouse asks for (see :mod:`gmm_mouse`), as
    part of :class:`FitRun`: positions from the scene, a start from given
    means, a restart from given parameters, added and removed points."""

    def to_fit_units(self, coords):
        """Points of the drawn scene -> the fit's (standardised) coordinates.

        The one conversion of mouse positions: ``coords`` are axes data
        coordinates (user units divided by :attr:`display_unit`), one column
        per drawn axis (2: x, y). With a projection (d > 2) a point is lifted
        to the point of the view's plane nearest the data's mean (the hidden
        coordinates are the data's mean).

        Parameters
        ----------
        coords : array-like, shape (m, v) or (v,)
            v = the view's axes (2), or d without a projection.

        Returns
        -------
        ndarray, shape (m, d)
        """
        y = np.atleast_2d(np.asarray(coords, dtype=float))
        axes = self.n_features if self.projection is None else len(self.projection[0])
        if y.ndim != 2 or y.shape[1] != axes:
            raise ValueError(f"coords must have {axes} columns (one per drawn axis), "
                             f"got shape {y.shape}")
        unit = self.display_unit
        centre, scale = self.centre / unit, self.scale / unit      # display units
        if self.projection is None:
            x = y
        else:
            P, offset = (np.asarray(a, dtype=float) for a in self.projection)
            base = centre                           # the data's mean, display units
            x = base + (y - (base - offset) @ P.T) @ P
        return (x - centre) / scale

    @property
    def view_axes(self):
        """How many data coordinates a click in the scene has: 2 (x, y), or 1 for a
        scene whose points are drawn along x only (``points`` of shape (n,) or (n, 1))."""
        return 1 if np.ndim(self.points) == 1 else int(np.shape(self.points)[1])

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
            means = np.vstack([means, kmeans_plusplus_rest(self.Z, means, k, rng)])
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


class FitRun(EditableRun):
    """EM on ``X`` as ``options`` say, as a lazy stream of display states, restartable.

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
    axis_labels : tuple of 2 str or None
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
    restarts : int
        How many times :meth:`restart` was called.
    edits : (int, int)
        Points added and removed in the live window since the data was
        loaded or the last :meth:`restart` (see :class:`EditableRun`).

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
        self.rng = np.random.default_rng(options.random_state) if rng is None else rng
        source = gmm_em.row_source(X)       # a memory map or dask array: read in blocks
        if source is None:
            X = np.asarray(X, dtype=float)
            _check_points(X, options.n_components)
            summary = None
        else:
            summary = _checked_summary(source, options.n_components)
        ranges = column_ranges(X) if summary is None else summary.high - summary.low
        self.n_features = X.shape[1]
        per_column = (not shared_scale and options.covariance_type != "spherical"
                      and not shares_units(ranges))
        if summary is None:
            self.Z, self.centre, self.scale = standardise(X, per_column=per_column)
        else:
            self.Z, self.centre, self.scale = _standardise_blocks(X, summary, per_column)
        init = options.init
        if isinstance(init, (tuple, list)):             # given in user units
            init = params_to_fit_units(init, self.centre, self.scale)
        self._steps = self._em(init, self.rng)
        self.display_unit = unit = display_unit(
            X if summary is None else np.abs([summary.low, summary.high]))
        if summary is not None:     # drawn in place (a memory map) or gathered (dask)
            X = X if isinstance(X, np.ndarray) else np.asarray(X.compute(), dtype=float)
        Xd = X / unit if unit != 1.0 else X
        dims = options.dims
        self.projection, labels = view_of(Xd, dims, column_names)
        if unit != 1.0:
            labels = tuple(f"{name} (\u00d7{unit:g})" for name in
                           (labels or [f"x{dims[0] if dims else 0}", f"x{dims[1] if dims else 1}"]))
        self.axis_labels = labels
        # equal aspect only where both axes share units: sampled data, principal
        # components, or two columns whose ranges are within a factor of 3
        self.equal_aspect = bool(shared_scale or (self.projection is not None and dims is None)
                                 or shares_units(ranges if summary is not None and unit == 1.0
                                                 and self.projection is None else column_ranges(
                                     Xd if self.projection is None else
                                     (Xd - self.projection[1]) @ self.projection[0].T)))
        self.points = Xd if self.projection is None else (Xd - self.projection[1]) @ self.projection[0].T
        self.true_components = None
        if true_components is not None and options.show_true:
            tm, tc = (np.asarray(a, float) for a in true_components)
            tm, tc = tm / unit, tc / unit / unit
            if self.projection is not None:
                shown = project(_Components(tm, tc), *self.projection)
                tm, tc = shown.means, shown.covariances
            self.true_components = (tm, tc)
        self.record = FitRecord()
        self._params = {}           # iteration -> (weights, means, covariances), fit units
        self.restarts = 0
        self._original = (self.Z, self.points)      # r restores them after edits
        self.edits = (0, 0)                          # points added, removed since then

    def _em(self, init, rng):
        o = self.options
        if isinstance(init, str) and init == "center":
            init = gmm_em.center_start(self.Z, o.n_components, o.covariance_type, rng)
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
        seed = self.options.random_state
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            rng = np.random.default_rng(int(seed) + self.restarts)
            how = f"seed {int(seed) + self.restarts}"
        else:
            rng = self.rng
            how = "next draw of the random generator"
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
        model = gmm.GaussianMixture(len(last.weights), covariance_type=o.covariance_type,
                                    tol=o.tol, max_iter=o.max_iter,
                                    init=(self._initial_user_params()))
        for name, value in gmm_mixture.fitted_attributes(last, o.covariance_type).items():
            setattr(model, name, value)
        model.converged_ = bool(last.converged)
        model.n_iter_ = int(last.iteration)
        model.lower_bound_ = float(last.log_likelihood)
        model.lower_bounds_ = list(self.record.log_likelihoods)
        model.initial_params_ = self._initial_user_params()
        return model

    def _initial_user_params(self):
        return params_to_user_units(self._params[min(self._params)], self.centre, self.scale)

    def labels(self, state):
        """(n,) labels (most responsible component) of the full fit at
        ``state.iteration``, computed in blocks of rows (memory O(block * k))."""
        weights, means, covs = self._params[int(state.iteration)]
        # data read in blocks: labels as compact as the engine's (uint8 up to 256 components)
        dtype = np.intp if isinstance(self.Z, np.ndarray) else (
            np.uint8 if len(weights) <= 256 else np.uint16)
        return np.concatenate([
            gmm.log_responsibilities(np.asarray(self.Z[a:a + LABEL_CHUNK]), weights, means,
                                     covs)[1].argmax(axis=1).astype(dtype, copy=False)
            for a in range(0, len(self.Z), LABEL_CHUNK)])

    def responsibilities(self, state):
        """(n, k) responsibilities of the full fit at ``state.iteration``, in
        blocks of rows (a signal is handled between them)."""
        weights, means, covs = self._params[int(state.iteration)]
        return np.concatenate([gmm.responsibilities(self.Z[a:a + LABEL_CHUNK], weights, means,
                                                    covs)
                               for a in range(0, len(self.Z), LABEL_CHUNK)])

    def kmeans_states(self):
        """Lloyd k-means on the standardised data from EM state 0's means, as
        display states: centres in display units, objective (mean squared
        distance over all d columns) in user units squared."""
        start = self._params[0][1]
        centre, scale = self.centre / self.display_unit, self.scale / self.display_unit
        shared = bool(np.all(scale == scale[0]))
        for ks in gmm.kmeans_steps(self.Z, start, self.options.max_iter):
            k, d = ks.means.shape
            _, means, covs = params_to_user_units((np.ones(k) / k, ks.means,
                                                   np.zeros((k, d, d))), centre, scale)
            if self.projection is not None:
                means = project(_Components(means, covs), *self.projection).means
            objective = (ks.objective * scale[0] ** 2 if shared
                         else self._user_objective(ks, scale))
            yield dataclasses.replace(ks, means=means, objective=objective)

    def _user_objective(self, ks, scale):
        """Mean squared distance of the points to their k-means centres in
        (display) user units: each column's squared deviations times its scale squared."""
        total = 0.0
        for a in range(0, len(self.Z), LABEL_CHUNK):
            diff = self.Z[a:a + LABEL_CHUNK] - ks.means[ks.labels[a:a + LABEL_CHUNK]]
            total += float(np.sum(diff * diff, axis=0) @ (scale * scale))
        return total / max(len(self.Z), 1)


def kmeans_plusplus_rest(Z, centres, k, rng):
    """k - m more centres (rows of ``Z``) by k-means++ sampling, given the m
    ``centres`` already chosen: each next one is a point drawn with
    probability proportional to its squared distance to the nearest centre so
    far (a uniform draw when every point sits on a centre). Returns (k - m, d)."""
    chosen = [np.asarray(c, dtype=float) for c in centres]
    closest = np.full(len(Z), np.inf)
    for c in chosen:
        np.minimum(closest, ((Z - c) ** 2).sum(axis=1), out=closest)
    extra = []
    for _ in range(k - len(chosen)):
        total = float(closest.sum())
        i = (int(rng.integers(len(Z))) if not 0 < total < np.inf
             else int(min(np.searchsorted(np.cumsum(closest), rng.uniform() * total), len(Z) - 1)))
        extra.append(Z[i])
        np.minimum(closest, ((Z - Z[i]) ** 2).sum(axis=1), out=closest)
    return np.array(extra).reshape(-1, Z.shape[1])


#: changes of the mean log-likelihood below this are rounding, not progress
ROUNDING = 1e-12


def stop_on_plateau(steps, tol, patience):
    """EM states until the mean log-likelihood has changed by less than ``tol`` in
    each of ``patience`` consecutive iterations, none of them larger than the
    change before it; that last state has ``converged=True``.

    The command line's stopping rule. A single small change is not trusted:
    EM often crawls along a plateau (two components sharing a cluster) before
    it speeds up again, so stopping at the first small step would show a
    plateau as "converged". Near a maximum EM's changes shrink geometrically;
    a small change that is larger than the one before (above
    :data:`ROUNDING`) means EM is leaving a saddle, e.g. components started
    together on two overlapping clusters, and is not counted as calm.
    ``tol=0`` never stops early.

    Parameters
    ----------
    steps : iterator of gmm.GMMState
        From :func:`gmm.em_steps` with ``tol=0``.
    tol : float
    patience : int >= 1
    """
    previous, last_change, calm = None, math.inf, 0
    for state in steps:
        ll = float(state.log_likelihood)
        if previous is not None:
            change = abs(ll - previous)
            speeding_up = change > max(last_change, ROUNDING)
            calm = calm + 1 if change < tol and not speeding_up else 0
            last_change = change
        if tol > 0 and calm >= patience:
            yield dataclasses.replace(state, converged=True)
            return
        yield state
        previous = ll


def _checked_summary(source, n_components):
    """:func:`_check_points` for a memory map or dask array, in one pass over its
    blocks; returns its :class:`gmm_blocks.Summary`."""
    n = source.shape[0]
    summary = source.summary()
    if summary.bad:
        raise ValueError(f"X contains NaN or infinity in {summary.bad} of {n} rows; "
                         "remove or impute those rows first")
    if n_components > n:
        raise ValueError(f"cannot fit {n_components} components to {n} points; "
                         "use fewer components (-k) or more points")
    return summary


def _standardise_blocks(X, summary, per_column):
    """:func:`gmm_transforms.standardise` of a memory map or dask array, lazily:
    ``(Z, centre, scale)`` with Z read (memory map) or computed (dask) block by block."""
    if isinstance(X, np.ndarray):
        return gmm_blocks.standardise_lazy(X, per_column)
    centre = summary.centre()
    mean = summary.s1 / summary.n
    var = np.maximum(summary.s2 / summary.n - mean * mean, 0.0)
    rms = np.sqrt(var if per_column else np.full(var.shape, var.mean()))
    scale = np.where(rms > 0, rms, 1.0)
    return (X - centre) / scale, centre, scale


def _check_points(X, n_components):
    """Raise ValueError unless ``X`` is (n, d >= 1), finite, with at least ``n_components`` rows."""
    if X.ndim != 2 or X.shape[1] < 1:
        hint = "; reshape one variable with x.reshape(-1, 1)" if X.ndim == 1 else ""
        raise ValueError(f"points must be an (n, d >= 1) array (one column: 1-D data), "
                         f"got shape {X.shape}{hint}")
    step = gmm_transforms.CHUNK_ROWS    # in blocks: a signal is handled between them
    bad_rows = sum(int(np.count_nonzero(~np.isfinite(X[a:a + step]).all(axis=1)))
                   for a in range(0, len(X), step))
    if bad_rows:        # counted here: after standardising every row would be NaN
        raise ValueError(f"X contains NaN or infinity in {bad_rows} of {len(X)} rows; "
                         "remove or impute those rows first")
    if n_components > len(X):
        raise ValueError(f"cannot fit {n_components} components to {len(X)} points; "
                         "use fewer components (-k) or more points")
