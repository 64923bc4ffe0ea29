"""gmm_params: parameter files (path checks, permissions, files that are not what they say).
"""
import io
import os
import re
import stat

import numpy as np
import pytest

import gmm_params
from gmm_mixture import GaussianMixture
from em_reference import SMALL_X


@pytest.mark.parametrize("umask", [0o022, 0o002])
@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_saved_params_permissions_follow_the_umask(tmp_path, umask, ext):
    """Like any file the user creates: 0o666 minus the umask (mkstemp's 0o600
    must not leak through)."""
    gm = GaussianMixture(2, random_state=0, max_iter=3).fit(SMALL_X)
    path = tmp_path / f"fit{ext}"
    old = os.umask(umask)
    try:
        gm.save(str(path))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# ---------------------------------------------------------------------------
# Public checks used by the CLI (one place for each rule)
# ---------------------------------------------------------------------------
def test_check_params_path(tmp_path):

    gmm_params.check_params_path(str(tmp_path / "fit.npz"))          # fine: nothing raised,
    gmm_params.check_params_path(tmp_path / "fit.JSON")              # nothing created
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "d.npz").mkdir()
    cases = {
        str(tmp_path / "fit.txt"): "unsupported extension .txt; use .npz or .json",
        str(tmp_path / "fit"): "unsupported extension (none)",
        str(tmp_path / "d.npz"): "is a directory",
        str(tmp_path / "no" / "fit.npz"): "does not exist; create it first",
        "/proc/fit.npz": "is not writable",
    }
    for path, fragment in cases.items():
        with pytest.raises(gmm_params.ParamsError) as info:
            gmm_params.check_params_path(path)
        assert str(info.value).startswith(path + ": ") and fragment in str(info.value)
        assert "\n" not in str(info.value)
        with pytest.raises(gmm_params.ParamsError, match=re.escape(fragment)):   # save_params agrees
            gmm_params.save_params(path, [1.0], [[0.0, 0.0]], [np.eye(2)])


# ---------------------------------------------------------------------------
# load_params: files that are not what their extension says
# ---------------------------------------------------------------------------
def _written(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_load_params_says_what_a_wrong_file_looks_like(tmp_path):

    npy = io.BytesIO()
    np.save(npy, np.zeros(3))
    real = tmp_path / "real.npz"
    GaussianMixture(2, random_state=0, max_iter=2).fit(SMALL_X).save(str(real))
    cases = [
        ("text.npz", b"weights,means\n1,2\n", "not a .npz archive (looks like a text file)"),
        ("arr.npz", npy.getvalue(), "not a .npz archive (looks like a NumPy .npy array)"),
        ("noise.npz", bytes(range(256)), "not a .npz archive (looks like binary data)"),
        ("empty.npz", b"", "the file is empty"),
        ("empty.json", b"", "the file is empty"),
        ("zip.json", real.read_bytes(), "not a JSON file (looks like a zip archive such as .npz)"),
        ("trailing.json", b'{"format": 1,}', "not valid JSON (Expecting property name enclosed "
                                            "in double quotes at line 1 column 14)"),
        ("words.json", "weights: [1]\né".encode(), "not valid JSON (Expecting value at line 1 "
                                                   "column 1)"),
    ]
    for name, data, expected in cases:
        path = _written(tmp_path, name, data)
        with pytest.raises(gmm_params.ParamsError) as info:
            gmm_params.load_params(path)
        message = str(info.value)
        assert message.startswith(f"{path}: {expected}"), message
        assert "--save-params or GaussianMixture.save" in message and "\n" not in message
        assert "pickle" not in message
    assert gmm_params.load_params(str(real))["weights"].shape == (2,)        # the real one still loads
