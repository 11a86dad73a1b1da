"""Fixtures for the runner: a learner launched into a resource link with a module."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from lti_tool.protocol import claims

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def token_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["t"][0]


def launch_token(client, lms, *, module: str | None = "fractions", **overrides) -> str:
    """Launch (custom param ``module``) and return the token of the page it answers with."""
    if module is not None:
        overrides.setdefault(claims.CUSTOM, {"module": module})
    resp = lms.launch(client, **overrides)
    if resp.status_code == 200:  # a learner: the id_token POST answers with the page itself
        return canonical_token(resp.get_data(as_text=True))
    assert resp.status_code == 303, resp.data[:300]  # other roles go through the landing
    landing = client.get(resp.headers["Location"])
    assert landing.status_code == 303
    return token_of(landing.headers["Location"])


def canonical_token(html: str) -> str:
    """The launch token of a page answered straight from the launch POST."""
    m = re.search(r'name="bw-canonical-url" content="([^"]*)"', html)
    assert m, "no canonical URL on the first page"
    return token_of(m.group(1).replace("&amp;", "&"))


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden field {name}"
    return m.group(1)


@pytest.fixture
def learner(client, lms):
    """A token of a learner launched into the fractions module."""
    return launch_token(client, lms)


class Learner:
    """Drives the activity through the Flask test client like a browser would."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.token = token
        self.html = ""
        self.status = 0

    def _take(self, resp):
        self.status = resp.status_code
        self.html = resp.get_data(as_text=True)
        m = re.search(r'name="t" value="([^"]+)"', self.html)
        if m:
            self.token = m.group(1)
        return self

    def open(self):
        return self._take(self.client.get("/activity", query_string={"t": self.token}))

    @property
    def kind(self) -> str:
        if "next-form" in self.html:
            return "feedback"  # the answered question with its feedback, then "Next"
        if 'name="item"' in self.html:
            return "item"
        if 'name="page"' in self.html:
            return "page"
        return "finish"

    @property
    def seq(self) -> int:
        return int(hidden(self.html, "seq"))

    @property
    def item_id(self) -> str:
        return hidden(self.html, "item")

    def _past_feedback(self) -> None:
        """On an answer's feedback, click "Next" first, as a learner does to go on."""
        if self.kind == "feedback":
            self.open()

    def post(self, path: str, data: dict, seq: int | None = None):
        form = {"t": self.token, "seq": str(self.seq if seq is None else seq), **data}
        return self._take(self.client.post(path, data=form))

    def answer(self, form: dict, seq: int | None = None, item: str | None = None):
        return self.post("/activity/answer", {"item": item or self.item_id, **form}, seq)

    def next(self):
        """Leave the feedback of an answer for the step the activity moved on to."""
        assert self.kind == "feedback", self.html[:500]
        return self.open()

    def continue_page(self):
        self._past_feedback()
        return self.post("/activity/page", {"page": hidden(self.html, "page")})

    def hint(self, form: dict | None = None):
        return self.post("/activity/hint", {"item": self.item_id, **(form or {})})

    def answer_correctly(self, module):
        from lti_tool.runner.answers import correct_form

        return self.answer(correct_form(module.item(self.item_id)))

    def run_to_finish(self, module, limit: int = 300) -> int:
        steps = 0
        while self.kind != "finish":
            assert steps < limit, "the activity did not finish"
            if self.kind == "page":
                self.continue_page()
            elif self.kind == "feedback":
                self.next()
            else:
                self.answer_correctly(module)
            assert self.status == 200, self.html[:2000]
            steps += 1
        return steps
