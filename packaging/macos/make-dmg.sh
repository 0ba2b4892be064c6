#!/usr/bin/env bash
# Make the disk image people open to install capdesk: the app next to a link to
# /Applications, so that installing is one drag.
#   packaging/macos/make-dmg.sh dist/capdesk.app dist/capdesk-<version>-macos-<arch>.dmg [VOLUME NAME]
# Used by packaging/build and packaging/macos/notarize.sh. macOS only (hdiutil).
set -euo pipefail

APP="${1:?usage: make-dmg.sh path/to/capdesk.app out.dmg [volume name]}"
DMG="${2:?usage: make-dmg.sh path/to/capdesk.app out.dmg [volume name]}"
VOLNAME="${3:-$(basename "$APP" .app)}"
[ -d "$APP" ] || { echo "make-dmg.sh: no app at $APP" >&2; exit 1; }

stage="$(mktemp -d "${TMPDIR:-/tmp}/capdesk-dmg.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
# ditto keeps what a signed app needs (extended attributes, resource forks, symlinks).
if command -v ditto >/dev/null 2>&1; then
  ditto "$APP" "$stage/$(basename "$APP")"
else
  cp -R "$APP" "$stage/$(basename "$APP")"
fi
ln -s /Applications "$stage/Applications"
rm -f "$DMG"
hdiutil create -quiet -volname "$VOLNAME" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$DMG"
