"""EM's two steps shown apart: half-step frames composed from consecutive states.

With ``half_steps`` (``--half-steps``) an animation shows state 0 and then,
for each iteration t, two frames made from the engine's states t-1 and t
(no second engine: :func:`gmm.em_steps` is unchanged):

- the M-step frame: the components at state t's parameters, the points
  still coloured by state t-1's E-step (its labels; soft colours and
  uncertainty from state t-1's parameters);
- the E-step frame: state t itself, the points recoloured under the new
  parameters.

k-means (``--compare kmeans``) follows the same rhythm: the update step
(centres moved to the mean of their points) and the assignment step (points
to the nearest centre). A frame is a :class:`gmm.GMMState` (or
:class:`gmm.KMeansState`) of a subclass that also names its ``step`` and the
``assigned`` state whose E-step colours its points, so every view draws it
as a plain state.
"""

import dataclasses

from gmm import GMMState, KMeansState, VBState
from gmm_plot import IterationText

__all__ = [
    "EMFrame", "KMeansFrame", "half_steps", "frame_stream", "step_of", "assigning_state",
    "by_assigning", "per_iteration", "iteration_states", "last_iteration", "StepText",
    "iteration_header", "EM_PHRASES", "KMEANS_PHRASES",
]

#: what the header says after ``iter t / T`` for each step of EM
EM_PHRASES = {"M": "M-step: components moved to the weighted points",
              "E": "E-step: points reassigned"}
#: the same for Lloyd's k-means
KMEANS_PHRASES = {"M": "update step: centres moved to their points' mean",
                  "E": "assignment step: points to the nearest centre"}


@dataclasses.dataclass(frozen=True)
class EMFrame(GMMState):
    """A :class:`gmm.GMMState` shown as half an iteration.

    Attributes
    ----------
    step : {"start", "M", "E"}
        State 0, an M-step frame or an E-step frame.
    assigned : GMMState or None
        M-step frame: state t-1 without its labels (its parameters give the
        responsibilities that colour the points); None otherwise.
    """

    step: str = "start"
    assigned: object = None


@dataclasses.dataclass(frozen=True)
class KMeansFrame(KMeansState):
    """A :class:`gmm.KMeansState` shown as half an iteration (see :class:`EMFrame`)."""

    step: str = "start"
    assigned: object = None


@dataclasses.dataclass(frozen=True)
class VBFrame(VBState):
    """A :class:`gmm.VBState` (a ``--bayesian`` fit) shown as half an iteration
    (see :class:`EMFrame`)."""

    step: str = "start"
    assigned: object = None


#: the frame type of each state type, subclasses first (a VBState is a GMMState)
FRAME_TYPES = {VBState: VBFrame, GMMState: EMFrame, KMeansState: KMeansFrame}


def _as_frame(state, step, **changes):
    """``state`` (a GMMState, VBState or KMeansState) as a frame of ``step``, fields replaced."""
    fields = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
    fields.update(changes, step=step)
    frame_type = next(t for base, t in FRAME_TYPES.items() if isinstance(state, base))
    return frame_type(**fields)


def half_steps(states):
    """The half-step frames of a state stream.

    Parameters
    ----------
    states : iterable of GMMState or KMeansState
        State 0 first, then one per iteration.

    Yields
    ------
    EMFrame or KMeansFrame
        State 0 (step ``"start"``), then per iteration t an M-step frame
        (state t's parameters, state t-1's labels, never ``converged``) and
        an E-step frame (state t).
    """
    previous = None
    for state in states:
        if previous is None:
            yield _as_frame(state, "start")
        else:
            assigned = dataclasses.replace(previous, labels=None)
            yield _as_frame(state, "M", labels=previous.labels, converged=False,
                            assigned=assigned)
            yield _as_frame(state, "E")
        previous = state


def frame_stream(states, half):
    """``states`` as frames: :func:`half_steps` when ``half``, else unchanged."""
    return half_steps(states) if half else states


def step_of(state):
    """``"M"``, ``"E"`` or ``"start"`` for a half-step frame, ``""`` for a plain state."""
    return state.step if isinstance(state, tuple(FRAME_TYPES.values())) else ""


def assigning_state(state):
    """The state whose E-step colours ``state``'s points: state t-1 for an
    M-step frame, ``state`` itself otherwise."""
    if step_of(state) == "M":
        return state.assigned
    return state


def by_assigning(function):
    """``function(state)`` (responsibilities, labels) applied to
    :func:`assigning_state` of each state."""
    def call(state):
        return function(assigning_state(state))
    return call


def per_iteration(on_state):
    """A callback that sees one frame per iteration (M-step frames skipped), or None."""
    if on_state is None:
        return None

    def call(state):
        if step_of(state) != "M":
            on_state(state)
    return call


def iteration_states(frames):
    """One frame per iteration, the first shown: state t's parameters and
    log-likelihood at index t (an M-step frame has both; its labels are the
    previous state's). Repeats of the last state (a ``--compare`` hold) are left out."""
    first = []
    for frame in frames:
        if int(frame.iteration) == len(first):
            first.append(frame)
    return first


def last_iteration(frames):
    """The iteration of the last frame so far (0 before any)."""
    return int(frames[-1].iteration) if len(frames) else 0


class StepText(IterationText):
    """``iter t / T  M-step: ...   log-likelihood ll``: the header of a half-step frame.

    ``phrases`` maps ``"M"`` and ``"E"`` to the words naming the step
    (:data:`EM_PHRASES`, :data:`KMEANS_PHRASES`); other keywords as
    :class:`gmm_plot.IterationText`.
    """

    #: the long header is shrunk with a wider character estimate, clear of the left edge
    CHAR_EM = 0.64
    LEFT_ALLOWANCE = 40

    def __init__(self, ax, max_iter, *, phrases=None, **keywords):
        super().__init__(ax, max_iter, **keywords)
        self.phrases = EM_PHRASES if phrases is None else phrases

    def format(self, state):
        """The header for ``state``: the step named after the iteration."""
        text = super().format(state)
        phrase = self.phrases.get(step_of(state))
        if phrase is None:
            return text
        head, sep, rest = text.partition(f"   {self.label} ")
        return f"{head}  {phrase}{sep}{rest}"


def iteration_header(ax, options, frames):
    """The scene's ``iter t / T`` header: :class:`StepText` with ``options.half_steps``.

    ``frames() -> list`` gives the frames so far (the animator's history);
    T is the last iteration computed.
    """
    if options.half_steps:
        return StepText(ax, options.max_iter, tol=options.tol,
                        last=lambda: last_iteration(frames()))
    return IterationText(ax, options.max_iter, tol=options.tol,
                         last=lambda: len(frames()) - 1)
