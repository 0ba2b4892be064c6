"""H.264 in fragmented MP4, written to an append-only spool file that survives a crash.

- ``writer``: the encoder and muxer (PyAV);
- ``spool``: the append-only file and its durable (fsync'd) prefix;
- ``encoders``: hardware encoders only once they work, libx264 otherwise;
- ``fmp4``: box reading, the mfra index check and repair;
- ``sizing`` and ``diskspace``: output size, bitrate cap, free-space rules.
"""
