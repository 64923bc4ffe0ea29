"""EM on a ``dask.array``: each pass is one map over the row blocks plus a sum.

Imported by :func:`gmm_em.row_source` only when ``X`` is a dask array, so
dask stays an optional dependency (``pip install .[dask]``).  The engine's
passes are written as ``fn(xt, rows, acc)`` on centred blocks ``xt`` (d, m)
of rows; :class:`DaskRows` runs that same function on every dask block (on
the workers of whatever scheduler is active, e.g. a
``dask.distributed.Client``) with a fresh accumulator each, and adds the
accumulators up.  Nothing else of the engine is written twice.

The numbers equal the numpy path's up to the order of the additions (about
1e-15 relative per pass): the blocks are dask's chunks, the chunks inside a
block the engine's (``gmm_core.e_step_rows`` in the E-step).
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np

from gmm_blocks import combine, one_blas_thread, summarise

__all__ = ["DaskRows", "from_shards"]


def _read_shard(path, shape):
    """Shard ``path`` as float64 of ``shape`` (n_i, d): a 1-D shard is one column."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False),
                      dtype=float).reshape(shape)


def from_shards(paths, shapes):
    """``.npy`` shards (checked already) as one float64 dask array (sum n_i, d), one block
    per shard, each read where its block is computed (a worker reads the file itself)."""
    return da.concatenate([da.from_delayed(dask.delayed(_read_shard)(path, shape), shape=shape,
                                           dtype=np.float64)
                           for path, shape in zip(paths, shapes)], axis=0)


def _centred_T(block, centre):
    """Rows (m, d) of a block as centred points, one per column (d, m)."""
    return np.ascontiguousarray((np.asarray(block, dtype=float) - centre).T)


def _run_block(block, centre, fn, make_acc, rows):
    acc = make_acc()
    fn(_centred_T(block, centre), rows, acc)
    return acc


def _merge(accs):
    total = accs[0]
    for acc in accs[1:]:
        total.merge(acc)
    return total


class DaskRows:
    """A 2-D ``dask.array`` chunked by rows, as the row source of :mod:`gmm_em`.

    Parameters
    ----------
    X : dask.array.Array, shape (n, d)
        Known chunk sizes; the columns are merged into one chunk per block
        (a rechunk, when they were split).

    Attributes
    ----------
    shape : (n, d)
    centre : ndarray (d,), set by :meth:`summary` (the column means)
    radius_sq : float, likewise (a bound on a centred row's squared norm)
    """

    #: blocks run in parallel, not in row order
    ordered = False

    def __init__(self, X):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D of shape (n_samples, n_features), got {X.ndim}-D "
                             f"with shape {X.shape}")
        if any(np.isnan(c) for c in X.shape):
            raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first")
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X is empty (shape {X.shape}); it needs at least one sample "
                             "and one feature")
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers, got dtype {X.dtype}")
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})
        self.X = X
        self.shape = tuple(int(s) for s in X.shape)
        self.centre = None
        self.radius_sq = None

    def _blocks(self):
        return list(self.X.to_delayed().ravel())

    def summary(self):
        """One pass: the :class:`gmm_blocks.Summary` of all rows; sets
        :attr:`centre` and :attr:`radius_sq` from it."""
        shift = np.asarray(self.X[0].compute(), dtype=float)
        parts = [dask.delayed(summarise)(dask.delayed(np.asarray)(b, dtype=float), shift)
                 for b in self._blocks()]
        with one_blas_thread():
            summary = dask.compute(dask.delayed(combine)(parts))[0]
        self.centre, self.radius_sq = summary.centre(), summary.scale_facts()[2]
        return summary

    def each(self, fn, make_acc, jobs=None, task_rows=None):
        """``fn(xt, rows, acc)`` on every block (``rows`` its slice of rows), each with
        its own ``make_acc()``,
        computed in parallel by dask's active scheduler (``jobs`` and ``task_rows``
        are not used: the scheduler decides, the blocks are the array's chunks);
        returns the accumulators merged in block order.

        BLAS runs on one thread per block: the limit is set in this process
        around the computation (dask's default threaded scheduler runs here);
        ``dask.distributed`` workers start with one BLAS thread already.
        """
        ends = np.cumsum(self.X.chunks[0])
        parts = [dask.delayed(_run_block)(b, self.centre, fn, make_acc,
                                          slice(int(end - size), int(end)))
                 for b, end, size in zip(self._blocks(), ends, self.X.chunks[0])]
        with one_blas_thread():
            return dask.compute(dask.delayed(_merge)(parts))[0]

    def sample(self, idx):
        """The centred rows ``idx`` (sorted ints), shape (m, d), in memory."""
        return np.asarray(self.X[idx].compute(), dtype=float) - self.centre

    def new_labels(self, k):
        """None: labels are not collected during a pass (see :meth:`lazy_labels`)."""
        return None

    def lazy_labels(self, label_fn):
        """``label_fn(xt) -> (m,)`` over every block, as a lazy (n,) dask array."""
        centre = self.centre

        def block_labels(block):
            return label_fn(_centred_T(block, centre))

        return self.X.map_blocks(block_labels, dtype=np.int32, drop_axis=1)
