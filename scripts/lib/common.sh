# Shared by scripts/run and scripts/test. Source it; do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${CAPDESK_VENV:-$ROOT/.venv}"

note() { printf '%s\n' "$*" >&2; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  note "capdesk needs Python 3.11 or newer; install it and run this again."
  return 1
}

# ensure_venv EXTRAS: create .venv if missing and install the project (with extras) when
# pyproject.toml changed since the last install or these extras are not installed yet.
# The stamp keeps every extra installed so far, so switching between scripts/run (no
# extras) and scripts/test (test,package) does not reinstall each time.
ensure_venv() {
  local extras="$1" python stamp hash have want extra missing=""
  python="$(find_python)"
  if [ ! -x "$VENV/bin/python" ]; then
    note "Creating $VENV ..."
    "$python" -m venv "$VENV"
  fi
  stamp="$VENV/.capdesk-installed"
  hash="$(sha256sum <"$ROOT/pyproject.toml" | cut -c1-16)"
  have=""
  if [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "$hash" ]; then
    have="$(cut -s -d' ' -f2 "$stamp")"
    for extra in ${extras//,/ }; do
      case ",$have," in *",$extra,"*) ;; *) missing="yes" ;; esac
    done
    [ -z "$missing" ] && return 0
  fi
  want="$(printf '%s\n' ${have//,/ } ${extras//,/ } | sort -u | paste -sd, -)"
  note "Installing capdesk${want:+ [$want]} into $VENV ..."
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  if [ -n "$want" ]; then
    PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip install --quiet -e "$ROOT[$want]"
  else
    PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip install --quiet -e "$ROOT"
  fi
  echo "$hash $want" >"$stamp"
}

# System libraries Qt's xcb plugin needs, and what the tests use (Xvfb, ffmpeg, xdotool).
APT_RUNTIME="libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libpulse0 libxdamage1"
APT_TEST="xvfb xauth x11-utils xdotool openbox ffmpeg trayer gnome-keyring dbus-daemon dbus-bin
  pulseaudio pulseaudio-utils"

apt_install() {
  command -v apt-get >/dev/null 2>&1 || { note "No apt-get here: install $* yourself."; return 0; }
  local missing=() pkg sudo=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      note "Missing system packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
      return 0
    fi
  fi
  note "Installing system packages: ${missing[*]} ..."
  $sudo apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}
