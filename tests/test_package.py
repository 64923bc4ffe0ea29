"""The package builds as a wheel holding the modules and the two commands."""
import configparser
import fnmatch
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

import pyproject_info

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: every module of the checkout (the flat layout: all .py files at the top), so a
#: new module that pyproject.toml forgets fails here instead of after `pip install`
MODULES = {name for name in os.listdir(ROOT) if name.endswith(".py")}


#: the checkout's top-level files a build may read (sources and metadata); not
#: build/, *.egg-info or any other directory
SOURCE_PATTERNS = ("*.py", "*.toml", "*.md", "*.txt", "*.cfg", "LICENSE*", "MANIFEST.in")


def _source_copy(dest):
    """Copy the checkout's top-level source files into ``dest`` (a fresh directory)."""
    for name in os.listdir(ROOT):
        path = os.path.join(ROOT, name)
        if os.path.isfile(path) and any(fnmatch.fnmatch(name, p) for p in SOURCE_PATTERNS):
            shutil.copy2(path, os.path.join(dest, name))
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # build from a temp copy: pip writes build/ and *.egg-info next to the
    # sources, and a stale build/lib in the checkout could hide a missing module
    tree = _source_copy(tmp_path_factory.mktemp("tree"))
    assert not any(n == "build" or n.endswith(".egg-info") for n in os.listdir(tree))
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: build with the installed setuptools; --no-index: never
    # download (the tests run offline)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-w", str(out), str(tree)],
        capture_output=True, text=True, cwd=str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert len(wheels) == 1, wheels
    return os.path.join(out, wheels[0])


def _version_from_pyproject():
    return pyproject_info.version()


def test_wheel_holds_the_modules(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    top_level = {n for n in names if "/" not in n}
    assert MODULES <= top_level
    assert not any(n.startswith("tests/") for n in names)


def test_wheel_declares_both_commands(wheel):
    zf = zipfile.ZipFile(wheel)
    ep_name = next(n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt"))
    cfg = configparser.ConfigParser()
    cfg.read_string(zf.read(ep_name).decode())
    scripts = dict(cfg["console_scripts"])
    assert scripts == {"visualize-gmm": "visualize_gmm:main", "gmm-data": "data_gen:main"}


def test_wheel_metadata_version_and_dependencies(wheel):
    zf = zipfile.ZipFile(wheel)
    meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
    meta = zf.read(meta_name).decode()
    assert f"Version: {_version_from_pyproject()}" in meta.splitlines()
    requires = {line.split(":", 1)[1].strip().split(">")[0].split(";")[0].strip().lower()
                for line in meta.splitlines() if line.startswith("Requires-Dist:")
                and "extra ==" not in line}
    assert requires == {"numpy", "scipy", "matplotlib", "pillow", "tqdm", "threadpoolctl",
                        "imageio-ffmpeg"}


def test_library_version_is_pyprojects():
    import gmm
    assert gmm.__version__ == _version_from_pyproject()


def test_pyproject_is_read_without_tomllib(monkeypatch):
    # Python < 3.11 has no tomllib: the text fallback gives the same answers
    with_tomllib = (pyproject_info.version(), pyproject_info.py_modules())
    monkeypatch.setitem(sys.modules, "tomllib", None)      # import tomllib -> ImportError
    assert (pyproject_info.version(), pyproject_info.py_modules()) == with_tomllib
    assert MODULES <= {m + ".py" for m in with_tomllib[1]}
