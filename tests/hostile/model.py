"""What a hostile case is: its inputs, how it is run and what it must do.

Cases are data, so the runner, the test and the benchmark share one corpus and a new
family is a generator function, not new plumbing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

OK = "ok"
"""The input is drawn or compiled (exit status 0, HTTP 2xx)."""
REFUSED = "refused"
"""The input is refused with a clear message (exit status 1 or 2, HTTP 4xx or 503)."""
BOUNDED = "bounded"
"""Either of the above is acceptable: the policy (draw a clamped version or refuse) is the
implementation's choice; only a crash, an unclear message or an unbounded run fails."""

Builder = Callable[[Path, Path], list[str]]
"""Writes the case's files into the case folder (given the shared assets folder) and
returns the `ddm` command line, run in-process with the case folder as working folder."""


@dataclass(frozen=True)
class HttpRequest:
    """One request to the running service, described as data. `path` may hold `{sig:...}`
    placeholders that the runner fills with a signed query (see `server.expand`)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    raw: bytes | None = None  # sent verbatim on the socket instead (malformed requests)
    connections: int = 0  # extra idle connections held open while the request is made


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen to it."""

    name: str
    family: str
    expect: str
    build: Builder | None = None
    request: HttpRequest | None = None
    says: tuple[str, ...] = ()
    """Substrings (case-insensitive) a refusal message must contain: the file, product,
    field or limit it is about."""
    finding: str | None = None
    """The review finding this case reproduces, if any (see `pending.PENDING`)."""
    secret_red: bool = False
    """The case points at a pure red image outside the allowed roots: a drawn result
    must not contain red pixels (it would mean the file was read)."""
    output: str = "out.png"
    verify: Callable[[Path], str] | None = None
    """For a drawn result: a check of the case folder afterwards ('' when right)."""
    notes: str = ""

    @property
    def kind(self) -> str:
        return "http" if self.request is not None else "cli"


@dataclass
class Family:
    """Cases of one family, collected by a generator."""

    name: str
    cases: list[Case] = field(default_factory=list)

    def add(self, name: str, expect: str, build: Builder | None = None, **kw: object) -> None:
        self.cases.append(Case(f"{self.name}.{name}", self.name, expect, build, **kw))  # type: ignore[arg-type]
