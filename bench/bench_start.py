"""Benchmark: what the start of ``gmm.em_steps`` costs, in EM iterations.

``em_steps(X, k)`` with its defaults (argument and data checks,
centring, the k-means++ start on a subsample, ``random_state=0``) on
``n`` x 2 blobs: the time from the call to state 0 (which includes state
0's own E-step: its log-likelihood and labels), divided by the median
time of one EM iteration measured in the same run.  The aim at n = 1e7,
k = 5: at most 2 iterations.

Then where the start's time goes: the engine's steps are wrapped by name
for one more run (``check_X``, ``_centred_in_memory`` = the copy,
centring and scale checks, ``_subsample_centres`` = k-means++ on the
subsample, ``_hard_start`` = the pass assigning every row to its nearest
centre, ``_pass`` = an E-step pass).  The names are the engine's private
ones: this script is pinned to this checkout, not part of the library.

Run ``python bench/bench_start.py`` (n = 1e7, about a minute),
``python bench/bench_start.py --n 1000000`` or ``--jobs 1``.
Nothing is asserted; on a busy machine the ratio is noisy.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import gmm  # noqa: E402
import gmm_em  # noqa: E402

#: steps of the engine timed in the breakdown
STEPS = ("check_X", "_centred_in_memory", "_subsample_centres", "_hard_start", "_pass")


def blobs(n, seed=0):
    """n points (n, 2) from five unit blobs 3 apart."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 2)) + rng.integers(0, 5, n)[:, None] * 3.0


def start_and_iterations(X, k, iters, n_jobs):
    """Seconds from the call to state 0, and of each later iteration (iters,)."""
    t0 = time.perf_counter()
    states = gmm.em_steps(X, k, max_iter=iters, tol=0, random_state=0, n_jobs=n_jobs)
    next(states)
    start = time.perf_counter() - t0
    times, t0 = [], time.perf_counter()
    for _ in states:
        t1 = time.perf_counter()
        times.append(t1 - t0)
        t0 = t1
    return start, np.array(times)


def breakdown(X, k, n_jobs):
    """Seconds in each of :data:`STEPS` up to state 0 (the engine's functions wrapped)."""
    spent = {name: 0.0 for name in STEPS}
    real = {name: getattr(gmm_em, name) for name in STEPS}

    def wrapped(name):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return real[name](*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0
        return timed

    for name in STEPS:
        setattr(gmm_em, name, wrapped(name))
    try:
        t0 = time.perf_counter()
        next(gmm_em.em_steps(X, k, max_iter=1, tol=0, random_state=0, n_jobs=n_jobs))
        total = time.perf_counter() - t0
    finally:
        for name in STEPS:
            setattr(gmm_em, name, real[name])
    return spent, total


def main(argv=None):
    p = argparse.ArgumentParser(description="The start of em_steps in EM iterations.")
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--jobs", type=int, default=None, help="n_jobs (default: every core)")
    args = p.parse_args(argv)
    X = blobs(args.n)
    start_and_iterations(X[:100_000], args.k, 2, args.jobs)          # warm-up
    starts, iters = [], []
    for _ in range(2):
        start, times = start_and_iterations(X, args.k, args.iters, args.jobs)
        starts.append(start)
        iters.extend(times)
    it = float(np.median(iters))
    start = min(starts)
    print(f"# n={args.n:,d} k={args.k} d=2, n_jobs={args.jobs}, {os.cpu_count()} cores")
    print(f"start (call to state 0, best of 2) {start:8.3f} s")
    print(f"one EM iteration (median)          {it:8.3f} s")
    print(f"start / iteration                  {start / it:8.2f}   (aim: <= 2)")
    spent, total = breakdown(X, args.k, args.jobs)
    print(f"\n# where the start goes (one more run, {total:.3f} s to state 0)")
    other = total - sum(spent.values())
    for name, seconds in list(spent.items()) + [("rest", other)]:
        print(f"{name:<20} {seconds:8.3f} s  {seconds / it:6.2f} iterations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
