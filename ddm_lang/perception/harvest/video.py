"""Product photos from a product video: its key frames, screened and de-duplicated.

A product video's key frames (the frames an encoder stores whole, at each cut and every few
seconds) are its sharpest and most distinct pictures, and decoding only them is a small
fraction of decoding the video: the decoder is told to skip every other frame
(`skip_frame = "NONKEY"`). PyAV (FFmpeg's libraries, bundled in its wheel) is the optional
extra `video`, imported only when a video is read.

Bounds, so a hostile or merely huge file costs little: the stream's frame size is checked
against the project's pixel limit (`materials.MAX_PIXELS`) before anything is decoded (and
every frame again), only the first `max_seconds` are read, at most `MAX_LOOKED_AT` key frames
are looked at (at least `MIN_INTERVAL` s apart, for streams where every frame is a key frame)
and at most `max_frames` kept.

Frames that show nothing (near-black, near-uniform: fades, title cards) or are blurred
(variance of the Laplacian under `BLUR_VARIANCE`, motion blur in a pan) are dropped, and so
is a frame that is a copy of an earlier kept one (`dedup`), as when a video returns to the
same shot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ddm_lang.perception.materials import MAX_PIXELS

from . import dedup
from .errors import HarvestError
from .images import flat_or_dark, laplacian_variance

MAX_SECONDS = 600.0
"""Only the first ten minutes are read: product videos run 15 s to 3 min."""
MAX_FRAMES = 30
"""At most this many frames are kept from one video."""
MAX_LOOKED_AT = 400
"""At most this many key frames are decoded from one video."""
MIN_INTERVAL = 0.5
"""Seconds between two key frames looked at; closer ones are skipped."""
BLUR_VARIANCE = 10.0
"""Frames whose Laplacian variance (`images.laplacian_variance`, grey at 512 px) is below
this are blurred: sharp product photos measure 30 to 400, the same photos under a 4 px
Gaussian blur 1 to 6."""


@dataclass(frozen=True)
class Frame:
    """A kept key frame: its time from the start of the video, its pixels (upright, (h, w, 3)
    uint8), fingerprint and sharpness."""

    time: float
    rgb: np.ndarray
    fingerprint: dedup.Fingerprint
    sharpness: float


@dataclass(frozen=True)
class SkippedFrame:
    """A key frame looked at and dropped, and why."""

    time: float
    why: str


@dataclass(frozen=True)
class KeyFrames:
    """What a video gave: kept frames, dropped ones, the frame size and notes on what was
    not read."""

    frames: tuple[Frame, ...]
    skipped: tuple[SkippedFrame, ...]
    width: int
    height: int
    duration: float | None
    notes: tuple[str, ...] = ()


def _import_av(shown: str) -> Any:
    try:
        import av
    except ImportError:
        raise HarvestError(f"{shown}: reading videos needs PyAV, the optional extra 'video' "
                           "(pip install 'ddm_lang[video]')") from None
    return av


def key_frames(path: Path, *, shown: str | None = None, max_seconds: float = MAX_SECONDS,
               max_frames: int = MAX_FRAMES, max_pixels: int = MAX_PIXELS) -> KeyFrames:
    """The usable key frames of a video file, with their times (see the module docstring).

    Raises `HarvestError` naming the file when it is not a readable video, has no video
    stream, or its frames are larger than `max_pixels`."""
    name = shown or str(path)
    av = _import_av(name)
    errors = (av.FFmpegError, OSError, ValueError, UnicodeDecodeError)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except errors as err:
        raise HarvestError(f"{name}: not a readable video ({_reason(err)})") from None
    try:
        return _read(container, name, max_seconds, max_frames, max_pixels, errors)
    finally:
        container.close()


def _read(container: Any, name: str, max_seconds: float, max_frames: int, max_pixels: int,
          errors: tuple[type[BaseException], ...]) -> KeyFrames:
    if not container.streams.video:
        raise HarvestError(f"{name}: no video stream")
    stream = container.streams.video[0]
    ctx = stream.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    _check_size(name, width, height, max_pixels)
    ctx.skip_frame = "NONKEY"
    start = (float(stream.start_time * stream.time_base)
             if stream.start_time is not None and stream.time_base else 0.0)
    duration = (float(container.duration) / 1_000_000 if container.duration else None)
    frames: list[Frame] = []
    skipped: list[SkippedFrame] = []
    notes: list[str] = []
    looked = 0
    last: float | None = None
    close = 0
    try:
        for frame in container.decode(stream):
            if not frame.key_frame:      # a decoder that does not honour skip_frame
                continue
            t = max(0.0, float(frame.time) - start) if frame.time is not None else 0.0
            if t > max_seconds:
                notes.append(f"{name}: only the first {max_seconds:g} s were read")
                break
            if last is not None and t - last < MIN_INTERVAL:
                close += 1
                continue
            if looked >= MAX_LOOKED_AT:
                notes.append(f"{name}: only the first {MAX_LOOKED_AT} key frames were read")
                break
            if len(frames) >= max_frames:
                notes.append(f"{name}: {max_frames} frames kept; the rest of the video was "
                             "not read")
                break
            looked += 1
            last = t
            _check_size(name, frame.width, frame.height, max_pixels)
            rgb = _upright(frame.to_ndarray(format="rgb24"), getattr(frame, "rotation", 0))
            why = flat_or_dark(rgb)
            sharpness = laplacian_variance(rgb)
            if why is None and sharpness < BLUR_VARIANCE:
                why = f"blurred (Laplacian variance {sharpness:.1f} < {BLUR_VARIANCE:g})"
            if why is not None:
                skipped.append(SkippedFrame(t, why))
                continue
            fp = dedup.fingerprint(rgb)
            twin = next((f for f in frames if dedup.distance(fp, f.fingerprint) is not None),
                        None)
            if twin is not None:
                skipped.append(SkippedFrame(t, f"a copy of the frame at {twin.time:.2f} s"))
                continue
            frames.append(Frame(t, rgb, fp, sharpness))
    except errors as err:
        if not frames and not skipped:
            raise HarvestError(f"{name}: not a readable video ({_reason(err)})") from None
        notes.append(f"{name}: decoding stopped early ({_reason(err)})")
    if close:
        notes.append(f"{name}: {close} key frames within {MIN_INTERVAL:g} s of the one before "
                     "were skipped")
    return KeyFrames(tuple(frames), tuple(skipped), width, height, duration, tuple(notes))


def _check_size(name: str, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise HarvestError(f"{name}: frames of {width}x{height} are more than "
                           f"{max_pixels / 1_000_000:g} megapixels; the video is not read")


def _upright(rgb: np.ndarray, rotation: Any) -> np.ndarray:
    """The frame as it is shown: PyAV's `rotation` is the angle (degrees) the display matrix
    turns the stored frame counterclockwise (phones store portrait video on its side)."""
    try:
        quarter = round(float(rotation or 0) / 90) % 4
    except (TypeError, ValueError):
        return rgb
    return np.ascontiguousarray(np.rot90(rgb, quarter)) if quarter else rgb


def _reason(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
