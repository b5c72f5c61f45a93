#!/usr/bin/python3
"""Serve spreadsheet requests to a running LibreOffice over UNO.

Run by the SYSTEM python (the one with the ``uno`` module), not the project's
virtualenv:

    /usr/bin/python3 tests/uno_worker.py PORT [CONNECT_TIMEOUT_SECONDS [SCRATCH_DIR]]

It connects to ``soffice --accept=socket,host=127.0.0.1,port=PORT;urp;``
(retrying until the timeout, so it may be started together with soffice) and
reads one JSON request per line on stdin, answering each with one JSON line on
stdout: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``
(plus the request's ``"id"`` when it had one). Nothing else is written to
stdout; diagnostics go to stderr.

Requests (see tests/libreoffice.py for the client):

- ``{"op": "ping"}``
Each request works on a private copy of P (in the scratch folder), so the
document is opened editable yet nothing, not even a ``.~lock`` file, is ever
written next to P. (A document opened with ReadOnly=True silently ignores
clearContents() and setFormula(), so read-only loading is not an option.)

- ``{"op": "batch", "path": P, "sets": [{"Sheet!E8": 4, "Sheet!E9": null}, ...],
  "read": ["SomeName", "Sheet!G8", ...]}``: load P once; for each set, write
  its cells, ``calculateAll()``, read the items. Every set starts from the
  file as loaded: the cells written by the previous set are restored first.
- ``{"op": "save", "path": P, "out": Q, "cells": {...}, "format": "xlsx"|"ods"|"pdf"}``
- ``{"op": "read", "path": P, "cells": ["Sheet!E8", "SomeName", ...]}``
- ``{"op": "sheets", "path": P}`` -> ``[{"name": ..., "visible": ...}, ...]``
- ``{"op": "delete_rows", "path": P, "out": Q, "sheet": S, "row": R, "count": N}``: what a
  person does by hand: unprotect sheet S (no password), delete N rows from row R
  (1-based), protect it again, save as xlsx to Q.

Cell values written: a number (setValue; true/false become 1/0), a string
(setString, so "=..." stays text), or null (contents cleared). Values read: a
number, a string (text or a formula's text result), null for an empty cell,
and for a formula error the text LibreOffice shows (e.g. "#DIV/0!", "Err:502").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

# Keep stdout for the protocol only: anything printed (by us, by UNO, by a
# library) goes to stderr instead.
_PROTOCOL_FD = os.dup(1)
os.dup2(2, 1)
sys.stdout = sys.stderr
_OUT = os.fdopen(_PROTOCOL_FD, "w", encoding="utf-8", buffering=1)

import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402

# com.sun.star.sheet.CellFlags
_VALUE, _DATETIME, _STRING, _FORMULA = 1, 2, 4, 16
_CLEAR_FLAGS = _VALUE | _DATETIME | _STRING | _FORMULA

# com.sun.star.table.CellContentType
_EMPTY = uno.Enum("com.sun.star.table.CellContentType", "EMPTY")
_NUMBER = uno.Enum("com.sun.star.table.CellContentType", "VALUE")
_TEXT = uno.Enum("com.sun.star.table.CellContentType", "TEXT")
_FORMULA_TYPE = uno.Enum("com.sun.star.table.CellContentType", "FORMULA")

# com.sun.star.sheet.FormulaResult
_RESULT_VALUE, _RESULT_STRING, _RESULT_ERROR = 1, 2, 4

_FILTERS = {
    "xlsx": "Calc MS Excel 2007 XML",
    "ods": "calc8",
    "pdf": "calc_pdf_Export",
}

_ADDRESS = re.compile(r"^\$?[A-Za-z]{1,3}\$?[0-9]{1,7}$")


class RequestError(Exception):
    """A request that cannot be served (bad input, missing sheet or name...)."""


def _props(**kwargs: Any) -> tuple[Any, ...]:
    out = []
    for name, value in kwargs.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


class Worker:
    def __init__(self, port: int, connect_timeout: float, scratch: str) -> None:
        self.port = port
        self.connect_timeout = connect_timeout
        self.scratch = scratch
        self.desktop: Any = None

    # -- connection -------------------------------------------------------
    def connect(self) -> None:
        if self.desktop is not None:
            return
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException as exc:
                if time.monotonic() > deadline:
                    raise RequestError(
                        f"cannot connect to soffice on 127.0.0.1:{self.port} "
                        f"within {self.connect_timeout:g} s: {exc.Message}"
                    ) from None
                time.sleep(0.1)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )

    # -- documents --------------------------------------------------------
    @contextmanager
    def opened(self, path: Any) -> Iterator[Any]:
        """Open a private copy of ``path`` (hidden, editable); close and delete it after."""
        if not isinstance(path, str) or not path:
            raise RequestError("'path' must be a non-empty string")
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            raise RequestError(f"no such file: {path}")
        folder = tempfile.mkdtemp(dir=self.scratch)
        try:
            copy = os.path.join(folder, os.path.basename(path))
            shutil.copyfile(path, copy)
            doc = self.desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(copy),
                "_blank",
                0,
                _props(Hidden=True, MacroExecutionMode=0, UpdateDocMode=0),
            )
            if doc is None or not hasattr(doc, "getSheets"):
                if doc is not None:
                    _close(doc)
                raise RequestError(f"LibreOffice could not open {path} as a spreadsheet")
            try:
                yield doc
            finally:
                _close(doc)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # -- ops ----------------------------------------------------------------
    def op_ping(self, req: dict[str, Any]) -> Any:
        self.connect()
        return "pong"

    def op_batch(self, req: dict[str, Any]) -> Any:
        sets = req.get("sets")
        reads = req.get("read", [])
        if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
            raise RequestError("'sets' must be a list of {address: value} objects")
        _check_reads(reads)
        with self.opened(req.get("path")) as doc:
            cells = _Cells(doc)
            # No recalculation on each write: calculateAll() below does it once.
            doc.enableAutomaticCalculation(False)
            results = []
            original: dict[str, tuple[Any, Any]] = {}  # address -> content as loaded
            changed: set[str] = set()  # cells the previous set wrote
            for one_set in sets:
                # Every set starts from the workbook as loaded.
                for address in changed - one_set.keys():
                    _restore(cells.cell(address), original[address])
                changed = set(one_set)
                for address, value in one_set.items():
                    cell = cells.cell(address)
                    if address not in original:
                        original[address] = _snapshot(cell)
                    _write(cell, value, address)
                doc.calculateAll()
                results.append({item: _value(cells.cell(item)) for item in reads})
            return results

    def op_read(self, req: dict[str, Any]) -> Any:
        reads = req.get("cells")
        _check_reads(reads, key="cells")
        with self.opened(req.get("path")) as doc:
            cells = _Cells(doc)
            doc.calculateAll()
            return {item: _value(cells.cell(item)) for item in reads}

    def op_save(self, req: dict[str, Any]) -> Any:
        fmt = req.get("format", "xlsx")
        if fmt not in _FILTERS:
            raise RequestError(f"unknown format {fmt!r}; expected one of {sorted(_FILTERS)}")
        out = _out_path(req)
        values = req.get("cells") or {}
        if not isinstance(values, dict):
            raise RequestError("'cells' must be an {address: value} object")
        with self.opened(req.get("path")) as doc:
            cells = _Cells(doc)
            for address, value in values.items():
                _write(cells.cell(address), value, address)
            doc.calculateAll()
            doc.storeToURL(
                uno.systemPathToFileUrl(out),
                _props(FilterName=_FILTERS[fmt], Overwrite=True),
            )
            return out

    def op_delete_rows(self, req: dict[str, Any]) -> Any:
        out = _out_path(req)
        row, count = req.get("row"), req.get("count", 1)
        if not isinstance(row, int) or not isinstance(count, int) or row < 1 or count < 1:
            raise RequestError("'row' and 'count' must be positive integers")
        with self.opened(req.get("path")) as doc:
            sheets = doc.getSheets()
            name = req.get("sheet")
            if not isinstance(name, str) or not sheets.hasByName(name):
                raise RequestError(f"no sheet {name!r} (sheets: {list(sheets.getElementNames())})")
            sheet = sheets.getByName(name)
            protected = sheet.isProtected()
            if protected:
                sheet.unprotect("")
            sheet.getRows().removeByIndex(row - 1, count)
            if protected:
                sheet.protect("")
            doc.calculateAll()
            doc.storeToURL(
                uno.systemPathToFileUrl(out), _props(FilterName=_FILTERS["xlsx"], Overwrite=True)
            )
            return out

    def op_sheets(self, req: dict[str, Any]) -> Any:
        with self.opened(req.get("path")) as doc:
            sheets = doc.getSheets()
            return [
                {"name": name, "visible": bool(sheets.getByName(name).IsVisible)}
                for name in sheets.getElementNames()
            ]

    def handle(self, req: Any) -> Any:
        if not isinstance(req, dict):
            raise RequestError("a request must be a JSON object")
        op = req.get("op")
        method = getattr(self, f"op_{op}", None) if isinstance(op, str) else None
        if method is None:
            raise RequestError(f"unknown op {op!r}")
        if op != "ping":
            self.connect()
        return method(req)


class _Cells:
    """Resolves 'Sheet!A1' addresses and workbook-level names to cells (cached)."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.sheets = doc.getSheets()
        self.names = doc.NamedRanges
        self.cache: dict[str, Any] = {}

    def cell(self, item: Any) -> Any:
        if not isinstance(item, str) or not item:
            raise RequestError(f"a cell must be 'Sheet!A1' or a defined name, not {item!r}")
        found = self.cache.get(item)
        if found is None:
            found = self._address(item) if "!" in item else self._name(item)
            self.cache[item] = found
        return found

    def _address(self, item: str) -> Any:
        sheet_name, _, ref = item.rpartition("!")
        if len(sheet_name) >= 2 and sheet_name[0] == sheet_name[-1] == "'":
            sheet_name = sheet_name[1:-1].replace("''", "'")
        if not _ADDRESS.match(ref):
            raise RequestError(f"bad cell address in {item!r}: expected a single cell like A1")
        if not self.sheets.hasByName(sheet_name):
            raise RequestError(
                f"no sheet {sheet_name!r} (sheets: {list(self.sheets.getElementNames())})"
            )
        return self.sheets.getByName(sheet_name).getCellRangeByName(ref.replace("$", ""))

    def _name(self, name: str) -> Any:
        if not self.names.hasByName(name):
            raise RequestError(
                f"no workbook-level defined name {name!r} "
                f"(names: {list(self.names.getElementNames())})"
            )
        named = self.names.getByName(name)
        referred = named.getReferredCells()
        if referred is None:
            raise RequestError(
                f"defined name {name!r} is not a cell reference: {named.getContent()!r}"
            )
        return referred.getCellByPosition(0, 0)


def _out_path(req: dict[str, Any]) -> str:
    out = req.get("out")
    if not isinstance(out, str) or not out:
        raise RequestError("'out' must be a non-empty string")
    out = os.path.abspath(out)
    if not os.path.isdir(os.path.dirname(out)):
        raise RequestError(f"folder of 'out' does not exist: {out}")
    return out


def _check_reads(reads: Any, key: str = "read") -> None:
    if not isinstance(reads, list) or not all(isinstance(r, str) for r in reads):
        raise RequestError(f"'{key}' must be a list of strings")


def _write(cell: Any, value: Any, address: str) -> None:
    if value is None:
        cell.clearContents(_CLEAR_FLAGS)
    elif isinstance(value, bool):
        cell.setValue(1.0 if value else 0.0)
    elif isinstance(value, (int, float)):
        cell.setValue(float(value))
    elif isinstance(value, str):
        cell.setString(value)  # never parsed: "=A1" stays the text "=A1"
    else:
        raise RequestError(f"cannot write {value!r} to {address}: number, string or null only")


def _snapshot(cell: Any) -> tuple[Any, Any]:
    kind = cell.getType()
    if kind == _FORMULA_TYPE:
        return ("formula", cell.getFormula())
    if kind == _NUMBER:
        return ("number", cell.getValue())
    if kind == _TEXT:
        return ("text", cell.getString())
    return ("empty", None)


def _restore(cell: Any, snapshot: tuple[Any, Any]) -> None:
    kind, content = snapshot
    if kind == "formula":
        cell.setFormula(content)
    elif kind == "number":
        cell.setValue(content)
    elif kind == "text":
        cell.setString(content)
    else:
        cell.clearContents(_CLEAR_FLAGS)


def _value(cell: Any) -> Any:
    kind = cell.getType()
    if kind == _EMPTY:
        return None
    if kind == _NUMBER:
        return cell.getValue()
    if kind == _TEXT:
        return cell.getString()
    # A formula: its result.
    if cell.getError() != 0:
        return cell.getString()
    if cell.FormulaResultType2 == _RESULT_VALUE:
        return cell.getValue()
    return cell.getString()


def _close(doc: Any) -> None:
    try:
        doc.close(True)
    except Exception:
        with suppress(Exception):
            doc.dispose()


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "Message", None) or str(exc)
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3, 4):
        print("usage: uno_worker.py PORT [CONNECT_TIMEOUT_SECONDS [SCRATCH_DIR]]", file=sys.stderr)
        return 2
    own_scratch = len(argv) < 4
    scratch = tempfile.mkdtemp(prefix="uno-worker-") if own_scratch else argv[3]
    os.makedirs(scratch, exist_ok=True)
    try:
        serve(Worker(int(argv[1]), float(argv[2]) if len(argv) > 2 else 60.0, scratch))
    finally:
        if own_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def serve(worker: Worker) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        req: Any = None
        try:
            req = json.loads(line)
            response = {"ok": True, "result": worker.handle(req)}
        except RequestError as exc:
            response = {"ok": False, "error": str(exc)}
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            response = {"ok": False, "error": _describe(exc)}
            # A broken bridge (soffice gone) must not stay cached.
            if "Disposed" in type(exc).__name__ or "RuntimeException" in type(exc).__name__:
                worker.desktop = None
        if isinstance(req, dict) and "id" in req:
            response["id"] = req["id"]
        try:
            text = json.dumps(response, allow_nan=False, default=str)
        except ValueError as exc:  # NaN/inf cannot be sent as JSON
            text = json.dumps(
                {
                    "ok": False,
                    "error": f"unencodable result: {exc}",
                    **({"id": response["id"]} if "id" in response else {}),
                }
            )
        _OUT.write(text + "\n")
        _OUT.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
