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
