"""Client for Cap's developer APIs.

- ``sdk.CapSdk``: the SDK API (public key ``cpk_``): create, multipart upload.
- ``rest.CapRest``: the REST API (secret key ``csk_``): videos, status, usage.
- ``errors``: the one exception tree every caller maps to words.
- ``models``: typed answers.

Both clients are built on one injected ``httpx.Client`` (see ``transport.ApiTransport``).
"""
