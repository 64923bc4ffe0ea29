"""The live window's mouse restarts in a real TkAgg window under Xvfb.

One run feeds matplotlib's MouseEvent/KeyEvent objects to the real Tk
canvas (every action, checked in the child); one runs the command line and
clicks on the window with ``xdotool`` (real X events through Tk), checking
the ``--print_ll`` transcript and ``--save-params`` against what was clicked.
No step waits a fixed time: the child says where to click once the window is
drawn, and X delivers the queued events in order.
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import gmm
from child_env import python_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# matplotlib events on the real canvas, one action per timer tick; the child
# checks each against the window's state and prints what it found
EVENTS_SCRIPT = r"""
import json
import numpy as np
import matplotlib
matplotlib.use("TkAgg")
import gmm_window, visualize_gmm, window_driver

anim = visualize_gmm.animate(None, 3, max_iter=15, tol=0, random_state=0, n_points=200,
                             n_true=3, fps=20, interactive=True, ll_panel=True)
canvas = anim.fig.canvas
window = gmm_window.LiveWindow(anim, quiet=True)
found = {}

key, mouse = window_driver.key_sender(canvas), window_driver.mouse_sender(anim)

def place():
    key("i")
    found["clicked"] = [mouse(xy) for xy in [(1.0, -1.0), (4.0, 2.0)]]
    key("enter")                                    # the third mean by k-means++
    found["started"] = anim.state(0).means.tolist()
    found["note"] = window.mouse.note.text.get_text()
    found["title"] = canvas.manager.get_window_title()

def drag():
    key("n")
    shown = anim.state(anim.current)
    a = mouse(shown.means[2])
    mouse(shown.means[2] + [1.0, 0.0], "motion_notify_event")
    b = mouse(shown.means[2] + [2.0, 1.0], "button_release_event")
    found["dragged"] = [shown.means.tolist(), a, b, anim.state(0).means.tolist()]

def edit():
    n = len(anim.fit.points)
    found["added"] = mouse((9.0, 3.0), modifiers=frozenset({"shift"}))
    found["points"] = [n, len(anim.fit.points), anim.fit.points[-1].tolist()]
    found["title_edited"] = canvas.manager.get_window_title()
    key("r")
    found["restored"] = [len(anim.fit.points), canvas.manager.get_window_title(),
                         window.mouse.note.text.get_text()]

plan = [place, drag, edit, lambda: key("q")]
window_driver.run_plan(canvas, plan)
window.title = "visualize_gmm: test"
window.show()
print(json.dumps(found))
"""


def test_mouse_events_on_the_real_tk_canvas(tmp_path, run_in_window):
    proc = run_in_window(["-c", EVENTS_SCRIPT], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    started = np.array(found["started"])
    np.testing.assert_allclose(started[:2], found["clicked"], rtol=1e-12, atol=1e-12)
    assert found["note"] == "start: 2 clicked + 1 k-means++"
    shown, a, b, after = (np.array(v) for v in found["dragged"])
    want = shown.copy()
    want[2] += b - a
    np.testing.assert_allclose(after, want, rtol=1e-12, atol=1e-12)
    n, n_after, last = found["points"]
    assert n_after == n + 1 and last == found["added"]
    assert found["title_edited"] == "visualize_gmm: test (data edited: +1 / -0 points)"
    assert found["restored"] == [n, "visualize_gmm: test", ""]


# the 1-D scene (Old Faithful's eruption times) in the real window: clicked x's,
# a point added (the histogram redrawn), the + dragged along the axis
EVENTS_1D_SCRIPT = r"""
import json, sys
import numpy as np
import matplotlib
matplotlib.use("TkAgg")
import gmm_window, visualize_gmm, window_driver

X = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)[:, :1]
anim = visualize_gmm.animate(X, 2, max_iter=15, tol=0, random_state=0, fps=20,
                             interactive=True)
canvas = anim.fig.canvas
window = gmm_window.LiveWindow(anim, quiet=True)
found = {}

key, mouse = window_driver.key_sender(canvas), window_driver.mouse_sender(anim)

def place():
    key("i")
    found["clicked"] = [mouse(xy)[0] for xy in [(2.0, 0.4), (4.0, -0.05)]]
    found["started"] = anim.state(0).means[:, 0].tolist()
    found["note"] = window.mouse.note.text.get_text()

def edit():
    key("n")
    found["added"] = mouse((5.2, 0.3), modifiers=frozenset({"shift"}))[0]
    found["points"] = anim.fit.points[:, 0].tolist()
    found["density"] = anim.scene.histogram.density.tolist()

def drag():
    key("n")
    x = anim.state(anim.current).means[0, 0]
    a = mouse((x, 0.0))[0]
    b = mouse((x + 0.5, 0.2), "button_release_event")[0]
    found["dragged"] = [x, a, b, anim.state(0).means[0, 0]]

plan = [place, edit, drag, lambda: key("q")]
window_driver.run_plan(canvas, plan)
window.show()
print(json.dumps(found))
"""


def test_mouse_events_on_the_real_tk_canvas_in_1d(tmp_path, run_in_window):
    proc = run_in_window(["-c", EVENTS_1D_SCRIPT, os.path.join(ROOT, "examples", "faithful.csv")],
                         cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(found["started"], found["clicked"], rtol=1e-12, atol=1e-12)
    assert found["note"] == "start: clicked"
    points = np.array(found["points"])
    assert len(points) == 273 and points[-1] == found["added"]
    density, _ = np.histogram(points, bins="auto", density=True)
    np.testing.assert_allclose(found["density"], density, rtol=1e-12)
    x, a, b, after = found["dragged"]
    assert after == pytest.approx(x + (b - a), rel=1e-12, abs=1e-12)


# The command line in a TkAgg window: once the window is drawn, say (stderr
# READY) where on the screen the given data points are; record each restart's
# state 0 and every mouse press the handler saw.
DRIVER = r"""
import json, sys
import gmm_mouse, gmm_window, visualize_gmm

targets = json.loads(sys.argv[1])
pressed, starts = [], []
on_press, play_from, show = (gmm_mouse.MouseControl.on_press, gmm_window.LiveWindow.play_from,
                             gmm_window.LiveWindow.show)

def record_press(self, event):
    pressed.append([event.xdata, event.ydata])
    return on_press(self, event)

def record_start(self, states, how):
    play_from(self, states, how)
    starts.append([how, self.anim.state(0).means.tolist(), len(self.anim.fit.points)])

def patched_show(self):
    canvas = self.fig.canvas
    def ready(event):
        canvas.mpl_disconnect(cid)
        widget = canvas.get_tk_widget()
        widget.update_idletasks()
        widget.focus_force()                    # no window manager gives it the focus
        height = widget.winfo_height()
        where = [[int(round(widget.winfo_rootx() + px)),
                  int(round(widget.winfo_rooty() + height - py))]
                 for px, py in self.anim.ax.transData.transform(targets)]
        print("READY " + json.dumps(where), file=sys.stderr, flush=True)
    cid = canvas.mpl_connect("draw_event", ready)
    result = show(self)
    print("RESULT " + json.dumps({"pressed": pressed, "starts": starts}), file=sys.stderr)
    return result

gmm_mouse.MouseControl.on_press = record_press
gmm_window.LiveWindow.play_from = record_start
gmm_window.LiveWindow.show = patched_show
sys.exit(visualize_gmm.main(sys.argv[2:]))
"""


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool not installed")
def test_xdotool_clicks_place_the_means_and_add_a_point(tmp_path, xvfb_display):
    env = dict(os.environ, DISPLAY=xvfb_display, MPLBACKEND="TkAgg",
               PYTHONPATH=python_path(os.path.join(ROOT, "tests")))
    targets = [[2.0, 0.0], [8.0, 2.0], [3.0, -6.0], [2.5, 0.0]]
    cmd = [sys.executable, "-c", DRIVER, json.dumps(targets), "-k", "3", "-m", "3", "-N", "200",
           "--seed", "0", "-i", "30", "--print_ll", "--save-params", "p.json"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not (lines and lines[-1].startswith("READY")):      # blocks until drawn
            line = proc.stderr.readline()
            assert line, "the window never drew: " + "".join(lines)
            lines.append(line)
        where = json.loads(lines[-1].split(" ", 1)[1])

        def xdo(*args):
            subprocess.run(["xdotool", *map(str, args)], env=env, check=True, timeout=30)

        xdo("mousemove", *where[0], "key", "i")
        for x, y in where[:3]:
            xdo("mousemove", x, y, "click", "1")
        xdo("mousemove", *where[3], "keydown", "shift", "click", "1", "keyup", "shift")
        xdo("key", "q")
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    result = json.loads(next(line for line in err.splitlines() if line.startswith("RESULT "))
                        .split(" ", 1)[1])
    pressed = np.array(result["pressed"])
    (how1, means1, n1), (how2, means2, n2) = result["starts"]
    # the clicked data coordinates (to rounding: they pass through the fit's units)
    np.testing.assert_allclose(means1, pressed[:3], rtol=1e-12, atol=1e-12)
    per_px = 20.0 / 400                                    # generous: about 20 units, 400 px
    np.testing.assert_allclose(pressed, targets, atol=2 * per_px)
    assert how1.startswith("clicked means")
    assert how2.startswith("point added at") and n2 == n1 + 1 == 201
    # the transcript: each restart's line right before its iteration 0
    text = out.splitlines()
    starts = [i for i, line in enumerate(text) if line.startswith("restart: ")]
    assert [text[i] for i in starts] == [f"restart: {how1}", f"restart: {how2}"]
    assert all(text[i + 1].startswith("iteration   0 ") for i in starts)
    # --save-params on quit holds the edited run: its history is the last transcript
    last_run = [float(line.split()[-1]) for line in text[starts[1] + 1:]]
    saved = gmm.load_params(str(tmp_path / "p.json"))
    np.testing.assert_allclose(saved["log_likelihood_history"], last_run, atol=1e-6)
    assert len(last_run) >= 2
