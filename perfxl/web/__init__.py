"""The local web page (``perfxl serve``): templates and reviews for people who never open a terminal.

The page calls the same library functions as the commands (:func:`perfxl.collection.round.run_round`
and :func:`perfxl.template.roster.write_roster_templates`); see :mod:`perfxl.web.app` for the
checks every request passes and :mod:`perfxl.web.sessions` for where files are kept and when they
are deleted. The server (starlette, uvicorn) is imported only when it is used, so that the other
commands start as fast as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_PORT", "WebError", "WebServer", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from perfxl.web import server

        return getattr(server, name)
    raise AttributeError(name)
