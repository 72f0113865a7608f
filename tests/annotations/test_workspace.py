"""The workspace pages: access, article list with counts, and the body rendered exactly."""

import json
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.models import Article
from publishing.highlighting import Span, highlight_passages
from tests.factories import (
    make_annotation,
    make_annotator,
    make_article,
    make_editor,
    make_outlet,
    make_user,
)

BODY = "Intro \U0001f600 cafe\u0301 \u201cq\u201d.\n\nSecond\u00a0para <b>&amp; 'x'</b>.\n"


class _BodyText(HTMLParser):
    """textContent of the `data-article-body` element, and the marks inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text = []
        self.marks = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
            if tag == "mark":
                self.marks.append(attrs)
        elif "data-article-body" in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def body_of(html: str) -> _BodyText:
    parser = _BodyText()
    parser.feed(f"<div data-article-body>{html}</div>" if "data-article-body" not in html else html)
    return parser


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/workspace/"


def test_user_without_annotation_rights_is_refused(client, db):
    client.force_login(make_user("reader", group=None))
    assert client.get("/workspace/").status_code == 403


def test_index_counts_my_passages_and_others(client, db, django_assert_num_queries):
    """Each article shows how many passages I made and how many others made."""
    me, other = make_annotator("me"), make_annotator("other")
    article = make_article("one two three four five")
    make_annotation(article, exact="one", annotator=me)
    make_annotation(article, exact="two", annotator=other)
    make_annotation(article, exact="three", annotator=other)
    quiet = make_article("nothing here", title="Quiet")
    client.force_login(me)
    # session, user, two permission lookups, count, outlets for the filter, page, and
    # the user's open coding rounds
    with django_assert_num_queries(8):
        response = client.get("/workspace/")
    rows = {a.pk: (a.my_count, a.others_count) for a in response.context["articles"]}
    assert rows == {article.pk: (1, 2), quiet.pk: (0, 0)}


def test_index_filters_by_outlet_and_status(client, db):
    outlet = make_outlet("Daily")
    kept = make_article(outlet=outlet, status=Article.Status.DRAFT)
    make_article(outlet=outlet)
    make_article(status=Article.Status.DRAFT)
    client.force_login(make_annotator())
    response = client.get("/workspace/", {"outlet": outlet.slug, "status": "draft"})
    assert [a.pk for a in response.context["articles"]] == [kept.pk]


def test_article_page_renders_the_body_text_exactly(client, db):
    """textContent of the body element is the stored body: emoji, NBSP, markup-like text."""
    annotator = make_annotator()
    article = make_article(BODY)
    make_annotation(article, exact="cafe\u0301", annotator=annotator, tags=["quote"])
    client.force_login(annotator)
    html = client.get(f"/workspace/articles/{article.slug}/").content.decode()
    parsed = body_of(html)
    assert "".join(parsed.text) == BODY
    assert len(parsed.marks) == 1


def test_article_page_data_and_query_count(client, db, django_assert_num_queries):
    """The page embeds passages with edit rights; queries do not grow with passages."""
    me, other = make_annotator("me"), make_annotator("other")
    article = make_article("word " * 50)
    mine = make_annotation(article, exact="word", annotator=me, tags=["statistic"])
    theirs = make_annotation(article, exact="word", occurrence=1, annotator=other)
    client.force_login(me)
    url = f"/workspace/articles/{article.slug}/"
    response = client.get(url)
    data = response.context["workspace_data"]
    rights = {p["id"]: (p["can_edit"], p["can_delete"]) for p in data["passages"]}
    assert rights == {mine.pk: (True, True), theirs.pk: (False, False)}
    html = response.content.decode()
    assert 'id="workspace-data" type="application/json"' in html
    assert "<script>" not in html  # no inline script: json_script is data, not code
    # One of them reads the tags' typed fields (the form's inputs and their kinds).
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(2, 30):
        make_annotation(article, exact="word", occurrence=n, annotator=other, tags=["quote"])
    with django_assert_num_queries(11):
        client.get(url)


def test_editor_may_edit_every_passage_in_the_page(client, db):
    article = make_article("alpha beta")
    make_annotation(article, exact="alpha", annotator=make_annotator())
    client.force_login(make_editor())
    data = client.get(f"/workspace/articles/{article.slug}/").context["workspace_data"]
    assert [(p["can_edit"], p["can_delete"]) for p in data["passages"]] == [(True, True)]


def test_tag_checkboxes_are_named_by_tag(client, db):
    article = make_article("alpha beta")
    client.force_login(make_annotator())
    html = client.get(f"/workspace/articles/{article.slug}/").content.decode()
    assert '<input type="checkbox" name="tags" value="statistic" aria-keyshortcuts="3">' in html
    assert json.loads(html.split('id="workspace-data" type="application/json">')[1].split("<")[0])


@given(
    # No CR or NUL: imports normalise them away, and an HTML parser would rewrite them.
    body=st.text(
        st.characters(exclude_characters="\r\x00", exclude_categories=("Cs",)),
        min_size=1,
        max_size=40,
    ),
    spans=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6),
)
def test_highlighted_body_keeps_the_text_and_covers_each_passage(body, spans):
    """Whatever the text and overlaps, the marks' text is the body and each passage's
    code points are exactly those in marks listing it."""
    passages = [
        Span(pk, min(a, b) % (len(body) + 1), max(a, b) % (len(body) + 1) or len(body))
        for pk, (a, b) in enumerate(spans, start=1)
    ]
    passages = [p for p in passages if p.start < p.end]
    html = str(highlight_passages(body, passages, linked=False).html)
    covered: dict[int, list[str]] = {p.id: [] for p in passages}

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.current = []
            self.text = []

        def handle_starttag(self, tag, attrs):
            classes = dict(attrs)["class"].split()
            self.current = [int(c[11:]) for c in classes if c.startswith("hl-passage-")]

        def handle_endtag(self, tag):
            self.current = []

        def handle_data(self, data):
            self.text.append(data)
            for pk in self.current:
                covered[pk].append(data)

    parser = Collect()
    parser.feed(html)
    parser.close()
    assert "".join(parser.text) == body
    for p in passages:
        assert "".join(covered[p.id]) == body[p.start : p.end]


@pytest.mark.parametrize("status", ["draft", "published"])
def test_staff_open_articles_of_any_status(client, db, status):
    article = make_article("alpha", status=status)
    client.force_login(make_annotator())
    assert client.get(f"/workspace/articles/{article.slug}/").status_code == 200
