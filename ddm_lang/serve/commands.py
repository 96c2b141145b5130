"""`ddm serve` and `ddm sign`: the command-line side of the render service.

`add_serve_parser(sub)` / `add_sign_parser(sub)` add the subcommands to the `ddm` parser;
`run_serve(args)` / `run_sign(args)` return the exit code. Settings problems are
`ConfigError`s (a ValueError), which `ddm` prints as one line without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .config import SECRET_ENV, ConfigError, ServeConfig, read_secret
from .signing import (
    RELOAD_MAX_TTL,
    RELOAD_PATH,
    RELOAD_TTL,
    sign_query,
    signed_render_url,
)

MB = 1024 * 1024


def add_serve_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    d = ServeConfig(unsigned=True)
    s = sub.add_parser("serve", help="serve creatives by signed URL (HTTP render service)",
                       description="GET /render/TEMPLATE/FORMAT.{png,jpg,webp,svg}?product=ID"
                                   "&seed=N&exp=T&sig=S renders a creative; see docs/serve.md")
    s.add_argument("--templates", action="append", default=[], metavar="DIR",
                   help="folder of .ddm templates, a .ddm file or a bundled template's name "
                        "(repeatable; default: the bundled ones)")
    s.add_argument("--catalogue", help="catalogue file or photo folder (default: the sample)")
    s.add_argument("--library", help="material library SQLite file (default: $DDM_LIBRARY "
                   "or the user cache)")
    s.add_argument("--secret-file", help=f"file holding the signing secret (or set {SECRET_ENV})")
    s.add_argument("--unsigned", action="store_true",
                   help="development only: render URLs without a signature")
    s.add_argument("--editor", action="store_true",
                   help="with --unsigned and --templates: the template editor at /editor")
    s.add_argument("--cache-dir", help="on-disk response cache (default: memory only)")
    s.add_argument("--memory-cache-mb", type=int, default=d.memory_cache_bytes // MB)
    s.add_argument("--max-age", type=int, default=d.max_age,
                   help="Cache-Control max-age of signed responses, seconds")
    s.add_argument("--max-concurrency", type=int, default=d.max_concurrency,
                   help="renders running at once (default %(default)s)")
    s.add_argument("--queue-size", type=int, default=d.queue_size,
                   help="renders waiting beyond that; more get 503 (default %(default)s)")
    s.add_argument("--timeout", type=float, default=d.timeout,
                   help="seconds per request before 504 (default %(default)s)")
    s.add_argument("--max-pixels", type=int, default=d.max_pixels,
                   help="largest format served, width × height")
    s.add_argument("--max-bytes", type=int, default=d.max_bytes, help="largest response")
    s.add_argument("--pool", choices=("thread", "process"), default=d.pool,
                   help="where renders run (default %(default)s; see docs/serve.md)")
    s.add_argument("--host", default=d.host)
    s.add_argument("--port", type=int, default=d.port)
    s.add_argument("--workers", type=int, default=d.workers, help="uvicorn worker processes")
    s.add_argument("--max-connections", type=int, default=d.max_connections,
                   help="open connections per worker; beyond that the longest idle one is "
                        "closed (default %(default)s)")
    s.add_argument("--keep-alive", type=float, default=d.keep_alive,
                   help="seconds an idle connection stays open after a response "
                        "(default %(default)s)")
    s.add_argument("--header-timeout", type=float, default=d.header_timeout,
                   help="seconds for a request's line and headers to arrive "
                        "(default %(default)s)")
    s.add_argument("--graceful-timeout", type=float, default=d.graceful_timeout,
                   help="on SIGTERM, seconds to finish requests in flight before exiting "
                        "(default %(default)s)")
    s.set_defaults(func=run_serve)
    return s


def config_from_args(args: argparse.Namespace) -> ServeConfig:
    return ServeConfig(
        template_dirs=tuple(Path(t) for t in args.templates),
        catalogue=Path(args.catalogue) if args.catalogue else None,
        library=Path(args.library) if args.library else None,
        secret=None if args.unsigned and not args.secret_file else read_secret(args.secret_file),
        unsigned=args.unsigned, editor=args.editor,
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        memory_cache_bytes=args.memory_cache_mb * MB, max_age=args.max_age,
        max_concurrency=args.max_concurrency, queue_size=args.queue_size,
        timeout=args.timeout, max_pixels=args.max_pixels, max_bytes=args.max_bytes,
        pool=args.pool, host=args.host, port=args.port, workers=args.workers,
        max_connections=args.max_connections, keep_alive=args.keep_alive,
        header_timeout=args.header_timeout, graceful_timeout=args.graceful_timeout)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..stdlib_templates import TemplateNotFoundError, template_files
    from .app import create_app
    from .connections import uvicorn_options
    config = config_from_args(args)
    for folder in config.template_dirs:
        if folder.is_dir():  # an empty folder is the registry's to report, not refused here
            continue
        try:  # a .ddm file, a bundled template's name or `stdlib`
            template_files(str(folder))
        except TemplateNotFoundError as err:
            raise ConfigError(f"--templates: {err}") from None
    if config.unsigned:
        print("ddm serve: UNSIGNED mode: anyone who can reach this port can render; "
              "for development only", file=sys.stderr)
    if config.workers == 1:
        app = create_app(config)   # templates and catalogue problems show before binding
        snap = app.state.service.registry.snapshot
        for problem in snap.errors:
            print(f"ddm serve: warning: {problem}", file=sys.stderr)
        print(f"ddm serve: {len(snap.templates)} templates, {len(snap.products)} products; "
              f"http://{config.host}:{config.port}/", file=sys.stderr)
        uvicorn.run(app, host=config.host, port=config.port, log_level="warning",
                    **uvicorn_options(config))
    else:  # each worker process builds the app from the environment
        os.environ.update(config.to_env())
        uvicorn.run("ddm_lang.serve.app:app_from_env", factory=True, host=config.host,
                    port=config.port, workers=config.workers, log_level="warning",
                    **uvicorn_options(config))
    return 0


def add_sign_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    s = sub.add_parser("sign", help="print a signed render URL for `ddm serve`")
    s.add_argument("template", nargs="?", help="template name")
    s.add_argument("file", nargs="?", metavar="FORMAT.EXT", help="e.g. feed.png")
    s.add_argument("--product", help="product id")
    s.add_argument("--seed", type=int)
    s.add_argument("--quality", type=int, help="jpg/webp quality 1..100")
    s.add_argument("--ttl", type=int, help="the URL expires this many seconds from now "
                   f"(a reload URL: default {RELOAD_TTL}, at most {RELOAD_MAX_TTL})")
    s.add_argument("--reload", action="store_true",
                   help="sign the admin reload URL (POST) instead of a render URL")
    s.add_argument("--base-url", default="", help="e.g. https://creatives.example.com")
    s.add_argument("--secret-file", help=f"file holding the signing secret (or set {SECRET_ENV})")
    s.set_defaults(func=run_sign)
    return s


def run_sign(args: argparse.Namespace) -> int:
    secret = read_secret(args.secret_file)
    if not secret:
        raise ConfigError(f"no signing secret: give --secret-file FILE or set {SECRET_ENV}")
    expires = int(time.time()) + args.ttl if args.ttl is not None else None
    if args.reload:
        ttl = RELOAD_TTL if args.ttl is None else args.ttl
        if not 0 < ttl <= RELOAD_MAX_TTL:
            raise ConfigError(f"--ttl of a reload URL must be 1..{RELOAD_MAX_TTL} seconds "
                              "(the server refuses longer-lived ones)")
        query = sign_query(secret, RELOAD_PATH, {}, int(time.time()) + ttl)
        print(f"{args.base_url.rstrip('/')}{RELOAD_PATH}?{query}")
        return 0
    if not (args.template and args.file and args.product):
        print("ddm sign: give TEMPLATE FORMAT.EXT --product ID (or --reload)", file=sys.stderr)
        return 2
    format_name, dot, ext = args.file.rpartition(".")
    if not dot or ext not in ("png", "jpg", "webp", "svg"):
        print(f"ddm sign: {args.file}: write the format and the output type, as in feed.png "
              "(png, jpg, webp or svg)", file=sys.stderr)
        return 2
    print(signed_render_url(secret, args.template, format_name, ext, args.product,
                            seed=args.seed, quality=args.quality, expires=expires,
                            base_url=args.base_url))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m ddm_lang.serve [serve options]` (and `... sign ...`)."""
    parser = argparse.ArgumentParser(prog="python -m ddm_lang.serve")
    sub = parser.add_subparsers(dest="command")
    add_serve_parser(sub)
    add_sign_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("serve", "sign", "-h", "--help"):
        argv.insert(0, "serve")
    args = parser.parse_args(argv)
    from ..perception.catalogue import CatalogueError
    from ..perception.library import LibraryError
    try:
        return int(args.func(args))
    except (ConfigError, CatalogueError, LibraryError, OSError) as err:
        print(f"ddm {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
