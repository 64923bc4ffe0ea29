"""Tests for gmm_plan: the plan of a command line is the start its analysis flags chose."""
import numpy as np
import pytest

import gmm
from gmm_cli import NoSignals, UsageError
from gmm_plan import Plan, edge_note, make_plan
from visualize_gmm import parse_command_line


def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, 0.3, (80, 2)) for c in ((0, 0), (4, 0), (0, 4))])


def test_a_plain_run_keeps_its_options_and_data():
    cl = parse_command_line(["-k", "3", "--seed", "4"])
    X = _blobs()
    plan = make_plan(cl, cl.options, X, NoSignals())
    assert isinstance(plan, Plan) and plan.X is X and plan.selection is None
    assert plan.options.n_components == 3 and plan.options.init == cl.options.init


def test_select_k_plans_the_chosen_k_from_its_start(capsys):
    """--select-k 1:5 on three blobs: the table chooses k = 3 and the plan starts from
    that row's initial parameters (so the animation replays the scored fit)."""
    cl = parse_command_line(["--select-k", "1:5", "--seed", "0"])
    plan = make_plan(cl, cl.options, _blobs(), NoSignals())
    rows, best, criterion = plan.selection
    assert best == 3 and criterion == "bic" and plan.options.n_components == 3
    chosen = next(r for r in rows if r["k"] == 3)
    for ours, theirs in zip(plan.options.init, chosen["initial_params"]):
        np.testing.assert_array_equal(ours, theirs)
    assert "k" in capsys.readouterr().out          # the table went to stdout
    # the chosen row's BIC is that of a fit from the planned start
    model = gmm.GaussianMixture(3, init=plan.options.init, random_state=0).fit(_blobs())
    assert model.bic(_blobs()) == pytest.approx(chosen["bic"], rel=1e-3)


def test_a_select_k_larger_than_the_data_is_refused():
    cl = parse_command_line(["--select-k", "1:9", "--seed", "0"])
    with pytest.raises(UsageError, match="more than the number of points"):
        make_plan(cl, cl.options, _blobs()[:5], NoSignals())


@pytest.mark.parametrize("best, ks, words", [
    (5, [1, 2, 3, 4, 5], "k = 5, the largest k tried; the best k may lie outside the range: "
                         "try --select-k 1:10"),
    (3, [3, 4, 5], "k = 3, the smallest k tried; the best k may lie outside the range: "
                   "try --select-k 1:5"),
    (1, [1, 2, 3], None), (2, [1, 2, 3], None), (4, [4], None)])
def test_a_choice_at_the_edge_of_the_range_gets_a_note(best, ks, words):
    notes = edge_note(best, ks, "bic")
    assert notes == (() if words is None else (f"note: BIC chose {words}",))


def test_the_note_reaches_the_status_lines(tmp_path, capsys):
    from visualize_gmm import main
    assert main(["--select-k", "1:2", "-m", "4", "-N", "400", "--seed", "0",
                 "-s", str(tmp_path / "o.png")]) == 0
    err = capsys.readouterr().err
    assert "note: BIC chose k = 2, the largest k tried" in err and "--select-k 1:4" in err
