"""`GET /api/articles/<id>/suggestions/` and `POST /api/articles/<id>/suggestions/dismiss/`.

Authentication and errors as the rest of the API (`cms.jsonapi`); only annotators and
editors (staff who may code passages) are answered, and an article the caller may not see
is a 404, as `/api/articles/<id>/` says. Accepting a suggestion is creating a passage:
`POST /api/annotations/` with `"suggestion": "<kind>"` (annotations/api.py).
"""

from django import forms
from django.http import JsonResponse

from articles.models import Article
from cms.jsonapi import ApiError, ApiView, invalid_parameters, parse_object
from publishing.filters import CheckedForm
from suggestions.actions import suggestion_dismiss
from suggestions.reads import suggestions_for

DISMISS_FIELDS = {
    "kind": ((str,), "text"),
    "start": ((int,), "a whole number"),
    "end": ((int,), "a whole number"),
    "exact": ((str,), "text"),
}


class SuggestionQuery(CheckedForm):
    include_coded = forms.TypedChoiceField(
        choices=[("0", "no"), ("1", "yes"), ("false", "no"), ("true", "yes")],
        coerce=lambda value: value in ("1", "true"),
        required=False,
        empty_value=False,
        error_messages={"invalid_choice": "Must be 1 or 0."},
    )


def decision_json(decision) -> dict:
    return {
        "article": decision.article_id,
        "kind": decision.kind,
        "start": decision.start,
        "end": decision.end,
        "exact": decision.exact,
        "outcome": decision.outcome,
        "created": decision.created.isoformat(),
    }


class SuggestionAccessMixin:
    def article_for(self, request, pk: int) -> Article:
        user = request.user
        if not user.is_authenticated:
            raise ApiError(401, "authentication_required", "Log in or send an API token.")
        if not (user.is_staff and user.has_perm("annotations.add_annotation")):
            raise ApiError(403, "forbidden", "Only annotators and editors see suggestions.")
        article = Article.objects.visible_to(user).only("id", "body").filter(pk=pk).first()
        if article is None:
            raise ApiError(404, "not_found", f"No article with id {pk}.")
        return article


class SuggestionListView(SuggestionAccessMixin, ApiView):
    """`GET /api/articles/<id>/suggestions/[?include_coded=1]`."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, pk: int):
        query = SuggestionQuery(request.GET)
        if not query.is_valid():
            raise invalid_parameters(query)
        article = self.article_for(request, pk)
        offered = suggestions_for(
            article, request.user, include_coded=query.cleaned_data["include_coded"]
        )
        return JsonResponse({"suggestions": [o.as_json() for o in offered]})


class SuggestionDismissView(SuggestionAccessMixin, ApiView):
    """`POST /api/articles/<id>/suggestions/dismiss/` with `{kind, start, end, exact}`:
    201 with the dismissal, 200 if it was dismissed already."""

    http_method_names = ["post", "options"]

    def post(self, request, pk: int):
        article = self.article_for(request, pk)
        data = parse_object(request, DISMISS_FIELDS, tuple(DISMISS_FIELDS))
        decision, created = suggestion_dismiss(
            article=article,
            coder=request.user,
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            exact=data["exact"],
            via=request.via,
        )
        return JsonResponse(decision_json(decision), status=201 if created else 200)
