"""Tests for gmm_options: one checked set of options for the CLI and animate()."""

import numpy as np
import pytest

import gmm_options
import visualize_gmm
from visualize_gmm import main


SMALL = ["-N", "300", "-k", "3", "-m", "3", "--seed", "0"]


def _only_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("fps", ["0", "-1", "nan", "inf", "1e300", "1001", "abc", "1e-320",
                                 "0.001", "\u0663", "1_0"])
def test_fps_out_of_range_is_the_same_error_in_cli_and_animate(tmp_path, capsys, fps):
    out = tmp_path / "a.mp4"
    assert main(SMALL + ["--fps", fps, "--save", str(out)]) == 2
    err = capsys.readouterr().err
    _only_error_line(err)
    assert err.strip() == (f"error: argument --fps: expected a number >= 0.01 and at most 1000, "
                           f"got {fps!r}")
    assert not out.exists()
    with pytest.raises(ValueError) as info:
        visualize_gmm.animate(np.zeros((5, 2)), 1, fps=fps)
    assert str(info.value) == f"fps: expected a number >= 0.01 and at most 1000, got {fps!r}"
    if fps not in ("abc", "\u0663", "1_0"):
        with pytest.raises(ValueError, match=r"^fps: expected a number >= 0.01 and at most 1000"):
            visualize_gmm.animate(np.zeros((5, 2)), 1, fps=float(fps))


def test_fps_at_the_cap_is_accepted():
    assert gmm_options.check_fps("1000") == 1000.0
    assert gmm_options.check_fps(0.5) == 0.5
    assert visualize_gmm.build_parser().parse_args(["--fps", "1000"]).fps == 1000.0


def test_the_parser_produces_options_one_name_per_option():
    cl = visualize_gmm.parse_command_line(
        ["-k", "4", "-i", "7", "-N", "30", "-m", "2", "--seed", "9", "--tol", "0",
         "--hide_covs", "--hide_real", "--print_ll", "--dims", "0", "1", "--soft", "-q",
         "--compare", "kmeans", "--fps", "2.5", "--covariance-type", "diag"])
    o = cl.options
    assert (o.n_components, o.max_iter, o.n_points, o.n_true, o.random_state, o.tol) == (
        4, 7, 30, 2, 9, 0.0)
    assert (o.show_covariances, o.show_means, o.show_true) == (False, True, False)
    assert o.print_ll and o.soft and o.quiet and o.compare == "kmeans" and o.dims == (0, 1)
    assert (o.fps, o.covariance_type, o.init) == (2.5, "diag", "center")
    assert cl.explicit == {"n_components", "covariance_type"}
    # the parameter file records the flags under their historic names
    record = dict(cl.record)
    assert (record["num_clusters"], record["iterations"], record["seed"], record["hide_covs"],
            record["hide_means"], record["means"], record["num_points"]) == (
        4, 7, 9, True, False, 2, 30)
    defaults = visualize_gmm.parse_command_line([])
    assert defaults.options == gmm_options.Options()    # the flags' defaults are the options'
    assert defaults.explicit == frozenset()


def test_every_option_has_its_flags_and_the_flags_set_nothing_else():
    import dataclasses
    fields = {f.name for f in dataclasses.fields(gmm_options.Options)}
    assert set(gmm_options.FLAGS) == fields
    parser = visualize_gmm.build_parser()
    dests = {a.dest for a in parser._actions if a.option_strings}
    command_line_only = {f.name for f in dataclasses.fields(gmm_options.CommandLine)} - {
        "options", "explicit", "record"}
    assert dests - {"help", "version"} == fields | command_line_only
    for option, flags in gmm_options.FLAGS.items():
        action = next(a for a in parser._actions if a.dest == option)
        assert tuple(action.option_strings) == flags


def test_options_are_frozen_and_checked():
    o = gmm_options.Options(fps="12", compare="")
    assert o.fps == 12.0 and o.compare is None
    with pytest.raises(Exception):
        o.max_iter = 3
    with pytest.raises(ValueError, match="compare must be one of kmeans"):
        gmm_options.Options(compare="pca")
    with pytest.raises(TypeError, match="unexpected keyword argument 'iters'"):
        gmm_options.Options.from_keywords(iters=3)


# --------------------------------------------------------------------------- one check behind both

import math  # noqa: E402  (grouped with the tests that use it)
import subprocess  # noqa: E402
import sys  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import gmm_cli  # noqa: E402

#: the numeric options a command line can give, each checked the same way by animate()
NUMERIC = ("n_components", "max_iter", "n_points", "n_true", "patience", "tol", "max_radius",
           "random_state", "init_seed", "fps", "dpi", "n_features")

values = st.one_of(
    st.integers(-3, 3), st.integers(-2**70, 2**70), st.sampled_from([
        0, 1, 2, 49, 50, 600, 601, 10_000, 10_001, 1_000_000, 1_000_001, 100_000_000,
        100_000_001, 2**63 - 1, 2**63, 10**400, 1e-150, 1e150, 1e151, 0.01, 1000.0, 1000.5]),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans())


def _cli(option, value):
    """(accepted, value) of the command line given ``str(value)`` for ``option``."""
    flag = next(f for f in gmm_options.FLAGS[option] if f.startswith("--"))
    try:
        cl = visualize_gmm.parse_command_line([f"{flag}={value!r}"])
    except gmm_cli.UsageError:
        return False, None
    return True, getattr(cl.options, option)


def _library(option, value):
    """(accepted, value) of animate()'s options given ``value`` for ``option``."""
    try:
        options = gmm_options.Options(**{option: value})
    except (ValueError, TypeError):
        return False, None
    return True, getattr(options, option)


@settings(max_examples=300, deadline=None)
@given(option=st.sampled_from(NUMERIC), value=values)
def test_animate_keywords_and_flags_accept_the_same_values(option, value):
    """A value the command line refuses as text, animate() refuses as a number, and
    the other way round; what both accept is the same option value. (animate()
    also takes what text cannot hold: a numpy Generator as random_state.)"""
    cli, library = _cli(option, value), _library(option, value)
    assert cli[0] == library[0], (option, value, cli, library)
    if cli[0]:
        assert cli[1] == library[1] and type(cli[1]) is type(library[1])


@pytest.mark.parametrize("keyword, value, error, fragment", [
    ("tol", float("nan"), ValueError, "tol must be a finite number >= 0"),
    ("tol", -1, ValueError, "tol must be a finite number >= 0"),
    ("tol", math.inf, ValueError, "tol must be a finite number >= 0"),
    ("random_state", -1, ValueError, "random_state must be a non-negative integer"),
    ("random_state", 2**63, ValueError, "random_state must be at most"),
    ("random_state", 1.5, TypeError, "random_state must be None, an int"),
    ("max_iter", -1, ValueError, "max_iter must be >= 0"),
    ("n_components", 0, ValueError, "n_components must be >= 1"),
    ("max_radius", 0, ValueError, "max_radius must be a finite number > 0"),
    ("init", "kmeans+", ValueError, "init must be one of center"),
])
def test_animate_refuses_what_the_command_line_refuses(keyword, value, error, fragment):
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(error, match=fragment):
        visualize_gmm.animate(X, **{"n_components": 2, keyword: value})


def test_a_generator_is_a_random_state_for_the_library_only():
    gen = np.random.default_rng(4)
    assert gmm_options.Options(random_state=gen).random_state is gen


LIGHT = {
    # module: modules it must not load (drawing, writers, files of parameters, the model);
    # gmm_cli's stdlib-only gmm_atomic (file identity) is allowed
    "gmm_options": ("matplotlib", "PIL", "gmm_writers", "gmm_params", "gmm_load",
                    "gmm_animator", "gmm_plot", "gmm_mixture", "gmm_em", "tqdm"),
    "data_gen": ("matplotlib", "PIL", "gmm_writers", "gmm_params", "gmm", "gmm_mixture",
                 "gmm_em", "gmm_kmeans", "gmm_fit", "gmm_select", "gmm_transforms",
                 "gmm_animator", "gmm_plot", "scipy", "sklearn"),
}


@pytest.mark.parametrize("module", sorted(LIGHT))
def test_light_modules_load_no_drawing_writer_or_model_module(module):
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert module in loaded
    assert not loaded & set(LIGHT[module]), sorted(loaded & set(LIGHT[module]))
