"""Past memory and past one machine: memory maps, subsampled starts, EM on dask.

The references are the in-memory numpy path (itself checked against
scikit-learn elsewhere): the same data as an ``np.memmap`` or a ``dask.array``
must give the same states to 1e-10.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import gmm
import gmm_blocks
import gmm_em
import gmm_load
from block_data import assert_same_states, blobs, duplicated
from child_env import python_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def memmapped(tmp_path_factory):
    """(X in memory, the same rows as np.memmap): 150,000 rows, above the subsample threshold."""
    X = blobs(150_000, seed=1)
    path = tmp_path_factory.mktemp("mm") / "X.npy"
    np.save(path, X)
    return X, np.load(path, mmap_mode="r")


# --------------------------------------------------------------------------
# Memory maps
# --------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random", "random_from_data"])
def test_memmap_states_equal_in_memory(memmapped, init):
    X, M = memmapped
    a = list(gmm.em_steps(X, 3, max_iter=3, tol=0, init=init, random_state=5))
    b = list(gmm.em_steps(M, 3, max_iter=3, tol=0, init=init, random_state=5))
    assert_same_states(a, b)
    assert b[0].labels.dtype == np.uint8          # compact labels for data read in blocks


@pytest.mark.parametrize("cov", ["full", "diag"])
def test_an_emptied_component_is_refilled_in_a_memmap_as_in_memory(tmp_path, cov):
    """Three distinct rows, five components: two centres of the start get no row
    and each takes the farthest row (weight 1/n); a memory map (dask not needed)
    gives the in-memory states to 1e-10 at the start and the iterations after."""
    X = duplicated(120_000, seed=3)
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    a = list(gmm.em_steps(X, 5, max_iter=2, tol=0, covariance_type=cov, random_state=0))
    b = list(gmm.em_steps(M, 5, max_iter=2, tol=0, covariance_type=cov, random_state=0))
    assert_same_states(a, b)
    assert np.sort(a[0].weights)[:2] == pytest.approx([1 / len(X)] * 2, rel=1e-9)


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_small_memmap_equals_in_memory_every_covariance_type(tmp_path, cov):
    X = blobs(3000, seed=2, d=3)
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    a = list(gmm.em_steps(X, 4, max_iter=4, tol=0, covariance_type=cov, random_state=0))
    b = list(gmm.em_steps(M, 4, max_iter=4, tol=0, covariance_type=cov, random_state=0))
    assert_same_states(a, b)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(8, 600), k=st.integers(1, 4), block=st.integers(1, 200),
       cov=st.sampled_from(["full", "tied", "diag", "spherical"]), seed=st.integers(0, 99))
@example(n=8, k=3, block=1, cov="full", seed=3)     # a 2-point component: ll off by 1.4e-9
def test_any_block_size_gives_the_in_memory_states(n, k, block, cov, seed):
    """However a memory map is cut into blocks, the states are the in-memory ones
    (the mean log-likelihood to 1e-8: with a component on two of eight points
    its log-determinant is large and the sums' order shows at 1e-9)."""
    import tempfile
    X = blobs(n, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.npy")
        np.save(path, X)
        M = np.load(path, mmap_mode="r")
        old = gmm_blocks.TASK_ROWS
        gmm_blocks.TASK_ROWS = block
        try:
            b = list(gmm.em_steps(M, k, max_iter=3, tol=0, covariance_type=cov,
                                  random_state=seed))
        finally:
            gmm_blocks.TASK_ROWS = old
        del M
    a = list(gmm.em_steps(X, k, max_iter=3, tol=0, covariance_type=cov, random_state=seed))
    assert_same_states(a, b, tol=1e-9, ll_tol=1e-8)


def test_memmap_with_nonfinite_rows_is_refused(tmp_path):
    X = blobs(100)
    X[[3, 50]] = np.nan
    np.save(tmp_path / "x.npy", X)
    with pytest.raises(ValueError, match="NaN or infinity in 2 of 100 rows"):
        gmm.em_steps(np.load(tmp_path / "x.npy", mmap_mode="r"), 2)


def test_memmap_fit_never_holds_the_file(tmp_path):
    """Size-based, not timed: a fit on a 64 MB memory map grows the child's
    peak resident set by far less than the file (pages are released per block)."""
    path = tmp_path / "big.npy"
    np.save(path, blobs(4_000_000, seed=4))
    code = textwrap.dedent(f"""
        import resource, numpy as np, gmm, gmm_blocks, gmm_core
        gmm_blocks.BLOCK_ROWS = 4 * gmm_core.CHUNK_ROWS
        M = np.load({str(path)!r}, mmap_mode="r")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        states = list(gmm.em_steps(M, 3, max_iter=1, tol=0, random_state=0))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=python_path(), OPENBLAS_NUM_THREADS="1"),
                         timeout=120)
    assert out.returncode == 0, out.stderr
    grown = int(out.stdout.split()[-1])
    # two uint8 label arrays (4 MB each) and a few 1 MB blocks (about 17 MB);
    # without releasing the pages it grows by the whole 64 MB file
    assert grown < 32e6, f"peak RSS grew by {grown / 1e6:.1f} MB for a 64 MB file"


def test_nothing_imports_dask_for_numpy_or_memmap(tmp_path):
    np.save(tmp_path / "x.npy", blobs(200))
    code = textwrap.dedent(f"""
        import sys, numpy as np, gmm, visualize_gmm, data_gen
        list(gmm.em_steps(np.load({str(tmp_path / 'x.npy')!r}, mmap_mode="r"), 2, max_iter=1))
        gmm.GaussianMixture(2).fit(np.load({str(tmp_path / 'x.npy')!r}))
        assert not [m for m in sys.modules if m == "dask" or m.startswith("dask.")], "dask imported"
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=python_path()), timeout=60)
    assert out.returncode == 0, out.stderr


# --------------------------------------------------------------------------
# Subsampled starts
# --------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.integers(1, 2000))
def test_subsample_size(k):
    m = gmm_em.subsample_size(k)
    assert m >= 10_000 and m >= 100 * k * np.log(k)
    assert m <= max(10_000, 100 * k * np.log(k) + 1)


def test_large_n_seeds_on_a_subsample(monkeypatch):
    X = blobs(gmm_em.SUBSAMPLE_FACTOR * gmm_em.subsample_size(3) + 1, seed=6)
    seen = []
    original = gmm_em.kmeans_plusplus

    def spy(Xc, k, rng):
        seen.append(len(Xc))
        return original(Xc, k, rng)

    monkeypatch.setattr(gmm_em, "kmeans_plusplus", spy)
    a = next(gmm.em_steps(X, 3, random_state=7))
    b = next(gmm.em_steps(X, 3, random_state=7))
    assert seen == [gmm_em.subsample_size(3)] * 2
    np.testing.assert_array_equal(a.means, b.means)      # random_state reproduces it
    # state 0 is the M-step of the nearest-centre assignment of all rows:
    # its means are the means of the points with each state-0 label
    for j in range(3):
        np.testing.assert_allclose(a.means[j], X[a.labels == j].mean(axis=0), atol=0.05)


def test_small_n_seeds_on_every_row(monkeypatch):
    X = blobs(gmm_em.SUBSAMPLE_FACTOR * gmm_em.subsample_size(3), seed=6)
    seen = []
    original = gmm_em.kmeans_plusplus
    monkeypatch.setattr(gmm_em, "kmeans_plusplus",
                        lambda Xc, k, rng: seen.append(len(Xc)) or original(Xc, k, rng))
    next(gmm.em_steps(X, 3, random_state=7))
    assert seen == [len(X)]


# --------------------------------------------------------------------------
# docs/big-data.md's commands and the command line
# --------------------------------------------------------------------------
def test_readme_big_data_commands_at_small_n(tmp_path, monkeypatch, capsys):
    """Verbatim but for the size: 20,000 points, memory-mapped as 1e8 would be,
    with the image coloured by per-pixel representatives."""
    import shlex

    from PIL import Image

    import data_gen
    import gmm_scene2d
    import visualize_gmm
    from readme_commands import BIG_DATA_ANIMATE, BIG_DATA_GENERATE

    monkeypatch.chdir(tmp_path)
    assert data_gen.main(shlex.split(BIG_DATA_GENERATE.replace("100000000", "20000"))) == 0
    monkeypatch.setattr(gmm_load, "MMAP_BYTES", 0)
    monkeypatch.setattr(gmm_scene2d, "REPRESENTED_ABOVE", 5000)
    seen = []
    original = gmm.em_steps
    monkeypatch.setattr(gmm, "em_steps", lambda X, *a, **kw: seen.append(type(X)) or
                        original(X, *a, **kw))
    assert visualize_gmm.main(shlex.split(BIG_DATA_ANIMATE)) == 0
    assert seen == [gmm_blocks.StandardisedRows]          # fitted from the memory map
    with Image.open("big.gif") as im:
        assert im.n_frames == 20


def test_readme_bench_command_at_small_n():
    from readme_commands import BIG_DATA_BENCH
    out = subprocess.run(shlex_split(BIG_DATA_BENCH) + ["--n", "20000", "--iters", "2",
                                                         "--paths", "numpy,mmap"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=python_path(), OPENBLAS_NUM_THREADS="1"))
    assert out.returncode == 0, out.stderr
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines()[2:]}
    assert set(rows) == {"numpy", "mmap"}
    assert all(float(r[1]) > 0 for r in rows.values())


def shlex_split(command):
    import shlex
    parts = shlex.split(command)
    return [sys.executable] + parts[1:] if parts[0] == "python" else parts


def test_pyproject_has_the_dask_extra():
    import pyproject_info
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    assert 'dask = ["dask[array,distributed]' in text
    assert {"gmm_blocks", "gmm_dask"} <= set(pyproject_info.py_modules())
    with open(os.path.join(ROOT, "requirements-dev.txt"), encoding="utf-8") as fh:
        assert any(line.startswith("dask[array,distributed]") for line in fh)


def test_cli_refuses_bad_shards(tmp_path, capsys):
    import visualize_gmm
    (tmp_path / "empty").mkdir()
    assert visualize_gmm.main(["--load_path", str(tmp_path / "empty"), "--save",
                               str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "without .npy files" in err[0]
    (tmp_path / "mixed").mkdir()
    np.save(tmp_path / "mixed" / "a.npy", np.zeros((10, 2)))
    np.save(tmp_path / "mixed" / "b.npy", np.zeros((10, 3)))
    assert visualize_gmm.main(["--load_path", str(tmp_path / "mixed"), "--save",
                               str(tmp_path / "x.png")]) == 2
    assert "shards must split one array by rows" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("per_pixel", [10**9, 3])
def test_represented_image_matches_the_exact_image(monkeypatch, per_pixel):
    """With every point a representative the block-wise image is the exact one;
    with 3 per pixel the opacity (all points) is still exact and each pixel's
    colour is a mix of its own points' colours."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import gmm_plot
    import gmm_scene2d
    X = blobs(60_000, seed=12)
    labels = np.argmax(X @ [[1.0, -1.0, 0.2], [0.5, 0.3, -1.0]], axis=1).astype(np.uint8)
    state = gmm.GMMState(0, np.ones(3) / 3, np.zeros((3, 2)), np.repeat(np.eye(2)[None], 3, 0),
                         0.0, labels)
    colors = gmm_plot.component_colors(3)
    images = []
    for above in (10**9, 1000):
        monkeypatch.setattr(gmm_scene2d, "REPRESENTED_ABOVE", above)
        monkeypatch.setattr(gmm_scene2d.PointsView, "PER_PIXEL", per_pixel)
        monkeypatch.setattr(gmm_blocks, "BLOCK_ROWS", 8192)     # several blocks
        fig, ax = plt.subplots(figsize=(3, 3), dpi=50)
        ax.set_xlim(X[:, 0].min(), X[:, 0].max())
        ax.set_ylim(X[:, 1].min(), X[:, 1].max())
        view = gmm_scene2d.PointsView(ax, X, colors)
        view.update(state)
        images.append(view._image.copy())
        plt.close(fig)
    exact, represented = images
    np.testing.assert_array_equal(represented[..., 3], exact[..., 3])
    if per_pixel > len(X):
        np.testing.assert_array_equal(represented, exact)
    else:   # pure pixels (one label) keep their colour exactly
        rgb = np.round(255 * np.asarray(colors)[:, :3]).astype(np.uint8)
        pure = (exact[..., None, :3] == rgb[None, None]).all(axis=-1).any(axis=-1)
        np.testing.assert_array_equal(represented[pure, :3], exact[pure, :3])


def test_a_memory_mapped_cloud_is_drawn_by_representatives_at_any_size(tmp_path):
    """Below the size threshold too: a memory map's points never get per-point
    pixel arrays (1.7 GB of them for 2e7 points), and the image's opacity is
    the exact one."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import gmm_plot
    import gmm_scene2d
    X = blobs(60_000, seed=5)          # above IMAGE_THRESHOLD: an image
    np.save(tmp_path / "x.npy", X)
    M = np.load(tmp_path / "x.npy", mmap_mode="r")
    state = gmm.GMMState(0, np.ones(3) / 3, np.zeros((3, 2)), np.repeat(np.eye(2)[None], 3, 0),
                         0.0, (X[:, 0] > 0).astype(np.uint8))
    views = []
    for points in (X, M):
        fig, ax = plt.subplots(figsize=(3, 3), dpi=50)
        ax.set_xlim(X[:, 0].min(), X[:, 0].max())
        ax.set_ylim(X[:, 1].min(), X[:, 1].max())
        views.append(gmm_scene2d.PointsView(ax, points, gmm_plot.component_colors(3)))
        views[-1].update(state)
        plt.close(fig)
    exact, mapped = views
    assert exact._reps is None and mapped._reps is not None
    np.testing.assert_array_equal(mapped._image[..., 3], exact._image[..., 3])


def test_load_points_mmap(tmp_path):
    import data_gen
    X = blobs(1000, seed=13)
    np.save(tmp_path / "x.npy", X)
    M = data_gen.load_points(tmp_path / "x.npy", mmap=True)
    assert isinstance(M, np.memmap) and not M.flags.writeable
    np.testing.assert_array_equal(M, X)
    # other dtypes and column choices are read into memory, as without mmap
    np.save(tmp_path / "f32.npy", X.astype(np.float32))
    F = data_gen.load_points(tmp_path / "f32.npy", mmap=True)
    assert type(F) is np.ndarray and F.dtype == np.float64
    assert type(data_gen.load_points(tmp_path / "x.npy", mmap=True, columns=[1, 0])) is np.ndarray
    # the same one-line refusal of non-finite rows, found block by block
    X[[5, 700]] = np.nan
    np.save(tmp_path / "bad.npy", X)
    messages = []
    for mmap in (False, True):
        with pytest.raises(data_gen.DataError) as info:
            data_gen.load_points(tmp_path / "bad.npy", mmap=mmap)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "of 1000 contain NaN or inf (first at row index 5)" in messages[1]
