"""Which hosts a platform's service URLs may point at.

AGS line item and NRPS membership URLs arrive inside launches. The launch is
signed by the platform, but the tool then calls those URLs with an access
token, so a URL elsewhere would make the tool send the platform's token (and
learners' grades) to a third party. A service URL must therefore be on one of
the hosts the registration already names (issuer, login, token, JWKS, token
audience), or a subdomain of one: Blackboard's issuer is ``blackboard.com``
while its services live on ``<school>.blackboard.com``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from lti_tool.models import Platform

log = logging.getLogger("branchwise.outbound")


def platform_hosts(platform: Platform) -> set[str]:
    """The hosts named by the registration, lower-cased."""
    urls = (platform.issuer, platform.auth_login_url, platform.auth_token_url,
            platform.key_set_url, platform.token_audience)
    return {h for u in urls if u and (h := (urlsplit(u).hostname or "").lower())}


def on_platform_hosts(url: str | None, platform: Platform) -> bool:
    """True when ``url`` is http(s) on a registered host of ``platform`` (or a subdomain)."""
    if not url:
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return False
    return any(host == h or host.endswith("." + h) for h in platform_hosts(platform))


def service_url(url: str | None, platform: Platform, what: str) -> str | None:
    """``url`` if it may be called for ``platform``; None (and a warning) otherwise."""
    if not url:
        return None
    if on_platform_hosts(url, platform):
        return url
    log.warning("service URL refused (not on the platform's hosts) what=%s iss=%s "
                "client_id=%s url=%r", what, platform.issuer, platform.client_id, url[:300])
    return None
