"""data_gen: samplers, shapes, the command line and the example files.
"""
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

import data_gen
from data_gen import circles, moons, sample_gaussians, spirals
from gmm_load import column_names, load_points
import readme_commands
from readme_commands import DATA_COMMANDS

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The exact commands documented in docs/real-data.md for the example files
# (tests/readme_commands.py holds the command lists of README.md and docs/).
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


@pytest.mark.parametrize("ext, separator", [(".csv", ","), (".tsv", "\t"), (".txt", " ")])
@pytest.mark.parametrize("shape", ["circles", "spirals", "moons"])
def test_cli_shapes_match_library(tmp_path, capsys, shape, ext, separator):
    """Every text format round-trips the sampler's exact numbers; .csv and .tsv
    carry an x,y header with their own separator."""
    out_path = tmp_path / f"{shape}{ext}"
    code, _, _ = _run([shape, "-N", "50", "--noise", "0.3", "--seed", "1",
                       "-o", str(out_path)], capsys)
    assert code == 0
    expected = getattr(data_gen, shape)(50, noise=0.3, random_state=1)
    np.testing.assert_array_equal(load_points(out_path), expected)
    lines = out_path.read_text().splitlines()
    assert len(lines[-1].split(separator)) == 2
    if ext != ".txt":
        assert lines[0] == separator.join(["x", "y"]) and column_names(out_path) == ["x", "y"]


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


def test_docs_document_the_example_commands():
    """The documented commands for the example files (README.md and docs/*.md)
    are the ones tested above."""
    documented = [line.strip() for text in readme_commands.documented_pages().values()
                  for line in text.splitlines()
                  if line.strip().startswith("python data_gen.py ") and "examples/" in line]
    assert documented, "no page shows a data_gen.py example command (or this filter broke)"
    expected = {f"python data_gen.py {cmd}" for cmd in EXAMPLE_COMMANDS.values()}
    assert set(documented) == expected


@pytest.mark.parametrize("n, noun", [(1, "1 point "), (2, "2 points ")])
def test_cli_status_line_counts_points_in_english(tmp_path, capsys, n, noun):
    out_path = tmp_path / "x.npy"
    code, out, err = _run(["circles", "-N", str(n), "--seed", "0", "-o", str(out_path)], capsys)
    assert code == 0 and out == ""
    assert err == f"wrote {noun}(circles) to {out_path}\n"
    assert load_points(out_path).shape == (n, 2)
