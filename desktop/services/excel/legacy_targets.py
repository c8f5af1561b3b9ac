"""导入外部表格 of the 任务分解表 (附件1): each town's target area and parks for the year, previewed against
the year's TownTarget rows and written (unknown towns created)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from desktop.models import Town, TownTarget, Year
from desktop.services.errors import NotFound, ValidationError
from desktop.services.excel.excel_common import CellProblem
from desktop.services.excel.legacy_fields import (
    CREATE, DUPLICATE, INVALID, TARGET_FIELDS, UNCHANGED, UPDATE, fmt_value, header_key,
)
from desktop.services.excel.legacy_rows import (
    LegacyPreview, PreviewRow, Stale, TownIndex, parse_rows, tick_write, title_unit,
)
from desktop.services.excel.legacy_table import LegacyTable
from desktop.services.ledger import Ledger
from desktop.services.towns import town_service


# Targets (附件1 任务分解表) -----------------------------------------------------------------------

@dataclass
class _TargetRow:
    town_name: str
    town_id: int | None  # None: a town to create
    area_mu: Decimal
    parks: int


def preview_targets(ledger: Ledger, preview: LegacyPreview, table: LegacyTable, towns: TownIndex, progress, cancel) -> None:
    mapping, sheet = preview.mapping, table.sheet
    parsed, default_problems = parse_rows(table, mapping, TARGET_FIELDS, title_unit(table.title_lines),
                                           cancel, progress, {"town", "target_area", "target_parks"})
    if default_problems:
        preview.refusal = default_problems[0].message
        return
    with ledger.reader() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == preview.year))
        if year_id is None:
            raise NotFound(f"没有 {preview.year} 年度，请先在“年度参数”中新建该年度")
        existing = {tt.town_id: (tt.id, tt.target_area_mu, tt.target_parks)
                    for tt in s.scalars(select(TownTarget).where(TownTarget.year_id == year_id))}

    def letter(f: str) -> str | None:
        return table.letter(mapping.column_of(f))

    seen: dict[str, int] = {}
    new_towns: list[str] = []
    for p in parsed:
        v = p.values
        row = PreviewRow(p.excel_row, INVALID, label=v.get("town", ""), values=dict(v), problems=list(p.problems))
        preview.rows.append(row)
        if not v.get("town"):
            if not row.problems:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("town"), "镇街不能为空"))
            continue
        hit = towns.find(v["town"])
        name = hit[1] if hit else v["town"]
        if not hit:
            try:
                name = town_service.clean_name(name)
            except ValidationError as exc:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("town"), exc.message))
        k = header_key(name)
        if k in seen:
            row.action = DUPLICATE
            row.problems.append(CellProblem(sheet, p.excel_row, letter("town"),
                                            f"与第{seen[k]}行重复（镇街“{name}”相同），本行不导入"))
            continue
        seen[k] = p.excel_row
        if row.problems:
            continue
        row.label = name
        old = existing.get(hit[0]) if hit else None
        area = v.get("target_area")
        parks = v.get("target_parks")
        if old is None:
            final = _TargetRow(name, hit[0] if hit else None, area if area is not None else Decimal(0), parks or 0)
            row.action = CREATE
            if not hit:
                new_towns.append(name)
                row.changes.append(("镇街", "", f"{name}（新建）"))
            row.changes += [("目标面积（亩）", "", fmt_value(final.area_mu)), ("目标园区（个）", "", str(final.parks))]
        else:
            final = _TargetRow(name, hit[0], old[1] if area is None else area, old[2] if parks is None else parks)
            row.target_id = old[0]
            if final.area_mu != old[1]:
                row.changes.append(("目标面积（亩）", fmt_value(old[1]), fmt_value(final.area_mu)))
            if final.parks != old[2]:
                row.changes.append(("目标园区（个）", str(old[2]), str(final.parks)))
            row.action = UPDATE if row.changes else UNCHANGED
        row.final = final
        row.area_mu = final.area_mu
    preview.new_towns = new_towns


# Apply --------------------------------------------------------------------------------------------


def write_targets(s, preview: LegacyPreview, todo: list[PreviewRow], progress, cancel) -> None:
    year_id = s.scalar(select(Year.id).where(Year.year == preview.year))
    if year_id is None:
        raise Stale(f"没有 {preview.year} 年度，未写入任何内容")
    towns = {header_key(name): tid for tid, name in s.execute(select(Town.id, Town.name))}
    last_order = s.scalar(select(func.max(Town.sort_order))) or 0
    existing = {tt.town_id: tt for tt in s.scalars(select(TownTarget).where(TownTarget.year_id == year_id))}
    for n, r in enumerate(todo, start=1):
        f: _TargetRow = r.final
        town_id = f.town_id if f.town_id is not None else towns.get(header_key(f.town_name))
        if town_id is None:
            last_order += 1
            town = Town(name=f.town_name, sort_order=last_order)
            s.add(town)
            s.flush()
            town_id = towns[header_key(f.town_name)] = town.id
        tt = existing.get(town_id)
        if tt is None:
            tt = existing[town_id] = TownTarget(town_id=town_id, year_id=year_id, target_area_mu=f.area_mu,
                                                target_parks=f.parks)
            s.add(tt)
        else:
            if tt.target_area_mu != f.area_mu:
                tt.target_area_mu = f.area_mu
            if tt.target_parks != f.parks:
                tt.target_parks = f.parks
        tick_write(n, len(todo), s, progress, cancel)
