"""Tests for gmm_window: the live window's keys, restarts, timer and screen scaling.

In-process key presses on an Agg canvas, and real TkAgg windows under Xvfb
(subprocesses; ``tests/window_driver.py`` closes them after the last frame).
"""

import json
import os
import re

import numpy as np
import pytest
from matplotlib.backend_bases import KeyEvent
from PIL import Image

import gmm
import gmm_em
import gmm_options
import gmm_transforms
import gmm_window
import visualize_gmm
from visualize_gmm import main


# The command line's main() in a TkAgg process, with Animator.show_state
# recorded: which states the window showed does not depend on timing (which of
# them got their own draw does: an idle redraw may merge two under load).
SHOWN_SCRIPT = r"""
import sys
import gmm_animator
import visualize_gmm
import window_driver

window_driver.close_after_last()
shown = []
original = gmm_animator.Animator.show_state

def show_state(self, i, *args, **kwargs):
    shown.append(i)
    return original(self, i, *args, **kwargs)

gmm_animator.Animator.show_state = show_state
code = visualize_gmm.main(sys.argv[1:])
print("shown states:", *shown, file=sys.stderr)
sys.exit(code)
"""


SIGNAL_SCRIPT = r"""
import os, signal, sys
import gmm_animator
import visualize_gmm
import window_driver

window_driver.close_after_last()
shown = []
original = gmm_animator.Animator.show_state

def show_state(self, i, *args, **kwargs):
    shown.append(i)
    if i == 3:          # kill/Ctrl-C while a Tk callback is drawing
        os.kill(os.getpid(), getattr(signal, os.environ["SEND_SIGNAL"]))
    return original(self, i, *args, **kwargs)

gmm_animator.Animator.show_state = show_state
try:
    code = visualize_gmm.main(sys.argv[1:])
finally:
    print("shown states:", *shown, file=sys.stderr)
sys.exit(code)
"""


def test_live_window_advances_frames_under_xvfb(tmp_path, run_in_window):
    proc = run_in_window(["-c", SHOWN_SCRIPT, "-k", "3", "-N", "300", "-i", "5", "--tol", "0",
                          "--seed", "0", "--fps", "10", "--print_ll"],
                         cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"live window \((\w+)\) drew frames: ([\d ]+)", proc.stderr)
    assert m, proc.stderr
    assert m.group(1).lower() == "tkagg"
    drawn = [int(i) for i in m.group(2).split()]
    shown = [int(i) for i in re.search(r"shown states: ([\d ]+)", proc.stderr).group(1).split()]
    # the window stepped through every state in order, once each ...
    assert shown == list(range(6))
    # ... and drew frames in order from the first to the last state
    assert drawn == sorted(drawn) and drawn[0] == 0 and drawn[-1] == 5
    assert set(drawn) <= set(shown)
    assert len(proc.stdout.splitlines()) == 6                  # --print_ll still works
    assert os.listdir(tmp_path) == []                          # no fallback gif


@pytest.mark.parametrize("name, status, word", [("SIGTERM", 143, "terminated"),
                                                ("SIGINT", 130, "interrupted")])
def test_signal_in_the_live_window_closes_it_cleanly(tmp_path, run_in_window, default_ctrl_c,
                                                      monkeypatch, name, status, word):
    """A signal that lands inside a Tk callback must not be printed by Tk while
    the window runs on: the window closes and the CLI exits as after any signal."""
    monkeypatch.setenv("SEND_SIGNAL", name)
    proc = run_in_window(["-c", SIGNAL_SCRIPT, "-k", "3", "-N", "300", "-i", "20", "--tol", "0",
                          "--seed", "0", "--fps", "10"], cwd=tmp_path)
    shown = [int(i) for i in re.search(r"shown states: ([\d ]+)", proc.stderr).group(1).split()]
    assert proc.returncode == status, proc.stderr
    assert proc.stderr.splitlines() == [word, "shown states: 0 1 2 3"]    # nothing else
    assert shown == [0, 1, 2, 3]                # closed at the next tick, not run on


SMALL = ["-N", "300", "-k", "3", "-m", "3", "--seed", "0"]


def _press(window, key):
    window.on_key(KeyEvent("key_press_event", window.fig.canvas, key))


# Runs in a TkAgg process: presses keys on the real Tk canvas through
# matplotlib's callback registry, one per timer tick, records the cursor
# after each, and quits with "q" (plt.show() must return). "wait-end" presses
# nothing: it polls (up to 60 s) until the resumed run has played to its last
# state, so no step depends on how many frames a tick happens to cover.
LIVE_SCRIPT = r"""
import json, sys, time
import matplotlib
matplotlib.use("TkAgg")
from matplotlib.backend_bases import KeyEvent
import gmm_window
import visualize_gmm

anim = visualize_gmm.animate(None, 3, max_iter=12, tol=0, random_state=0, n_points=200, n_true=3,
                             fps=20, interactive=True, ll_panel=True, compare="kmeans").animator
canvas = anim.fig.canvas
window = gmm_window.LiveWindow(anim, title="visualize_gmm: EM, k = 3, on test data")
plan = [" ", "n", "right", "left", "p", "s", " ", "wait-end", "left", "r", "n", "h", "q"]
log = []
deadline = []
titles = []
help_box = []

def tick():
    if not plan:
        return
    if not titles:
        titles.append(canvas.manager.get_window_title())       # while the window is open
    if plan[0] == "wait-end":
        deadline[:] = deadline or [time.monotonic() + 60]
        if anim.current != 12 and time.monotonic() < deadline[0]:
            timer.start()
            return
    key = plan.pop(0)
    if key == "q":              # the h box on the real (screen-scaled) Tk canvas
        canvas.draw()
        renderer = canvas.get_renderer()
        help_box.extend([list(window.help_text.get_window_extent(renderer).extents),
                         list(window.help_text.get_bbox_patch().get_window_extent(renderer).extents),
                         list(anim.fig.bbox.extents), window.help_text.get_visible()])
    if key not in (None, "wait-end"):
        canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", canvas, key))
    log.append([key, anim.current, bool(window.paused), len(anim.history)])
    if key != "q":
        timer.start()

timer = canvas.new_timer(interval=100)
timer.single_shot = True
timer.add_callback(tick)
timer.start()
window.show()
print(json.dumps({"backend": matplotlib.get_backend(), "log": log,
                  "title": titles[0], "hint": window.hint.get_text(), "help_box": help_box}))
"""


# Real X key events through Tk's own bindings (focus forced on the canvas
# widget): checks matplotlib's key names reach the handler as expected.
TK_SCRIPT = r"""
import json
import matplotlib
matplotlib.use("TkAgg")
import gmm_window
import visualize_gmm

anim = visualize_gmm.animate(None, 3, max_iter=30, tol=0, random_state=0, n_points=200, n_true=3,
                             fps=20, interactive=True, soft=True).animator
canvas = anim.fig.canvas
window = gmm_window.LiveWindow(anim)
widget = canvas.get_tk_widget()
plan = ["space", "n", "Right", "Left", "p", "q"]
log = []

def tick():
    key = plan.pop(0)
    widget.focus_force()
    widget.event_generate("<KeyPress>", keysym=key, when="now")
    widget.event_generate("<KeyRelease>", keysym=key, when="now")
    log.append([key, anim.current, bool(window.paused)])
    if plan:
        timer.start()

timer = canvas.new_timer(interval=150)
timer.single_shot = True
timer.add_callback(tick)
timer.start()
window.show()
print(json.dumps(log))
"""


LIVE_WIDE = """
import numpy as np, gmm_window, visualize_gmm, window_driver
window_driver.close_after_last()
X = np.random.default_rng(0).normal(size=(200, 2)) * [4, 1]
anim = visualize_gmm.animate(X, 3, random_state=0, max_iter=2, tol=0, fps=20, interactive=True,
                             compare="kmeans", ll_panel=True).animator
seen = []
def check():
    w = anim.fig.canvas.get_tk_widget()
    w.update_idletasks()
    seen.append((w.winfo_width(), w.winfo_screenwidth(), anim.size[0]))
t = anim.fig.canvas.new_timer(interval=300); t.add_callback(check); t.start()
gmm_window.LiveWindow(anim).show()
print(seen[-1] if seen else None)
"""


def test_keys_step_pause_save_restart_in_process(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    anim = visualize_gmm.animate(None, 3, max_iter=6, tol=0, random_state=0, n_points=200,
                                 n_true=3, ll_panel=True).animator
    anim.show_state(0)
    window = gmm_window.LiveWindow(anim)
    _press(window, " ")
    assert window.paused
    _press(window, "n")
    _press(window, "right")
    assert anim.current == 2
    _press(window, "left")
    assert anim.current == 1
    _press(window, "p")
    _press(window, "p")                                   # already at 0: stays
    assert anim.current == 0
    for _ in range(10):
        _press(window, "n")
    assert anim.current == 6                            # stops at the last state
    _press(window, "s")
    assert os.listdir(tmp_path) == ["gmm_frame_6.png"]
    assert "gmm_frame_6.png" in capsys.readouterr().err
    img = Image.open(tmp_path / "gmm_frame_6.png")
    assert img.size == tuple(anim.size)
    first = anim.history[0].means.copy()
    _press(window, "r")
    assert anim.current == 0 and len(anim.history) == 1 and not window.paused
    assert not np.allclose(anim.history[0].means, first)        # new initialisation
    assert "seed 1" in capsys.readouterr().err
    # the restart is reproducible: seed + 1
    again = visualize_gmm.animate(None, 3, max_iter=6, tol=0, random_state=0, n_points=200,
                                  n_true=3).animator
    again.restart(again.fit.restart()[0])
    np.testing.assert_array_equal(again.state(0).means, anim.history[0].means)
    _press(window, "h")
    assert window.help_text.get_visible() and "gmm_frame_<iter>.png" in window.help_text.get_text()


def test_cli_restart_uses_seed_plus_r(tmp_path, captured_animator, capsys):
    assert main(SMALL + ["-i", "2", "-s", str(tmp_path / "x.png")]) == 0   # no -q: it
    capsys.readouterr()                                  # would silence the restart lines
    anim = captured_animator["anim"]
    X = anim.views[0].artist.get_offsets().data          # the drawn (2-D) data
    Z, centre, scale = gmm_transforms.standardise(X, per_column=False)  # sampled: one scale
    window = gmm_window.LiveWindow(anim)                 # the r key
    for r in (1, 2):
        window.restart()
        start = gmm_em.center_start(Z, 3, "full", np.random.default_rng(r))   # the default
        first = next(gmm.em_steps(Z, 3, max_iter=2, init=start))
        want = gmm_transforms.to_user_units(first, centre, scale).means
        np.testing.assert_allclose(anim.state(0).means, want, rtol=1e-9, atol=1e-9)
        assert f"restart {r}: EM from a new initialisation (seed {r})" in capsys.readouterr().err
    assert len(list(anim.indices())) == 3                # the restarted run plays to its end


def test_live_window_keys_under_xvfb(tmp_path, run_in_window):
    proc = run_in_window(["-c", LIVE_SCRIPT], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["backend"].lower() == "tkagg"
    log = {i: row for i, row in enumerate(result["log"])}
    paused_at = log[0][1]
    assert log[0][2] is True                                         # space pauses
    assert [log[i][1] for i in (1, 2, 3, 4)] == [paused_at + 1, paused_at + 2,
                                                  paused_at + 1, paused_at]
    assert os.listdir(tmp_path) == [f"gmm_frame_{paused_at}.png"]    # s
    assert log[6][2] is False                                        # space resumes
    assert log[7][0] == "wait-end" and log[7][1] == 12               # played to the end
    assert log[8][1] == 11 and log[8][2] is True                     # left steps back
    assert log[9][1] == 0 and log[9][3] == 1                         # r: a new run
    assert log[10][2] is True and log[10][1] >= 1                    # n while playing pauses
    assert re.search(r"restart 1: EM from a new initialisation", proc.stderr)
    assert "keys:" in proc.stderr                                    # h lists the keys
    assert result["title"] == "visualize_gmm: EM, k = 3, on test data"    # not "Figure 1"
    assert result["hint"] == "h: keys"
    text, box, figure, visible = result["help_box"]              # h: the keys' box shown,
    assert visible and _inside(text, box, pad=2.0) and _inside(box, figure)   # text inside


def test_live_window_real_tk_key_events_under_xvfb(tmp_path, run_in_window):
    proc = run_in_window(["-c", TK_SCRIPT], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    log = json.loads(proc.stdout.strip().splitlines()[-1])   # printed: q closed the window
    keys = [row[0] for row in log]
    assert keys == ["space", "n", "Right", "Left", "p", "q"]
    at = log[0][1]
    assert all(row[2] for row in log)                          # paused from the first key on
    assert [row[1] for row in log[1:5]] == [at + 1, at + 2, at + 1, at]


def test_screen_scale_fits_the_figure_in_the_screen():
    assert gmm_window.screen_scale((640, 624), (1280, 800)) == 1.0
    assert gmm_window.screen_scale((1552, 624), (1280, 800)) == pytest.approx(
        0.9 * 1280 / 1552)
    assert gmm_window.screen_scale((800, 1600), (1280, 800)) == pytest.approx(
        0.8 * 800 / 1600)
    assert gmm_window.screen_scale((5000, 5000), None) == 1.0


def test_live_window_is_scaled_down_to_fit_the_screen(tmp_path, run_in_window):
    proc = run_in_window(["-c", LIVE_WIDE], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    shown, screen, full = eval(proc.stdout.strip().splitlines()[-1])
    assert full > screen                       # the figure is wider than the Xvfb screen
    assert shown <= screen                     # (Tk may add its pixel ratio to 0.9)
    assert shown >= 0.85 * screen              # scaled, not shrunk more than needed


def test_help_box_is_an_aligned_column_that_fits_the_figure():
    lines = gmm_window.help_lines()
    column = max(len(keys) for keys, _ in gmm_options.KEYS) + 2
    for keys, what in gmm_options.KEYS:          # every description starts in one column
        line = next(line for line in lines if line.startswith(keys + " "))
        assert line[column:].startswith(what.split()[0]) and line[:column].strip() == keys
    assert all(line[:column].strip() == "" for line in lines[1:]
               if not any(line.startswith(k + " ") for k, _ in gmm_options.KEYS))
    for width, height, dpi in [(480, None, 100), (640, None, 100), (1920, None, 169.0),
                               (300, None, 60.0), (1920, 240, 39.5), (640, 640, 100)]:
        size = gmm_window.help_fontsize(lines, width, dpi, height_px=height)
        longest = max(len(line) for line in lines) + 3
        assert longest * 0.602 * size * dpi / 72 <= 0.88 * width + 1e-9 or size == 5.0
        if height is not None:
            assert (1.2 * len(lines) + 1.2) * size * dpi / 72 <= 0.88 * height + 1e-9
        assert size * min(dpi, 100) / 100 <= 9.0 + 1e-9       # at most 9 pt at 100 dpi
    # a low-dpi (small --size) figure keeps 9-point-at-100-dpi pixels when they fit
    assert gmm_window.help_fontsize(lines, 1920, 50.0, height_px=1080) == pytest.approx(18.0)


def test_window_title_names_the_tool_and_the_data():
    o = gmm_options.Options(n_components=3)
    assert gmm_window.window_title(o, "iris.csv") == "visualize_gmm: EM, k = 3, on iris.csv"
    titled = gmm_options.Options(n_components=3, title="Lecture 4")
    assert gmm_window.window_title(titled, "x.npy").startswith("Lecture 4 - visualize_gmm")


def _inside(inner, outer, pad=0.0):
    """Whether box ``inner`` (x0, y0, x1, y1) lies in ``outer`` with ``pad`` pixels to spare."""
    return (inner[0] >= outer[0] + pad and inner[1] >= outer[1] + pad
            and inner[2] <= outer[2] - pad and inner[3] <= outer[3] - pad)


@pytest.mark.parametrize("kwargs, screen_scale", [
    ({}, 1.0), ({"n_features": 1}, 1.0), ({"compare": "kmeans", "ll_panel": True}, 0.72),
    ({"size": (12.0, 3.0)}, 1.0), ({"size": (3.0, 8.0)}, 1.0), ({"size": (19.2, 10.8)}, 0.5),
    ({"size": (19.2, 2.4)}, 1.0), ({"size": (2.4, 6.0)}, 1.0)])
def test_help_box_text_stays_inside_its_box_and_the_box_inside_the_figure(kwargs, screen_scale):
    """The h box's text (its window extent) lies inside the box with padding on
    every side, and the box inside the figure: wide, short, tall and 1-D figures,
    and a figure shrunk to the screen (the live window sets a smaller dpi)."""
    anim = visualize_gmm.animate(None, 3, max_iter=2, random_state=4, n_points=200, n_true=3,
                                 **kwargs).animator
    window = gmm_window.LiveWindow(anim)
    anim.fig.set_dpi(anim.dpi * screen_scale)          # as LiveWindow.show on a small screen
    anim.show_state(0)
    _press(window, "h")
    anim.canvas.draw()
    renderer = anim.canvas.get_renderer()
    text = window.help_text
    pad = 0.5 * text.get_fontsize() * anim.fig.dpi / 72.0          # half a character's height
    text_box = text.get_window_extent(renderer).extents
    box = text.get_bbox_patch().get_window_extent(renderer).extents
    assert text.get_visible() and text.get_text().startswith("keys:")
    assert _inside(text_box, box, pad=pad), (text_box, box, pad)
    assert _inside(box, anim.fig.bbox.extents), (box, anim.fig.bbox.extents)
