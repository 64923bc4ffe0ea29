"""Property tests over data_gen's samplers and command line.

Promises checked, whatever the input: ``data_gen.main(argv)`` exits 0 (and the
file holds N finite points) or exits 2 with exactly one stderr line starting
``error:``; nothing else, no traceback, and on failure no file is left at or
next to the target.  Every example that once failed is kept as an explicit
``@example``.
"""
import contextlib
import io
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import data_gen
from gmm_load import load_points

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
    # more arms than points: the first arms get one point each
    assert data_gen.spirals(3, n_arms=50, random_state=0).shape == (3, 2)


@pytest.mark.parametrize("signame, code, word", [("SIGTERM", 143, "terminated"),
                                                 ("SIGHUP", 129, "hung up")])
def test_signal_while_writing_removes_the_temp_file(tmp_path, signame, code, word):
    """A real process killed while it writes a big .csv leaves nothing behind.

    Five million rows take seconds to write, so the signal lands mid-write even
    when this process is slow to notice the temp file on a busy machine."""
    target = tmp_path / "big.csv"
    signum = getattr(signal, signame)
    # An ignored signal is inherited (e.g. SIGHUP under nohup) and data_gen then
    # rightly leaves it ignored: start the child with the default disposition.
    previous = signal.signal(signum, signal.SIG_DFL)
    try:
        proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "data_gen.py"), "circles",
                                 "-N", "5000000", "--seed", "0", "-o", str(target)],
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
