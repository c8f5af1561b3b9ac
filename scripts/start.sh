#!/usr/bin/env bash
# Set up (system packages when root, uv, .venv from uv.lock) and start 专治台账.
# Arguments go to `zzb`: none opens the window on the user-data database;
# e.g. `bash scripts/start.sh --db /path/ledger.sqlite3`, `bash scripts/start.sh demo`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

zzb_ensure_packages "${ZZB_BASE_PKGS[@]}" "${ZZB_QT_PKGS[@]}"
zzb_sync

opens_window=1
for arg in "$@"; do
    case "$arg" in init | demo | check | backup | restore | -h | --help | --version) opens_window=0 ;; esac
done
if ((opens_window)) && [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]]; then
    zzb_log "no display found: the window needs a desktop session (or: xvfb-run -a bash scripts/start.sh);"
    zzb_log "the command-line tools work anyway: bash scripts/start.sh --help"
fi

# No cd: a relative --db path means the caller's folder.
exec "$ZZB_ROOT/.venv/bin/zzb" "$@"
