"""Table models of the 收储与收购 page's tabs (政府收储, 市场化收购, 协议, 成本均价) on the kit's row
model, and the base of those tabs: lazy reloads, a remembered layout and an undo stack each."""

from __future__ import annotations

from collections import namedtuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView, QWidget

from desktop.views.kit.page_state import LazyRefresh
from desktop.views.kit.rows import AMBER, MISSING_BACKGROUND, MUTED, RED, RowsModel
from desktop.views.kit.table import Layout
from desktop.views.kit.undo import UndoKit

# Tables whose change makes the page's data stale.
RELEVANT_TABLES = {"agreement", "land_banking", "groundwork_record", "acquisition", "tax_record", "plan",
                   "list_entry", "governance_list", "town", "soe", "target", "year", "year_params", "attachment"}
# A filter combo's item (kit/town_filter.sync_town_filter reads id, name and active).
Choice = namedtuple("Choice", "id name active", defaults=(True,))


class LandBankEntryModel(RowsModel):
    """政府收储: the entries with a filed 收储 plan."""

    COLUMNS = [("town", "镇街"), ("target", "治理对象"), ("planned_area_mu", "计划面积（亩）"), ("soe", "合作国企"),
               ("state", "清单状态"), ("steps_text", "前期工作"), ("missing_steps", "未完成步骤"),
               ("cooperation_signed_on", "合作协议"), ("landbank_signed_on", "收储协议"),
               ("landbank_cost_per_mu", "收储单价（万元/亩）"), ("all_filed", "均已备案")]
    NUMERIC = {"planned_area_mu", "landbank_cost_per_mu"}

    def display(self, row, key: str) -> str:
        if key in ("cooperation_signed_on", "landbank_signed_on") and self.value(row, key) is None:
            return "未签订"
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "missing_steps" and row.missing_steps:
            return RED
        if key in ("cooperation_signed_on", "landbank_signed_on") and self.value(row, key) is None:
            return MUTED
        return None


class StepModel(RowsModel):
    """The four groundwork steps of one entry, done or missing."""

    COLUMNS = [("step", "步骤"), ("done_on", "完成日期"), ("attachments", "证明材料"), ("result", "结果")]

    def display(self, row, key: str) -> str:
        if key == "done_on" and not row.done:
            return "未完成"
        if key == "attachments":
            if row.record_id is None:
                return ""
            return f"{row.attachments} 份" if row.attachments else "未上传"
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "done_on" and not row.done:
            return RED
        if key == "attachments" and not row.attachments:
            return MUTED
        return None


class AgreementModel(RowsModel):
    """Agreements (the 协议 tab shows every column; the detail panes fewer)."""

    COLUMNS = [("kind", "协议类型"), ("town", "镇街"), ("soe", "市级国企"), ("target", "治理对象"),
               ("party_a", "甲方"), ("party_b", "乙方"), ("signed_on", "签订日期"), ("amount_wan", "金额（万元）"),
               ("area_mu", "面积（亩）"), ("cost_per_mu", "单价（万元/亩）"), ("filed_on", "备案日期"),
               ("over_cap_confirmed", "超限确认"), ("attachments", "扫描件")]
    NUMERIC = {"amount_wan", "area_mu", "cost_per_mu", "attachments"}

    def display(self, row, key: str) -> str:
        if key == "filed_on" and row.filed_on is None:
            return "未备案"
        if key == "attachments":
            return f"{row.attachments} 份" if row.attachments else ""
        return super().display(row, key)

    def foreground(self, row, key):
        if row.over_cap_confirmed and key in ("cost_per_mu", "over_cap_confirmed"):
            return RED
        if key == "filed_on" and row.filed_on is None:
            return MUTED
        return None

    def tooltip(self, row, key):
        if row.over_cap_confirmed:
            return "保存时国企×镇街年度收储成本均价超过上限，经确认后保存" + (f"：{row.note}" if row.note else "")
        return row.note or None


class ShortAgreementModel(AgreementModel):
    COLUMNS = [("kind", "协议类型"), ("party_a", "甲方"), ("party_b", "乙方"), ("signed_on", "签订日期"),
               ("amount_wan", "金额（万元）"), ("area_mu", "面积（亩）"), ("cost_per_mu", "单价（万元/亩）"),
               ("filed_on", "备案日期"), ("attachments", "扫描件")]


class AcquisitionModel(RowsModel):
    """市场化收购: the entries with a filed 收购 plan."""

    COLUMNS = [("town", "镇街"), ("target", "治理对象"), ("planned_area_mu", "面积（亩）"), ("investor", "投资方"),
               ("new_project", "新上项目"), ("stage_text", "阶段"), ("joint_review_text", "会审"),
               ("missing_months", "税收缺报（月）"), ("unpaid_wan", "欠缴（万元）"),
               ("signed_on", "收购协议签订"), ("filed_on", "收购协议备案")]
    NUMERIC = {"planned_area_mu", "missing_months", "unpaid_wan"}

    def display(self, row, key: str) -> str:
        if key in ("missing_months", "unpaid_wan") and not self.value(row, key):
            return ""
        return super().display(row, key)

    def foreground(self, row, key):
        if key == "stage_text" and row.joint_review_passed is False:
            return RED
        if key == "missing_months" and row.missing_months:
            return RED
        return None

    def background(self, row, key):
        if key == "unpaid_wan" and row.unpaid_wan > 0:
            return AMBER
        return None


class TaxMonthModel(RowsModel):
    """Monthly tax feedback of one acquisition: 缺报 months red, unpaid months amber."""

    COLUMNS = [("month", "月份"), ("due_wan", "应缴（万元）"), ("paid_wan", "已缴（万元）"), ("status", "情况"),
               ("note", "备注")]
    NUMERIC = {"due_wan", "paid_wan"}

    def display(self, row, key: str) -> str:
        if key == "month":
            return f"{row.month.year}年{row.month.month}月"
        return super().display(row, key)

    def foreground(self, row, key):
        return RED if row.missing else None

    def background(self, row, key):
        if row.missing:
            return MISSING_BACKGROUND
        if row.unpaid and key in ("paid_wan", "status"):
            return AMBER
        return None

    def tooltip(self, row, key):
        return "该月税务部门未反馈（缺报）" if row.missing else None


class PairModel(RowsModel):
    """成本均价: SOE × town pairs of the year over their 收储协议; over the cap in red."""

    COLUMNS = [("soe", "市级国企"), ("town", "镇街"), ("agreements", "收储协议（份）"),
               ("total_amount_wan", "金额合计（万元）"), ("total_area_mu", "面积合计（亩）"),
               ("average", "成本均价（万元/亩）"), ("cap", "上限（万元/亩）"), ("over", "超上限"),
               ("confirmed", "经确认超限（份）")]
    NUMERIC = {"agreements", "total_amount_wan", "total_area_mu", "average", "cap", "confirmed"}

    def display(self, row, key: str) -> str:
        if key == "cap":
            return format(row.cap.normalize(), "f")
        if key == "confirmed":
            return str(row.confirmed) if row.confirmed else ""
        return super().display(row, key)

    def foreground(self, row, key):
        return RED if row.over else None

    def background(self, row, key):
        return MISSING_BACKGROUND if row.over else None

    def bold(self, row, key) -> bool:
        return row.over and key in ("average", "over")

    def tooltip(self, row, key):
        if row.over:
            return f"成本均价 {row.average} 万元/亩，超过上限 {format(row.cap.normalize(), 'f')} 万元/亩（四(二)）"
        return None


# --- Widget helpers ------------------------------------------------------------------------------------

def fit_rows(table: QTableView, rows: int) -> None:
    """Make a short table (the four steps) exactly as tall as its rows."""
    height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setFixedHeight(height + 2 * table.frameWidth())


def set_widths(table: QTableView, widths: dict[str, int]) -> None:
    model: RowsModel = table.model()
    for key, width in widths.items():
        table.setColumnWidth(model.column(key), width)


class TabBase(LazyRefresh, QWidget):
    """A tab of the page: reloads when data it shows changes (at once if shown, else when next shown),
    remembers its layout (`remember`) and undoes its last slips (`undo`, Ctrl+Z)."""

    relevant_tables = frozenset(RELEVANT_TABLES)

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx
        self.agreement_dialog = None
        self.layout_state: Layout | None = None
        self.undo = UndoKit(self)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.year_changed.connect(lambda _y: self._refresh_if_visible())

    def remember(self, parts: dict) -> None:
        """Restore the headers and splitters now; `save_layout` keeps them under landbank/<name>."""
        self.layout_state = Layout(self.ctx.settings, "landbank", parts)

    def save_layout(self) -> None:
        if self.layout_state is not None:
            self.layout_state.save()

    def refresh(self) -> None:  # pragma: no cover - each tab has its own
        raise NotImplementedError
