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


CREDENTIAL_PAGES = (
    ("/sign-in", {"email": "nobody@example.org", "password": "wrong password here"}),
    ("/password/forgotten", {"email": "nobody@example.org"}),
    ("/password/reset/made-up-token", {"password": "x", "confirm": "x"}),
    ("/invitation/made-up-token", {"name": "N", "password": "x", "confirm": "x"}),
    ("/sign-in/security-code", {"code": "123456"}),
    ("/sign-in/set-up-two-factor", {"code": "123456"}),
)


def test_one_ip_budget_covers_every_page_that_takes_a_password_code_or_link(new_app):
    """Spreading attempts across sign-in, reset, invitation and security-code pages gets no more
    tries than using one of them."""
    app = new_app(SIGN_IN_LIMIT_PER_IP="6 per minute", SIGN_IN_LIMIT_PER_ACCOUNT="100 per minute")
    client = app.test_client()
    statuses = [client.post(url, data=data).status_code for url, data in CREDENTIAL_PAGES]
    assert 429 not in statuses, statuses
    for url, data in CREDENTIAL_PAGES:
        assert client.post(url, data=data).status_code == 429, url
