"""``capdesk config``: show and set the server URL, Origin and keys.

Keys go to the OS keychain. They are read from standard input (or a prompt),
never from the command line, where other users and shell history would see them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from capdesk import exitcodes
from capdesk.cap.errors import ConfigError
from capdesk.commands.output import emit_json, say

# secrets.PUBLIC and secrets.SECRET (capdesk.secrets imports keyring, so it loads when a
# command runs; tests/unit/test_cli_startup.py checks the names agree).
KEY_NAMES = {"public-key": "public-key", "secret-key": "secret-key"}
ALIASES = {"base-url": "base_url", "server": "base_url", "url": "base_url"}


def register(sub: Any) -> None:
    parser = sub.add_parser("config", help="show or change settings and keys")
    csub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    p = csub.add_parser("show", help="show settings (keys masked)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_show)
    p = csub.add_parser(
        "set",
        help="set a setting, or a key (public-key, secret-key: read from stdin or a prompt)",
    )
    p.add_argument("name", help="base-url, origin, public-key, secret-key, or any setting name")
    p.add_argument("value", nargs="?", help="the value (not for keys)")
    p.set_defaults(func=run_set)
    p = csub.add_parser("unset", help="reset a setting to its default, or remove a key")
    p.add_argument("name")
    p.set_defaults(func=run_unset)
    parser.set_defaults(func=run_show, json=False)


def _setting_name(name: str) -> str:
    return ALIASES.get(name, name.replace("-", "_"))


def run_show(args: argparse.Namespace) -> int:
    import dataclasses

    from capdesk import paths, secrets, settings

    config = settings.load()
    ok, backend = secrets.keychain_available()
    keys = {name: secrets.get_key(key) for name, key in KEY_NAMES.items()}
    values = {f.name: config.effective(f.name) for f in dataclasses.fields(config)}
    if getattr(args, "json", False):
        emit_json(
            {
                "settings": values,
                "settingsFile": str(paths.settings_file()),
                "keychain": backend if ok else None,
                "keys": {n: {"value": secrets.mask(k.value), "source": k.source}
                         for n, k in keys.items()},
            }
        )
        return 0
    print(f"Settings file: {paths.settings_file()}")
    for name, value in values.items():
        env = settings.ENV_OVERRIDES.get(name)
        note = f"  (from {env})" if env and value != getattr(config, name) else ""
        print(f"  {name.replace('_', '-'):16} {value!s}{note}")
    print(f"Keychain: {backend if ok else 'none available: use CAP_PUBLIC_KEY / CAP_SECRET_KEY'}")
    for name, info in keys.items():
        print(f"  {name:16} {secrets.mask(info.value)}  ({info.source})")
    return 0


def _read_key(name: str) -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Paste the {name.replace('-', ' ')}: ")
    return sys.stdin.readline()


def run_set(args: argparse.Namespace) -> int:
    from capdesk import secrets, settings
    from capdesk.cap.transport import validate_base_url  # httpx

    if args.name in KEY_NAMES:
        if args.value:
            say("error: keys are not accepted on the command line (shell history and other "
                f"users can see them); run `capdesk config set {args.name}` and paste it, "
                "or pipe it on standard input")
            return exitcodes.USAGE
        try:
            secrets.set_key(KEY_NAMES[args.name], _read_key(args.name))
        except (ValueError, secrets.KeychainUnavailable) as exc:
            say(f"error: {exc}")
            return exitcodes.FAILURE
        say(f"Saved the {args.name.replace('-', ' ')} to the keychain.")
        return 0
    name = _setting_name(args.name)
    if args.value is None:
        say(f"error: give a value for {args.name}")
        return exitcodes.USAGE
    config = settings.load()
    try:
        value = settings.coerce(name, args.value)
        if name == "base_url":
            value = validate_base_url(value)
        if name == "origin" and value:
            value = validate_origin(value)
    except (ValueError, ConfigError) as exc:
        say(f"error: {exc}")
        return exitcodes.USAGE
    setattr(config, name, value)
    settings.save(config)
    say(f"{args.name} = {value}")
    return 0


def validate_origin(value: str) -> str:
    """An Origin is scheme://host[:port], nothing else (Cap compares it exactly)."""
    from urllib.parse import urlsplit

    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError("an Origin looks like https://example.com (scheme, host, optional port)")
    return f"{parts.scheme}://{parts.netloc}"


def run_unset(args: argparse.Namespace) -> int:
    from capdesk import secrets, settings

    if args.name in KEY_NAMES:
        try:
            removed = secrets.delete_key(KEY_NAMES[args.name])
        except secrets.KeychainUnavailable as exc:
            say(f"error: {exc}")
            return exitcodes.FAILURE
        say("Removed." if removed else "No such key was saved.")
        return 0
    name = _setting_name(args.name)
    config = settings.load()
    if name not in settings.FIELD_TYPES:
        say(f"error: unknown setting {args.name!r}")
        return exitcodes.USAGE
    setattr(config, name, getattr(settings.Settings(), name))
    settings.save(config)
    return 0
