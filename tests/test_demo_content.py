"""The sample city's content pinned: `zzb demo --years 3` on a fixed day makes, table by table, the rows it made
before its bulk paths (multi-row INSERTs instead of executemany and ORM objects, bench/city.py's build); only the
rows' creation/update times and the audit log (times, hashes) differ from run to run.

The digests were taken from the demo before those changes. A change meant to alter the sample city updates them
(run the test, copy the digests it prints); any other difference is a bug in a bulk path."""

from __future__ import annotations

import datetime as dt
import hashlib

from desktop.services.demo import demo_service

# Per table: sha256 of its rows' repr in order of the first column, without created_at/updated_at (first 16 hex).
DIGESTS = {
    "acquisition": "091ebdb9de01bc31",
    "agreement": "abeb68f74bcb05fc",
    "attachment": "e3b0c44298fc1c14",
    "bulletin": "e10e79c410ed6b99",
    "case": "d6c8125054f84de2",
    "column_mapping": "e3b0c44298fc1c14",
    "consultation": "c2da2ffd78aa85e4",
    "contiguous_area": "cf19de84eed54d8e",
    "criterion": "c7af30b6ea7a5a24",
    "department": "43c961b6445d14c6",
    "evaluation": "9d8f981aaa585c2d",
    "exam_accountability": "0e2b60e10c8c0ab8",
    "exam_criterion": "e3b0c44298fc1c14",
    "exam_unit_score": "f0f16ae5102b90dc",
    "examination": "ef032504b81e9f57",
    "examination_finding": "7a0d402dfa29c978",
    "examination_party": "bc17ea601b72f0ab",
    "examination_unit": "eda9e03a5c05b2c3",
    "governance_list": "71a6dfcc7b1280af",
    "groundwork_record": "01b522be29c06ccf",
    "holiday": "40e65b4c5d66ba1a",
    "issue": "015a3858daaf6425",
    "issue_list": "61a05e0346b973bc",
    "land_banking": "75adf07a6605ba2c",
    "list_entry": "79ec8bc02e59bbf4",
    "monthly_report": "19839244b58a1f1b",
    "monthly_report_hand_in": "50e403a60f06ef3a",
    "monthly_report_item": "fefe472eab2865ea",
    "packet_import": "e3b0c44298fc1c14",
    "plan": "16605bb901cc22e6",
    "quota_loan": "3acbdf4009e554b2",
    "quota_pool": "e3b0c44298fc1c14",
    "quota_return": "d98bc918ee4f2f6b",
    "sanction": "e531628f8b528c8e",
    "score": "07395304a448dad2",
    "scoring_session": "e37376c82bf082ad",
    "soe": "96ed63acdf9db44c",
    "subsidy_proposal": "fbef85b81fcde4b2",
    "supervision": "55e8aedc91580ac6",
    "target": "7e8df2c39bc9a6b7",
    "tax_record": "a184e8825fd488a9",
    "town": "75032ee975c672d8",
    "town_target": "c4f7b6ebe5b2241a",
    "treatment": "d3ae6ae37b7656b7",
    "verification": "0e05ba4ff51f54fe",
    "year": "27e454a9b22103d0",
    "year_params": "fe306f258adb029d",
}
UNPINNED = {"audit_log", "audit_tip", "ledger_meta", "app_user", "calendar_year", "alembic_version"}  # times, keys


def _digests(ledger) -> dict[str, str]:
    with ledger.reader() as s:
        conn = s.connection()
        tables = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'target_fts%' ORDER BY name")]
        out = {}
        for table in tables:
            if table in UNPINNED:
                continue
            columns = [r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')
                       if r[1] not in ("created_at", "updated_at")]
            h = hashlib.sha256()
            listed = ", ".join(f'"{c}"' for c in columns)
            for row in conn.exec_driver_sql(f'SELECT {listed} FROM "{table}" ORDER BY 1'):
                h.update(repr(tuple(row)).encode())
            out[table] = h.hexdigest()[:16]
    return out


def test_the_three_year_sample_city_holds_the_same_rows_as_before_its_bulk_paths(tmp_path):
    from desktop.services import setup_service
    from desktop.services.ledger import open_ledger

    ledger = open_ledger(tmp_path / "city.sqlite3", as_of=dt.date(2024, 11, 20))
    try:
        setup_service.initialize(ledger)
        demo_service.generate(ledger, enterprises=3000, years=3, entries_per_year=200)
        found = _digests(ledger)
    finally:
        ledger.dispose()
    changed = {t: h for t, h in found.items() if DIGESTS.get(t) != h}
    assert not changed and set(found) == set(DIGESTS), (
        "tables whose rows differ: " + ", ".join(sorted(changed)) + "\n" + "\n".join(
            f'    "{t}": "{h}",' for t, h in sorted(found.items())))
