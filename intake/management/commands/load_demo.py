import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.demo import demo_passages_create
from intake.demo_round import demo_round_load
from intake.importers import ImportProblem, import_articles, import_organizations

DEMO_USERS = (
    ("annotator", "annotators", "Demo annotator"),
    ("editor", "editors", "Demo editor"),
    # The demo round's two coders (intake.demo_round).
    ("coder1", "annotators", "Demo coder 1"),
    ("coder2", "annotators", "Demo coder 2"),
)


class Command(BaseCommand):
    help = (
        "Load the demo corpus from the seeds folder (if it exists) and (re)create the demo "
        "annotator and editor with fresh random passwords, printed once. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=Path, default=None)
        parser.add_argument("--host", default="http://127.0.0.1:8000")

    def handle(self, *args, seeds, host, **options):
        seeds = seeds or Path(settings.GLOSS_SEEDS_DIR)
        try:
            if seeds.is_dir():
                orgs = seeds / "organizations.csv"
                if orgs.is_file():
                    created, updated, unchanged = import_organizations(orgs)
                    self.stdout.write(
                        f"Organizations: {created} created, {updated} updated, "
                        f"{unchanged} unchanged."
                    )
                manifest = seeds / "manifest.csv"
                report = import_articles([seeds], manifest=manifest if manifest.is_file() else None)
                self.stdout.write(
                    f"Articles: {report.created} created, {report.revised} revised, "
                    f"{report.updated} updated, {report.unchanged} unchanged."
                )
            else:
                self.stdout.write(f"No seeds folder at {seeds}: starting with an empty corpus.")
        except ImportProblem as problem:
            raise CommandError(f"{problem.source}: {problem.reason}") from None

        lines = []
        with transaction.atomic():
            User = get_user_model()
            for username, group_name, full_name in DEMO_USERS:
                user, _ = User.objects.get_or_create(username=username)
                first, _, last = full_name.partition(" ")
                user.first_name, user.last_name = first, last
                user.is_staff = True  # may log in to the admin
                user.is_active = True
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                user.groups.set([Group.objects.get(name=group_name)])
                lines.append(f"  {full_name:<15} user: {username:<10} password: {password}")
        created = demo_passages_create(annotator=get_user_model().objects.get(username="annotator"))
        self.stdout.write(f"Demo passages: {created} created.")
        demo_round = demo_round_load(editor=get_user_model().objects.get(username="editor"))
        if demo_round is not None:
            self.stdout.write("")
            self.stdout.write(
                f"Demo round {demo_round.pk} ({demo_round.state}, blind), coded by coder1 and "
                f"coder2: {host}/workspace/rounds/{demo_round.pk}/agreement/ or "
                f"manage.py agreement --round {demo_round.pk}"
            )
            self.stdout.write("")
            # The agreement command's own table (by name: commands do not import each other).
            call_command("agreement", round=str(demo_round.pk), stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(
            f"Gloss is at {host}/ ; log in at {host}/accounts/login/ or {host}/admin/"
        )
        self.stdout.write("\n".join(lines))
        self.stdout.write("(Passwords are new each time this command runs.)")
