"""The DDM language server (`ddm lsp`): diagnostics, completion, hover, definitions,
formatting and an outline for `.ddm` files in any editor that speaks the Language Server
Protocol.

The protocol side runs on pygls 2; the language knowledge comes from the compiler's own
parser, checker, formatter and signature tables, so the editor reports exactly what
`ddm check` and `ddm fmt` would. Nothing is imported here: `ddm check` and
`ddm fmt` never load pygls, and the server never loads the imaging stack.

    from ddm_lang.lsp.server import build_server
    build_server().start_io()
"""
