"""gmm: the library's public face.
"""
import os
import re
import subprocess
import sys

import pytest

import gmm


@pytest.mark.parametrize("module", ["gmm", "gmm_core", "gmm_em", "gmm_kmeans", "gmm_mixture",
                                    "gmm_params", "gmm_select"])
def test_library_modules_import_without_matplotlib_or_sklearn(module):
    """The model draws nothing and needs no scikit-learn: importing any part
    of it loads neither (a server or a notebook without a display can use it)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import sys, {module}; bad = {{'matplotlib', 'sklearn'}} & set(sys.modules);"
            " assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_module_docstring_lists_the_public_api():
    """Every name in gmm.__all__ is described under "Public API"."""
    section = gmm.__doc__.split("Public API")[1]
    listed = set(re.findall(r"^([A-Za-z_][\w, ]*)$", section, flags=re.MULTILINE))
    names = {name.strip() for line in listed for name in line.split(",")}
    assert set(gmm.__all__) <= names, set(gmm.__all__) - names
