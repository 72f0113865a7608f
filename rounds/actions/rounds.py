"""Rounds: created, changed, articles marked done by their coders, closed."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from annotations.models import Annotation, Tag
from articles.models import Article
from audit import services as audit
from cms.sentinels import UNSET
from publishing.hooks import corpus_write
from rounds.agreement.reads import round_agreement
from rounds.models import DoneMark, Round
from rounds.permissions import can_code, can_manage_rounds


def _require_editor(user) -> None:
    if not can_manage_rounds(user):
        raise PermissionDenied("Only editors run coding rounds.")


def _check_open(round_: Round) -> None:
    if not round_.is_open:
        raise ValidationError("This round is closed.", code="round_closed")


def _lock(round_: Round) -> Round:
    """Lock the round's row and reload it (a concurrent close or edit waits its turn)."""
    current = Round.objects.select_for_update().filter(pk=round_.pk).first()
    if current is None:
        raise Round.DoesNotExist(f"No round with id {round_.pk}.")
    round_.refresh_from_db()
    return round_


def _resolve(articles, coders, tags) -> tuple[list[Article], list, list[Tag]]:
    """The round's articles, coders and tags as rows; each missing or wrong one is a field
    error with a code (`no_articles`, `too_few_coders`, `not_an_annotator`, `no_tags`)."""
    errors: dict[str, ValidationError] = {}
    article_rows = list(Article.objects.filter(pk__in=[_pk(a) for a in articles]).defer("body"))
    if not article_rows:
        errors["articles"] = ValidationError("Choose the round's articles.", code="no_articles")
    User = get_user_model()
    coder_rows = list(User.objects.filter(pk__in=[_pk(c) for c in coders]))
    if len(coder_rows) < 2:
        errors["coders"] = ValidationError(
            "A round needs two or more coders.", code="too_few_coders"
        )
    else:
        refused = sorted(c.get_username() for c in coder_rows if not can_code(c))
        if refused:
            errors["coders"] = ValidationError(
                "Not an annotator: %(names)s.",
                code="not_an_annotator",
                params={"names": ", ".join(refused)},
            )
    tag_rows = list(Tag.objects.filter(pk__in=[_pk(t) for t in tags]))
    if not tag_rows:
        errors["tags"] = ValidationError("Choose the tags the round codes.", code="no_tags")
    if errors:
        raise ValidationError(errors)
    return article_rows, coder_rows, tag_rows


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


@transaction.atomic(durable=True)
def round_create(
    *,
    name: str,
    articles: Iterable,
    coders: Iterable,
    tags: Iterable,
    blind: bool = True,
    instructions: str = "",
    editor,
    via: str = audit.Via.OTHER,
) -> Round:
    """Open a round: `coders` (two or more annotators) code `articles` with `tags`.

    Its coders' passages on its articles leave the public site (and, blind, each other's
    view) from now on, so the articles' counts are recounted."""
    _require_editor(editor)
    article_rows, coder_rows, tag_rows = _resolve(list(articles), list(coders), list(tags))
    round_ = Round(name=name, instructions=instructions, blind=blind, created_by=editor)
    round_.full_clean()
    with corpus_write(*(a.pk for a in article_rows)):
        round_.save()
        round_.articles.set(article_rows)
        round_.coders.set(coder_rows)
        round_.tags.set(tag_rows)
        audit.record(round_, action=audit.Action.CREATE, actor=editor, via=via)
    return round_


@transaction.atomic(durable=True)
def round_update(
    *,
    round: Round,  # noqa: A002 (the entity's name, as the other actions' keywords)
    editor,
    name=UNSET,
    instructions=UNSET,
    blind=UNSET,
    articles=UNSET,
    coders=UNSET,
    tags=UNSET,
    via: str = audit.Via.OTHER,
) -> Round:
    """Change an open round (only what is given). Articles leaving or joining it are
    recounted: their coders' passages change visibility."""
    _require_editor(editor)
    round_ = round
    before_articles = list(round_.articles.values_list("pk", flat=True))
    with corpus_write(*before_articles) as write:
        _lock(round_)
        _check_open(round_)
        before = audit.snapshot(round_)
        article_rows, coder_rows, tag_rows = _resolve(
            round_.articles.all() if articles is UNSET else list(articles),
            round_.coders.all() if coders is UNSET else list(coders),
            round_.tags.all() if tags is UNSET else list(tags),
        )
        if name is not UNSET:
            round_.name = name
        if instructions is not UNSET:
            round_.instructions = instructions
        if blind is not UNSET:
            round_.blind = bool(blind)
        round_.full_clean()
        write.recount(*(a.pk for a in article_rows))
        round_.save()
        round_.articles.set(article_rows)
        round_.coders.set(coder_rows)
        round_.tags.set(tag_rows)
        audit.record(round_, action=audit.Action.UPDATE, actor=editor, via=via, before=before)
    return round_


@transaction.atomic(durable=True)
def round_mark_done(
    *,
    round: Round,  # noqa: A002
    article: Article,
    coder,
    done: bool = True,
    via: str = audit.Via.OTHER,
) -> DoneMark | None:
    """`coder` marks `article` done in `round` (or, with `done=False`, not done after
    all). Marking twice changes nothing; the mark is the coder's own to set."""
    round_ = round
    _lock(round_)
    _check_open(round_)
    if not round_.coders.filter(pk=coder.pk).exists():
        raise PermissionDenied("Only the round's coders mark its articles done.")
    if not round_.articles.filter(pk=article.pk).exists():
        raise ValidationError("This article is not in the round.", code="not_in_round")
    mark = DoneMark.objects.filter(round=round_, article=article, coder=coder).first()
    if done and mark is None:
        mark = DoneMark.objects.create(round=round_, article=article, coder=coder)
        audit.record(mark, action=audit.Action.CREATE, actor=coder, via=via)
    elif not done and mark is not None:
        audit.record(mark, action=audit.Action.DELETE, actor=coder, via=via)
        mark.delete()
        mark = None
    return mark


@transaction.atomic(durable=True)
def round_close(
    *,
    round: Round,  # noqa: A002
    editor,
    coder_passages: str = Round.CoderPassages.DRAFT,
    via: str = audit.Via.OTHER,
) -> Round:
    """Close a round: its agreement is measured and kept, its consensus passages are
    published, and the coders' own passages on its articles become drafts (`draft`) or
    are deleted (`delete`, their history kept). Blindness ends with it."""
    _require_editor(editor)
    if coder_passages not in Round.CoderPassages.values:
        raise ValidationError(
            {
                "coder_passages": ValidationError(
                    "Choose what becomes of the coders' passages.", code="invalid_choice"
                )
            }
        )
    round_ = round
    article_ids = list(round_.articles.values_list("pk", flat=True))
    coder_ids = list(round_.coders.values_list("pk", flat=True))
    with corpus_write(*article_ids):
        _lock(round_)
        _check_open(round_)
        before = audit.snapshot(round_)
        agreement = round_agreement(round_)
        consensus = list(
            Annotation.objects.filter(adjudication__round=round_)
            .exclude(status=Annotation.Status.PUBLISHED)
            .select_for_update()
            .prefetch_related("tags")  # for the history snapshots
        )
        _set_status(consensus, Annotation.Status.PUBLISHED, editor, via)
        coded = list(
            Annotation.objects.filter(
                article_id__in=article_ids, annotator_id__in=coder_ids, adjudicated=False
            )
            .order_by("pk")
            .select_for_update()
            .prefetch_related("tags")
        )
        if coder_passages == Round.CoderPassages.DRAFT:
            _set_status(
                [p for p in coded if p.status != Annotation.Status.DRAFT],
                Annotation.Status.DRAFT,
                editor,
                via,
            )
        else:
            audit.record_many(coded, action=audit.Action.DELETE, actor=editor, via=via)
            Annotation.objects.filter(pk__in=[p.pk for p in coded]).delete()
        round_.state = Round.State.CLOSED
        round_.closed = timezone.now()
        round_.coder_passages = coder_passages
        round_.agreement = agreement
        round_.full_clean()
        round_.save()
        audit.record(round_, action=audit.Action.UPDATE, actor=editor, via=via, before=before)
    return round_


def _set_status(passages: list[Annotation], status: str, actor, via: str) -> None:
    """Give `passages` `status` in one UPDATE, with a history record each."""
    if not passages:
        return
    befores = {p.pk: audit.snapshot(p) for p in passages}
    now = timezone.now()
    for passage in passages:
        passage.status, passage.modified = status, now
    Annotation.objects.bulk_update(passages, ["status", "modified"])
    audit.record_many(passages, action=audit.Action.UPDATE, actor=actor, via=via, befores=befores)
