"""通报 drafted by a clerk and issued (签发) by a leader, as an approval; an issued bulletin never changes,
whatever code path tries (the flush guard)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import update

from desktop.models import Bulletin
from desktop.models.enums import Role
from desktop.services.bulletins import bulletin_service
from desktop.services.errors import Refused, ValidationError
from test_bulletin import city  # noqa: F401  (the three towns with a tie)


def as_role(db, user: str, role: Role):
    return dataclasses.replace(db, user=user, role=role)


def test_a_clerk_saves_the_draft_and_a_leader_issues_it_with_the_next_number(db, city):  # noqa: F811
    clerk, leader = as_role(db, "zhang", Role.CLERK), as_role(db, "li", Role.LEADER)
    saved = bulletin_service.save_draft(clerk, 2024, 10, "十月通报，初稿")
    again = bulletin_service.save_draft(clerk, 2024, 10, "十月通报，改稿")
    assert again.id == saved.id and bulletin_service.saved_draft(db, 2024, 10).body == "十月通报，改稿"
    assert bulletin_service.saved_draft(db, 2024, 9) is None
    assert bulletin_service.list_issued(db, 2024) == [] and bulletin_service.count_issued(db, 2024) == 0
    issued = bulletin_service.issue(leader, 2024, 10)
    assert (issued.number, issued.body, issued.drafted_by, issued.issued_by) == (1, "十月通报，改稿", "zhang", "li")
    assert [r.rank_label for r in issued.draft.rows] == ["并列第1", "并列第1", "第3"]
    assert bulletin_service.saved_draft(db, 2024, 10) is None  # the draft became the issued bulletin
    assert bulletin_service.latest_issued(db).id == issued.id


def test_a_clerk_may_not_issue_and_a_leader_issues_only_a_saved_draft(db, city):  # noqa: F811
    clerk, leader = as_role(db, "zhang", Role.CLERK), as_role(db, "li", Role.LEADER)
    with pytest.raises(Refused, match="请先由经办保存通报草稿"):
        bulletin_service.issue(leader, 2024, 10)
    bulletin_service.save_draft(clerk, 2024, 10, "十月通报")
    with pytest.raises(Refused, match="经办无权审核、同意"):
        bulletin_service.issue(clerk, 2024, 10)
    with pytest.raises(Refused, match="领导无权录入和修改台账"):
        bulletin_service.save_draft(leader, 2024, 10, "领导改写")
    with pytest.raises(Refused, match="审计管理员无权查阅台账"):
        bulletin_service.saved_draft(as_role(db, "audit", Role.AUDITOR), 2024, 10)
    assert bulletin_service.count_issued(db, 2024) == 0


def test_the_drafting_account_never_issues_its_own_draft(db, city):  # noqa: F811
    bulletin_service.save_draft(as_role(db, "li", Role.CLERK), 2024, 10, "十月通报")
    with pytest.raises(Refused, match="该通报草稿由本人起草"):
        bulletin_service.issue(as_role(db, "li", Role.LEADER), 2024, 10)  # the same person, later a leader


def test_an_empty_draft_is_refused_naming_the_text(db, city):  # noqa: F811
    with pytest.raises(ValidationError) as caught:
        bulletin_service.save_draft(db, 2024, 10, " \n ")
    assert caught.value.field == "body"


def test_an_issued_bulletin_cannot_be_changed_or_deleted_at_flush(db, city):  # noqa: F811
    issued = bulletin_service.issue(db, 2024, 10, body="十月通报")
    with pytest.raises(Refused, match="第1期通报已签发"):
        with db.session() as s:
            s.get(Bulletin, issued.id).body = "事后改写"
    with pytest.raises(Refused, match="第1期通报已签发"):
        with db.session() as s:
            s.delete(s.get(Bulletin, issued.id))
    with pytest.raises(Refused, match="已签发的通报不能修改"):
        with db.session() as s:
            s.execute(update(Bulletin).values(body="批量改写"))
    assert bulletin_service.get(db, issued.id).body == "十月通报"


def test_a_draft_stays_the_clerks_to_rewrite(db, city):  # noqa: F811
    saved = bulletin_service.save_draft(db, 2024, None, "年初至今，初稿")
    with db.session() as s:
        s.get(Bulletin, saved.id).body = "年初至今，改稿"
    assert bulletin_service.saved_draft(db, 2024, None).body == "年初至今，改稿"
