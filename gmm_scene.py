"""The drawing protocols: a :class:`View` draws one thing, a :class:`Scene` draws the data.

The animator (:mod:`gmm_animator`), the live window (:mod:`gmm_window`) and
its mouse (:mod:`gmm_mouse`) talk to views and to one scene only through
what is declared here; which scene draws a fit is chosen once, by the
number of drawn columns (:data:`gmm_animator.SCENES`). The scenes are
:class:`gmm_scene2d.ScatterScene` (two columns: points and ellipses) and
:class:`gmm_scene1d.HistogramScene` (one column: a histogram and density
curves). Both protocols are ``runtime_checkable`` so the tests check every
view and scene with ``isinstance``; :class:`BaseView` gives a view the
optional members' defaults, so no caller probes for them.
"""

from typing import Protocol, runtime_checkable

__all__ = ["View", "BaseView", "Scene"]


@runtime_checkable
class View(Protocol):
    """One drawn thing: artists created once on an axes, changed per state.

    Attributes
    ----------
    artists : list of matplotlib.artist.Artist
        Every artist redrawn with each frame (drawn in z-order by the
        animator); a view drawn only into the static background has none.
    palette_colors : ndarray, shape (m, 3 or 4), or None
        Colours a GIF palette must hold beside the components' (soft mixes).
    background_stale : bool
        Set by the view when the static layer must be drawn again (an axis'
        limits changed); the animator redraws it and clears the flag.
    """

    artists: list
    palette_colors: object
    background_stale: bool

    def update(self, state):
        """Show ``state`` (a :class:`gmm.GMMState` in display units, or a k-means
        state in a panel); returns the changed artists (a list)."""

    def reset(self):
        """Forget what earlier states taught the view: a new run starts."""

    def has_state(self, i):
        """Whether the view still has its own state ``i`` after EM stopped (the
        k-means panel keeps the frames going); False for views of EM's states."""


class BaseView:
    """Defaults of the optional :class:`View` members: no palette colours, a
    clean background, nothing to reset, no states of its own. A subclass
    creates ``self.artists`` (a list) and defines :meth:`update`."""

    palette_colors = None
    background_stale = False

    def update(self, state):
        """Nothing changes; returns no artists."""
        return []

    def reset(self):
        """Nothing to forget."""

    def has_state(self, i):
        """A view of EM's own states holds none beyond them."""
        return False


@runtime_checkable
class Scene(Protocol):
    """The one object that knows how the data are drawn.

    A scene is made as ``SceneType(fit, options)`` before the figure exists
    (``fit`` a :class:`gmm_fit.FitRun`, ``options`` a
    :class:`gmm_options.Options`), so its :meth:`frame` can shape the figure.
    The animator then calls, in this order: :meth:`views` (the scene's marks
    on the scene axes), :meth:`add_teaching_views` (what ``--soft``,
    ``--uncertainty``, ``--contours`` add on the scene axes), and, for
    ``--compare kmeans``, :meth:`kmeans_views` on the panel that
    :func:`gmm_teaching.add_kmeans_panel` made; then :meth:`legend_entries`
    and :meth:`place_legend` (:func:`gmm_legend.add_legends`). The live
    window's mouse uses :attr:`data_axes`, :meth:`nearest_point`,
    :meth:`edit_refusal`, :meth:`refill` and :meth:`note_corner`.

    Of the animator (``anim``) a scene uses only ``anim.ax`` (the scene axes,
    shaped by :meth:`frame`), ``anim.fit``, ``anim.views``,
    ``anim.add_view(view, replace=old)``, ``anim.panels`` (axes by name) and
    ``anim.history`` (the states so far, for views that look back).

    To add a scene (a scatter matrix for 3+ columns, say): write one module
    ``gmm_scene_<name>.py`` with a class providing every member below, add
    it to :data:`gmm_animator.SCENES` under the number of drawn columns it
    takes, and give it a test file checking ``isinstance(scene, Scene)``. A
    scene drawn on several axes lays them out inside the box :meth:`frame`
    shaped (the figure's size and the panels beside it stay the animator's).

    Attributes
    ----------
    fit, options
        As given.
    colors : ndarray, shape (k, 4)
        One colour per component (:func:`gmm_plot.component_colors`).
    data_axes : int
        Coordinates a mouse position gives in the scene's data units (2: x
        and y; 1: x only); :meth:`gmm_fit.FitRun.to_fit_units` takes them.
    pins_points : bool
        Whether a data point can be pinned (``--track``, ``--explain``, a click
        in the live window): ringed on the scene axes, its responsibilities
        in a panel.
    em_title : str
        The title over EM's scene when a k-means panel stands beside it.
    static_legend : bool
        The scene legend is drawn once with the static layer (nothing that
        moves is ever drawn under it) instead of with every frame.
    kmeans_legend_entries : list of (handle, label)
        Entries of the k-means panel's legend besides its centre.
    """

    fit: object
    options: object
    colors: object
    data_axes: int
    pins_points: bool
    em_title: str
    static_legend: bool
    kmeans_legend_entries: list

    def frame(self):
        """``(xlim, ylim, equal_aspect)``: the scene axes' limits and whether one
        data unit is as long on both axes (False: a 4:3 box)."""

    def views(self, anim):
        """The scene's views on ``anim.ax`` in z-order, the iteration header
        excluded (list of :class:`View`); may label the axes."""

    def add_teaching_views(self, anim):
        """Add (``anim.add_view``) the views of the teaching flags that draw on the
        scene axes; ValueError for a flag the scene cannot draw."""

    def kmeans_views(self, anim, kax):
        """Set up the k-means panel ``kax`` (limits, labels like the scene's) and
        return its views (k-means states are 2-D or 1-D like EM's)."""

    def legend_entries(self):
        """``(handle, label)`` pairs explaining the scene's marks as drawn."""

    def place_legend(self, anim, box):
        """The corner (a :data:`gmm_legend.CORNERS` name) for a legend of ``box``
        (width, height as axes fractions) on the scene."""

    def nearest_point(self, anim, event):
        """``(index, pixels)``: the data point (a row of ``fit.points``) nearest the
        mouse ``event`` as the scene draws it, and its distance in pixels."""

    def edit_refusal(self, anim):
        """Why points cannot be added or removed with the views drawn, or None."""

    def refill(self, anim):
        """Draw the fit's (edited) points in place of the shown ones."""

    def note_corner(self, anim, box, taken, under_title):
        """``(corner, below)``: where the live window's run note of ``box`` (width,
        height as axes fractions) goes, avoiding the corners in ``taken``;
        ``below`` (an axes fraction: 0, or ``under_title`` to sit under the
        panel title in the upper left corner) moves it down."""
