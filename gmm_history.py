"""The states an animation has shown so far: :class:`StateHistory` (numpy only)."""

import dataclasses

import numpy as np


class StateHistory:
    """States pulled lazily from a stream and kept, for stepping back and redrawing.

    Labels are stored in the smallest unsigned integer type that holds them
    (uint8 for k <= 256). Once the kept labels exceed
    :attr:`LABEL_BUDGET_BYTES` (256 MiB: 268 states at n = 1e6) the oldest
    states keep their parameters but their ``labels`` become None; frames
    are drawn in order, so a writer only needs the newest. Such a state is
    still shown (live window, stepping back) with labels recomputed by
    ``relabel(state)``.

    Parameters
    ----------
    states : iterator of GMMState
        State 0 first.
    on_state : callable, optional
        Called with each state when it is first pulled (e.g. to print it).
    relabel : callable, optional
        ``relabel(state) -> (n,) labels`` for a state whose labels were dropped.
    """

    #: label arrays of kept states may use at most this many bytes
    LABEL_BUDGET_BYTES = 256 * 2**20

    def __init__(self, states, *, on_state=None, relabel=None):
        self.on_state = on_state
        self.relabel = relabel
        self.restart(states)

    def restart(self, states):
        """Forget every kept state and pull from ``states`` from now on."""
        self._source = iter(states)
        self._exhausted = False
        self._states = []
        self._label_bytes = 0
        self._labels_dropped = 0

    def fresh(self, states):
        """A new history pulling from ``states`` with the same callbacks (this one
        is left whole, e.g. for going back to it)."""
        return StateHistory(states, on_state=self.on_state, relabel=self.relabel)

    def __len__(self):
        return len(self._states)

    def __getitem__(self, i):
        return self._states[i]

    def __iter__(self):
        return iter(self._states)

    def state(self, i, *, hold=None):
        """State ``i`` (pulling forward as needed), or None past the end.

        ``hold(j) -> bool``: once the stream has ended, whether the last state
        is repeated as state ``j`` (e.g. while a k-means panel beside it still
        has iterations to show); ``on_state`` does not see repeats.
        """
        while len(self._states) <= i:
            if self._pull():
                continue
            if hold is None or not self._states or not hold(len(self._states)):
                break
            self._keep(self._states[-1])
        return self._states[i] if i < len(self._states) else None

    def _pull(self):
        if self._exhausted:
            return False
        try:
            state = next(self._source)
        except StopIteration:
            self._exhausted = True
            return False
        if self.on_state is not None:
            self.on_state(state)
        self._keep(_compact(state))
        return True

    def _keep(self, state):
        self._states.append(state)
        self._label_bytes += state.labels.nbytes
        i = self._labels_dropped
        while self._label_bytes > self.LABEL_BUDGET_BYTES and i < len(self._states) - 1:
            old = self._states[i]
            self._label_bytes -= old.labels.nbytes
            self._states[i] = dataclasses.replace(old, labels=None)
            i += 1
        self._labels_dropped = i

    def with_labels(self, i):
        """State ``i`` with labels: recomputed (not kept) if they were dropped.

        Raises
        ------
        RuntimeError
            Its labels were dropped and there is no ``relabel``.
        """
        state = self._states[i]
        if state.labels is None and self.relabel is not None:
            state = dataclasses.replace(state, labels=self.relabel(state))
        if state.labels is None:
            raise RuntimeError(f"labels of state {i} were dropped to bound memory "
                               "(see StateHistory.LABEL_BUDGET_BYTES)")
        return state


def _compact(state):
    """The state with labels in the smallest integer type that holds them."""
    k = len(state.weights)
    dtype = np.uint8 if k <= 256 else np.uint16 if k <= 65536 else None
    if dtype is None or state.labels.dtype == dtype:
        return state
    return dataclasses.replace(state, labels=state.labels.astype(dtype))
