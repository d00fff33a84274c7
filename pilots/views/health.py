import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from pilot_portal.stored_files import storage_state


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _broker_state() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        return "ok" if client.ping() else "unreachable"
    except (redis.RedisError, OSError):
        return "unreachable"


@never_cache
def healthz(request):
    """Database, broker and file storage reachability for the load balancer and the operator: 200 or 503."""
    database = "ok" if _database_ok() else "unreachable"
    broker = _broker_state()
    storage = storage_state()
    healthy = database == "ok" and broker != "unreachable" and storage == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker, "storage": storage},
        status=200 if healthy else 503,
    )
