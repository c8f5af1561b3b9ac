#!/usr/bin/env bash
# Set up (system packages incl. the PostgreSQL server when root, uv, .venv from uv.lock) and run
# every test offscreen. Arguments go to pytest, e.g. `bash scripts/test.sh tests/test_db.py -x`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# postgresql: tests/test_postgres.py starts a private server from its binaries;
# binutils: PyInstaller needs objdump and objcopy (tests/test_bundle.py);
# poppler-utils: tests/pdf_check.py reads every printed PDF back (pdfinfo, pdffonts, pdftotext).
zzb_ensure_packages "${ZZB_BASE_PKGS[@]}" "${ZZB_QT_PKGS[@]}" postgresql binutils poppler-utils
zzb_sync

cd "$ZZB_ROOT"
export QT_QPA_PLATFORM=offscreen
# In CI also build the PyInstaller bundle and start it (tests/test_bundle.py; ~30 s here).
case "${CI:-}" in
    true | 1 | yes) export ZZB_TEST_BUNDLE="${ZZB_TEST_BUNDLE:-1}" ;;
esac

# A hung test (e.g. a modal dialog nobody closes) must fail the run, not stall CI: pytest prints
# the stuck test's traceback after 120 s, and the whole run is stopped after ZZB_TEST_TIMEOUT s.
limit="${ZZB_TEST_TIMEOUT:-600}"
set +e
timeout --kill-after=30 "$limit" .venv/bin/pytest -q -o faulthandler_timeout=120 "$@"
rc=$?
set -e
if ((rc == 5)); then
    zzb_log "pytest collected no tests: that is a failure, not a pass"
elif ((rc == 124 || rc == 137)); then
    zzb_log "tests stopped after ${limit} s: a test hangs (see the traceback above)"
fi
exit "$rc"
