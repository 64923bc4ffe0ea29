"""What the command lines share: parsing, checks before any work, exit statuses, signals.

- :class:`ArgumentParser`: argparse whose errors are one ``error:`` line.
- :func:`integer`, :func:`number`, :func:`random_seed`, :func:`checked`,
  :func:`parse_k_list`: argparse types that accept ASCII decimal text only
  and never raise anything but a clean usage error.
- :func:`check_save_path`, :func:`check_params_path`: a ``--save`` or
  ``--save-params`` target is refused before any work.
- :class:`ExitStatus`: the exit statuses of a run.
- :class:`SignalPolicy`: what Ctrl-C, SIGTERM and SIGHUP do. While a save
  runs, a signal raises :class:`KeyboardInterrupt` or :class:`Terminated`;
  the atomic file (see :mod:`gmm_atomic`) removes its temp file on the way
  out, an existing target is kept, and :func:`exit_status` maps the exception
  to 130, 143 or 129. A signal whose exception Python lost (it landed in a
  finalizer) is raised again by :meth:`SignalPolicy.check`, which the
  animator calls between saved frames and before it commits a save, so an
  interrupted save is never completed. In the live window's event loop a
  signal is only recorded (:meth:`SignalPolicy.deferred`); the window's timer
  closes the window and ``check()`` raises it after the loop.
- :func:`print_stdout`, :func:`write_stderr`, :func:`flush_stdout`:
  output that survives a closed or broken stream.
"""

import argparse
import contextlib
import enum
import io
import logging
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading

import gmm_params
from gmm_atomic import target_problem
from gmm_writers import SUPPORTED_EXTENSIONS, WRITERS, extension

ECHO = 40      # characters of a bad value quoted back in an error message

#: how an integer or a number is written on the command line: ASCII digits only
#: (Python's int() and float() would also take '٣', '1_000' and 'infinity'),
#: decimal integers (no '0x', no '1e3'), and plain decimal or exponent numbers
INT_TEXT = re.compile(r"[+-]?[0-9]+")
FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


class UsageError(ValueError):
    """Bad input to a command line: reported as one ``error: ...`` line, exit status 2."""


class ExitStatus(enum.IntEnum):
    """Exit statuses of the command lines (128 + signal number for a signal)."""

    OK = 0
    ERROR = 1           # a bug: one "error: internal error ..." line
    USAGE = 2           # bad input or a failed write: one "error: ..." line
    HUNG_UP = 128 + 1           # SIGHUP: the terminal closed
    INTERRUPTED = 128 + 2       # SIGINT: Ctrl-C
    TERMINATED = 128 + 15       # SIGTERM: kill PID


# --------------------------------------------------------------------------- #
# Parsing
# --------------------------------------------------------------------------- #

class ArgumentParser(argparse.ArgumentParser):
    """ArgumentParser whose errors raise :class:`UsageError` (one line, no usage block)."""

    def error(self, message):
        # a value quoted back (e.g. "invalid choice: 'xxxx...'") is cut to ECHO characters
        raise UsageError(re.sub(r"'([^']{%d})[^']{4,}'" % ECHO, r"'\1...'", message))


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends ``(default: X)`` unless the help text already states a default."""

    def _get_help_string(self, action):
        if "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def echo(text):
    """``repr(text)``, shortened to about :data:`ECHO` characters."""
    return repr(text if len(text) <= ECHO else text[:ECHO] + "...")


def integer(low, high, what):
    """argparse type: a decimal integer (ASCII digits) from ``low`` to ``high`` (None: no limit).

    Decided on the text before any conversion, so a 400-digit value is an
    ordinary range error, never an OverflowError; the error echoes at most
    :data:`ECHO` characters of the value. ``what`` names the expected value
    in the message (e.g. ``"an integer >= 1"``).
    """
    limit = f" and at most {high}" if high is not None else ""

    def parse(text):
        digits = text.strip()
        if not INT_TEXT.fullmatch(digits):
            raise argparse.ArgumentTypeError(f"expected {what}{limit}, got {echo(text)}")
        body = digits.lstrip("+-").lstrip("0") or "0"
        too_long = high is not None and len(body) > len(str(high))
        value = None if too_long else int(digits)
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {what}{limit}, got {echo(text)}")
        return value
    return parse


def number(low, inclusive, high, what):
    """argparse type: a finite decimal number (ASCII) above ``low`` (or equal to it
    when ``inclusive``), at most ``high`` (None: no limit)."""
    limit = f" and at most {high:g}" if high is not None else ""

    def parse(text):
        if not FLOAT_TEXT.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"expected {what}{limit}, got {echo(text)}")
        value = float(text.strip())     # what was checked (str.strip also drops \x1c-\x1f)
        if (not math.isfinite(value) or value < low or (value == low and not inclusive)
                or (high is not None and value > high)):
            raise argparse.ArgumentTypeError(f"expected {what}{limit}, got {echo(text)}")
        return value
    return parse


def random_seed(high):
    """argparse type for ``--seed``: a decimal integer from 0 to ``high`` (what
    ``numpy.random.default_rng`` takes and a parameter file can store)."""
    return integer(0, high, "an integer >= 0")


def checked(check):
    """argparse type from ``check(text) -> value``, which raises ValueError for bad text."""
    def parse(text):
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def is_decimal_text(text):
    """Whether ``text`` is a plain decimal or exponent number (ASCII, no inf/nan)."""
    return bool(FLOAT_TEXT.fullmatch(text.strip()))


#: the largest k ``--select-k`` and ``-k`` accept (more colours than anyone can tell apart)
MAX_K = 10_000
K_TEXT = re.compile(r"\s*[0-9]+\s*")


def parse_k_list(text):
    """``"1:10"`` (inclusive range), ``"2,3,5"`` or ``"4"`` -> sorted distinct ints >= 1.

    Each k is written in ASCII digits and is at most :data:`MAX_K`, so the
    list is short and a 400-digit bound is an ordinary error, not a
    MemoryError.
    """
    shown = repr(text if len(text) <= 40 else text[:40] + "...")
    parts = text.split(":") if ":" in text else text.split(",")
    if (":" in text and len(parts) != 2) or not all(K_TEXT.fullmatch(v) for v in parts):
        raise argparse.ArgumentTypeError(
            f"expected a range like 1:10 or a list like 2,3,5, got {shown}")
    if any(len(v.strip().lstrip("0")) > len(str(MAX_K)) or int(v) > MAX_K for v in parts):
        raise argparse.ArgumentTypeError(f"every k must be at most {MAX_K}, got {shown}")
    values = [int(v) for v in parts]
    if ":" in text:
        lo, hi = values
        if lo < 1 or hi < lo:
            raise argparse.ArgumentTypeError(
                f"expected a range LO:HI with 1 <= LO <= HI, got {shown}")
        return list(range(lo, hi + 1))
    ks = sorted(set(values))
    if ks[0] < 1:
        raise argparse.ArgumentTypeError(f"every k must be >= 1, got {shown}")
    return ks



# --------------------------------------------------------------------------- #
# Where output may go (checked before any work)
# --------------------------------------------------------------------------- #

def check_save_path(path):
    """Raise :class:`UsageError` unless ``path`` can be written by a writer.

    Checks the extension, the directory (exists, is writable) and, for .mp4,
    that imageio-ffmpeg provides an ffmpeg binary: all before any work.
    """
    if not path:
        raise UsageError("--save needs a file name, e.g. --save out.gif "
                         f"(one of {', '.join(SUPPORTED_EXTENSIONS)})")
    if os.path.isdir(path):
        raise UsageError(f"cannot save to {path!r}: it is a directory; give a file name "
                         f"inside it, e.g. {os.path.join(path, 'out.gif')!r}")
    ext = extension(path)
    if ext not in WRITERS:
        raise UsageError(f"cannot save to {path!r}: unknown extension {ext or '(none)'!r}; "
                         f"use one of {', '.join(SUPPORTED_EXTENSIONS)}")
    directory = os.path.dirname(os.path.abspath(path))
    problem = target_problem(path)
    if problem is not None and "does not exist" in problem:
        raise UsageError(f"cannot save to {path!r}: {problem}; create it first or choose "
                         "another path")
    if problem is not None:
        raise UsageError(f"cannot save to {path!r}: {problem}; choose another path")
    try:
        fd, probe = tempfile.mkstemp(prefix=".gmm-probe-", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"cannot save to {path!r}: directory {directory!r} is not "
                         f"writable ({exc.strerror or exc}); choose another "
                         "directory") from None
    if ext == ".mp4":
        check_ffmpeg(path)


def check_ffmpeg(path):
    """Raise :class:`UsageError` unless an executable ffmpeg is available for .mp4."""
    try:
        import imageio_ffmpeg
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:     # ImportError, RuntimeError: no binary
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"cannot save {path!r}: .mp4 needs ffmpeg from the "
                         f"imageio-ffmpeg package ({reason}); install it with "
                         "'pip install imageio-ffmpeg' or save a .gif") from None
    found = exe if exe and os.path.isfile(exe) else shutil.which(exe or "")
    where = " (set by IMAGEIO_FFMPEG_EXE)" if os.environ.get("IMAGEIO_FFMPEG_EXE") else ""
    if not found:
        raise UsageError(f"cannot save {path!r}: ffmpeg not found at {exe!r}{where}; "
                         "install imageio-ffmpeg or save a .gif")
    if not os.access(found, os.X_OK):
        raise UsageError(f"cannot save {path!r}: ffmpeg at {found!r}{where} is not "
                         "executable; fix its permissions or save a .gif")


def check_params_path(path, flag="--save-params"):
    """Raise :class:`UsageError` unless ``path`` can take a parameter file (.npz/.json)."""
    try:
        gmm_params.check_params_path(path)
    except gmm_params.ParamsError as exc:
        problem = target_problem(path) if path else None
        if problem is not None and "not a directory" in problem:    # not "does not exist"
            raise UsageError(f"{flag} {path}: {problem}; choose another path") from None
        raise UsageError(f"{flag} {exc}") from None
    problem = target_problem(path)          # an existing FIFO, device or read-only file
    if problem is not None:
        raise UsageError(f"{flag} {path}: {problem}; choose another path")


# --------------------------------------------------------------------------- #
# Signals
# --------------------------------------------------------------------------- #

class Terminated(BaseException):
    """SIGTERM (``kill PID``) or SIGHUP (the terminal closed) arrived; raised so
    temp files are removed on the way out. ``args[0]`` is the signal number."""


class NoSignals:
    """The policy outside a command line: nothing recorded, nothing to raise or defer."""

    pending = None

    def check(self):
        """Raise the exception of a recorded signal (there is none here)."""

    @contextlib.contextmanager
    def deferred(self):
        """A block in which a signal would only be recorded."""
        yield


class SignalPolicy:
    """While active (main thread only): SIGTERM and SIGHUP raise :class:`Terminated`
    as Ctrl-C raises KeyboardInterrupt, and a signal that Python swallowed is
    raised again at the next :meth:`check`.

    An exception raised by a signal handler is lost when the signal lands in a
    finalizer or a callback ("Exception ignored in ..."); the handler therefore
    also records the signal in ``pending``, and :meth:`check` (between saved
    frames, before a save is committed, after each ``--select-k`` fit) raises
    it again. Python reports such a lost exception through
    :func:`sys.unraisablehook`, which would print a traceback; while active,
    that report is dropped for the exceptions this class raises, and every
    other report goes to the previous hook. Signals the caller ignores (a
    background job's SIGINT, SIGHUP under ``nohup``) stay ignored.
    """

    def __enter__(self):
        self._previous = {}
        self.pending = None
        self._deferred = False
        if threading.current_thread() is not threading.main_thread():
            return self

        def handler(signum, frame):
            self.pending = signum
            if not self._deferred:
                self.check()

        hangup = getattr(signal, "SIGHUP", None)
        for signum in (signal.SIGTERM, signal.SIGINT, hangup):
            if signum is None:
                continue
            current = signal.getsignal(signum)
            if current is signal.SIG_IGN:
                continue            # the caller chose to ignore it (nohup, a background job)
            if signum == signal.SIGINT and current is not signal.default_int_handler:
                continue            # SIGINT handled by a host (e.g. IPython)
            if signum == hangup and current is not signal.SIG_DFL:
                continue            # SIGHUP ignored (nohup) or handled by a host
            previous = signal.signal(signum, handler)
            self._previous[signum] = signal.SIG_DFL if previous is None else previous
        self._saved_hook = sys.unraisablehook
        sys.unraisablehook = self._unraisable
        return self

    def _unraisable(self, unraisable):
        """Drop the report of a signal exception lost in a finalizer; pass on the rest."""
        if self.pending is not None and unraisable.exc_type in (Terminated, KeyboardInterrupt):
            return
        self._saved_hook(unraisable)

    def check(self):
        """Raise the exception of a recorded signal, if any."""
        if self.pending in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            raise Terminated(self.pending)
        if self.pending == signal.SIGINT:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self):
        """Inside the block a signal is only recorded in ``pending``, not raised:
        raised in a GUI callback, its exception would be printed by the toolkit
        and the window would run on."""
        self._deferred = True
        try:
            yield
        finally:
            self._deferred = False

    def __exit__(self, *exc):
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        if hasattr(self, "_saved_hook"):
            sys.unraisablehook = self._saved_hook
        return False


def exit_status(exc):
    """``(status, stderr line)`` for an exception that ended a run.

    Bad input and failed writes: :attr:`ExitStatus.USAGE` with one ``error:``
    line; signals: 130, 143 or 129 with one word; anything else is a bug:
    :attr:`ExitStatus.ERROR` and ``error: internal error ...``.
    """
    if isinstance(exc, UsageError):
        return ExitStatus.USAGE, f"error: {one_line(exc)}"
    if isinstance(exc, ValueError):     # data_gen.DataError, gmm argument errors
        return ExitStatus.USAGE, f"error: {one_line(' '.join(str(exc).split()) or type(exc).__name__)}"
    if isinstance(exc, OSError):        # e.g. disk full, ffmpeg died while writing
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return ExitStatus.USAGE, one_line(f"error: could not write the output{where}: "
                                          f"{' '.join(str(exc.strerror or exc).split())}")
    if isinstance(exc, MemoryError):
        return ExitStatus.USAGE, ("error: not enough memory for this run; use fewer points "
                                  "(-N or a smaller file) or fewer components (-k)")
    if isinstance(exc, KeyboardInterrupt):
        return ExitStatus.INTERRUPTED, "interrupted"
    if isinstance(exc, Terminated):
        signum = exc.args[0] if exc.args else signal.SIGTERM
        if signum == getattr(signal, "SIGHUP", None):
            return ExitStatus.HUNG_UP, "hung up"
        return ExitStatus(128 + signum), "terminated"
    return ExitStatus.ERROR, (f"error: internal error ({type(exc).__name__}: {one_line(exc)}); "
                              "please report it with the command line")


# --------------------------------------------------------------------------- #
# Output that survives closed or broken streams
# --------------------------------------------------------------------------- #

def one_line(exc):
    """An exception's message on one line (line breaks in e.g. paths are escaped)."""
    text = str(exc) or type(exc).__name__
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def write_stderr(line):
    """``line`` to stderr; a closed or broken stderr is ignored (nothing to tell)."""
    if sys.stderr is None:              # pythonw, or stderr closed before start: print() would use stdout
        return
    try:
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        line = line.encode(encoding, "backslashreplace").decode(encoding)   # odd file names
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError, LookupError):
        pass


def print_stdout(text, flush=False):
    """Print ``text`` to stdout; a reader that went away or a closed stdout
    (``>&-``) loses the text, not the run."""
    try:
        print(text, flush=flush)
    except BrokenPipeError:
        _stdout_gone()
    except (OSError, ValueError):       # closed (ValueError) or failing stdout
        pass


def flush_stdout():
    """Flush stdout; a closed or broken stdout is ignored."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()
    except (OSError, ValueError, AttributeError):   # stdout closed (None after ``>&-``)
        pass


def _stdout_gone():
    """stdout's reader went away (``... | head``): the rest of stdout goes to devnull.

    The run (and its save) carries on; only the printed lines nobody reads are lost.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):   # not a real file
        pass


def progress_bars(quiet):
    """Whether progress bars go to stderr: on a terminal, unless ``quiet``."""
    return not quiet and sys.stderr.isatty()


@contextlib.contextmanager
def held_log_records():
    """Keep the log records Python would print through its last-resort handler
    (libraries' warnings when nobody configured logging) in the yielded list,
    so they can be shown after success instead of before an error line."""

    class Hold(logging.Handler):
        def emit(self, record):
            held.append(record)

    held = []
    previous = logging.lastResort
    logging.lastResort = Hold(logging.WARNING)
    try:
        yield held
    finally:
        logging.lastResort = previous
