"""Tests for the visualize_gmm command line: main(argv) in-process, Agg backend.

Frame counts, --print_ll lines against an independent (scipy) log-likelihood,
every writer's output decoded, hide flags, bad input, atomic saves, and a live
window under Xvfb (subprocess with TkAgg).
"""
import base64
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings

import matplotlib.patches
import numpy as np
import pytest
from PIL import Image
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import gmm_core
import gmm_fit
import gmm_plot
import gmm_transforms
import readme_commands
import visualize_gmm
from readme_commands import EXAMPLE_COMMANDS, USAGE_RUNS
from child_env import python_path
from gmm_params import load_params
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LL_LINE = re.compile(r"^iteration (?P<i>[ \d]{3,})  log-likelihood (?P<ll>-?\d+\.\d{6})$")
SMALL = ["-N", "300", "-k", "3", "-m", "3", "--seed", "0"]


def _mixture_ll(X, state):
    """Mean log-likelihood of X under a state's parameters, by scipy."""
    logs = [np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(state.weights, state.means, state.covariances)]
    return float(np.mean(logsumexp(np.stack(logs, axis=1), axis=1)))


def _only_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err


# ---------------------------------------------------------------- frames / ll

def test_gif_frame_count_durations_and_hold(tmp_path, capsys):
    out = tmp_path / "out.gif"
    assert main(SMALL + ["-i", "4", "--tol", "0", "--fps", "10", "--save", str(out)]) == 0
    with Image.open(out) as im:
        assert im.n_frames == 5
        durations = []
        for f in range(im.n_frames):
            im.seek(f)
            durations.append(im.info["duration"])
        assert im.info.get("loop") == 0
    assert durations == [100, 100, 100, 100, 1100]   # last frame held one second more
    err = capsys.readouterr().err
    assert f"saved 5 frames to {out}" in err


def test_print_ll_lines_equal_state_values(tmp_path, capsys, captured_animator):
    rng = np.random.default_rng(3)
    X = np.r_[rng.normal([0, 0], [1.0, 0.5], (150, 2)), rng.normal([4, 3], 0.7, (150, 2))] * 1e3
    path = tmp_path / "pts.npy"
    np.save(path, X)
    argv = ["-k", "2", "--load_path", str(path), "--print_ll", "-i", "6", "--tol", "0",
            "--seed", "1", "-s", str(tmp_path / "o.png")]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    states = captured_animator["anim"].history
    assert len(out) == len(states) == 7
    for line, state in zip(out, states):
        m = LL_LINE.match(line)
        assert m, line
        assert line == f"iteration {state.iteration:>3}  log-likelihood {state.log_likelihood:.6f}"
        assert int(m["i"]) == state.iteration
        # printed value is the mean log-likelihood of the user's data (user units)
        assert float(m["ll"]) == pytest.approx(_mixture_ll(X, state), abs=2e-6)
    assert [s.iteration for s in states] == list(range(7))
    lls = [s.log_likelihood for s in states]
    assert all(b >= a - 1e-9 for a, b in zip(lls, lls[1:]))        # EM never decreases


def test_scaled_data_fits_the_same(tmp_path, captured_animator):
    rng = np.random.default_rng(5)
    X = np.r_[rng.normal([0, 0], 1.0, (120, 2)), rng.normal([5, 1], 0.5, (120, 2))]
    runs = {}
    for name, scale, shift in (("unit", 1.0, 0.0), ("big", 1e6, 3e6), ("tiny", 1e-6, 0.0)):
        path = tmp_path / f"{name}.npy"
        np.save(path, X * scale + shift)
        assert main(["-k", "2", "--load_path", str(path), "-i", "5", "--tol", "0",
                     "--seed", "2", "-q", "-s", str(tmp_path / f"{name}.png")]) == 0
        runs[name] = (scale, shift, captured_animator["anim"].history)
    base = runs["unit"][2]
    for name in ("big", "tiny"):
        scale, shift, states = runs[name]
        for s0, s in zip(base, states):
            np.testing.assert_allclose(s.means, s0.means * scale + shift, rtol=1e-9,
                                       atol=1e-9 * scale)
            np.testing.assert_allclose(s.covariances, s0.covariances * scale ** 2, rtol=1e-9,
                                       atol=1e-12 * scale ** 2)
            assert s.log_likelihood == pytest.approx(s0.log_likelihood - 2 * np.log(scale),
                                                     abs=1e-9)
            np.testing.assert_array_equal(s.labels, s0.labels)


def test_early_stop_on_tol_and_zero_iterations(tmp_path, captured_animator):
    assert main(SMALL + ["--tol", "1e9", "--patience", "1", "-q", "-s",
                         str(tmp_path / "a.gif")]) == 0
    states = captured_animator["anim"].history
    assert len(states) == 2 and states[-1].converged      # |ll1 - ll0| < 1e9
    with Image.open(tmp_path / "a.gif") as im:
        assert im.n_frames == 2
    assert main(SMALL + ["-i", "0", "-q", "-s", str(tmp_path / "b.gif")]) == 0
    assert len(captured_animator["anim"].history) == 1
    with Image.open(tmp_path / "b.gif") as im:
        assert im.n_frames == 1


def test_more_than_two_columns_fit_all_draw_two_principal_components(
        tmp_path, capsys, monkeypatch, captured_animator):
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=(200, 2)), rng.normal(size=200) * 3]
    path = tmp_path / "pts.csv"
    np.savetxt(path, X, delimiter=",", header="a,b,c", comments="")
    full_states = []
    original = gmm_transforms.project

    def spy(state, P, centre):
        full_states.append(state)
        return original(state, P, centre)

    monkeypatch.setattr(gmm_fit, "project", spy)
    assert main(["-k", "2", "--load_path", str(path), "-i", "3", "--seed", "0", "-q",
                 "--print_ll", "--view", "pca", "-s", str(tmp_path / "o.png")]) == 0
    printed = [float(LL_LINE.match(line)["ll"]) for line in capsys.readouterr().out.splitlines()]
    drawn = captured_animator["anim"].history
    scale = captured_animator["anim"].fit.scale         # the fit's standardisation
    assert len(printed) == len(drawn) == len(full_states) == 4
    for ll, full, shown in zip(printed, full_states, drawn):
        assert full.means.shape == (2, 3)                       # all columns fitted
        assert ll == pytest.approx(_mixture_ll(X, full), abs=2e-6)
        # --view pca: the top two principal components in the fit's coordinates
        P, centre, _ = gmm_transforms.pca_projection(X, scale)
        P = P / scale
        np.testing.assert_allclose(shown.means, (full.means - centre) @ P.T, atol=1e-12)
        np.testing.assert_allclose(shown.covariances, P @ full.covariances @ P.T, atol=1e-12)


@pytest.mark.parametrize("cov_type", ["full", "tied", "diag", "spherical"])
def test_covariance_type_and_init_reach_the_fit(tmp_path, captured_animator, cov_type):
    assert main(SMALL + ["-i", "3", "-q", "--covariance-type", cov_type, "--init", "random",
                         "-s", str(tmp_path / "o.png")]) == 0
    covs = captured_animator["anim"].history[-1].covariances
    off_diagonal = covs[:, 0, 1]
    if cov_type == "tied":
        np.testing.assert_allclose(covs, np.broadcast_to(covs[0], covs.shape))
    if cov_type in ("diag", "spherical"):
        np.testing.assert_array_equal(off_diagonal, 0.0)
    if cov_type == "spherical":
        np.testing.assert_allclose(covs[:, 0, 0], covs[:, 1, 1])
    if cov_type == "full":
        assert np.all(off_diagonal != 0.0)


# ---------------------------------------------------------------- documented commands

# the command lists of README.md and docs/*.md live in tests/readme_commands.py


def _decoded_frames(path):
    """Number of frames in a saved file, by decoding it."""
    ext = os.path.splitext(path)[1]
    if ext == ".gif":
        with Image.open(path) as im:
            return im.n_frames
    if ext == ".png":
        with Image.open(path) as im:
            im.load()
            return 1
    if ext == ".html":
        return len(re.findall(r'F\.push\("data:image/png;base64,', open(path).read()))
    if ext == ".mp4":
        import imageio_ffmpeg
        reader = imageio_ffmpeg.read_frames(path)
        meta = next(reader)
        return sum(1 for _ in reader) - int(round(meta["fps"]))   # minus the 1 s hold
    raise AssertionError(path)


@pytest.mark.parametrize("command", USAGE_RUNS)
def test_usage_commands_verbatim(tmp_path, monkeypatch, capsys, captured_animator, command):
    (tmp_path / "examples").mkdir()
    shutil.copy(os.path.join(ROOT, "examples", "circles.npy"), tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    assert main(command.split()) == 0
    states = captured_animator["anim"].history
    saves = re.search(r"(?:--save|-s) (\S+)", command)
    out = saves.group(1) if saves else "gmm_vid.gif"
    n = _decoded_frames(out)
    assert n == (1 if out.endswith(".png") else len(states))
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == (len(states) if "--print_ll" in command else 0)


@pytest.mark.parametrize("command", readme_commands.README_COMMANDS)
def test_readme_commands_verbatim(tmp_path, monkeypatch, captured_animator, command):
    """The README's seeded demo is the run that made examples/demo.gif; its
    teaching view adds the log-likelihood panel beside the same scene."""
    monkeypatch.chdir(tmp_path)
    assert main(command.split()) == 0                   # headless: saved to gmm_vid.gif
    with Image.open("gmm_vid.gif") as new, \
            Image.open(os.path.join(ROOT, "examples", "demo.gif")) as demo:
        assert new.n_frames == demo.n_frames == len(captured_animator["anim"].history)
        assert new.height == demo.height
        assert (new.width > demo.width) == ("--ll-panel" in command)
        if command == "-k 5 -m 5 --seed 32":
            assert new.size == demo.size


def test_documented_commands_are_tested():
    pages = readme_commands.documented_pages()
    found = [args for text in pages.values()
             for args in re.findall(r"python visualize_gmm\.py([^\n`]*)", text)]
    assert found, "no page shows a visualize_gmm.py command (or this pattern broke)"
    # USAGE_RUNS and README_COMMANDS run above; the other pages' commands are
    # run verbatim by their own test files (test_gmm_teaching, test_visualize_gmm_analysis)
    tested = readme_commands.visualize_commands()
    assert set(EXAMPLE_COMMANDS) <= tested
    for args in found:
        args = " ".join(args.split("&&")[0].split("#")[0].split())
        assert args in tested, f"documented command not covered by tests: {args!r}"


@pytest.mark.parametrize("name", ["demo.gif", "circles.gif"])
def test_example_gifs_are_small_animations(name):
    path = os.path.join(ROOT, "examples", name)
    assert os.path.getsize(path) < 2 * 2**20
    with Image.open(path) as im:
        assert im.n_frames > 5 and im.info.get("loop") == 0


# ---------------------------------------------------------------- writers

@pytest.mark.parametrize("flag", ["--save", "-s", "--save_path", "--save-path"])
def test_save_aliases(tmp_path, flag):
    out = tmp_path / "x.gif"
    assert main(SMALL + ["-i", "2", "--tol", "0", "-q", flag, str(out)]) == 0
    with Image.open(out) as im:
        assert im.format == "GIF" and im.n_frames == 3


def test_png_is_final_frame(tmp_path, captured_animator):
    out = tmp_path / "x.png"
    assert main(SMALL + ["-i", "3", "--tol", "0", "-q", "--save", str(out)]) == 0
    anim = captured_animator["anim"]
    with Image.open(out) as im:
        assert im.format == "PNG"
        assert im.size == tuple(anim.size)
        assert im.size[0] % 16 == 0 and im.size[1] % 16 == 0
        final = np.asarray(im.convert("RGB"))
    # the text of the final state is drawn: re-render state 3 and compare pixels
    np.testing.assert_array_equal(final, anim.render(3))
    assert not np.array_equal(final, anim.render(0))


def test_mp4_decodes(tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / "x.mp4"
    assert main(SMALL + ["-i", "4", "--tol", "0", "--fps", "5", "-q", "--save", str(out)]) == 0
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    frames = list(reader)
    assert meta["fps"] == pytest.approx(5)
    assert len(frames) == 5 + 5                          # 5 states + 1 s hold at 5 fps
    w, h = meta["size"]
    assert len(frames[0]) == w * h * 3
    # the held frames repeat the final frame
    assert frames[-1] == frames[-2]


def test_html_is_self_contained_player(tmp_path, captured_animator):
    out = tmp_path / "x.html"
    assert main(SMALL + ["-i", "3", "--tol", "0", "-q", "--save", str(out)]) == 0
    html = out.read_text()
    frames = re.findall(r'F\.push\("data:image/png;base64,([A-Za-z0-9+/=]+)"\);', html)
    assert len(frames) == 4
    for data in (frames[0], frames[-1]):
        with Image.open(io.BytesIO(base64.b64decode(data))) as im:
            assert im.size == tuple(captured_animator["anim"].size)
    assert "var D = [100,100,100,1100];" in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)     # nothing external
    assert html.rstrip().endswith("</html>")


PLAYER_HARNESS = r"""
const fs = require("fs");
const html = fs.readFileSync(process.argv[2], "utf8");
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(m => m[1]);
const els = {};
function el(id) { return els[id] || (els[id] = {id, textContent: "", value: 0, max: 0}); }
global.document = {getElementById: el};
let pending = [];
global.setTimeout = (fn, ms) => { pending.push([fn, ms]); return pending.length; };
global.clearTimeout = () => { pending = []; };
const shown = [];
Object.defineProperty(el("frame"), "src", {set(v) { shown.push(global.F.indexOf(v)); }});
for (const s of scripts) eval.call(global, s);
const delays = [];
for (let step = 0; step < 2 * global.F.length && pending.length; step++) {
  const [fn, ms] = pending.shift(); delays.push(ms); fn();
}
el("play").onclick();                       // pause
const afterPause = pending.length;
el("next").onclick();
console.log(JSON.stringify({n: global.F.length, shown, delays, afterPause,
                            label: el("label").textContent}));
"""


def test_html_player_plays_every_frame_and_holds_the_last(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed; cannot run the HTML player's script")
    out = tmp_path / "x.html"
    assert main(SMALL + ["-i", "3", "--tol", "0", "-q", "--save", str(out)]) == 0
    harness = tmp_path / "harness.js"
    harness.write_text(PLAYER_HARNESS)
    run = subprocess.run([node, str(harness), str(out)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["n"] == 4
    assert result["shown"][:9] == [0, 1, 2, 3, 0, 1, 2, 3, 0]      # plays and loops
    assert result["delays"] == [100, 100, 100, 1100] * 2            # last frame held
    assert result["afterPause"] == 0                                # pause stops the timer
    assert result["label"] == "frame 2 / 4"


def test_no_save_without_display_writes_default_gif(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(SMALL + ["-i", "2"]) == 0
    err = capsys.readouterr().err
    assert err == "no display available: saved the animation to gmm_vid.gif\n"
    with Image.open(tmp_path / "gmm_vid.gif") as im:
        assert im.n_frames >= 1


def test_stdout_only_what_was_asked(tmp_path, capsys):
    assert main(SMALL + ["-i", "2", "-s", str(tmp_path / "x.gif")]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "saved" in captured.err
    assert "\r" not in captured.err and "frame/s" not in captured.err   # no bar off-tty


# ---------------------------------------------------------------- hide flags

def _artists_by_view(anim):
    return {type(v).__name__: set(map(id, v.artists)) for v in anim.views}


@pytest.mark.parametrize("flag, view", [("--hide_covs", "EllipsesView"),
                                        ("--hide_means", "MeansView"),
                                        ("--hide_real", "TrueEllipsesView"),
                                        ("--hide-covs", "EllipsesView")])
def test_hide_flags_remove_exactly_their_artists(tmp_path, captured_animator, flag, view):
    argv = SMALL + ["-i", "1", "-q", "-s", str(tmp_path / "x.png")]
    assert main(argv) == 0
    full = captured_animator["anim"]
    assert main(argv + [flag]) == 0
    hidden = captured_animator["anim"]
    full_views, hidden_views = _artists_by_view(full), _artists_by_view(hidden)
    assert set(full_views) - set(hidden_views) == {view}
    ax_full, ax_hidden = full.ax, hidden.ax
    n_removed = len(full_views[view])
    assert n_removed > 0
    assert len(ax_full.get_children()) - len(ax_hidden.get_children()) == n_removed
    assert len(ax_full.patches) - len(ax_hidden.patches) == (
        n_removed if view != "MeansView" else 0)


def test_default_views(tmp_path, captured_animator):
    assert main(SMALL + ["-i", "1", "-q", "-s", str(tmp_path / "x.png")]) == 0
    anim = captured_animator["anim"]
    names = [type(v).__name__ for v in anim.views]
    assert names == ["PointsView", "TrueEllipsesView", "EllipsesView", "MeansView",
                     "IterationText", "LocalMaximumNote", "LegendView"]
    true_view = anim.views[1]
    assert len(true_view.patches) == 3                      # -m 3 true components
    assert anim.ax.get_aspect() == 1.0
    # drawn ellipses are the state's Mahalanobis contours (c = 2)
    state = anim.history[-1]
    ell = anim.views[2]
    for j, patch in enumerate(ell.patches):
        p = ell.patches[j].get_patch_transform().transform(
            np.c_[np.cos(np.linspace(0, 6, 20)), np.sin(np.linspace(0, 6, 20))]) - state.means[j]
        maha = np.einsum("ni,ij,nj->n", p, np.linalg.inv(state.covariances[j]), p)
        np.testing.assert_allclose(maha, 2.0, rtol=1e-9)
    # colours stay with components
    np.testing.assert_allclose(ell.patches[2].get_edgecolor(), gmm_plot.component_colors(3)[2])
    # loaded data has no true components
    np.save(tmp_path / "p.npy", np.random.default_rng(0).normal(size=(100, 2)))
    assert main(["-k", "2", "--load_path", str(tmp_path / "p.npy"), "-i", "1", "-q",
                 "-s", str(tmp_path / "y.png")]) == 0
    assert "TrueEllipsesView" not in _artists_by_view(captured_animator["anim"])


# ---------------------------------------------------------------- help and errors

def test_help_lists_every_flag_with_default(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    out = " ".join(out.split())
    for flag in ["-k", "--num_clusters", "-m", "--means", "-i", "--iterations", "-N",
                 "--max_radius", "--fps", "--load_path", "--print_ll", "--hide_covs",
                 "--hide_means", "--hide_real", "-s", "--save_path", "--save", "--tol",
                 "--seed", "--init", "--covariance-type", "--quiet", "--patience", "--title",
                 "--size", "--dpi"]:
        assert re.search(rf"(^|[ ,\[]){re.escape(flag)}([ ,=\]]|$)", out), flag
    for default in ["(default: 5)", "(default: 200)", "(default: 1000)", "(default: 10.0)",
                    "(default: 3e-05)", "(default: center)", "(default: full)"]:
        assert default in out, default


BAD = [
    ["-k", "0"], ["-i", "-1"], ["--fps", "0"], ["--fps", "nan"], ["-N", "0"], ["-m", "0"],
    ["--max_radius", "0"], ["--tol", "-1"], ["--init", "bogus"],
    ["--covariance-type", "bogus"], ["-k", "two"], ["--unknown-flag"],
    ["-k", "301"],                                   # more components than points
    ["--save", "missing_dir/x.gif"], ["--save", "x.jpeg"], ["--save", "noext"],
    ["--load_path", "does_not_exist.npy"],
]


@pytest.mark.parametrize("extra", BAD, ids=lambda a: " ".join(a))
def test_bad_input_is_one_error_line(tmp_path, monkeypatch, capsys, extra):
    monkeypatch.chdir(tmp_path)
    assert main(["-N", "300", "-i", "2", "-s", "out.gif"] + extra) == 2
    captured = capsys.readouterr()
    _only_error_line(captured.err)
    assert captured.out == ""
    assert os.listdir(tmp_path) == []


def test_bad_files_are_one_error_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "text.npy").write_text("not numpy")
    (tmp_path / "one_col.csv").write_text("x\n")          # a header and no rows
    (tmp_path / "nan.csv").write_text("1,2\nnan,3\n4,5\n")
    (tmp_path / "out.gif").mkdir()
    for args in (["--load_path", "text.npy"], ["--load_path", "one_col.csv"],
                 ["--load_path", "nan.csv"], ["-s", "out.gif"]):
        before = sorted(os.listdir(tmp_path))
        assert main(["-k", "2", "-i", "1"] + args + (["-s", "o.gif"] if "-s" not in args else [])) == 2
        _only_error_line(capsys.readouterr().err)
        assert sorted(os.listdir(tmp_path)) == before


def test_mp4_without_ffmpeg_fails_before_work(tmp_path, monkeypatch, capsys):
    import imageio_ffmpeg

    def missing():
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    called = []
    monkeypatch.setattr(visualize_gmm, "animate", lambda *a, **k: called.append(1))
    assert main(SMALL + ["-s", str(tmp_path / "x.mp4")]) == 2
    _only_error_line(capsys.readouterr().err)
    assert called == [] and os.listdir(tmp_path) == []


def test_interrupted_save_leaves_existing_file_untouched(tmp_path, fail_on_frame, capsys):
    out = tmp_path / "x.gif"
    out.write_bytes(b"previous content")
    fail_on_frame(KeyboardInterrupt(), 3)
    assert main(SMALL + ["-i", "5", "--tol", "0", "-s", str(out)]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert out.read_bytes() == b"previous content"
    assert os.listdir(tmp_path) == ["x.gif"]                   # no temp file left


def test_write_failure_is_one_error_line(tmp_path, fail_on_frame, capsys):
    out = tmp_path / "x.gif"
    fail_on_frame(OSError(28, "No space left on device"), 1)
    assert main(SMALL + ["-i", "2", "-s", str(out)]) == 2
    err = capsys.readouterr().err
    _only_error_line(err)
    assert "No space left on device" in err
    assert os.listdir(tmp_path) == []


def test_sigint_during_long_save_exits_130(tmp_path, default_ctrl_c):
    out = tmp_path / "big.mp4"
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=python_path())
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "visualize_gmm.py"), "-N", "200000", "-i", "400",
         "--tol", "0", "--seed", "0", "-s", str(out)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    # wait until the temp file exists (the save is under way), then Ctrl-C
    deadline = time.time() + 60
    while time.time() < deadline and not any(n.endswith(".tmp.mp4") for n in os.listdir(tmp_path)):
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err.decode()
    assert "Traceback" not in err.decode()
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- degenerate data

_rng = np.random.default_rng(7)
DEGENERATE = {
    "identical": np.full((40, 2), 3.0),
    "two_distinct": np.array([[0.0, 0.0], [1.0, 1.0]] * 20),
    "offset_1e6": _rng.normal(size=(300, 2)) + 1e6,
    "scale_1e-6": _rng.normal(size=(300, 2)) * 1e-6,
    "scale_1e6": _rng.normal(size=(300, 2)) * 1e6,
    "on_a_line": np.c_[np.arange(100.0), np.zeros(100)],
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_degenerate_data_fits_and_draws(tmp_path, capsys, captured_animator, name):
    X = DEGENERATE[name]
    np.save(tmp_path / "pts.npy", X)
    out = tmp_path / "o.gif"
    assert main(["-k", "5", "--load_path", str(tmp_path / "pts.npy"), "-i", "5", "--seed", "0",
                 "--print_ll", "-q", "-s", str(out)]) == 0
    states = captured_animator["anim"].history
    with Image.open(out) as im:
        assert im.n_frames == len(states)
    lines = capsys.readouterr().out.splitlines()
    assert all(LL_LINE.match(line) for line in lines) and len(lines) == len(states)
    for s in states:
        assert np.all(np.isfinite(s.means)) and np.isfinite(s.log_likelihood)
        # every mean lies within the data's bounding box (user units)
        lo, hi = X.min(0), X.max(0)
        pad = 1e-9 * max(1.0, np.abs(X).max())
        assert np.all(s.means >= lo - pad) and np.all(s.means <= hi + pad)


def test_unwritable_directory_is_one_error_line(tmp_path, monkeypatch, capsys):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert main(SMALL + ["-s", str(tmp_path / "x.gif")]) == 2
    err = capsys.readouterr().err
    _only_error_line(err)
    assert "not writable" in err and "Permission denied" in err
    assert os.listdir(tmp_path) == []


def test_png_save_says_it_saved_the_final_frame(tmp_path, capsys):
    out = tmp_path / "x.png"
    assert main(SMALL + ["-i", "3", "--tol", "0", "--save", str(out)]) == 0
    assert capsys.readouterr().err == f"saved the final frame (iteration 3) to {out}\n"


def test_help_explains_the_default_start_and_the_stopping_rule(capsys):
    with pytest.raises(SystemExit):
        visualize_gmm.build_parser().parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "'center' starts every component as a blob half the cloud's size" in text
    assert "in each of --patience consecutive iterations" in text
    assert "'not converged'" in text
    assert "GIF frames last at least 20 ms" in text


@pytest.mark.parametrize("argv, explicit, k, cov", [
    ([], set(), 5, "full"),
    (["-k", "5"], {"n_components"}, 5, "full"),            # the default value, but given
    (["--num_c", "3"], {"n_components"}, 3, "full"),       # argparse's abbreviation
    (["-k3", "--covariance-type=tied"], {"n_components", "covariance_type"}, 3, "tied"),
])
def test_explicit_options_from_one_parse(monkeypatch, argv, explicit, k, cov):
    parser = visualize_gmm.build_parser()
    calls = []
    original = parser.parse_args
    monkeypatch.setattr(parser, "parse_args", lambda *a, **kw: calls.append(1) or original(*a, **kw))
    cl = visualize_gmm.parse_command_line(argv, parser)
    assert calls == [1]
    assert cl.explicit == explicit
    assert (cl.options.n_components, cl.options.covariance_type) == (k, cov)


def test_parser_choices_are_the_librarys():
    """--init and --covariance-type offer exactly what gmm.em_steps accepts (plus
    --init center, the command line's own start, and --covariance-type all,
    which --select-k fits type by type)."""
    choices = {a.dest: a.choices for a in visualize_gmm.build_parser()._actions}
    assert set(choices["init"]) == set(gmm_core.INITS) | {"center"}
    assert set(choices["covariance_type"]) == set(gmm_core.COVARIANCE_TYPES) | {"all"}


# --------------------------------------------------------------------------- results taken away

def _customers(tmp_path, n_per=40):
    """A pandas-style CSV: a row index, income in dollars, age in years, a text column."""
    rng = np.random.default_rng(3)
    income = np.r_[rng.normal(30_000, 4_000, n_per), rng.normal(80_000, 6_000, n_per)]
    age = np.r_[rng.normal(26, 3, n_per), rng.normal(52, 5, n_per)]
    region = np.where(rng.random(2 * n_per) < 0.5, "north", "south")
    index = np.arange(2 * n_per) * 3 + 100            # not 0..n-1: written back as given
    lines = [",income,age,region"] + [f"{i},{float(a)!r},{float(b)!r},{r}"
                                      for i, a, b, r in zip(index, income, age, region)]
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(lines) + "\n")
    return path, np.c_[income, age], index


def _scipy_responsibilities(X, weights, means, covs):
    logp = np.stack([np.log(w) + multivariate_normal(m, c).logpdf(X)
                     for w, m, c in zip(weights, means, covs)], axis=1)
    return np.exp(logp - logsumexp(logp, axis=1, keepdims=True))


def test_save_labels_writes_index_label_and_responsibilities(tmp_path, captured_animator):
    """One row per input point in input order: the row index as written, the
    label and the responsibilities, equal to scipy's for the saved parameters
    (user units); --save-params records the column names and no sampling options."""
    path, X, index = _customers(tmp_path)
    out, params = tmp_path / "labels.csv", tmp_path / "p.json"
    assert main(["--load_path", str(path), "--columns", "income,age", "-k", "2", "--seed", "0",
                 "-q", "-s", str(tmp_path / "o.png"), "--save-labels", str(out),
                 "--save-params", str(params)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == ",label,responsibility_0,responsibility_1"
    table = np.array([line.split(",") for line in lines[1:]], dtype=float)
    np.testing.assert_array_equal(table[:, 0], index)
    saved = json.loads(params.read_text())
    assert saved["options"]["column_names"] == ["income", "age"]
    assert not {"means", "num_points", "max_radius"} & set(saved["options"])
    weights, means, covs = (np.asarray(saved[key]) for key in ("weights", "means", "covariances"))
    resp = _scipy_responsibilities(X, weights, means, covs)
    np.testing.assert_allclose(table[:, 2:], resp, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(table[:, 1], resp.argmax(axis=1))
    anim = captured_animator["anim"]
    assert (anim.ax.get_xlabel(), anim.ax.get_ylabel()) == ("income", "age")
    np.testing.assert_array_equal(anim.fit.labels(anim.fit.record.last), table[:, 1])


def test_animate_returns_model_labels_and_states_in_user_units():
    """.model predicts and scores raw data as scipy does for the last state's
    parameters; .states are d-dimensional, in user units; a DataFrame's column
    names label the axes."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal([3e4, 25, 4], [4e3, 3, 1], (60, 3)),
              rng.normal([8e4, 50, 12], [6e3, 5, 2], (60, 3))]
    df = pd.DataFrame(X, columns=["income", "age", "tenure"])
    anim = visualize_gmm.animate(df, 2, max_iter=6, tol=0, random_state=1, dims=(0, 1))
    states = anim.states
    assert len(states) == 7 and [s.iteration for s in states] == list(range(7))
    last = states[-1]
    assert last.means.shape == (2, 3) and last.covariances.shape == (2, 3, 3)
    resp = _scipy_responsibilities(X, last.weights, last.means, last.covariances)
    model = anim.model
    assert list(model.feature_names_in_) == ["income", "age", "tenure"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # fitted with the DataFrame's names: no warning
        np.testing.assert_allclose(model.predict_proba(df), resp, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(model.predict(df), resp.argmax(axis=1))
        score = model.score(df)
    np.testing.assert_array_equal(anim.labels, resp.argmax(axis=1))
    ll = np.mean(np.log(sum(w * multivariate_normal(m, c).pdf(X)
                            for w, m, c in zip(last.weights, last.means, last.covariances))))
    assert score == pytest.approx(ll, rel=1e-9) == pytest.approx(last.log_likelihood)
    assert (anim.figure.axes[0].get_xlabel(), anim.figure.axes[0].get_ylabel()) == ("income", "age")


def test_mixed_units_get_honest_axes_with_exact_ellipses(tmp_path, captured_animator):
    """Income beside age: each axis its own scale and the column's name, and
    every fitted ellipse is still the exact sqrt(2)-sigma contour in data
    coordinates; iris (all cm) and sampled data keep equal aspect."""
    path, X, _ = _customers(tmp_path)
    assert main(["--load_path", str(path), "--columns", "income,age", "-k", "2", "--seed", "0",
                 "-q", "-s", str(tmp_path / "o.png")]) == 0
    anim = captured_animator["anim"]
    ax = anim.ax
    assert ax.get_aspect() == "auto" and not anim.fit.equal_aspect
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("income", "age")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and x1 - x0 < 1.3 * np.ptp(X[:, 0])
    assert y0 < X[:, 1].min() and X[:, 1].max() < y1 and y1 - y0 < 1.3 * np.ptp(X[:, 1])
    last = anim.history[-1]
    ellipses = [p for p in ax.patches if isinstance(p, matplotlib.patches.Ellipse) and p.get_visible()]
    assert len(ellipses) >= 2
    for mean, cov in zip(last.means, last.covariances):
        patch = min(ellipses, key=lambda p: np.hypot(*(np.asarray(p.center) - mean)))
        verts = patch.get_patch_transform().transform(patch.get_path().vertices)
        d = verts[:-1:3] - mean         # the on-curve points of the Bezier unit circle
        r2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
        np.testing.assert_allclose(r2, gmm_plot.DEFAULT_N_STD ** 2, rtol=1e-6)
    assert main(["-k", "3", "--load_path", "examples/iris.csv", "--dims", "0", "1", "-i", "1",
                 "-q", "-s", str(tmp_path / "i.png")]) == 0
    assert captured_animator["anim"].ax.get_aspect() == 1.0
    assert main(["-N", "60", "-k", "2", "-i", "1", "-q", "-s", str(tmp_path / "s.png")]) == 0
    assert captured_animator["anim"].ax.get_aspect() == 1.0


def test_customers_example_is_reproducible_and_fits_the_true_segments(tmp_path):
    """examples/make_customers.py rewrites examples/customers.csv byte for byte, and
    the README's command recovers the segments' age variances (3.5^2, 6^2, 5.3^2
    years^2; one shared scale would put ~800 years^2 there)."""
    out = tmp_path / "customers.csv"
    subprocess.run([sys.executable, os.path.join("examples", "make_customers.py"), str(out)],
                   check=True, env={**os.environ, "PYTHONPATH": python_path()})
    with open(os.path.join("examples", "customers.csv"), "rb") as fh:
        assert out.read_bytes() == fh.read()
    params = tmp_path / "p.json"
    assert main(["-k", "3", "--load_path", str(out), "--columns", "income,age", "--seed", "0",
                 "-q", "-s", str(tmp_path / "o.png"), "--save-params", str(params)]) == 0
    saved = json.loads(params.read_text())
    order = np.argsort(np.asarray(saved["means"])[:, 0])
    age_var = np.asarray(saved["covariances"])[order, 1, 1]
    np.testing.assert_allclose(age_var, [3.5 ** 2, 6.0 ** 2, 5.3 ** 2], rtol=0.35)


def test_a_run_without_seed_draws_one_says_it_and_records_it(tmp_path, capsys):
    """No --seed: the run draws a seed, says it on the status line and writes it to
    --save-params; rerunning with that --seed prints the same log-likelihoods."""
    out = tmp_path / "p.json"
    args = ["-k", "3", "-m", "3", "-N", "200", "-i", "4", "--tol", "0", "--print_ll"]
    assert main(args + ["--save-params", str(out), "-s", str(tmp_path / "a.png")]) == 0
    first = capsys.readouterr()
    seed = int(re.search(r"^seed (\d+): rerun with --seed \1$", first.err, re.M).group(1))
    assert load_params(str(out))["options"]["seed"] == seed
    assert main(args + ["--seed", str(seed), "-s", str(tmp_path / "b.png")]) == 0
    again = capsys.readouterr()
    assert again.out == first.out and "rerun with" not in again.err


#: what --help, --version and a refused flag must not load: drawing, the model, scipy
NOT_FOR_HELP = ("matplotlib", "scipy", "sklearn", "tqdm", "gmm", "gmm_em", "gmm_bayes",
                "gmm_mixture", "gmm_fit", "gmm_animator", "gmm_animation", "gmm_plot",
                "gmm_window", "gmm_mouse", "gmm_scene", "gmm_scene1d", "gmm_scene2d",
                "gmm_load", "data_gen")


def _modules_after(argv):
    """(exit status, set of module names loaded) of ``main(argv)`` in a fresh
    interpreter, its own output discarded."""
    code = ("import contextlib, io, sys, visualize_gmm\n"
            "with contextlib.redirect_stdout(io.StringIO()), "
            "contextlib.redirect_stderr(io.StringIO()):\n"
            f"    status = visualize_gmm.main({argv!r})\n"
            "print(int(status), ' '.join(sorted(sys.modules)))")
    env = {**os.environ, "PYTHONPATH": python_path()}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env).stdout.split()
    return int(out[0]), set(out[1:])


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["-k", "0"]])
def test_help_version_and_refused_flags_load_no_drawing_or_model_module(argv):
    status, loaded = _modules_after(argv)
    assert status == (2 if argv == ["-k", "0"] else 0)
    assert "gmm_options" in loaded
    assert not loaded & set(NOT_FOR_HELP), sorted(loaded & set(NOT_FOR_HELP))


def test_a_saved_2d_em_run_loads_no_scipy_nor_pyplot(tmp_path):
    """scipy (a quarter of a second to import) is loaded only where a variational
    fit or a many-column component needs it, pyplot only for a window."""
    status, loaded = _modules_after(["-N", "200", "-k", "3", "-i", "3", "--seed", "0",
                                     "-s", str(tmp_path / "o.gif")])
    assert status == 0 and "gmm_em" in loaded and "matplotlib" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "scipy" or m == "matplotlib.pyplot"}
