"""The safe loader for user point files: ``load_points`` and ``column_names``.

Reads ``.npy`` (header checked before any data is read, ``allow_pickle=False``),
``.csv`` and ``.txt`` files into float64 arrays of shape (n, d), and raises
:class:`DataError` with a one-line message when a file cannot be used. Nothing is
ever unpickled or executed.

A text table's cells (the row index, chosen columns, missing cells) are read
by :mod:`gmm_table`. It imports numpy, the standard library and :mod:`gmm_blocks` (``mmap=True``
reads a ``.npy`` file as a memory map, checked block by block); a directory
of ``.npy`` shards becomes a ``dask.array`` (dask imported only then).  ``data_gen`` offers
``load_points`` and ``DataError`` too, as part of its documented API.
"""
from __future__ import annotations

import os
import stat
import warnings

import numpy as np
from numpy.lib import format as npy_format

import gmm_blocks
from gmm_table import (
    DataError, diagnose_columns, diagnose_text, header_and_data, index_and_header,
    is_number, leave_out_missing, read_cells, resolve_columns, rows_phrase, split_fields,
)

__all__ = [
    "Table",
    "load_table",
    "DataError",
    "IndexColumnWarning",
    "load_points",
    "column_names",
]

LOADABLE_EXTENSIONS = (".npy", ".csv", ".tsv", ".txt")


class IndexColumnWarning(UserWarning):
    """A text file's first column is a row index: left out, or chosen by name and
    fitted as data (one-line message)."""


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
            f"{name}: {rows_phrase(rows.size)} of {bad.size} {verb} {what} "
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
        raise DataError(f"{name}: {rows_phrase(bad)} of {n} {verb} NaN or inf "
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


def _load_text(name, fh, columns=None, drop_missing=False):
    """The :class:`Table` of an open text file (see :func:`load_points`)."""
    try:
        raw = fh.read()
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise DataError(f"{name}: is empty; need one point per row, x and y in columns")
    text = _decode_text(name, raw)
    lines = _content_lines(text)
    delimiter = "\t" if _extension(name) == ".tsv" else _pick_delimiter(lines)
    header, data = header_and_data(lines, delimiter)
    if not data:
        raise DataError(
            f"{name}: has 0 rows{' (only a header line)' if header else ''}; "
            "need at least one point (one point per row)"
        )

    def data_line_numbers():  # only needed for messages, so computed lazily
        numbers = _content_line_numbers(text)
        return numbers[1:] if header is not None else numbers

    full, index_cells = index_and_header(header, data, delimiter)
    n_columns = len(split_fields(data[0], delimiter))
    first = int(index_cells is not None)
    if columns is None:
        chosen = list(range(first, n_columns))
    else:
        chosen = resolve_columns(name, columns, full if full and len(full) == n_columns
                                 else None, n_columns, first=first)
    X = read_cells(data, delimiter, chosen)
    if X is None:
        diagnose_columns(name, full, data, delimiter, chosen, first)
        diagnose_text(name, data, data_line_numbers(), delimiter, chosen)
        raise DataError(f"{name}: is not a numeric table; check its rows have the same "
                        "number of values")
    if columns is None and full is not None and len(full) != n_columns:
        raise DataError(
            f"{name}: the header on line {_content_line_numbers(text)[0]} has {len(full)} "
            f"names but the rows have {n_columns} values; give one name per column or "
            "drop the header")
    names = [full[c] for c in chosen] if full is not None and len(full) == n_columns else \
        (_commented_header(text, data[0], delimiter) if columns is None else None)
    index = None
    if first:
        _say_index(name, full[0], 0 in chosen)
        index = (full[0], index_cells)
    labels = names if names else [str(c - first) for c in chosen]
    X, kept, note = leave_out_missing(name, X, labels, lambda i: f"line {data_line_numbers()[i]}",
                                      drop_missing)
    rows = np.flatnonzero(kept) if kept is not None else np.arange(len(X))
    # text such as 1e400 parses to inf: say so rather than blame a NaN
    X = _finalise(name, X, lambda i: f"line {data_line_numbers()[rows[i]]}",
                  "inf (or a number beyond float64's 1.8e308)")
    return Table(X, names, index, kept, [note] if note else [])


def _say_index(name, index_name, chosen):
    """Warn (IndexColumnWarning, at load_points' or load_table's caller) that the
    first column is a row index: left out, or ``chosen`` by its name as data."""
    if chosen:
        message = (f"{name}: column {index_name!r} is the file's row index (R's row names); "
                   "it is fitted as data, as asked")
    else:
        what = (f"named {index_name!r}: R's row names" if index_name else
                "no name, as pandas' to_csv and R's write.csv write")
        message = (f"{name}: the first column is a row index ({what}) and is left out; "
                   "column numbers count from the column after it")
    warnings.warn(message, IndexColumnWarning, stacklevel=5)  # load_points' caller


def load_points(path, *, with_names=False, columns=None, mmap=False, drop_missing=False):
    """Load points from a ``.npy``, ``.csv`` or ``.txt`` file, safely.

    ``.npy`` files are checked from their header first (dtype and shape are
    validated before any data is read, so a huge file of the wrong shape is rejected
    at once) and read with ``allow_pickle=False``. Text files hold one point per
    line, values separated by commas, semicolons or whitespace; blank lines and
    lines starting with ``#`` are skipped, and the first line may be a header (it is
    one when any of its fields is not a number). A first column that is a row
    index - no name in the header (or ``rownames``), holding text, dates or
    distinct whole numbers, as pandas' ``to_csv`` and R's ``write.csv``
    write - is left out, with an :class:`IndexColumnWarning`
    (:func:`gmm_table.index_and_header`). Nothing is ever unpickled or executed.

    Parameters
    ----------
    path : str or os.PathLike
        File to read; the extension (case-insensitive) picks the format.
    with_names : bool, default False
        Also return the column names, as :func:`column_names` would, from the
        same read of the file.
    columns : str or sequence of (str or int), optional
        The columns to load, in this order: header names or 0-based numbers
        of the data columns (a row index is not counted: 0 is the first
        column after it, as in pandas once ``index_col=0`` took the index),
        as a list or one comma-separated string (``"income,age"``,
        ``"0,2"``). Without it every data column must be numeric; a text,
        date or True/False column is an error naming it and the numeric
        columns to choose instead. Choosing the row index by its name
        (``rownames``) fits it as data, with an :class:`IndexColumnWarning`.
    mmap : bool, default False
        Memory-map a ``.npy`` file of C-ordered float64 instead of reading it:
        ``X`` is then a read-only ``np.memmap`` (checked for NaN and inf block
        by block, its pages released as it goes), which
        :func:`gmm.em_steps` reads block by block, so a file larger than
        memory can be fitted.  Other files (and ``columns``) are read as usual.
    drop_missing : bool, default False
        Leave out the rows of a text file with an empty or NA cell (as
        pandas reads them: ``NA``, ``NaN``, ``N/A``, ``null``, ...) in the
        chosen columns; without it such a row is an error.

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
    table = _read(path, columns, mmap, drop_missing)
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
        header, data = header_and_data(lines, delimiter)
        if header is not None and data:
            full, index_cells = index_and_header(header, data, delimiter)
            header = full[int(index_cells is not None):]
        if header is None and data:
            header = _commented_header(text, data[0], delimiter)
        return header


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
    names = [f.strip('"\'') for f in split_fields(previous.lstrip("#").strip(), delimiter)]
    n_columns = len(split_fields(first_data_line, delimiter))
    if len(names) != n_columns or any(not f or is_number(f) for f in names):
        return None
    return names


# Choosing columns, text columns, empty cells, the row index -------------------


class Table:
    """What :func:`load_table` read.

    Attributes
    ----------
    X : ndarray, shape (n, d)
        The points (the rows kept).
    names : list of d str, or None
    index : tuple (name, list of N str), or None
        A row-index column's header name and values as written, one per row
        of the file (N >= n), or None.
    kept : ndarray of bool, shape (N,), or None
        Which rows of the file are in ``X`` (``drop_missing``); None: all.
    notes : list of str
        One-line notes on what was left out (``--drop-missing``).
    """

    def __init__(self, X, names, index=None, kept=None, notes=()):
        self.X, self.names, self.index, self.kept = X, names, index, kept
        self.notes = list(notes)


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


def load_table(path, *, columns=None, mmap=False, drop_missing=False):
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
            X = X[:, resolve_columns(name, columns, None, X.shape[1],
                                     "each shard (no header: choose by number)")]
        return Table(X, None)
    return _read(path, columns, mmap, drop_missing)


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


def _read(path, columns, mmap=False, drop_missing=False):
    """The :class:`Table` of ``path`` (the one body of load_points and load_table, so
    the IndexColumnWarning points at their caller)."""
    name = path_text(path)
    fh = _open_regular(name)
    with fh:
        if _extension(name) == ".npy":
            X = _load_npy(name, fh, mmap and columns is None)
            if columns is not None:
                X = X[:, resolve_columns(name, columns, None, X.shape[1],
                                         "the file (no header: choose by number)")]
            return Table(X, None)
        return _load_text(name, fh, columns, drop_missing)
