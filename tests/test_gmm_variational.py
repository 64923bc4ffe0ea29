"""Tests for gmm_variational: the checks of bayesian/weight_prior, the bound's change
of units, the effective count and the --select-k comparison line.

References: gmm.vb_steps run on the data in both units (the bound's shift), counts
and lines worked by hand.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gmm
import gmm_em
import gmm_options
from gmm_options import Options, check_bayesian
from gmm_variational import bound_shift, comparison_line, effective_components
from visualize_gmm import main


def test_check_bayesian_accepts_the_two_kinds_and_a_positive_prior():
    assert check_bayesian(None, None) == (None, None)
    assert check_bayesian("dp", None) == ("dp", None)
    assert check_bayesian("dirichlet", 3) == ("dirichlet", 3.0)
    assert check_bayesian("dp", np.float32(0.5)) == ("dp", 0.5)
    assert check_bayesian("dp", 1e100) == ("dp", 1e100)
    assert gmm_options.KINDS == {"dp": "dirichlet_process",
                                     "dirichlet": "dirichlet_distribution"}


@settings(max_examples=60, deadline=None)
@given(kind=st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.floats(),
                      st.lists(st.just("dp"), max_size=2)),
       prior=st.one_of(st.none(), st.floats(), st.integers(-10 ** 30, 10 ** 30), st.booleans(),
                       st.text(max_size=5)))
def test_hostile_options_are_value_errors_naming_the_option(kind, prior):
    good_kind = kind in ("dp", "dirichlet") and isinstance(kind, str)
    good_prior = prior is None or (not isinstance(prior, (bool, str)) and 0 < prior <= 1e100
                                   and np.isfinite(float(prior)))
    if good_kind and good_prior:
        assert Options(bayesian=kind, weight_prior=prior).bayesian == kind
        return
    with pytest.raises(ValueError) as info:
        Options(bayesian=kind, weight_prior=prior)
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    assert ("bayesian" in message) if not good_kind else ("weight_prior" in message)


def test_effective_components_counts_weights_above_the_threshold():
    assert effective_components([0.5, 0.3, 0.15, 0.04, 0.01, 0.0]) == 4   # 1% itself is out
    assert effective_components([1.0]) == 1
    assert effective_components([0.2] * 5, threshold=0.2) == 0


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_bound_shift_is_the_bound_under_a_change_of_units(covariance_type):
    rng = np.random.default_rng(4)
    Z = rng.normal(size=(300, 3))
    Z[:150] += [3.0, 0.0, -2.0]
    s = np.array([1e-3, 20.0, 0.5])           # per column
    X = Z * s + [5.0, -1.0, 2.0]
    w, m, C = gmm_em.center_start(Z, 4, covariance_type, np.random.default_rng(0), reg_covar=0)
    user_init = (w, m * s + [5.0, -1.0, 2.0], C * np.outer(s, s))     # the same start
    fit = list(gmm.vb_steps(Z, 4, max_iter=5, tol=0, reg_covar=0.0, init=(w, m, C),
                            covariance_type=covariance_type))
    user = list(gmm.vb_steps(X, 4, max_iter=5, tol=0, reg_covar=0.0, init=user_init,
                             covariance_type=covariance_type))
    shift = bound_shift(s, 300, 4, 3)
    assert shift == pytest.approx(-(1 + 4 * 3 / 300) * np.log(s).sum())
    np.testing.assert_allclose([u.lower_bound - f.lower_bound for f, u in zip(fit, user)],
                               shift, rtol=0, atol=1e-8)


def test_comparison_line():
    weights = np.array([0.5, 0.45, 0.04, 0.006, 0.004])
    assert comparison_line(([], 3, "bic"), weights) == (
        "BIC chose k = 3; the variational fit (k = 5) keeps 3 components above 1%")
    assert comparison_line(([], (2, "diag"), "aic"), weights).startswith("AIC chose k = 2;")


def test_flags_a_variational_fit_refuses(tmp_path, capsys):
    """--weight-prior needs --bayesian; --n-init (best of several EM runs) is refused
    with --bayesian unless --select-k compares: one error line, exit 2."""
    out = str(tmp_path / "o.png")
    for argv, words in ((["--weight-prior", "2"], "bayesian"),
                        (["--bayesian", "dirichlet", "--n-init", "2"], "drop --n-init")):
        assert main(["-N", "60", "-k", "2", "--seed", "0", "-s", out] + argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ") and words in err[0], err
    assert main(["-N", "60", "-m", "2", "--seed", "0", "-i", "2", "--bayesian", "--n-init", "2",
                 "--select-k", "1:2", "-q", "-s", out]) == 0
