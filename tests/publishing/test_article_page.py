"""`/articles/<slug>/`: the passage list, its links back to the highlights, its escaping
and its constant query count."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import NoReverseMatch, reverse
from markupsafe import escape

from annotations.models import Annotation
from articles.actions.articles import article_set_organizations
from publishing.presenters import SlugURL
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_organization,
    make_tag,
    make_user,
)
from tests.markup import assert_same_markup

pytestmark = pytest.mark.django_db


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def passage_list(content: str) -> str:
    marker = '<ol class="passage-list" data-also-in-url="/echoes/also-in/">'
    start = content.index(marker) + len(marker)
    return content[start : content.index("</ol>", start)].strip()


class InPageLinks(HTMLParser):
    """Every element id and every `href="#..."` of a page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if (attributes.get("href") or "").startswith("#"):
            self.targets.append(attributes["href"][1:])


def in_page_links(content: str) -> InPageLinks:
    parser = InPageLinks()
    parser.feed(content)
    return parser


def test_a_passage_entry_shows_quote_tags_organization_note_annotator_and_a_link_back(client):
    """One entry, as parsed markup."""
    first, second = make_tag("claim"), make_tag("figure")
    union = make_organization("Readers Union")
    article = make_article("The union said numbers rose.")
    passage = make_annotation(
        article,
        exact="numbers rose",
        tags=[first, second],
        organization=union,
        note="check",
        annotator=make_annotator("ann"),
    )
    assert_same_markup(
        passage_list(page(client, article)),
        f'<li id="passage-{passage.pk}" class="passage-entry" tabindex="-1">\n'
        f'<blockquote><p><mark class="quote tag-{first.pk}">numbers rose</mark></p></blockquote>\n'
        f'<p class="meta"><a class="tag-chip tag-{first.pk}" href="/tags/claim/">claim</a> '
        f'<a class="tag-chip tag-{second.pk}" href="/tags/figure/">figure</a> </p>\n'
        f'<p class="meta">Attributed to <a href="{union.get_absolute_url()}">Readers Union</a>'
        "</p>\n"
        '<p class="note"><span class="label">Note:</span> check</p>\n'
        f'<p class="meta">Coded by ann · <a href="#hl-{passage.pk}">Show in text</a></p>\n'
        f'<p class="meta also-in" data-also-in="{passage.pk}" hidden></p>'
        f'<noscript><p class="meta"><a href="/echoes/passages/{passage.pk}/">'
        "Where else these words ran</a></p></noscript>\n"
        "</li>",
    )


def test_untagged_draft_and_orphaned_entries_for_staff(client):
    """Staff see drafts; an orphan shows its stored quote and no link into the text."""
    article = make_article("one two three")
    draft = make_annotation(article, exact="one", status="draft", annotator=make_annotator("a"))
    orphan = make_annotation(article, exact="two", annotator=make_annotator("b"))
    Annotation.objects.filter(pk=orphan.pk).update(anchor_status="orphaned", exact="gone")
    client.force_login(make_user())
    assert_same_markup(
        passage_list(page(client, article)),
        f'<li id="passage-{draft.pk}" class="passage-entry" tabindex="-1">\n'
        '<blockquote><p><mark class="quote">one</mark></p></blockquote>\n'
        '<p class="meta"><span class="muted">No tag</span>\n'
        '<span class="draft-badge">Draft</span></p>\n'
        f'<p class="meta">Coded by a · <a href="#hl-{draft.pk}">Show in text</a></p>\n'
        f'<p class="meta also-in" data-also-in="{draft.pk}" hidden></p>'
        f'<noscript><p class="meta"><a href="/echoes/passages/{draft.pk}/">'
        "Where else these words ran</a></p></noscript>\n"
        "</li>\n"
        f'<li id="passage-{orphan.pk}" class="passage-entry" tabindex="-1">\n'
        '<blockquote><p><mark class="quote">gone</mark></p></blockquote>\n'
        '<p class="meta"><span class="muted">No tag</span>\n'
        '<span class="draft-badge">Orphaned: text no longer found, not highlighted</span></p>\n'
        '<p class="meta">Coded by b</p>\n'
        "</li>",
    )


def test_an_article_without_passages_says_so(client):
    content = page(client, make_article("Nothing marked."))
    assert passage_list(content) == "<li>No passages marked yet.</li>"
    assert '<h2 id="passages-heading">0 passages</h2>' in content


def test_every_show_in_text_link_and_every_highlight_link_has_its_target(client):
    """Passages starting at the same word share its highlight's id; none links nowhere."""
    article = make_article("Alpha beta gamma delta epsilon.")
    same_start = [
        make_annotation(article, exact="Alpha beta"),
        make_annotation(article, exact="Alpha beta gamma"),
        make_annotation(article, exact="Alpha"),
    ]
    nested = make_annotation(article, exact="gamma delta")
    content = page(client, article)
    links = in_page_links(content)
    assert len(links.ids) == len(set(links.ids))
    assert set(links.targets) <= set(links.ids)
    shared = same_start[2].pk  # the innermost of the three marks their first segment
    for passage in same_start:
        assert (
            f'<a href="#hl-{shared}">Show in text</a>'
            in content.split(f'id="passage-{passage.pk}"')[1].split("</li>")[0]
        )
    assert f'<a href="#hl-{nested.pk}">Show in text</a>' in content
    assert '<h2 id="passages-heading">4 passages</h2>' in content


HOSTILE = '<script>alert(1)</script>"><img src=x>'


def test_every_text_in_the_passage_list_is_escaped(client):
    """Quote, tag name, organization name, note and annotator name all render inert."""
    tag = make_tag(f"tag {HOSTILE}")
    organization = make_organization(f"Org {HOSTILE}")
    article = make_article(f"Before {HOSTILE} after.")
    make_annotation(
        article,
        exact=HOSTILE,
        tags=[tag],
        organization=organization,
        note=f"note {HOSTILE}",
        annotator=make_annotator("x&y"),
    )
    content = page(client, article)
    assert "<script>" not in content and "<img" not in content
    listed = passage_list(content)
    escaped = escape(HOSTILE)
    assert f'<mark class="quote tag-{tag.pk}">{escaped}</mark>' in listed
    assert f">tag {escaped}</a>" in listed
    assert f">Org {escaped}</a>" in listed
    assert f"</span> note {escaped}</p>" in listed
    assert "Coded by x&amp;y" in listed
    # The highlight's title carries the label, escaped as an attribute value.
    assert f'title="tag {escaped} (Org {escaped})"' in content


def test_slug_urls_are_what_reverse_returns():
    url = SlugURL("organization-detail")
    for slug in ["a", "readers-union", "Under_score-9"]:
        assert url(slug) == reverse("organization-detail", kwargs={"slug": slug})
    # Anything the slug converter refuses is refused here too, not pasted into a URL.
    with pytest.raises(NoReverseMatch):
        url("a/b")
    with pytest.raises(NoReverseMatch):
        url("caf\u00e9")


@pytest.mark.parametrize("count", [1, 60])
def test_query_count_is_constant_in_the_number_of_passages(
    client, django_assert_num_queries, count
):
    """corpus version + article + passages + their tags + mentioned organizations."""
    tags = [make_tag(f"t{i}") for i in range(3)]
    organizations = [make_organization(f"Org {i}") for i in range(3)]
    article = make_article("word " * 80)
    article_set_organizations(article=article, organizations=organizations)
    for i in range(count):
        make_annotation(
            article,
            start=i,
            end=i + 4 + i % 7,
            exact=None,
            tags=tags[: i % 4],
            organization=organizations[i % 3] if i % 2 else None,
            note=f"note {i}" if i % 3 else "",
            annotator=make_annotator(f"annotator{i}"),
        )
    with django_assert_num_queries(5):
        content = page(client, article)
    assert len(re.findall(r'class="passage-entry"', content)) == count
    assert content.count('<p class="meta">Attributed to') == count // 2


def test_tags_of_passages_a_visitor_may_not_see_stay_off_the_page(client):
    """Tags are read for the whole article; a draft passage's ones are not shown."""
    shown, hidden = make_tag("shown-tag"), make_tag("hidden-tag")
    article = make_article("one two three")
    visible = make_annotation(article, exact="one", tags=[shown])
    draft = make_annotation(article, exact="two", tags=[hidden, shown], status="draft")
    content = page(client, article)
    assert f'id="passage-{visible.pk}"' in content
    assert f"passage-{draft.pk}" not in content and "hidden-tag" not in content
    client.force_login(make_user())
    content = page(client, article)
    assert f'<a class="tag-chip tag-{hidden.pk}" href="/tags/hidden-tag/">hidden-tag</a>' in content


class FocusStops(HTMLParser):
    """The focusable elements inside the article body: (href, aria-label, mark classes)."""

    FOCUSABLE = {"a", "button", "input", "select", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.marks: list[list[str]] = []
        self.stops: list[tuple[str, str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            self.depth += 1
        elif "article-body" in (attributes.get("class") or "").split():
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "mark":
            self.marks.append((attributes.get("class") or "").split())
        tabindex = attributes.get("tabindex")
        focusable = (tag in self.FOCUSABLE and (tag != "a" or "href" in attributes)) or (
            tabindex is not None and int(tabindex) >= 0
        )
        if focusable and (tabindex is None or int(tabindex) >= 0):
            classes = self.marks[-1] if self.marks else []
            self.stops.append((attributes.get("href"), attributes.get("aria-label"), classes))

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag == "mark" and self.marks:
                self.marks.pop()


def focus_stops(content: str) -> list[tuple[str, str, list[str]]]:
    parser = FocusStops()
    parser.feed(content)
    return parser.stops


def test_each_passage_is_one_focus_stop_named_by_its_tags_and_organization(client):
    """Issue 18: a highlight was one link per segment (hundreds of Tab stops, labels only
    in `title`). Overlapping, nested and same-start passages cut the body into many
    segments; each passage is still named by exactly one focus stop, at its start."""
    claim, figure = make_tag("claim"), make_tag("figure")
    union = make_organization("Readers Union")
    article = make_article("The union said numbers rose by half in the second year.")
    outer = make_annotation(
        article, exact="union said numbers rose by half", tags=[claim], organization=union
    )
    inner = make_annotation(article, exact="numbers rose", tags=[figure])
    overlapping = make_annotation(article, exact="by half in the second", tags=[figure])
    together = make_annotation(article, exact="numbers", tags=[claim, figure])
    untagged = make_annotation(article, exact="year")
    content = page(client, article)
    body = content[content.index('class="article-body"') :]
    assert body.count('<mark class="hl ') == 7  # seven segments...
    stops = focus_stops(content)
    assert len(stops) == 4  # ...four start segments: `together` and `inner` share one
    named: dict[int, list[str]] = {}
    for href, label, classes in stops:
        assert "hl-starts" in classes
        target = int(href.removeprefix("#passage-"))
        assert f"hl-passage-{target}" in classes
        for passage in (outer, inner, overlapping, together, untagged):
            if f"hl-passage-{passage.pk}" in classes and passage.start == article.body.index(
                label.split(" \u2013 ")[0]
            ):
                named.setdefault(passage.pk, []).append(label)
    assert sorted(named) == sorted(p.pk for p in (outer, inner, overlapping, together, untagged))
    assert all(len(labels) == 1 for labels in named.values())
    assert named[outer.pk] == ["union said \u2013 passage: claim (Readers Union)"]
    assert (
        named[inner.pk]
        == named[together.pk]
        == ["numbers \u2013 2 passages: claim, figure; figure"]
    )
    assert named[overlapping.pk] == ["by half \u2013 passage: figure"]
    assert named[untagged.pk] == ["year \u2013 passage: untagged"]
