"""With BRANCHWISE_REDIS_URL the shared cache moves to a real Redis server."""

from __future__ import annotations

import pytest
import redis

from lti_tool.extensions import cache, db
from tests.conftest import clean_tables, make_app
from tests.support.fake_platform import TestPlatform

pytestmark = pytest.mark.redis


def test_launch_with_redis_cache(database_url, tmp_path, redis_url, key_server, platform_key):
    client_redis = redis.Redis.from_url(redis_url)
    client_redis.flushdb()
    app = make_app(database_url, tmp_path / "instance", redis_url=redis_url)
    assert app.config["CACHE_TYPE"] == "RedisCache"
    with app.app_context():
        clean_tables()
        key_server.keys[:] = [platform_key]
        lms = TestPlatform(key_server, platform_key)
        lms.register()
        client = app.test_client()
        hits = key_server.hits
        assert lms.launch(client).status_code == 200  # a learner: the page itself
        assert lms.launch(client).status_code == 200
        # The platform JWKS was fetched once and then served from Redis.
        assert key_server.hits - hits == 1
        assert any(k.startswith(b"branchwise:jwks:") for k in client_redis.keys("*"))
        cache.clear()
        db.session.remove()
        db.engine.dispose()
