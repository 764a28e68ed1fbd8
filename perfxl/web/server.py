"""Run the web page: a uvicorn server on 127.0.0.1 only, in the foreground or in a thread."""

from __future__ import annotations

import logging
import threading
import time
import webbrowser
from pathlib import Path

import uvicorn

from perfxl.web.app import create_app
from perfxl.web.port import PortTaken, listen
from perfxl.web.sessions import Limits, Registry
from perfxl.web.texts import text

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class WebError(Exception):
    """The server cannot start (the port is taken); the message says what to do."""


class WebServer:
    """The page's server, bound to 127.0.0.1:``port`` (0: any free port) as soon as it is made."""

    def __init__(self, port: int = DEFAULT_PORT, lang: str = "zh", limits: Limits | None = None,
                 tmp_root: str | None = None, ledger: Path | None = None):
        self.lang = "en" if lang == "en" else "zh"
        self.registry = Registry(self.lang, limits, tmp_root, ledger)  # ledger None: the command's default
        config = uvicorn.Config(None, host=HOST, port=port, lifespan="on", log_level="warning",
                                access_log=False, proxy_headers=False, server_header=False,
                                timeout_graceful_shutdown=5)
        try:
            self.socket = listen(config)  # uvicorn's own socket (SO_REUSEADDR): a restart works at once
        except PortTaken as exc:
            raise WebError(exc.message(self.lang)) from None
        self.port = self.socket.getsockname()[1]
        self.app = config.app = create_app(self.registry, self.port)  # the Host check needs the real port
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def run(self) -> None:
        """Serve until Ctrl+C (or :meth:`stop`); every session's files are deleted on the way out."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.registry.close_all()
            self.socket.close()

    def start(self, timeout: float = 20.0) -> WebServer:
        """Serve in a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="perfxl-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise WebError("the web server did not start")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


def serve(port: int = DEFAULT_PORT, open_browser: bool = True, lang: str = "zh") -> None:
    """``perfxl serve``: the page on 127.0.0.1:``port``, opened in the browser unless told not to."""
    server = WebServer(port, lang)
    logging.getLogger("perfxl.web").addHandler(logging.StreamHandler())
    print(text(server.lang, "started", url=server.url), flush=True)
    if open_browser:
        def open_when_ready() -> None:
            deadline = time.monotonic() + 20
            while not server.server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            webbrowser.open(server.url)

        threading.Thread(target=open_when_ready, name="perfxl-web-browser", daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    print(text(server.lang, "stopped"), flush=True)
