"""A synthetic, deterministic corpus for benchmarks (`manage.py generate_corpus`).

Development only (the `tests.bench` app). The same `(articles, passages, seed)` always
gives the same rows on SQLite and on PostgreSQL: every choice comes from one
`random.Random(seed)`, timestamps included, and the reference rows (outlets,
organizations, tags, annotators) are ranked by their slugs in Python, not by a database
collation. The digest covers the rows as generated, with references as those ranks, so
it is the same on both databases whatever ids earlier rows took. The text is made of
pseudo-words built from syllables (no third-party text), drawn with Zipf frequencies, so
full-text search has very common and very rare terms. Rows are written in batches, with
COPY on PostgreSQL and `executemany` in one transaction on SQLite, so memory stays
bounded whatever the size. Services are bypassed on purpose (they validate one row at a
time); the rows keep every invariant the services and constraints enforce
(`exact == body[start:end]`, 32 code points of context, one revision per article), and
`facet_counts_rebuild()` recounts the maintained facet counts at the end.
"""

import hashlib
import itertools
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction

from annotations.anchoring import context
from annotations.models import Annotation, Tag, TagField, TaggedAnnotation
from articles.models import Article, ArticleRevision, Organization, Outlet
from echoes.models import Fingerprint, PrintSet
from publishing.models import ArticleFacet, FacetCount
from publishing.rebuild import facet_counts_rebuild
from publishing.version import corpus_changed
from rounds.models import Adjudication, DoneMark, Round
from suggestions.models import SuggestionDecision

SYLLABLES = (
    "ka lo mi ne ra tu sa ve po di an er in or us el at ho ba fe gi ju ko le ma no pi ru "
    "se ti vo wa ze bri cla dro fli gro pla stu tre"
).split()
# Accented and typographic characters: offsets are code points, not bytes.
FLAVOURS = ("café", "naïve", "Zürich", "São", "“quoted”", "it’s", "déjà", "—", "½")
VOCABULARY_SIZE = 20_000
SENTENCE_POOL = 30_000
OUTLETS = 300
ORGANIZATIONS = 400
TAGS = 60
ANNOTATORS = 50
ORG_KINDS = ("Union", "Council", "Institute", "Court")
BATCH = 2_000
# The article the detail-page benchmark reads: it holds this many passages.
BUSY_ARTICLE_SLUG = "bench-busy-article"
BUSY_ARTICLE_PASSAGES = 500
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class CorpusSummary:
    articles: int = 0
    passages: int = 0
    tagged: int = 0
    digest: str = ""
    common_word: str = ""
    rare_word: str = ""
    busy_article: str = ""
    _hash: "hashlib._Hash" = field(default_factory=hashlib.sha256, repr=False)


def _zipf_cum_weights(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


class CorpusGenerator:
    """Makes the rows; `write()` puts them in the database of `connection`."""

    def __init__(self, *, articles: int, passages: int, seed: int):
        self.n_articles, self.n_passages, self.seed = articles, passages, seed
        self.rng = random.Random(seed)  # noqa: S311 - reproducible, not secret
        rng = self.rng
        words: dict[str, None] = {}
        while len(words) < VOCABULARY_SIZE:
            word = "".join(rng.choices(SYLLABLES, k=rng.choice((1, 2, 2, 3, 3, 4))))
            words.setdefault(word, None)
        self.vocabulary = list(words)
        weights = _zipf_cum_weights(VOCABULARY_SIZE)
        self.sentences = [self._sentence(weights) for _ in range(SENTENCE_POOL)]
        # Search terms for the benchmarks: long enough not to be an English stop word.
        per_sentence = Counter(w for s in self.sentences for w in set(s.split()))
        self.common_word = next(w for w in self.vocabulary if len(w) >= 5)
        self.rare_word = next(
            w for w in reversed(self.vocabulary) if len(w) >= 5 and per_sentence[w] == 1
        )

    def _sentence(self, weights) -> str:
        rng = self.rng
        words = rng.choices(self.vocabulary, cum_weights=weights, k=rng.randint(6, 24))
        if rng.random() < 0.05:
            words.insert(rng.randrange(len(words)), rng.choice(FLAVOURS))
        if rng.random() < 0.05:
            words.insert(rng.randrange(len(words)), f"{rng.randint(2, 99)}%")
        text = " ".join(words)
        text = text[0].upper() + text[1:] + rng.choice(".....?!")
        roll = rng.random()
        if roll < 0.01:  # list items and figures a spreadsheet would read as formulas
            text = rng.choice(("- ", "+", "=", "@")) + text
        return text

    def body(self) -> str:
        rng = self.rng
        target = int(rng.triangular(2_000, 8_000, 3_500))
        paragraphs, length = [], 0
        while length < target:
            paragraph = " ".join(rng.choices(self.sentences, k=rng.randint(2, 6)))
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
        return "\n\n".join(paragraphs)

    def passage_counts(self) -> list[int]:
        """Passages per article: heavy-tailed, summing to exactly `n_passages`."""
        rng, n, m = self.rng, self.n_articles, self.n_passages
        busy = min(BUSY_ARTICLE_PASSAGES, m // 2) if n > 1 else m
        weights = [rng.paretovariate(1.6) for _ in range(n)]
        weights[0] = 0.0
        total = sum(weights) or 1.0
        rest = m - busy
        counts = [int(rest * w / total) for w in weights]
        for i in rng.choices(range(1, n), k=rest - sum(counts)) if n > 1 else ():
            counts[i] += 1
        counts[0] = busy if n > 1 else m
        return counts

    def spans(self, body: str, k: int) -> Iterator[tuple[int, int]]:
        """`k` spans on word boundaries; with many per article some overlap."""
        rng, size = self.rng, len(body)
        for _ in range(k):
            length = rng.randint(30, min(400, max(31, size // 3)))
            start = rng.randrange(0, max(1, size - length))
            space = body.find(" ", start)
            start = 0 if start == 0 or space < 0 else space + 1
            end = body.find(" ", min(size - 1, start + length))
            end = size if end < 0 else end
            while start < end and body[start].isspace():
                start += 1
            if end <= start:
                start, end = 0, min(size, 40)
            yield start, end


def _timestamp(rng: random.Random) -> datetime:
    return EPOCH + timedelta(seconds=rng.randrange(0, 5 * 365 * 86_400))


def _write(
    table: str,
    columns: list[str],
    rows: Iterable[tuple],
    summary: CorpusSummary,
    refs: dict[str, list[int]] | None = None,
):
    """Insert `rows` into `table`: COPY on PostgreSQL, executemany elsewhere.

    In `rows`, a column named in `refs` holds a rank (or None): the row it refers to is
    `refs[column][rank]`. The digest takes the rows as they are here, before the ranks
    become ids and the values the database's own types.
    """
    rows = list(rows)
    for row in rows:
        summary._hash.update(repr(row).encode())
    if not rows:
        return
    mapped = [(columns.index(column), ids) for column, ids in (refs or {}).items()]
    if mapped:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, ids in mapped:
                row[i] = None if row[i] is None else ids[row[i]]
    rows = [tuple(_adapt(v) for v in row) for row in rows]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            name = connection.ops.quote_name(table)
            sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608 - model names
            cursor.executemany(sql, rows)


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def corpus_clear() -> None:
    """Delete every article, passage, outlet and organization, and the facet counts
    derived from them (tags and users stay)."""
    # What refers to the corpus first (coding rounds, suggestion answers, the echo index).
    models = [Fingerprint, PrintSet, SuggestionDecision, Adjudication.sources.through, Adjudication]
    models += [DoneMark, Round.articles.through, Round.coders.through, Round.tags.through]
    models += [Round, TaggedAnnotation, Annotation, ArticleRevision]
    models += [Article.organizations.through, ArticleFacet, FacetCount, Article, Outlet]
    models += [Organization]
    with transaction.atomic():
        corpus_changed()
        # A tag's codebook example is a passage: it goes with them.
        Tag.objects.exclude(example_passage=None).update(example_passage=None)
        _truncate(models)


def _truncate(models) -> None:
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        # TRUNCATE ... CASCADE empties every table with a foreign key to these, and a tag
        # points at a passage (its codebook example): the tags and their fields are kept
        # aside and put back (without the example, which is gone).
        kept = [(Tag, list(Tag.objects.values())), (TagField, list(TagField.objects.values()))]
        with connection.cursor() as cursor:
            # Deferred foreign-key checks of this transaction must run before a TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            for model, rows in kept:
                model.objects.bulk_create([model(**row) for row in rows])
            for sql in connection.ops.sequence_reset_sql(no_style(), [Tag, TagField]):
                cursor.execute(sql)
    else:
        # Plain DELETEs, referring rows first: the ORM's delete() would load a million
        # passages into memory to cascade what these statements already remove.
        with connection.cursor() as cursor:
            tables = [m._meta.db_table for m in models]
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marks})", tables)  # noqa: S608


def generate_corpus(*, articles: int, passages: int, seed: int, progress=None) -> CorpusSummary:
    """Write a corpus of `articles` articles and `passages` passages into an empty archive."""
    if Article.objects.exists():
        raise ValueError("the archive already holds articles: clear it first (--replace)")
    gen = CorpusGenerator(articles=articles, passages=passages, seed=seed)
    summary = CorpusSummary(common_word=gen.common_word, rare_word=gen.rare_word)
    with transaction.atomic():
        corpus_changed()
        _reference_rows(gen, summary)
        _articles_and_passages(gen, summary, progress)
    _reset_sequences()
    # VACUUM as autovacuum would soon after a bulk load: it sets the visibility map,
    # without which every index-only scan (facet counts over the matched ids) visits the
    # table, and the hint bits that the first read of each new row would otherwise write
    # (the facet rebuild below read the fresh tables twice as slowly before it).
    _vacuum()
    facet_counts_rebuild()
    _vacuum(FacetCount, ArticleFacet)
    summary.digest = summary._hash.hexdigest()
    return summary


def _vacuum(*models) -> None:
    """VACUUM (ANALYZE) the models' tables (every table when none) on PostgreSQL.

    VACUUM cannot run in a transaction (a test's): there ANALYZE alone, which can.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}".strip())


def _reference_rows(gen: CorpusGenerator, summary: CorpusSummary) -> None:
    rng = gen.rng
    word = gen.vocabulary
    outlets = [
        Outlet(
            name=f"The {word[50 + i].title()} {rng.choice(('Times', 'Post', 'Herald', 'Review'))}",
            slug=f"outlet-{i + 1}",
            domain=f"{word[50 + i]}{i}.example",
        )
        for i in range(OUTLETS)
    ]
    Outlet.objects.bulk_create(outlets, batch_size=500)
    kinds = Organization.Kind.values
    orgs = [
        Organization(
            name=f"{word[400 + i].title()} {rng.choice(ORG_KINDS)} {i + 1}",
            slug=f"organization-{i + 1}",
            kind=rng.choice(kinds),
            aliases=[word[400 + i].upper()[:6]] if rng.random() < 0.3 else [],
        )
        for i in range(ORGANIZATIONS)
    ]
    Organization.objects.bulk_create(orgs, batch_size=500)
    # Tags and annotators stay between runs: made once, the same every time.
    colours = [f"#{rng.randrange(0x1000000):06x}" for _ in range(TAGS)]
    existing = set(Tag.objects.values_list("slug", flat=True))
    new_tags = [
        Tag(name=f"{word[900 + i]} {i + 1}", slug=f"bench-tag-{i + 1}", colour=colours[i])
        for i in range(TAGS)
        if f"bench-tag-{i + 1}" not in existing
    ]
    Tag.objects.bulk_create(new_tags)
    User = get_user_model()
    annotators = Group.objects.filter(name="annotators").first()
    for i in range(ANNOTATORS):
        user, created = User.objects.get_or_create(
            username=f"bench-annotator-{i + 1}", defaults={"is_staff": True}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            if annotators:
                user.groups.add(annotators)
    for model, slugs in (
        (Outlet, _outlet_slugs()),
        (Organization, _org_slugs()),
        (Tag, _tag_slugs()),
    ):
        names = dict(model.objects.filter(slug__in=slugs).values_list("slug", "name"))
        summary._hash.update(repr([(slug, names[slug]) for slug in slugs]).encode())


# The reference rows by rank: slugs sorted in Python, the same order on every database.
def _outlet_slugs() -> list[str]:
    return sorted(f"outlet-{i + 1}" for i in range(OUTLETS))


def _org_slugs() -> list[str]:
    return sorted(f"organization-{i + 1}" for i in range(ORGANIZATIONS))


def _tag_slugs() -> list[str]:
    return sorted(f"bench-tag-{i + 1}" for i in range(TAGS))


def _annotator_names() -> list[str]:
    return sorted(f"bench-annotator-{i + 1}" for i in range(ANNOTATORS))


def _ids(model, field: str, keys: list[str]) -> list[int]:
    """The pks of `model`'s rows whose `field` is each of `keys`, in that order."""
    pks = dict(model.objects.filter(**{f"{field}__in": keys}).values_list(field, "pk"))
    return [pks[key] for key in keys]


def _articles_and_passages(gen: CorpusGenerator, summary: CorpusSummary, progress) -> None:
    rng = gen.rng
    refs = {
        "outlet": _ids(Outlet, "slug", _outlet_slugs()),
        "organization": _ids(Organization, "slug", _org_slugs()),
        "tag": _ids(Tag, "slug", _tag_slugs()),
        "annotator": _ids(get_user_model(), "username", _annotator_names()),
    }
    # Ranks, not ids, are drawn (see `_write`): the same draws as from the ids themselves.
    outlet_ids, org_ids, tag_ids, user_ids = (range(len(ids)) for ids in refs.values())
    outlet_w = _zipf_cum_weights(len(outlet_ids), 0.8)
    org_w = _zipf_cum_weights(len(org_ids), 0.9)
    tag_w = _zipf_cum_weights(len(tag_ids), 1.1)
    counts = gen.passage_counts()
    passage_id = 0
    article_cols = ["id", "title", "slug", "outlet_id", "url", "published", "author", "body"]
    article_cols += ["status", "revision", "source_sha256", "created", "modified"]
    revision_cols = ["article_id", "number", "body", "reason", "comment", "created"]
    mention_cols = ["article_id", "organization_id"]
    passage_cols = ["id", "article_id", "start", "end", "exact", "prefix", "suffix"]
    passage_cols += ["organization_id", "note", "annotator_id", "status", "anchor_status"]
    passage_cols += ["anchored_revision", "previous_exact", "created", "modified"]
    tagged_cols = ["content_object_id", "tag_id"]
    mention_table = Article.organizations.through._meta.db_table
    article_refs = {"outlet_id": refs["outlet"]}
    mention_refs = {"organization_id": refs["organization"]}
    passage_refs = {"organization_id": refs["organization"], "annotator_id": refs["annotator"]}
    tagged_refs = {"tag_id": refs["tag"]}
    for first in range(0, gen.n_articles, BATCH):
        arts, revs, mentions, rows, tagged = [], [], [], [], []
        for index in range(first, min(first + BATCH, gen.n_articles)):
            article_id = index + 1
            body = gen.body()
            title_words = rng.choices(gen.vocabulary[:3000], k=rng.randint(4, 11))
            title = " ".join(title_words).capitalize()
            slug = BUSY_ARTICLE_SLUG if index == 0 else f"{'-'.join(title_words[:5])}-{article_id}"
            created = _timestamp(rng)
            published = (created - timedelta(days=rng.randint(0, 30))).date()
            status = "published" if index == 0 or rng.random() > 0.03 else "draft"
            arts.append(
                (
                    article_id,
                    title,
                    slug[:200],
                    rng.choices(outlet_ids, cum_weights=outlet_w)[0],
                    f"https://news{article_id % 97}.example/{article_id}",
                    published,
                    rng.choice(gen.vocabulary[:500]).title(),
                    body,
                    status,
                    1,
                    "",
                    created,
                    created,
                )
            )
            revs.append((article_id, 1, body, "import", "", created))
            for org in sorted(
                set(rng.choices(org_ids, cum_weights=org_w, k=rng.choice((0, 0, 1, 2, 3))))
            ):
                mentions.append((article_id, org))
            for start, end in gen.spans(body, counts[index]):
                passage_id += 1
                prefix, suffix = context(body, start, end)
                stamp = created + timedelta(seconds=rng.randrange(1, 86_400 * 60))
                note = ""
                if rng.random() < 0.2:
                    note = " ".join(rng.choices(gen.vocabulary[:2000], k=rng.randint(3, 15)))
                    if rng.random() < 0.05:
                        note = rng.choice(("=", "-", "+", "@", "\t", " =")) + note
                rows.append(
                    (
                        passage_id,
                        article_id,
                        start,
                        end,
                        body[start:end],
                        prefix,
                        suffix,
                        rng.choices(org_ids, cum_weights=org_w)[0] if rng.random() < 0.6 else None,
                        note,
                        rng.choice(user_ids),
                        "published" if rng.random() > 0.05 else "draft",
                        "anchored",
                        1,
                        "",
                        stamp,
                        stamp,
                    )
                )
                k = rng.choice((0, 1, 1, 1, 2, 2, 3))
                for tag in sorted(set(rng.choices(tag_ids, cum_weights=tag_w, k=k))):
                    tagged.append((passage_id, tag))
        _write(Article._meta.db_table, article_cols, arts, summary, article_refs)
        _write(ArticleRevision._meta.db_table, revision_cols, revs, summary)
        _write(mention_table, mention_cols, mentions, summary, mention_refs)
        _write(Annotation._meta.db_table, passage_cols, rows, summary, passage_refs)
        _write(TaggedAnnotation._meta.db_table, tagged_cols, tagged, summary, tagged_refs)
        summary.articles += len(arts)
        summary.passages += len(rows)
        summary.tagged += len(tagged)
        if progress:
            progress(summary)
    summary.busy_article = BUSY_ARTICLE_SLUG


def _reset_sequences() -> None:
    models = [Article, ArticleRevision, Annotation, TaggedAnnotation, Article.organizations.through]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
