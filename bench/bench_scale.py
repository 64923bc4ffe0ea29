"""Benchmark: EM at scale in memory, from a memory map and on a dask LocalCluster.

One run prints, for the same data (n points from k Gaussians in 2-D, default
n = 1e7, k = 5), seconds per EM iteration and peak resident memory of

* numpy:  ``gmm.em_steps(X)`` on an array in memory;
* mmap:   ``gmm.em_steps(np.load(path, mmap_mode="r"))``, read block by block;
* dask:   ``gmm.em_steps(dask.array.from_delayed(...))`` (the ``.npy`` file
  read by the workers, one block per 1e6 rows) on a ``LocalCluster`` of 2
  worker processes; its peak RSS is the client's and the largest worker's;

and the cost of the default start (k-means++ seeding on a subsample, then the
M-step of every point's nearest centre), measured as the time to state 0 with
``init="kmeans++"`` minus the time to state 0 from given parameters (each the
faster of two runs).  Each path runs in its own child process, so each peak
is its own.  The dask blocks are read from the file in every pass (nothing is
persisted on the workers), as data larger than the cluster's memory would be.

Usage::

    OPENBLAS_NUM_THREADS=1 python bench/bench_scale.py            # n = 1e7
    OPENBLAS_NUM_THREADS=1 python bench/bench_scale.py --n 200000 --iters 3

The ``dask`` row needs ``pip install .[dask]``; without dask it says so.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import gmm  # noqa: E402


def write_data(path, n, k, seed=0):
    """n points from k unit Gaussians with centres ~ N(0, 6^2 I), written in blocks."""
    rng = np.random.default_rng(seed)
    centres = 6.0 * rng.normal(size=(k, 2))
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, 2))
    for a in range(0, n, 1_000_000):
        m = min(1_000_000, n - a)
        out[a:a + m] = centres[rng.integers(k, size=m)] + rng.normal(size=(m, 2))
    out.flush()
    del out


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_run(X, k, iters):
    """(seconds to state 0, median seconds per later iteration, seconds to state 0 from
    given parameters) of em_steps on X.

    Both runs are made twice, alternating, and the faster of each kept: the
    first run of a process also pays for faulting in its fresh memory.
    """
    to_state0, given_state0, gaps = [], [], []
    given = None
    for _ in range(2):
        if given is not None:
            t0 = time.perf_counter()
            next(gmm.em_steps(X, k, max_iter=0, tol=0, init=given))
            given_state0.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        it = gmm.em_steps(X, k, max_iter=iters, tol=0, random_state=0)
        first = next(it)
        to_state0.append(time.perf_counter() - t0)
        t = time.perf_counter()
        for _ in it:
            now = time.perf_counter()
            gaps.append(now - t)
            t = now
        given = (first.weights, first.means, first.covariances)
    t0 = time.perf_counter()
    next(gmm.em_steps(X, k, max_iter=0, tol=0, init=given))
    given_state0.append(time.perf_counter() - t0)
    return min(to_state0), float(np.median(gaps)), min(given_state0)


def child(path_kind, data, k, iters):
    """Run one path in this process and print its numbers as one JSON line."""
    extra = {}
    if path_kind == "numpy":
        X = np.load(data)
    elif path_kind == "mmap":
        X = np.load(data, mmap_mode="r")
    else:
        import dask
        import dask.array as da
        from dask.distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        n = np.load(data, mmap_mode="r").shape[0]
        step = 1_000_000

        def rows(a, b):
            return np.array(np.load(data, mmap_mode="r")[a:b])

        X = da.concatenate([da.from_delayed(dask.delayed(rows)(a, min(a + step, n)),
                                            shape=(min(a + step, n) - a, 2), dtype=float)
                            for a in range(0, n, step)])
    start, per_iter, given = time_run(X, k, iters)
    if path_kind == "dask":
        worker_peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        extra["worker_peak_mb"] = max(worker_peaks.values()) / 1024
        client.close()
        cluster.close()
    print(json.dumps(dict(path=path_kind, to_state0=start, per_iter=per_iter,
                          state0_given=given, peak_mb=_peak_mb(), **extra)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=float, default=1e7, help="points (default 1e7)")
    p.add_argument("--k", type=int, default=5, help="components (default 5)")
    p.add_argument("--iters", type=int, default=5, help="EM iterations per path (default 5)")
    p.add_argument("--paths", default="numpy,mmap,dask",
                   help="comma-separated paths to run (default numpy,mmap,dask)")
    p.add_argument("--child", nargs=2, metavar=("PATH", "DATA"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args.child[0], args.child[1], args.k, args.iters)
    n = int(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "X.npy")
        write_data(data, n, args.k)
        print(f"n = {n:.3g}, k = {args.k}, d = 2, {args.iters} iterations per path; "
              f"data file {os.path.getsize(data) / 1e6:.0f} MB")
        print(f"{'path':<7}{'s/iter':>9}{'to state 0':>12}{'start':>9}{'start/iter':>11}"
              f"{'peak RSS MB':>13}")
        for kind in args.paths.split(","):
            out = subprocess.run([sys.executable, __file__, "--k", str(args.k), "--iters",
                                  str(args.iters), "--child", kind, data],
                                 capture_output=True, text=True)
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
            if out.returncode or not lines:
                why = (out.stderr.strip().splitlines() or ["failed"])[-1]
                print(f"{kind:<7}  not run: {why}")
                continue
            r = json.loads(lines[-1])
            start = max(r["to_state0"] - r["state0_given"], 0.0)
            peak = f"{r['peak_mb']:.0f}"
            if "worker_peak_mb" in r:
                peak += f" (+{r['worker_peak_mb']:.0f}/worker)"
            print(f"{kind:<7}{r['per_iter']:9.3f}{r['to_state0']:12.3f}{start:9.3f}"
                  f"{start / r['per_iter']:11.2f}  {peak}")


if __name__ == "__main__":
    main()
