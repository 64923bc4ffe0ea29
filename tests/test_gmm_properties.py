"""Hostile arguments for the EM engine: every call
of ``em_steps``, ``select_k``, ``log_density``, ``responsibilities`` and
``kmeans_steps`` either succeeds with valid results or raises ``ValueError``
/ ``TypeError`` whose message names the argument that was wrong; never another
exception type, never NaN, never a hang.

Each property test starts from a valid call and replaces one argument (or
none) by a hostile value drawn from a catalogue; the catalogue keys keep the
``@example`` lines readable, and every example that ever failed is kept.
Successful results are checked against independent references: scipy's
``multivariate_normal`` and ``logsumexp`` for densities and responsibilities,
the plain float64 data for dtype conversions, the scale-1 fit for scaled data.
"""
import itertools
import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import gmm

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

try:
    import pandas as pd
except ImportError:     # pandas is a test-only extra: its cases are skipped without it
    pd = None


def _base_data(seed=0, n=24, d=2):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0] * d, [6.0] * d])
    return centres[rng.integers(0, 2, n)] + rng.standard_normal((n, d))


X0 = _base_data()
W0 = np.array([0.5, 0.5])
M0 = np.array([[0.0, 0.0], [6.0, 6.0]])
C0 = np.array([np.eye(2), 2 * np.eye(2)])


def _readonly(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


def _frame(a):
    if pd is None:
        pytest.skip("pandas not installed")
    return pd.DataFrame(a, columns=["a", "b"])


def _nullable_frame(a):
    if pd is None:
        pytest.skip("pandas not installed")
    return pd.DataFrame({"a": pd.array(np.round(a[:, 0] * 10).astype(int), dtype="Int64"),
                         "b": a[:, 1]})


#: X variants: key -> (builder of X from the valid float data, True if it holds the same numbers)
X_KINDS = {
    "float64": (lambda a: a, True),
    "list": (lambda a: a.tolist(), True),
    "float32": (lambda a: a.astype(np.float32), False),
    "float16": (lambda a: a.astype(np.float16), False),
    "float128": (lambda a: a.astype(np.longdouble), True),
    "int": (lambda a: np.round(a * 10).astype(np.int64), False),
    "uint8": (lambda a: np.round(np.abs(a) * 10).astype(np.uint8), False),
    "bool": (lambda a: a > 3, False),
    "object numbers": (lambda a: a.astype(object), True),
    "readonly": (_readonly, True),
    "fortran": (np.asfortranarray, True),
    "strided": (lambda a: np.repeat(a, 2, axis=0)[::2], True),
    "reversed": (lambda a: a[::-1, ::-1], False),
    "DataFrame": (_frame, True),
    "nullable Int64 DataFrame": (_nullable_frame, False),
    # hostile ones
    "complex": (lambda a: a.astype(complex), None),
    "complex objects": (lambda a: np.array([[complex(v, 1) for v in row] for row in a],
                                           dtype=object), None),
    "strings": (lambda a: a.astype(str), None),
    "None in objects": (lambda a: np.where(np.arange(a.size).reshape(a.shape) == 3, None,
                                           a.astype(object)), None),
    "timedelta": (lambda a: np.round(a * 10).astype("timedelta64[s]"), None),
    "datetime": (lambda a: np.round(a * 10).astype("datetime64[s]"), None),
    "NaN": (lambda a: np.where(np.arange(a.size).reshape(a.shape) == 5, np.nan, a), None),
    "inf": (lambda a: np.where(np.arange(a.size).reshape(a.shape) == 5, -np.inf, a), None),
    "0 rows": (lambda a: a[:0], None),
    "0 columns": (lambda a: a[:, :0], None),
    "1-D": (lambda a: a[:, 0], None),
    "3-D": (lambda a: a[None], None),
    "scalar": (lambda a: 3.0, None),
    "None": (lambda a: None, None),
    "ragged": (lambda a: [[1.0, 2.0], [3.0]], None),
    "float128 beyond float64": (lambda a: a.astype(np.longdouble) * np.longdouble("1e4000"),
                                None),
    "float128 below float64": (lambda a: a.astype(np.longdouble) * np.longdouble("1e-4000"),
                               None),
}

HOSTILE_INTS = [0, -1, -10**400, 10**400, 2.0, 3.5, np.float64(2.0), True, False, None, "2",
                float("nan"), [2], np.array([2])]
HOSTILE_FLOATS = [-1.0, float("nan"), float("inf"), -float("inf"), 10**400, -10**400,
                  "1e-3", None, [1e-3], np.array([1e-3]), 1j, np.longdouble("1e4000")]
GOOD_FLOATS = [0.0, 1e-3, 1e-6, 0.5, np.float32(1e-3), Fraction(1, 1000), 3]
HOSTILE_STATES = [-1, np.int64(-5), "0", 1.5, True, [1, 2], object()]
GOOD_STATES = [None, 0, 2**200, np.uint64(2**63 + 5), np.int32(7), "generator",
               "RandomState", "SeedSequence", "PCG64"]


def _state(value):
    return {"generator": lambda: np.random.default_rng(3),
            "RandomState": lambda: np.random.RandomState(3),
            "SeedSequence": lambda: np.random.SeedSequence(3),
            "PCG64": lambda: np.random.PCG64(3)}.get(value, lambda: value)() \
        if isinstance(value, str) else value


#: init tuple variants for k = 2 (weights, means, covariances) -> (tuple, valid?)
INIT_KINDS = {
    "valid": ((W0, M0, C0), True),
    "lists": ((W0.tolist(), M0.tolist(), C0.tolist()), True),
    "zero weight": ((np.array([1.0, 0.0]), M0, C0), True),
    "complex means": ((W0, M0 + 1j, C0), False),
    "complex weights 0j": ((W0 + 0j, M0, C0), False),
    "negative weight": ((np.array([1.5, -0.5]), M0, C0), False),
    "weights sum 2": ((np.ones(2), M0, C0), False),
    "weights sum 0.9": ((np.array([0.45, 0.45]), M0, C0), False),
    "NaN weight": ((np.array([np.nan, 0.5]), M0, C0), False),
    "weights (1, 2)": ((W0[None], M0, C0), False),
    "means (2, 3)": ((W0, np.zeros((2, 3)), C0), False),
    "means (3, 2)": ((W0, np.zeros((3, 2)), C0), False),
    "covariances (2, 2)": ((W0, M0, np.ones((2, 2))), False),
    "non-symmetric": ((W0, M0, np.array([[[1.0, 0.5], [0.0, 1.0]]] * 2)), False),
    "not PD": ((W0, M0, np.array([[[1.0, 2.0], [2.0, 1.0]]] * 2)), False),
    "singular": ((W0, M0, np.array([[[1.0, 1.0], [1.0, 1.0]]] * 2)), False),
    "subnormal covariances": ((W0, M0, C0 * 1e-320), False),
    "means 1e200 away": ((W0, M0 + 1e200, C0), False),
    "strings": ((["a", "b"], M0, C0), False),
    "ragged means": ((W0, [[0.0, 0.0], [1.0]], C0), False),
    "two items": ((W0, M0), False),
    "four items": ((W0, M0, C0, C0), False),
}


def names(message, *argument):
    """True when the message names one of the arguments (as a word)."""
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(a)}(?![A-Za-z_])", message)
               for a in argument)


def assert_valid_state(s, n, k, d):
    assert s.weights.shape == (k,) and s.means.shape == (k, d) and s.covariances.shape == (k, d, d)
    assert np.all(s.weights >= 0) and abs(s.weights.sum() - 1) < 1e-9   # 0: given in init
    assert np.isfinite(s.means).all() and np.isfinite(s.covariances).all()
    np.testing.assert_array_equal(s.covariances, np.swapaxes(s.covariances, 1, 2))
    assert (np.linalg.eigvalsh(s.covariances) > 0).all()
    assert math.isfinite(s.log_likelihood)
    assert s.labels.shape == (n,) and s.labels.min() >= 0 and s.labels.max() < k


def run_states(states, limit=4):
    return list(itertools.islice(states, limit))


# ---------------------------------------------------------------------------
# em_steps
# ---------------------------------------------------------------------------
EM_ARGS = ("X", "n_components", "max_iter", "tol", "reg_covar", "covariance_type", "init",
           "random_state", "n_jobs")


@st.composite
def em_calls(draw):
    """A valid call of em_steps with (at most) one argument made hostile; returns
    (which, kwargs, x_kind)."""
    kw = {"n_components": draw(st.sampled_from([1, 2, 3, np.int64(2), np.uint8(3)])),
          "max_iter": draw(st.sampled_from([0, 1, 3, np.int32(2)])),
          "tol": draw(st.sampled_from(GOOD_FLOATS)),
          "reg_covar": draw(st.sampled_from([1e-6, 1e-3, 0.0, 0.5])),
          "covariance_type": draw(st.sampled_from(gmm.COVARIANCE_TYPES)),
          "init": draw(st.sampled_from(gmm.INITS)),
          "random_state": draw(st.sampled_from(GOOD_STATES))}
    x_kind = "float64"
    which = draw(st.sampled_from((None,) + EM_ARGS))
    if which == "X":
        x_kind = draw(st.sampled_from(sorted(X_KINDS)))
    elif which == "n_components":
        kw["n_components"] = draw(st.sampled_from(HOSTILE_INTS + [25, 10**30]))
    elif which == "max_iter":
        kw["max_iter"] = draw(st.sampled_from(HOSTILE_INTS + [10**400]))
    elif which in ("tol", "reg_covar"):
        kw[which] = draw(st.sampled_from(HOSTILE_FLOATS + ([1e300] if which == "reg_covar"
                                                           else [])))
    elif which == "covariance_type":
        kw["covariance_type"] = draw(st.sampled_from(["FULL", "", None, ["full"], 1,
                                                      np.array(["full"])]))
    elif which == "init":
        kind = draw(st.sampled_from(sorted(INIT_KINDS) + ["kmeans+", None, 3, "name array"]))
        kw["n_components"] = 2
        kw["covariance_type"] = "full"
        kw["init"] = INIT_KINDS[kind][0] if kind in INIT_KINDS else \
            (np.array(["kmeans++"]) if kind == "name array" else kind)
    elif which == "random_state":
        kw["random_state"] = draw(st.sampled_from(HOSTILE_STATES))
    elif which == "n_jobs":     # scikit-learn's meanings (-1 every core) or refused
        kw["n_jobs"] = draw(st.sampled_from(HOSTILE_INTS + [None, -1, -2, 10**30, -10**30,
                                                            np.int8(2), float("nan"), "2"]))
    return which, kw, x_kind


def _check_em_call(which, kw, x_kind):
    builder, same_numbers = X_KINDS[x_kind]
    X = builder(X0)
    kw = dict(kw, random_state=_state(kw["random_state"]))
    try:
        states = gmm.em_steps(X, **kw)
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert which is not None or "reg_covar" in message, message
        expected = {"X": ("X", "n_components"), "init": ("init", "n_components")}.get(
            which, (which,))
        assert names(message, *expected) or (which in ("reg_covar",) and "X" in message), \
            f"{which}: {message}"
        return None
    try:
        out = run_states(states)
    except ValueError as exc:   # numerical trouble while iterating: says what to change
        assert re.search(r"reg_covar|standardise", str(exc)), str(exc)
        return None
    assert which != "X" or same_numbers is not None, f"{x_kind} was accepted"
    n = len(X0)
    for s in out:
        assert_valid_state(s, n, int(kw["n_components"]), X0.shape[1])
    return out


@SETTINGS
@given(em_calls())
@example(("X", {"n_components": 2, "max_iter": 1, "tol": 1e-3, "reg_covar": 1e-6,
                "covariance_type": "full", "init": "kmeans++", "random_state": 0},
          "float128 beyond float64"))
@example(("tol", {"n_components": 2, "max_iter": 1, "tol": 10**400, "reg_covar": 1e-6,
                  "covariance_type": "full", "init": "kmeans++", "random_state": 0}, "float64"))
@example(("init", {"n_components": 2, "max_iter": 1, "tol": 1e-3, "reg_covar": 1e-6,
                   "covariance_type": "full", "init": INIT_KINDS["complex means"][0],
                   "random_state": 0}, "float64"))
@example(("init", {"n_components": 2, "max_iter": 2, "tol": 1e-3, "reg_covar": 1e-6,
                   "covariance_type": "full", "init": INIT_KINDS["zero weight"][0],
                   "random_state": 0}, "float64"))
@example(("init", {"n_components": 2, "max_iter": 2, "tol": 1e-3, "reg_covar": 1e-6,
                   "covariance_type": "full", "init": INIT_KINDS["means 1e200 away"][0],
                   "random_state": 0}, "float64"))
@example(("init", {"n_components": 2, "max_iter": 2, "tol": 1e-3, "reg_covar": 1e-6,
                   "covariance_type": "full", "init": INIT_KINDS["subnormal covariances"][0],
                   "random_state": 0}, "float64"))
@example(("X", {"n_components": 2, "max_iter": 1, "tol": 1e-3, "reg_covar": 1e-6,
                "covariance_type": "full", "init": "kmeans++", "random_state": 0},
          "timedelta"))
@example(("X", {"n_components": 2, "max_iter": 1, "tol": 1e-3, "reg_covar": 1e-6,
                "covariance_type": "full", "init": "kmeans++", "random_state": 0},
          "nullable Int64 DataFrame"))
@example(("random_state", {"n_components": 2, "max_iter": 1, "tol": 1e-3, "reg_covar": 1e-6,
                           "covariance_type": "full", "init": "kmeans++",
                           "random_state": "SeedSequence"}, "float64"))
@example(("covariance_type", {"n_components": 2, "max_iter": 1, "tol": 1e-3,
                              "reg_covar": 1e-6, "covariance_type": np.array(["full"]),
                              "init": "kmeans++", "random_state": 0}, "float64"))
@example(("X", {"n_components": 1, "max_iter": 0, "tol": 0.0, "reg_covar": 0.0,
                "covariance_type": "full", "init": "kmeans++", "random_state": None}, "bool"))
def test_em_steps_any_arguments(call):
    _check_em_call(*call)


@pytest.mark.parametrize("x_kind", [k for k, (_, same) in X_KINDS.items() if same])
def test_em_steps_same_numbers_in_any_container_give_the_same_fit(x_kind):
    """Lists, DataFrames, object/float128/read-only/strided arrays of the same
    numbers fit exactly as the float64 array does (scikit-learn converts them too)."""
    X = X_KINDS[x_kind][0](X0)
    a = run_states(gmm.em_steps(X, 2, random_state=1, max_iter=3, tol=0))
    b = run_states(gmm.em_steps(X0, 2, random_state=1, max_iter=3, tol=0))
    for sa, sb in zip(a, b):
        np.testing.assert_array_equal(sa.labels, sb.labels)
        np.testing.assert_allclose(sa.means, sb.means, rtol=1e-12, atol=1e-12)
        assert sa.log_likelihood == pytest.approx(sb.log_likelihood, rel=1e-12)


# ---------------------------------------------------------------------------
# Scale: data at any scale fits scale-free or says it cannot be represented
# ---------------------------------------------------------------------------
def _scaled(X, exponent):
    """``X * 10**exponent``, reaching into the subnormals below 1e-308."""
    if exponent >= -300:
        return X * 10.0 ** exponent
    return X * 1e-300 * 10.0 ** (exponent + 300)


@settings(max_examples=40, deadline=None)
@given(exponent=st.integers(-330, 306), reg=st.sampled_from([0.0, 1e-6]),
       covariance_type=st.sampled_from(gmm.COVARIANCE_TYPES),
       init=st.sampled_from(gmm.INITS))
@example(exponent=-300, reg=1e-6, covariance_type="full", init="kmeans++")
@example(exponent=-200, reg=1e-6, covariance_type="full", init="kmeans++")
@example(exponent=-160, reg=0.0, covariance_type="full", init="kmeans++")
@example(exponent=-200, reg=0.0, covariance_type="full", init="kmeans++")
@example(exponent=-320, reg=1e-6, covariance_type="diag", init="random")
@example(exponent=160, reg=1e-6, covariance_type="full", init="kmeans++")
@example(exponent=200, reg=0.0, covariance_type="spherical", init="random")
@example(exponent=300, reg=1e-6, covariance_type="tied", init="kmeans")
@example(exponent=150, reg=0.0, covariance_type="full", init="kmeans++")
@example(exponent=-325, reg=0.0, covariance_type="full", init="kmeans++")
@example(exponent=-324, reg=0.0, covariance_type="full", init="kmeans++")
def test_em_steps_at_any_scale(exponent, reg, covariance_type, init):
    """``s X`` (reg_covar scaled by s^2, or 0) gives the labels of the fit of X
    and a log-likelihood lower by d log s; or one ValueError saying the values
    cannot be represented (or that reg_covar would hide them) and to standardise."""
    X = _base_data(1, 60)
    kw = dict(random_state=0, tol=0, max_iter=5, covariance_type=covariance_type, init=init)
    ref = run_states(gmm.em_steps(X, 2, reg_covar=reg, **kw), 6)
    Xs = _scaled(X, exponent)
    s = float(np.abs(Xs).max() / np.abs(X).max())       # the scale actually applied
    if s == 0:      # the scaling underflowed to (nearly) all zeros: equal rows are valid,
        try:        # a few subnormals left beside zeros cannot be represented
            for state in gmm.em_steps(Xs, 2, reg_covar=reg, **kw):
                assert_valid_state(state, len(X), 2, 2)
        except ValueError as exc:
            assert ((reg == 0 and "reg_covar" in str(exc))
                    or "cannot be represented" in str(exc)), str(exc)
        return
    reg_s = reg * s * s
    if not 0 < reg_s < math.inf:     # s^2 itself unrepresentable: keep reg_covar absolute
        reg_s = reg
    try:
        out = run_states(gmm.em_steps(Xs, 2, reg_covar=reg_s, **kw), 6)
    except ValueError as exc:
        assert re.search(r"cannot be represented|varies too little", str(exc)), str(exc)
        assert "standardise" in str(exc), str(exc)
        assert 10 ** -150 > s or s > 10 ** 148 or reg * s * s == 0 or s * s < 1e-290, (s, exc)
        return
    d = X.shape[1]
    for a, b in zip(ref, out):
        np.testing.assert_array_equal(a.labels, b.labels)
        assert b.log_likelihood == pytest.approx(a.log_likelihood - d * math.log(s),
                                                 rel=1e-9, abs=1e-7)


def test_reg_covar_that_hides_the_data_is_an_error_but_strong_regularisation_fits():
    """Data at 1e-10 with the default reg_covar would be fitted as reg_covar
    alone: refused.  reg_covar near the data's variance (scikit-learn's own tests
    use 0.1 on uniform data, variance 1/12) is fitted."""
    with pytest.raises(ValueError, match=r"reg_covar.*standardise|standardise.*reg_covar"):
        gmm.em_steps(X0 * 1e-10, 2)
    rng = np.random.default_rng(0)
    states = run_states(gmm.em_steps(rng.uniform(size=(30, 2)), 2, reg_covar=0.1,
                                     random_state=0), 3)
    assert_valid_state(states[-1], 30, 2, 2)
    # all rows equal: nothing to resolve, fitted as scikit-learn fits it
    same = run_states(gmm.em_steps(np.ones((5, 2)), 2, random_state=0), 2)
    np.testing.assert_allclose(same[-1].covariances, [1e-6 * np.eye(2)] * 2, rtol=1e-9)


# ---------------------------------------------------------------------------
# log_density, responsibilities, log_responsibilities
# ---------------------------------------------------------------------------
def _ref_log_density(X, w, mu, cov):
    comp = np.stack([np.log(w[j]) + np.atleast_1d(multivariate_normal(mu[j], cov[j]).logpdf(X))
                     if w[j] > 0 else np.full(len(X), -np.inf) for j in range(len(w))])
    return logsumexp(comp, axis=0), comp


EVAL_X = {
    "valid": lambda: X0,
    "3 columns": lambda: np.hstack([X0, X0[:, :1]]),
    "1 column": lambda: X0[:, :1],
    "1 row": lambda: X0[:1],
    "int": lambda: np.round(X0).astype(int),
    "complex": lambda: X0 + 0j,
    "NaN": lambda: np.where(X0 > 5, np.nan, X0),
    "0 rows": lambda: X0[:0],
    "1e160 away": lambda: X0 + 1e160,
    "1e200 spread": lambda: X0 * 1e200,
    "far from tiny components": lambda: X0 * 1e140,
}


@SETTINGS
@given(x_kind=st.sampled_from(sorted(EVAL_X)), init_kind=st.sampled_from(sorted(INIT_KINDS)),
       func=st.sampled_from(["log_density", "responsibilities", "log_responsibilities"]))
@example(x_kind="3 columns", init_kind="valid", func="log_density")
@example(x_kind="1 column", init_kind="valid", func="responsibilities")
@example(x_kind="valid", init_kind="negative weight", func="log_density")
@example(x_kind="valid", init_kind="complex means", func="log_density")
@example(x_kind="valid", init_kind="NaN weight", func="log_density")
@example(x_kind="valid", init_kind="non-symmetric", func="log_density")
@example(x_kind="1e160 away", init_kind="valid", func="log_density")
@example(x_kind="1e200 spread", init_kind="valid", func="responsibilities")
@example(x_kind="valid", init_kind="zero weight", func="log_responsibilities")
@example(x_kind="valid", init_kind="weights sum 2", func="log_density")
@example(x_kind="1 row", init_kind="four items", func="responsibilities")
def test_evaluation_any_arguments(x_kind, init_kind, func):
    X = EVAL_X[x_kind]()
    params, _ = INIT_KINDS[init_kind]
    if len(params) != 3:
        params = (params + (C0,))[:3]
    try:
        out = getattr(gmm, func)(X, *params)
    except (ValueError, TypeError) as exc:
        assert names(str(exc), "X", "weights", "means", "covariances"), str(exc)
        return
    w, mu, cov = (np.asarray(p, dtype=float) for p in params)
    Xf = np.asarray(X, dtype=float)
    norm, comp = _ref_log_density(Xf, w, mu, cov)
    if func == "log_density":
        assert np.isfinite(out).all()
        np.testing.assert_allclose(out, norm, rtol=1e-9, atol=1e-9)
    elif func == "responsibilities":
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(out, np.exp(comp - norm).T, atol=1e-9)
    else:
        np.testing.assert_allclose(out[0], norm, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(np.exp(out[1]), np.exp(comp - norm).T, atol=1e-9)


def test_column_mismatch_says_so():
    with pytest.raises(ValueError, match=r"means have 2 columns but X has 4"):
        gmm.log_density(np.hstack([X0, X0]), W0, M0, C0)
    with pytest.raises(ValueError, match=r"means have 2 columns but X has 1"):
        gmm.responsibilities(X0[:, :1], W0, M0, C0)


# ---------------------------------------------------------------------------
# select_k
# ---------------------------------------------------------------------------
KS_KINDS = {
    "valid": lambda: [1, 2],
    "numpy": lambda: np.array([2, 1]),
    "range": lambda: range(1, 4),
    "generator": lambda: (k for k in (1, 2)),
    "huge range": lambda: range(1, 10**10),
    "400-digit range": lambda: range(1, 10**400),
    "endless": lambda: itertools.count(1),
    "negative": lambda: [-1, 2],
    "zero": lambda: [0],
    "duplicates": lambda: [2, 2],
    "floats": lambda: [1.0, 2.0],
    "bools": lambda: [True],
    "int": lambda: 3,
    "string": lambda: "12",
    "None": lambda: None,
    "empty": lambda: [],
    "above n": lambda: [1, 25],
}
SELECT_OTHER = {
    "none": {},
    "criterion BIC": {"criterion": "BIC"},
    "criterion None": {"criterion": None},
    "criterion list": {"criterion": ["bic"]},
    "criterion aic": {"criterion": "aic"},
    "n_init 0": {"n_init": 0},
    "n_init 2.0": {"n_init": 2.0},
    "n_init 2": {"n_init": 2},
    "n_init 400 digits negative": {"n_init": -10**400},
    "tol NaN": {"tol": float("nan")},
    "reg_covar NaN": {"reg_covar": float("nan")},
    "reg_covar 1e300": {"reg_covar": 1e300},
    "init tuple": {"init": (W0, M0, C0)},
    "init unknown": {"init": "kmeans+"},
    "covariance_type unknown": {"covariance_type": "x"},
    "callback not callable": {"callback": 3},
    "random_state str": {"random_state": "0"},
    "max_iter -1": {"max_iter": -1},
}


@SETTINGS
@given(ks_kind=st.sampled_from(sorted(KS_KINDS)), other=st.sampled_from(sorted(SELECT_OTHER)))
@example(ks_kind="huge range", other="none")
@example(ks_kind="endless", other="none")
@example(ks_kind="duplicates", other="none")
@example(ks_kind="int", other="none")
@example(ks_kind="valid", other="callback not callable")
@example(ks_kind="valid", other="criterion list")
def test_select_k_any_arguments(ks_kind, other):
    kw = dict({"random_state": 0, "max_iter": 3}, **SELECT_OTHER[other])
    try:
        best, table = gmm.select_k(X0, KS_KINDS[ks_kind](), **kw)
    except (ValueError, TypeError) as exc:
        arg = {"none": "ks"}.get(other, other.split()[0])
        assert names(str(exc), "ks", arg) or (arg == "reg_covar" and "X" in str(exc)), str(exc)
        return
    ks = [row["k"] for row in table]
    assert best in ks and len(set(ks)) == len(ks)
    for row in table:
        assert math.isfinite(row["bic"]) and math.isfinite(row["aic"])
        assert_valid_state(row["model"].state_, len(X0), row["k"], 2)


# ---------------------------------------------------------------------------
# kmeans_steps
# ---------------------------------------------------------------------------
CENTRE_KINDS = {
    "valid": lambda: M0,
    "list": lambda: M0.tolist(),
    "int": lambda: M0.astype(int),
    "five": lambda: np.zeros((5, 2)),
    "complex": lambda: M0 + 1j,
    "strings": lambda: [["a", "b"]],
    "ragged": lambda: [[1.0, 2.0], [3.0]],
    "1-D": lambda: M0[0],
    "3 columns": lambda: np.zeros((2, 3)),
    "NaN": lambda: M0 * np.nan,
    "1e300 away": lambda: M0 + 1e300,
    "None": lambda: None,
    "empty": lambda: np.zeros((0, 2)),
}


@SETTINGS
@given(x_kind=st.sampled_from(sorted(X_KINDS)), centre_kind=st.sampled_from(sorted(CENTRE_KINDS)),
       max_iter=st.sampled_from([0, 2, np.int64(3), 10**400, -1, 2.0, True, None]),
       exponent=st.sampled_from([0, 0, 0, -320, -200, 160, 300]))
@example(x_kind="float64", centre_kind="complex", max_iter=2, exponent=0)
@example(x_kind="float64", centre_kind="1e300 away", max_iter=2, exponent=0)
@example(x_kind="float64", centre_kind="valid", max_iter=2, exponent=300)
@example(x_kind="float64", centre_kind="valid", max_iter=2, exponent=-320)
def test_kmeans_steps_any_arguments(x_kind, centre_kind, max_iter, exponent):
    builder, same_numbers = X_KINDS[x_kind]
    with np.errstate(over="ignore", invalid="ignore"):    # e.g. 1e300 cast to float16: inf
        X = builder(_scaled(X0, exponent))
    centres = CENTRE_KINDS[centre_kind]()
    if exponent and centre_kind == "valid":
        centres = _scaled(M0, exponent)
    try:
        out = run_states(gmm.kmeans_steps(X, centres, max_iter=max_iter))
    except (ValueError, TypeError) as exc:
        assert names(str(exc), "X", "centres", "max_iter"), str(exc)
        return
    assert same_numbers is not None, f"{x_kind} was accepted"
    for s in out:
        assert math.isfinite(s.objective) and s.objective >= 0
        assert np.isfinite(s.means).all()
        assert s.labels.min() >= 0 and s.labels.max() < len(s.means)
