"""An article's revision history: the list of revisions and the difference between two.

The diff is computed here as a list of `(op, text)` segments and rendered by the template
with autoescaping, so article text never becomes markup (no `mark_safe`).
"""

import difflib
import re
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from articles.models import Article, ArticleRevision

REVISION_NUMBER = re.compile(r"[0-9]{1,9}")

# Words, runs of whitespace and single punctuation marks: a word-level diff that still
# shows a changed comma or line break, and whose tokens join back into the text exactly.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text that is `equal` in both revisions, or was `delete`d or `insert`ed."""

    op: str
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """The change from `old` to `new` as segments; equal + delete text is `old`, equal +
    insert text is `new`. A replaced run becomes a deletion followed by an insertion."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    # autojunk would treat frequent tokens (spaces, "the") as junk and give poor diffs.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return segments


def visible_article(request, slug: str) -> Article:
    """The article, if the user may see it (drafts are hidden from the public)."""
    return get_object_or_404(
        Article.objects.visible_to(request.user).select_related("outlet").defer("body"),
        slug=slug,
    )


class RevisionListView(DetailView):
    """`/articles/<slug>/revisions/`: every revision, newest first (two queries)."""

    template_name = "articles/revision_list.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        return visible_article(self.request, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["revisions"] = list(
            self.object.revisions.select_related("editor").defer("body").order_by("-number")
        )
        return context


class RevisionDiffView(TemplateView):
    """`/articles/<slug>/revisions/<n>/diff/` (revision n against n - 1), or
    `/articles/<slug>/revisions/diff/?from=<a>&to=<b>`."""

    template_name = "articles/revision_diff.html"

    def get_numbers(self) -> tuple[int, int]:
        if "number" in self.kwargs:
            number = self.kwargs["number"]
            return max(number - 1, 1), number
        numbers = [self.request.GET.get(name, "") for name in ("from", "to")]
        # ASCII digits that fit the column: int() also reads "١", and 2**63 overflows SQLite.
        if not all(REVISION_NUMBER.fullmatch(number) for number in numbers):
            raise Http404("Give two revision numbers as ?from=&to=.")
        return int(numbers[0]), int(numbers[1])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = visible_article(self.request, self.kwargs["slug"])
        first, second = self.get_numbers()
        revisions = {
            revision.number: revision
            for revision in ArticleRevision.objects.filter(
                article=article, number__in={first, second}
            ).select_related("editor")
        }
        if first not in revisions or second not in revisions:
            raise Http404("No such revision.")
        old, new = revisions[first], revisions[second]
        context.update(
            article=article,
            old=old,
            new=new,
            segments=word_diff(old.body, new.body) if first != second else [],
            unchanged=old.body == new.body,
        )
        return context
