# A headless Wayland session for the tests: sway (pixman renderer), PipeWire, WirePlumber,
# xdg-desktop-portal and a patched xdg-desktop-portal-wlr, so that QtMultimedia's
# QScreenCapture gets real frames through the ScreenCast portal.
# Source it after lib/common.sh; scripts/wayland-session starts and stops the session.
# shellcheck shell=bash

# What runs the session (no swaybg, bar, terminal or XWayland: none is needed).
APT_WAYLAND="sway grim pipewire pipewire-bin wireplumber xdg-desktop-portal
  xdg-desktop-portal-wlr dbus-daemon dbus-bin util-linux acl libwayland-client0
  libwayland-cursor0 libwayland-egl1 libxkbcommon0"
# What builds xdg-desktop-portal-wlr from Debian's source.
APT_WAYLAND_BUILD="dpkg-dev meson ninja-build pkg-config gcc libwayland-dev wayland-protocols
  libpipewire-0.3-dev libsystemd-dev libinih-dev libgbm-dev libdrm-dev"
WAYLAND_CACHE="${CAPDESK_WAYLAND_CACHE:-$ROOT/.cache/wayland}"
# Bump when the patch below changes: the cached binary is rebuilt.
XDPW_PATCH_REV="shm1"

# xdpw_binary: where the patched xdg-desktop-portal-wlr for the installed version lives.
xdpw_binary() {
  local version
  version="$(dpkg-query -W -f='${Version}' xdg-desktop-portal-wlr 2>/dev/null)" || return 1
  [ -n "$version" ] || return 1
  echo "$WAYLAND_CACHE/xdg-desktop-portal-wlr-${version//[:~]/_}-$XDPW_PATCH_REV"
}

# ensure_deb_src: make `apt-get source` work (bookworm ships deb822 sources without deb-src).
ensure_deb_src() {
  local list=/etc/apt/sources.list.d/capdesk-deb-src.sources file
  if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  note "Adding deb-src entries ($list) ..."
  : >"$list.tmp"
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    # Only Debian's own archive: the source of a Debian package is there.
    grep -qE '^URIs:.*(deb\.debian\.org|debian)' "$file" || continue
    sed -e 's/^Types:.*/Types: deb-src/' "$file" >>"$list.tmp"
    echo >>"$list.tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    sed -n -e 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list \
      >/etc/apt/sources.list.d/capdesk-deb-src.list
    [ -s /etc/apt/sources.list.d/capdesk-deb-src.list ] ||
      rm -f /etc/apt/sources.list.d/capdesk-deb-src.list
  fi
  if [ -s "$list.tmp" ]; then mv "$list.tmp" "$list"; else rm -f "$list.tmp"; fi
  apt-get update -qq >/dev/null
}

# build_patched_xdpw OUT: fetch Debian's source of the installed xdg-desktop-portal-wlr,
# relax the one check that needs a DMA-BUF format from the compositor (the pixman renderer
# offers SHM only: upstream issue 289) and build it with meson/ninja into OUT.
build_patched_xdpw() {
  local out="$1" version work src check
  version="$(dpkg-query -W -f='${Version}' xdg-desktop-portal-wlr)"
  # shellcheck disable=SC2086
  apt_install $APT_WAYLAND_BUILD
  ensure_deb_src
  rm -rf "$WAYLAND_CACHE"/build.*  # what a failed build left for reading
  work="$(mktemp -d "$WAYLAND_CACHE/build.XXXXXX")"
  note "Building xdg-desktop-portal-wlr $version with the SHM-only patch in $work ..."
  chmod 0755 "$work"  # apt-get source downloads as the _apt user
  if ! (cd "$work" && apt-get source -qq "xdg-desktop-portal-wlr=$version" >source.log 2>&1); then
    # The exact version may be gone from the archive: take the one it has.
    (cd "$work" && apt-get source -qq xdg-desktop-portal-wlr >source.log 2>&1) || {
      note "apt-get source xdg-desktop-portal-wlr failed:"; cat "$work/source.log" >&2
      return 1
    }
  fi
  src="$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'xdg-desktop-portal-wlr-*' | head -n1)"
  [ -n "$src" ] || { note "no unpacked source in $work"; return 1; }
  check="$src/src/screencast/screencast.c"
  # Keep the SHM check, drop the DMA-BUF one: `(0 && screencast_version >= 3 && ...)`.
  sed -i 's/(cast->ctx->state->screencast_version >= 3 &&/(0 \&\& cast->ctx->state->screencast_version >= 3 \&\&/' \
    "$check"
  grep -q '(0 && cast->ctx->state->screencast_version >= 3 &&' "$check" || {
    note "could not patch the DMA-BUF check in $check (the source changed?)"
    return 1
  }
  (cd "$src" && meson setup build --buildtype=release -Dman-pages=disabled \
     -Dsd-bus-provider=libsystemd >"$work/meson.log" 2>&1 &&
   ninja -C build >"$work/ninja.log" 2>&1) || {
    note "building xdg-desktop-portal-wlr failed:"; tail -n 40 "$work"/meson.log "$work"/ninja.log >&2
    return 1
  }
  install -m 0755 "$src/build/xdg-desktop-portal-wlr" "$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# ensure_wayland_session_deps: install what scripts/wayland-session needs and build the
# patched portal once (cached in .cache/wayland, keyed by the package version and the patch).
# Non-zero (with a note) when it cannot (not root, a build failure): scripts/test can go on
# with `ensure_wayland_session_deps || note "..."`, and the Wayland tests then fail under CI
# and skip elsewhere, saying what is missing. Cold: about 35 s (apt + source + build);
# warm: a dpkg-query.
ensure_wayland_session_deps() {
  local bin
  # shellcheck disable=SC2086
  apt_install $APT_WAYLAND
  bin="$(xdpw_binary)" || { note "xdg-desktop-portal-wlr is not installed"; return 1; }
  [ -x "$bin" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    note "Building the patched xdg-desktop-portal-wlr needs root (apt-get source, build deps)."
    return 1
  fi
  mkdir -p "$WAYLAND_CACHE"
  build_patched_xdpw "$bin"
}
