"""shadow: a drop or contact shadow cast away from the photo's own light.

The light direction perceived on the subject says where the shadow falls (opposite the
light), so a pasted product looks lit by the same sun as its photo. `drop` follows the
drawn pixels (the silhouette once cut out); `contact` is a soft ellipse under the subject's
base, the shadow of an object standing on the ground. Faint or frontal light casts the
shadow straight down.
"""

from __future__ import annotations

import math

from ddm_lang.scene import ImageNode, Shadow
from ddm_lang.semantics.operations import SHADOW_KINDS, UNIT_INTERVAL

from .context import OpContext
from .registry import register

DISTANCE = {"drop": 0.035, "contact": 0.06}   # offset, fraction of the image's shorter side
BLUR = {"drop": 0.05, "contact": 0.05}
OPACITY = {"drop": 0.35, "contact": 0.45}
MIN_STRENGTH = 0.05                             # weaker light: no direction to follow


def offset(record: dict, kind: str) -> tuple[float, float]:
    distance = DISTANCE[kind]
    if record.get("light.strength", 0.0) < MIN_STRENGTH:
        return 0.0, distance
    theta = math.radians(record.get("light.direction", 0.0))
    dx, dy = -math.sin(theta) * distance, math.cos(theta) * distance
    if kind == "contact":
        return dx, 0.0  # on the ground: slides sideways, never up into the subject
    return dx, max(dy, distance * 0.3)  # a drop shadow never rises above its subject


def resolve(node: ImageNode, *, context: OpContext, kind: str = "drop",
            blur: float | None = None, opacity: float | None = None) -> ImageNode:
    if kind not in SHADOW_KINDS:
        raise ValueError(f"kind must be drop or contact, not {kind!r}")
    if opacity is not None and opacity not in UNIT_INTERVAL:
        raise ValueError(f"opacity must be between 0 and 1, not {opacity}")
    side = min(node.box.width, node.box.height) or 1.0
    dx, dy = offset(context.record, kind)
    if node.flip:
        dx = -dx  # the emitted shadow sits inside the mirrored group
    subject = tuple(context.record.get("subject.box") or (0.0, 0.0, 1.0, 1.0))
    if not context.record.get("subject.found"):
        subject = (0.0, 0.0, 1.0, 1.0)
    return node.with_(shadow=Shadow(
        kind, round(dx, 4), round(dy, 4),
        round(blur / side, 4) if blur is not None else BLUR[kind],
        OPACITY[kind] if opacity is None else float(opacity), "#000000",
        (subject[0], subject[1], subject[2], subject[3])))


register("shadow", resolve)
