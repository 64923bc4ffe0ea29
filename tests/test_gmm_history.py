"""Tests for gmm_history.StateHistory: lazy pulls, kept states, the label memory bound."""

import numpy as np
import pytest

import gmm
import gmm_history


def _states(n_states=6, n=50, k=3):
    X = np.random.default_rng(0).normal(size=(n, 2))
    return list(gmm.em_steps(X, k, max_iter=n_states - 1, tol=0, random_state=0))


def test_states_are_pulled_lazily_and_seen_once():
    states = _states()
    seen = []
    pulled = iter(states)
    history = gmm_history.StateHistory(pulled, on_state=seen.append)
    assert len(history) == 0 and seen == []
    assert history.state(2).iteration == 2
    assert [s.iteration for s in seen] == [0, 1, 2]                 # no further than asked
    assert history.state(1) is history[1] and len(seen) == 3        # kept, not pulled again
    assert history.state(99) is None and len(history) == len(states)
    assert [s.iteration for s in seen] == list(range(len(states)))


def test_hold_repeats_the_last_state_without_on_state():
    states = _states(n_states=3)
    seen = []
    history = gmm_history.StateHistory(iter(states), on_state=seen.append)
    assert history.state(5, hold=lambda j: j <= 5) is history[2]    # 3, 4 and 5 repeat it
    assert len(history) == 6 and len(seen) == 3
    assert history.state(6, hold=lambda j: j <= 5) is None


def test_labels_are_compact_and_dropped_oldest_first(monkeypatch):
    states = _states(n_states=6, n=50)
    assert states[0].labels.dtype != np.uint8
    monkeypatch.setattr(gmm_history.StateHistory, "LABEL_BUDGET_BYTES", 120)   # 2 states
    relabelled = []

    def relabel(state):
        relabelled.append(state.iteration)
        return states[state.iteration].labels

    history = gmm_history.StateHistory(iter(states), relabel=relabel)
    assert history.state(5) is not None
    assert [s.labels is None for s in history] == [True] * 4 + [False] * 2
    assert history[5].labels.dtype == np.uint8
    np.testing.assert_array_equal(history.with_labels(0).labels, states[0].labels)
    assert relabelled == [0] and history[0].labels is None          # recomputed, not kept
    plain = gmm_history.StateHistory(iter(states))
    plain.state(5)
    with pytest.raises(RuntimeError, match="dropped"):
        plain.with_labels(0)


def test_restart_forgets_every_state():
    states = _states()
    history = gmm_history.StateHistory(iter(states))
    history.state(3)
    history.restart(iter(states[:2]))
    assert len(history) == 0
    assert history.state(1).iteration == 1
    np.testing.assert_array_equal(history.state(1).means, states[1].means)
    assert history.state(2) is None
