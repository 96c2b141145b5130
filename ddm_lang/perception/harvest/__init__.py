"""Material harvesting: from saved product pages, long detail images and product videos to
candidate product pictures, each with where it came from.

- `page`: the image references of a saved page, best first, with their origin;
- `obtain`: the bytes behind a reference (a file beside the page, a data: URI, a download
  through the caller's fetcher);
- `sections`: long detail strips cut into their panels;
- `dedup`: the perceptual hash and the grouping of copies;
- `video`: a video's usable key frames;
- `harvest`: all of it together, writing the pictures, `harvest.json` and `product.json`;
- `command`: the `ddm materials harvest` report.
"""

from __future__ import annotations

from .command import harvest_command
from .dedup import Fingerprint, fingerprint, group_duplicates, hamming, phash
from .errors import HarvestError
from .harvest import Candidate, HarvestReport, harvest, provenance
from .obtain import Fetch
from .page import ImageRef, page_images, read_page
from .sections import Section, is_long, split_sections
from .video import Frame, KeyFrames, key_frames

__all__ = [
    "Candidate",
    "Fetch",
    "Fingerprint",
    "Frame",
    "HarvestError",
    "HarvestReport",
    "ImageRef",
    "KeyFrames",
    "Section",
    "fingerprint",
    "group_duplicates",
    "hamming",
    "harvest",
    "harvest_command",
    "is_long",
    "key_frames",
    "page_images",
    "phash",
    "provenance",
    "read_page",
    "split_sections",
]
