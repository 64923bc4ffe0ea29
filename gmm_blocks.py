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
RowStream, InMemoryRows, centred_rows
    The row sources :mod:`gmm_em` runs its passes over (a memory map; data in
    memory, copied centred and transposed); :mod:`gmm_dask` has a third.
summarise, combine, Summary
    One pass of validation: non-finite rows, column means, variances, ranges.
release
    Hand an array's memory-mapped pages back to the kernel.
parallel_jobs, resolve_jobs, one_blas_thread, ordered_sum
    How a pass runs: its blocks spread over a thread pool (numpy releases the
    GIL), each block's matrix products on one BLAS thread, the blocks'
    accumulators added in block order (so any thread count gives the numbers
    of one thread).
evaluate_rows
    A model's labels, responsibilities or log-densities of a memory map, block by block.
column_min_max, pixel_representatives
    What drawing a memory-mapped cloud needs (its limits; the points that
    colour each pixel of the image), block by block.
ProjectedRows, project_rows, read_rows, column_moments
    A memory map's 2-D view read block by block, chosen rows read in groups
    (a pixel's representatives), the means and covariance of a PCA.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import mmap
import queue
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, runtime_checkable

import numpy as np
from threadpoolctl import ThreadpoolController

from gmm_core import CHUNK_ROWS, check_n_jobs, e_step_rows

__all__ = ["RowSource", "BlockSource", "BLOCK_ROWS", "is_streamed", "StandardisedRows",
           "standardise_lazy", "scale_of", "RowStream", "Summary", "summarise", "combine",
           "release", "column_min_max", "pixel_representatives", "row_blocks", "block_slices",
           "read_block", "TASK_ROWS", "task_slices", "e_step_task_rows", "parallel_jobs", "resolve_jobs",
           "one_blas_thread", "ordered_sum", "InMemoryRows", "centred_rows", "evaluate_rows",
           "ProjectedRows", "project_rows", "read_rows", "column_moments"]

#: Rows read per block: a multiple of CHUNK_ROWS, so the chunks inside a block
#: are the chunks of the in-memory path and the sums agree with it.
BLOCK_ROWS = 64 * CHUNK_ROWS
#: Rows per task of a pass over data in memory: a multiple of CHUNK_ROWS, small
#: enough that a million rows make 31 tasks to share among the threads (an
#: E-step's tasks: :func:`e_step_task_rows`).
TASK_ROWS = 2 * CHUNK_ROWS

#: Up to this many rows :func:`centred_rows` centres on ``X.mean(axis=0)``.
EXACT_MEAN_ROWS = 1_000_000

#: ``n_jobs`` of calls that pass None, inside :func:`parallel_jobs`
_DEFAULT_JOBS = contextvars.ContextVar("gmm_default_n_jobs", default=None)


@contextlib.contextmanager
def parallel_jobs(n_jobs):
    """Within the ``with`` block, fits given ``n_jobs=None`` use ``n_jobs`` threads.

    The command line's ``--jobs`` sets it for every fit of a run.  Checked on
    entry (:func:`gmm_core.check_n_jobs`); context-local, so other threads
    and tasks keep their own default.
    """
    check_n_jobs(n_jobs)
    token = _DEFAULT_JOBS.set(n_jobs)
    try:
        yield
    finally:
        _DEFAULT_JOBS.reset(token)


def resolve_jobs(n_jobs):
    """Thread count (int >= 1) for ``n_jobs``; None is :func:`parallel_jobs`'s value,
    or every usable core outside it."""
    return check_n_jobs(_DEFAULT_JOBS.get() if n_jobs is None else n_jobs)


@functools.lru_cache(maxsize=1)
def _blas_libraries():
    """The BLAS (and OpenMP) libraries loaded in this process, found once: looking
    them up costs ~0.3 ms, limiting them ~15 us."""
    return ThreadpoolController()


def one_blas_thread():
    """Context manager: BLAS calls inside run on one thread each.

    A pass's matrix products are small (one chunk of rows); BLAS threads
    gain nothing on them, and on a busy machine each product can wait for a
    descheduled sibling thread (one EM iteration measured 16x slower).  The
    limit is process-wide, so it is entered once per pass, around its thread
    pool, never per block.
    """
    return _blas_libraries().limit(limits=1, user_api="blas")


def ordered_sum(task, parts, make_acc, jobs):
    """Run ``task(part, acc)`` on every part with a fresh ``acc = make_acc()``; merge in order.

    Parameters
    ----------
    task : callable (part, acc) -> None
        Adds what one part contributes to ``acc``; runs in a worker thread
        when ``jobs > 1`` (it must write only to ``acc`` and to rows of its own).
    parts : sequence
        E.g. row slices; the result does not depend on ``jobs``: every part
        has its own accumulator and they are merged (``acc.merge``) in the
        parts' order.
    make_acc : callable () -> accumulator with ``merge(other) -> self``
    jobs : int >= 1
        Threads; at most ``len(parts)`` are started.

    Returns
    -------
    The merged accumulator (``make_acc()`` when there are no parts).
    """
    parts = list(parts)

    def run(part):
        acc = make_acc()
        task(part, acc)
        return acc

    total = None
    with one_blas_thread():
        workers = min(jobs, len(parts))
        if workers <= 1:
            for part in parts:            # one part's block in memory at a time
                acc = run(part)
                total = acc if total is None else total.merge(acc)
            return make_acc() if total is None else total
        # the parts' answers come back through a queue whose wait is in C: a
        # signal's exception (Ctrl-C) raised in a Python-level lock wait, such as
        # Future.result's, can leave that lock released ("cannot release
        # un-acquired lock") instead of stopping the pass
        done = queue.SimpleQueue()
        pool = ThreadPoolExecutor(workers, thread_name_prefix="gmm-pass")
        try:
            for i, part in enumerate(parts):
                pool.submit(_answer, done, i, run, part)
            early = {}
            for i in range(len(parts)):
                while i not in early:
                    j, acc, error = done.get()
                    if error is not None:
                        raise error
                    early[j] = acc
                acc = early.pop(i)
                total = acc if total is None else total.merge(acc)
        finally:     # Ctrl-C or an error: drop the blocks not started
            pool.shutdown(wait=True, cancel_futures=True)
    return total


def _answer(done, i, run, part):
    """Put ``(i, run(part), None)``, or ``(i, None, the exception)``, into ``done``."""
    try:
        done.put((i, run(part), None))
    except BaseException as error:      # handed to the waiting thread, which raises it
        done.put((i, None, error))


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
    for sl in block_slices(X.shape[0], size):
        yield sl, read_block(X, sl)


def block_slices(n, size=None):
    """Slices of ``size`` (default BLOCK_ROWS) rows covering ``range(n)``."""
    size = BLOCK_ROWS if size is None else size
    return [slice(a, min(a + size, n)) for a in range(0, n, size)]


def task_slices(n, rows=None):
    """Slices of ``rows`` (default TASK_ROWS, read at each call) rows covering
    ``range(n)``: the blocks of a pass."""
    return block_slices(n, TASK_ROWS if rows is None else rows)


def e_step_task_rows(k):
    """Rows per task of an E-step pass with ``k`` components: TASK_ROWS, times the
    E-step's chunks (:func:`gmm_core.e_step_rows`) in CHUNK_ROWS when those are
    longer (32,768 rows at k >= 6, 65,536 at k = 3 to 5, 131,072 at k <= 2).

    With few components a row is little work: tasks of TASK_ROWS rows would
    spend their time handing work to threads (at k = 2, two threads were
    slower than one), so they grow with the chunks. Read at each call, as
    TASK_ROWS (tests shrink it to cut small data into many tasks).
    """
    return TASK_ROWS * max(1, e_step_rows(k) // CHUNK_ROWS)


def read_block(X, sl):
    """Rows ``sl`` of X as a new float64 array (m, d), X's pages under them released."""
    if isinstance(X, StandardisedRows):
        return X[sl]
    block = np.array(X[sl], dtype=float)
    release(X[sl])
    return block


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

    def each(self, fn, make_acc, task_rows=None):
        """``fn(xt, rows, acc)`` on every block, ``xt`` (d, m) the centred rows of
        slice ``rows``, with one accumulator ``acc = make_acc()``; returns it.
        The E-step calls it with ``task_rows=``, the rows of a block where the
        source cuts them itself (a source whose blocks are given, e.g. dask's
        chunks, accepts and ignores it)."""

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


class InMemoryRows:
    """The row source of centred data in memory, ``XT`` (d, n) (one point per column),
    in blocks of TASK_ROWS columns (an E-step's: :func:`e_step_task_rows`) spread
    over ``n_jobs`` threads.

    Attributes
    ----------
    shape : (n, d)
    centre : ndarray (d,) or None
        What was subtracted from the data (set by :func:`centred_rows`).
    radius_sq : float
        The largest squared norm of a column.
    """

    ordered = True      # blocks in row order when asked for (jobs=1)

    def __init__(self, XT, n_jobs=None, radius_sq=None, centre=None):
        self.XT = XT
        self.shape = (XT.shape[1], XT.shape[0])
        self.jobs = resolve_jobs(n_jobs)
        self.centre = centre
        self.radius_sq = (float(np.einsum("ij,ij->j", XT, XT).max()) if radius_sq is None
                          else radius_sq)

    def each(self, fn, make_acc, jobs=None, task_rows=None):
        """``fn(xt, rows, acc)`` on every block ``xt = XT[:, rows]`` of ``task_rows``
        columns (default TASK_ROWS), each with its own accumulator, merged in block
        order (any ``jobs`` gives the same numbers)."""
        return ordered_sum(lambda sl, acc: fn(self.XT[:, sl], sl, acc),
                           task_slices(self.shape[0], task_rows), make_acc,
                           self.jobs if jobs is None else jobs)

    def sample(self, idx):
        """The rows ``idx``, shape (m, d)."""
        return self.XT[:, idx].T

    def new_labels(self, k):
        """An (n,) int32 label array."""
        return np.empty(self.shape[0], dtype=np.int32)


class _Facts:
    """Per-block column sums, then the centred blocks' reach, squares and largest norm."""

    def __init__(self, d):
        self.sums = np.zeros(d)
        self.reach = np.zeros(d)        # largest |x_i - centre_i|
        self.squares = np.zeros(d)      # sum of (x_i - centre_i)^2
        self.radius_sq = 0.0            # largest |x - centre|^2

    def merge(self, other):
        self.sums += other.sums
        self.reach = np.maximum(self.reach, other.reach)
        self.squares += other.squares
        self.radius_sq = max(self.radius_sq, other.radius_sq)
        return self


def centred_rows(X, jobs):
    """Finite X (n, d) in memory as an :class:`InMemoryRows` centred on its mean.

    Two passes over blocks of rows spread over ``jobs`` threads: the first
    copies X transposed and sums its columns, the second centres the copy and
    measures it, so X is read once and no (n, d) temporary is made.

    Returns
    -------
    rows : InMemoryRows
    spread, variance : float
        The largest absolute centred coordinate and the largest column
        variance (what :func:`gmm_core.check_scale` looks at).
    """
    n, d = X.shape
    XT = np.empty((d, n))
    parts = task_slices(n)
    make = functools.partial(_Facts, d)

    def copy(sl, acc):
        xt = XT[:, sl]
        xt[...] = X[sl].T
        acc.sums += xt.sum(axis=1)

    with np.errstate(over="ignore", invalid="ignore"):
        sums = ordered_sum(copy, parts, make, jobs).sums
    # numpy's own mean up to EXACT_MEAN_ROWS rows (the centre of earlier
    # versions to the last bit, so fits on small data repeat exactly); above,
    # the blocks' sums (to rounding the same, and not a serial pass)
    centre = X.mean(axis=0) if n <= EXACT_MEAN_ROWS else sums / n
    if not np.isfinite(centre).all():       # |X| near float64's limit: the sums overflowed
        centre = (0.5 * X).mean(axis=0) * 2.0

    def centre_block(sl, acc):
        xt = XT[:, sl]
        xt -= centre[:, None]
        acc.reach = np.maximum(xt.max(axis=1), -xt.min(axis=1))
        acc.squares = np.einsum("ij,ij->i", xt, xt)
        acc.radius_sq = float(np.einsum("ij,ij->j", xt, xt).max())

    with np.errstate(over="ignore", invalid="ignore"):
        facts = ordered_sum(centre_block, parts, make, jobs)
    rows = InMemoryRows(XT, jobs, facts.radius_sq, centre)
    return rows, float(facts.reach.max()), float(facts.squares.max()) / n


class _Parts:
    """An accumulator that keeps its parts in order (summaries of blocks)."""

    def __init__(self):
        self.parts = []

    def merge(self, other):
        self.parts.extend(other.parts)
        return self


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

    def __init__(self, X, n_jobs=None):
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must be 2-D of shape (n_samples, n_features) and non-empty, "
                             f"got shape {X.shape}")
        self.X = X
        self.shape = tuple(int(s) for s in X.shape)
        self.jobs = resolve_jobs(n_jobs)
        self.centre = None
        self.radius_sq = None

    def summary(self):
        """One pass: the :class:`Summary` of all rows; sets :attr:`centre` and
        :attr:`radius_sq` from it."""
        shift = np.array(self.X[0], dtype=float)

        def task(sl, acc):
            acc.parts.append(summarise(read_block(self.X, sl), shift))

        parts = ordered_sum(task, task_slices(self.shape[0]), _Parts,
                            self.jobs).parts
        summary = combine(parts)
        self.centre, self.radius_sq = summary.centre(), summary.scale_facts()[2]
        return summary

    def each(self, fn, make_acc, jobs=None, task_rows=None):
        """``fn(xt, rows, acc)`` on every block of ``task_rows`` rows (default
        TASK_ROWS), ``xt`` (d, m) the centred rows of slice ``rows``, each block
        with its own ``acc = make_acc()``, the blocks spread over ``jobs`` threads
        (default: the source's); returns the accumulators merged in block order
        (:func:`ordered_sum`)."""
        def task(sl, acc):
            block = read_block(self.X, sl)
            block -= self.centre
            fn(np.ascontiguousarray(block.T), sl, acc)

        return ordered_sum(task, task_slices(self.shape[0], task_rows), make_acc,
                           self.jobs if jobs is None else jobs)

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


class _Total:
    """An accumulator of one sum (the log-density of the rows of a pass)."""

    def __init__(self):
        self.total = 0.0

    def merge(self, other):
        self.total += other.total
        return self


def evaluate_rows(X, log_resp_of, k, what, n_jobs=None, dtype=np.float64):
    """A model's answers on data read block by block (a memory map), reduced.

    The blocks are read, evaluated and dropped in turn (spread over
    ``n_jobs`` threads); only the answer is of size n.

    Parameters
    ----------
    X : np.memmap or StandardisedRows, shape (n, d)
    log_resp_of : callable, rows (m, d) -> (log p(x) (m,), log-responsibilities (m, k))
        E.g. :func:`gmm_em.log_responsibilities` with the model's parameters.
    k : int
        Number of components.
    what : {"labels", "proba", "density", "total"}
        The most responsible component (n,) int64, the responsibilities
        (n, k), the log-density (n,), or its sum over the rows (a float,
        nothing of size n).
    n_jobs : int or None
        As :func:`resolve_jobs`.
    dtype : numpy dtype
        Of "proba" and "density" (float32 for float32 data, as scikit-learn).
    """
    n = X.shape[0]
    out = {"labels": lambda: np.empty(n, dtype=np.int64),
           "proba": lambda: np.empty((n, k), dtype=dtype),
           "density": lambda: np.empty(n, dtype=dtype),
           "total": lambda: None}[what]()

    def task(sl, acc):
        norm, log_resp = log_resp_of(read_block(X, sl))
        if what == "labels":
            out[sl] = log_resp.argmax(axis=1)
        elif what == "proba":
            out[sl] = np.exp(log_resp)
        elif what == "density":
            out[sl] = norm
        acc.total += float(norm.sum())

    acc = ordered_sum(task, task_slices(n), _Total, resolve_jobs(n_jobs))
    return acc.total if out is None else out


def column_min_max(X):
    """Column minima and maxima (d,) of X (n, d): block by block for a memory-mapped
    array (its pages released), ``X.min(axis=0), X.max(axis=0)`` otherwise."""
    if not is_streamed(X) and (_mapping(X) is None or X.shape[0] <= BLOCK_ROWS):
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


class ProjectedRows(StandardisedRows):
    """``(X - centre) @ P.T`` of an (n, d) array (a 2-D view of it), computed when read.

    Parameters
    ----------
    X : ndarray (n, d), typically an ``np.memmap``
    P : ndarray (v, d)
        The projection (:func:`gmm_transforms.view_of`'s).
    centre : ndarray (d,)

    Indexing with a row slice or an integer array gives the projected rows as
    a new (m, v) float64 array; the (n, v) view is never formed.
    """

    def __init__(self, X, P, centre):
        super().__init__(X, centre, np.ones(X.shape[1]))
        self.P = np.asarray(P, dtype=float)
        self.shape = (X.shape[0], self.P.shape[0])

    def __getitem__(self, rows):
        return super().__getitem__(rows) @ self.P.T


def project_rows(X, P, centre):
    """``(X - centre) @ P.T`` (n, v): a product for data in memory, a
    :class:`ProjectedRows` read block by block for a memory map."""
    if is_streamed(X):
        return ProjectedRows(X, P, centre)
    return (X - centre) @ np.asarray(P, dtype=float).T


def read_rows(X, rows, size=None):
    """Rows ``rows`` (increasing integer indices) of X as a new float64 array (m, d).

    Read ``size`` (default :data:`gmm_core.CHUNK_ROWS`) indices at a time, a
    memory map's pages under each group released, so scattered rows of a file
    larger than memory cost O(m) memory, not the pages they touch.
    """
    rows = np.asarray(rows, dtype=np.intp)
    size = CHUNK_ROWS if size is None else size
    out = np.empty((len(rows),) + tuple(X.shape[1:]), dtype=float)
    for a in range(0, len(rows), size):
        part = rows[a:a + size]
        out[a:a + size] = X[part]
        if not isinstance(X, StandardisedRows):     # a view releases its own pages
            release(X[part[0]:part[-1] + 1])
    return out


def column_moments(X, scale=None):
    """The column means (d,) of X (n, d) and the covariance (d, d) of ``X / scale``,
    block by block (two passes: the means, then the centred cross-products).

    The numbers of ``X.mean(axis=0)`` and ``Xc.T @ Xc / n`` with ``Xc = (X -
    mean) / scale``, to rounding; memory O(block).
    """
    n, d = X.shape
    s = np.ones(d) if scale is None else np.asarray(scale, dtype=float)
    shift = read_rows(X, [0])[0]
    total = np.zeros(d)
    for _, block in row_blocks(X):
        total += (block - shift).sum(axis=0)
    centre = shift + total / n
    cross = np.zeros((d, d))
    for _, block in row_blocks(X):
        dev = (block - centre) / s
        cross += dev.T @ dev
    return centre, cross / n
