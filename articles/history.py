"""An article's revision history: the list of revisions and the difference between two.

The diff is computed here as paragraphs of `(op, text)` segments (paragraphs aligned first,
then the words of each edited paragraph) and rendered by the template with autoescaping,
so article text never becomes markup (no `mark_safe`).
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


@dataclass(frozen=True, slots=True)
class ParagraphDiff:
    """One paragraph of the diff: `equal` (unchanged), `changed` (edited words), `insert`
    (new paragraph) or `delete` (removed paragraph), as segments of its text."""

    op: str
    segments: list[Segment]


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


def body_paragraphs(body: str) -> list[str]:
    """The paragraphs of a body as the article page shows them: its non-blank lines."""
    return [line for line in body.splitlines() if line.strip()]


# Two paragraphs of a changed block are paired (diffed word by word) when at least this
# share of their words is common; otherwise one was removed and the other added.
_PAIR_RATIO = 0.5
# Beyond this many old x new paragraphs in one changed block, pair them in order rather
# than by similarity (the pairing below is quadratic in the block's size).
_PAIR_CELLS = 2_500


def _similarity(old: str, new: str) -> float:
    matcher = difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False)
    return matcher.ratio()


def _pair(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Align the paragraphs of one changed block: `(i, j)` pairs an edited paragraph,
    `(i, None)` a removed one, `(None, j)` an added one; in reading order. Pairs maximise
    the summed similarity (a small dynamic programme over the block)."""
    m, n = len(old), len(new)
    if m * n > _PAIR_CELLS:
        pairs: list[tuple[int | None, int | None]] = list(zip(range(m), range(n), strict=False))
        pairs += [(i, None) for i in range(n, m)] + [(None, j) for j in range(m, n)]
        return pairs
    ratio = [[_similarity(old[i], new[j]) for j in range(n)] for i in range(m)]
    score = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if ratio[i][j] >= _PAIR_RATIO:
                best = max(best, ratio[i][j] + score[i + 1][j + 1])
            score[i][j] = best
    pairs, i, j = [], 0, 0
    while i < m and j < n:
        if ratio[i][j] >= _PAIR_RATIO and score[i][j] == ratio[i][j] + score[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, m)] + [(None, k) for k in range(j, n)]
    return pairs


def paragraph_diff(old: str, new: str) -> list[ParagraphDiff]:
    """The change from `old` to `new` paragraph by paragraph: paragraphs are aligned first
    (unchanged ones match whole), then each pair of edited paragraphs is diffed by words."""
    a, b = body_paragraphs(old), body_paragraphs(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    result: list[ParagraphDiff] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(ParagraphDiff("equal", [Segment("equal", text)]) for text in a[i1:i2])
            continue
        for i, j in _pair(a[i1:i2], b[j1:j2]):
            if j is None:
                result.append(ParagraphDiff("delete", [Segment("delete", a[i1 + i])]))
            elif i is None:
                result.append(ParagraphDiff("insert", [Segment("insert", b[j1 + j])]))
            else:
                result.append(ParagraphDiff("changed", word_diff(a[i1 + i], b[j1 + j])))
    return result


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
            paragraphs=paragraph_diff(old.body, new.body) if first != second else [],
            unchanged=old.body == new.body,
            # Only blank lines moved: every paragraph reads the same in both revisions.
            spacing_only=old.body != new.body
            and body_paragraphs(old.body) == body_paragraphs(new.body),
        )
        return context
