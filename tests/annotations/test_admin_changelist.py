"""The passage changelist costs the same number of queries at any size, without COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_annotation, make_article, make_editor, make_tag

pytestmark = pytest.mark.django_db


def changelist_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("admin:annotations_annotation_changelist"))
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_changelist_query_count_does_not_grow_with_passages_and_counts_are_capped(client):
    client.force_login(make_editor())
    tag = make_tag("claim")
    article = make_article("word " * 200)
    make_annotation(article, start=0, end=4, tags=[tag])
    few = changelist_queries(client)
    for i in range(1, 40):
        make_annotation(article, start=i * 5, end=i * 5 + 4, tags=[tag])
    many = changelist_queries(client)
    assert len(many) == len(few)
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    # The page fetches names, not whole related rows: no article body, no passwords.
    (page,) = [sql for sql in many if 'FROM "annotations_annotation"' in sql and "COUNT" not in sql]
    assert '"auth_user"."username"' in page and '"articles_article"."title"' in page
    assert '"auth_user"."password"' not in page and '"articles_article"."body"' not in page
    # No DISTINCT over the passage table (list filters of "related only" values).
    assert not [
        sql for sql in many if 'DISTINCT "' in sql and 'FROM "annotations_annotation"' in sql
    ]


def test_row_checkboxes_are_the_bytes_django_renders(client):
    """The changelist writes its checkbox directly instead of through a widget template."""
    from django.contrib.admin import ModelAdmin, site

    from annotations.models import Annotation

    passage = make_annotation(make_article("Fish & <chips> here."), exact="Fish & <chips>")
    ours = site.get_model_admin(Annotation).action_checkbox(passage)
    assert ours == ModelAdmin.action_checkbox(site.get_model_admin(Annotation), passage)


def test_tag_chips_escape_names_as_format_html_does():
    from django.contrib.admin import site
    from django.utils.html import format_html_join

    from annotations.models import Annotation

    passage = make_annotation(make_article("Some words here."))
    passage.tag_chip_list = [(7, "R&D <now>"), (9, 'say "hi"')]
    chips = site.get_model_admin(Annotation).tag_chips(passage)
    expected = format_html_join(
        " ",
        '<span class="tag-chip tag-{}">{}</span>',
        [
            (7, "R&D <now>"),
            (9, 'say "hi"'),
        ],
    )
    assert chips == expected and "&lt;now&gt;" in chips


def test_changelist_shows_each_rows_tags_and_the_busiest_outlets(client):
    """Tag chips in the order they were added; the outlet filter lists the 25 outlets with
    the most passages (maintained counts) plus the one selected, not every outlet."""
    from tests.factories import make_outlet

    client.force_login(make_editor())
    red, blue = make_tag("red"), make_tag("blue")
    outlets = [make_outlet(f"Outlet {i:02}") for i in range(27)]
    for i, outlet in enumerate(outlets):
        article = make_article("word " * 10, outlet=outlet)
        for j in range(1 if i < 2 else 2):
            make_annotation(article, start=j * 5, end=j * 5 + 4, tags=[blue, red])
    url = reverse("admin:annotations_annotation_changelist")
    html = client.get(url).content.decode()
    assert f'tag-chip tag-{blue.pk}">blue</span> <span class="tag-chip tag-{red.pk}">red' in html
    listed = [o for o in outlets if f'?article__outlet__id__exact={o.pk}"' in html]
    assert listed == outlets[2:]
    quiet = outlets[0]
    html = client.get(f"{url}?article__outlet__id__exact={quiet.pk}").content.decode()
    assert f"article__outlet__id__exact={quiet.pk}" in html and "Outlet 00" in html


def django_rows(cl) -> list[str]:
    """The rows as Django's own `result_list` tag writes them."""
    from django.contrib.admin.templatetags.admin_list import results

    return ["<tr>" + "".join(row) + "</tr>" for row in results(cl)]


def django_filters(cl) -> str:
    """The filter sections as Django's `admin_list_filter` tag renders them, whitespace
    between tags dropped (the template's indentation)."""
    from django.contrib.admin.templatetags.admin_list import admin_list_filter

    return "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)


def without_layout_whitespace(html: str) -> str:
    import re

    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html.strip()))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?o=3.-1&status__exact=published",
        "?q=court+%26+%3Cco%3E",
        "?tag=claim&p=1",
    ],
)
def test_rows_and_filters_are_the_bytes_django_renders(client, query):
    """Rows and filter sections are written in one pass each; they must read exactly as
    Django's per-cell machinery and filter template write them: links with the preserved
    filters, escaping, empty values, choice labels, FK columns' nowrap, tag chips."""
    from tests.factories import make_organization, make_outlet

    client.force_login(make_editor())
    claim = make_tag("claim")
    outlet = make_outlet("Fish & <Chips>")
    article = make_article("The court & <co> ruled on Monday, said the court.", outlet=outlet)
    make_annotation(article, exact="court & <co>", tags=[claim], note="a <b>")
    make_annotation(
        article, exact="ruled", organization=make_organization("O'Brien & Co"), status="draft"
    )
    make_annotation(article, exact="Monday", tags=[claim, make_tag("date")])
    url = reverse("admin:annotations_annotation_changelist") + query
    response = client.get(url)
    assert response.status_code == 200
    cl = response.context["cl"]
    table = cl.result_table
    assert table is not None and table["rows"]
    assert table["rows"] == django_rows(cl)
    html = response.content.decode()
    for row in table["rows"]:
        assert row in html
    assert "_changelist_filters=" in table["rows"][0] or not query
    assert cl.filter_list is not None
    assert without_layout_whitespace(cl.filter_list) == without_layout_whitespace(
        django_filters(cl)
    )
    assert str(cl.filter_list) in html


def test_popup_changelist_is_left_to_django(client):
    """A popup's links carry data-popup-opener; that table is Django's own."""
    client.force_login(make_editor())
    make_annotation(make_article("Some words here."))
    url = reverse("admin:annotations_annotation_changelist") + "?_popup=1&_to_field=id"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_table is None
    assert "data-popup-opener" in response.content.decode()


def test_filter_options_are_read_on_every_page_from_sql_compiled_once(client):
    """The sidebar's option lists (tags, busiest outlets and organizations, users) keep
    their compiled SQL between pages, never their rows: a tag, user or busier outlet
    added since the last page is listed on the next one, still in one query per list."""
    from annotations.admin import BusiestRelatedFilter, TagListFilter, UserFilter
    from tests.factories import make_outlet

    editor = make_editor("chief")
    client.force_login(editor)
    url = reverse("admin:annotations_annotation_changelist")
    first = client.get(url).content.decode()
    assert "?tag=fresh" not in first
    compiled = [TagListFilter.tags.compiled, BusiestRelatedFilter.busiest.compiled]
    compiled.append(UserFilter.users.compiled)
    assert all(compiled)

    make_tag("fresh")
    newcomer = make_editor("newcomer")
    outlet, other = make_outlet("Busy Outlet"), make_outlet("Other Outlet")
    make_annotation(make_article("word " * 10, outlet=outlet), start=0, end=4)
    make_annotation(make_article("word " * 10, outlet=other), start=0, end=4)
    with CaptureQueriesContext(connection) as context:
        html = client.get(url).content.decode()
    assert "?tag=fresh" in html
    assert f"?annotator__id__exact={newcomer.pk}" in html
    assert f"?article__outlet__id__exact={outlet.pk}" in html
    sidebar = [q["sql"] for q in context.captured_queries if "publishing_facetcount" in q["sql"]]
    assert len(sidebar) == 2  # outlets and organizations, one query each


def test_action_form_renders_as_djangos_and_keeps_only_unbound_widgets():
    """The action menu's widgets are rendered once per process and choices; the bytes are
    Django's ActionForm's, and a bound (posted) value is rendered afresh, never kept."""
    from django.contrib.admin.helpers import ActionForm

    from annotations.admin import PassageActionForm, RenderedOnceSelect

    choices = [("", "---------"), ("accept_fuzzy", "Accept <fuzzy> & more")]
    ours, theirs = PassageActionForm(auto_id=None), ActionForm(auto_id=None)
    ours.fields["action"].choices = theirs.fields["action"].choices = choices
    assert str(ours["action"]) == str(theirs["action"]) and "&lt;fuzzy&gt;" in str(ours["action"])
    assert str(ours["select_across"]) == str(theirs["select_across"])
    kept = len(RenderedOnceSelect.rendered)
    assert kept and str(ours["action"]) == str(theirs["action"])
    assert len(RenderedOnceSelect.rendered) == kept

    posted = PassageActionForm({"action": "x" * 20, "select_across": "0"}, auto_id=None)
    posted.fields["action"].choices = choices
    assert 'name="action"' in str(posted["action"])
    assert len(RenderedOnceSelect.rendered) == kept
    assert not [key for key in RenderedOnceSelect.rendered if "x" * 20 in key]


@pytest.mark.parametrize(
    "query",
    ["", "?q=a+b%26c&tag=x", "?status__exact=draft&o=2.-1&article__outlet__id__exact=3&p=2"],
)
def test_query_strings_are_djangos(rf, query):
    """The changelist's memoized query strings equal Django's for adding, replacing and
    removing parameters (including lists, None and prefixes)."""
    from django.contrib.admin import site
    from django.contrib.admin.views.main import ChangeList

    from annotations.models import Annotation

    request = rf.get(reverse("admin:annotations_annotation_changelist") + query)
    request.user = make_editor()
    cl = site.get_model_admin(Annotation).get_changelist_instance(request)
    cases = [
        ({}, []),
        ({"tag": "a b&c"}, []),
        ({"q": "café ü+%"}, ["tag"]),
        ({"status__exact": None}, ["article__outlet"]),
        ({"annotator__id__exact": 5}, ["annotator__isnull"]),
        ({"o": "3.1"}, ["q", "o"]),
        ({"anchor_status__exact": ["exact", "fuzzy"]}, []),
        (None, None),
    ]
    for new, remove in cases:
        assert cl.get_query_string(new, remove) == ChangeList.get_query_string(cl, new, remove)


def test_static_query_runs_compiled_sql_with_given_parameters():
    """Compiled once per shape; the parameters given replace the compiled ones, and must
    be as many (else the SQL would be run with the wrong values)."""
    from annotations.admin import StaticQuery
    from annotations.models import Tag

    red, blue, green = make_tag("red"), make_tag("blue"), make_tag("green")
    query = StaticQuery(
        lambda n: Tag.objects.filter(pk__in=range(1, n + 1)).order_by("name").values_list("name")
    )
    assert query.rows(2, params=[red.pk, green.pk]) == [("green",), ("red",)]
    assert query.rows(2, params=[blue.pk, red.pk]) == [("blue",), ("red",)]
    assert len(query.compiled) == 1
    with pytest.raises(ValueError, match="3 parameters for a query taking 2"):
        query.rows(2, params=[red.pk, blue.pk, green.pk])
