"""`zzb`: the program without a window — the same services, no Qt imported.

    zzb [--db PATH|URL] [--selftest] [gui [--selftest] | init | demo | check | backup | restore FILE]
        [deadlines [--town NAME] [--json] | workdays add DATE N]
        [export-packet … | import-packet FILE … | import-legacy FILE …]  (see desktop/cli_excel.py)

Exit codes: 0 ok, 1 refused or failed (nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from decimal import Decimal
from pathlib import Path

from desktop import APP_NAME, __version__, cli_audit, cli_bulletin, cli_exam, cli_excel, cli_print, cli_users, paths
from desktop import cli_scoring
from desktop.cli_common import NO_ADMIN, checked_before_login, cli_date, log_in, missing_file, number_arg, open_existing, \
    opened, require_accounts, year_arg

LOG_NAME = paths.LOG_NAME

# argparse's own messages, in Chinese (the rest of its output is ours).
_ARGPARSE_ZH = [
    ("the following arguments are required", "缺少参数"),
    ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的选项"),
    ("choose from", "可选"),
    ("expected one argument", "需要一个参数"),
    ("invalid int value", "不是整数"),
    ("argument ", "参数 "),
]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)

    def _format_action(self, action):
        text = super()._format_action(action)
        if isinstance(action, argparse._SubParsersAction):  # drop the bare "命令" line above the list
            text = text.split("\n", 1)[1]
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message):
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n")


class _SubParser(_Parser):
    """A command's parser: also accepts --db after the command (zzb check --db FILE)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS, help="数据库（同全局选项 --db）")
        self.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help="登录的账户（同全局选项 --user）")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zzb",
        description=f"{APP_NAME}：“危污乱散低”专项治理台账。不带命令时打开程序窗口。",
        epilog="退出码：0 成功；1 输入被拒绝或操作失败（未写入任何内容）；2 用法错误。\n"
               "数据库默认位于用户数据文件夹，可用环境变量 ZZB_DB 或 --db 指定。",
    )
    parser.add_argument("--db", metavar="PATH|URL", default=None,
                        help="数据库文件路径或 PostgreSQL 连接串（默认：环境变量 ZZB_DB，否则用户数据文件夹中的 ledger.sqlite3）")
    parser.add_argument("--user", metavar="NAME", default=None,
                        help="登录的账户（默认：环境变量 ZZB_USER）；密码取自环境变量 ZZB_PASSWORD，或在终端中输入")
    parser.add_argument("--version", action="version", version=f"zzb {__version__}", help="显示版本号并退出")
    parser.add_argument("--selftest", action="store_true",
                        help="同 gui --selftest：打开数据库，在后台渲染主窗口后退出（成功时退出码 0）")
    parser.set_defaults(func=_cmd_gui)
    sub = parser.add_subparsers(title="命令", metavar="命令", dest="command", parser_class=_SubParser)

    p = sub.add_parser("gui", help="打开程序窗口（默认）", description="打开程序窗口。")
    p.add_argument("--selftest", action="store_true", default=argparse.SUPPRESS,
                   help="自检：打开数据库，在后台渲染主窗口后退出（成功时退出码 0）")
    p.set_defaults(func=_cmd_gui)

    p = sub.add_parser("init", help="新建或升级数据库并写入初始数据", description="新建或升级数据库，写入首个年度参数和成员单位。")
    p.add_argument("--admin", metavar="NAME", default=None,
                   help="在没有账户的数据库中建立首个系统管理员（密码取自 ZZB_PASSWORD，或在终端中输入两次）")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("demo", help="载入示例数据（虚构城市）", description="向空数据库载入一个虚构城市的示例数据。已有镇街或治理对象时拒绝。")
    p.add_argument("--enterprises", type=number_arg("parse_int", label="治理对象数量"), default=300, metavar="N",
                   help="治理对象数量（约九成为企业，默认 300）")
    p.add_argument("--seed", type=number_arg("parse_int", label="随机种子", maximum=None), default=2024,
                   metavar="S", help="随机种子：同一种子生成相同数据（默认 2024）")
    p.add_argument("--year", type=year_arg(), default=None, metavar="YEAR", help="年度（默认当前年度）")
    p.add_argument("--admin", metavar="NAME", default=None,
                   help="在没有账户的数据库中建立首个系统管理员（密码取自 ZZB_PASSWORD，或在终端中输入两次）")
    p.add_argument("--years", type=number_arg("parse_int", label="年度数", maximum=10), default=1, metavar="N",
                   help="连续年度数：大于 1 时补上此前各年度，每年约 1200 条清单条目（默认 1）")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("check", help="检查数据库（完整性、版本、数量、操作日志）",
                       description="检查数据库：SQLite 完整性检查、数据库版本、主要数据数量、操作日志哈希链。全部正常时退出码 0。")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（一个对象）")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("backup", help="备份数据库和附件", description="把数据库（一致性副本）和全部附件备份为一个文件"
                       "（.zzbak，附校验清单；程序运行时也可以；不改动数据库本身）。")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="备份文件路径（默认：备份文件夹中带时间的 .zzbak 文件名）")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复数据库",
                       description="用备份文件替换当前数据库的内容：先检查文件，再自动备份当前数据库，"
                                   "必要时升级，并记入操作日志。请先关闭正在使用该数据库的程序窗口。")
    p.add_argument("file", metavar="FILE", help="备份文件（.zzbak，或旧版的 .sqlite3 备份）")
    p.add_argument("--force", action="store_true", help="备份文件的操作日志未通过校验时仍然恢复（会打印警告并记入日志）")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("quota-ledger", help="周转指标库台账（每笔预借的余额、期限、逾期与使用费）",
                       description="打印周转指标库台账：每笔预借的镇街、国企、预借与归还面积、余额、归还期限、"
                                   "逾期天数和指标使用费（四(三)）。")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（每笔预借一个对象的列表）")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="截至日期（默认今天）")
    p.add_argument("--town", metavar="NAME", default=None, help="只列出该镇街的预借")
    p.set_defaults(func=_cmd_quota_ledger)

    p = sub.add_parser("deadlines", help="期限：月度报送、核实、指标归还、协议备案、综合体检等到期事项",
                       description="打印期限页所列的到期事项（默认不含已完成的），最紧急的在前：已逾期、"
                                   "5个工作日内到期、无法计算（节假日安排未录入）、未到期。")
    p.add_argument("--town", metavar="NAME", default=None, help="只列出该镇街的事项")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="截至日期（默认今天）")
    p.add_argument("--all", action="store_true", help="也列出已完成的事项")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（每个事项一个对象的列表，日期为 ISO 格式）")
    p.set_defaults(func=_cmd_deadlines)

    p = sub.add_parser("workdays", help="工作日计算（按数据库中的节假日安排）",
                       description="按数据库中的节假日安排（含调休上班）计算工作日。")
    wsub = p.add_subparsers(title="命令", metavar="命令", dest="workdays_command", required=True,
                            parser_class=_SubParser)
    w = wsub.add_parser("add", help="DATE 之后第 N 个工作日",
                        description="打印“DATE 起 N 个工作日内”的最后一天：从 DATE 的次日起数到第 N 个工作日"
                                    "（DATE 当天不计）。节假日安排未覆盖所需年份时退出码 1。")
    w.add_argument("date", metavar="DATE", help="起算日期，如 2025-01-24")
    w.add_argument("n", metavar="N", help="工作日数（正整数）")
    w.set_defaults(func=_cmd_workdays_add)

    cli_excel.register(sub)
    cli_users.register(sub)
    cli_audit.register(sub)
    cli_print.register(sub)
    cli_exam.register(sub)
    cli_bulletin.register(sub)
    cli_scoring.register(sub)
    return parser


# ---- commands -------------------------------------------------------------------------------


def _cmd_gui(args) -> int:
    from desktop.app import run_gui  # loads Qt: only here

    return run_gui(args.db, selftest=args.selftest)


def _cmd_init(args) -> int:
    from desktop.services import maintenance_service

    admin = cli_users.before_first_run(args)
    r = maintenance_service.init_database(args.db)
    print(f"数据库：{r.database}")
    if r.file_created:
        print("已新建数据库文件。")
    if r.revision_before and r.revision_before != r.revision:
        print(f"已升级数据库版本：{r.revision_before} → {r.revision}（升级前已自动备份）")
    if r.seeded:
        print("已写入首个年度参数和成员单位。")
    else:
        print("数据库已初始化，无需写入。")
    print(f"数据库版本：{r.revision}")
    if admin:
        cli_users.create_first_admin(args.db, admin)
    return 0


def _progress_printer():
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = done * 100 // total if total else 100
        if pct != last[0]:
            last[0] = pct
            print(f"\r正在写入示例数据… {pct}%", end="" if pct < 100 else "\n", file=sys.stderr, flush=True)

    return show


def _mu(value: Decimal) -> str:
    return f"{value:,.2f}"


def _cmd_demo(args) -> int:
    from desktop.services import setup_service
    from desktop.services.demo import demo_service
    from desktop.services.ledger import open_ledger
    from desktop.services.maintenance_service import display_url

    admin = cli_users.before_first_run(args)
    database = open_ledger(args.db)
    try:
        setup_service.initialize(database)
        if admin:
            cli_users.create_first_admin(args.db, admin)
        s = demo_service.generate(database, enterprises=args.enterprises, seed=args.seed, year=args.year,
                                  years=args.years, progress=_progress_printer())
    finally:
        database.dispose()
    print(f"已载入示例数据（{s.year}年度，种子 {s.seed}，用时 {s.seconds:.1f} 秒）：{display_url(database.url)}")
    print(f"  镇街 {s.towns} 个，市级国企 {s.soes} 家，连片整治片区 {s.parks} 个（本年已启动 {s.parks_started} 个）")
    print(f"  企业 {s.enterprises} 家，地块 {s.parcels} 宗，综合评价 {s.evaluations} 条")
    print(f"  年度清单 {s.lists} 份，清单条目 {s.entries} 条，治理方案 {s.plans} 份")
    if s.extra.get("years", 1) > 1:
        print(f"  共 {s.extra['years']} 个年度：清单 {s.extra['all_lists']} 份，条目 {s.extra['all_entries']} 条，"
              f"月度报送 {s.extra.get('monthly_reports', 0)} 份，核实 {s.extra.get('verifications', 0)} 条，"
              f"周转指标借用 {s.extra.get('quota_loans', 0)} 笔")
    if s.extra.get("examinations"):
        print(f"  综合体检 {s.extra['examinations']} 个（体检问题 {s.extra['exam_issues']} 个）")
    states = "，".join(f"{k} {v}" for k, v in s.entries_by_state.items())
    print(f"  条目状态：{states}")
    print(f"  年度目标 {_mu(s.city_target_mu)} 亩；列入清单 {_mu(s.listed_area_mu)} 亩"
          f"（连片 {_mu(s.contiguous_area_mu)} 亩）；已核实 {_mu(s.verified_area_mu)} 亩")
    return 0


def _cmd_check(args) -> int:
    from desktop.services import maintenance_service

    database, report = checked_before_login(args.db, maintenance_service.check, args=args, migrate=False)
    database.dispose()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    ok = "正常"
    print(f"数据库：{report.database}")
    print(f"完整性检查：{ok if report.integrity_ok else '未通过 — ' + '；'.join(report.integrity[:5])}")
    print(f"数据库版本：{report.revision or '无'}（程序版本 {report.head}）{'' if report.schema_ok else ' — 需要升级'}")
    if report.counts:
        labels = maintenance_service.COUNT_LABELS
        print("数据数量：" + "，".join(f"{labels[k]} {v}" for k, v in report.counts.items()))
    if report.audit_intact is not None:
        print(f"操作日志哈希链：{'完整' if report.audit_intact else '断裂 — ' + report.audit_message}")
    if report.ok:
        print("结论：正常")
        return 0
    print("结论：发现问题", file=sys.stderr)
    for p in report.problems:
        print(f"  - {p}", file=sys.stderr)
    return 1


def _cmd_backup(args) -> int:
    from sqlalchemy.orm import sessionmaker

    from desktop.services import backup_service, maintenance_service
    from desktop.services.accounts import permissions
    from desktop.services.db import Database, is_sqlite, make_engine, sqlite_path, to_url
    from desktop.services.errors import Refused
    from desktop.services.ledger import Ledger

    url = to_url(args.db)
    if not is_sqlite(url):
        raise Refused("备份只适用于本机数据库文件。" + maintenance_service.SERVER_BACKUP_HINT)
    missing = missing_file(url)
    if missing:
        raise Refused(f"数据库文件不存在：{missing}")
    path = sqlite_path(url)
    # A write-protected ledger cannot take a login record: the password is checked on a read-only view of
    # the file, and the backup's own copy records who made it.
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        from desktop.services.accounts import accounts_service

        checker = _read_only_ledger(path)
        try:
            if not accounts_service.has_accounts(checker):
                raise Refused(NO_ADMIN)
            acting = log_in(checker, args, read_only=True)
        finally:
            checker.dispose()
    else:
        require_accounts(url)
        checker = open_existing(url, args=args, migrate=False)
        acting = checker
        checker.dispose()
    # Not opened (a write-protected ledger cannot be): the backup reads the file itself, read-only.
    database = Ledger(Database(url, make_engine(url), sessionmaker()), user=acting.user, role=acting.role)
    try:
        permissions.require(database, "backup")
        result = backup_service.backup(database, args.output)
    finally:
        database.dispose()
    print(f"已备份到：{result.path}（{result.size / 1024 / 1024:.1f} MB，含附件 {result.attachments} 个，已校验）")
    if result.missing:
        print(f"警告：{len(result.missing)} 个附件文件缺失或已损坏，未能备份：{'、'.join(result.missing[:5])}", file=sys.stderr)
    return 0


def _read_only_ledger(path: Path):
    """A ledger over a file that cannot be written: opened immutable, so SQLite needs no -shm beside it."""
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from desktop.services.db import Database
    from desktop.services.ledger import Ledger

    uri = f"file:{path.resolve().as_posix()}?immutable=1"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    return Ledger(Database(f"sqlite:///{path}", engine, sessionmaker(bind=engine, expire_on_commit=False)))


def _cmd_restore(args) -> int:
    from desktop.services import backup_service

    cli_users.before_restore(args)
    r = backup_service.restore(args.db, args.file, force=args.force)
    if not r.chain_intact:
        print(f"警告：备份文件的操作日志未通过校验（{r.chain_message}），已按 --force 恢复并记入日志。", file=sys.stderr)
    if r.attachments_added:
        print(f"已恢复附件文件 {r.attachments_added} 个")
    if r.safety_backup:
        print(f"已先备份当前数据库：{r.safety_backup}")
    print(f"已从 {r.source} 恢复到 {r.database}")
    if r.migrated:
        print(f"备份文件的数据库版本 {r.source_revision} 较旧，已升级到 {r.revision}")
    print("已记入操作日志。")
    return 0


def _cmd_quota_ledger(args) -> int:
    from desktop.services.quota import quota_service
    from desktop.services.towns import town_service

    as_of = quota_service.parse_iso_date(args.as_of, label="截至日期") if args.as_of else None
    with opened(args.db, as_of=as_of, args=args) as database:
        town_id = town_service.id_by_name(database, args.town) if args.town else None
        report = quota_service.ledger_report(database, town_id=town_id)
    if args.json:
        print(json.dumps([quota_service.row_dict(report, r) for r in report.rows], ensure_ascii=False, indent=2))
    else:
        print(quota_service.ledger_text(report))
    return 0


def _cmd_deadlines(args) -> int:
    from desktop.services.deadlines import calendar_service, deadline_service
    from desktop.services.towns import town_service

    with opened(args.db, as_of=cli_date(args.as_of, "截至日期") if args.as_of else None, args=args) as database:
        as_of = database.today()
        town_id = town_service.id_by_name(database, args.town) if args.town else None
        rows = deadline_service.visible(deadline_service.deadlines(database, as_of=as_of, town_id=town_id),
                                        include_done=args.all)
        warning = calendar_service.next_year_missing_warning(database, as_of)
    if warning:
        print(f"注意：{warning}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
    else:
        print(deadline_service.rows_text(rows, as_of))
    return 0


def _cmd_workdays_add(args) -> int:
    from desktop.services import numbers
    from desktop.services.deadlines import calendar_service
    from desktop.services.errors import ValidationError

    start = cli_date(args.date, "日期")
    try:
        number = numbers.to_decimal(args.n, label="工作日数")
    except ValidationError:
        number = None
    if number is None or number < 1 or number != number.to_integral_value():
        raise ValidationError(f"工作日数应为正整数，现为“{numbers.shown(args.n)}”")
    n = numbers.parse_int(number, label="工作日数", minimum=1, required=True)  # too many: names the range
    with opened(args.db, args=args) as database:
        print(calendar_service.add_workdays(database, start, n).isoformat())
    return 0


# ---- entry point ----------------------------------------------------------------------------


class _QuietFileHandler(logging.FileHandler):
    """A log file that fails (the disk filled up meanwhile) is given up silently, never a traceback."""

    def handleError(self, record) -> None:
        pass


def _log_exception(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the traceback to the log file; return its path (in the temp folder when the data folder
    cannot be written), or None when no log file can be written at all."""
    path = paths.log_path()
    if path is None:
        return None
    try:
        handler = _QuietFileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("zzb.cli")
    logger.addHandler(handler)
    try:
        logger.error("zzb %s: %s", " ".join(argv), exc, exc_info=exc)
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def _log_unraisable(unraisable) -> None:
    """An error while an object is being destroyed (a half-written zip on a full disk) goes to the log,
    not to the console."""
    if unraisable.exc_value is not None:
        _log_exception(unraisable.exc_value, [f"(unraisable in {unraisable.object!r})"])


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush into the closed pipe says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (an in-process caller's buffer)
        pass


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the console script (in-process callers keep their own hook)
        sys.unraisablehook = _log_unraisable
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 0
    from desktop.services.errors import UserError

    from desktop.services import faults

    try:
        return args.func(args)
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `zzb exam list | head`: the reader stopped; nothing is wrong with the ledger
        _silence_stdout()
        return 0
    except Exception as exc:  # never a traceback on the console
        log = _log_exception(exc, argv)
        known = faults.user_error(exc)  # disk full, read-only, busy …: something the clerk can act on
        if known is not None:
            print(known.message, file=sys.stderr)
            return 1
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        where = f"详情见日志 {log}" if log else "日志文件也无法写入"
        print(f"内部错误：{detail}（{where}）", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
