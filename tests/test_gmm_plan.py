"""Tests for gmm_plan: the plan of a command line is the start its analysis flags chose."""
import re

import numpy as np
import pytest

import gmm
import gmm_fit
from em_reference import sk_holding
from gmm_core import as_rng
from gmm_cli import NoSignals, UsageError
from gmm_plan import Plan, edge_note, make_plan
from gmm_transforms import select_components
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


def test_init_seed_keeps_the_sampled_points_and_seeds_the_starts(capsys):
    """--init-seed with sampled data: the points are --seed's, the select-k starts
    are those of a generator seeded with --init-seed alone."""
    argv = ["--select-k", "2:3", "--seed", "5", "-N", "200", "-m", "2"]
    plain = make_plan(parse_command_line(argv), parse_command_line(argv).options, None,
                      NoSignals())
    cl = parse_command_line(argv + ["--init-seed", "9"])
    seeded = make_plan(cl, cl.options, None, NoSignals())
    np.testing.assert_array_equal(seeded.X, plain.X)
    rows = seeded.selection[0]
    _, again = select_components(seeded.X, [2, 3], n_init=1, init="kmeans++", max_iter=200,
                                 tol=cl.options.tol, patience=cl.options.patience,
                                 random_state=np.random.default_rng(9), per_column=False)
    assert [r["log_likelihood"] for r in rows] == [r["log_likelihood"] for r in again]
    assert [r["log_likelihood"] for r in rows] != [r["log_likelihood"]
                                                   for r in plain.selection[0]]
    capsys.readouterr()


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


def _gems(n=400, seed=7):
    """Columns in very different units (carat ~1, price ~1e4, depth ~60), as diamonds."""
    rng = np.random.default_rng(seed)
    carat = rng.lognormal(-0.4, 0.55, n)
    price = np.exp(8.3 + 1.7 * np.log(carat) + rng.normal(0, 0.25, n)).round()
    return np.c_[carat.round(2), price, rng.normal(61.7, 1.4, n).round(1)]


def _chosen_bic(table):
    """The printed BIC of the chosen row (a table) or cell (a grid), as printed."""
    grid = re.search(r"(-?\d+\.\d\d)\*", table)      # a cell marked *, no space
    if grid:
        return grid.group(1)
    return next(line.split()[3] for line in table.splitlines() if line.endswith("  *"))


#: (data, flags): sampled points, 4 columns via --columns, 3 columns in different
#: units, 1-D; one stopping rule (--tol/--patience) that ends runs early
SAVED_BIC_CASES = [
    (None, ["-m", "3", "-N", "300", "--select-k", "1:3", "--seed", "2"]),
    ("iris", ["--columns", "0,1,2,3", "--select-k", "2:3", "--n-init", "2", "--seed", "3"]),
    ("gems", ["--select-k", "2:4", "--seed", "1", "--tol", "1e-3", "--patience", "1"]),
    ("gems", ["--select-k", "3:4", "--covariance-type", "all", "--seed", "1", "--tol", "1e-3"]),
    ("one", ["--select-k", "1:3", "--covariance-type", "all", "--n-init", "2", "--seed", "2",
             "--tol", "1e-3", "--patience", "1"]),
]


@pytest.mark.parametrize("data, flags", SAVED_BIC_CASES)
def test_the_chosen_rows_bic_is_the_saved_fits(tmp_path, capsys, data, flags):
    """--select-k prints, saves and animates one model: the chosen row's BIC is,
    to the printed decimals, the BIC of the --save-params parameters on the same
    data, by GaussianMixture.bic and by scikit-learn's bic for those parameters."""
    from visualize_gmm import main
    X = {None: None, "iris": np.loadtxt("examples/iris.csv", delimiter=",", skiprows=1),
         "gems": _gems(), "one": _gems()[:, :1] * 10}[data]
    argv = list(flags)
    if X is None:           # the plan draws the points first from the seed's generator
        cl = parse_command_line(flags)
        X = gmm_fit.sample(cl.options, as_rng(cl.options.random_state))[0]
    else:
        np.save(tmp_path / "x.npy", X)
        argv += ["--load_path", str(tmp_path / "x.npy")]
    saved = tmp_path / "fit.json"
    assert main(argv + ["-q", "--save-params", str(saved), "-s", str(tmp_path / "o.png")]) == 0
    printed = _chosen_bic(capsys.readouterr().out)
    model = gmm.GaussianMixture.load(str(saved))
    assert f"{model.bic(X):.2f}" == printed
    sk = sk_holding(model.weights_, model.means_, model.state_.covariances,
                    model.covariance_type)
    assert f"{sk.bic(X):.2f}" == printed
