""" "Also in" on the public article page and the passage list (a slot per passage that
`static/js/also_in.js` fills from `/echoes/also-in/`), and the echoed words an "Also in"
link leads to; in a bounded number of queries per page and per answer."""

import html
import re
from datetime import date

import pytest

from annotations.models import Annotation
from articles.models import Article
from tests.factories import make_annotation, make_annotator, make_article, make_outlet

pytestmark = pytest.mark.django_db

QUOTE = "fundamentally contrary to the moral fabric of our Nation"


@pytest.fixture
def corpus(db):
    source = make_article(
        f'Officers wrote the policy is "{QUOTE}." Later text.',
        outlet=make_outlet("Reason"),
        published=date(2019, 6, 27),
    )
    hill = make_article(
        "First line.\n\nBlasting the directives as \U0001f600 \u201cfundamentally\u00a0contrary "
        "to the moral fabric of our nation.\u201d",
        outlet=make_outlet("The Hill"),
        published=date(2019, 6, 26),
    )
    draft = make_article(f"{QUOTE}.", status=Article.Status.DRAFT, outlet=make_outlet("Hidden"))
    passage = make_annotation(source, exact=QUOTE)
    return source, hill, draft, passage


def echo_link(hill) -> str:
    start = hill.body.index("fundamentally")
    end = hill.body.index(".\u201d")
    return f"{hill.get_absolute_url()}?echo={start}-{end}#echo"


SLOT = re.compile(r'<p class="meta also-in" data-also-in="(\d+)" hidden></p>')


def slots(content: str) -> list[int]:
    return [int(pk) for pk in SLOT.findall(content)]


def asked(client, *ids, **extra):
    return client.get("/echoes/also-in/", {"passage": [str(pk) for pk in ids]}, **extra)


def shown(answer: dict) -> dict[int, list[tuple[str, str]]]:
    """The answer's "Also in" as the script shows it: (href, text) per link."""

    def text(item):
        published = item["published"]
        return item["outlet"] + (f" ({published['text']})" if published else "")

    return {int(pk): [(i["url"], text(i)) for i in items] for pk, items in answer.items()}


def test_article_page_leaves_a_slot_per_passage_for_the_script(client, corpus):
    source, hill, _, passage = corpus
    content = client.get(source.get_absolute_url()).content.decode()
    assert slots(content) == [passage.pk]
    assert 'data-also-in-url="/echoes/also-in/"' in content
    assert 'src="/static/js/also_in.js"' in content
    answer = asked(client, passage.pk).json()["also_in"]
    assert shown(answer) == {passage.pk: [(echo_link(hill), "The Hill (26 Jun 2019)")]}
    [item] = answer[str(passage.pk)]
    assert item["published"] == {"iso": "2019-06-26", "text": "26 Jun 2019"}
    assert item["title"] == hill.title


def test_passage_list_rows_have_slots(client, corpus):
    source, hill, _, passage = corpus
    short = make_annotation(hill, exact="First line.")  # too short to echo anything
    content = client.get("/passages/").content.decode()
    assert sorted(slots(content)) == sorted([passage.pk, short.pk])
    assert 'src="/static/js/also_in.js"' in content
    answer = asked(client, passage.pk, short.pk).json()["also_in"]
    assert shown(answer) == {
        passage.pk: [(echo_link(hill), "The Hill (26 Jun 2019)")],
        short.pk: [],
    }


def test_an_orphaned_passage_has_no_slot_and_no_answer(client, corpus):
    source, _, _, passage = corpus
    Annotation.objects.filter(pk=passage.pk).update(anchor_status=Annotation.AnchorStatus.ORPHANED)
    assert slots(client.get(source.get_absolute_url()).content.decode()) == []
    assert slots(client.get("/passages/").content.decode()) == []
    assert asked(client, passage.pk).json() == {"also_in": {}, "more": {}}


def test_what_a_reader_may_not_see_is_left_out(client, corpus):
    source, hill, draft, passage = corpus
    hidden = make_annotation(draft, exact=QUOTE)
    unpublished = make_annotation(hill, exact="First line.", status=Annotation.Status.DRAFT)
    answer = asked(client, passage.pk, hidden.pk, unpublished.pk, 987654).json()["also_in"]
    # The draft article is no echo of the public passage; the others are not answered.
    assert shown(answer) == {passage.pk: [(echo_link(hill), "The Hill (26 Jun 2019)")]}


def test_staff_also_see_drafts(client, corpus):
    source, hill, draft, passage = corpus
    client.force_login(make_annotator())
    answer = shown(asked(client, passage.pk).json()["also_in"])
    assert [text for _, text in answer[passage.pk]] == ["The Hill (26 Jun 2019)", "Hidden"]


@pytest.mark.parametrize(
    "query, code",
    [
        ({}, "invalid_filter"),
        ({"passage": ""}, "invalid_filter"),
        ({"passage": "\u0661"}, "invalid_filter"),  # an Arabic-Indic 1, which int() reads
        ({"passage": str(2**63)}, "invalid_filter"),
        ({"passage": "1\x00"}, "invalid_filter"),
        ({"passage": "-3"}, "invalid_filter"),
        ({"passage": [str(n) for n in range(1, 102)]}, "too_many_passages"),
    ],
)
def test_bad_requests_get_a_400_in_the_envelope(client, db, query, code):
    response = client.get("/echoes/also-in/", query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_a_hundred_passages_may_be_asked_at_once(client, corpus):
    passage = corpus[3]
    response = client.get("/echoes/also-in/", {"passage": [str(passage.pk)] * 100})
    assert response.status_code == 200
    assert list(response.json()["also_in"]) == [str(passage.pk)]


def test_anonymous_answers_are_cached_like_the_pages(client, corpus, settings):
    settings.GLOSS_PAGE_CACHE_SECONDS = 60
    passage = corpus[3]
    assert asked(client, passage.pk)["X-Gloss-Page-Cache"] == "miss"
    assert asked(client, passage.pk)["X-Gloss-Page-Cache"] == "hit"


def test_the_link_shows_the_very_words(client, corpus):
    _, hill, _, _ = corpus
    content = client.get(echo_link(hill).removesuffix("#echo")).content.decode()
    start = hill.body.index("fundamentally")
    end = hill.body.index(".\u201d")
    # The second paragraph; UTF-16 units: the emoji counts two.
    paragraph_start = hill.body.index("Blasting")
    first = len(hill.body[paragraph_start:start]) + 1
    last = first + (end - start)
    assert f'data-echo-ranges="1:{first}:{last}"' in content
    note = re.search(r'<mark class="echo">(.*?)</mark>', content, re.S)
    assert html.unescape(note[1]) == hill.body[start:end]
    assert 'src="/static/js/echo.js"' in content


@pytest.mark.parametrize("value", ["", "3", "9-3", "0-99999", "a-b", "-1-4"])
def test_a_range_that_is_not_in_the_body_shows_the_page_as_without_it(client, corpus, value):
    _, hill, _, _ = corpus
    response = client.get(hill.get_absolute_url(), {"echo": value})
    assert response.status_code == 200
    assert b"data-echo-ranges" not in response.content


@pytest.mark.parametrize("count", [1, 12])
def test_pages_spend_no_query_on_echoes_and_the_answer_two(
    client, django_assert_num_queries, count
):
    """The article page's 5 queries (corpus version, article, passages, tags, mentions)
    and the passage list's 7 (its tag tree read included), whatever the echoes; the
    answer's: the corpus version, the passages, and two for all their echoes (the index
    rows, the candidate articles)."""
    sentences = [
        f"Sentence {n} says the council will vote on the flood wall budget {n}."
        for n in range(count)
    ]
    source = make_article(" ".join(sentences), outlet=make_outlet("Source"))
    ids = []
    for n, sentence in enumerate(sentences):
        make_article(f"Elsewhere {n}: {sentence}", published=date(2020, 1, 1 + n))
        ids.append(make_annotation(source, exact=sentence).pk)
    with django_assert_num_queries(5):
        content = client.get(source.get_absolute_url()).content.decode()
    assert sorted(slots(content)) == ids
    with django_assert_num_queries(6):
        content = client.get("/passages/").content.decode()
    assert sorted(slots(content)) == ids
    with django_assert_num_queries(2 + 2):
        answer = asked(client, *ids).json()["also_in"]
    assert all(answer[str(pk)] for pk in ids)


def test_without_javascript_each_slot_links_to_a_page_of_the_same_also_in(client, corpus):
    """A reader without JavaScript never sees the slot filled: a `<noscript>` link leads
    to `/echoes/passages/<id>/`, the same "Also in" as a page, with links to the words;
    the draft article stays hidden from anonymous readers, and a passage they may not
    see, an orphaned one or an unknown id answer 404."""
    source, hill, draft, passage = corpus
    page = client.get(source.get_absolute_url()).content.decode()
    link = f"/echoes/passages/{passage.pk}/"
    assert f'<noscript><p class="meta"><a href="{link}">' in page
    assert f'<a href="{link}">' in client.get("/passages/").content.decode()
    answer = client.get(link)
    assert answer.status_code == 200
    content = answer.content.decode()
    assert html.escape(echo_link(hill)) in content
    assert "The Hill" in content and "26 Jun 2019" in content
    assert "Hidden" not in content
    assert f"{source.get_absolute_url()}#passage-{passage.pk}" in content
    alone = make_annotation(hill, exact="First line.")  # too short to echo anything
    assert "ran in no other article" in client.get(f"/echoes/passages/{alone.pk}/").content.decode()
    hidden = make_annotation(draft, exact=QUOTE)
    assert client.get(f"/echoes/passages/{hidden.pk}/").status_code == 404
    Annotation.objects.filter(pk=alone.pk).update(anchor_status=Annotation.AnchorStatus.ORPHANED)
    assert client.get(f"/echoes/passages/{alone.pk}/").status_code == 404
    assert client.get("/echoes/passages/999999/").status_code == 404


def test_a_bounded_answer_names_the_passages_it_may_have_cut_and_their_page_has_all(
    client, corpus, monkeypatch
):
    """ "Also in" reads at most `PAGE_CANDIDATES` candidate articles a request: a passage
    whose other candidates were left unread is named in `more`, with its own echoes
    page, which reads every candidate and lists them all."""
    from django.core.cache import cache

    from echoes import presenters

    source, hill, _, passage = corpus
    common = make_article(f"Also: {QUOTE}.", outlet=make_outlet("Common Dreams"))
    assert asked(client, passage.pk).json()["more"] == {}
    monkeypatch.setattr(presenters, "PAGE_CANDIDATES", 1)
    cache.clear()  # the answer above is cached for anonymous readers
    answer = asked(client, passage.pk).json()
    assert len(answer["also_in"][str(passage.pk)]) == 1
    link = f"/echoes/passages/{passage.pk}/"
    assert answer["more"] == {str(passage.pk): link}
    content = client.get(link).content.decode()
    assert "The Hill" in content and "Common Dreams" in content
    assert html.escape(echo_link(hill)) in content
    assert common.get_absolute_url() in content
