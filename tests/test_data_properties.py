"""Property tests over data_gen's command line, the loader and parameter files.

Promises checked, whatever the input:

- ``data_gen.main(argv)`` exits 0 (and the file holds N finite points) or exits 2
  with exactly one stderr line starting ``error:``; nothing else, no traceback,
  and on failure no file is left at or next to the target.
- ``load_points`` returns float64 equal to the numbers in the file, or raises
  ``DataError`` with one line naming the file.
- ``load_params`` returns valid parameters or raises ``ParamsError`` with one
  line naming the file.

The expected outcome is derived independently of the loader (from the array
that was saved), so a silent wrong answer fails as surely as a traceback.
Every example that once failed is kept as an explicit ``@example``.
"""
import contextlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from numpy.lib import format as npy_format

import data_gen
from gmm_load import DataError, load_points
from gmm_params import ParamsError, load_params, save_params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HUGE = "1" * 400

# --------------------------------------------------------------------------- data_gen CLI

# Values a hostile user types; valid -N/-m stay small (a valid -N of 10**8 would be
# a legitimate, slow run, not a property of parsing).
NASTY = ["", "0", "-0", "+3", "-5", "3", "7", "40", "1e3", "1E-3", "0.5", "2.", ".5", "0x10",
         "0b11", "1_000", " 7", "7 ", "٣", "３", "nan", "NaN", "-nan", "inf", "-inf",
         "Infinity", HUGE, "-" + HUGE, "1e400", "1e-400", "1e200", "1e-200", "1e150",
         "1e-150", "1e308", "4.9e-324", "x" * 5000, "-", "--", "=", "1e", "e5", "\n", "🙂",
         "99999999999999999999", str(2**128), str(2**128 - 1), "1000000001", "2\n3"]
values = st.one_of(st.sampled_from(NASTY), st.integers(-60, 60).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.text(max_size=6))
FLAGS = ["-N", "--num_points", "--num-points", "-m", "--means", "--max_radius",
         "--max-radius", "--noise", "--seed", "--force", "-o", "--output", "--bogus"]
GENERATORS = ["gaussians", "circles", "spirals", "moons", "bogus", ""]
# Targets, relative to a fresh folder that holds dir.npy/ (a directory), file.csv
# (a regular file), fifo.npy (a FIFO) and ro.npy (a read-only point file).
TARGETS = ["out.npy", "out.NPY", "out.csv", "out.txt", "out", "out.", ".npy", "out.npy/",
           "dir.npy", "file.csv/p.npy", "file.csv/sub/p.npy", "missing/p.npy", "fifo.npy",
           "ro.npy", "a\nb.csv", "x" * 300 + ".npy", "x" * 249 + ".npy", "/dev/full", "",
           "out.npy.npy", "-o.npy"]


def _folder():
    """A fresh folder with the odd neighbours every target is tried against."""
    tmp = tempfile.mkdtemp(prefix="dgprop-")
    os.mkdir(os.path.join(tmp, "dir.npy"))
    with open(os.path.join(tmp, "file.csv"), "w") as fh:
        fh.write("x,y\n1,2\n")
    os.mkfifo(os.path.join(tmp, "fifo.npy"))
    ro = os.path.join(tmp, "ro.npy")
    np.save(ro, np.ones((3, 2)))
    os.chmod(ro, 0o444)
    return tmp


def _snapshot(folder):
    """Name -> (kind, bytes) for every entry directly in ``folder`` and in dir.npy/."""
    found = {}
    for base in (folder, os.path.join(folder, "dir.npy")):
        for name in os.listdir(base):
            path = os.path.join(base, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode):
                with open(path, "rb") as fh:
                    found[path] = ("file", fh.read())
            else:
                found[path] = ("other", None)
    return found


def _run_cli(argv):
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = data_gen.main(argv)
    return code, out.getvalue(), err.getvalue()


def _check_cli_run(generator, pairs, target, force):
    folder = _folder()
    try:
        path = target if target.startswith("/") or target == "" else os.path.join(folder, target)
        argv = ([generator] if generator else []) + [part for pair in pairs for part in pair]
        argv += ["-o", path] + (["--force"] if force else [])
        before = _snapshot(folder)
        code, out, err = _run_cli(argv)
        after = _snapshot(folder)
        assert out == ""
        assert "Traceback" not in err
        if code == 0:
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("wrote "), err
            X = load_points(path)
            assert X.dtype == np.float64 and X.shape[1] == 2 and np.isfinite(X).all()
            assert f"wrote {X.shape[0]} point" in err
            new = set(after) - set(before)
            assert new <= {os.path.join(folder, os.path.normpath(target))}, new
            for name in set(before) - {os.path.normpath(path)}:
                assert after[name] == before[name], name
        else:
            assert code == 2, (code, err)
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), err
            assert after == before, set(after) ^ set(before)
    finally:
        for base, dirs, files in os.walk(folder, topdown=False):
            for name in files:
                os.chmod(os.path.join(base, name), 0o644)
                os.unlink(os.path.join(base, name))
            for name in dirs:
                os.rmdir(os.path.join(base, name))
        os.rmdir(folder)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generator=st.sampled_from(GENERATORS),
       pairs=st.lists(st.tuples(st.sampled_from(FLAGS[:-4] + FLAGS[-1:]), values), max_size=4),
       target=st.sampled_from(TARGETS), force=st.booleans())
@example(generator="gaussians", pairs=[("-N", HUGE)], target="out.npy", force=False)
@example(generator="gaussians", pairs=[("-m", HUGE)], target="out.npy", force=False)
@example(generator="gaussians", pairs=[("--seed", HUGE)], target="out.npy", force=False)
@example(generator="gaussians", pairs=[("--max_radius", "1e200")], target="out.npy", force=False)
@example(generator="gaussians", pairs=[("--max_radius", "1e-200")], target="out.npy",
         force=False)
@example(generator="circles", pairs=[("--noise", "1e308")], target="out.csv", force=False)
@example(generator="moons", pairs=[("-N", "٣")], target="out.npy", force=False)
@example(generator="moons", pairs=[], target="file.csv/p.npy", force=False)
@example(generator="moons", pairs=[], target="fifo.npy", force=True)
@example(generator="moons", pairs=[("-N", "3")], target="ro.npy", force=True)
@example(generator="moons", pairs=[("-N", "3")], target="a\nb.csv", force=False)
@example(generator="moons", pairs=[("-N", "3")], target="out.npy/", force=False)
@example(generator="spirals", pairs=[("-N", "2\n3")], target="out.txt", force=False)
@example(generator="gaussians", pairs=[("-N", "40"), ("-m", "3"), ("--max_radius", "1e150"),
                                       ("--seed", str(2**128 - 1))], target="out.NPY",
         force=False)
@example(generator="gaussians", pairs=[("-N", "40"), ("--max-radius", "1e-150")],
         target="out.csv", force=False)
@example(generator="circles", pairs=[("--noise", "0"), ("-N", "7"), ("-N", "3")],
         target="out.txt", force=False)
def test_data_gen_cli_exits_0_with_a_good_file_or_2_with_one_error_line(generator, pairs,
                                                                        target, force):
    _check_cli_run(generator, pairs, target, force)


def test_path_through_a_regular_file_is_named(tmp_path):
    (tmp_path / "file.csv").write_text("x,y\n1,2\n")
    code, _, err = _run_cli(["moons", "-o", str(tmp_path / "file.csv" / "p.npy")])
    assert code == 2
    assert "file.csv' is a file, not a directory; choose another path" in err
    assert "does not exist" not in err


@pytest.mark.parametrize("argv, fragment", [
    (["gaussians", "-N", HUGE], "too many points: at most 1,000,000,000"),
    (["gaussians", "-m", HUGE], "too many Gaussians"),
    (["gaussians", "--seed", HUGE], "at most 2**128 - 1"),
    (["gaussians", "--max_radius", "1e200"], "must be in [1e-150, 1e+150]"),
    (["gaussians", "--max_radius", "1e-200"], "must be in [1e-150, 1e+150]"),
    (["circles", "--noise", "1e308"], "must be in [0, 1e+150]"),
    (["circles", "--noise=-inf"], "must be finite"),
    (["circles", "--noise", "-inf"], "as --flag=VALUE"),
    (["moons", "-N", "٣"], "digits 0-9"),
    (["moons", "-N", "0x10"], "digits 0-9"),
    (["moons", "-N", "-0"], "must be at least 1"),
    (["moons", "--noise", "0x1p3"], "decimal number"),
])
def test_data_gen_cli_messages_say_the_limit(tmp_path, argv, fragment):
    code, _, err = _run_cli(argv + ["-o", str(tmp_path / "o.npy")])
    assert code == 2 and err.count("\n") == 1 and fragment in err, err
    assert os.listdir(tmp_path) == []


def test_minus_zero_is_zero():
    code, _, _ = _run_cli(["moons", "-N", "5", "--seed", "-0", "--noise", "-0", "-o",
                           os.path.join(tempfile.mkdtemp(), "m.npy")])
    assert code == 0


@pytest.mark.parametrize("kwargs, fragment", [
    ({"max_radius": 1e200}, "max_radius must be at most 1e+150"),
    ({"max_radius": 1e-200}, "max_radius must be at least 1e-150"),
    ({"max_radius": 10**400}, "max_radius must be at most"),
    ({"max_radius": float("nan")}, "max_radius must be a finite number > 0"),
])
def test_sample_gaussians_refuses_radii_whose_covariances_do_not_fit_float64(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment.replace("+", r"\+")):
        data_gen.sample_gaussians(10, 2, **kwargs)


@pytest.mark.parametrize("radius", [1e-150, 1e150])
def test_sample_gaussians_at_the_radius_limits_is_finite_and_positive_definite(radius):
    X, means, covs = data_gen.sample_gaussians(50, 3, max_radius=radius, random_state=0)
    assert np.isfinite(X).all() and np.isfinite(covs).all()
    eig = np.linalg.eigvalsh(covs / radius**2) * radius**2   # eigvalsh at unit scale
    assert np.all(eig >= (0.04 * radius) ** 2 * (1 - 1e-9))
    np.testing.assert_allclose(np.linalg.eigvalsh(covs / radius**2),
                               np.linalg.eigvalsh(data_gen.sample_gaussians(
                                   50, 3, max_radius=1.0, random_state=0)[2]), rtol=1e-9)


@pytest.mark.parametrize("shape, kwargs", [
    (data_gen.circles, {"noise": 1e308}), (data_gen.spirals, {"radius": 1e300}),
    (data_gen.spirals, {"turns": 1e308}), (data_gen.circles, {"radii": (1e300,)}),
])
def test_shapes_refuse_scales_that_overflow(shape, kwargs):
    with pytest.raises(ValueError, match="at most 1e\\+150"):
        shape(10, **kwargs)


def test_samplers_refuse_huge_counts_naming_the_argument():
    with pytest.raises(ValueError, match="n_points must be at most"):
        data_gen.sample_gaussians(10**20, 2)
    with pytest.raises(ValueError, match="n_arms must be at most"):
        data_gen.spirals(10, n_arms=10**400)
    # more arms than points: as before, the first arms get one point each
    assert data_gen.spirals(3, n_arms=50, random_state=0).shape == (3, 2)


@pytest.mark.parametrize("signame, code, word", [("SIGTERM", 143, "terminated"),
                                                 ("SIGHUP", 129, "hung up")])
def test_signal_while_writing_removes_the_temp_file(tmp_path, signame, code, word):
    """A real process killed while it writes a big .csv leaves nothing behind."""
    target = tmp_path / "big.csv"
    signum = getattr(signal, signame)
    # An ignored signal is inherited (e.g. SIGHUP under nohup) and data_gen then
    # rightly leaves it ignored: start the child with the default disposition.
    previous = signal.signal(signum, signal.SIG_DFL)
    try:
        proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "data_gen.py"), "circles",
                                 "-N", "1000000", "--seed", "0", "-o", str(target)],
                                stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signum, previous)
    try:
        deadline = time.monotonic() + 60
        while not any(name.startswith(".big.csv.") for name in os.listdir(tmp_path)):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code
    assert err == word + "\n"
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- load_points

DTYPES = [np.int8, np.int64, np.uint64, np.bool_, np.float16, np.float32, np.float64,
          np.longdouble, np.complex128, ">f8", "<i4"]


def _one_line_naming(exc, path):
    text = str(exc)
    assert "\n" not in text and text.startswith(str(path)), text


def _expected_points(arr):
    """What load_points must return for ``arr`` saved with numpy.save, or None for an error."""
    if arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 2:
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
    expected = np.array(values, dtype=np.float64).reshape(n, d) if n >= 1 and d >= 2 else None
    return text, expected


@settings(max_examples=80, deadline=None)
@given(table=text_tables(), ext=st.sampled_from([".csv", ".txt", ".CSV"]))
@example(table=("x,y", None), ext=".csv")
@example(table=("", None), ext=".csv")
@example(table=("1\n2", None), ext=".txt")
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
        assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] >= 1 and X.shape[1] >= 2
        assert np.isfinite(X).all()
    finally:
        os.unlink(path)
        os.rmdir(folder)


def test_load_points_refuses_a_fifo_at_once(tmp_path):
    for name in ("p.npy", "p.csv"):
        os.mkfifo(tmp_path / name)
        with pytest.raises(DataError, match="not a regular file"):
            load_points(tmp_path / name)      # would block forever if it were opened


# --------------------------------------------------------------------------- load_params

def _good_doc():
    return {"format": "gmm-visualizer-params", "format_version": 1, "library_version": "x",
            "covariance_type": "full", "options": {},
            "weights": [0.25, 0.75], "means": [[0.0, 1.0], [2.0, 3.0]],
            "covariances": [[[1.0, 0.5], [0.5, 2.0]], [[1.0, 0.0], [0.0, 1.0]]],
            "log_likelihood_history": [-3.0, -2.5]}


def _check_params_outcome(path, expect_ok=None):
    try:
        params = load_params(path)
    except ParamsError as exc:
        assert expect_ok is not True, exc
        _one_line_naming(exc, path)
        return None
    assert expect_ok is not False, params
    w, m, c = params["weights"], params["means"], params["covariances"]
    k, d = m.shape
    assert w.shape == (k,) and c.shape == (k, d, d) and k >= 1 and d >= 1
    for a in (w, m, c):
        assert a.dtype == np.float64 and np.isfinite(a).all()
    assert (w >= 0).all() and abs(w.sum() - 1) <= 1e-6
    assert (np.linalg.eigvalsh(c) > 0).all()
    assert isinstance(params["options"], dict)
    return params


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                      st.sampled_from([int(HUGE), -int(HUGE), 1e308, 5e-324, -0.0]))
json_values = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                           max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(sorted(_good_doc()) + ["extra"]), value=json_values,
       whole=st.booleans())
@example(key="weights", value=[int(HUGE), 0], whole=False)
@example(key="weights", value=[1.5, -0.5], whole=False)
@example(key="weights", value=["0.25", "0.75"], whole=False)
@example(key="weights", value=[True, False], whole=False)
@example(key="means", value=[], whole=False)
@example(key="format_version", value=True, whole=False)
@example(key="covariance_type", value=["full"], whole=False)
@example(key="options", value=[1], whole=False)
@example(key="weights", value=None, whole=True)
def test_load_params_json_any_content_is_valid_or_one_line(key, value, whole):
    doc = value if whole else dict(_good_doc(), **{key: value})
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "p.json")
    with open(path, "w") as fh:
        json.dump(doc, fh)
    try:
        _check_params_outcome(path)
    finally:
        os.unlink(path)
        os.rmdir(folder)


def test_load_params_good_file_round_trips(tmp_path):
    for ext in (".json", ".npz"):
        doc = _good_doc()
        path = str(tmp_path / ("p" + ext))
        save_params(path, doc["weights"], doc["means"], doc["covariances"],
                    log_likelihood_history=doc["log_likelihood_history"])
        params = _check_params_outcome(path, expect_ok=True)
        np.testing.assert_array_equal(params["weights"], doc["weights"])
        np.testing.assert_array_equal(params["means"], doc["means"])
        np.testing.assert_array_equal(params["covariances"], doc["covariances"])


@pytest.mark.parametrize("text, fragment", [
    ("[" * 10000 + "]" * 10000, "nested too deeply"),
    ('{"a":' * 10000 + "1" + "}" * 10000, "nested too deeply"),
    (json.dumps(dict(_good_doc(), weights=[int(HUGE), 0])), "too large for float64"),
    (json.dumps(dict(_good_doc(), means=[[1e400, 0], [0, 0]])).replace("Infinity", "1e400"),
     "too large for float64"),
    (json.dumps(dict(_good_doc(), weights=[float("nan"), 1.0])), "NaN"),
    (json.dumps(dict(_good_doc(), weights=[1.5, -0.5])), "[0, 1]"),
    (json.dumps(dict(_good_doc(), weights=["0.25", "0.75"])), "real numbers"),
    (json.dumps(dict(_good_doc(), means=[[0.0], [1.0]])), "shape"),
    ("\xff\xfe", "not a JSON file"),
])
def test_load_params_hostile_json_one_line(tmp_path, text, fragment):
    path = str(tmp_path / "p.json")
    with open(path, "w", encoding="latin-1") as fh:
        fh.write(text)
    with pytest.raises(ParamsError) as info:
        load_params(path)
    _one_line_naming(info.value, path)
    assert fragment in str(info.value)


def test_load_params_refuses_a_fifo_at_once(tmp_path):
    for name in ("p.json", "p.npz"):
        os.mkfifo(tmp_path / name)
        with pytest.raises(ParamsError, match="not a regular file"):
            load_params(str(tmp_path / name))


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(["weights", "means", "covariances", "log_likelihood_history",
                            "meta"]),
       dtype=st.sampled_from(["complex128", "bool", "U3", "int64", "float32", "longdouble",
                              "object"]),
       shape=st.sampled_from([(), (2,), (2, 2), (2, 2, 2), (0,), (1, 2)]))
@example(key="weights", dtype="complex128", shape=(2,))
@example(key="means", dtype="object", shape=(2, 2))
@example(key="meta", dtype="U3", shape=())
def test_load_params_npz_any_arrays_are_valid_or_one_line(key, dtype, shape):
    doc = _good_doc()
    arrays = {name: np.asarray(doc[name]) for name in
              ("weights", "means", "covariances", "log_likelihood_history")}
    meta = {k: doc[k] for k in ("format", "format_version", "library_version",
                                "covariance_type", "options")}
    arrays["meta"] = np.array(json.dumps(meta))
    values = np.resize(np.asarray(arrays[key]).ravel()[:1] if key != "meta" else [0.5],
                       shape)
    arrays[key] = values.astype(dtype)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "p.npz")
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    try:
        _check_params_outcome(path)
    finally:
        os.unlink(path)
        os.rmdir(folder)


def test_complex_weights_are_refused_not_truncated(tmp_path):
    doc = _good_doc()
    path = str(tmp_path / "p.npz")
    meta = {k: doc[k] for k in ("format", "format_version", "covariance_type", "options")}
    np.savez(path, weights=np.array([0.25 + 1j, 0.75]), means=np.array(doc["means"]),
             covariances=np.array(doc["covariances"]), meta=np.array(json.dumps(meta)))
    with pytest.raises(ParamsError, match="real numbers.*complex128"):
        load_params(path)


def test_save_params_names_a_path_through_a_file(tmp_path):
    (tmp_path / "f.json").write_text("{}")
    with pytest.raises(ParamsError, match="f.json' is a file, not a directory; choose another path"):
        save_params(str(tmp_path / "f.json" / "p.json"), [1.0], [[0.0]], [[[1.0]]])
