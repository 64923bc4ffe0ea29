"""What the tests need from pyproject.toml, on any supported Python.

``tomllib`` is in the standard library from Python 3.11 on; pyproject.toml
declares ``requires-python >= 3.9``, so on older interpreters the two values the
tests use are read as text (the same fallback as ``gmm_core._read_version``).
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYPROJECT = os.path.join(ROOT, "pyproject.toml")


def _text():
    with open(PYPROJECT, encoding="utf-8") as fh:
        return fh.read()


def _toml():
    """The parsed file, or None when tomllib is not available."""
    try:
        import tomllib
    except ImportError:
        return None
    with open(PYPROJECT, "rb") as fh:
        return tomllib.load(fh)


def version():
    """``[project] version`` as a string."""
    config = _toml()
    if config is not None:
        return config["project"]["version"]
    found = re.search(r'^version\s*=\s*"([^"]+)"', _text(), re.M)
    assert found, "pyproject.toml declares no version"
    return found.group(1)


def py_modules():
    """``[tool.setuptools] py-modules`` as a list of module names."""
    config = _toml()
    if config is not None:
        return list(config["tool"]["setuptools"]["py-modules"])
    found = re.search(r"^py-modules\s*=\s*\[([^\]]*)\]", _text(), re.M)
    assert found, "pyproject.toml declares no py-modules"
    return re.findall(r'"([^"]+)"', found.group(1))
