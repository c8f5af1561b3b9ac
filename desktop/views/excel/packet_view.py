"""数据交换: export town packets, import returned ones (preview, apply, error receipt), import legacy sheets,
and the record of every packet that went out or came in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from desktop.services.excel import packet_service
from desktop.services.excel.packet_service import PacketRecord
from desktop.services.towns import town_service
from desktop.views.kit.widgets import button
from desktop.views.kit.columns import ColumnChooser
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.ops import long_write, query
from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import Layout, resort, setup_table, title_label
from desktop.views.kit.worker import show_error

def _period(year, month) -> str:
    if year is None:
        return ""
    return f"{year}年{month}月" if month else f"{year}年度"


def _result(r: PacketRecord) -> str:
    c = r.counts
    if r.direction == "export":
        return f"{c.get('rows', 0)} 条"
    parts = [f"新增 {c.get('created', 0)}", f"修改 {c.get('updated', 0)}", f"未变 {c.get('unchanged', 0)}"]
    if c.get("conflicts"):
        parts.append(f"冲突 {c['conflicts']}")
    if c.get("rejected"):
        parts.append(f"拒绝 {c['rejected']}")
    return "，".join(parts)


class HistoryModel(RowsModel):
    COLUMNS = [("at", "时间"), ("direction", "方向"), ("town", "镇街"), ("period", "期间"), ("file_name", "文件"),
               ("user", "经办人"), ("result", "结果")]

    def value(self, r: PacketRecord, key: str):
        if key == "period":
            return (r.year or 0, r.month or 0)
        return getattr(r, key)

    def display(self, r: PacketRecord, key: str) -> str:
        if key == "at":
            return r.at.strftime("%Y-%m-%d %H:%M")
        if key == "direction":
            text = {"export": "导出", "import": "导入"}.get(r.direction, r.direction)
            return f"{text}（{r.kind_label}）" if r.kind_label else text
        if key == "period":
            return _period(r.year, r.month)
        if key == "result":
            return _result(r)
        return super().display(r, key)

    def tooltip(self, r: PacketRecord, key: str) -> str:
        return self.display(r, key)


class PacketPage(LazyRefresh, QWidget):
    relevant_tables = frozenset({"packet_import", "town", "column_mapping"})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.last_preview_dialog = None
        self.last_legacy_dialog = None
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.addWidget(title_label("数据交换"))
        out = QGroupBox("导出镇街数据包（镇街填写后交回）")
        ol = QHBoxLayout(out)
        self.town_box = QComboBox()
        self.town_box.setMinimumWidth(140)
        self.month_box = QComboBox()
        self.month_box.addItem("年度数据包", None)
        for m in range(1, 13):
            self.month_box.addItem(f"{m}月报送", m)
        self.export_btn = button("导出…", self.choose_export, enabled=False, tip="尚无镇街")
        ol.addWidget(QLabel("镇街："))
        ol.addWidget(self.town_box)
        ol.addWidget(QLabel("期间："))
        ol.addWidget(self.month_box)
        ol.addWidget(self.export_btn)
        ol.addStretch(1)
        lay.addWidget(out)

        inn = QGroupBox("导入")
        il = QHBoxLayout(inn)
        self.import_btn = button("导入数据包…", self.choose_import, tip="选择镇街交回的数据包（可多选），逐个预览后写入")
        self.legacy_btn = button("导入外部表格…", self.open_legacy,
                                 tip="工信、税务或镇街台账等外部表格：自动识别表头，按列对应导入治理对象或任务分解表")
        il.addWidget(self.import_btn)
        il.addWidget(self.legacy_btn)
        il.addStretch(1)
        lay.addWidget(inn)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)
        lay.addWidget(QLabel("数据包记录"))
        self.model = HistoryModel(self)
        self.view = setup_table(QTableView())
        self.view.setObjectName("packet_history")
        self.view.setModel(self.model)
        for i, w in enumerate((130, 150, 90, 90, 260, 80)):
            self.view.setColumnWidth(i, w)
        lay.addWidget(self.view, 1)
        self.columns = ColumnChooser(self.view)
        self.layout_state = Layout(self.ctx.settings, "packets", {"history_header": self.view.horizontalHeader()})

    def save_layout(self) -> None:
        self.layout_state.save()

    def _dir(self) -> str:
        return str(self.ctx.settings.value("packets/dir", str(Path.home())))

    def _remember_dir(self, path: Path) -> None:
        self.ctx.settings.setValue("packets/dir", str(path if path.is_dir() else path.parent))

    # Data -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = False
        query(self, "history", _page_data, done=self._loaded)

    def _loaded(self, result) -> None:
        towns, history = result
        # Keep the clerk's choice; on the first load, the first town (not 全部镇街).
        current = self.town_box.currentData() if self.town_box.count() else (towns[0].id if towns else None)
        self.town_box.blockSignals(True)
        self.town_box.clear()
        self.town_box.addItem("全部镇街", None)
        for t in towns:
            self.town_box.addItem(t.name, t.id)
        index = self.town_box.findData(current)
        self.town_box.setCurrentIndex(max(index, 0))
        self.town_box.blockSignals(False)
        self.export_btn.setEnabled(bool(towns))
        self.export_btn.setToolTip("导出所选镇街的数据包（.xlsx）；选“全部镇街”时导出到一个文件夹，每个镇街一个文件"
                                   if towns else "尚无镇街：请先在“镇街与任务分解”中添加")
        self.model.set_rows(history)
        resort(self.view)

    # Export -----------------------------------------------------------------------------------

    def choose_export(self) -> None:
        year, month, town_id = self.ctx.year, self.month_box.currentData(), self.town_box.currentData()
        if town_id is None:
            folder = QFileDialog.getExistingDirectory(self, "导出全部镇街数据包到文件夹", self._dir())
            if folder:
                self.export_all(Path(folder))
            return
        path = ask_save_xlsx(self, self.ctx.settings, "packets/dir", "导出镇街数据包",
                             packet_service.default_filename(self.town_box.currentText(), year, month))
        if path is not None:
            self.export_one(town_id, path)

    def export_one(self, town_id: int, path: Path) -> None:
        self._remember_dir(path)
        long_write(self, "正在导出数据包…", _export_one, town_id, self.ctx.year, self.month_box.currentData(), path,
                   done=lambda r: self.status.setText(f"已导出 {r.town} 的数据包（{r.rows} 条清单条目）：{r.path}"))

    def export_all(self, folder: Path) -> None:
        self._remember_dir(folder)
        long_write(self, "正在导出全部镇街数据包…", _export_all, self.ctx.year, self.month_box.currentData(), folder,
                   done=lambda results: self.status.setText(f"已导出 {len(results)} 个镇街的数据包到：{folder}"))

    # Import -----------------------------------------------------------------------------------

    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "导入数据包", self._dir(),
                                                "Excel 工作簿 (*.xlsx);;所有文件 (*)")
        if paths:
            self._remember_dir(Path(paths[0]))
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path]) -> None:
        """Preview each file in turn; the next one is read when the clerk closes this one's preview."""
        if not paths:
            return
        path, rest = paths[0], paths[1:]

        def failed(exc):
            show_error(self, exc)
            self.import_files(rest)

        long_write(self, f"正在读取 {path.name}…", _read_packet, path,
                   done=lambda preview: self.show_preview(preview, then=lambda: self.import_files(rest)),
                   failed=failed)

    def show_preview(self, preview, then=None) -> None:
        """The preview as a window-modal dialog (no nested event loop); `then` runs when it closes."""
        from desktop.views.excel.packet_preview import PacketPreviewDialog

        dialog = PacketPreviewDialog(self.ctx, preview, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_preview_dialog = dialog

        def closed(_result) -> None:
            if dialog.outcome is not None:
                s = dialog.outcome.summary
                self.status.setText(f"已导入 {preview.file_name}：新增 {s.created}，修改 {s.updated}，"
                                    f"未变 {s.unchanged}，冲突 {s.conflicts}（未导入），错误 {s.rejected}（未导入）。")
            else:
                self.status.setText(f"未导入 {preview.file_name}。")
            self.last_preview_dialog = None
            if then is not None:
                then()

        dialog.finished.connect(closed)
        dialog.open()

    def open_legacy(self) -> None:
        from desktop.views.excel.legacy_dialog import LegacyImportDialog

        dialog = LegacyImportDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_legacy_dialog = dialog

        def closed(_result) -> None:
            outcome = dialog.outcome
            if outcome is not None and outcome.applied:
                s = outcome.summary
                self.status.setText(f"已导入外部表格：新建 {s.created}，更新 {s.updated}，未变 {s.unchanged}，"
                                    f"跳过 {s.rejected}。")
            self.last_legacy_dialog = None

        dialog.finished.connect(closed)
        dialog.open()


# Lane jobs: module-level, plain arguments only -------------------------------------------------

def _page_data(ledger):
    return town_service.list_towns(ledger, include_inactive=False), packet_service.history(ledger)


def _export_one(ledger, town_id: int, year: int, month: int | None, path: Path, *, progress, token):
    return packet_service.export_packet(ledger, town_id, year, month, path, progress=progress, cancel=token)


def _export_all(ledger, year: int, month: int | None, folder: Path, *, progress, token):
    return packet_service.export_all(ledger, year, month, folder, progress=progress, cancel=token)


def _read_packet(ledger, path: Path, *, progress, token):
    return packet_service.read_packet(ledger, path, progress=progress, cancel=token)
