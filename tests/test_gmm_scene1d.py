"""Tests for 1-D data: gmm_scene1d (histogram, curves, views) and the command line on it.

References: scikit-learn's GaussianMixture (the fit), numpy's
``histogram_bin_edges`` (the bins), scipy's ``quad`` and ``norm`` (the curves).
"""

import json
import os
import shlex
import shutil
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from matplotlib.backend_bases import KeyEvent
from matplotlib.ticker import MaxNLocator
from PIL import Image
from scipy import integrate
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import data_gen
import gmm_animator
import gmm_scene
import gmm_scene1d
import gmm_teaching
import gmm_window
import visualize_gmm
from readme_commands import ONE_D_COMMANDS
from gmm_scene1d import (
    AxisMeansView, BoundariesView, DensityCurvesView, HistogramView, IntervalsView,
    TrueCurvesView,
)
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAITHFUL = os.path.join(ROOT, "examples", "faithful.csv")


def _faithful():
    return np.loadtxt(FAITHFUL, delimiter=",", skiprows=1)


def _one_error_line(err, *fragments):
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for f in fragments:
        assert f in lines[0], lines[0]


@pytest.fixture
def captured(monkeypatch):
    """The Animator a command line builds, kept in ``captured["anim"]``."""
    seen = {}
    original = gmm_animator.Animator.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen["anim"] = self

    monkeypatch.setattr(gmm_animator.Animator, "__init__", init)
    return seen


def _view(anim, cls):
    return next(v for v in anim.views if isinstance(v, cls))


# --------------------------------------------------------------------------- the data


def test_faithful_is_the_r_datasets_table():
    X = _faithful()
    assert X.shape == (272, 2)
    np.testing.assert_allclose(X.mean(axis=0), [3.487783, 70.89706], atol=5e-7)
    with open(FAITHFUL) as fh:
        assert fh.readline().strip() == "eruptions,waiting"


def test_faithful_1d_fit_equals_sklearns_from_the_same_start():
    """``--dims 0 -k 2`` on Old Faithful: the 1-D fit is scikit-learn's on that column.

    The fit standardises the column by its standard deviation s, so its
    ``reg_covar`` floor is 1e-6 s^2 in user units: scikit-learn on X / s has
    exactly that floor (agreement to rounding); scikit-learn on the raw
    column (floor 1e-6) agrees to 1e-6 as well.
    """
    X = _faithful()
    anim = visualize_gmm.animate(X, 2, dims=(0,), random_state=0, max_iter=100, tol=0).animator
    anim.run()
    fit, last = anim.fit, anim.fit.record.last
    assert fit.n_features == 1 and last.means.shape == (2, 1)
    s = X[:, 0].std()
    np.testing.assert_allclose(fit.scale, [s], rtol=1e-12)
    w0, m0, c0 = fit.model().initial_params_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)     # 100 iterations on purpose
        scaled = SkGaussianMixture(2, max_iter=100, tol=0, reg_covar=1e-6, weights_init=w0,
                                   means_init=m0 / s, precisions_init=np.linalg.inv(c0 / s**2))
        scaled.fit(X[:, :1] / s)
        raw = SkGaussianMixture(2, max_iter=100, tol=0, weights_init=w0, means_init=m0,
                                precisions_init=np.linalg.inv(c0)).fit(X[:, :1])
    np.testing.assert_allclose(last.weights, scaled.weights_, rtol=1e-6)
    np.testing.assert_allclose(last.means, scaled.means_ * s, rtol=1e-6)
    np.testing.assert_allclose(last.covariances, scaled.covariances_ * s**2, rtol=1e-6)
    for ours, theirs in ((last.weights, raw.weights_), (last.means, raw.means_),
                         (last.covariances, raw.covariances_)):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
    # the two eruption types: about 2.02 and 4.27 minutes
    np.testing.assert_allclose(np.sort(last.means[:, 0]), [2.0186, 4.2733], atol=1e-3)
    assert last.log_likelihood == pytest.approx(raw.score(X[:, :1]), abs=1e-6)


# --------------------------------------------------------------------------- numbers


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300).map(np.array))
@example(x=np.zeros(5))
@example(x=np.r_[np.zeros(50), 1.0])
@example(x=np.array([1.0, 2.0]))
def test_histogram_edges_are_numpys_auto_rule(x):
    edges = gmm_scene1d.histogram_edges(x)
    if x.min() == x.max():
        assert len(edges) == 2 and edges[0] < x[0] < edges[1]
        return
    expected = np.histogram_bin_edges(x, "auto")
    if len(expected) - 1 <= gmm_scene1d.MAX_BINS:
        np.testing.assert_array_equal(edges, expected)
    else:
        assert len(edges) - 1 == gmm_scene1d.MAX_BINS


@pytest.mark.parametrize("n", [1000, 100_000])
def test_histogram_edges_of_one_bump_are_freedman_diaconis(n):
    x = np.random.default_rng(n).normal(size=n)
    np.testing.assert_array_equal(gmm_scene1d.histogram_edges(x), np.histogram_bin_edges(x, "fd"))


def test_histogram_is_density_normalised_and_bins_like_numpy():
    x = _faithful()[:, 1]
    hist = gmm_scene1d.Histogram(x)
    density, edges = np.histogram(x, bins=hist.edges, density=True)
    np.testing.assert_allclose(hist.density, density, rtol=1e-12)
    assert np.sum(hist.density * np.diff(edges)) == pytest.approx(1.0)
    np.testing.assert_array_equal(np.bincount(hist.bins), np.histogram(x, bins=edges)[0])
    assert hist.ylim[0] < 0 < hist.density.max() < hist.ylim[1]


def test_component_curves_integrate_to_their_weights():
    weights, means, variances = [0.2, 0.5, 0.3], [-3.0, 0.5, 40.0], [0.25, 4.0, 1e-4]
    dens = gmm_scene1d.component_densities(np.linspace(-5, 5, 7), weights, means, variances)
    for j, (w, m, v) in enumerate(zip(weights, means, variances)):
        np.testing.assert_allclose(dens[j], w * norm.pdf(np.linspace(-5, 5, 7), m, np.sqrt(v)),
                                   rtol=1e-12, atol=1e-300)
        area, _ = integrate.quad(lambda t: gmm_scene1d.component_densities(
            [t], [w], [m], [v])[0, 0], m - 12 * np.sqrt(v), m + 12 * np.sqrt(v), limit=200)
        assert area == pytest.approx(w, rel=1e-9)


# --------------------------------------------------------------------------- the scene


def _faithful_anim(**options):
    options = dict(dict(dims=(0,), random_state=0, max_iter=60, tol=0), **options)
    return visualize_gmm.animate(_faithful(), 2, **options).animator


def test_scene_draws_the_state_on_the_histograms_scale():
    anim = _faithful_anim()
    n = anim.run()
    anim.render(n - 1)
    state = anim.history.with_labels(n - 1)
    w, mu, var = state.weights, state.means[:, 0], state.covariances[:, 0, 0]
    curves = _view(anim, DensityCurvesView)
    grid = curves.total.get_xdata()
    expected = sum(w[j] * norm.pdf(grid, mu[j], np.sqrt(var[j])) for j in range(2))
    np.testing.assert_allclose(curves.total.get_ydata(), expected, rtol=1e-10)
    for j, line in enumerate(curves.lines):
        y = np.asarray(line.get_ydata(), dtype=float)
        shown = np.isfinite(y)
        np.testing.assert_allclose(y[shown], w[j] * norm.pdf(grid[shown], mu[j], np.sqrt(var[j])),
                                   rtol=1e-10)
    bars = _view(anim, IntervalsView).bars.get_segments()
    for j, seg in enumerate(bars):
        np.testing.assert_allclose(seg[:, 0], mu[j] + np.array([-1, 1]) * np.sqrt(2 * var[j]))
        assert seg[0, 1] == seg[1, 1] < 0                   # below the axis
    np.testing.assert_allclose(_view(anim, AxisMeansView).marks.get_offsets(),
                               np.column_stack([mu, np.zeros(2)]))
    # each bar in the colour of the label most of its points carry
    hist_view = _view(anim, HistogramView)
    labels = np.asarray(state.labels)
    faces = hist_view.bars.get_facecolor()
    for b in range(len(hist_view.hist.density)):
        inside = labels[hist_view.hist.bins == b]
        if len(inside):
            np.testing.assert_allclose(faces[b], hist_view.face[np.bincount(inside).argmax()])
    # the curves fit under the top, and the top is the histogram's or the curves'
    assert anim.ax.get_ylim()[1] >= 1.3 * expected.max() - 1e-12


def test_soft_bars_stack_to_the_histogram_by_responsibility():
    anim = _faithful_anim(soft=True, max_iter=3)
    anim.render(2)
    view = _view(anim, HistogramView)
    layers = view.layers(anim.history.with_labels(2))
    np.testing.assert_allclose(layers.sum(axis=0), view.hist.density, rtol=1e-12)
    resp = anim.fit.responsibilities(anim.history[2])
    b = int(np.argmax(view.hist.density))
    inside = view.hist.bins == b
    np.testing.assert_allclose(layers[:, b] / layers[:, b].sum(), resp[inside].mean(axis=0))
    tops = [p.vertices[:, 1].max() for p in view.bars.get_paths()]
    assert max(tops) == pytest.approx(view.hist.density.max())


def test_uncertainty_curve_is_one_minus_the_largest_responsibility():
    """mclust's 1-D uncertainty, against scipy's normal densities: 0 under one
    component, highest between the two (about where the densities cross),
    drawn from the axis line (0) to the top (1) in axes fractions."""
    anim = _faithful_anim(uncertainty=True, max_iter=20)
    anim.render(20)
    state = anim.history[20]
    w, mu, sd = state.weights, state.means[:, 0], np.sqrt(state.covariances[:, 0, 0])
    view = _view(anim, gmm_scene1d.UncertaintyView)
    grid = view.line.get_xdata()
    dens = np.array([w[j] * norm.pdf(grid, mu[j], sd[j]) for j in range(2)])
    want = 1 - dens.max(axis=0) / dens.sum(axis=0)
    base = gmm_scene1d.STRIP / (1 + gmm_scene1d.STRIP)
    np.testing.assert_allclose(view.line.get_ydata(), base + (1 - base) * want, atol=1e-12)
    peak = grid[np.argmax(want)]
    assert min(mu) < peak < max(mu) and want.max() == pytest.approx(0.5, abs=0.01)
    assert want[np.argmin(abs(grid - mu[0]))] < 0.01
    labels = [t.get_text() for t in anim.ax.get_legend().get_texts()]
    assert "uncertainty (0 at the axis, 1 at the top)" in labels


def test_kmeans_panel_on_the_line_starts_from_em_and_draws_boundaries():
    anim = _faithful_anim(compare="kmeans")
    n = anim.run()
    anim.render(n - 1)
    assert "kmeans" in anim.panels
    follower = next(v for v in anim.views if isinstance(v, gmm_teaching.FollowerPanel))
    np.testing.assert_allclose(follower.history[0].means, anim.history[0].means)
    centres = np.sort(follower.history[-1].means[:, 0])
    boundary = next(v for v in follower.views if isinstance(v, BoundariesView))
    xs = [seg[0, 0] for seg in boundary.lines.get_segments()]
    np.testing.assert_allclose(xs, [0.5 * (centres[0] + centres[1])])
    labels = follower.history[-1].labels
    x = _faithful()[:, 0]
    np.testing.assert_array_equal(x[labels == labels[np.argmin(x)]] < xs[0], True)


def test_sampled_1d_data_has_true_curves_and_d_1_everywhere():
    anim = visualize_gmm.animate(None, 3, n_features=1, n_true=3, n_points=300,
                                 random_state=1, max_iter=2, tol=0).animator
    anim.render(0)
    assert anim.fit.points.shape == (300, 1)
    true = _view(anim, TrueCurvesView)
    means, covs = anim.fit.true_components
    assert means.shape == (3, 1) and covs.shape == (3, 1, 1)
    grid = true.lines[0].get_xdata()
    np.testing.assert_allclose(true.lines[1].get_ydata(),
                               norm.pdf(grid, means[1, 0], np.sqrt(covs[1, 0, 0])) / 3)
    assert anim.ax.get_ylabel() == "density"


def test_data_gen_samples_on_a_line():
    X, means, covs, labels = data_gen.sample_gaussians(1001, 4, max_radius=5.0, random_state=0,
                                                       return_labels=True, n_features=1)
    assert X.shape == (1001, 1) and means.shape == (4, 1) and covs.shape == (4, 1, 1)
    assert np.all(np.abs(means) <= 5.0)
    sds = np.sqrt(covs[:, 0, 0])
    assert np.all((0.04 * 5 <= sds) & (sds <= 0.2 * 5))
    assert np.bincount(labels).tolist() == [251, 250, 250, 250]
    for j in range(4):          # each label's points come from its Gaussian
        assert abs(X[labels == j, 0].mean() - means[j, 0]) < 5 * sds[j] / np.sqrt(250)
    # the 2-D sampler's draws are untouched by the new argument
    a = data_gen.sample_gaussians(50, 2, random_state=3)
    b = data_gen.sample_gaussians(50, 2, random_state=3, n_features=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    with pytest.raises(ValueError, match="n_features must be 1 or 2"):
        data_gen.sample_gaussians(10, 2, n_features=3)


def test_data_gen_cli_writes_one_column(tmp_path, capsys):
    out = tmp_path / "g.csv"
    assert data_gen.main(["gaussians", "-d", "1", "-N", "20", "--seed", "0", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "x" and len(lines) == 21 and all("," not in line for line in lines)
    capsys.readouterr()
    assert data_gen.main(["gaussians", "--dim", "3", "-o", str(tmp_path / "h.csv")]) == 2
    _one_error_line(capsys.readouterr().err, "--dim")


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("kind", ["csv", "txt", "npy1", "npy2", "dims", "columns"])
def test_every_1d_source_gives_the_same_fit(tmp_path, captured, kind):
    x = _faithful()[:, 1]
    path = {"csv": "w.csv", "txt": "w.txt", "npy1": "w.npy", "npy2": "w.npy"}
    target = tmp_path / path.get(kind, "unused")
    if kind == "csv":
        target.write_text("waiting\n" + "".join(f"{v:g}\n" for v in x))
    elif kind == "txt":
        target.write_text("".join(f"{v:g}\n" for v in x))
    elif kind in ("npy1", "npy2"):
        np.save(target, x if kind == "npy1" else x[:, None])
    else:
        target = FAITHFUL
    argv = ["--load_path", str(target), "-k", "2", "--seed", "0", "-i", "5", "--tol", "0", "-q",
            "--save-params", str(tmp_path / "p.json"), "-s", str(tmp_path / "o.png")]
    extra = {"dims": ["--dims", "1"], "columns": ["--columns", "waiting"]}.get(kind, [])
    assert main(argv + extra) == 0
    anim = captured["anim"]
    np.testing.assert_array_equal(anim.fit.points[:, 0], x)
    saved = json.loads((tmp_path / "p.json").read_text())
    reference = visualize_gmm.animate(x[:, None], 2, random_state=0, max_iter=5, tol=0).animator
    reference.run()
    np.testing.assert_allclose(np.ravel(saved["means"]), reference.fit.record.last.means[:, 0],
                               rtol=1e-12)
    if kind in ("csv", "dims", "columns"):
        assert anim.ax.get_xlabel() == "waiting"


def test_save_params_init_params_and_print_ll_in_1d(tmp_path, capsys):
    base = ["--load_path", FAITHFUL, "--dims", "0", "-k", "2", "--seed", "0", "-q"]
    assert main(base + ["-i", "4", "--tol", "0", "--print_ll", "--save-params",
                        str(tmp_path / "p.json"), "-s", str(tmp_path / "a.png")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in out] == ["0", "1", "2", "3", "4"]
    saved = json.loads((tmp_path / "p.json").read_text())
    assert np.shape(saved["means"]) == (2, 1) and np.shape(saved["covariances"]) == (2, 1, 1)
    assert saved["options"]["column_names"] == ["eruptions"]
    assert float(out[-1].split()[-1]) == pytest.approx(saved["log_likelihood_history"][-1])
    # state 0 of a run started from the saved fit is that fit (printed to 6 decimals)
    assert main(["--load_path", FAITHFUL, "--dims", "0", "--init-params", str(tmp_path / "p.json"),
                 "-i", "0", "--print_ll", "-q", "-s", str(tmp_path / "b.png")]) == 0
    first = capsys.readouterr().out.split()
    assert float(first[-1]) == pytest.approx(saved["log_likelihood_history"][-1], abs=1e-6)
    # 1-D parameters do not start a 2-D fit
    assert main(["--load_path", FAITHFUL, "--init-params", str(tmp_path / "p.json"),
                 "-s", str(tmp_path / "c.png")]) == 2
    _one_error_line(capsys.readouterr().err, "1-column")


def test_select_k_in_1d_prints_the_table_and_draws_the_curve(tmp_path, captured, capsys):
    assert main(["--load_path", FAITHFUL, "--dims", "1", "--select-k", "1:3", "--seed", "0",
                 "-i", "30", "-q", "-s", str(tmp_path / "s.png")]) == 0
    table = capsys.readouterr().out
    assert "* chosen: k = 2" in table
    anim = captured["anim"]
    assert "criterion" in anim.panels and len(anim.colors) == 2
    x = _faithful()[:, 1:]
    bics = [SkGaussianMixture(k, random_state=0, n_init=3).fit(x).bic(x) for k in (1, 2, 3)]
    assert int(np.argmin(bics)) + 1 == 2


@pytest.mark.parametrize("argv, fragments", [
    (["-d", "1", "--contours"], ["--contours", "1-D data", "drop --contours"]),
    (["--load_path", FAITHFUL, "--dims", "0", "--contours"], ["--contours"]),
    (["--dims", "0"], ["--dims 0", "-d 1"]),
    (["--load_path", FAITHFUL, "--dims", "2"], ["column 2 does not exist", "2 columns"]),
    (["--load_path", FAITHFUL, "--dims", "0", "1", "0"], ["one column I", "got 3"]),
    (["-d", "1", "--dims", "0", "1"], ["column 1 does not exist"]),
    (["-d", "3"], ["-d/--dim", "expected a dimension >= 1 and at most 2, got '3'"]),
    (["-d", "\u0661"], ["-d/--dim", "expected a dimension >= 1"]),
    (["-d", "0"], ["-d/--dim", "expected a dimension >= 1"]),
])
def test_1d_misuse_is_exit_2_and_one_error_line(tmp_path, capsys, argv, fragments):
    out = tmp_path / "o.png"
    assert main(["-N", "50", "-k", "2", "-i", "1", "--seed", "0"] + argv + ["-s", str(out)]) == 2
    _one_error_line(capsys.readouterr().err, *fragments)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("ext", [".png", ".gif"])
def test_writers_on_1d_data(tmp_path, capsys, ext):
    out = tmp_path / ("o" + ext)
    argv = ["-d", "1", "-N", "60", "-m", "2", "-k", "2", "-i", "3", "--tol", "0", "--seed", "2",
            "--soft", "--ll-panel", "-s", str(out)]
    assert main(argv) == 0
    img = Image.open(out)
    frames = getattr(img, "n_frames", 1)
    assert frames == (1 if ext == ".png" else 4)
    rgb = np.asarray(img.convert("RGB"))
    assert rgb.shape[1] > rgb.shape[0] and (rgb < 250).any()          # the panel widens it
    assert ("saved the final frame" if ext == ".png" else "saved 4 frames") in \
        capsys.readouterr().err


def test_live_window_keys_on_1d(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    anim = visualize_gmm.animate(None, 2, n_features=1, n_true=2, n_points=80, max_iter=4,
                                 tol=0, random_state=0).animator
    anim.show_state(0)
    window = gmm_window.LiveWindow(anim)

    def press(key):
        window.on_key(KeyEvent("key_press_event", window.fig.canvas, key))

    for key in (" ", "n", "right"):
        press(key)
    assert window.paused and anim.current == 2
    press("left")
    assert anim.current == 1
    press("s")
    assert os.listdir(tmp_path) == ["gmm_frame_1.png"]
    first = anim.history[0].means.copy()
    press("r")
    assert anim.current == 0 and not np.allclose(anim.history[0].means, first)


# ------------------------------------------------------- docs/one-dimensional.md


def test_readme_one_d_commands_run_verbatim(tmp_path, monkeypatch, captured, capsys):
    """docs/one-dimensional.md's commands in a scratch copy of examples/: the GIFs are
    remade with the committed copies' size and frame count; the 1-D fit is
    Old Faithful's two eruption types."""
    (tmp_path / "examples").mkdir()
    shutil.copy(FAITHFUL, tmp_path / "examples" / "faithful.csv")
    monkeypatch.chdir(tmp_path)
    anims = []
    for command in ONE_D_COMMANDS:
        assert main(shlex.split(command)) == 0, capsys.readouterr().err
        anims.append(captured["anim"])
    for name in ("faithful_eruptions.gif", "faithful.gif"):
        with Image.open(tmp_path / "examples" / name) as new, \
                Image.open(os.path.join(ROOT, "examples", name)) as committed:
            assert (new.size, new.n_frames) == (committed.size, committed.n_frames)
        assert os.path.getsize(os.path.join(ROOT, "examples", name)) < 2**20
    one_d, two_d, sampled = anims
    assert isinstance(one_d.scene, gmm_scene1d.HistogramScene)
    assert not isinstance(two_d.scene, gmm_scene1d.HistogramScene)
    np.testing.assert_allclose(np.sort(one_d.fit.record.last.means[:, 0]), [2.019, 4.273],
                               atol=2e-3)
    assert sampled.fit.true_components is not None and "ll" in sampled.panels
    assert os.path.exists("line.png")


WINDOW_SCRIPT = r"""
import sys
import visualize_gmm
import window_driver

window_driver.close_after_last()
sys.exit(visualize_gmm.main(sys.argv[1:]))
"""


def test_live_window_plays_1d_under_xvfb(tmp_path, run_in_window):
    proc = run_in_window(["-c", WINDOW_SCRIPT, "--load_path", FAITHFUL, "--dims", "0", "-k", "2",
                          "-i", "3", "--tol", "0", "--seed", "0", "--soft", "--ll-panel"],
                         cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    drawn = [line for line in proc.stderr.splitlines() if "drew frames:" in line]
    assert drawn and drawn[-1].split("drew frames:")[1].split()[-1] == "3", proc.stderr
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- the scene's protocol

def test_histogram_scene_is_a_scene_and_every_view_a_view():
    anim = _faithful_anim(compare="kmeans", ll_panel=True, soft=True, uncertainty=True)
    scene = anim.scene
    assert isinstance(scene, gmm_scene1d.HistogramScene) and isinstance(scene, gmm_scene.Scene)
    assert scene.data_axes == 1 and scene.static_legend
    follower = next(v for v in anim.views if isinstance(v, gmm_teaching.FollowerPanel))
    for view in anim.views + follower.views:
        assert isinstance(view, gmm_scene.View), type(view).__name__
    xlim, ylim, equal = scene.frame()
    assert not equal and (xlim, ylim) == (scene.histogram.xlim, scene.histogram.ylim)
    assert [label for _, label in scene.legend_entries()] == [
        "bars: stacked by responsibility", "mixture density", "component w\u00b7N(x)",
        "\u03bc \u00b1 \u221a2\u00b7\u03c3", "uncertainty (0 at the axis, 1 at the top)", "mean"]
    assert scene.edit_refusal(anim) == "adding or removing points works without --compare"
    # with --compare the legend takes the upper right, the EM title the upper left:
    # the note goes under the title
    assert scene.note_corner(anim, (0.5, 0.06), ["upper right", "upper left"], 0.07) == (
        "upper left", 0.07)
    assert scene.note_corner(anim, (0.5, 0.06), ["upper right"], 0.07) == ("upper left", 0.0)


def test_histogram_scene_refills_the_bars_with_edited_data():
    anim = _faithful_anim(soft=True)
    scene = anim.scene
    assert scene.edit_refusal(anim) is None            # soft bars are rebuilt too
    x = anim.fit.points[:, 0]
    anim.fit.edit_points(remove=np.flatnonzero(x > np.median(x)))
    scene.refill(anim)
    density, edges = np.histogram(anim.fit.points[:, 0], bins="auto", density=True)
    np.testing.assert_array_equal(scene.histogram.edges, edges)
    np.testing.assert_allclose(scene.histogram.density, density, rtol=1e-12)
    bars = [v for v in anim.views if isinstance(v, gmm_scene1d.HistogramView)]
    assert len(bars) == 1 and bars[0].hist is scene.histogram
    assert bars[0].responsibilities is not None          # still stacked by responsibility


def _ticks_in_view(axis, limits):
    """The major tick values an axis draws (those within its limits)."""
    lo, hi = sorted(limits)
    return [t for t in axis.get_majorticklocs() if lo <= t <= hi]


@pytest.mark.parametrize("size", [None, (19.2, 10.8), (4.0, 3.0)])
def test_density_axes_show_no_negative_ticks(size):
    """The band below y = 0 holds the interval bars: the scene's and the k-means
    panel's density axes tick 0 and positive densities only (no "-0.05"),
    and every positive tick matplotlib's own locator gives is kept."""
    anim = visualize_gmm.animate(None, 2, n_features=1, n_points=300, n_true=2, max_iter=3,
                                 random_state=0, compare="kmeans", size=size).animator
    anim.render(len(list(anim.indices())) - 1)
    for ax in (anim.ax, anim.panels["kmeans"]):
        lo, hi = ax.get_ylim()
        assert lo < 0 < hi                                   # the band is there
        ticks = _ticks_in_view(ax.yaxis, (lo, hi))
        assert ticks and min(ticks) == 0.0 and len(ticks) >= 3
        auto = [t for t in MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
                if 0 <= t <= hi]
        np.testing.assert_allclose(ticks, auto)
        shown = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()]
        assert not any(s.startswith(("-", "\u2212")) for s in shown), shown


@given(st.floats(-5.0, -1e-6), st.floats(1e-6, 1e4))
@settings(max_examples=40, deadline=None)
def test_density_locator_keeps_the_nonnegative_ticks_of_maxnlocator(lo, hi):
    ticks = gmm_scene1d.DensityLocator().tick_values(lo, hi)
    reference = MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    np.testing.assert_array_equal(ticks, reference[reference >= 0])
    assert not np.any(np.signbit(ticks))
