"""The standard template library: the `.ddm` files in this folder, with sample products.

It sits at the bottom of the package (it imports nothing from it), so the demo, the batch and
the service find the templates without importing one another.

`resolve_template` is the one place a template argument becomes a file, for every command
(`ddm check`, `compile`, `fmt`, `gallery`, `batch`, `serve`): a path to an existing file wins,
else the name of a bundled template (`product_hero` or `product_hero.ddm`); anything else is a
`TemplateNotFoundError` naming the nearest bundled names. `template_files` adds what a
command taking several templates accepts: a folder (its `*.ddm`) and `stdlib` (all of them).
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

SUFFIX = ".ddm"
ALL = "stdlib"
"""The `template_files` argument that means every bundled template."""


class TemplateNotFoundError(FileNotFoundError):
    """A template argument that is neither a template file nor a bundled template's name;
    the message says so in one line and names the nearest bundled templates. A
    FileNotFoundError (this module is below `errors`), which `ddm` prints as one line with
    exit code 1 as it does every file it cannot find."""


def stdlib_dir() -> Path:
    """The folder holding the standard templates (and `samples/`)."""
    return Path(str(resources.files("ddm_lang.stdlib_templates")))


def bundled_templates() -> list[Path]:
    """Every bundled template file, sorted by name."""
    return sorted(stdlib_dir().glob(f"*{SUFFIX}"))


def bundled_names() -> list[str]:
    """The bundled templates' names (their file names without `.ddm`), sorted."""
    return [p.stem for p in bundled_templates()]


def resolve_template(name_or_path: str | Path, *, bundled: bool = True) -> Path:
    """The template file a command-line argument names: an existing file as given, else
    (when `bundled`) the bundled template of that name, with or without `.ddm`.

    Raises `TemplateNotFoundError` with the nearest bundled names when neither matches.
    """
    spec = str(name_or_path)
    path = Path(spec)
    if path.is_file():
        return path
    name = _bundled_name(spec)
    if bundled and name:
        candidate = stdlib_dir() / f"{name}{SUFFIX}"
        if candidate.is_file():
            return candidate
    if path.is_dir():
        raise TemplateNotFoundError(f"template `{spec}` is a folder; give a {SUFFIX} file"
                                    + (" or a bundled template's name" if bundled else ""))
    if not bundled:
        known = stdlib_dir() / f"{name}{SUFFIX}" if name else None
        where = (f" (the bundled template of that name is {known})"
                 if known is not None and known.is_file() else "")
        raise TemplateNotFoundError(f"template `{spec}` not found: no such file{where}")
    names = bundled_names()
    near = nearest(name or path.stem, names)
    hint = (f"did you mean {', '.join(f'`{n}`' for n in near)}?" if near
            else f"the bundled templates are {', '.join(names)}")
    raise TemplateNotFoundError(f"template `{spec}` not found: no such file and no bundled "
                                f"template of that name; {hint}")


def template_files(spec: str) -> list[Path]:
    """The template files one argument of a command taking several names: a folder's
    `*.ddm`, every bundled template for `stdlib`, else the one `resolve_template` finds."""
    path = Path(spec)
    if path.is_dir():
        found = sorted(path.glob(f"*{SUFFIX}"))
        if not found:
            raise TemplateNotFoundError(f"{spec}: no {SUFFIX} templates in this folder")
        return found
    if spec == ALL:
        return bundled_templates()
    return [resolve_template(spec)]


def nearest(name: str, names: list[str], limit: int = 3) -> list[str]:
    """Up to `limit` of `names` a user most likely meant by `name`: the close spellings
    first, then those containing it (or contained in it)."""
    key = name.lower()
    close = difflib.get_close_matches(key, names, n=limit, cutoff=0.5)
    within = [n for n in names if key and n not in close and (key in n or n in key)]
    return (close + within)[:limit]


def _bundled_name(spec: str) -> str | None:
    """`spec` as a bundled template's name (`.ddm` dropped), or None when it is a path."""
    name = spec.removesuffix(SUFFIX)
    if not name or name.startswith(".") or Path(spec).name != spec or "\\" in spec:
        return None
    return name
