"""Tests for data_gen.py: samplers, shapes, the safe loader and the CLI."""
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib import format as npy_format
from scipy import stats

import data_gen
import gmm_load
from data_gen import DataError, circles, column_names, load_points, moons, sample_gaussians, spirals
from readme_commands import DATA_COMMANDS

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The exact commands documented in the README for the example files
# (tests/readme_commands.py holds every README command list).
EXAMPLE_COMMANDS = DATA_COMMANDS


# --------------------------------------------------------------------------- sample_gaussians


def test_sample_gaussians_shapes_and_types():
    X, means, covs = sample_gaussians(103, 4, random_state=0)
    assert X.shape == (103, 2) and X.dtype == np.float64
    assert means.shape == (4, 2) and covs.shape == (4, 2, 2)
    np.testing.assert_allclose(covs, np.swapaxes(covs, 1, 2), rtol=0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(covs) > 0)


def test_sample_gaussians_match_true_parameters_statistically():
    """Each component's points follow N(mean, cov): checked against scipy.stats."""
    n, m = 9000, 3
    X, means, covs, labels = sample_gaussians(n, m, max_radius=5, random_state=12,
                                              return_labels=True)
    assert np.bincount(labels).tolist() == [3000, 3000, 3000]
    mean_bound = stats.chi2.ppf(1 - 1e-6, df=2)
    for j in range(m):
        pts = X[labels == j]
        nj = len(pts)
        diff = pts.mean(axis=0) - means[j]
        # n (xbar - mu)^T S^-1 (xbar - mu) ~ chi2(2)
        assert nj * diff @ np.linalg.solve(covs[j], diff) < mean_bound
        # Whitened sample covariance ~ I with entry sd about sqrt(2/n).
        L = np.linalg.cholesky(covs[j])
        Linv = np.linalg.inv(L)
        W = Linv @ np.cov(pts, rowvar=False) @ Linv.T
        np.testing.assert_allclose(W, np.eye(2), atol=6 * np.sqrt(2 / nj))
        # Squared Mahalanobis distances to the true component ~ chi2(2).
        z = (pts - means[j]) @ Linv.T
        assert stats.kstest((z**2).sum(axis=1), stats.chi2(df=2).cdf).pvalue > 1e-4
        # And the sample covariance is not just isotropic noise: it matches the true one.
        np.testing.assert_allclose(np.cov(pts, rowvar=False), covs[j],
                                   atol=0.15 * np.abs(covs[j]).max())


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 25), extra=st.integers(0, 200),
       radius=st.floats(0.01, 1000), seed=st.integers(0, 2**32 - 1))
def test_sample_gaussians_even_split_and_disc(m, extra, radius, seed):
    n = m + extra
    X, means, covs, labels = sample_gaussians(n, m, max_radius=radius, random_state=seed,
                                              return_labels=True)
    counts = np.bincount(labels, minlength=m)
    assert counts.sum() == n and counts.min() >= 1 and counts.max() - counts.min() <= 1
    assert np.all(np.linalg.norm(means, axis=1) <= radius * (1 + 1e-12))
    eig = np.linalg.eigvalsh(covs)  # axis sds are in [0.04, 0.2] * radius
    assert np.all(eig >= (0.04 * radius) ** 2 * (1 - 1e-9))
    assert np.all(eig <= (0.20 * radius) ** 2 * (1 + 1e-9))


def test_sample_gaussians_scales_with_radius():
    a = sample_gaussians(500, 5, max_radius=1, random_state=3)
    b = sample_gaussians(500, 5, max_radius=10, random_state=3)
    for small, big, power in zip(a, b, (1, 1, 2)):
        np.testing.assert_allclose(big, 10**power * small, rtol=1e-12, atol=1e-12)


def _bayes_error(X, means, covs, labels):
    logp = np.column_stack([stats.multivariate_normal(mu, S).logpdf(X)
                            for mu, S in zip(means, covs)])
    return np.mean(logp.argmax(axis=1) != labels)


def test_sample_gaussians_overlap_levels():
    """m=5 at radius 10: mostly separable with some overlap; 30 in radius 3: heavy overlap."""
    few = [_bayes_error(*sample_gaussians(1000, 5, max_radius=10, random_state=s,
                                          return_labels=True)) for s in range(10)]
    assert 0.01 < np.mean(few) < 0.2
    assert max(few) > 0.05  # sometimes overlapping
    assert min(few) < 0.03  # sometimes clearly apart
    many = [_bayes_error(*sample_gaussians(1000, 30, max_radius=3, random_state=s,
                                           return_labels=True)) for s in range(3)]
    assert min(many) > 0.25


def test_sample_gaussians_random_state():
    a = sample_gaussians(50, 3, random_state=7)
    b = sample_gaussians(50, 3, random_state=7)
    c = sample_gaussians(50, 3, random_state=8)
    d = sample_gaussians(50, 3, random_state=np.random.default_rng(7))
    for x, y, z in zip(a, b, d):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
    assert not np.array_equal(a[0], c[0])
    state = np.random.get_state()[1].copy()
    sample_gaussians(50, 3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched


@pytest.mark.parametrize("args, kwargs, exc, fragment", [
    ((2, 3), {}, ValueError, "at least n_gaussians"),
    ((0, 1), {}, ValueError, "n_points"),
    ((10, 0), {}, ValueError, "n_gaussians"),
    ((10, 2), {"max_radius": 0}, ValueError, "max_radius"),
    ((10, 2), {"max_radius": float("nan")}, ValueError, "max_radius"),
    ((10.5, 2), {}, TypeError, "n_points"),
    ((10, 2), {"random_state": "seed"}, TypeError, "random_state"),
])
def test_sample_gaussians_rejects_bad_arguments(args, kwargs, exc, fragment):
    with pytest.raises(exc, match=fragment):
        sample_gaussians(*args, **kwargs)


# --------------------------------------------------------------------------- shapes


def test_circles_lie_on_three_rings_split_by_circumference():
    X = circles(600, noise=0, random_state=0)
    r = np.linalg.norm(X, axis=1)
    ring = np.rint(r)
    np.testing.assert_allclose(r, ring, atol=1e-12)
    assert np.bincount(ring.astype(int)).tolist() == [0, 100, 200, 300]
    angle = np.arctan2(X[:, 1], X[:, 0])
    assert stats.kstest(angle, stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue > 1e-4


def test_circles_noise_level_and_radii():
    X = circles(6000, noise=0.05, random_state=1)
    r = np.linalg.norm(X, axis=1)
    dev = r - np.clip(np.rint(r), 1, 3)
    assert abs(dev.std() - 0.05) < 0.005 and abs(dev.mean()) < 0.005
    Y = circles(10, noise=0, radii=(5.0,), random_state=0)
    np.testing.assert_allclose(np.linalg.norm(Y, axis=1), 5.0)


def test_spirals_lie_on_their_arms():
    n_arms, turns, radius = 3, 2.0, 4.0
    X = spirals(900, noise=0, n_arms=n_arms, turns=turns, radius=radius, random_state=2)
    t = np.linalg.norm(X, axis=1) / radius
    assert t.min() >= 0.1 - 1e-12 and t.max() <= 1 + 1e-12
    angle = np.arctan2(X[:, 1], X[:, 0])
    arm_offsets = 2 * np.pi * np.arange(n_arms) / n_arms
    expected = 2 * np.pi * turns * t[:, None] + arm_offsets
    wrapped = np.angle(np.exp(1j * (angle[:, None] - expected)))
    on_arm = np.abs(wrapped) < 1e-9
    assert np.all(on_arm.sum(axis=1) == 1)
    assert on_arm.sum(axis=0).tolist() == [300, 300, 300]


def test_moons_lie_on_two_half_circles():
    X = moons(501, noise=0, random_state=3)
    upper = np.isclose(np.linalg.norm(X, axis=1), 1) & (X[:, 1] >= -1e-12)
    lower = np.isclose(np.linalg.norm(X - [1, 0.5], axis=1), 1) & (X[:, 1] <= 0.5 + 1e-12)
    assert np.all(upper | lower)
    assert sorted([upper.sum(), lower.sum()]) == [250, 251]


@pytest.mark.parametrize("shape", [circles, spirals, moons])
def test_shapes_common_contract(shape):
    X = shape(random_state=0)
    assert X.shape == (1000, 2) and X.dtype == np.float64 and np.isfinite(X).all()
    np.testing.assert_array_equal(shape(77, random_state=5), shape(77, random_state=5))
    assert not np.array_equal(shape(77, random_state=5), shape(77, random_state=6))
    # More noise spreads the points further from the noiseless curve.
    quiet = shape(400, noise=0.0, random_state=4)
    loud = shape(400, noise=0.3, random_state=4)
    assert np.abs(loud - quiet).mean() > 0.1
    for bad in ({"noise": -0.1}, {"noise": float("inf")}):
        with pytest.raises(ValueError, match="noise"):
            shape(10, **bad)
    with pytest.raises(ValueError, match="n_points"):
        shape(0)


# --------------------------------------------------------------------------- loader: good input


def _save_text(path, text, mode="w"):
    path = pathlib.Path(path)
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_load_npy_float_int_float32_fortran_bigendian(tmp_path):
    ref = np.arange(12, dtype=np.float64).reshape(6, 2) / 3
    cases = {
        "f8": ref,
        "i8": np.arange(12).reshape(6, 2),
        "u2": np.arange(12, dtype=np.uint16).reshape(6, 2),
        "f4": ref.astype(np.float32),
        "fortran": np.asfortranarray(ref),
        "bigendian": ref.astype(">f8"),
        "wide": np.arange(15.0).reshape(5, 3),
    }
    for name, arr in cases.items():
        path = tmp_path / f"{name}.npy"
        np.save(path, arr)
        X = load_points(path)
        assert X.dtype == np.float64 and X.flags.c_contiguous
        np.testing.assert_array_equal(X, np.asarray(arr, dtype=np.float64))
        assert column_names(path) is None


@pytest.mark.parametrize("text, names", [
    ("x,y\n1,2\n3.5,-4e-3\n", ["x", "y"]),
    ("1,2\n3.5,-4e-3\n", None),
    ("1, 2\n 3.5 , -4e-3\n", None),
    ("a;b\n1;2\n3.5;-4e-3\n", ["a", "b"]),
    ("1 2\n3.5\t-4e-3\n", None),
    ("first x\tsecond y\n1\t 2\n3.5\t-4e-3\n", ["first x", "second y"]),
    ("x y\n1  2\n  3.5\t-4e-3\n", ["x", "y"]),
    ("# made by hand\n\n\"x\",\"y\"\n1,2\n\n3.5,-4e-3\n# end\n", ["x", "y"]),
    ("\ufeffx,y\r\n1,2\r\n3.5,-4e-3\r\n", ["x", "y"]),
    ('"x","y"\n"1","2"\n"3.5","-4e-3"\n', ["x", "y"]),       # every field quoted
])
def test_load_text_formats(tmp_path, text, names):
    for ext in (".csv", ".txt", ".CSV"):
        path = tmp_path / f"data{ext}"
        path.write_bytes(text.encode("utf-8"))
        np.testing.assert_array_equal(load_points(path), [[1, 2], [3.5, -4e-3]])
        assert column_names(str(path)) == names


@settings(max_examples=40, deadline=None)
@given(arr=hnp.arrays(dtype=st.sampled_from([np.float64, np.float32]),
                      shape=st.tuples(st.integers(1, 20), st.integers(2, 4)),
                      elements=st.floats(allow_nan=False, allow_infinity=False, width=32)))
def test_roundtrip_any_finite_array(arr):
    expected = arr.astype(np.float64)
    with tempfile.TemporaryDirectory() as folder:
        npy = os.path.join(folder, "a.npy")
        np.save(npy, arr)
        np.testing.assert_array_equal(load_points(npy), expected)
        csv = os.path.join(folder, "a.csv")
        np.savetxt(csv, arr, fmt="%.17g", delimiter=",")
        np.testing.assert_array_equal(load_points(csv), expected)
        txt = os.path.join(folder, "a.txt")
        np.savetxt(txt, arr, fmt="%.17g", header="u v w z"[: 2 * arr.shape[1] - 1], comments="")
        np.testing.assert_array_equal(load_points(txt), expected)


@settings(max_examples=40, deadline=None)
@given(arr=hnp.arrays(dtype=np.float64, shape=st.tuples(st.integers(1, 20), st.integers(2, 4)),
                      elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_roundtrip_full_float64_range(arr):
    with tempfile.TemporaryDirectory() as folder:
        for ext in (".npy", ".csv", ".txt"):
            path = os.path.join(folder, "b" + ext)
            data_gen.write_points(path, arr)
            np.testing.assert_array_equal(load_points(path), arr)


# --------------------------------------------------------------------------- loader: failures


def _error(path, *fragments):
    """load_points(path) raises a one-line DataError naming the file and each fragment."""
    with pytest.raises(DataError) as info:
        load_points(path)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "\n" not in message
    assert message.startswith(os.fspath(path) + ": ")
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_fail_missing_file(tmp_path):
    _error(tmp_path / "nope.npy", "no such file")


def test_fail_directory(tmp_path):
    folder = tmp_path / "points.csv"
    folder.mkdir()
    _error(folder, "is a directory")


def test_fail_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((3, 2)))

    real_open = os.open

    def denied(name, *args, **kwargs):      # _open_regular's os.open, for this file only
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    _error(path, "cannot be read", "Permission denied")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a chmod-000 file")
def test_fail_unreadable_real_permissions(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("1,2\n")
    path.chmod(0)
    _error(path, "cannot be read")


class _Marker:
    """Unpickling this creates a directory: proof that something was executed."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_fail_pickled_object_array_is_never_unpickled(tmp_path):
    marker = str(tmp_path / "was_unpickled")
    path = tmp_path / "obj.npy"
    np.save(path, np.array([[_Marker(marker), 1]], dtype=object), allow_pickle=True)
    _error(path, "Python objects", "never loaded")
    assert not os.path.exists(marker)


def test_fail_raw_pickle_renamed_npy_is_never_unpickled(tmp_path):
    marker = str(tmp_path / "was_unpickled")
    path = tmp_path / "obj.npy"
    path.write_bytes(pickle.dumps(_Marker(marker)))
    _error(path, "pickle", "never loaded")
    assert not os.path.exists(marker)


def test_fail_text_renamed_npy(tmp_path):
    path = _save_text(tmp_path / "data.npy", "x,y\n1,2\n")
    _error(path, "text file", "rename it to .csv")


def test_fail_npy_renamed_csv(tmp_path):
    path = tmp_path / "data.csv"
    with open(path, "wb") as fh:
        np.save(fh, np.zeros((3, 2)))
    _error(path, "rename it to .npy")


def test_fail_csv_with_a_word(tmp_path):
    path = _save_text(tmp_path / "data.csv", "x,y\n1,2\n3,four\n5,6\n")
    _error(path, "line 3, column 2", "'four' is not a number")


def test_fail_csv_word_in_headerless_file(tmp_path):
    path = _save_text(tmp_path / "data.txt", "1 2\n3 4\nfive 6\n")
    _error(path, "line 3, column 1", "'five'")


@pytest.mark.parametrize("arr, fragment", [
    (np.array(["a", "b"] * 3).reshape(3, 2), "strings"),
    (np.ones((3, 2), dtype=bool), "booleans"),
    (np.ones((3, 2), dtype=complex), "complex"),
    (np.zeros(3, dtype=[("x", "f8"), ("y", "f8")]), "structured"),
])
def test_fail_npy_not_numeric(tmp_path, arr, fragment):
    path = tmp_path / "bad.npy"
    np.save(path, arr)
    _error(path, fragment)


def test_fail_decimal_comma_csv(tmp_path):
    path = _save_text(tmp_path / "data.csv", "x;y\n1;2\n1,5;2,3\n")
    _error(path, "line 3, column 1", "'1,5' uses a decimal comma")


def test_fail_header_does_not_match_columns(tmp_path):
    path = _save_text(tmp_path / "data.csv", "# note\nx,y,z\n1,2\n")
    _error(path, "header on line 2 has 3 names but the rows have 2 values")


def test_fail_ragged_csv(tmp_path):
    path = _save_text(tmp_path / "data.csv", "1,2\n3,4,5\n")
    _error(path, "line 2 has 3 values", "line 1 has 2")


def test_fail_1d(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.arange(10.0))
    _error(path, "1-D array of 10 values", "reshape(-1, 2)")


def test_fail_0d(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.float64(3))
    _error(path, "0-D")


def test_fail_3d(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((4, 3, 2)))
    _error(path, "3-D array of shape (4, 3, 2)")


def test_fail_one_column_npy(tmp_path):
    path = tmp_path / "data.npy"
    np.save(path, np.zeros((5, 1)))
    msg = _error(path, "has 1 column; need at least 2")
    assert msg == (f"{path}: has 1 column; need at least 2 "
                   "(one point per row, x and y in columns)")


def test_fail_one_column_csv(tmp_path):
    path = _save_text(tmp_path / "data.csv", "x\n1\n2\n")
    _error(path, "has 1 column")


def test_fail_zero_rows_npy(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((0, 2)))
    _error(path, "0 rows")


def test_fail_empty_npy_file(tmp_path):
    path = _save_text(tmp_path / "a.npy", b"", mode="wb")
    _error(path, "is empty")


@pytest.mark.parametrize("text, fragment", [
    ("", "is empty"), ("\n  \n", "is empty"), ("x,y\n", "0 rows (only a header line)"),
    ("# only a comment\n", "0 rows"),
])
def test_fail_zero_rows_text(tmp_path, text, fragment):
    path = _save_text(tmp_path / "a.csv", text)
    _error(path, fragment)


def test_fail_nan_and_inf_rows_npy(tmp_path):
    X = np.zeros((10, 2))
    X[3, 0] = np.nan
    X[5, 1] = np.inf
    X[7] = [-np.inf, np.nan]
    path = tmp_path / "a.npy"
    np.save(path, X)
    _error(path, "3 rows of 10 contain NaN or inf", "first at row index 3")


def test_fail_nan_and_inf_rows_csv(tmp_path):
    path = _save_text(tmp_path / "a.csv", "x,y\n1,2\n\n3,nan\n4,inf\n5,6\n")
    _error(path, "2 rows of 4 contain NaN or inf", "first at line 4")


def test_fail_overflow_to_inf_is_counted(tmp_path):
    path = _save_text(tmp_path / "a.csv", "1,2\n1e400,2\n")
    _error(path, "1 row of 2 contains NaN")


@pytest.mark.parametrize("name, fragment", [
    ("data.xlsx", "unsupported file extension '.xlsx'"),
    ("data.npz", "save the array with numpy.save"),
    ("data", "unsupported file extension (none)"),
])
def test_fail_unsupported_extension(tmp_path, name, fragment):
    path = _save_text(tmp_path / name, "1,2\n")
    _error(path, fragment, "use .npy, .csv or .txt")


def test_fail_truncated_npy(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((100, 2)))
    data = path.read_bytes()
    path.write_bytes(data[:-8])
    _error(path, "truncated")


def test_fail_corrupt_header(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((3, 2)))
    data = bytearray(path.read_bytes())
    start = data.index(b"{")
    data[start:start + 5] = b"junk!"
    path.write_bytes(bytes(data))
    _error(path, "corrupt .npy header")


def test_fail_binary_garbage_npy(tmp_path):
    path = _save_text(tmp_path / "a.npy", bytes(range(256)), mode="wb")
    _error(path, "not a NumPy .npy file")


def test_fail_binary_csv(tmp_path):
    path = _save_text(tmp_path / "a.csv", b"1,2\n\x00\x01\x02", mode="wb")
    _error(path, "binary file")


def _write_header_only(path, shape, descr="<f8", size=None):
    """A .npy header for `shape`; the file is then extended (sparse) to `size` bytes."""
    with open(path, "wb") as fh:
        npy_format.write_array_header_1_0(
            fh, {"descr": descr, "fortran_order": False, "shape": shape})
        if size is not None:
            fh.truncate(fh.tell() + size)


@pytest.mark.parametrize("shape, fragment", [
    ((12_500_000, 1), "has 1 column"),
    ((12_500_000,), "1-D array of 12500000 values"),
    ((500, 5000, 5), "3-D array"),
])
def test_huge_wrong_shape_rejected_from_header_without_reading(tmp_path, monkeypatch, shape,
                                                              fragment):
    path = tmp_path / "huge.npy"
    _write_header_only(path, shape, size=100_000_000)  # 100 MB of (sparse) float64 data
    assert path.stat().st_size > 100_000_000

    def no_reading(*args, **kwargs):
        raise AssertionError("array data was read")

    monkeypatch.setattr(npy_format, "read_array", no_reading)
    monkeypatch.setattr(np, "load", no_reading)
    monkeypatch.setattr(np, "fromfile", no_reading)
    _error(path, fragment)


def test_huge_header_with_missing_data_is_rejected_as_truncated(tmp_path, monkeypatch):
    path = tmp_path / "huge.npy"
    _write_header_only(path, (12_500_000, 2))  # promises 200 MB, holds none
    monkeypatch.setattr(npy_format, "read_array", lambda *a, **k: 1 / 0)
    _error(path, "truncated", "200000000 bytes")


def test_huge_object_header_is_rejected_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.npy"
    _write_header_only(path, (1000, 2), descr="|O", size=10_000)
    monkeypatch.setattr(npy_format, "read_array", lambda *a, **k: 1 / 0)
    _error(path, "Python objects")


def test_column_names_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        column_names(tmp_path / "nope.csv")
    path = _save_text(tmp_path / "a.json", "{}")
    with pytest.raises(DataError, match="unsupported"):
        column_names(path)


# --------------------------------------------------------------------------- CLI


def _run(argv, capsys):
    code = data_gen.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _assert_cli_error(code, out, err, *fragments):
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "usage" not in err.lower()
    for fragment in fragments:
        assert fragment in err, err


def test_cli_gaussians_matches_library(tmp_path, capsys):
    out_path = tmp_path / "g.npy"
    code, out, err = _run(["gaussians", "-N", "300", "-m", "4", "--max_radius", "2.5",
                           "--seed", "9", "-o", str(out_path)], capsys)
    assert code == 0 and out == "" and "wrote 300 points" in err
    expected, _, _ = sample_gaussians(300, 4, max_radius=2.5, random_state=9)
    np.testing.assert_array_equal(load_points(out_path), expected)


@pytest.mark.parametrize("shape", ["circles", "spirals", "moons"])
def test_cli_shapes_match_library(tmp_path, capsys, shape):
    out_path = tmp_path / f"{shape}.csv"
    code, _, _ = _run([shape, "-N", "50", "--noise", "0.3", "--seed", "1",
                       "-o", str(out_path)], capsys)
    assert code == 0
    expected = getattr(data_gen, shape)(50, noise=0.3, random_state=1)
    np.testing.assert_array_equal(load_points(out_path), expected)
    assert column_names(out_path) == ["x", "y"]


def test_cli_refuses_overwrite_without_force(tmp_path, capsys):
    out_path = tmp_path / "p.npy"
    out_path.write_bytes(b"precious")
    code, out, err = _run(["moons", "-o", str(out_path)], capsys)
    _assert_cli_error(code, out, err, "already exists", "--force")
    assert out_path.read_bytes() == b"precious"
    code, _, _ = _run(["moons", "-N", "20", "-o", str(out_path), "--force"], capsys)
    assert code == 0 and load_points(out_path).shape == (20, 2)


@pytest.mark.parametrize("argv, fragment", [
    (["gaussians", "-N", "0"], "-N"),
    (["gaussians", "-N", "ten"], "whole number"),
    (["gaussians", "-N", "3", "-m", "5"], "at least n_gaussians"),
    (["gaussians", "--max_radius", "0"], "--max_radius"),
    (["gaussians", "--max_radius", "nan"], "finite"),
    (["circles", "--noise", "-1"], "--noise"),
    (["circles", "--seed", "-3"], "--seed"),
    (["triangles"], "invalid choice"),
    (["circles", "-m", "3"], "unrecognized arguments"),
    (["spirals", "--output", "{tmp}/out.png"], "unsupported output extension '.png'"),
    (["spirals", "--output", "{tmp}/no/such/dir/out.npy"], "does not exist"),
    (["spirals", "--output", "{tmp}"], "is a directory"),
])
def test_cli_bad_input_one_line_exit_2_no_file(tmp_path, capsys, argv, fragment):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--output" not in argv and "-o" not in argv:
        argv += ["-o", str(tmp_path / "out.npy")]
    code, out, err = _run(argv, capsys)
    _assert_cli_error(code, out, err, fragment)
    assert list(tmp_path.iterdir()) == []


def test_cli_missing_output_and_generator(capsys):
    _assert_cli_error(*_run(["circles"], capsys), "-o/--output")
    _assert_cli_error(*_run([], capsys), "required")


def test_cli_write_failure_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", disk_full)
    code, out, err = _run(["circles", "-o", str(tmp_path / "c.npy")], capsys)
    _assert_cli_error(code, out, err, "cannot write", "No space left")
    assert list(tmp_path.iterdir()) == []


def test_cli_help_lists_defaults(capsys):
    code, out, _ = _run(["gaussians", "--help"], capsys)
    assert code == 0
    for fragment in ("-N", "default: 1000", "-m", "default: 5", "--max_radius",
                     "default: 10", "--seed", "--force"):
        assert fragment in out
    code, out, _ = _run(["circles", "--help"], capsys)
    assert code == 0 and "--noise" in out and "default: 0.1" in out
    code, out, _ = _run(["--help"], capsys)
    assert code == 0 and all(g in out for g in data_gen.GENERATORS)


def test_cli_as_a_script_and_import_is_light(tmp_path):
    out_path = tmp_path / "s.npy"
    proc = subprocess.run([sys.executable, str(ROOT / "data_gen.py"), "spirals", "-N", "40",
                           "--seed", "2", "-o", str(out_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_array_equal(np.load(out_path), spirals(40, random_state=2))
    proc = subprocess.run([sys.executable, str(ROOT / "data_gen.py"), "spirals", "-N", "x",
                           "-o", str(out_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    code = ("import sys, data_gen; bad = {'matplotlib', 'gmm', 'gmm_plot'} & set(sys.modules);"
            "sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 0


# --------------------------------------------------------------------------- example files


@pytest.mark.parametrize("name", sorted(EXAMPLE_COMMANDS))
def test_example_files_match_their_documented_command(tmp_path, capsys, name):
    argv = EXAMPLE_COMMANDS[name].split()
    committed = ROOT / argv[argv.index("-o") + 1]
    argv[argv.index("-o") + 1] = str(tmp_path / f"{name}.npy")
    assert data_gen.main(argv) == 0
    fresh = load_points(tmp_path / f"{name}.npy")
    stored = load_points(committed)
    assert stored.shape == (1000, 2)
    np.testing.assert_allclose(fresh, stored, rtol=0, atol=1e-12)


def test_npy_data_is_read_with_allow_pickle_false(tmp_path, monkeypatch):
    real = npy_format.read_array
    seen = []

    def spy(fp, *args, **kwargs):
        seen.append(kwargs.get("allow_pickle", args[0] if args else False))
        return real(fp, *args, **kwargs)

    monkeypatch.setattr(npy_format, "read_array", spy)
    path = tmp_path / "a.npy"
    np.save(path, np.ones((2, 2)))
    load_points(path)
    assert seen == [False]


def test_readme_documents_the_example_commands():
    """The README's commands for the example files are the ones tested above."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = [line.strip() for line in readme.splitlines()
                  if line.strip().startswith("python data_gen.py ") and "examples/" in line]
    assert documented, "README.md shows no data_gen.py example command (or this filter broke)"
    expected = {f"python data_gen.py {cmd}" for cmd in EXAMPLE_COMMANDS.values()}
    assert set(documented) == expected


def test_fail_text_renamed_npy_with_utf8_cut_at_512_bytes(tmp_path):
    path = _save_text(tmp_path / "data.npy", "x,yz\n" + "é" * 400 + "\n1,2\n")
    _error(path, "text file")


@pytest.mark.parametrize("header, expected", [
    ("x,y", ["x", "y"]),          # numpy.savetxt(header="x,y") writes "# x,y"
    ("x,y,z", None),              # wrong count: not a header
    ("made by hand", None),
    ("1,2", None),                # numbers: not names
])
def test_column_names_from_savetxt_comment_header(tmp_path, header, expected):
    path = tmp_path / "a.csv"
    np.savetxt(path, np.ones((3, 2)), delimiter=",", header=header)
    assert column_names(path) == expected
    np.testing.assert_array_equal(load_points(path), np.ones((3, 2)))


@pytest.mark.parametrize("n, noun", [(1, "1 point "), (2, "2 points ")])
def test_cli_status_line_counts_points_in_english(tmp_path, capsys, n, noun):
    out_path = tmp_path / "x.npy"
    code, out, err = _run(["circles", "-N", str(n), "--seed", "0", "-o", str(out_path)], capsys)
    assert code == 0 and out == ""
    assert err == f"wrote {noun}(circles) to {out_path}\n"
    assert load_points(out_path).shape == (n, 2)


@pytest.mark.parametrize("header, comments", [("x,y", ""), ("x,y", "# "), (None, "")])
def test_load_points_with_names_equals_column_names(tmp_path, header, comments):
    path = tmp_path / "a.csv"
    X = np.arange(6.0).reshape(3, 2)
    np.savetxt(path, X, delimiter=",", header=header or "", comments=comments)
    points, names = load_points(path, with_names=True)
    np.testing.assert_array_equal(points, X)
    assert names == column_names(path) == (["x", "y"] if header else None)
    np.save(tmp_path / "b.npy", X)
    points, names = load_points(tmp_path / "b.npy", with_names=True)
    assert names is None and np.array_equal(points, X)


# ------------------------------------------------------------ row-index first columns

_POINTS = [[1.5, -2.0], [3.25, 4e-3], [-0.5, 7.0]]


def _table(head, sep, labels, quote=""):
    rows = [sep.join([f"{quote}{label}{quote}", repr(x), repr(y)])
            for label, (x, y) in zip(labels, _POINTS)]
    return "\n".join([head] + rows) + "\n"


@pytest.mark.parametrize("text", [
    _table(",x,y", ",", [0, 1, 2]),                       # pandas DataFrame.to_csv()
    _table(",x,y", ",", [7, 2, 40]),                      # ... after filtering / sampling
    _table(";x;y", ";", [0, 1, 2]),                       # ... sep=";"
    _table("\tx\ty", "\t", [0, 1, 2]),                    # ... sep="\t"
    _table('"","x","y"', ",", [1, 2, 3], quote='"'),      # R write.csv()
    _table('"x" "y"', " ", [1, 2, 3], quote='"'),         # R write.table(): one name fewer
    _table(",x,y", ",", ["0.0", "1.0", "2.0"]),           # whole numbers written as floats
])
def test_a_row_index_column_is_left_out_with_a_warning(tmp_path, text):
    path = tmp_path / "frame.csv"
    path.write_text(text)
    with pytest.warns(data_gen.IndexColumnWarning, match="first column is a row index") as got:
        X, names = load_points(path, with_names=True)
    assert len(got) == 1 and str(got[0].message).startswith(f"{path}: ")
    assert got[0].filename == __file__          # reported at the caller's line
    np.testing.assert_array_equal(X, _POINTS)
    assert names == column_names(path) == ["x", "y"]


@pytest.mark.parametrize("text, names", [
    (_table("id,x,y", ",", [0, 1, 2]), ["id", "x", "y"]),       # a named column is data
    (_table(",x,y", ",", [0, 0, 1]), ["", "x", "y"]),           # repeated: not an index
    (_table(",x,y", ",", [0.5, 1, 2]), ["", "x", "y"]),         # not whole numbers
    (",y\n0,1.5\n1,3.25\n2,-0.5\n", ["", "y"]),                # would leave one column
])
def test_a_first_column_that_is_not_an_index_is_kept(tmp_path, text, names):
    path = tmp_path / "t.csv"
    path.write_text(text)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no IndexColumnWarning
        X, got = load_points(path, with_names=True)
    assert got == column_names(path) == names
    assert X.shape == (3, len(names))


def test_errors_after_an_index_column_name_the_files_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(",x,y\n0,1,2\n1,3,abc\n2,5,6\n")
    import warnings

    with pytest.raises(DataError, match=r"line 3, column 3: 'abc' is not a number"), \
            warnings.catch_warnings():
        warnings.simplefilter("error")          # the error alone, no index note before it
        load_points(path)


@pytest.mark.parametrize("text", [
    'x,y\n1,2,3\n4,5,6\n7,8,9\n',           # one name short in a CSV: a mistake, not R
    ',x,y,z\n0,2,3\n1,5,6\n2,8,9\n',        # one name too many
])
def test_a_header_that_does_not_fit_is_an_error_not_an_index(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=r"the header on line 1 has (2|4) names but the rows "
                                        r"have 3 values"):
        load_points(path)


@pytest.mark.parametrize("text, rows", [
    ('"1.5","2.5"\n"3","4"\n"5","6"\n', [[1.5, 2.5], [3, 4], [5, 6]]),   # quoted, no header
    ('"1" 1.5 2.5\n"2" 3 4\n', [[1, 1.5, 2.5], [2, 3, 4]]),   # write.table(col.names=FALSE)
])
def test_quoted_numbers_without_a_header_are_all_data(tmp_path, text, rows):
    path = tmp_path / "q.txt"
    path.write_text(text)
    X, names = load_points(path, with_names=True)
    np.testing.assert_array_equal(X, rows)               # the first row is not a header
    assert names is None and column_names(path) is None
