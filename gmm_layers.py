"""Artists drawn from cached pixels: what an animation draws every frame but rarely changes.

Each frame redraws everything above the lowest changed artist, so a fixed
legend over moving ellipses, or a header line whose numbers change, is drawn
at every frame. Through matplotlib that costs a layout and every glyph again
(a legend about 20 ms; a text line about 0.1 ms per character). The wrappers
here keep the pixels instead and blend them into an Agg canvas:

- :class:`Prerendered`: an artist that does not change, drawn once into its own
  transparent layer;
- :class:`GlyphText`: a one-line text (a monospace header) put together from
  cached images of its characters, each checked against matplotlib's own
  drawing of the same line.

A blend is ``dst + (src - dst) * alpha``, rounded, per channel: the same as
drawing in place up to a level or two of rounding. Any other canvas (a vector
backend) gets the wrapped artist drawn as usual.
"""

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.font_manager import findfont
from matplotlib.text import Text

__all__ = ["GlyphText", "Prerendered", "transparent_layer"]


def transparent_layer(artist, width, height, dpi):
    """``artist`` drawn alone on a transparent ``width`` x ``height`` Agg canvas.

    Returns
    -------
    row, col : int
        Top-left pixel of the bounding box of its drawn pixels.
    rgb : ndarray, shape (h, w, 3)
        Their colours (0-255, float).
    alpha : ndarray, shape (h, w, 1)
        Their opacity in [0, 1]; (0, 0, ...) shapes when nothing was drawn.
    """
    layer = RendererAgg(int(width), int(height), dpi)
    artist.draw(layer)
    rgba = np.asarray(layer.buffer_rgba())
    rows, cols = np.nonzero(rgba[..., 3].any(axis=1))[0], np.nonzero(rgba[..., 3].any(axis=0))[0]
    if not len(rows):
        return 0, 0, np.zeros((0, 0, 3)), np.zeros((0, 0, 1))
    box = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].astype(float)
    return int(rows[0]), int(cols[0]), box[..., :3], box[..., 3:] / 255.0


def _overlap(shape, row, col, h, w):
    """(frame slices, source slices) of an (h, w) patch with its top-left pixel at
    (``row``, ``col``) inside a frame of ``shape``; None when no pixel is inside."""
    r0, c0 = max(row, 0), max(col, 0)
    r1, c1 = min(row + h, shape[0]), min(col + w, shape[1])
    if r0 >= r1 or c0 >= c1:
        return None
    return np.s_[r0:r1, c0:c1], np.s_[r0 - row:r1 - row, c0 - col:c1 - col]


def blend(frame, row, col, pixels):
    """Blend ``pixels`` (:class:`Premultiplied`) into ``frame`` (an (H, W, 4) uint8
    canvas) with their top-left pixel at (``row``, ``col``); the parts outside the
    frame are left out."""
    where = _overlap(frame.shape, row, col, *pixels.keep.shape[:2])
    if where is not None:
        dst = frame[where[0]][..., :3]
        mixed = dst * pixels.keep[where[1]]
        mixed += pixels.colour[where[1]]
        dst[...] = np.rint(mixed, out=mixed)


class Premultiplied:
    """Pixels ready to blend: ``colour`` = rgb * alpha (h, w, 3) and ``keep`` =
    1 - alpha (h, w, 1), in float32 (a blend is then one multiply and one add)."""

    def __init__(self, rgb, alpha):
        self.colour = np.asarray(rgb * alpha, dtype=np.float32)
        self.keep = np.asarray(1.0 - alpha, dtype=np.float32)


class _CachedArtist(Artist):
    """Stands for ``artist`` in a frame's artist list: its z-order, staleness,
    animated flag and removal are the artist's."""

    def __init__(self, artist):
        super().__init__()
        self.artist = artist
        self.set_zorder(artist.get_zorder())

    @property
    def stale(self):
        """Whether the artist changed since it was last drawn."""
        return self.artist.stale

    @stale.setter
    def stale(self, value):
        """(Matplotlib marks the wrapper itself; what counts is the artist.)"""

    def set_animated(self, b):
        """Left out of the background layer, as the artist itself."""
        self.artist.set_animated(b)
        super().set_animated(b)

    def remove(self):
        self.artist.remove()


class Prerendered(_CachedArtist):
    """An artist that does not change, drawn once into its own transparent layer and
    then blended over each frame (the animator draws it every frame, over moving marks).

    Its layer is drawn again once the artist changes (e.g. a new location) or
    the canvas' size or dpi does.

    Parameters
    ----------
    artist : matplotlib.artist.Artist
        The artist drawn (in the figure: it keeps its place, z-order and
        ``remove``); only its cached pixels reach an Agg canvas.
    """

    def __init__(self, artist):
        super().__init__(artist)
        self._layer = None          # (size key, row, column, Premultiplied or None)

    def draw(self, renderer):
        """Blend the cached layer into ``renderer``'s pixels."""
        if not self.artist.get_visible():
            return
        if not isinstance(renderer, RendererAgg):        # e.g. a vector backend: no pixels
            self.artist.draw(renderer)
            return
        key = (renderer.width, renderer.height, renderer.dpi)
        if self._layer is None or self.artist.stale or self._layer[0] != key:
            row, col, rgb, alpha = transparent_layer(self.artist, *key)
            self._layer = (key, row, col, Premultiplied(rgb, alpha) if rgb.size else None)
        _, row, col, pixels = self._layer
        if pixels is not None:
            blend(np.asarray(renderer.buffer_rgba()), row, col, pixels)


class GlyphText(_CachedArtist):
    """A one-line :class:`matplotlib.text.Text` drawn from cached images of its characters.

    For a text whose characters all advance by the same whole number of
    pixels (a monospace font, hinted as matplotlib hints it), character ``i``
    of a line is the character drawn alone, moved by a whole number of
    advances; a frame then costs one blend of the line put together from the
    cache instead of a layout and a rasterisation per character. New
    characters are cut from one drawing of them spaced apart, and join the
    cache only once a line of them (between an ``l`` and a ``p``, whose
    heights and depths set a line's) put together from the cache matches
    matplotlib's drawing of that line, pixel for pixel (to a level or two of
    rounding where small glyphs overlap: Agg rounds after each): a character that
    moves the line (taller or deeper, such as a parenthesis in some fonts)
    is never cached. A line holding a character not cached, or a text this
    cannot copy (several lines, math, rotation, centred, a box, path
    effects, usetex, wrapping, clipping, a vector canvas), is drawn by
    matplotlib as usual.

    Parameters
    ----------
    text : matplotlib.text.Text
        The text drawn (in the figure: its string, font and place are read
        at each draw).
    """

    #: the characters a line may be put together from
    CACHEABLE = frozenset(chr(c) for c in range(32, 127))

    def __init__(self, text):
        super().__init__(text)
        self._probe = None          # an unattached copy of the text, drawn on its own
        self._key = None            # the canvas and text style the glyphs were cut for
        self._advance = None        # pixels per character, when a whole number
        self._anchor_x = None       # the text's x on the canvas, pixels
        self._rgb = None            # its colour, 0-255
        self._glyphs = {}           # character -> (row, col, alpha (h, w)), as drawn alone
        self._refused = set()       # characters whose line did not match matplotlib's
        self._other_styles = {}     # the caches of the last few other styles, by key

    @property
    def cached(self):
        """The characters drawn from the cache (for the style last drawn)."""
        return frozenset(self._glyphs)

    def _style(self, renderer):
        t = self.artist
        x, y = t.get_transform().transform(t.get_position())
        return (renderer.width, renderer.height, renderer.dpi, hash(t.get_fontproperties()),
                findfont(t.get_fontproperties()), t.get_antialiased(),
                t.get_horizontalalignment(), t.get_verticalalignment(),
                str(t.get_color()), t.get_alpha(), float(x), float(y))

    def _copyable(self, s):
        t = self.artist
        return ("\n" not in s and "$" not in s and set(s) <= self.CACHEABLE
                and t.get_rotation() == 0 and t.get_horizontalalignment() in ("left", "right")
                and t.get_bbox_patch() is None and not t.get_path_effects()
                and not t.get_usetex() and not t.get_wrap() and t.get_agg_filter() is None
                and not (t.get_clip_on() and (t.get_clip_box() or t.get_clip_path())))

    #: styles whose caches are kept (a header shrunk for a long last line, drawn
    #: again at its size when the live window steps back, keeps both)
    KEPT_STYLES = 4

    def _switch(self, key, renderer):
        """Keep the present style's cache; take up ``key``'s, or start one."""
        fields = ("_key", "_probe", "_advance", "_anchor_x", "_rgb", "_glyphs", "_refused")
        if self._key is not None:
            self._other_styles[self._key] = [getattr(self, f) for f in fields]
            while len(self._other_styles) > self.KEPT_STYLES:
                del self._other_styles[next(iter(self._other_styles))]      # the oldest
        if key in self._other_styles:
            for f, value in zip(fields, self._other_styles.pop(key)):
                setattr(self, f, value)
        else:
            self._start(key, renderer)

    def _start(self, key, renderer):
        """Forget the glyphs; measure the advance for the text's present style."""
        self._key, self._glyphs, self._refused, self._advance = key, {}, set(), None
        probe = self._probe = Text()
        probe.update_from(self.artist)
        probe.set_figure(self.artist.figure)
        probe.set_position(self.artist.get_position())
        self._anchor_x = key[-2]
        widths = []
        for s in ("0", "00"):
            probe.set_text(s)
            widths.append(probe.get_window_extent(renderer).width)
        if widths[0] >= 1 and widths[0] == round(widths[0]) and widths[1] == 2 * widths[0]:
            self._advance = int(widths[0])
        rgba = to_rgba(self.artist.get_color())
        self._rgb = 255.0 * np.array(rgba[:3])

    def _drawn(self, s, renderer):
        """The probe showing ``s``: (row, col, alpha (h, w)) as :func:`transparent_layer`."""
        self._probe.set_text(s)
        row, col, _, alpha = transparent_layer(self._probe, renderer.width, renderer.height,
                                               renderer.dpi)
        return row, col, alpha[..., 0]

    def _shift(self, i, length):
        """Columns from where a character is drawn alone to where it is drawn as
        character ``i`` of a line of ``length``."""
        right = self.artist.get_horizontalalignment() == "right"
        return self._advance * ((i - length + 1) if right else i)

    def _placed(self, s):
        """(row, col, alpha) of each drawn character of the line ``s``."""
        placed = []
        for i, ch in enumerate(s):
            row, col, alpha = self._glyphs[ch]
            if alpha.size:
                placed.append((row, col + self._shift(i, len(s)), alpha))
        return placed

    def _line(self, s, shape):
        """The line ``s`` put together from the cache: (row, col, alpha (h, w)),
        glyphs over each other as Agg draws them, cut to a frame of ``shape``."""
        placed = [p for p in self._placed(s) if _overlap(shape, p[0], p[1], *p[2].shape)]
        if not placed:
            return 0, 0, np.zeros((0, 0))
        r0 = max(min(r for r, _, _ in placed), 0)
        c0 = max(min(c for _, c, _ in placed), 0)
        r1 = min(max(r + a.shape[0] for r, _, a in placed), shape[0])
        c1 = min(max(c + a.shape[1] for _, c, a in placed), shape[1])
        clear = np.ones((r1 - r0, c1 - c0))         # 1 - opacity
        for row, col, alpha in placed:
            dst, src = _overlap(clear.shape, row - r0, col - c0, *alpha.shape)
            clear[dst] *= 1.0 - alpha[src]
        return r0, c0, 1.0 - clear

    def _learn(self, chars, renderer):
        """Cache ``chars`` that draw as matplotlib draws them in a line (see the class)."""
        groups = self._groups(sorted((set(chars) | {"l", "p"}) - set(self._glyphs)), renderer)
        if not groups:                  # no room beside the anchor for even one to cut
            self._refused |= set(chars)
            return
        for group in groups:
            self._cut(group, renderer)
        if self._matches("l" + "".join(sorted(chars)) + "p", renderer):
            return
        self._cut(["l"], renderer)      # cut again alone: a character that moved the line
        self._cut(["p"], renderer)      # moved the others cut with it
        lined_up = self._matches("lp", renderer)
        for ch in sorted(set(chars) - {"l", "p"}):
            self._cut([ch], renderer)
            if not (lined_up and self._matches("l" + ch + "p", renderer)):
                del self._glyphs[ch]
                self._refused.add(ch)
        if not lined_up:
            for ch in ("l", "p"):
                del self._glyphs[ch]
                self._refused.add(ch)

    def _groups(self, chars, renderer):
        """``chars`` in groups whose spaced line fits between the text's anchor and
        the canvas' edge (none when not even one fits)."""
        x = self._anchor_x
        room = x if self.artist.get_horizontalalignment() == "right" else renderer.width - x
        size = int(room // self._advance) // 2
        return [chars[i:i + size] for i in range(0, len(chars), size)] if size else []

    def _cut(self, chars, renderer):
        """Cache the image of each of ``chars``, cut from one line of them spaced apart."""
        spaced = " ".join(chars)        # a blank cell between neighbours: each cut alone
        row, col, alpha = self._drawn(spaced, renderer)
        box = self._probe.get_window_extent(renderer)
        adv = self._advance
        right = self.artist.get_horizontalalignment() == "right"
        first = box.x1 - len(spaced) * adv if right else box.x0      # the first cell's left
        for i in range(0, len(spaced), 2):
            lo = int(np.floor(first + i * adv)) - adv // 2 - col      # the cell, half a cell
            window = alpha[:, max(lo, 0):max(lo + 2 * adv, 0)]           # wider each side
            lo = max(lo, 0)
            rows, cols = np.nonzero(window.any(axis=1))[0], np.nonzero(window.any(axis=0))[0]
            if not len(rows):
                self._glyphs[spaced[i]] = (0, 0, np.zeros((0, 0)))
                continue
            at = col + lo + int(cols[0]) - self._shift(i, len(spaced))
            self._glyphs[spaced[i]] = (row + int(rows[0]), at,
                                       window[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])

    def _matches(self, s, renderer):
        """Whether ``s`` put together from the cache covers the pixels matplotlib's
        drawing of it covers, each as opaque (to a level of rounding)."""
        layers = [self._line(s, (renderer.height, renderer.width)), self._drawn(s, renderer)]
        layers = [layer for layer in layers if layer[2].size]
        if len(layers) < 2:             # off the canvas: alike when both drew nothing
            return not layers
        r0, c0 = (min(layer[j] for layer in layers) for j in (0, 1))
        r1 = max(row + alpha.shape[0] for row, _, alpha in layers)
        c1 = max(col + alpha.shape[1] for _, col, alpha in layers)
        mine, theirs = np.zeros((2, r1 - r0, c1 - c0))
        for box, (row, col, alpha) in zip((mine, theirs), layers):
            box[row - r0:row - r0 + alpha.shape[0], col - c0:col - c0 + alpha.shape[1]] = alpha
        return bool(np.abs(mine - theirs).max() <= 1.5 / 255)

    def draw(self, renderer):
        """Blend the line put together from the cache into ``renderer``'s pixels
        (or have matplotlib draw the text; see the class)."""
        t = self.artist
        s = t.get_text()
        if not t.get_visible() or not s:
            return
        if not isinstance(renderer, RendererAgg) or not self._copyable(s):
            t.draw(renderer)
            return
        key = self._style(renderer)
        if key != self._key:
            self._switch(key, renderer)
        new = set(s) - set(self._glyphs) - self._refused
        if self._advance is not None and new:
            if not self._glyphs:        # the digits too: a header's numbers bring them soon
                new |= set("0123456789") - self._refused
            self._learn(new, renderer)
        if self._advance is None or not set(s) <= set(self._glyphs):
            t.draw(renderer)
            return
        frame = np.asarray(renderer.buffer_rgba())
        row, col, alpha = self._line(s, frame.shape)
        if alpha.size:
            blend(frame, row, col, Premultiplied(self._rgb, alpha[..., None]))
        t.stale = False
