"""The 镇街 filter box many pages carry: “全部镇街” first, then the towns (stopped ones marked)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

ALL_TOWNS = "全部镇街"


def town_filter_box(min_width: int = 120) -> QComboBox:
    box = QComboBox()
    box.setMinimumWidth(min_width)
    box.addItem(ALL_TOWNS, None)
    return box


def sync_town_filter(box: QComboBox, towns) -> None:
    """Refill the box from `towns` (rows with id, name, active), keeping the choice and firing no signal."""
    wanted = [(t.id, t.name if t.active else f"{t.name}（已停用）") for t in towns]
    have = [(box.itemData(i), box.itemText(i)) for i in range(1, box.count())]
    if wanted == have:
        return
    current = box.currentData()
    box.blockSignals(True)
    while box.count() > 1:
        box.removeItem(1)
    for tid, name in wanted:
        box.addItem(name, tid)
    box.setCurrentIndex(max(box.findData(current), 0))
    box.blockSignals(False)
