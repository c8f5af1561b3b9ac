"""The legacy import's fast paths give what the paths they replaced gave: the audit records of rows created
column by column (audit.Created) byte for byte those of the per-record writer, on awkward values and on a whole
import of two copies of one ledger."""

from __future__ import annotations

import datetime as dt
import dataclasses
import enum
import random
import re
import shutil
import sys
import unicodedata
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

import legacy_samples as samples
from desktop.models import PacketImport, Target
from desktop.models.enums import Category, EvaluationClass, TargetKind
from desktop.services import audit, audit_chain, credit_code, numbers
from desktop.services.db import open_database
from desktop.services.excel import cell_values, legacy_rows as lr
from desktop.services.excel import legacy_import as li
from desktop.services.excel.excel_common import EXCEL_CELL_LIMIT, CellProblem
from desktop.services.errors import ValidationError
from desktop.services.excel import legacy_table as lt
from desktop.services.excel.legacy_fields import ENTERPRISE_FIELDS, header_key, header_keys, is_blank_row
from desktop.services.excel.legacy_import import locate_table, propose_mapping
from desktop.services.excel.xlsx_reader import NO_CACHED_VALUE, CellError
from desktop.services.ledger import Ledger, actor
from desktop.services.register import target_service
from desktop.services.towns import town_service

TOWNS = ["城东街道", "城西街道", "北山镇"]
AT = dt.datetime(2025, 6, 7, 8, 9, 10, 123456)


class _Str(str):
    pass


class _Colour(enum.Enum):
    RED = 1
    BLUE = "蓝"


class _Level(enum.IntEnum):
    HIGH = 3


_AWKWARD = [
    "plain", "", "引号\"与\\反斜杠", "%s %d %% 百分号", "\x00\x01\x1f控制字符\n\t", "\u2028\u2029", "😀 emoji",
    "\ud800", None, True, False, 0, -1, 2 ** 70, 1.5, float("nan"), float("inf"), -0.0, 1e300, Decimal("1.2300"),
    Decimal("-0"), Decimal("1E+3"), Decimal("0.0001"), TargetKind.PARCEL, Category.OTHER, EvaluationClass.D,
    _Colour.RED, _Colour.BLUE, _Level.HIGH, Decimal("12345678901234567890.5"), dt.date(2024, 2, 29),
    dt.datetime(2024, 1, 2, 3, 4, 5), {"a": [1, "二"]}, [None, 1.0],
    _Str("子类"), object,
]


def _old_stored(changes, user: str, source: str | None) -> list[tuple]:
    """The stored records as record_many made them before the column-wise path (the oracle): record dicts, the
    source named by _name_source, then audit_chain._stored."""
    rows = [{"at": AT, "user": user, "action": action, "object_type": otype, "object_id": oid, "object_label": label or "",
             "before": audit._as_logged(before), "after": audit._as_logged(after), "result": "成功"}
            for action, otype, oid, label, before, after in changes]

    class _Session:
        info = {"audit_source": source} if source else {}

    audit._name_source(_Session, rows)
    return list(audit_chain._stored(rows))


def _as_changes(block: audit.Created) -> list[tuple]:
    """A Created block as the change tuples the import used to build row by row."""
    return [("create", block.object_type, oid, label, None, {"id": oid, **{k: v[i] for k, v in block.columns.items()}})
            for i, (oid, label) in enumerate(zip(block.ids, block.labels))]


@pytest.mark.parametrize("source", [None, "外部表格 名单%s.xlsx（Sheet\"1\"）"])
def test_created_columns_store_byte_for_byte_what_the_per_record_path_stored(source):
    n = len(_AWKWARD)
    columns = {
        "mixed": _AWKWARD,
        "shifted": _AWKWARD[5:] + _AWKWARD[:5],
        "text": [f"第{i}\"%行\\" for i in range(n)],
        "whole": list(range(n)),
        "flags": [i % 2 == 0 for i in range(n)],
        "kinds": [(TargetKind.PARCEL, TargetKind.ENTERPRISE, TargetKind.PARCEL)[i % 3] for i in range(n)],
        "levels": [_Level.HIGH] * n,
        "areas": [Decimal(i) / 7 if i % 4 else None for i in range(n)],
        "search_text": ["left out" for _ in range(n)],  # a bookkeeping column the hook leaves out
        "created_at": [AT] * n,
        "键 \"%s\"": [None] * n,
    }
    block = audit.Created("target", list(range(100, 100 + n)), [f"对象{i}" if i % 3 else "" for i in range(n)], columns)
    at = audit_chain.at_text(AT)
    new = list(audit._created_stored(block, at, "lina", source))
    assert new == _old_stored(_as_changes(block), "lina", source)
    assert [r[4] for r in new] == block.ids and all(r[6] is None and r[2] == "create" for r in new)


def test_created_columns_naming_id_or_the_source_key_fall_back_to_the_per_record_path():
    for extra in ("id", audit.SOURCE_KEY):
        block = audit.Created("evaluation", [1, 2], ["甲", "乙"], {"grade": ["D", "C"], extra: [7, 8]})
        new = list(audit._created_stored(block, audit_chain.at_text(AT), "lina", "来源"))
        assert new == _old_stored(_as_changes(block), "lina", "来源")


def test_no_created_rows_and_no_changes_record_nothing(db):
    before = audit.count(db)
    with db.session() as s:
        audit.record_many(s, [], [audit.Created("target", [], [], {})])
    assert audit.count(db) == before


def _old_record_many(session, changes, created=()):
    """record_many as it was: every record a dict, through audit_chain.append."""
    changes = list(changes) + [c for block in created for c in _as_changes(block)]
    if session.info.get("skip_audit"):
        return
    user = actor(session)
    rows = [{"at": AT, "user": user, "action": a, "object_type": o, "object_id": i, "object_label": label or "",
             "before": audit._as_logged(b), "after": audit._as_logged(af), "result": "成功"}
            for a, o, i, label, b, af in changes]
    audit._name_source(session, rows)
    audit_chain.append(session.connection(), rows)


def _log(ledger: Ledger) -> tuple[list[tuple], tuple]:
    with ledger.reader() as s:
        conn = s.connection()
        rows = conn.exec_driver_sql('SELECT id, at, "user", action, object_type, object_id, object_label, before,'
                                    ' after, result, prev_hash, hash FROM audit_log ORDER BY id').all()
        tip = conn.exec_driver_sql("SELECT last_id, last_hash, count, mac FROM audit_tip").one()
    return [tuple(r) for r in rows], tuple(tip)


def test_a_legacy_import_stores_the_same_records_and_chain_as_the_per_record_writer(db_path, tmp_path, monkeypatch):
    """Two copies of one ledger (one key, towns and two registered targets): the same awkward list imported into
    each, with the old per-record writer on one. Creates, updates, grades and the import's own record: every
    stored field, every hash and the tip are equal, and the chain verifies."""
    setup = Ledger(open_database(db_path))
    try:
        ids = {name: town_service.create_town(setup, name).id for name in TOWNS}
        old_a, old_b, *fresh = samples.firms(8, TOWNS)
        for f, grade in ((old_a, EvaluationClass.C), (old_b, None)):
            target_service.create(setup, target_service.TargetValues(
                name=f.name, town_id=ids[f.town], category=Category.POINT, credit_code=f.code, address="旧地址",
                grade=grade), year=2024)
    finally:
        setup.database.dispose()
    other = shutil.copyfile(db_path, tmp_path / "other.sqlite3")
    rows = [[old_a.name, old_a.code, old_a.town, "12.5", "新地址 \"8\" 号", "D", None],
            [old_b.name, old_b.code, old_b.town, None, "旧地址", "C", "备注%s"]]
    rows += [[f"{f.name}\\%d", f.code, f.town, str(f.land_mu), f"{f.address}😀", "D" if i % 2 else None,
              "" if i % 3 else "备注\u2028二"] for i, f in enumerate(fresh)]
    rows.append(["地块\"无代码\"", None, TOWNS[0], "3", "码头路", None, None])
    path = tmp_path / "list.xlsx"
    samples.write_custom(path, ["企业名称", "统一社会信用代码", "所属镇", "占地面积（亩）", "地址", "综合评价", "备注"], rows)
    monkeypatch.setattr(audit, "utcnow", lambda: AT)
    # the import's own PacketImport row: its id and time the same on both copies
    monkeypatch.setattr(li.uuid, "uuid4", lambda: uuid.UUID(int=12))
    monkeypatch.setattr(li, "PacketImport", lambda **kw: PacketImport(at=AT, **kw))
    logs = []
    for where, writer in ((db_path, audit.record_many), (other, _old_record_many)):
        monkeypatch.setattr(audit, "record_many", writer)
        ledger = Ledger(open_database(where))
        try:
            outcome = li.run_import(ledger, path, kind="enterprises", year=2024)
            assert outcome.applied and (outcome.summary.created, outcome.summary.updated) == (len(fresh) + 1, 2)
            assert audit.check_chain(ledger).intact
            logs.append(_log(ledger))
            with ledger.reader() as s:
                assert s.scalar(select(Target.address).where(Target.name == old_a.name)) == "新地址 \"8\" 号"
        finally:
            ledger.database.dispose()
    (new_rows, new_tip), (old_rows, old_tip) = logs
    kinds = {(r[3], r[4]) for r in new_rows}
    assert {("create", "target"), ("update", "target"), ("create", "evaluation"), ("update", "evaluation")} <= kinds
    assert new_rows == old_rows and new_tip == old_tip


def test_copied_values_are_what_copy_copy_made_and_the_callers_stay_as_typed():
    import copy

    class Sub(target_service.TargetValues):
        pass

    for v in (target_service.TargetValues(name=" 甲 ", town_id=3, land_area_mu=Decimal("1.5"), grade=EvaluationClass.D),
              Sub(name="乙", kind=TargetKind.PARCEL)):
        c = target_service.copied(v)
        assert c is not v and type(c) is type(v) and c == copy.copy(v) and vars(c) == vars(v)
        c.name = "改"
        assert v.name in (" 甲 ", "乙")
    typed = target_service.TargetValues(name=" 甲 ", town_id=3, address=" 路 ")
    cleaned = target_service.clean(typed)
    assert (cleaned.name, cleaned.address, typed.name, typed.address) == ("甲", "路", " 甲 ", " 路 ")


# ---- parse_rows: column-wise, against the row-wise loop it replaced -----------------------------------------


def _old_parse_rows(table, mapping, specs, title_unit, cancel, progress,
                content_fields) -> tuple[list, list[CellProblem]]:
    """parse_rows as it was, row by row (the oracle)."""
    by_key = {s.key: s for s in specs}
    sources = [(by_key[f], src.column, src.unit or (title_unit if f in ("land_area", "target_area") else None))
               for f, src in mapping.fields.items() if f in by_key and src.column is not None]
    defaults, default_problems = lr.mapping_defaults(table, mapping, by_key)
    data = table.data
    total = len(data)
    cells: list[list] = [[] for _ in data]  # per row: (spec key, parsed value or ValidationError, column)
    for k, (spec, c0, unit) in enumerate(sources):
        lr.check_cancel(cancel)
        if progress:
            progress(total * k // max(len(sources), 1), total)
        seen: dict[tuple, object] = {}
        content = spec.key in content_fields
        for n, (_r, values) in enumerate(data):
            value = values[c0] if c0 < len(values) else None
            if lr.is_blank(value):
                continue
            # keyed by type too: 1, 1.0 and True are one dict key but not one cell
            memo = (type(value), value) if type(value) in lr._MEMO_TYPES else None
            result = seen.get(memo, lr._MISSING) if memo else lr._MISSING
            if result is lr._MISSING:
                try:
                    result = lr._parse_value(spec, value, unit)
                except ValidationError as exc:
                    result = exc
                if memo:
                    seen[memo] = result
            cells[n].append((spec.key, result, c0, content))
    parsed = []
    for (r, _values), row in zip(data, cells):  # the old loop's assembly, said as comprehensions
        problems = [CellProblem(table.sheet, r, table.letter(c0), res.message)
                    for _key, res, c0, _content in row if isinstance(res, ValidationError)]
        if problems or any(content for *_cell, content in row):
            got = {key: res for key, res, _c0, _content in row if res is not None and not isinstance(res, ValidationError)}
            parsed.append(lr._Parsed(r, {**got, **{f: v for f, v in defaults.items() if f not in got}}, problems))
    return parsed, default_problems



def _shown(parsed) -> list:
    """Parsed rows with every value's type and repr (Decimal("1.0") and Decimal("1.00") differ)."""
    return [(p.excel_row, [(k, type(v).__name__, repr(v)) for k, v in p.values.items()], p.problems) for p in parsed]


_SPACES = [" ", "\u3000", "\t", "\xa0", "\u200b", "\ufeff", "\u2003", "\n", "\r", "\r\n", "\x0b", "\x1f", "\x85"]


def _awkward_texts(rng: random.Random, n: int) -> list[str]:
    pool = list("甲乙丙 abcＡＢＣ１２３.-/") + _SPACES + ["\u200c", "\u200d", "\u2060"]
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def _old_tidy(text: str) -> str:
    """parse_text's tidying as it was (str.translate for the zero-width characters): the oracle."""
    text = text.translate(numbers.INVISIBLE)
    if "\n" in text or "\r" in text:
        lines = [cell_values._HSPACE.sub(" ", line).strip()
                 for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        return "\n".join(lines).strip("\n")
    return cell_values._HSPACE.sub(" ", text).strip()


def test_a_columns_texts_tidied_together_are_each_text_tidied_alone_as_before():
    rng = random.Random(3)
    for _ in range(300):
        texts = _awkward_texts(rng, rng.randint(0, 30))
        if rng.random() < 0.5:  # most columns hold no line break: the joined path
            texts = [t.replace("\n", " ").replace("\r", " ") for t in texts]
        expected = [_old_tidy(t) for t in texts]
        assert cell_values.tidy_texts(texts) == expected and [cell_values._tidy(t) for t in texts] == expected
        assert [cell_values.parse_text(t, label="名称") for t in texts] == [t or None for t in expected]
    assert cell_values.tidy_texts(["a\x00b", " c "]) == ["a\x00b", "c"]
    assert cell_values.tidy_texts([]) == []


def _awkward_sheet(rng: random.Random) -> list[tuple[int, tuple]]:
    header = ("序号", "企业名称", "统一社会信用代码", "所属镇街", "占地面积（亩）", "建筑面积（㎡）", "法定代表人", "行业",
              "综合评价", "治理类别", "对象类型", "地址", "备注")
    odd = [None, "", " ", "\u200b", "\u3000\u3000", 12.0, 7, True, dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 8, 30),
           CellError("#REF!"), NO_CACHED_VALUE, "x" * (EXCEL_CELL_LIMIT + 1), "名\x00称", "多\n行\r\n文字", _Str("子类")]
    codes = [samples.credit_code(i) for i in range(8)] + [samples.bad_check(samples.credit_code(9)), "9.13205E+17",
             913205000000000000.0, " 91320500 0000000 18 ", "ＡＢ", None]
    areas = ["12.5亩", "8000㎡", "abc", -3, 0, 1e300, "１２", "/", None, 3.25, "1,200"]
    rows = [(1, ("全市企业名单",)), (2, header)]
    for r in range(3, 260):
        name = rng.choice(odd) if rng.random() < 0.3 else rng.choice(_awkward_texts(rng, 1) + [f"企业{r}"])
        line = [r - 2, name, rng.choice(codes), rng.choice(TOWNS + ["城东", " 北山镇 ", "无此镇", None]),
                rng.choice(areas), rng.choice(areas), rng.choice(odd + ["张三"]), rng.choice(["纺织业", "纺织业 ", None]),
                rng.choice(["D", "d类", "X", "Ｃ", None, 4]), rng.choice(["点状问题", "连片", "乱写", None]),
                rng.choice(["企业", "地块", "码头", "船", None]), rng.choice(odd + [f"路{r}号"]), rng.choice(odd)]
        rows.append((r, tuple(line[:rng.randint(1, len(line))])))  # short rows: trailing cells left off
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_parse_rows_column_by_column_gives_what_the_row_wise_loop_gave(seed):
    rng = random.Random(seed)
    table = locate_table(_awkward_sheet(rng), kind="enterprises", sheet="名单")
    for defaults in ({}, {"category": "点状问题", "town": "城东街道"}, {"grade": "乱写"}):
        mapping = propose_mapping(table, "enterprises")
        mapping.defaults.update(defaults)
        if seed == 3:  # a unit from the mapping and from the title
            mapping.fields["land_area"] = dataclasses.replace(mapping.fields["land_area"], unit="m²")
        args = (table, mapping, ENTERPRISE_FIELDS, "m²" if seed == 2 else None, None, None,
                {"name", "credit_code", "land_area", "address", "note"})
        new, new_problems = lr.parse_rows(*args)
        old, old_problems = _old_parse_rows(*args)
        assert _shown(new) == _shown(old) and new_problems == old_problems
        assert len(new) > 100 and any(p.problems for p in new)


# ---- header keys: a body's texts keyed at once, against header_key one by one --------------------------------


def test_str_split_splits_on_exactly_the_characters_backslash_s_matches():
    spaces = re.compile(r"\s")
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if bool(spaces.fullmatch(c)) != c.isspace()] == []


def _old_header_key(text: str) -> str:
    """header_key as it was (a regular expression for the spaces): the oracle."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower()).strip("*※★:：")


def test_texts_keyed_at_once_get_the_keys_they_get_one_by_one():
    rng = random.Random(11)
    pool = (list("企业名称ABCabc１２３ΣσςΑΒ") + ["ΑΣ", "Σ", "İ", "ﬁ", "㎡", "ｶﾞ", "\u0301", "\u0308", "e\u0301", "\u1100",
            "\u1161", "\u11a8", "가", "\u0345", "*", "※", "★", ":", "：", "\u00ad", "'", "\u2028", "\x1c", "\x85"]
            + _SPACES)
    for _ in range(300):
        texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 40))]
        expected = [_old_header_key(t) for t in texts]
        assert header_keys(texts) == expected and [header_key(t) for t in texts] == expected
    assert header_keys(["企业\x00名称", " 名称 "]) == ["企业\x00名称", "名称"]
    assert header_keys(["ΑΣ", "Σ", "ΑΣ Α"]) == ["ας", "σ", "ας" + "α"]


# ---- credit codes: normalised and checked as before ---------------------------------------------------------


def _old_normalize(code) -> str:
    return re.sub(r"\s+", "", str(code).translate(credit_code._FULLWIDTH)).upper()


def _old_problem(code: str) -> str | None:
    if len(code) != 18:
        return f"统一社会信用代码应为18位，现为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in credit_code._INDEX})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）"
    total = sum(credit_code._INDEX[ch] * w for ch, w in zip(code[:17], credit_code.WEIGHTS))
    expected = credit_code.ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为 {expected}，现为 {code[17]}"
    return None


def test_credit_codes_normalise_and_check_as_before():
    rng = random.Random(17)
    codes = [samples.credit_code(i) for i in range(300)]
    pool = list(credit_code.ALPHABET + "IOZSVabcxyz０１ＡＢａｚß-") + ["\u3000", " ", "\t", "\xa0", "\u200b", "\n"]
    texts = codes + [samples.bad_check(c) for c in codes[:50]] + [c.lower() for c in codes[:50]]
    texts += ["".join(rng.choice(pool) for _ in range(rng.choice((17, 18, 18, 18, 19, 0, 5)))) for _ in range(3000)]
    texts += [c[:i] + rng.choice(pool) + c[i + 1:] for c in codes[:100] for i in (0, 9, 17)]
    for text in texts + [None, 9132050000, _Str("91320500mA1X")]:
        assert credit_code.normalize(text) == _old_normalize(text)
        norm = _old_normalize(text)
        assert credit_code.problem(norm) == credit_code.problem.__wrapped__(norm) == _old_problem(norm), norm


# ---- finding the table: rows decided without a per-cell check, against the per-cell checks -----------------


def _sheet_with_everything(rng: random.Random, plain: bool) -> tuple[list[tuple[int, tuple]], list[tuple]]:
    """A list under a title with totals, repeated headers, blank rows, sections and a note; `plain`: only
    enterprises (the rows the fast paths decide alone), yet texts like 计量所 that a totals test must look at."""
    header = ("序号", "企业名称", "统一社会信用代码", "所属镇街", "占地面积（亩）", "地址", "备注")
    rows = [(1, ("全市企业名单（单位：亩）",)), (2, ("填报单位：城东街道",)), (3, header)]
    merged = [(1, 1, 1, 7)]
    r = 4
    for i in range(rng.randint(30, 80)):
        roll = 1 if plain else rng.random()
        if roll < 0.05:
            line = (None, rng.choice(["合计", "小计：", " 总计 ", "累计(1)"]), None, None, 123.5)
        elif roll < 0.1:
            line = rng.choice([header, ("序号", "企业名称", "其他"), (" 企业 名称 ", "所属镇街"), ("企业名称",)])
        elif roll < 0.15:
            line = rng.choice([(" ", "\u3000"), ("",), ()])
        elif roll < 0.18:
            line = (f"{rng.choice(['一', '二', '三'])}、城东街道",)
            merged.append((r, 1, r, 7))
        else:
            odd = ["\u200b", "计量所", "合计公司", None] + ([] if plain else [" "])
            line = (i, rng.choice([f"企业{i}"] + odd), samples.credit_code(i), rng.choice(TOWNS + odd),
                    rng.choice([1.5, "2亩", None]), rng.choice(["路1号", None] + ([] if plain else ["", " "])))
        rows.append((r, line))
        r += 1
    if rng.random() < 0.5:
        rows.append((r, ("注：以上数据截至年底",)))
        rows.append((r + 1, (1, "企业X", samples.credit_code(999), TOWNS[0])))
    return rows, merged


def _table_shown(t) -> tuple:
    return (t.header_rows, t.title_lines, [dataclasses.astuple(c) for c in t.columns], t.data, t.found_header,
            t.skipped)


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_a_table_is_found_as_the_per_cell_checks_find_it(seed, plain, monkeypatch):
    rng = random.Random(seed)
    rows, merged = _sheet_with_everything(rng, plain)
    fast = locate_table(rows, merged, kind="enterprises", sheet="名单")
    real = lt._body_texts
    monkeypatch.setattr(lt, "_body_texts", lambda body, header_texts: lt._BodyTexts(
        real(body, header_texts).is_header, True, True, True))  # every row tested cell by cell, as before
    slow = locate_table(rows, merged, kind="enterprises", sheet="名单")
    assert _table_shown(fast) == _table_shown(slow)
    assert fast.found_header and fast.data
    texts = real({r: list(v) for r, v in fast.data}, set())
    assert not plain or not (texts.any_totals or texts.any_blank)  # the plain sheets take the fast paths


def test_blank_rows_are_the_rows_of_blank_cells():
    for values in [(), (None,), ("",), (" ", "\u3000", None), ("\u200b",), (0,), (None, "x"), (False,), (" a ",)]:
        assert is_blank_row(values) == all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# ---- bulk statements: a column's repeated objects processed once ---------------------------------------------


def test_a_columns_values_are_prepared_as_each_alone_whether_repeated_or_not(db):
    from desktop.services import db as db_module
    from desktop.models import Evaluation

    now = dt.datetime(2025, 1, 2, 3, 4, 5, 6)
    columns = {
        "kind": [TargetKind.PARCEL, TargetKind.ENTERPRISE] * 30, "category": [Category.OTHER] * 60,
        "land_area_mu": [Decimal(i) / 3 for i in range(60)], "building_area_m2": [Decimal("1.5"), None] * 30,
        "credit_code_override": [True, False, False] * 20, "created_at": [now] * 59 + [dt.datetime(2024, 1, 1)],
        "name": [f"企业{i % 3}" for i in range(60)], "town_id": [1] * 60,
    }
    with db.reader() as s:
        conn = s.connection()
        for table, name, values in [(Target.__table__, k, v) for k, v in columns.items()] + [
                (Evaluation.__table__, "grade", [EvaluationClass.D] * 40 + [EvaluationClass.C])]:
            column = table.c[name]
            process = column.type._cached_bind_processor(conn.dialect)
            expected = values if process is None else [process(v) for v in values]
            assert db_module._prepared(conn, column, values) == expected, name
