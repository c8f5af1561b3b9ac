"""附件: stored once under the content hash, listed on their object, removed safely."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from desktop import paths
from desktop.services import attachment_service as att
from desktop.services.errors import NotFound, UserError, ValidationError


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


@pytest.mark.parametrize("name, data", [("收储协议扫描件.pdf", b"%PDF-1.4\n" + b"x" * 4000),
                                        ("现场照片.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)],
                         ids=["pdf", "jpg"])
def test_an_attachment_opens_as_a_named_copy_with_the_stored_bytes(db, tmp_path, name, data):
    src = tmp_path / name
    src.write_bytes(data)
    row = att.attach(db, "agreement", 1, src)
    path = att.file_to_open(db, row.id)
    assert path.name == name and path.suffix == src.suffix
    assert path.parent.parent == att.open_dir() and path.parent.name == str(row.id)
    assert path.read_bytes() == att.stored_path(row.sha256).read_bytes() == data
    assert not path.stat().st_mode & 0o222  # read-only
    path.chmod(0o644)
    path.unlink()
    again = att.file_to_open(db, row.id)  # refreshed when missing
    assert again == path and again.read_bytes() == data


def test_the_same_file_under_two_names_opens_under_each_name(db, tmp_path):
    a, b = tmp_path / "协议.pdf", tmp_path / "扫描件.PDF"
    a.write_bytes(b"same scan")
    b.write_bytes(b"same scan")
    first, second = att.attach(db, "agreement", 1, a), att.attach(db, "agreement", 2, b)
    assert att.file_to_open(db, first.id).name == "协议.pdf"
    assert att.file_to_open(db, second.id).name == "扫描件.PDF"


def test_a_missing_stored_file_is_reported_not_crashed(db, tmp_path):
    f = tmp_path / "照片.jpg"
    f.write_bytes(b"jpeg")
    row = att.attach(db, "agreement", 1, f)
    att.stored_path(row.sha256).unlink()
    with pytest.raises(NotFound, match="附件文件缺失：照片.jpg"):
        att.file_to_open(db, row.id)


def test_removing_an_attachment_drops_its_open_copy(db, tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(b"pdf")
    row = att.attach(db, "agreement", 1, f)
    copy = att.file_to_open(db, row.id)
    att.remove(db, row.id)
    assert not copy.exists()


@pytest.mark.parametrize("name, safe", [("协议.pdf", "协议.pdf"), ("a/b\\\\c:d?.pdf", "c_d_.pdf"),
                                        ("CON.txt", "_CON.txt"), ("报告. ", "报告"), ("", "附件"),
                                        ("长" * 200 + ".pdf", "长" * 116 + ".pdf")],
                         ids=["plain", "folders", "device", "trailing-dot", "empty", "long"])
def test_attached_names_become_names_every_system_accepts(name, safe):
    assert att.safe_file_name(name) == safe
    assert len(safe) <= att.MAX_NAME


def _set_stored_name(db, attachment_id: int, name: str) -> None:
    """What a crafted or restored database may hold: any text as the stored name."""
    with db.session() as s:
        s.execute(text("UPDATE attachment SET sha256 = :n WHERE id = :i"), {"n": name, "i": attachment_id})


def test_a_missing_stored_file_is_named_by_path_of_too(db, tmp_path):
    f = tmp_path / "证明材料.pdf"
    f.write_bytes(b"pdf")
    row = att.attach(db, "agreement", 1, f)
    att.stored_path(row.sha256).unlink()
    with pytest.raises(UserError, match="附件文件缺失：证明材料.pdf"):
        att.path_of(db, row.id)


def test_a_stored_name_that_is_a_path_touches_no_file(db, tmp_path):
    victim = paths.data_dir().parent / "victim.txt"  # where attachments/../../victim.txt leads: outside the data folder
    victim.write_text("keep me", encoding="utf-8")
    f = tmp_path / "a.pdf"
    f.write_bytes(b"pdf")
    row = att.attach(db, "agreement", 1, f)
    _set_stored_name(db, row.id, "../victim.txt")
    for read in (att.path_of, att.file_to_open):
        with pytest.raises(ValidationError, match="存储名不是哈希值"):
            read(db, row.id)
    att.remove(db, row.id)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert att.list_for(db, "agreement", 1) == []


@pytest.mark.parametrize("name", ["../victim.txt", "/etc/passwd", "A" * 64, "0" * 63, "0" * 64 + "\n", ""])
def test_only_a_bare_lower_case_hash_is_a_stored_name(name):
    with pytest.raises(ValidationError):
        att.stored_path(name)
