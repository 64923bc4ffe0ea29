"""Notebook and package: examples/tour.ipynb in a real kernel, animate()'s display
and .save, --version, and the installed commands.

The notebook runs in a real ipykernel (a kernel spec for this very interpreter is
written into a temp dir, so only ``pip install -r requirements-dev.txt`` is
needed), with the kernel's default inline matplotlib backend as in Jupyter.
"""
import base64
import html
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import data_gen
import gmm
import gmm_plot
import gmm_scene2d
import pyproject_info
from readme_commands import INSTALLED_COMMANDS
from visualize_gmm import animate, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
TOUR = os.path.join(EXAMPLES, "tour.ipynb")
LL_LINE = re.compile(r"^iteration (?P<i>[ \d]{3,})  log-likelihood (?P<ll>-?\d+\.\d{6})$")
FRAME = re.compile(r'F\.push\("data:image/png;base64,([A-Za-z0-9+/=]*)"\);')


def _ll_lines(states):
    return [f"iteration {s.iteration:>3}  log-likelihood {s.log_likelihood:.6f}"
            for s in states]


def _player(repr_html):
    """(page, frames as decoded RGB arrays, delays) of an Animator's text/html."""
    from PIL import Image

    m = re.fullmatch(r'<iframe srcdoc="([^"]*)" width="\d+" height="\d+" [^>]*></iframe>',
                     repr_html, flags=re.S)
    assert m, repr_html[:200]
    page = html.unescape(m.group(1))
    frames = [np.asarray(Image.open(io.BytesIO(base64.b64decode(b))).convert("RGB"))
              for b in FRAME.findall(page)]
    delays = [int(d) for d in re.search(r"var D = \[([\d,]*)\];", page).group(1).split(",") if d]
    return page, frames, delays


# --------------------------------------------------------------------------- #
# The committed notebook
# --------------------------------------------------------------------------- #

def _animation_cells(nb):
    return [c for c in nb.cells if "animation" in c.get("metadata", {}).get("tags", [])]


def test_committed_notebook_is_valid_and_has_no_outputs():
    import nbformat

    nb = nbformat.read(TOUR, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"
    # the tour's parts: sampled data, circles.npy, a change of k, a teaching view
    anims = _animation_cells(nb)
    assert len(anims) >= 4
    assert all(c.source.lstrip().startswith("animate(") for c in anims)
    assert any("circles.npy" in c.source for c in code)
    assert os.path.exists(os.path.join(EXAMPLES, "circles.npy"))
    assert len({re.search(r"n_components=(\d+)", c.source).group(1) for c in anims}) >= 3
    assert os.path.getsize(TOUR) < 20_000


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """examples/tour.ipynb executed top to bottom in a fresh ipykernel (cwd examples/)."""
    import nbformat
    from ipykernel.kernelspec import write_kernel_spec
    from nbclient import NotebookClient

    kernels = tmp_path_factory.mktemp("jupyter") / "kernels"
    name = f"gmm-tour-{os.getpid()}"
    write_kernel_spec(path=str(kernels / name),
                      overrides={"display_name": "gmm-visualizer tests"})
    nb = nbformat.read(TOUR, as_version=4)
    # the kernel's connection files and IPython profile go to temp dirs too, so
    # the run neither reads nor writes the user's ~/.local/share/jupyter or ~/.ipython
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    ipython_dir = tmp_path_factory.mktemp("ipython")
    redirect = {"JUPYTER_PATH": os.pathsep.join(
                    [str(kernels.parent)] + ([os.environ["JUPYTER_PATH"]]
                                             if os.environ.get("JUPYTER_PATH") else [])),
                "JUPYTER_RUNTIME_DIR": str(runtime), "IPYTHONDIR": str(ipython_dir)}
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # Jupyter's own backend
    env.update(redirect)
    saved = {k: os.environ.get(k) for k in redirect}
    os.environ.update(redirect)
    try:
        client = NotebookClient(nb, timeout=120, kernel_name=name, allow_errors=True,
                                resources={"metadata": {"path": EXAMPLES}})
        client.execute(env=env)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert (ipython_dir / "profile_default").is_dir()     # the kernel used the temp IPYTHONDIR
    return nb


def test_notebook_runs_top_to_bottom_without_errors(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(code)
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    stderr = [o.text for c in code for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr"]
    assert stderr == []


def test_animation_cells_display_the_html_player_and_no_static_figure(executed):
    for cell in _animation_cells(executed):
        shown = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
        assert len(shown) == 1, cell.source
        data = shown[0]["data"]
        assert set(data) == {"text/html", "text/plain"}
        page, frames, delays = _player(data["text/html"])
        assert page.startswith("<!DOCTYPE html>") and "<script>" in page
        width, height = map(int, re.search(r"#frame \{ width: (\d+)px; height: (\d+)px",
                                           page).groups())
        assert len(frames) >= 2 and len(delays) == len(frames)
        assert all(f.shape == (height, width, 3) for f in frames)
        assert not np.array_equal(frames[0], frames[-1])     # EM moved something
    mimes = {m for c in executed.cells if c.cell_type == "code"
             for o in c.outputs for m in o.get("data", {})}
    assert "image/png" not in mimes


def test_notebook_players_equal_the_same_calls_in_process(executed, capsys):
    # every animation cell, evaluated here, gives the very same player; the
    # print_ll cell printed the log-likelihood of every state that was drawn
    namespace = {"animate": animate, "data_gen": data_gen,
                 "X": data_gen.load_points(os.path.join(EXAMPLES, "circles.npy"))}
    import matplotlib

    printed_cells = 0
    for cell in _animation_cells(executed):
        shown = next(o for o in cell.outputs if o.output_type == "execute_result")
        with matplotlib.rc_context():
            matplotlib.rc_file_defaults()          # the kernel's settings, whatever ran before
            anim = eval(cell.source, namespace)
            here = anim._repr_html_()
        assert shown["data"]["text/html"] == here, f"the player of {cell.source!r} differs"
        assert len(FRAME.findall(anim.to_html())) == len(anim.history)
        out = "".join(o.text for o in cell.outputs if o.output_type == "stream")
        if "print_ll=True" in cell.source:
            printed_cells += 1
            assert out.splitlines() == _ll_lines(anim.history)
            assert capsys.readouterr().out.splitlines() == _ll_lines(anim.history)
        else:
            assert out == ""
    assert printed_cells == 1


# --------------------------------------------------------------------------- #
# animate(): the CLI's names, the display, .save
# --------------------------------------------------------------------------- #

@pytest.fixture(scope="module")
def X():
    return data_gen.circles(150, random_state=1)


def test_keywords_mirror_the_cli_flags(X):
    assert animate(X, 2, max_iter=3, tol=0).run() == 4
    assert animate(X, 2, tol=0).run() == 201                # -i default 200
    a, b = animate(X, 3, max_iter=4, random_state=7), animate(X, 3, max_iter=4, random_state=7)
    a.run(), b.run()
    assert len(a.history) == len(b.history)
    for s, t in zip(a.history, b.history):
        np.testing.assert_array_equal(s.means, t.means)

    def kinds(anim):
        return {type(v) for v in anim.views}

    full = kinds(animate(n_components=2, n_true=2, n_points=50, random_state=0))
    assert {gmm_scene2d.EllipsesView, gmm_plot.MeansView, gmm_scene2d.TrueEllipsesView} <= full
    for flag, view in [("show_covariances", gmm_scene2d.EllipsesView),
                       ("show_means", gmm_plot.MeansView), ("show_true", gmm_scene2d.TrueEllipsesView)]:
        assert kinds(animate(n_components=2, n_true=2, n_points=50, random_state=0,
                             **{flag: False})) == full - {view}
    with pytest.raises(TypeError, match="unexpected keyword argument 'iters'"):
        animate(X, 2, iters=3)


def test_old_keywords_are_aliases_that_warn(X):
    """iterations, seed and hide_* still work as before, with a FutureWarning naming the new name."""
    with pytest.warns(FutureWarning, match="use max_iter="):
        assert animate(X, 2, iterations=3, tol=0).run() == 4
    with pytest.warns(FutureWarning, match="use random_state="):
        old = animate(X, 3, max_iter=4, seed=7)
    new = animate(X, 3, max_iter=4, random_state=7)
    old.run(), new.run()
    for s, t in zip(old.history, new.history, strict=True):
        np.testing.assert_array_equal(s.means, t.means)
    for flag, view in [("hide_covs", gmm_scene2d.EllipsesView), ("hide_means", gmm_plot.MeansView),
                       ("hide_real", gmm_scene2d.TrueEllipsesView)]:
        with pytest.warns(FutureWarning, match=flag):
            anim = animate(n_components=2, n_true=2, n_points=50, random_state=0, **{flag: True})
        assert view not in {type(v) for v in anim.views}
    with pytest.raises(TypeError, match="iterations"):
        animate(X, 2, iterations=3, max_iter=3)
    with pytest.raises(TypeError, match="seed"):
        animate(X, 2, seed=1, random_state=1)


def test_print_ll_prints_what_the_cli_prints(tmp_path, capsys):
    anim = animate(n_components=3, n_true=3, n_points=200, max_iter=4, random_state=2,
                   print_ll=True)
    anim.run()
    library = capsys.readouterr().out
    assert main(["-k", "3", "-m", "3", "-N", "200", "-i", "4", "--seed", "2", "--print_ll",
                 "-q", "--save", str(tmp_path / "x.png")]) == 0
    assert library == capsys.readouterr().out
    assert library.splitlines() == _ll_lines(anim.history)


def test_repr_html_is_the_saved_html_player_in_an_iframe(X, tmp_path):
    anim = animate(X, 3, max_iter=3, tol=0, random_state=0)
    assert anim.save(str(tmp_path / "a.html")) == 4
    with open(tmp_path / "a.html", encoding="utf-8") as fh:
        saved = fh.read()
    assert anim.to_html() == saved
    page, frames, delays = _player(anim._repr_html_())
    assert page == saved
    assert len(frames) == 4 and len(delays) == 4
    # each frame is the render of its state (through the GIF/HTML palette)
    from gmm_writers import PaletteQuantizer
    q = PaletteQuantizer(anim.colors)
    for i, frame in enumerate(frames):
        np.testing.assert_array_equal(frame, q.palette[q(anim.render(i))])


def test_display_registers_no_pyplot_figure(X):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    anim = animate(X, 2, max_iter=2, random_state=0)
    anim._repr_html_()
    assert plt.get_fignums() == before
    assert "Animator" in repr(anim)


def test_save_writes_what_the_cli_writes(tmp_path):
    args = ["-k", "3", "-m", "3", "-N", "200", "-i", "3", "--seed", "4", "-q"]
    for ext in (".gif", ".html", ".png"):
        assert main(args + ["--save", str(tmp_path / f"cli{ext}")]) == 0
        anim = animate(n_components=3, n_true=3, n_points=200, max_iter=3, random_state=4)
        anim.save(str(tmp_path / f"lib{ext}"))
        assert (tmp_path / f"lib{ext}").read_bytes() == (tmp_path / f"cli{ext}").read_bytes()


@pytest.mark.parametrize("name", ["out.xyz", "out", "missing/out.gif", "adir"])
def test_save_errors_are_value_errors_with_the_cli_message(tmp_path, capsys, name):
    (tmp_path / "adir").mkdir()
    path = str(tmp_path / name)
    before = sorted(os.listdir(tmp_path))
    anim = animate(n_components=2, n_true=2, n_points=50, max_iter=1, random_state=0)
    with pytest.raises(ValueError) as info:
        anim.save(path)
    assert len(anim.history) == 0                  # checked before any work
    assert main(["-k", "2", "-m", "2", "-N", "50", "-i", "1", "--seed", "0",
                 "--save", path]) == 2
    assert capsys.readouterr().err == f"error: {info.value}\n"
    assert sorted(os.listdir(tmp_path)) == before


def test_save_is_atomic_when_interrupted(X, tmp_path):
    target = tmp_path / "fit.gif"
    target.write_bytes(b"previous")

    def stop_at_two(state):
        if state.iteration == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        animate(X, 2, max_iter=5, tol=0, on_state=stop_at_two).save(str(target))
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["fit.gif"]


# --------------------------------------------------------------------------- #
# --version and the installed commands
# --------------------------------------------------------------------------- #

def test_version_flag_prints_the_pyproject_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"gmm-visualizer {pyproject_info.version()}\n"
    assert gmm.__version__ == pyproject_info.version()


@pytest.fixture(scope="module")
def tree_with_other_version(tmp_path_factory):
    """A copy of the package's files whose pyproject.toml declares version 7.7.7."""
    tree = tmp_path_factory.mktemp("tree")
    modules = pyproject_info.py_modules()
    for name in [m + ".py" for m in modules] + ["README.md"]:
        shutil.copy(os.path.join(ROOT, name), tree / name)
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as fh:
        text = fh.read()
    old = f'version = "{pyproject_info.version()}"'
    assert text.count(old) == 1
    (tree / "pyproject.toml").write_text(text.replace(old, 'version = "7.7.7"'),
                                         encoding="utf-8")
    return tree


def test_python_m_visualize_gmm_version_reads_pyproject(tree_with_other_version):
    proc = subprocess.run([sys.executable, "-m", "visualize_gmm", "--version"],
                          cwd=tree_with_other_version, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "gmm-visualizer 7.7.7\n", "")
    usage = subprocess.run([sys.executable, "visualize_gmm.py", "--help"],
                           cwd=tree_with_other_version, capture_output=True, text=True)
    assert usage.returncode == 0 and usage.stdout.startswith("usage: visualize_gmm.py [-h]")


def _dependency_paths():
    """The directories this interpreter imports from, minus this checkout.

    That is where the wheel's dependencies are, however the interpreter running
    pytest was installed: a venv's site-packages, the system's dist-packages, a
    user site, PYTHONPATH. ``venv --system-site-packages`` is no substitute: it
    sees the *base* interpreter's site-packages, not those of the venv running
    pytest, so matplotlib & co. would be missing inside a venv.
    """
    # only the checkout's own import directories are left out: a venv made inside
    # the checkout (``python3 -m venv .venv``) holds the dependencies
    checkout = {os.path.realpath(ROOT), os.path.realpath(os.path.join(ROOT, "tests"))}
    paths = []
    for entry in sys.path:
        real = os.path.realpath(entry or os.curdir)
        if os.path.isdir(real) and real not in checkout and real not in paths:
            paths.append(real)
    return paths


def _fresh_venv(path):
    """A venv at ``path`` with no pip of its own that imports the dependencies
    from where this interpreter finds them; returns its bin directory.

    A ``.pth`` file in the new venv's site-packages appends those directories
    to its ``sys.path``, after its own site-packages, so what gets installed
    into the venv wins over any copy of the package outside it. Nothing is
    downloaded: pip itself comes from the same directories.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    bindir = path / ("Scripts" if os.name == "nt" else "bin")
    purelib = subprocess.run(
        [str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(purelib, "running_interpreter_paths.pth"), "w",
              encoding="utf-8") as fh:
        fh.write("".join(p + "\n" for p in _dependency_paths()))
    return bindir


def test_dependency_paths_hold_the_dependencies_but_not_the_checkout():
    import imageio_ffmpeg
    import matplotlib
    import PIL
    import scipy
    import tqdm

    paths = _dependency_paths()
    assert all(os.path.isabs(p) for p in paths)
    assert not any(os.path.exists(os.path.join(p, "conftest.py")) or
                   os.path.exists(os.path.join(p, "tests", "conftest.py")) for p in paths)
    for module in (np, scipy, matplotlib, PIL, tqdm, imageio_ffmpeg):
        where = os.path.realpath(module.__file__)
        assert any(where.startswith(p + os.sep) for p in paths), module.__name__


def test_installed_commands_run_from_another_directory(tree_with_other_version, tmp_path):
    # build the wheel, install it into a fresh venv (dependencies from wherever
    # this interpreter has them, see _fresh_venv), and run both commands away
    # from any checkout
    tree = tree_with_other_version
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(tree)],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert "7.7.7" in wheel.name and "pyproject.toml" not in zipfile.ZipFile(wheel).namelist()
    venv = tmp_path / "venv"
    bindir = _fresh_venv(venv)
    python = bindir / "python"
    proc = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index",
                           "--disable-pip-version-check", "-q", str(wheel)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}

    def run(*cmd):
        return subprocess.run([str(c) for c in cmd], cwd=work, env=env,
                              capture_output=True, text=True)

    where = run(python, "-c", "import gmm, visualize_gmm, data_gen; "
                "print(visualize_gmm.__file__, data_gen.__file__, gmm.__file__, sep='\\n')")
    assert where.returncode == 0, where.stderr
    inside = os.path.realpath(venv) + os.sep
    files = where.stdout.splitlines()
    assert len(files) == 3 and all(os.path.realpath(p).startswith(inside) for p in files)

    version = run(bindir / "visualize-gmm", "--version")
    assert (version.returncode, version.stdout) == (0, "gmm-visualizer 7.7.7\n")
    usage = run(bindir / "visualize-gmm", "--help")
    assert usage.returncode == 0 and usage.stdout.startswith("usage: visualize-gmm [-h]")

    data = run(bindir / "gmm-data", "circles", "-N", "300", "--seed", "0", "-o", "c.npy")
    assert data.returncode == 0, data.stderr
    reference = subprocess.run([sys.executable, os.path.join(ROOT, "data_gen.py"), "circles",
                                "-N", "300", "--seed", "0", "-o", str(tmp_path / "ref.npy")],
                               capture_output=True, text=True)
    assert reference.returncode == 0, reference.stderr
    np.testing.assert_array_equal(np.load(work / "c.npy"), np.load(tmp_path / "ref.npy"))

    gif = run(bindir / "visualize-gmm", "-k", "3", "-m", "3", "-i", "3", "--tol", "0",
              "--seed", "0", "--save", "x.gif")
    assert gif.returncode == 0, gif.stderr
    from PIL import Image
    with Image.open(work / "x.gif") as im:
        assert im.n_frames == 4
    checkout = subprocess.run([sys.executable, os.path.join(ROOT, "visualize_gmm.py"), "-k", "3",
                               "-m", "3", "-i", "3", "--tol", "0", "--seed", "0", "--save",
                               str(tmp_path / "ref.gif")], capture_output=True, text=True)
    assert checkout.returncode == 0, checkout.stderr
    assert (work / "x.gif").read_bytes() == (tmp_path / "ref.gif").read_bytes()

    # docs/library.md's commands after `pip install .`, verbatim, found on PATH as in
    # an activated venv, in a directory of their own
    fresh = tmp_path / "readme dir"
    fresh.mkdir()
    on_path = dict(env, PATH=os.pathsep.join([str(bindir), env.get("PATH", os.defpath)]))
    for command in INSTALLED_COMMANDS:
        proc = subprocess.run(shlex.split(command), cwd=fresh, env=on_path,
                              capture_output=True, text=True)
        assert proc.returncode == 0, (command, proc.stderr)
        if command.endswith("--version"):
            assert proc.stdout == "gmm-visualizer 7.7.7\n"
    assert sorted(os.listdir(fresh)) == ["c.npy", "x.gif"]
