"""What :func:`visualize_gmm.animate` returns: one EM run and its animation, for notebooks.

A small public object: the fit's results (``model``, ``labels``, ``states``),
the ``figure``, ``save(path)``, ``to_html()`` and its notebook display. The
drawing machinery behind it is :class:`gmm_animator.Animator`
(``animator``), which the command line and the live window use directly.
"""

__all__ = ["Animation"]


class Animation:
    """EM fitting a Gaussian mixture: the run's results and its animation.

    Nothing is fitted until a result or a frame is asked for (EM runs
    lazily); then every result is in the data's units, d-dimensional.
    In Jupyter the object displays itself as the HTML player.

    Parameters
    ----------
    animator : gmm_animator.Animator
        The animation of one :class:`gmm_fit.FitRun` (``animator.fit``).
    """

    def __init__(self, animator):
        self.animator = animator

    @property
    def model(self):
        """gmm.GaussianMixture: the last state as a fitted model in user units, so
        ``predict``, ``predict_proba`` and ``score`` work on the raw data (a
        DataFrame's column names are its ``feature_names_in_``)."""
        self.animator.run()
        return self.animator.fit.model()

    @property
    def labels(self):
        """ndarray (n,): each point's most responsible component in the last state
        (what the last frame colours and ``--save-labels`` writes)."""
        self.animator.run()
        fit = self.animator.fit
        return fit.labels(fit.record.last)

    @property
    def states(self):
        """list of gmm.GMMState: every state of the run, state 0 first (user units)."""
        self.animator.run()
        return self.animator.fit.user_states()

    @property
    def figure(self):
        """matplotlib.figure.Figure: the figure every frame is drawn on."""
        return self.animator.fig

    def save(self, path, *, progress=False):
        """Write the animation to ``path`` as ``--save path`` does (.gif, .mp4,
        .html, .png: the last frame), atomically; returns the number of frames.

        Raises
        ------
        ValueError
            Unknown extension, missing or unwritable directory, or no ffmpeg
            for .mp4 (checked before any work).
        """
        return self.animator.save(path, progress=progress)

    def to_html(self):
        """The whole animation as one self-contained HTML page (a str)."""
        return self.animator.to_html()

    def _repr_html_(self):
        """Jupyter display: the HTML player in an isolated ``<iframe>``."""
        return self.animator._repr_html_()

    def __repr__(self):
        w, h = self.animator.size
        return (f"<gmm_animation.Animation: {w}x{h} px, up to "
                f"{self.animator.max_iter + 1} frames at {self.animator.fps:g} fps>")
