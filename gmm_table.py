"""The cells of a text table: fields, the row index, chosen columns and missing cells.

:mod:`gmm_load` opens and decodes a ``.csv``/``.tsv``/``.txt`` file; this
module reads its lines (a header line, then data lines) into numbers:

- one field per column (:func:`split_fields`), quotes removed as CSV reads them;
- the row index (:func:`index_and_header`): a first column that pandas'
  ``to_csv`` or R's ``write.csv`` wrote for the row names (no name, or
  ``rownames``) is not data, whatever it holds: text (car names), dates or
  whole numbers. Column numbers count the data columns after it, as pandas
  counts columns once ``index_col=0`` has taken the index;
- the chosen columns (:func:`resolve_columns`) by name or number;
- missing cells (:data:`NA_CELLS`, :func:`leave_out_missing`): empty or NA as
  pandas reads them by default, refused or, asked to, left out row by row.

Every problem is a :class:`DataError` with a one-line message.
"""
from __future__ import annotations

import csv

import numpy as np

__all__ = [
    "DataError", "NA_CELLS", "INDEX_NAMES", "split_fields", "is_number", "dequote", "unquote",
    "rows_phrase", "header_and_data", "index_and_header", "first_cells", "resolve_columns",
    "read_cells", "leave_out_missing", "without_missing", "diagnose_columns", "diagnose_text",
]


class DataError(ValueError):
    """A data file cannot be used. ``str(exc)`` is one line: ``"<file>: <problem>[; <fix>]"``."""


#: cells pandas' ``read_csv`` reads as missing by default (its ``na_values``), and empty
NA_CELLS = frozenset(["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                      "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                      "nan", "null"])

_NA_LIST = sorted(NA_CELLS)

#: header names of a first column that holds row names: none (pandas' ``to_csv``,
#: R's ``write.csv``), R's and the Rdatasets collection's ``rownames``, tibble's
#: ``rowname`` and what pandas calls an unnamed column read back (``Unnamed: 0``)
INDEX_NAMES = ("", "rownames", "rowname", "Unnamed: 0")


def rows_phrase(count):
    """``'1 row'``, ``'3 rows'``."""
    return f"{count} row" if count == 1 else f"{count} rows"


def split_fields(line, delimiter):
    """The fields of one line, stripped; a delimited line with quotes is read by
    Python's :mod:`csv` (so ``"weight, kg"`` is one field, its quotes removed)."""
    if delimiter is None:
        return line.split()
    if '"' in line:
        fields = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    else:
        fields = line.split(delimiter)
    return [field.strip() for field in fields]


def is_number(field):
    """Whether ``field`` is a number as ``np.loadtxt`` reads one (no ``_`` separators)."""
    if not field or "_" in field:
        return False
    try:
        float(field)
    except ValueError:
        return False
    return True


def dequote(field):
    """``field`` without one pair of surrounding double quotes (as np.loadtxt's
    ``quotechar='"'`` reads it)."""
    return field[1:-1] if len(field) >= 2 and field[0] == field[-1] == '"' else field


def unquote(field):
    """``field`` stripped of blanks and surrounding quotes (a header name, an index cell)."""
    return field.strip().strip('"').strip("'").strip()


def header_and_data(lines, delimiter):
    """``(names or None, data lines)``: the first line is a header when any field is
    not a number."""
    if lines:
        fields = split_fields(lines[0], delimiter)
        if not all(is_number(dequote(f)) for f in fields):      # "1.5","2" is data
            csv_read = delimiter is not None and '"' in lines[0]     # unquoted already
            names = fields if csv_read else [unquote(f) for f in fields]
            return names, lines[1:]
    return None, lines


def first_cells(data, delimiter):
    """The first field of each data line, unquoted: a row index as written."""
    if delimiter is None:
        return [unquote(line.split(None, 1)[0]) for line in data]
    return [unquote(split_fields(line, delimiter)[0] if line[:1] == '"' else
                    line.partition(delimiter)[0]) for line in data]


def _index_values(cells):
    """Whether a first column's cells (str) can be row names: any text (names,
    dates) among the filled cells, or distinct whole numbers."""
    filled = [c for c in cells if c not in NA_CELLS]
    if not all(is_number(c) for c in filled):
        return True
    values = np.array([float(c) for c in filled])
    return bool(np.isfinite(values).all() and (values == np.round(values)).all()
                and np.unique(values).size == values.size)


def index_and_header(header, data, delimiter):
    """``(names, index)``: one header name per file column, and the first
    column's cells (:func:`first_cells`) when it is a row index rather than data.

    A row index is what pandas' ``to_csv`` writes (the first name empty) and R
    writes: ``write.csv`` like pandas with quoted row names, ``write.table``
    with no first name at all (one name fewer than the columns, then put back
    as ``""``) and quoted row names or space/tab separators. A first column
    named in :data:`INDEX_NAMES` (``rownames``) is one too. Its cells must be
    row names: text or dates (any), or distinct whole numbers. A one-column
    table, a header one name short in a plain CSV (more likely a mistake) or
    a first column of repeated or fractional numbers is data.

    Parameters
    ----------
    header : list of str or None
    data : list of str
        The data lines (at least one).
    delimiter : str or None

    Returns
    -------
    names : list of str or None
        ``header`` (None stays None), with ``""`` put first for R's ``write.table``.
    index : list of str or None
        The row index as written, one cell per data line; None: no index.
    """
    if header is None:
        return None, None
    first_line = data[0]
    n_columns = len(split_fields(first_line, delimiter))
    named = len(header) == n_columns and header[0] in INDEX_NAMES
    nameless = (len(header) == n_columns - 1
                and (delimiter in (None, "\t") or first_line.startswith('"')))
    cells = first_cells(data, delimiter) if n_columns >= 2 and (named or nameless) else None
    if cells is None or not _index_values(cells):
        return list(header), None
    return ([""] + list(header) if nameless else list(header)), cells


def column_label(header, n_columns, c):
    """``'income'`` (the header's name) or ``3`` (its 0-based number)."""
    if header is not None and len(header) == n_columns and header[c]:
        return repr(header[c])
    return str(c)


_MAX_COLUMN_DIGITS = 12


def _specs(name, columns, header):
    """The column specs (names or numbers) of ``columns``, as a list."""
    if isinstance(columns, str) and header is not None and columns.strip() in header:
        return [columns]            # one name that holds a comma: "weight, kg"
    if isinstance(columns, str):    # names split as CSV: '"weight, kg",age' is two
        try:
            return next(csv.reader([columns], skipinitialspace=True), [""])
        except csv.Error:           # a line break in the text: plain commas
            return columns.split(",")
    if isinstance(columns, (list, tuple, np.ndarray)):
        return list(columns)
    raise TypeError(f"columns must be a comma-separated string or a list of column names "
                    f"or 0-based numbers, got {type(columns).__name__}")


def resolve_columns(name, columns, header, n_columns, holder="the file", first=0):
    """0-based file column numbers of ``columns`` (names or numbers), checked.

    Numbers count the data columns: file column ``first`` (1 after a row
    index) is number 0. A name may be any header name, the index's too.
    ``holder`` names what has the columns in messages.
    """
    specs = _specs(name, columns, header)
    if not specs or all(isinstance(s, str) and not s.strip() for s in specs):
        raise DataError(f"{name}: no columns chosen (columns is empty); give at least one "
                        "column name or 0-based number, e.g. 0,1 (one column: 1-D data)")
    n_data = n_columns - first
    numbered = f"{holder} has {n_data} {'data ' if first else ''}column" \
               f"{'s' if n_data != 1 else ''}, numbered 0 to {n_data - 1}"
    if header is not None:
        shown = ", ".join(repr(h) if "," in h else h for h in header[first:first + 12])
        numbered += f" ({shown}{', ...' if len(header) > first + 12 else ''})"
    chosen = [_one_column(name, spec, columns, header, n_data, numbered) for spec in specs]
    chosen = [c if isinstance(c, str) else c + first for c in chosen]
    chosen = [header.index(c) if isinstance(c, str) else c for c in chosen]
    for c in chosen:
        if chosen.count(c) > 1:
            raise DataError(f"{name}: column {column_label(header, n_columns, c)} is chosen "
                            "twice; give each column once")
    return chosen


def _one_column(name, spec, columns, header, n_data, numbered):
    """One spec checked: a header name (str, returned as given) or a data column number."""
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, (str, int, np.integer)):
        raise TypeError(f"columns: each column is a name (str) or a 0-based number (int), "
                        f"got {spec!r}")
    if isinstance(spec, str):
        text = spec.strip()
        if not text:
            raise DataError(f"{name}: an empty column name in columns {columns!r}; "
                            "separate names by single commas")
        if header is not None and text in header:
            if header.count(text) > 1:
                raise DataError(f"{name}: the header names {text!r} twice; choose the "
                                "column by its 0-based number instead")
            return text
        digits = text[1:] if text[:1] == "-" else text
        if not (digits.isascii() and digits.isdigit()):
            raise DataError(f"{name}: no column named {text!r}; {numbered}")
        if len(digits) > _MAX_COLUMN_DIGITS:
            raise DataError(f"{name}: column {text[:20]}... does not exist; {numbered}")
        index = int(text)
    else:
        index = int(spec)
    if index < 0:
        raise DataError(f"{name}: column {index} does not exist: columns are numbered "
                        f"from 0; {numbered}")
    if index >= n_data:
        raise DataError(f"{name}: column {index} does not exist; {numbered}")
    return index


def read_cells(data, delimiter, chosen):
    """The ``chosen`` columns of the data lines as floats (n, len(chosen)), NaN
    where a cell is missing (:data:`NA_CELLS`); None when a cell is neither a
    number nor missing, or the rows are ragged (then :func:`diagnose_columns`
    and :func:`diagnose_text` say why)."""
    if _same_widths(data, delimiter):       # else ragged, or commas inside quotes
        try:
            return np.loadtxt(data, delimiter=delimiter, dtype=np.float64, ndmin=2,
                              comments=None, quotechar='"', usecols=chosen)
        except ValueError:
            pass
    rows = [split_fields(line, delimiter) for line in data]
    if any(len(r) != len(rows[0]) for r in rows) or max(chosen) >= len(rows[0]):
        return None
    X = np.empty((len(rows), len(chosen)))
    for j, c in enumerate(chosen):          # a column at a time, parsed by numpy
        column = np.array([dequote(row[c]) for row in rows])
        column = np.where(np.isin(column, _NA_LIST), "nan", column)
        if (np.char.find(column, "_") >= 0).any():      # 1_000 is no number in a file
            return None
        try:
            X[:, j] = column.astype(np.float64)
        except ValueError:
            return None
    return X


def _same_widths(data, delimiter):
    """Whether every data line has as many delimiters (or blank-separated fields)
    as the first; a quick check, as ``np.loadtxt`` with ``usecols`` takes ragged rows."""
    if delimiter is None:
        width = len(data[0].split())
        return all(len(line.split()) == width for line in data)
    width = data[0].count(delimiter)
    return all(line.count(delimiter) == width for line in data)


def without_missing(X):
    """``X`` (n, d) without its rows that hold a NaN (or a pandas missing value):
    ``animate(..., drop_missing=True)``. A DataFrame stays one (its names and
    index kept).

    Raises
    ------
    ValueError
        Every row has a missing value.
    """
    if hasattr(X, "isna"):                  # a DataFrame (or Series): pd.NA, None, NaN
        missing = np.asarray(X.isna()).reshape(len(X), -1).any(axis=1)
    else:
        X = np.asarray(X, dtype=np.float64)
        missing = np.isnan(X.reshape(len(X), -1)).any(axis=1)
    if len(X) and missing.all():
        raise ValueError(f"every row of X ({len(X)}) has a missing value, so drop_missing=True "
                         "leaves nothing to fit; fill them or choose other columns")
    return X[~missing] if missing.any() else X


def leave_out_missing(name, X, labels, where, drop):
    """``(X, kept, note)``: the rows of ``X`` (n, d) without a NaN cell.

    Parameters
    ----------
    name : str
        The file, for messages.
    X : ndarray, shape (n, d)
        NaN where a cell was empty or NA.
    labels : list of str
        Each column's name for messages (``Ozone``, or its number ``3``).
    where : callable
        ``where(i)`` names data row i (``"line 7"``).
    drop : bool
        Leave those rows out (``--drop-missing``) rather than refuse them.

    Returns
    -------
    X : ndarray, shape (m, d)
    kept : ndarray of bool, shape (n,), or None
        Which rows were kept; None when none was missing.
    note : str or None
        One line counting the rows left out.

    Raises
    ------
    DataError
        A missing cell without ``drop``; every row missing a cell with it.
    """
    missing = np.isnan(X).any(axis=1)
    if not missing.any():
        return X, None, None
    n, count = len(X), int(missing.sum())
    holes = " or ".join(labels[j] for j in np.flatnonzero(np.isnan(X).any(axis=0)))
    if not drop:
        i = int(np.flatnonzero(missing)[0])
        c = labels[int(np.flatnonzero(np.isnan(X[i]))[0])]
        c = c if c.isdigit() else repr(c)
        verb = "has" if count == 1 else "have"
        raise DataError(f"{name}: {rows_phrase(count)} of {n} {verb} an empty or NA cell "
                        f"(first at {where(i)}, column {c}); remove or fill them, or leave "
                        "those rows out with --drop-missing (drop_missing=True)")
    if count == n:
        raise DataError(f"{name}: every row ({n}) has an empty or NA cell in {holes}, so "
                        "--drop-missing leaves nothing to fit; choose other columns")
    note = (f"--drop-missing: left out {count} of {n} rows with an empty or NA cell "
            f"in {holes}")
    return X[~missing], ~missing, note


def _kind_of(value):
    """What a non-numeric cell looks like: True/False, a date, or text."""
    if value.lower() in ("true", "false"):
        return "True/False values"
    if len(value) >= 8 and value[:4].isdigit() and value[4:5] in "-/" and value[5:7].isdigit():
        return "dates"
    return "text"


def diagnose_columns(name, header, data, delimiter, chosen, first=0):
    """Raise a DataError for a chosen column that is not numeric.

    A column is text when none of its filled cells is a number; its message
    names it and suggests ``--columns`` with the numeric data columns (from
    file column ``first``). Ragged rows and single stray values are left to
    :func:`diagnose_text`.
    """
    rows = [split_fields(line, delimiter) for line in data]
    n_columns = len(rows[0])
    if any(len(r) != n_columns for r in rows):
        return
    if header is not None and len(header) != n_columns:
        header = None
    numeric, text = [], {}
    for c in range(n_columns):
        filled = [v for v in (dequote(r[c]) for r in rows) if v not in NA_CELLS]
        if filled and not any(is_number(v) for v in filled):
            text[c] = filled[0]
        elif all(is_number(v) for v in filled) and c >= first:
            numeric.append(c)
    for c in chosen:
        if c in text:
            label = column_label(header, n_columns, c)
            hint = ",".join((header[i] if header and header[i] else str(i - first))
                            for i in numeric)
            fix = (f"choose numeric columns, e.g. --columns {hint} (columns= in load_points)"
                   if numeric else "no column is numeric")
            raise DataError(f"{name}: column {label} holds {_kind_of(text[c])} "
                            f"({text[c][:40]!r}), not numbers; {fix}")


def diagnose_text(name, data, numbers, delimiter, chosen=None):
    """Find the first bad line of ``data`` (file lines ``numbers``) in the ``chosen``
    columns (default all); raise a DataError."""
    n_columns = len(split_fields(data[0], delimiter))
    for number, line in zip(numbers, data):
        fields = split_fields(line, delimiter)
        if len(fields) != n_columns:
            raise DataError(
                f"{name}: line {number} has {len(fields)} values but line {numbers[0]} has "
                f"{n_columns}; every row needs the same number of columns"
            )
        for column, field in enumerate(fields, start=1):
            if chosen is not None and column - 1 not in chosen:
                continue
            if not is_number(dequote(field)) and dequote(field) not in NA_CELLS:
                shown = repr(field)
                if delimiter == ";" and is_number(field.replace(",", ".", 1)):
                    raise DataError(
                        f"{name}: line {number}, column {column}: {shown} uses a decimal "
                        "comma; write decimals with '.' (e.g. 1.5)"
                    )
                raise DataError(
                    f"{name}: line {number}, column {column}: {shown} is not a number; "
                    "the file must be numeric (an optional header line is allowed)"
                )
