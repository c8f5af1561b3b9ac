"""Where a 市场化收购 stands (三(三)2), derived from its dates, its 会审 and its agreements, and the rule that
收购/投资监管协议 wait for a passed 会审. Below both the acquisition and the agreement services: saving an
agreement checks the rule and moves the stage, without the agreement service importing the acquisition one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop.models import Acquisition, Agreement
from desktop.models.enums import AcquisitionStage, AgreementKind
from desktop.services.errors import Refused, ValidationError
from desktop.services.landbank.agreement_kinds import KINDS_AFTER_JOINT_REVIEW

Stage = AcquisitionStage


def derive_stage(acq: Acquisition | None, agreements: list) -> AcquisitionStage:
    """Where an acquisition stands (三(三)2): 镇街审核 → 收购洽谈 → 会审 → 已签约 → 已备案.

    A failed (or not yet held) 会审 keeps it at 会审; 已签约 once a 收购协议 is signed after a passed
    会审; 已备案 when the 收购协议 and every other signed agreement are filed with the office.
    `agreements`: the entry's agreements, as rows or models (kind, signed_on, filed_on).
    """
    if acq is None or acq.town_reviewed_on is None:
        return Stage.REVIEW
    if acq.negotiated_on is None:
        return Stage.NEGOTIATION
    if not acq.joint_review_passed:
        return Stage.JOINT_REVIEW
    signed = [a for a in agreements if a.signed_on is not None]
    if not any(a.kind is AgreementKind.ACQUISITION for a in signed):
        return Stage.JOINT_REVIEW
    if all(a.filed_on is not None for a in signed):
        return Stage.FILED
    return Stage.SIGNED


def entry_agreements(session, entry_id: int) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(Agreement.entry_id == entry_id)))


def sync_stage(session, entry_id: int) -> None:
    """Store the derived stage (other pages and the CLI read the column)."""
    acq = session.scalar(select(Acquisition).where(Acquisition.entry_id == entry_id))
    if acq is None:
        return
    stage = derive_stage(acq, entry_agreements(session, entry_id))
    if acq.stage is not stage:
        acq.stage = stage


def why_not_sign(kind: AgreementKind, joint_review_on: dt.date | None, joint_review_passed: bool | None) -> str | None:
    """三(三)2: 通过后签订收购、投资监管等协议 — why an agreement of `kind` cannot be signed yet, or None."""
    if kind not in KINDS_AFTER_JOINT_REVIEW:
        return None
    if joint_review_on is None:
        return f"该项目尚未提请会审，须经市产业项目全流程服务领导小组会审通过后方可签订{kind.label}"
    if not joint_review_passed:
        return f"该项目 {joint_review_on:%Y-%m-%d} 会审未通过，须重新会审通过后方可签订{kind.label}"
    return None


def require_joint_review_passed(session, entry_id: int, kind: AgreementKind, signed_on: dt.date | None) -> None:
    """三(三)2: refuse a 收购/投资监管协议 while the 会审 has not passed (why_not_sign)."""
    acq = session.scalar(select(Acquisition).where(Acquisition.entry_id == entry_id))
    why = why_not_sign(kind, acq.joint_review_on if acq else None, acq.joint_review_passed if acq else None)
    if why is not None:
        raise Refused(why, field="entry_id")
    if signed_on is not None and signed_on < acq.joint_review_on:
        raise ValidationError(f"签订日期不能早于会审通过日期（{acq.joint_review_on:%Y-%m-%d}）", field="signed_on")
