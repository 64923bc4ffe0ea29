"""gmm_writers: the frame clock the GIF and HTML writers share.
"""
import io
import re

import numpy as np
from PIL import Image
from hypothesis import given, settings
from hypothesis import strategies as st

import gmm_writers


# ---------------------------------------------------------------------------
# Frame timing shared by the GIF and HTML writers (gmm_writers)
# ---------------------------------------------------------------------------
def _reference_delays(n, fps, ticks, minimum, hold):
    """Frame i ends at round((i+1) * ticks / fps), each delay >= minimum (a late
    frame is caught up later), the last holds ``hold`` s more."""
    out, done = [], 0
    for i in range(n):
        delay = max(int(round((i + 1) * ticks / fps)) - done, minimum)
        done += delay
        out.append(delay)
    out[-1] += int(round(hold * ticks))
    return out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 12), fps=st.sampled_from([0.5, 3.0, 7.3, 10.0, 30.0, 80.0, 120.0, 1000.0]))
def test_gif_and_html_writers_share_the_frame_clock(n, fps):

    quant = gmm_writers.PaletteQuantizer(np.array([[0.8, 0.1, 0.1]]))
    frames = [np.full((4, 6, 3), 20 * i, dtype=np.uint8) for i in range(n)]
    gif, page = io.BytesIO(), io.BytesIO()
    writers = [gmm_writers.GifWriter(gif, (6, 4), fps, quant),
               gmm_writers.HtmlWriter(page, (6, 4), fps, quant)]
    for w in writers:
        for rgb in frames:
            w.add(rgb)
        w.finish()
        assert w.n_frames == n
    gif.seek(0)
    with Image.open(gif) as im:
        durations = []
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
    assert durations == [10 * d for d in _reference_delays(n, fps, 100, 2, 1.0)]
    html = page.getvalue().decode()
    played = [int(d) for d in re.search(r"var D = \[([\d,]*)\];", html).group(1).split(",")]
    assert played == _reference_delays(n, fps, 1000, 1, 1.0)


# ---------------------------------------------------------------------------
# The Writer protocol: every writer of WRITERS declares it
# ---------------------------------------------------------------------------
def test_every_writer_is_a_writer_and_writes_a_readable_file(tmp_path):
    frames = [np.full((32, 48, 3), v, dtype=np.uint8) for v in (0, 128, 255)]
    colors = np.array([[0.0, 0.0, 0.0], [128 / 255] * 3, [1.0, 1.0, 1.0]])
    for ext, (cls, wants_path) in gmm_writers.WRITERS.items():
        path = tmp_path / f"a{ext}"
        quantizer = gmm_writers.PaletteQuantizer(colors) if ext in (".gif", ".html") else None
        with open(path, "wb") as fp:
            if wants_path:
                fp.close()
            writer = cls(str(path) if wants_path else fp, (48, 32), 10.0, quantizer)
            assert isinstance(writer, gmm_writers.Writer), ext
            for frame in frames if writer.needs_every_frame else frames[-1:]:
                writer.add(frame)
            writer.finish()
        assert path.stat().st_size > 0
        if ext == ".gif":
            with Image.open(path) as gif:
                assert gif.n_frames == 3 and gif.size == (48, 32)
        if ext == ".png":
            with Image.open(path) as png:
                assert png.size == (48, 32)
                assert np.asarray(png.convert("RGB"))[0, 0].tolist() == [255, 255, 255]
    assert not isinstance(object(), gmm_writers.Writer)
