"""gmm_load: the safe loader (load_points, column_names) on good and hostile files.

The property tests check, whatever the input, that ``load_points`` returns
float64 equal to the numbers in the file, or raises ``DataError`` with one line
naming the file.  The expected outcome is derived independently of the loader
(from the array that was saved), so a silent wrong answer fails as surely as a
traceback.  Every example that once failed is kept as an explicit ``@example``.
"""
import os
import pathlib
import pickle
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st
from hypothesis.extra import numpy as hnp
from numpy.lib import format as npy_format

import data_gen
import gmm_load
from gmm_load import DataError, IndexColumnWarning, column_names, load_points


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


def test_1d_npy_array_is_one_column(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.arange(10.0))
    X = load_points(path)
    assert X.shape == (10, 1) and X.flags.c_contiguous
    np.testing.assert_array_equal(X[:, 0], np.arange(10.0))


def test_fail_0d(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.float64(3))
    _error(path, "0-D")


def test_fail_3d(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((4, 3, 2)))
    _error(path, "3-D array of shape (4, 3, 2)")


def test_fail_zero_column_npy(tmp_path):
    path = tmp_path / "data.npy"
    np.save(path, np.zeros((5, 0)))
    msg = _error(path, "has 0 columns; need at least 1")
    assert msg == (f"{path}: has 0 columns; need at least 1 "
                   "(one point per row: one value for 1-D data, x and y in columns for 2-D)")


def test_one_column_npy_and_csv_load(tmp_path):
    np.save(tmp_path / "data.npy", np.array([[1.0], [2.5]]))
    np.testing.assert_array_equal(load_points(tmp_path / "data.npy"), [[1.0], [2.5]])
    path = _save_text(tmp_path / "data.csv", "x\n1\n2\n")
    X, names = load_points(path, with_names=True)
    np.testing.assert_array_equal(X, [[1.0], [2.0]])
    assert names == ["x"]


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
    """A nan cell is missing (as pandas reads it: --drop-missing leaves it out);
    inf is refused on its own."""
    path = _save_text(tmp_path / "a.csv", "x,y\n1,2\n\n3,nan\n4,inf\n5,6\n")
    _error(path, "1 row of 4 has an empty or NA cell (first at line 4, column 'y')",
           "--drop-missing")
    path = _save_text(tmp_path / "b.csv", "x,y\n1,2\n\n3,-inf\n4,inf\n5,6\n")
    _error(path, "2 rows of 4 contain inf", "first at line 4")


def test_fail_overflow_to_inf_is_counted(tmp_path):
    path = _save_text(tmp_path / "a.csv", "1,2\n1e400,2\n")
    _error(path, "1 row of 2 contains inf (or a number beyond")


@pytest.mark.parametrize("name, fragment", [
    ("data.xlsx", "unsupported file extension '.xlsx'"),
    ("data.npz", "save the array with numpy.save"),
    ("data", "unsupported file extension (none)"),
])
def test_fail_unsupported_extension(tmp_path, name, fragment):
    path = _save_text(tmp_path / name, "1,2\n")
    _error(path, fragment, "use .npy, .csv, .tsv or .txt")


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
    ((12_500_000, 0), "has 0 columns"),
    ((12_500_000, 1, 1), "3-D array"),
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
    with pytest.warns(IndexColumnWarning, match="first column is a row index") as got:
        X, names = load_points(path, with_names=True)
    assert len(got) == 1 and str(got[0].message).startswith(f"{path}: ")
    assert got[0].filename == __file__          # reported at the caller's line
    np.testing.assert_array_equal(X, _POINTS)
    assert names == column_names(path) == ["x", "y"]


@pytest.mark.parametrize("text, names", [
    (_table("id,x,y", ",", [0, 1, 2]), ["id", "x", "y"]),       # a named column is data
    (_table(",x,y", ",", [0, 0, 1]), ["", "x", "y"]),           # repeated: not an index
    (_table(",x,y", ",", [0.5, 1, 2]), ["", "x", "y"]),         # not whole numbers
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


# --------------------------------------------------------------------------- load_points

DTYPES = [np.int8, np.int64, np.uint64, np.bool_, np.float16, np.float32, np.float64,
          np.longdouble, np.complex128, ">f8", "<i4"]


def _one_line_naming(exc, path):
    text = str(exc)
    assert "\n" not in text and text.startswith(str(path)), text


def _expected_points(arr):
    """What load_points must return for ``arr`` saved with numpy.save, or None for an error."""
    if arr.ndim == 1:               # a 1-D array is one column (1-D data)
        arr = arr.reshape(-1, 1)
    if arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        return None
    if not np.isfinite(arr).all():
        return None
    with np.errstate(over="ignore", under="ignore"):
        expected = arr.astype(np.float64)
    if not np.isfinite(expected).all() or ((expected == 0) & (arr != 0)).any():
        return None
    return expected


@st.composite
def arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(st.sampled_from([(0, 2), (3, 1), (1, 2), (4, 3), (2,), (2, 2, 2), ()])
                 | st.tuples(st.integers(0, 5), st.integers(0, 4)))
    size = int(np.prod(shape))
    pool = [0, 1, -1, 2.5, 1e-300, 1e300, np.inf, -np.inf, np.nan, 65504, 1e-8, 3]
    raw = draw(st.lists(st.sampled_from(pool) | st.floats(-1e6, 1e6), min_size=size,
                        max_size=size))
    with np.errstate(all="ignore"):
        if dtype.kind in "iub":
            base = np.nan_to_num(np.asarray(raw, dtype=np.float64), posinf=7, neginf=-7)
            base = np.clip(base, -100, 100)
            if dtype.kind == "u":
                base = np.abs(base)
            arr = base.astype(dtype).reshape(shape)
        else:
            arr = np.asarray(raw, dtype=np.float64).astype(dtype).reshape(shape)
            if dtype == np.longdouble and size and draw(st.booleans()):
                arr.flat[0] = np.longdouble("1e400") if draw(st.booleans()) \
                    else np.longdouble("1e-4000")
    if arr.ndim == 2 and draw(st.booleans()):
        arr = np.asfortranarray(arr)
    return arr


@settings(max_examples=120, deadline=None)
@given(arr=arrays())
@example(arr=np.array([[np.longdouble("1e400"), 1]], dtype=np.longdouble))
@example(arr=np.array([[np.longdouble("1e-4000"), 1]], dtype=np.longdouble))
@example(arr=np.array([[1e-5, 2]], dtype=np.longdouble))
@example(arr=np.asfortranarray(np.arange(6, dtype=np.float32).reshape(3, 2)))
@example(arr=np.zeros((0, 2)))
@example(arr=np.zeros((3, 1)))
@example(arr=np.array([[True, False]]))
@example(arr=np.array([[1 + 2j, 3]]))
@example(arr=np.array([[2**63 - 1, 5]], dtype=np.int64))
def test_load_points_npy_returns_the_saved_numbers_or_one_line(arr):
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "a.npy")
    np.save(path, arr)
    expected = _expected_points(arr)
    try:
        X = load_points(path)
    except DataError as exc:
        assert expected is None, exc
        _one_line_naming(exc, path)
    else:
        assert expected is not None, arr
        assert X.dtype == np.float64 and X.flags.c_contiguous
        np.testing.assert_array_equal(X, expected)
    finally:
        os.unlink(path)
        os.rmdir(folder)


def _npy_with_header(header_text, payload=b"\0" * 32):
    header = header_text.encode("latin-1")
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + payload


shape_items = st.sampled_from(["True", "False", "-1", "2", "0", "1.0", "None", "'2'",
                               str(10**30), "(2,)", "1j"])


@settings(max_examples=80, deadline=None)
@given(items=st.lists(shape_items, max_size=3), descr=st.sampled_from(
    ["<f8", "<i4", "|b1", "<c16", "|O", "<f16", "<U3", "|V8", "xx"]),
    fortran=st.sampled_from(["False", "True", "0", "'no'"]), cut=st.integers(0, 40))
@example(items=["True", "2"], descr="<f8", fortran="False", cut=40)
@example(items=["-1", "2"], descr="<f8", fortran="False", cut=40)
def test_load_points_crafted_npy_headers_give_one_line(items, descr, fortran, cut):
    shape = "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    text = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}"
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "h.npy")
    with open(path, "wb") as fh:
        fh.write(_npy_with_header(text, b"\1" * cut))
    try:
        X = load_points(path)
    except DataError as exc:
        _one_line_naming(exc, path)
    else:      # only an honest (n, d) header with its data present loads
        assert X.dtype == np.float64 and X.ndim == 2 and np.isfinite(X).all()
        assert descr in ("<f8", "<i4", "<f16") and fortran in ("False", "True", "0")
    finally:
        os.unlink(path)
        os.rmdir(folder)


@st.composite
def text_tables(draw):
    """(text, expected array or None) for a text table written like a user would."""
    n = draw(st.integers(0, 4))
    d = draw(st.integers(1, 3))
    values = draw(st.lists(st.lists(st.floats(-1e300, 1e300, allow_subnormal=False)
                                    | st.integers(-10**6, 10**6), min_size=d, max_size=d),
                           min_size=n, max_size=n))
    delimiter = draw(st.sampled_from([",", ";", "\t", " "]))
    header = draw(st.booleans())
    lines = [delimiter.join(f"x{j}" for j in range(d))] if header else []
    lines += [delimiter.join(repr(v) for v in row) for row in values]
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    expected = np.array(values, dtype=np.float64).reshape(n, d) if n >= 1 else None
    return text, expected


@settings(max_examples=80, deadline=None)
@given(table=text_tables(), ext=st.sampled_from([".csv", ".txt", ".CSV"]))
@example(table=("x,y", None), ext=".csv")
@example(table=("", None), ext=".csv")
@example(table=("1\n2", np.array([[1.0], [2.0]])), ext=".txt")
def test_load_points_text_returns_the_written_numbers_or_one_line(table, ext):
    text, expected = table
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "t" + ext)
    with open(path, "w", newline="") as fh:
        fh.write(text)
    try:
        X = load_points(path)
    except DataError as exc:
        assert expected is None, exc
        _one_line_naming(exc, path)
    else:
        assert expected is not None, text
        np.testing.assert_array_equal(X, expected)
    finally:
        os.unlink(path)
        os.rmdir(folder)


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=40) | st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
       ext=st.sampled_from([".csv", ".txt", ".npy"]))
@example(text="\ufeff1,2", ext=".csv")
@example(text="1e400,2", ext=".csv")
@example(text="🙂,1\n2,3", ext=".txt")
def test_load_points_any_bytes_give_finite_points_or_one_line(text, ext):
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "u" + ext)
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8", "surrogatepass"))
    try:
        X = load_points(path)
    except DataError as exc:
        _one_line_naming(exc, path)
    else:
        assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] >= 1 and X.shape[1] >= 1
        assert np.isfinite(X).all()
    finally:
        os.unlink(path)
        os.rmdir(folder)


def test_load_points_refuses_a_fifo_at_once(tmp_path):
    for name in ("p.npy", "p.csv"):
        os.mkfifo(tmp_path / name)
        with pytest.raises(DataError, match="not a regular file"):
            load_points(tmp_path / name)      # would block forever if it were opened


# --------------------------------------------------------------------------- choosing columns

CUSTOMERS = (",income,age,region,member\n0,30000,25,north,True\n1,52000.5,31,south,False\n"
             "2,71000,40,east,True\n3,45000,38,west,False\n")


def test_columns_by_name_or_number_keep_the_row_index_aside(tmp_path):
    """Names and 0-based data column numbers (the row index is not counted, as in
    pandas once index_col=0 took it) pick the same columns, in the order given;
    the index is kept aside, with a warning saying so."""
    import gmm_load
    path = _save_text(tmp_path / "c.csv", CUSTOMERS)
    want = np.array([[25, 30000], [31, 52000.5], [40, 71000], [38, 45000]], dtype=float)
    for columns in ["age,income", ["age", "income"], [1, 0], "1,0", " age , 0"]:
        with pytest.warns(IndexColumnWarning, match="row index .* left out; column numbers "
                                                    "count from the column after it"):
            X, names = load_points(path, columns=columns, with_names=True)
        np.testing.assert_array_equal(X, want)
        assert names == ["age", "income"]
        with pytest.warns(IndexColumnWarning):
            X2, names2 = data_gen.load_points(path, columns=columns, with_names=True)
        np.testing.assert_array_equal(X2, want)
    with pytest.warns(IndexColumnWarning):
        table = gmm_load.load_table(path, columns="income,age")
    assert table.index == ("", ["0", "1", "2", "3"])


@pytest.mark.parametrize("text, fragment", [
    (CUSTOMERS, "column 'region' holds text ('north'), not numbers; choose numeric columns, "
                "e.g. --columns income,age"),
    ("a,b,when\n1,2,2024-01-01\n3,4,2024-01-02\n", "column 'when' holds dates"),
    ("a,b,flag\n1,2,True\n3,4,False\n", "column 'flag' holds True/False values"),
    ("a,b\n1,2\n3,\n,4\n5,6\n", "2 rows of 4 have an empty or NA cell (first at line 3, column 'b')"),
])
def test_non_numeric_columns_empty_cells_and_a_lone_column_are_named(tmp_path, text, fragment):
    path = _save_text(tmp_path / "x.csv", text)
    with pytest.raises(DataError) as info:
        load_points(path)
    assert fragment in str(info.value) and "\n" not in str(info.value), str(info.value)


def test_tsv_loads_with_tabs(tmp_path):
    path = _save_text(tmp_path / "x.tsv", "a b\tc\n1\t2\n3\t4.5\n")
    X, names = load_points(path, with_names=True)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4.5]])
    assert names == ["a b", "c"]
    np.testing.assert_array_equal(load_points(path, columns=["c", "a b"]), [[2, 1], [4.5, 3]])


HOSTILE_COLUMNS = ["", ",", "income,income", "1,1", "9", "-1", "99999999999999999999999",
                   "nosuch", "income", "income,,age", "in\u00e9come,age", "income, age x",
                   "\u0663,1", "1e0,2", [], ["income"], ["age", 2], [1, -3], [True, 1],
                   [1.0, 2], "region,age", [2**70, 1]]


@settings(max_examples=40, deadline=None)
@given(columns=st.one_of(st.sampled_from(HOSTILE_COLUMNS),
                         st.lists(st.one_of(st.text(max_size=6), st.integers(-5, 10**20)),
                                  max_size=4),
                         st.text(max_size=12)))
@example(columns="income,income")
@example(columns="\u0663,1")
def test_hostile_columns_load_right_or_say_why_in_one_line(columns):
    """Any value of columns either loads exactly the columns it names (checked
    against the table by hand) or raises DataError/TypeError with one line."""
    with tempfile.TemporaryDirectory() as folder:
        path = _save_text(os.path.join(folder, "c.csv"), CUSTOMERS)
        table = {"": [0, 1, 2, 3], "income": [30000, 52000.5, 71000, 45000],
                 "age": [25, 31, 40, 38]}
        order = ["income", "age", "region", "member"]        # numbered after the index
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", IndexColumnWarning)
                X, names = load_points(path, columns=columns, with_names=True)
        except (DataError, TypeError) as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 400, str(exc)
            return
        specs = columns.split(",") if isinstance(columns, str) else list(columns)
        keys = [s.strip() if isinstance(s, str) and s.strip() in order
                else order[int(s)] for s in specs]
        assert len(set(keys)) == len(keys) >= 1 and names == keys
        np.testing.assert_array_equal(X, np.array([table[k] for k in keys], float).T)


def test_quoted_header_names_with_commas_are_one_name_each(tmp_path):
    """What pandas writes for columns named "weight, kg" and "height, cm"."""
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).normal(size=(12, 3))
    df = pd.DataFrame(X, columns=["weight, kg", "height, cm", 'say "hi"'])
    for kw, ext in [({}, ".csv"), ({"sep": "\t"}, ".tsv"), ({"sep": ";"}, ".txt")]:
        for index in (False, True):
            path = tmp_path / f"q{index}{ext}"
            df.to_csv(path, index=index, **kw)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", gmm_load.IndexColumnWarning)
                got, names = gmm_load.load_points(path, with_names=True)
                np.testing.assert_allclose(got, X, rtol=1e-15)
                assert names == list(df.columns), (ext, index, names)
                one, name = gmm_load.load_points(path, with_names=True, columns="height, cm")
                two, names2 = gmm_load.load_points(    # a row index is not counted
                    path, with_names=True, columns='"height, cm",0')
            np.testing.assert_allclose(one[:, 0], X[:, 1], rtol=1e-15)
            assert name == ["height, cm"] and names2 == ["height, cm", "weight, kg"]
            np.testing.assert_allclose(two, X[:, [1, 0]], rtol=1e-15)


def test_shards_take_columns_by_number_and_1d_shards_are_one_column(tmp_path):
    pytest.importorskip("dask")
    X = np.arange(30.0).reshape(10, 3)
    (tmp_path / "wide").mkdir()
    (tmp_path / "flat").mkdir()
    for i, part in enumerate(np.array_split(X, 3)):
        np.save(tmp_path / "wide" / f"p{i}.npy", part)
        np.save(tmp_path / "flat" / f"p{i}.npy", part[:, 2])
    got = gmm_load.load_table(tmp_path / "wide", columns="2,0").X
    np.testing.assert_array_equal(np.asarray(got), X[:, [2, 0]])
    np.testing.assert_array_equal(np.asarray(gmm_load.load_table(tmp_path / "flat").X),
                                  X[:, [2]])
    with pytest.raises(gmm_load.DataError, match="no column named 'age'; each shard"):
        gmm_load.load_table(tmp_path / "wide", columns="age")


def test_a_1d_npy_memory_map_is_one_column_and_bytes_paths_are_a_type_error(tmp_path):
    x = np.linspace(0.0, 1.0, 50)
    np.save(tmp_path / "x.npy", x)
    got = gmm_load.load_points(tmp_path / "x.npy", mmap=True)
    assert isinstance(got, np.memmap) and got.shape == (50, 1)
    np.testing.assert_array_equal(got[:, 0], x)
    with pytest.raises(TypeError, match="not bytes; decode it first"):
        gmm_load.load_points(os.fsencode(tmp_path / "x.npy"))
