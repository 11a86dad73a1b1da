"""Serving a module's figures (SVG/PNG stored with the module).

* The URL carries a keyed hash of the module, the figure and its content: it cannot be
  guessed without a page that shows the figure, the rendered Markdown can still be cached
  (the URL is the same for every learner), and new content gets a new URL.
* An SVG is only ever an image: the pages show it with ``<img>`` (where SVG scripts never
  run), and the response itself carries ``Content-Security-Policy: default-src 'none';
  sandbox`` so that opening its URL directly cannot run script or fetch anything either.
  The validator refuses scripts, handlers and external references anyway
  (``adaptive.modules.figures``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import Response, abort

from adaptive.modules.format import Figure, Module
from lti_tool.filters import FigureLinks
from lti_tool.modules.library import UnknownModule, get_module

__all__ = ["figure_key", "links_for", "response"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def figure_key(secret: str, module_id: str, figure: Figure) -> str:
    digest = hashlib.sha256(figure.data.encode()).hexdigest()
    message = f"{module_id}\n{figure.id}\n{digest}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def links_for(module: Module | None, secret: str) -> FigureLinks | None:
    """Where the page's module's figures are served (None: it has none).

    Kept in the module's own lookup cache (``engine_cache``): hashing a whole module
    for an ``lru_cache`` key would cost more than building the links."""
    if module is None or not module.figures:
        return None
    cache = module.engine_cache.setdefault("_figure_links", {})
    links = cache.get(secret)
    if links is None:
        links = cache[secret] = FigureLinks(tuple(
            (f.id, f"/modules/{module.id}/figures/{f.id}?k={figure_key(secret, module.id, f)}",
             f.alt) for f in module.figures))
    return links


def response(module_id: str, figure_id: str, key: str, secret: str) -> Response:
    try:
        module = get_module(module_id)
        figure = module.figure(figure_id)
    except (UnknownModule, KeyError, ValueError):
        abort(404)
    if not hmac.compare_digest(key, figure_key(secret, module_id, figure)):
        abort(404)
    if figure.media_type == "image/svg+xml":
        body = figure.data.encode()
    else:
        body = base64.b64decode(figure.data)
    resp = Response(body, mimetype=figure.media_type)
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Content-Disposition"] = f'inline; filename="{figure.id}"'
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp
