"""`zzb exam list`: every 综合体检 case with its enterprise, town, stage, units and overdue duties (no Qt)."""

from __future__ import annotations

import json

from desktop.cli_common import cli_date, opened


def register(sub) -> None:
    p = sub.add_parser("exam", help="综合体检：列出体检案例", description="综合体检（附件2）案例。")
    commands = p.add_subparsers(title="命令", metavar="命令", dest="exam_command", parser_class=type(p), required=True)
    ls = commands.add_parser("list", help="列出全部综合体检（企业、镇街、阶段、参与单位、逾期事项数）",
                             description="列出全部综合体检，最新的在前。逾期事项：参与单位的体检问题清单、书面报告、"
                                         "整改进展报告和问题整改期限中，截至日期已过而未完成的项数。")
    ls.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="逾期的截至日期（默认今天）")
    ls.add_argument("--json", action="store_true",
                    help="以 JSON 输出：对象列表，键为 id、enterprise、town、stage、units（单位名称列表）、overdue（整数）")
    ls.set_defaults(func=_cmd_list)


def _cmd_list(args) -> int:
    from desktop.services.exams import exam_service

    as_of = cli_date(args.as_of, "截至日期") if args.as_of else None
    with opened(args.db, as_of=as_of, args=args) as ledger:
        rows = exam_service.list_rows(ledger)
    if args.json:
        print(json.dumps([{"id": r.id, "enterprise": r.enterprise, "town": r.town, "stage": r.stage.label,
                           "units": list(r.units), "overdue": r.overdue} for r in rows], ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r.id}\t{r.enterprise}\t{r.town}\t{r.stage.label}\t{'、'.join(r.units) or '—'}\t逾期 {r.overdue} 项")
    print(f"共 {len(rows)} 个综合体检，{sum(1 for r in rows if r.overdue)} 个有逾期事项")
    return 0
