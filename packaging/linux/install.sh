#!/bin/sh
# Install capdesk from this folder: for you (default) or for everyone (--system, as root).
#   ./install.sh [--system] [--uninstall]
# Copies the app to ~/.local/share/capdesk/app (or /opt/capdesk), links the `capdesk`
# command into ~/.local/bin (or /usr/local/bin), and adds the menu entry and icons.
# --uninstall removes all that, the start-at-login entry and the emptied folders it made.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
MODE=user
ACTION=install
for arg in "$@"; do
  case "$arg" in
    --system) MODE=system ;;
    --uninstall) ACTION=uninstall ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

if [ "$MODE" = system ]; then
  APP=/opt/capdesk
  BIN=/usr/local/bin
  SHARE=/usr/local/share
else
  SHARE="${XDG_DATA_HOME:-$HOME/.local/share}"
  APP="$SHARE/capdesk/app"
  BIN="$HOME/.local/bin"
fi
SIZES="16 22 24 32 48 64 128 256 512"
# The folders this script made (so that --uninstall removes them again when they are
# empty), one per line, kept inside the installed app.
MADE="$APP/.made-folders"
# The app's start-at-login entry (capdesk/ui/autostart.py writes it: XDG autostart).
AUTOSTART="${XDG_CONFIG_HOME:-$HOME/.config}/autostart/capdesk.desktop"
if [ "$MODE" = system ] && [ -n "${SUDO_USER:-}" ] && command -v getent >/dev/null 2>&1; then
  # sudo ./install.sh --system --uninstall: the entry of the user who ran sudo
  user_home="$(getent passwd "$SUDO_USER" | cut -d: -f6)"
  [ -n "$user_home" ] && AUTOSTART="$user_home/.config/autostart/capdesk.desktop"
fi

refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
  fi
}

# make_folder DIR: mkdir -p, noting in $made each folder that did not exist before.
made=""
make_folder() {
  missing="" dir="$1"
  while [ ! -d "$dir" ]; do
    missing="$dir
$missing"
    dir="$(dirname "$dir")"
  done
  mkdir -p "$1"
  made="$made$missing"
}

if [ "$ACTION" = uninstall ]; then
  folders="$(cat "$MADE" 2>/dev/null || true)"
  # The start-at-login entry, when it starts this copy (not another capdesk: an AppImage,
  # a development checkout).
  if [ -f "$AUTOSTART" ] && grep -qF -e "$APP/capdesk" -e "$BIN/capdesk" "$AUTOSTART"; then
    rm -f "$AUTOSTART"
  fi
  rm -rf "$APP"
  [ -L "$BIN/capdesk" ] && rm -f "$BIN/capdesk"
  rm -f "$SHARE/applications/capdesk.desktop"
  for size in $SIZES; do rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/capdesk.png"; done
  # The hicolor folder this script made holds no icon any more: its cache goes too.
  hicolor="$SHARE/icons/hicolor"
  if printf '%s\n' "$folders" | grep -qxF "$hicolor" &&
     [ -z "$(find "$hicolor" -type f ! -name icon-theme.cache 2>/dev/null | head -n 1)" ]; then
    rm -f "$hicolor/icon-theme.cache"
  fi
  # The folders it made, deepest first, when nothing else is in them.
  printf '%s\n' "$folders" | sort -r | while IFS= read -r dir; do
    if [ -n "$dir" ]; then rmdir "$dir" 2>/dev/null || true; fi
  done
  refresh
  echo "capdesk removed. Your recordings and settings were kept."
  exit 0
fi

# Folders made by an earlier install stay on the list.
[ -f "$MADE" ] && made="$(cat "$MADE")
"
if [ "$HERE" != "$APP" ]; then
  rm -rf "$APP.new"
  make_folder "$(dirname "$APP")"
  cp -a "$HERE" "$APP.new"
  rm -rf "$APP"
  mv "$APP.new" "$APP"
fi
make_folder "$BIN"
make_folder "$SHARE/applications"
ln -sf "$APP/capdesk" "$BIN/capdesk"
for size in $SIZES; do
  make_folder "$SHARE/icons/hicolor/${size}x${size}/apps"
  cp "$APP/share/icons/hicolor/${size}x${size}/apps/capdesk.png" \
    "$SHARE/icons/hicolor/${size}x${size}/apps/capdesk.png"
done
printf '%s' "$made" | grep -v '^$' | sort -u >"$MADE" || true
# The menu entry runs the installed copy by its full path (~/.local/bin may not be on PATH).
sed -e "s|^Exec=.*|Exec=\"$APP/capdesk\"|" -e "/^TryExec=/d" \
  "$APP/share/applications/capdesk.desktop" >"$SHARE/applications/capdesk.desktop"
echo "TryExec=$APP/capdesk" >>"$SHARE/applications/capdesk.desktop"
refresh
echo "capdesk installed in $APP; run it from your applications menu or as: $BIN/capdesk"
case ":$PATH:" in *":$BIN:"*) ;; *) echo "(add $BIN to your PATH to type just: capdesk)" ;; esac
