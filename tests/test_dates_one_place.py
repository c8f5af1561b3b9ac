"""A printed date (2024年3月5日, GB/T 9704: Arabic numerals, no leading zeros) is written by one function,
dates.cn_date; no module under desktop/ spells the format out again."""

from __future__ import annotations

import re
from pathlib import Path

import desktop

# {x.year}年{x.month}月{x.day}日 in an f-string, whatever the variable is called
SPELLED_OUT = re.compile(r"\{[\w.]+\.year\}年\{[\w.]+\.month\}月\{[\w.]+\.day\}日")


def test_the_chinese_date_is_written_only_by_dates_cn_date():
    root = Path(desktop.__file__).parent
    found = [f"{path.relative_to(root.parent)}:{n}"
             for path in sorted(root.rglob("*.py")) if path != root / "services" / "dates.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if SPELLED_OUT.search(line)]
    assert found == [], "use desktop.services.dates.cn_date instead of spelling the date out: " + ", ".join(found)


def test_cn_date_has_no_leading_zeros():
    import datetime as dt

    from desktop.services.dates import cn_date

    assert cn_date(dt.date(2024, 3, 5)) == "2024年3月5日"
    assert SPELLED_OUT.search('f"{day.year}年{day.month}月{day.day}日"')
