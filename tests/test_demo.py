"""示例数据: a deterministic, realistic sample city that respects the year's parameters."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.models import (
    AuditLog,
    ContiguousArea,
    Evaluation,
    GovernanceList,
    ListEntry,
    Plan,
    Soe,
    Target,
    Town,
    TownTarget,
    Year,
)
from desktop.models.enums import Category, EntryState, EvaluationClass, ListStatus, Method, ParkStatus, TargetKind
from desktop.services import credit_code
from desktop.services.demo import demo_service
from desktop.services.register import target_service
from desktop.services.towns import progress_service
from desktop.services.year import year_service
from desktop.services.errors import Refused
from desktop.services.search_text import search_text_for


def _fingerprint(db) -> dict:
    with db.reader() as s:
        targets = [tuple(r) for r in s.execute(
            select(Target.name, Target.credit_code, Target.land_area_mu, Target.category, Town.name, Target.address)
            .join(Town, Town.id == Target.town_id).order_by(Target.id))]
        entries = [tuple(r) for r in s.execute(
            select(Target.name, ListEntry.state, ListEntry.planned_area_mu, ListEntry.planned_method)
            .join(Target, Target.id == ListEntry.target_id).order_by(ListEntry.id))]
        towns = [tuple(r) for r in s.execute(
            select(Town.name, Town.liaison_name, Town.liaison_phone, TownTarget.target_area_mu)
            .join(TownTarget, TownTarget.town_id == Town.id).order_by(Town.id))]
        parks = list(s.scalars(select(ContiguousArea.name).order_by(ContiguousArea.id)))
    return {"targets": targets, "entries": entries, "towns": towns, "parks": parks}


@pytest.fixture
def demo_db(db):
    demo_service.generate(db)
    return db


def test_same_seed_gives_the_same_city(template_db, tmp_path):
    import shutil

    from desktop.services.db import open_database
    from desktop.services.ledger import Ledger

    prints = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(template_db, path)
        database = open_database(path, backup_dir=tmp_path)
        try:
            demo_service.generate(Ledger(database), enterprises=120, seed=seed)
            prints.append(_fingerprint(database))
        finally:
            database.dispose()
    assert prints[0] == prints[1]
    assert len(prints[0]["targets"]) == 120
    assert prints[0]["targets"] != prints[2]["targets"]


def test_town_targets_sum_exactly_to_the_year_target(demo_db):
    params = year_service.get_params(demo_db, 2024)
    with demo_db.reader() as s:
        area = s.scalar(select(func.sum(TownTarget.target_area_mu)))
        parks = s.scalar(select(func.sum(TownTarget.target_parks)))
        towns = s.scalar(select(func.count(Town.id)))
    assert area == params.target_area_mu
    assert parks >= params.parks_target
    assert 10 <= towns <= 14


def test_targets_follow_edited_year_parameters_not_fixed_numbers(db):
    year_service.update_params(db, 2024, {"target_area_mu": Decimal("3333.33"), "parks_target": 9})
    summary = demo_service.generate(db)
    with db.reader() as s:
        assert s.scalar(select(func.sum(TownTarget.target_area_mu))) == Decimal("3333.33")
        assert s.scalar(select(func.sum(TownTarget.target_parks))) == 9
    assert summary.city_target_mu == Decimal("3333.33")
    assert summary.parks_started >= 9


def test_parks_started_in_the_year_reach_the_parks_target(demo_db):
    params = year_service.get_params(demo_db, 2024)
    with demo_db.reader() as s:
        parks = list(s.execute(select(ContiguousArea.status, ContiguousArea.start_date, ContiguousArea.town_id)))
    started = [p for p in parks if progress_service.park_started_in(p.start_date, p.status, 2024)]
    assert len(started) >= params.parks_target
    statuses = Counter(p.status for p in parks)
    assert 16 <= len(parks) <= 20 + params.parks_target
    assert statuses[ParkStatus.PLANNED] >= 1
    assert 1 <= statuses[ParkStatus.COMPLETED] <= 2
    assert all(p.start_date is None for p in parks if p.status is ParkStatus.PLANNED)


def test_every_entry_state_is_present(demo_db):
    with demo_db.reader() as s:
        states = set(s.scalars(select(ListEntry.state).distinct()))
    assert states == set(EntryState)


def test_credit_codes_are_valid_unique_and_shaped_like_real_ones(demo_db):
    with demo_db.reader() as s:
        codes = list(s.scalars(select(Target.credit_code).where(Target.kind == TargetKind.ENTERPRISE)))
        soe_codes = list(s.scalars(select(Soe.credit_code)))
    assert len(codes) == 270
    assert all(c is not None and credit_code.is_valid(c) for c in codes + soe_codes)
    assert len(set(codes + soe_codes)) == len(codes) + len(soe_codes)
    assert {c[:2] for c in codes} <= {"91", "92", "93"}
    assert Counter(c[:2] for c in codes)["91"] > len(codes) * 0.8
    assert all(c[2:8].isdigit() for c in codes)
    assert 3 <= len(soe_codes) <= 4


def test_about_ten_percent_are_parcels_with_certificates_and_owners(demo_db):
    with demo_db.reader() as s:
        parcels = list(s.execute(select(Target.land_cert_no, Target.owner, Target.credit_code)
                                 .where(Target.kind == TargetKind.PARCEL)))
    assert len(parcels) == 30
    cert = re.compile(r"^苏\(20\d\d\)临澄市不动产权第\d{7}号$")
    assert all(cert.match(p.land_cert_no) and p.owner and p.credit_code is None for p in parcels)


def test_land_areas_are_mostly_small_with_a_few_large(demo_db):
    with demo_db.reader() as s:
        areas = list(s.scalars(select(Target.land_area_mu)))
    small = [a for a in areas if Decimal(3) <= a <= Decimal(40)]
    assert len(small) > len(areas) * 0.6
    assert any(a > 60 for a in areas)
    assert all(a > 0 for a in areas)


def test_evaluations_are_class_d_exactly_for_d_class_targets(demo_db):
    params = year_service.get_params(demo_db, 2024)
    with demo_db.reader() as s:
        rows = list(s.execute(select(Target.category, Evaluation.grade, Evaluation.year)
                              .join(Evaluation, Evaluation.target_id == Target.id)))
        d_targets = s.scalar(select(func.count(Target.id)).where(Target.category == Category.D_CLASS))
    assert {r.year for r in rows} == {params.evaluation_year}
    assert all((r.grade is EvaluationClass.D) == (r.category is Category.D_CLASS) for r in rows)
    assert sum(1 for r in rows if r.grade is EvaluationClass.D) == d_targets > 0
    assert {r.grade for r in rows} == set(EvaluationClass)


def test_contiguous_targets_sit_in_a_park_of_their_own_town(demo_db):
    with demo_db.reader() as s:
        rows = list(s.execute(select(Target.category, Target.town_id, ContiguousArea.town_id.label("park_town"))
                              .join(ContiguousArea, ContiguousArea.id == Target.contiguous_area_id, isouter=True)))
    contiguous = [r for r in rows if r.category is Category.CONTIGUOUS]
    assert contiguous and all(r.park_town == r.town_id for r in contiguous)
    assert all(r.park_town in (None, r.town_id) for r in rows)
    assert any(r.park_town is not None and r.category is not Category.CONTIGUOUS for r in rows)


def test_share_is_below_the_minimum_for_one_or_two_towns_only(demo_db):
    progress = progress_service.year_progress(demo_db, 2024)
    below = [t for t in progress.towns if t.share_below_min]
    assert 1 <= len(below) <= 2
    assert all(t.listed_mu > 0 for t in progress.towns)
    assert not progress.totals.share_below_min


def test_city_is_midway_listed_above_target_verified_well_below(demo_db):
    progress = progress_service.year_progress(demo_db, 2024)
    total = progress.totals
    assert total.listed_mu > progress.city_target_mu
    assert total.listed_mu < progress.city_target_mu * Decimal("1.3")
    assert Decimal(40) <= total.completion_pct <= Decimal(70)


def test_entries_are_consistent_with_their_targets_and_lists(demo_db):
    early = {EntryState.DRAFT, EntryState.SUBMITTED, EntryState.RETURNED}
    with demo_db.reader() as s:
        rows = list(s.execute(
            select(ListEntry, Target, GovernanceList.status)
            .join(Target, Target.id == ListEntry.target_id)
            .join(GovernanceList, GovernanceList.id == ListEntry.list_id)))
        plans = {p.entry_id for p in s.scalars(select(Plan))}
        list_statuses = Counter(s.scalars(select(GovernanceList.status)))
        for entry, target, list_status in rows:
            assert Decimal(0) < entry.planned_area_mu <= target.land_area_mu
            assert entry.contiguous_area_id == target.contiguous_area_id
            assert target.state is demo_service.TARGET_STATE_OF[entry.state]
            if list_status is ListStatus.APPROVED:
                assert entry.state not in early
            else:
                assert entry.state.value == list_status.value
            if entry.state is EntryState.VERIFIED:
                assert entry.verified_on and entry.completed_on and entry.completed_on <= entry.verified_on
                assert 0 < entry.verified_area_mu <= entry.planned_area_mu
            else:
                assert entry.verified_area_mu is None and entry.verified_on is None
            if entry.state in (EntryState.CANCELLED, EntryState.VERIFY_FAILED, EntryState.RETURNED):
                assert entry.state_reason
            assert (entry.id in plans) == (entry.state in demo_service.PLANNED_STATES)
        methods = Counter(e.planned_method for e, _, _ in rows)
    assert list_statuses[ListStatus.APPROVED] >= 8
    assert {ListStatus.DRAFT, ListStatus.SUBMITTED, ListStatus.RETURNED} <= set(list_statuses)
    assert set(methods) == set(Method)
    assert methods[Method.SELF_RENOVATION] < len(rows) * 0.15


def test_rows_read_back_through_the_orm_and_search(demo_db):
    with demo_db.reader() as s:
        t = s.scalars(select(Target).where(Target.kind == TargetKind.ENTERPRISE).order_by(Target.id)).first()
        assert isinstance(t.land_area_mu, Decimal)
        assert t.search_text == search_text_for(t.name, t.credit_code, t.address)
        assert t.revision == 1 and t.created_at is not None and t.updated_at is not None
        assert t.name.endswith(("公司", "厂", "部", "场")) and t.legal_rep and t.industry
        assert re.match(r"^.+(镇|街道|区).+(路|道)\d+号$", t.address)
        name, code = t.name, t.credit_code
    found = target_service.search_ids(demo_db, target_service.RegisterFilter(text=code[-8:].lower()), year=2024)
    assert len(found) == 1
    assert found == target_service.search_ids(demo_db, target_service.RegisterFilter(text=name), year=2024)[:1]


def test_towns_have_liaisons_with_mobile_numbers(demo_db):
    with demo_db.reader() as s:
        towns = list(s.execute(select(Town.name, Town.liaison_name, Town.liaison_phone)))
    assert all(re.match(r"^1[3-9]\d{9}$", t.liaison_phone) and 2 <= len(t.liaison_name) <= 3 for t in towns)
    assert all(t.name.endswith(("镇", "街道", "区")) for t in towns)


def test_one_audit_record_holds_the_counts(db):
    with db.reader() as s:
        before = s.scalar(select(func.count(AuditLog.id)))
    summary = demo_service.generate(db)
    with db.reader() as s:
        records = list(s.execute(select(AuditLog.action, AuditLog.after).order_by(AuditLog.id).offset(before)))
    assert len(records) == 1
    assert records[0].action == "示例数据"
    assert records[0].after["enterprises"] == summary.enterprises == 270
    assert records[0].after["entries"] == summary.entries


def test_summary_counts_match_the_database(demo_db):
    # A second call is refused, so compare against a fresh summary of the same rows.
    with demo_db.reader() as s:
        counts = {
            "towns": s.scalar(select(func.count(Town.id))),
            "entries": s.scalar(select(func.count(ListEntry.id))
                                .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                                .join(Year, Year.id == GovernanceList.year_id).where(Year.year == 2024)),
            "plans": s.scalar(select(func.count(Plan.id))),
            "evaluations": s.scalar(select(func.count(Evaluation.id))),
            "verified": s.scalar(select(func.sum(ListEntry.verified_area_mu))
                                 .join(GovernanceList, GovernanceList.id == ListEntry.list_id)
                                 .join(Year, Year.id == GovernanceList.year_id)  # not demo_quota's history year
                                 .where(Year.year == 2024, ListEntry.state == EntryState.VERIFIED,
                                        ListEntry.planned_method != Method.SELF_RENOVATION)),
        }
    progress = progress_service.year_progress(demo_db, 2024)
    assert counts["towns"] == 12
    assert progress.totals.verified_mu == counts["verified"]
    assert sum(progress.entries_by_state.values()) == counts["entries"]
    assert counts["plans"] > 0 and counts["evaluations"] > 0


def test_summary_reports_kinds_and_areas(db):
    summary = demo_service.generate(db, enterprises=200, seed=3)
    assert summary.enterprises + summary.parcels == 200
    assert summary.parcels == 20
    assert summary.towns == 12 and summary.lists == 12
    assert sum(summary.entries_by_state.values()) == summary.entries
    assert summary.contiguous_area_mu < summary.listed_area_mu
    assert Decimal(0) < summary.verified_area_mu < summary.listed_area_mu
    assert summary.land_area_mu > summary.listed_area_mu


def test_a_database_with_towns_is_refused_untouched(db):
    with db.session() as s:
        s.add(Town(name="已有镇"))
    with db.reader() as s:
        audit_before = s.scalar(select(func.count(AuditLog.id)))
    with pytest.raises(Refused, match="已有数据"):
        demo_service.generate(db)
    with db.reader() as s:
        assert s.scalar(select(func.count(Town.id))) == 1
        assert s.scalar(select(func.count(Target.id))) == 0
        assert s.scalar(select(func.count(AuditLog.id))) == audit_before


class _Token:
    cancelled = False


def test_cancel_rolls_back_everything(db):
    token = _Token()
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done > 0:
            token.cancelled = True

    with pytest.raises(Refused, match="已取消"):
        demo_service.generate(db, enterprises=12000, progress=progress, cancel=token)
    assert seen and seen[-1][0] < seen[-1][1]
    with db.reader() as s:
        assert s.scalar(select(func.count(Town.id))) == 0
        assert s.scalar(select(func.count(Target.id))) == 0
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "示例数据")) == 0


def test_progress_counts_up_to_the_total(db):
    seen = []
    demo_service.generate(db, enterprises=11000, progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0
    assert seen[-1][0] == seen[-1][1] > 11000
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
