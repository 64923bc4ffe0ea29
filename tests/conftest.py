"""Shared pytest set-up: a non-interactive backend, the repo root on sys.path,
a deterministic hypothesis profile for CI, and the fixtures several test files
use (``captured_animator``, ``fail_on_frame``, ``xvfb_display``, ``run_in_window``)."""
import os
import shutil
import subprocess
import sys

import pytest

# Agg whatever the user's shell or matplotlibrc says (MPLBACKEND wins over both):
# a test running the CLI without --save must take the headless path, never open
# a window on the user's desktop; run_in_window asks for TkAgg explicitly.
os.environ["MPLBACKEND"] = "Agg"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from child_env import python_path  # noqa: E402  (tests/ is on sys.path under pytest)

try:
    from hypothesis import settings
except ImportError:  # hypothesis is a test requirement; tests that need it will say so
    settings = None
if settings is not None:
    # Locally hypothesis explores new examples every run; CI (CI=true) replays a
    # fixed sequence so a landing never depends on the luck of the draw.
    settings.register_profile("ci", derandomize=True, database=None)
    if os.environ.get("CI"):
        settings.load_profile("ci")


@pytest.fixture
def captured_animator(monkeypatch):
    """Run ``visualize_gmm.main`` and keep the Animator it saved with.

    Wraps ``Animator.save`` so ``box["anim"]`` is the last Animator that saved;
    the save itself still runs. Returns the (initially empty) dict.
    """
    import gmm_animator

    box = {}
    original = gmm_animator.Animator.save

    def save(self, path, **kw):
        box["anim"] = self
        return original(self, path, **kw)

    monkeypatch.setattr(gmm_animator.Animator, "save", save)
    return box



@pytest.fixture
def default_ctrl_c():
    """Ctrl-C raises KeyboardInterrupt in this process while the test runs.

    Under a shell's background job (``pytest ... &``) SIGINT starts out ignored,
    and the CLI then rightly leaves it alone; tests of its Ctrl-C handling need
    Python's default handler, as in a terminal. Child processes started
    meanwhile inherit the default disposition too (an ignored signal is
    inherited across exec, a Python handler is not). The old handler is
    restored.
    """
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def fail_on_frame(monkeypatch):
    """``fail_on_frame(exc, n)``: the n-th GIF frame handed to the writer raises ``exc``.

    Frames before it are written as usual, so the failure lands mid-save.
    Returns the list of frame numbers the writer was given (1-based).
    """
    import gmm_writers

    calls = []
    original = gmm_writers.GifWriter.add

    def arm(exc, n=1):
        def add(self, rgb):
            calls.append(len(calls) + 1)
            if len(calls) == n:
                raise exc
            return original(self, rgb)

        monkeypatch.setattr(gmm_writers.GifWriter, "add", add)
        return calls

    return arm

@pytest.fixture(scope="session")
def xvfb_display():
    """An X display (``":N"``) served by a private Xvfb for the whole session.

    Skips (with the reason) when Xvfb or tkinter is missing or the server does
    not start; the server is stopped at the end of the session.
    """
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb not installed (apt-get install xvfb); cannot open a live window")
    try:
        import tkinter  # noqa: F401
    except ImportError:
        pytest.skip("tkinter is not available; no TkAgg live window possible")
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(write,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()      # Xvfb writes its display number when ready
    if not number:
        proc.kill()
        proc.wait()
        pytest.skip("Xvfb did not start an X server")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def run_in_window(xvfb_display):
    """``run(args, cwd, timeout=120)``: ``python *args`` with TkAgg on the Xvfb display.

    Returns the finished ``subprocess.CompletedProcess`` (text stdout/stderr);
    the repo root and tests/ are put first on PYTHONPATH so ``import visualize_gmm``
    and ``import window_driver`` work from any cwd (a PYTHONPATH the user set is
    kept after them).
    """
    path = python_path(os.path.join(ROOT, "tests"))

    def run(args, cwd, timeout=120):
        env = dict(os.environ, DISPLAY=xvfb_display, MPLBACKEND="TkAgg", PYTHONPATH=path)
        return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)

    return run
