"""Benchmark: peak memory of the teaching views and the PCA view on a memory-mapped ``.npy``.

One run writes, block by block, into a temporary directory

* ``big2.npy``: n rows x 2 columns (default n = 1e8: 1.6 GB) from k = 3 Gaussians;
* ``big4.npy``: m rows x 4 columns (default m = 3e7: 0.96 GB), the same
  clusters with two more columns, for the PCA view (``--view pca``, the biplot);

then runs each command below in its own child process and prints its wall
time and peak resident memory (``ru_maxrss`` of that child, from
``os.wait4``; the files are written by another child, so this process stays
small and lends its children no peak) next to the file's size.  The CLI maps a ``.npy`` of 256 MiB or
more (``gmm_load.worth_mapping``) and fits it block by block; the views draw
each pixel of the image from up to 16 of its points (their responsibilities
only), so no view builds an array of n rows beyond the engine's labels
(1 byte a row).  The aim (issue 28 point 3): every peak under 1 GB.

Usage::

    python bench/bench_memmap_views.py                       # n = 1e8, m = 3e7
    python bench/bench_memmap_views.py --n 2000000 --m 1000000 --keep /tmp/x

The files need about 2.6 GB of free disk (``df -h /tmp``); they are deleted
afterwards unless ``--keep DIR`` names where to write and keep them (with
each view's last frame, e.g. ``soft.png``, to look at).  Times on
a machine shared with other work are noisy; the memory figures are not.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VIEWS = {                       # name -> (file, extra arguments)
    "plain": ("big2.npy", []),
    "soft": ("big2.npy", ["--soft"]),
    "uncertainty": ("big2.npy", ["--uncertainty"]),
    "contours": ("big2.npy", ["--contours"]),
    "all three": ("big2.npy", ["--soft", "--uncertainty", "--contours"]),
    "pca": ("big4.npy", ["--view", "pca"]),
    "pca + all three": ("big4.npy", ["--view", "pca", "--soft", "--uncertainty",
                                     "--contours"]),
}


def write_data(path, n, d, seed=0, block=1_000_000):
    """n rows of d columns (3 Gaussian clusters in the first two, correlated and
    noise columns after), written block by block (memory O(block))."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [5.0, 1.0], [2.0, 5.0]])
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, d))
    for a in range(0, n, block):
        m = min(block, n - a)
        xy = centres[rng.integers(3, size=m)] + rng.normal(size=(m, 2))
        extra = [xy[:, :1] * 0.5 + rng.normal(size=(m, 1)), 2.0 * rng.normal(size=(m, 1))]
        out[a:a + m] = np.hstack([xy] + extra[:d - 2])
    out.flush()
    del out


def run(argv):
    """(seconds, peak RSS in MiB, exit status, last stderr line) of one child."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "visualize_gmm.py")] + argv,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode,
            err[-1] if err else "")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--write"]:
        write_data(argv[1], int(argv[2]), int(argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000_000, help="rows of the 2-column file")
    parser.add_argument("--m", type=int, default=30_000_000, help="rows of the 4-column file")
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--keep", help="write (and keep) the files in this directory")
    parser.add_argument("--views", nargs="*", default=list(VIEWS), choices=list(VIEWS))
    args = parser.parse_args(argv)
    where = args.keep or tempfile.mkdtemp(prefix="bench_memmap_views_")
    os.makedirs(where, exist_ok=True)
    try:
        sizes = {}
        for name, rows, d in (("big2.npy", args.n, 2), ("big4.npy", args.m, 4)):
            path = os.path.join(where, name)
            if not os.path.exists(path):    # in a child: this process stays small (a
                # child's ru_maxrss starts at its parent's peak, exec keeps it)
                subprocess.run([sys.executable, __file__, "--write", path, str(rows), str(d)],
                               check=True)
            sizes[name] = os.path.getsize(path) / 2**20
            shape = np.load(path, mmap_mode="r").shape
            print(f"{name}: {shape[0]:.3g} x {shape[1]} ({sizes[name]:,.0f} MiB)")
        print(f"-k 3 -i {args.iters}, one child process per row")
        print(f"{'view':<16} {'file MiB':>9} {'peak RSS MiB':>13} {'seconds':>8}  status")
        for view in args.views:
            name, extra = VIEWS[view]
            out = os.path.join(where, view.replace(" + ", "_").replace(" ", "_") + ".png")
            seconds, peak, code, last = run(["--load_path", os.path.join(where, name), "-k", "3",
                                             "-i", str(args.iters), "--seed", "0", *extra,
                                             "--save", out])
            status = "ok" if code == 0 else f"exit {code}: {last}"
            print(f"{view:<16} {sizes[name]:>9,.0f} {peak:>13,.0f} {seconds:>8.1f}  {status}",
                  flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    main()
