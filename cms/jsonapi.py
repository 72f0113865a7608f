"""Plumbing shared by Gloss's JSON APIs (`/api/annotations/`, `/api/articles/`).

One error envelope, `{"error": {"code", "message", "fields"}}` with a stable `code`;
strict parsing of JSON objects at the edge; and a base view that authenticates the caller
(a personal token, through the authentication backends, or the session), enforces CSRF for
session writes, and turns the services' exceptions into JSON. Parsing happens before any
service call and the services are atomic, so nothing is written on any error.
"""

import json
import re
from collections.abc import Mapping, Sequence
from itertools import accumulate

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def response(self) -> JsonResponse:
        body = {"error": {"code": self.code, "message": self.message, "fields": self.fields}}
        response = JsonResponse(body, status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="gloss"'
        return response


def field_error(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _rendered(error: ValidationError) -> list[dict]:
    return [
        field_error(e.code or "invalid", e.message % e.params if e.params else e.message)
        for e in error.error_list
    ]


def from_validation_error(error: ValidationError) -> ApiError:
    """A service's ValidationError as an ApiError coded by its first error.

    The status is 400, or the error's own `status` (409 for `RevisionConflict`).
    """
    status = getattr(error, "status", 400)
    if hasattr(error, "error_dict"):
        fields = {
            ("non_field" if name == "__all__" else name): _rendered(ValidationError(errors))
            for name, errors in error.error_dict.items()
        }
        first = next(iter(fields.values()))[0]
        return ApiError(status, first["code"], first["message"], fields)
    first = _rendered(error)[0]
    return ApiError(status, first["code"], first["message"])


def invalid_parameters(form) -> ApiError:
    """The errors of a bound form of query parameters as a 400 `invalid_filter`: each field
    with its first error's code and message, the first field's message as the envelope's."""
    fields = {
        ("non_field" if name == "__all__" else name): [
            field_error(e.code or "invalid", str(e.message % (e.params or {})))
        ]
        for name, errors in form.errors.as_data().items()
        for e in errors[:1]
    }
    first = next(iter(fields.values()))[0]
    return ApiError(400, "invalid_filter", first["message"], fields)


def _storable(value) -> bool:
    """False if any text in `value` holds NUL (PostgreSQL refuses it) or a lone surrogate
    (JSON's \\ud800 escapes decode to one; UTF-8 cannot encode it)."""
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    return True


# Deeper than any payload of ours (two levels), far shallower than what exhausts the parser's
# and the checks' recursion (about 500 levels, in about 1 KB).
MAX_JSON_DEPTH = 20
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _nesting_exceeds(text: str, limit: int) -> bool:
    """True if arrays and objects in the JSON `text` nest deeper than `limit`, found by
    counting brackets outside strings, without parsing (any malformed text is refused by
    the parser afterwards). On any valid prefix, which is all the parser descends into,
    the running count is the parser's depth."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return bool(brackets) and max(accumulate(map(_DEPTH_STEP.__getitem__, brackets))) > limit


# A field spec: (accepted types, what to call them in a message[, type of list items]).
FieldSpec = tuple


def parse_object(
    request, allowed: Mapping[str, FieldSpec], required: Sequence[str] | Mapping[str, str] = ()
) -> dict:
    """The request body as a JSON object whose fields are known and of the expected types.

    `required` names the fields that must be present; as a mapping, it also gives the
    message that says why.
    """
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if _nesting_exceeds(text, MAX_JSON_DEPTH):
        raise ApiError(
            400,
            "malformed_json",
            f"The body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels.",
        )
    try:
        data = json.loads(text)
    except ValueError:
        raise ApiError(400, "malformed_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    fields: dict[str, list[dict]] = {}
    for name, value in data.items():
        if not (_storable(name) and _storable(value)):
            fields[name if _storable(name) else "non_field"] = [
                field_error(
                    "invalid_text",
                    "Text may not contain NUL characters or unpaired surrogates (\\u0000, "
                    "\\ud800-\\udfff): no database stores them.",
                )
            ]
    for name in data:
        if name not in allowed and name not in fields:
            fields[name] = [field_error("unknown_field", f"{name!r} cannot be set here.")]
    messages = required if isinstance(required, Mapping) else dict.fromkeys(required, "")
    for name, why in messages.items():
        if name not in data:
            fields[name] = [field_error("required", why or "This field is required.")]
    for name, (types, label, *item_types) in allowed.items():
        if name not in data or name in fields:
            continue
        value = data[name]
        # bool is an int subclass; `true` is never a valid offset, id or revision.
        if isinstance(value, bool) or not isinstance(value, types):
            fields[name] = [field_error("invalid_type", f"Must be {label}.")]
        elif item_types and not all(isinstance(item, item_types[0]) for item in value):
            fields[name] = [field_error("invalid_type", f"Must be {label}.")]
    if fields:
        first = next(iter(fields.values()))[0]
        raise ApiError(400, first["code"], first["message"], fields)
    return data


def authenticated_caller(request) -> tuple[object, bool]:
    """The user behind `request` and whether a token says so: the token's owner if it sends
    `Authorization: Bearer <key>` (checked by the authentication backends, through
    `authenticate(request, api_token=key)`), otherwise the session user (possibly
    anonymous). Raises a 401 ApiError for a malformed header or an unknown token."""
    header = request.headers.get("Authorization")
    if header is None:
        return getattr(request, "user", None) or AnonymousUser(), False
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise ApiError(401, "invalid_token", "Send the token as `Authorization: Bearer <token>`.")
    user = authenticate(request, api_token=key)
    if user is None:
        raise ApiError(401, "invalid_token", "The token is unknown or revoked.")
    return user, True


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request, reason):
        return reason


def csrf_failed(reason: str) -> ApiError:
    return ApiError(403, "csrf_failed", f"CSRF check failed: {reason}")


def csrf_rejection(request) -> str | None:
    """Why the session request fails Django's CSRF check, or None if it passes."""
    check = _CsrfCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


@method_decorator(csrf_exempt, name="dispatch")
class ApiView(View):
    """Authenticates the caller, enforces CSRF for session writes, and turns errors into JSON.

    Exempt from the CSRF middleware because token requests carry no cookie to forge;
    session requests are checked here instead, with Django's own CSRF logic.
    """

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        try:
            user, by_token = authenticated_caller(request)
        except ApiError as error:
            return error.response()
        request.user = user
        # Which door a write came through, for the history: a script or the workspace page.
        request.via = "api" if by_token else "workspace"
        if request.method not in SAFE_METHODS:
            if not user.is_authenticated:
                return ApiError(
                    401, "authentication_required", "Log in or send an API token."
                ).response()
            if not by_token:
                reason = csrf_rejection(request)
                if reason:
                    return csrf_failed(reason).response()
        try:
            return super().dispatch(request, *args, **kwargs)
        except ApiError as error:
            return error.response()
        except ValidationError as error:
            return from_validation_error(error).response()
        except ObjectDoesNotExist as error:
            # Deleted by someone else between reading it and locking it for the write.
            return ApiError(404, "not_found", str(error) or "No such object.").response()
        except PermissionDenied as error:
            return ApiError(403, "forbidden", str(error) or "Not allowed.").response()

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = ApiError(
            405, "method_not_allowed", f"{request.method} is not allowed here."
        ).response()
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response
