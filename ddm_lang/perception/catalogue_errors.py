"""The errors a catalogue or product file raises, apart from the loader: code that only
catches them (the library interface, the command line) need not load the catalogue parser."""

from __future__ import annotations

from ddm_lang.errors import UserError

MAX_SHOWN = 50
"""Problems listed in a `CatalogueError` message; `problems` keeps them all."""


class CatalogueError(UserError):
    """A catalogue that cannot be used; the message lists every problem found (up to 50).

    Each problem reads `FILE[:LINE]: [WHERE] product "ID": field "NAME" ...` so it can be
    fixed without searching; `problems` holds them all, uncapped.
    """

    def __init__(self, problems: str | list[str] | tuple[str, ...], source: str = "") -> None:
        self.problems: tuple[str, ...] = ((problems,) if isinstance(problems, str)
                                          else tuple(problems))
        self.source = source
        super().__init__(_summary(self.problems, source))


class ProductError(CatalogueError):
    """Product data that cannot be used, naming the file or product and the field.

    A product file is checked by the catalogue's rules, so this is a `CatalogueError` with
    every problem in `problems`; code that catches either catches both.
    """


def _summary(problems: tuple[str, ...], source: str) -> str:
    if len(problems) == 1:
        return problems[0]
    head = f"{source}: {len(problems)} problems" if source else f"{len(problems)} problems"
    lines = [head + ":"] + [f"  {p}" for p in problems[:MAX_SHOWN]]
    if len(problems) > MAX_SHOWN:
        lines.append(f"  ... and {len(problems) - MAX_SHOWN} more")
    return "\n".join(lines)
