"""With Redis storage, sign-in limits hold across app processes (as behind a load balancer)."""

import uuid

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_available():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start it with redis-server)")


def test_two_app_instances_share_the_sign_in_limit(new_app, config_class, redis_available):
    class SharedLimits(config_class):
        RATELIMIT_STORAGE_URI = REDIS_URL
        # A prefix of its own, so that runs never see each other's counts.
        RATELIMIT_KEY_PREFIX = f"test-{uuid.uuid4()}"
        SIGN_IN_LIMIT_PER_IP = "3 per minute"

    first, second = new_app(SharedLimits), new_app(SharedLimits)
    form = {"email": "nobody@example.org", "password": "wrong password here"}
    statuses = [
        first.test_client().post("/sign-in", data=form).status_code,
        second.test_client().post("/sign-in", data=form).status_code,
        first.test_client().post("/sign-in", data=form).status_code,
        second.test_client().post("/sign-in", data=form).status_code,
    ]
    assert statuses == [200, 200, 200, 429]
