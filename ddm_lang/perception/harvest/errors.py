"""The one error type of harvesting: a source that cannot be harvested at all."""

from __future__ import annotations

from ddm_lang.errors import UserError


class HarvestError(UserError):
    """A page, image or video that cannot be read, or a video over the limits; the message
    is one line that names the file, so the command line prints it without a traceback."""
