"""Re-placing an article's passages after its body changed."""

from django.db import transaction
from django.db.models import prefetch_related_objects

from annotations import anchoring
from annotations.models import Annotation
from articles.models import Article
from audit import services as audit
from publishing.hooks import corpus_write

PLACED_FIELDS = [
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_status",
    "anchored_revision",
    "previous_exact",
]


def reanchor_passages(*, article: Article, old_body: str, actor=None) -> dict[str, int]:
    """Step: re-place every passage of `article` after its body changed from `old_body`.

    No passage is ever deleted: those that cannot be found are marked orphaned and keep
    their quote. Returns how many passages ended in each anchor status.
    """
    # Positions and anchor statuses count toward no facet: nothing to recount.
    with corpus_write():
        passages = list(
            Annotation.objects.select_for_update().filter(article=article).order_by("id")
        )
        if not passages:
            return {}
        # Whole rows and their tags (two queries): the history keeps a full snapshot of each.
        prefetch_related_objects(passages, "tags")
        befores = {passage.pk: audit.snapshot(passage) for passage in passages}
        placements = anchoring.reanchor(
            old_body,
            article.body,
            [anchoring.Anchor(p.start, p.end, p.exact, p.prefix, p.suffix) for p in passages],
        )
        counts: dict[str, int] = {}
        for passage, placement in zip(passages, placements, strict=True):
            status = Annotation.AnchorStatus(str(placement.status))
            counts[status] = counts.get(status, 0) + 1
            if status == Annotation.AnchorStatus.FUZZY and passage.anchor_status != status:
                passage.previous_exact = passage.exact
            elif status == Annotation.AnchorStatus.ANCHORED:
                passage.previous_exact = ""
            if status != Annotation.AnchorStatus.ORPHANED:
                passage.start, passage.end = placement.start, placement.end
                passage.exact = placement.exact
                passage.prefix, passage.suffix = placement.prefix, placement.suffix
                passage.anchored_revision = article.revision
            passage.anchor_status = status
        Annotation.objects.bulk_update(passages, PLACED_FIELDS, batch_size=500)
        audit.record_many(
            passages,
            action=audit.Action.UPDATE,
            actor=actor,
            via=audit.Via.REANCHOR,
            befores=befores,
        )
    return counts


@transaction.atomic(durable=True)
def annotations_reanchor(*, article: Article, old_body: str, actor=None) -> dict[str, int]:
    """Re-place every passage of `article` after its body changed from `old_body`."""
    return reanchor_passages(article=article, old_body=old_body, actor=actor)
