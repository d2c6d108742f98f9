"""Helpers for the tests that start a real Celery worker on Redis (iop, decisions)."""

from __future__ import annotations


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def forget_connections(app) -> None:
    """Drop the broker pools and result backend the app has cached, so that the next use
    connects to the URLs now configured (Celery keeps them for the life of the process)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    # The app's AMQP part caches the producer pool and the queues and router built from
    # task_default_queue: a test that routes to its own queue would leave the next one sending
    # to it. Drop it whole; the next use builds it from the configuration now in place.
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    # kombu keeps its pools per broker URL for the whole process (kombu.pools): the producer
    # pool of the URL used before still points at the connection pool closed above, and every
    # later task sent in this process (eager ones included) would fail with "Acquire on closed
    # pool". Start them afresh.
    from kombu import pools

    pools.reset()
