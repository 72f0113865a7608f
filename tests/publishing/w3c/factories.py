"""Many passages at once for the paging and export tests (bulk, then the counts rebuilt)."""

from annotations.models import Annotation, TaggedAnnotation
from publishing.rebuild import facet_counts_rebuild
from tests.factories import make_annotator, make_article


def make_many_passages(count: int, *, tag=None, article=None) -> list[Annotation]:
    """`count` published passages (each "word" of one article), tagged `tag` if given.

    Bulk-created, so the maintained counts are rebuilt afterwards, as `recount_facets` does.
    """
    annotator = make_annotator()
    article = article or make_article("word " * count)
    passages = Annotation.objects.bulk_create(
        Annotation(
            article=article,
            start=i * 5,
            end=i * 5 + 4,
            exact="word",
            prefix="" if i == 0 else "word ",
            suffix=" word" if i < count - 1 else "",
            annotator=annotator,
        )
        for i in range(count)
    )
    if tag is not None:
        TaggedAnnotation.objects.bulk_create(
            TaggedAnnotation(content_object=passage, tag=tag) for passage in passages
        )
    facet_counts_rebuild()
    return passages
