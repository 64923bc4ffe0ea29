"""Properties of the whole ``visualize_gmm`` command line, through ``main(argv)``.

1. Arbitrary values for every flag (huge and negative integers, ``nan``,
   ``inf``, ``-0``, ``1e3``, hex, unicode digits, empty and very long
   strings), repeated and conflicting flags and odd ``--save`` paths: every
   run ends with exit 0, or exit 2 and exactly one stderr line starting
   ``error:``; never a traceback, never a file left at or next to the
   target, and files already there (a read-only file, a FIFO) untouched.
2. Scale: the same data times 1e-300, 1e-200, 1e160 or 1e300 gives the same
   labels, and the log-likelihood shifted by ``-d log(s)``, as at scale 1.
3. Files: a temp name always fits NAME_MAX; ``--save`` and ``--save-params``
   are both kept or neither; the headless fallback never overwrites
   ``gmm_vid.gif``; ``-q`` silences status and note lines; a truncated
   ``.mp4`` is never reported as saved; a closed stdout is no traceback.
"""
import contextlib
import io
import math
import os
import stat
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gmm_atomic
import data_gen
import gmm
import gmm_transforms
import gmm_writers
import gmm_cli
import gmm_params
import visualize_gmm
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "visualize_gmm.py")
BASE = ["-N", "40", "-k", "2", "-m", "2", "-i", "1", "--seed", "0"]


# --------------------------------------------------------------------------- helpers

def _run(argv):
    """``main(argv)`` in-process: (status, stdout, stderr); any exception is a failure."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:           # main must return, never exit
            pytest.fail(f"main({argv!r}) raised SystemExit({exc.code!r})")
        except BaseException as exc:        # noqa: B036 - anything escaping main is a bug
            pytest.fail(f"main({argv!r}) raised {type(exc).__name__}: {exc}")
    return status, out.getvalue(), err.getvalue()


def _assert_clean(argv, status, err):
    """Exit 0, or exit 2 with exactly one stderr line ``error: ...``; no traceback."""
    assert "Traceback" not in err, (argv, err)
    assert status in (0, 2), (argv, status, err)
    if status == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
    else:
        assert "error:" not in err, (argv, err)


def _snapshot(folder):
    """name -> (kind, bytes of a regular file) for everything in ``folder``."""
    snap = {}
    for name in os.listdir(folder):
        st_ = os.lstat(os.path.join(folder, name))
        if stat.S_ISREG(st_.st_mode):
            with open(os.path.join(folder, name), "rb") as fh:
                snap[name] = ("file", fh.read())
        else:
            snap[name] = (stat.S_IFMT(st_.st_mode), None)
    return snap


def _fixture_files(folder):
    """What odd --save paths point at: a file to go through, a directory named
    x.gif, a FIFO, a read-only file, and small data files."""
    with open(os.path.join(folder, "afile"), "w") as fh:
        fh.write("a regular file\n")
    os.mkdir(os.path.join(folder, "dir.gif"))
    os.mkfifo(os.path.join(folder, "fifo.png"))
    ro = os.path.join(folder, "ro.png")
    with open(ro, "wb") as fh:
        fh.write(b"keep me")
    os.chmod(ro, 0o444)
    rng = np.random.default_rng(0)
    np.save(os.path.join(folder, "pts.npy"), rng.normal(size=(30, 2)))
    np.save(os.path.join(folder, "pts3.npy"), rng.normal(size=(30, 3)))
    np.save(os.path.join(folder, "const.npy"), np.full((20, 2), 3.0))
    np.save(os.path.join(folder, "one.npy"), np.ones((1, 2)))
    np.save(os.path.join(folder, "two.npy"), np.array([[0.0, 0.0], [1.0, 1.0]]))
    gmm.save_params(os.path.join(folder, "q.json"), [0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]],
                    [np.eye(2), np.eye(2)], covariance_type="full",
                    log_likelihood_history=[-3.0])


@contextlib.contextmanager
def _in_fresh_folder():
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        _fixture_files(folder)
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(old)
            os.chmod(os.path.join(folder, "ro.png"), 0o644)


# --------------------------------------------------------------------------- strategies

ODD_INTS = ["0", "1", "2", "-1", "-0", "+2", "1e3", "0x10", "0b1", "\u0663", "\uff11", "",
            "  ", "nan", "inf", "-inf", "1" + "0" * 400, "-" + "9" * 400, "1.5", "3.0",
            "1_0", "9" * 25, "x" * 5000, "\n", "2 ", "10000", "10001", "100000000",
            "100000001", "9223372036854775808"]
ODD_FLOATS = ["0", "-0", "1e-320", "5e-324", "1e200", "1e-200", "1e308", "1e309", "nan",
              "inf", "-inf", "1e-5", "0.001", "0.01", "1000", "1001", "\u0663", "1_0", "0x1p3",
              ".5", "5.", "-1", "", "e3", "1e", "x" * 5000, "1" + "0" * 400, "Infinity"]
SAVES = ["o.png", "o.PNG", "o.GIF", "x.gif.gif", "noext", "trail.", "dir.gif", "afile/x.png",
         "afile/sub/x.png", "/dev/full", "/dev/full/x.png", "fifo.png", "ro.png", "missing/x.png",
         "", ".png", "a" * 251 + ".png", "a" * 252 + ".png", "o.html", "o.jpeg", "-q",
         "\udcff.png", "\u00e9/x.gif"]
#: -N, -i, --n-init: only small valid values, so each run stays fast
SMALL_INTS = st.integers(0, 3).map(str)
ints = st.one_of(st.sampled_from(ODD_INTS), SMALL_INTS,
                 st.integers(-(10 ** 30), -1).map(str), st.integers(10 ** 9, 10 ** 30).map(str))
floats = st.one_of(st.sampled_from(ODD_FLOATS),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.floats(0.05, 200).map(lambda v: f"{v:.3g}"))
texts = st.one_of(st.sampled_from(["", " ", "nan", "full", "kmeans", "bic", "1:3", "2,3",
                                   "1:10000000000", "0:2", "3:1", "1:2:3", "\u0663:4",
                                   "pts.npy", "pts3.npy", "afile", "dir.gif", "fifo.png",
                                   "afile/p.json", "p.json", "p.npz", "/dev/full", "x" * 5000]),
                  st.text(max_size=12))

VALUE_FLAGS = {
    "-k": ints, "-m": ints, "-N": st.one_of(st.sampled_from(ODD_INTS[2:]), SMALL_INTS),
    "-i": st.one_of(st.sampled_from(ODD_INTS[2:]), SMALL_INTS),
    "--seed": ints, "--init-seed": ints, "--n-init": st.one_of(st.sampled_from(ODD_INTS[2:]), SMALL_INTS),
    "--fps": floats, "--max_radius": floats, "--tol": floats,
    "--select-k": texts, "--init": texts, "--covariance-type": texts, "--criterion": texts,
    "--compare": texts, "--load_path": texts, "--save-params": texts, "--init-params": texts,
    "-s": st.sampled_from(SAVES), "--patience": ints, "--dpi": ints, "--title": texts,
    "-d": ints, "--view": texts, "--jobs": ints, "--bayesian": texts, "--weight-prior": floats,
    "--track-row": ints,
}
SWITCHES = ["--ll-panel", "--soft", "--contours", "--hide_covs", "--hide_means", "--hide_real",
            "--print_ll", "-q", "--uncertainty", "--bayesian", "--half-steps", "--trails",
            "--no-restart-check", "--explain"]


@st.composite
def command_lines(draw):
    argv = list(BASE)
    save = draw(st.one_of(st.none(), st.sampled_from(SAVES)))
    if save is not None:
        argv += ["-s", save]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["value", "value", "dims", "size", "switch"]))
        if kind == "value":
            flag = draw(st.sampled_from(sorted(VALUE_FLAGS)))
            argv += [flag, draw(VALUE_FLAGS[flag])]
        elif kind == "dims":
            argv += ["--dims", draw(ints), draw(ints)]
        elif kind == "size":
            argv += ["--size", draw(floats), draw(floats)]
        else:
            argv.append(draw(st.sampled_from(SWITCHES)))
    return argv


#: valid values only, so runs get past parsing into fitting, drawing and saving
VALID = {
    "-k": st.integers(1, 6).map(str), "-N": st.integers(1, 60).map(str),
    "-m": st.integers(1, 6).map(str), "-i": st.integers(0, 3).map(str),
    "--n-init": st.integers(1, 3).map(str), "--select-k": st.sampled_from(["1:3", "2,3", "4:5"]),
    "--covariance-type": st.sampled_from(["full", "tied", "diag", "spherical"]),
    "--load_path": st.sampled_from(["pts.npy", "pts3.npy", "const.npy", "one.npy", "two.npy"]),
    "--tol": st.sampled_from(["0", "1e-3", "10"]), "--criterion": st.sampled_from(["bic", "aic"]),
    "--compare": st.just("kmeans"),
    "-s": st.sampled_from(["o.png", "o.gif", "o.html", "o.mp4", "ro.png", "fifo.png"]),
    "--save-params": st.sampled_from(["p.json", "p.npz", "ro.png"]),
    "--init-params": st.sampled_from(["q.json", "p.json"]),
    "--fps": st.sampled_from(["0.01", "1000", "7.5"]),
    "--max_radius": st.sampled_from(["1e-150", "1e150", "3"]),
    "--patience": st.sampled_from(["1", "3", "1000000"]),
    "--title": st.sampled_from(["EM", "", "x" * 400, "\u00e9t\u00e9 $x^2$ 50%", "a\nb"]),
    "--dpi": st.sampled_from(["50", "72", "150"]),
    "--init": st.sampled_from(["center", "kmeans++", "kmeans", "random_from_data", "random"]),
    "-d": st.sampled_from(["1", "2"]),
    "--view": st.sampled_from(["pairs", "pca", "dims"]),
    "--jobs": st.sampled_from(["1", "2", "-1", "4096"]),
    "--bayesian": st.sampled_from(["dp", "dirichlet"]),
    "--weight-prior": st.sampled_from(["1e-3", "1", "1e4"]),
    "--track-row": st.sampled_from(["0", "2"]),
}


@st.composite
def valid_command_lines(draw):
    argv = ["--seed", "0", "-s", "o.png"]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["value", "value", "dims", "size", "switch"]))
        if kind == "value":
            flag = draw(st.sampled_from(sorted(VALID)))
            argv += [flag, draw(VALID[flag])]
        elif kind == "dims":
            argv += ["--dims", *(str(draw(st.integers(0, 3))) for _ in range(2))]
        elif kind == "size":
            argv += ["--size", *draw(st.sampled_from([("2.4", "2.4"), ("6", "4"), ("19.2", "10.8"),
                                                      ("40", "2.4")]))]
        else:
            argv.append(draw(st.sampled_from(SWITCHES)))
    return argv


def _check_command_line(argv):
    with _in_fresh_folder() as folder:
        before = _snapshot(folder)
        status, out, err = _run(argv)
        _assert_clean(argv, status, err)
        after = _snapshot(folder)
    for name, value in before.items():              # files already there are untouched
        assert after.get(name) == value, (argv, name)
    new = sorted(set(after) - set(before))
    if status == 2:                                 # nothing at or next to the target
        assert new == [], (argv, new)
    else:                                           # no temp file, only finished outputs
        assert not [n for n in new if n.startswith(".")], (argv, new)
    assert not [n for n in os.listdir("/dev") if n.startswith(".full")], argv


# --------------------------------------------------------------------------- 1. properties

@settings(max_examples=int(os.environ.get("GMM_CLI_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(argv=command_lines())
@example(argv=BASE + ["-k", "1" + "0" * 400, "-s", "o.png"])
@example(argv=BASE + ["--seed", "1" + "0" * 400, "-s", "o.png"])
@example(argv=BASE + ["--dims", "1" + "0" * 400, "0", "-s", "o.png"])
@example(argv=BASE + ["--select-k", "1:10000000000", "-s", "o.png"])
@example(argv=BASE + ["--fps", "1e-320", "-s", "o.gif"])
@example(argv=BASE + ["--max_radius", "1e200", "-s", "o.png"])
@example(argv=BASE + ["--max_radius", "1e-200", "-s", "o.png"])
@example(argv=BASE + ["--select-k", "1:3", "-s", "o.png"])
@example(argv=BASE + ["-k", "\u0663", "-s", "o.png"])
@example(argv=BASE + ["-s", "a" * 251 + ".png"])
@example(argv=BASE + ["-s", "a" * 300 + ".png"])
@example(argv=BASE + ["-s", "\udcff.png"])
@example(argv=BASE + ["-s", "\udcff/x.png"])
@example(argv=BASE + ["-s", "afile/sub/x.png"])
@example(argv=BASE + ["-s", "fifo.png"])
@example(argv=BASE + ["-s", "ro.png"])
@example(argv=BASE + ["-s", "o.png", "--save-params", "fifo.png"])
@example(argv=BASE + ["-s", "o.png", "--save-params", "afile/p.json"])
@example(argv=BASE + ["-i", "0", "--ll-panel", "--soft", "--contours", "--compare", "kmeans",
                      "-s", "o.png"])
@example(argv=BASE + ["--dims", "0", "0", "-s", "o.png"])
@example(argv=BASE + ["-q", "-q", "-s", "o.png", "-s", "x.gif.gif"])
def test_any_command_line_is_exit_0_or_one_error_line(argv):
    _check_command_line(argv)


@settings(max_examples=int(os.environ.get("GMM_CLI_EXAMPLES", "60")) // 6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(argv=valid_command_lines())
@example(argv=["--seed", "0", "-s", "o.mp4", "--load_path", "pts3.npy", "--dims", "2", "0",
               "--soft", "--compare", "kmeans", "--ll-panel", "--contours"])
@example(argv=["--seed", "0", "-s", "o.gif", "--load_path", "one.npy", "-k", "1",
               "--select-k", "1:3"])
@example(argv=["--seed", "0", "-s", "o.html", "--init-params", "q.json", "--covariance-type",
               "spherical", "--save-params", "p.npz"])
@example(argv=["--seed", "0", "-s", "o.gif", "--load_path", "pts3.npy", "--uncertainty",
               "--soft", "--compare", "kmeans", "-k", "1"])
@example(argv=["--seed", "0", "-s", "o.png", "--load_path", "const.npy", "--uncertainty"])
@example(argv=["--seed", "0", "-s", "o.gif", "--load_path", "pts3.npy", "--view", "pairs",
               "--soft", "--uncertainty", "--ll-panel", "--hide_means", "-i", "2"])
@example(argv=["--seed", "0", "-s", "o.png", "--load_path", "pts3.npy", "--view", "pca",
               "--compare", "kmeans", "--contours"])
@example(argv=["--seed", "0", "-s", "o.gif", "--load_path", "one.npy", "-k", "1", "--bayesian"])
@example(argv=["--seed", "0", "-s", "o.png", "--load_path", "const.npy", "--bayesian",
               "dirichlet", "--weight-prior", "1e4", "-d", "1", "--select-k", "1:3"])
@example(argv=["--seed", "0", "-s", "o.gif", "--load_path", "pts3.npy", "--bayesian",
               "--soft", "--uncertainty", "--contours", "--compare", "kmeans", "--ll-panel",
               "--save-params", "p.npz", "--print_ll"])
@example(argv=["--seed", "0", "-s", "o.gif", "--load_path", "pts3.npy", "--half-steps",
               "--soft", "--uncertainty", "--compare", "kmeans", "--ll-panel", "-i", "3"])
@example(argv=["--seed", "0", "-s", "o.html", "-d", "1", "--half-steps", "--soft",
               "--compare", "kmeans", "--ll-panel", "-i", "2", "--print_ll", "--trails"])
@example(argv=["--seed", "0", "-s", "o.mp4", "--load_path", "pts3.npy", "--trails",
               "--half-steps", "--select-k", "1:3"])
@example(argv=["--seed", "0", "-s", "o.gif", "-d", "1", "--explain", "--track-row", "2",
               "--half-steps", "--trails", "--compare", "kmeans", "-i", "2"])
@example(argv=["--seed", "0", "-s", "o.png", "--load_path", "pts3.npy", "--explain"])
def test_valid_combinations_get_through_the_whole_run(argv):
    _check_command_line(argv)


@pytest.mark.parametrize("argv, fragment", [
    (["-k", "1" + "0" * 400], "at most 10000"),
    (["-N", "1" + "0" * 400], "at most 100000000"),
    (["-m", "1" + "0" * 400], "at most 100000000"),
    (["-i", "1" + "0" * 400], "at most 1000000"),
    (["--seed", "1" + "0" * 400], "at most 9223372036854775807"),
    (["--n-init", "1" + "0" * 400], "at most 10000"),
    (["--jobs", "0"], "a thread count >= 1 (or -1 for every core)"),
    (["--jobs", "-2"], "a thread count >= 1"),
    (["--jobs", "nan"], "a thread count >= 1"),
    (["--jobs", "1" + "0" * 400], "at most 4096"),
    (["--dims", "1" + "0" * 400, "0"], "at most 2147483647"),
    (["--select-k", "1:10000000000"], "at most 10000"),
    (["-k", "\u0663"], "an integer >= 1"),
    (["-k", "0x3"], "an integer >= 1"),
    (["--fps", "1e-320"], "a number >= 0.01"),
    (["--fps", "1e-5"], "a number >= 0.01"),
    (["--max_radius", "1e200"], "from 1e-150 to 1e+150"),
    (["--max_radius", "1e-200"], "from 1e-150 to 1e+150"),
    (["--tol", "nan"], "a number >= 0"),
    (["--patience", "0"], "an integer >= 1"),
    (["--patience", "1" + "0" * 400], "at most 1000000"),
    (["--patience", "2.5"], "an integer >= 1"),
    (["--dpi", "nan"], "an integer >= 50"),
    (["--dpi", "601"], "at most 600"),
    (["--dpi", ""], "an integer >= 50"),
    (["--size", "nan", "4"], "inches >= 1"),
    (["--size", "1e308", "4"], "at most 40"),
    (["--size", "0.5", "4"], "inches >= 1"),
    (["--size", "", "4"], "inches >= 1"),
    (["--size", "40", "40", "--dpi", "600"], "each side must be 240 to 8192 pixels"),
    (["--size", "1", "1", "--dpi", "100"], "each side must be 240 to 8192 pixels"),
    (["--size", "4"], "expected 2 arguments"),
    (["--select-k", "1:3", "-k", "2"], "--select-k and -k cannot be combined"),
    (["--view", "x" * 400], "invalid choice"),
    (["--view", "pairs"], "--view pairs is for data with 3 or more columns"),
    (["--view", "PCA"], "invalid choice"),
    (["--half-steps=yes"], "--half-steps"),
    (["--half-steps=1" + "0" * 400], "--half-steps"),
    (["--trails=no"], "--trails"),
    (["--no-restart-check=0"], "--no-restart-check"),
    (["--explain=yes"], "--explain"),
])
def test_flag_errors_name_the_flag_and_the_bound(argv, fragment, tmp_path):
    status, out, err = _run(["-s", str(tmp_path / "o.png")] + argv)
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and fragment in err, err
    assert len(err) < 300, err                       # a 400-digit value is not echoed whole
    assert os.listdir(tmp_path) == []


def test_init_params_conflicts_are_one_error_line(tmp_path):
    params = str(tmp_path / "p.json")
    assert _run(BASE + ["-q", "-s", str(tmp_path / "a.png"), "--save-params", params])[0] == 0
    for extra, fragment in [(["--n-init", "3"], "--init-params and --n-init 3 cannot be combined"),
                            (["--select-k", "1:2"], "--init-params and --select-k cannot be"),
                            (["-k", "3"], "-k 3 does not match --init-params")]:
        status, _, err = _run(["-N", "40", "--init-params", params, "-s",
                               str(tmp_path / "b.png")] + extra)
        assert status == 2 and err.count("\n") == 1 and fragment in err, (extra, err)
    assert sorted(os.listdir(tmp_path)) == ["a.png", "p.json"]


@pytest.mark.parametrize("save, params, fragment", [
    ("afile/sub/x.png", None, "afile' is a file, not a directory"),
    ("o.png", "afile/sub/p.json", "afile' is a file, not a directory"),
    ("fifo.png", None, "not a regular file"),
    ("o.png", "fifo.json", "not a regular file"),
    ("ro.png", None, "exists and is read-only"),
    ("dir.gif", None, "it is a directory"),
    ("trail.", None, "unknown extension '.'"),
    ("a" * 300 + ".png", None, "more than the 255"),
])
def test_odd_targets_say_what_is_wrong(save, params, fragment):
    with _in_fresh_folder() as folder:
        os.mkfifo("fifo.json")
        before = _snapshot(folder)
        argv = BASE + ["-s", save] + (["--save-params", params] if params else [])
        status, _, err = _run(argv)
        assert status == 2 and err.count("\n") == 1 and fragment in err, err
        assert "does not exist" not in err
        assert _snapshot(folder) == before


def test_every_integer_flag_reads_ascii_digits_only(tmp_path):
    """'-0' and '+2' are integers; unicode digits, '1_0', hex and '1e3' are not (int() would
    take the first two)."""
    assert _run(BASE + ["-i", "-0", "-s", str(tmp_path / "a.png")])[0] == 0
    assert _run(BASE + ["-k", "+2", "-s", str(tmp_path / "b.png")])[0] == 0
    for bad in ["\u0663", "\uff12", "1_0", "0x2", "1e0", "2.0", ""]:
        status, _, err = _run(BASE + ["-k", bad, "-s", str(tmp_path / "c.png")])
        assert status == 2 and "an integer >= 1" in err, (bad, err)


# --------------------------------------------------------------------------- 2. scale

def test_same_fit_at_every_scale(tmp_path, captured_animator):
    """Data times s fits like the data: same labels, log-likelihood - d log(s)."""
    X, _, _ = data_gen.sample_gaussians(120, 3, random_state=0)
    runs = {}
    for s in [1.0, 1e-300, 1e-200, 1e160, 1e300]:
        path = tmp_path / f"x{s:g}.npy"
        np.save(path, X * s)
        status, out, err = _run(["--load_path", str(path), "-k", "3", "-i", "4", "--tol", "0",
                                 "--seed", "1", "--print_ll", "-q",
                                 "-s", str(tmp_path / f"x{s:g}.png")])
        assert (status, err) == (0, ""), (s, err)
        lls = [float(line.split()[-1]) for line in out.splitlines()]
        assert len(lls) == 5 and all(math.isfinite(v) for v in lls), (s, out)
        anim = captured_animator["anim"]
        state = anim.history[-1]
        assert np.all(np.isfinite(state.means)) and np.all(np.isfinite(state.covariances)), s
        runs[s] = (lls, anim.fit.labels(state) if state.labels is None else state.labels)
    ref_lls, ref_labels = runs[1.0]
    for s, (lls, labels) in runs.items():
        np.testing.assert_array_equal(labels, ref_labels)
        # --print_ll rounds to 6 decimals
        np.testing.assert_allclose(lls, np.array(ref_lls) - 2 * math.log(s), atol=2e-6)


@pytest.mark.parametrize("s", [1e-300, 1e300])
def test_parameters_that_cannot_be_represented_are_one_error_line(tmp_path, s):
    X, _, _ = data_gen.sample_gaussians(60, 2, random_state=0)
    np.save(tmp_path / "x.npy", X * s)
    status, _, err = _run(["--load_path", str(tmp_path / "x.npy"), "-k", "2", "-i", "1",
                           "-s", str(tmp_path / "o.png"), "--save-params",
                           str(tmp_path / "p.json")])
    assert status == 2 and err.count("\n") == 1, err
    assert "--save-params needs the fitted parameters in the data's units" in err
    assert sorted(os.listdir(tmp_path)) == ["x.npy"]


def test_standardise_is_scale_free_and_blockwise(monkeypatch):
    """Per column (numpy's mean and std as the reference) and with one shared
    scale, at any overall scale, in blocks or not."""
    X = np.random.default_rng(1).normal(size=(100, 3)) * [1.0, 5.0, 0.1] + 7.0
    Zr = X - X.mean(axis=0)
    Zs = Zr / np.sqrt(np.mean(Zr ** 2))
    Zr = Zr / X.std(axis=0)
    for s in [1.0, 1e-300, 2.0 ** -1060, 1e160, 1e300]:     # 2**-1060: subnormal data
        Z, centre, scale = gmm_transforms.standardise(X * s)
        tol = 1e-12 if s >= 1e-300 else 1e-2                 # subnormals keep few bits
        np.testing.assert_allclose(Z, Zr, atol=tol)
        np.testing.assert_allclose(scale, X.std(axis=0) * s, rtol=tol)
        Z, centre, scale = gmm_transforms.standardise(X * s, per_column=False)
        np.testing.assert_allclose(Z, Zs, atol=tol)
        np.testing.assert_allclose(scale, np.sqrt(np.mean((X - X.mean(0)) ** 2)) * s, rtol=tol)
    monkeypatch.setattr(gmm_transforms, "CHUNK_ROWS", 7)    # blocks: the same result
    np.testing.assert_allclose(gmm_transforms.standardise(X)[0], Zr, atol=1e-12)
    np.testing.assert_allclose(gmm_transforms.standardise(X, per_column=False)[0], Zs,
                               atol=1e-12)


# --------------------------------------------------------------------------- 3. files

def test_temp_name_of_a_249_byte_target_fits(tmp_path):
    for name in ["a" * 249 + ".gif", "\u00e9" * 125 + ".png", "b" * 255]:
        target = tmp_path / name
        with gmm_atomic.AtomicFile(target) as f:
            assert len(os.path.basename(f.path).encode()) + 4 <= 255   # + ".old" backup
            f.fp.write(b"data")
        assert target.read_bytes() == b"data"
    assert sorted(os.listdir(tmp_path)) == sorted(["a" * 249 + ".gif", "\u00e9" * 125 + ".png",
                                                   "b" * 255])


def test_cli_saves_to_a_249_byte_name(tmp_path):
    target = tmp_path / ("a" * 245 + ".gif")
    status, _, err = _run(BASE + ["-q", "-s", str(target)])
    assert (status, err) == (0, "")
    assert os.listdir(tmp_path) == [target.name]


def test_save_params_failing_keeps_neither_output(tmp_path, monkeypatch):
    gif, params = tmp_path / "a.gif", tmp_path / "p.json"
    gif.write_bytes(b"old gif")

    def failing(path, *args, **kwargs):
        gmm_atomic.atomic_write(path, lambda fh: fh.write(b"half"))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gmm_params, "save_params", failing)
    status, _, err = _run(BASE + ["-s", str(gif), "--save-params", str(params)])
    assert status == 2 and err.count("\n") == 1 and "No space left" in err, err
    assert gif.read_bytes() == b"old gif"
    assert sorted(os.listdir(tmp_path)) == ["a.gif"]


def test_all_or_none_rolls_back_a_rename_that_happened(tmp_path, monkeypatch):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_bytes(b"old")
    real_replace = os.replace

    def replace(src, dst):
        if os.fspath(dst) == str(second):
            raise OSError(5, "I/O error")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        with gmm_atomic.all_or_none():
            gmm_atomic.atomic_write(first, lambda fh: fh.write(b"new"))
            gmm_atomic.atomic_write(second, lambda fh: fh.write(b"new"))
    monkeypatch.undo()
    assert first.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["first.txt"]


def test_headless_fallback_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gmm_vid.gif").write_bytes(b"mine")
    (tmp_path / "gmm_vid-1.gif").write_bytes(b"mine too")
    status, _, err = _run(BASE)
    assert status == 0
    assert err == ("no display available: saved the animation to gmm_vid-2.gif "
                   "(gmm_vid.gif exists and was kept)\n")
    assert (tmp_path / "gmm_vid.gif").read_bytes() == b"mine"
    assert (tmp_path / "gmm_vid-1.gif").read_bytes() == b"mine too"
    assert (tmp_path / "gmm_vid-2.gif").read_bytes()[:6] == b"GIF89a"
    status, _, err = _run(BASE + ["-q"])             # -q: the same, silently
    assert (status, err) == (0, "")
    assert (tmp_path / "gmm_vid-3.gif").exists()


def test_quiet_silences_every_status_and_note_line(tmp_path):
    np.savetxt(tmp_path / "pts.csv", np.c_[np.arange(30), np.random.default_rng(0).normal(
        size=(30, 2))], delimiter=",", header=",a,b", comments="")
    argv = ["--load_path", str(tmp_path / "pts.csv"), "-k", "2", "-i", "1", "--seed", "0",
            "--n-init", "2", "-s", str(tmp_path / "o.gif"), "--save-params",
            str(tmp_path / "p.json")]
    status, _, err = _run(argv)
    assert status == 0
    assert [line.split(" ")[0] for line in err.splitlines()] == ["note:", "saved", "saved"]
    status, _, err = _run(argv + ["-q"])
    assert (status, err) == (0, "")


def test_an_error_is_the_only_stderr_line_even_after_a_note(tmp_path, monkeypatch):
    """A note (index column) or warning comes before the failure: only the error shows."""
    np.savetxt(tmp_path / "pts.csv", np.c_[np.arange(30), np.zeros((30, 2))], delimiter=",",
               header=",a,b", comments="")

    def failing(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gmm_writers.GifWriter, "finish", failing)
    status, _, err = _run(["--load_path", str(tmp_path / "pts.csv"), "-k", "2", "-i", "1",
                           "-s", str(tmp_path / "o.gif")])
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("error: could not write"), err
    assert sorted(os.listdir(tmp_path)) == ["pts.csv"]


@pytest.mark.parametrize("fails", [True, False])
def test_library_warnings_and_log_lines_wait_for_success(monkeypatch, fails):
    """A warning or a library's log line (matplotlib's first-run "building the font
    cache") is shown after a successful run, never before an error line."""
    import logging
    import warnings

    def run(args, signals):
        logging.getLogger("matplotlib.font_manager").warning("building the font cache")
        warnings.warn("something odd", RuntimeWarning)
        if fails:
            raise gmm_cli.UsageError("bad input")
        return 0

    monkeypatch.setattr(visualize_gmm, "_run", run)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])    # as in a plain process
    status, _, err = _run(["-q"])
    if fails:
        assert (status, err) == (2, "error: bad input\n")
    else:
        lines = err.splitlines()
        assert status == 0 and len(lines) == 2, err
        assert lines[0].endswith("RuntimeWarning: something odd")
        assert lines[1] == "building the font cache"


def test_truncated_mp4_is_never_reported_as_saved(tmp_path, monkeypatch):
    """A full disk cuts ffmpeg's output short: exit 2, no file (mp4_problem reads the boxes)."""
    good = tmp_path / "good.mp4"
    assert _run(BASE + ["-q", "-s", str(good)])[0] == 0
    data = good.read_bytes()
    assert gmm_writers.mp4_problem(good) is None
    cut = tmp_path / "cut.mp4"
    for n in [len(data) - 1, len(data) // 2, 40, 5, 0]:
        cut.write_bytes(data[:n])
        assert gmm_writers.mp4_problem(cut) is not None, n
    original_problem = gmm_writers.mp4_problem

    def problem_after_cut(path):            # the disk filled up: half of the file is there
        with open(path, "r+b") as fh:
            fh.truncate(os.path.getsize(path) // 2)
        return original_problem(path)

    monkeypatch.setattr(gmm_writers, "mp4_problem", problem_after_cut)
    out = tmp_path / "new.mp4"
    status, _, err = _run(BASE + ["-s", str(out)])
    assert status == 2 and "did not produce a complete .mp4" in err and err.count("\n") == 1
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["cut.mp4", "good.mp4"]


def test_closed_stdout_is_not_a_traceback(tmp_path):
    proc = subprocess.run(
        ["sh", "-c", f'"$0" "$1" -N 40 -i 1 --seed 0 --print_ll --select-k 1:2 -q '
                     f'-s o.png >&-', sys.executable, SCRIPT],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert os.listdir(tmp_path) == ["o.png"]


COVARIANCE_VALUES = st.one_of(
    st.sampled_from(["all", "ALL", "All", "all ", "full,diag", "every", "", "full", "spherical"]),
    st.text(max_size=6))
WITH_ALL = {"--select-k": st.sampled_from(["1:3", "2,3", "1", "1:100"]),
            "-k": st.sampled_from(["1", "3"]), "--n-init": st.sampled_from(["1", "2"]),
            "--load_path": st.sampled_from(["pts.npy", "pts3.npy", "const.npy", "one.npy"]),
            "--init-params": st.just("q.json"), "--criterion": st.sampled_from(["bic", "aic"]),
            "-s": st.sampled_from(["o.png", "o.gif", "ro.png"])}


@st.composite
def covariance_type_command_lines(draw):
    argv = ["-N", "40", "-i", "1", "--seed", "0", "-q", "-s", "o.png",
            "--covariance-type", draw(COVARIANCE_VALUES)]
    for flag in draw(st.lists(st.sampled_from(sorted(WITH_ALL)), max_size=3, unique=True)):
        argv += [flag, draw(WITH_ALL[flag])]
    return argv


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(argv=covariance_type_command_lines())
@example(argv=["-N", "40", "-i", "1", "--seed", "0", "-q", "-s", "o.png",
               "--covariance-type", "all"])
@example(argv=["-N", "40", "-i", "1", "--seed", "0", "-q", "-s", "o.png",
               "--covariance-type", "all", "--select-k", "1:3", "--load_path", "const.npy"])
@example(argv=["-N", "40", "-i", "1", "--seed", "0", "-q", "-s", "o.png",
               "--covariance-type", "all", "--init-params", "q.json"])
@example(argv=["-N", "40", "-i", "1", "--seed", "0", "-q", "-s", "o.gif",
               "--covariance-type", "all", "--select-k", "1:3", "--load_path", "one.npy"])
@example(argv=["-N", "40", "-i", "1", "--seed", "0", "-q", "-s", "o.png",
               "--covariance-type", "ALL", "--select-k", "1:3"])
def test_covariance_type_all_is_exit_0_or_one_error_line(argv):
    """--covariance-type with hostile values, with and without --select-k and
    the flags it conflicts with: exit 0 or one error line, no file left."""
    _check_command_line(argv)


# --------------------------------------------------------------------------- --columns

CUSTOMERS_CSV = (",income,age,region\n0,30000,25,north\n1,52000,31,south\n2,71000,40,east\n"
                 "3,45000,38,west\n4,39000,29,north\n5,66000,51,east\n")
ODD_COLUMNS = ["", ",", "income,income", "1,1", "9", "-1", "99999999999999999999999" * 20,
               "nosuch", "income", "income,,age", "in\u00e9come,age", "income, age",
               "\u0663,1", "1e0,2", "income,age", "2,1", "region,age", "0,1", "\n", "a\x00b"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=st.one_of(st.sampled_from(ODD_COLUMNS), st.text(max_size=10)))
@example(columns="income,income")
@example(columns="99999999999999999999999" * 20)
def test_hostile_columns_fit_or_give_one_error_line(columns):
    """--columns with any text: the run fits exactly the named columns (their
    names on the axes) or stops with one error line and writes nothing."""
    with _in_fresh_folder() as folder:
        with open("c.csv", "w", encoding="utf-8") as fh:
            fh.write(CUSTOMERS_CSV)
        before = _snapshot(folder)
        argv = ["--load_path", "c.csv", "--columns", columns, "-k", "2", "-i", "1",
                "--seed", "0", "-q", "-s", "o.png"]
        status, _, err = _run(argv)
        _assert_clean(argv, status, err)
        if status == 2:
            assert _snapshot(folder) == before and len(err) < 400, err
        else:
            assert columns.strip(", ") and "o.png" in os.listdir(folder)


def test_columns_without_load_path_is_one_error_line(tmp_path):
    status, _, err = _run(BASE + ["--columns", "0,1", "-s", str(tmp_path / "o.png")])
    assert status == 2 and err == ("error: --columns chooses columns of a data file; give it "
                                   "with --load_path\n")


# --------------------------------------------------------------------------- --save-labels

@pytest.mark.parametrize("labels, fragment", [
    ("afile/sub/l.csv", "afile' is a file, not a directory"),
    ("fifo.csv", "not a regular file"),
    ("ro.csv", "exists and is read-only"),
    ("dir.csv", "is a directory"),
    ("trail.", "unknown extension '.'; use .csv"),
    ("l.png", "unknown extension '.png'; use .csv"),
    ("", "--save-labels is empty"),
    ("a" * 300 + ".csv", "more than the 255"),
    ("o.csv\n", "unknown extension"),
    ("p.json", "unknown extension '.json'"),
])
def test_odd_save_labels_targets_say_what_is_wrong(labels, fragment):
    """The same odd paths as --save: one error line, nothing written or changed."""
    with _in_fresh_folder() as folder:
        os.mkfifo("fifo.csv")
        os.mkdir("dir.csv")
        with open("ro.csv", "w") as fh:
            fh.write("old")
        os.chmod("ro.csv", 0o444)
        before = _snapshot(folder)
        argv = BASE + ["-s", "o.png", "--save-labels", labels]
        status, _, err = _run(argv)
        os.chmod("ro.csv", 0o644)
        assert status == 2 and err.count("\n") == 1 and fragment in err, err
        assert _snapshot(folder) == before


def test_save_labels_failing_keeps_no_output(tmp_path, monkeypatch):
    """--save, --save-params and --save-labels are written all or none."""
    gif, params, labels = tmp_path / "a.gif", tmp_path / "p.json", tmp_path / "l.csv"
    gif.write_bytes(b"old gif")

    def failing(blocks, k, index=None, kept=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gmm_params, "label_lines", failing)
    status, _, err = _run(BASE + ["-s", str(gif), "--save-params", str(params),
                                  "--save-labels", str(labels)])
    assert status == 2 and err.count("\n") == 1 and "No space left" in err, err
    assert gif.read_bytes() == b"old gif"
    assert sorted(os.listdir(tmp_path)) == ["a.gif"]
    status, _, err = _run(BASE + ["-q", "-s", str(gif), "--save-labels", str(gif)])
    assert status == 2 and "unknown extension '.gif'" in err


def test_save_labels_of_sampled_data_has_no_index_column(tmp_path):
    out = tmp_path / "l.csv"
    assert _run(BASE + ["-q", "-s", str(tmp_path / "o.png"), "--save-labels", str(out)])[0] == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "label,responsibility_0,responsibility_1" and len(lines) == 41
    rows = np.array([line.split(",") for line in lines[1:]], dtype=float)
    np.testing.assert_allclose(rows[:, 1:].sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(rows[:, 0], rows[:, 1:].argmax(axis=1))


@pytest.mark.parametrize("keyword, value, error, fragment", [
    ("patience", 0, ValueError, "patience must be >= 1"),
    ("patience", 10 ** 30, ValueError, "patience must be at most 1,000,000"),
    ("patience", 2.0, TypeError, "patience must be an integer"),
    ("patience", "3", TypeError, "patience must be an integer"),
    ("patience", True, TypeError, "patience must be an integer"),
    ("dpi", float("nan"), TypeError, "dpi must be an integer"),
    ("dpi", 10 ** 6, ValueError, "dpi must be at most 600"),
    ("dpi", 1, ValueError, "dpi must be >= 50"),
    ("size", (float("nan"), 4), ValueError, "size must be two numbers"),
    ("size", (), ValueError, "size must be two numbers"),
    ("size", "64", ValueError, "size must be two numbers"),
    ("size", (1e300, 4), ValueError, "size must be two numbers"),
    ("size", (True, 4), ValueError, "size must be two numbers"),
    ("size", (1, 1), ValueError, "each side must be 240 to 8192 pixels"),
    ("title", 5, TypeError, "title must be a str"),
    ("title", b"EM", TypeError, "title must be a str"),
])
def test_animate_refuses_hostile_figure_and_stopping_options(keyword, value, error, fragment):
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(error) as info:
        visualize_gmm.animate(X, 2, max_iter=1, **{keyword: value})
    assert fragment in str(info.value)


def test_size_and_dpi_make_exactly_those_pixels_and_a_title_fits(tmp_path):
    X = np.random.default_rng(0).normal(size=(30, 2))
    for kw, want in [({"size": (19.2, 10.8)}, (1920, 1080)),
                     ({"size": (4, 3), "dpi": 300}, (1200, 900)),
                     ({"size": (2.42, 2.42)}, (242, 242))]:
        anim = visualize_gmm.animate(X, 2, max_iter=1, title="t " * 200, **kw).animator
        anim.save(str(tmp_path / "o.png"))
        with Image.open(tmp_path / "o.png") as im:
            assert im.size == want == anim.size
        title = anim.fig.texts[0]
        box = title.get_window_extent(anim.fig.canvas.get_renderer())
        assert 0 <= box.x0 and box.x1 <= want[0]
    # --dpi alone scales the natural figure
    small = visualize_gmm.animate(X, 2, max_iter=1).animator.size
    assert visualize_gmm.animate(X, 2, max_iter=1, dpi=200).animator.size == (2 * small[0],
                                                                               2 * small[1])


def test_jobs_does_not_change_the_printed_fit(tmp_path, monkeypatch):
    """--jobs 1, 2 and -1 over 12 blocks: the same log-likelihood lines."""
    import gmm_blocks
    monkeypatch.setattr(gmm_blocks, "TASK_ROWS", 256)
    outs = []
    for jobs in ("1", "2", "-1"):
        status, out, err = _run(["-N", "3000", "-k", "3", "-i", "4", "--seed", "0", "--print_ll",
                                 "--jobs", jobs, "-s", str(tmp_path / f"o{jobs}.png")])
        assert status == 0, err
        outs.append([line for line in out.splitlines() if line.startswith("iteration")])
    assert len(outs[0]) == 5 and outs[0] == outs[1] == outs[2]
