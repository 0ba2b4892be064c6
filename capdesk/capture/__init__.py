"""Where frames come from: the screen (mss), the camera or the synthetic test card, paced
on a grid.

- ``registry``: the capture backends (name, kinds, availability and why not,
  capabilities, how to open) and the audio sources per ``AudioMode``;
- ``kinds``: the choices, defined once (``SourceKind``, ``AudioMode``);
- ``transforms``: what runs on each frame before the encoder (crop, the camera bubble);
- ``camera``: the camera (QtMultimedia in a worker process of its own), its newest
  frame through shared memory, and the ``--source camera`` source;

- ``geometry``: Qt logical coordinates to physical pixels (pure, no Qt);
- ``screen``: monitors, the virtual desktop or a region, with the cursor;
- ``testcard``: the moving test card and the reader of its frame counter;
- ``pacing`` and ``loop``: the timestamp grid and the capture thread;
- ``session``: what a Wayland session can and cannot capture.
"""
