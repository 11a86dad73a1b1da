"""The shapes of a launch's claims, checked once, right after its signature.

A signed launch can still carry claims of odd shapes: an LMS bug, a plugin that fills a
custom parameter with a number (Canvas sends some as JSON numbers), a title longer than the
database column. Everything after validation reads the claims as the LTI specification
shapes them, so this is the one place that makes them so:

- an *identifier* the tool keys rows by (``sub``, the context's and resource link's ``id``)
  must be a string of at most 255 characters, and an *object claim* (context, resource link,
  launch presentation, custom, AGS, NRPS, ...) an object: otherwise the launch is refused
  with ``bad_claim`` naming the claim;
- a display text (names, e-mail, titles) that is not a string is left out, a long one
  is cut to its column's length; a locale that is not a language tag is left out;
- a custom parameter that is a number or a boolean becomes its text; a list or an object is
  left out;
- NaN and infinity anywhere refuse the launch: they are not JSON (RFC 8259), though
  Python's parser reads them, and no database column can keep them.

Nothing here trusts more than before: the checks run on a token whose signature holds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from lti_tool.protocol import claims
from lti_tool.protocol.errors import MalformedClaims

#: Claims that are JSON objects when present (null counts as absent).
OBJECT_CLAIMS = (claims.CONTEXT, claims.RESOURCE_LINK, claims.LAUNCH_PRESENTATION,
                 claims.CUSTOM, claims.AGS_ENDPOINT, claims.NRPS, claims.TOOL_PLATFORM, claims.LIS,
                 claims.DL_SETTINGS, claims.FOR_USER)
#: (claim, key or None): identifiers rows are keyed by; a string of at most ID_MAX.
IDENTIFIERS = (("sub", None), (claims.CONTEXT, "id"), (claims.RESOURCE_LINK, "id"))
ID_MAX = 255
#: (claim, key or None, longest kept): display texts.
TEXTS = (("name", None, 255), ("given_name", None, 255), ("family_name", None, 255),
         ("email", None, 255), (claims.CONTEXT, "title", 255), (claims.CONTEXT, "label", 255),
         (claims.RESOURCE_LINK, "title", 255), (claims.RESOURCE_LINK, "description", 2000))
#: (claim, key): strings used as they are (URLs, targets, opaque data); left out otherwise.
STRINGS = ((claims.LAUNCH_PRESENTATION, "return_url"),
           (claims.LAUNCH_PRESENTATION, "document_target"),
           (claims.AGS_ENDPOINT, "lineitem"), (claims.AGS_ENDPOINT, "lineitems"),
           (claims.NRPS, "context_memberships_url"),
           (claims.DL_SETTINGS, "deep_link_return_url"), (claims.DL_SETTINGS, "data"))
#: (claim, key or None): lists of strings; other members are left out.
STRING_LISTS = ((claims.ROLES, None), (claims.AGS_ENDPOINT, "scope"),
                (claims.DL_SETTINGS, "accept_types"),
                (claims.DL_SETTINGS, "accept_presentation_document_targets"))
LOCALES = (("locale", None), (claims.LAUNCH_PRESENTATION, "locale"))
# BCP 47 in practice (en, en-US, zh-Hant-TW, es-419); the user table keeps 20 characters.
_LOCALE = re.compile(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8}){0,3}")
LOCALE_MAX = 20


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _finite(value: Any, path: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise MalformedClaims(f"The launch message has a number that is not JSON (NaN or "
                              f"infinity) in {path}.")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _finite(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for v in value:
            _finite(v, path)


def _get(body: Mapping[str, Any], claim: str, key: str | None) -> tuple[bool, Any]:
    if key is None:
        return claim in body, body.get(claim)
    outer = body.get(claim)
    if not isinstance(outer, Mapping):
        return False, None
    return key in outer, outer.get(key)


def _set(body: dict[str, Any], claim: str, key: str | None, value: Any) -> None:
    """Set (``value`` not None) or remove the claim or its key."""
    target: dict[str, Any] = body if key is None else body[claim]
    name = claim if key is None else key
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def normalised(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` with the claims the tool reads in their specified shapes; raises
    ``MalformedClaims`` for a launch the tool cannot key or read (see the module doc)."""
    _finite(dict(body), "")
    out: dict[str, Any] = dict(body)
    for claim in OBJECT_CLAIMS:
        value = out.get(claim)
        if value is None:
            out.pop(claim, None)
        elif not isinstance(value, Mapping):
            raise MalformedClaims(f"The launch message's {_short(claim)} claim is not an "
                                  "object.")
        else:
            out[claim] = dict(value)
    for claim, key in IDENTIFIERS:
        present, value = _get(out, claim, key)
        if not present or value is None:
            continue
        where = _short(claim) + (f".{key}" if key else "")
        if not isinstance(value, str):
            raise MalformedClaims(f"The launch message's {where} is not a string.")
        if len(value) > ID_MAX:
            raise MalformedClaims(f"The launch message's {where} is longer than "
                                  f"{ID_MAX} characters.")
    for claim, key, longest in TEXTS:
        present, value = _get(out, claim, key)
        if present:
            _set(out, claim, key, value[:longest] if isinstance(value, str) else None)
    for claim, key in STRINGS:
        present, value = _get(out, claim, key)
        if present and not isinstance(value, str):
            _set(out, claim, key, None)
    for claim, key in STRING_LISTS:
        present, value = _get(out, claim, key)
        if not present:
            continue
        if isinstance(value, str):  # one role sent as a string, not a list of one
            value = [value]
        _set(out, claim, key, [v for v in value if isinstance(v, str)]
             if isinstance(value, list) else [])
    for claim, key in LOCALES:
        present, value = _get(out, claim, key)
        if present and not (isinstance(value, str) and len(value) <= LOCALE_MAX
                            and _LOCALE.fullmatch(value)):
            _set(out, claim, key, None)
    if claims.CUSTOM in out:
        out[claims.CUSTOM] = _custom(out[claims.CUSTOM])
    return out


def _custom(custom: Mapping[str, Any]) -> dict[str, str]:
    """Custom parameters as the strings LTI Core §5.4.6 makes them: a number or a boolean
    becomes its text (JSON's spelling: true/false); a list, an object or null is left out."""
    out: dict[str, str] = {}
    for key, value in custom.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            out[key] = str(value)
        elif isinstance(value, str):
            out[key] = value
    return out
