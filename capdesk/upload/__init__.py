"""Streaming multipart upload of a growing spool file, with a journal on disk.

- ``journal``: one JSON file per recording; every confirmed part is in it.
- ``planner``: where parts are cut and how big they grow with the bitrate.
- ``s3put``: PUT one byte range of the file to a presigned URL.
- ``uploader``: the worker that uploads while the recording runs, then completes.
- ``resume``: finishes every interrupted upload from its journal.
"""
