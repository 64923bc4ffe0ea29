"""gmm_table: a text table's row index, column numbers and missing cells,
checked against pandas' ``read_csv`` (``index_col=0``, its default NA cells)
and hand-written tables."""
import os
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gmm_load
import gmm_table
from gmm_table import DataError, NA_CELLS

pd = pytest.importorskip("pandas")


def _load(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gmm_load.IndexColumnWarning)
        return gmm_load.load_table(path, **kw)


# ----------------------------------------------------------------------- the row index

@pytest.mark.parametrize("head, cells, is_index", [
    (",x,y", ["Mazda RX4", "Datsun 710", "Valiant"], True),          # text names
    (",x,y", ["2020-01-01", "2020-02-01", "2020-03-01"], True),      # dates
    (",x,y", ["7", "2", "40"], True),                                # whole numbers
    ("rownames,x,y", ["1", "2", "3"], True),                         # Rdatasets
    ("rownames,x,y", ["Fiat 128", "Honda Civic", "Toyota Corolla"], True),
    ("Unnamed: 0,x,y", ["0", "1", "2"], True),                       # pandas read back
    (",x,y", ["a", "NA", ""], True),                                 # NA in the index
    (",x,y", ["1", "NA", "3"], True),
    ("id,x,y", ["1", "2", "3"], False),                              # a named column
    ("id,x,y", ["a", "b", "c"], False),
    (",x,y", ["0", "0", "1"], False),                                # repeated numbers
    (",x,y", ["0.5", "1", "2"], False),                              # fractions
])
def test_a_row_index_is_text_dates_or_distinct_whole_numbers_under_no_name_or_rownames(
        head, cells, is_index):
    data = [f"{c},1.5,2" for c in cells]
    names, index = gmm_table.index_and_header(head.split(","), data, ",")
    assert names == head.split(",") and index == (cells if is_index else None)
    assert gmm_table.first_cells(data, ",") == cells


def test_columns_count_data_columns_after_the_index_and_names_may_pick_it(tmp_path):
    """trees.csv as Rdatasets writes it: --columns 0,1 is Girth and Height (as
    pandas' iloc after index_col=0), never the row names; 'rownames' by name
    is fitted as data with a note."""
    path = tmp_path / "trees.csv"
    path.write_text('rownames,Girth,Height,Volume\n1,8.3,70,10.3\n2,8.6,65,10.3\n'
                    '3,8.8,63,10.2\n4,10.5,72,16.4\n')
    frame = pd.read_csv(path, index_col=0)
    with pytest.warns(gmm_load.IndexColumnWarning, match="named 'rownames'.*left out; column "
                                                         "numbers count from the column after"):
        table = gmm_load.load_table(path, columns="0,1")
    np.testing.assert_array_equal(table.X, frame.iloc[:, [0, 1]].to_numpy())
    assert table.names == ["Girth", "Height"] and table.index == ("rownames", list("1234"))
    with pytest.warns(gmm_load.IndexColumnWarning, match="'rownames' is the file's row index"):
        chosen = gmm_load.load_table(path, columns="rownames,Volume")
    np.testing.assert_array_equal(chosen.X, np.c_[frame.index, frame["Volume"]])
    with pytest.raises(DataError, match=r"column 3 does not exist; the file has 3 data "
                                        r"columns, numbered 0 to 2 \(Girth, Height, Volume\)"):
        _load(path, columns="3")


# ----------------------------------------------------------------------- missing cells

def test_every_na_cell_pandas_knows_is_missing_and_nothing_else(tmp_path):
    cells = sorted(NA_CELLS) + ["1.5", "-2", "inf"]
    path = tmp_path / "na.csv"
    path.write_text("x,y\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
    want = pd.read_csv(path)["x"].isna().to_numpy()
    assert want.sum() == len(NA_CELLS)
    X = gmm_table.read_cells(path.read_text().splitlines()[1:], ",", [0, 1])
    np.testing.assert_array_equal(np.isnan(X[:, 0]), want)


def test_leave_out_missing_counts_refuses_or_drops():
    X = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, np.nan], [4.0, 5.0]])
    with pytest.raises(DataError, match=r"^f: 2 rows of 4 have an empty or NA cell \(first at "
                                        r"line 2, column 'Ozone'\); .* --drop-missing"):
        gmm_table.leave_out_missing("f", X, ["Wind", "Ozone"], lambda i: f"line {i + 2}", False)
    kept_X, kept, note = gmm_table.leave_out_missing("f", X, ["Wind", "Ozone"], str, True)
    np.testing.assert_array_equal(kept_X, [[2, 3], [4, 5]])
    np.testing.assert_array_equal(kept, [False, True, False, True])
    assert note == "--drop-missing: left out 2 of 4 rows with an empty or NA cell in Wind or Ozone"
    with pytest.raises(DataError, match="every row .4. has an empty or NA cell in 0 or 1, so "
                                        "--drop-missing leaves nothing to fit"):
        gmm_table.leave_out_missing("f", X[[0, 2, 0, 2]], ["0", "1"], str, True)
    same, none, no_note = gmm_table.leave_out_missing("f", X[[1, 3]], ["a", "b"], str, False)
    assert none is None and no_note is None and same.shape == (2, 2)


def test_without_missing_keeps_a_dataframe_and_refuses_all_missing():
    frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": pd.array([1, 2, pd.NA], dtype="Int64")})
    kept = gmm_table.without_missing(frame)
    assert isinstance(kept, pd.DataFrame) and list(kept.index) == [0]
    np.testing.assert_array_equal(gmm_table.without_missing([[1.0, 2.0], [np.nan, 1.0]]),
                                  [[1.0, 2.0]])
    with pytest.raises(ValueError, match="every row of X .2. has a missing value"):
        gmm_table.without_missing(np.full((2, 2), np.nan))


# ----------------------------------------------------------------------- pandas, property

INDEXES = {
    "text": lambda n: [f"car {i}, model" if i % 3 == 0 else f"car {i}" for i in range(n)],
    "dates": lambda n: [f"2020-{1 + i % 12:02d}-{1 + i // 12:02d}" for i in range(n)],
    "whole": lambda n: [str(7 * i + 3) for i in range(n)],
    "na": lambda n: ["NA" if i == 1 else f"r{i}" for i in range(n)],
}
CELLS = ["1.5", "-2", "3", "0.25", "", "NA", "NaN", "nan", "N/A", "null", "7"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(INDEXES)), head=st.sampled_from(["", "rownames"]),
       cells=st.lists(st.lists(st.sampled_from(CELLS), min_size=3, max_size=3),
                      min_size=2, max_size=12),
       chosen=st.sampled_from([[0, 1], [2], [2, 0], [1, 2, 0]]))
@example(kind="text", head="", cells=[["NA", "NA", "1"], ["", "nan", "2"]], chosen=[0, 1])
@example(kind="na", head="rownames", cells=[["1", "", "1"], ["2", "3", "NA"]], chosen=[2])
def test_drop_missing_keeps_exactly_the_rows_pandas_finds_filled(kind, head, cells, chosen):
    """X, kept and the index equal pandas' read_csv(index_col=0) on the chosen
    columns with isna().any(axis=1) left out; all rows missing is one DataError."""
    index = INDEXES[kind](len(cells))
    quote = (lambda c: f'"{c}"' if "," in c else c)
    text = f"{head},a,b,c\n" + "".join(
        ",".join([quote(i)] + row) + "\n" for i, row in zip(index, cells))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "t.csv")
        with open(path, "w") as fh:
            fh.write(text)
        frame = pd.read_csv(path, index_col=0).iloc[:, chosen]
        missing = frame.isna().any(axis=1).to_numpy()
        try:
            table = _load(path, columns=chosen, drop_missing=True)
        except DataError as exc:
            assert missing.all() and "leaves nothing to fit" in str(exc), str(exc)
            return
        np.testing.assert_array_equal(table.X, frame.to_numpy(dtype=float)[~missing])
        if missing.any():
            np.testing.assert_array_equal(table.kept, ~missing)
            assert table.notes[0].startswith(f"--drop-missing: left out {missing.sum()} of "
                                             f"{len(cells)} rows")
        else:
            assert table.kept is None and table.notes == []
        assert table.index == (head, index) and table.names == list(frame.columns)


# ----------------------------------------------------------------------- the example tables

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def test_example_tables_are_rs_airquality_and_ggplot2s_economics():
    """The committed tables hold the published data: R's documented counts and means."""
    air = pd.read_csv(os.path.join(EXAMPLES, "airquality.csv"), index_col=0)
    assert air.shape == (153, 4) and list(air.columns) == ["Ozone", "Solar.R", "Wind", "Temp"]
    assert (air.index[0], air.index[-1]) == ("1973-05-01", "1973-09-30")
    assert air.isna().sum().to_dict() == {"Ozone": 37, "Solar.R": 7, "Wind": 0, "Temp": 0}
    np.testing.assert_allclose(air.mean(), [42.12931, 185.93151, 9.95752, 77.88235], atol=1e-5)
    econ = pd.read_csv(os.path.join(EXAMPLES, "economics.csv"), index_col=0)
    assert econ.shape == (574, 6) and list(econ.index[:2]) == [1, 2]
    assert (econ["date"].iloc[0], econ["date"].iloc[-1]) == ("1967-07-01", "2015-04-01")
    for name in ("airquality.csv", "economics.csv"):
        assert os.path.getsize(os.path.join(EXAMPLES, name)) < 100_000


def test_tables_commands_of_the_docs(tmp_path, monkeypatch, capsys, captured_animator):
    """docs/real-data.md's commands, verbatim: the notes, the fit with --drop-missing
    equal to the fit of the rows pandas keeps, labels read back with the file's
    index, and --columns by number naming the same columns as by name."""
    import shlex
    import shutil

    from readme_commands import TABLES_COMMANDS
    from visualize_gmm import main
    (tmp_path / "examples").mkdir()
    for name in ("airquality.csv", "economics.csv"):
        shutil.copy(os.path.join(EXAMPLES, name), tmp_path / "examples" / name)
    monkeypatch.chdir(tmp_path)
    air = pd.read_csv("examples/airquality.csv", index_col=0)
    anims, errs = [], []
    for command in TABLES_COMMANDS:
        assert main(shlex.split(command)) == 0, capsys.readouterr().err
        anims.append(captured_animator["anim"])
        errs.append(capsys.readouterr().err.splitlines())
    assert errs[0][1] == ("note: --drop-missing: left out 42 of 153 rows with an empty or NA "
                          "cell in Ozone or Solar.R")
    np.testing.assert_allclose(_user_data(anims[0].fit), air.dropna().to_numpy(), rtol=1e-12)
    labels = pd.read_csv("air_labels.csv", index_col=0)
    assert labels.index.equals(air.index)
    np.testing.assert_array_equal(labels["label"].isna(), air["Ozone"].isna())
    fit = anims[1].fit
    np.testing.assert_array_equal(labels["label"].dropna().astype(int),
                                  fit.labels(fit.record.last))
    assert errs[1][1].endswith("left out 37 of 153 rows with an empty or NA cell in Ozone")
    assert (anims[3].ax.get_xlabel(), anims[3].ax.get_ylabel()) == ("psavert", "uempmed")
    econ = pd.read_csv("examples/economics.csv", index_col=0)
    np.testing.assert_allclose(_user_data(anims[3].fit), econ.iloc[:, [3, 4]].to_numpy(),
                               rtol=1e-12)


def _user_data(fit):
    """The points a FitRun fitted, back in user units (n, d)."""
    return np.asarray(fit.Z) * fit.scale + fit.centre
