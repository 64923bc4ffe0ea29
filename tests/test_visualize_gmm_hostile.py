"""Hostile inputs on the command line (issue 23), as hypothesis properties.

1. Outputs never replace an input nor another output: ``--save``,
   ``--save-params`` and ``--save-labels`` naming ``--load_path``,
   ``--init-params`` or each other by the same path, ``./x``, a symlink, a
   hard link (or another case on a case-insensitive file system) are refused
   with one ``error:`` line and every file is left byte for byte.
2. ``--title``: any text (long, mathtext, control characters, any Unicode)
   ends in exit 0 with no raw warning line, or exit 2 with one line naming
   ``--title``; never a hang.
3. ``--init-params`` files with extreme but finite values draw, or are
   refused with one line.
4. One-column data on every input path (text file, ``.npy``, memory map, a
   shard directory of (n,) or (n, 1) shards, the library) is the same 1-D data.
5. ``--drop-missing`` and ``--save-labels`` on tables with a row index of any
   type and NA cells (all-NA columns, one row left, NA in the index): the
   fit is that of the cleaned file, the labels file reads back with pandas'
   ``index_col=0`` as the input's index, the rows left out marked empty.
"""
import json
import contextlib
import io
import os
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gmm
import gmm_cli
import gmm_load
from visualize_gmm import animate, main

BASE = ["-k", "2", "-i", "1", "--seed", "0", "-q"]


def _run(argv):
    """``main(argv)`` in-process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def _assert_one_error(argv, status, err, *words):
    lines = err.splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
    for word in words:
        assert word in lines[0], (argv, err)


def _folder_bytes(folder):
    """name -> bytes of every regular file (symlinks by their target name)."""
    snap = {}
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.islink(path):
            snap[name] = ("link", os.readlink(path))
        elif os.path.isfile(path):
            with open(path, "rb") as fh:
                snap[name] = ("file", fh.read())
    return snap


def _case_insensitive(folder):
    probe = os.path.join(folder, "CaseProbe")
    open(probe, "w").close()
    try:
        return os.path.exists(os.path.join(folder, "caseprobe"))
    finally:
        os.remove(probe)


# --------------------------------------------------------------------------- 1. aliases

#: flag -> an extension that flag accepts
OUTPUTS = {"--save": ".png", "--save-params": ".npz", "--save-labels": ".csv"}
INPUTS = {"--load_path": ".csv", "--init-params": ".json"}
ALIASES = ["same", "dot", "symlink", "hardlink", "case"]


def _alias(folder, name, how):
    """Another name of ``folder/name`` made ``how``; None when the file system cannot."""
    if how == "same":
        return name
    if how == "dot":
        return os.path.join(".", name)
    stem, ext = os.path.splitext(name)
    if how == "case":
        return name.upper() if _case_insensitive(folder) else None
    other = f"{stem}-{how}{ext}"
    (os.symlink if how == "symlink" else os.link)(name, os.path.join(folder, other))
    return other


def _write_inputs(folder):
    rng = np.random.default_rng(0)
    np.savetxt(os.path.join(folder, "in.csv"), rng.normal(size=(30, 2)), delimiter=",")
    gmm.save_params(os.path.join(folder, "in.json"), [0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]],
                    [np.eye(2), np.eye(2)], covariance_type="full",
                    log_likelihood_history=[-3.0])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(output=st.sampled_from(sorted(OUTPUTS)), target=st.sampled_from(sorted(INPUTS) + ["out"]),
       how=st.sampled_from(ALIASES))
@example(output="--save-labels", target="--load_path", how="same")
@example(output="--save-labels", target="out", how="hardlink")
def test_an_output_never_replaces_an_input_or_another_output(output, target, how):
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        _refuse_alias(folder, output, target, how)


def _refuse_alias(folder, output, target, how):
    _write_inputs(folder)
    argv = BASE + ["--load_path", "in.csv"]
    if target == "out":         # another output of the same run, existing from before
        other = "--save" if output != "--save" else "--save-labels"
        first = "before" + OUTPUTS[other]
        with open(first, "wb") as fh:
            fh.write(b"an earlier output")
        name = _alias(folder, first, how)
        if name is None:
            return
        stem = os.path.splitext(name)[0]
        # the second output keeps its own extension through a link of that name
        linked = stem + "-as" + OUTPUTS[output]
        os.symlink(first, linked) if how != "hardlink" else os.link(first, linked)
        argv += [other, name, output, linked]
    else:
        given_name = "in" + INPUTS[target]
        if target == "--init-params":
            argv += ["--init-params", given_name]
        name = _alias(folder, given_name, how)
        if name is None:
            return
        if os.path.splitext(name)[1].lower() != OUTPUTS[output] and not (
                output == "--save-params" and name.lower().endswith(".json")):
            # the alias must carry the output's extension: a link named so
            linked = os.path.splitext(name)[0] + "-as" + OUTPUTS[output]
            if how == "hardlink":
                os.link(given_name, linked)
            else:
                os.symlink(given_name, linked)
            name = linked
        argv += [output, name]
        if output != "--save":
            argv += ["--save", "run.png"]
    before = _folder_bytes(folder)
    status, _, err = _run(argv)
    _assert_one_error(argv, status, err, output if target != "out" else "same file")
    assert _folder_bytes(folder) == before


# --------------------------------------------------------------------------- 2. --title

MATH_BITS = ["$", "$x$", "$\\frac{$", "$\\alpha_i^2$", "\\$", "{", "}", "$\\foo$", "$a$ b $c",
             "$\\sqrt{2}$", "\n", "\t", "\x00", "\x1b[31m", "\u200b", "\U0001f600", "\u6f22",
             "\ud800", "W" * 3000]
titles = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(MATH_BITS), st.text(max_size=5)), max_size=8).map("".join),
    st.integers(1, 800).map(lambda n: ("gaussian $x$ mixture " * n)[:n]))


def _assert_title_run(argv, status, err):
    lines = err.splitlines()
    assert "Traceback" not in err and ".py:" not in err, (argv[-3:], err)
    if status == 2:
        assert len(lines) == 1 and lines[0].startswith("error: argument --title: "), err
    else:
        assert status == 0 and all(line.startswith("warning: ") for line in lines), err


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=titles)
@example(title="$x_1$ " * 300)
@example(title="cost $5 and $\\alpha$ and $7")
def test_any_checked_title_fits_and_draws_without_warnings(title):
    """Library level (fast): check_title refuses, or fit_text fits the title into the
    figure's width and it draws with no warning but missing-glyph ones."""
    import warnings
    import matplotlib.pyplot as plt
    import gmm_plot

    try:
        gmm_plot.check_title(title)
    except ValueError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 300
        return
    fig = plt.figure(figsize=(4, 3), dpi=100)
    try:
        text = fig.text(0.5, 0.98, title, ha="center", va="top", fontsize=13)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            width = gmm_plot.fit_text(text, 384)
            fig.canvas.draw()
        lines = gmm_cli.warning_lines(caught)
        assert all(line.startswith("warning: the font") for line in lines), lines
        assert len(lines) <= 1
        shown = text.get_text()
        if shown != title:
            assert width <= 384 + 1 and shown.endswith("\u2026")
            assert title.startswith(shown[:-1].rstrip())
    finally:
        plt.close(fig)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=titles)
@example(title="$\\frac{$")
@example(title="a\x01b")
@example(title="W" * 10_000)
@example(title="\u6f22\u5b57 and \U0001f600")
def test_any_title_draws_or_is_one_error_line(title):
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "t.png")
        argv = ["-N", "30", "-k", "2", "-i", "0", "--seed", "0", "-q", "-s", out, "--title", title]
        status, _, err = _run(argv)
        _assert_title_run(argv, status, err)
        assert os.path.exists(out) == (status == 0)


def test_a_cut_mathtext_title_still_parses():
    """The cut falls between $...$ segments, and the drawn text is a prefix of the title."""
    import matplotlib.pyplot as plt
    import gmm_plot

    fig = plt.figure(figsize=(3, 1), dpi=100)
    title = "$\\alpha_1$ and $\\beta_2$ " * 40
    text = fig.text(0.5, 0.5, title, fontsize=13)
    width = gmm_plot.fit_text(text, 280)
    shown = text.get_text()
    assert width <= 280 and shown.endswith("\u2026")
    assert title.startswith(shown[:-1].rstrip()) and gmm_plot.is_math_text(shown)
    gmm_plot.check_title(shown)
    plt.close(fig)


# --------------------------------------------------------------------------- 3. parameter files

magnitudes = st.sampled_from([1e-300, 1e-150, 1e-30, 1e-8, 1.0, 1e8, 1e30, 1e150, 1e300])
signs = st.sampled_from([-1.0, 1.0])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scales=st.lists(magnitudes, min_size=2, max_size=2),
       means=st.lists(st.tuples(signs, magnitudes), min_size=4, max_size=4),
       rho=st.sampled_from([0.0, 0.5, 0.999999]), w=st.sampled_from([0.5, 1e-300, 1e-9]))
@example(scales=[1e30, 1e30], means=[(1.0, 1e-300)] * 4, rho=0.0, w=0.5)
@example(scales=[1e30, 1e30], means=[(1.0, 1e15), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0)],
         rho=0.5, w=0.5)
def test_extreme_parameter_files_draw_or_are_refused(scales, means, rho, w):
    off = rho * np.sqrt(scales[0]) * np.sqrt(scales[1])
    cov = np.array([[scales[0], off], [off, scales[1]]])      # scales: the variances
    mu = np.array([s * m for s, m in means]).reshape(2, 2)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "p.json")
        if not np.all(np.isfinite(cov)):
            return
        gmm.save_params(path, [w, 1.0 - w], mu, [cov, np.eye(2)], covariance_type="full",
                        log_likelihood_history=[-3.0])
        out = os.path.join(folder, "o.gif")
        argv = ["-N", "30", "-i", "1", "--seed", "0", "-q", "-s", out, "--init-params", path]
        status, _, err = _run(argv)
        assert "Traceback" not in err and ".py:" not in err, err
        if status == 2:
            _assert_one_error(argv, status, err)
        else:
            assert status == 0 and os.path.getsize(out) > 0, err


# --------------------------------------------------------------------------- 4. one column

def _one_column_inputs(folder, x, shards):
    """Every way to hand the command line and the library the values ``x`` (n,):
    name -> (path, mmap)."""
    import data_gen

    paths = {}
    for kind in ("csv", "txt", "tsv"):
        paths[kind] = (os.path.join(folder, f"x.{kind}"), False)
        data_gen.write_points(paths[kind][0], x)
    for kind, arr in (("npy1", x), ("npy2", x[:, None])):
        paths[kind] = (os.path.join(folder, f"{kind}.npy"), False)
        np.save(paths[kind][0], arr)
        paths["mmap" + kind[-1]] = (paths[kind][0], True)
    for shape in ("flat", "column"):
        directory = os.path.join(folder, f"shards-{shape}")
        os.mkdir(directory)
        for i, part in enumerate(np.array_split(x, shards)):
            np.save(os.path.join(directory, f"part{i:03d}.npy"),
                    part if shape == "flat" else part[:, None])
        paths["shards-" + shape] = (directory, False)
    return paths


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.lists(st.floats(-1e6, 1e6, allow_subnormal=False), min_size=4, max_size=60),
       shards=st.integers(1, 4))
def test_one_column_data_is_the_same_1d_data_on_every_path(x, shards):
    pytest.importorskip("dask")
    x = np.asarray(x)
    with tempfile.TemporaryDirectory() as folder:
        for kind, (path, mmap) in _one_column_inputs(folder, x, min(shards, len(x))).items():
            X = np.asarray(gmm_load.load_table(path, mmap=mmap).X)
            assert X.shape == (len(x), 1), kind
            np.testing.assert_array_equal(X[:, 0], x, err_msg=kind)
            if mmap:
                assert isinstance(gmm_load.load_points(path, mmap=True), np.memmap)


def test_one_column_data_fits_the_same_on_every_command_line_path(monkeypatch):
    """The same log-likelihoods from a text file, a 1-D and an (n, 1) .npy, both as
    memory maps, two shard directories and the library (GaussianMixture)."""
    pytest.importorskip("dask")
    x = np.concatenate([np.random.default_rng(1).normal(-2, 0.5, 40),
                        np.random.default_rng(2).normal(3, 1.0, 60)])
    printed = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind, (path, mmap) in _one_column_inputs(folder, x, 3).items():
            monkeypatch.setattr(gmm_load, "MMAP_BYTES", 0 if mmap else gmm_load.MMAP_BYTES)
            out = os.path.join(folder, f"{kind}.png")
            argv = ["--load_path", path, "-k", "2", "-i", "3", "--tol", "0", "--seed", "0",
                    "--print_ll", "-q", "-s", out]
            status, stdout, err = _run(argv)
            assert status == 0 and err == "", (kind, err)
            printed[kind] = stdout
    assert len(set(printed.values())) == 1, printed
    first, last = printed["csv"].splitlines()[0], printed["csv"].splitlines()[-1]
    assert first.startswith("iteration   0") and last.startswith("iteration   3")


# --------------------------------------------------------------------------- 5. output as asked

def test_even_pixels_rounds_to_nearest_then_down_to_even():
    from gmm_writers import even_pixels

    assert [even_pixels(v) for v in (301, 301.4, 302.6, 303.5, 1080.0000000000002,
                                     304.99999999999994, 1.2, 0.0)] == \
        [300, 300, 302, 304, 1080, 304, 2, 2]
    assert even_pixels(10.8 * 100) == 1080 and even_pixels(3.05 * 100) == 304


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(w=st.integers(250, 1200).map(lambda v: v / 100), h=st.integers(250, 1200).map(
    lambda v: v / 100), dpi=st.sampled_from([None, 50, 72, 99, 101, 150]))
@example(w=19.2, h=10.8, dpi=None)
@example(w=3.01, h=3.01, dpi=None)
def test_size_and_dpi_give_exactly_the_rounded_pixels(w, h, dpi):
    import visualize_gmm
    from PIL import Image
    from gmm_writers import even_pixels

    d = 100 if dpi is None else dpi
    if not 240 <= min(w, h) * d or max(w, h) * d > 8192:
        return
    X = np.random.default_rng(0).normal(size=(20, 2))
    anim = visualize_gmm.animate(X, 2, max_iter=0, size=(w, h), dpi=dpi)
    want = (even_pixels(w * d), even_pixels(h * d))
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "o.png")
        anim.save(out)
        with Image.open(out) as im:
            assert im.size == want == tuple(anim.animator.size)


@pytest.mark.parametrize("args, want", [(["--size", "19.2", "10.8"], (1920, 1080)),
                                        (["--size", "3.01", "3.01"], (300, 300)),
                                        (["--dpi", "101"], None)])
def test_mp4_is_written_at_exactly_the_figure_size_without_warnings(args, want):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "o.mp4")
        png = os.path.join(folder, "o.png")
        base = ["-N", "30", "-k", "2", "-i", "1", "--seed", "0"] + args
        status, _, err = _run(base + ["-s", out])
        assert status == 0 and "IMAGEIO" not in err and "WARNING" not in err, err
        assert _run(base + ["-q", "-s", png])[0] == 0
        from PIL import Image
        with Image.open(png) as im:
            size = im.size
        assert want is None or size == want
        reader = imageio_ffmpeg.read_frames(out)
        meta = next(reader)
        assert tuple(meta["size"]) == size
        reader.close()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_print_ll_into_a_full_device_fails_like_cat_and_keeps_no_file():
    import subprocess
    from child_env import python_path

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "o.gif")
        argv = [sys.executable, os.path.join(root, "visualize_gmm.py"), "-N", "30", "-k", "2",
                "-i", "2", "--seed", "0", "--print_ll", "-s", out]
        env = dict(os.environ, PYTHONPATH=python_path(), MPLBACKEND="Agg")
        with open("/dev/full", "w") as full:
            done = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True,
                                  env=env, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            "error: cannot write to stdout (No space left on device); the printed lines "
            "are lost"]
        assert os.listdir(folder) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_into_a_full_device_fails_like_cat(flag):
    import subprocess
    from child_env import python_path

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, os.path.join(root, "visualize_gmm.py"), flag],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                              env=dict(os.environ, PYTHONPATH=python_path()))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: cannot write to stdout (No space left on device); the printed lines are lost"]


@pytest.mark.parametrize("title, words", [("$\\frac{$", "not valid mathtext"),
                                          ("a\nb", "line break"), ("bell\x07", "control")])
def test_animate_checks_a_title_as_the_command_line_does(title, words, tmp_path, capsys):
    """animate(title=...) refuses what --title refuses, with the same message, at the
    call (not when the first frame is drawn)."""
    with pytest.raises(ValueError, match=words) as raised:
        animate(np.zeros((10, 2)) + np.arange(10)[:, None], 2, title=title)
    assert main(["-N", "50", "-k", "2", "--title", title,
                               "-s", str(tmp_path / "o.png")]) == 2
    err = capsys.readouterr().err
    assert str(raised.value) in err and err.count("\n") == 1


# --------------------------------------------------------------------------- 5. missing cells

def _frame_csv(path, index, columns):
    """Write a CSV as R's write.csv does: quoted row names, NA cells as given."""
    quote = (lambda c: '"' + c + '"')
    lines = ['"",' + ",".join(quote(c) for c in columns)]
    lines += [",".join([quote(i)] + list(row)) for i, row in zip(index, zip(*columns.values()))]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def test_drop_missing_fits_the_cleaned_file_and_labels_keep_every_row(tmp_path):
    """A table with car names (one with a comma) as its index and NA cells: the
    --drop-missing fit equals the fit of the file pandas cleaned; the labels
    file's index is the input's, empty exactly on the rows pandas finds NA in
    the chosen columns (not those of another column), and the others match."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    n = 60
    x = np.r_[rng.normal(0, 1, n // 2), rng.normal(6, 1, n // 2)]
    y = np.r_[rng.normal(0, 1, n // 2), rng.normal(4, 1, n // 2)]
    cells = {"x": [repr(float(v)) for v in x], "y": [repr(float(v)) for v in y],
             "other": ["NA"] * n}
    for i in (3, 10, 41):
        cells["x"][i] = "NA"
    cells["y"][17] = ""
    index = [f"car {i}, mk {i % 4}" if i % 5 == 0 else f"car {i}" for i in range(n)]
    path = tmp_path / "cars.csv"
    _frame_csv(path, index, cells)
    frame = pd.read_csv(path, index_col=0)
    missing = frame[["x", "y"]].isna().any(axis=1).to_numpy()
    clean = tmp_path / "clean.csv"
    frame[["x", "y"]].dropna().to_csv(clean)
    fit = ["-k", "2", "-i", "5", "--seed", "3", "-q", "-s", str(tmp_path / "o.png")]
    status, _, err = _run(["--load_path", str(path), "--columns", "x,y"] + fit)
    assert status == 2 and "4 rows of 60 have an empty or NA cell" in err and \
        "--drop-missing" in err, err
    status, _, err = _run(["--load_path", str(path), "--columns", "0,1", "--drop-missing",
                           "--save-labels", str(tmp_path / "l.csv"),
                           "--save-params", str(tmp_path / "p.json")] + fit)
    assert status == 0, err
    assert _run(["--load_path", str(clean), "--save-labels", str(tmp_path / "lc.csv"),
                 "--save-params", str(tmp_path / "pc.json")] + fit)[0] == 0
    got, want = (json.loads((tmp_path / f).read_text()) for f in ("p.json", "pc.json"))
    for key in ("weights", "means", "covariances"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-12)
    labels = pd.read_csv(tmp_path / "l.csv", index_col=0)
    assert labels.index.equals(frame.index) and list(labels.index[:1]) == ["car 0, mk 0"]
    np.testing.assert_array_equal(labels.isna().all(axis=1).to_numpy(), missing)
    assert not labels[~missing].isna().any().any()
    cleaned = pd.read_csv(tmp_path / "lc.csv", index_col=0)
    np.testing.assert_array_equal(labels[~missing].to_numpy(), cleaned.to_numpy())


INDEX_KINDS = {"text": lambda i: f"n{i}", "date": lambda i: f"1973-05-{i + 1:02d}",
               "whole": lambda i: str(i * 3 + 1), "na": lambda i: "NA" if i == 0 else f"n{i}"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(INDEX_KINDS)),
       rows=st.lists(st.tuples(st.sampled_from(["1.5", "-3", "2.25", "NA", "", "null"]),
                               st.sampled_from(["4", "NA", "0.5", "nan", "-1"])),
                     min_size=1, max_size=8),
       all_na=st.booleans(), k=st.integers(1, 2))
@example(kind="na", rows=[("1.5", "4"), ("NA", "NA")], all_na=False, k=1)       # one row left
@example(kind="text", rows=[("NA", "4"), ("", "0.5")], all_na=False, k=1)       # none left
@example(kind="whole", rows=[("1.5", "4"), ("2.25", "0.5")], all_na=True, k=2)  # an NA column
def test_drop_missing_on_hostile_tables_writes_every_row_or_one_error(kind, rows, all_na, k):
    """Any table: exit 0 with a labels file whose index is pandas' and whose
    empty rows are pandas' NA rows, or exit 2 with one error line and no file."""
    pd = pytest.importorskip("pandas")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "t.csv")
        columns = {"a": [r[0] for r in rows], "b": [r[1] for r in rows]}
        if all_na:
            columns["b"] = ["NA"] * len(rows)
        _frame_csv(path, [INDEX_KINDS[kind](i) for i in range(len(rows))], columns)
        labels = os.path.join(folder, "l.csv")
        argv = ["--load_path", path, "--drop-missing", "-k", str(k), "-i", "2", "--seed", "0",
                "-q", "-s", os.path.join(folder, "o.png"), "--save-labels", labels]
        status, _, err = _run(argv)
        frame = pd.read_csv(path, index_col=0)
        missing = frame.isna().any(axis=1).to_numpy()
        if status == 2:
            _assert_one_error(argv, status, err)
            assert os.listdir(folder) == ["t.csv"], os.listdir(folder)
            assert missing.all() or k > (~missing).sum() or "spread" in err, err
            return
        assert status == 0, err
        got = pd.read_csv(labels, index_col=0)
        assert got.index.equals(frame.index)
        np.testing.assert_array_equal(got["label"].isna().to_numpy(), missing)


def test_drop_missing_needs_a_file_and_animate_drops_like_dropna():
    pd = pytest.importorskip("pandas")
    status, _, err = _run(["--drop-missing", "-N", "20", "-k", "2", "-q"])
    _assert_one_error([], status, err, "--drop-missing leaves out rows of a data file")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(40, 2)), columns=["u", "v"])
    frame.iloc[[2, 9], 0] = np.nan
    frame.iloc[30, 1] = None
    kw = dict(max_iter=3, random_state=0, restart_check=False)
    dropped = animate(frame, 2, drop_missing=True, **kw)
    clean = animate(frame.dropna(), 2, **kw)
    assert len(dropped.labels) == 37
    np.testing.assert_array_equal(dropped.labels, clean.labels)
    np.testing.assert_allclose(dropped.model.means_, clean.model.means_, rtol=1e-12)
    with pytest.raises(ValueError, match="NaN"):
        animate(frame, 2, **kw).labels


def test_save_labels_of_a_memory_map_are_written_block_by_block(tmp_path, monkeypatch):
    """A memory-mapped .npy (no index: row order) gets the labels of the same file
    read into memory, over several blocks of rows."""
    import gmm_fit
    rng = np.random.default_rng(2)
    X = np.r_[rng.normal(0, 1, (150, 2)), rng.normal(5, 1, (150, 2))]
    np.save(tmp_path / "x.npy", X)
    monkeypatch.setattr(gmm_fit, "LABEL_CHUNK", 64)            # five blocks
    texts = []
    for mmap in (True, False):
        monkeypatch.setattr(gmm_load, "MMAP_BYTES", 0 if mmap else gmm_load.MMAP_BYTES)
        out = tmp_path / f"l{mmap}.csv"
        assert _run(["--load_path", str(tmp_path / "x.npy"), "--save-labels", str(out),
                     "-s", str(tmp_path / "o.png")] + BASE)[0] == 0
        texts.append(out.read_text().splitlines())
    assert texts[0][0] == "label,responsibility_0,responsibility_1" and len(texts[0]) == 301
    rows = [np.array([line.split(",") for line in t[1:]], dtype=float) for t in texts]
    np.testing.assert_allclose(rows[0], rows[1], rtol=1e-9, atol=1e-12)
