"""典型案例 (四(一)): recorded with enterprise, kind, medium, date, text and photos; linked only to an issued
通报; a delete takes its photo links with it and an undo (create with the photos) links the same files again."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop.models.enums import CaseKind, Role
from desktop.services import attachment_service
from desktop.services.bulletins import bulletin_service, cases
from desktop.services.bulletins.cases import CaseValues
from desktop.services.errors import Refused, ValidationError
from test_bulletin import city  # noqa: F401  (three towns; the bulletins need a year with targets)


def test_a_case_is_listed_with_its_enterprise_bulletin_and_photos(demo_db, tmp_path):
    target_id, target_name = cases.target_choices(demo_db)[0]
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8 jpeg bytes")
    case_id = cases.create(demo_db, CaseValues(" 某化工厂关停腾退 ", CaseKind.POSITIVE, target_id, "市日报",
                                               dt.date(2024, 6, 3), "关停腾退，土地收储。"))
    attachment_service.attach(demo_db, cases.OBJECT_TYPE, case_id, photo)
    row = next(r for r in cases.list_cases(demo_db) if r.id == case_id)
    assert (row.title, row.kind, row.target, row.medium, row.photos) == (
        "某化工厂关停腾退", CaseKind.POSITIVE, target_name, "市日报", 1)


def test_a_case_links_only_to_an_issued_bulletin(db, city):  # noqa: F811
    saved = bulletin_service.save_draft(db, 2024, 10, "十月通报草稿")
    with pytest.raises(ValidationError) as caught:
        cases.create(db, CaseValues("甲镇案例", CaseKind.EXPOSURE, bulletin_id=saved.id))
    assert caught.value.field == "bulletin_id"
    issued = bulletin_service.issue(db, 2024, 10)
    case_id = cases.create(db, CaseValues("甲镇案例", CaseKind.EXPOSURE, bulletin_id=issued.id))
    assert [r.bulletin for r in cases.list_cases(db) if r.id == case_id] == ["2024年第1期"]
    assert cases.bulletin_choices(db)[0][1].startswith("2024年第1期 关于2024年10月")


def test_a_title_and_a_kind_are_required_naming_the_field(db):
    for values, field in ((CaseValues("  ", CaseKind.POSITIVE), "title"), (CaseValues("案例", None), "kind"),
                          (CaseValues("长" * 201, CaseKind.POSITIVE), "title")):
        with pytest.raises(ValidationError) as caught:
            cases.create(db, values)
        assert caught.value.field == field
    assert cases.list_cases(db) == []


def test_an_edit_made_meanwhile_by_someone_else_is_not_overwritten(db):
    case_id = cases.create(db, CaseValues("案例", CaseKind.POSITIVE))
    opened = cases.values_of(cases.list_cases(db)[0])
    cases.update(db, case_id, dataclasses.replace(opened, medium="电视台"))
    with pytest.raises(Refused, match="已被他人修改"):
        cases.update(db, case_id, dataclasses.replace(opened, medium="报纸"))


def test_deleting_takes_the_photo_links_and_an_undo_links_the_same_files_again(db, tmp_path):
    photo = tmp_path / "p.png"
    photo.write_bytes(b"\x89PNG fake")
    case_id = cases.create(db, CaseValues("案例", CaseKind.EXPOSURE, medium="网站"))
    attachment_service.attach(db, cases.OBJECT_TYPE, case_id, photo)
    photos = cases.delete(db, case_id)
    assert cases.list_cases(db) == [] and attachment_service.list_for(db, cases.OBJECT_TYPE, case_id) == []
    again = cases.create(db, CaseValues("案例", CaseKind.EXPOSURE, medium="网站"), photos)
    [linked] = attachment_service.list_for(db, cases.OBJECT_TYPE, again)
    assert linked.file_name == "p.png" and attachment_service.file_to_open(db, linked.id).read_bytes() == b"\x89PNG fake"


def test_a_leader_reads_cases_but_does_not_write_them(db):
    leader = dataclasses.replace(db, user="li", role=Role.LEADER)
    assert cases.list_cases(leader) == []
    with pytest.raises(Refused):
        cases.create(leader, CaseValues("案例", CaseKind.POSITIVE))
