"""One highlighter: the workspace and the public article page cut and colour a body the
same way (`publishing.highlighting`), down to ties between identical passages."""

from html.parser import HTMLParser

import pytest

from tests.factories import make_annotation, make_annotator, make_article, make_tag

pytestmark = pytest.mark.django_db


class Marks(HTMLParser):
    """(text, tag class, passages) of every mark inside the element carrying `container`."""

    def __init__(self, container: str):
        super().__init__(convert_charrefs=True)
        self.container, self.depth, self.mark, self.marks = container, 0, None, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            self.depth += 1
        elif self.container in attributes.get("class", "").split() or self.container in attributes:
            self.depth = 1
        if self.depth and tag == "mark":
            classes = attributes["class"].split()
            colour = [c for c in classes if c.startswith("tag-") or c == "untagged"]
            passages = [c[len("hl-passage-") :] for c in classes if c.startswith("hl-passage-")]
            self.mark = ["", colour, " ".join(passages)]

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag == "mark":
                self.marks.append(tuple(self.mark[:1]) + (tuple(self.mark[1]), self.mark[2]))
                self.mark = None

    def handle_data(self, data):
        if self.mark is not None:
            self.mark[0] += data


def marks(content: bytes, container: str) -> list[tuple]:
    parser = Marks(container)
    parser.feed(content.decode())
    return parser.marks


def coded_article():
    """Two identical passages tagged 10-like and 20-like; one passage tagged z then a."""
    first, second = make_tag("first-tag"), make_tag("second-tag")
    zeta, alpha = make_tag("zeta"), make_tag("alpha")
    article = make_article("Same words here. Two tags there.")
    annotator = make_annotator("coder")
    one = make_annotation(article, exact="Same words", tags=[first], annotator=annotator)
    two = make_annotation(article, exact="Same words", tags=[second], annotator=annotator)
    both = make_annotation(article, exact="Two tags", tags=[zeta, alpha], annotator=annotator)
    return article, annotator, (first, one, two, zeta, both)


def test_identical_spans_get_the_same_colour_in_the_workspace_and_on_the_public_page(client):
    """Before: the workspace coloured two identical spans by the later passage (`tag-20`),
    and a passage by its tag first by name, while the public page took the earlier
    passage and the first tag added (`tag-10`)."""
    article, annotator, (first, one, two, zeta, both) = coded_article()
    public = marks(client.get(article.get_absolute_url()).content, "article-body")
    client.force_login(annotator)
    workspace = marks(client.get(f"/workspace/articles/{article.slug}/").content, "workspace-body")
    assert [m[:2] for m in workspace] == [m[:2] for m in public]
    assert [m[:2] for m in public] == [
        ("Same words", (f"tag-{first.pk}",)),
        ("Two tags", (f"tag-{zeta.pk}",)),
    ]
    assert [m[2] for m in workspace] == [f"{one.pk} {two.pk}", str(both.pk)]
    assert [m[2] for m in public] == [m[2] for m in workspace]


def test_the_workspace_body_part_is_the_body_the_page_renders(client):
    """`?part=body`, what workspace.js fetches after a write: the same body and data."""
    article, annotator, _ = coded_article()
    client.force_login(annotator)
    url = f"/workspace/articles/{article.slug}/"
    page, part = client.get(url), client.get(url, {"part": "body"})
    assert marks(part.content, "workspace-body") == marks(page.content, "workspace-body")
    content = part.content.decode()
    assert content.startswith('<div class="article-body workspace-body" data-article-body')
    assert 'id="workspace-data" type="application/json"' in content
    assert "<form" not in content and "<html" not in content
