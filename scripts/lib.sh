# Shared setup for scripts/start.sh and scripts/test.sh (sourced, not run).
#
# On Debian/Ubuntu (and derivatives such as 统信UOS / 银河麒麟 that use dpkg) it installs the
# system packages the program needs when running as root; as another user it only lists what
# is missing. Then it makes sure `uv` exists (pip-installing a pinned copy into a private
# folder when it is not on PATH) and syncs .venv/ exactly from uv.lock.

ZZB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZZB_UV_VERSION="0.13.9"

# Python itself and HTTPS to the package index.
ZZB_BASE_PKGS=(python3 python3-pip ca-certificates)
# What the Qt (PySide6) wheels load at run time, xcb platform plugin included, and a CJK font.
ZZB_QT_PKGS=(
    libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0
    fonts-wqy-microhei
)

zzb_log() {
    printf '\033[1m[zzb]\033[0m %s\n' "$*" >&2
}

# zzb_ensure_packages PKG... — install the missing ones (one `apt-get update` first, only if needed).
zzb_ensure_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        zzb_log "not a dpkg-based system: make sure these are installed yourself: $*"
        return 0
    fi
    local missing=() pkg
    for pkg in "$@"; do
        if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" != ii* ]]; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if [[ "$(id -u)" != 0 ]]; then
        zzb_log "missing system packages (not root, not installing): ${missing[*]}"
        zzb_log "install them with: sudo apt-get install -y ${missing[*]}"
        return 0
    fi
    zzb_log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Sets ZZB_UV to a usable uv: the one on PATH, else a pinned copy installed with pip.
zzb_ensure_uv() {
    if command -v uv >/dev/null 2>&1; then
        ZZB_UV="$(command -v uv)"
        return 0
    fi
    local dir="${XDG_CACHE_HOME:-$HOME/.cache}/zhuanzhi-taizhang/uv-$ZZB_UV_VERSION"
    if [[ ! -x "$dir/bin/uv" ]]; then
        zzb_log "installing uv $ZZB_UV_VERSION with pip into $dir"
        # --target keeps it out of the system Python (no PEP 668 conflict, nothing to uninstall).
        python3 -m pip install --quiet --disable-pip-version-check --target "$dir" "uv==$ZZB_UV_VERSION"
    fi
    ZZB_UV="$dir/bin/uv"
}

# Create or update .venv/ exactly as uv.lock says (runtime and dev dependencies).
zzb_sync() {
    zzb_ensure_uv
    # Trust the system's CA store (as pip and apt do), so a package mirror or proxy with a local
    # certificate works; uv's default is its own built-in list. (Old and new names of the switch.)
    export UV_NATIVE_TLS="${UV_NATIVE_TLS:-1}" UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"
    (cd "$ZZB_ROOT" && "$ZZB_UV" sync --frozen --quiet)
}
