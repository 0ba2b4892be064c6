"""A faithful fake of Cap's developer API (SDK + REST) backed by moto's S3.

    from tests.fakecap import FakeCap
    with FakeCap() as cap:
        app = cap.create_app()
        ...  # talk HTTP to cap.base_url with app.public_key / app.secret_key

Tests normally use the pytest fixtures of :mod:`tests.fakecap.fixtures`
(``fake_cap``, ``cap_app``, ``make_cap_app``). ``python -m tests.fakecap``
runs one standalone. It shares no code with the ``capdesk`` client.
"""

from tests.fakecap.faults import Fault, FaultPlan
from tests.fakecap.front import S3FaultPlan
from tests.fakecap.httpbase import RequestRecord
from tests.fakecap.s3 import S3Error, StoredObject
from tests.fakecap.sdk import debit_for
from tests.fakecap.server import AppKeys, FakeCap

__all__ = [
    "AppKeys",
    "FakeCap",
    "Fault",
    "FaultPlan",
    "RequestRecord",
    "S3Error",
    "S3FaultPlan",
    "StoredObject",
    "debit_for",
]
