"""What the command lines share: parsing, checks before any work, exit statuses, signals.

- :class:`ArgumentParser`: argparse whose errors are one ``error:`` line.
- :func:`integer`, :func:`number`, :func:`random_seed`, :func:`checked`,
  :func:`parse_k_list`: argparse types that accept ASCII decimal text only
  and never raise anything but a clean usage error.
- :func:`check_distinct_files`: no output names an input or another output.
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
  output that survives a closed or broken stream; a stdout that fails
  otherwise (``> /dev/full``) raises :class:`StdoutError` (exit 2).
- :func:`warning_lines`: caught warnings as one ``warning:`` line each.
"""

import argparse
import contextlib
import enum
import io
import logging
import math
import os
import re
import signal
import sys
import threading

from gmm_atomic import discard_unfinished, file_identity


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

    def _print_message(self, message, file=None):
        # argparse's own printer (--help, --version) ignores a failed write; a
        # help text longer than stdout's buffer is written at once, so without
        # this `--help > /dev/full` would lose it and still exit 0
        if not message:
            return
        file = sys.stderr if file is None else file
        try:
            file.write(message)
        except BrokenPipeError:
            _stdout_gone()
        except OSError as exc:
            if file is not sys.stdout:
                raise
            _stdout_failed(exc)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends ``(default: X)`` unless the help text already states a default; a
    flag that turns an option off (``store_false``) is ``False``: not given."""

    def _get_help_string(self, action):
        if "(default" in (action.help or ""):
            return action.help
        if action.nargs == 0 and action.const is False:     # store_false: a flag not given
            return f"{action.help} (default: False)"
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
# Outputs that would replace an input (checked before any work)
# --------------------------------------------------------------------------- #

def check_distinct_files(outputs, inputs):
    """Raise :class:`UsageError` if an output would replace an input or another output.

    Files are compared by identity (:func:`gmm_atomic.file_identity`), not by
    spelling: the same path, ``./x``, a symlink or a hard link to it, and on a
    case-insensitive file system ``X`` all name one file.

    Parameters
    ----------
    outputs, inputs : list of (str, str or None)
        ``(flag, path)`` pairs, e.g. ``("--save-labels", "labels.csv")``;
        a None path (flag not given) is skipped.
    """
    seen = []                       # (flag, path, key, is_input)
    for flag, path in inputs:
        if path:
            seen.append((flag, path, file_identity(path), True))
    for flag, path in outputs:
        if not path:
            continue
        key = file_identity(path)
        for other_flag, other, other_key, is_input in seen:
            if key != other_key:
                continue
            alias = "" if other == path else f" (as {echo(other)})"
            if is_input:
                raise UsageError(f"{flag} {echo(path)} names the {other_flag} file{alias}; "
                                 "an output never replaces an input: choose another path")
            raise UsageError(f"{flag} and {other_flag} name the same file {echo(path)}{alias}; "
                             "give each output its own path")
        seen.append((flag, path, key, False))


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

    def __exit__(self, exc_type, exc, tb):
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        if hasattr(self, "_saved_hook"):
            sys.unraisablehook = self._saved_hook
        if exc_type is not None:    # e.g. a signal between a temp file's creation and its with
            discard_unfinished()
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
    if isinstance(exc, StdoutError):
        return ExitStatus.USAGE, f"error: {one_line(exc.strerror)}"
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


GLYPH_WARNING = re.compile(r"Glyph (\d+) .*missing from (?:current )?font(?:\(s\))? ?(.*?)\.?$")


def warning_lines(caught):
    """One ``warning: ...`` line per distinct warning in ``caught`` (a list of
    :class:`warnings.WarningMessage`), in our words: no file paths or line
    numbers, and matplotlib's one warning per missing glyph and frame
    gathered into one line naming the characters."""
    lines, glyphs, fonts = [], [], ""
    for w in caught:
        found = GLYPH_WARNING.match(str(w.message))
        if found:
            ch = chr(int(found.group(1)))
            glyphs += [] if ch in glyphs else [ch]
            fonts = found.group(2) or fonts
            continue
        text = str(w.message)
        if w.category is not UserWarning:           # e.g. "RuntimeWarning: overflow ..."
            text = f"{w.category.__name__}: {text}"
        line = text if text.startswith(("warning:", "note:")) else f"warning: {text}"
        if one_line(line) not in lines:
            lines.append(one_line(line))
    if glyphs:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in glyphs[:8])
        more = f" and {len(glyphs) - 8} more" if len(glyphs) > 8 else ""
        lines.append(f"warning: the font{' ' + fonts if fonts else ''} has no glyph for "
                     f"{shown}{more}; drawn as empty boxes (use a font that has them: "
                     "matplotlib's rcParams['font.family'])")
    return lines


def write_stderr(line):
    """``line`` to stderr, on one line (a line break or other control character, e.g.
    in a file name, is escaped as in ``repr``); a closed or broken stderr is ignored."""
    line = one_line(line)
    if sys.stderr is None:              # pythonw, or stderr closed before start: print() would use stdout
        return
    try:
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        line = line.encode(encoding, "backslashreplace").decode(encoding)   # odd file names
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError, LookupError):
        pass


class StdoutError(OSError):
    """stdout refused what the user asked for (``> /dev/full``, a full disk): the
    run fails with exit 2 and one ``error:`` line, as ``cat`` and ``sort`` do."""


def print_stdout(text, flush=False):
    """Print ``text`` to stdout; a reader that went away (``| head``) or a closed
    stdout (``>&-``) loses the text, not the run.

    Raises
    ------
    StdoutError
        stdout failed otherwise (e.g. no space left): the lines asked for are lost.
    """
    try:
        print(text, flush=flush)
    except BrokenPipeError:
        _stdout_gone()
    except ValueError:                  # closed
        pass
    except OSError as exc:
        _stdout_failed(exc)


def flush_stdout(check=True):
    """Flush stdout; a closed or broken stdout is ignored, a failing one raises
    :class:`StdoutError` (``check=False``: ignored too, for a run already ending
    with another status)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone()
    except (ValueError, AttributeError):    # stdout closed (None after ``>&-``)
        pass
    except OSError as exc:
        if check:
            _stdout_failed(exc)
        _stdout_gone()


def flushed(status):
    """``status`` once stdout is flushed, or :attr:`ExitStatus.USAGE` (with its
    ``error:`` line on stderr) when stdout fails, e.g. ``--help > /dev/full``."""
    try:
        flush_stdout()
    except StdoutError as exc:
        status, line = exit_status(exc)
        write_stderr(line)
    return status


def _stdout_failed(exc):
    """Raise :class:`StdoutError` for ``exc``; stdout becomes devnull first, so the
    interpreter's own flush at exit has nothing left to fail on."""
    _stdout_gone()
    raise StdoutError(exc.errno, f"cannot write to stdout ({exc.strerror or exc}); the "
                                 "printed lines are lost") from None


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
