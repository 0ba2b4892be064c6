#!/usr/bin/env bash
# Notarise and staple a signed capdesk.app, then rebuild the zip and dmg from it.
#   packaging/macos/notarize.sh dist/capdesk.app
# Needs: the app built with CAPDESK_CODESIGN_IDENTITY set (Developer ID Application,
# hardened runtime: packaging/build does that), and notarytool credentials, either
#   NOTARY_PROFILE   a keychain profile made once with `xcrun notarytool store-credentials`
# or
#   NOTARY_KEY (path to the App Store Connect API .p8 key), NOTARY_KEY_ID, NOTARY_ISSUER
set -euo pipefail

APP="${1:?usage: notarize.sh path/to/capdesk.app}"
DIST="$(cd "$(dirname "$APP")" && pwd)"
VERSION="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$APP/Contents/Info.plist")"
ARCH="$(uname -m)"

if [ -n "${NOTARY_PROFILE:-}" ]; then
  auth=(--keychain-profile "$NOTARY_PROFILE")
else
  auth=(--key "${NOTARY_KEY:?set NOTARY_PROFILE or NOTARY_KEY}" --key-id "${NOTARY_KEY_ID:?}"
        --issuer "${NOTARY_ISSUER:?}")
fi

codesign --verify --deep --strict --verbose=2 "$APP"
submission="$(mktemp -d)/capdesk.zip"
ditto -c -k --sequesterRsrc --keepParent "$APP" "$submission"
xcrun notarytool submit "$submission" "${auth[@]}" --wait
xcrun stapler staple "$APP"
spctl --assess --type execute --verbose=2 "$APP"

zip="$DIST/capdesk-$VERSION-macos-$ARCH.zip"
rm -f "$zip"
ditto -c -k --sequesterRsrc --keepParent "$APP" "$zip"
dmg="$DIST/capdesk-$VERSION-macos-$ARCH.dmg"
"$(dirname "$0")/make-dmg.sh" "$APP" "$dmg" "capdesk $VERSION"
if [ -n "${CAPDESK_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CAPDESK_CODESIGN_IDENTITY" "$dmg"
fi
echo "notarised: $APP, $zip, $dmg"
