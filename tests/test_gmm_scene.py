"""Tests for gmm_scene, the declared drawing protocols: what a View and a Scene
must provide, BaseView's defaults, and that the animator, the live window and
its mouse reach the data's drawing only through the Scene."""

import numpy as np
import pytest

import gmm_animator
import gmm_scene
import gmm_scene2d
import gmm_window
import visualize_gmm


def test_base_view_defaults_are_the_optional_members():
    class Dot(gmm_scene.BaseView):
        def __init__(self):
            self.artists = []

    dot = Dot()
    assert isinstance(dot, gmm_scene.View)
    assert dot.update(None) == [] and dot.palette_colors is None
    assert dot.background_stale is False and dot.has_state(0) is False
    assert dot.reset() is None


def test_protocols_reject_what_lacks_a_member():
    class NoUpdate:
        artists, palette_colors, background_stale = [], None, False

        def reset(self):
            pass

        def has_state(self, i):
            return False

    assert not isinstance(NoUpdate(), gmm_scene.View)
    assert not isinstance(object(), gmm_scene.Scene)
    methods = ("frame", "views", "add_teaching_views", "kmeans_views", "legend_entries",
               "place_legend", "nearest_point", "edit_refusal", "refill", "note_corner")
    data = ("fit", "options", "colors", "data_axes", "pins_points", "em_title", "static_legend",
            "kmeans_legend_entries")
    members = {**{m: (lambda self, *a: None) for m in methods}, **{d: None for d in data}}
    assert isinstance(type("Complete", (), members)(), gmm_scene.Scene)
    for missing in members:        # each member is required: a scene without it is not one
        partial = {m: v for m, v in members.items() if m != missing}
        assert not isinstance(type("Partial", (), partial)(), gmm_scene.Scene), missing


def test_the_animator_asks_the_scene_in_the_documented_order(monkeypatch):
    calls = []

    class Recording(gmm_scene2d.ScatterScene):
        pass

    for name in ("frame", "views", "add_teaching_views", "kmeans_views", "legend_entries",
                 "place_legend"):
        def wrapped(self, *args, _name=name, **kwargs):
            calls.append(_name)
            return getattr(gmm_scene2d.ScatterScene, _name)(self, *args, **kwargs)
        setattr(Recording, name, wrapped)
    monkeypatch.setitem(gmm_animator.SCENES, 2, Recording)
    anim = visualize_gmm.animate(None, 2, max_iter=1, random_state=0, n_points=100, n_true=2,
                                 compare="kmeans").animator
    assert isinstance(anim.scene, Recording) and isinstance(anim.scene, gmm_scene.Scene)
    assert calls == ["frame", "views", "add_teaching_views", "kmeans_views", "legend_entries",
                     "place_legend"]


@pytest.mark.parametrize("columns", [1, 2])
def test_every_view_of_a_live_window_with_its_mouse_is_a_view(columns):
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-2, 1, (100, columns)), rng.normal(3, 1, (100, columns))]
    anim = visualize_gmm.animate(X, 2, max_iter=3, random_state=0, ll_panel=True).animator
    window = gmm_window.LiveWindow(anim)            # adds the mouse's run note
    assert window.mouse.note in anim.views
    for view in anim.views:
        assert isinstance(view, gmm_scene.View), type(view).__name__
    assert anim.scene.data_axes == columns
