"""Atomic file writes for gmm-visualizer: a temp file beside the target, renamed over it.

A reader never sees a half-written file: the data go to a temporary file in
the target's directory, which is flushed, fsynced, given the mode of a newly
created file (``0o666`` minus the umask) and renamed over the target in one
step. Any failure, ``KeyboardInterrupt`` included, removes the temp file and
leaves the target as it was.

This leaf module uses the standard library only, so ``gmm`` (numpy/scipy),
``data_gen`` (numpy) and the writers can all share it.
"""

import contextlib
import hashlib
import os
import signal
import stat
import sys
import tempfile

__all__ = ["AtomicFile", "atomic_write", "new_file_mode", "all_or_none", "target_problem",
           "free_name", "temp_affixes", "file_identity"]

NAME_MAX = 255          # bytes in one file name (Linux, macOS); pathconf is asked first
_TMP_EXT_MAX = 16       # a longer "extension" is not kept in the temp name


def new_file_mode():
    """Permission bits a newly created file gets: ``0o666 & ~umask``.

    ``tempfile.mkstemp`` creates files with mode ``0o600``; this is the mode
    an ordinary ``open(path, "w")`` would have given instead.
    """
    umask = os.umask(0)         # the only portable way to read the umask
    os.umask(umask)
    return 0o666 & ~umask


def _name_max(directory):
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return NAME_MAX


def temp_affixes(base, directory="."):
    """``(prefix, suffix)`` of the temp file for a target named ``base``.

    ``.<base>.`` + 8 random characters + ``.tmp<ext>``, where ``ext`` is the
    target's extension in lower case. When that would be longer than the
    file-name limit (a legal 249-byte target name), ``base`` is cut at a
    character boundary and followed by 8 hex digits of its hash, so the temp
    name always fits and two long names still get different prefixes.
    """
    ext = os.path.splitext(base)[1].lower()
    if len(ext.encode("utf-8", "surrogateescape")) > _TMP_EXT_MAX:
        ext = ""
    suffix = f".tmp{ext}"
    # 2 dots, 8 random characters, and ".old" for the backup of all_or_none()
    room = _name_max(directory) - len(suffix.encode("utf-8", "surrogateescape")) - 2 - 8 - 4
    raw = base.encode("utf-8", "surrogateescape")
    if len(raw) > room:
        tag = hashlib.sha256(raw).hexdigest()[:8]
        cut = raw[:max(room - 9, 0)].decode("utf-8", "ignore")    # no half characters
        base = f"{cut}-{tag}"
    return f".{base}.", suffix


def target_problem(path):
    """Why ``path`` cannot take a new file, as a short phrase, or None.

    Looks at the target and its directory without writing: the nearest
    existing ancestor must be a directory (``through/a/file.csv/p.npy`` is
    "'through/a/file.csv' is not a directory"), the directory must exist, and
    an existing target must be a regular file that is writable (a FIFO, a
    device or a read-only file is not replaced).
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path).encode("utf-8", "surrogateescape")
    if os.path.isdir(directory) and len(name) > _name_max(directory):
        return f"the file name is {len(name)} bytes long, more than the {_name_max(directory)} " \
               "a name may have"
    if not os.path.isdir(directory):
        ancestor = directory
        while ancestor and not os.path.lexists(ancestor):
            parent = os.path.dirname(ancestor)
            if parent == ancestor:
                break
            ancestor = parent
        if os.path.lexists(ancestor) and not os.path.isdir(ancestor):
            return f"{ancestor!r} is a file, not a directory"
        return f"directory {directory!r} does not exist"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{path!r} cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(st.st_mode):
        return f"{path!r} is a directory"
    if not stat.S_ISREG(st.st_mode):
        return f"{path!r} exists and is not a regular file (a FIFO, socket or device)"
    if not (st.st_mode & 0o222) or not os.access(path, os.W_OK):
        return f"{path!r} exists and is read-only"
    return None


#: platforms whose default file systems ignore case in names (APFS, HFS+, NTFS)
CASE_INSENSITIVE_PLATFORMS = ("darwin", "win32", "cygwin")


def file_identity(path):
    """A key that every name of one file shares, to tell whether two paths
    would read or write the same file.

    An existing file is known by its device and inode (so a symlink, a hard
    link, ``./x`` and, on a case-insensitive file system, ``X`` all give the
    key of ``x``). A file that does not exist yet is known by its directory's
    identity and its name (case folded on macOS and Windows, whose file
    systems usually ignore case), so two new names in one directory collide
    only if they would make one file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    tuple
        Hashable; equal for two names of the same file.
    """
    path = os.fspath(path)
    try:
        st = os.stat(path)
        if st.st_ino:           # 0 on a few file systems without inode numbers
            return ("file", st.st_dev, st.st_ino)
    except (OSError, ValueError):
        pass
    real = os.path.realpath(path)       # a dangling symlink: the file it would create
    directory, name = os.path.split(real)
    if sys.platform in CASE_INSENSITIVE_PLATFORMS:
        name = name.casefold()
    try:
        st = os.stat(directory)
        if st.st_ino:
            return ("new", st.st_dev, st.st_ino, name)
    except (OSError, ValueError):
        pass
    return ("new", os.path.normcase(directory), name)


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
        prefix, suffix = temp_affixes(os.path.basename(self.target), directory)
        with _signals_held():       # the file exists only once it is recorded
            fd, self.path = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
            _unfinished.add(self.path)
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
            if _pending:            # inside all_or_none(): renamed when it ends
                _pending[-1].append(self)
                return False
            os.replace(self.path, self.target)
            _unfinished.discard(self.path)
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
        _unfinished.discard(self.path)


#: temp files of AtomicFiles made and not yet renamed or deleted
_unfinished = set()
#: the signals a command line turns into exceptions (gmm_cli.SignalPolicy)
_HELD = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


@contextlib.contextmanager
def _signals_held():
    """Delay those signals (POSIX) inside the block: a signal's exception cannot
    land between a temp file's creation and its record in :data:`_unfinished`."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def discard_unfinished():
    """Delete every temp file an :class:`AtomicFile` made and did not finish: a
    signal's exception can arrive after one is made and before its ``with`` block
    (whose exit would delete it) begins. Called when a command line ends on a
    signal (:class:`gmm_cli.SignalPolicy`)."""
    for path in list(_unfinished):
        try:
            os.unlink(path)
        except OSError:
            pass
        _unfinished.discard(path)


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


#: one list of finished, not yet renamed AtomicFiles per active all_or_none()
_pending = []


@contextlib.contextmanager
def all_or_none():
    """Every :class:`AtomicFile` finished inside the block is renamed when it ends.

    Files are written as usual, but their temp files wait; when the block
    ends normally all are renamed into place, and when it raises (or a
    rename fails) none is kept: the temp files are removed and targets
    already replaced get their previous content back (a hard link kept
    beside them until the end) or are removed if they did not exist.
    """
    _pending.append([])
    try:
        yield
    except BaseException:
        for f in _pending.pop():
            f.discard()
        raise
    files = _pending.pop()
    backups, done = [], []
    try:
        for f in files:
            backup = None
            if os.path.isfile(f.target):
                backup = f.path + ".old"
                try:
                    os.link(f.target, backup)
                except OSError:     # no hard links here: the old content cannot come back
                    backup = None
            backups.append(backup)
            os.replace(f.path, f.target)
            _unfinished.discard(f.path)
            done.append(f)
    except BaseException:
        for f, backup in zip(done, backups):
            try:
                if backup is not None:
                    os.replace(backup, f.target)
                else:
                    os.unlink(f.target)
            except OSError:
                pass
        for f in files[len(done):]:
            f.discard()
        raise
    finally:
        for backup in backups:
            if backup is not None:
                try:
                    os.unlink(backup)
                except OSError:
                    pass


def free_name(path):
    """``path``, or ``stem-1.ext``, ``stem-2.ext``, ... : the first that does not exist."""
    stem, ext = os.path.splitext(path)
    name, i = path, 0
    while os.path.lexists(name):
        i += 1
        name = f"{stem}-{i}{ext}"
    return name
