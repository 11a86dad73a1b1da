"""/.well-known/jwks.json"""

from __future__ import annotations

from flask import Blueprint, jsonify

from lti_tool.keys import services

bp = Blueprint("keys", __name__)


@bp.get("/.well-known/jwks.json")
def jwks():
    services.signing_key()  # first run: make sure there is something to publish
    response = jsonify(services.jwks())
    # Short cache: platforms must see a rotated key soon.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
