"""The Excel exchange commands of `zzb`: export-packet, import-packet, import-legacy (no Qt)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop.cli_common import file_arg, number_arg, open_existing, year_arg


def register(sub) -> None:

    p = sub.add_parser("export-packet", help="导出镇街数据包（.xlsx，供镇街填报后交回）",
                       description="导出一个镇街的数据包：该镇街本年度清单条目及状态，锁定身份列，"
                                   "进度列可填写（带下拉列表和输入提示），另有新增拟治理对象表。")
    p.add_argument("--town", metavar="NAME", required=True, help="镇街名称")
    p.add_argument("--year", type=year_arg(), required=True, metavar="Y", help="年度")
    p.add_argument("--month", type=number_arg("parse_month", label="月份"), default=None, metavar="M",
                   help="月份（月度报送数据包；不填则为年度数据包）")
    p.add_argument("-o", "--output", type=file_arg("输出文件"), metavar="FILE", required=True, help="输出文件（.xlsx）")
    p.set_defaults(func=_cmd_export_packet)

    p = sub.add_parser("import-packet", help="导入镇街交回的数据包",
                       description="导入镇街交回的数据包：核对类型、镇街、年度和版本，逐行比对并校验，"
                                   "全部有效时在一个事务中写入；有错误时不写入任何内容。")
    p.add_argument("file", metavar="FILE", help="数据包文件（.xlsx）")
    p.add_argument("--dry-run", action="store_true", help="只检查和比对，不写入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（一个对象）")
    p.add_argument("--errors-out", metavar="FILE", default=None, help="有错误时写出错误回执（标红并批注的工作簿）")
    p.set_defaults(func=_cmd_import_packet)

    p = sub.add_parser("import-legacy", help="导入外部表格（工信、税务、镇街台账等）",
                       description="导入外部表格：自动找到表头（含标题行、两行合并表头），跳过合计和空行，"
                                   "按表头同义词对应列（或用已保存的列对应方案）。enterprises 导入治理对象，"
                                   "targets 导入任务分解表（镇街、目标面积、目标园区数，未知镇街自动新建）。")
    p.add_argument("file", metavar="FILE", help="表格文件（.xlsx，也可读 .xls / .ods）")
    p.add_argument("--kind", choices=["enterprises", "targets"], default="enterprises", help="导入内容（默认 enterprises）")
    p.add_argument("--year", type=year_arg(), default=None, metavar="Y", help="年度（targets 必填；默认当前年度）")
    p.add_argument("--sheet", metavar="NAME", default=None, help="工作表名称（默认第一个可见工作表）")
    p.add_argument("--mapping", metavar="NAME", default=None, help="使用已保存的列对应方案")
    p.add_argument("--skip-invalid", action="store_true", help="跳过无效行，只导入有效行（默认：有无效行时整个文件拒绝）")
    p.add_argument("--dry-run", action="store_true", help="只检查和比对，不写入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（一个对象）")
    p.set_defaults(func=_cmd_import_legacy)


def _open(args):
    return open_existing(args.db, args=args)


def _print_outcome(args, outcome, file_name: str) -> int:
    if args.json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
        return outcome.exit_code
    s = outcome.summary
    verb = "检查完成（未写入）" if outcome.dry_run else ("已导入" if outcome.applied else "未写入")
    print(f"{file_name}：{verb}。读取 {s.rows_read} 行；新建 {s.created}，更新 {s.updated}，"
          f"未变 {s.unchanged}，拒绝 {s.rejected}，冲突 {s.conflicts}；面积 {s.area_mu} 亩。")
    out = sys.stderr if outcome.refused else sys.stdout
    for problem in s.errors[:50]:
        print(f"  - {problem.text()}", file=out)
    if len(s.errors) > 50:
        print(f"  ……共 {len(s.errors)} 处问题", file=out)
    if outcome.refused:
        print(f"未写入任何内容：{outcome.refused}", file=sys.stderr)
    return outcome.exit_code


def _guarded(args, run, file_name: str) -> int:
    """Run an import; with --json a refused file still prints one object (and exits 1)."""
    from desktop.services.errors import UserError
    from desktop.services.excel.excel_common import refused_outcome

    try:
        outcome = run()
    except UserError as exc:
        if not args.json:
            raise
        outcome = refused_outcome(exc.message, dry_run=getattr(args, "dry_run", False))
    return _print_outcome(args, outcome, file_name)


def _cmd_export_packet(args) -> int:
    from desktop.services.excel import packet_service

    database = _open(args)
    try:
        result = packet_service.export_packet_by_name(database, args.town, args.year, args.month, args.output)
    finally:
        database.dispose()
    print(f"已导出数据包：{result.path}（{result.rows} 条清单条目，数据包编号 {result.packet_id}）")
    return 0


def _cmd_import_packet(args) -> int:
    from desktop.services.excel import packet_service

    database = _open(args)
    try:
        def run():
            return packet_service.import_packet(database, args.file, dry_run=args.dry_run,
                                                errors_out=args.errors_out)
        code = _guarded(args, run, Path(args.file).name)
    finally:
        database.dispose()
    return code


def _cmd_import_legacy(args) -> int:
    from desktop.services.excel import legacy_import

    database = _open(args)
    try:
        def run():
            return legacy_import.run_import(database, args.file, kind=args.kind, year=args.year, sheet=args.sheet,
                                            mapping_name=args.mapping, skip_invalid=args.skip_invalid,
                                            dry_run=args.dry_run)
        code = _guarded(args, run, Path(args.file).name)
    finally:
        database.dispose()
    return code
