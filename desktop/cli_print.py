"""`zzb print`: the documents the office prints, as PDF files on GB/T 9704 pages (no Qt).

    zzb print task-table --year Y -o FILE.pdf
    zzb print verification --year Y --month M -o FILE.pdf
    zzb print quota-ledger [--as-of DATE] -o FILE.pdf
    zzb print issue-list --exam ID (--unit NAME | --all) -o FILE.pdf
    zzb print score-sheet --session ID -o FILE.pdf
    zzb print fonts

The PDF is written to FILE.pdf.part and renamed when complete; every print is in the audit log.
"""

from __future__ import annotations

import re
from pathlib import Path

from desktop.cli_common import cli_date, file_arg, number_arg, opened, year_arg

_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def register(sub) -> None:
    p = sub.add_parser("print", help="打印公文格式的 PDF：任务分解表、核实表、指标库台账、体检问题清单",
                       description="按 GB/T 9704-2012 版式（A4，版心 156×225 mm，页码“— 1 —”）生成 PDF 文件，"
                                   "字体嵌入，可直接打印。每次打印都记入操作日志。")
    commands = p.add_subparsers(title="文件", metavar="文件", dest="print_command", parser_class=type(p),
                                required=True)

    def output(q) -> None:
        q.add_argument("-o", "--output", type=file_arg("输出文件"), metavar="FILE", required=True,
                       help="输出文件（.pdf）")

    q = commands.add_parser("task-table", help="年度任务分解表（附件1）及完成进度",
                            description="打印年度任务分解表：各镇街目标、已列清单、连片占比、已核实面积和完成率。")
    q.add_argument("--year", type=year_arg(), required=True, metavar="YEAR", help="年度")
    output(q)
    q.set_defaults(func=_cmd_task_table)

    q = commands.add_parser("verification", help="某月整治核实情况表",
                            description="打印某月各镇街报送的完成事项及各核实部门的核实结果。")
    q.add_argument("--year", type=year_arg(), required=True, metavar="YEAR", help="年度")
    q.add_argument("--month", type=number_arg("parse_int", label="月份", minimum=1, maximum=12), required=True,
                   metavar="M", help="月份（1–12）")
    output(q)
    q.set_defaults(func=_cmd_verification)

    q = commands.add_parser("quota-ledger", help="周转指标库台账",
                            description="打印周转指标库台账：每笔预借及按国企、按镇街的汇总。")
    q.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="截至日期（默认今天）")
    output(q)
    q.set_defaults(func=_cmd_quota_ledger)

    q = commands.add_parser("issue-list", help="综合体检问题清单（一个成员单位，或 --all 汇总）",
                            description="打印一个成员单位交给企业的体检问题清单；--all 打印各单位问题的汇总清单。")
    q.add_argument("--exam", type=number_arg("parse_int", label="体检编号"), required=True, metavar="ID",
                   help="综合体检编号（zzb exam list 中的 id）")
    which = q.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", metavar="NAME", help="成员单位名称")
    which.add_argument("--all", action="store_true", help="各成员单位汇总清单（市专班用）")
    output(q)
    q.set_defaults(func=_cmd_issue_list)

    q = commands.add_parser("score-sheet", help="考核评分表：汇总表及每个评分对象的签字评分表",
                            description="打印一场考核评分的汇总表（各项得分、总分、名次，并列同名次）和每个评分对象的评分表，"
                                        "附评分人、确认人签字栏。")
    q.add_argument("--session", type=number_arg("parse_int", label="评分编号", minimum=1), required=True,
                   metavar="ID", help="考核评分编号（zzb scoring list 中的 id）")
    output(q)
    q.set_defaults(func=_cmd_score_sheet)

    q = commands.add_parser("fonts", help="列出打印所用的字体文件", description="列出小标宋、仿宋、黑体、楷体各用哪个字体文件。")
    q.set_defaults(func=_cmd_fonts)


def _pdf_path(text: str) -> Path:
    from desktop.services.errors import ValidationError

    path = Path(text)
    if path.suffix.lower() != ".pdf":
        raise ValidationError("输出文件须为 .pdf")
    return path


def _write(path: Path, pdf: bytes) -> int:
    """Write the PDF beside `path` as .part, then rename it into place; print where it went. Exit code 0."""
    from desktop.services.excel.excel_common import written_atomically

    with written_atomically(path) as tmp:
        tmp.write_bytes(pdf)
    print(f"已生成 {path}（{len(_PAGE.findall(pdf))} 页）")
    return 0


def _cmd_task_table(args) -> int:
    from desktop.services.documents import table_docs

    path = _pdf_path(args.output)
    with opened(args.db, args=args) as ledger:
        return _write(path, table_docs.task_table_pdf(ledger, args.year))


def _cmd_verification(args) -> int:
    from desktop.services.documents import table_docs

    path = _pdf_path(args.output)
    with opened(args.db, args=args) as ledger:
        return _write(path, table_docs.verification_pdf(ledger, args.year, args.month))


def _cmd_quota_ledger(args) -> int:
    from desktop.services.documents import table_docs

    path = _pdf_path(args.output)
    as_of = cli_date(args.as_of, "截至日期") if args.as_of else None
    with opened(args.db, as_of=as_of, args=args) as ledger:
        return _write(path, table_docs.quota_ledger_pdf(ledger, as_of))


def _department_id(ledger, name: str) -> int:
    from desktop.services.errors import NotFound
    from desktop.services.year import year_service

    rows = year_service.list_departments(ledger)
    wanted = (name or "").strip()
    found = next((r.id for r in rows if r.name == wanted), None)
    if found is None:
        raise NotFound(f"没有名为“{wanted}”的成员单位。现有成员单位：{'、'.join(r.name for r in rows[:21])}")
    return found


def _cmd_issue_list(args) -> int:
    from desktop.services.documents import issue_list_pdf
    from desktop.services.errors import Refused
    from desktop.services.export_log import record_print

    try:
        from desktop.services.exams import exam_print  # the examination services, imported only when asked for
    except ModuleNotFoundError as exc:
        if exc.name != "desktop.services.exams" and not (exc.name or "").startswith("desktop.services.exams."):
            raise
        raise Refused("本程序版本尚未包含综合体检，无法打印体检问题清单") from None

    path = _pdf_path(args.output)
    with opened(args.db, args=args) as ledger:
        if args.all:
            doc = exam_print.consolidated_doc(ledger, args.exam)
            pdf, rows = issue_list_pdf.render_consolidated(doc), sum(len(u.issues) for u in doc.lists)
            what = f"{doc.title}（{doc.enterprise}）"
        else:
            doc = exam_print.issue_list_doc(ledger, args.exam, _department_id(ledger, args.unit))
            pdf, rows, what = issue_list_pdf.render_issue_list(doc), len(doc.issues), f"{doc.title}（{doc.enterprise}，{doc.unit}）"
        code = _write(path, pdf)
        record_print(ledger, what, rows, path)
        return code


def _cmd_score_sheet(args) -> int:
    from desktop.services.scoring import score_sheet

    path = _pdf_path(args.output)
    with opened(args.db, args=args) as ledger:
        return _write(path, score_sheet.score_sheet_pdf(ledger, args.session))


def _cmd_fonts(args) -> int:
    from desktop.services.documents import fonts

    for line in fonts.report():
        print(line)
    return 0
