"""Hostile form posts to every learner endpoint get a clear answer, never a 500 and never
markup echoed as HTML: markup, %-format codes, control characters, huge and odd values,
in random fields, 400 posts with a fixed seed (the runner's pages and the assistant)."""

from __future__ import annotations

import random

from .conftest import Learner, launch_token

HOSTILE = ["<script>alert(1)</script>", "%s %(a)s %d %", "\x00\x01\x1b", "é" * 5000,
           "{{7*7}}", "' OR 1=1 --", "-1", "1e309", "NaN", "[]", "", " ", "😀",
           "a" * 100_000]
PATHS = ["/activity/answer", "/activity/page", "/activity/hint", "/activity/goal",
         "/assistant/ask"]
FIELDS = ["item", "answer", "page", "goal", "question", "seq", "hint", "t", "pos-a", "c-1"]


def test_hostile_forms_never_fail_the_server(client, lms):
    rng = random.Random(0)
    learner = Learner(client, launch_token(client, lms)).open()
    seen: dict[tuple[str, int], int] = {}
    for _ in range(400):
        path = rng.choice(PATHS)
        form = {"t": learner.token, "seq": str(learner.seq), "item": learner.item_id or ""}
        for key in rng.sample(FIELDS, 3):
            form[key] = [rng.choice(HOSTILE) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            form["t"] = learner.token  # mostly a valid session, so the forms are read
        resp = client.post(path, data=form)
        seen[(path, resp.status_code)] = seen.get((path, resp.status_code), 0) + 1
        assert resp.status_code < 500, (path, {k: str(v)[:60] for k, v in form.items()})
        assert "<script>alert(1)</script>" not in resp.get_data(as_text=True), path
        if resp.status_code == 409:
            learner.open()  # a stale step: reload it, as the page tells the learner
        elif resp.status_code == 200 and path.startswith("/activity"):
            learner._take(resp)
    # The forms reached the code that reads them, not only the session check.
    for path in PATHS:
        assert seen.get((path, 200), 0) + seen.get((path, 409), 0) > 0, (path, seen)
