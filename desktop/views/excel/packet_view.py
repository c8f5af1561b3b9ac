"""数据交换: export town packets, import returned ones (preview, apply, error receipt), import legacy sheets,
and the record of every packet that went out or came in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.excel import packet_service
from desktop.services.towns import town_service
from desktop.services.excel.packet_service import PacketRecord
from desktop.views.kit.context import AppContext
from desktop.views.kit.file_choice import ask_save_xlsx
from desktop.views.kit.list_model import ListTableModel
from desktop.views.kit.page_state import LazyRefresh, restore_states, save_states
from desktop.views.kit.worker import run_with_progress, show_error

HISTORY_COLUMNS = ["时间", "方向", "镇街", "期间", "文件", "经办人", "结果"]


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


class HistoryModel(ListTableModel):
    columns = HISTORY_COLUMNS

    def cell(self, r: PacketRecord, col: int, role):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        direction = {"export": "导出", "import": "导入"}.get(r.direction, r.direction)
        if r.kind_label:
            direction += f"（{r.kind_label}）"
        return [r.at.strftime("%Y-%m-%d %H:%M"), direction, r.town, _period(r.year, r.month), r.file_name, r.user,
                _result(r)][col]


class PacketPage(LazyRefresh, QWidget):
    relevant_tables = frozenset({"*", "packet_import", "town", "column_mapping"})

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.last_preview_dialog = None
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    # Layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        title = QLabel("数据交换")
        title.setStyleSheet("font-size:18px;font-weight:bold")
        lay.addWidget(title)
        out = QGroupBox("导出镇街数据包（镇街填写后交回）")
        ol = QHBoxLayout(out)
        self.town_box = QComboBox()
        self.town_box.setMinimumWidth(140)
        self.month_box = QComboBox()
        self.month_box.addItem("年度数据包", None)
        for m in range(1, 13):
            self.month_box.addItem(f"{m}月报送", m)
        self.export_btn = QPushButton("导出…")
        self.export_btn.setToolTip("导出所选镇街的数据包（.xlsx）；选“全部镇街”时导出到一个文件夹，每个镇街一个文件")
        self.export_btn.clicked.connect(self.choose_export)
        ol.addWidget(QLabel("镇街："))
        ol.addWidget(self.town_box)
        ol.addWidget(QLabel("期间："))
        ol.addWidget(self.month_box)
        ol.addWidget(self.export_btn)
        ol.addStretch(1)
        lay.addWidget(out)

        inn = QGroupBox("导入")
        il = QHBoxLayout(inn)
        self.import_btn = QPushButton("导入数据包…")
        self.import_btn.setToolTip("选择镇街交回的数据包（可多选），逐个预览后写入")
        self.import_btn.clicked.connect(self.choose_import)
        self.legacy_btn = QPushButton("导入外部表格…")
        self.legacy_btn.setToolTip("工信、税务或镇街台账等外部表格：自动识别表头，按列对应导入治理对象或任务分解表")
        self.legacy_btn.clicked.connect(self.open_legacy)
        il.addWidget(self.import_btn)
        il.addWidget(self.legacy_btn)
        il.addStretch(1)
        lay.addWidget(inn)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)
        lay.addWidget(QLabel("数据包记录"))
        self.model = HistoryModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        for i, w in enumerate((130, 150, 90, 90, 280, 80)):
            self.view.setColumnWidth(i, w)
        self.view.horizontalHeader().setSectionResizeMode(len(HISTORY_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.view, 1)
        restore_states(self.ctx.settings, {"packets/history_header": self.view.horizontalHeader()})

    def save_layout(self) -> None:
        save_states(self.ctx.settings, {"packets/history_header": self.view.horizontalHeader()})

    def _dir(self) -> str:
        return str(self.ctx.settings.value("packets/dir", str(Path.home())))

    def _remember_dir(self, path: Path) -> None:
        self.ctx.settings.setValue("packets/dir", str(path if path.is_dir() else path.parent))

    # Data -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = False
        db = self.ctx.db

        def load():
            return town_service.list_towns(db, include_inactive=False), packet_service.history(db)

        self.ctx.worker.run(load, self._loaded, lambda e: show_error(self, e))

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
        self.model.set_rows(history)

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
        db, year, month = self.ctx.db, self.ctx.year, self.month_box.currentData()

        def done(result):
            self.status.setText(f"已导出 {result.town} 的数据包（{result.rows} 条清单条目）：{result.path}")
            self.ctx.changed("packet_import")

        run_with_progress(self, self.ctx.worker, "正在导出数据包…",
                          lambda progress, token: packet_service.export_packet(db, town_id, year, month, path,
                                                                               progress=progress, cancel=token),
                          done, lambda e: show_error(self, e))

    def export_all(self, folder: Path) -> None:
        self._remember_dir(folder)
        db, year, month = self.ctx.db, self.ctx.year, self.month_box.currentData()

        def done(results):
            self.status.setText(f"已导出 {len(results)} 个镇街的数据包到：{folder}")
            self.ctx.changed("packet_import")

        run_with_progress(self, self.ctx.worker, "正在导出全部镇街数据包…",
                          lambda progress, token: packet_service.export_all(db, year, month, folder,
                                                                            progress=progress, cancel=token),
                          done, lambda e: show_error(self, e))

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
        db = self.ctx.db

        def done(preview):
            self.show_preview(preview, then=lambda: self.import_files(rest))

        def failed(exc):
            show_error(self, exc)
            self.import_files(rest)

        run_with_progress(self, self.ctx.worker, f"正在读取 {path.name}…",
                          lambda progress, token: packet_service.read_packet(db, path, progress=progress,
                                                                             cancel=token),
                          done, failed)

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
