"""Benchmark: stop-to-complete of capdesk's streaming upload vs upload-after-stop.

Starts the fake Cap server (moto's S3 behind it) on loopback, then:

1. runs ``capdesk record --source synthetic`` (1080p30 moving test card) for
   ``--seconds`` with uploading on, and reads ``stopToCompleteSecs`` from its
   JSON result: the time from the stop request to a successful ``complete``;
2. uploads the very same file the way Cap's official browser SDK does, after
   stop: the whole file in 5 MiB parts, three at a time, then ``complete``; the
   time from the start of that upload to ``complete`` is its stop-to-complete.

It prints both, their ratio, the API requests per minute capdesk made (the
busiest 60 s window, from the server's log), and the bytes the storage received
over the file size.

    python bench/upload.py [--seconds 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakecap.server import FakeCap  # noqa: E402

PART = 5 * 1024 * 1024


def capdesk_record(cap: FakeCap, keys: Any, seconds: float, home: Path) -> dict[str, Any]:
    env = dict(os.environ, CAPDESK_HOME=str(home), CAP_BASE_URL=cap.base_url,
               CAP_PUBLIC_KEY=keys.public_key, CAP_SECRET_KEY=keys.secret_key)
    out = home / "bench.mp4"
    proc = subprocess.run(
        [sys.executable, "-m", "capdesk.cli", "record", "--source", "synthetic",
         "--region", "0,0,1920,1080", "--seconds", str(seconds), "--fps", "30", "--json",
         "--output", str(out)],
        env=env, capture_output=True, text=True, check=False, cwd=ROOT,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"capdesk record failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout)
    (journal_path,) = (home / "data" / "journals").glob("*.json")
    result["completeCallSecs"] = json.loads(journal_path.read_text())["complete_call_secs"]
    return result


def upload_after_stop(cap: FakeCap, public_key: str, path: Path) -> tuple[float, int, float]:
    """Cap's browser SDK: after stop, 5 MiB parts, three at a time.

    Returns (seconds to complete, requests, seconds the complete call itself took)."""
    size = path.stat().st_size
    headers = {"Authorization": f"Bearer {public_key}"}
    sdk = cap.sdk_url
    requests = 0
    started = time.monotonic()
    with httpx.Client(timeout=60) as http:
        created = http.post(f"{sdk}/videos/create", json={}, headers=headers).json()
        video_id = created["videoId"]
        upload_id = http.post(f"{sdk}/upload/multipart/initiate",
                              json={"videoId": video_id, "contentType": "video/mp4"},
                              headers=headers).json()["uploadId"]
        requests += 2
        offsets = list(range(0, size, PART))

        def put(index: int) -> dict[str, Any]:
            number = index + 1
            url = http.post(f"{sdk}/upload/multipart/presign-part",
                            json={"videoId": video_id, "uploadId": upload_id,
                                  "partNumber": number}, headers=headers).json()["presignedUrl"]
            with path.open("rb") as handle:
                handle.seek(offsets[index])
                data = handle.read(PART)
            response = http.put(url, content=data)
            response.raise_for_status()
            return {"partNumber": number, "etag": response.headers["etag"], "size": len(data)}

        with ThreadPoolExecutor(3) as pool:
            parts = list(pool.map(put, range(len(offsets))))
        requests += len(parts)
        complete_started = time.monotonic()
        response = http.post(f"{sdk}/upload/multipart/complete", json={
            "videoId": video_id, "uploadId": upload_id, "parts": parts,
            "durationInSecs": 1.0, "width": 1920, "height": 1080, "fps": 30}, headers=headers)
        response.raise_for_status()
        requests += 1
        complete_secs = time.monotonic() - complete_started
    return time.monotonic() - started, requests, complete_secs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with FakeCap() as cap, tempfile.TemporaryDirectory(prefix="capdesk-bench-") as tmp:
        keys = cap.create_app(balance=10**12)
        home = Path(tmp)
        print(f"recording {args.seconds:g} s of 1080p30 test card with streaming upload...",
              file=sys.stderr)
        result = capdesk_record(cap, keys, args.seconds, home)
        api_per_minute = cap.max_requests_per_window(keys.public_key, 60.0)
        api_total = len(cap.api_log)
        s3_bytes = cap.s3_bytes_received
        size = int(result["bytes"])
        print("uploading the same file after stop, 5 MiB parts, 3 at a time...", file=sys.stderr)
        # A file this size needs more than 60 presigns in a minute: Cap's real limit would
        # refuse the browser SDK's way with a 429 (it has no retries). The baseline gets a
        # fresh app and no rate limit, so what is timed is the upload itself.
        cap.rate_limit_max = 1_000_000
        other = cap.create_app(balance=10**12)
        baseline, baseline_requests, baseline_complete = upload_after_stop(
            cap, other.public_key, Path(result["file"]))
        baseline_peak = cap.max_requests_per_window(other.public_key, 60.0)
    figures = {
        "recordingSecs": args.seconds,
        "fileBytes": size,
        "parts": result["parts"],
        "capdeskStopToCompleteSecs": result["stopToCompleteSecs"],
        "uploadAfterStopSecs": round(baseline, 3),
        "ratio": round(result["stopToCompleteSecs"] / baseline, 4) if baseline else None,
        # The emulator assembles the object inside ``complete`` (moto joins the parts in
        # memory): that time is the server's, the same for both ways of uploading.
        "capdeskCompleteCallSecs": result.get("completeCallSecs"),
        "uploadAfterStopCompleteCallSecs": round(baseline_complete, 3),
        "capdeskStopToCompleteCallSecs": round(
            result["stopToCompleteSecs"] - (result.get("completeCallSecs") or 0), 3),
        "apiRequestsBusiestMinute": api_per_minute,
        "apiRequestsTotal": api_total,
        "uploadAfterStopRequests": baseline_requests,
        "uploadAfterStopRequestsBusiestMinute": baseline_peak,
        "bytesSentOverFileSize": round(s3_bytes / size, 4) if size else None,
        "droppedFrames": result["droppedFrames"],
    }
    if args.json:
        print(json.dumps(figures))
    else:
        width = max(len(k) for k in figures)
        for name, value in figures.items():
            print(f"{name:{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
