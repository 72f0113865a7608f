import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotations.models import Tag
from articles.models import Article
from rounds.agreement.reads import annotator_agreement, round_agreement
from rounds.models import Round


class Command(BaseCommand):
    help = (
        "Agreement between coders: Krippendorff's unitizing alpha per tag and over the tags, "
        "per article, and nominal alpha on attribution. Either a round's coders, articles and "
        "tags (--round), or two or more annotators (--annotator, repeated) on the articles "
        "they all coded. --article and --tag narrow it (articles in the order named)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", help="id of a coding round")
        parser.add_argument(
            "--annotator", action="append", default=[], help="username (two or more)"
        )
        parser.add_argument(
            "--article", action="extend", nargs="+", default=[], metavar="SLUG", help="article"
        )
        parser.add_argument(
            "--tag", action="extend", nargs="+", default=[], metavar="SLUG", help="tag"
        )
        # Not argparse choices: a bad value must exit 1 with one line, as every bad input.
        parser.add_argument("--format", default="table", help="table (default) or json")

    def handle(self, *args, round, annotator, article, tag, format, **options):
        if format not in ("table", "json"):
            raise CommandError(f"--format {format}: choose table or json")
        if round is not None and annotator:
            raise CommandError("give either --round or --annotator, not both")
        if round is None and not annotator:
            raise CommandError("give --round ID or two or more --annotator USERNAME")
        articles = self.articles(article)
        tags = self.tags(tag)
        if round is not None:
            result = self.for_round(round, articles, tags)
        else:
            result = self.for_annotators(annotator, articles, tags)
        if format == "json":
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            for line in table(result):
                self.stdout.write(line)

    def for_round(self, round_id: str, articles, tags) -> dict:
        found = Round.objects.filter(pk=int(round_id)).first() if round_id.isdigit() else None
        if found is None:
            raise CommandError(f"--round {round_id}: no such round")
        if articles is not None:
            inside = set(
                found.articles.filter(pk__in=[a.pk for a in articles]).values_list("pk", flat=True)
            )
            for a in articles:
                if a.pk not in inside:
                    raise CommandError(f"--article {a.slug}: not an article of round {found.pk}")
        if tags is not None:
            inside = set(
                found.tags.filter(pk__in=[t.pk for t in tags]).values_list("pk", flat=True)
            )
            for t in tags:
                if t.pk not in inside:
                    raise CommandError(f"--tag {t.slug}: not a tag of round {found.pk}")
        coders = list(found.coders.order_by("username"))
        if len(coders) < 2:
            raise CommandError(f"--round {found.pk}: the round has fewer than two coders")
        return round_agreement(found, articles=articles, tags=tags)

    def for_annotators(self, usernames: list[str], articles, tags) -> dict:
        names = list(dict.fromkeys(usernames))
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        for name in names:
            if name not in users:
                raise CommandError(f"--annotator {name}: no such user")
        if len(names) < 2:
            raise CommandError(f"give two or more different --annotator (got {len(names)})")
        result = annotator_agreement([users[n] for n in names], articles, tags)
        if not result["articles"]:
            raise CommandError(
                f"--annotator {', '.join(names)}: no article has passages of every one of "
                "them (name articles with --article)"
            )
        return result

    def articles(self, slugs: list[str]) -> list[Article] | None:
        if not slugs:
            return None
        found = {a.slug: a for a in Article.objects.filter(slug__in=slugs).only("pk", "slug")}
        for slug in slugs:
            if slug not in found:
                raise CommandError(f"--article {slug}: no such article")
        return [found[slug] for slug in dict.fromkeys(slugs)]

    def tags(self, slugs: list[str]) -> list[Tag] | None:
        if not slugs:
            return None
        found = {t.slug: t for t in Tag.objects.filter(slug__in=slugs).only("pk", "slug", "name")}
        for slug in slugs:
            if slug not in found:
                raise CommandError(f"--tag {slug}: no such tag")
        return [found[slug] for slug in dict.fromkeys(slugs)]


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def table(result: dict) -> list[str]:
    """The result as aligned plain-text tables: tags, overall, articles, attribution."""
    users = result["annotators"]
    lines = [
        f"Agreement of {', '.join(users)} on {len(result['articles'])} article(s), "
        f"{result['length']:,} code points (Krippendorff's unitizing alpha)",
        "",
    ]
    rows = [("tag", "alpha", "D_o", "D_e", f"units ({', '.join(users)})", "note")]
    for name, tag in result["tags"].items():
        units = ", ".join(str(tag["units"][u]) for u in users)
        rows.append(
            (name, number(tag["alpha"]), number(tag["observed"]), number(tag["expected"]), units,
             tag["reason"] or "")
        )  # fmt: skip
    overall = result["overall"]
    rows.append(
        ("all tags (α_U)", number(overall["alpha"]), number(overall["observed"]),
         number(overall["expected"]), "", overall["reason"] or "")
    )  # fmt: skip
    lines += aligned(rows)
    lines.append("")
    rows = [("article", "alpha", "D_o", "D_e", f"units ({', '.join(users)})", "note")]
    for slug, row in result["per_article"].items():
        units = ", ".join(str(row["units"][u]) for u in users)
        rows.append(
            (slug, number(row["alpha"]), number(row["observed"]), number(row["expected"]), units,
             row["reason"] or "")
        )  # fmt: skip
    lines += aligned(rows)
    lines.append("")
    attribution = result["attribution"]
    lines.append(
        f"Attribution (nominal alpha over {attribution['pairs']} passage pair(s) overlapping by "
        f"at least half, {attribution['agreeing']} naming the same organization): "
        f"{number(attribution['alpha'])}"
        + (f" ({attribution['reason']})" if attribution["reason"] else "")
    )
    return lines


def aligned(rows: list[tuple]) -> list[str]:
    widths = [max(len(str(row[k])) for row in rows) for k in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [
            str(cell).rjust(width) if 0 < k < 4 else str(cell).ljust(width)
            for k, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * width for width in widths))
    return out
