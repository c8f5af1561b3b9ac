"""The list's contiguous-share line (三(一)), shown on the 年度清单 page's header and in the 报送 dialog: its
own module so the page shows it without loading the dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop.services.lists.list_service import ShareCheck
from desktop.views.kit.rows import AMBER


def share_banner_style(below: bool) -> str:
    if below:
        return (f"QLabel {{ background: {AMBER.name()}; color: #4a3b00; border: 1px solid #d4a800;"
                " border-radius: 3px; padding: 4px 8px; }")
    return ("QLabel { background: #EAF4EA; color: #1e4d1e; border: 1px solid #b9d8b9; border-radius: 3px;"
            " padding: 4px 8px; }")


def set_share_banner(label: QLabel, share: ShareCheck | None) -> None:
    """The contiguous-share line, amber below the year's minimum (property `belowMinimum` for tests
    and style sheets)."""
    if share is None:
        label.setText("")
        label.setVisible(False)
        label.setProperty("belowMinimum", False)
        return
    label.setText(("⚠ " if share.below_minimum else "") + share.message)
    label.setProperty("belowMinimum", share.below_minimum)
    label.setStyleSheet(share_banner_style(share.below_minimum))
    label.setToolTip(f"三(一)：位于连片整治区域的面积不少于清单总面积的 {share.minimum_pct.normalize():f}%"
                     "（不含已撤销和企业自主技改的条目）")
    label.setVisible(True)
