"""Adjudication: the editor's decisions on the coders' passages of one article of a round.

Each decision is an `Adjudication` naming the coded passages it was about (`sources`,
and how they read then) and, unless it rejects them, the consensus passage it made: a
passage of the editor's, `adjudicated`, a draft until the round closes
(`round_close` publishes it). The passage is created by the passage actions' own step
(`create_passage`), so it has its history record like any other.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.actions.passages import create_passage
from annotations.models import Annotation, Tag
from articles.models import Article, Organization
from audit import services as audit
from cms.sentinels import UNSET
from publishing.hooks import corpus_write
from rounds.actions.rounds import _check_open, _lock, _require_editor
from rounds.models import Adjudication, Round


def _sources(round_: Round, passages: Sequence[Annotation | int]) -> list[Annotation]:
    """The coded passages a decision is about: one article's, by the round's coders."""
    ids = sorted({p if isinstance(p, int) else p.pk for p in passages})
    if not ids:
        raise ValidationError("Choose the coders' passages to decide on.", code="no_sources")
    rows = list(
        Annotation.objects.filter(pk__in=ids, adjudicated=False)
        .filter(article__rounds=round_, annotator__coding_rounds=round_)
        .select_related("annotator")
        .prefetch_related("tags")
        .order_by("start", "end", "pk")
    )
    if len(rows) != len(ids):
        raise ValidationError(
            "Only the round's coders' passages on its articles can be adjudicated.",
            code="not_round_passage",
        )
    if len({p.article_id for p in rows}) > 1:
        raise ValidationError("Decide on one article's passages at a time.", code="mixed_articles")
    return rows


def _snapshot(passages: list[Annotation]) -> list[dict]:
    return [
        {
            "id": p.pk,
            "annotator": p.annotator.get_username(),
            "start": p.start,
            "end": p.end,
            "exact": p.exact,
            "tags": sorted(tag.slug for tag in p.tags.all()),
            "organization": p.organization_id,
        }
        for p in passages
    ]


def _decide(
    *,
    round_: Round,
    passages,
    editor,
    decision: str,
    span=None,
    tags=UNSET,
    organization=UNSET,
    note=UNSET,
    via: str,
) -> Adjudication:
    """The shared body of the four decisions: check, make the consensus passage (unless
    rejecting), record the decision with its sources."""
    _require_editor(editor)
    sources = _sources(round_, passages)
    article_id = sources[0].article_id
    with corpus_write(article_id):
        _lock(round_)
        _check_open(round_)
        passage = None
        if decision != Adjudication.Decision.REJECT:
            article = Article.objects.get(pk=article_id)
            start, end = span if span is not None else _joint_span(sources)
            if tags is UNSET:
                chosen_tags: list[Tag] = list(
                    {tag.pk: tag for p in sources for tag in p.tags.all()}.values()
                )
            else:
                chosen_tags = list(tags)
            passage = create_passage(
                article=article,
                start=start,
                end=end,
                exact=article.body[start:end] if 0 <= start < end <= len(article.body) else "",
                tags=chosen_tags,
                organization=_organization(sources) if organization is UNSET else organization,
                note=_note(sources) if note is UNSET else note,
                annotator=editor,
                status=Annotation.Status.DRAFT,
                adjudicated=True,
                via=via,
            )
        adjudication = Adjudication.objects.create(
            round=round_,
            article_id=article_id,
            decision=decision,
            passage=passage,
            sources_snapshot=_snapshot(sources),
            decided_by=editor,
        )
        adjudication.sources.set(sources)
        audit.record(adjudication, action=audit.Action.CREATE, actor=editor, via=via)
    return adjudication


def _joint_span(passages: list[Annotation]) -> tuple[int, int]:
    return min(p.start for p in passages), max(p.end for p in passages)


def _organization(passages: list[Annotation]) -> int | None:
    """The organization the sources agree on; none when they differ."""
    found = {p.organization_id for p in passages}
    return found.pop() if len(found) == 1 else None


def _note(passages: list[Annotation]) -> str:
    notes = list(dict.fromkeys(p.note for p in passages if p.note))
    return "\n\n".join(notes)[:10_000]


@transaction.atomic(durable=True)
def consensus_keep(
    *,
    round: Round,  # noqa: A002
    passage: Annotation | int,
    others: Sequence[Annotation | int] = (),
    editor,
    via: str = audit.Via.OTHER,
) -> Adjudication:
    """Keep one coder's passage as the consensus (span, tags, organization, note), over
    `others`, the other coders' passages it was weighed against."""
    kept = _sources(round, [passage])[0]
    return _decide(
        round_=round,
        passages=[kept, *others],
        editor=editor,
        decision=Adjudication.Decision.KEEP,
        span=(kept.start, kept.end),
        tags=list(kept.tags.all()),
        organization=kept.organization_id,
        note=kept.note,
        via=via,
    )


@transaction.atomic(durable=True)
def consensus_merge(
    *,
    round: Round,  # noqa: A002
    passages: Sequence[Annotation | int],
    editor,
    tags=UNSET,
    organization=UNSET,
    via: str = audit.Via.OTHER,
) -> Adjudication:
    """Merge the passages into one consensus passage over their joint span, with their
    tags together (or `tags`) and the organization they agree on (or `organization`)."""
    return _decide(
        round_=round,
        passages=passages,
        editor=editor,
        decision=Adjudication.Decision.MERGE,
        tags=tags,
        organization=organization,
        via=via,
    )


@transaction.atomic(durable=True)
def consensus_edit(
    *,
    round: Round,  # noqa: A002
    passages: Sequence[Annotation | int],
    start: int,
    end: int,
    exact: str,
    editor,
    tags=UNSET,
    organization: Organization | int | None = UNSET,
    note=UNSET,
    via: str = audit.Via.OTHER,
) -> Adjudication:
    """A consensus passage over a span of the editor's choosing, code points [start, end)
    reading `exact` (checked as every passage's span is)."""
    sources = _sources(round, passages)
    body = Article.objects.only("body").get(pk=sources[0].article_id).body
    if body[start:end] != exact:
        raise ValidationError(
            "The text at these offsets does not read the quote.", code="quote_mismatch"
        )
    return _decide(
        round_=round,
        passages=sources,
        editor=editor,
        decision=Adjudication.Decision.EDIT,
        span=(start, end),
        tags=tags,
        organization=organization,
        note=note,
        via=via,
    )


@transaction.atomic(durable=True)
def consensus_reject(
    *,
    round: Round,  # noqa: A002
    passages: Sequence[Annotation | int],
    editor,
    via: str = audit.Via.OTHER,
) -> Adjudication:
    """Reject the passages: no consensus passage, the decision and its sources recorded."""
    return _decide(
        round_=round,
        passages=passages,
        editor=editor,
        decision=Adjudication.Decision.REJECT,
        via=via,
    )
