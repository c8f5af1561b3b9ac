from desktop.services import meta


def test_settings_round_trip_and_secret_is_made_once(db):
    with db.session() as s:
        assert meta.get(s, "security.idle_minutes") is None
        assert meta.get(s, "security.idle_minutes", "15") == "15"
        meta.put(s, "security.idle_minutes", "20")
        meta.put_json(s, "backup.auto", {"keep": 7, "on": True})
        first = meta.secret(s, "packet.secret")
    with db.session() as s:
        assert meta.get(s, "security.idle_minutes") == "20"
        assert meta.get_json(s, "backup.auto") == {"keep": 7, "on": True}
        assert meta.secret(s, "packet.secret") == first
        assert len(first) == 64 and int(first, 16) >= 0


def test_a_secret_never_reaches_the_audit_log_which_the_auditor_reads(db):
    from desktop.services import audit

    with db.session() as s:
        value = meta.secret(s, "some.secret")
        meta.put(s, "security.idle_minutes", "20")
    texts = [str(r.after) + str(r.before) for r in audit.list_entries(db, object_type="ledger_meta")]
    assert texts and not any(value in t for t in texts)
    assert any("（密钥不记录）" in t for t in texts) and any("20" in t for t in texts)
