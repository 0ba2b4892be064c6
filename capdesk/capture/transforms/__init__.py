"""The frame-transform stage: what happens to a captured frame before the encoder sees it.

The engine runs a ``TransformChain`` on the encoder thread, on each frame, just before
it is encoded, so the capture thread stays as light as it is (it only grabs). Each
transform is one small module here: ``crop``, ``bubble`` (the camera bubble, its
outline in ``bubble_shape``); other overlays (click highlights) each arrive as one new
file implementing ``FrameTransform``. Scaling to
the output size is not a transform: the encoder does it in the same pass as the
BGRA -> yuv420p conversion.
"""

from capdesk.capture.transforms.bubble import BubblePlacement, BubbleTransform
from capdesk.capture.transforms.chain import FrameTransform, TransformChain, TransformFailed
from capdesk.capture.transforms.crop import CropTransform

__all__ = [
    "BubblePlacement",
    "BubbleTransform",
    "CropTransform",
    "FrameTransform",
    "TransformChain",
    "TransformFailed",
]
