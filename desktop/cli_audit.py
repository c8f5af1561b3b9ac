"""`zzb audit`: verify the audit chain against its tip, export a period of the log (no Qt)."""

from __future__ import annotations

import json
import sys

from desktop.cli_common import checked_before_login, cli_date, file_arg, opened


def register(sub) -> None:
    p = sub.add_parser("audit", help="操作日志：校验哈希链、导出一段时间的记录",
                       description="操作日志的校验和导出。")
    commands = p.add_subparsers(title="命令", metavar="命令", dest="audit_command", parser_class=type(p), required=True)

    v = commands.add_parser("verify", help="校验操作日志哈希链和链尾记录",
                            description="重新计算每条记录的带密钥哈希，并核对链尾记录（最新记录、条数）。"
                                        "全部一致时退出码 0；有记录被改动、最新的记录被删除或本机没有审计密钥时退出码 1。")
    v.add_argument("--json", action="store_true", help="以 JSON 输出（一个对象）")
    v.set_defaults(func=_cmd_verify)

    e = commands.add_parser("export", help="把一段时间的操作日志导出为 Excel",
                            description="导出起止日期之间（含两端，本地日期）的操作日志；导出本身也记入操作日志。")
    e.add_argument("--from", dest="since", metavar="DATE", required=True, help="起始日期（YYYY-MM-DD）")
    e.add_argument("--to", dest="until", metavar="DATE", required=True, help="截止日期（YYYY-MM-DD）")
    e.add_argument("-o", "--output", type=file_arg("输出文件"), metavar="FILE", required=True, help="输出文件（.xlsx）")
    e.set_defaults(func=_cmd_export)


def _cmd_verify(args) -> int:
    from desktop.services import audit

    ledger, check = checked_before_login(args.db, audit.check_chain, args=args)
    ledger.dispose()
    if args.json:
        print(json.dumps({"ok": check.intact, "problem": check.problem or None, "first_broken_id": check.broken_id,
                          "deleted_newest": check.deleted, "records": check.total, "last_id": check.last_id,
                          "tip_id": check.tip_id, "head": check.head, "message": check.message},
                         ensure_ascii=False, indent=2))
    else:
        print(check.message, file=sys.stdout if check.intact else sys.stderr)
    return 0 if check.intact else 1


def _cmd_export(args) -> int:
    from pathlib import Path

    from desktop.services import audit
    from desktop.services.errors import ValidationError

    since, until = cli_date(args.since, "起始日期"), cli_date(args.until, "截止日期")
    if since > until:
        raise ValidationError("起始日期不能晚于截止日期")
    path = Path(args.output)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("输出文件须为 .xlsx")
    from desktop.services.accounts import permissions

    with opened(args.db, args=args) as ledger:
        permissions.require(ledger, "audit_export")
        n = audit.export(ledger, path, audit.AuditFilter(since=since, until=until))
    print(f"已导出 {n} 条操作日志（{since:%Y-%m-%d} 至 {until:%Y-%m-%d}）：{path}")
    return 0
