"""The safe loader for user point files: ``load_points`` and ``column_names``.

Reads ``.npy`` (header checked before any data is read, ``allow_pickle=False``),
``.csv`` and ``.txt`` files into float64 arrays of shape (n, d), and raises
:class:`DataError` with a one-line message when a file cannot be used. Nothing is
ever unpickled or executed.

It imports numpy, the standard library and :mod:`gmm_blocks` (``mmap=True``
reads a ``.npy`` file as a memory map, checked block by block); a directory
of ``.npy`` shards becomes a ``dask.array`` (dask imported only then).  ``data_gen`` offers
``load_points`` and ``DataError`` too, as part of its documented API.
"""
from __future__ import annotations

import csv
import os
import stat
import warnings

import numpy as np
from numpy.lib import format as npy_format

import gmm_blocks

__all__ = [
    "Table",
    "load_table",
    "DataError",
    "IndexColumnWarning",
    "load_points",
    "column_names",
]

LOADABLE_EXTENSIONS = (".npy", ".csv", ".tsv", ".txt")


class DataError(ValueError):
    """A data file cannot be used. ``str(exc)`` is one line: ``"<file>: <problem>[; <fix>]"``."""


class IndexColumnWarning(UserWarning):
    """A text file's first column was a row index and was left out (one-line message)."""


# --------------------------------------------------------------------------- loading


def path_text(path):
    """``os.fspath(path)`` as text; TypeError for bytes (the messages name files as text).

    Raises
    ------
    TypeError
        ``path`` is bytes (decode it first) or not a path at all.
    """
    name = os.fspath(path)
    if isinstance(name, bytes):
        raise TypeError(f"path must be a str or os.PathLike giving a str, not bytes; decode "
                        f"it first, e.g. {name[:40]!r}.decode()")
    return name


def _open_regular(path):
    """Open ``path`` for binary reading; it must be an existing regular file.

    The file is opened without blocking and checked with ``fstat`` on the open
    descriptor, so a FIFO or a device is refused at once (opening a FIFO for
    reading would otherwise wait for a writer forever) and nothing can swap the
    file between the check and the read.
    """
    name = os.fspath(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise DataError(f"{name}: no such file; check the path") from None
    except (OSError, ValueError) as exc:    # ValueError: a NUL byte in the name
        raise DataError(f"{name}: cannot access the file "
                        f"({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError(
            f"{name}: is a directory; give the path of a .npy, .csv, .tsv or .txt file inside it"
        )
    not_regular = f"{name}: is not a regular file (a FIFO, socket or device); " \
                  "give a .npy, .csv, .tsv or .txt file"
    if not stat.S_ISREG(st.st_mode):
        raise DataError(not_regular)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):     # replaced since the stat above
        os.close(fd)
        raise DataError(not_regular)
    return os.fdopen(fd, "rb")


def _extension(path):
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    if ext not in LOADABLE_EXTENSIONS:
        shown = f"'{ext}'" if ext else "(none)"
        hint = "; save the array with numpy.save" if ext == ".npz" else ""
        raise DataError(
            f"{name}: unsupported file extension {shown}; use .npy, .csv, .tsv or .txt{hint}"
        )
    return ext


def _rows_phrase(count):
    return f"{count} row" if count == 1 else f"{count} rows"


def _check_shape(name, n, d):
    """Raise DataError unless an (n, d) table has a row and at least one column."""
    if n == 0:
        raise DataError(f"{name}: has 0 rows; need at least one point (one point per row)")
    if d < 1:
        raise DataError(
            f"{name}: has 0 columns; need at least 1 "
            "(one point per row: one value for 1-D data, x and y in columns for 2-D)"
        )


def _finalise(name, X, where, nonfinite="NaN or inf"):
    """Check a numeric (n, d) array and return it as C-ordered float64.

    ``where(i)`` describes data row i (e.g. "row 3" or "line 7") for messages;
    ``nonfinite`` names what a non-finite value may have been in the file.
    """
    n, d = X.shape
    _check_shape(name, n, d)
    # Finiteness is judged in the file's own dtype: a finite long double such as
    # 1e400 is not "NaN or inf", it is too large for float64 (said separately below).
    _refuse_rows(name, ~np.isfinite(X).all(axis=1), nonfinite, "remove or fill them", where)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        X64 = np.ascontiguousarray(X, dtype=np.float64)
    if X.dtype.kind == "f" and X.dtype.itemsize > 8:
        _refuse_rows(name, ~np.isfinite(X64).all(axis=1),
                     "values too large for float64 (beyond +-1.8e308)",
                     "rescale the data before saving", where)
        _refuse_rows(name, ((X64 == 0) & (X != 0)).any(axis=1),
                     "nonzero values too small for float64 (below 5e-324)",
                     "rescale the data before saving", where)
    return X64


def _refuse_rows(name, bad, what, fix, where):
    """Raise a DataError counting the rows where ``bad`` (n,) is True, if any."""
    if bad.any():
        rows = np.flatnonzero(bad)
        verb = "contains" if rows.size == 1 else "contain"
        raise DataError(
            f"{name}: {_rows_phrase(rows.size)} of {bad.size} {verb} {what} "
            f"(first at {where(int(rows[0]))}); {fix}"
        )


def _describe_non_npy(head):
    """What a file that lacks the .npy magic looks like, from its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "looks like a .npz or zip archive; save a single array with numpy.save"
    if head[:1] == b"\x80" or head.startswith((b"(lp", b"(dp", b"cnumpy")):
        return "looks like a Python pickle, which is never loaded; save it with numpy.save"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            textual = True
        except UnicodeDecodeError as exc:  # a character cut at the end of `head` is fine
            textual = exc.start >= len(head) - 3
        if textual:
            return "looks like a text file; if it holds numbers, rename it to .csv or .txt"
    return "is not a NumPy .npy file (no NumPy header); save the array with numpy.save"


def _load_npy(name, fh, mmap=False):
    """Points (n, d) from an open ``.npy`` file, judged from its header before any data is read.

    ``mmap=True``: a C-ordered native float64 file is returned as a read-only
    ``np.memmap``, its rows checked for NaN and inf block by block.
    """
    shape, dtype, data_offset = _npy_header(name, fh)
    _check_npy_dtype(name, dtype)
    _check_npy_shape(name, shape)
    n, d = shape if len(shape) == 2 else (shape[0], 1)     # a 1-D array: one column
    _check_shape(name, n, d)
    expected = n * d * dtype.itemsize
    available = os.fstat(fh.fileno()).st_size - data_offset
    if available < expected:
        raise DataError(
            f"{name}: is truncated: header promises {expected} bytes of data but only "
            f"{max(available, 0)} are present; re-save the array"
        )
    if mmap and dtype == np.dtype(np.float64):
        X = _mapped(name)
        if X is not None:
            return X
    fh.seek(0)
    try:
        X = npy_format.read_array(fh, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{name}: cannot be read as a .npy array ({first})") from None
    except MemoryError:
        raise DataError(f"{name}: is too large to load ({expected / 1e9:.1f} GB of data); "
                        "use fewer points") from None
    return _finalise(name, X.reshape(n, d), lambda i: f"row index {i}")


def _mapped(name):
    """The checked ``.npy`` file ``name`` as a read-only memory map, or None when it
    is not C-ordered (then it is read into memory)."""
    try:
        X = np.load(name, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{name}: cannot be memory-mapped ({first})") from None
    if not X.flags.c_contiguous:
        return None
    X = X.reshape(len(X), -1)           # a 1-D file: one column
    n, bad, first = X.shape[0], 0, None
    for a in range(0, n, gmm_blocks.BLOCK_ROWS):
        block = X[a:a + gmm_blocks.BLOCK_ROWS]
        rows = np.flatnonzero(~np.isfinite(block).all(axis=1))
        gmm_blocks.release(block)
        if rows.size and first is None:
            first = a + int(rows[0])
        bad += rows.size
    if bad:
        verb = "contains" if bad == 1 else "contain"
        raise DataError(f"{name}: {_rows_phrase(bad)} of {n} {verb} NaN or inf "
                        f"(first at row index {first}); remove or fill them")
    return X


def _npy_header(name, fh):
    """``(shape, dtype, data_offset)`` from a ``.npy`` header; the file is left after it."""
    head = fh.read(512)
    if not head:
        raise DataError(f"{name}: is empty (0 bytes); save an array with numpy.save")
    if not head.startswith(npy_format.MAGIC_PREFIX):
        raise DataError(f"{name}: {_describe_non_npy(head)}")
    fh.seek(0)
    try:
        version = npy_format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = npy_format.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):
            # 3.0 only differs in the header's text encoding (utf-8 vs latin-1), which
            # matters only for non-ASCII structured field names; those are rejected later.
            shape, _, dtype = npy_format.read_array_header_2_0(fh)
        else:
            raise DataError(
                f"{name}: unsupported .npy format version {version[0]}.{version[1]}; "
                "re-save it with numpy.save"
            )
    except DataError:
        raise
    except Exception as exc:  # numpy raises ValueError, SyntaxError, tokenize.TokenError, ...
        why = " (longer than numpy's limit)" if "max_header_size" in str(exc) else ""
        raise DataError(f"{name}: has a corrupt .npy header{why}; re-save the array with "
                        "numpy.save") from None
    # numpy's header check takes True for 1: a size must be a real int (not bool), >= 0.
    if not all(type(size) is int and size >= 0 for size in shape):  # noqa: E721
        raise DataError(f"{name}: has a corrupt .npy header (its shape is not whole numbers "
                        ">= 0); re-save the array with numpy.save")
    return shape, dtype, fh.tell()


#: what a .npy dtype kind other than int/uint/float holds, in words
_NPY_KIND_NAMES = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes",
                   "M": "dates", "m": "time deltas", "V": "raw bytes"}


def _check_npy_dtype(name, dtype):
    """Plain real numbers only: no objects (pickles), structured records or other kinds."""
    if dtype.hasobject:
        raise DataError(
            f"{name}: holds Python objects (a pickled array), which are never loaded; "
            "save a numeric array, e.g. numpy.save(path, x.astype(float))"
        )
    if dtype.names is not None or dtype.subdtype is not None:
        raise DataError(
            f"{name}: holds a structured array ({dtype}); save a plain numeric (n, 2) array"
        )
    if dtype.kind not in "iuf":
        what = _NPY_KIND_NAMES.get(dtype.kind, f"dtype {dtype}")
        raise DataError(
            f"{name}: holds {what} ({dtype}), not real numbers; save int or float data"
        )


def _check_npy_shape(name, shape):
    """A 2-D shape or a 1-D one (one value per point), or a DataError saying what the
    array is instead."""
    if len(shape) not in (1, 2):
        if len(shape) == 0:
            got = "a single number (0-D array)"
        else:
            got = f"a {len(shape)}-D array of shape {tuple(shape)}"
        raise DataError(
            f"{name}: is {got}; need a 1-D array of n values or a 2-D array of shape "
            "(n, d) (one point per row), e.g. x.reshape(-1, 2)"
        )


# Text files ----------------------------------------------------------------


def _decode_text(name, raw):
    if raw.startswith(npy_format.MAGIC_PREFIX):
        raise DataError(f"{name}: is a NumPy .npy file; rename it to .npy")
    if b"\x00" in raw:
        raise DataError(
            f"{name}: is a binary file, not text; save numbers as comma, semicolon "
            "or whitespace separated text"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _content_lines(text):
    """Stripped lines that are neither blank nor '#' comments."""
    return [s for s in map(str.strip, text.splitlines()) if s and s[0] != "#"]


def _content_line_numbers(text):
    """1-based file line numbers of the lines ``_content_lines`` keeps (same order)."""
    return [i for i, s in enumerate(map(str.strip, text.splitlines()), start=1)
            if s and s[0] != "#"]


def _pick_delimiter(lines):
    """';' if any of the first lines uses it, else ',' if any does, else a tab if all of
    them hold one, else None (any run of whitespace)."""
    sample = lines[:50]
    if any(";" in line for line in sample):
        return ";"
    if any("," in line for line in sample):
        return ","
    if sample and all("\t" in line for line in sample):
        return "\t"
    return None


def _split(line, delimiter):
    """The fields of one line, stripped; a delimited line with quotes is read by
    Python's :mod:`csv` (so ``"weight, kg"`` is one field, its quotes removed)."""
    if delimiter is None:
        return line.split()
    if '"' in line:
        fields = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    else:
        fields = line.split(delimiter)
    return [field.strip() for field in fields]


def _is_number(field):
    if not field or "_" in field:
        return False
    try:
        float(field)
    except ValueError:
        return False
    return True


def _header_and_data(lines, delimiter):
    """Split off the header line, if any: the first line, when any field is not a number."""
    if lines:
        fields = _split(lines[0], delimiter)
        if not all(_is_number(_dequote(f)) for f in fields):      # "1.5","2" is data
            csv_read = delimiter is not None and '"' in lines[0]     # unquoted already
            names = fields if csv_read else [_unquote(f) for f in fields]
            return names, lines[1:]
    return None, lines


def _dequote(field):
    """``field`` without one pair of surrounding double quotes (as np.loadtxt's
    ``quotechar='"'`` reads it)."""
    return field[1:-1] if len(field) >= 2 and field[0] == field[-1] == '"' else field


def _unquote(field):
    return field.strip().strip('"').strip("'").strip()


def _is_row_index(header, first_line, delimiter, first_column):
    """True when the first column of a text table is a row index, not data.

    That is what pandas' ``to_csv`` writes (the header's first name empty, one
    name per column) and R writes: ``write.csv`` like pandas with quoted row
    names, ``write.table`` with no first name at all (one name fewer than the
    columns) and quoted row names. So: a header line, either its first name
    empty with one name per column, or one name fewer than the columns where
    the row names are quoted or the file is separated by spaces or tabs (R's
    ``write.table``; pandas' ``sep=" "``/``"\\t"``, whose leading empty name
    is lost with the line's leading whitespace); at least two more columns;
    and distinct whole numbers down the first column (``first_column``,
    floats). A named column, or a header one name short in a plain CSV (more
    likely a mistake), is data.
    """
    if header is None:
        return False
    fields = _split(first_line, delimiter)
    n_columns = len(fields)
    if n_columns < 2:
        return False
    unnamed = header[0] == "" and len(header) == n_columns
    nameless = (len(header) == n_columns - 1
                and (delimiter in (None, "\t") or first_line.startswith('"')))
    if not (unnamed or nameless):
        return False
    first = np.asarray(first_column, dtype=float)
    return bool(np.isfinite(first).all() and (first == np.round(first)).all()
                and np.unique(first).size == first.size)


def _without_row_index(name, header, X, first_line, delimiter):
    """``(header, X)`` without a row-index first column (and a warning said)."""
    if not _is_row_index(header, first_line, delimiter, X[:, 0]):
        return header, X
    warnings.warn(f"{name}: the first column is a row index (no name, distinct whole "
                  "numbers, as pandas' to_csv and R's write.csv write) and is left out",
                  IndexColumnWarning, stacklevel=5)   # load_points' or load_table's caller
    return (header[1:] if header[0] == "" else header), X[:, 1:]


def _diagnose_text(name, data, numbers, delimiter):
    """Find the first bad line of ``data`` (file lines ``numbers``); raise a DataError."""
    n_columns = len(_split(data[0], delimiter))
    for number, line in zip(numbers, data):
        fields = _split(line, delimiter)
        if len(fields) != n_columns:
            raise DataError(
                f"{name}: line {number} has {len(fields)} values but line {numbers[0]} has "
                f"{n_columns}; every row needs the same number of columns"
            )
        for column, field in enumerate(fields, start=1):
            if not _is_number(_dequote(field)):
                shown = repr(field) if field else "an empty value"
                if delimiter == ";" and _is_number(field.replace(",", ".", 1)):
                    raise DataError(
                        f"{name}: line {number}, column {column}: {shown} uses a decimal "
                        "comma; write decimals with '.' (e.g. 1.5)"
                    )
                raise DataError(
                    f"{name}: line {number}, column {column}: {shown} is not a number; "
                    "the file must be numeric (an optional header line is allowed)"
                )


def _load_text(name, fh, columns=None, info=None):
    try:
        raw = fh.read()
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise DataError(f"{name}: is empty; need one point per row, x and y in columns")
    text = _decode_text(name, raw)
    lines = _content_lines(text)
    delimiter = "\t" if _extension(name) == ".tsv" else _pick_delimiter(lines)
    header, data = _header_and_data(lines, delimiter)
    if not data:
        raise DataError(
            f"{name}: has 0 rows{' (only a header line)' if header else ''}; "
            "need at least one point (one point per row)"
        )

    def data_line_numbers():  # only needed for messages, so computed lazily
        numbers = _content_line_numbers(text)
        return numbers[1:] if header is not None else numbers

    if columns is not None:
        return _load_selected(name, header, data, data_line_numbers, delimiter, columns, info)
    try:            # '"1"' is 1: R quotes its row names
        X = np.loadtxt(data, delimiter=delimiter, dtype=np.float64, ndmin=2, comments=None,
                       quotechar='"')
        if X.shape[1] != len(_split(data[0], delimiter)):
            raise ValueError("column count mismatch")
    except ValueError as exc:
        _diagnose_columns(name, header, data, data_line_numbers(), delimiter)
        _diagnose_text(name, data, data_line_numbers(), delimiter)
        first = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise DataError(f"{name}: is not a numeric table ({first})") from None
    d_file = X.shape[1]
    header, X = _without_row_index(name, header, X, data[0], delimiter)
    if info is not None and X.shape[1] < d_file:
        info["index"] = _index_column(data, delimiter)
    if header is not None and len(header) != X.shape[1]:
        first = _content_line_numbers(text)[0]
        raise DataError(
            f"{name}: the header on line {first} has {len(header)} names but the rows have "
            f"{X.shape[1]} values; give one name per column or drop the header"
        )
    if header is None:
        header = _commented_header(text, data[0], delimiter)
    # text such as 1e400 parses to inf: say so rather than blame a NaN
    return _finalise(name, X, lambda i: f"line {data_line_numbers()[i]}",
                     "NaN or inf (or a number beyond float64's 1.8e308)"), header


def load_points(path, *, with_names=False, columns=None, mmap=False):
    """Load points from a ``.npy``, ``.csv`` or ``.txt`` file, safely.

    ``.npy`` files are checked from their header first (dtype and shape are
    validated before any data is read, so a huge file of the wrong shape is rejected
    at once) and read with ``allow_pickle=False``. Text files hold one point per
    line, values separated by commas, semicolons or whitespace; blank lines and
    lines starting with ``#`` are skipped, and the first line may be a header (it is
    one when any of its fields is not a number). A first column that is a row
    index - no name in the header and distinct whole numbers, as pandas'
    ``to_csv`` and R's ``write.csv`` write - is left out, with an
    :class:`IndexColumnWarning`. Nothing is ever unpickled or executed.

    Parameters
    ----------
    path : str or os.PathLike
        File to read; the extension (case-insensitive) picks the format.
    with_names : bool, default False
        Also return the column names, as :func:`column_names` would, from the
        same read of the file.
    columns : str or sequence of (str or int), optional
        The columns to load, in this order: header names or 0-based numbers
        of the file's columns (a row-index column counts), as a list or one
        comma-separated string (``"income,age"``, ``"0,2"``). Without it every
        column must be numeric; a text, date or True/False column is an
        error naming it and the numeric columns to choose instead.
    mmap : bool, default False
        Memory-map a ``.npy`` file of C-ordered float64 instead of reading it:
        ``X`` is then a read-only ``np.memmap`` (checked for NaN and inf block
        by block, its pages released as it goes), which
        :func:`gmm.em_steps` reads block by block, so a file larger than
        memory can be fitted.  Other files (and ``columns``) are read as usual.

    Returns
    -------
    X : ndarray of shape (n, d), float64, C-ordered
        n >= 1 points with d >= 1 finite coordinates (a 1-D .npy array is one column). Integer data is converted.
    names : list of str or None
        Only with ``with_names=True``.

    Raises
    ------
    DataError
        A ``ValueError`` whose message is one line naming the file, the problem
        and, where it helps, what to do.
    """
    table = _read(path, columns, mmap)
    return (table.X, table.names) if with_names else table.X


def column_names(path):
    """Column names from a text file's header line.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    list of str or None
        The header fields of a ``.csv``/``.txt`` file that has a header line, or
        failing that a ``# x,y`` comment line just before the first row (as written
        by ``numpy.savetxt(..., header=...)``) with one name per column; else None
        (always None for ``.npy``).

    Raises
    ------
    DataError
        If the file is missing, a directory, unreadable or of an unsupported type.
    """
    name = path_text(path)
    fh = _open_regular(name)
    with fh:
        if _extension(name) == ".npy":
            return None
        try:
            raw = fh.read()
        except OSError as exc:
            raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
        text = _decode_text(name, raw)
        lines = _content_lines(text)
        delimiter = _pick_delimiter(lines)
        header, data = _header_and_data(lines, delimiter)
        if header is not None and data and _is_row_index(
                header, data[0], delimiter, _first_column(data, delimiter)):
            header = header[1:] if header[0] == "" else header
        if header is None and data:
            header = _commented_header(text, data[0], delimiter)
        return header


def _first_column(data, delimiter):
    """The first field of each line as floats (quotes removed), or NaN where it is not
    a number (so the column is no row index)."""
    values = np.empty(len(data))
    for i, line in enumerate(data):
        field = _dequote(_split(line, delimiter)[0])
        values[i] = float(field) if _is_number(field) else np.nan
    return values


def _commented_header(text, first_data_line, delimiter):
    """Names from a '# x,y' comment right before the first data line (numpy.savetxt's
    header style), if it has one non-numeric name per column; else None."""
    previous = None
    for line in map(str.strip, text.splitlines()):
        if line == first_data_line:
            break
        previous = line if line else previous
    if not previous or not previous.startswith("#"):
        return None
    names = [f.strip('"\'') for f in _split(previous.lstrip("#").strip(), delimiter)]
    n_columns = len(_split(first_data_line, delimiter))
    if len(names) != n_columns or any(not f or _is_number(f) for f in names):
        return None
    return names


# Choosing columns, text columns, empty cells, the row index -------------------


class Table:
    """What :func:`load_table` read: ``X`` (n, d), ``names`` (d str or None) and
    ``index`` (``(name, n str)``: a row-index column's header name and values
    as written, or None)."""

    def __init__(self, X, names, index=None):
        self.X, self.names, self.index = X, names, index


#: :func:`worth_mapping`'s threshold: a .npy file of at least this many bytes
#: is memory-mapped by the CLI (float64, C order), not read; the fit and the
#: drawing then read it block by block
MMAP_BYTES = 256 * 2**20


def worth_mapping(path, threshold=None):
    """Whether ``path`` is a regular file of at least ``threshold`` bytes
    (default :data:`MMAP_BYTES`), worth ``mmap=True``; False for what cannot be
    read (the loader then says why)."""
    threshold = MMAP_BYTES if threshold is None else threshold
    try:
        return os.path.isfile(path) and os.stat(path).st_size >= threshold
    except (OSError, TypeError, ValueError):
        return False


def load_table(path, *, columns=None, mmap=False):
    """:func:`load_points` with the names and the row index: returns a :class:`Table`.

    Parameters and errors as :func:`load_points`. ``index`` holds the row
    index that was left out (pandas' ``to_csv``, R's ``write.csv``), so
    results can be written back beside it, row by row.  A directory of
    ``.npy`` files (shards of one array, concatenated in name order; 1-D
    shards are one column) is read as a ``dask.array``, one block per shard
    (needs dask: ``pip install .[dask]``); ``columns`` then chooses by
    0-based number, as for a ``.npy`` file.
    """
    name = path_text(path)
    if os.path.isdir(name):
        X = _read_shards(name)
        if columns is not None:     # numbers only, as for a .npy file: shards have no header
            X = X[:, _resolve_columns(name, columns, None, X.shape[1],
                                      "each shard (no header: choose by number)")]
        return Table(X, None)
    return _read(path, columns, mmap)


def _read_shards(name):
    """A directory of ``.npy`` shards (n_i, d) as one lazy ``dask.array`` (sum n_i, d)."""
    try:
        files = sorted(f for f in os.listdir(name) if f.lower().endswith(".npy"))
    except OSError as exc:
        raise DataError(f"{name}: cannot be listed ({exc.strerror or exc})") from None
    if not files:
        raise DataError(f"{name}: is a directory without .npy files; give the path of a .npy, "
                        ".csv, .tsv or .txt file, or a directory of .npy shards (one array "
                        "split by rows)")
    paths = [os.path.join(name, f) for f in files]
    shapes = []
    for path in paths:          # every shard checked (header, values) before any fit
        with _open_regular(path) as fh:
            shapes.append(_load_npy(path, fh, mmap=True).shape)
        if shapes[-1][1] != shapes[0][1]:
            raise DataError(f"{path}: has {shapes[-1][1]} columns but {files[0]} has "
                            f"{shapes[0][1]}; shards must split one array by rows")
    try:
        import gmm_dask     # optional: only a directory of shards needs dask
    except ImportError:
        raise DataError(f"{name}: a directory of .npy shards is read with dask, which is not "
                        "installed; pip install 'gmm-visualizer[dask]', or load one .npy file"
                        ) from None
    return gmm_dask.from_shards(paths, shapes)


def _read(path, columns, mmap=False):
    """The :class:`Table` of ``path`` (the one body of load_points and load_table, so
    the IndexColumnWarning points at their caller)."""
    name = path_text(path)
    fh = _open_regular(name)
    info = {}
    with fh:
        if _extension(name) == ".npy":
            X = _load_npy(name, fh, mmap and columns is None)
            if columns is not None:
                X = X[:, _resolve_columns(name, columns, None, X.shape[1],
                                      "each shard (no header: choose by number)")]
            return Table(X, None)
        X, names = _load_text(name, fh, columns, info)
    return Table(X, names, info.get("index"))


def _index_column(data, delimiter):
    """``(name, values)`` of a row-index first column: the values as written (unquoted)."""
    return "", [_unquote(_split(line, delimiter)[0]) for line in data]


def _column_label(header, n_columns, c):
    """``'income'`` (the header's name) or ``3`` (its 0-based number)."""
    if header is not None and len(header) == n_columns and header[c]:
        return repr(header[c])
    return str(c)


def _file_header(header, data, delimiter):
    """The header with one name per file column (R's write.table leaves out the row
    index's name: an empty one is put back), or None."""
    if header is None:
        return None
    n_columns = len(_split(data[0], delimiter))
    if len(header) == n_columns - 1 and _is_row_index(header, data[0], delimiter,
                                                     _first_column(data, delimiter)):
        return [""] + list(header)
    return list(header)


_MAX_COLUMN_DIGITS = 12


def _resolve_columns(name, columns, header, n_columns, holder="the file"):
    """0-based file column numbers of ``columns`` (names or numbers), checked;
    ``holder`` names what has the columns in messages."""
    if isinstance(columns, str) and header is not None and columns.strip() in header:
        specs = [columns]           # one name that holds a comma: "weight, kg"
    elif isinstance(columns, str):  # names split as CSV: '"weight, kg",age' is two
        try:
            specs = next(csv.reader([columns], skipinitialspace=True), [""])
        except csv.Error:           # a line break in the text: plain commas
            specs = columns.split(",")
    elif isinstance(columns, (list, tuple, np.ndarray)):
        specs = list(columns)
    else:
        raise TypeError(f"columns must be a comma-separated string or a list of column names "
                        f"or 0-based numbers, got {type(columns).__name__}")
    if not specs or all(isinstance(s, str) and not s.strip() for s in specs):
        raise DataError(f"{name}: no columns chosen (columns is empty); give at least one "
                        "column name or 0-based number, e.g. 0,1 (one column: 1-D data)")
    numbered = f"{holder} has {n_columns} column{'s' if n_columns != 1 else ''}, numbered " \
               f"0 to {n_columns - 1}"
    if header is not None:
        shown = ", ".join((repr(h) if "," in h else h) or "(row index)" for h in header[:12])
        numbered += f" ({shown}{', ...' if len(header) > 12 else ''})"
    chosen = []
    for spec in specs:
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
                chosen.append(header.index(text))
                continue
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
        if index >= n_columns:
            raise DataError(f"{name}: column {index} does not exist; {numbered}")
        chosen.append(index)
    for c in chosen:
        if chosen.count(c) > 1:
            raise DataError(f"{name}: column {_column_label(header, n_columns, c)} is chosen "
                            "twice; give each column once")
    return chosen


def _load_selected(name, header, data, data_line_numbers, delimiter, columns, info):
    """``(X, names)`` of the chosen ``columns`` of a text table (header, data lines)."""
    full = _file_header(header, data, delimiter)
    n_columns = len(_split(data[0], delimiter))
    if full is not None and len(full) != n_columns:
        full = None
    chosen = _resolve_columns(name, columns, full, n_columns)
    try:
        X = np.loadtxt(data, delimiter=delimiter, dtype=np.float64, ndmin=2, comments=None,
                       quotechar='"', usecols=chosen)
    except ValueError as exc:
        _diagnose_columns(name, full, data, data_line_numbers(), delimiter, chosen)
        _diagnose_text(name, data, data_line_numbers(), delimiter)
        first = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise DataError(f"{name}: is not a numeric table ({first})") from None
    if info is not None and full is not None and 0 not in chosen and _is_row_index(
            full, data[0], delimiter, _first_column(data, delimiter)):
        info["index"] = _index_column(data, delimiter)
    names = [full[c] for c in chosen] if full is not None else None
    return _finalise(name, X, lambda i: f"line {data_line_numbers()[i]}",
                     "NaN or inf (or a number beyond float64's 1.8e308)"), names


def _kind_of(value):
    """What a non-numeric cell looks like: True/False, a date, or text."""
    if value.lower() in ("true", "false"):
        return "True/False values"
    if len(value) >= 8 and value[:4].isdigit() and value[4:5] in "-/" and value[5:7].isdigit():
        return "dates"
    return "text"


def _diagnose_columns(name, header, data, numbers, delimiter, chosen=None):
    """Raise a DataError for a chosen column that is not numeric, or for empty cells.

    A column is text when none of its non-empty cells is a number; its
    message names it and suggests ``--columns`` with the numeric columns.
    Rows with empty cells are counted, with the first one's line. Ragged rows
    and single stray values are left to :func:`_diagnose_text`.
    """
    rows = [_split(line, delimiter) for line in data]
    n_columns = len(rows[0])
    if any(len(r) != n_columns for r in rows):
        return
    if header is not None and len(header) != n_columns:
        header = _file_header(header, data, delimiter)
        if header is not None and len(header) != n_columns:
            header = None
    chosen = list(range(n_columns)) if chosen is None else chosen
    numeric, text = [], {}
    for c in range(n_columns):
        cells = [_dequote(r[c]) for r in rows]
        filled = [v for v in cells if v]
        if filled and not any(_is_number(v) for v in filled):
            text[c] = filled[0]
        elif all(_is_number(v) for v in filled) and not (c == 0 and header and header[0] == ""):
            numeric.append(c)
    for c in chosen:
        if c in text:
            label = _column_label(header, n_columns, c)
            hint = ",".join((header[i] if header and len(header) == n_columns and header[i]
                             else str(i)) for i in numeric)
            fix = (f"choose numeric columns, e.g. --columns {hint} (columns= in load_points)"
                   if numeric else "no column is numeric")
            raise DataError(f"{name}: column {label} holds {_kind_of(text[c])} "
                            f"({text[c][:40]!r}), not numbers; {fix}")
    empty = [i for i, r in enumerate(rows) if any(not _dequote(r[c]) for c in chosen)]
    if empty:
        first = rows[empty[0]]
        c = next(c for c in chosen if not _dequote(first[c]))
        verb = "has" if len(empty) == 1 else "have"
        raise DataError(f"{name}: {_rows_phrase(len(empty))} of {len(rows)} {verb} empty cells "
                        f"(first at line {numbers[empty[0]]}, column "
                        f"{_column_label(header, n_columns, c)}); remove or fill them")
