"""`ddm lsp`: run the language server on stdin and stdout.

`add_parser` registers the subcommand as the other `ddm` subcommands are registered; the
server (and pygls) is imported only when the command runs, so every
other `ddm` command starts without it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_MISSING = ("ddm lsp: the language server needs pygls 2, which this environment lacks: "
            "pip install 'pygls>=2.1,<3'")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalogue", metavar="PATH",
                        help="catalogue whose product fields completion offers after "
                             "`product.` (.json, .jsonl, .csv or a photo folder; default: the "
                             "sample catalogue `ddm demo` uses). An editor may also pass "
                             "{\"catalogue\": PATH} as initializationOptions.")
    parser.add_argument("--stdio", action="store_true",
                        help="talk over stdin and stdout (the default and only transport; "
                             "accepted because editors pass it)")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `lsp` to the `ddm` subcommands."""
    p = subparsers.add_parser("lsp", help="run the language server (LSP over stdio) for editors",
                              description="The DDM language server: diagnostics, completion, "
                                          "hover, go to definition, formatting and an outline "
                                          "for .ddm files (docs/editor-support.md).")
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Serve until the editor closes the connection; 2 for a usage problem."""
    catalogue = Path(args.catalogue).expanduser() if args.catalogue else None
    if catalogue is not None and not catalogue.exists():
        print(f"ddm lsp: catalogue not found: {catalogue}", file=sys.stderr)
        return 2
    try:
        from .server import build_server
    except ImportError as err:
        if (err.name or "").split(".")[0] in ("pygls", "lsprotocol", "cattrs"):
            print(_MISSING, file=sys.stderr)
            return 2
        raise
    build_server(catalogue).start_io()
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m ddm_lang.lsp [--catalogue PATH]`."""
    parser = argparse.ArgumentParser(prog="python -m ddm_lang.lsp",
                                     description="The DDM language server (LSP over stdio).")
    add_arguments(parser)
    return run(parser.parse_args(argv))
