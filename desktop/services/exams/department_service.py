"""成员单位 (附件2): the member units of the joint meeting — list, add, edit, deactivate, reorder — with each
unit's responsible leader (分管领导), contact person and phone, and its electronic seal image for printed issue
lists (default none: the paper is stamped by hand). The list is data; the 系统管理员 keeps it (`units`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import Attachment, Department
from desktop.services import attachment_service
from desktop.services.accounts import permissions
from desktop.services.errors import NotFound, Refused, ValidationError
from desktop.services.exams import department_uses
from desktop.services.exams import exam_common as common
from desktop.services.ledger import Ledger
from desktop.services.towns.town_service import clean_phone

SEAL = "department_seal"  # attachment object_type of a unit's electronic seal image
SEAL_SUFFIXES = (".png",)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SEAL_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    short_name: str
    sort_order: int
    leader: str
    contact: str
    phone: str
    active: bool
    has_seal: bool
    revision: int


def _get(session, department_id: int) -> Department:
    d = session.get(Department, department_id)
    if d is None:
        raise NotFound("该成员单位已不存在（可能已被删除）")
    return d


def _seal_ids(session) -> set[int]:
    return set(session.scalars(select(Attachment.object_id).where(Attachment.object_type == SEAL)))


def list_departments(ledger: Ledger, *, include_inactive: bool = True) -> list[DepartmentRow]:
    q = select(Department).order_by(Department.sort_order, Department.id)
    if not include_inactive:
        q = q.where(Department.active)
    with ledger.reader() as s:
        seals = _seal_ids(s)
        return [DepartmentRow(d.id, d.name, d.short_name, d.sort_order, d.leader, d.contact, d.phone, d.active,
                              d.id in seals, d.revision) for d in s.scalars(q)]


def _phone(phone: str) -> str:
    try:
        return clean_phone(phone)
    except ValidationError as exc:
        raise ValidationError(str(exc), field="phone") from None


def _clean(name: str, leader: str, contact: str, phone: str, short_name: str) -> dict:
    return {
        "name": common.line(name, label="单位名称", field="name", required=True),
        "short_name": common.line(short_name, label="简称", field="short_name"),
        "leader": common.line(leader, label="分管领导", field="leader"),
        "contact": common.line(contact, label="联系人", field="contact"),
        "phone": _phone(phone),
    }


def _check_unique(session, name: str, own_id: int | None) -> None:
    other = session.scalar(select(Department.id).where(Department.name == name))
    if other is not None and other != own_id:
        raise ValidationError(f"成员单位“{name}”已存在", field="name")


def add_department(ledger: Ledger, name: str, *, leader: str = "", contact: str = "", phone: str = "",
                   short_name: str = "") -> int:
    permissions.require(ledger, "units")
    values = _clean(name, leader, contact, phone, short_name)
    with ledger.session() as s:
        _check_unique(s, values["name"], None)
        last = s.scalar(select(func.max(Department.sort_order))) or 0
        d = Department(sort_order=last + 1, **values)
        s.add(d)
        s.flush()
        return d.id


def update_department(ledger: Ledger, department_id: int, *, name: str, leader: str = "", contact: str = "",
                      phone: str = "", short_name: str = "", expected_revision: int | None = None) -> None:
    permissions.require(ledger, "units")
    values = _clean(name, leader, contact, phone, short_name)
    with ledger.session() as s:
        d = _get(s, department_id)
        if expected_revision is not None and d.revision != expected_revision:
            raise Refused(f"成员单位“{d.name}”已被他人修改，请刷新后重试")
        _check_unique(s, values["name"], d.id)
        for attr, value in values.items():
            if getattr(d, attr) != value:
                setattr(d, attr, value)


def set_active(ledger: Ledger, department_id: int, active: bool) -> None:
    """停用 keeps a unit out of new examinations (its past ones keep it); 启用 brings it back."""
    permissions.require(ledger, "units")
    with ledger.session() as s:
        d = _get(s, department_id)
        if d.active != active:
            d.active = active


def delete_department(ledger: Ledger, department_id: int) -> None:
    """Delete a unit nothing refers to; one in use (examinations, verifications, sanctions, a year's 验收核实部门 …)
    is refused with what uses it, and can be deactivated instead."""
    permissions.require(ledger, "units")
    with ledger.session() as s:
        d = _get(s, department_id)
        used = department_uses.uses(s, d)
        if used:
            raise Refused(f"成员单位“{d.name}”{'，'.join(used)}，不能删除，可改为停用")
        for a in s.scalars(select(Attachment).where(Attachment.object_type == SEAL, Attachment.object_id == d.id)):
            s.delete(a)
        s.delete(d)


def set_order(ledger: Ledger, department_ids: list[int]) -> None:
    """Put the units in this order; units not named keep their place after them."""
    permissions.require(ledger, "units")
    with ledger.session() as s:
        depts = list(s.scalars(select(Department).order_by(Department.sort_order, Department.id)))
        by_id = {d.id: d for d in depts}
        if any(i not in by_id for i in department_ids):
            raise NotFound("部分成员单位已不存在，请刷新后重试")
        wanted = list(dict.fromkeys(department_ids))
        ordered = [by_id[i] for i in wanted] + [d for d in depts if d.id not in set(wanted)]
        for i, d in enumerate(ordered, start=1):
            if d.sort_order != i:
                d.sort_order = i


def move(ledger: Ledger, department_id: int, delta: int) -> None:
    """上移 (−1) / 下移 (+1); at either end nothing changes."""
    with ledger.reader() as s:
        order = list(s.scalars(select(Department.id).order_by(Department.sort_order, Department.id)))
    if department_id not in order:
        raise NotFound("该成员单位已不存在（可能已被删除）")
    i = order.index(department_id)
    j = max(0, min(len(order) - 1, i + delta))
    order.insert(j, order.pop(i))
    set_order(ledger, order)


def set_seal(ledger: Ledger, department_id: int, image: str | Path | None) -> None:
    """The unit's electronic seal (a PNG with a transparent background), or None to remove it."""
    permissions.require(ledger, "units")
    if image is not None:
        path = Path(image)
        if path.suffix.lower() not in SEAL_SUFFIXES:
            raise ValidationError("电子印章须为 PNG 图片（透明背景）", field="seal")
        try:
            size = path.stat().st_size
            with path.open("rb") as f:
                head = f.read(len(PNG_MAGIC))
        except OSError as exc:
            raise ValidationError(f"无法读取印章图片：{exc.strerror or exc}", field="seal") from None
        if head != PNG_MAGIC:
            raise ValidationError("所选文件不是 PNG 图片", field="seal")
        if size > MAX_SEAL_BYTES:
            raise ValidationError("印章图片过大（最大 2 MB）", field="seal")
    with ledger.session() as s:
        d = _get(s, department_id)
        for a in s.scalars(select(Attachment).where(Attachment.object_type == SEAL, Attachment.object_id == d.id)):
            s.delete(a)
        s.flush()
        if image is not None:
            attachment_service.attach_in_session(s, SEAL, d.id, image, description=f"{d.name}电子印章")


def seal_image(ledger: Ledger, department_id: int) -> bytes | None:
    """The unit's seal image bytes, or None (the paper is stamped by hand)."""
    with ledger.reader() as s:
        a = s.scalar(select(Attachment).where(Attachment.object_type == SEAL, Attachment.object_id == department_id)
                     .order_by(Attachment.id.desc()))
        if a is None:
            return None
        sha = a.sha256
    try:
        return attachment_service.stored_path(sha).read_bytes()
    except OSError:
        return None
