"""附件: stored once under the content hash, listed on their object, removed safely."""

from __future__ import annotations

import pytest

from desktop.services import attachment_service as att
from desktop.services.errors import NotFound, ValidationError


def test_the_same_file_twice_is_stored_once(db, tmp_path):
    scan = tmp_path / "收储协议扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 fake scan" * 100)
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(scan.read_bytes())
    a = att.attach(db, "agreement", 1, scan)
    b = att.attach(db, "monthly_report_item", 7, copy)
    assert a.sha256 == b.sha256
    assert att.stored_path(a.sha256).read_bytes() == scan.read_bytes()
    files = [p for p in att.stored_path(a.sha256).parent.parent.rglob("*") if p.is_file()]
    assert len(files) == 1
    assert att.attach(db, "agreement", 1, copy).id == a.id  # same file on the same object: one link


def test_attachments_are_listed_on_their_object(db, tmp_path):
    for i in range(3):
        f = tmp_path / f"照片{i}.jpg"
        f.write_bytes(bytes([i]) * 10)
        att.attach(db, "groundwork_record", 5, f, description=f"现场照片{i}")
    rows = att.list_for(db, "groundwork_record", 5)
    assert [r.file_name for r in rows] == ["照片0.jpg", "照片1.jpg", "照片2.jpg"]
    assert att.counts_for(db, "groundwork_record", [5, 6]) == {5: 3}
    assert att.path_of(db, rows[0].id).read_bytes() == b"\x00" * 10


def test_removing_one_link_keeps_a_file_another_still_uses(db, tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"same")
    a = att.attach(db, "agreement", 1, f)
    b = att.attach(db, "agreement", 2, f)
    att.remove(db, a.id)
    assert att.stored_path(b.sha256).exists()
    att.remove(db, b.id)
    assert not att.stored_path(b.sha256).exists()
    with pytest.raises(NotFound):
        att.path_of(db, b.id)


def test_a_missing_source_file_is_refused(db, tmp_path):
    with pytest.raises(ValidationError, match="找不到文件"):
        att.attach(db, "agreement", 1, tmp_path / "nope.pdf")
