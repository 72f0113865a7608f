"""The answers to requests that fail outside any view's own handling (Django's handler400,
handler404 and handler500, and CSRF_FAILURE_VIEW).

Under `/api/` every one is the API's JSON envelope; elsewhere a page of ours. A lost
database connection (OperationalError, InterfaceError) is a 503 with `Retry-After`, not a
500: nothing the caller sent was wrong, and retrying shortly will work. Django has logged
each exception (with its traceback) before calling these, so they only choose the answer.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from cms.jsonapi import ApiError, csrf_failed

# A PostgreSQL restart takes a few seconds.
RETRY_AFTER_SECONDS = 5


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return ApiError(
            413,
            "payload_too_large",
            f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        ).response()
    return ApiError(400, "bad_request", "The request could not be read.").response()


def page_not_found(request, exception):
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return ApiError(404, "not_found", "There is no API endpoint at this address.").response()


def server_error(request):
    """500, or 503 when the database connection is what failed. Renders without the
    request's context, which would ask the unreachable database for the session's user."""
    unavailable = isinstance(sys.exception(), (OperationalError, InterfaceError))
    if is_api(request):
        if unavailable:
            response = ApiError(
                503, "unavailable", "The database is unreachable; try again in a moment."
            ).response()
        else:
            response = ApiError(
                500, "server_error", "The error has been logged; nothing was half-saved."
            ).response()
    elif unavailable:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    else:
        return defaults.server_error(request)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page carries an inline <style> the CSP refuses."""
    if is_api(request):
        return csrf_failed(reason).response()
    return render(request, "403_csrf.html", status=403)
