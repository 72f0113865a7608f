"""What the round pages print: the progress grid, the adjudication's clusters of passages
with the stretches where coders differ, the agreement tables. Plain objects computed
here so the templates only print (escaping is the templates')."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from annotations.models import Annotation, attach_tag_lists
from rounds.models import Adjudication, DoneMark, Round


@dataclass
class Cell:
    done: bool
    passages: int


@dataclass
class GridRow:
    article: object
    cells: list[Cell]
    adjudicate_url: str


def progress_grid(round_: Round, articles: list, coders: list) -> list[GridRow]:
    """Articles x coders: done or not, and how many passages (two queries)."""
    done = set(
        DoneMark.objects.filter(round=round_).values_list("article_id", "coder_id").order_by()
    )
    counts = {
        (article_id, coder_id): n
        for article_id, coder_id, n in Annotation.objects.filter(
            article__in=[a.pk for a in articles],
            annotator__in=[c.pk for c in coders],
            adjudicated=False,
        )
        .order_by()
        .values_list("article_id", "annotator_id")
        .annotate(n=Count("pk"))
    }
    return [
        GridRow(
            article=article,
            cells=[
                Cell(done=(article.pk, c.pk) in done, passages=counts.get((article.pk, c.pk), 0))
                for c in coders
            ],
            adjudicate_url=f"/workspace/rounds/{round_.pk}/articles/{article.pk}/",
        )
        for article in articles
    ]


@dataclass
class Piece:
    text: str
    covered: bool  # this coder's passage covers it
    differs: bool  # not every coder covers it


@dataclass
class CoderColumn:
    username: str
    passages: list  # the coder's passages in the cluster
    pieces: list[Piece]


@dataclass
class Cluster:
    """Overlapping passages of one tag by the round's coders: one decision to take."""

    number: int
    tag: str
    start: int
    end: int
    passages: list
    columns: list[CoderColumn]
    agree: bool  # every coder has the same single span
    decision: object = None  # the Adjudication taken on these passages, if any
    consensus: object = None
    source_ids: str = ""
    ids: list[int] = field(default_factory=list)


def clusters(round_: Round, article, coders: list, tag_names: dict[int, str]) -> list[Cluster]:
    """The coders' passages on `article` with a tag in scope, grouped per tag into runs
    of overlapping spans, each with every coder's column over the run's text, the
    stretches where not every coder coded marked. Three queries."""
    passages = attach_tag_lists(
        list(
            Annotation.objects.filter(
                article=article, annotator__in=[c.pk for c in coders], adjudicated=False
            )
            .exclude(anchor_status=Annotation.AnchorStatus.ORPHANED)
            .select_related("annotator")
            .order_by("start", "end", "pk")
        )
    )
    decisions: dict[int, Adjudication] = {}
    for decision in (
        Adjudication.objects.filter(round=round_, article=article)
        .select_related("passage")
        .prefetch_related("sources")
    ):
        for source in decision.sources.all():
            decisions[source.pk] = decision
    body = article.body
    by_tag: dict[int, list] = defaultdict(list)
    for passage in passages:
        for tag in passage.tag_list:
            if tag.pk in tag_names:
                by_tag[tag.pk].append(passage)
    result: list[Cluster] = []
    for tag_id in sorted(by_tag, key=lambda pk: tag_names[pk]):
        run: list = []
        run_end = -1
        for passage in by_tag[tag_id] + [None]:
            if passage is not None and (not run or passage.start < run_end):
                run.append(passage)
                run_end = max(run_end, passage.end)
                continue
            if run:
                result.append(_cluster(len(result) + 1, tag_names[tag_id], run, coders, body))
                for p in run:
                    if p.pk in decisions:
                        result[-1].decision = decisions[p.pk]
                        result[-1].consensus = decisions[p.pk].passage
            if passage is not None:
                run, run_end = [passage], passage.end
    return result


def _cluster(number: int, tag: str, run: list, coders: list, body: str) -> Cluster:
    start, end = min(p.start for p in run), max(p.end for p in run)
    cuts = sorted({start, end, *(p.start for p in run), *(p.end for p in run)})
    spans = {c.pk: [(p.start, p.end) for p in run if p.annotator_id == c.pk] for c in coders}

    def covered(coder_id: int, a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in spans[coder_id])

    columns = []
    for coder in coders:
        pieces = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            everyone = all(covered(c.pk, a, b) for c in coders)
            pieces.append(Piece(body[a:b], covered(coder.pk, a, b), not everyone))
        columns.append(
            CoderColumn(
                coder.get_username(), [p for p in run if p.annotator_id == coder.pk], pieces
            )
        )
    shapes = {tuple(spans[c.pk]) for c in coders}
    agree = len(shapes) == 1 and len(next(iter(shapes))) == 1
    ids = [p.pk for p in run]
    return Cluster(
        number=number,
        tag=tag,
        start=start,
        end=end,
        passages=run,
        columns=columns,
        agree=agree,
        source_ids=",".join(str(i) for i in ids),
        ids=ids,
    )


@dataclass
class AgreementRow:
    name: str
    alpha: str
    observed: str
    expected: str
    units: list[int]
    reason: str


def _figure(value) -> str:
    return "" if value is None else f"{value:.4f}"


def agreement_tables(result: dict) -> dict:
    """The agreement dict (`rounds.agreement.round_agreement`) as table rows."""
    coders = result["annotators"]
    tags = [
        AgreementRow(
            name=name,
            alpha=_figure(row["alpha"]),
            observed=_figure(row["observed"]),
            expected=_figure(row["expected"]),
            units=[row["units"].get(c, 0) for c in coders],
            reason=row["reason"] or "",
        )
        for name, row in result["tags"].items()
    ]
    overall = result["overall"]
    articles = [
        AgreementRow(
            name=slug,
            alpha=_figure(row["alpha"]),
            observed=_figure(row["observed"]),
            expected=_figure(row["expected"]),
            units=[row["units"].get(c, 0) for c in coders],
            reason=row.get("reason") or "",
        )
        for slug, row in result.get("per_article", {}).items()
    ]
    attribution = result.get("attribution") or {}
    return {
        "coders": coders,
        "tags": tags,
        "overall": AgreementRow(
            name="All tags",
            alpha=_figure(overall["alpha"]),
            observed=_figure(overall["observed"]),
            expected=_figure(overall["expected"]),
            units=[sum(row.units[i] for row in tags) for i in range(len(coders))],
            reason=overall.get("reason") or "",
        ),
        "articles": articles,
        "attribution": {
            "alpha": _figure(attribution.get("alpha")),
            "pairs": attribution.get("pairs", 0),
            "reason": attribution.get("reason") or "",
        },
    }


def agreement_csv_rows(result: dict) -> list[list]:
    """The agreement as CSV rows: a header, one row per tag, the overall row, one per
    article (`scope` says which)."""
    coders = result["annotators"]
    header = ["scope", "name", "alpha", "observed", "expected", "reason"]
    header += [f"units_{c}" for c in coders]
    rows = [header]
    for name, row in result["tags"].items():
        rows.append(
            ["tag", name, row["alpha"], row["observed"], row["expected"], row["reason"] or ""]
            + [row["units"].get(c, 0) for c in coders]
        )
    overall = result["overall"]
    rows.append(
        ["overall", "", overall["alpha"], overall["observed"], overall["expected"]]
        + [overall.get("reason") or ""]
        + [sum(r["units"].get(c, 0) for r in result["tags"].values()) for c in coders]
    )
    for slug, row in result.get("per_article", {}).items():
        rows.append(
            ["article", slug, row["alpha"], row["observed"], row["expected"]]
            + [row.get("reason") or ""]
            + [row["units"].get(c, 0) for c in coders]
        )
    return [["" if cell is None else cell for cell in row] for row in rows]
