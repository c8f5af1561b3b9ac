"""导入外部表格, the column mapping: proposed from the header synonyms, resolved against a sheet, and saved by
header text under a name so that the next sheet of the same layout maps itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.models import ColumnMapping
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.excel.legacy_fields import KIND_WORDS, M2, MAPPING_NAME_MAX, SPECS, check_kind, header_key
from desktop.services.excel.legacy_table import LegacyTable, SourceColumn, match_field, unit_word
from desktop.services.ledger import Ledger


@dataclass
class FieldSource:
    """Where a field comes from: the column's header text (how a saved mapping finds it again)."""

    header: str
    column: int | None = None  # 0-based index in the current table, once resolved
    unit: str | None = None  # 亩 or m² for areas; None = from the header, else the field's default


@dataclass
class Mapping:
    """Field → source column, plus values for fields the sheet lacks (e.g. the town of a town's ledger)."""

    kind: str
    fields: dict[str, FieldSource] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def column_of(self, key: str) -> int | None:
        src = self.fields.get(key)
        return src.column if src else None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "fields": {k: {"header": s.header, **({"unit": s.unit} if s.unit else {})} for k, s in self.fields.items()},
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_json(cls, data: dict) -> Mapping:
        kind = data.get("kind", "enterprises")
        known = {s.key for s in SPECS.get(kind, ())}
        fields = {k: FieldSource(str(v.get("header", "")), None, v.get("unit"))
                  for k, v in (data.get("fields") or {}).items() if k in known and isinstance(v, dict)}
        defaults = {k: str(v) for k, v in (data.get("defaults") or {}).items() if k in known and v not in (None, "")}
        return cls(kind, fields, defaults)


def _column_match(col: SourceColumn, specs) -> tuple[str | None, int, str | None]:
    best, best_score = None, 0
    candidates = list(col.parts) + (["".join(col.parts)] if len(col.parts) > 1 else [])
    for part in candidates:
        f, score = match_field(header_key(part), specs)
        if f and score > best_score:
            best, best_score = f, score
        elif f and score == best_score and part in col.parts:
            best = f  # the child names the column more precisely than its parent
    return best, best_score, _column_unit(col)


def _column_unit(col: SourceColumn) -> str | None:
    """The area unit a column's header names (the child's over the parent's)."""
    unit = None
    for part in col.parts:
        unit = unit_word(header_key(part)) or unit
    return unit


def propose_mapping(table: LegacyTable, kind: str) -> Mapping:
    """Guess each field's column from header synonyms, one field per column. Where two columns fit one field
    (占地面积 in 亩 and in 平方米), the better-filled one wins, then 亩."""
    check_kind(kind)
    specs = SPECS[kind]
    candidates: dict[str, list[tuple[int, int, int, SourceColumn, str | None]]] = {}
    for col in table.columns:
        f, score, unit = _column_match(col, specs)
        if f:
            candidates.setdefault(f, []).append((score, col.filled, 1 if unit != M2 else 0, col, unit))
    if kind == "enterprises" and "category" in candidates:
        # “类型” holding 企业/地块 is the kind of target, not the governance category.
        keep = []
        for cand in candidates["category"]:
            col = cand[3]
            if col.samples and all(header_key(s) in KIND_WORDS for s in col.samples):
                candidates.setdefault("kind", []).append(cand)
            else:
                keep.append(cand)
        candidates["category"] = keep
    mapping = Mapping(kind)
    used: set[int] = set()
    order = sorted(candidates, key=lambda f: -max((c[0] for c in candidates[f]), default=0))
    for f in order:
        options = sorted((c for c in candidates[f] if c[3].index not in used),
                         key=lambda c: (-c[0], -c[1], -c[2], c[3].index))
        if options:
            _score, _filled, _mu, col, unit = options[0]
            mapping.fields[f] = FieldSource(col.key, col.index, unit)
            used.add(col.index)
    return mapping


def resolve_mapping(mapping: Mapping, table: LegacyTable) -> tuple[Mapping, list[str]]:
    """Point a (saved) mapping at this table's columns by header text; warnings for headers not found."""
    by_key = {}
    for col in table.columns:
        by_key.setdefault(header_key(col.key), col)
        by_key.setdefault(header_key(col.header), col)
    labels = {s.key: s.label for s in SPECS.get(mapping.kind, ())}
    resolved = Mapping(mapping.kind, {}, dict(mapping.defaults))
    warnings = []
    for f, src in mapping.fields.items():
        if f not in labels:
            continue
        col = by_key.get(header_key(src.header)) if src.header else table.column(src.column)
        if col is None:
            warnings.append(f"列对应方案中的“{src.header}”列在本表中找不到，{labels[f]}不导入")
            continue
        resolved.fields[f] = FieldSource(col.key, col.index, src.unit or _column_unit(col))
    return resolved, warnings


def _clean_mapping_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写列对应方案的名称", field="name")
    if len(name) > MAPPING_NAME_MAX:
        raise ValidationError(f"方案名称过长（最多{MAPPING_NAME_MAX}字）", field="name")
    return name


def save_mapping(ledger: Ledger, name: str, kind: str, mapping: Mapping) -> None:
    """Save a mapping by name (headers, units, defaults); an existing name is replaced."""
    check_kind(kind)
    name = _clean_mapping_name(name)
    if not mapping.fields and not mapping.defaults:
        raise ValidationError("列对应方案是空的：请至少对应一列", field="mapping")
    data = Mapping(kind, mapping.fields, mapping.defaults).to_json()
    with ledger.session() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.name == name))
        if row is None:
            s.add(ColumnMapping(name=name, kind=kind, mapping=data))
        else:
            if row.kind != kind:
                row.kind = kind
            if row.mapping != data:
                row.mapping = data


def list_mappings(ledger: Ledger, kind: str | None = None) -> list[str]:
    """Names of the saved mappings (of one kind), alphabetical."""
    q = select(ColumnMapping.name).order_by(ColumnMapping.name)
    if kind is not None:
        q = q.where(ColumnMapping.kind == kind)
    with ledger.reader() as s:
        return list(s.scalars(q))


def load_mapping(ledger: Ledger, name: str) -> Mapping:
    """A saved mapping by name; an unknown name is refused with the names that exist."""
    with ledger.reader() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.name == (name or "").strip()))
        if row is None:
            names = list(s.scalars(select(ColumnMapping.name).order_by(ColumnMapping.name)))
            known = f"已保存的方案：{'、'.join(names)}" if names else "还没有保存任何列对应方案"
            raise Refused(f"没有名为“{name}”的列对应方案。{known}。")
        data = dict(row.mapping or {})
        data["kind"] = row.kind
        return Mapping.from_json(data)


def delete_mapping(ledger: Ledger, name: str) -> None:
    with ledger.session() as s:
        row = s.scalar(select(ColumnMapping).where(ColumnMapping.name == name))
        if row is None:
            raise NotFound(f"没有名为“{name}”的列对应方案")
        s.delete(row)
