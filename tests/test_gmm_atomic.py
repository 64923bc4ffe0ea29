"""gmm_atomic: every save is a temp file renamed into place, synced, cleaned up on failure.
"""
import errno
import os
import stat
import subprocess
import sys

import pytest

import gmm_atomic
import data_gen
from gmm_mixture import GaussianMixture
from em_reference import SMALL_X


# ---------------------------------------------------------------------------
# Atomic writes (the shared temp-file-then-rename helper)
# ---------------------------------------------------------------------------
def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failing", ["fsync", "replace", "chmod"])
def test_atomic_file_leaves_no_temp_file_when_finishing_fails(tmp_path, monkeypatch, failing):
    """A failure after the with-body (fsync, chmod or the rename) removes the
    temp file, leaves the target untouched and propagates the error."""
    target = tmp_path / "out.gif"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="No space left"):
        with gmm_atomic.AtomicFile(str(target)) as f:
            f.fp.write(b"new contents")
            monkeypatch.setattr(os, failing, _enospc)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.gif"]
    assert target.read_bytes() == b"old"


def _atomic_savers():
    """name -> (target file name, save(path)) for every writer built on gmm_atomic."""
    gm = GaussianMixture(2, random_state=0, max_iter=3).fit(SMALL_X)
    return {
        "atomic_write": ("out.gif", lambda p: gmm_atomic.atomic_write(p, lambda fh: fh.write(b"x"))),
        "save_params.npz": ("fit.npz", gm.save),
        "save_params.json": ("fit.json", gm.save),
        "write_points.npy": ("pts.npy", lambda p: data_gen.write_points(p, SMALL_X, force=True)),
        "write_points.csv": ("pts.csv", lambda p: data_gen.write_points(p, SMALL_X, force=True)),
    }


@pytest.mark.parametrize("failing", ["fsync", "chmod", "replace"])
@pytest.mark.parametrize("saver", ["atomic_write", "save_params.npz", "save_params.json",
                                   "write_points.npy", "write_points.csv"])
def test_every_save_is_synced_and_cleans_up(tmp_path, monkeypatch, saver, failing):
    """gmm.save_params and data_gen.write_points go through gmm_atomic: the
    data are fsynced before the rename, and a failure there leaves the old
    file and no temp file."""
    name, save = _atomic_savers()[saver]
    target = tmp_path / name
    target.write_bytes(b"old")
    monkeypatch.setattr(os, failing, _enospc)
    with pytest.raises(OSError, match="No space left"):
        save(str(target))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert target.read_bytes() == b"old"
    save(str(target))                                   # and it works without the fault
    assert target.read_bytes() != b"old"


@pytest.mark.parametrize("saver", ["atomic_write", "save_params.npz", "write_points.csv"])
def test_every_save_gets_a_new_files_mode(tmp_path, saver):

    name, save = _atomic_savers()[saver]
    old = os.umask(0o027)
    try:
        save(str(tmp_path / name))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640


def test_gmm_atomic_is_a_stdlib_only_leaf():
    """gmm (no matplotlib) and data_gen (no gmm) can both import it."""
    code = ("import sys, gmm_atomic; bad = {'numpy', 'gmm', 'data_gen', 'matplotlib'}"
            " & set(sys.modules); assert not bad, bad")
    root = __import__("os").path.dirname(__import__("os").path.dirname(__file__))
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_signal_before_the_with_block_leaves_no_temp_file(tmp_path):
    """A signal's exception can arrive after AtomicFile made its temp file and
    before the ``with`` block whose exit would delete it: the command line's
    SignalPolicy deletes every unfinished temp file as the exception leaves it."""
    import signal

    from gmm_cli import SignalPolicy, Terminated
    with pytest.raises(Terminated):
        with SignalPolicy():
            gmm_atomic.AtomicFile(tmp_path / "x.csv")
            assert len(os.listdir(tmp_path)) == 1           # the temp file exists
            raise Terminated(signal.SIGTERM)                # as the handler raises it
    assert os.listdir(tmp_path) == []
    with SignalPolicy():                    # a finished file is kept
        with gmm_atomic.AtomicFile(tmp_path / "y.csv") as f:
            f.fp.write(b"1\n")
    assert os.listdir(tmp_path) == ["y.csv"]
