import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotations.models import Annotation
from suggestions.quality import measure


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


class Command(BaseCommand):
    help = (
        "Precision and recall of the quote and statistic suggestions against the coded "
        "passages (a suggestion is a hit when a passage with its tag overlaps half of it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--annotator", help="Only this coder's passages count as coded.")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, annotator, format, **options):
        passages = Annotation.objects.all()
        if annotator is not None:
            user = get_user_model().objects.filter(username=annotator).first()
            if user is None:
                raise CommandError(f"No user is called {annotator!r}.")
            passages = passages.filter(annotator=user)
        scores = measure(passages=passages)
        if format == "json":
            self.stdout.write(json.dumps([s.as_json() for s in scores], indent=2))
            return
        self.stdout.write(
            f"{'kind':<10} {'suggested':>9} {'hits':>5} {'precision':>9} "
            f"{'coded':>6} {'found':>6} {'recall':>6}"
        )
        for s in scores:
            self.stdout.write(
                f"{s.kind:<10} {s.suggested:>9} {s.hits:>5} {percent(s.precision):>9} "
                f"{s.coded:>6} {s.found:>6} {percent(s.recall):>6}"
            )
