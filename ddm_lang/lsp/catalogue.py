"""The product fields a template may read, as seen in a sample catalogue.

Product data is dynamic (the checker cannot know a feed's fields), so completion after
`product.` offers what a real catalogue holds: every field any of its products has, with
sample values for the hover. The catalogue is read once, through the same loader
`ddm batch` and `ddm gallery` use; by default the sample catalogue `ddm demo` compiles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddm_lang.stdlib_templates import stdlib_dir

MAX_SAMPLES = 3
_SAMPLE_CHARS = 60


def default_catalogue() -> Path:
    """The sample catalogue `ddm demo` uses."""
    return stdlib_dir() / "samples" / "catalogue.json"


@dataclass
class Field:
    """One field of the product records: its kinds of value, a few samples, its fields."""

    name: str
    types: set[str] = field(default_factory=set)
    samples: list[str] = field(default_factory=list)
    children: dict[str, Field] = field(default_factory=dict)

    def describe(self) -> str:
        kinds = " or ".join(sorted(self.types)) or "value"
        shown = ", ".join(self.samples)
        return f"{kinds}; e.g. {shown}" if shown else kinds


@dataclass
class ProductFields:
    """The field tree of a catalogue (the root's children are `product.`'s fields)."""

    root: Field
    source: str
    problem: str | None = None  # why the catalogue gave no fields

    def lookup(self, path: list[str]) -> Field | None:
        """The field at a path below `product` (`["price", "amount"]`); `[]` indexes are
        skipped, since a list's items share their fields."""
        node = self.root
        for part in path:
            if part == "[]":
                continue
            child = node.children.get(part)
            if child is None:
                return None
            node = child
        return node


def load_fields(path: Path | None = None) -> ProductFields:
    """The fields of every product of a catalogue (.json, .jsonl, .csv or a folder); an
    unreadable catalogue gives no fields rather than stopping the server."""
    from ddm_lang.errors import UserError
    from ddm_lang.perception.catalogue import load_catalogue
    source = path or default_catalogue()
    root = Field("product")
    try:
        products = load_catalogue(source).as_dicts()
    except (UserError, OSError, UnicodeDecodeError, ValueError) as err:
        return ProductFields(root, str(source), str(err))
    for product in products:
        _merge(root, product)
    return ProductFields(root, str(source))


def _merge(node: Field, value: Any) -> None:
    node.types.add(_type_name(value))
    if isinstance(value, dict):
        for key, item in value.items():
            child = node.children.setdefault(str(key), Field(str(key)))
            _merge(child, item)
        return
    if isinstance(value, list):
        for item in value:  # the items' fields are the list's (`product.images[0]`)
            if isinstance(item, dict):
                _merge_fields(node, item)
        if value and not isinstance(value[0], dict | list):
            _sample(node, value)
        return
    _sample(node, value)


def _merge_fields(node: Field, record: dict) -> None:
    for key, item in record.items():
        child = node.children.setdefault(str(key), Field(str(key)))
        _merge(child, item)


def _sample(node: Field, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > _SAMPLE_CHARS:
        text = text[:_SAMPLE_CHARS - 1] + "…"
    if text not in node.samples and len(node.samples) < MAX_SAMPLES:
        node.samples.append(text)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "record"
    return "none"
