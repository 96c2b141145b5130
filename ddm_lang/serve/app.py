"""The render service as an ASGI app: `create_app(config)` → Starlette.

    GET  /render/{template}/{format}.{png|jpg|webp|svg}?product=ID&seed=N&quality=Q&exp=T&sig=S
    GET  /healthz        liveness and what is loaded
    GET  /metrics        Prometheus text
    POST /admin/reload   re-read templates and catalogue (signed, like a render URL)
    /editor/...          the template editor (development servers only, `--editor`)

A render request is checked in a fixed order, cheapest and safest first: the signature
(403, before anything about templates or products is revealed), the query (400), the
names (404: template, output type, format, product, each looked up in the registry, never
joined to a path), the format's size (422); then the cache key, `If-None-Match` (304),
the memory and disk caches, and only then a render in the pool (503 when the queue is
full or the render's worker died twice, 504 past the time limit, 422 when the template
cannot render that product).

Every refusal is JSON `{"error": message, "code": name}`; an unexpected exception becomes
a 500 of the same shape, its traceback only in the server's log, never in a response.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..perception.materials import MaterialError
from . import render
from .cache import DiskCache, MemoryCache, cache_key, material_hashes
from .config import ConfigError, ServeConfig
from .metrics import Metrics
from .pool import Busy, RenderPool, TimedOut, WorkerLost
from .problems import internal_error, problem_response
from .registry import Registry, Snapshot
from .render import CONTENT_TYPES, LOSSY, RenderFailed, RenderJob, StaleTemplate
from .signing import RELOAD_MAX_TTL, RELOAD_PATH, SignatureError, verify

log = logging.getLogger("ddm.serve")

QUERY_PARAMS = ("product", "seed", "quality", "exp", "sig")
MAX_SEED = 2**31 - 1
RETRY_AFTER = "1"
LISTED = 30          # names listed in a 404 message
_DIRECTORIES = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[^\s'\"/\\]+[/\\])+")


class HTTPProblem(Exception):
    """A request the server refuses; becomes a JSON `{"error": message, "code": name}`
    response."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class RenderRequest:
    """A validated render request: every name resolved in the registry."""

    snapshot: Snapshot
    template: str
    format_name: str
    ext: str
    product_id: str
    seed: int
    quality: int
    expires: int | None


class Service:
    """The state shared by the routes of one app: registry, caches, pool, metrics."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.metrics = Metrics()
        self.registry = Registry(config.template_dirs, config.catalogue)
        self._remember(self.registry.snapshot)
        self.memory = MemoryCache(config.memory_cache_bytes)
        self.disk = DiskCache(config.cache_dir) if config.cache_dir else None
        self.pool = RenderPool(config.pool, config.max_concurrency, config.queue_size,
                               str(config.library) if config.library else None,
                               on_render=self.metrics.render)
        self.flights: dict[str, asyncio.Future[bytes]] = {}
        m = self.metrics
        m.gauge("ddm_queue_depth", "Renders waiting for a worker.", lambda: self.pool.queue_depth)
        m.gauge("ddm_renders_running", "Renders running now.", lambda: self.pool.running)
        m.gauge("ddm_memory_cache_bytes", "Bytes held by the in-memory cache.",
                lambda: self.memory.size)
        m.gauge("ddm_memory_cache_entries", "Responses held by the in-memory cache.",
                lambda: len(self.memory))
        m.gauge("ddm_templates", "Templates served.",
                lambda: len(self.registry.snapshot.templates))
        m.gauge("ddm_registry_generation", "Reloads since start, plus one.",
                lambda: self.registry.snapshot.generation)

    def _remember(self, snapshot: Snapshot) -> None:
        for entry in snapshot.templates.values():   # renders in this process reuse them
            render.remember(entry)

    def reload(self, _name: str | None = None) -> Snapshot:
        """Re-read templates and catalogue (blocking; call it off the loop)."""
        snapshot = self.registry.reload()
        self._remember(snapshot)
        self.metrics.count("reloads")
        for problem in snapshot.errors:
            log.warning("reload: %s", problem)
        return snapshot

    # ---- requests ----------------------------------------------------------------------
    def check_signature(self, request: Request, max_ttl: int | None = None) -> None:
        """403 unless signed; `max_ttl` also requires an `exp` at most that far ahead."""
        if self.config.unsigned:
            return
        assert self.config.secret is not None
        try:
            verify(self.config.secret, request.url.path, request.query_params.multi_items(),
                   max_ttl=max_ttl)
        except SignatureError as err:
            raise HTTPProblem(403, str(err)) from None

    def parse(self, request: Request) -> RenderRequest:
        """Validate a render request against the current registry (400 / 404 / 422)."""
        items = request.query_params.multi_items()
        names = [k for k, _ in items]
        unknown = sorted({k for k in names if k not in QUERY_PARAMS})
        if unknown:
            raise HTTPProblem(400, f"unknown query parameter {', '.join(map(repr, unknown))}; "
                                   f"known: {', '.join(QUERY_PARAMS)}")
        repeated = sorted({k for k in names if names.count(k) > 1})
        if repeated:
            raise HTTPProblem(400, f"query parameter {', '.join(map(repr, repeated))} given "
                                   "more than once")
        query = dict(items)
        product_id = query.get("product", "")
        if not product_id:
            raise HTTPProblem(400, "the `product` query parameter is required (a product id "
                                   "of the catalogue)")
        seed = _integer(query, "seed", 0, 0, MAX_SEED)
        quality = _integer(query, "quality", 90, 1, 100)
        expires = _integer(query, "exp", None, 0, 2**63) if "exp" in query else None

        snapshot = self.registry.snapshot
        template = request.path_params["template"]
        entry = snapshot.templates.get(template)
        if entry is None:
            raise HTTPProblem(404, f"no template {_show(template)} on this server; templates: "
                                   f"{_listing(snapshot.templates)}")
        file = request.path_params["file"]
        format_name, dot, ext = file.rpartition(".")
        if not dot or not format_name:
            raise HTTPProblem(404, f"{_show(file)}: name the format and the output type, "
                                   "as in `feed.png`")
        if ext not in CONTENT_TYPES:
            raise HTTPProblem(404, f"unknown output type {_show('.' + ext)}: use "
                                   f"{', '.join(CONTENT_TYPES)}")
        fmt = entry.template.ir.format(format_name)
        if fmt is None:
            raise HTTPProblem(404, f"template `{template}` has no format {_show(format_name)}; "
                                   f"its formats: "
                                   f"{', '.join(f.name for f in entry.template.formats)}")
        if product_id not in snapshot.products:
            raise HTTPProblem(404, f"no product {_show(product_id)} in the catalogue")
        pixels = fmt.width * fmt.height
        if ext != "svg" and pixels > self.config.max_pixels:
            raise HTTPProblem(422, f"format `{format_name}` is {fmt.width}x{fmt.height} = "
                                   f"{pixels} pixels, over this server's limit of "
                                   f"{self.config.max_pixels} (--max-pixels)")
        return RenderRequest(snapshot, template, format_name, ext, product_id, seed,
                             quality if ext in LOSSY else 90, expires)

    def key(self, req: RenderRequest) -> str:
        """The cache key (blocking: the first time it hashes the product's image files)."""
        base = req.snapshot.catalogue.base_dir
        try:
            materials = material_hashes(req.snapshot.products[req.product_id], base)
        except MaterialError as err:
            raise HTTPProblem(422, f"product `{req.product_id}`: {err}") from None
        return cache_key(template_version=req.snapshot.templates[req.template].version,
                         product_hash=req.snapshot.product_hashes[req.product_id],
                         materials=materials, format_name=req.format_name, ext=req.ext,
                         quality=req.quality if req.ext in LOSSY else None, seed=req.seed)

    def cache_control(self, req: RenderRequest) -> str:
        if self.config.unsigned:
            return "no-cache"      # development: always revalidate (templates change)
        age = self.config.max_age
        if req.expires is not None:
            age = max(0, min(age, req.expires - int(time.time())))
        return f"public, max-age={age}"

    async def creative(self, req: RenderRequest, key: str) -> tuple[bytes, str]:
        """The response bytes and where they came from: memory, disk or render."""
        data = self.memory.get(key)
        if data is not None:
            self.metrics.hit("memory")
            return data, "memory"
        if self.disk is not None:
            data = await run_in_threadpool(self.disk.get, key, req.ext)
            if data is not None:
                self.metrics.hit("disk")
                self.memory.put(key, data)
                return data, "disk"
        self.metrics.miss()
        flight = self.flights.get(key)
        if flight is None:      # the first request for a key renders; repeats wait for it
            flight = asyncio.ensure_future(self._render(req, key))
            self.flights[key] = flight
            flight.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(flight), "render"

    def _landed(self, key: str, flight: asyncio.Future[bytes]) -> None:
        self.flights.pop(key, None)
        if not flight.cancelled():
            flight.exception()  # retrieved: its waiters may all have gone (disconnects)

    async def _render(self, req: RenderRequest, key: str) -> bytes:
        entry = req.snapshot.templates[req.template]
        job = RenderJob(str(entry.path), entry.version, req.snapshot.products[req.product_id],
                        str(req.snapshot.catalogue.base_dir), req.format_name, req.ext,
                        req.quality, req.seed, self.config.max_bytes)
        data = await self.pool.run(job, self.config.timeout)
        self.memory.put(key, data)
        if self.disk is not None:
            await run_in_threadpool(self.disk.put, key, req.ext, data)
        return data


def create_app(config: ServeConfig) -> Starlette:
    """The render service for `config` (templates and catalogue are loaded here)."""
    service = Service(config)

    async def render_route(request: Request) -> Response:
        service.check_signature(request)
        req = service.parse(request)
        key = await run_in_threadpool(service.key, req)
        etag = f'"{key}"'
        headers = {"ETag": etag, "Cache-Control": service.cache_control(req)}
        if _matches(request.headers.get("if-none-match"), etag):
            service.metrics.count("not_modified")
            return Response(status_code=304, headers=headers)
        try:
            data, source = await service.creative(req, key)
        except Busy:
            service.metrics.count("rejected")
            raise HTTPProblem(503, "the server is busy (render queue full); retry shortly",
                              {"Retry-After": RETRY_AFTER}) from None
        except StaleTemplate as err:
            raise HTTPProblem(503, str(err), {"Retry-After": RETRY_AFTER}) from None
        except WorkerLost:
            raise HTTPProblem(503, "the render's worker process died twice; retry shortly",
                              {"Retry-After": RETRY_AFTER}) from None
        except TimedOut:
            service.metrics.count("timeouts")
            raise HTTPProblem(504, f"the render took longer than {config.timeout:g} s "
                                   "(--timeout)") from None
        except RenderFailed as err:
            raise HTTPProblem(422, str(err)) from None
        except ValueError as err:   # a product value the renderer cannot take
            raise HTTPProblem(422, f"product `{req.product_id}` cannot be rendered in "
                                   f"`{req.format_name}`: {_without_paths(str(err))}") from None
        headers["X-DDM-Cache"] = "miss" if source == "render" else f"hit-{source}"
        return Response(data, media_type=CONTENT_TYPES[req.ext], headers=headers)

    async def healthz(request: Request) -> Response:
        """503 while no render worker can serve, so a load balancer moves traffic away;
        "degraded" while some are being replaced."""
        snap = service.registry.snapshot
        workers = service.pool.health()
        alive, expected = workers["alive"], workers["expected"]
        status = "ok" if alive >= expected else "degraded" if alive else "unavailable"
        return JSONResponse({"status": status, "generation": snap.generation,
                             "templates": len(snap.templates), "products": len(snap.products),
                             "problems": len(snap.errors), "pool": config.pool,
                             "workers": workers, "running": service.pool.running,
                             "queued": service.pool.queue_depth},
                            200 if alive else 503, headers={"Cache-Control": "no-store"})

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(service.metrics.text(), media_type="text/plain; version=0.0.4",
                                 headers={"Cache-Control": "no-store"})

    async def reload(request: Request) -> Response:
        service.check_signature(request, max_ttl=RELOAD_MAX_TTL)
        snap = await run_in_threadpool(service.reload)
        return JSONResponse({"generation": snap.generation, "templates": sorted(snap.templates),
                             "products": len(snap.products), "problems": list(snap.errors)},
                            headers={"Cache-Control": "no-store"})

    routes: list[Route | Mount] = [
        Route("/render/{template}/{file}", _problems(render_route), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route(RELOAD_PATH, _problems(reload), methods=["POST"]),
    ]
    editor = _editor(config, service) if config.editor else None
    if editor is not None:
        routes.append(Mount("/editor", app=editor))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.pool.start()
        _on_sighup(service)
        async with contextlib.AsyncExitStack() as stack:
            if editor is not None:  # a mounted app's lifespan is not run by Starlette
                await stack.enter_async_context(editor.router.lifespan_context(editor))
            try:
                yield
            finally:
                service.pool.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(RequestMetrics, metrics=service.metrics)],
                    exception_handlers={404: _not_found, 405: _not_allowed,
                                        Exception: internal_error})
    app.state.service = service
    return app


def app_from_env() -> Starlette:
    """The app for a uvicorn worker process (`--workers N`): config from the environment."""
    return create_app(ServeConfig.from_env())


def _editor(config: ServeConfig, service: Service) -> Starlette:
    if not config.template_dirs or not config.template_dirs[0].is_dir():
        raise ConfigError("--editor needs --templates DIR, a folder of your own, first "
                          "(the bundled templates are not edited in place)")
    from .editor import editor_app, local_hosts
    return editor_app(template_dir=config.template_dirs[0],
                      catalogue=service.registry.snapshot.catalogue, on_save=service.reload,
                      max_pixels=config.max_pixels, allowed_hosts=local_hosts(config.host),
                      environment=config.environment())


def _on_sighup(service: Service) -> None:
    """SIGHUP reloads, as for most daemons (only where the loop runs in the main thread)."""
    loop = asyncio.get_running_loop()

    def reload() -> None:
        loop.run_in_executor(None, service.reload)

    with contextlib.suppress(ValueError, RuntimeError, NotImplementedError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, reload)


class RequestMetrics:
    """ASGI middleware: counts every HTTP response by route and status, with its latency."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.request(_route(scope["path"]), status, time.perf_counter() - start)


def _route(path: str) -> str:
    for prefix, name in (("/render/", "render"), ("/editor", "editor"), ("/healthz", "healthz"),
                         ("/metrics", "metrics"), (RELOAD_PATH, "reload")):
        if path.startswith(prefix):
            return name
    return "other"


def _problems(handler: Any) -> Any:
    """Turn HTTPProblem into its JSON response; errors are never cached."""
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except HTTPProblem as problem:
            return problem_response(problem.status, problem.message, problem.headers)
    return wrapped


async def _not_found(request: Request, exc: Exception) -> Response:
    return problem_response(404, f"no such path {_show(request.url.path)}; creatives are at "
                                 "/render/TEMPLATE/FORMAT.EXT?product=ID")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return problem_response(405, f"{request.method} is not allowed on "
                                 f"{_show(request.url.path)}")


def _without_paths(text: str) -> str:
    """A message with the folders of any file path dropped (the file name stays)."""
    return _DIRECTORIES.sub("", text)


def _integer(query: dict[str, str], name: str, default: int | None, low: int, high: int
             ) -> Any:
    text = query.get(name)
    if text is None:
        return default
    try:
        value = int(text, 10)
        if not text.strip().lstrip("+-").isdigit():
            raise ValueError
    except ValueError:
        raise HTTPProblem(400, f"`{name}` must be a whole number {low}..{high}, got "
                               f"{_show(text)}") from None
    if not low <= value <= high:
        raise HTTPProblem(400, f"`{name}` must be {low}..{high}, got {value}")
    return value


def _matches(header: str | None, etag: str) -> bool:
    """If-None-Match: `*` or a list of (possibly weak) tags containing ours."""
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def _show(text: str) -> str:
    return json.dumps(text if len(text) <= 80 else text[:77] + "...", ensure_ascii=False)


def _listing(names: Any) -> str:
    ordered = sorted(names)
    shown = ", ".join(ordered[:LISTED])
    return shown + (f" (and {len(ordered) - LISTED} more)" if len(ordered) > LISTED else "")
