"""Properties of the command line on 1-D data, through ``main(argv)``.

Every way 1-D data arrives (a one-column .csv with or without a header, a
.txt, a 1-D or (n, 1) .npy array, one column of a wider .csv by ``--dims
I``, ``-d 1`` sampling) with hostile values (0, +-1e300, 5e-324, 1.7e308,
NaN, inf, 1e400, text, empty cells, a single row, identical rows) and the
1-D views: every run ends with exit 0, or exit 2 and exactly one stderr line
``error: ...``, never a traceback, never a file left behind on failure; and
clean finite data with k <= n always draws.
"""

import contextlib
import io
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from visualize_gmm import main

VALUES = ["0", "1", "-1", "2.5", "1e-300", "1e300", "-1e300", "5e-324", "1.7e308", "-1.7e308",
          "3", "3", "nan", "inf", "1e400", "abc", ""]
GOOD = {"0", "1", "-1", "2.5", "1e-300", "1e300", "-1e300", "5e-324", "1.7e308", "-1.7e308", "3"}
SOURCES = ["csv", "csv-noheader", "txt", "npy1", "npy2", "dims", "sampled"]
VIEWS = [[], ["--soft"], ["--ll-panel"], ["--compare", "kmeans"], ["--select-k", "1:2"],
         ["--hide_covs", "--hide_means"], ["--save-params", "p.json"], ["--n-init", "2"],
         ["--uncertainty", "--soft"]]


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except BaseException as exc:        # noqa: B036 - anything escaping main is a bug
            pytest.fail(f"main({argv!r}) raised {type(exc).__name__}: {exc}")
    return status, err.getvalue()


def _write(source, values):
    """Write ``values`` (list of str) as ``source`` says; returns the --load_path args."""
    if source == "sampled":
        return ["-d", "1", "-N", str(max(len(values), 1)), "-m", "1"]
    if source in ("npy1", "npy2"):
        try:
            x = np.array([float(v) for v in values])
        except ValueError:                  # text cannot be in a .npy: use a float instead
            x = np.array([float(v) if v in GOOD else np.nan for v in values])
        np.save("d.npy", x if source == "npy1" else x.reshape(-1, 1))
        return ["--load_path", "d.npy"]
    if source == "dims":
        with open("d.csv", "w") as fh:
            fh.write("a,b\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
        return ["--load_path", "d.csv", "--dims", "1"]
    name = "d.txt" if source == "txt" else "d.csv"
    header = "value\n" if source == "csv" else ""
    with open(name, "w") as fh:
        fh.write(header + "".join(f"{v}\n" for v in values))
    return ["--load_path", name]


@settings(max_examples=int(os.environ.get("GMM_CLI_EXAMPLES", "60")) // 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(SOURCES), values=st.lists(st.sampled_from(VALUES), max_size=7),
       k=st.integers(1, 3), views=st.sampled_from(VIEWS), save=st.sampled_from(["o.png", "o.gif"]))
@example(source="csv", values=["1.7e308", "-1.7e308", "0"], k=2, views=[], save="o.png")
@example(source="npy1", values=["5e-324", "0", "5e-324"], k=2, views=["--soft"], save="o.png")
@example(source="dims", values=["3", "3", "3"], k=3, views=["--compare", "kmeans"], save="o.gif")
@example(source="txt", values=["1e300", "-1e300", "2.5"], k=2, views=["--save-params", "p.json"],
         save="o.png")
@example(source="csv-noheader", values=["1"], k=1, views=["--select-k", "1:2"], save="o.png")
@example(source="npy2", values=["nan", "1", "2"], k=1, views=[], save="o.png")
@example(source="csv", values=["abc", "1", "2"], k=1, views=[], save="o.png")
@example(source="csv", values=[], k=1, views=[], save="o.png")
@example(source="sampled", values=[], k=1, views=["--n-init", "2"], save="o.png")
@example(source="npy1", values=["5e-324", "0", "5e-324"], k=2, views=["--uncertainty", "--soft"],
         save="o.gif")
def test_1d_data_from_any_source_is_drawn_or_one_error_line(source, values, k, views, save):
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            argv = _write(source, values) + ["-k", str(k), "-i", "2", "--seed", "0", "-q",
                                             "-s", save] + views
            before = set(os.listdir("."))
            status, err = _run(argv)
            new = set(os.listdir(".")) - before
        finally:
            os.chdir(old)
    assert "Traceback" not in err and status in (0, 2), (argv, status, err)
    if status == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert new == set(), (argv, new)
        clean = source == "sampled" or (values and all(v in GOOD for v in values))
        n = len(values)
        # clean data only fails for a reason of its own: too few points (the sampled
        # source draws one: --n-init's k-means++ needs two), or a spread whose square
        # is no double (the flags needing parameters in user units)
        assert (not clean or k > max(n, 1) or "spread" in err or "select-k" in err
                or "needs at least 2 samples" in err), (argv, err)
    else:
        assert save in new and not [f for f in new if f.startswith(".")], (argv, new)
