"""The register's detail pane: the selected 治理对象's fields, its list entries and its change history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QLabel, QScrollArea, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from desktop.models.enums import TargetKind
from desktop.services import units
from desktop.services.register.target_service import TargetDetail
from desktop.views.kit.rows import RowsModel
from desktop.views.kit.table import setup_table
from desktop.views.kit.widgets import splitter
from desktop.views.register.register_table_model import long_text_tip


class EntriesModel(RowsModel):
    """The target's list entries, newest year first."""

    COLUMNS = [("year", "年度"), ("town", "镇街"), ("method", "治理方式"), ("planned_area_mu", "计划面积（亩）"),
               ("state", "状态"), ("verified_area_mu", "核实面积（亩）")]
    NUMERIC = frozenset({"planned_area_mu", "verified_area_mu"})

    def display(self, row, key: str) -> str:
        return str(row.year) if key == "year" else super().display(row, key)


class HistoryModel(RowsModel):
    """The target's audit records, newest first: time, user, action and what changed."""

    COLUMNS = [("at", "时间"), ("user", "用户"), ("action", "操作"), ("summary", "变更内容")]

    def value(self, row, key: str):
        return row.summary() if key == "summary" else getattr(row, key)

    def display(self, row, key: str) -> str:
        return row.at.strftime("%Y-%m-%d %H:%M") if key == "at" else super().display(row, key)

    def tooltip(self, row, key: str) -> str | None:
        return long_text_tip(self.display(row, key))


def _small_table(model: RowsModel, widths: list[int]) -> QTableView:
    view = setup_table(QTableView())
    view.setModel(model)
    view.setWordWrap(False)
    for i, w in enumerate(widths):
        view.setColumnWidth(i, w)
    return view


class DetailPane(QWidget):
    """The selected target: main fields, its list entries, and its change history."""

    FIELDS = [
        ("kind", "类型"), ("town", "所属镇街"), ("category", "治理类别"), ("grade", "综合评价"),
        ("credit_code", "信用代码"), ("legal_rep", "法定代表人"), ("land_area", "占地面积"),
        ("building_area", "建筑面积"), ("industry", "行业"), ("park", "连片整治片区"), ("state", "状态"),
        ("land_cert_no", "不动产权证号"), ("owner", "权利人"), ("address", "地址"), ("note", "备注"),
    ]
    WIDE = ("address", "note")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("detail_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.entries_model = EntriesModel(self)
        self.entries_view = _small_table(self.entries_model, [56, 84, 84, 110, 90, 110])
        self.history_model = HistoryModel(self)
        self.history_view = _small_table(self.history_model, [128, 70, 60, 400])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.entries_view, "治理清单")
        self.tabs.addTab(self.history_view, "变更记录")

        self.splitter = splitter(Qt.Orientation.Horizontal, (self._fields_group(), 4), (self.tabs, 5),
                                 collapsible=False)
        self.splitter.setObjectName("register_detail_splitter")
        self.splitter.setSizes([500, 620])

        self.placeholder = QLabel("选择一行查看详情")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #757575;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.placeholder, 1)
        self.target_id: int | None = None
        self.detail: TargetDetail | None = None
        self.clear()

    def _fields_group(self) -> QGroupBox:
        """Caption and value per field, two to a line (address and note take a whole line)."""
        fields_box = QWidget()
        grid = QGridLayout(fields_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.values: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}
        for i, (key, caption) in enumerate(self.FIELDS):
            cap = QLabel(caption + "：")
            cap.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            cap.setStyleSheet("color: #616161;")
            val = QLabel()
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            val.setWordWrap(key in (*self.WIDE, "park"))
            wide = key in self.WIDE
            row, col = (i, 0) if wide else (i // 2, (i % 2) * 2)
            grid.addWidget(cap, row, col)
            grid.addWidget(val, row, col + 1, 1, 3 if wide else 1)
            self.values[key] = val
            self._captions[key] = cap
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(len(self.FIELDS) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidget(fields_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.fields_group = QGroupBox("基本信息")
        QVBoxLayout(self.fields_group).addWidget(scroll)
        return self.fields_group

    def clear(self, message: str = "选择一行查看详情") -> None:
        self.target_id = None
        self.detail = None
        self.title.setText("")
        self.title.hide()
        self.splitter.hide()
        self.placeholder.setText(message)
        self.placeholder.show()
        self.entries_model.set_rows([])
        self.history_model.set_rows([])

    def show_detail(self, d: TargetDetail, evaluation_year: int | None) -> None:
        v = d.values
        self.target_id = d.id
        self.detail = d
        self.title.setText(f"{v.name}（{v.kind.label}）")
        parcel = v.kind == TargetKind.PARCEL
        code = v.credit_code or ""
        if code and v.credit_code_override:
            code += "（保留的特殊代码）"
        land = ""
        if v.land_area_mu is not None:
            land = f"{units.fmt(v.land_area_mu, 2)} 亩（{units.fmt(units.mu_to_m2(v.land_area_mu), 0)} ㎡）"
        texts = {
            "kind": v.kind.label, "town": d.town, "category": v.category.label,
            "grade": f"{v.grade.label}类" if v.grade else "—", "credit_code": code, "legal_rep": v.legal_rep,
            "land_area": land,
            "building_area": f"{units.fmt(v.building_area_m2, 2)} ㎡" if v.building_area_m2 is not None else "",
            "industry": v.industry, "park": d.contiguous_area, "state": v.state.label,
            "land_cert_no": v.land_cert_no, "owner": v.owner, "address": v.address, "note": v.note,
        }
        hidden = {"land_cert_no", "owner"} if not parcel else {"credit_code", "legal_rep", "industry"}
        for key, label in self.values.items():
            label.setText(texts[key] or "—")
            visible = key not in hidden
            label.setVisible(visible)
            self._captions[key].setVisible(visible)
        self._captions["grade"].setText(f"{evaluation_year}年度评价：" if evaluation_year else "综合评价：")
        self.entries_model.set_rows(d.entries)
        self.tabs.setTabText(0, f"治理清单（{len(d.entries)}）")
        self.history_model.set_rows(d.history)
        self.tabs.setTabText(1, f"变更记录（{len(d.history)}）")
        self.placeholder.hide()
        self.title.show()
        self.splitter.show()
