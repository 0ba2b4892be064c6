"""``capdesk doctor``: what works on this machine, one line each."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from capdesk import platform_env
from capdesk.cap.errors import BadRequest, CapError, NotFound
from capdesk.commands.output import emit_json

Check = tuple[str, bool, str]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "doctor", help="check display, encoders, audio, keychain, keys, server, disk"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--offline", action="store_true", help="skip the server checks")
    parser.set_defaults(func=run)


def check_display() -> Check:
    if not platform_env.display_available():
        return "display", False, "none (the app cannot open; `capdesk record` still works)"
    if platform_env.is_wayland_session():
        return "display", True, "Wayland: the screen is recorded through the desktop portal"
    return "display", True, "available"


def check_capture() -> Check:
    """For each kind of source, the capture backend a recording will use here and why
    (the reasons others were passed over), or why none can."""
    from capdesk.engine import capture_plan

    parts, usable = [], False
    for plan in capture_plan():
        if plan.kind == "synthetic":
            continue
        if plan.backend is not None:
            usable = usable or plan.kind in ("screen", "window")
            parts.append(f"{plan.kind}: {plan.backend}"
                         + (f" ({plan.why.rstrip('.')})" if plan.why else ""))
        else:
            parts.append(f"{plan.kind}: none ({(plan.why or 'not here').rstrip('.')})")
    return "capture", usable, "; ".join(parts)


def check_encoders() -> Check:
    from capdesk.engine import EncoderUnavailable, choose_encoder, describe_conversion

    try:
        # Each candidate really opens and encodes a 1080p30 frame before it counts.
        choice = choose_encoder(1920, 1080, 30, 9_000_000)
    except EncoderUnavailable as exc:
        return "encoders", False, str(exc)
    tried = "; ".join(choice.report)
    conversion = describe_conversion(choice.settings.pix_fmt, (1920, 1080), (1920, 1080))
    return "encoders", True, f"{choice.name}, conversion {conversion} ({tried})"


def check_audio() -> Check:
    """Microphones and system sound. No device or no sound server never makes the doctor
    fail (this machine has none); a broken install does (a soundcard file is missing)."""
    import sys

    from capdesk.engine import MAC_LOOPBACK_HELP, AudioError, list_microphones

    try:
        mics = list_microphones()
    except AudioError as exc:
        if getattr(exc, "missing_file", None):  # sources.SoundcardBroken
            return "audio", False, f"{exc}; recordings cannot have sound"
        return "audio", True, f"none ({exc}); recordings have no sound"
    if not mics:
        return "audio", True, "no microphone found; recordings have no sound"
    detail = f"microphone: {mics[0].name}" + (f" (+{len(mics) - 1} more)" if len(mics) > 1 else "")
    if sys.platform == "darwin":
        detail += f"; system sound: {MAC_LOOPBACK_HELP}"
    return "audio", True, detail


def check_keychain() -> Check:
    from capdesk import secrets  # keyring

    ok, backend = secrets.keychain_available()
    if ok:
        return "keychain", True, backend
    if any(secrets.get_key(name).source == "environment" for name in (secrets.PUBLIC,)):
        # Keys in the environment are the way without a keychain: nothing is wrong.
        return "keychain", True, ("none here; the keys come from the environment "
                                  f"({secrets.ENV[secrets.PUBLIC]}), which works without one")
    return "keychain", False, secrets.NO_KEYCHAIN


def check_keys() -> list[Check]:
    from capdesk import secrets  # keyring

    checks = []
    for name, required in ((secrets.PUBLIC, True), (secrets.SECRET, False)):
        info = secrets.get_key(name)
        if info.value:
            checks.append((name, True, f"{secrets.mask(info.value)} from the {info.source}"))
        else:
            how = (f"`capdesk config set {name}` (keychain) or {secrets.ENV[name]} "
                   "in the environment")
            note = (f"not set: uploads are off; set it with {how}" if required
                    else f"not set (optional: videos, usage); set it with {how}")
            checks.append((name, not required, note))
    return checks


def _probe(label: str, call: Callable[[], object]) -> Check:
    try:
        call()
    except (BadRequest, NotFound):
        return label, True, "key accepted"
    except CapError as exc:
        return label, False, exc.describe()
    return label, True, "key accepted"


def check_server() -> list[Check]:
    from capdesk import connect  # httpx, keyring

    try:
        conn = connect.current()
    except CapError as exc:
        return [("server", False, exc.describe())]
    checks: list[Check] = [("server", True, conn.base_url + (f" (Origin {conn.origin})"
                                                              if conn.origin else ""))]
    with connect.http_client() as http:
        if conn.public_key:
            def sdk_probe() -> object:
                # An empty presign request: after the key and Origin checks the server
                # refuses the body (400), so this creates nothing and costs nothing.
                return connect.sdk(http, conn).api.request(
                    "POST", "/upload/multipart/presign-part", json={}
                )

            checks.append(_probe("public key at server", sdk_probe))
        if conn.secret_key:
            checks.append(_probe("secret key at server", lambda: connect.rest(http, conn).usage()))
    return checks


def check_disk() -> Check:
    import shutil

    from capdesk import settings  # platformdirs

    folder = settings.load().recordings_folder()
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    mib = free / 2**20
    return "disk", mib > 200, f"{mib:,.0f} MiB free in {folder}"


def run(args: argparse.Namespace) -> int:
    from capdesk.engine import screen_permission_line

    checks: list[Check] = [check_display(), check_capture(), screen_permission_line(),
                           check_encoders(),
                           check_audio(),
                           check_keychain(), *check_keys(), check_disk()]
    if not args.offline:
        checks.extend(check_server())
    if args.json:
        emit_json([{"check": n, "ok": ok, "detail": d} for n, ok, d in checks])
    else:
        for name, ok, detail in checks:
            print(f"{'ok ' if ok else 'NO '} {name:22} {detail}")
    return 0 if all(ok for _, ok, _ in checks) else 1
