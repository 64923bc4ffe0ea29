"""gmm_params: parameter files (path checks, permissions, files that are not what they say).

The property tests check, whatever the content, that ``load_params`` returns
valid parameters or raises ``ParamsError`` with one line naming the file.
"""
import io
import json
import os
import re
import stat
import tempfile

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import gmm_params
from em_reference import SMALL_X
from gmm_mixture import GaussianMixture
from gmm_cli import UsageError
from gmm_params import ParamsError, load_params, save_params


@pytest.mark.parametrize("umask", [0o022, 0o002])
@pytest.mark.parametrize("ext", [".npz", ".json"])
def test_saved_params_permissions_follow_the_umask(tmp_path, umask, ext):
    """Like any file the user creates: 0o666 minus the umask (mkstemp's 0o600
    must not leak through)."""
    gm = GaussianMixture(2, random_state=0, max_iter=3).fit(SMALL_X)
    path = tmp_path / f"fit{ext}"
    old = os.umask(umask)
    try:
        gm.save(str(path))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# ---------------------------------------------------------------------------
# Public checks used by the CLI (one place for each rule)
# ---------------------------------------------------------------------------
def test_check_params_path(tmp_path):

    gmm_params.check_params_path(str(tmp_path / "fit.npz"))          # fine: nothing raised,
    gmm_params.check_params_path(tmp_path / "fit.JSON")              # nothing created
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "d.npz").mkdir()
    cases = {
        str(tmp_path / "fit.txt"): "unsupported extension .txt; use .npz or .json",
        str(tmp_path / "fit"): "unsupported extension (none)",
        str(tmp_path / "d.npz"): "is a directory",
        str(tmp_path / "no" / "fit.npz"): "does not exist; create it first",
        "/proc/fit.npz": "is not writable",
    }
    for path, fragment in cases.items():
        with pytest.raises(gmm_params.ParamsError) as info:
            gmm_params.check_params_path(path)
        assert str(info.value).startswith(path + ": ") and fragment in str(info.value)
        assert "\n" not in str(info.value)
        with pytest.raises(gmm_params.ParamsError, match=re.escape(fragment)):   # save_params agrees
            gmm_params.save_params(path, [1.0], [[0.0, 0.0]], [np.eye(2)])


# ---------------------------------------------------------------------------
# load_params: files that are not what their extension says
# ---------------------------------------------------------------------------
def _written(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_load_params_says_what_a_wrong_file_looks_like(tmp_path):

    npy = io.BytesIO()
    np.save(npy, np.zeros(3))
    real = tmp_path / "real.npz"
    GaussianMixture(2, random_state=0, max_iter=2).fit(SMALL_X).save(str(real))
    cases = [
        ("text.npz", b"weights,means\n1,2\n", "not a .npz archive (looks like a text file)"),
        ("arr.npz", npy.getvalue(), "not a .npz archive (looks like a NumPy .npy array)"),
        ("noise.npz", bytes(range(256)), "not a .npz archive (looks like binary data)"),
        ("empty.npz", b"", "the file is empty"),
        ("empty.json", b"", "the file is empty"),
        ("zip.json", real.read_bytes(), "not a JSON file (looks like a zip archive such as .npz)"),
        ("trailing.json", b'{"format": 1,}', "not valid JSON (Expecting property name enclosed "
                                            "in double quotes at line 1 column 14)"),
        ("words.json", "weights: [1]\né".encode(), "not valid JSON (Expecting value at line 1 "
                                                   "column 1)"),
    ]
    for name, data, expected in cases:
        path = _written(tmp_path, name, data)
        with pytest.raises(gmm_params.ParamsError) as info:
            gmm_params.load_params(path)
        message = str(info.value)
        assert message.startswith(f"{path}: {expected}"), message
        assert "--save-params or GaussianMixture.save" in message and "\n" not in message
        assert "pickle" not in message
    assert gmm_params.load_params(str(real))["weights"].shape == (2,)        # the real one still loads


#: a 400-digit number: beyond float64 (and any fixed-width integer)
HUGE = "1" * 400


def _one_line_naming(exc, path):
    text = str(exc)
    assert "\n" not in text and text.startswith(str(path)), text


# --------------------------------------------------------------------------- load_params

def _good_doc():
    return {"format": "gmm-visualizer-params", "format_version": 1, "library_version": "x",
            "covariance_type": "full", "options": {},
            "weights": [0.25, 0.75], "means": [[0.0, 1.0], [2.0, 3.0]],
            "covariances": [[[1.0, 0.5], [0.5, 2.0]], [[1.0, 0.0], [0.0, 1.0]]],
            "log_likelihood_history": [-3.0, -2.5]}


def _check_params_outcome(path, expect_ok=None):
    try:
        params = load_params(path)
    except ParamsError as exc:
        assert expect_ok is not True, exc
        _one_line_naming(exc, path)
        return None
    assert expect_ok is not False, params
    w, m, c = params["weights"], params["means"], params["covariances"]
    k, d = m.shape
    assert w.shape == (k,) and c.shape == (k, d, d) and k >= 1 and d >= 1
    for a in (w, m, c):
        assert a.dtype == np.float64 and np.isfinite(a).all()
    assert (w >= 0).all() and abs(w.sum() - 1) <= 1e-6
    assert (np.linalg.eigvalsh(c) > 0).all()
    assert isinstance(params["options"], dict)
    return params


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                      st.sampled_from([int(HUGE), -int(HUGE), 1e308, 5e-324, -0.0]))
json_values = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                           max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(sorted(_good_doc()) + ["extra"]), value=json_values,
       whole=st.booleans())
@example(key="weights", value=[int(HUGE), 0], whole=False)
@example(key="weights", value=[1.5, -0.5], whole=False)
@example(key="weights", value=["0.25", "0.75"], whole=False)
@example(key="weights", value=[True, False], whole=False)
@example(key="means", value=[], whole=False)
@example(key="format_version", value=True, whole=False)
@example(key="covariance_type", value=["full"], whole=False)
@example(key="options", value=[1], whole=False)
@example(key="weights", value=None, whole=True)
def test_load_params_json_any_content_is_valid_or_one_line(key, value, whole):
    doc = value if whole else dict(_good_doc(), **{key: value})
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "p.json")
    with open(path, "w") as fh:
        json.dump(doc, fh)
    try:
        _check_params_outcome(path)
    finally:
        os.unlink(path)
        os.rmdir(folder)


def test_load_params_good_file_round_trips(tmp_path):
    for ext in (".json", ".npz"):
        doc = _good_doc()
        path = str(tmp_path / ("p" + ext))
        save_params(path, doc["weights"], doc["means"], doc["covariances"],
                    log_likelihood_history=doc["log_likelihood_history"])
        params = _check_params_outcome(path, expect_ok=True)
        np.testing.assert_array_equal(params["weights"], doc["weights"])
        np.testing.assert_array_equal(params["means"], doc["means"])
        np.testing.assert_array_equal(params["covariances"], doc["covariances"])


@pytest.mark.parametrize("text, fragment", [
    ("[" * 10000 + "]" * 10000, "nested too deeply"),
    ('{"a":' * 10000 + "1" + "}" * 10000, "nested too deeply"),
    (json.dumps(dict(_good_doc(), weights=[int(HUGE), 0])), "too large for float64"),
    (json.dumps(dict(_good_doc(), means=[[1e400, 0], [0, 0]])).replace("Infinity", "1e400"),
     "too large for float64"),
    (json.dumps(dict(_good_doc(), weights=[float("nan"), 1.0])), "NaN"),
    (json.dumps(dict(_good_doc(), weights=[1.5, -0.5])), "[0, 1]"),
    (json.dumps(dict(_good_doc(), weights=["0.25", "0.75"])), "real numbers"),
    (json.dumps(dict(_good_doc(), means=[[0.0], [1.0]])), "shape"),
    ("\xff\xfe", "not a JSON file"),
])
def test_load_params_hostile_json_one_line(tmp_path, text, fragment):
    path = str(tmp_path / "p.json")
    with open(path, "w", encoding="latin-1") as fh:
        fh.write(text)
    with pytest.raises(ParamsError) as info:
        load_params(path)
    _one_line_naming(info.value, path)
    assert fragment in str(info.value)


def test_load_params_refuses_a_fifo_at_once(tmp_path):
    for name in ("p.json", "p.npz"):
        os.mkfifo(tmp_path / name)
        with pytest.raises(ParamsError, match="not a regular file"):
            load_params(str(tmp_path / name))


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(["weights", "means", "covariances", "log_likelihood_history",
                            "meta"]),
       dtype=st.sampled_from(["complex128", "bool", "U3", "int64", "float32", "longdouble",
                              "object"]),
       shape=st.sampled_from([(), (2,), (2, 2), (2, 2, 2), (0,), (1, 2)]))
@example(key="weights", dtype="complex128", shape=(2,))
@example(key="means", dtype="object", shape=(2, 2))
@example(key="meta", dtype="U3", shape=())
def test_load_params_npz_any_arrays_are_valid_or_one_line(key, dtype, shape):
    doc = _good_doc()
    arrays = {name: np.asarray(doc[name]) for name in
              ("weights", "means", "covariances", "log_likelihood_history")}
    meta = {k: doc[k] for k in ("format", "format_version", "library_version",
                                "covariance_type", "options")}
    arrays["meta"] = np.array(json.dumps(meta))
    values = np.resize(np.asarray(arrays[key]).ravel()[:1] if key != "meta" else [0.5],
                       shape)
    arrays[key] = values.astype(dtype)
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "p.npz")
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    try:
        _check_params_outcome(path)
    finally:
        os.unlink(path)
        os.rmdir(folder)


def test_complex_weights_are_refused_not_truncated(tmp_path):
    doc = _good_doc()
    path = str(tmp_path / "p.npz")
    meta = {k: doc[k] for k in ("format", "format_version", "covariance_type", "options")}
    np.savez(path, weights=np.array([0.25 + 1j, 0.75]), means=np.array(doc["means"]),
             covariances=np.array(doc["covariances"]), meta=np.array(json.dumps(meta)))
    with pytest.raises(ParamsError, match="real numbers.*complex128"):
        load_params(path)


def test_save_params_names_a_path_through_a_file(tmp_path):
    (tmp_path / "f.json").write_text("{}")
    with pytest.raises(ParamsError, match="f.json' is a file, not a directory; choose another path"):
        save_params(str(tmp_path / "f.json" / "p.json"), [1.0], [[0.0]], [[[1.0]]])


# --------------------------------------------------------------------------- the command line's files

def _command_line(argv):
    import visualize_gmm
    return visualize_gmm.parse_command_line(argv)


def test_check_params_path_refuses_a_read_only_file_and_a_file_as_directory(tmp_path):
    ro = tmp_path / "ro.json"
    ro.write_text("{}")
    ro.chmod(0o444)
    if os.access(ro, os.W_OK) and os.geteuid() == 0:
        pytest.skip("root writes read-only files")
    with pytest.raises(ParamsError, match="read-only; choose another path"):
        gmm_params.check_params_path(ro)
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(ParamsError, match="is a file, not a directory; choose another path"):
        gmm_params.check_params_path(tmp_path / "f.txt" / "p.npz")


def test_save_run_params_records_the_flags_under_their_historic_names(tmp_path):
    import gmm
    import gmm_options
    from gmm_transforms import FitRecord

    path = tmp_path / "p.json"
    cl = _command_line(["-k", "2", "--seed", "3", "--hide_covs", "--load_path", "x.csv",
                        "--dims", "1", "--save-params", str(path)])
    record = FitRecord()
    state = gmm.GMMState(0, np.array([0.5, 0.5]), np.array([[0.0], [1.0]]),
                         np.array([[[1.0]], [[2.0]]]), -1.5, np.zeros(3, dtype=np.int64))
    record(state)
    used = gmm_options.Options(n_components=2, dims=None)       # --dims 1: fitted alone, 1-D
    line = gmm_params.save_run_params(cl, record, used, column_names=["age"])
    assert line == f"saved the fitted parameters to {path}"
    options = load_params(path)["options"]
    assert (options["num_clusters"], options["seed"], options["hide_covs"], options["dims"],
            options["column_names"]) == (2, 3, True, None, ["age"])
    assert "means" not in options and "num_points" not in options      # data was loaded
    assert list(options)[:2] == ["num_clusters", "covariance_type"]


def test_labels_path_is_a_new_csv_file(tmp_path):
    gmm_params.check_labels_path(str(tmp_path / "x.csv"))     # fine: nothing raised
    with pytest.raises(UsageError, match="unknown extension '.txt'; use .csv"):
        gmm_params.check_labels_path(str(tmp_path / "x.txt"))
    with pytest.raises(UsageError, match="--save-labels is empty"):
        gmm_params.check_labels_path("")


def test_start_from_file_takes_k_and_type_from_the_file_unless_given(tmp_path):
    path = tmp_path / "p.npz"
    w, m = np.array([0.5, 0.5]), np.array([[0.0, 0.0], [3.0, 3.0]])
    save_params(path, w, m, np.stack([np.eye(2)] * 2), covariance_type="full")
    k, init, cov = gmm_params.start_from_file(_command_line(["--init-params", str(path)]), 2, 50)
    assert (k, cov) == (2, "full") and np.array_equal(init[1], m)
    with pytest.raises(UsageError, match="-k 3 does not match --init-params"):
        gmm_params.start_from_file(_command_line(["-k", "3", "--init-params", str(path)]), 2, 50)
    with pytest.raises(UsageError, match="cannot be combined"):
        gmm_params.start_from_file(_command_line(["--n-init", "2", "--init-params", str(path)]),
                                   2, 50)
