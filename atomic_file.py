"""Atomic file writes for gmm-visualizer: a temp file beside the target, renamed over it.

A reader never sees a half-written file: the data go to a temporary file in
the target's directory, which is flushed, fsynced, given the mode of a newly
created file (``0o666`` minus the umask) and renamed over the target in one
step. Any failure, ``KeyboardInterrupt`` included, removes the temp file and
leaves the target as it was.

This leaf module uses the standard library only, so ``gmm`` (numpy/scipy),
``data_gen`` (numpy) and the writers can all share it.
"""

import os
import tempfile

__all__ = ["AtomicFile", "atomic_write", "new_file_mode"]


def new_file_mode():
    """Permission bits a newly created file gets: ``0o666 & ~umask``.

    ``tempfile.mkstemp`` creates files with mode ``0o600``; this is the mode
    an ordinary ``open(path, "w")`` would have given instead.
    """
    umask = os.umask(0)         # the only portable way to read the umask
    os.umask(umask)
    return 0o666 & ~umask


class AtomicFile:
    """A temp file beside ``target``, renamed over it on success, removed otherwise.

    Use as a context manager. ``fp`` is the open binary temp file and
    ``path`` its name (``.<target name>.<random>.tmp<ext>``: it keeps the
    target's extension, so a tool that picks a format from the name, such as
    ffmpeg, can write to ``path`` itself after ``fp.close()``). Leaving the
    ``with`` block normally flushes, fsyncs, sets the new-file mode and
    renames (an existing ``target`` is replaced in one step); an exception in
    the block or in any of those steps deletes the temp file and propagates.

    Parameters
    ----------
    target : str or os.PathLike
        Final file name; its directory must exist.
    """

    def __init__(self, target):
        self.target = os.fspath(target)
        directory = os.path.dirname(os.path.abspath(self.target))
        base = os.path.basename(self.target)
        ext = os.path.splitext(base)[1].lower()
        fd, self.path = tempfile.mkstemp(prefix=f".{base}.", suffix=f".tmp{ext}", dir=directory)
        self.fp = os.fdopen(fd, "wb")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.discard()
            return False
        try:
            if not self.fp.closed:
                self.fp.flush()
                os.fsync(self.fp.fileno())
                self.fp.close()
            os.chmod(self.path, new_file_mode())
            os.replace(self.path, self.target)
        except BaseException:   # e.g. ENOSPC at fsync: no temp file left behind
            self.discard()
            raise
        return False

    def discard(self):
        """Close and delete the temp file (errors ignored); the target is untouched."""
        try:
            self.fp.close()
        except OSError:
            pass
        try:
            os.unlink(self.path)
        except OSError:
            pass


def atomic_write(path, write):
    """Call ``write(fileobj)`` on a binary temp file, then rename it to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
    write : callable
        Receives the open binary file; its return value is ignored.
    """
    with AtomicFile(path) as f:
        write(f.fp)
