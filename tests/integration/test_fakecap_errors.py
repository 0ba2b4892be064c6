"""The fake Cap server's error answers: keys, origins, credits, schemas, CORS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakecap import FakeCap
from tests.fakecap.fixtures import CapApp
from tests.fakecap.helpers import sdk_client


def _post(app: CapApp, path: str, auth: str | None, **kwargs: Any) -> httpx.Response:
    headers = kwargs.pop("headers", {})
    if auth is not None:
        headers["Authorization"] = auth
    with httpx.Client(base_url=app.sdk_url) as client:
        return client.post(path, headers=headers, **kwargs)


def _get(app: CapApp, path: str, auth: str | None) -> httpx.Response:
    headers = {"Authorization": auth} if auth is not None else {}
    with httpx.Client(base_url=app.rest_url) as client:
        return client.get(path, headers=headers)


def test_key_prefix_and_revocation(cap_app: CapApp, fake_cap: FakeCap) -> None:
    create = "/videos/create"
    for auth in (None, "Bearer", f"Bearer {cap_app.secret_key}", f"{cap_app.public_key}"):
        answer = _post(cap_app, create, auth, json={})
        assert (answer.status_code, answer.json()) == (401, {"error": "Invalid public key"})
    for auth in (None, f"Bearer {cap_app.public_key}"):
        answer = _get(cap_app, "/usage", auth)
        assert (answer.status_code, answer.json()) == (401, {"error": "Invalid secret key"})

    unknown = _post(cap_app, create, "Bearer cpk_unknown", json={})
    assert unknown.status_code == 401
    assert unknown.json() == {"error": "Invalid or revoked public key"}
    unknown = _get(cap_app, "/usage", "Bearer csk_unknown")
    assert unknown.status_code == 401
    assert unknown.json() == {"error": "Invalid or revoked secret key"}

    spare = fake_cap.create_key(cap_app.app_id, "public")
    fake_cap.revoke_key(cap_app.public_key)
    revoked = _post(cap_app, create, f"Bearer {cap_app.public_key}", json={})
    assert revoked.json() == {"error": "Invalid or revoked public key"}
    assert _post(cap_app, create, f"Bearer {spare}", json={}).status_code == 200

    fake_cap.delete_app(cap_app.app_id)
    assert _post(cap_app, create, f"Bearer {spare}", json={}).status_code == 401
    gone = _get(cap_app, "/usage", f"Bearer {cap_app.secret_key}")
    assert gone.json() == {"error": "Invalid or revoked secret key"}


def test_production_app_needs_an_allowed_origin(make_cap_app: Any) -> None:
    app = make_cap_app(environment="production", origins=["https://app.example:8443"])
    auth = f"Bearer {app.public_key}"
    missing = _post(app, "/videos/create", auth, json={})
    assert (missing.status_code, missing.json()) == (
        403, {"error": "Origin header required for production apps"})
    for origin in ("https://app.example", "http://app.example:8443", "https://APP.example:8443",
                   "https://app.example:8443/"):
        refused = _post(app, "/videos/create", auth, json={}, headers={"Origin": origin})
        assert (refused.status_code, refused.json()) == (403, {"error": "Origin not allowed"})
    ok = _post(app, "/videos/create", auth, json={}, headers={"Origin": "https://app.example:8443"})
    assert ok.status_code == 200
    # the REST API never checks Origin
    assert _get(app, "/usage", f"Bearer {app.secret_key}").status_code == 200
    dev = make_cap_app(environment="development", origins=["https://app.example:8443"])
    assert _post(dev, "/videos/create", f"Bearer {dev.public_key}", json={}).status_code == 200


def test_create_needs_5000_micro_credits(make_cap_app: Any, fake_cap: FakeCap) -> None:
    app = make_cap_app(balance=4_999)
    refused = _post(app, "/videos/create", f"Bearer {app.public_key}", json={})
    assert (refused.status_code, refused.json()) == (402, {"error": "Insufficient credits"})
    fake_cap.set_balance(app.app_id, 5_000)
    assert _post(app, "/videos/create", f"Bearer {app.public_key}", json={}).status_code == 200
    assert app.balance == 5_000  # create checks, it does not debit


def test_unknown_videos_are_404(cap_app: CapApp, make_cap_app: Any) -> None:
    other = make_cap_app()
    with sdk_client(other) as sdk:
        foreign = sdk.post("/videos/create", json={}).json()["videoId"]
    with sdk_client(cap_app) as sdk:
        for video_id in ("missing", foreign):
            for path, body in (("initiate", {}), ("abort", {"uploadId": "u"}),
                               ("presign-part", {"uploadId": "u", "partNumber": 1})):
                answer = sdk.post(f"/upload/multipart/{path}", json={"videoId": video_id} | body)
                assert (answer.status_code, answer.json()) == (404, {"error": "Video not found"})
    for path in ("/videos/missing", f"/videos/{foreign}", f"/videos/{foreign}/status"):
        answer = _get(cap_app, path, f"Bearer {cap_app.secret_key}")
        assert (answer.status_code, answer.json()) == (404, {"error": "Video not found"})
    nowhere = _get(cap_app, "/nowhere", f"Bearer {cap_app.secret_key}")
    assert (nowhere.status_code, nowhere.text) == (404, "404 Not Found")


def _issues(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["success"] is False and body["error"]["name"] == "ZodError"
    return list(body["error"]["issues"])


COMPLETE = {"videoId": "v", "uploadId": "u", "parts": [], "durationInSecs": 5}


@pytest.mark.parametrize(("body", "path", "code", "message"), [
    ({k: v for k, v in COMPLETE.items() if k != "durationInSecs"}, ["durationInSecs"],
     "invalid_type", "Required"),
    (COMPLETE | {"durationInSecs": 0}, ["durationInSecs"], "too_small",
     "Number must be greater than 0"),
    (COMPLETE | {"durationInSecs": -3}, ["durationInSecs"], "too_small",
     "Number must be greater than 0"),
    (COMPLETE | {"durationInSecs": 14_401}, ["durationInSecs"], "too_big",
     "Number must be less than or equal to 14400"),
    (COMPLETE | {"durationInSecs": "5"}, ["durationInSecs"], "invalid_type",
     "Expected number, received string"),
    (COMPLETE | {"parts": [{"partNumber": 0, "etag": "e", "size": 1}]}, ["parts", 0, "partNumber"],
     "too_small", "Number must be greater than or equal to 1"),
    (COMPLETE | {"parts": [{"partNumber": 10_001, "etag": "e", "size": 1}]},
     ["parts", 0, "partNumber"], "too_big", "Number must be less than or equal to 10000"),
    (COMPLETE | {"parts": [{"partNumber": 1.5, "etag": "e", "size": 1}]},
     ["parts", 0, "partNumber"], "invalid_type", "Expected integer, received float"),
    (COMPLETE | {"parts": [{"partNumber": 1, "etag": None, "size": 1}]}, ["parts", 0, "etag"],
     "invalid_type", "Expected string, received null"),
    (COMPLETE | {"width": True}, ["width"], "invalid_type", "Expected number, received boolean"),
])
def test_complete_schema(cap_app: CapApp, body: dict[str, Any], path: list[Any], code: str,
                         message: str) -> None:
    issues = _issues(_post(cap_app, "/upload/multipart/complete", f"Bearer {cap_app.public_key}",
                           json=body))
    assert [(i["path"], i["code"], i["message"]) for i in issues] == [(path, code, message)]


def test_other_schemas(cap_app: CapApp) -> None:
    auth = f"Bearer {cap_app.public_key}"
    issue = _issues(_post(cap_app, "/upload/multipart/presign-part", auth,
                          json={"videoId": "v", "uploadId": "u", "partNumber": 10_001}))[0]
    assert issue == {"code": "too_big", "maximum": 10000, "type": "number", "inclusive": True,
                     "exact": False, "message": "Number must be less than or equal to 10000",
                     "path": ["partNumber"]}
    name = _issues(_post(cap_app, "/videos/create", auth, json={"name": "é" * 256}))[0]
    assert name["message"] == "String must contain at most 255 character(s)"
    big = {"blob": "x" * 8181}  # {"blob":"..."} is 8192 characters: allowed
    assert _post(cap_app, "/videos/create", auth, json={"metadata": big}).status_code == 200
    over = _issues(_post(cap_app, "/videos/create", auth, json={"metadata": {"blob": "x" * 8182}}))
    assert over == [
        {"code": "custom", "message": "Metadata must be under 8KB", "path": ["metadata"]}
    ]
    listy = _issues(_post(cap_app, "/videos/create", auth, json={"metadata": [1]}))[0]
    assert listy["message"] == "Expected object, received array"
    missing = _issues(_post(cap_app, "/upload/multipart/initiate", auth, json={}))
    assert [i["path"] for i in missing] == [["videoId"]]
    top = _issues(_post(cap_app, "/upload/multipart/abort", auth, json=[1, 2]))
    assert top[0]["path"] == [] and top[0]["expected"] == "object"


def test_malformed_json_and_other_content_types(cap_app: CapApp) -> None:
    auth = f"Bearer {cap_app.public_key}"
    for raw in (b"{not json", b"", b'{"durationInSecs": NaN}'):
        answer = _post(cap_app, "/upload/multipart/complete", auth, content=raw,
                       headers={"Content-Type": "application/json"})
        assert (answer.status_code, answer.text) == (400, "Malformed JSON in request body")
    # without a JSON Content-Type the body is read as {}: create succeeds, complete is a 400
    plain = {"Content-Type": "text/plain"}
    assert _post(cap_app, "/videos/create", auth, content=b"x", headers=plain).status_code == 200
    issues = _issues(_post(cap_app, "/upload/multipart/complete", auth, content=b"{}",
                           headers=plain))
    assert len(issues) == 4


def test_cors(cap_app: CapApp) -> None:
    with httpx.Client(base_url=cap_app.base_url) as client:
        sdk = client.options("/api/developer/sdk/v1/videos/create",
                             headers={"Origin": "https://x.example",
                                      "Access-Control-Request-Method": "POST"})
        rest = client.options("/api/developer/v1/videos/abc")
        refused = client.get("/api/developer/v1/usage")
    assert sdk.status_code == 204 and sdk.headers["access-control-allow-origin"] == "*"
    assert sdk.headers["access-control-allow-methods"] == "GET,POST,OPTIONS"
    assert sdk.headers["access-control-allow-headers"] == "Content-Type,Authorization"
    assert rest.headers["access-control-allow-methods"] == "GET,POST,DELETE,OPTIONS"
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
