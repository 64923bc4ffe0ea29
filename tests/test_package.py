"""The package builds as a wheel holding the modules and the two commands."""
import configparser
import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = {"gmm.py", "gmm_plot.py", "gmm_writers.py", "visualize_gmm.py", "data_gen.py"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: build with the installed setuptools, no download needed
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(out), ROOT],
        capture_output=True, text=True, cwd=str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert len(wheels) == 1, wheels
    return os.path.join(out, wheels[0])


def _version_from_pyproject():
    import tomllib
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


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
    assert requires == {"numpy", "scipy", "matplotlib", "pillow", "tqdm", "imageio-ffmpeg"}


def test_library_version_is_pyprojects():
    import gmm
    assert gmm.__version__ == _version_from_pyproject()
