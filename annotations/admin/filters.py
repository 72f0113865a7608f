"""The passage changelist's list filters, each one bounded query whatever the archive's size.

Django's related-field filters list every outlet and organization ("related only" adds a
DISTINCT over the whole passage table); with hundreds of each, the sidebar was most of the
page. These list the busiest, ranked by the maintained staff facet counts, under the same
parameters as Django's own filters, so any option is still reachable by its id in the URL.

The staff counts hold every passage; a coder of an open blind round does not see the other
coders' passages on its articles (the changelist's rows follow the one visibility rule), so
for them the counts are corrected by what is hidden from them (`hidden_counts`: one query
over those articles' passages, shared by both filters), and an outlet or organization only
the hidden passages hold is not listed.
"""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery

from annotations.models import Annotation, Tag
from articles.models import Organization, Outlet
from publishing.models import FacetCount


class TagListFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return Tag.objects.order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


class BusiestFilter(admin.SimpleListFilter):
    """The `shown` options holding the most passages (largest first), plus the one selected.

    The parameter's value is an id (the changelist refuses anything else before filters
    run, see cms.admin_lookups); options display as their name.
    """

    model = None
    facet = ""
    field = ""  # the passage's lookup to the option's id
    shown = 25

    def lookups(self, request, model_admin):
        hidden = hidden_counts(request)[self.facet]
        counts = FacetCount.objects.filter(
            listing=FacetCount.Listing.PASSAGES,
            audience=FacetCount.Audience.STAFF,
            facet=self.facet,
            count__gt=0,
        )
        # Hiding lowers at most len(hidden) counts, so the busiest `shown` of what the user
        # sees are among the busiest `shown + len(hidden)` of all (one query either way).
        busiest = counts.order_by("-count", "value_id").values("value_id")
        rows = (
            self.model.objects.filter(pk__in=busiest[: self.shown + len(hidden)])
            .annotate(
                passage_count=Subquery(counts.filter(value_id=OuterRef("pk")).values("count"))
            )
            .values_list("pk", "name", "passage_count")
        )
        seen = [(pk, name, n - hidden.get(pk, 0)) for pk, name, n in rows]
        options = [
            (pk, name)
            for pk, name, _ in sorted(
                (row for row in seen if row[2] > 0), key=lambda r: (-r[2], r[0])
            )
        ][: self.shown]
        selected = self.value()
        if selected and int(selected) not in {pk for pk, _ in options}:
            options += self.model.objects.filter(pk=int(selected)).values_list("pk", "name")
        return [(str(pk), name) for pk, name in options]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: int(self.value())})
        return queryset


def hidden_counts(request) -> dict[str, dict[int, int]]:
    """Per facet (outlet, organization), the passages per option hidden from the user by a
    blind round (`AnnotationQuerySet.hidden_from_staff`); read once per request."""
    cached = getattr(request, "_gloss_hidden_counts", None)
    if cached is None:
        cached = {FacetCount.Facet.OUTLET: {}, FacetCount.Facet.ORGANIZATION: {}}
        rows = (
            Annotation.objects.hidden_from_staff(request.user)
            .order_by()
            .values_list("article__outlet_id", "organization_id")
            .annotate(n=Count("pk"))
        )
        for outlet_id, organization_id, n in rows:
            outlets = cached[FacetCount.Facet.OUTLET]
            outlets[outlet_id] = outlets.get(outlet_id, 0) + n
            if organization_id is not None:
                organizations = cached[FacetCount.Facet.ORGANIZATION]
                organizations[organization_id] = organizations.get(organization_id, 0) + n
        request._gloss_hidden_counts = cached
    return cached


class BusiestOutletFilter(BusiestFilter):
    title = "outlet"
    parameter_name = "article__outlet__id__exact"
    model = Outlet
    facet = FacetCount.Facet.OUTLET
    field = "article__outlet_id"


class BusiestOrganizationFilter(BusiestFilter):
    title = "organization"
    parameter_name = "organization__id__exact"
    model = Organization
    facet = FacetCount.Facet.ORGANIZATION
    field = "organization_id"
