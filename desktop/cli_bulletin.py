"""`zzb bulletin`: the month's 通报 drafted from the ledger — the towns ranked by verified completion (ties
并列, the next rank skipping), as text, JSON, an .xlsx or a GB/T 9704 PDF (no Qt).

    zzb bulletin --year Y --month M [--json] [-o FILE.pdf|FILE.xlsx]
"""

from __future__ import annotations

import json
import sys

from desktop.cli_common import file_arg, number_arg, opened, year_arg

JSON_KEYS = ("town", "target_mu", "verified_mu", "completion_pct", "parks_started", "late_reports", "rank", "tied")


def register(sub) -> None:
    p = sub.add_parser("bulletin", help="通报：各镇街按已核实完成率排名（并列同名次）",
                       description="按台账生成某月通报：各镇街目标面积、已核实面积、完成率（排名，并列同名次、其后名次顺延）、"
                                   "启动园区、逾期报送次数。-o 写出 .xlsx 或 .pdf（公文格式），并记入操作日志。")
    p.add_argument("--year", type=year_arg(), required=True, metavar="YEAR", help="年度")
    p.add_argument("--month", type=number_arg("parse_month", label="月份"), required=True, metavar="M",
                   help="月份（1–12）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（rows：每个镇街一个对象，按完成率从高到低）")
    p.add_argument("-o", "--output", type=file_arg("输出文件"), metavar="FILE", default=None,
                   help="另写出文件：.xlsx 或 .pdf")
    p.set_defaults(func=_cmd_bulletin)


def row_json(r) -> dict:
    """One town as the contract's plain JSON values (decimals as numbers, None as null)."""
    def num(v):
        return None if v is None else float(v)

    return {"town": r.town, "target_mu": num(r.target_mu), "verified_mu": num(r.verified_mu),
            "completion_pct": num(r.completion_pct), "parks_started": r.parks_started,
            "late_reports": r.late_reports, "rank": r.rank, "tied": r.tied}


def _text(d) -> str:
    from desktop.services.bulletins.bulletin_docs import HEADERS, row_texts

    lines = [d.title, "", "\t".join(HEADERS)]
    lines += ["\t".join(row_texts(r)) for r in d.rows]
    return "\n".join(lines + ["", d.body])


def _cmd_bulletin(args) -> int:
    from pathlib import Path

    from desktop.services.bulletins import bulletin_docs
    from desktop.services.bulletins.bulletin_draft import draft
    from desktop.services.errors import ValidationError

    path = Path(args.output) if args.output else None
    if path is not None and path.suffix.lower() not in (".xlsx", ".pdf"):
        raise ValidationError("输出文件须为 .xlsx 或 .pdf")
    with opened(args.db, args=args) as ledger:
        d = draft(ledger, args.year, args.month)
        if path is not None and path.suffix.lower() == ".xlsx":
            bulletin_docs.write_xlsx(ledger, d, path)
        elif path is not None:
            from desktop.services.excel.excel_common import written_atomically

            pdf = bulletin_docs.bulletin_pdf(ledger, d)
            with written_atomically(path) as tmp:
                tmp.write_bytes(pdf)
    if args.json:
        print(json.dumps({"year": d.year, "month": d.month, "title": d.title,
                          "rows": [row_json(r) for r in d.rows]}, ensure_ascii=False, indent=2))
    else:
        print(_text(d))
    if path is not None:
        print(f"已写出 {path}", file=sys.stderr if args.json else sys.stdout)
    return 0
