"""Reliability of the visualize_gmm command line.

1. A bad-input matrix: every case exits 2 with exactly one ``error:`` line on
   stderr naming the problem and the fix, no traceback, nothing on stdout and
   no file (output or temporary) left behind; a sample also runs as a real
   subprocess.
2. Degenerate data fits and animates with finite, never-decreasing
   log-likelihood and no warnings (``warnings.simplefilter("error")``), and
   the picture is the same at every scale and offset.
3. Saving is atomic: SIGINT in the middle of a long save exits 130 and leaves
   an existing file byte-identical and no temporary file.
4. Loading never unpickles; a 100 MB .npy of the wrong shape is rejected from
   its header without reading the data, end to end.
5. gmm.py errors surface as the same one-line message; gmm.py never prints.
"""
import ast
import errno
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pytest
from numpy.lib import format as npy_format
from PIL import Image

import data_gen
import gmm
import visualize_gmm
from child_env import python_path
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "visualize_gmm.py")
FAST = ["-N", "200", "-k", "3", "-m", "3", "-i", "2", "--seed", "0"]


# --------------------------------------------------------------------------- helpers

def _assert_one_error_line(err, *fragments):
    """stderr is exactly one line ``error: ...`` holding every fragment."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


class _Trap:
    """Records whether any EM or sampling work started (it must not)."""

    def __init__(self, monkeypatch):
        self.calls = []
        for module, name in ((gmm, "em_steps"), (data_gen, "sample_gaussians")):
            original = getattr(module, name)

            def wrapped(*args, _original=original, _name=name, **kwargs):
                self.calls.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(module, name, wrapped)


def _write_bad_files(folder):
    """Every bad input file of the matrix, in ``folder``."""
    rng = np.random.default_rng(0)
    (folder / "a_directory").mkdir()
    (folder / "zero_bytes.npy").write_bytes(b"")
    np.save(folder / "zero_rows.npy", np.zeros((0, 2)))
    np.save(folder / "one_d.npy", np.arange(10.0))
    np.save(folder / "three_d.npy", np.zeros((4, 3, 2)))
    np.save(folder / "one_column.npy", np.zeros((10, 0)))
    np.save(folder / "objects.npy", np.array([{"a": 1}, None], dtype=object),
            allow_pickle=True)
    (folder / "text.npy").write_text("1,2\n3,4\n")
    (folder / "word.csv").write_text("x,y\n1,2\n3,hello\n5,6\n")
    X = rng.normal(size=(20, 2))
    X[3, 0], X[7, 1] = np.nan, np.inf
    np.save(folder / "nan_inf.npy", X)
    np.save(folder / "twenty.npy", rng.normal(size=(20, 2)))
    (folder / "a_file").write_text("not a directory")
    rows = [f"{i},{0.5 * i}" for i in range(60_000)]
    rows[49_998] = "7,oops"                  # file line 50000 (line 1 is the header)
    (folder / "huge.csv").write_text("x,y\n" + "\n".join(rows) + "\n")


# (argv, fragments naming the problem, fragments naming the fix); the command
# runs in a folder holding _write_bad_files and saves to out.gif unless it sets -s
MATRIX = {
    "missing load_path": (["--load_path", "missing.npy"], ["missing.npy", "no such file"],
                          ["check the path"]),
    "load_path is a directory": (["--load_path", "a_directory"], ["is a directory"],
                                 ["give the path of a .npy, .csv, .tsv or .txt file"]),
    "empty .npy (0 bytes)": (["--load_path", "zero_bytes.npy"], ["is empty (0 bytes)"],
                             ["numpy.save"]),
    ".npy with 0 rows": (["--load_path", "zero_rows.npy"], ["has 0 rows"],
                         ["need at least one point"]),
    "1-D data with --contours": (["--load_path", "one_d.npy", "--contours"],
                                 ["--contours", "1-D data"], ["drop --contours"]),
    "3-D array": (["--load_path", "three_d.npy"], ["3-D array of shape (4, 3, 2)"],
                  ["reshape(-1, 2)"]),
    "no column": (["--load_path", "one_column.npy"], ["has 0 columns"],
                  ["need at least 1"]),
    "pickled object array": (["--load_path", "objects.npy"], ["Python objects"],
                             ["never loaded", "save a numeric array"]),
    "text renamed .npy": (["--load_path", "text.npy"], ["looks like a text file"],
                          ["rename it to .csv or .txt"]),
    "CSV with a word": (["--load_path", "word.csv"], ["line 3, column 2", "'hello'"],
                        ["must be numeric"]),
    "NaN and inf rows": (["--load_path", "nan_inf.npy"],
                         ["2 rows of 20 contain NaN or inf", "row index 3"],
                         ["remove or fill them"]),
    "huge CSV bad row at line 50000": (["--load_path", "huge.csv"],
                                       ["line 50000, column 2", "'oops'"],
                                       ["must be numeric"]),
    "-k 0": (["-k", "0"], ["-k", "'0'"], ["an integer >= 1"]),
    "-k -3": (["-k", "-3"], ["-k", "'-3'"], ["an integer >= 1"]),
    "-k 1.5": (["-k", "1.5"], ["-k", "'1.5'"], ["an integer >= 1"]),
    "-k more than loaded points": (["-k", "21", "--load_path", "twenty.npy"],
                                   ["-k 21", "number of points (20)"],
                                   ["fewer components or more points"]),
    "-k more than sampled points": (["-k", "5", "-N", "3"], ["-k 5", "number of points (3)"],
                                    ["fewer components or more points"]),
    "-i -1": (["-i", "-1"], ["--iterations", "'-1'"], ["an integer >= 0"]),
    "--fps 0": (["--fps", "0"], ["--fps", "'0'"], ["a number >= 0.01"]),
    "--fps abc": (["--fps", "abc"], ["--fps", "'abc'"], ["a number >= 0.01"]),
    "--fps inf": (["--fps", "inf"], ["--fps", "'inf'"], ["a number >= 0.01"]),
    "--fps nan": (["--fps", "nan"], ["--fps", "'nan'"], ["a number >= 0.01"]),
    "-N 0": (["-N", "0"], ["-N", "'0'"], ["an integer >= 1"]),
    "-N -5": (["-N", "-5"], ["-N", "'-5'"], ["an integer >= 1"]),
    "-N 1e3": (["-N", "1e3"], ["-N", "'1e3'"], ["an integer >= 1"]),
    "-m 0": (["-m", "0"], ["-m/--means", "'0'"], ["an integer >= 1"]),
    "--max_radius 0": (["--max_radius", "0"], ["--max_radius", "'0'"], ["a number > 0"]),
    "--max_radius -1": (["--max_radius", "-1"], ["--max_radius", "'-1'"], ["a number > 0"]),
    "--tol -1": (["--tol", "-1"], ["--tol", "'-1'"], ["a number >= 0"]),
    "--seed -1": (["--seed", "-1"], ["--seed", "'-1'"], ["an integer >= 0"]),
    "unknown --init": (["--init", "best"], ["--init", "invalid choice: 'best'"],
                       ["choose from", "kmeans++"]),
    "unknown --covariance-type": (["--covariance-type", "round"],
                                  ["--covariance-type", "invalid choice: 'round'"],
                                  ["choose from", "spherical"]),
    "unknown flag": (["--colour", "red"], ["unrecognized arguments: --colour red"], []),
    "--save into a missing directory": (["-s", "no_such_dir/out.gif"],
                                        ["no_such_dir", "does not exist"],
                                        ["create it first"]),
    "--save under a regular file": (["-s", "a_file/out.gif"],
                                    ["a_file", "is a file, not a directory"],
                                    ["choose another path"]),
    "--save to a directory": (["-s", "a_directory"], ["it is a directory"],
                              ["give a file name inside it"]),
    "--save unknown extension": (["-s", "out.jpeg"], ["unknown extension '.jpeg'"],
                                 ["use one of .gif, .mp4, .html, .png"]),
    "--save without extension": (["-s", "out"], ["unknown extension '(none)'"],
                                 ["use one of .gif"]),
    "--save ''": (["-s", ""], ["--save needs a file name"], ["e.g. --save out.gif"]),
    "--load_path ''": (["--load_path", ""], ["--load_path is empty"],
                       ["give the path of a .npy"]),
}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    _write_bad_files(folder)
    return folder


@pytest.mark.parametrize("case", sorted(MATRIX))
def test_bad_input_is_one_error_line_and_no_file(case, bad_dir, monkeypatch, capsys):
    argv, problem, fix = MATRIX[case]
    monkeypatch.chdir(bad_dir)
    trap = _Trap(monkeypatch)
    before = sorted(os.listdir(bad_dir))
    save = [] if "-s" in argv else ["-s", "out.gif"]
    assert main(FAST + argv + save) == 2
    captured = capsys.readouterr()
    _assert_one_error_line(captured.err, *problem, *fix)
    assert captured.out == ""
    assert trap.calls == []                        # failed before any sampling or EM
    assert sorted(os.listdir(bad_dir)) == before   # no output file, no temp file


def test_proc_directory_is_not_writable_even_for_root(tmp_path, capsys):
    """A directory root cannot write to: /proc (no regular files can be created there).

    The tests run as root, so chmod 0o555 would not stop the write; /proc
    refuses file creation to everyone, so this is a real failed write.
    """
    assert main(FAST + ["-s", "/proc/gmm-visualizer-test.gif"]) == 2
    _assert_one_error_line(capsys.readouterr().err, "'/proc'", "is not writable",
                           "choose another directory")
    assert not os.path.exists("/proc/gmm-visualizer-test.gif")


def test_permission_denied_directory(tmp_path, monkeypatch, capsys):
    """EACCES on the target directory, simulated at tempfile.mkstemp.

    As root, chmod cannot produce EACCES, so mkstemp (which the probe and the
    atomic writer both use to create the temp file) raises PermissionError as
    it would for a normal user in a read-only directory.
    """
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    trap = _Trap(monkeypatch)
    assert main(FAST + ["-s", str(tmp_path / "out.gif")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "is not writable", "Permission denied",
                           "choose another directory")
    assert trap.calls == [] and os.listdir(tmp_path) == []


def test_mp4_without_ffmpeg_fails_before_any_work(tmp_path, monkeypatch, capsys):
    import imageio_ffmpeg

    def no_ffmpeg():
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    trap = _Trap(monkeypatch)
    assert main(FAST + ["-s", str(tmp_path / "out.mp4")]) == 2
    _assert_one_error_line(capsys.readouterr().err, ".mp4 needs ffmpeg",
                           "pip install imageio-ffmpeg", "save a .gif")
    assert trap.calls == [] and os.listdir(tmp_path) == []


def test_mp4_without_importable_imageio_ffmpeg(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)   # import raises ImportError
    trap = _Trap(monkeypatch)
    assert main(FAST + ["-s", str(tmp_path / "out.mp4")]) == 2
    _assert_one_error_line(capsys.readouterr().err, ".mp4 needs ffmpeg", "save a .gif")
    assert trap.calls == [] and os.listdir(tmp_path) == []


@pytest.mark.parametrize("exe, fragment", [
    ("/nonexistent/ffmpeg", "ffmpeg not found at '/nonexistent/ffmpeg'"),
    ("not-executable", "is not executable"),
])
def test_mp4_with_a_bad_ffmpeg_path(tmp_path, monkeypatch, capsys, exe, fragment):
    if exe == "not-executable":
        exe = str(tmp_path / "ffmpeg")
        open(exe, "w").close()                     # mode 0644: not executable, even for root
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", exe)
    out = tmp_path / "out" / "x.mp4"
    out.parent.mkdir()
    trap = _Trap(monkeypatch)
    assert main(FAST + ["-s", str(out)]) == 2
    _assert_one_error_line(capsys.readouterr().err, fragment, "IMAGEIO_FFMPEG_EXE")
    assert trap.calls == [] and os.listdir(out.parent) == []


def test_ffmpeg_that_fails_leaves_no_file(tmp_path, monkeypatch, capsys):
    """An ffmpeg that reads every frame and then exits 1 without writing.

    imageio-ffmpeg does not check ffmpeg's exit status; the writer must.
    """
    fake = tmp_path / "fake-ffmpeg"
    fake.write_text("#!/bin/sh\ncat > /dev/null\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    out = tmp_path / "out" / "x.mp4"
    out.parent.mkdir()
    out.write_bytes(b"an older video")
    assert main(FAST + ["-s", str(out)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "ffmpeg did not produce a complete .mp4")
    assert os.listdir(out.parent) == ["x.mp4"] and out.read_bytes() == b"an older video"


def test_ffmpeg_that_dies_is_one_short_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", "/bin/false")
    out = tmp_path / "x.mp4"
    assert main(FAST + ["-s", str(out)]) == 2
    line = _assert_one_error_line(capsys.readouterr().err, "ffmpeg stopped accepting frames")
    assert "FFMPEG COMMAND" not in line and len(line) < 200
    assert os.listdir(tmp_path) == []


def test_newline_in_a_path_stays_on_one_line(tmp_path, capsys):
    assert main(FAST + ["--load_path", str(tmp_path / "two\nlines.npy")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "no such file")


def test_zero_iterations_shows_only_the_initial_state(tmp_path, capsys, captured_animator):
    kept = captured_animator
    out = tmp_path / "zero.gif"
    assert main(["-N", "200", "-k", "3", "-i", "0", "--seed", "0", "--print_ll",
                 "-s", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"iteration   0  log-likelihood {kept['anim'].history[0].log_likelihood:.6f}"]
    assert captured.err == f"saved 1 frame to {out}\n"
    assert [s.iteration for s in kept["anim"].history] == [0]
    with Image.open(out) as im:
        assert im.n_frames == 1


# --------------------------------------------------------------------------- subprocess sample

SUBPROCESS_SAMPLE = ["missing load_path", "pickled object array", "CSV with a word", "-k 0",
                     "--fps nan", "unknown --init", "--save into a missing directory",
                     "--save unknown extension"]


def _run_cli(args, cwd, env_extra=None, timeout=60):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=python_path())
    env.update(env_extra or {})
    return subprocess.run([sys.executable, SCRIPT] + args, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("case", SUBPROCESS_SAMPLE)
def test_bad_input_in_a_real_process(case, bad_dir):
    argv, problem, fix = MATRIX[case]
    before = sorted(os.listdir(bad_dir))
    save = [] if "-s" in argv else ["-s", "out.gif"]
    proc = _run_cli(FAST + argv + save, cwd=bad_dir)
    assert proc.returncode == 2, proc.stderr
    _assert_one_error_line(proc.stderr, *problem, *fix)
    assert proc.stdout == ""
    assert sorted(os.listdir(bad_dir)) == before


def test_mp4_without_ffmpeg_in_a_real_process(tmp_path):
    proc = _run_cli(FAST + ["-s", "out.mp4"], cwd=tmp_path,
                    env_extra={"IMAGEIO_FFMPEG_EXE": str(tmp_path / "no-ffmpeg")})
    assert proc.returncode == 2
    _assert_one_error_line(proc.stderr, "ffmpeg not found", "save a .gif")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- degenerate data

@pytest.fixture
def fit(tmp_path, capsys, captured_animator):
    """Run main on X with warnings as errors; returns (states, stdout lines, stderr).

    From k-means++ centres, whose exact geometry (means on data points) these
    tests check; the default ``center`` start on degenerate data is checked by
    test_visualize_gmm's test_degenerate_data_fits_and_draws."""
    kept = captured_animator

    def run(X, k, *extra, iterations=8, out="o.gif"):
        np.save(tmp_path / "pts.npy", X)
        argv = ["-k", str(k), "--load_path", str(tmp_path / "pts.npy"), "-i", str(iterations),
                "--tol", "0", "--seed", "0", "--print_ll", "-q", "-s", str(tmp_path / out),
                "--init", "kmeans++", *extra]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # numpy's defaults, stated: divide/overflow/invalid warn (and so fail
            # here); underflow, harmless in exp(log-prob - max), is ignored
            with np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"):
                assert main(argv) == 0
        captured = capsys.readouterr()
        states = kept["anim"].history
        _check_states(states, len(X), k, iterations)
        assert len(captured.out.splitlines()) == len(states)
        if out.endswith(".gif"):
            with Image.open(tmp_path / out) as im:
                assert im.n_frames == len(states)
        return states, captured.out.splitlines(), captured.err

    return run


def _check_states(states, n, k, iterations):
    """Every state finite and valid; log-likelihood never decreases."""
    assert [s.iteration for s in states] == list(range(iterations + 1))
    for s in states:
        assert np.isfinite(s.log_likelihood)
        assert np.all(np.isfinite(s.weights)) and s.weights.sum() == pytest.approx(1, abs=1e-12)
        assert np.all(np.isfinite(s.means)) and np.all(np.isfinite(s.covariances))
        assert np.all(np.linalg.eigvalsh(s.covariances) > 0)
        assert s.labels.shape == (n,) and s.labels.min() >= 0 and s.labels.max() < k
    lls = np.array([s.log_likelihood for s in states])
    assert np.all(np.diff(lls) >= -1e-9 * max(1.0, np.abs(lls).max())), lls


def test_all_points_identical_says_so_and_draws(fit):
    X = np.full((40, 2), 3.0)
    states, out, err = fit(X, 5)
    assert err.splitlines() == [
        "warning: all 40 points are identical: EM has nothing to fit (every component sits "
        "on that point with the smallest allowed covariance); drawing it anyway"]
    for s in states:
        np.testing.assert_allclose(s.means, 3.0, rtol=0, atol=1e-12)
        # the smallest allowed covariance: reg_covar (1e-6) in fit units, scale 1
        np.testing.assert_allclose(s.covariances, np.broadcast_to(1e-6 * np.eye(2), (5, 2, 2)),
                                   rtol=1e-6, atol=1e-18)
    expected = -np.log(2 * np.pi) - 0.5 * np.log(1e-12)         # log N(x | x, 1e-6 I)
    assert states[-1].log_likelihood == pytest.approx(expected, abs=1e-6)


def test_one_point_says_so(fit):
    states, _, err = fit(np.array([[1.5, -2.0]]), 1)
    assert err.startswith("warning: the only point: EM has nothing to fit")
    np.testing.assert_allclose(states[-1].means, [[1.5, -2.0]], atol=1e-12)


def test_two_distinct_points_with_five_components(fit):
    X = np.array([[0.0, 0.0], [1.0, 1.0]] * 20)
    states, _, err = fit(X, 5)
    assert err == ""
    for s in states:
        # every mean sits on one of the two points; every point is labelled with a
        # component sitting on it; components beyond the two have lost all points
        near = np.minimum(np.abs(s.means - X[0]).max(1), np.abs(s.means - X[1]).max(1))
        assert near.max() < 1e-9
        np.testing.assert_allclose(s.means[s.labels], X, atol=1e-9)
        assert len(np.unique(s.labels)) == 2
    assert set(np.flatnonzero(np.bincount(states[-1].labels, minlength=5) == 0)) != set()


def test_points_on_a_line(fit):
    t = np.linspace(-3.0, 5.0, 120)
    X = np.c_[t, 2.0 * t + 1.0]
    states, _, err = fit(X, 3)
    assert err == ""
    for s in states:
        # means on the line, covariances flat across it (the fit collapses onto it)
        np.testing.assert_allclose(s.means[:, 1], 2.0 * s.means[:, 0] + 1.0, atol=1e-9)
        normal = np.array([2.0, -1.0]) / np.sqrt(5.0)
        across = np.einsum("i,kij,j->k", normal, s.covariances, normal)
        along = np.linalg.eigvalsh(s.covariances)[:, -1]
        assert np.all(across <= 1e-5 * along)
    assert states[-1].log_likelihood > states[0].log_likelihood


def test_three_points_three_components(fit):
    X = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 3.0]])
    states, _, err = fit(X, 3)
    assert err == ""
    final = states[-1]
    # each component sits on its own point
    order = np.lexsort(final.means.T)
    np.testing.assert_allclose(final.means[order], X[np.lexsort(X.T)], atol=1e-9)
    assert sorted(final.labels) == [0, 1, 2]


def test_component_that_loses_all_its_points(fit, monkeypatch):
    """State 0 puts component 2 far from every point; its responsibilities underflow to 0."""
    original = gmm.em_steps

    def em_steps(Z, k, **kw):
        left, right = Z[Z[:, 0] < 0].mean(0), Z[Z[:, 0] >= 0].mean(0)
        kw["init"] = (np.array([0.45, 0.45, 0.1]), np.array([left, right, [60.0, 60.0]]),
                      np.array([0.05 * np.eye(2)] * 3))
        return original(Z, k, **kw)

    monkeypatch.setattr(gmm, "em_steps", em_steps)
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal([-3, 0], 0.5, (100, 2)), rng.normal([3, 0], 0.5, (100, 2))]
    states, _, err = fit(X, 3)
    assert err == ""
    for s in states:
        assert np.bincount(s.labels, minlength=3)[2] == 0       # nobody's component
    assert states[-1].weights[2] < 1e-12
    assert states[-1].weights[:2].sum() == pytest.approx(1.0, abs=1e-12)


def _interior(png, pad=3):
    """Pixels strictly inside the axes box of a frame (no ticks, no text).

    The box is found from its dark frame lines (the spines: the only rows and
    columns that are dark over most of the figure), so wider tick labels that
    move the axes within a wider figure do not matter.
    """
    with Image.open(png) as im:
        a = np.asarray(im.convert("RGB"))
    dark = a.max(axis=-1) < 80
    cols = np.flatnonzero(dark.mean(axis=0) > 0.6)
    rows = np.flatnonzero(dark.mean(axis=1) > 0.6)
    assert len(cols) >= 2 and len(rows) >= 2, "no axes frame found"
    return a[rows[0] + pad: rows[-1] - pad + 1, cols[0] + pad: cols[-1] - pad + 1]


def test_same_picture_at_every_scale_and_offset(fit):
    rng = np.random.default_rng(11)
    base = np.r_[rng.normal([0, 0], [1.0, 0.4], (150, 2)), rng.normal([4, 2], 0.6, (150, 2)),
                 rng.normal([-2, 3], 0.5, (100, 2))]
    runs = {}
    for name, scale, shift in (("unit", 1.0, 0.0), ("tiny", 1e-6, 0.0), ("huge", 1e6, 0.0),
                               ("offset", 1.0, 1e6)):
        states, out, _ = fit(base * scale + shift, 3, out=f"{name}.png")
        runs[name] = (scale, shift, states, out)
    _, _, ref, _ = runs["unit"]
    for name, (scale, shift, states, out) in runs.items():
        assert len(states) == len(ref)
        for s, r in zip(states, ref):
            np.testing.assert_array_equal(s.labels, r.labels)
            np.testing.assert_allclose((s.means - shift) / scale, r.means, rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(s.covariances / scale ** 2, r.covariances, rtol=1e-6,
                                       atol=1e-12)
            np.testing.assert_allclose(s.weights, r.weights, rtol=1e-6)
            assert s.log_likelihood + 2 * np.log(scale) == pytest.approx(r.log_likelihood,
                                                                        abs=1e-6)


def test_same_pixels_inside_the_axes_at_every_scale(tmp_path):
    rng = np.random.default_rng(11)
    base = np.r_[rng.normal([0, 0], [1.0, 0.4], (150, 2)), rng.normal([4, 2], 0.6, (150, 2))]
    frames = {}
    control = base * [1.0, 1.1]           # a different shape: the comparison must see it
    for name, scale, shift in (("unit", 1.0, 0.0), ("tiny", 1e-6, 0.0), ("huge", 1e6, 0.0),
                               ("offset", 1.0, 1e6), ("control", None, None)):
        X = control if name == "control" else base * scale + shift
        np.save(tmp_path / f"{name}.npy", X)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert main(["-k", "2", "--load_path", str(tmp_path / f"{name}.npy"), "-i", "5",
                         "--tol", "0", "--seed", "0", "-q",
                         "-s", str(tmp_path / f"{name}.png")]) == 0
        frames[name] = _interior(tmp_path / f"{name}.png")
    control = frames.pop("control")
    assert control.shape != frames["unit"].shape or \
        np.any(control != frames["unit"], axis=-1).mean() > 0.01
    for name, pixels in frames.items():
        assert pixels.shape == frames["unit"].shape
        differ = np.any(pixels != frames["unit"], axis=-1).mean()
        assert differ < 0.002, (name, differ)       # sub-pixel rounding at edges only


def test_degenerate_run_has_no_warnings_in_a_real_process(tmp_path):
    np.save(tmp_path / "same.npy", np.full((30, 2), -7.0))
    proc = _run_cli(["-k", "3", "--load_path", "same.npy", "-i", "3", "--seed", "0"],
                    cwd=tmp_path, env_extra={"PYTHONWARNINGS": "error"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "warning: all 30 points are identical: EM has nothing to fit (every component sits "
        "on that point with the smallest allowed covariance); drawing it anyway",
        "no display available: saved the animation to gmm_vid.gif"]
    assert sorted(os.listdir(tmp_path)) == ["gmm_vid.gif", "same.npy"]


# --------------------------------------------------------------------------- atomic save / SIGINT

@pytest.mark.parametrize("signum, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                  (signal.SIGTERM, 143, "terminated"),
                                                  (signal.SIGHUP, 129, "hung up")])
def test_signal_in_a_long_save_keeps_the_old_file(tmp_path, default_ctrl_c, signum, status,
                                                  word):
    """Ctrl-C (SIGINT), ``kill`` (SIGTERM) or a closed terminal (SIGHUP) while frames
    are being written."""
    out = tmp_path / "out.gif"
    old = b"GIF89a an earlier animation the user wants to keep"
    out.write_bytes(old)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=python_path())
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, "-N", "200000", "-k", "5", "--tol", "0", "-i", "200",
         "--seed", "0", "-s", "out.gif"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # SIGHUP as in a terminal, even if this run ignores it (nohup)
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 30
        temp = []
        while time.monotonic() < deadline and proc.poll() is None:
            temp = [n for n in os.listdir(tmp_path) if n.startswith(".out.gif.")]
            if temp and os.path.getsize(tmp_path / temp[0]) > 0:   # frames are being written
                break
            time.sleep(0.02)
        assert temp and proc.poll() is None, "the save never started"
        proc.send_signal(signum)
        out_text, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err.decode()
    assert proc.returncode == status, err
    assert err.strip().splitlines()[-1] == word
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == ["out.gif"]          # the temp file is gone
    assert out.read_bytes() == old                      # the old file is untouched


def test_reader_of_stdout_going_away_does_not_stop_the_save(tmp_path):
    """``--print_ll ... | head -1``: the GIF is still written completely, exit 0."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=python_path())
    proc = subprocess.Popen(
        [sys.executable, SCRIPT, "-N", "100", "-k", "3", "-i", "250", "--tol", "0", "--seed",
         "0", "--print_ll", "-q", "-s", "out.gif"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()                                  # like `head -1` exiting
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert first.startswith(b"iteration   0  log-likelihood")
    assert proc.returncode == 0, err
    assert err == ""
    with Image.open(tmp_path / "out.gif") as im:
        assert im.n_frames == 251
    assert os.listdir(tmp_path) == ["out.gif"]


def test_failed_write_midway_keeps_the_old_file(tmp_path, fail_on_frame, capsys):
    out = tmp_path / "out.gif"
    out.write_bytes(b"old")
    fail_on_frame(OSError(errno.ENOSPC, "No space left on device"), 2)
    assert main(FAST + ["-s", str(out)]) == 2
    _assert_one_error_line(capsys.readouterr().err, "No space left on device")
    assert os.listdir(tmp_path) == ["out.gif"] and out.read_bytes() == b"old"


# --------------------------------------------------------------------------- loading is safe

class _Marker:
    """Unpickling this creates the file ``path`` (proof that code ran)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("kind", ["object .npy", "raw pickle named .npy"])
def test_loading_never_unpickles(tmp_path, monkeypatch, capsys, kind):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.npy"
    if kind == "object .npy":
        np.save(path, np.array([_Marker(str(marker))], dtype=object), allow_pickle=True)
    else:
        path.write_bytes(pickle.dumps(_Marker(str(marker))))

    def forbidden(*args, **kwargs):
        raise AssertionError("unpickling was attempted")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    assert main(FAST + ["--load_path", str(path), "-s", str(tmp_path / "o.gif")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "never loaded")
    assert not marker.exists()
    assert sorted(os.listdir(tmp_path)) == ["evil.npy"]


def _huge_wrong_shape(path):
    """A 100 MB (sparse) .npy whose header says (12_500_000, 1, 1): a 3-D array."""
    with open(path, "wb") as fh:
        npy_format.write_array_header_1_0(
            fh, {"descr": "<f8", "fortran_order": False, "shape": (12_500_000, 1, 1)})
        fh.truncate(fh.tell() + 100_000_000)
    assert os.path.getsize(path) > 100_000_000


def test_100mb_wrong_shape_rejected_from_header(tmp_path, monkeypatch, capsys):
    path = tmp_path / "huge.npy"
    _huge_wrong_shape(path)

    def no_reading(*args, **kwargs):
        raise AssertionError("array data was read")

    monkeypatch.setattr(npy_format, "read_array", no_reading)
    monkeypatch.setattr(np, "load", no_reading)
    monkeypatch.setattr(np, "fromfile", no_reading)
    trap = _Trap(monkeypatch)
    assert main(FAST + ["--load_path", str(path), "-s", str(tmp_path / "o.gif")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "huge.npy", "3-D array",
                           "reshape")
    assert trap.calls == [] and sorted(os.listdir(tmp_path)) == ["huge.npy"]


def test_100mb_wrong_shape_in_a_real_process_reads_little(tmp_path):
    """End to end: the process reads far less than the file's 100 MB (Linux rchar)."""
    if not os.path.exists("/proc/self/io"):
        pytest.skip("needs Linux /proc/self/io to count bytes read")
    path = tmp_path / "huge.npy"
    _huge_wrong_shape(path)
    wrapper = (
        "import sys, visualize_gmm\n"
        "code = visualize_gmm.main(sys.argv[1:])\n"
        "rchar = [l for l in open('/proc/self/io') if l.startswith('rchar')][0].split()[1]\n"
        "print(rchar)\n"
        "sys.exit(code)\n")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=python_path())
    proc = subprocess.run([sys.executable, "-c", wrapper, "--load_path", "huge.npy",
                           "-s", "o.gif"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    _assert_one_error_line(proc.stderr, "3-D array")
    assert int(proc.stdout) < 20_000_000, proc.stdout        # not the 100 MB of data
    assert sorted(os.listdir(tmp_path)) == ["huge.npy"]


# --------------------------------------------------------------------------- gmm errors

def test_gmm_error_midway_surfaces_as_its_own_message(tmp_path, monkeypatch, capsys):
    """A ValueError raised by gmm during EM (not at call time) reaches the user verbatim.

    With reg_covar=0 on identical points the first M-step gives a zero
    covariance; gmm raises its 'not positive definite' ValueError while the
    save is streaming. The message must be exactly gmm's, the old file kept.
    """
    X = np.full((30, 2), 2.0)
    with pytest.raises(ValueError) as direct:
        list(gmm.em_steps(X - X.mean(0), 2, max_iter=3, tol=0, reg_covar=0.0, random_state=0))
    original = gmm.em_steps
    monkeypatch.setattr(gmm, "em_steps",
                        lambda Z, k, **kw: original(Z, k, **dict(kw, reg_covar=0.0)))
    np.save(tmp_path / "same.npy", X)
    out = tmp_path / "o.gif"
    out.write_bytes(b"keep me")
    assert main(["-k", "2", "--load_path", str(tmp_path / "same.npy"), "-i", "3", "--tol", "0",
                 "--seed", "0", "-q", "-s", str(out)]) == 2
    err = capsys.readouterr().err
    line = err.splitlines()[-1]
    assert line == f"error: {' '.join(str(direct.value).split())}"
    assert sum(1 for l in err.splitlines() if l.startswith("error:")) == 1
    assert "Traceback" not in err
    assert out.read_bytes() == b"keep me" and sorted(os.listdir(tmp_path)) == ["o.gif",
                                                                                "same.npy"]


@pytest.mark.parametrize("kwargs", [
    dict(n_components=0), dict(n_components=50), dict(max_iter=-1), dict(tol=-1.0),
    dict(tol=float("nan")), dict(init="best"), dict(covariance_type="round"),
    dict(reg_covar=-1.0), dict(random_state=-1),
])
def test_gmm_raises_value_error_and_never_prints(kwargs, capsys):
    X = np.random.default_rng(0).normal(size=(20, 2))
    args = dict(n_components=2, max_iter=3)
    args.update(kwargs)
    k = args.pop("n_components")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            gmm.em_steps(X, k, **args)              # at call time, not at next()
    assert str(info.value)
    assert capsys.readouterr() == ("", "")


def test_gmm_writes_nothing_unasked(capsys):
    """The model prints and warns only where scikit-learn's does (a fit that did
    not converge, verbose=1): converged fits, em_steps and select_k are silent,
    and gmm.py never imports logging or matplotlib."""
    tree = ast.parse(open(os.path.join(ROOT, "gmm.py")).read())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                assert alias.name.split(".")[0] not in ("logging", "matplotlib")
            assert (getattr(node, "module", None) or "").split(".")[0] not in ("logging", "matplotlib")
    X = np.random.default_rng(0).normal(size=(300, 2)) + np.repeat([[0, 0], [6, 0], [0, 6]], 100, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(gmm.em_steps(X, 3, random_state=0))
        model = gmm.GaussianMixture(3, random_state=0).fit(X)
        gmm.select_k(X, [1, 2, 3], random_state=0)
    assert model.converged_
    assert capsys.readouterr() == ("", "")
    with pytest.warns(gmm.ConvergenceWarning):
        gmm.GaussianMixture(3, max_iter=1, tol=0.0, random_state=0).fit(X)
    gmm.GaussianMixture(3, verbose=1, random_state=0).fit(X)
    assert "Initialization" in capsys.readouterr().out


# --------------------------------------------------------------------------- every option

GARBAGE = ["abc", "nan", "inf", "-1", "1.5", "0", "", "1e3", "99999999999999999999"]
#: values that are valid but would run for ever (the user asked for it)
ENDLESS = {("n_init", "99999999999999999999")}


def _value_options():
    parser = visualize_gmm.build_parser()
    for action in parser._actions:
        if action.option_strings and action.nargs != 0 and action.help != "==SUPPRESS==":
            yield action


def test_every_option_with_garbage_values_is_clean(tmp_path, monkeypatch, capsys):
    """Every option taking a value, fed odd values: exit 0, or 2 with one error line.

    Covers every option the parser has (the sweep reads the parser).
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    checked = 0
    for action in _value_options():
        count = action.nargs if isinstance(action.nargs, int) else 1
        flag = action.option_strings[-1]
        for value in GARBAGE:
            if (action.dest, value) in ENDLESS:
                continue
            save = [] if action.dest == "save" else ["-s", "out/o.png"]
            argv = ["-N", "120", "-k", "2", "-i", "1", "--seed", "0", "-q", flag,
                    *[value] * count, *save]
            code = main(argv)
            captured = capsys.readouterr()
            assert code in (0, 2), (argv, code)
            if code == 2:
                _assert_one_error_line(captured.err)
                assert captured.out == ""
            assert "Traceback" not in captured.err
            leftovers = [n for n in os.listdir(tmp_path / "out") if n.startswith(".")]
            assert leftovers == [], (argv, leftovers)
            checked += 1
    assert checked >= 20 * len(GARBAGE) // 2


def test_too_many_points_to_sample(capsys, monkeypatch):
    trap = _Trap(monkeypatch)
    assert main(["-N", "99999999999999999999", "-s", "x.gif"]) == 2
    _assert_one_error_line(capsys.readouterr().err, "-N/--num_points", "at most 100000000")
    assert trap.calls == []


def test_out_of_memory_is_one_line_and_no_file(tmp_path, fail_on_frame, capsys):
    fail_on_frame(MemoryError(), 2)
    assert main(FAST + ["-s", str(tmp_path / "o.gif")]) == 2
    _assert_one_error_line(capsys.readouterr().err, "not enough memory", "fewer points")
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- data_gen's CLI

@pytest.mark.parametrize("argv, fragment", [
    (["gaussians", "-N", "99999999999999999999", "-o", "a.npy"], "too many points"),
    (["gaussians", "-N", "0", "-o", "a.npy"], "must be at least 1"),
    (["circles", "--noise", "nan", "-o", "a.npy"], "must be finite"),
    (["moons", "-o", "no_dir/a.npy"], "does not exist"),
    (["moons", "-o", "a.jpeg"], "unsupported output extension"),
    (["bogus", "-o", "a.npy"], "invalid choice"),
])
def test_data_gen_cli_bad_input_is_one_line(tmp_path, monkeypatch, capsys, argv, fragment):
    monkeypatch.chdir(tmp_path)
    assert data_gen.main(argv) == 2
    captured = capsys.readouterr()
    _assert_one_error_line(captured.err, fragment)
    assert os.listdir(tmp_path) == []


def test_data_gen_cli_interrupted_leaves_no_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "save", interrupted)
    assert data_gen.main(["moons", "-N", "50", "-o", "a.npy"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert os.listdir(tmp_path) == []


def test_a_swallowed_signal_still_stops_the_save(tmp_path, monkeypatch, default_ctrl_c):
    """A Ctrl-C whose KeyboardInterrupt Python swallowed (the signal landed in a
    finalizer or callback) is raised again before the next frame: the old file
    stays and no temp file is left."""
    import gmm_animator
    import signal as _signal

    out = tmp_path / "out.gif"
    old = b"GIF89a keep me"
    out.write_bytes(old)
    monkeypatch.chdir(tmp_path)
    original_render = gmm_animator.Animator.render
    calls = []

    def render(self, i):
        calls.append(i)
        if i == 2:                      # what the handler does when its raise is lost
            handler = _signal.getsignal(_signal.SIGINT)
            try:
                handler(_signal.SIGINT, None)
            except KeyboardInterrupt:
                pass                    # swallowed, as in a finalizer
        return original_render(self, i)

    monkeypatch.setattr(gmm_animator.Animator, "render", render)
    status = main(["-N", "200", "-k", "3", "-i", "10", "--tol", "0", "--seed", "0",
                   "-s", "out.gif", "-q"])
    assert status == 130
    assert max(calls) == 2              # stopped right after the frame it landed in
    assert os.listdir(tmp_path) == ["out.gif"]
    assert out.read_bytes() == old


@pytest.mark.parametrize("signum, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                  (signal.SIGTERM, 143, "terminated")])
def test_a_signal_lost_in_a_finalizer_prints_no_traceback(tmp_path, monkeypatch, capsys,
                                                          default_ctrl_c, signum, status, word):
    """The handler's exception raised inside a weakref callback is "unraisable":
    Python would print "Exception ignored in ..." with a traceback.  The CLI drops
    that report, raises the signal again before the next frame and prints one word;
    an unrelated unraisable error is still reported."""
    import weakref

    import gmm_animator

    monkeypatch.chdir(tmp_path)
    original_render = gmm_animator.Animator.render
    reports = []
    hook = lambda u: reports.append(u.exc_type)                            # noqa: E731
    monkeypatch.setattr(sys, "unraisablehook", hook)

    class Thing:
        pass

    def render(self, i):
        if i == 2:
            handler = signal.getsignal(signum)
            thing = Thing()
            ref = weakref.ref(thing, lambda _: handler(signum, None))      # noqa: F841
            del thing                   # the callback runs here; its raise is lost
            other = Thing()
            ref2 = weakref.ref(other, lambda _: 1 / 0)                     # noqa: F841
            del other
        return original_render(self, i)

    monkeypatch.setattr(gmm_animator.Animator, "render", render)
    result = main(["-N", "200", "-k", "3", "-i", "10", "--tol", "0", "--seed", "0",
                   "-s", "out.gif", "-q"])
    err = capsys.readouterr().err
    assert result == status
    assert err == word + "\n"
    assert reports == [ZeroDivisionError]          # ours dropped, the other passed on
    assert sys.unraisablehook is hook               # restored after the run
    assert os.listdir(tmp_path) == []
