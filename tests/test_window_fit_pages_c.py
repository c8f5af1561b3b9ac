"""月度报送与核实, 周转指标库, 以奖代补, 期限 and 节假日 on a 1366×768 laptop screen: no shown column starts off the
right edge of its table and the page needs no sideways scrolling (issue 8 point 8: the quota fee and the
report backlog used to fall off). Runs the window probe of test_window in a subprocess."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_window import LAPTOP, run_probe

PAGES = ("reports", "quota", "subsidy", "deadlines", "holidays")


@pytest.fixture(scope="module")
def probe(demo_template, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("probe_pages_c")
    ledger = shutil.copyfile(demo_template, folder / "demo.sqlite3")
    return run_probe(folder, Path(ledger), LAPTOP)


@pytest.mark.parametrize("key", PAGES)
def test_every_shown_column_is_on_screen_at_1366x768(probe, key):
    page = probe["pages"][key]
    cut = {table: columns for table, columns in page["cut_off"].items() if columns}
    assert cut == {} and page["sideways"] == 0 and page["downwards"] == 0
