"""Row blocks (gmm_blocks): memory maps read block by block, and passes spread over threads.

References: the same rows in memory (``gmm_transforms.standardise``, numpy's
own sums), the kernel's count of resident pages, threadpoolctl's report of
BLAS threads, and one thread's results (any thread count must give them to
the last bit: the blocks' sums are added in block order).
"""
import os
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from threadpoolctl import threadpool_info

import gmm
import gmm_blocks
import gmm_core
import gmm_transforms
from block_data import assert_same_states, blobs


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


class _Rows:
    """An accumulator of (part, thread name) pairs and a sum, merged in order."""

    def __init__(self):
        self.parts, self.threads, self.total = [], set(), 0.0

    def merge(self, other):
        self.parts += other.parts
        self.threads |= other.threads
        self.total += other.total
        return self


# --------------------------------------------------------------------------
# Passes over threads
# --------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(n_parts=st.integers(0, 40), jobs=st.integers(1, 6), seed=st.integers(0, 99))
def test_ordered_sum_merges_in_part_order_whatever_the_threads(n_parts, jobs, seed):
    """Parts come back in their order and the float sum is one thread's, bit for bit."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=n_parts) * 10.0 ** rng.integers(-8, 9, size=n_parts)  # rounding shows

    def task(i, acc):
        acc.parts.append(i)
        acc.threads.add(threading.current_thread().name)
        acc.total += float(values[i])

    one = gmm_blocks.ordered_sum(task, range(n_parts), _Rows, 1)
    many = gmm_blocks.ordered_sum(task, range(n_parts), _Rows, jobs)
    assert many.parts == one.parts == list(range(n_parts))
    assert many.total == one.total                      # the same additions in the same order
    expected = 0.0
    for v in values:
        expected += float(v)
    assert one.total == expected
    assert len(many.threads) <= max(min(jobs, n_parts), 1)


def test_ordered_sum_uses_several_threads_and_one_blas_thread_each():
    seen = []
    barrier = threading.Barrier(2, timeout=10)

    def task(i, acc):
        seen.append((threading.current_thread().name, _blas_threads()))
        if i < 2:
            barrier.wait()                  # both workers run at once
    before = _blas_threads()
    gmm_blocks.ordered_sum(task, range(6), _Rows, 2)
    assert len({name for name, _ in seen}) == 2
    assert all(n == 1 for _, threads in seen for n in threads)
    assert _blas_threads() == before        # restored after the pass


def test_ordered_sum_stops_at_an_error_and_drops_the_rest():
    ran = []

    def task(i, acc):
        ran.append(i)
        if i == 0:
            raise ValueError("block 0 failed")

    with pytest.raises(ValueError, match="block 0 failed"):
        gmm_blocks.ordered_sum(task, range(10_000), _Rows, 2)
    assert len(ran) < 10_000


@pytest.mark.parametrize("value, threads", [
    (None, gmm_core.usable_cores()), (-1, gmm_core.usable_cores()), (1, 1), (3, 3),
    (10**20, 10**20), (np.int64(2), 2), (-10**20, 1),
    (-2, max(gmm_core.usable_cores() - 1, 1))])
def test_n_jobs_values_have_scikit_learns_meanings(value, threads):
    assert gmm_blocks.resolve_jobs(value) == threads


@pytest.mark.parametrize("value, error", [
    (0, ValueError), (True, TypeError), (2.0, TypeError), (float("nan"), TypeError),
    ("2", TypeError), ([2], TypeError), (np.float64(1.0), TypeError)])
def test_bad_n_jobs_are_refused_naming_it(value, error):
    with pytest.raises(error, match="n_jobs") as info:
        gmm_blocks.resolve_jobs(value)
    assert "\n" not in str(info.value)
    with pytest.raises(error, match="n_jobs"):
        gmm.em_steps(blobs(50), 2, n_jobs=value)
    with pytest.raises(error, match="n_jobs"):
        with gmm_blocks.parallel_jobs(value):
            pass


def test_parallel_jobs_sets_the_default_inside_its_block_only():
    assert gmm_blocks.resolve_jobs(None) == gmm_core.usable_cores()
    with gmm_blocks.parallel_jobs(1):
        assert gmm_blocks.resolve_jobs(None) == 1
        assert gmm_blocks.resolve_jobs(3) == 3          # an explicit n_jobs wins
        with gmm_blocks.parallel_jobs(2):
            assert gmm_blocks.resolve_jobs(None) == 2
        assert gmm_blocks.resolve_jobs(None) == 1
    assert gmm_blocks.resolve_jobs(None) == gmm_core.usable_cores()


def test_task_slices_cover_the_rows_in_order(monkeypatch):
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 7)
    slices = gmm_blocks.task_slices(30)
    assert [(s.start, s.stop) for s in slices] == [(0, 7), (7, 14), (14, 21), (21, 28), (28, 30)]
    assert gmm_blocks.task_slices(0) == []


@pytest.mark.parametrize("jobs", [2, 3, -1])
def test_memmap_passes_give_one_threads_states(tmp_path, monkeypatch, jobs):
    """A memory map cut into 40 blocks: every thread count gives the states of one
    thread exactly, and the in-memory states to 1e-12."""
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 1000)
    X = blobs(40_000, seed=4)
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    one = list(gmm.em_steps(M, 3, max_iter=3, tol=0, random_state=0, n_jobs=1))
    many = list(gmm.em_steps(M, 3, max_iter=3, tol=0, random_state=0, n_jobs=jobs))
    assert_same_states(one, many, tol=0.0, ll_tol=1e-300)
    assert_same_states(list(gmm.em_steps(X, 3, max_iter=3, tol=0, random_state=0)), many,
                       tol=1e-12)


def test_row_stream_summary_is_numpys(tmp_path, monkeypatch):
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 333)
    X = blobs(5000, seed=5) * [1.0, 1e3] + [1e6, -3.0]
    np.save(tmp_path / "x.npy", X)
    source = gmm_blocks.RowStream(np.load(tmp_path / "x.npy", mmap_mode="r"), n_jobs=2)
    summary = source.summary()
    assert summary.n == 5000 and summary.bad == 0
    np.testing.assert_allclose(summary.centre(), X.mean(axis=0), rtol=1e-14)
    np.testing.assert_array_equal(summary.low, X.min(axis=0))
    np.testing.assert_array_equal(summary.high, X.max(axis=0))
    assert source.radius_sq >= float(((X - X.mean(axis=0)) ** 2).sum(axis=1).max())


# --------------------------------------------------------------------------
# Memory maps
# --------------------------------------------------------------------------
def test_standardise_lazy_matches_standardise(tmp_path):
    X = blobs(5000, seed=3) * [1.0, 300.0] + [5.0, -2e4]
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    for per_column in (True, False):
        Z, centre, scale = gmm_transforms.standardise(X, per_column=per_column)
        lazy, c2, s2 = gmm_blocks.standardise_lazy(M, per_column=per_column)
        assert isinstance(lazy, gmm_blocks.StandardisedRows) and lazy.X is M   # a view, no copy
        np.testing.assert_allclose(c2, centre, rtol=1e-13)
        np.testing.assert_allclose(s2, scale, rtol=1e-12)
        np.testing.assert_allclose(lazy[100:200], Z[100:200], rtol=0, atol=1e-12)
        a = list(gmm.em_steps(Z, 3, max_iter=2, tol=0, random_state=0))
        b = list(gmm.em_steps(lazy, 3, max_iter=2, tol=0, random_state=0))
        assert_same_states(a, b, tol=1e-9)


def test_release_drops_touched_pages(tmp_path):
    """The resident pages of a memory map go back to the kernel after release()."""
    np.save(tmp_path / "x.npy", np.ones((1_000_000, 2)))
    M = np.load(tmp_path / "x.npy", mmap_mode="r")

    def rss():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    if not os.path.exists("/proc/self/statm"):
        pytest.skip("needs /proc")
    base = rss()
    assert float(M.sum()) == 2e6
    touched = rss()
    gmm_blocks.release(M)
    assert touched - base > 10e6 and rss() - base < 2e6


# --------------------------------------------------------------------------
# What the views of a memory map read: chosen rows, a 2-D view, PCA moments
# --------------------------------------------------------------------------
@pytest.fixture
def mapped(tmp_path):
    """(X in memory (5000, 4), the same rows as an np.memmap)."""
    X = blobs(5000, seed=9, d=4) * [1.0, 3.0, 0.5, 10.0] + [0.0, 1e4, -3.0, 7.0]
    np.save(tmp_path / "x.npy", X)
    return X, np.load(tmp_path / "x.npy", mmap_mode="r")


@settings(max_examples=20, deadline=None)
@given(picks=st.lists(st.integers(0, 4999), min_size=1, max_size=60, unique=True),
       size=st.integers(1, 25))
def test_read_rows_is_fancy_indexing_in_groups(tmp_path_factory, picks, size):
    """Any increasing rows, any group size: X[rows] of a memory map, of its
    standardised and projected views, and of an array in memory."""
    path = tmp_path_factory.getbasetemp() / "read_rows.npy"
    if not path.exists():
        np.save(path, blobs(5000, seed=9, d=3))
    X = np.load(path)
    M = np.load(path, mmap_mode="r")
    rows = np.sort(picks)
    np.testing.assert_array_equal(gmm_blocks.read_rows(M, rows, size), X[rows])
    np.testing.assert_array_equal(gmm_blocks.read_rows(X, rows, size), X[rows])
    centre, scale = X.mean(axis=0), X.std(axis=0)
    np.testing.assert_array_equal(
        gmm_blocks.read_rows(gmm_blocks.StandardisedRows(M, centre, scale), rows, size),
        (X[rows] - centre) / scale)
    P = np.array([[0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(
        gmm_blocks.read_rows(gmm_blocks.ProjectedRows(M, P, centre), rows, size),
        (X[rows] - centre) @ P.T, rtol=0, atol=1e-12)


def test_projected_rows_are_the_projection_never_formed_whole(mapped):
    X, M = mapped
    P, centre = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0]]), X.mean(axis=0)
    view = gmm_blocks.project_rows(M, P, centre)
    assert gmm_blocks.is_streamed(view) and view.shape == (5000, 2) and len(view) == 5000
    full = (X - centre) @ P.T
    np.testing.assert_allclose(view[10:300], full[10:300], rtol=0, atol=1e-9)
    np.testing.assert_allclose(view[::97], full[::97], rtol=0, atol=1e-9)
    with pytest.raises(TypeError, match="block by block"):
        np.asarray(view)
    lo, hi = gmm_blocks.column_min_max(view)
    np.testing.assert_allclose(lo, full.min(axis=0), rtol=0, atol=1e-9)
    np.testing.assert_allclose(hi, full.max(axis=0), rtol=0, atol=1e-9)
    # data in memory: the product itself
    np.testing.assert_array_equal(gmm_blocks.project_rows(X, P, centre), full)


def test_column_moments_are_numpys_mean_and_covariance(monkeypatch, mapped):
    X, M = mapped
    monkeypatch.setattr(gmm_blocks, "BLOCK_ROWS", 700)       # several blocks
    scale = np.array([1.0, 3.0, 0.5, 10.0])
    centre, cov = gmm_blocks.column_moments(M, scale)
    np.testing.assert_allclose(centre, X.mean(axis=0), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(cov, np.cov(X / scale, rowvar=False, bias=True), rtol=1e-10,
                               atol=1e-12)


@given(k=st.integers(1, 10_000))
def test_e_step_chunks_divide_every_task_and_block(k):
    rows, task = gmm_core.e_step_rows(k), gmm_blocks.e_step_task_rows(k)
    assert rows & (rows - 1) == 0 and 8192 <= rows <= 65536      # a power of two
    assert task % rows == 0 and gmm_blocks.BLOCK_ROWS % task == 0
    assert task >= gmm_blocks.TASK_ROWS and task * k >= 131_072   # work enough per task
    if 3 <= k <= 20:                # about 160,000 numbers per (k, chunk) block
        assert 81_920 < k * rows <= 163_840


@pytest.mark.parametrize("k", [1, 2, 5])
def test_few_components_give_the_same_states_on_any_threads_and_a_memory_map(tmp_path, k):
    """Real task sizes (three tasks and a part): the E-step's larger chunks and tasks
    for few components still give one thread's states exactly, in memory and
    memory-mapped."""
    X = blobs(3 * gmm_blocks.e_step_task_rows(k) + 17, seed=k)
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    one = list(gmm.em_steps(X, k, max_iter=2, tol=0, random_state=0, n_jobs=1))
    for data, jobs in ((X, 2), (M, 1), (M, 2)):
        runs = list(gmm.em_steps(data, k, max_iter=2, tol=0, random_state=0, n_jobs=jobs))
        assert_same_states(one, runs, tol=0.0 if data is X else 1e-12,
                           ll_tol=1e-300 if data is X else 1e-12)


class _Order:
    """An accumulator that lists the parts it saw, in merge order."""

    def __init__(self):
        self.seen = []

    def merge(self, other):
        self.seen += other.seen
        return self


def test_ordered_sum_merges_in_part_order_and_passes_on_a_worker_error():
    import time

    def task(part, acc):                # later parts finish first
        time.sleep(0.002 * (10 - part))
        acc.seen.append(part)

    assert gmm_blocks.ordered_sum(task, range(10), _Order, 3).seen == list(range(10))

    def failing(part, acc):
        if part == 6:
            raise ValueError("part 6")
        acc.seen.append(part)

    with pytest.raises(ValueError, match="part 6"):
        gmm_blocks.ordered_sum(failing, range(10), _Order, 2)
