"""Data that are not held in memory: memory-mapped rows read block by block.

EM needs the data only through per-chunk sums (:mod:`gmm_em`), so a fit can
read a memory-mapped ``.npy`` file block by block and never hold it whole.
The pages a memory map has touched count in the process's resident set, so
after each block they are handed back to the kernel (``madvise
MADV_DONTNEED``; a read-only map re-reads them from the page cache or the
file when needed again): peak memory is a few blocks, whatever the file's size.

is_streamed
    Whether :func:`gmm_em.em_steps` reads ``X`` block by block
    (an ``np.memmap`` or a :class:`StandardisedRows` view).
StandardisedRows, standardise_lazy, scale_of
    ``(X - centre) / scale`` of a memory map (or a dask array), computed block
    by block when read.
RowSource, BlockSource
    The protocols of what EM's passes run over (data in memory, a memory map,
    a dask array) and of the sources read block by block (with a summary pass).
RowStream
    The block source of a memory map (:mod:`gmm_dask` has the dask one).
summarise, combine, Summary
    One pass of validation: non-finite rows, column means, variances, ranges.
release
    Hand an array's memory-mapped pages back to the kernel.
column_min_max, pixel_representatives
    What drawing a memory-mapped cloud needs (its limits; the points that
    colour each pixel of the image), block by block.
"""

from __future__ import annotations

import mmap
from typing import Protocol, runtime_checkable

import numpy as np

from gmm_core import CHUNK_ROWS

__all__ = ["RowSource", "BlockSource", "BLOCK_ROWS", "is_streamed", "StandardisedRows",
           "standardise_lazy", "scale_of", "RowStream", "Summary", "summarise", "combine",
           "release", "column_min_max", "pixel_representatives", "row_blocks"]

#: Rows read per block: a multiple of CHUNK_ROWS, so the chunks inside a block
#: are the chunks of the in-memory path and the sums agree with it.
BLOCK_ROWS = 64 * CHUNK_ROWS


def _mapping(a):
    """The ``mmap.mmap`` behind array ``a``, or None."""
    base = a
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    return base


def release(a):
    """Hand the memory-mapped pages under ``a`` back to the kernel (no-op otherwise).

    Read-only and copy-on-write maps lose nothing (the pages are read again
    from the file); a writable shared map is flushed first.
    """
    mm = _mapping(a)
    if mm is None or a.size == 0 or not hasattr(mm, "madvise"):
        return
    start = np.frombuffer(mm, dtype=np.uint8).ctypes.data if not mm.closed else None
    if start is None:
        return
    lo = a.ctypes.data - start
    span = sum((s - 1) * abs(st) for s, st in zip(a.shape, a.strides)) + a.itemsize
    page = mmap.PAGESIZE
    first = max(lo // page * page, 0)
    end = min(lo + span, len(mm))
    if end > first:
        mm.madvise(mmap.MADV_DONTNEED, first, end - first)


class StandardisedRows:
    """``(X - centre) / scale`` of an (n, d) array, computed when rows are read.

    Parameters
    ----------
    X : ndarray (n, d), typically an ``np.memmap``
    centre, scale : ndarray (d,)

    Indexing with a row slice or an integer array gives the standardised rows
    as a new (m, d) float64 array; the full array is never formed.
    """

    def __init__(self, X, centre, scale):
        self.X = X
        self.centre = np.asarray(centre, dtype=float)
        self.scale = np.asarray(scale, dtype=float)
        self.shape = X.shape
        self.ndim = 2
        self.dtype = np.dtype(np.float64)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, rows):
        block = np.array(self.X[rows], dtype=float)
        if isinstance(rows, slice):
            release(self.X[rows])
        else:
            idx = np.asarray(rows)
            release(self.X[idx.min():idx.max() + 1] if idx.size else self.X[:0])
        return (block - self.centre) / self.scale

    def __array__(self, dtype=None, copy=None):
        raise TypeError("StandardisedRows is read block by block; index it with a slice of rows")


def is_streamed(X):
    """True for data :func:`gmm_em.em_steps` reads block by block: an ``np.memmap``
    (e.g. ``np.load(path, mmap_mode="r")``) or a :class:`StandardisedRows`."""
    return isinstance(X, (np.memmap, StandardisedRows))


def row_blocks(X, size=None):
    """``(slice, rows as float64)`` of X block by block, pages released after each
    (a copy of each block: O(block) memory whatever X is)."""
    n = X.shape[0]
    size = BLOCK_ROWS if size is None else size
    for a in range(0, n, size):
        sl = slice(a, min(a + size, n))
        if isinstance(X, StandardisedRows):
            yield sl, X[sl]
        else:
            block = np.array(X[sl], dtype=float)
            release(X[sl])
            yield sl, block


def scale_of(variances, per_column=True):
    """The standardising scale (d,) from the columns' variances: their square roots
    (``per_column``) or the root of their mean (one scale for all), 1 where that
    is 0: the rule of :func:`gmm_transforms.standardise`, for data read in blocks."""
    variances = np.asarray(variances, dtype=float)
    rms = np.sqrt(variances if per_column else np.full(variances.shape, variances.mean()))
    return np.where(rms > 0, rms, 1.0)


def standardise_lazy(X, per_column=True, summary=None):
    """:func:`gmm_transforms.standardise` of data read block by block, lazily.

    A memory map: two passes over the blocks (the column means, then the
    mean squared deviations), nothing of size n kept, and a
    :class:`StandardisedRows` view. Another array (a dask array) with its
    ``summary`` (:class:`Summary`, one pass already made): ``(X - centre) /
    scale``, computed when read.

    Returns
    -------
    Z : StandardisedRows or the array's type
    centre, scale : ndarray (d,)
        As :func:`gmm_transforms.standardise` defines them (to rounding).
    """
    if not isinstance(X, np.ndarray):
        mean = summary.s1 / summary.n
        centre = summary.centre()
        scale = scale_of(np.maximum(summary.s2 / summary.n - mean * mean, 0.0), per_column)
        return (X - centre) / scale, centre, scale
    n, d = X.shape
    shift = np.array(X[0], dtype=float)
    total = np.zeros(d)
    for _, block in row_blocks(X):
        total += (block - shift).sum(axis=0)
    centre = shift + total / n
    squares = np.zeros(d)
    for _, block in row_blocks(X):
        dev = block - centre
        squares += np.einsum("ij,ij->j", dev, dev)
    scale = scale_of(squares / n, per_column)
    return StandardisedRows(X, centre, scale), centre, scale


class Summary:
    """What one validation pass learns: rows, non-finite rows, means, spread.

    Attributes
    ----------
    n, bad : int
        Rows, and rows holding NaN or infinity.
    shift : ndarray (d,)
        The first row: sums are of ``x - shift``, so they do not cancel.
    s1, s2, low, high : ndarray (d,)
        Column sums of ``x - shift`` and of its squares, minima and maxima.
    """

    def __init__(self, n, bad, shift, s1, s2, low, high):
        self.n, self.bad, self.shift = n, bad, shift
        self.s1, self.s2, self.low, self.high = s1, s2, low, high

    def centre(self):
        """Column means (d,)."""
        return self.shift + self.s1 / self.n

    def scale_facts(self):
        """``(spread, largest column variance, bound on the squared norm)`` around the mean.

        ``spread`` is the largest absolute centred coordinate (exact, from the
        column ranges); the bound on ``|x - centre|^2`` is at least the
        largest one, which is what :class:`gmm_em._Params` needs.
        """
        c = self.centre()
        with np.errstate(over="ignore", invalid="ignore"):
            reach = np.maximum(self.high - c, c - self.low)
            mean = self.s1 / self.n
            var = np.maximum(self.s2 / self.n - mean * mean, 0.0)
            return float(reach.max()), float(var.max()), float(np.sum(reach * reach))


def summarise(block, shift):
    """The :class:`Summary` of one block of rows (m, d) (finite rows only in the sums)."""
    finite = np.isfinite(block).all(axis=1)
    bad = int(block.shape[0] - np.count_nonzero(finite))
    if bad:
        block = block[finite]
    dev = block - shift
    if block.shape[0]:
        low, high = block.min(axis=0), block.max(axis=0)
    else:
        low, high = np.full(shift.shape, np.inf), np.full(shift.shape, -np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        return Summary(block.shape[0] + bad, bad, shift, dev.sum(axis=0),
                       np.einsum("ij,ij->j", dev, dev), low, high)


def combine(parts):
    """One :class:`Summary` of a sequence of block summaries."""
    parts = list(parts)
    first = parts[0]
    with np.errstate(over="ignore", invalid="ignore"):
        return Summary(sum(p.n for p in parts), sum(p.bad for p in parts), first.shift,
                       np.sum([p.s1 for p in parts], axis=0), np.sum([p.s2 for p in parts], axis=0),
                       np.min([p.low for p in parts], axis=0),
                       np.max([p.high for p in parts], axis=0))


@runtime_checkable
class RowSource(Protocol):
    """What an EM pass (:mod:`gmm_em`) runs over: the rows of (n, d) data, centred.

    Implemented by the data in memory (one block), :class:`RowStream` (a memory
    map) and :class:`gmm_dask.DaskRows` (a dask array).

    Attributes
    ----------
    shape : (n, d)
    radius_sq : float
        A bound on the largest squared norm of a centred row.
    ordered : bool
        Whether blocks are handed over in row order (a parallel source: False,
        so a start that draws one number per row in order cannot run on it).
    """

    shape: tuple
    radius_sq: float
    ordered: bool

    def each(self, fn, make_acc):
        """``fn(xt, rows, acc)`` on every block, ``xt`` (d, m) the centred rows of
        slice ``rows``, with one accumulator ``acc = make_acc()``; returns it."""

    def sample(self, idx):
        """The centred rows ``idx`` (sorted ints), shape (m, d), in memory."""

    def new_labels(self, k):
        """An (n,) array a pass writes the labels into, or None: then the source's
        ``lazy_labels(label_fn)`` gives them (a dask array's, computed on demand)."""


@runtime_checkable
class BlockSource(RowSource, Protocol):
    """A :class:`RowSource` read block by block: one :meth:`summary` pass validates it."""

    centre: object

    def summary(self):
        """One pass: the :class:`Summary` of all rows; sets ``centre`` (the column
        means, which blocks are centred on) and ``radius_sq``."""


class RowStream:
    """The row source EM passes run over, for data read block by block.

    Parameters
    ----------
    X : np.memmap or StandardisedRows, shape (n, d)

    Attributes
    ----------
    shape : (n, d)
    centre : ndarray (d,)
        Set by :meth:`summary` (the column means); blocks are handed to passes
        centred on it.
    radius_sq : float
        A bound on the largest squared norm of a centred row (set by :meth:`summary`).
    """

    ordered = True      # blocks in row order

    def __init__(self, X):
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must be 2-D of shape (n_samples, n_features) and non-empty, "
                             f"got shape {X.shape}")
        self.X = X
        self.shape = tuple(int(s) for s in X.shape)
        self.centre = None
        self.radius_sq = None

    def summary(self):
        """One pass: the :class:`Summary` of all rows; sets :attr:`centre` and
        :attr:`radius_sq` from it."""
        shift = np.array(self.X[0], dtype=float)
        summary = combine(summarise(block, shift) for _, block in row_blocks(self.X))
        self.centre, self.radius_sq = summary.centre(), summary.scale_facts()[2]
        return summary

    def each(self, fn, make_acc):
        """``fn(xt, rows, acc)`` on every block in order, ``xt`` (d, m) the centred rows
        of slice ``rows``, with one accumulator ``acc = make_acc()``; returns it."""
        acc = make_acc()
        for sl, block in row_blocks(self.X):
            block -= self.centre
            fn(np.ascontiguousarray(block.T), sl, acc)
        return acc

    def sample(self, idx):
        """The centred rows ``idx`` (sorted ints), shape (m, d), in memory."""
        X, idx = self.X, np.asarray(idx)
        rows = np.empty((len(idx), self.shape[1]))
        for a in range(0, len(idx), 256):       # a few pages resident at a time
            part = idx[a:a + 256]
            rows[a:a + len(part)] = X[part]
            if not isinstance(X, StandardisedRows):
                release(X[part[0]:part[-1] + 1])
        return rows - self.centre

    def new_labels(self, k):
        """An (n,) label array in the smallest unsigned type holding ``k`` labels."""
        return np.empty(self.shape[0], dtype=np.uint8 if k <= 256 else
                        np.uint16 if k <= 65536 else np.int32)


def column_min_max(X):
    """Column minima and maxima (d,) of X (n, d): block by block for a memory-mapped
    array (its pages released), ``X.min(axis=0), X.max(axis=0)`` otherwise."""
    if _mapping(X) is None or X.shape[0] <= BLOCK_ROWS:
        return X.min(axis=0), X.max(axis=0)
    lo, hi = np.full(X.shape[1], np.inf), np.full(X.shape[1], -np.inf)
    for _, block in row_blocks(X):
        lo, hi = np.minimum(lo, block.min(axis=0)), np.maximum(hi, block.max(axis=0))
    return lo, hi


def pixel_representatives(points, xlim, ylim, width, height, per_pixel):
    """Which points stand for each pixel of a (height, width) image, block by block.

    Every point is counted in its pixel; up to ``per_pixel`` points per pixel
    (the first in row order) are kept as its representatives, whose labels
    colour it.  Memory is O(pixels + representatives), not O(n).

    Returns
    -------
    occupied : ndarray (m,) of int
        Flat indices (row * width + col) of the pixels holding points.
    counts : ndarray (m,) of int
        Points in each.
    reps : ndarray (r,) of int
        Row indices of the representatives, increasing.
    inverse : ndarray (r,) of int
        Position in ``occupied`` of each representative's pixel.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    counts = np.zeros(width * height, dtype=np.int64)
    taken = np.zeros(width * height, dtype=np.int64)
    reps, rep_pix = [], []
    for sl, block in row_blocks(points):
        col = np.clip(np.floor((block[:, 0] - x0) / (x1 - x0) * width), 0, width - 1)
        row = np.clip(np.floor((block[:, 1] - y0) / (y1 - y0) * height), 0, height - 1)
        pix = row.astype(np.int64) * width + col.astype(np.int64)
        counts += np.bincount(pix, minlength=counts.size)
        order = np.argsort(pix, kind="stable")
        sorted_pix = pix[order]
        starts = np.flatnonzero(np.r_[True, sorted_pix[1:] != sorted_pix[:-1]])
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        keep = np.sort(order[rank + taken[sorted_pix] < per_pixel])
        taken += np.bincount(pix[keep], minlength=taken.size)
        reps.append(sl.start + keep)
        rep_pix.append(pix[keep])
    occupied = np.flatnonzero(counts)
    rep_pix = np.concatenate(rep_pix)
    return occupied, counts[occupied], np.concatenate(reps), np.searchsorted(occupied, rep_pix)
