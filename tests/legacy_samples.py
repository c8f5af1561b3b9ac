"""Realistic legacy sheets for the importer's tests: what 工信, 税务 and the towns actually send.

Each writer lays a sheet out the way those offices do (title rows, merged two-row headers, totals,
notes at the bottom, numbers stored as text, full-width digits …) and returns where things landed,
so tests can name rows and columns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from desktop.services.credit_code import ALPHABET, check_char

FIRST_NAMES = ("华盛", "永泰", "金鼎", "恒达", "鑫源", "宏远", "新丰", "东升", "瑞祥", "天成", "嘉禾", "盛隆")
TRADES = (("精密机械", "通用设备制造业"), ("纺织", "纺织业"), ("塑料制品", "橡胶和塑料制品业"),
          ("化工", "化学原料和化学制品制造业"), ("五金", "金属制品业"), ("印染", "纺织业"), ("包装材料", "造纸和纸制品业"))
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭"


def credit_code(n: int, region: str = "320500") -> str:
    """A valid 统一社会信用代码 (GB 32100-2015) built from a number: 91 + region + 9 characters + check."""
    body, k = [], n
    for _ in range(9):
        k, d = divmod(k, 31)
        body.append(ALPHABET[d])
    first17 = "91" + region + "".join(reversed(body))
    return first17 + check_char(first17)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    wrong = ALPHABET[(ALPHABET.index(code[17]) + 1) % len(ALPHABET)]
    return code[:17] + wrong


@dataclass
class Firm:
    name: str
    code: str | None
    town: str
    land_mu: Decimal | None
    building_m2: Decimal | None = None
    legal_rep: str = ""
    industry: str = ""
    grade: str = ""
    address: str = ""
    note: str = ""
    land_cert_no: str = ""

    @property
    def land_m2(self) -> Decimal | None:
        return None if self.land_mu is None else (self.land_mu * Decimal(10000) / Decimal(15)).quantize(Decimal("0.01"))


def firms(n: int, towns: list[str], *, seed: int = 1, start: int = 1) -> list[Firm]:
    """n distinct enterprises spread over the towns, with valid codes and round-ish areas."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        trade, industry = TRADES[i % len(TRADES)]
        town = towns[i % len(towns)]
        out.append(Firm(
            name=f"{town[:2]}{FIRST_NAMES[i % len(FIRST_NAMES)]}{trade}有限公司{i}",
            code=credit_code(1000 + i),
            town=town,
            land_mu=Decimal(rng.randrange(200, 9000)) / 100,
            building_m2=Decimal(rng.randrange(500, 20000)),
            legal_rep=rng.choice(SURNAMES) + rng.choice("建国海军华明立新"),
            industry=industry,
            grade="D",
            address=f"{town}工业路{i}号",
        ))
    return out


@dataclass
class Written:
    """Where a writer put things: the path, the sheet, the first data row, and rows by role."""

    path: Path
    sheet: str
    first_data_row: int
    firm_rows: dict[str, int] = field(default_factory=dict)  # firm name → Excel row
    columns: dict[str, str] = field(default_factory=dict)  # role → column letter
    skipped_rows: list[int] = field(default_factory=list)  # totals, blank and note rows


def _text(ws, row: int, col: int, value) -> None:
    c = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # a sheet from another office: text stays text


def write_d_class_list(path: Path, items: list[Firm], *, title_town: str = "城东街道", year: int = 2024,
                       quirks: bool = True) -> Written:
    """工信's D-class list: a merged title, a 填报单位 line, a two-row header with 占地面积 over 亩 / 平方米,
    a 小计 and a 合 计 row, a blank row, a 备注 note and a signature footer.

    With `quirks`, the first rows carry what clerks type: full-width digits, “12.5亩”, numbers stored as
    text, a lower-case code with spaces, a town with an ideographic space.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "D类企业"
    headers = ["序号", "企业名称", "统一社会信用代码", "所属镇", "占地面积", None, "建筑面积（㎡）", "法定代表人",
               "行业", "综合评价", "备注"]
    last = get_column_letter(len(headers))
    _text(ws, 1, 1, f"{year}年{title_town}D类企业名单")
    ws.merge_cells(f"A1:{last}1")
    _text(ws, 2, 1, f"填报单位：{title_town}经济发展局（盖章）")
    ws.merge_cells("A2:F2")
    _text(ws, 2, 7, f"填报日期：{year}年3月5日")
    ws.merge_cells(f"G2:{last}2")
    for j, h in enumerate(headers, start=1):
        if h:
            _text(ws, 3, j, h)
    for j, h in enumerate(headers, start=1):
        col = get_column_letter(j)
        if h and h != "占地面积":
            ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("E3:F3")
    _text(ws, 4, 5, "亩")
    _text(ws, 4, 6, "平方米")
    out = Written(path, ws.title, 5, columns={"name": "B", "code": "C", "town": "D", "mu": "E", "m2": "F",
                                             "building": "G", "grade": "J"})
    row = 5
    half = len(items) // 2
    for i, f in enumerate(items):
        if i == half and half:
            _text(ws, row, 2, "小计")
            ws.cell(row=row, column=5, value=float(sum((x.land_mu or 0) for x in items[:half])))
            out.skipped_rows.append(row)
            row += 1
            out.skipped_rows.append(row)  # a blank row (nothing written)
            row += 1
        mu, m2 = f.land_mu, f.land_m2
        values = [i + 1, f.name, f.code, f.town, float(mu) if mu is not None else None,
                  float(m2) if m2 is not None else None, float(f.building_m2) if f.building_m2 is not None else None,
                  f.legal_rep, f.industry, f.grade, f.note]
        if quirks:
            if i == 0:
                values[4] = str(mu).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})  # full width
            elif i == 1:
                values[4] = f"{mu}亩"
            elif i == 2:
                values[4] = str(mu)  # a number stored as text
                values[5] = f"{m2}"
                values[6] = f"{f.building_m2}"
            elif i == 3:
                values[2] = " " + f.code.lower()[:9] + " " + f.code.lower()[9:] + " "
            elif i == 4:
                values[3] = f.town + "\u3000"
                values[1] = " " + f.name + "\xa0"
        for j, v in enumerate(values, start=1):
            if v not in (None, ""):
                _text(ws, row, j, v)
        out.firm_rows[f.name] = row
        row += 1
    _text(ws, row, 1, "合 计")
    ws.merge_cells(f"A{row}:D{row}")
    ws.cell(row=row, column=5, value=float(sum((x.land_mu or 0) for x in items)))
    out.skipped_rows.append(row)
    row += 2
    _text(ws, row, 1, "备注：1. 本名单依据2022年度工业企业综合效益评价结果；2. 面积以不动产权证为准。")
    ws.merge_cells(f"A{row}:{last}{row}")
    out.skipped_rows.append(row)
    row += 1
    _text(ws, row, 2, "填报人：张三")
    _text(ws, row, 8, "审核人：李四")
    out.skipped_rows.append(row)
    wb.save(path)
    return out


TAX_HEADERS = ["序号", "纳税人识别号", "纳税人名称", "法定代表人（负责人）", "生产经营地址", "行业", "街道乡镇",
               "用地面积（平方米）", "登记注册类型", "主管税务所（科、分局）"]


def write_tax_list(path: Path, items: list[Firm], *, sheet: str = "Sheet1") -> Written:
    """The tax bureau's list: one title row, other headers, land area in m², numbers as numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    _text(ws, 1, 1, "2024年度工业企业用地及税收情况表")
    ws.merge_cells("A1:J1")
    for j, h in enumerate(TAX_HEADERS, start=1):
        _text(ws, 2, j, h)
    out = Written(path, sheet, 3, columns={"code": "B", "name": "C", "town": "G", "m2": "H"})
    for i, f in enumerate(items):
        r = 3 + i
        values = [i + 1, f.code, f.name, f.legal_rep, f.address, f.industry, f.town,
                  float(f.land_m2) if f.land_m2 is not None else None, "有限责任公司", f"第{i % 3 + 1}税务所"]
        for j, v in enumerate(values, start=1):
            if v not in (None, ""):
                _text(ws, r, j, v)
        out.firm_rows[f.name] = r
    wb.save(path)
    return out


def write_town_ledger(path: Path, items: list[Firm], *, sheet: str = "台账") -> Written:
    """A town's ledger: 企业信息 merged over 名称 / 信用代码, the town merged down over its enterprises,
    section rows “一、城东街道” across the table."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    _text(ws, 1, 1, "低效用地企业台账")
    ws.merge_cells("A1:G1")
    top = ["序号", "企业信息", None, "镇街", "占地面积（亩）", "地址", "备注"]
    for j, h in enumerate(top, start=1):
        if h:
            _text(ws, 2, j, h)
    ws.merge_cells("B2:C2")
    for col in "ADEFG":
        ws.merge_cells(f"{col}2:{col}3")
    _text(ws, 3, 2, "名称")
    _text(ws, 3, 3, "信用代码")
    out = Written(path, sheet, 4, columns={"name": "B", "code": "C", "town": "D", "mu": "E"})
    row = 4
    by_town: dict[str, list[Firm]] = {}
    for f in items:
        by_town.setdefault(f.town, []).append(f)
    numerals = "一二三四五六七八九十"
    for k, (town, group) in enumerate(by_town.items()):
        _text(ws, row, 1, f"{numerals[k % 10]}、{town}")
        ws.merge_cells(f"A{row}:G{row}")
        out.skipped_rows.append(row)
        row += 1
        first = row
        for i, f in enumerate(group):
            _text(ws, row, 1, i + 1)
            _text(ws, row, 2, f.name)
            if f.code:
                _text(ws, row, 3, f.code)
            if f.land_mu is not None:
                ws.cell(row=row, column=5, value=float(f.land_mu))
            _text(ws, row, 6, f.address)
            out.firm_rows[f.name] = row
            row += 1
        _text(ws, first, 4, town)
        if row - 1 > first:
            ws.merge_cells(f"D{first}:D{row - 1}")
    wb.save(path)
    return out


def write_custom(path: Path, header: list[str], rows: list[list], *, sheet: str = "Sheet1",
                 title: str | None = "外部表格") -> Written:
    """Any one-row header with the given rows below (None leaves a cell empty), under an optional title."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    r = 1
    if title:
        _text(ws, 1, 1, title)
        ws.merge_cells(f"A1:{get_column_letter(max(len(header), 2))}1")
        r = 2
    for j, h in enumerate(header, start=1):
        _text(ws, r, j, h)
    out = Written(path, sheet, r + 1)
    for i, values in enumerate(rows):
        for j, v in enumerate(values, start=1):
            if v is not None:
                _text(ws, r + 1 + i, j, v)
    out.columns = {h: get_column_letter(j) for j, h in enumerate(header, start=1)}
    wb.save(path)
    return out


def write_task_table(path: Path, targets: list[tuple[str, object, object]], *, year: int = 2024) -> Written:
    """附件1 任务分解表: “附件1”, the title, “单位：亩、个”, a header, the towns and a 合计 row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附件1"
    _text(ws, 1, 1, "附件1")
    _text(ws, 2, 1, f"{year}年度全市“危污乱散低”专项治理任务分解表")
    ws.merge_cells("A2:D2")
    _text(ws, 3, 4, "单位：亩、个")
    for j, h in enumerate(["序号", "镇（区、街道）", "目标任务面积（亩）", "老旧工业园区连片整治（个）"], start=1):
        _text(ws, 4, j, h)
    out = Written(path, ws.title, 5, columns={"town": "B", "area": "C", "parks": "D"})
    r = 5
    for i, (town, area, parks) in enumerate(targets):
        _text(ws, r, 1, i + 1)
        _text(ws, r, 2, town)
        if area is not None:
            _text(ws, r, 3, area)
        if parks is not None:
            _text(ws, r, 4, parks)
        out.firm_rows[town] = r
        r += 1
    _text(ws, r, 2, "合计")
    out.skipped_rows.append(r)
    wb.save(path)
    return out


def write_big_list(path: Path, n: int, towns: list[str], *, seed: int = 7) -> list[Firm]:
    """A plain n-row list (xlsxwriter, fast) for the speed check: title, header, rows."""
    import xlsxwriter

    items = firms(n, towns, seed=seed)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "constant_memory": True})
    ws = wb.add_worksheet("名单")
    ws.write_string(0, 0, "全市低效企业名单")
    header = ["序号", "企业名称", "统一社会信用代码", "所属镇街", "占地面积（亩）", "建筑面积（㎡）", "法定代表人",
              "行业", "综合评价", "地址"]
    for j, h in enumerate(header):
        ws.write_string(1, j, h)
    for i, f in enumerate(items):
        r = i + 2
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, f.name)
        ws.write_string(r, 2, f.code)
        ws.write_string(r, 3, f.town)
        ws.write_number(r, 4, float(f.land_mu))
        ws.write_number(r, 5, float(f.building_m2))
        ws.write_string(r, 6, f.legal_rep)
        ws.write_string(r, 7, f.industry)
        ws.write_string(r, 8, f.grade)
        ws.write_string(r, 9, f.address)
    wb.close()
    return items


def with_changes(f: Firm, **kw) -> Firm:
    return replace(f, **kw)
