"""Cell reading once the pre-flight has passed: python-calamine (fast) for what it can parse safely, openpyxl
read-only for the sheets it must not see; both give rows in the same conventions (see xlsx_reader)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from pathlib import Path

from desktop.services.errors import UserError
from desktop.services.excel import workbook_limits as limits
from desktop.services.excel.excel_common import check_cancel
from desktop.services.excel.workbook_types import BadWorkbook, Preflight, Scan, Sheet, cache_key, corrupt, forget
from desktop.services.excel.xls_preflight import wrap_cfb, xls_stream


def calamine_open(path: str, fmt: str, file_name: str):
    import python_calamine

    def load():
        if Path(path).suffix.lower() == "." + fmt:
            return python_calamine.CalamineWorkbook.from_path(path)
        with open(path, "rb") as fh:
            return python_calamine.CalamineWorkbook.from_filelike(fh)

    return _calamine_call(load, file_name)


def _calamine_from_bytes(data: bytes, file_name: str):
    import python_calamine

    return _calamine_call(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)), file_name)


def _calamine_call(load, file_name: str):
    """Open with python-calamine; its errors (and Rust panics, raised as BaseException) become BadWorkbook."""
    import python_calamine

    try:
        return load()
    except python_calamine.PasswordError:
        raise BadWorkbook(
            f"文件“{file_name}”设有打开密码，无法读取：请在 Excel 或 WPS 中用密码打开，取消打开密码后另存为 .xlsx，再导入。",
            file_name=file_name,
        ) from None
    except BaseException as exc:  # noqa: BLE001 - calamine raises its own errors and pyo3 PanicException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise corrupt(file_name, _calamine_detail(exc)) from None


def _calamine_detail(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"解析出错：{text[:120]}"


def calamine_sheets(book) -> list[Sheet]:
    states = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}
    kinds = {"WorkSheet": "worksheet", "ChartSheet": "chartsheet", "MacroSheet": "macrosheet",
             "DialogSheet": "dialogsheet"}
    return [Sheet(m.name, states.get(str(m.visible).rsplit(".", 1)[-1], "hidden"),
                   kinds.get(str(m.typ).rsplit(".", 1)[-1], "worksheet")) for m in book.sheets_metadata]


def _check_unchanged(pre: Preflight) -> None:
    """The parser must read the file the pre-flight checked: refuse one changed in between."""
    try:
        same = cache_key(Path(pre.path)) == pre.key
    except OSError:
        same = False
    if not same:
        forget(pre.key)
        raise BadWorkbook(f"文件“{pre.file_name}”在读取过程中被修改或移走了：请关闭正在编辑它的程序后重试。",
                          file_name=pre.file_name)


def open_calamine(pre: Preflight):
    _check_unchanged(pre)
    if pre.format == "xls":
        # calamine parses exactly the Workbook stream the guard walked, re-wrapped in a clean container
        stream = xls_stream(pre)
        return _calamine_from_bytes(wrap_cfb(stream), pre.file_name)
    return calamine_open(pre.path, pre.format, pre.file_name)


def read_calamine(pre: Preflight, book, index: int, sheet: Sheet, scan: Scan, progress, cancel,
                   span: tuple[int, int]) -> list[tuple[int, tuple]]:
    name = pre.file_name
    try:
        if pre.format == "xlsx":
            cs = book.get_sheet_by_name(sheet.name)
        else:
            cs = book.get_sheet_by_index(index)
        start = cs.start
        end = cs.end
        height = cs.height
    except BaseException as exc:  # noqa: BLE001 - see calamine_open
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise BadWorkbook(
            f"文件“{name}”的工作表“{sheet.name}”无法读取（{_calamine_detail(exc)}）：文件可能已损坏，"
            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。", file_name=name, sheet=sheet.name) from None
    out: list[tuple[int, tuple]] = []
    if start is not None:
        c0 = start[1]
        pad = (None,) * c0
        total = max(end[0] + 1, 1)
        lo, hi = span
        i = -1
        append = out.append
        try:
            for i, raw in enumerate(cs.iter_rows()):
                if not i & 1023:
                    check_cancel(cancel)
                    if progress:
                        progress(lo + (hi - lo) * i // total, 100)
                if "" in raw:
                    raw = [None if v == "" else v for v in raw]
                    while raw and raw[-1] is None:
                        raw.pop()
                    if not raw:
                        continue
                append((i, pad + tuple(raw) if c0 else tuple(raw)))
        except BaseException as exc:  # noqa: BLE001 - see calamine_open
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, UserError)):
                raise
            raise corrupt(name, _calamine_detail(exc)) from None
        # python-calamine yields the leading empty rows but not the leading empty columns; check, do not assume
        offset = 1 if i + 1 == end[0] + 1 else start[0] + 1 if i + 1 == height else 1
        out = [(n + offset, values) for n, values in out]
    return _finish_rows(out, scan)


def _finish_rows(out: list[tuple[int, tuple]], scan: Scan) -> list[tuple[int, tuple]]:
    """Apply the pre-scan's error and no-result cells (rows are tuples, 1-based numbers, ascending)."""
    if not scan.overlay:
        return out
    by_row = dict(out)
    for row_no, cells in scan.overlay.items():
        values = list(by_row.get(row_no, ()))
        for col0, value in cells.items():
            if len(values) <= col0:
                values.extend([None] * (col0 + 1 - len(values)))
            values[col0] = value
        by_row[row_no] = tuple(values)
    return sorted(by_row.items())


# ------------------------------------------------------------------ openpyxl fallback


def read_openpyxl(pre: Preflight, sheet: Sheet, scan: Scan, progress, cancel,
                   span: tuple[int, int]) -> list[tuple[int, tuple]]:
    """Read-only openpyxl for sheets calamine must not see: slow, but sparse rows and shared strings are safe."""
    import openpyxl

    _check_unchanged(pre)

    name = pre.file_name
    out: list[tuple[int, tuple]] = []
    materialised = 0
    lo, hi = span
    total = max(scan.max_row, 1)
    try:
        with open(pre.path, "rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know; the values are what count
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                ws = wb[sheet.name]
                ws.reset_dimensions()
                for row_no, raw in enumerate(ws.iter_rows(values_only=True), start=1):
                    if not row_no & 1023:
                        check_cancel(cancel)
                        if progress:
                            progress(min(hi, lo + (hi - lo) * row_no // total), 100)
                    if not raw:
                        continue
                    materialised += len(raw)
                    if materialised > limits.FALLBACK_CELL_LIMIT:
                        raise BadWorkbook(
                            f"文件“{name}”的工作表“{sheet.name}”数据量过大（超过 {limits.FALLBACK_CELL_LIMIT:,} 个单元格），"
                            "无法读取：请删除多余内容或拆分后再导入。", file_name=name, sheet=sheet.name)
                    values = [_from_openpyxl(v) for v in raw]
                    while values and values[-1] is None:
                        values.pop()
                    if values:
                        out.append((row_no, tuple(values)))
            finally:
                wb.close()
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a damaged file for the clerk
        raise BadWorkbook(
            f"文件“{name}”的工作表“{sheet.name}”无法读取（{type(exc).__name__}）：文件可能已损坏，"
            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。", file_name=name, sheet=sheet.name) from None
    return _finish_rows(out, scan)


def _from_openpyxl(value):
    """openpyxl → the calamine conventions: "" is blank, a date cell without time is a date."""
    if value == "":
        return None
    if type(value) is dt.datetime and not (value.hour or value.minute or value.second or value.microsecond):
        return value.date()
    return value
