#!/bin/sh
# Install capdesk from this folder: for you (default) or for everyone (--system, as root).
#   ./install.sh [--system] [--uninstall]
# Copies the app to ~/.local/share/capdesk/app (or /opt/capdesk), links the `capdesk`
# command into ~/.local/bin (or /usr/local/bin), and adds the menu entry and icons.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
MODE=user
ACTION=install
for arg in "$@"; do
  case "$arg" in
    --system) MODE=system ;;
    --uninstall) ACTION=uninstall ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
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

refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
  fi
}

if [ "$ACTION" = uninstall ]; then
  rm -rf "$APP"
  [ -L "$BIN/capdesk" ] && rm -f "$BIN/capdesk"
  rm -f "$SHARE/applications/capdesk.desktop"
  for size in $SIZES; do rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/capdesk.png"; done
  refresh
  echo "capdesk removed. Your recordings and settings were kept."
  exit 0
fi

if [ "$HERE" != "$APP" ]; then
  rm -rf "$APP.new"
  mkdir -p "$(dirname "$APP")"
  cp -a "$HERE" "$APP.new"
  rm -rf "$APP"
  mv "$APP.new" "$APP"
fi
mkdir -p "$BIN" "$SHARE/applications"
ln -sf "$APP/capdesk" "$BIN/capdesk"
for size in $SIZES; do
  mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
  cp "$APP/share/icons/hicolor/${size}x${size}/apps/capdesk.png" \
    "$SHARE/icons/hicolor/${size}x${size}/apps/capdesk.png"
done
# The menu entry runs the installed copy by its full path (~/.local/bin may not be on PATH).
sed -e "s|^Exec=.*|Exec=\"$APP/capdesk\"|" -e "/^TryExec=/d" \
  "$APP/share/applications/capdesk.desktop" >"$SHARE/applications/capdesk.desktop"
echo "TryExec=$APP/capdesk" >>"$SHARE/applications/capdesk.desktop"
refresh
echo "capdesk installed in $APP; run it from your applications menu or as: $BIN/capdesk"
case ":$PATH:" in *":$BIN:"*) ;; *) echo "(add $BIN to your PATH to type just: capdesk)" ;; esac
