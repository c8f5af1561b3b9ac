"""The 镇街 filter box many pages carry: “全部镇街” first, then the towns (stopped ones marked); and the
refill of any such “全部…” filter box that keeps the clerk's choice."""

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
    sync_choices(box, [(t.id, t.name if t.active else f"{t.name}（已停用）") for t in towns])


def sync_choices(box: QComboBox, items: list[tuple[object, str]]) -> bool:
    """Refill a filter box after its first (“全部…”) item with (data, text) pairs, keeping the choice and
    firing no signal. False when the chosen item is gone (the box is back on its first item)."""
    have = [(box.itemData(i), box.itemText(i)) for i in range(1, box.count())]
    if items == have:
        return True
    current = box.currentData()
    box.blockSignals(True)
    while box.count() > 1:
        box.removeItem(1)
    for data, text in items:
        box.addItem(text, data)
    index = box.findData(current) if current is not None else 0
    box.setCurrentIndex(max(index, 0))
    box.blockSignals(False)
    return index >= 0
