"""导入外部表格: choose file and sheet, check the proposed column mapping, preview, then import.

The header is found under title rows and two-row merged headers are joined by the service; here the
clerk sees which column feeds which field, may change it, save it by name, and sees what each row
would do (新建 / 更新 / 未变 / 有错误 / 表内重复) before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.excel import legacy_import, xlsx_reader
from desktop.services.towns import town_service
from desktop.services.excel.legacy_import import ACTION_LABELS, FieldSource, LegacyPreview, LegacyTable, Mapping
from desktop.views.kit.widgets import button
from desktop.views.kit.ops import long_write, query, write
from desktop.views.kit.row_filter import CHANGED, RowsFilter, shown_by
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import setup_table, shortcut
from desktop.views.kit.worker import show_error

ACTION_COLORS = {"create": "#E2F0D9", "update": "#DDEBF7", "invalid": "#FFC7CE", "duplicate": "#FCE4D6"}
PREVIEW_COLUMNS = ["行", "结果", "名称", "修改内容（原值 → 新值）/ 问题"]
AUTO = "__auto"
UNITS = [("按表头", None), ("亩", "亩"), ("平方米", "m²")]


def _row_detail(r) -> str:
    if r.problems:
        return "；".join(f"{p.column or ''}列：{p.message}" if p.column else p.message for p in r.problems)
    if r.action == "update":
        return "；".join(f"{label}：{old or '空'} → {new or '空'}" for label, old, new in r.changes)
    return ""


class LegacyPreviewModel(RowsModel):
    COLUMNS = [("excel_row", "行"), ("action", "结果"), ("label", "名称"), ("detail", "修改内容（原值 → 新值）/ 问题")]
    NUMERIC = {"excel_row"}

    def value(self, r, key: str):
        return _row_detail(r) if key == "detail" else getattr(r, key)

    def display(self, r, key: str) -> str:
        return ACTION_LABELS.get(r.action, r.action) if key == "action" else super().display(r, key)

    def background(self, r, key: str) -> QColor | None:
        return QColor(ACTION_COLORS[r.action]) if key == "action" and r.action in ACTION_COLORS else None

    def tooltip(self, r, key: str) -> str:
        return self.display(r, key)


class LegacyImportDialog(QDialog):
    def __init__(self, ctx, parent=None, *, path: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path: Path | None = None
        self.table: LegacyTable | None = None
        self.preview: LegacyPreview | None = None
        self.outcome = None
        self.field_boxes: dict[str, tuple[QComboBox, QComboBox | None]] = {}
        self.setWindowTitle("导入外部表格")
        self.resize(1180, 720)
        self._build()
        if path is not None:
            self.open_file(Path(path))

    # Layout ---------------------------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.file_label = QLabel("请选择工信、税务或镇街台账等外部表格（.xlsx，也可读 .xls / .ods）")
        choose = button("选择文件…", self.choose_file)
        self.kind_box = QComboBox()
        for key, label in legacy_import.KIND_LABELS.items():
            self.kind_box.addItem(f"导入{label}", key)
        self.sheet_box = QComboBox()
        self.sheet_box.setMinimumWidth(140)
        self.mapping_box = QComboBox()
        self.mapping_box.setMinimumWidth(160)
        top.addWidget(choose)
        top.addWidget(self.file_label, 1)
        top.addWidget(QLabel("内容："))
        top.addWidget(self.kind_box)
        top.addWidget(QLabel("工作表："))
        top.addWidget(self.sheet_box)
        top.addWidget(QLabel("列对应方案："))
        top.addWidget(self.mapping_box)
        lay.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QGroupBox("列对应（自动识别，可修改）")
        ll = QVBoxLayout(left)
        self.header_info = QLabel("")
        self.header_info.setWordWrap(True)
        self.header_info.setStyleSheet("color:#555")
        ll.addWidget(self.header_info)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        ll.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.preview_btn = button("按此对应预览", self.run_preview)
        self.save_btn = button("保存方案…", self.save_mapping, tip="按名称保存这套列对应，下次导入同样表头的表格时直接选用")
        row.addWidget(self.preview_btn)
        row.addWidget(self.save_btn)
        ll.addLayout(row)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.summary)
        bar = QHBoxLayout()
        self.action_box = QComboBox()
        self.action_box.addItem("全部（未变的除外）", CHANGED)
        self.action_box.addItem("全部", None)
        for key, label in ACTION_LABELS.items():
            self.action_box.addItem(label, key)
        self.search = QLineEdit()
        self.search.setPlaceholderText("查找名称或问题（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.action_box)
        bar.addWidget(self.search, 1)
        rl.addLayout(bar)
        self.model = LegacyPreviewModel(self)
        self.proxy = RowsFilter(self.model, self)
        self.view = setup_table(QTableView())
        self.view.setModel(self.proxy)
        self.proxy.sort(-1)  # the sheet's own order until the clerk sorts
        self.view.setWordWrap(False)
        for i, w in enumerate((50, 70, 220)):
            self.view.setColumnWidth(i, w)
        rl.addWidget(self.view, 1)
        split.addWidget(right)
        split.setSizes([540, 640])
        lay.addWidget(split, 1)

        bottom = QHBoxLayout()
        self.skip_box = QCheckBox("跳过有错误或重复的行，只导入有效行")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.import_btn = button("导入", self.run_import, enabled=False, default=True)
        close = button("关闭", self.reject)
        bottom.addWidget(self.skip_box)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.import_btn)
        bottom.addWidget(close)
        lay.addLayout(bottom)

        for box in (self.kind_box, self.sheet_box, self.mapping_box):  # another sheet or mapping: read again
            box.currentIndexChanged.connect(self._reload)
        self.skip_box.toggled.connect(self._update_import_button)
        self.action_box.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        shortcut(self, QKeySequence.StandardKey.Find, self.search.setFocus)
        self._filter()
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        ready = self.table is not None and not busy
        for w in (self.preview_btn, self.save_btn):
            w.setEnabled(ready)
        self._update_import_button()

    def _filter(self) -> None:
        self.proxy.set(keep=shown_by("action", self.action_box.currentData()), text=self.search.text())

    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    # File, sheet and mapping ------------------------------------------------------------------------

    def choose_file(self) -> None:
        folder = str(self.ctx.settings.value("legacy/dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "选择外部表格", folder,
                                              "表格文件 (*.xlsx *.xlsm *.xls *.ods);;所有文件 (*)")
        if path:
            self.ctx.settings.setValue("legacy/dir", str(Path(path).parent))
            self.open_file(Path(path))

    def open_file(self, path: Path) -> None:
        query(self, "file", _inspect, path, done=lambda result: self._opened(path, *result))

    def _opened(self, path: Path, info, names: list[str]) -> None:
        self.path = path
        self.file_label.setText(f"{info.file_name}（{info.format}）")
        for box, items in ((self.sheet_box, [(n, n) for n in info.visible_sheet_names]),
                           (self.mapping_box, [("自动识别", AUTO)] + [(n, n) for n in names])):
            box.blockSignals(True)
            box.clear()
            for text, data in items:
                box.addItem(text, data)
            box.blockSignals(False)
        self._reload()

    def _reload(self) -> None:
        """Read the chosen sheet and map its columns (saved mapping or a proposal), then preview."""
        if self.path is None or self.sheet_box.currentData() is None:
            return
        name = self.mapping_box.currentData()
        self.table = self.preview = None
        self.model.set_rows([])
        self._set_busy(True)

        def done(result):
            table, mapping, warnings, towns = result
            self.table = table
            self._show_mapping(table, mapping, towns)
            if warnings:
                self.status.setText("；".join(warnings))
            self._set_busy(False)
            self.run_preview()

        def failed(exc):
            self._set_busy(False)
            show_error(self, exc)

        long_write(self, "正在读取表格…", _read_sheet, self.path, self.kind, self.sheet_box.currentData(),
                   None if name in (None, AUTO) else name, done=done, failed=failed)

    def _show_mapping(self, table: LegacyTable, mapping: Mapping, towns: list[str]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.field_boxes.clear()
        rows = "、".join(str(r) for r in table.header_rows) if table.found_header else "未找到"
        skipped = "，".join(f"{legacy_import.SKIPPED_LABELS.get(k, k)} {v} 行" for k, v in table.skipped.items() if v)
        titles = " ".join(table.title_lines)[:80]
        self.header_info.setText(f"表头在第 {rows} 行；数据 {len(table.data)} 行" + (f"；已跳过 {skipped}" if skipped else "")
                                 + (f"。标题：{titles}" if titles else ""))
        self.grid.addWidget(QLabel("<b>字段</b>"), 0, 0)
        self.grid.addWidget(QLabel("<b>来自表格的列</b>"), 0, 1)
        self.grid.addWidget(QLabel("<b>单位</b>"), 0, 2)
        for i, spec in enumerate(legacy_import.field_specs(self.kind), start=1):
            box = QComboBox()
            box.addItem("（不导入）", None)
            for col in table.columns:
                sample = "、".join(col.samples[:2])
                box.addItem(f"{col.letter}列 {col.header}" + (f"（如：{sample}）" if sample else ""), col.index)
            src = mapping.fields.get(spec.key)
            if src is not None and src.column is not None:
                box.setCurrentIndex(box.findData(src.column))
            box.setMinimumWidth(200)
            unit_box = None
            required = spec.key in legacy_import.REQUIRED.get(self.kind, ())
            self.grid.addWidget(QLabel(spec.label + ("*" if required else "")), i, 0)
            self.grid.addWidget(box, i, 1)
            if spec.unit is not None:
                unit_box = QComboBox()
                for text, data in UNITS:
                    unit_box.addItem(text, data)
                if src is not None and src.unit:
                    unit_box.setCurrentIndex(unit_box.findData(src.unit))
                self.grid.addWidget(unit_box, i, 2)
            if spec.key == "town" and self.kind == "enterprises":
                default = QComboBox()
                default.addItem("（按列）", None)
                for t in towns:
                    default.addItem(f"全部为{t}", t)
                if mapping.defaults.get("town"):
                    default.setCurrentIndex(default.findData(mapping.defaults["town"]))
                default.setToolTip("表格没有镇街列时（如某镇自己的台账），指定全部行的所属镇街")
                self.grid.addWidget(default, i, 2)
                self.town_default = default
            self.field_boxes[spec.key] = (box, unit_box)
        self.grid.setRowStretch(len(self.field_boxes) + 1, 1)

    def current_mapping(self) -> Mapping:
        mapping = Mapping(self.kind)
        assert self.table is not None
        for key, (box, unit_box) in self.field_boxes.items():
            index = box.currentData()
            if index is None:
                continue
            col = self.table.columns[index]
            mapping.fields[key] = FieldSource(col.key, col.index, unit_box.currentData() if unit_box else None)
        town_default = getattr(self, "town_default", None)
        if self.kind == "enterprises" and town_default is not None and town_default.currentData():
            mapping.defaults["town"] = town_default.currentData()
        return mapping

    def save_mapping(self) -> None:
        if self.table is None:
            return
        current = self.mapping_box.currentData()
        name, ok = QInputDialog.getText(self, "保存列对应方案", "方案名称（同名将被替换）：",
                                        text="" if current in (None, AUTO) else current)
        if ok and name.strip():
            self.save_mapping_as(name.strip())

    def save_mapping_as(self, name: str) -> None:
        write(self, legacy_import.save_mapping, name, self.kind, self.current_mapping(),
              done=lambda _r: self._mapping_saved(name))

    def _mapping_saved(self, name: str) -> None:
        self.mapping_box.blockSignals(True)
        if self.mapping_box.findData(name) < 0:
            self.mapping_box.addItem(name, name)
        self.mapping_box.setCurrentIndex(self.mapping_box.findData(name))
        self.mapping_box.blockSignals(False)
        self.status.setText(f"已保存列对应方案“{name}”")

    # Preview and import ----------------------------------------------------------------------------

    def run_preview(self) -> None:
        if self.table is None:
            return
        name = self.mapping_box.currentData()
        self._set_busy(True)

        def done(preview):
            self.preview = preview
            self.model.set_rows(preview.rows)
            self._show_summary(preview)
            self._set_busy(False)

        def failed(exc):
            self._set_busy(False)
            show_error(self, exc)

        long_write(self, "正在校验和比对…", _preview, self.table, self.kind, self.ctx.year, self.current_mapping(),
                   None if name in (None, AUTO) else name, done=done, failed=failed)

    def _show_summary(self, p: LegacyPreview) -> None:
        parts = [f"读取 {len(p.rows)} 行：新建 <b>{p.count('create')}</b>，更新 <b>{p.count('update')}</b>，"
                 f"未变 {p.count('unchanged')}，有错误 <b style='color:#C00000'>{p.count('invalid')}</b>，"
                 f"表内重复 <b style='color:#C55A11'>{p.count('duplicate')}</b>"]
        if p.new_towns:
            parts.append("将新建镇街：" + "、".join(p.new_towns))
        if p.refusal:
            parts.append(f"<span style='color:#C00000'>{p.refusal}</span>")
        for w in p.warnings:
            parts.append(f"<span style='color:#7F6000'>{w}</span>")
        self.summary.setText("<br>".join(parts))

    def _update_import_button(self) -> None:
        p = self.preview
        ok = p is not None and not p.refusal and (p.count("create") + p.count("update")) > 0
        if ok and p.rejected and not self.skip_box.isChecked():
            ok = False
            self.import_btn.setToolTip("有无效或重复的行：修正表格后重新预览，或勾选“只导入有效行”")
        else:
            self.import_btn.setToolTip("")
        self.import_btn.setEnabled(bool(ok))

    def run_import(self) -> None:
        p = self.preview
        if p is None:
            return
        self.import_btn.setEnabled(False)

        def done(outcome):
            self.outcome = outcome
            if outcome.refused:
                self.status.setText(f"未写入任何内容：{outcome.refused}")
                self._update_import_button()
                return
            s = outcome.summary
            self.status.setText(f"已导入：新建 {s.created}，更新 {s.updated}，未变 {s.unchanged}，"
                                f"跳过 {s.rejected}；面积 {s.area_mu} 亩。")
            self.preview = None
            self._update_import_button()

        def failed(exc):
            self._update_import_button()
            show_error(self, exc)

        long_write(self, "正在导入…", _apply, p, self.skip_box.isChecked(), done=done, failed=failed)


# Lane jobs: module-level, plain arguments only -------------------------------------------------

def _inspect(ledger, path: Path):
    return xlsx_reader.inspect(path), legacy_import.list_mappings(ledger)


def _read_sheet(ledger, path: Path, kind: str, sheet: str, mapping_name: str | None, *, progress, token):
    """Read the sheet and map its columns: by the saved mapping of that name, else a proposal."""
    saved = legacy_import.load_mapping(ledger, mapping_name) if mapping_name else None
    extra = {src.header: f for f, src in saved.fields.items()} if saved else ()
    table = legacy_import.read_table(path, kind=kind, sheet=sheet, extra_headers=extra, progress=progress, cancel=token)
    if saved is not None:
        mapping, warnings = legacy_import.resolve_mapping(saved, table)
    else:
        mapping, warnings = legacy_import.propose_mapping(table, kind), []
    towns = [t.name for t in town_service.list_towns(ledger, include_inactive=False)]
    return table, mapping, warnings, towns


def _preview(ledger, table: LegacyTable, kind: str, year: int, mapping: Mapping, mapping_name: str | None, *,
             progress, token) -> LegacyPreview:
    return legacy_import.preview_table(ledger, table, kind=kind, year=year, mapping=mapping, mapping_name=mapping_name,
                                       progress=progress, cancel=token)


def _apply(ledger, preview: LegacyPreview, skip_invalid: bool, *, progress, token):
    return legacy_import.apply(ledger, preview, skip_invalid=skip_invalid, progress=progress, cancel=token)
