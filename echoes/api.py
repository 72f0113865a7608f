"""`GET /api/annotations/<id>/echoes/`: where else a passage's words ran (docs/api.md).

The API's conventions (`cms.jsonapi`): token or session caller, the one error envelope,
the passage and the candidate articles read through the visibility QuerySets, so an
invisible passage is a 404 like an unknown one and a draft article is never an echo for
an anonymous caller.
"""

from django.http import JsonResponse

from annotations.api import annotation_json
from annotations.models import Annotation
from articles.models import Article
from cms.jsonapi import ApiError, ApiView, field_error, parse_object
from echoes.actions import passage_code_echoes
from echoes.finding import Echo, echoes_of, passage_text


def echo_json(echo: Echo) -> dict:
    return {
        "article": echo.article_id,
        "outlet": echo.outlet,
        "published": echo.published.isoformat() if echo.published else None,
        "start": echo.start,
        "end": echo.end,
        "exact": echo.exact,
        "score": echo.score,
    }


def visible_passage(request, pk: int, *fields: str) -> Annotation:
    annotation = (
        Annotation.objects.visible_to(request.user)
        .only("pk", "article_id", "exact", "prefix", "suffix", *fields)
        .filter(pk=pk)
        .first()
    )
    if annotation is None:
        raise ApiError(404, "not_found", f"No passage with id {pk}.")
    return annotation


def passage_echoes(request, annotation: Annotation) -> list[Echo]:
    articles = Article.objects.visible_to(request.user)
    return echoes_of([passage_text(annotation)], articles)[annotation.pk]


class EchoListView(ApiView):
    """`GET /api/annotations/<id>/echoes/`: the passage's echoes, earliest first."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, pk: int):
        annotation = visible_passage(request, pk)
        echoes = passage_echoes(request, annotation)
        return JsonResponse({"echoes": [echo_json(echo) for echo in echoes]})


CODE_FIELDS = {"echoes": ((list,), "a list of echoes, each {article, start, end}", dict)}
ECHO_KEYS = ("article", "start", "end")


def chosen_echoes(data: dict) -> list[tuple[int, int, int]]:
    """The chosen echoes as (article, start, end), each an object of three whole numbers."""
    chosen = []
    for item in data["echoes"]:
        values = [item.get(key) for key in ECHO_KEYS]
        if set(item) != set(ECHO_KEYS) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            message = "Each echo is an object with the whole numbers article, start and end."
            raise ApiError(
                400, "invalid_echo", message, {"echoes": [field_error("invalid_echo", message)]}
            )
        chosen.append(tuple(values))
    return chosen


class EchoCodeView(ApiView):
    """`POST /api/annotations/<id>/echoes/code/` with `{"echoes": [{"article", "start",
    "end"}, ...]}`: code each chosen echo like the passage (`passage_code_echoes`); 201
    with the passages created."""

    http_method_names = ["post", "options"]

    def post(self, request, pk: int):
        data = parse_object(request, CODE_FIELDS, ("echoes",))
        chosen = chosen_echoes(data)
        annotation = visible_passage(request, pk, "organization_id", "status")
        created = passage_code_echoes(
            annotation=annotation, echoes=chosen, annotator=request.user, via=request.via
        )
        fresh = Annotation.objects.for_api().filter(pk__in=[a.pk for a in created])
        by_pk = {a.pk: a for a in fresh}
        return JsonResponse(
            {"passages": [annotation_json(by_pk[a.pk]) for a in created]}, status=201
        )
