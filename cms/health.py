"""`/healthz`: is this process up and can it reach its database? For load balancers.

200 `{"status": "ok"}` when a trivial query answers, 503 `{"status": "unavailable"}`
otherwise. Never cached; exempt from the HTTPS redirect so a probe on the private port
gets an answer, not a 301.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
