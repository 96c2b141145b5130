"""The editor's template directory: list, read, check and save templates.

Saving applies the same validation as `ddm check` (`template_from_string` with the directory as
import root), accepts only identifiers (words joined by hyphens) as names and writes atomically, so nothing a
browser sends can create a file outside the directory or leave a half-written template
for the URL service to pick up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddm_lang.api import Template, template_from_string
from ddm_lang.environment import Environment
from ddm_lang.files import write_atomic
from ddm_lang.syntax.diagnostics import Diagnostic, DiagnosticError

SOURCE_FILE = "<template>"
"""The file name `template_from_string` gives source text: diagnostics with it belong to the
text in the editor, others to a file it imports."""

MAX_SOURCE_BYTES = 512 * 1024
"""Largest template source accepted: far above any real template, far below a memory risk."""

# A name is an identifier as DDM writes them, words joined by single hyphens (`price-promo`,
# `feed-1`, as `ddm generate` names its files): nothing that could leave the directory.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*\Z")
_HEADER = re.compile(r'^\s*template\s+[A-Za-z_][\w-]*\s*(?:"((?:\\.|[^"\\\n])*)")?', re.M)


class EditorError(Exception):
    """A request the editor refuses, with a message for the page and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one source text: the template, or the diagnostics."""

    template: Template | None
    diagnostics: tuple[dict[str, Any], ...]


def diagnostic_json(diagnostic: Diagnostic, source: str | None) -> dict[str, Any]:
    """One diagnostic as the page shows it: position (1-based, end exclusive), code,
    message, hint, and the same caret text `ddm check` prints."""
    s = diagnostic.span
    return {"code": diagnostic.code, "severity": diagnostic.severity,
            "message": diagnostic.message, "hint": diagnostic.hint,
            "file": s.file, "line": s.line, "col": s.column,
            "end_line": s.end_line, "end_col": s.end_column,
            "rendered": diagnostic.render(source)}


def error_json(err: DiagnosticError, source: str) -> tuple[dict[str, Any], ...]:
    """Every diagnostic of an error; the editor's own text is the source for those spans
    that point into it, an imported file's text for the others."""
    sources = {**err.sources, SOURCE_FILE: source}
    return tuple(diagnostic_json(d, sources.get(d.span.file)) for d in err.diagnostics)


def check_size(source: str) -> str:
    """`source`, refused (413) past `MAX_SOURCE_BYTES`."""
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise EditorError(f"template source over {MAX_SOURCE_BYTES // 1024} KiB", 413)
    return source


class TemplateDir:
    """The folder of `.ddm` files the editor opens and saves into."""

    def __init__(self, root: Path, environment: Environment | None = None) -> None:
        self.root = Path(root).resolve()
        self.environment = environment  # what its templates compile in (None: the default)

    def names(self) -> list[dict[str, str]]:
        """Each template's file name (without `.ddm`) and title, read from its header
        line without checking it, so listing a large folder stays instant."""
        out = []
        for path in sorted(self.root.glob("*.ddm")):
            if not _NAME.match(path.stem) or not path.is_file():
                continue
            try:
                head = path.read_text("utf-8", errors="replace")[:4096]
            except OSError:
                continue
            match = _HEADER.search(head)
            out.append({"name": path.stem, "title": (match.group(1) or "") if match else ""})
        return out

    def path_of(self, name: str) -> Path:
        """The file for a template name; refuses anything but a plain identifier, so a
        name can never reach another folder."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise EditorError(f"`{name}` is not a template name: use letters, digits and _, "
                              "starting with a letter or _")
        path = self.root / f"{name}.ddm"
        if path.parent != self.root:  # belt and braces: the pattern already forbids it
            raise EditorError(f"`{name}` is not inside the template directory")
        return path

    def read(self, name: str) -> str:
        path = self.path_of(name)
        try:
            return path.read_text("utf-8")
        except FileNotFoundError:
            raise EditorError(f"no template `{name}` in the template directory", 404) from None
        except (OSError, UnicodeDecodeError) as err:
            raise EditorError(f"cannot read template `{name}`: {err}", 500) from None

    def check(self, source: str) -> Checked:
        """Parse and check source text with this folder as the import root, as
        `ddm check` does for a file in it."""
        check_size(source)
        try:
            return Checked(template_from_string(source, root=self.root,
                                                environment=self.environment), ())
        except DiagnosticError as err:
            return Checked(None, error_json(err, source))

    def save(self, name: str, source: str) -> tuple[Path, Checked]:
        """Validate and write atomically; the file is untouched when the source has
        any diagnostic."""
        path = self.path_of(name)
        checked = self.check(source)
        if checked.template is not None:
            write_atomic(path, source.encode("utf-8"))
        return path, checked
