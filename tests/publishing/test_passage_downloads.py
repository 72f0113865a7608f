"""The passage listing offers every export format, each for the set the page shows."""

import json
import re

import pytest

from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db


def download_links(content: bytes) -> dict[str, str]:
    block = re.search(rb'<p class="downloads">(.*?)</p>', content, re.S)
    assert block, "no download links"
    return {
        text.decode(): href.decode().replace("&amp;", "&")
        for href, text in re.findall(rb'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', block.group(1))
    }


def test_each_format_is_linked_with_the_page_filters(client):
    article = make_article("alpha beta gamma delta")
    make_annotation(article, exact="alpha", tags=["quote"])
    make_annotation(article, exact="beta", tags=["statistic"])
    response = client.get("/passages/?tag=quote")
    assert b"Download this passage:" in response.content
    links = download_links(response.content)
    assert links == {
        "as CSV": "/passages/export.csv?tag=quote",
        "as W3C Web Annotations (JSON-LD)": "/passages/export.jsonld?tag=quote",
        "as a REFI-QDA project (.qdpx)": "/passages/export.qdpx?tag=quote",
        "as a W3C Annotation container": "/annotations/?tag=quote",
    }
    # Each link answers with its format and the one passage of the page.
    assert client.get(links["as CSV"]).status_code == 200
    jsonld = client.get(links["as W3C Web Annotations (JSON-LD)"])
    assert jsonld["Content-Type"].startswith("application/ld+json")
    body = json.loads(b"".join(jsonld.streaming_content))
    assert body["total"] == 1
    assert client.get(links["as a REFI-QDA project (.qdpx)"]).status_code == 200


def test_no_download_is_offered_for_an_empty_set(client):
    make_article("alpha beta")
    response = client.get("/passages/?q=nothingmatches")
    assert response.status_code == 200
    assert b'class="downloads"' not in response.content
    assert b"Download these 0" not in response.content
