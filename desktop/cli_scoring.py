"""`zzb scoring`: year-end 考核评分 sessions of towns, member units or city SOEs (四(五)), without Qt.

    zzb scoring new --year Y --kind towns|units|soes --name NAME     prints the new session's id
    zzb scoring list [--year Y] [--json]
    zzb scoring criteria --session ID [--set 名称=权重[/满分][@来源] …] [--json]
    zzb scoring open --session ID        freeze criteria and weights, fill in the computed scores
    zzb scoring refresh --session ID     recompute the computed scores from the ledger
    zzb scoring template --session ID -o FILE.xlsx
    zzb scoring import --session ID FILE.xlsx
    zzb scoring result --session ID [--json]
    zzb scoring confirm --session ID     by another account than the one(s) who entered the scores
    zzb scoring unlock --session ID --reason TEXT
"""

from __future__ import annotations

import json

from desktop.cli_common import file_arg, number_arg, opened, year_arg


def register(sub) -> None:
    p = sub.add_parser("scoring", help="考核评分：镇街、成员单位、市级国企的年度评分（一人录入、另一人确认）",
                       description="年度考核评分：评分项目和权重在开始评分时冻结，部分项目由台账数据计算，其余由评分人录入"
                                   "（或填写评分表后导入）；总分按权重由各项得分计算，并列同名次；一人录入、另一账户确认，"
                                   "确认后锁定，解锁须写明原因。")
    commands = p.add_subparsers(title="命令", metavar="命令", dest="scoring_command", parser_class=type(p),
                                required=True)

    def session(q) -> None:
        q.add_argument("--session", type=number_arg("parse_int", label="评分编号", minimum=1), required=True,
                       metavar="ID", help="考核评分编号（zzb scoring list 中的 id）")

    q = commands.add_parser("new", help="新建一场考核评分（只输出编号）",
                            description="新建某年度的一场考核评分；评分项目和权重取自同类最近一场，没有时取默认值。")
    q.add_argument("--year", type=year_arg(), required=True, metavar="YEAR", help="年度")
    q.add_argument("--kind", choices=("towns", "units", "soes"), required=True,
                   help="考核对象：towns 镇街，units 成员单位，soes 市级国企")
    q.add_argument("--name", required=True, metavar="NAME", help="名称，如“2024年度镇街考核”")
    q.set_defaults(func=_cmd_new)

    q = commands.add_parser("list", help="列出考核评分", description="列出各场考核评分及其状态。")
    q.add_argument("--year", type=year_arg(), default=None, metavar="YEAR", help="只列出该年度")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(func=_cmd_list)

    q = commands.add_parser("criteria", help="查看或修改评分项目和权重（开始评分前）",
                            description="列出评分项目；--set 重设全部项目（开始评分前）：名称=权重，满分默认等于权重，"
                                        "可写 名称=权重/满分；台账计算的项目加 @来源（如 @completion）。")
    session(q)
    q.add_argument("--set", action="append", metavar="名称=权重[/满分][@来源]", default=None,
                   help="一个评分项目（可多次给出，按顺序）")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(func=_cmd_criteria)

    q = commands.add_parser("open", help="开始评分：冻结项目和权重，计算台账得分",
                            description="开始评分：评分项目和权重冻结，由台账数据计算的项目填入得分。")
    session(q)
    q.set_defaults(func=_cmd_open)

    q = commands.add_parser("refresh", help="按台账重新计算计算项目的得分（确认前）",
                            description="按台账当前数据重新计算由台账计算的项目的得分（确认前）。")
    session(q)
    q.set_defaults(func=_cmd_refresh)

    q = commands.add_parser("template", help="导出评分表（.xlsx）供评分人填写",
                            description="导出评分表：每个评分对象一行（第一列为名称），每个录入项目一列（表头为项目名称）。")
    session(q)
    q.add_argument("-o", "--output", type=file_arg("输出文件"), metavar="FILE", required=True,
                   help="输出文件（.xlsx）")
    q.set_defaults(func=_cmd_template)

    q = commands.add_parser("import", help="导入填好的评分表（全部导入或不导入）",
                            description="导入填好的评分表：得分超出范围、不是数字、缺少评分对象、未知的列都会被拒绝，"
                                        "并指明工作表、行和列；有任何问题时不导入任何得分。")
    session(q)
    q.add_argument("file", metavar="FILE", help="评分表（.xlsx）")
    q.set_defaults(func=_cmd_import)

    q = commands.add_parser("result", help="评分结果：各项得分、权重、总分和名次",
                            description="评分结果：总分按权重由各项得分计算，名次相同者并列，其后名次顺延。")
    session(q)
    q.add_argument("--json", action="store_true",
                   help="以 JSON 输出（rows：subject、scores、weights、total、rank、tied）")
    q.set_defaults(func=_cmd_result)

    q = commands.add_parser("confirm", help="确认评分并锁定（须由录入者以外的账户）",
                            description="确认评分：由录入得分者以外的账户确认，确认后锁定。")
    session(q)
    q.set_defaults(func=_cmd_confirm)

    q = commands.add_parser("unlock", help="解锁已确认的评分（须写明原因）",
                            description="解锁已确认的评分以便修改，原因记入操作日志；修改后须重新确认。")
    session(q)
    q.add_argument("--reason", required=True, metavar="TEXT", help="解锁原因")
    q.set_defaults(func=_cmd_unlock)


def _num(value):
    return None if value is None else float(value)


def _cmd_new(args) -> int:
    from desktop.services.scoring import scoring_service
    from desktop.services.scoring.scoring_criteria import kind_of

    with opened(args.db, args=args) as ledger:
        print(scoring_service.new_session(ledger, args.year, kind_of(args.kind), args.name))
    return 0


def _session_json(i) -> dict:
    return {"id": i.id, "year": i.year, "kind": i.kind_key, "title": i.title, "state": i.state,
            "opened_by": i.opened_by, "confirmed_by": i.confirmed_by, "scorers": list(i.scorers)}


def _cmd_list(args) -> int:
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        rows = scoring_service.list_sessions(ledger, args.year)
    if args.json:
        print(json.dumps([_session_json(i) for i in rows], ensure_ascii=False, indent=2))
        return 0
    for i in rows:
        print(f"{i.id}\t{i.year}\t{i.kind_label}\t{i.state}\t{i.title}")
    if not rows:
        print("（没有考核评分）")
    return 0


def _spec(text: str):
    """名称=权重[/满分][@来源] as a CriterionSpec (numbers are checked by the service)."""
    from desktop.services.errors import ValidationError
    from desktop.services.scoring.scoring_criteria import CriterionSpec

    name, sep, rest = text.rpartition("=")
    if not sep or not name.strip():
        raise ValidationError(f"评分项目“{text}”应写成 名称=权重[/满分][@来源]")
    rest, _at, source = rest.partition("@")
    weight, _slash, top = rest.partition("/")
    return CriterionSpec(name.strip(), weight.strip(), (top or weight).strip(), source.strip())


def _cmd_criteria(args) -> int:
    from desktop.services import units
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        if args.set:
            scoring_service.set_criteria(ledger, args.session, [_spec(t) for t in args.set])
        crit = scoring_service.grid(ledger, args.session).criteria
    if args.json:
        print(json.dumps([{"name": c.name, "weight": float(c.weight), "max_points": float(c.max_points),
                           "source": c.source} for c in crit], ensure_ascii=False, indent=2))
        return 0
    for c in crit:
        print(f"{c.name}\t权重 {units.fmt(c.weight)}\t满分 {units.fmt(c.max_points)}\t{c.source_label}")
    return 0


def _cmd_open(args) -> int:
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        scoring_service.open_session(ledger, args.session)
    print("已开始评分：评分项目和权重已冻结，台账计算项目已填入得分")
    return 0


def _cmd_refresh(args) -> int:
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        n = scoring_service.refresh_computed(ledger, args.session)
    print(f"已按台账重新计算 {n} 项得分")
    return 0


def _cmd_template(args) -> int:
    from desktop.services.excel.excel_common import xlsx_path
    from desktop.services.scoring import scoring_template

    path = xlsx_path(args.output)
    with opened(args.db, args=args) as ledger:
        scoring_template.write_template(ledger, args.session, path)
    print(f"已写出 {path}")
    return 0


def _cmd_import(args) -> int:
    from desktop.services.scoring import scoring_template

    with opened(args.db, args=args) as ledger:
        r = scoring_template.import_template(ledger, args.session, args.file)
    print(f"已导入 {r.file_name}：{r.subjects} 个评分对象，{r.changed} 项得分有变化")
    return 0


def row_json(r) -> dict:
    """One subject as the contract's plain JSON values (decimals as numbers, a missing score as null)."""
    return {"subject": r.subject, "scores": {k: _num(v) for k, v in r.scores.items()},
            "weights": {k: _num(v) for k, v in r.weights.items()}, "total": _num(r.total), "rank": r.rank,
            "tied": r.tied}


def _cmd_result(args) -> int:
    from desktop.services import units
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        g = scoring_service.grid(ledger, args.session)
    if args.json:
        print(json.dumps({**_session_json(g.session), "rows": [row_json(r) for r in g.rows]}, ensure_ascii=False,
                         indent=2))
        return 0
    print(f"{g.session.title}（{g.session.year}年度，{g.session.kind_label}，{g.session.state}）")
    print("\t".join(["名次", "评分对象", *(c.name for c in g.criteria), "总分"]))
    for r in g.rows:
        cells = [units.fmt(r.scores[c.name]) if r.scores[c.name] is not None else "—" for c in g.criteria]
        print("\t".join([r.rank_label, r.subject, *cells, units.fmt(r.total)]))
    return 0


def _cmd_confirm(args) -> int:
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        scoring_service.confirm(ledger, args.session)
    print("已确认，本场评分已锁定")
    return 0


def _cmd_unlock(args) -> int:
    from desktop.services.scoring import scoring_service

    with opened(args.db, args=args) as ledger:
        scoring_service.unlock(ledger, args.session, args.reason)
    print("已解锁，修改后须重新确认")
    return 0
