"""Assistant fixtures: an app without embeddings (BM25 only: fast and deterministic),
learner and teacher launches, and a fake OpenAI-compatible endpoint over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lti_tool.extensions import db
from tests.conftest import clean_tables, make_app


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", assistant_embeddings=False)
    with app.app_context():
        clean_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


class FakeModel:
    """An OpenAI-compatible /v1/chat/completions on 127.0.0.1 with a chosen behaviour."""

    def __init__(self) -> None:
        self.behaviour = "ok"
        self.reply_text = "Multiply the top and bottom by the same number [1]."
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": "not found"})
                if fake.behaviour == "slow":
                    time.sleep(1.5)
                if fake.behaviour == "error":
                    return self._send(500, {"error": {"message": "overloaded"}})
                if fake.behaviour == "garbage":
                    return self._send(200, ["not", "an", "object"])
                text = fake.reply_text
                if fake.behaviour == "refuse":
                    text = "I'm sorry, I can't help with that."
                return self._send(200, {"choices": [{"message": {"role": "assistant",
                                                                  "content": text}}]})

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): that is the point of "slow"

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_model():
    model = FakeModel()
    yield model
    model.stop()
