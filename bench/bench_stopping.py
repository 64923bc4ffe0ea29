"""How honest is the command line's stopping rule? Prints one table row per init.

For seeds 0-19 of ``visualize_gmm.py -k 5 -m 5 --seed S --init I`` (the
defaults otherwise: ``-i``, ``--tol``, ``--patience``), compares the final
log-likelihood with what the same start reaches with ``--tol 0 -i 300``.
A seed "agrees" when the default run ends within 0.01 of it. Also shows the
frames of the animation (iterations + 1) and how many runs stopped by the
rule ("converged") rather than by ``-i``.

    python bench/bench_stopping.py              # all five inits, 20 seeds
    python bench/bench_stopping.py --seeds 5 --inits center

Runs EM only (no drawing): about half a minute on one core.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import gmm_fit                              # noqa: E402
import visualize_gmm                        # noqa: E402
import gmm_options                          # noqa: E402
from gmm_options import Options             # noqa: E402

GAP = 0.01          # "within 0.01" of the long run's log-likelihood
LONG_RUN = 300      # --tol 0 -i 300


def final_state(options):
    """The last display state of the command line's run with ``options`` (sampled data)."""
    rng = np.random.default_rng(options.random_state)
    X, true_components = gmm_fit.sample(options, rng)
    fit = gmm_fit.FitRun(X, options, rng=rng, true_components=true_components,
                         shared_scale=True)
    last = None
    for last in fit.states():
        pass
    return last


def measure(init, seeds, **overrides):
    """One row: dict with agreeing seeds, median and max frames, converged count."""
    agree, frames, converged, gaps = 0, [], 0, []
    for seed in seeds:
        base = Options(n_components=5, n_true=5, random_state=seed, init=init, quiet=True,
                       **overrides)
        short = final_state(base)
        long = final_state(Options(n_components=5, n_true=5, random_state=seed, init=init,
                                   tol=0.0, max_iter=LONG_RUN, quiet=True))
        gap = float(long.log_likelihood - short.log_likelihood)
        gaps.append(gap)
        agree += gap <= GAP
        frames.append(int(short.iteration) + 1)
        converged += bool(short.converged)
    return {"init": init, "agree": agree, "n": len(seeds), "median_frames": float(np.median(frames)),
            "max_frames": max(frames), "converged": converged, "worst_gap": max(gaps)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20, help="seeds 0 .. N-1 (default 20)")
    p.add_argument("--inits", nargs="+", default=list(gmm_options.INIT_CHOICES))
    args = p.parse_args(argv)
    o = Options()
    print(f"-k 5 -m 5, seeds 0-{args.seeds - 1}; default rule: -i {o.max_iter}, --tol {o.tol:g}, "
          f"--patience {o.patience}; reference: --tol 0 -i {LONG_RUN}")
    print(f"{'init':<17} {'within 0.01':>11} {'median frames':>13} {'max frames':>10} "
          f"{'converged':>9} {'worst gap':>9}")
    for init in args.inits:
        r = measure(init, range(args.seeds))
        print(f"{r['init']:<17} {r['agree']:>8}/{r['n']:<2} {r['median_frames']:>13g} "
              f"{r['max_frames']:>10} {r['converged']:>6}/{r['n']:<2} {r['worst_gap']:>9.4f}")


if __name__ == "__main__":
    main()
