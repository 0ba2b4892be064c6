"""capdesk: a desktop screen recorder that uploads to Cap while it records."""

import os

# numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin
# for a while: about 0.15 CPU s of every recording's start (measured: a 1 s recording
# 0.96 -> 0.80 CPU s median). capdesk does no linear algebra; one thread is all it
# needs. Set before anything imports numpy (the workers inherit it); a value the
# user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
