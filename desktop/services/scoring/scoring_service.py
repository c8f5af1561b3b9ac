"""考核评分 sessions (四(五)): a session per year for towns, member units or city SOEs; weighted criteria, some
computed from the ledger and some entered by the scorers; totals always recomputed from the item scores and
ranked with ties (并列, 1, 1, 3); one account enters, a different account confirms; a confirmed session is
locked until unlocked with a reason.

States: 未开始 (criteria editable) → 评分中 (opened: criteria and weights frozen, computed scores filled in;
the first score entered opens it) → 已确认 (locked) → 评分中 again only through `unlock` with a reason.
Every change is in the audit log under the acting user (the ORM hook), the session steps also by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from desktop.models import Criterion, Department, Score, ScoringSession, Soe, Town, Year
from desktop.models.enums import ScoringSubject
from desktop.services import audit, numbers
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.exams.exam_scoring import ItemScore, weighted_total
from desktop.services.ledger import Ledger
from desktop.services.ranking import competition_ranks
from desktop.services.scoring import scoring_sources
from desktop.services.scoring.scoring_criteria import DEFAULTS, KIND_LABELS, CriterionSpec, kind_key

DRAFT, OPEN, CONFIRMED = "未开始", "评分中", "已确认"
MAX_CRITERIA = 30
MAX_NAME = 100
MAX_REASON = 500
SELF_ENTERED = "本场评分由您录入"
LOCKED = "本场评分已确认并锁定；如需修改，请先解锁（须写明原因）"


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    name: str
    weight: Decimal
    max_points: Decimal
    source: str  # "" = entered by the scorers

    @property
    def computed(self) -> bool:
        return bool(self.source)

    @property
    def source_label(self) -> str:
        return scoring_sources.SOURCES[self.source].label if self.source in scoring_sources.SOURCES else "评分录入"


@dataclass(frozen=True)
class SubjectInfo:
    id: int
    name: str


@dataclass(frozen=True)
class SessionInfo:
    id: int
    year: int
    kind: ScoringSubject
    title: str
    state: str
    opened_at: dt.datetime | None
    opened_by: str
    confirmed_at: dt.datetime | None
    confirmed_by: str
    unlock_reason: str
    scorers: tuple[str, ...]  # the accounts whose scores are in the session

    @property
    def kind_key(self) -> str:
        return kind_key(self.kind)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class ResultRow:
    """One subject's line: item scores by criterion name, the weights, the recomputed total and rank."""

    subject_id: int
    subject: str
    scores: dict[str, Decimal | None]
    weights: dict[str, Decimal]
    total: Decimal
    rank: int
    tied: bool
    complete: bool  # every criterion has a score

    @property
    def rank_label(self) -> str:
        return f"并列第{self.rank}" if self.tied else f"第{self.rank}"


@dataclass
class ScoreGrid:
    """What a grid page shows: the criteria (columns), the subjects (rows), each cell's points and basis."""

    session: SessionInfo
    criteria: list[CriterionInfo]
    subjects: list[SubjectInfo]
    points: dict[tuple[int, int], Decimal | None]  # (subject id, criterion id) → points
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # a computed score's basis
    rows: list[ResultRow] = field(default_factory=list)

    def criterion(self, name: str) -> CriterionInfo | None:
        return next((c for c in self.criteria if c.name == name), None)


# ---- totals and ranks: pure, for live typing and for the stored scores alike --------------------------

def rank_rows(criteria: list[CriterionInfo], subjects: list[SubjectInfo],
              points: dict[tuple[int, int], Decimal | None]) -> list[ResultRow]:
    """Every subject's total recomputed from its item scores (Σ points/full × weight ÷ Σ weight × 100; a
    missing score counts 0) and its rank with ties, best first (equal totals in the subjects' order)."""
    weights = {c.name: c.weight for c in criteria}
    lines = []
    for s in subjects:
        got = {c.name: points.get((s.id, c.id)) for c in criteria}
        items = [ItemScore(c.name, c.weight, c.max_points, got[c.name] if got[c.name] is not None else Decimal(0))
                 for c in criteria]
        lines.append((s, got, weighted_total(items), all(v is not None for v in got.values())))
    ranks = competition_ranks([total for _s, _g, total, _c in lines])
    rows = [ResultRow(s.id, s.name, got, dict(weights), total, r.rank, r.tied, complete)
            for (s, got, total, complete), r in zip(lines, ranks)]
    order = {s.id: n for n, s in enumerate(subjects)}
    return sorted(rows, key=lambda r: (r.rank, order[r.subject_id]))


def recompute(grid: ScoreGrid, edits: dict[tuple[int, int], object]) -> list[ResultRow]:
    """The totals and ranks with `edits` ((subject id, criterion id) → typed value) laid over the grid's
    scores, without writing: the page's live totals as a scorer types. A value that is not a number yet
    counts as empty."""
    points = dict(grid.points)
    for key, value in edits.items():
        try:
            points[key] = numbers.parse_decimal(value, label="得分", rng=numbers.AMOUNT)
        except ValidationError:
            points[key] = None
    return rank_rows(grid.criteria, grid.subjects, points)


# ---- reading ------------------------------------------------------------------------------------------

def _get(s, session_id: int) -> ScoringSession:
    sess = s.get(ScoringSession, session_id)
    if sess is None:
        raise NotFound(f"没有编号为 {session_id} 的考核评分")
    return sess


def _state(sess: ScoringSession) -> str:
    if sess.closed:
        return CONFIRMED
    return OPEN if sess.opened_at is not None else DRAFT


def _scorers(s, sess: ScoringSession) -> tuple[str, ...]:
    names = s.scalars(select(Score.scorer).join(Criterion, Criterion.id == Score.criterion_id)
                      .where(Criterion.session_id == sess.id, Score.scorer != "").distinct())
    return tuple(sorted(names))


def _info(s, sess: ScoringSession) -> SessionInfo:
    year = s.scalar(select(Year.year).where(Year.id == sess.year_id))
    return SessionInfo(sess.id, year, sess.subject, sess.title, _state(sess), sess.opened_at, sess.opened_by,
                       sess.confirmed_at, sess.confirmed_by, sess.unlock_reason, _scorers(s, sess))


def _criteria(sess: ScoringSession) -> list[CriterionInfo]:
    return [CriterionInfo(c.id, c.name, c.weight, c.max_points, c.source) for c in sess.criteria]


def _subjects(s, sess: ScoringSession) -> list[SubjectInfo]:
    """The kind's subjects in their order (active ones, and any inactive one already scored here)."""
    scored = set(s.scalars(select(Score.subject_id).join(Criterion, Criterion.id == Score.criterion_id)
                           .where(Criterion.session_id == sess.id)))
    if sess.subject is ScoringSubject.TOWN:
        rows = s.execute(select(Town.id, Town.name, Town.active).order_by(Town.sort_order, Town.id))
    elif sess.subject is ScoringSubject.DEPARTMENT:
        rows = s.execute(select(Department.id, Department.name, Department.active)
                         .order_by(Department.sort_order, Department.id))
    else:
        rows = ((i, n, True) for i, n in s.execute(select(Soe.id, Soe.name).order_by(Soe.id)))
    return [SubjectInfo(i, n) for i, n, active in rows if active or i in scored]


def _points(s, sess: ScoringSession) -> tuple[dict, dict]:
    points, notes = {}, {}
    for cid, sid, p, note in s.execute(select(Score.criterion_id, Score.subject_id, Score.points, Score.note)
                                       .join(Criterion, Criterion.id == Score.criterion_id)
                                       .where(Criterion.session_id == sess.id)):
        points[(sid, cid)] = p
        if note:
            notes[(sid, cid)] = note
    return points, notes


def list_sessions(ledger: Ledger, year: int | None = None) -> list[SessionInfo]:
    """Every session (of one year), newest first."""
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        q = select(ScoringSession).join(Year, Year.id == ScoringSession.year_id).order_by(
            Year.year.desc(), ScoringSession.id.desc())
        if year is not None:
            q = q.where(Year.year == year)
        return [_info(s, x) for x in s.scalars(q)]


def session_info(ledger: Ledger, session_id: int) -> SessionInfo:
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        return _info(s, _get(s, session_id))


def grid(ledger: Ledger, session_id: int) -> ScoreGrid:
    """The session's criteria, subjects, stored scores and the ranked totals."""
    permissions.require(ledger, "ledger_read")
    with ledger.reader() as s:
        sess = _get(s, session_id)
        crit, subjects = _criteria(sess), _subjects(s, sess)
        points, notes = _points(s, sess)
        return ScoreGrid(_info(s, sess), crit, subjects, points, notes, rank_rows(crit, subjects, points))


def result(ledger: Ledger, session_id: int) -> list[ResultRow]:
    """The ranked totals, recomputed from the stored item scores."""
    return grid(ledger, session_id).rows


# ---- a new session and its criteria --------------------------------------------------------------------

def _specs_for(s, year: int, kind: ScoringSubject) -> list[CriterionSpec]:
    """The latest earlier (or same-year) session's criteria of the kind, else the defaults."""
    prev = s.scalar(select(ScoringSession).join(Year, Year.id == ScoringSession.year_id)
                    .where(ScoringSession.subject == kind, Year.year <= year)
                    .order_by(Year.year.desc(), ScoringSession.id.desc()).limit(1))
    if prev is None or not prev.criteria:
        return list(DEFAULTS[kind])
    return [CriterionSpec(c.name, c.weight, c.max_points, c.source) for c in prev.criteria]


def _name(text, label: str, field_name: str) -> str:
    name = " ".join(str(text or "").split())
    if not name:
        raise ValidationError(f"请填写{label}", field=field_name)
    if len(name) > MAX_NAME:
        raise ValidationError(f"{label}最多 {MAX_NAME} 个字", field=field_name)
    return name


def new_session(ledger: Ledger, year: int, kind: ScoringSubject, name: str) -> int:
    """A session of `year` for one kind of subject, its criteria copied from the kind's latest session (or
    the defaults), still editable; returns its id."""
    permissions.require(ledger, "ledger_write")
    title = _name(name, "考核评分名称", "name")
    with ledger.session() as s:
        year_id = s.scalar(select(Year.id).where(Year.year == year))
        if year_id is None:
            raise NotFound(f"{year}年度尚未建立，请先在年度参数中新建该年度")
        sess = ScoringSession(year_id=year_id, subject=kind, title=title)
        for order, c in enumerate(_specs_for(s, year, kind), start=1):
            sess.criteria.append(Criterion(name=c.name, weight=c.weight, max_points=c.max_points, source=c.source,
                                           sort_order=order))
        s.add(sess)
        s.flush()
        return sess.id


def _clean_specs(kind: ScoringSubject, specs) -> list[CriterionSpec]:
    specs = list(specs or ())
    if not specs:
        raise ValidationError("请至少设置一个评分项目", field="criteria")
    if len(specs) > MAX_CRITERIA:
        raise ValidationError(f"评分项目最多 {MAX_CRITERIA} 个", field="criteria")
    allowed = scoring_sources.sources_for(kind)
    out, seen = [], set()
    for n, c in enumerate(specs, start=1):
        name = _name(c.name, f"第 {n} 个评分项目的名称", "name")
        if name in seen:
            raise ValidationError(f"评分项目“{name}”重复", field="name")
        seen.add(name)
        weight = numbers.parse_decimal(c.weight, label=f"“{name}”的权重", field="weight", rng=numbers.PERCENT,
                                       required=True)
        top = numbers.parse_decimal(c.max_points, label=f"“{name}”的满分", field="max_points", rng=numbers.AMOUNT,
                                    required=True)
        if weight <= 0 or top <= 0:
            raise ValidationError(f"“{name}”的权重和满分应大于 0", field="weight" if weight <= 0 else "max_points")
        source = (c.source or "").strip()
        if source and source not in allowed:
            raise ValidationError(f"“{name}”的计算来源“{source}”不适用于{KIND_LABELS[kind]}，可选："
                                  + "、".join(f"{k}（{v}）" for k, v in allowed.items()), field="source")
        out.append(CriterionSpec(name, weight, top, source))
    return out


def set_criteria(ledger: Ledger, session_id: int, specs) -> None:
    """Replace the criteria of a session not yet opened (weights are frozen once it opens)."""
    permissions.require(ledger, "ledger_write")
    with ledger.session() as s:
        sess = _get(s, session_id)
        if sess.opened_at is not None:
            raise Refused("本场评分已开始，评分项目和权重已冻结，不能再修改")
        clean = _clean_specs(sess.subject, specs)
        old = {c.name: c for c in sess.criteria}
        keep = {c.name for c in clean}
        for name, c in old.items():
            if name not in keep:
                sess.criteria.remove(c)
        for order, c in enumerate(clean, start=1):
            row = old.get(c.name)
            if row is None:
                sess.criteria.append(Criterion(name=c.name, weight=c.weight, max_points=c.max_points,
                                               source=c.source, sort_order=order))
                continue
            for attr, value in (("weight", c.weight), ("max_points", c.max_points), ("source", c.source),
                                ("sort_order", order)):
                if getattr(row, attr) != value:
                    setattr(row, attr, value)


# ---- opening, computed scores, entered scores -------------------------------------------------------------

def _writable(ledger: Ledger, sess: ScoringSession) -> None:
    permissions.require(ledger, "ledger_write")
    if sess.closed:
        raise Refused(LOCKED)


def _fill_computed(ledger: Ledger, s, sess: ScoringSession) -> int:
    """Write every computed criterion's score for every subject from the ledger's figures; returns the count."""
    year = s.scalar(select(Year.year).where(Year.id == sess.year_id))
    subjects = [x.id for x in _subjects(s, sess)]
    stored = {(sc.subject_id, sc.criterion_id): sc for sc in s.scalars(
        select(Score).join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.session_id == sess.id, Criterion.source != ""))}
    n = 0
    for c in sess.criteria:
        if not c.source:
            continue
        for sid, fig in scoring_sources.compute(ledger, year, c.source, subjects).items():
            points = fig.points(c.max_points)
            row = stored.get((sid, c.id))
            if row is None:
                s.add(Score(criterion_id=c.id, subject_id=sid, points=points, scorer=ledger.user or "", note=fig.basis))
            elif row.points != points or row.note != fig.basis:
                row.points, row.note, row.scorer = points, fig.basis, ledger.user or ""
            n += 1
    return n


def _open(ledger: Ledger, s, sess: ScoringSession) -> None:
    if sess.opened_at is not None:
        return
    if not sess.criteria:
        raise Refused("本场评分还没有评分项目，请先设置")
    sess.opened_at, sess.opened_by = ledger.now(), ledger.user or ""
    _fill_computed(ledger, s, sess)
    audit.record(s, "开始评分", "scoring_session", sess.id, label=sess.title,
                 after={"criteria": {c.name: format(c.weight.normalize(), "f") for c in sess.criteria}})


def open_session(ledger: Ledger, session_id: int) -> None:
    """开始评分: freeze the criteria and weights and fill in the computed scores from the ledger."""
    with ledger.session() as s:
        sess = _get(s, session_id)
        _writable(ledger, sess)
        if sess.opened_at is not None:
            raise Refused("本场评分已开始")
        _open(ledger, s, sess)


def refresh_computed(ledger: Ledger, session_id: int) -> int:
    """Recompute the computed scores from the ledger as it stands (before confirmation); returns the count."""
    with ledger.session() as s:
        sess = _get(s, session_id)
        _writable(ledger, sess)
        if sess.opened_at is None:
            _open(ledger, s, sess)
            return sum(1 for c in sess.criteria if c.source) * len(_subjects(s, sess))
        return _fill_computed(ledger, s, sess)


@dataclass(frozen=True)
class CellValue:
    """One entered score to write: the subject, the criterion and the points (None: clear it)."""

    subject_id: int
    criterion_id: int
    points: Decimal | None


def check_points(value, c: CriterionInfo) -> Decimal | None:
    """A typed score for criterion `c`: a number from 0 to its full points (empty: None); refused otherwise."""
    p = numbers.parse_decimal(value, label=f"“{c.name}”的得分", field="points", rng=numbers.AMOUNT)
    if p is not None and p > c.max_points:
        raise ValidationError(f"“{c.name}”的得分应在 0 至 {c.max_points.normalize():f} 之间，现为 {p.normalize():f}",
                              field="points")
    return p


def write_entered(ledger: Ledger, s, sess: ScoringSession, cells: list[CellValue]) -> int:
    """Write entered scores inside the caller's write unit (opening the session first); returns the count
    changed. Computed criteria are refused: their scores come from the ledger."""
    _writable(ledger, sess)
    crit = {c.id: c for c in sess.criteria}
    subjects = {x.id for x in _subjects(s, sess)}
    for cell in cells:
        c = crit.get(cell.criterion_id)
        if c is None or cell.subject_id not in subjects:
            raise ValidationError("评分项目或评分对象不属于本场评分", field="points")
        if c.source:
            raise ValidationError(f"“{c.name}”由台账数据计算，不能录入", field="points")
    _open(ledger, s, sess)
    stored = {(sc.subject_id, sc.criterion_id): sc for sc in s.scalars(
        select(Score).where(Score.criterion_id.in_(list(crit))))}
    n = 0
    for cell in cells:
        row = stored.get((cell.subject_id, cell.criterion_id))
        if cell.points is None:
            if row is not None:
                s.delete(row)
                n += 1
        elif row is None:
            s.add(Score(criterion_id=cell.criterion_id, subject_id=cell.subject_id, points=cell.points,
                        scorer=ledger.user or ""))
            n += 1
        elif row.points != cell.points:
            row.points, row.scorer = cell.points, ledger.user or ""
            n += 1
    return n


def set_scores(ledger: Ledger, session_id: int, values: dict[tuple[int, int], object]) -> int:
    """Enter scores typed in the grid ((subject id, criterion id) → value; empty clears), all or nothing."""
    with ledger.session() as s:
        sess = _get(s, session_id)
        crit = {c.id: c for c in _criteria(sess)}
        cells = []
        for (sid, cid), value in values.items():
            if cid not in crit:
                raise ValidationError("评分项目不属于本场评分", field="points")
            cells.append(CellValue(sid, cid, check_points(value, crit[cid])))
        return write_entered(ledger, s, sess, cells)


# ---- confirmation and unlocking --------------------------------------------------------------------------

def _role_problem(ledger: Ledger, what: str) -> str | None:
    if ledger.role is None or permissions.may(ledger.role, "ledger_write") or permissions.may(ledger.role, "approve"):
        return None
    return f"{ledger.role.label}无权{what}考核评分（由经办或领导{what}）"


def _missing(s, sess: ScoringSession) -> list[str]:
    points, _notes = _points(s, sess)
    return [f"{x.name}“{c.name}”" for x in _subjects(s, sess) for c in sess.criteria
            if points.get((x.id, c.id)) is None]


def _confirm_problem(ledger: Ledger, s, sess: ScoringSession) -> str | None:
    if sess.closed:
        return "本场评分已确认"
    if sess.opened_at is None:
        return "本场评分尚未开始，没有可确认的得分"
    missing = _missing(s, sess)
    if missing:
        more = f"等 {len(missing)} 项" if len(missing) > 3 else ""
        return f"尚有得分未填写：{'、'.join(missing[:3])}{more}，请全部评完后再确认"
    if ledger.role is not None and ledger.user in _scorers(s, sess):
        return f"{SELF_ENTERED}，不能由本人确认，须由另一账户确认"
    return None


def why_not_confirm(ledger: Ledger, session_id: int) -> str | None:
    """Why this account may not confirm the session (None: it may): the two-person rule and completeness."""
    why = _role_problem(ledger, "确认")
    if why:
        return why
    with ledger.reader() as s:
        return _confirm_problem(ledger, s, _get(s, session_id))


def confirm(ledger: Ledger, session_id: int) -> None:
    """确认: a second account (not one whose scores are in it) confirms; the session is locked."""
    why = _role_problem(ledger, "确认")
    if why:
        raise Refused(why)
    with ledger.session() as s:
        sess = _get(s, session_id)
        why = _confirm_problem(ledger, s, sess)
        if why:
            raise Refused(why)
        if ledger.role is not None and not permissions.may(ledger.role, "ledger_write"):
            permissions.approving(s)  # a leader writes the ledger only through a confirmation
        sess.closed = True
        sess.confirmed_at, sess.confirmed_by = ledger.now(), ledger.user or ""
        rows = rank_rows(_criteria(sess), _subjects(s, sess), _points(s, sess)[0])
        audit.record(s, "确认评分", "scoring_session", sess.id, label=sess.title,
                     after={"totals": {r.subject: format(r.total, "f") for r in rows}})


def unlock(ledger: Ledger, session_id: int, reason: str) -> None:
    """解锁 a confirmed session so scores can change again (it must then be confirmed anew); the reason is
    required and kept in the log."""
    why = _role_problem(ledger, "解锁")
    if why:
        raise Refused(why)
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError("解锁须写明原因", field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(f"解锁原因最多 {MAX_REASON} 个字", field="reason")
    with ledger.session() as s:
        sess = _get(s, session_id)
        if not sess.closed:
            raise Refused("本场评分尚未确认，无需解锁")
        if ledger.role is not None and not permissions.may(ledger.role, "ledger_write"):
            permissions.approving(s)
        before = {"confirmed_by": sess.confirmed_by}
        sess.closed, sess.confirmed_at, sess.confirmed_by, sess.unlock_reason = False, None, "", text
        audit.record(s, "解锁评分", "scoring_session", sess.id, label=sess.title, before=before,
                     after={"reason": text})
