from django.core.management.base import BaseCommand

from publishing.rebuild import facet_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recount the maintained facet counts of the unfiltered listings from scratch "
        "(the write services keep them; use this after writing around them)."
    )

    def handle(self, *args, **options):
        facet_counts_rebuild()
        self.stdout.write("Facet counts recounted.")
