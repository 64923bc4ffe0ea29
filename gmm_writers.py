"""Frame writers for gmm-visualizer: GIF, MP4, HTML and PNG, streamed and atomic.

Each writer takes finished RGB frames one at a time (``add(rgb)``), never
holds the whole animation, and writes into a temporary file that
:class:`gmm_atomic.AtomicFile` renames into place only when everything succeeded.
``WRITERS`` maps a file extension to its writer class; every writer is a
:class:`Writer`; :func:`check_save_path` refuses a ``--save`` target before any work.
"""

import base64
import io
import os
import shutil
import tempfile
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import GifImagePlugin, Image

from gmm_atomic import target_problem
from gmm_cli import UsageError

__all__ = ["Writer", "PaletteQuantizer", "GifWriter", "HtmlWriter", "Mp4Writer", "PngWriter",
           "WRITERS", "SUPPORTED_EXTENSIONS", "HOLD_SECONDS", "mp4_problem", "even_pixels",
           "check_save_path"]

HOLD_SECONDS = 1.0            # saved animations hold the last frame this long


@runtime_checkable
class Writer(Protocol):
    """What :meth:`gmm_animator.Animator.save` needs of a writer.

    Made as ``WriterType(target, size, fps, quantizer)``: ``target`` an open
    binary file, or a path for the writers that :data:`WRITERS` marks so;
    ``size`` (width, height) in pixels; ``quantizer`` a
    :class:`PaletteQuantizer` for palette formats (else None).

    Attributes
    ----------
    needs_every_frame : bool
        False: only the last frame is written (``add`` is called once).
    """

    needs_every_frame: bool

    def add(self, rgb):
        """Take the next frame, an (H, W, 3) uint8 array."""

    def finish(self):
        """Write what is still held (the last frame's hold, a trailer)."""

    def abort(self):
        """Give up after an error: release resources, write nothing more."""

def extension(path):
    return os.path.splitext(path)[1].lower()


def even_pixels(length):
    """Whole pixels for a figure side of ``length`` pixels (inches x dpi): the nearest
    whole number (halves up, and 1e-6 of float error forgiven, so 10.8 x 100 is 1080),
    then down to an even number, at least 2. H.264 video (yuv420p) needs even sides;
    every format gets the same size, so ``--size 3.01 3.01`` is 300 x 300 pixels."""
    whole = int(np.floor(float(length) + 0.5 + 1e-6))
    return max(2, whole - whole % 2)


# --------------------------------------------------------------------------- #
# Writers: streamed frames, one temp file, renamed into place by the animator
# --------------------------------------------------------------------------- #

class PaletteQuantizer:
    """Map RGB frames to a fixed 256-colour palette with a lookup table.

    The palette holds grays plus each component colour blended with white at
    several strengths (points are translucent), so a frame is quantised with
    one table lookup per pixel and GIF frames share one global palette.

    Parameters
    ----------
    colors : ndarray, shape (k, 3 or 4)
        Component colours in [0, 1].
    """

    BITS = 5

    def __init__(self, colors):
        colors = np.asarray(colors, dtype=float)[:, :3]
        grays = np.linspace(0.0, 1.0, 32)[:, None].repeat(3, axis=1)
        k = len(colors)
        levels = (256 - len(grays)) // max(k, 1)
        if levels >= 3:
            levels = min(levels, 10)
            strength = np.linspace(0.12, 1.0, levels)
            blends = (strength[None, :, None] * colors[:, None, :]
                      + (1 - strength[None, :, None]))
            entries = np.concatenate([grays, blends.reshape(-1, 3)])
        else:      # very many components: a generic colour cube
            axis6 = np.linspace(0.0, 1.0, 6)
            cube = np.stack(np.meshgrid(axis6, axis6, axis6, indexing="ij"), -1).reshape(-1, 3)
            entries = np.concatenate([cube, grays[1:-1:8]])
        palette = np.zeros((256, 3))
        palette[: len(entries)] = entries[:256]
        self.palette = np.round(255 * palette).astype(np.uint8)
        n_used = min(len(entries), 256)
        # nearest palette entry for the centre of every (5-bit)^3 colour cell
        step = 1 << (8 - self.BITS)
        cell = np.arange(0, 256, step) + step / 2.0
        grid = np.stack(np.meshgrid(cell, cell, cell, indexing="ij"), -1).reshape(-1, 3)
        pal = self.palette[:n_used].astype(np.float32)
        lut = np.empty(len(grid), dtype=np.uint8)
        for start in range(0, len(grid), 8192):
            g = grid[start:start + 8192].astype(np.float32)
            dist = (g * g).sum(1)[:, None] - 2 * g @ pal.T + (pal * pal).sum(1)[None, :]
            lut[start:start + 8192] = dist.argmin(axis=1)
        self.lut = lut

    def __call__(self, rgb):
        """Palette indices, shape (H, W) uint8, of an (H, W, 3) uint8 frame."""
        shift = 8 - self.BITS
        key = np.right_shift(rgb[..., 0], shift, dtype=np.uint16)   # r, then g and b shifted in,
        for c in (1, 2):                                             # in place (one temporary)
            key <<= self.BITS
            key |= rgb[..., c] >> shift
        return self.lut[key]


class _FrameClock:
    """Integer per-frame delays in ticks (``ticks_per_second``) that track exact times.

    Frame i should end at round((i + 1) * ticks_per_second / fps); each delay
    is at least ``minimum`` ticks and a frame made late by that minimum is
    caught up by the following ones. Works frame by frame, so a streaming
    writer need not know the number of frames.
    """

    def __init__(self, fps, ticks_per_second, minimum=1):
        self.fps = float(fps)
        self.ticks_per_second = ticks_per_second
        self.minimum = minimum
        self.n_frames = 0
        self.done = 0

    def next_delay(self):
        """Delay of the next frame, in ticks."""
        end = int(round((self.n_frames + 1) * self.ticks_per_second / self.fps))
        delay = max(end - self.done, self.minimum)
        self.done += delay
        self.n_frames += 1
        return delay


def _frame_delays(n_frames, fps, hold, ticks_per_second, minimum=1):
    """Delays (n_frames,) int in ticks from :class:`_FrameClock`; the last also holds ``hold`` s."""
    clock = _FrameClock(fps, ticks_per_second, minimum)
    delays = np.array([clock.next_delay() for _ in range(n_frames)], dtype=np.int64)
    if n_frames:
        delays[-1] += int(round(hold * ticks_per_second))
    return delays


class _StreamWriter:
    """What the GIF and HTML writers share: an open binary file, frame size,
    rate, hold, palette quantizer and a frame count; ``abort`` has nothing to
    undo (the temp file is removed by :class:`gmm_atomic.AtomicFile`)."""

    needs_every_frame = True

    def __init__(self, fp, size, fps, quantizer, hold=HOLD_SECONDS):
        self.fp = fp
        self.size = size
        self.fps = float(fps)
        self.hold = hold
        self.quantize = quantizer
        self.n_frames = 0

    def abort(self):
        pass


class GifWriter(_StreamWriter):
    """Animated GIF written frame by frame with Pillow's LZW encoder.

    One global palette (:class:`PaletteQuantizer`), each frame stored as the
    rectangle that changed since the previous one, loops forever; the last
    frame is held ``hold`` seconds longer. Only the previous frame is kept.
    Delays are in centiseconds, at least 2 (browsers play shorter ones slowly).
    """

    def __init__(self, fp, size, fps, quantizer, hold=HOLD_SECONDS):
        super().__init__(fp, size, fps, quantizer, hold)
        self._prev = None
        self._pending = None
        self._clock = _FrameClock(self.fps, 100, minimum=2)

    def _header(self):
        w, h = self.size
        head = (b"GIF89a" + w.to_bytes(2, "little") + h.to_bytes(2, "little")
                + bytes([0xF7, 0, 0]) + self.quantize.palette.tobytes())
        loop = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
        self.fp.write(head + loop)

    def _delay(self, last):
        delay = self._clock.next_delay()
        if last:
            delay += int(round(self.hold * 100))
        return min(delay, 65535)

    def _flush(self, last):
        crop, offset = self._pending
        h, w = crop.shape
        im = Image.frombytes("P", (w, h), np.ascontiguousarray(crop).tobytes())
        delay = self._delay(last)
        for chunk in GifImagePlugin.getdata(im, offset=offset, duration=10 * delay):
            self.fp.write(chunk)
        self.n_frames += 1
        self._pending = None

    def add(self, rgb):
        idx = self.quantize(rgb)
        if self._prev is None:
            self._header()
            self._pending = (idx, (0, 0))
        else:
            self._flush(last=False)
            changed = idx != self._prev
            rows = np.flatnonzero(changed.any(axis=1))
            if len(rows) == 0:          # identical frame: keep it as a 1-pixel frame
                self._pending = (idx[:1, :1], (0, 0))
            else:
                cols = np.flatnonzero(changed.any(axis=0))
                r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
                self._pending = (idx[r0:r1, c0:c1], (int(c0), int(r0)))
        self._prev = idx

    def finish(self):
        if self._pending is not None:
            self._flush(last=True)
        self.fp.write(b";")


class HtmlWriter(_StreamWriter):
    """One self-contained HTML file: PNG frames as base64 and a tiny JS player.

    Frames are written as they come; the player (play/pause, step, slider)
    follows per-frame delays, the last one holding ``hold`` seconds longer.
    """

    def __init__(self, fp, size, fps, quantizer, hold=HOLD_SECONDS):
        super().__init__(fp, size, fps, quantizer, hold)
        w, h = size
        self._write(_HTML_HEAD.replace("{W}", str(w)).replace("{H}", str(h)))

    def _write(self, text):
        self.fp.write(text.encode("utf-8"))

    def add(self, rgb):
        idx = self.quantize(rgb)
        h, w = idx.shape
        im = Image.frombytes("P", (w, h), np.ascontiguousarray(idx).tobytes())
        im.putpalette(self.quantize.palette.tobytes())
        buf = io.BytesIO()
        im.save(buf, format="PNG", compress_level=6)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        self._write(f'F.push("data:image/png;base64,{data}");\n')
        self.n_frames += 1

    def finish(self):
        delays = _frame_delays(self.n_frames, self.fps, self.hold, 1000)
        self._write("</script>\n<script>\nvar D = [" + ",".join(str(int(d)) for d in delays)
                    + "];\n" + _HTML_PLAYER + "</script>\n</body>\n</html>\n")


_HTML_HEAD = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>EM fitting a Gaussian mixture</title>
<style>
body { font-family: sans-serif; margin: 1em; }
#frame { width: {W}px; height: {H}px; image-rendering: auto; display: block; }
#controls { margin-top: 0.5em; display: flex; gap: 0.4em; align-items: center; }
#slider { width: {W}px; max-width: 60vw; }
</style>
</head>
<body>
<img id="frame" alt="EM iteration frame">
<div id="controls">
<button id="prev" title="previous frame">&#9664;&#9664;</button>
<button id="play" title="play / pause">pause</button>
<button id="next" title="next frame">&#9654;&#9654;</button>
<input id="slider" type="range" min="0" max="0" value="0">
<span id="label"></span>
</div>
<script>
var F = [];
"""

_HTML_PLAYER = """(function () {
  var img = document.getElementById("frame"), slider = document.getElementById("slider");
  var label = document.getElementById("label"), play = document.getElementById("play");
  var i = 0, timer = null;
  slider.max = Math.max(F.length - 1, 0);
  function show(j) {
    i = Math.max(0, Math.min(F.length - 1, j));
    img.src = F[i]; slider.value = i; label.textContent = "frame " + (i + 1) + " / " + F.length;
  }
  function tick() { show((i + 1) % F.length); timer = setTimeout(tick, D[i]); }
  function stop() { if (timer) { clearTimeout(timer); timer = null; } play.textContent = "play"; }
  function start() { stop(); play.textContent = "pause"; timer = setTimeout(tick, D[i]); }
  play.onclick = function () { if (timer) { stop(); } else { start(); } };
  document.getElementById("prev").onclick = function () { stop(); show(i - 1); };
  document.getElementById("next").onclick = function () { stop(); show(i + 1); };
  slider.oninput = function () { stop(); show(parseInt(slider.value, 10)); };
  if (F.length) { show(0); start(); }
})();
"""


class Mp4Writer:
    """H.264 MP4 through the ffmpeg binary shipped by ``imageio-ffmpeg``.

    Frames are piped to ffmpeg as they come; the last frame is repeated
    ``round(hold * fps)`` times. Frames are written at their own size
    (no rescaling to multiples of 16); a frame with an odd side, which
    H.264's yuv420p cannot hold, gets its last row or column repeated.
    """

    needs_every_frame = True

    def __init__(self, path, size, fps, quantizer=None, hold=HOLD_SECONDS):
        import imageio_ffmpeg

        self.path = path
        self.fps = float(fps)
        self.hold = hold
        self.n_frames = 0
        self._last = None
        self._pad = (size[0] % 2, size[1] % 2)
        size = (size[0] + self._pad[0], size[1] + self._pad[1])
        self._gen = imageio_ffmpeg.write_frames(
            path, size, fps=self.fps, codec="libx264", quality=8, macro_block_size=1,
            ffmpeg_log_level="quiet", pix_fmt_in="rgb24", pix_fmt_out="yuv420p")
        self._gen.send(None)

    def _send(self, frame):
        try:
            self._gen.send(frame)
        except OSError as exc:  # imageio-ffmpeg appends the whole command line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no reason given"
            raise OSError(f"ffmpeg stopped accepting frames ({first})") from None

    def add(self, rgb):
        frame = np.ascontiguousarray(rgb)
        if any(self._pad):
            frame = np.pad(frame, ((0, self._pad[1]), (0, self._pad[0]), (0, 0)), mode="edge")
        self._send(frame)
        self._last = frame
        self.n_frames += 1

    def finish(self):
        if self._last is not None:
            for _ in range(max(1, int(round(self.hold * self.fps)))):
                self._send(self._last)
        self._gen.close()
        # imageio-ffmpeg does not check ffmpeg's exit status (and ffmpeg runs
        # with its messages off, so an error is our one line): check the file
        problem = mp4_problem(self.path)
        if problem is not None:
            raise OSError(f"ffmpeg did not produce a complete .mp4 ({problem}); the disk may "
                          "be full, or ffmpeg failed: check the ffmpeg install or save a .gif")

    def abort(self):
        try:
            self._gen.close()
        except Exception:       # ffmpeg may already be gone (e.g. after Ctrl-C)
            pass


def mp4_problem(path):
    """Why the file at ``path`` is not a complete MP4, as a short phrase, or None.

    Walks the top-level boxes: the first is ``ftyp``, each size fits in the
    file and they add up to its length exactly (a file cut short by a full
    disk or a dying ffmpeg fails this), and ``moov`` (the index a player
    needs, written last) and a non-empty ``mdat`` (the frames) are there.
    """
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            length = fh.tell()
            fh.seek(0)
            boxes, offset = {}, 0
            while offset < length:
                head = fh.read(8)
                if len(head) < 8:
                    return f"a box header is cut off at byte {offset}"
                size, kind = int.from_bytes(head[:4], "big"), head[4:8]
                header = 8
                if size == 1:                   # a 64-bit size follows
                    more = fh.read(8)
                    if len(more) < 8:
                        return f"a box header is cut off at byte {offset}"
                    size, header = int.from_bytes(more, "big"), 16
                elif size == 0:                 # the box runs to the end of the file
                    size = length - offset
                if size < header or offset + size > length:
                    return f"the {kind.decode('latin-1')!r} box runs past the end of the file"
                if not boxes and kind != b"ftyp":
                    return "it does not start with an 'ftyp' box"
                boxes[kind] = boxes.get(kind, 0) + size - header
                offset += size
                fh.seek(offset)
    except OSError as exc:
        return f"cannot read it back: {exc.strerror or exc}"
    if not boxes:
        return "it is empty"
    if b"moov" not in boxes:
        return "it has no 'moov' index"
    if not boxes.get(b"mdat"):
        return "it holds no frames"
    return None


class PngWriter:
    """The final frame as a PNG."""

    needs_every_frame = False

    def __init__(self, fp, size, fps=None, quantizer=None, hold=None):
        self.fp = fp
        self.n_frames = 0
        self._last = None

    def add(self, rgb):
        self._last = np.array(rgb, dtype=np.uint8, copy=True)
        self.n_frames = 1

    def finish(self):
        Image.fromarray(self._last, mode=None).save(self.fp, format="PNG")

    def abort(self):
        pass


#: extension -> (writer class, writes to a path (True) or an open binary file)
WRITERS = {
    ".gif": (GifWriter, False),
    ".mp4": (Mp4Writer, True),
    ".html": (HtmlWriter, False),
    ".png": (PngWriter, False),
}
SUPPORTED_EXTENSIONS = tuple(WRITERS)


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
