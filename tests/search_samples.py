"""A register made for comparing the indexed search with the plain LIKE scan (tests/test_search_index.py
and the PostgreSQL test): Chinese names, credit codes, addresses, and the awkward characters."""

from __future__ import annotations

import random

from sqlalchemy import insert, select

from desktop.models import Target
from desktop.models.enums import Category, TargetKind, TargetState
from desktop.services.search_index import term_conditions
from desktop.services.search_text import search_text_for
from desktop.services.towns import town_service

ODD = [  # name, credit code, address: LIKE's wildcards, quotes, upper case, full width, FTS5 syntax
    ("百分之百%化工有限公司", None, "东港镇工业路8号"),
    ("下划线_精密铸造厂", None, "西山镇滨江路"),
    ("O'Brien贸易有限公司", "91320500MA1XYQ1234", "南湖街道“和平”路1号"),
    ('He said "hi" 科技', None, "北塘镇 AND OR NOT 路"),
    ("ＡＢＣ全角制品厂", None, "东港镇（工业园）2-3号"),
    ("ABC Trading Co", "91320500MA1ABC0000", "东港镇*星^路:7号"),
    ("东港", None, "港"),
]
SYLLABLES = "东港西山南湖北塘宏达精密铸造化工纸箱五金制品机械纺织印染建材塑料电子新材料科技实业贸易有限公司厂"
ROADS = ["工业路", "滨江路", "园区路", "纸厂路", "人民路", "环城东路", "开发大道"]


def rows(n: int = 300, seed: int = 12) -> list[tuple[str, str | None, str]]:
    rnd = random.Random(seed)
    out = list(ODD)
    for i in range(n):
        name = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(3, 8))) + rnd.choice(["有限公司", "厂", ""])
        code = f"91320{rnd.randint(100, 999)}MA{i:04d}{rnd.choice('ABCDXY')}{rnd.randint(100, 999)}" if i % 3 else None
        address = f"{rnd.choice(['东港镇', '西山镇', '南湖街道', '北塘镇'])}{rnd.choice(ROADS)}{rnd.randint(1, 300)}号"
        out.append((f"{name}{i}", code, address))
    return out


def queries(sample: list[tuple[str, str | None, str]], seed: int = 5) -> list[str]:
    """1, 2, 3 and more characters from the start, middle and end of names, codes and addresses; Chinese,
    digits, mixed, several terms, and the characters LIKE, SQL and FTS5 treat specially."""
    rnd = random.Random(seed)
    out = ["%", "_", "'", '"', "o'b", 'said "hi', "“和平”", "100%", "%化", "_精", "有限公司", "公司", "公", "港", "东港",
           "91", "9132", "ma1", "MA1XYQ", "abc", "ａｂｃ", "and or", "*星^路:7", "（工业园）", "2-3", "8号", "号",
           "不存在的企业", "zz", "东港 8号", "化工 913", "有限 路", "公 司 厂", "e s"]
    for name, code, address in rnd.sample(sample, 25):
        for text in (name, code or name, address):
            for size in (1, 2, 3, 5):
                start = rnd.choice([0, max(0, len(text) - size), rnd.randrange(max(1, len(text) - size + 1))])
                out.append(text[start:start + size])
    return out


def load(ledger) -> list[int]:
    """Two towns and the sample targets, inserted in bulk as the importers and the sample city do."""
    sample = rows()
    towns = [town_service.create_town(ledger, name).id for name in ("东港镇", "西山镇")]
    with ledger.session() as s:
        s.execute(insert(Target.__table__), [
            {"kind": TargetKind.ENTERPRISE, "name": name, "town_id": towns[i % 2], "category": Category.OTHER,
             "state": TargetState.PENDING, "credit_code": code, "address": address, "credit_code_override": False,
             "search_text": search_text_for(name, code, address)}
            for i, (name, code, address) in enumerate(sample)])
        return list(s.scalars(select(Target.id)))


def ordered_ids(conn, terms: list[str], *, indexed: bool) -> list[int]:
    q = select(Target.id).where(*term_conditions(conn, terms, indexed=indexed)).order_by(Target.name, Target.id)
    return list(conn.execute(q).scalars())
