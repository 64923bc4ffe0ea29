"""Benchmark: seconds per variational iteration, ours vs scikit-learn's BayesianGaussianMixture.

Both engines get the same data and the same start (the responsibilities of
a hard labelling: scikit-learn's ``_initialize`` of them, ours the same
M-step statistics given as ``init``) and run T iterations with ``tol=0``.

* ours: the gap between consecutive states of :func:`gmm.vb_steps` (one pass
  over the data with the M-step statistics, the variational M-step and the
  lower bound); median over iterations 2..T.
* sklearn: its own loop body, ``_e_step``, ``_m_step`` and
  ``_compute_lower_bound`` (private methods, called directly; this script is
  pinned to the installed scikit-learn, not part of the library); median
  over iterations 2..T.
* ``fit s``: one whole ``fit(X)`` of T iterations per estimator (validation,
  priors, start, iterations).
* ``max|dmu|``: largest difference of the final means, a check that both
  did the same work.

Nothing is asserted; the target (>= 10x at n = 1e6, k = 20) is for the
reader.  On a shared machine the ratio is noisy (run it twice);
``OPENBLAS_NUM_THREADS=1`` gives each engine one core and steadier numbers.

Run ``python bench/bench_bayes.py`` (n = 1e6, k = 20, d = 2; a few minutes)
or ``python bench/bench_bayes.py --case 100000 20 2 5``.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sklearn.mixture import BayesianGaussianMixture as SkBayes  # noqa: E402

import gmm  # noqa: E402


class SkFromLabels(SkBayes):
    """scikit-learn's estimator started from the one-hot responsibilities of ``labels0``."""

    labels0 = None

    def _initialize_parameters(self, X, random_state, xp=None):
        resp = np.zeros((X.shape[0], self.n_components), dtype=X.dtype)
        resp[np.arange(X.shape[0]), self.labels0] = 1.0
        self._initialize(X, resp)


def make_case(n, k, d, seed=0):
    """Blobs (n, d) around k centres and a hard starting labelling (n,)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(k, d))
    labels = rng.integers(0, k, size=n)
    X = centres[labels] + rng.normal(size=(n, d))
    start = (labels + rng.integers(0, 2, size=n)) % k          # a noisy start
    return X, start


def statistics(X, labels, k, reg_covar=1e-6):
    """The M-step statistics of a hard labelling: (weights, means, covariances (k, d, d))."""
    n, d = X.shape
    nk = np.bincount(labels, minlength=k) + 10 * np.finfo(float).eps
    means = np.stack([np.bincount(labels, weights=X[:, j], minlength=k) for j in range(d)], 1)
    means /= nk[:, None]
    covs = np.empty((k, d, d))
    for j in range(k):
        diff = X[labels == j] - means[j]
        covs[j] = diff.T @ diff / nk[j] + reg_covar * np.eye(d)
    return nk / nk.sum(), means, covs


def time_ours(X, k, init, iters):
    gaps, t0 = [], time.perf_counter()
    last = None
    for state in gmm.vb_steps(X, k, init=init, max_iter=iters, tol=0):
        now = time.perf_counter()
        gaps.append(now - t0)
        t0, last = now, state
    return float(np.median(gaps[2:])), last


def time_sklearn(X, k, labels, iters):
    model = SkFromLabels(n_components=k, max_iter=1, tol=0)
    model.labels0 = labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X)
    gaps = []
    for _ in range(iters - 1):
        t0 = time.perf_counter()
        log_prob_norm, log_resp = model._e_step(X)
        model._m_step(X, log_resp)
        model._compute_lower_bound(log_resp, log_prob_norm)
        gaps.append(time.perf_counter() - t0)
    return float(np.median(gaps)), model


def time_fits(X, k, labels, init, iters):
    t0 = time.perf_counter()
    gmm.BayesianGaussianMixture(n_components=k, init=init, max_iter=iters, tol=0).fit(X)
    ours = time.perf_counter() - t0
    sk = SkFromLabels(n_components=k, max_iter=iters, tol=0)
    sk.labels0 = labels
    t0 = time.perf_counter()
    sk.fit(X)
    return ours, time.perf_counter() - t0


def run(n, k, d, iters):
    X, labels = make_case(n, k, d)
    init = statistics(X, labels, k)
    ours, state = time_ours(X, k, init, iters)
    theirs, model = time_sklearn(X, k, labels, iters)
    dmu = float(np.abs(state.means - model.means_).max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_ours, fit_sk = time_fits(X, k, labels, init, iters)
    print(f"{n:>9} {k:>3} {d:>2} {iters:>3}  {ours:9.4f} {theirs:9.4f} {theirs / ours:7.1f}x"
          f"  {fit_ours:7.2f} {fit_sk:7.2f} {fit_sk / fit_ours:6.1f}x  {dmu:9.2e}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", nargs=4, type=int, metavar=("N", "K", "D", "ITERS"),
                        action="append", help="a case to run (repeatable); default 1e6 20 2 6")
    args = parser.parse_args(argv)
    cases = args.case or [(1_000_000, 20, 2, 6)]
    print("        n   k  d   T  ours s/it  sklearn   ratio  fit ours  fit sk  ratio   max|dmu|")
    for case in cases:
        run(*case)


if __name__ == "__main__":
    main()
