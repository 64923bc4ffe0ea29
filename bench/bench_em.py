"""Benchmark: seconds per EM iteration and peak extra memory, ours vs scikit-learn.

For every case both engines get the same data and the same starting
parameters and run the same number of EM iterations with ``tol=0``:

* ours:    ``gmm.GaussianMixture(k, tol=0, max_iter=T, n_init=1, weights_init=w,
  means_init=mu, precisions_init=inv(cov)).fit(X)``
* sklearn: ``sklearn.mixture.GaussianMixture(...)`` with the same arguments

(the same scikit-learn constructor call for both, so the numbers are what a
scikit-learn user gets by changing the import).

How iterations are timed
------------------------
Each EM iteration (one E-step and one M-step) is timed on its own and the
table shows the median (the ``(best)`` column is the speed-up of the
fastest iterations, as ``timeit`` would report), which shrugs off the page-fault and scheduling
spikes a shared 2-core VM produces (sklearn's (n, k) temporaries make it
most exposed to them).

* ours: ``GaussianMixture.fit`` drives ``em_steps``; this script wraps the
  ``em_steps`` that ``gmm_mixture`` calls to time the gap between consecutive
  states (the M-step, the E-step and the estimator's own work per
  iteration).  The first
  iteration is dropped as warm-up, so the median is over iterations 2..T.
* sklearn: ``fit(max_iter=1)`` performs iteration 1 together with input
  validation and the set-up of the start (untimed); iterations 2..T are
  sklearn's own loop body, ``model._e_step(X)`` then ``model._m_step(X,
  log_resp)``, called directly (private methods; this script is pinned to
  the installed sklearn, not part of the library).

Peak extra memory is measured with ``tracemalloc`` (numpy reports its
buffers to it) in separate short runs (2 iterations, peak reached in the
first), one engine at a time, and excludes the data and the start.  The
``max|dmu|`` column is the largest difference between the two engines' means
after T iterations, a sanity check that both did the same work.  The ``fit s``
columns time one whole ``fit(X)`` (validation, start, T iterations) per engine.

On a machine busy with other work, a multi-threaded BLAS loses most of its
time to threads waiting for a core (ours, whose E-step is one matrix product
per chunk, slowed 8x where scikit-learn slowed 3x); ``OPENBLAS_NUM_THREADS=1``
(one core per engine) gives stable ratios there.

Threads and loads
-----------------
Two more tables follow the first (``--threads-only`` prints only them):

* one thread against every core: ``em_steps(..., n_jobs=1)`` and
  ``n_jobs=-1`` from the same start, median seconds per iteration (the aim:
  at least 1.7x on 2 idle cores at n = 1e6, k = 20), then the same at k = 2
  and 5 (less work per row: threads must still not lose);
* the same iterations while a load runs beside them, against the idle
  times: busy loops (one per core; then the same at the lowest priority,
  ``nice 19``, as background jobs run), a BLAS-heavy neighbour (a numpy process
  multiplying 1000 x 1000 matrices on every core), and a process writing
  gigabytes to a temporary directory (a 1 GB file rewritten in 64 MB
  pieces with fsync, removed at the end); scikit-learn's iterations under
  the same load beside ours.  Each row's load runs until its row is
  measured and is then terminated; it also stops by itself after
  ``--load-seconds`` (a safety cap, should this script be killed).

Run ``python bench/bench_em.py`` (about 5-10 minutes on 2 cores),
``python bench/bench_em.py --quick`` (a few seconds) or
``python bench/bench_em.py --case 1000000 20 2 8`` (chosen cases).  Nothing is asserted:
the targets (at n = 1e6, k = 20: >= 10x faster for d = 2, >= 3x for d = 5,
peak memory below a third of sklearn's) are for the reader to compare.
"""
import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.mixture import GaussianMixture as SkGaussianMixture  # noqa: E402

import gmm  # noqa: E402
import gmm_mixture  # noqa: E402

#: (n, k, d, iterations) of the full run; d = 2 grid plus d = 5.
FULL_CASES = [
    (n, k, 2, iters)
    for n, iters in ((10_000, 30), (100_000, 15), (1_000_000, 8))
    for k in (5, 20, 50)
] + [(n, 20, 5, iters) for n, iters in ((10_000, 30), (100_000, 15), (1_000_000, 8))]

QUICK_CASES = [(10_000, 5, 2, 10), (10_000, 20, 2, 10), (100_000, 20, 2, 5), (10_000, 20, 5, 10)]


def make_case(n, k, d, seed=0):
    """Blobs and a start for one case.

    Parameters
    ----------
    n, k, d : int
        Points, components, dimensions.
    seed : int
        Seed of the ``np.random.Generator`` that makes everything.

    Returns
    -------
    X : ndarray (n, d)
        Points from 10 random Gaussians with random covariances.
    init : tuple
        weights (k,) uniform, means (k, d) = k distinct data points,
        covariances (k, d, d) = identity times the mean data variance / k.
    """
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(10, d))
    A = rng.normal(size=(10, d, d)) * 0.7
    lab = rng.integers(0, 10, size=n)
    Z = rng.standard_normal((n, d))
    X = centres[lab] + np.einsum("nij,nj->ni", A[lab], Z)
    means = X[rng.choice(n, size=k, replace=False)].copy()
    var = X.var(axis=0).mean()
    covs = np.repeat((var / k) * np.eye(d)[None], k, axis=0)
    return X, (np.full(k, 1.0 / k), means, covs)


def _constructor_args(init, iters):
    """scikit-learn's constructor arguments that start from ``init`` for ``iters`` iterations."""
    w, mu, cov = init
    prec = np.linalg.inv(cov)
    prec = (prec + np.swapaxes(prec, 1, 2)) / 2
    return dict(n_components=len(w), covariance_type="full", tol=0, max_iter=iters, n_init=1,
                weights_init=w, means_init=mu, precisions_init=prec)


def fit_ours(X, init, iters):
    """``gmm.GaussianMixture(...).fit(X)`` through scikit-learn's constructor arguments."""
    model = gmm.GaussianMixture(**_constructor_args(init, iters))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gmm.ConvergenceWarning)
        model.fit(X)
    return model


def time_ours(X, init, iters):
    """Fit ``gmm.GaussianMixture`` for ``iters`` iterations from ``init``, timing each.

    ``gmm_mixture.em_steps`` (the name ``fit`` calls) is wrapped for the call: the time
    from one state to the next is one iteration (M-step + E-step + the
    estimator's work on the previous state).  Returns the durations (iters,)
    and the fitted model.
    """
    times = []
    real = gmm_mixture.em_steps

    def timed_em_steps(*args, **kwargs):
        states = real(*args, **kwargs)

        def timed():
            t0 = time.perf_counter()
            for i, state in enumerate(states):
                t1 = time.perf_counter()
                if i:
                    times.append(t1 - t0)
                t0 = t1
                yield state
        return timed()

    gmm_mixture.em_steps = timed_em_steps
    try:
        model = fit_ours(X, init, iters)
    finally:
        gmm_mixture.em_steps = real
    return np.array(times), model


def sk_model(init, iters):
    """sklearn's GaussianMixture started from ``init`` for ``iters`` iterations."""
    return SkGaussianMixture(**_constructor_args(init, iters))


def fit_sklearn(X, init, iters):
    """A plain ``fit`` with ``max_iter=iters`` (the memory peak and the whole-fit time)."""
    model = sk_model(init, iters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return model


def time_sklearn(X, init, iters):
    """Run sklearn for ``iters`` iterations from ``init``, timing each.

    ``fit`` with ``max_iter=1`` does the first iteration (untimed: it also
    validates X and sets up the start); the remaining ``iters - 1`` are the
    exact body of sklearn's EM loop, ``_e_step`` then ``_m_step``, timed one
    by one.  Returns the durations (iters - 1,) and the model after ``iters``
    iterations.
    """
    model = fit_sklearn(X, init, 1)
    times = []
    for _ in range(iters - 1):
        t0 = time.perf_counter()
        _, log_resp = model._e_step(X)
        model._m_step(X, log_resp)
        times.append(time.perf_counter() - t0)
    return np.array(times), model


def peak_mb(fn):
    """Peak memory allocated while ``fn()`` runs, above what was live before, in MB."""
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return (peak - base) / 2**20


def bench_case(n, k, d, iters):
    """One table row as a dict (seconds per iteration are medians)."""
    X, init = make_case(n, k, d)
    ours_t, ours = time_ours(X, init, iters)
    sk_t, model = time_sklearn(X, init, iters)
    dmu = float(np.abs(ours.means_ - model.means_).max())
    del ours, model
    ours_mb = peak_mb(lambda: fit_ours(X, init, 2).weights_)
    sk_mb = peak_mb(lambda: fit_sklearn(X, init, 2).weights_)
    t0 = time.perf_counter()
    fit_ours(X, init, iters)
    t1 = time.perf_counter()
    fit_sklearn(X, init, iters)
    t2 = time.perf_counter()
    return dict(n=n, k=k, d=d, iters=iters, ours=float(np.median(ours_t[1:])),
                sk=float(np.median(sk_t)), best=float(sk_t.min() / ours_t[1:].min()),
                ours_mb=ours_mb, sk_mb=sk_mb, dmu=dmu, ours_fit=t1 - t0, sk_fit=t2 - t1)


def format_row(r):
    """One aligned line of the table."""
    return (f"{'full-d' + str(r['d']):<10} {r['n']:>9,d} {r['k']:>4d} {r['d']:>2d} {r['iters']:>5d} "
            f"{r['ours']:>12.5f} {r['sk']:>12.5f} {r['sk'] / r['ours']:>8.1f}x {r['best']:>7.1f}x "
            f"{r['ours_mb']:>10.1f} {r['sk_mb']:>10.1f} {r['ours_mb'] / r['sk_mb']:>8.3f} "
            f"{r['dmu']:>9.1e} {r['ours_fit']:>10.3f} {r['sk_fit']:>10.3f} "
            f"{r['sk_fit'] / r['ours_fit']:>7.1f}x")


HEADER = (f"{'case':<10} {'n':>9} {'k':>4} {'d':>2} {'iters':>5} {'ours s/it':>12} "
          f"{'sklearn s/it':>12} {'speed-up':>9} {'(best)':>8} {'ours MB':>10} {'sklearn MB':>10} "
          f"{'mem ratio':>8} {'max|dmu|':>9} {'ours fit s':>10} {'sk fit s':>10} {'fit x':>8}")


#: Load processes: Python code run with ``sys.executable -c``; each ends after ``sys.argv[1]``
#: seconds (``sys.argv[2]`` is a scratch directory).
BUSY_LOOP = "import sys, time\nend = time.time() + float(sys.argv[1])\nwhile time.time() < end:\n    pass\n"
LOADS = {
    "busy loops": (BUSY_LOOP, "per core"),
    "busy loops, nice 19": ("import os\nos.nice(19)\n" + BUSY_LOOP, "per core"),
    "BLAS neighbour": ("import sys, time, numpy as np\nend = time.time() + float(sys.argv[1])\n"
                       "a = np.random.default_rng(0).standard_normal((1000, 1000))\n"
                       "while time.time() < end:\n    a = np.tanh(a @ a)\n", "one"),
    "disk writer": ("import os, sys, time\nend = time.time() + float(sys.argv[1])\n"
                    "path = os.path.join(sys.argv[2], 'load.bin')\n"
                    "piece = os.urandom(64 * 2**20)\n"
                    "while time.time() < end:\n"
                    "    with open(path, 'wb') as f:\n"
                    "        for _ in range(16):\n"
                    "            f.write(piece)\n            f.flush()\n            os.fsync(f.fileno())\n"
                    "            if time.time() > end:\n                break\n"
                    "    os.remove(path)\n", "one"),
}


def start_load(name, seconds, scratch):
    """Start load ``name`` (:data:`LOADS`); returns its processes."""
    code, count = LOADS[name]
    n = os.cpu_count() if count == "per core" else 1
    return [subprocess.Popen([sys.executable, "-c", code, str(seconds), scratch])
            for _ in range(n)]


def stop_load(procs):
    """Terminate and reap the load processes."""
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()


def em_iteration_times(X, init, iters, n_jobs):
    """Seconds of EM iterations 2..iters of ``gmm.em_steps`` from ``init`` (the first
    is warm-up), with ``n_jobs`` threads."""
    states = gmm.em_steps(X, len(init[0]), init=init, max_iter=iters, tol=0, n_jobs=n_jobs)
    next(states)
    times, t0 = [], time.perf_counter()
    for state in states:
        t1 = time.perf_counter()
        times.append(t1 - t0)
        t0 = t1
    return np.array(times[1:])


def thread_rows(n, k, iters, rounds=3):
    """Median s/it with one thread and with every core (the best of ``rounds``
    alternating runs of each: a shared VM's slow spells hit both), and the largest
    difference of the final means (0 when the sums are in the same order, as they are)."""
    X, init = make_case(n, k, 2)
    one = every = np.inf
    for _ in range(rounds):
        one = min(one, float(np.median(em_iteration_times(X, init, iters, 1))))
        every = min(every, float(np.median(em_iteration_times(X, init, iters, -1))))
    a = list(gmm.em_steps(X, k, init=init, max_iter=2, tol=0, n_jobs=1))[-1]
    b = list(gmm.em_steps(X, k, init=init, max_iter=2, tol=0, n_jobs=-1))[-1]
    return one, every, float(np.abs(a.means - b.means).max())


def load_row(X, init, iters, name, seconds):
    """Median s/it of ours (every core), ours (one thread) and sklearn under load ``name``
    ("idle": none)."""
    with tempfile.TemporaryDirectory() as scratch:
        procs = [] if name == "idle" else start_load(name, seconds, scratch)
        try:
            time.sleep(0.5 if procs else 0.0)
            ours = float(np.median(em_iteration_times(X, init, iters, -1)))
            ours1 = float(np.median(em_iteration_times(X, init, iters, 1)))
            sk = float(np.median(time_sklearn(X, init, iters)[0]))
        finally:
            stop_load(procs)
    return ours, ours1, sk


def print_thread_tables(n, k, iters, seconds):
    """The threads table, then the loads table (a row as soon as it is measured)."""
    one, every, diff = thread_rows(n, k, iters)
    print(f"\n# threads: n={n:,d} k={k} d=2, median s/it over iterations 2..{iters}, "
          "best of 3 alternating runs")
    print(f"n_jobs=1      {one:9.4f}")
    print(f"n_jobs=-1     {every:9.4f}   speed-up {one / every:.2f}x "
          f"({os.cpu_count()} cores; max|dmu| between them {diff:.1e})", flush=True)
    for few in (2, 5):          # less work per row: the E-step's chunks grow to match
        one_few, every_few, _ = thread_rows(n, few, iters)
        print(f"  k={few:<2d} n_jobs=1 {one_few:9.4f}  n_jobs=-1 {every_few:9.4f}   "
              f"speed-up {one_few / every_few:.2f}x", flush=True)
    print("\n# under load: median s/it; 'x idle' = time / the same engine's idle time; "
          "'x 1 idle' = ours / ours with one thread on an idle machine (the threads table's, best of 3); "
          "'x 1 here' = ours / "
          "ours with one thread under the same load (what the load leaves one thread)")
    print(f"{'load':<20} {'ours':>9} {'x idle':>7} {'x 1 idle':>8} {'x 1 here':>8} "
          f"{'ours n_jobs=1':>14} {'x idle':>7} {'sklearn':>9} {'x idle':>7}", flush=True)
    X, init = make_case(n, k, 2)
    idle = None
    for name in ["idle"] + list(LOADS):
        ours, ours1, sk = row = load_row(X, init, iters, name, seconds)
        idle = idle or row
        print(f"{name:<20} {ours:9.4f} {ours / idle[0]:6.2f}x {ours / one:7.2f}x "
              f"{ours / ours1:7.2f}x {ours1:14.4f} {ours1 / idle[1]:6.2f}x {sk:9.4f} {sk / idle[2]:6.2f}x", flush=True)


def build_parser():
    """The command-line options."""
    p = argparse.ArgumentParser(description="Seconds per EM iteration and peak extra memory, "
                                "gmm.GaussianMixture vs sklearn GaussianMixture, same constructor "
                                "arguments (full covariances).")
    p.add_argument("--quick", action="store_true",
                   help="a small subset of cases for a smoke run (a few seconds)")
    p.add_argument("--case", nargs=4, type=int, action="append", metavar=("N", "K", "D", "ITERS"),
                   help="run only this case (repeatable), e.g. --case 1000000 20 2 8")
    p.add_argument("--threads-only", action="store_true",
                   help="print only the threads and loads tables")
    p.add_argument("--threads-case", nargs=3, type=int, default=None,
                   metavar=("N", "K", "ITERS"),
                   help="case of the threads and loads tables (default 1000000 20 8; "
                        "--quick: 100000 20 5)")
    p.add_argument("--load-seconds", type=float, default=None,
                   help="safety cap on a load process's life (default 600; --quick: 120)")
    return p


def main(argv=None):
    """Run the cases and print the table; returns the exit status."""
    args = build_parser().parse_args(argv)
    cases = args.case or (QUICK_CASES if args.quick else FULL_CASES)
    threads_case = args.threads_case or ((100_000, 20, 5) if args.quick else (1_000_000, 20, 8))
    seconds = args.load_seconds or (120.0 if args.quick else 600.0)
    print(f"# numpy {np.__version__}, {os.cpu_count()} cores; "
          "s/it = median seconds per EM iteration; speed-up = sklearn / ours "
          "(best: fastest iterations); mem ratio = ours peak / sklearn peak")
    print(HEADER, flush=True)
    warm = make_case(2000, 3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        time_ours(*warm, 3)
        time_sklearn(*warm, 3)
    if not args.threads_only:
        for case in cases:
            print(format_row(bench_case(*case)), flush=True)
    print_thread_tables(*threads_case, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
