"""The 治理对象 register's table model: the ids of a search, rows fetched as drawn, sorted in SQL.

It is the one model of the house that is not a kit RowsModel (100 000 rows do not sit in memory); cell
texts, colours and the selection's rows still come from the kit."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop.models.enums import TargetState
from desktop.services.register import target_service
from desktop.services.register.target_service import COLUMNS, RegisterRow
from desktop.views.kit.rows import MUTED, plain_text

NUMERIC_KEYS = frozenset({"land_area_mu", "building_area_m2"})
# Text columns that are often longer than their default width: they get a tooltip with the whole text.
LONG_TEXT_KEYS = frozenset({"name", "address", "contiguous_area", "industry"})
TOOLTIP_MIN_CHARS = 12
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_USER = Qt.ItemDataRole.UserRole
_SERVED_ROLES = frozenset({_DISPLAY, Qt.ItemDataRole.ToolTipRole, _ALIGN, _FOREGROUND, _USER})
# The roles QStyledItemDelegate asks to draw a cell, in its order (Qt 6: initStyleOption), and the places
# and roles of the three the register serves (multiData).
_DELEGATE_ROLES = (Qt.ItemDataRole.FontRole, _ALIGN, _FOREGROUND, Qt.ItemDataRole.CheckStateRole,
                   Qt.ItemDataRole.DecorationRole, _DISPLAY, Qt.ItemDataRole.BackgroundRole)
_ALIGN_PLACE, _FOREGROUND_PLACE, _DISPLAY_PLACE = (_DELEGATE_ROLES.index(r) for r in (_ALIGN, _FOREGROUND, _DISPLAY))
_MISSING = object()  # not in the cache (a deleted row is in it, as None)
DELETED = "（已删除）"  # shown in the first column of a row deleted since the search


def cell_text(row: RegisterRow, key: str) -> str:
    """The text shown for one register cell: the kit's plain text (enums by label, areas with two decimals)."""
    return plain_text(getattr(row, key))


def long_text_tip(text: str) -> str | None:
    """The whole text as a tooltip when it is long enough to be cut off in its column."""
    return text if len(text) >= TOOLTIP_MIN_CHARS else None


class _Rows:
    """The model's rows as a sequence (for the kit's selected_rows): each fetched as it is asked for."""

    def __init__(self, model: RegisterTableModel) -> None:
        self.model = model

    def __len__(self) -> int:
        return self.model.rowCount()

    def __getitem__(self, row: int) -> RegisterRow | None:
        return self.model.row_data(row)


class RegisterTableModel(QAbstractTableModel):
    """The register, Anki-browser style: the model holds only the ids of the current search, in display
    order; a row's values are fetched when the view first asks for them, a block of BLOCK ids at a time
    (target_service.fetch_rows), and kept in a bounded LRU cache of MAX_CACHED rows.

    The block fetch reads by primary key and takes a few milliseconds, so it runs on the GUI thread on
    demand: sending it to the worker lane would cost a repaint round trip per scroll step for no gain.
    The search itself runs on the worker lane (RegisterPage).

    `sort()` does not sort in Python: it records the sort key and emits `sort_requested`, and the page
    re-runs the search with ORDER BY that key in SQL, then calls `set_ids`.
    """

    # A screen and more at 1080 px: each keystroke's first screen fetches one block (50 rows 1.1 ms, 100 1.7).
    BLOCK = 50
    MAX_CACHED = 5000

    sort_requested = Signal(str, bool)  # column key, descending

    def __init__(self, db, year: int, parent=None) -> None:
        super().__init__(parent)
        self._db = db
        self._year = year
        self._ids: list[int] = []
        self._positions: dict[int, int] | None = None  # id → row, built on first lookup
        # id → [row, its cell texts (formatted when the row is first drawn, else None)], or None (deleted)
        self._cache: OrderedDict[int, list | None] = OrderedDict()
        self._evaluation_year: int | None = None  # read with the first block; forgotten on invalidate
        self.keys = [k for k, _ in COLUMNS]
        self.labels = [label for _, label in COLUMNS]
        self._align = [RIGHT if k in NUMERIC_KEYS else LEFT for k in self.keys]
        self.sort_key = "name"
        self.descending = False
        self.fetches = 0  # block fetches so far (tests and benchmarks read it)
        self.rows = _Rows(self)

    # Contents ------------------------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        """Show a new search result. Cached rows stay (they are keyed by id), so typing is cheap."""
        self.beginResetModel()
        self._ids = list(ids)
        self._positions = None
        self.endResetModel()

    def extend_ids(self, ids: list[int]) -> None:
        """Complete a result first shown by its first screen: append the rest without a reset, so the
        view keeps its scroll position and selection. Falls back to a reset if the head differs
        (the ledger changed between the two queries)."""
        head = len(self._ids)
        if ids[:head] != self._ids:
            self.set_ids(ids)
            return
        if len(ids) > head:
            self.beginInsertRows(QModelIndex(), head, len(ids) - 1)
            self._ids = list(ids)
            self._positions = None
            self.endInsertRows()

    def set_year(self, year: int) -> None:
        """The evaluation class shown depends on the year: forget every cached row."""
        if year != self._year:
            self._year = year
            self.invalidate()

    def invalidate(self) -> None:
        """Forget cached rows (after a write); rows are fetched again when drawn."""
        self._cache.clear()
        self._evaluation_year = None  # the year's parameters may have changed too
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.keys) - 1))

    def ids(self) -> list[int]:
        return self._ids

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, target_id: int) -> int | None:
        if self._positions is None:
            self._positions = {tid: i for i, tid in enumerate(self._ids)}
        return self._positions.get(target_id)

    def row_data(self, row: int) -> RegisterRow | None:
        """The register row at a view row (fetching its block if needed); None if it was deleted."""
        entry = self._entry(row)
        return entry[0] if entry is not None else None

    def _entry(self, row: int) -> list | None:
        """[row, its cell texts] for a view row. The texts are formatted once, when the row is first drawn:
        a block holds a hundred rows, a screen shows a fifth of them."""
        if not 0 <= row < len(self._ids):
            return None
        target_id = self._ids[row]
        cache = self._cache
        if target_id not in cache:
            self._fetch_block(row)
        else:
            cache.move_to_end(target_id)
        entry = cache.get(target_id)
        if entry is not None and entry[1] is None:
            entry[1] = tuple(cell_text(entry[0], k) for k in self.keys)
        return entry

    @property
    def evaluation_year(self) -> int | None:
        """The year whose evaluation class the cached rows show (None until the first rows are read)."""
        return self._evaluation_year

    def cached_ids(self) -> frozenset[int]:
        """The ids whose rows are cached now (a keystroke's lane job reads only the others)."""
        return frozenset(self._cache)

    def put_rows(self, wanted: list[int], rows: list[RegisterRow], year: int, evaluation_year: int) -> None:
        """Cache rows read elsewhere (on the lane, with a search's ids): `wanted` the ids asked for, `rows`
        those found (the others were deleted). Rows read for another year are not kept."""
        if year != self._year:
            return
        if self._evaluation_year is None:
            self._evaluation_year = evaluation_year
        if evaluation_year == self._evaluation_year:
            self._store(wanted, rows)

    def _fetch_block(self, row: int) -> None:
        start = row - row % self.BLOCK
        wanted = [i for i in self._ids[start:start + self.BLOCK] if i not in self._cache]
        if self._evaluation_year is None:
            self._evaluation_year = target_service.evaluation_year(self._db, self._year)
        rows = target_service.fetch_rows(self._db, wanted, year=self._year, evaluation_year=self._evaluation_year)
        self.fetches += 1
        self._store(wanted, rows)

    def _store(self, wanted: list[int], rows: list[RegisterRow]) -> None:
        found = {r.id: [r, None] for r in rows}
        for target_id in wanted:
            self._cache[target_id] = found.get(target_id)  # None: deleted since the search
        while len(self._cache) > self.MAX_CACHED:
            self._cache.popitem(last=False)

    # Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.keys)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        # Called for every role of every cell drawn (multiData below spares the delegate its seven calls):
        # unserved roles leave first, texts come preformatted.
        if role not in _SERVED_ROLES:
            return None
        r, c = index.row(), index.column()  # an invalid index has row -1
        if not (0 <= r < len(self._ids) and 0 <= c < len(self.keys)):
            return None
        if role == _ALIGN:
            return self._align[c]
        if role == _USER:
            return self._ids[r]
        return self._shown(self._entry(r), c, role)

    def _shown(self, entry: list | None, c: int, role: int):
        """A row's display text, colour or tooltip in column c."""
        if entry is None:
            return DELETED if role == _DISPLAY and c == 0 else None
        if role == _DISPLAY:
            return entry[1][c]
        if role == _FOREGROUND:
            return MUTED if entry[0].state == TargetState.WITHDRAWN else None
        return long_text_tip(entry[1][c]) if self.keys[c] in LONG_TEXT_KEYS else None  # tooltip

    def multiData(self, index: _Index, roleDataSpan) -> None:
        """Every role the delegate asks for to draw a cell (font, alignment, colours, text …) in one call.

        Qt's default asks data() once per role: seven calls from C++ into Python per cell, a thousand per
        screen, which was a seventh of drawing a keystroke's first screen. The values are data()'s."""
        r, c = index.row(), index.column()
        ids = self._ids
        if not (0 <= r < len(ids) and 0 <= c < len(self.keys)):
            for item in roleDataSpan:
                item.clearData()
            return
        if roleDataSpan.size() == len(_DELEGATE_ROLES):
            # Qt's delegate asks its seven roles in one order: the three served are set by place (each checked
            # to hold its role, so another order takes the general way below), sparing a role() call for
            # each of the other four, which the register never sets.
            alignment = roleDataSpan[_ALIGN_PLACE]
            foreground = roleDataSpan[_FOREGROUND_PLACE]
            display = roleDataSpan[_DISPLAY_PLACE]
            if display.role() == _DISPLAY and foreground.role() == _FOREGROUND and alignment.role() == _ALIGN:
                entry = self._cache.get(ids[r], _MISSING)
                if entry is _MISSING or (entry is not None and entry[1] is None):
                    entry = self._entry(r)  # fetched (its block) or formatted (the row) now
                else:
                    self._cache.move_to_end(ids[r])
                # Qt 6's delegate keeps its role array from cell to cell: each served role is written every
                # time, None included, or the last cell's text or grey would show in this one.
                alignment.setData(self._align[c])
                if entry is None:
                    display.setData(DELETED if c == 0 else None)
                    foreground.setData(None)
                else:
                    display.setData(entry[1][c])
                    foreground.setData(MUTED if entry[0].state == TargetState.WITHDRAWN else None)
                return
        self._each_role(r, c, roleDataSpan)

    def _each_role(self, r: int, c: int, roleDataSpan) -> None:
        """multiData's general way: every role asked for answered as data() answers it (None included)."""
        entry, fetched = None, False
        for item in roleDataSpan:
            role = item.role()
            if role == _ALIGN:
                item.setData(self._align[c])
            elif role == _USER:
                item.setData(self._ids[r])
            elif role in _SERVED_ROLES:
                if not fetched:
                    entry, fetched = self._entry(r), True
                item.setData(self._shown(entry, c, role))
            else:
                item.clearData()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.labels[section] if 0 <= section < len(self.labels) else None
        return str(section + 1) if 0 <= section < len(self._ids) else None

    # flags(): QAbstractTableModel's own (enabled, selectable, no children) is what the register wants;
    # not overriding it spares a call into Python for every cell drawn.

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.keys):
            return
        key, descending = self.keys[column], order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending):
            return
        self.sort_key, self.descending = key, descending
        self.sort_requested.emit(key, descending)

    def column_of(self, key: str) -> int:
        return self.keys.index(key)
