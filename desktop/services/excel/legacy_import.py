"""导入外部表格: legacy sheets (工信's D-class list, tax lists, town ledgers) into 治理对象 or 附件1.

The sheet may have title rows, merged two-row headers, totals, blank and note rows. The header is
found by header synonyms, a column mapping is proposed (and can be saved by header text), every
row is validated with the register's own rules (target_service.clean), a preview says per row
create / update / unchanged / invalid / duplicate, and `apply` writes the valid rows in one
transaction with bulk statements (legacy_write), recording each row written in the audit log.
"""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from desktop.models import ContiguousArea, Evaluation, PacketImport, Target, Town
from desktop.models.enums import Category, TargetKind
from desktop.services.errors import Refused, ValidationError
from desktop.services.excel.excel_common import (
    CancelToken, CellProblem, ImportOutcome, ImportSummary, Progress, check_cancel, gc_paused,
)
from desktop.services.excel.legacy_fields import (
    ACTION_LABELS, AREA_UNITS, ATTR_FIELD, CREATE, DUPLICATE, ENTERPRISE_FIELDS, FieldSpec, HEADER_SCAN_ROWS,
    HECTARE, INVALID, KINDS, KIND_LABELS, M2, MAPPING_NAME_MAX, MU, REQUIRED, SKIPPED_LABELS, SPECS, TARGET_FIELDS,
    UNCHANGED, UPDATE, WAN_M2, check_kind, display, field_specs, fmt_value, header_key,
)
from desktop.services.excel.legacy_mapping import (
    FieldSource, Mapping, delete_mapping, list_mappings, load_mapping, propose_mapping, resolve_mapping,
    save_mapping,
)
from desktop.services.excel.legacy_rows import (
    LegacyPreview, PreviewRow, Stale, TownIndex, chunked, parse_rows, title_unit,
)
from desktop.services.excel.legacy_table import LegacyTable, SourceColumn, locate_table, read_table
from desktop.services.excel.legacy_targets import preview_targets, write_targets
from desktop.services.excel.legacy_write import write_enterprises
from desktop.services.ledger import Ledger
from desktop.services.register import target_service
from desktop.services.year import year_service


def _refusal_for_mapping(kind: str, mapping: Mapping, table: LegacyTable) -> str | None:
    if not table.columns and not table.data:
        return f"工作表“{table.sheet}”是空的"
    labels = {s.key: s.label for s in SPECS[kind]}
    if not table.found_header and not mapping.fields:
        return (f"在工作表“{table.sheet}”的前{HEADER_SCAN_ROWS}行中找不到表头（至少要认出两列，如“企业名称”"
                f"“统一社会信用代码”“所属镇街”）。请指定表头行并对应各列。")
    missing = [labels[f] for f in REQUIRED[kind] if f not in mapping.fields and f not in mapping.defaults]
    if kind == "targets" and "target_area" not in mapping.fields and "target_parks" not in mapping.fields:
        missing.append("目标面积或目标园区数")
    if missing:
        return f"工作表“{table.sheet}”中找不到必需的列：{'、'.join(missing)}。请在列对应中指定。"
    return None


@gc_paused()
def preview_table(ledger: Ledger, table: LegacyTable, *, kind: str, year: int, mapping: Mapping | None = None,
                  mapping_name: str | None = None, progress: Progress | None = None,
                  cancel: CancelToken | None = None) -> LegacyPreview:
    """Validate and match every row of a located table (nothing written)."""
    check_kind(kind)
    if mapping is None:
        mapping, warnings = propose_mapping(table, kind), []
    else:
        mapping, warnings = resolve_mapping(mapping, table)
    preview = LegacyPreview(table.file_name, table.sheet, kind, year, table.header_rows, mapping, table.columns, [],
                            title_lines=table.title_lines, warnings=warnings, sha256=table.sha256,
                            mapping_name=mapping_name, skipped=dict(table.skipped))
    with ledger.reader() as s:
        towns = [(i, n) for i, n in s.execute(select(Town.id, Town.name).order_by(Town.sort_order, Town.id))]
    town_index = TownIndex(towns)
    if kind == "enterprises" and "town" not in mapping.fields and "town" not in mapping.defaults:
        named = [t for line in table.title_lines for t in town_index.in_text(line)]
        if len({i for i, _n in named}) == 1:
            mapping.defaults["town"] = named[0][1]
            preview.warnings.append(f"表中没有镇街列，按标题中的“{named[0][1]}”作为全部行的所属镇街")
    preview.refusal = _refusal_for_mapping(kind, mapping, table)
    if preview.refusal:
        if warnings:
            preview.refusal += "（" + "；".join(warnings) + "）"
        return preview
    if kind == "enterprises":
        _preview_enterprises(ledger, preview, table, town_index, progress, cancel)
    else:
        preview_targets(ledger, preview, table, town_index, progress, cancel)
    if progress:
        progress(len(table.data), len(table.data))
    return preview


@gc_paused()
def preview(ledger: Ledger, path, *, kind: str = "enterprises", year: int, sheet: str | int | None = None,
            mapping: Mapping | None = None, mapping_name: str | None = None, header_row: int | None = None,
            progress: Progress | None = None, cancel: CancelToken | None = None) -> LegacyPreview:
    """Read a legacy sheet and preview its import (with `mapping`, else a proposed one)."""
    check_kind(kind)
    extra = {src.header: f for f, src in mapping.fields.items()} if mapping else ()
    table = read_table(path, kind=kind, sheet=sheet, header_row=header_row, extra_headers=extra,
                       progress=progress, cancel=cancel)
    return preview_table(ledger, table, kind=kind, year=year, mapping=mapping, mapping_name=mapping_name,
                         progress=progress, cancel=cancel)


# Enterprises (治理对象) -----------------------------------------------------------------------------

_VALUE_FIELDS = {"name": "name", "credit_code": "credit_code", "land_area": "land_area_mu",
                 "building_area": "building_area_m2", "address": "address", "legal_rep": "legal_rep",
                 "industry": "industry", "category": "category", "grade": "grade", "land_cert_no": "land_cert_no",
                 "owner": "owner", "note": "note"}
_COMPARED = tuple(f for f in target_service.EDITABLE_FIELDS if f != "credit_code_override") + ("grade",)
_LABELS = dict(target_service.FIELD_LABELS, grade="评价类别")


def _current_values(ledger: Ledger, ids: list[int], eval_year: int) -> dict[int, tuple[target_service.TargetValues, int]]:
    """The register's values (and revision) of matched targets, read in chunks."""
    out = {}
    names = [f.name for f in dataclasses.fields(target_service.TargetValues) if f.name not in ("grade", "revision")]
    cols = [getattr(Target, n) for n in names]
    with ledger.reader() as s:
        for chunk in chunked(ids):
            grades = dict(s.execute(select(Evaluation.target_id, Evaluation.grade)
                                    .where(Evaluation.target_id.in_(chunk), Evaluation.year == eval_year)).all())
            for row in s.execute(select(Target.id, Target.revision, *cols).where(Target.id.in_(chunk))):
                kw = dict(zip(names, row[2:]))
                out[row[0]] = (target_service.TargetValues(**kw, grade=grades.get(row[0]), revision=row[1]), row[1])
    return out


def _preview_enterprises(ledger: Ledger, preview: LegacyPreview, table: LegacyTable, towns: TownIndex, progress, cancel) -> None:
    mapping, sheet = preview.mapping, table.sheet
    eval_year = year_service.get_params(ledger, preview.year).evaluation_year
    content = {"name", "credit_code", "land_area", "building_area", "address", "legal_rep", "industry", "grade",
               "land_cert_no", "owner", "note"}
    parsed, default_problems = parse_rows(table, mapping, ENTERPRISE_FIELDS, title_unit(table.title_lines),
                                           cancel, progress, content)
    if default_problems:
        preview.refusal = default_problems[0].message
        return

    def letter(f: str) -> str | None:
        return table.letter(mapping.column_of(f))

    with ledger.reader() as s:
        parks = s.execute(select(ContiguousArea.id, ContiguousArea.name, ContiguousArea.town_id)).all()
        # Town ids named in the file, then every target of those towns and every code of the file: two queries.
        town_ids = set()
        town_of: list[tuple[int, str] | None] = []  # per parsed row: the town its cell names
        for p in parsed:
            hit = towns.find(p.values["town"]) if p.values.get("town") else None
            town_of.append(hit)
            if hit:
                town_ids.add(hit[0])
        by_name: dict[tuple[int, str], list[tuple[int, str | None]]] = {}
        for chunk in chunked(sorted(town_ids)):
            q = select(Target.id, Target.town_id, Target.name, Target.credit_code).where(Target.town_id.in_(chunk))
            for tid, town_id, name, code in s.execute(q):
                by_name.setdefault((town_id, header_key(name)), []).append((tid, code))
        codes = sorted({p.values["credit_code"] for p in parsed if p.values.get("credit_code")})
        by_code = {}
        for chunk in chunked(codes):
            q = select(Target.credit_code, Target.id).where(Target.credit_code.in_(chunk))
            by_code.update(dict(s.execute(q).all()))
    park_index = {(town_id, header_key(name)): pid for pid, name, town_id in parks}
    park_names = {pid: name for pid, name, _t in parks}
    town_names = {i: n for i, n in towns.towns}

    # Pass 1: duplicates inside the file and the match in the database.
    matches: dict[int, int] = {}
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[int, str], tuple[int, str | None]] = {}
    rows: list[PreviewRow] = []
    for p, town in zip(parsed, town_of):
        v = p.values
        # the parsed values are the row's own (parse_rows made them; nothing below changes them)
        row = PreviewRow(p.excel_row, INVALID, label=v.get("name", ""), values=v, problems=list(p.problems))
        rows.append(row)
        if not v.get("name") and not any(pr.column == letter("name") for pr in row.problems):
            row.problems.append(CellProblem(sheet, p.excel_row, letter("name"), "名称不能为空"))
        if not v.get("town"):
            if not any(pr.column == letter("town") for pr in row.problems):
                row.problems.append(CellProblem(sheet, p.excel_row, letter("town"), "所属镇街不能为空"))
        elif town is None:
            row.problems.append(CellProblem(sheet, p.excel_row, letter("town"),
                                            f"所属镇街“{v['town']}”不存在。{towns.known()}"))
        code, name = v.get("credit_code"), v.get("name")
        name_key = (town[0], header_key(name)) if town and name else None
        first = None
        if code and code in seen_codes:
            first = (seen_codes[code], f"统一社会信用代码 {code} 相同", "credit_code")
        elif name_key and name_key in seen_names and (not code or not seen_names[name_key][1]):
            first = (seen_names[name_key][0], "同一镇街内名称相同", "name")
        if code:
            seen_codes.setdefault(code, p.excel_row)
        if name_key:
            seen_names.setdefault(name_key, (p.excel_row, code))
        if first:
            row.action = DUPLICATE
            row.problems.append(CellProblem(sheet, p.excel_row, letter(first[2]),
                                            f"与第{first[0]}行重复（{first[1]}），本行不导入"))
            continue
        if row.problems:
            continue
        if code and code in by_code:
            matches[p.excel_row] = by_code[code]
        elif name_key:
            same = by_name.get(name_key, [])
            if len(same) > 1:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("name"),
                                                f"{town[1]}有{len(same)}个名为“{name}”的治理对象，无法确定对应哪一个"
                                                "（请填写统一社会信用代码）"))
            elif same:
                tid, db_code = same[0]
                if code and db_code and db_code != code:
                    row.problems.append(CellProblem(
                        sheet, p.excel_row, letter("credit_code"),
                        f"与已登记的“{name}”同名，但统一社会信用代码不同（已登记 {db_code}）"))
                else:
                    matches[p.excel_row] = tid

    current = _current_values(ledger, sorted(set(matches.values())), eval_year)
    # Pass 2: the register's values after the row, checked by the register's own rules.
    for row, p, town in zip(rows, parsed, town_of):
        check_cancel(cancel)
        if row.action == DUPLICATE or row.problems:
            row.action = INVALID if row.action != DUPLICATE else DUPLICATE
            continue
        v = p.values
        tid = matches.get(p.excel_row)
        base = current[tid][0] if tid in current else None  # not changed below: replaced into `new`
        if tid is not None and base is None:  # deleted between the two reads
            tid = None
        if base is None:
            # A new target is 其他 unless the sheet (or the mapping's default) names its category: a grade of
            # D alone does not make it D类低效, which is the office's decision on the year's list.
            kind = v.get("kind") or (TargetKind.PARCEL if not v.get("credit_code") and v.get("land_cert_no")
                                     else TargetKind.ENTERPRISE)
            new = target_service.TargetValues(kind=kind, category=Category.OTHER)  # made here: nobody else's
        elif v.get("kind") and v["kind"] != base.kind:
            row.problems.append(CellProblem(sheet, p.excel_row, letter("kind"),
                                            f"已登记为{base.kind.label}，不能改为{v['kind'].label}（类型不能更改）"))
            row.action = INVALID
            continue
        else:
            new = target_service.copied(base)
        new.town_id, new.revision = town[0], None
        for f, attr in _VALUE_FIELDS.items():
            if f in v:
                setattr(new, attr, v[f])
        if v.get("park"):
            pid = park_index.get((new.town_id, header_key(v["park"])))
            if pid is None:
                row.problems.append(CellProblem(sheet, p.excel_row, letter("park"),
                                                f"{town[1]}没有名为“{v['park']}”的连片整治片区"))
                row.action = INVALID
                continue
            new.contiguous_area_id = pid
        elif tid is not None and base.town_id != new.town_id and base.contiguous_area_id is not None:
            new.contiguous_area_id = None  # a park belongs to the old town
        try:
            new = target_service.clean(new)
        except ValidationError as exc:
            f = ATTR_FIELD.get(exc.field or "", None)
            row.problems.append(CellProblem(sheet, p.excel_row, letter(f) if f else None, exc.message))
            row.action = INVALID
            continue
        row.final = new
        row.area_mu = new.land_area_mu or Decimal(0)
        row.label = new.name
        if tid is None:
            row.action = CREATE
            continue
        row.target_id, row.revision = tid, current[tid][1]
        old = current[tid][0]
        for attr in _COMPARED:
            before, after = getattr(old, attr), getattr(new, attr)
            if before != after and not (before in (None, "") and after in (None, "")):
                shown = {"town_id": town_names, "contiguous_area_id": park_names}.get(attr)
                row.changes.append((_LABELS.get(attr, attr),
                                    shown.get(before, "") if shown else fmt_value(before),
                                    shown.get(after, "") if shown else fmt_value(after)))
        row.action = UPDATE if row.changes else UNCHANGED
    preview.rows = rows


# Apply --------------------------------------------------------------------------------------------


def outcome_of(preview: LegacyPreview, *, skip_invalid: bool = False, dry_run: bool = False) -> ImportOutcome | None:
    """The outcome when nothing is to be written (a refusal, or a dry run); None when apply should write."""
    summary = preview.summary()
    if preview.refusal:
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read, rejected=summary.rejected,
                                           errors=summary.errors), dry_run=dry_run, refused=preview.refusal)
    if summary.rejected and not skip_invalid:
        message = (f"文件“{preview.file_name}”工作表“{preview.sheet}”有{summary.rejected}行无效或重复，"
                   "整个文件未导入。请修正后重新导入，或选择只导入有效行（--skip-invalid）。")
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read, rejected=summary.rejected,
                                           errors=summary.errors), dry_run=dry_run, refused=message)
    if dry_run:
        return ImportOutcome(summary, applied=False, dry_run=True)
    return None


@gc_paused()
def apply(ledger: Ledger, preview: LegacyPreview, *, skip_invalid: bool = False, progress: Progress | None = None,
          cancel: CancelToken | None = None) -> ImportOutcome:
    """Write the previewed rows in one transaction and record the import. Any invalid row refuses the file
    unless `skip_invalid`; a cancel, or a change in the database since the preview, writes nothing."""
    early = outcome_of(preview, skip_invalid=skip_invalid)
    if early is not None:
        return early
    summary = preview.summary()
    todo = [r for r in preview.rows if r.action in (CREATE, UPDATE)]
    try:
        with ledger.session() as s:
            # Every row written names the file it came from in the audit log (see audit.SOURCE_KEY).
            s.info["audit_source"] = f"外部表格 {preview.file_name}（{preview.sheet}）"
            try:
                if preview.kind == "enterprises":
                    write_enterprises(s, preview, todo, progress, cancel)
                else:
                    write_targets(s, preview, todo, progress, cancel)
                check_cancel(cancel)
                counts = {k: v for k, v in summary.to_json().items() if k != "errors"}
                counts.update(errors=len(summary.errors), sheet=preview.sheet, sha256=preview.sha256,
                              mapping=preview.mapping_name or "", new_towns=len(preview.new_towns))
                s.add(PacketImport(packet_id=uuid.uuid4().hex, direction="import", kind=f"legacy-{preview.kind}",
                                   town_id=None, year=preview.year, file_name=preview.file_name, sha256=None,
                                   user=ledger.user, counts=counts))
                s.flush()
            finally:
                s.info.pop("audit_source", None)
    except Stale as exc:
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read, errors=[CellProblem(preview.sheet, None, None,
                                                                                            exc.message)]),
                             refused=exc.message)
    except IntegrityError:
        message = "数据库在预览之后已有变动（例如别人刚登记了同一信用代码），未写入任何内容。请重新预览后再导入。"
        return ImportOutcome(ImportSummary(rows_read=summary.rows_read,
                                           errors=[CellProblem(preview.sheet, None, None, message)]), refused=message)
    if progress:
        progress(len(todo), len(todo))
    return ImportOutcome(summary, applied=True)


# The whole import (CLI `zzb import-legacy`) -------------------------------------------------------

@gc_paused()  # preview and apply in one pause: resuming between them would walk the preview's rows
def run_import(ledger: Ledger, path, *, kind: str = "enterprises", year: int | None = None, sheet: str | int | None = None,
               mapping_name: str | None = None, skip_invalid: bool = False, dry_run: bool = False,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> ImportOutcome:
    """Read, map (saved mapping or proposed), preview, then apply — or only report with `dry_run`."""
    check_kind(kind)
    if year is None:
        if kind == "targets":
            raise Refused("导入任务分解表需要指定年度（--year），例如 --year 2024")
        year = year_service.current_year(ledger)
    if year not in year_service.list_years(ledger):
        raise Refused(f"没有 {year} 年度。已有年度：{'、'.join(str(y) for y in year_service.list_years(ledger)) or '无'}")
    mapping = None
    if mapping_name:
        mapping = load_mapping(ledger, mapping_name)
        if mapping.kind != kind:
            raise Refused(f"列对应方案“{mapping_name}”用于导入{KIND_LABELS.get(mapping.kind, mapping.kind)}，"
                          f"不能用于导入{KIND_LABELS[kind]}")
    p = preview(ledger, path, kind=kind, year=year, sheet=sheet, mapping=mapping, mapping_name=mapping_name,
                progress=progress, cancel=cancel)
    early = outcome_of(p, skip_invalid=skip_invalid, dry_run=dry_run)
    if early is not None:
        return early
    return apply(ledger, p, skip_invalid=skip_invalid, progress=progress, cancel=cancel)


__all__ = [
    "ENTERPRISE_FIELDS", "TARGET_FIELDS", "FieldSpec", "FieldSource", "LegacyPreview", "LegacyTable", "Mapping",
    "PreviewRow", "SourceColumn", "apply", "delete_mapping", "field_specs", "list_mappings", "load_mapping",
    "locate_table", "outcome_of", "preview", "preview_table", "propose_mapping", "read_table", "resolve_mapping",
    "run_import", "save_mapping",
]


__all__ = ["ACTION_LABELS", "AREA_UNITS", "CREATE", "DUPLICATE", "ENTERPRISE_FIELDS", "FieldSource", "FieldSpec",
    "HEADER_SCAN_ROWS", "HECTARE", "INVALID", "KINDS", "KIND_LABELS", "LegacyPreview", "LegacyTable", "M2",
    "MAPPING_NAME_MAX", "MU", "Mapping", "PreviewRow", "REQUIRED", "SKIPPED_LABELS", "SourceColumn",
    "TARGET_FIELDS", "UNCHANGED", "UPDATE", "WAN_M2", "apply", "delete_mapping", "display", "field_specs",
    "list_mappings", "load_mapping", "locate_table", "outcome_of", "preview", "preview_table", "propose_mapping",
    "read_table", "resolve_mapping", "run_import", "save_mapping"]
