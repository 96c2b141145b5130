"""The environment a compile runs in: everything it reads besides a template and a product.

A creative depends on more than its template and product: the fonts text is measured
with, the material library perception records come from (and go to), the store generated
images are kept in, the copy backend captions are written by, the ONNX models perception
runs, the folders files may be read from and the limits that bound the work. Each of
these is a field of one `Environment`; a template is loaded into one
(`load_template(path, environment=env)`) and every compile of it receives that one, so two
environments in one process share nothing and a test isolates a compile by building its
own instead of setting variables.

The `DDM_*` environment variables only build the default environment
(`Environment.from_environ`, `default_environment()`), which is what the CLI, a plain
`ddm_lang.load_template` and the service's and batch's defaults use.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ddm_lang.copy.writer import Backend
    from ddm_lang.perception.library import MaterialLibrary
    from ddm_lang.perception.models import ModelRegistry
    from ddm_lang.renderer.fonts import FontRegistry

# The variables `from_environ` reads; the default environment is rebuilt when one changes.
VARIABLES = ("DDM_FONT_DIRS", "DDM_LIBRARY", "DDM_GENERATED", "DDM_COPY_BACKEND",
             "DDM_COPY_MODEL", "DDM_COPY_TIMEOUT", "DDM_MODEL_DIR")


@dataclass(frozen=True)
class Limits:
    """How much work one creative may make the binder do, whatever the template says.

    A template is untrusted input: these bound its loops, its size and the binder's
    passes, each refused with a diagnostic naming the limit rather than run unbounded."""

    loop_items: int = 1000        # items one `for` iterates over
    loop_steps: int = 100_000     # loop bodies run in one creative, nested loops together
    texts: int = 2_000            # text elements: each is shaped and fitted, at a cost
    elements: int = 20_000        # elements in one creative
    passes: int = 4               # binding passes before the layout must have settled


class Environment:
    """Fonts, material library, generated-image store, copy backend, models, readable
    folders and limits for every compile made through it.

    Each service is built on first use, so an environment costs nothing until a compile
    needs it (loading a template for `ddm check` opens no library and parses no font).

    fonts / font_dirs: a registry, or folders of font files added to the bundled fonts in
        a registry of this environment's own.
    library: a `MaterialLibrary` or the path of its SQLite file (default: the user's cache).
    generated: the folder generated images are kept in (default: `generated/` beside the
        library file).
    copy_backend: what writes captions besides the offline writer (None: offline only).
    models: a `ModelRegistry`, or a mapping of model role to ONNX file (`ddm models`).
    roots: when given, the only folders product images may be read from (a product's own
        folder otherwise).
    """

    def __init__(self, *, fonts: FontRegistry | None = None,
                 font_dirs: Sequence[str | Path] = (),
                 library: MaterialLibrary | str | Path | None = None,
                 generated: str | Path | None = None,
                 copy_backend: Backend | None = None,
                 models: ModelRegistry | Mapping[str, str | Path] | None = None,
                 model_dir: str | Path | None = None,
                 roots: Sequence[str | Path] = (),
                 limits: Limits | None = None) -> None:
        self._fonts = fonts
        self.font_dirs = tuple(Path(d) for d in font_dirs)
        self._library = library if not isinstance(library, str | Path) else None
        self.library_path = Path(library) if isinstance(library, str | Path) else None
        self._generated = Path(generated) if generated is not None else None
        self.copy_backend = copy_backend
        self._models = models if not isinstance(models, Mapping) and models is not None else None
        self._model_files = dict(models) if isinstance(models, Mapping) else {}
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.limits = limits or Limits()
        self._lock = threading.Lock()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, *,
                     library: str | Path | None = None, more_font_dirs: Sequence[str | Path] = (),
                     **overrides: Any) -> Environment:
        """The environment the `DDM_*` variables describe (unset: the defaults). `library`
        (a batch's or a service's `--library`) replaces `$DDM_LIBRARY` when given,
        `more_font_dirs` (`ddm compile --font-dir`) join `$DDM_FONT_DIRS`, and any other
        constructor argument in `overrides` takes the place of what the variables say."""
        from ddm_lang.copy.backends import from_env
        from ddm_lang.perception.models import SPECS
        env = os.environ if environ is None else environ
        dirs = [*(d for d in (env.get("DDM_FONT_DIRS") or "").split(os.pathsep) if d),
                *more_font_dirs]
        files = {role: env[spec.env_var] for role, spec in SPECS.items() if env.get(spec.env_var)}
        settings: dict[str, Any] = {
            "font_dirs": dirs, "library": library or env.get("DDM_LIBRARY") or None,
            "generated": env.get("DDM_GENERATED") or None, "models": files,
            "model_dir": env.get("DDM_MODEL_DIR") or None}
        settings.update(overrides)
        if "copy_backend" not in settings:
            settings["copy_backend"] = from_env(env)
        return cls(**settings)

    # ---- services, built on first use ----------------------------------------------------
    @property
    def fonts(self) -> FontRegistry:
        with self._lock:
            if self._fonts is None:
                from ddm_lang.renderer.fonts import FontRegistry
                registry = FontRegistry()
                for folder in self.font_dirs:
                    registry.add_directory(folder)
                self._fonts = registry
            return self._fonts

    @property
    def models(self) -> ModelRegistry:
        with self._lock:
            if self._models is None:
                from ddm_lang.perception.models import ModelRegistry
                self._models = ModelRegistry(self._model_files, self.model_dir)
            return self._models

    @property
    def library(self) -> MaterialLibrary:
        """The material library, opened on first use. Where its file cannot be opened (a
        read-only home in a container), records go to a private file for this environment
        and the user is told why, rather than no compile working at all."""
        models = self.models
        with self._lock:
            if self._library is None:
                from ddm_lang.perception.library import LibraryError, MaterialLibrary
                try:
                    self._library = MaterialLibrary(self.library_path, models=models)
                except LibraryError as err:
                    private = Path(tempfile.mkdtemp(prefix="ddm-library-")) / "materials.sqlite"
                    print(f"ddm: warning: {err}; using {private} for this run (set DDM_LIBRARY)",
                          file=sys.stderr)
                    self._library = MaterialLibrary(private, models=models)
            return self._library

    @property
    def generated(self) -> Path:
        """The folder generated images are stored in."""
        if self._generated is not None:
            return self._generated
        return self.library.path.parent / "generated"

    def readable_roots(self, folder: Path) -> tuple[Path, ...]:
        """The folders a product in `folder` may have its images read from."""
        return self.roots or (folder,)


_default: tuple[tuple[str | None, ...], Environment] | None = None
_default_lock = threading.Lock()


def default_environment() -> Environment:
    """The environment the process's `DDM_*` variables describe, built once per set of
    values (a process that changes a variable gets a new one on its next compile). Its
    fonts are the process-wide `FontRegistry.default()` and its models the process's
    registry (`use_model`), which code outside any environment uses too."""
    global _default
    from ddm_lang.perception.models import SPECS
    names = (*VARIABLES, *(spec.env_var for spec in SPECS.values()))
    key = tuple(os.environ.get(name) for name in names)
    with _default_lock:
        if _default is None or _default[0] != key:
            from ddm_lang.perception.models import PROCESS_MODELS
            from ddm_lang.renderer.fonts import FontRegistry
            _default = (key, Environment.from_environ(fonts=FontRegistry.default(),
                                                      models=PROCESS_MODELS))
        return _default[1]
