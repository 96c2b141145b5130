"""The template editor: a page and a small JSON API, mountable under any prefix.

`editor_app(...)` returns a self-contained Starlette application so the URL service can
mount it at `/editor` and tests can serve it alone. The page is plain HTML, CSS and
JavaScript shipped in the package (no CDN, no build step); it names every URL relative to
a `<base>` taken from the mount point, so it works at `/` and under a prefix alike.

API (JSON unless noted):
    GET  api/language                   words to highlight
    GET  api/templates                  [{name, title}]
    GET  api/templates/{name}           {name, source}
    GET  api/products                   [{id, title, thumbnail}]
    GET  api/thumbnail?product=         JPEG
    POST api/check {source, client}     {ok, version, name, title, formats, components,
                                         diagnostics}
    GET  api/preview?v=&product=&format=          JPEG, longest side 360 px
    GET  api/download?v=&product=&format=&type=   PNG or JPEG at full size
    POST api/save {name, source}        {ok, name, message, diagnostics}
    GET  api/layout?v=&product=&format=&client=   where each element was drawn, its source
                                        span and how its position is written; what each
                                        object chose and why
    POST api/show {client, products}    the products the page's grid shows now
    POST api/edit {source, client, op, …}   a canvas or inspector edit as one text
                                        replacement, and the check of the edited text
    POST api/inspect {source, element}  the element's properties, overrides and pipeline
    GET  api/backdrop?v=&product=&format=&element=   the colour under a text, its contrast
    GET  api/fonts                      the font families a template can name
    GET  api/image?product=&index=      one of a product's images, small

Saving changes what the service serves, so the editor guards against other sites: a
request whose `Host` is not one of `allowed_hosts` is refused (421; a DNS-rebinding page
names its own host), and every POST must come from the page itself: no cross-site
`Origin` or `Sec-Fetch-Site`, and the header `X-DDM-Editor-Token` carrying the token the
page was served with (a fresh random one per process), which another site can neither
read nor send without a CORS preflight this app never grants.
"""

from __future__ import annotations

import contextlib
import hmac
import html
import math
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ddm_lang.environment import Environment, default_environment
from ddm_lang.perception.catalogue import Catalogue
from ddm_lang.perception.records import JSONTextError, decode_json

from . import editor_edits as edits
from . import editor_geometry as geometry
from . import editor_palette as palette
from .editor_inspect import inspect as inspect_element
from .editor_previews import MAX_PIXELS, Outcome, PreviewService
from .editor_templates import SOURCE_FILE, EditorError, TemplateDir, check_size
from .editor_vocab import vocabulary
from .problems import internal_error, problem_response

STATIC_DIR = Path(__file__).parent / "static" / "editor"
_IMMUTABLE = "public, max-age=31536000, immutable"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
TOKEN_HEADER = "x-ddm-editor-token"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
MAX_SHOWN = 1000
"""Most products one page's grid says it shows at once."""

Endpoint = Callable[[Request], Awaitable[Response]]


def _json_errors(endpoint: Endpoint) -> Endpoint:
    """Refusals become `{"error": message, "code": name}` with their status."""
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except EditorError as err:
            return problem_response(err.status, str(err))
    return wrapped


def local_hosts(host: str) -> tuple[str, ...]:
    """The host names the editor answers to: loopback ones, and the address the server
    binds when it is a specific one (not a wildcard such as 0.0.0.0)."""
    extra = () if host in _WILDCARD_HOSTS or host in LOCAL_HOSTS else (host,)
    return (*LOCAL_HOSTS, *extra)


def _host_name(host: str) -> str:
    """`Host` without its port: `127.0.0.1:8000` → `127.0.0.1`, `[::1]:80` → `::1`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class _SameSiteGuard:
    """ASGI middleware: the Host check for every request, origin and token for POSTs."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str], token: str) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if _host_name(host) not in self.hosts:
            return problem_response(421, "this editor answers only to "
                                         f"{', '.join(sorted(self.hosts))}; open it by one of "
                                         "those names")
        if scope["method"] in _SAFE_METHODS:
            return None
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        scheme = scope.get("scheme", "http")
        if (site is not None and site != "same-origin") or \
                (origin is not None and origin.lower() != f"{scheme}://{host}".lower()):
            return problem_response(403, "the editor accepts changes only from its own page")
        sent = headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(sent.encode("utf-8", "replace"), self.token.encode()):
            return problem_response(403, f"missing or wrong {TOKEN_HEADER} header: reload "
                                         "the editor page")
        return None


async def _body(request: Request, *fields: str) -> list[str]:
    """String fields of a JSON object body (missing ones are empty)."""
    data = await _json_object(request)
    values = [data.get(name, "") for name in fields]
    for name, value in zip(fields, values, strict=True):
        if not isinstance(value, str):
            raise EditorError(f"`{name}` must be a string")
    return values


async def _json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object."""
    try:
        data = decode_json((await request.body()).decode("utf-8"))
    except JSONTextError as err:
        raise EditorError(f"the request body is not JSON the editor takes ({err})") from None
    except UnicodeDecodeError:
        raise EditorError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise EditorError("the request body must be a JSON object")
    return data


def _field(data: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    """One field of a JSON body, of the type an endpoint needs (None when optional and
    absent)."""
    value = data.get(name)
    if value is None and not required:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
        words = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}
        raise EditorError(f"`{name}` must be {words.get(kind, kind.__name__)}")
    return value


def _numbers(data: dict[str, Any], name: str, count: int) -> list[float]:
    value = data.get(name)
    if not isinstance(value, list) or len(value) != count or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value):
        raise EditorError(f"`{name}` must be a list of {count} numbers")
    return [float(v) for v in value]


def _edited(source: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Run one edit the page asks for: the new source and what else the page needs."""
    op = _field(data, "op", str)
    only = _field(data, "only_format", str, required=False) or None
    if op == "box":
        frame = geometry.Frame(*_numbers(data, "frame", 4))
        return geometry.set_box(source, _field(data, "element", int), _numbers(data, "box", 4),
                             frame, value_start=_field(data, "value", int, required=False),
                             only_format=only,
                             detach=bool(_field(data, "detach", bool, required=False))), {}
    if op == "property":
        return edits.set_property(source, _field(data, "element", int), _field(data, "name", str),
                                  _field(data, "value", str), only_format=only), {}
    if op == "argument":
        return edits.set_argument(source, _field(data, "element", int), _field(data, "index", int),
                                  _field(data, "name", str), _field(data, "value", str)), {}
    if op == "delete":
        return edits.delete(source, _field(data, "element", int)), {}
    if op == "insert":
        where = _field(data, "where", str, required=False) or palette.DEFAULT_WHERE
        prefer = _field(data, "prefer", str, required=False) or palette.DEFAULT_PREFER
        text, name = palette.insert(source, _field(data, "kind", str), where=where, prefer=prefer)
        return text, {"name": name}
    raise EditorError(f"unknown edit `{op}`: box, property, argument, insert or delete")


def _query(request: Request, *names: str) -> list[str]:
    values = [request.query_params.get(name, "") for name in names]
    missing = [n for n, v in zip(names, values, strict=True) if not v]
    if missing:
        raise EditorError(f"missing query parameter {', '.join(missing)}")
    return values


def _image(outcome: Outcome, *, cache: str = _IMMUTABLE,
           filename: str | None = None) -> Response:
    """An outcome as an image response, or its problem as 422 JSON."""
    if outcome.image is None:
        return JSONResponse(outcome.problem, 422, headers={"Cache-Control": "no-store"})
    headers = {"Cache-Control": cache}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(outcome.image, media_type=outcome.media_type, headers=headers)


def editor_app(*, template_dir: Path, catalogue: Catalogue,
               on_save: Callable[[str], object] | None = None, max_pixels: int = MAX_PIXELS,
               allowed_hosts: Iterable[str] = LOCAL_HOSTS,
               environment: Environment | None = None) -> Starlette:
    """The editor for the templates in `template_dir`, previewed on `catalogue`'s products;
    `on_save(name)` runs after a template was validated and written (to reload it).
    Downloads larger than `max_pixels` are refused; requests naming a host outside
    `allowed_hosts` too. Previews compile in `environment` (None: the default one).
    `app.state.token` is the token POSTs must send."""
    templates = TemplateDir(template_dir, environment)
    previews = PreviewService(catalogue, max_pixels=max_pixels)
    token = secrets.token_urlsafe(32)
    page_html = (STATIC_DIR / "index.html").read_text("utf-8").replace("{{token}}", token)

    async def page(request: Request) -> Response:
        base = html.escape(request.scope.get("root_path", "").rstrip("/") + "/", quote=True)
        return HTMLResponse(page_html.replace("{{base}}", base),
                            headers={"Cache-Control": "no-store"})

    async def language(request: Request) -> Response:
        return JSONResponse(vocabulary())

    async def template_list(request: Request) -> Response:
        return JSONResponse({"templates": await run_in_threadpool(templates.names)})

    async def template_source(request: Request) -> Response:
        name = request.path_params["name"]
        source = await run_in_threadpool(templates.read, name)
        return JSONResponse({"name": name, "source": source})

    async def products(request: Request) -> Response:
        return JSONResponse({"products": [
            {"id": p.id, "title": p.title, "thumbnail": f"api/thumbnail?{urlencode({'product': p.id})}"}
            for p in catalogue.products]})

    async def thumbnail(request: Request) -> Response:
        (product_id,) = _query(request, "product")
        return _image(await previews.thumbnail(product_id), cache="public, max-age=3600")

    async def layout(request: Request) -> Response:
        version, product_id, fmt = _query(request, "v", "product", "format")
        outcome = await previews.preview(version, product_id, fmt,
                                         request.query_params.get("client", ""))
        if outcome.layout is None:
            return JSONResponse(outcome.problem, 422, headers={"Cache-Control": "no-store"})
        return JSONResponse(outcome.layout, headers={"Cache-Control": _IMMUTABLE})

    async def show(request: Request) -> Response:
        data = await _json_object(request)
        shown = data.get("products")
        if not isinstance(shown, list) or len(shown) > MAX_SHOWN or not all(
                isinstance(p, str) for p in shown):
            raise EditorError(f"`products` must be a list of at most {MAX_SHOWN} product ids")
        previews.show(_field(data, "client", str), shown)
        return JSONResponse({"ok": True})

    async def edit(request: Request) -> Response:
        data = await _json_object(request)
        source = check_size(_field(data, "source", str))
        after, extra = await run_in_threadpool(_edited, source, data)
        client = _field(data, "client", str, required=False) or ""
        return JSONResponse({"ok": True, "edit": edits.one_edit(source, after).as_json(source),
                             "check": await run_in_threadpool(checked, after, client), **extra})

    async def inspect(request: Request) -> Response:
        data = await _json_object(request)
        source = check_size(_field(data, "source", str))
        element = _field(data, "element", int)
        return JSONResponse(await run_in_threadpool(inspect_element, source, element))

    async def backdrop(request: Request) -> Response:
        version, product_id, fmt, element = _query(request, "v", "product", "format", "element")
        if not element.isdigit():
            raise EditorError("`element` must be a source offset")
        return JSONResponse(await previews.backdrop(version, product_id, fmt, int(element)))

    async def fonts(request: Request) -> Response:
        env = environment if environment is not None else await run_in_threadpool(
            default_environment)
        return JSONResponse({"families": env.fonts.display_families()})

    async def image(request: Request) -> Response:
        product_id, index = _query(request, "product", "index")
        if not index.isdigit():
            raise EditorError("`index` must be a whole number")
        return _image(await previews.thumbnail(product_id, int(index)),
                      cache="public, max-age=3600")

    def checked(source: str, client: str) -> dict[str, Any]:
        """A check of the text as the page shows it; a version to preview when it passes."""
        checked = templates.check(source)
        result: dict[str, Any] = {"ok": checked.template is not None,
                                  "diagnostics": list(checked.diagnostics)}
        if checked.template is not None:
            t = checked.template
            result.update(version=previews.remember(t, source, client), name=t.name,
                          title=t.title, formats=[{"name": f.name, "width": f.width,
                                                   "height": f.height} for f in t.formats],
                          components=sorted(c.name for c in t.ir.components.values()
                                            if c.span.file == SOURCE_FILE))
        return result

    async def check(request: Request) -> Response:
        source, client = await _body(request, "source", "client")
        return JSONResponse(await run_in_threadpool(checked, source, client))

    async def preview(request: Request) -> Response:
        version, product_id, fmt = _query(request, "v", "product", "format")
        return _image(await previews.preview(version, product_id, fmt,
                                             request.query_params.get("client", "")))

    async def download(request: Request) -> Response:
        version, product_id, fmt = _query(request, "v", "product", "format")
        kind = request.query_params.get("type", "png")
        outcome = await previews.download(version, product_id, fmt, kind)
        template, _ = previews.template(version)
        name = _UNSAFE_FILENAME.sub("_", f"{template.name}-{product_id}-{fmt}").strip("_")
        return _image(outcome, cache="no-cache", filename=f"{name}.{kind}")

    async def save(request: Request) -> Response:
        name, source = await _body(request, "name", "source")
        path, checked = await run_in_threadpool(templates.save, name, source)
        if checked.template is None:
            count = len(checked.diagnostics)
            return JSONResponse({"ok": False, "name": name, "diagnostics": list(checked.diagnostics),
                                 "message": f"not saved: {count} problem{'s' * (count != 1)}"},
                                422)
        message = f"saved {path.name}"
        if on_save is not None:
            try:
                await run_in_threadpool(on_save, name)
            except Exception as err:  # the file is saved; say what the reload made of it
                message += f", but reloading it failed: {err}"
        return JSONResponse({"ok": True, "name": name, "message": message, "diagnostics": []})

    routes = [
        Route("/", page),
        Route("/api/language", language),
        Route("/api/templates", _json_errors(template_list)),
        Route("/api/templates/{name}", _json_errors(template_source)),
        Route("/api/products", products),
        Route("/api/thumbnail", _json_errors(thumbnail)),
        Route("/api/check", _json_errors(check), methods=["POST"]),
        Route("/api/preview", _json_errors(preview)),
        Route("/api/download", _json_errors(download)),
        Route("/api/save", _json_errors(save), methods=["POST"]),
        Route("/api/layout", _json_errors(layout)),
        Route("/api/show", _json_errors(show), methods=["POST"]),
        Route("/api/edit", _json_errors(edit), methods=["POST"]),
        Route("/api/inspect", _json_errors(inspect), methods=["POST"]),
        Route("/api/backdrop", _json_errors(backdrop)),
        Route("/api/fonts", _json_errors(fonts)),
        Route("/api/image", _json_errors(image)),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        previews.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(_SameSiteGuard, hosts=allowed_hosts, token=token)],
                    exception_handlers={Exception: internal_error})
    app.state.previews = previews
    app.state.token = token
    return app
