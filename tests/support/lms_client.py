"""A browser without JavaScript for the demo LMS (``lti_tool.demo_platform``).

``LmsBrowser`` drives an LTI launch over real HTTP the way a browser would: load
the iframe's third-party login URL at the tool, follow the redirect to the
platform's ``/auth``, read the auto-submitting form and POST it to the tool.
The tool is a black box: only its HTTP answers are used.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlparse

import requests

REDIRECT_CODES = (301, 302, 303, 307, 308)


@dataclass
class ParsedForm:
    """The first ``<form>`` of a page: where it goes and its successful controls."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """Collects the first form's action, method, and input/textarea/select values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form: ParsedForm | None = None
        self.done = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if self.done:
            return
        if tag == "form" and self.form is None:
            self.form = ParsedForm(a.get("action", ""), (a.get("method") or "get").lower())
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.fields[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.form.fields[name] = ""
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.form.fields[self._select] = value
                self._select_chosen = True

    def handle_endtag(self, tag: str) -> None:
        if self.form is None or self.done:
            return
        if tag == "form":
            self.done = True
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.form.fields[self._select] = self._select_first
            self._select = None

    def handle_data(self, data: str) -> None:
        if self.form is not None and self._textarea and not self.done:
            self.form.fields[self._textarea] += data


def parse_form(page: str, base_url: str = "") -> ParsedForm | None:
    """Parse the first ``<form>`` of ``page``; ``action`` is made absolute against ``base_url``."""
    parser = _FormParser()
    parser.feed(page)
    parser.close()
    if parser.form is None:
        return None
    parser.form.action = urljoin(base_url, parser.form.action or base_url)
    return parser.form


def submit_form(
    response: requests.Response,
    data: dict[str, Any] | None = None,
    *,
    session: requests.Session | None = None,
    allow_redirects: bool = True,
    timeout: float = 30,
) -> requests.Response:
    """Submit the first form of ``response`` (fields overridden by ``data``) like a browser."""
    form = parse_form(response.text, response.url)
    if form is None:
        raise AssertionError(f"no <form> in the page from {response.url}")
    fields: dict[str, Any] = {**form.fields, **(data or {})}
    http = session or requests.Session()
    try:
        if form.method == "post":
            return http.post(
                form.action, data=fields, allow_redirects=allow_redirects, timeout=timeout
            )
        return http.get(
            form.action, params=fields, allow_redirects=allow_redirects, timeout=timeout
        )
    finally:
        if session is None:
            http.close()


def page_text(page: str, limit: int = 500) -> str:
    """Visible text of an HTML page (styles, scripts and tags removed), shortened."""
    text = re.sub(r"<(style|script)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(text).split())[:limit]


class LaunchFailed(AssertionError):
    """The launch could not be driven to the tool's launch endpoint."""


class LmsBrowser:
    """A cookie-keeping, JavaScript-less browser for the demo LMS at ``platform_url``.

    Cookies are kept per host by one ``requests.Session`` (note: cookies ignore
    ports, so tool and platform on 127.0.0.1 share a jar; the demo LMS sets none).
    """

    def __init__(self, platform_url: str, *, timeout: float = 30) -> None:
        self.platform_url = platform_url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout
        self.history: list[requests.Response] = []
        self.auth_response: requests.Response | None = None
        self.id_token: str | None = None
        self.state: str | None = None

    # ----------------------------------------------------------- housekeeping
    def close(self) -> None:
        """Close the underlying HTTP session."""
        self.session.close()

    def __enter__(self) -> LmsBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- platform
    def launch_url(self, user: str = "alice", link: str = "rl-1", kind: str = "resource") -> str:
        """The third-party login URL the course page would put in the iframe."""
        r = self.session.get(
            f"{self.platform_url}/_test/launch_url",
            params={"user": user, "link": link, "kind": kind},
            timeout=self.timeout,
        )
        r.raise_for_status()
        return str(r.json()["url"])

    def state_json(self) -> dict[str, Any]:
        """``/_test/state`` of the platform."""
        r = self.session.get(f"{self.platform_url}/_test/state", timeout=self.timeout)
        r.raise_for_status()
        return dict(r.json())

    def set_faults(self, faults: dict[str, Any]) -> None:
        """Replace the platform's fault configuration (``{}`` clears)."""
        r = self.session.post(
            f"{self.platform_url}/_test/faults", json=faults, timeout=self.timeout
        )
        r.raise_for_status()

    # ---------------------------------------------------------------- launch
    def get(self, url: str, **kwargs: Any) -> requests.Response:
        """GET with this browser's cookies (redirects followed unless told otherwise)."""
        kwargs.setdefault("timeout", self.timeout)
        return self.session.get(url, **kwargs)

    def submit_form(
        self, response: requests.Response, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> requests.Response:
        """Submit the first form of ``response`` with this browser's cookies."""
        kwargs.setdefault("timeout", self.timeout)
        return submit_form(response, data, session=self.session, **kwargs)

    def _is_auth(self, url: str) -> bool:
        return url.split("?", 1)[0] == f"{self.platform_url}/auth"

    def _find_auth_url(self, page: str) -> str | None:
        """A URL to the platform's /auth inside an HTML page (attribute, JSON or JS string)."""
        text = html.unescape(page).replace("\\/", "/").replace("\\u0026", "&")
        pattern = re.escape(f"{self.platform_url}/auth") + r"\?[^\"'<>\s`]*"
        match = re.search(pattern, text)
        return match.group(0) if match else None

    def launch(
        self,
        user: str = "alice",
        link: str = "rl-1",
        kind: str = "resource",
        *,
        url: str | None = None,
        follow_launch_redirects: bool = True,
    ) -> requests.Response:
        """Perform a whole launch and return the tool's answer to the id_token POST.

        Steps: GET the login URL at the tool; follow redirects; if the tool answers
        200 instead of redirecting (e.g. a platform-storage page), submit its form
        or follow the first URL to the platform's ``/auth`` found in the page; read
        the platform's auto-submit form (``id_token``, ``state``) and POST it to the
        tool. ``self.auth_response``, ``self.id_token`` and ``self.state`` keep what
        the platform sent.
        """
        self.history = []
        current = url or self.launch_url(user, link, kind)
        response = self.session.get(current, allow_redirects=False, timeout=self.timeout)
        for _ in range(20):
            self.history.append(response)
            if response.status_code in REDIRECT_CODES:
                current = urljoin(response.url, response.headers["Location"])
                response = self.session.get(current, allow_redirects=False, timeout=self.timeout)
                continue
            if self._is_auth(response.url):
                break
            if response.status_code != 200:
                raise LaunchFailed(
                    f"login at the tool answered {response.status_code}: {page_text(response.text)}"
                )
            auth_url = self._find_auth_url(response.text)
            form = parse_form(response.text, response.url)
            if auth_url is not None:
                response = self.session.get(auth_url, allow_redirects=False, timeout=self.timeout)
            elif form is not None and urlparse(form.action).path != urlparse(response.url).path:
                response = self.submit_form(response, allow_redirects=False)
            else:
                raise LaunchFailed(f"cannot find the way to /auth in {response.url}")
        else:
            raise LaunchFailed("too many redirects before /auth")
        self.auth_response = response
        if response.status_code != 200:
            raise LaunchFailed(f"/auth answered {response.status_code}: {page_text(response.text)}")
        form = parse_form(response.text, response.url)
        if form is None or "id_token" not in form.fields:
            raise LaunchFailed("/auth did not answer with an id_token form")
        self.id_token = form.fields["id_token"]
        self.state = form.fields.get("state")
        result = self.submit_form(response, allow_redirects=follow_launch_redirects)
        self.history.append(result)
        return result

    def deep_link(self, user: str = "tess", **kwargs: Any) -> requests.Response:
        """A deep-linking launch (LtiDeepLinkingRequest) as ``user``."""
        return self.launch(user, "", "deep_link", **kwargs)
