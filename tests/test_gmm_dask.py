"""EM on a ``dask.array`` (gmm_dask): the same states as the numpy path.

The reference is the in-memory numpy path (itself checked against
scikit-learn in test_gmm_em): the same rows as a ``dask.array``, on a
LocalCluster of 2 worker processes (started once for this module), must give
the same states to 1e-10, an emptied component refilled as in memory
included.
"""
import numpy as np
import pytest

import gmm
from block_data import assert_same_states, blobs, duplicated

pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def large():
    """150,000 rows (n, 2): above the subsample threshold."""
    return blobs(150_000, seed=1)


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random_from_data"])
def test_dask_states_equal_numpy(client, large, init):
    import dask.array as da
    X = large
    D = da.from_array(X, chunks=(40_000, 2))
    a = list(gmm.em_steps(X, 3, max_iter=3, tol=0, init=init, random_state=5))
    b = list(gmm.em_steps(D, 3, max_iter=3, tol=0, init=init, random_state=5))
    assert isinstance(b[0].labels, da.Array)       # lazy until asked for
    assert_same_states(a, b)


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_dask_small_every_covariance_type(client, cov):
    import dask.array as da
    X = blobs(2000, seed=8, d=3)
    D = da.from_array(X, chunks=(300, 1))                # columns split: merged per block
    a = list(gmm.em_steps(X, 4, max_iter=3, tol=0, covariance_type=cov, random_state=1))
    b = list(gmm.em_steps(D, 4, max_iter=3, tol=0, covariance_type=cov, random_state=1))
    assert_same_states(a, b)


def test_gaussian_mixture_fits_dask(client):
    import dask.array as da
    X = blobs(5000, seed=9)
    ours = gmm.GaussianMixture(3, random_state=0).fit(da.from_array(X, chunks=(1000, 2)))
    ref = gmm.GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_allclose(ours.means_, ref.means_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.covariances_, ref.covariances_, rtol=0, atol=1e-10)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(np.asarray(ours.labels_), ref.labels_)


def test_dask_bad_input(client):
    import dask.array as da
    X = blobs(100)
    X[7, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity in 1 of 100 rows"):
        gmm.em_steps(da.from_array(X, chunks=(30, 2)), 2)
    with pytest.raises(ValueError, match="2-D"):
        gmm.em_steps(da.ones(10, chunks=5), 2)
    with pytest.raises(ValueError, match='init="random"'):
        next(gmm.em_steps(da.from_array(blobs(200_000), chunks=(50_000, 2)), 2, init="random"))


def test_cli_reads_a_directory_of_npy_shards(client, tmp_path, capsys):
    """--load_path of a directory: the shards as one dask array, fitted on the
    cluster; the same log-likelihoods as the same rows in one file."""
    import visualize_gmm
    X = blobs(3000, seed=11)
    (tmp_path / "shards").mkdir()
    for i in range(3):
        np.save(tmp_path / "shards" / f"part{i}.npy", X[1000 * i:1000 * (i + 1)])
    np.save(tmp_path / "all.npy", X)
    runs = []
    for source in ("shards", "all.npy"):
        argv = ["--load_path", str(tmp_path / source), "-k", "3", "-i", "4", "--seed", "0",
                "--print_ll", "--save", str(tmp_path / f"{source}.png")]
        assert visualize_gmm.main(argv) == 0
        runs.append([float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()
                     if line.startswith("iteration")])
    assert len(runs[0]) == 5
    np.testing.assert_allclose(runs[0], runs[1], rtol=0, atol=2e-6)   # printed to 6 decimals


def test_an_emptied_component_is_refilled_as_in_memory(client, tmp_path):
    """Rows with three distinct values and five components: the subsample's seeds
    repeat, two centres get no row, and each takes the farthest row (weight 1/n),
    in the dask path exactly as in memory and in a memory map."""
    import dask.array as da
    X = duplicated(120_000, seed=3)
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    a = list(gmm.em_steps(X, 5, max_iter=2, tol=0, random_state=0))
    b = list(gmm.em_steps(da.from_array(X, chunks=(25_000, 2)), 5, max_iter=2, tol=0,
                          random_state=0))
    c = list(gmm.em_steps(M, 5, max_iter=2, tol=0, random_state=0))
    assert_same_states(a, b)
    assert_same_states(a, c)
    assert np.sort(a[0].weights)[:2] == pytest.approx([1 / len(X)] * 2, rel=1e-9)


def test_dask_blocks_run_with_one_blas_thread(client):
    """A pass limits BLAS to one thread around dask's computation and restores it."""
    import dask
    import dask.array as da
    from threadpoolctl import threadpool_info

    import gmm_dask
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    seen = []
    source = gmm_dask.DaskRows(da.from_array(blobs(1000), chunks=(300, 2)))
    source.summary()
    with dask.config.set(scheduler="threads"):
        source.each(lambda xt, rows, acc: seen.append(
            [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]),
            lambda: _Nothing())
    assert seen and all(n == 1 for threads in seen for n in threads)
    assert [lib["num_threads"] for lib in threadpool_info()
            if lib["user_api"] == "blas"] == before


class _Nothing:
    """An accumulator with nothing to add."""

    def merge(self, other):
        return self
