"""Base URL and key checks: nothing is sent to a wrong place or with a wrong key."""

from __future__ import annotations

import httpx
import pytest

from capdesk import exitcodes
from capdesk.cap.errors import ConfigError
from capdesk.cap.rest import CapRest
from capdesk.cap.sdk import CapSdk
from capdesk.cap.transport import ApiTransport, check_key, is_loopback, validate_base_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://cap.so", "https://cap.so"),
        ("https://cap.so/", "https://cap.so"),
        ("  https://cap.example.com:8443/cap/  ", "https://cap.example.com:8443/cap"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
        ("http://127.8.9.10", "http://127.8.9.10"),
        ("http://[::1]:3000/", "http://[::1]:3000"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://LOCALHOST", "http://LOCALHOST"),
        ("HTTPS://CAP.SO", "HTTPS://CAP.SO"),
    ],
)
def test_accepted_base_urls(url, expected):
    assert validate_base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://cap.so",
        "http://192.168.1.10:3000",
        "http://10.0.0.1",
        "http://[2001:db8::1]",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
    ],
)
def test_plain_http_is_refused_except_on_loopback(url):
    with pytest.raises(ConfigError, match="not encrypted") as info:
        validate_base_url(url)
    assert info.value.exit_code == exitcodes.NOT_CONFIGURED
    assert "https://" in info.value.hint


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "cap.so",
        "ftp://cap.so",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://",
        "https:///path",
        "https://cap.so:notaport",
        "https://cap.so:99999",
        "https://cap.so/?x=1",
        "https://cap.so/#top",
        "//cap.so",
    ],
)
def test_garbage_base_urls_are_refused(url):
    with pytest.raises(ConfigError) as info:
        validate_base_url(url)
    assert info.value.exit_code == exitcodes.NOT_CONFIGURED
    assert info.value.hint


def keeping_transport(sent: list[httpx.Request]) -> httpx.MockTransport:
    """A transport that only keeps the requests it is given (answering 500)."""

    def keep(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return httpx.MockTransport(keep)


def test_a_client_with_a_bad_base_url_sends_nothing():
    sent: list[httpx.Request] = []
    with httpx.Client(transport=keeping_transport(sent)) as http:
        with pytest.raises(ConfigError):
            CapSdk(http, "http://cap.so", "cpk_" + "a" * 24)
        with pytest.raises(ConfigError):
            CapRest(http, "https://cap.so:port", "csk_" + "a" * 24)
    assert sent == []


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "[::1]", "app.localhost"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["cap.so", "192.168.0.1", "localhost.example.com", "0.0.0.0"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback(host)


def test_check_key_accepts_and_trims_a_key_of_the_right_kind():
    assert check_key("  cpk_abc123\n", "cpk_", "public key") == "cpk_abc123"
    assert check_key("csk_abc123", "csk_", "secret key") == "csk_abc123"


@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_key_says_how_to_set_one(value):
    with pytest.raises(ConfigError, match="no public key is set") as info:
        check_key(value, "cpk_", "public key")
    assert "capdesk config set public-key" in info.value.hint
    assert "CAP_PUBLIC_KEY" in info.value.hint
    assert info.value.exit_code == exitcodes.NOT_CONFIGURED


def test_a_missing_secret_key_names_its_variable():
    with pytest.raises(ConfigError) as info:
        check_key(None, "csk_", "secret key")
    assert "capdesk config set secret-key" in info.value.hint
    assert "CAP_SECRET_KEY" in info.value.hint


def test_a_secret_key_given_as_public_key_is_refused_without_showing_it():
    secret = "csk_0123456789abcdefSECRET"
    with pytest.raises(ConfigError) as info:
        check_key(secret, "cpk_", "public key")
    assert "must start with cpk_" in str(info.value)
    assert "secret key (csk_)" in info.value.hint
    assert "0123456789" not in str(info.value)


def test_a_public_key_given_as_secret_key_is_named_as_such():
    with pytest.raises(ConfigError) as info:
        check_key("cpk_0123456789abcdef", "csk_", "secret key")
    assert "must start with csk_" in str(info.value)
    assert "public key (cpk_)" in info.value.hint


@pytest.mark.parametrize("value", ["hunter2", "Bearer cpk_abc", "CPK_abc", "   "])
def test_other_values_are_refused_as_keys(value):
    with pytest.raises(ConfigError) as info:
        check_key(value, "cpk_", "public key")
    assert "hunter2" not in str(info.value)


def test_the_clients_check_their_key_before_anything_is_sent(cap_keys):
    sent: list[httpx.Request] = []
    with httpx.Client(transport=keeping_transport(sent)) as http:
        with pytest.raises(ConfigError, match="public key"):
            CapSdk(http, "https://cap.so", cap_keys.secret)
        with pytest.raises(ConfigError, match="secret key"):
            CapRest(http, "https://cap.so", cap_keys.public)
        with pytest.raises(ConfigError):
            CapRest(http, "https://cap.so", None)
    assert sent == []


def test_the_transport_repr_hides_the_key(cap_keys):
    with httpx.Client() as http:
        api = ApiTransport(http, "https://cap.so", "/api/developer/v1", cap_keys.secret)
        assert cap_keys.secret not in repr(api)
        assert repr(api) == "<ApiTransport https://cap.so/api/developer/v1>"
