"""The passage changelist's list filters, each one bounded query whatever the archive's size.

Django's related-field filters list every outlet and organization ("related only" adds a
DISTINCT over the whole passage table); with hundreds of each, the sidebar was most of the
page. These list the busiest, ranked by the maintained staff facet counts, under the same
parameters as Django's own filters, so any option is still reachable by its id in the URL.
"""

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from annotations.models import Tag
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
        counts = FacetCount.objects.filter(
            listing=FacetCount.Listing.PASSAGES,
            audience=FacetCount.Audience.STAFF,
            facet=self.facet,
            count__gt=0,
        )
        busiest = counts.order_by("-count", "value_id").values("value_id")[: self.shown]
        options = list(
            self.model.objects.filter(pk__in=busiest)
            .annotate(
                passage_count=Subquery(counts.filter(value_id=OuterRef("pk")).values("count"))
            )
            .order_by("-passage_count", "pk")
            .values_list("pk", "name")
        )
        selected = self.value()
        if selected and int(selected) not in {pk for pk, _ in options}:
            options += self.model.objects.filter(pk=int(selected)).values_list("pk", "name")
        return [(str(pk), name) for pk, name in options]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: int(self.value())})
        return queryset


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
