"""Benchmark: how long ``python visualize_gmm.py --help`` takes to start.

Prints the median wall time of ``--help``, ``--version`` and a refused flag
(``-k 0``) next to ``python -c pass`` (the interpreter alone) and
``python -c "import numpy"``, all measured in the same run, alternating, so
the ratios hold on a busy machine where the absolute times do not.  The aim:
``--help`` under 0.5 s on an idle machine.  Where the time goes:
``python -X importtime visualize_gmm.py --help``.

Run ``python bench/bench_help.py`` (``--repeat 21`` for steadier medians).
Nothing is asserted.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "visualize_gmm.py")

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "visualize_gmm.py --help": [sys.executable, SCRIPT, "--help"],
    "visualize_gmm.py --version": [sys.executable, SCRIPT, "--version"],
    "visualize_gmm.py -k 0 (refused)": [sys.executable, SCRIPT, "-k", "0"],
}


#: as a user's runs: compiled modules cached in __pycache__ (an environment with
#: PYTHONDONTWRITEBYTECODE set would compile every module in every run)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall_time(argv):
    """Seconds one run of ``argv`` takes, its output discarded."""
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                   env=ENV)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="runs of each command")
    args = parser.parse_args()
    times = {name: [] for name in COMMANDS}
    for name, argv in COMMANDS.items():          # warm the file and bytecode caches
        wall_time(argv)
    for _ in range(args.repeat):                  # alternate: load changes hit every command
        for name, argv in COMMANDS.items():
            times[name].append(wall_time(argv))
    base = statistics.median(times["python -c pass"])
    print(f"{'command':34s} {'median s':>9s} {'/ python -c pass':>17s}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:34s} {med:9.3f} {med / base:17.1f}")


if __name__ == "__main__":
    main()
