"""Tests for the "analysis" flags of visualize_gmm: choosing k (--select-k,
--n-init), views of d > 2 data (--dims), covariance types in the drawing,
and fitted parameters in files (--save-params, --init-params).

References: scikit-learn's GaussianMixture (BIC/AIC/score on the same
parameters), the support function of an ellipsoid (projection geometry), and
exact round trips through files.
"""
import io
import json
import os
import re
import sys

import numpy as np
import pytest

import gmm
import gmm_scene2d
import gmm_transforms
from em_reference import separated_blobs, sk_holding
from readme_commands import ANALYSIS_COMMANDS
from visualize_gmm import main

IRIS = "examples/iris.csv"
TABLE_ROW = re.compile(r"^\s*(?P<k>\d+)\s+(?P<p>\d+)\s+(?P<ll>-?\d+\.\d+)\s+(?P<bic>-?\d+\.\d+)"
                       r"\s+(?P<aic>-?\d+\.\d+)(?P<mark>\s+\*?!?)?$")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def captured(captured_animator):
    """conftest's ``captured_animator`` (this file's tests call it ``captured``)."""
    return captured_animator


def _only_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


def _table(out):
    rows = [m.groupdict() for m in map(TABLE_ROW.match, out.splitlines()) if m]
    return [{"k": int(r["k"]), "p": int(r["p"]), "ll": float(r["ll"]), "bic": float(r["bic"]),
             "aic": float(r["aic"]), "chosen": "*" in (r["mark"] or ""),
             "degenerate": "!" in (r["mark"] or "")} for r in rows]


def _ellipses(anim):
    view = next(v for v in anim.views if isinstance(v, gmm_scene2d.EllipsesView))
    return [(p.get_center(), p.get_width(), p.get_height(), p.get_angle())
            for p in view.patches]


# ------------------------------------------------------------------ choosing k


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, so progress bars are drawn."""

    def isatty(self):
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_select_k_progress_bar_on_a_terminal_only(tmp_path, capsys, monkeypatch, quiet):
    argv = ["-N", "300", "--select-k", "1:4", "-i", "2", "--seed", "0",
            "-s", str(tmp_path / "o.png")] + (["-q"] if quiet else [])
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert main(argv) == 0
    bar = term.getvalue()
    table = _table(capsys.readouterr().out)
    assert [r["k"] for r in table] == [1, 2, 3, 4]         # the table is untouched, on stdout
    if quiet:
        assert bar == ""
    else:
        assert "choosing k:" in bar and "/4 [" in bar
    # not a terminal (a pipe, a log file): no bar at all, even without -q
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert main([a for a in argv if a != "-q"]) == 0
    assert "choosing k" not in sys.stderr.getvalue()


def test_select_k_cli_table_in_user_units_equals_sklearn(tmp_path, capsys, captured):
    # odd units: the CLI fits standardised data but must report in these units
    X = separated_blobs(4, seed=1, scale=3e3, shift=-7e4)
    path = tmp_path / "blobs.npy"
    np.save(path, X)
    argv = ["--load_path", str(path), "--select-k", "1:6", "--seed", "5", "-q",
            "--n-init", "2", "-s", str(tmp_path / "o.png")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    table = _table(out)
    assert [r["k"] for r in table] == [1, 2, 3, 4, 5, 6]
    assert [r["k"] for r in table if r["chosen"]] == [4]
    assert "chosen: k = 4 (lowest BIC)" in out
    # the same fits, recomputed, checked against scikit-learn on the user-unit data
    best, rows = gmm_transforms.select_components(
        X, [1, 2, 3, 4, 5, 6], n_init=2, max_iter=200, tol=3e-5, patience=5,
        random_state=np.random.default_rng(5))
    assert best == 4
    for printed, row in zip(table, rows):
        sk = sk_holding(row["weights"], row["means"], row["covariances"], "full")
        assert row["bic"] == pytest.approx(sk.bic(X), rel=1e-9)
        assert row["aic"] == pytest.approx(sk.aic(X), rel=1e-9)
        assert row["log_likelihood"] == pytest.approx(sk.score(X), rel=1e-9)
        ours_path = str(tmp_path / f"k{row['k']}.npz")
        gmm.save_params(ours_path, row["weights"], row["means"], row["covariances"])
        ours = gmm.GaussianMixture.load(ours_path)           # GaussianMixture.bic/aic agree
        assert row["bic"] == pytest.approx(ours.bic(X), rel=1e-9)
        assert row["aic"] == pytest.approx(ours.aic(X), rel=1e-9)
        assert printed["bic"] == pytest.approx(row["bic"], abs=0.006)
        assert printed["aic"] == pytest.approx(row["aic"], abs=0.006)
        assert printed["ll"] == pytest.approx(row["log_likelihood"], abs=1e-6)
        assert printed["p"] == gmm.n_parameters(row["k"], 2)
    # the animation replays the kept run of the chosen k: its last state is the row's fit
    anim = captured["anim"]
    last = anim.fit.record.last
    chosen = rows[3]
    np.testing.assert_allclose(last.weights, chosen["weights"], atol=1e-9)
    np.testing.assert_allclose(last.means, chosen["means"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(last.covariances, chosen["covariances"], rtol=1e-8)
    assert last.log_likelihood == pytest.approx(chosen["log_likelihood"], abs=1e-9)
    # and the saved output has the criterion curve beside the scene
    curve_ax = [ax for ax in anim.fig.axes if ax is not anim.ax]
    assert len(curve_ax) == 1
    line = curve_ax[0].lines[0]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(line.get_ydata(), [r["bic"] for r in rows])
    assert anim.size[0] % 16 == 0 and anim.size[1] % 16 == 0
    # a GIF palette keeps the curve's colours (the chosen-k marker is not a component colour)
    from matplotlib.colors import to_rgb
    assert np.isclose(anim.palette_colors(), to_rgb("crimson")).all(axis=1).any()


def test_select_k_aic_and_figure_keeps_scene_pixels(tmp_path, capsys, captured):
    X = separated_blobs(3, seed=2)
    path = tmp_path / "b.npy"
    np.save(path, X)
    assert main(["--load_path", str(path), "-q", "--seed", "0", "-s", str(tmp_path / "a.png")]) == 0
    plain = captured["anim"]
    plain_box = plain.ax.get_window_extent().bounds
    assert main(["--load_path", str(path), "--select-k", "2,3,5", "--criterion", "aic", "-q",
                 "--seed", "0", "-s", str(tmp_path / "b.png")]) == 0
    table = _table(capsys.readouterr().out)
    assert [r["k"] for r in table] == [2, 3, 5]
    assert [r["k"] for r in table if r["chosen"]] == [3]
    anim = captured["anim"]
    assert anim.size[1] == plain.size[1] and anim.size[0] > plain.size[0]
    np.testing.assert_allclose(anim.ax.get_window_extent().bounds, plain_box, atol=0.51)
    assert len(anim.history[-1].weights) == 3


@pytest.mark.parametrize("ks", ["0:3", "5:2", "a:b", "1:", "", "2,x", "0", "1:1000"])
def test_bad_select_k_is_one_error_line(tmp_path, capsys, ks):
    out = tmp_path / "o.png"
    assert main(["-N", "200", "--select-k", ks, "-s", str(out)]) == 2
    line = _only_error_line(capsys.readouterr().err)
    assert "select" in line or "k" in line
    assert not out.exists()


# ------------------------------------------------------------------ projections


def _support(centre, width, height, angle_deg, u):
    """max over the drawn ellipse of u . y (its extent along direction u)."""
    a, b = width / 2, height / 2
    t = np.radians(angle_deg)
    e1, e2 = np.array([np.cos(t), np.sin(t)]), np.array([-np.sin(t), np.cos(t)])
    return float(u @ centre + np.hypot(a * (u @ e1), b * (u @ e2)))


def test_iris_view_is_the_exact_projection_of_the_fit(tmp_path, captured):
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    saved = tmp_path / "fit.npz"
    assert main(["-k", "3", "--load_path", IRIS, "--seed", "0", "-q", "-i", "30", "--view",
                 "pca", "--save-params", str(saved), "-s", str(tmp_path / "o.png")]) == 0
    anim = captured["anim"]
    params = gmm.load_params(str(saved), n_features=4)       # the d-dimensional fit
    scale = anim.fit.scale              # iris' four lengths share one scale (cm)
    assert np.all(scale == scale[0])
    P, centre, explained = gmm_transforms.pca_projection(X, scale)
    P = P / scale
    shown = anim.history[-1]
    np.testing.assert_allclose(shown.means, (params["means"] - centre) @ P.T, atol=1e-12)
    np.testing.assert_allclose(shown.covariances, P @ params["covariances"] @ P.T, atol=1e-12)
    # geometry: the drawn ellipse's extent along any direction u equals the
    # extent of the 4-D ellipsoid {x: (x-mu)^T S^-1 (x-mu) = 2} along P^T u
    c = 2.0
    for (ctr, w, h, ang), mu, S in zip(_ellipses(anim), params["means"], params["covariances"]):
        for theta in np.linspace(0, np.pi, 7):
            u = np.array([np.cos(theta), np.sin(theta)])
            v = P.T @ u
            expected = float(v @ (mu - centre) + np.sqrt(c * v @ S @ v))
            assert _support(np.asarray(ctr), w, h, ang, u) == pytest.approx(expected, rel=1e-9,
                                                                             abs=1e-9)
    # the points are the PC scores; labels say what is shown
    offsets = anim.views[0].artist.get_offsets()
    np.testing.assert_allclose(offsets, (X - centre) @ P.T, atol=1e-12)
    assert (anim.ax.get_xlabel() == f"PC1, {100 * explained[0]:.0f}% of the variance"
            == "PC1, 92% of the variance")
    assert anim.ax.get_ylabel() == f"PC2, {100 * explained[1]:.0f}% of the variance"


def test_dims_pick_columns_with_header_names(tmp_path, captured):
    assert main(["-k", "3", "--load_path", IRIS, "--dims", "0", "3", "--seed", "1", "-q",
                 "-i", "5", "-s", str(tmp_path / "o.png")]) == 0
    anim = captured["anim"]
    full = anim.fit.record.last
    shown = anim.history[-1]
    np.testing.assert_array_equal(shown.means, full.means[:, [0, 3]])
    np.testing.assert_array_equal(shown.covariances, full.covariances[:, [0, 3]][:, :, [0, 3]])
    assert (anim.ax.get_xlabel(), anim.ax.get_ylabel()) == ("sepal_length", "petal_width")
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    np.save(tmp_path / "noheader.npy", X)
    assert main(["-k", "2", "--load_path", str(tmp_path / "noheader.npy"), "--dims", "3", "0",
                 "-q", "-i", "2", "--seed", "0", "-s", str(tmp_path / "p.png")]) == 0
    anim = captured["anim"]
    assert (anim.ax.get_xlabel(), anim.ax.get_ylabel()) == ("x3", "x0")
    np.testing.assert_array_equal(anim.views[0].artist.get_offsets(), X[:, [3, 0]])


def test_pandas_index_column_is_left_out_with_one_note(tmp_path, capsys, captured):
    X = separated_blobs(2, seed=3)
    path = tmp_path / "frame.csv"                        # as DataFrame.to_csv() writes it
    path.write_text(",width,height\n" + "".join(
        f"{i},{float(x)!r},{float(y)!r}\n" for i, (x, y) in enumerate(X)))
    assert main(["-k", "2", "--load_path", str(path), "-i", "3", "--seed", "0",
                 "-s", str(tmp_path / "o.png")]) == 0
    note, saved = capsys.readouterr().err.splitlines()
    assert note == (f"note: {path}: the first column is a row index (no name, as pandas' "
                    "to_csv and R's write.csv write) and is left out; column numbers count "
                    "from the column after it")
    assert saved.startswith("saved the final frame (iteration ")
    assert main(["-k", "2", "--load_path", str(path), "-q", "-i", "3", "--seed", "0",
                 "-s", str(tmp_path / "o.png")]) == 0
    assert capsys.readouterr().err == ""                  # -q: no note either
    anim = captured["anim"]
    assert (anim.ax.get_xlabel(), anim.ax.get_ylabel()) == ("width", "height")
    np.testing.assert_array_equal(anim.views[0].artist.get_offsets(), X)
    plain = tmp_path / "plain.npy"                        # the same fit as the bare points
    np.save(plain, X)
    assert main(["-k", "2", "--load_path", str(plain), "-q", "-i", "3", "--seed", "0",
                 "-s", str(tmp_path / "p.png")]) == 0
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(captured["anim"].history[-1].means, anim.history[-1].means)


def test_two_column_csv_header_labels_and_no_labels_for_sampled(tmp_path, captured):
    X = separated_blobs(2, seed=3)
    np.savetxt(tmp_path / "h.csv", X, delimiter=",", header="height,weight", comments="")
    assert main(["-k", "2", "--load_path", str(tmp_path / "h.csv"), "-q", "-i", "2",
                 "-s", str(tmp_path / "o.png")]) == 0
    anim = captured["anim"]
    assert (anim.ax.get_xlabel(), anim.ax.get_ylabel()) == ("height", "weight")
    np.testing.assert_array_equal(anim.views[0].artist.get_offsets(), X)
    assert main(["-N", "100", "-k", "2", "-q", "-i", "1", "-s", str(tmp_path / "p.png")]) == 0
    assert captured["anim"].ax.get_xlabel() == ""


@pytest.mark.parametrize("dims", [["0", "4"], ["2", "2"], ["-1", "0"], ["0", "1", "2"], ["4"]])
def test_bad_dims_is_one_error_line(tmp_path, capsys, dims):
    out = tmp_path / "o.png"
    assert main(["-k", "2", "--load_path", IRIS, "--dims", *dims, "-s", str(out)]) == 2
    _only_error_line(capsys.readouterr().err)
    assert not out.exists()


# ------------------------------------------------------------------ covariance types

@pytest.mark.parametrize("cov_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("dims", [None, ("0", "2")])
def test_each_covariance_type_draws_its_shape(tmp_path, captured, cov_type, dims):
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(size=(120, 3)) @ np.array([[2, 1, 0], [0, 1, 0], [0, 0.5, 1]])
                        + shift for shift in ([0, 0, 0], [8, 2, -3], [-5, 7, 2])])
    if dims is None:
        X = X[:, :2]
    np.save(tmp_path / "x.npy", X)
    argv = ["-k", "3", "--load_path", str(tmp_path / "x.npy"), "--seed", "0", "-q", "-i", "8",
            "--covariance-type", cov_type, "--init", "kmeans", "-s", str(tmp_path / "o.png")]
    if dims is not None:
        argv += ["--dims", *dims]
    assert main(argv) == 0
    shapes = np.array([(w, h, a % 180.0) for _, w, h, a in _ellipses(captured["anim"])])
    widths, heights, angles = shapes.T
    assert np.all(heights > 0)
    if cov_type == "diag":
        assert np.all(np.isclose(angles, 0.0, atol=1e-9) | np.isclose(angles, 90.0, atol=1e-9))
    if cov_type == "spherical":
        np.testing.assert_allclose(widths, heights, rtol=1e-12)
    if cov_type == "tied":
        np.testing.assert_allclose(shapes, np.broadcast_to(shapes[0], shapes.shape), rtol=1e-9,
                                   atol=1e-9)
    if cov_type == "full":
        assert not np.allclose(widths, heights, rtol=1e-3)
        assert not np.all(np.isclose(angles, 0.0) | np.isclose(angles, 90.0))
        assert not np.allclose(shapes, shapes[0], rtol=1e-3)


# ------------------------------------------------------------------ save / load

@pytest.mark.parametrize("ext", [".npz", ".json"])
@pytest.mark.parametrize("cov_type", ["full", "tied", "diag", "spherical"])
def test_save_then_load_reproduces_predictions_exactly(tmp_path, ext, cov_type):
    X = separated_blobs(3, d=3, seed=9)
    model = gmm.GaussianMixture(3, covariance_type=cov_type, random_state=0).fit(X)
    path = str(tmp_path / f"m{ext}")
    model.save(path, options={"note": "test"})
    loaded = gmm.GaussianMixture.load(path)
    Y = np.random.default_rng(1).normal(size=(50, 3)) * 5
    for Z in (X, Y):
        np.testing.assert_array_equal(loaded.predict(Z), model.predict(Z))
        np.testing.assert_array_equal(loaded.predict_proba(Z), model.predict_proba(Z))
        np.testing.assert_array_equal(loaded.score_samples(Z), model.score_samples(Z))
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
    assert loaded.covariance_type == cov_type
    assert loaded.bic(X) == model.bic(X)
    raw = gmm.load_params(path)
    assert raw["library_version"] == gmm.__version__
    assert raw["options"] == {"note": "test"}


def _bad_file(tmp_path, name, edit):
    model = gmm.GaussianMixture(2, random_state=0).fit(separated_blobs(2, seed=0))
    path = tmp_path / name
    model.save(str(path))
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    return str(path)


def test_load_rejects_wrong_version_format_and_pickles(tmp_path):
    wrong_version = _bad_file(tmp_path, "v.json", lambda d: d.update(format_version=99))
    with pytest.raises(gmm.ParamsError, match="version 99"):
        gmm.GaussianMixture.load(wrong_version)
    not_ours = _bad_file(tmp_path, "f.json", lambda d: d.update(format="other"))
    with pytest.raises(gmm.ParamsError, match="not a gmm-visualizer parameter file"):
        gmm.load_params(not_ours)
    pickled = tmp_path / "p.npz"
    np.savez(pickled, weights=np.array([object()], dtype=object), meta=np.array("{}"))
    with pytest.raises(gmm.ParamsError, match="cannot read"):
        gmm.load_params(str(pickled))
    truncated = tmp_path / "t.npz"
    truncated.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(gmm.ParamsError):
        gmm.load_params(str(truncated))


def test_cli_save_params_then_init_params(tmp_path, capsys, captured):
    X = separated_blobs(3, d=3, seed=11, scale=50.0, shift=1e3)
    data = tmp_path / "x.csv"
    np.savetxt(data, X, delimiter=",", header="a,b,c", comments="")
    saved = tmp_path / "fit.json"
    assert main(["-k", "3", "--load_path", str(data), "--seed", "2", "-i", "20",
                 "--covariance-type", "diag", "--print_ll", "-q",
                 "--save-params", str(saved), "-s", str(tmp_path / "o.gif")]) == 0
    printed = [float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()]
    last = captured["anim"].fit.record.last
    doc = json.loads(saved.read_text())
    assert doc["library_version"] == gmm.__version__
    assert doc["covariance_type"] == "diag"
    assert doc["options"]["num_clusters"] == 3 and doc["options"]["seed"] == 2
    assert doc["options"]["iterations"] == 20
    np.testing.assert_array_equal(np.array(doc["means"]), last.means)       # user units, 3-D
    np.testing.assert_array_equal(np.array(doc["covariances"]), last.covariances)
    np.testing.assert_allclose(doc["log_likelihood_history"], printed, atol=5e-7)
    assert len(doc["log_likelihood_history"]) == len(captured["anim"].history)

    # start from the file: -k and --covariance-type come from it; state 0 is the file's fit
    assert main(["--load_path", str(data), "--init-params", str(saved), "-i", "0", "-q",
                 "-s", str(tmp_path / "p.png")]) == 0
    start = captured["anim"].fit.record.last
    assert start.iteration == 0
    np.testing.assert_allclose(start.weights, last.weights, rtol=1e-13)
    np.testing.assert_allclose(start.means, last.means, rtol=1e-13)
    np.testing.assert_allclose(start.covariances, last.covariances, rtol=1e-12)
    assert start.log_likelihood == pytest.approx(last.log_likelihood, abs=1e-9)

    # a full fit may start from diagonal covariances; -k matching the file is fine
    assert main(["--load_path", str(data), "--init-params", str(saved), "-k", "3", "-i", "1",
                 "--covariance-type", "full", "-q", "-s", str(tmp_path / "q.png")]) == 0


def test_cli_save_params_npz_with_select_k(tmp_path, capsys):
    X = separated_blobs(2, seed=12)
    np.save(tmp_path / "x.npy", X)
    saved = tmp_path / "fit.npz"
    assert main(["--load_path", str(tmp_path / "x.npy"), "--select-k", "1:4", "--seed", "0",
                 "-q", "--save-params", str(saved), "-s", str(tmp_path / "o.png")]) == 0
    params = gmm.load_params(str(saved))
    assert len(params["weights"]) == 2
    assert params["options"]["select_k"] == [1, 2, 3, 4]
    model = gmm.GaussianMixture.load(str(saved))
    assert model.score(X) == pytest.approx(params["log_likelihood_history"][-1], abs=1e-9)


@pytest.mark.parametrize("case", ["columns", "version", "not_pd", "missing", "k", "with_select",
                                  "constraint", "save_ext", "save_dir"])
def test_cli_bad_params_files_are_one_error_line(tmp_path, capsys, case):
    X = separated_blobs(2, seed=0)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "x3.npy", np.c_[X, X[:, 0]])
    good = _bad_file(tmp_path, "good.json", lambda d: None)
    data = str(tmp_path / "x.npy")
    out = tmp_path / "o.png"
    extra = {
        "columns": ["--load_path", str(tmp_path / "x3.npy"), "--init-params", good],
        "version": ["--load_path", data, "--init-params",
                    _bad_file(tmp_path, "v.json", lambda d: d.update(format_version=2))],
        "not_pd": ["--load_path", data, "--init-params",
                   _bad_file(tmp_path, "c.json",
                             lambda d: d.update(covariances=[[[1, 2], [2, 1]], [[1, 0], [0, 1]]]))],
        "missing": ["--load_path", data, "--init-params", str(tmp_path / "nope.npz")],
        "k": ["--load_path", data, "--init-params", good, "-k", "3"],
        "with_select": ["--load_path", data, "--init-params", good, "--select-k", "1:3"],
        "constraint": ["--load_path", data, "--init-params", good, "--covariance-type", "diag"],
        "save_ext": ["--load_path", data, "--save-params", str(tmp_path / "p.txt")],
        "save_dir": ["--load_path", data, "--save-params", str(tmp_path / "no" / "p.npz")],
    }[case]
    assert main(extra + ["-q", "-s", str(out)]) == 2
    line = _only_error_line(capsys.readouterr().err)
    assert ("params" in line) or ("-k" in line)
    assert not out.exists()
    assert not (tmp_path / "p.txt").exists()


# ---------------------------------------------------------- documented commands

#: the analysis commands docs/choosing-k.md and docs/real-data.md show (the
#: third also the README; tests/readme_commands.py; the first
#: two made examples/choosing_k.png and examples/iris.gif); run verbatim below in
#: a scratch copy of examples/
README_COMMANDS = ANALYSIS_COMMANDS


def test_readme_analysis_commands(tmp_path, monkeypatch, capsys, captured):
    import shutil
    root = os.getcwd()
    (tmp_path / "examples").mkdir()
    for name in ("iris.csv", "faithful.csv", "customers.csv"):
        shutil.copy(os.path.join(root, "examples", name), tmp_path / "examples" / name)
    monkeypatch.chdir(tmp_path)
    results = []
    for command in README_COMMANDS:
        assert main(command.split()) == 0, command
        results.append((capsys.readouterr().out, captured["anim"]))
    table = _table(results[0][0])
    assert [r["k"] for r in table if r["chosen"]] == [4]          # sampled from 4 Gaussians
    assert len(results[1][1].history[-1].weights) == 3
    iris_table = _table(results[2][0])
    assert [r["k"] for r in iris_table if r["chosen"]] == [2]
    assert [r["k"] for r in iris_table if r["degenerate"]] == [5]
    fitted = results[4][1].fit.record.last
    started = results[5][1].fit.record.last
    assert started.iteration == 0 and len(started.weights) == 3
    np.testing.assert_allclose(started.means, fitted.means, rtol=1e-12)
    one_column = results[7][0].splitlines()       # one model of one column, and tied
    assert re.split(r"\s{2,}", one_column[1]) == ["k", "full = diag = spherical (V)", "tied (E)"]
    assert "* chosen: k = 4, covariance type full = diag = spherical (V)" in results[7][0]
    assert "* chosen: k = 3, covariance type diag" in results[8][0]   # spherical far worse
    for name in ("choosing_k.png", "iris.gif"):
        assert os.path.getsize(tmp_path / "examples" / name) > 0
        assert os.path.getsize(os.path.join(root, "examples", name)) < 2**20   # committed copy


def test_example_iris_csv_is_fishers_data():
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    with open(IRIS) as fh:
        assert fh.readline().strip() == "sepal_length,sepal_width,petal_length,petal_width"
    assert X.shape == (150, 4)
    np.testing.assert_allclose(X.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333], atol=1e-6)


def test_select_k_and_init_params_ignore_the_default_k_on_tiny_data(tmp_path, capsys):
    X = np.random.default_rng(0).normal(size=(4, 2))
    np.save(tmp_path / "four.npy", X)
    argv = ["--load_path", str(tmp_path / "four.npy"), "-q", "--seed", "0"]
    assert main(argv + ["--select-k", "1:2", "--save-params", str(tmp_path / "f.json"),
                        "-s", str(tmp_path / "a.png")]) == 0          # -k 5 > 4 points: unused
    assert main(argv + ["--init-params", str(tmp_path / "f.json"), "-i", "1",
                        "-s", str(tmp_path / "b.png")]) == 0
    assert main(argv + ["-s", str(tmp_path / "c.png")]) == 2          # plain -k 5 still refused
    assert "-k 5" in _only_error_line(capsys.readouterr().err)


def test_live_window_with_select_k_and_save_params_under_xvfb(tmp_path, run_in_window):
    proc = run_in_window(["-m", "window_driver", "-N", "300", "-m", "3",
                          "--seed", "4", "--select-k", "1:4", "--fps", "20",
                          "--save-params", "fit.json"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = _table(proc.stdout)
    chosen = [r["k"] for r in table if r["chosen"]]
    assert [r["k"] for r in table] == [1, 2, 3, 4] and len(chosen) == 1
    m = re.search(r"live window \((\w+)\) drew frames: ([\d ]+)", proc.stderr)
    assert m and m.group(1).lower() == "tkagg", proc.stderr
    drawn = [int(i) for i in m.group(2).split()]
    params = gmm.load_params(str(tmp_path / "fit.json"))
    assert len(params["weights"]) == chosen[0]
    assert drawn[0] == 0 and drawn[-1] == len(params["log_likelihood_history"]) - 1


def test_degenerate_fits_are_flagged_and_not_chosen(tmp_path, capsys):
    rng = np.random.default_rng(0)
    blob = rng.normal(size=(100, 2))
    line = np.c_[rng.uniform(-3, 3, 40) + 10, np.full(40, 5.0)]     # y repeated exactly
    X = np.r_[blob, line]
    best, rows = gmm_transforms.select_components(X, [1, 2], random_state=0)
    assert [r["degenerate"] for r in rows] == [False, True]
    assert rows[1]["bic"] < rows[0]["bic"]          # the collapsed fit "wins" on BIC ...
    assert best == 1                                # ... but is not chosen
    lib_best, table = gmm.select_k(X, [1, 2], random_state=0)   # the library agrees
    assert lib_best == 1 and [r["degenerate"] for r in table] == [False, True]
    floor = np.linalg.eigvalsh(table[1]["model"].state_.covariances).min()
    assert floor <= gmm.DEGENERATE_FACTOR * 1e-6
    # iris is rounded to 0.1 cm: 29 setosa share petal_width 0.2, and one k=5 fit
    # collapses onto that hyperplane
    assert main(["--load_path", IRIS, "--select-k", "1:6", "--n-init", "5", "--seed", "1",
                 "-q", "-s", str(tmp_path / "o.png")]) == 0
    out = capsys.readouterr().out
    table = _table(out)
    assert [r["k"] for r in table if r["degenerate"]] == [5]
    assert [r["k"] for r in table if r["chosen"]] == [2]
    assert min(table, key=lambda r: r["bic"])["k"] == 5
    assert "among the rows without !" in out and out.strip().splitlines()[-1].startswith("! ")


def test_cli_n_init_animates_the_best_of_the_runs(tmp_path, captured):
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    assert main(["-k", "4", "--load_path", IRIS, "--n-init", "4", "--seed", "3", "-q",
                 "-s", str(tmp_path / "o.png")]) == 0
    shown = captured["anim"].fit.record.last
    _, rows = gmm_transforms.select_components(X, [4], n_init=4, max_iter=200, tol=3e-5,
                                              random_state=np.random.default_rng(3))
    # the animation replays the best run's start with the command line's
    # --patience rule, which runs at least as long as the library's tol rule
    # the table used: never worse, and (both converged) within 0.01
    assert rows[0]["log_likelihood"] - 1e-4 <= shown.log_likelihood \
        <= rows[0]["log_likelihood"] + 0.01
    singles = [gmm_transforms.select_components(X, [4], max_iter=200, tol=3e-5,
                                                random_state=g)[1][0]
               for g in [np.random.default_rng(3)]]
    assert shown.log_likelihood >= singles[0]["log_likelihood"] - 1e-4


def test_selection_footer_when_every_fit_is_degenerate(tmp_path, capsys):
    path = tmp_path / "line.csv"
    path.write_text("x,y\n0,0\n1,1\n2,2\n3,3\n4,4\n")
    assert main(["--load_path", str(path), "--select-k", "1:3", "--seed", "0", "-q",
                 "--save", str(tmp_path / "o.png")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = lines[1:4]
    assert all(r.endswith("!") for r in rows)
    assert lines[4].startswith("* chosen: k = ")
    assert "among the rows without !" not in lines[4]
    assert "every row is marked !, so among all of them" in lines[4]
    rows = [{"k": 1, "n_parameters": 5, "log_likelihood": -1.0, "bic": 3.0, "aic": 2.0,
             "degenerate": False},
            {"k": 2, "n_parameters": 11, "log_likelihood": 0.0, "bic": 1.0, "aic": 1.0,
             "degenerate": True}]
    footer = gmm_transforms.format_selection_table(rows, 1, "bic").splitlines()[3]
    assert footer.startswith("* chosen: k = 1 (lowest BIC among the rows without !)")


def test_csv_is_read_once_for_points_and_names(tmp_path, captured, monkeypatch):
    """The axis names come from the same read as the points (no second pass over a
    large file): column_names is not called, the labels are still the header's."""
    import data_gen
    import gmm_load

    def no_second_read(path):
        raise AssertionError("the CLI read the file a second time for its names")

    monkeypatch.setattr(data_gen, "column_names", no_second_read)
    monkeypatch.setattr(gmm_load, "column_names", no_second_read)     # where it lives
    X = separated_blobs(2, seed=3)
    np.savetxt(tmp_path / "h.csv", X, delimiter=",", header="height,weight", comments="")
    np.savetxt(tmp_path / "c.csv", X, delimiter=",", header="lat,lon")   # '# lat,lon'
    for name, labels in (("h.csv", ("height", "weight")), ("c.csv", ("lat", "lon"))):
        assert main(["-k", "2", "--load_path", str(tmp_path / name), "-q", "-i", "2",
                     "-s", str(tmp_path / "o.png")]) == 0
        assert (captured["anim"].ax.get_xlabel(), captured["anim"].ax.get_ylabel()) == labels


# ------------------------------------------- choosing k and the covariance type

GRID_ROW = re.compile(r"^\s*(?P<k>\d+)((\s+-?\d+\.\d+[*!]*){4})\s*$")


def _grid(out):
    """``{(k, type): (value, marks)}`` from the --covariance-type all table."""
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:1] == ["k"])
    types = lines[head].split()[1:]
    cells = {}
    for line in lines[head + 1:]:
        m = GRID_ROW.match(line)
        if not m:
            break
        for t, cell in zip(types, line.split()[1:]):
            value = re.match(r"-?\d+\.\d+", cell).group()
            cells[int(m["k"]), t] = (float(value), cell[len(value):])
    return types, cells


def test_select_k_every_covariance_type_on_iris_equals_sklearn(tmp_path, capsys, captured):
    """--select-k 1:9 --covariance-type all on iris: one table (rows k, one BIC
    column per type, the chosen pair marked), each value scikit-learn's bic()
    for the fitted parameters in user units, the lowest eligible pair chosen
    and animated beside one curve per type."""
    argv = ["--load_path", IRIS, "--select-k", "1:9", "--covariance-type", "all",
            "--seed", "0", "-q", "-s", str(tmp_path / "o.png")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    types, cells = _grid(out)
    assert types == ["full", "tied", "diag", "spherical"]
    assert sorted(cells) == sorted((k, t) for k in range(1, 10) for t in types)
    X = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    best, rows = gmm_transforms.select_components_by_type(
        X, range(1, 10), "all", max_iter=200, tol=3e-5, patience=5,
        random_state=np.random.default_rng(0))
    sk_bic = {}
    for row in rows:
        key = (row["k"], row["covariance_type"])
        sk = sk_holding(row["weights"], row["means"], row["covariances"], key[1])
        sk_bic[key] = sk.bic(X)
        assert row["bic"] == pytest.approx(sk_bic[key], rel=1e-6)
        assert cells[key][0] == pytest.approx(row["bic"], abs=0.006)
        assert ("!" in cells[key][1]) == row["degenerate"]
    eligible = [(r["k"], r["covariance_type"]) for r in rows if not r["degenerate"]]
    assert best == min(eligible, key=sk_bic.get)
    assert [key for key, (_, mark) in cells.items() if "*" in mark] == [best]
    assert f"* chosen: k = {best[0]}, covariance type {best[1]}" in out
    anim = captured["anim"]
    assert anim.fit.options.covariance_type == best[1]
    assert len(anim.history[-1].weights) == best[0]
    panel = anim.panels["criterion"]
    curves = {line.get_label(): line for line in panel.lines
              if line.get_label() in types}
    assert sorted(curves) == sorted(types)
    for t, line in curves.items():
        np.testing.assert_array_equal(line.get_xdata(), range(1, 10))
        np.testing.assert_allclose(line.get_ydata(),
                                   [r["bic"] for r in rows if r["covariance_type"] == t])
    # one colour and one marker per type; the legend names the chosen pair
    assert len({(line.get_color(), line.get_marker()) for line in curves.values()}) == 4
    legend = [text.get_text() for text in panel.get_legend().get_texts()]
    assert f"chosen: k = {best[0]}, {best[1]}" in legend
    # the legend lies below the axes (never over a curve) and inside the figure
    renderer = anim.fig.canvas.get_renderer()
    box = panel.get_legend().get_window_extent(renderer)
    assert box.y1 < panel.get_window_extent(renderer).y0 - 20 and box.y0 >= 0


@pytest.mark.parametrize("extra", [[], ["--n-init", "2"], ["-k", "3"], ["--criterion", "aic"]])
def test_covariance_type_all_without_select_k_is_one_error_line(tmp_path, capsys, extra):
    out = tmp_path / "o.png"
    assert main(["-N", "50", "--covariance-type", "all", "-s", str(out)] + extra) == 2
    line = _only_error_line(capsys.readouterr().err)
    assert "--covariance-type all" in line and "--select-k" in line
    assert not out.exists() and os.listdir(tmp_path) == []
