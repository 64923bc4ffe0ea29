"""How long a text table takes to load with a row index, chosen columns and NA cells.

Writes four CSVs of ``--n`` rows and 4 numeric columns (pandas' ``to_csv``
layout) in a temporary folder and times :func:`gmm_load.load_points` on
each, best of ``--repeat``, relative to the plain table (no index, every
cell a number) measured in the same run:

    python bench/bench_tables.py              # 100,000 rows
    python bench/bench_tables.py --n 20000 --repeat 5

* ``plain``: no index; ``np.loadtxt`` alone.
* ``index``: a whole-number row index (read once, left out).
* ``index, columns a,b``: two chosen columns after the index.
* ``text index, NA, drop``: car-name-like row names and one NA cell in every
  tenth row, ``drop_missing=True`` (cells read one by one: the slow path).
* ``pandas``: ``pd.read_csv(index_col=0)`` of the NA table, for scale.

Nothing is asserted; on a shared machine the ratios are noisy (run it twice).
"""
import argparse
import os
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import gmm_load                             # noqa: E402


def write_tables(folder, n, seed=0):
    """The four CSVs, {label: path}."""
    X = np.random.default_rng(seed).normal(size=(n, 4))
    cells = [[repr(float(v)) for v in row] for row in X]
    head = "a,b,c,d"
    tables = {
        "plain": [head] + [",".join(r) for r in cells],
        "index": ["," + head] + [f"{i}," + ",".join(r) for i, r in enumerate(cells)],
        "text index, NA, drop": ["," + head] + [
            f"car {i}," + ",".join("NA" if (i % 10 == 0 and j == 1) else v
                                   for j, v in enumerate(r)) for i, r in enumerate(cells)],
    }
    paths = {}
    for label, lines in tables.items():
        paths[label] = os.path.join(folder, label.split(",")[0].replace(" ", "_") + ".csv")
        with open(paths[label], "w") as fh:
            fh.write("\n".join(lines) + "\n")
    return paths


def best_time(call, repeat):
    """The fastest of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", gmm_load.IndexColumnWarning)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_tables(folder, args.n)
        runs = [("plain", paths["plain"], {}), ("index", paths["index"], {}),
                ("index, columns a,b", paths["index"], {"columns": "a,b"}),
                ("text index, NA, drop", paths["text index, NA, drop"],
                 {"drop_missing": True})]
        base = None
        print(f"{'table':24s} {'seconds':>8s} {'ratio':>6s}   ({args.n} rows)")
        for label, path, kw in runs:
            seconds = best_time(lambda: gmm_load.load_points(path, **kw), args.repeat)
            base = seconds if base is None else base
            print(f"{label:24s} {seconds:8.3f} {seconds / base:6.2f}")
        try:
            import pandas as pd
        except ImportError:
            return
        seconds = best_time(lambda: pd.read_csv(paths["text index, NA, drop"], index_col=0),
                            args.repeat)
        print(f"{'pandas read_csv (NA)':24s} {seconds:8.3f} {seconds / base:6.2f}")


if __name__ == "__main__":
    main()
