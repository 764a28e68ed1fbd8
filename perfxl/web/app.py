"""The web page's ASGI app: one static page, a small JSON API, downloads of what a session made.

Every request is checked before it reaches a route (:class:`Guard`): the Host header must name this
server (127.0.0.1:PORT or localhost:PORT: a page on another site that rebinds its DNS name to
127.0.0.1 is refused), an Origin, when sent, must be this server's, and every ``/api/`` request
must carry the page's token in ``X-Perfxl-Token`` (a random value written into the page when it is
served: another website open in the same browser cannot read it, so cannot drive the page). No
CORS header is ever sent. Downloads are addressed by random keys, one per file a session produced.

Uploads are raw request bodies, one file per request, streamed to disk and cut off at the limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from perfxl import __version__, codes
from perfxl.template.writer import default_year
from perfxl.web.rounds import Cancelled, PageRound, RoundBusy, create_private
from perfxl.web.sessions import MB, ROSTER_SUFFIXES, SCHEMES, Registry, Session
from perfxl.web.texts import text, texts

STATIC = Path(__file__).with_name("static")
TOKEN_HEADER = "x-perfxl-token"
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}


class Guard:
    """Host, Origin and token checks on every request; security headers on every response."""

    def __init__(self, app: ASGIApp, registry: Registry, port: int):
        self.app = app
        self.registry = registry
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_secured)

    def _refusal(self, scope: Scope, headers: Headers) -> Response | None:
        if headers.get("host", "").lower() not in self.hosts:
            return PlainTextResponse("Bad Host header", status_code=400)
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self.origins:
            return PlainTextResponse("Cross-origin request refused", status_code=403)
        if not scope["path"].startswith("/api/"):
            return None
        token = headers.get(TOKEN_HEADER, "")
        if not token:
            return PlainTextResponse("Missing page token", status_code=403)
        session = self.registry.find(token)
        if session is None:
            return _error(text(self.registry.lang, "session_expired"), 410)
        scope.setdefault("state", {})["session"] = session
        return None


class _TooLarge(Exception):
    pass


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def size_text(size: int) -> str:
    """1 GB, 500 MB: a limit as people say it."""
    gb = 1024 * MB
    return f"{size // gb} GB" if size >= gb and size % gb == 0 else f"{max(1, round(size / MB))} MB"


def render_page(template: str, registry: Registry, token: str) -> str:
    """The page with its texts filled in, and the texts and limits handed to its script."""
    limits = registry.limits
    words = dict(texts(registry.lang))
    for status in ("clean", "warnings", "errors", "unreadable", "superseded"):
        words[f"status_{status}"] = codes.status_label(status, registry.lang)
    words["limits"] = words["limits"].format(max_files=limits.max_files, file_mb=limits.file_bytes // MB,
                                             total_size=size_text(limits.total_bytes))
    words["footer"] = words["footer"].format(version=__version__)
    config = {"texts": words, "limits": {"max_files": limits.max_files, "file_bytes": limits.file_bytes,
                                         "total_bytes": limits.total_bytes,
                                         "total_size": size_text(limits.total_bytes),
                                         "page_rows": limits.page_rows, "findings_shown": limits.findings_shown}}
    values = {**words, "token": token, "default_year": str(default_year())}
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return data if key == "config_json" else html.escape(values[key])

    return re.sub(r"\{\{(\w+)\}\}", fill, template)


def _limit_problem(registry: Registry, files: Any, held: int = 0, held_bytes: int = 0) -> tuple[str, int] | None:
    """Why this choice of files is refused (message, status), or None; the round's limits count the
    ``held`` files (``held_bytes``) it has already."""
    lang, limits = registry.lang, registry.limits
    valid = isinstance(files, list) and all(
        isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("size"), int)
        and not isinstance(f.get("size"), bool) and f["size"] >= 0 for f in files)
    if not valid:
        return text(lang, "bad_request"), 400
    if not files:
        return text(lang, "no_files"), 400
    if held + len(files) > limits.max_files:
        return text(lang, "too_many_files", max_files=limits.max_files, count=held + len(files)), 413
    for entry in files:
        if entry["size"] > limits.file_bytes:
            return text(lang, "file_too_large", name=entry["name"][-200:], file_mb=limits.file_bytes // MB), 413
    total = held_bytes + sum(entry["size"] for entry in files)
    if total > limits.total_bytes:
        return text(lang, "total_too_large", total_mb_found=round(total / MB),
                    total_size=size_text(limits.total_bytes)), 413
    return None


def create_app(registry: Registry, port: int) -> ASGIApp:
    """The app for a server listening on 127.0.0.1:``port``."""
    api = Api(registry)
    routes = [
        Route("/", api.page, methods=["GET"]),
        Route("/api/round", api.create_round, methods=["POST"]),
        Route("/api/round/resume", api.resume, methods=["POST"]),
        Route("/api/round/{round_id}/files", api.add_files, methods=["POST"]),
        Route("/api/round/{round_id}/file/{index:int}", api.upload, methods=["POST"]),
        Route("/api/round/{round_id}/list/{kind}", api.add_list, methods=["POST"]),
        Route("/api/round/{round_id}/start", api.start, methods=["POST"]),
        Route("/api/round/{round_id}", api.progress, methods=["GET"]),
        Route("/api/round/{round_id}", api.end_round, methods=["DELETE"]),
        Route("/api/roster", api.roster, methods=["POST"]),
        Route("/api/ping", api.ping, methods=["POST"]),
        Route("/api/session", api.end, methods=["DELETE"]),
        Route("/download/{key}", api.download, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    app = Starlette(routes=routes, lifespan=_lifespan(registry))
    app.state.registry = registry
    return Guard(app, registry, port)


class Api:
    """The routes. ``/api/`` ones run after :class:`Guard` found the page's session."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.lang = registry.lang
        self.limits = registry.limits
        self.template = (STATIC / "index.html").read_text(encoding="utf-8")

    def error(self, key: str, status: int, **params: Any) -> JSONResponse:
        return _error(text(self.lang, key, **params), status)

    @staticmethod
    def session_of(request: Request) -> Session:
        return request.state.session

    def round_of(self, request: Request) -> PageRound | None:
        current = self.session_of(request).round
        if current is None or current.id != request.path_params["round_id"] or current.cancelled.is_set():
            return None
        return current

    async def page(self, request: Request) -> Response:
        return HTMLResponse(render_page(self.template, self.registry, self.registry.new().token))

    async def _json(self, request: Request) -> Any:
        try:
            return json.loads(await _body(request, 4 * MB))
        except (_TooLarge, ValueError):
            return None

    async def create_round(self, request: Request) -> Response:
        """A new, empty round for this page (the page's earlier round ends: the clerk asked for it)."""
        try:
            fresh = await run_in_threadpool(self.registry.new_round, self.session_of(request))
        except Cancelled:
            return self.error("session_expired", 410)
        return JSONResponse({"round": fresh.id, "key": fresh.key})

    async def resume(self, request: Request) -> Response:
        """The page reloaded: the round it kept the key of, with everything it holds."""
        body = await self._json(request)
        key = body.get("key") if isinstance(body, dict) else None
        found = self.registry.find_round(key) if isinstance(key, str) else None
        if found is None or found.cancelled.is_set():
            return self.error("round_gone", 404)
        self.registry.attach(self.session_of(request), found)
        return JSONResponse(found.snapshot())

    async def add_files(self, request: Request) -> Response:
        """A batch of files chosen (names and sizes): refused whole when the round would go over a limit."""
        current = self.round_of(request)
        if current is None:
            return self.error("round_gone", 410)
        body = await self._json(request)
        files = body.get("files") if isinstance(body, dict) else None
        problem = _limit_problem(self.registry, files, len(current.stored), sum(current.sizes))
        if problem is not None:
            return _error(*problem)
        try:
            first = current.add_files([f["name"] for f in files], [f["size"] for f in files])
        except RoundBusy:
            return self.error("round_busy", 409)
        return JSONResponse({"round": current.id, "first": first, "total": len(current.stored)})

    async def upload(self, request: Request) -> Response:
        """One file, streamed to its stored name; cut off beyond its declared size or the per-file limit."""
        current, index = self.round_of(request), request.path_params["index"]
        if current is None:
            return self.error("round_gone", 410)
        if not 0 <= index < len(current.stored):
            return self.error("bad_request", 400)
        if current.received[index]:
            return self.error("already_received", 409)
        allowed = min(current.sizes[index], self.limits.file_bytes)
        path = current.inbox / current.stored[index]
        try:
            written = await _stream_to(request, create_private(path), allowed)
            if written > allowed:
                path.unlink(missing_ok=True)
                return self.error("file_too_large", 413, name=current.display[index][-200:],
                                  file_mb=self.limits.file_bytes // MB)
        except FileExistsError:
            return self.error("already_received", 409)
        except FileNotFoundError:
            return self.error("round_gone", 410)
        current.received[index] = True
        return JSONResponse({"index": index, "bytes": written})

    async def add_list(self, request: Request) -> Response:
        """The review's roster (its problems row by row: 422) or the templates' manifest."""
        current, kind = self.round_of(request), request.path_params["kind"]
        if current is None:
            return self.error("round_gone", 410)
        name = unquote(request.headers.get("x-file-name", ""))[-200:]
        suffix = Path(name).suffix.lower()
        if kind not in ("roster", "manifest"):
            return self.error("bad_request", 400)
        if kind == "roster" and suffix not in ROSTER_SUFFIXES:
            return self.error("roster_suffix", 400, name=name)
        if kind == "manifest" and suffix != ".json":
            return self.error("manifest_suffix", 400, name=name)
        try:
            data = await _body(request, self.limits.roster_bytes)
        except _TooLarge:
            return self.error("roster_too_large", 413, mb=self.limits.roster_bytes // MB)
        if kind == "manifest" and not _is_manifest(data):
            return self.error("manifest_bad", 422, name=name)
        try:
            answer = await run_in_threadpool(current.set_list, kind, data, name)
        except RoundBusy:
            return self.error("round_busy", 409)
        return JSONResponse(answer, status_code=422 if "problems" in answer else 200)

    async def start(self, request: Request) -> Response:
        current = self.round_of(request)
        if current is None:
            return self.error("round_gone", 410)
        if not current.start():
            return self.error("not_all_received" if current.stored else "no_files", 409)
        return JSONResponse({"round": current.id, "run": current.runs})

    async def progress(self, request: Request) -> Response:
        current = self.round_of(request)
        if current is None:
            return self.error("round_gone", 410)
        since = request.query_params.get("since", "0")
        with_rows = request.query_params.get("rows") != "no"
        return JSONResponse(current.snapshot(int(since) if since.isdigit() else 0, with_rows))

    async def end_round(self, request: Request) -> Response:
        """The clerk starts a new round: this one, its files and outputs, go."""
        if self.round_of(request) is None:
            return self.error("round_gone", 410)
        await run_in_threadpool(self.registry.end_round, self.session_of(request))
        return Response(status_code=204)

    async def roster(self, request: Request) -> Response:
        """A roster in the body: the templates' zip, or its problems row by row (422)."""
        name = unquote(request.headers.get("x-file-name", ""))[-200:]
        if Path(name).suffix.lower() not in ROSTER_SUFFIXES:
            return self.error("roster_suffix", 400, name=name)
        year = request.query_params.get("year", "")
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            return self.error("bad_year", 400)
        scheme = request.query_params.get("scheme", "standard")
        if scheme not in SCHEMES:
            return self.error("bad_request", 400)
        try:
            data = await _body(request, self.limits.roster_bytes)
        except _TooLarge:
            return self.error("roster_too_large", 413, mb=self.limits.roster_bytes // MB)
        try:
            made = await run_in_threadpool(self.session_of(request).make_templates, data, name, int(year), scheme)
        except Cancelled:
            return self.error("session_expired", 410)
        return JSONResponse(made, status_code=422 if "problems" in made else 200)

    async def ping(self, request: Request) -> Response:
        return Response(status_code=204)  # the Guard's lookup kept the session alive

    async def end(self, request: Request) -> Response:
        self.registry.end(self.session_of(request))
        return Response(status_code=204)

    async def download(self, request: Request) -> Response:
        found = self.registry.download(request.path_params["key"])
        if found is None or not found.path.is_file():
            return PlainTextResponse("Not found", status_code=404)
        return FileResponse(found.path, media_type=found.media_type, filename=found.filename)


def _is_manifest(data: bytes) -> bool:
    """A manifest.json as ``perfxl template --roster`` writes it: its departments with their ids."""
    try:
        entries = json.loads(data.decode("utf-8-sig")).get("departments")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return False
    return isinstance(entries, list) and all(isinstance(e, dict) and "template_id" in e and "code" in e
                                             for e in entries)


async def _stream_to(request: Request, handle: int, allowed: int) -> int:
    """Write the request's body to ``handle``; stop once more than ``allowed`` bytes came."""
    written = 0
    with os.fdopen(handle, "wb") as out:
        async for chunk in request.stream():
            written += len(chunk)
            if written > allowed:
                break
            out.write(chunk)
    return written


def _lifespan(registry: Registry):
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async def reap() -> None:
            while True:
                await asyncio.sleep(max(1.0, min(60.0, registry.limits.idle_seconds / 4)))
                registry.reap()

        task = asyncio.create_task(reap())
        try:
            yield
        finally:
            task.cancel()
            await run_in_threadpool(registry.close_all)

    return lifespan
