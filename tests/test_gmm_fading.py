"""Tests for gmm_fading: a variational fit's components drawn with opacities from
their expected weights, its header, legend, bound panel and --print_ll lines;
2-D, 1-D, the command line, the docs' commands and the live window.

References: the opacity rule worked by hand; the expected weights counted
directly; the lower bound from gmm.BayesianGaussianMixture and gmm.vb_steps run
on the data in the user's units (not the fit's standardised coordinates).
"""
import contextlib
import io
import json
import os
import re
import shlex
import shutil

import numpy as np
import pytest
from PIL import Image

import gmm
import gmm_em
import gmm_window
import visualize_gmm
from gmm_steps import EM_PHRASES
from gmm_fading import FadingHeader, FadingView, line_widths, opacities
from gmm_options import Options
from gmm_plot import IterationText, MeansView
from gmm_scene1d import AxisMeansView, DensityCurvesView, IntervalsView
from gmm_scene2d import EllipsesView
from readme_commands import BAYES_COMMANDS
from visualize_gmm import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def _view(anim, kind):
    return next(v for v in anim.views if isinstance(v, kind))


# --------------------------------------------------------------------------- the rule

def test_opacity_rule_by_hand():
    # k = 6: an even share (1/6) or more is opaque; 10% -> 0.25 + 0.75 * 0.6; below 1%
    # an outline at 0.35, at or below 0.5% gone
    weights = np.array([0.60, 0.10, 0.008, 0.005, 0.002, 0.285])
    got = opacities(weights)
    k = 6
    want = [1.0, 0.25 + 0.75 * min(1, k * 0.10), 0.35, 0.0, 0.0, 1.0]
    np.testing.assert_allclose(got, want)
    np.testing.assert_array_equal(line_widths(weights), [1, 1, 0.4, 0.4, 0.4, 1])
    np.testing.assert_allclose(opacities([0.02, 0.98]), [0.25 + 0.75 * 0.04, 1.0])
    assert opacities([1.0]).tolist() == [1.0]


# --------------------------------------------------------------------------- 2-D

@pytest.fixture(scope="module")
def fading2d():
    anim = visualize_gmm.animate(None, 10, n_true=4, n_points=600, random_state=2,
                                 bayesian="dp", ll_panel=True).animator
    anim.run()
    return anim


def test_drawn_opacities_are_the_expected_weights_by_the_rule(fading2d):
    anim = fading2d
    ellipses, means = _view(anim, EllipsesView), _view(anim, MeansView)
    widths = [p.get_linewidth() for p in ellipses.patches]
    assert widths == [2.0] * 10
    seen = set()
    for i in range(0, len(anim.history), 3):
        anim.render(i)
        w = anim.history[i].weights
        k = len(w)
        want = np.where(w > 0.01, 0.25 + 0.75 * np.minimum(1, k * w),
                        np.where(w > 0.005, 0.35, 0.0))
        np.testing.assert_allclose([p.get_alpha() for p in ellipses.patches], want)
        np.testing.assert_allclose([h.get_alpha() for h in ellipses.halos], want)
        np.testing.assert_allclose(means.marks.get_edgecolors()[:, 3], want)
        np.testing.assert_allclose([p.get_linewidth() for p in ellipses.patches],
                                   np.where(w > 0.01, 2.0, 0.8))
        seen |= {"opaque" if a == 1 else "faint" if a > 0.35 else "outline" if a > 0 else "gone"
                 for a in want}
    assert seen == {"opaque", "faint", "outline", "gone"}      # every stage drawn


def test_header_counts_the_weights_above_one_percent(fading2d):
    anim = fading2d
    header = _view(anim, FadingHeader)
    counts = []
    for i in range(len(anim.history)):
        anim.render(i)
        state = anim.history[i]
        count = int(sum(1 for w in state.weights if w > 0.01))
        text = header.text.get_text()
        assert text.splitlines()[0] == f"effective components {count} of 10", text
        assert f"lower bound {state.log_likelihood:.4f}" in text
        counts.append(count)
    assert counts[0] == 10 and counts[-1] == 4              # six components faded
    assert anim.history[len(anim.history) - 1].converged


def test_legend_and_bound_panel_say_what_is_drawn(fading2d):
    anim = fading2d
    texts = [t.get_text() for v in anim.views if hasattr(v, "legend")
             for t in v.legend.get_texts()]
    assert "fainter: smaller expected weight" in texts
    assert "thin: weight below 1%, then gone" in texts
    assert "variational fit, one point per iteration" in texts
    assert anim.panels["ll"].get_title() == "lower bound per point"
    plain = visualize_gmm.animate(None, 3, n_points=100, random_state=0, max_iter=2,
                                  ll_panel=True).animator
    assert type(_view(plain, IterationText)) is IterationText
    assert not any(isinstance(v, FadingView) for v in plain.views)
    assert plain.panels["ll"].get_title() == "mean log-likelihood"


def test_half_step_header_names_the_step_and_keeps_the_count():
    anim = visualize_gmm.animate(None, 4, n_true=2, n_points=200, random_state=1,
                                 max_iter=3, bayesian="dp", half_steps=True).animator
    anim.run()
    header = _view(anim, FadingHeader)
    seen = set()
    for i, frame in enumerate(anim.history):
        anim.render(i)
        first, second = header.text.get_text().splitlines()
        count = int((frame.weights > 0.01).sum())
        assert first == f"effective components {count} of 4"
        assert f"lower bound {frame.log_likelihood:.4f}" in second
        phrase = EM_PHRASES.get(frame.step)
        assert (phrase in second) if phrase else ("step" not in second)
        seen.add(frame.step)
    assert seen == {"start", "M", "E"}


# --------------------------------------------------------------------------- 1-D

def test_one_d_curves_intervals_and_means_fade():
    anim = visualize_gmm.animate(None, 8, n_true=3, n_points=600, random_state=3,
                                 n_features=1, bayesian="dp").animator
    anim.run()
    curves, intervals = _view(anim, DensityCurvesView), _view(anim, IntervalsView)
    means = _view(anim, AxisMeansView)
    for i in (0, 5, len(anim.history) - 1):
        anim.render(i)
        want = opacities(anim.history[i].weights)
        np.testing.assert_allclose([ln.get_alpha() for ln in curves.lines], want)
        np.testing.assert_allclose(intervals.bars.get_colors()[:, 3], want)
        np.testing.assert_allclose(means.marks.get_edgecolors()[:, 3], want)
        np.testing.assert_allclose(intervals.bars.get_linewidths(),
                                   3.0 * line_widths(anim.history[i].weights))
    last = anim.history[len(anim.history) - 1]
    assert _view(anim, FadingHeader).text.get_text().startswith(
        f"effective components {int((last.weights > 0.01).sum())} of 8")
    assert (last.weights > 0.01).sum() < 8


# --------------------------------------------------------------------------- the lower bound

def _blobs(scale, offset, seed=0, n=400, d=2):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, d))
    Z[: n // 2] += 4
    return Z * scale + offset, Z


@pytest.mark.parametrize("kind, prior_type, prior", [
    ("dp", "dirichlet_process", None), ("dirichlet", "dirichlet_distribution", 0.5)])
@pytest.mark.parametrize("d", [2, 1])
def test_printed_lower_bound_is_the_estimators_in_user_units(kind, prior_type, prior, d):
    scale, offset = 7.0, np.array([100.0, -3.0])[:d]
    X, Z = _blobs(scale, offset, d=d)
    w, m, C = gmm_em.center_start(Z, 5, "full", np.random.default_rng(1))
    init = (w, m * scale + offset, C * scale ** 2)          # the same start in user units
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        anim = visualize_gmm.animate(X, 5, init=init, bayesian=kind, weight_prior=prior,
                                     max_iter=6, tol=0, print_ll=True).animator
        anim.run()
    lines = out.getvalue().splitlines()
    assert [re.sub(r"-?\d+\.\d{6}$", "B", ln) for ln in lines] == [
        f"iteration {i:>3}  lower bound B" for i in range(7)]
    printed = np.array([float(ln.split()[-1]) for ln in lines])
    s = float(anim.fit.scale[0])
    assert np.allclose(anim.fit.scale, s)                   # one scale: reg_covar scales alike
    keywords = dict(init=init, reg_covar=1e-6 * s * s, weight_concentration_prior_type=prior_type,
                    weight_concentration_prior=prior)
    reference = [st.lower_bound for st in gmm.vb_steps(X, 5, max_iter=6, tol=0, **keywords)]
    np.testing.assert_allclose(printed, reference, atol=1e-6, rtol=0)
    np.testing.assert_allclose(anim.fit.record.log_likelihoods, reference, atol=1e-9, rtol=0)
    with pytest.warns(Warning):         # 6 iterations: not converged, as scikit-learn says
        bgm = gmm.BayesianGaussianMixture(n_components=5, max_iter=6, tol=0, **keywords).fit(X)
    assert abs(printed[-1] - bgm.lower_bound_ / len(X)) <= 1e-6
    np.testing.assert_allclose(anim.history[6].weights, bgm.weights_, atol=1e-9)


# --------------------------------------------------------------------------- command line

@pytest.fixture
def scratch(tmp_path, monkeypatch):
    shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples",
                    ignore=shutil.ignore_patterns("*.ipynb", "*.gif", "gallery"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_docs_commands_run_verbatim(scratch, captured_animator):
    results = {}
    for command in BAYES_COMMANDS:
        status, out, err = _run(shlex.split(command))
        assert status == 0, (command, err)
        anim = captured_animator["anim"]
        anim.run()
        last = anim.history[len(anim.history) - 1]
        results[command] = (out, int((last.weights > 0.01).sum()), len(last.weights))
    assert os.path.exists("gmm_vid.gif")                     # the headline run, headless
    gif = BAYES_COMMANDS[1]
    assert results[gif][1:] == (4, 10)                      # six of ten faded
    with Image.open("examples/bayes_fading.gif") as im:
        assert im.n_frames == 33                            # one frame per state
    assert os.path.getsize("examples/bayes_fading.gif") < 2_000_000
    prior_out, prior_count, _ = results[BAYES_COMMANDS[2]]
    assert prior_count == 10                                 # a large Dirichlet prior keeps all
    assert prior_out.splitlines()[0].startswith("iteration   0  lower bound ")
    assert results[BAYES_COMMANDS[3]][1] == 3                # 1-D: three of eight
    faithful, iris = results[BAYES_COMMANDS[5]][0], results[BAYES_COMMANDS[6]][0]
    assert faithful.splitlines()[-1] == ("BIC chose k = 2; the variational fit (k = 10) keeps "
                                         "2 components above 1%")
    assert iris.splitlines()[-1] == ("BIC chose k = 2; the variational fit (k = 10) keeps "
                                     "5 components above 1%")


def test_results_of_a_variational_run_are_its_last_state(scratch, captured_animator):
    status, _, err = _run(shlex.split(BAYES_COMMANDS[4]))
    assert status == 0, err
    anim = captured_animator["anim"]
    last = anim.fit.record.last
    with open("vb.json") as fh:
        saved = json.load(fh)
    np.testing.assert_allclose(saved["weights"], last.weights)
    np.testing.assert_allclose(saved["means"], last.means)
    assert saved["options"]["bayesian"] == "dp"
    np.testing.assert_allclose(saved["log_likelihood_history"], anim.fit.record.log_likelihoods)
    with open("vb.csv") as fh:
        rows = fh.read().splitlines()
    assert len(rows) == 1 + 272 and rows[0].count(",") >= 10


@pytest.mark.parametrize("argv, fragment", [
    (["--bayesian", "DP"], "argument --bayesian: invalid choice"),
    (["--bayesian", ""], "argument --bayesian: invalid choice"),
    (["--bayesian", "dirichlet_process"], "invalid choice"),
    (["--weight-prior", "1"], "--weight-prior 1 is the weight prior of a variational fit"),
    (["--bayesian", "--weight-prior", "0"], "expected a number > 0"),
    (["--bayesian", "--weight-prior", "-1"], "expected a number > 0"),
    (["--bayesian", "--weight-prior", "nan"], "expected a number > 0"),
    (["--bayesian", "--weight-prior", "inf"], "expected a number > 0"),
    (["--bayesian", "--weight-prior", "1e101"], "at most 1e+100"),
    (["--bayesian", "--weight-prior", ""], "expected a number > 0"),
    (["--bayesian", "--weight-prior", "1" + "0" * 400], "at most 1e+100"),
    (["--bayesian", "--n-init", "3"], "--bayesian runs one variational fit: drop --n-init"),
])
def test_hostile_flags_are_one_error_line(argv, fragment, tmp_path):
    status, out, err = _run(["-N", "40", "-k", "2", "-s", str(tmp_path / "o.png")] + argv)
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and fragment in err, err
    assert len(err) < 300 and os.listdir(tmp_path) == []


@pytest.mark.parametrize("keywords, fragment", [
    (dict(bayesian="DP"), "bayesian must be one of 'dp', 'dirichlet'"),
    (dict(bayesian=True), "bayesian must be one of"),
    (dict(bayesian=["dp"]), "bayesian must be one of"),
    (dict(weight_prior=1.0), "give bayesian='dp' or 'dirichlet' too"),
    (dict(bayesian="dp", weight_prior=0), "weight_prior must be a number > 0"),
    (dict(bayesian="dp", weight_prior=-2.0), "weight_prior must be a number > 0"),
    (dict(bayesian="dp", weight_prior=float("nan")), "weight_prior must be a number > 0"),
    (dict(bayesian="dp", weight_prior=float("inf")), "weight_prior must be a number > 0"),
    (dict(bayesian="dp", weight_prior=1e101), "at most 1e+100"),
    (dict(bayesian="dp", weight_prior=True), "weight_prior must be a number > 0"),
    (dict(bayesian="dp", weight_prior="1"), "weight_prior must be a number > 0"),
])
def test_hostile_keywords_of_animate_are_value_errors(keywords, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        visualize_gmm.animate(None, 3, n_points=50, **keywords)


def test_animate_takes_the_keywords():
    anim = visualize_gmm.animate(None, 4, n_points=200, random_state=0, bayesian="dirichlet",
                                 weight_prior=2.5, max_iter=3, tol=0).animator
    assert (anim.fit.options.bayesian, anim.fit.options.weight_prior) == ("dirichlet", 2.5)
    anim.run()
    assert isinstance(anim.fit.user_states()[-1], gmm.VBState)
    assert len(anim.fit.user_states()) == 4


def test_window_title_names_the_fit():
    assert gmm_window.window_title(Options(bayesian="dp", n_components=9), "x.csv") == (
        "visualize_gmm: variational fit, k = 9, on x.csv")
    assert gmm_window.window_title(Options(), "x.csv").startswith("visualize_gmm: EM, k = 5")


def test_live_window_shows_a_variational_fit(tmp_path, run_in_window):
    proc = run_in_window(["-c", "import sys, visualize_gmm, window_driver; "
                          "window_driver.close_after_last(); "
                          "sys.exit(visualize_gmm.main(sys.argv[1:]))",
                          "-k", "6", "-m", "2", "-N", "300", "-i", "4", "--tol", "0",
                          "--seed", "0", "--bayesian", "--print_ll"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [ln.split("  lower bound ")[0] for ln in lines] == [
        f"iteration {i:>3}" for i in range(5)]
    assert os.listdir(tmp_path) == []
