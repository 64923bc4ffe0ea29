"""Local maxima made visible (issue 26, point 5): the named start, rerun, reaches
the value the note names; the check is off with --no-restart-check and for runs
it cannot name."""
import io
import contextlib

import numpy as np
import pytest

import data_gen
import gmm_restarts
import visualize_gmm
from gmm_restarts import BetterStart, LocalMaximumNote, better_start, found, worth_checking


@pytest.fixture
def whole_budget(monkeypatch):
    """Every one of the MAX_STARTS starts runs, whatever the clock says."""
    monkeypatch.setattr(gmm_restarts, "BUDGET", 1e9)


def _note(anim):
    return next(v for v in anim.views if isinstance(v, LocalMaximumNote))


def test_message_names_the_seed_or_the_restart():
    by_seed = BetterStart(7, 2, -4.23, -4.35, True)
    assert by_seed.message() == ("converged to a local maximum: --seed 7 reaches -4.2300 "
                                 "(this run -4.3500)")
    assert by_seed.message(live=True).endswith(": press r 2 times")
    sampled = BetterStart(18, 1, -4.2901, -4.4794, False)
    assert sampled.message() == ("converged to a local maximum: --init-seed 18 reaches "
                                 "-4.2901 (this run -4.4794)")
    assert sampled.message(live=True).endswith(": press r")


def test_sampled_points_restart_reaches_the_named_value(whole_budget):
    animation = visualize_gmm.animate(None, 5, n_true=5, random_state=17)
    anim = animation.animator
    n = anim.run()
    anim.show_state(n - 1)
    better = _note(anim).result
    assert better is not None and not better.by_seed
    assert better.seed == 17 + better.presses
    assert better.value >= better.this + gmm_restarts.CLEAR_GAIN
    assert better.this == pytest.approx(anim.history[-1].log_likelihood, abs=1e-12)
    assert _note(anim).text.get_visible()
    for _ in range(better.presses):             # the r key, pressed that many times
        states, how = anim.fit.restart()
    anim.restart(states)
    anim.run()
    assert how == f"seed {better.seed}"
    assert anim.history[-1].log_likelihood == pytest.approx(better.value, abs=1e-12)
    assert not _note(anim).checked              # a new run is checked again
    # the named --init-seed, beside the same --seed: the same points, that start
    again = visualize_gmm.animate(None, 5, n_true=5, random_state=17, init_seed=better.seed,
                                  restart_check=False).animator
    again.run()
    np.testing.assert_array_equal(again.fit.points, anim.fit.points)
    assert again.history[-1].log_likelihood == pytest.approx(better.value, abs=1e-12)


def test_init_seed_names_its_own_restarts(whole_budget):
    """With --init-seed s the shown run starts from s and its restarts from s + r;
    a better start found is named as --init-seed, never --seed."""
    anim = visualize_gmm.animate(None, 5, n_true=5, random_state=17, init_seed=40).animator
    n = anim.run()
    anim.show_state(n - 1)
    better = _note(anim).result
    if better is not None:
        assert not better.by_seed and better.seed == 40 + better.presses
    states, how = anim.fit.restart()
    assert how == "seed 41"
    first = next(states)
    fresh = visualize_gmm.animate(None, 5, n_true=5, random_state=17, init_seed=41,
                                  restart_check=False).animator
    fresh.run()
    np.testing.assert_allclose(first.means, fresh.history[0].means, rtol=0, atol=1e-12)


def test_loaded_data_seed_rerun_reaches_the_named_value(whole_budget, tmp_path):
    X, _, _ = data_gen.sample_gaussians(1000, 5, random_state=17)
    animation = visualize_gmm.animate(X, 5, random_state=7)
    anim = animation.animator
    animation.save(str(tmp_path / "a.png"))
    better = found(anim.views)
    assert better is not None and better.by_seed
    again = visualize_gmm.animate(X, 5, random_state=better.seed, restart_check=False).animator
    again.run()
    assert again.history[-1].log_likelihood == pytest.approx(better.value, abs=1e-12)
    # and on the command line: the status line, and --print_ll of the named seed
    path = tmp_path / "x.npy"
    np.save(path, X)
    out, err = io.StringIO(), io.StringIO()
    argv = ["--load_path", str(path), "-k", "5", "-s", str(tmp_path / "b.png")]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert visualize_gmm.main(argv + ["--seed", "7"]) == 0
    assert better.message() in err.getvalue()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert visualize_gmm.main(argv + ["--seed", "7", "--no-restart-check"]) == 0
    assert err.getvalue().count("local maximum") == 1
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert visualize_gmm.main(argv + ["--seed", str(better.seed), "--print_ll"]) == 0
    assert out.getvalue().splitlines()[-1].endswith(f"{better.value:.6f}")


def test_better_start_keeps_quiet_when_no_start_is_clearly_higher(whole_budget):
    animation = visualize_gmm.animate(None, 5, n_true=5, random_state=0)
    anim = animation.animator
    anim.run()
    this = anim.fit.record.last.log_likelihood
    assert better_start(anim.fit, this, budget=1e9) is None
    assert better_start(anim.fit, this - 10.0, budget=1e9).presses in range(1, 5)


def test_budget_stops_after_the_first_start(monkeypatch):
    animation = visualize_gmm.animate(None, 3, n_true=3, random_state=0)
    anim = animation.animator
    anim.run()
    calls = []
    fit = anim.fit
    real = fit.final_log_likelihood

    def counted(seed):
        calls.append(seed)
        return real(seed)
    monkeypatch.setattr(fit, "final_log_likelihood", counted)
    better_start(fit, 1e9, budget=0.0)
    assert calls == [1]


def test_not_checked_when_no_seed_names_it_or_data_is_large():
    X = np.random.default_rng(0).normal(size=(200, 2))
    assert worth_checking(visualize_gmm.animate(X, 2, random_state=3).animator.fit)
    assert not worth_checking(visualize_gmm.animate(X, 2).animator.fit)                  # no seed
    params = (np.array([0.5, 0.5]), np.array([[0.0, 0.0], [1.0, 1.0]]), np.stack([np.eye(2)] * 2))
    assert not worth_checking(visualize_gmm.animate(X, 2, init=params, random_state=3).animator.fit)
    big = np.random.default_rng(0).normal(size=(gmm_restarts.MAX_CELLS // 2 + 1, 2))
    assert not worth_checking(visualize_gmm.animate(big, 2, random_state=3).animator.fit)
    off = visualize_gmm.animate(X, 2, random_state=3, restart_check=False).animator
    assert not any(isinstance(v, LocalMaximumNote) for v in off.views)
