"""State transforms and analysis helpers for the GMM animation (no figures, no CLI).

A *state transform* is a plain function ``GMMState -> GMMState``. This module
holds the ones :class:`gmm_fit.FitRun` chains after :func:`gmm.em_steps`,
plus the analysis helpers they need:

- :func:`standardise`, :func:`to_user_units`: fit in standardised units, show
  in user units; :func:`params_to_fit_units`, :func:`params_to_user_units`
  do the same for ``(weights, means, covariances)`` tuples.
- :func:`pca_projection`, :func:`column_projection`, :func:`project`,
  :func:`view_of`: the 2-D view of d-dimensional data and states.
- :func:`select_components`, :func:`format_selection_table`: choosing k
  (``--select-k``); :func:`select_components_by_type`,
  :func:`format_selection_grid`: choosing k and the covariance type
  (``--select-k KS --covariance-type all``).
- :class:`FitRecord`: remembers the full fit as the states pass.
"""

import dataclasses
import math

import numpy as np

import gmm
import gmm_select
from gmm_blocks import column_min_max, column_moments, is_streamed
from gmm_options import PAIRS_UP_TO, VIEWS


# --------------------------------------------------------------------------- #
# State transforms (GMMState -> GMMState)
# --------------------------------------------------------------------------- #

#: rows per block in :func:`standardise`: Python runs between blocks, so a
#: signal handler (Ctrl-C, SIGTERM) runs within one block's time, not one
#: pass over 100 million rows
CHUNK_ROWS = 1 << 16


def _blocks(n):
    return (slice(a, min(a + CHUNK_ROWS, n)) for a in range(0, n, CHUNK_ROWS))


def standardise(X, per_column=True):
    """Centre each column of ``X`` and divide it by its own scale (shapes are kept).

    EM is equivariant under per-column affine maps except for the
    ``reg_covar`` floor, which in these units means the same (1e-6 of the
    column's variance) on every axis, whatever the columns' units.
    ``per_column=False`` divides every column by one overall scale instead:
    for data whose columns share units (sampled points, a spherical fit),
    whose distances k-means++ and Lloyd must not distort.

    Scale-free: ``X * s`` gives the same ``Z`` (to rounding) for any ``s``
    with ``X * s`` finite, 1e-300 and 1e300 included. The sums never
    overflow or underflow because ``X`` is first divided by a power of two
    near its largest magnitude (per column, exact unless that makes values
    subnormal), and the deviations again by theirs before squaring. Works in
    blocks of :data:`CHUNK_ROWS` rows.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Finite values.
    per_column : bool, default True
        One scale per column, or one for all.

    Returns
    -------
    Z : ndarray, shape (n, d)
        ``(X - centre) / scale``.
    centre : ndarray, shape (d,)
    scale : ndarray, shape (d,)
        Per column: its root-mean-square deviation, 1 for a constant column.
        Shared: every entry the root-mean-square deviation over all
        coordinates (1 when it is 0).
    """
    X = np.asarray(X, dtype=float)
    if not per_column:
        Z, centre, scale = _standardise_shared(X)
        return Z, centre, np.full(X.shape[1:], scale)
    n = len(X)
    top = _power_of_two_near_max(X, axis=0)
    Z, centre_s = _centred_over(X, top)
    constant = np.ones(X.shape[1:], dtype=bool)
    for rows in _blocks(n):
        block = X[rows]
        if block.size:
            constant &= (block == X[0]).all(axis=0)
    for rows in _blocks(n):                         # exactly 0, not a rounding residue
        Z[rows][:, constant] = 0.0
    spread = _power_of_two_near_max(Z, axis=0)
    squares = np.zeros(X.shape[1:])
    for rows in _blocks(n):
        Z[rows] /= spread                           # |Z| < 2: squares neither over- nor underflow
        squares += np.sum(Z[rows] * Z[rows], axis=0)
    rms = np.sqrt(squares / max(n, 1))
    rms_or_1 = np.where(rms > 0, rms, 1.0)
    for rows in _blocks(n):
        Z[rows] /= rms_or_1
    with np.errstate(over="ignore", under="ignore"):
        scale = np.where(rms > 0, rms * spread * top, 1.0)
    bad = ~((scale > 0) & np.isfinite(scale))       # e.g. a spread near the largest double
    scale[bad] = np.where(rms[bad] == 0, 1.0, np.finfo(float).max)
    centre = centre_s * top
    if n:
        centre[constant] = X[0, constant]
    return Z, centre, scale


#: columns whose ranges (max - min) are within this factor of each other are
#: taken to share units: fitted with one scale and drawn with equal aspect
SAME_UNITS_RATIO = 3.0


def column_ranges(X):
    """(d,) ``max - min`` of each column of ``X`` (n, d), halved first so it cannot overflow."""
    if is_streamed(X):          # a memory map (or a view of one): pages released
        low, high = column_min_max(X)
        return _halved_range(low, high)
    X = np.asarray(X, dtype=float)
    if not len(X):
        return np.zeros(X.shape[1:])
    low, high = np.full(X.shape[1:], np.inf), np.full(X.shape[1:], -np.inf)
    for rows in _blocks(len(X)):
        low = np.minimum(low, X[rows].min(axis=0))
        high = np.maximum(high, X[rows].max(axis=0))
    return _halved_range(low, high)


def _halved_range(low, high):
    """``high - low`` (d,), halved first so it cannot overflow."""
    with np.errstate(over="ignore"):       # a range beyond 1.8e308 is inf
        return 2.0 * (high / 2 - low / 2)


def shares_units(ranges, ratio=SAME_UNITS_RATIO):
    """True when the nonzero ``ranges`` (d,) are all within ``ratio`` of each other,
    so the columns look like one quantity in the same units (e.g. coordinates in cm)."""
    r = np.asarray(ranges, dtype=float)
    r = r[(r > 0) & np.isfinite(r)]
    return bool(r.size == 0 or r.max() <= ratio * r.min())


def _standardise_shared(X):
    """:func:`standardise` with one overall scale: ``(Z, centre (d,), scale float)``."""
    n = len(X)
    top = _power_of_two_near_max(X)
    Z, centre_s = _centred_over(X, top)
    spread = _power_of_two_near_max(Z)
    squares = 0.0
    for rows in _blocks(n):
        Z[rows] /= spread                           # |Z| < 2: squares neither over- nor underflow
        squares += float(np.sum(Z[rows] * Z[rows]))
    rms = math.sqrt(squares / Z.size) if Z.size else 0.0
    if rms > 0:
        for rows in _blocks(n):
            Z[rows] /= rms
    scale = rms * spread * top if rms > 0 else 1.0
    if not (scale > 0 and math.isfinite(scale)):    # e.g. a spread near the largest double
        scale = 1.0 if rms == 0 else float(np.finfo(float).max)
    return Z, centre_s * top, scale


def _centred_over(X, top):
    """``(Z, centre_s)``: ``X / top`` minus its column means ``centre_s`` (d,), in
    blocks of rows. ``top`` (a power of two near max |X|, per column or one for
    all) keeps |X / top| < 2, so the column sums cannot overflow."""
    n = len(X)
    sums = np.zeros(X.shape[1:])
    for rows in _blocks(n):
        sums += (X[rows] / top).sum(axis=0)
    centre_s = sums / max(n, 1)
    Z = np.empty_like(X)
    for rows in _blocks(n):
        np.subtract(X[rows] / top, centre_s, out=Z[rows])
    return Z, centre_s


def _power_of_two_near_max(A, axis=None):
    """A power of two p with p <= max |A| < 2 p (1.0 for an empty or all-zero A).

    With ``axis=0`` one per column, shape (d,). Dividing by p is exact
    (unless the result is subnormal) and leaves magnitudes below 2. Works in
    blocks of rows.
    """
    m = 0.0 if axis is None else np.zeros(A.shape[1:])
    for rows in _blocks(len(A)):
        block = A[rows]
        if block.size:
            m = np.maximum(m, np.max(np.abs(block), axis=axis))
    if axis is None:
        m = float(m)
        if not (m > 0 and math.isfinite(m)):
            return 1.0
        _, exponent = math.frexp(m)         # m = mantissa * 2**exponent, 0.5 <= mantissa < 1
        return math.ldexp(1.0, exponent - 1)
    usable = (m > 0) & np.isfinite(m)
    _, exponent = np.frexp(np.where(usable, m, 1.0))
    return np.where(usable, np.ldexp(1.0, exponent - 1), 1.0)


def display_unit(X):
    """A power of ten to draw ``X`` in, so plotted numbers and variances stay normal doubles.

    1.0 unless the largest magnitude of ``X`` is beyond 1e50 or below 1e-50 (a
    squared deviation would then come near overflow or underflow); then the
    power of ten nearest to it, e.g. 1e+160 for data around 3e160.
    """
    X = np.asarray(X, dtype=float)
    m = float(np.max(np.abs(X))) if X.size else 0.0
    if not (m > 0 and math.isfinite(m)) or 1e-50 <= m <= 1e50:
        return 1.0
    return 10.0 ** round(math.log10(m))


def to_user_units(state, centre, scale, unit=1.0):
    """Undo :func:`standardise` on a state.

    With ``D = diag(scale)``: means -> means D + centre, covariances -> D S D
    (``S * outer(scale, scale)``), log-likelihood -> log-likelihood -
    sum(log scale) (a density in user units). ``scale`` is (d,) or one
    number for all columns. With ``unit`` (:func:`display_unit`) means and
    covariances are in multiples of ``unit`` (``centre / unit``, ``scale /
    unit``), so data at 1e300 can be drawn; the log-likelihood stays per
    user unit.
    """
    d = state.means.shape[1]
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (d,))
    _, means, covariances = params_to_user_units(
        (state.weights, state.means, state.covariances), centre / unit, scale / unit)
    return dataclasses.replace(
        state, means=means, covariances=covariances,
        log_likelihood=float(state.log_likelihood - np.sum(np.log(scale))),
    )


# --------------------------------------------------------------------------- #
# Analysis: 2-D projections, choosing k, parameter files
# --------------------------------------------------------------------------- #

def pca_projection(X, scale=None):
    """The top two principal axes of ``X`` divided by ``scale`` column by column.

    With ``scale`` the fit's (:func:`standardise`), the axes are those of the
    fit's own coordinates, so a column in big units (dollars beside years)
    does not take the first axis by its unit alone.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points in user units.
    scale : ndarray, shape (d,), or None
        Each column's unit in the analysed coordinates (None: 1, the raw data).

    Returns
    -------
    P : ndarray, shape (2, d)
        Orthonormal rows: the eigenvectors of the covariance of ``X / scale`` with
        the two largest eigenvalues, largest first; each row's
        largest-magnitude entry is positive (a fixed sign, so the picture does
        not flip). These are the loadings of the columns on the two axes.
    centre : ndarray, shape (d,)
        Mean of ``X``; the view shows ``((x - centre) / scale) P^T`` (PC scores).
    explained : ndarray, shape (2,)
        Fraction of the total variance of ``X / scale`` along each axis (0 when X
        is constant).
    """
    s = np.ones(np.shape(X)[1]) if scale is None else np.asarray(scale, dtype=float)
    if is_streamed(X):          # a memory map: block by block, nothing of size n
        centre, cov = column_moments(X, s)
    else:
        X = np.asarray(X, dtype=float)
        centre = X.mean(axis=0)
        Xc = (X - centre) / s
        cov = Xc.T @ Xc / len(X)
    vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
    order = np.argsort(vals)[::-1][:2]
    P = vecs[:, order].T.copy()
    signs = np.sign(P[np.arange(2), np.abs(P).argmax(axis=1)])
    P *= np.where(signs == 0, 1.0, signs)[:, None]
    total = float(np.clip(vals, 0.0, None).sum())
    explained = np.clip(vals[order], 0.0, None) / total if total > 0 else np.zeros(2)
    return P, centre, explained


#: the most columns a scatter matrix draws (``--view pairs``): d (d - 1) / 2 panels
MAX_PAIRS = 10


def choose_view(d, view=None, dims=None):
    """How data with ``d`` columns is drawn: ``"data"`` (d <= 2, the data itself),
    ``"dims"`` (two chosen columns), ``"pairs"`` (a scatter matrix) or ``"pca"``.

    Without ``view``: ``"dims"`` when ``dims`` are given, else ``"pairs"`` up
    to :data:`gmm_options.PAIRS_UP_TO` columns and ``"pca"`` above (a matrix of 28 panels
    or more is too small to read at a figure's size; the biplot shows every
    column as one arrow).

    Raises
    ------
    ValueError
        An unknown ``view``, ``pairs``/``pca`` with ``dims`` or with fewer than
        3 columns, ``pairs`` with more than :data:`MAX_PAIRS` columns.
    """
    if view is not None and view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)} (or None), got {view!r:.60}")
    if view in ("pairs", "pca"):
        if dims is not None:
            raise ValueError(f"--view {view} draws every column; --dims I J draws two: "
                             "give one of them")
        if d < 3:
            raise ValueError(f"--view {view} is for data with 3 or more columns; this data "
                             f"has {d}, drawn as itself: drop --view")
        if view == "pairs" and d > MAX_PAIRS:
            raise ValueError(f"--view pairs draws at most {MAX_PAIRS} columns, the data has "
                             f"{d}: choose some with --columns, or use --view pca")
        return view
    if dims is not None or (view == "dims" and d >= 2):
        return "dims"
    if d <= 2:
        return "data"
    return "pairs" if d <= PAIRS_UP_TO else "pca"


def column_projection(n_features, dims):
    """Projection onto two chosen columns ``dims = (i, j)``: P (2, d), centre 0 (d,)."""
    return np.eye(n_features)[list(dims)], np.zeros(n_features)


def project(state, P, centre):
    """2-D view of a d-dimensional state under the linear map ``x -> P (x - centre)``.

    means -> (means - centre) P^T, covariances -> P S P^T: exactly the
    parameters of the projected Gaussians, so the drawn ellipses are the
    projections of the fitted ones. Weights, labels and the log-likelihood
    (of the full d-dimensional fit) are kept.

    Parameters
    ----------
    state : GMMState
        ``means`` (k, d), ``covariances`` (k, d, d).
    P : ndarray, shape (2, d)
    centre : ndarray, shape (d,)
    """
    P = np.asarray(P, dtype=float)
    means = (state.means - centre) @ P.T
    covs = np.einsum("ai,kij,bj->kab", P, state.covariances, P)
    covs = 0.5 * (covs + np.swapaxes(covs, 1, 2))
    return dataclasses.replace(state, means=means, covariances=covs)


def view_of(X, dims=None, names=None, *, view=None, scale=None):
    """How ``X`` is drawn: a projection to 2-D (or None) and the axis labels.

    The view is :func:`choose_view`'s. ``"data"``: no projection, labels
    from ``names`` (or None). ``"dims"`` (``dims = (i, j)``, default (0, 1)):
    those columns, labelled by ``names`` or ``x{i}``. ``"pairs"``: no
    projection (the scatter matrix draws every column), labels from
    ``names`` or ``x{i}``. ``"pca"``: the top two principal components of
    ``X / scale`` (:func:`pca_projection`), labelled ``PC1, 48% of the
    standardised variance`` (``of the variance`` when every column has the
    same scale: the columns share units).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    dims : sequence of 2 int, optional
    names : list of str, optional
    view : {None, "pairs", "pca", "dims"}
    scale : ndarray, shape (d,), optional
        The fit's scale of each column (:func:`standardise`); None: 1.

    Returns
    -------
    projection : tuple (P (2, d), centre (d,)) or None
        The view shows ``(x - centre) P^T``; for PCA ``P`` is the loadings
        divided by ``scale`` column by column.
    labels : tuple of str or None
        Two for a 2-D view, d for ``"pairs"``.

    Raises
    ------
    ValueError
        ``dims`` out of range or repeated; a view :func:`choose_view` refuses.
    """
    d = X.shape[1]
    if names is not None and len(names) != d:
        names = None
    label = (lambda c: names[c]) if names is not None else (lambda c: f"x{c}")
    kind = choose_view(d, view, dims)
    if kind == "dims":
        i, j = (int(v) for v in (dims if dims is not None else (0, 1)))
        for v in (i, j):
            if not 0 <= v < d:
                raise ValueError(f"--dims {i} {j}: column {v} does not exist; the data has "
                                 f"{d} columns, numbered 0 to {d - 1}")
        if i == j:
            raise ValueError(f"--dims {i} {j}: pick two different columns")
        return column_projection(d, (i, j)), (label(i), label(j))
    if kind == "pairs":
        return None, tuple(label(c) for c in range(d))
    if kind == "data":          # 1-D data is drawn as itself (a histogram)
        return None, (tuple(names) if names is not None else None)
    s = np.ones(d) if scale is None else np.broadcast_to(np.asarray(scale, dtype=float), (d,))
    P, centre, explained = pca_projection(X, s)
    what = "variance" if np.all(s == s[0]) else "standardised variance"
    return (P / s, centre), tuple(f"PC{a + 1}, {100 * e:.0f}% of the {what}"
                                  for a, e in enumerate(explained))


def params_to_fit_units(params, centre, scale):
    """``(weights, means (k, d), covariances (k, d, d))`` in user units -> standardised
    units: ``(means - centre) / scale``, ``S / outer(scale, scale)``; ``scale`` (d,) or a number."""
    weights, means, covs = (np.asarray(a, dtype=float) for a in params)
    s = np.broadcast_to(np.asarray(scale, dtype=float), means.shape[-1:])
    return weights, (means - centre) / s, covs / np.outer(s, s)     # symmetric bit for bit


def params_to_user_units(params, centre, scale):
    """``(weights, means (k, d), covariances (k, d, d))`` in standardised units -> user
    units: ``means * scale + centre``, ``D S D`` with ``D = diag(scale)``."""
    weights, means, covs = (np.asarray(a, dtype=float) for a in params)
    s = np.broadcast_to(np.asarray(scale, dtype=float), means.shape[-1:])
    return weights, means * s + centre, covs * np.outer(s, s)       # symmetric bit for bit


def select_components(X, ks, *, criterion="bic", n_init=1, covariance_type="full",
                      init="kmeans++", max_iter=100, tol=1e-3, random_state=None,
                      callback=None, per_column=True, patience=None):
    """Fit every k in ``ks`` (standardised, as the CLI fits) and score it in user units.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points in user units.
    ks : sequence of int
    criterion : {"bic", "aic"}
    n_init, covariance_type, init, max_iter, tol, random_state, callback, patience
        As for :func:`gmm.select_k` (``callback`` gets its standardised rows;
        ``patience``: the command line's stopping rule, as the animation's).
    per_column : bool, default True
        Standardise each column by its own scale (False: one scale for all,
        for columns in the same units, as sampled data). One scale is used
        anyway when the columns' ranges are within :data:`SAME_UNITS_RATIO`
        of each other (:func:`shares_units`: distances keep the data's
        geometry) and for a spherical fit (per-column scaling is not spherical).

    Returns
    -------
    best_k : int
    rows : list of dict
        Per k: ``k``, ``n_parameters``, ``log_likelihood`` (mean per point),
        ``bic``, ``aic`` - all of the data in user units, equal to
        ``GaussianMixture.bic/aic`` (and scikit-learn's) for the parameters
        ``weights``, ``means``, ``covariances`` (user units) - and
        ``initial_params`` (user units): state 0 of the kept run, so
        ``em_steps`` can replay it; ``degenerate``: a component collapsed
        onto a lower-dimensional set (its smallest variance, in standardised
        units, is at the ``reg_covar`` floor - e.g. rounded or repeated
        values). Its likelihood grows without bound as the floor shrinks, so
        a degenerate k is not chosen unless every k is degenerate.
    """
    X = np.asarray(X, dtype=float)
    per_column = (per_column and covariance_type != "spherical"
                  and not shares_units(column_ranges(X)))
    Z, centre, scale = standardise(X, per_column=per_column)
    best_k, table = gmm.select_k(Z, ks, criterion=criterion, n_init=n_init,
                                 covariance_type=covariance_type, init=init,
                                 max_iter=max_iter, tol=tol, random_state=random_state,
                                 callback=callback, patience=patience)
    n, d = X.shape
    shift = float(np.sum(np.log(scale)))     # per-point log-likelihood: user = fit - shift
    rows = []
    for row in table:
        model = row["model"]
        s = model.state_
        weights, means, covs = params_to_user_units((s.weights, s.means, s.covariances),
                                                    centre, scale)
        rows.append({
            "k": row["k"], "n_parameters": row["n_parameters"],
            "log_likelihood": row["log_likelihood"] - shift,
            "bic": row["bic"] + 2 * n * shift, "aic": row["aic"] + 2 * n * shift,
            "weights": weights, "means": means, "covariances": covs,
            "initial_params": params_to_user_units(model.initial_params_, centre, scale),
            "degenerate": row["degenerate"],
        })
    return best_k, rows


def format_selection_table(rows, best_k, criterion):
    """The table ``--select-k`` prints: aligned columns, the chosen k marked.

    Returns
    -------
    str
        Header, one line per k (``*`` after the chosen one) and a last line
        naming the choice.
    """
    head = ("k", "params", "log-likelihood", "BIC", "AIC")
    cells = [(str(r["k"]), str(r["n_parameters"]), f"{r['log_likelihood']:.6f}",
              f"{r['bic']:.2f}", f"{r['aic']:.2f}") for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    degenerate = any(r.get("degenerate") for r in rows)
    for r, c in zip(rows, cells):
        mark = ("*" if r["k"] == best_k else "") + ("!" if r.get("degenerate") else "")
        lines.append("  ".join(v.rjust(w) for v, w in zip(c, widths))
                     + (f"  {mark}" if mark else ""))
    if degenerate and all(r.get("degenerate") for r in rows):
        among = "; every row is marked !, so among all of them"
    else:
        among = " among the rows without !" if degenerate else ""
    lines.append(f"* chosen: k = {best_k} (lowest {criterion.upper()}{among}); "
                 "log-likelihood is the mean per point")
    if degenerate:
        lines.append("! a component collapsed onto a lower-dimensional set (rounded or "
                     "repeated values?): its smallest variance sits at the reg_covar floor, "
                     "so its likelihood is not meaningful")
    return "\n".join(lines)


def select_components_by_type(X, ks, covariance_types="all", *, criterion="bic",
                              random_state=None, callback=None, **fit_options):
    """:func:`select_components` for each covariance type: choose k and the type.

    Each type is fitted as :func:`select_components` fits it (its own
    standardisation), and every row is scored on the data in user units, so
    criteria compare across types as R's mclust compares its models. Types
    that are one model of these columns (full, diag and spherical of one
    column: :func:`one_model_groups`) are fitted once, under the first.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Points in user units.
    ks : sequence of int
    covariance_types : "all" or sequence of str
        As for :func:`gmm.select_k` (checked before the first fit).
    criterion : {"bic", "aic"}
    random_state : None, int or numpy.random.Generator
        One generator runs through all the fits, type after type.
    callback : callable, optional
        As for :func:`select_components`; each row carries its
        ``covariance_type``.
    **fit_options
        The other keywords of :func:`select_components` (``n_init``,
        ``init``, ``max_iter``, ``tol``, ...).

    Returns
    -------
    best : tuple (int, str)
        The chosen ``(k, covariance_type)``: lowest ``criterion`` among the
        fits that are not degenerate (among all if every fit is); ties go to
        the earlier type.
    rows : list of dict
        :func:`select_components` rows of every model (type-major, in the
        order of ``covariance_types``), each with its ``covariance_type`` (the
        type fitted), ``same_as`` (the other types of that model, a tuple,
        usually empty) and ``label`` (e.g. ``"full = diag = spherical (V)"``).
    """
    types = gmm_select.check_covariance_types(covariance_types)
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', got {criterion!r:.80}")
    rng = np.random.default_rng(random_state)
    rows = []
    for fitted, label in one_model_groups(types, np.shape(X)[1]):
        table = select_components(X, ks, criterion=criterion, covariance_type=fitted[0],
                                  random_state=rng, callback=callback, **fit_options)[1]
        rows.extend(dict(row, covariance_type=fitted[0], label=label, same_as=fitted[1:])
                    for row in table)
    best = gmm_select.best_row(rows, criterion)
    return (best["k"], best["covariance_type"]), rows


def one_model_groups(covariance_types, n_features):
    """The covariance types grouped into the distinct models they make of
    ``n_features`` columns, each with the label the table and plot show.

    With one column, full, diag and spherical each give every component its
    own variance: one model (R's mclust calls it V, "varying variance"),
    fitted once; tied gives all components one variance (mclust's E, "equal
    variance"). With more columns every type is a model of its own.

    Parameters
    ----------
    covariance_types : sequence of str
        Distinct names of ``COVARIANCE_TYPES``.
    n_features : int

    Returns
    -------
    list of (tuple of str, str)
        In the order of the types' first appearance: the types of one model
        (the first is the one fitted) and its label, e.g.
        ``(("full", "diag", "spherical"), "full = diag = spherical (V)")``.
    """
    if n_features != 1:
        return [((t,), t) for t in covariance_types]
    varying = tuple(t for t in covariance_types if t != "tied")
    return [(("tied",), "tied (E)") if t == "tied" else (varying, " = ".join(varying) + " (V)")
            for t in covariance_types if t == "tied" or t == varying[0]]


def format_selection_grid(rows, best, criterion):
    """The table ``--select-k KS --covariance-type all`` prints: one row per k,
    one column of the criterion per covariance type, the chosen pair marked.

    Parameters
    ----------
    rows : list of dict
        :func:`select_components_by_type` rows (``covariance_type``, ``k``,
        the criterion, ``degenerate``).
    best : tuple (int, str)
        The chosen ``(k, covariance_type)``.
    criterion : {"bic", "aic"}

    Returns
    -------
    str
        A title line, the header (``k`` and the type names), one line per k
        (``*`` after the chosen value, ``!`` after a degenerate fit's) and a
        line naming the choice.
    """
    types = list(dict.fromkeys(r["covariance_type"] for r in rows))
    labels = {r["covariance_type"]: r.get("label", r["covariance_type"]) for r in rows}
    ks = list(dict.fromkeys(r["k"] for r in rows))
    by_pair = {(r["k"], r["covariance_type"]): r for r in rows}
    best = tuple(best)

    def cell(k, t):
        r = by_pair.get((k, t))
        if r is None:
            return "  "
        mark = ("*" if (k, t) == best else "") + ("!" if r["degenerate"] else "")
        return f"{r[criterion]:.2f}{mark:<2}"

    head = ["k"] + [labels[t] + "  " for t in types]
    cells = [[str(k)] + [cell(k, t) for t in types] for k in ks]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    lines = [f"{criterion.upper()} per number of components k and covariance type "
             "(lower is better)",
             "  ".join(h.rjust(w) for h, w in zip(head, widths)).rstrip()]
    lines += ["  ".join(v.rjust(w) for v, w in zip(c, widths)).rstrip() for c in cells]
    degenerate = [r for r in rows if r["degenerate"]]
    among = ""
    if degenerate:
        among = ("; every fit is marked !, so among all of them"
                 if len(degenerate) == len(rows) else " among the fits without !")
    lines.append(f"* chosen: k = {best[0]}, covariance type {labels[best[1]]} "
                 f"(lowest {criterion.upper()}{among})")
    shared = [labels[t] for t in types if by_pair[ks[0], t].get("same_as")]
    if shared:
        lines.append(f"{shared[0]}: one model of one column, fitted once: each component "
                     "its own variance (mclust's V)")
        if "tied" in types:
            lines.append("tied (E): one variance shared by all components (mclust's E)")
    if degenerate:
        lines.append("! a component collapsed onto a lower-dimensional set (rounded or "
                     "repeated values?): its smallest variance sits at the reg_covar floor, "
                     "so its likelihood is not meaningful")
    return "\n".join(lines)


class FitRecord:
    """A state transform that remembers the full (d-dimensional) fit as it passes.

    ``record(state)`` returns ``state`` unchanged and keeps its log-likelihood
    and the last state, so the final parameters can be saved
    (``--save-params``) whatever the view shows.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget the recorded run (a restart)."""
        self.log_likelihoods = []
        self.last = None

    def __call__(self, state):
        self.log_likelihoods.append(float(state.log_likelihood))
        self.last = state
        return state
