"""News pages written for these tests: every kind of site chrome around an article.

The text is invented for Gloss's tests (no outlet publishes it). Each page carries the
article in JSON-LD, OpenGraph/`article:` meta and the markup, as news sites do, and a
`<script>` whose text must never reach the body.
"""

import json
from dataclasses import dataclass, field
from html import escape

NBSP = "\u00a0"


@dataclass
class NewsPage:
    slug: str
    title: str = "Harbour council approves flood wall after two-year dispute"
    author: str = "Marta Quillfeather"
    published: str = "2026-03-14"
    site_name: str = "The Tidewater Ledger"
    domain: str = "tidewater-ledger.example"
    paragraphs: list[str] = field(default_factory=list)
    jsonld: bool = True
    opengraph: bool = True
    subhead: str = "What the wall will cost"  # an <h2> before the fourth paragraph

    def body_blocks(self) -> list[str]:
        """The blocks the article body must come out as: paragraphs and the subhead."""
        ps = self.paragraphs or paragraphs()
        return [*ps[:3], self.subhead, *ps[3:]] if self.subhead and len(ps) > 3 else ps

    @property
    def canonical(self) -> str:
        return f"https://www.{self.domain}/news/{self.slug}/"


def paragraphs(n: int = 12, *, seed: str = "") -> list[str]:
    """`n` distinct paragraphs with the typography real pages have: curly quotes, NBSP
    between a number and its unit, an en dash, an apostrophe."""
    base = [
        f"The harbour council voted 7{NBSP}to{NBSP}2 on Tuesday night to build a concrete "
        "flood wall along the eastern quay, ending a dispute that has divided the town "
        "since the storm of 2024.",
        "\u201cWe have waited long enough for someone else to solve this,\u201d said the "
        "council\u2019s chair, Ilse Marrow, after the vote. \u201cThe water will not wait "
        "for another consultation.\u201d",
        f"The wall will run for 1.4{NBSP}km and rise 2.1{NBSP}m above the current quayside, "
        "according to engineering drawings published by the council in January.",
        "Fishermen who moor at the eastern quay opposed the plan, arguing that the wall "
        "would cut them off from the slipway they have used for generations.",
        "The Quayside Workers\u2019 Association said it would ask the regional court to "
        "review the decision, citing the council\u2019s own environmental report.",
        "That report, commissioned in 2025, found that the wall would reduce flooding in "
        "the old town but increase scouring of the beach to the south \u2013 a cost the "
        "council has not yet put a figure on.",
        f"Construction is expected to cost \u20ac38{NBSP}million, of which the national "
        "coastal fund will pay roughly two-thirds.",
        "Residents of Salt Lane, the street worst hit in 2024, welcomed the vote. Several "
        "watched the meeting from the public gallery holding photographs of their flooded "
        "kitchens.",
        "\u201cI\u2019ve rebuilt my ground floor twice,\u201d said Dov Kettleby, who has "
        "lived on the lane for thirty years. \u201cI\u2019m not doing it a third time.\u201d",
        "Two councillors who voted against said they supported flood defences in principle "
        "but wanted a design with gates that would keep the slipway open.",
        "The council says a gate would add at least eighteen months to the schedule and "
        "that the slipway will be moved about 200 metres north.",
        "Work is due to begin in the autumn, once the tender process closes, and the wall "
        "should be complete before the winter storms of 2028.",
    ]
    result = []
    for i in range(n):
        text = base[i % len(base)]
        if i >= len(base) or seed:
            text = f"{text} ({seed or 'part'} {i + 1}.)"
        result.append(text)
    return result


CHROME_TEXTS = (
    "Skip to main content",
    "Home",
    "Politics",
    "We use cookies to improve your experience",
    "Accept all cookies",
    "Sign up for the Morning Tide newsletter",
    "Get the day\u2019s top coastal stories in your inbox every morning.",
    "Share on Facebook",
    "Share on X",
    "Copy link",
    "Related stories",
    "Lighthouse keepers\u2019 cottages to become holiday lets",
    "Ferry timetable cut for the winter",
    "Comments (3)",
    "This is an outrage, the wall will be ugly and nobody asked us.",
    "About us",
    "\u00a9 2026 Tidewater Ledger Media. All rights reserved.",
    "window.dataLayer",
    "trackPageView",
)


def render(page: NewsPage) -> str:
    """The full HTML of `page`, chrome included."""
    ps = page.paragraphs or paragraphs()
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(page.title)} | {escape(page.site_name)}</title>",
        f'<link rel="canonical" href="{escape(page.canonical)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if page.opengraph:
        head += [
            f'<meta property="og:title" content="{escape(page.title)}">',
            f'<meta property="og:site_name" content="{escape(page.site_name)}">',
            f'<meta property="og:url" content="{escape(page.canonical)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="article:published_time" content="{page.published}T06:30:00Z">',
            f'<meta property="article:author" content="{escape(page.author)}">',
        ]
    if page.jsonld:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "datePublished": f"{page.published}T06:30:00+00:00",
            "dateModified": f"{page.published}T09:10:00+00:00",
            "author": [{"@type": "Person", "name": page.author}],
            "publisher": {"@type": "Organization", "name": page.site_name},
            "mainEntityOfPage": page.canonical,
        }
        head.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
    head.append(
        "<script>window.dataLayer = window.dataLayer || []; "
        "function trackPageView(){ dataLayer.push({event: 'view', section: 'Politics'}); }"
        "</script>"
    )
    paras = [f"<p>{escape(p, quote=False)}</p>" for p in ps]
    if page.subhead and len(paras) > 3:
        paras.insert(3, f"<h2>{escape(page.subhead)}</h2>")
    first, rest = paras[: len(paras) // 2], paras[len(paras) // 2 :]
    body = f"""
<a class="skip" href="#main">Skip to main content</a>
<div class="cookie-banner" id="cookie-consent" role="dialog">
  <p>We use cookies to improve your experience and to show you relevant advertising.</p>
  <button>Accept all cookies</button> <button>Manage preferences</button>
</div>
<header class="site-header">
  <a class="logo" href="/">{escape(page.site_name)}</a>
  <nav class="main-nav"><ul>
    <li><a href="/">Home</a></li><li><a href="/politics/">Politics</a></li>
    <li><a href="/coast/">Coast</a></li><li><a href="/sport/">Sport</a></li>
    <li><a href="/opinion/">Opinion</a></li>
  </ul></nav>
</header>
<main id="main">
<article class="story">
  <header>
    <h1 class="headline">{escape(page.title)}</h1>
    <p class="byline">By <a rel="author" href="/authors/mq/">{escape(page.author)}</a>
      <time datetime="{page.published}T06:30:00Z">{page.published}</time></p>
  </header>
  <div class="share-bar" aria-label="Share">
    <a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Copy link</a>
  </div>
  <div class="story-body">
    {"".join(first)}
    <aside class="newsletter-signup">
      <h3>Sign up for the Morning Tide newsletter</h3>
      <p>Get the day\u2019s top coastal stories in your inbox every morning.</p>
      <form><input type="email" placeholder="Email address"><button>Subscribe</button></form>
    </aside>
    {"".join(rest)}
  </div>
  <div class="share-bar share-bottom">
    <a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Copy link</a>
  </div>
</article>
<section class="related-links">
  <h2>Related stories</h2>
  <ul>
    <li><a href="/coast/cottages/">Lighthouse keepers\u2019 cottages to become holiday lets</a></li>
    <li><a href="/coast/ferry/">Ferry timetable cut for the winter</a></li>
  </ul>
</section>
<section id="comments" class="comments">
  <h2>Comments (3)</h2>
  <div class="comment"><p class="comment-author">saltydog</p>
    <p>This is an outrage, the wall will be ugly and nobody asked us.</p></div>
  <div class="comment"><p class="comment-author">harbourmum</p>
    <p>Finally! My basement has flooded every spring.</p></div>
</section>
</main>
<footer class="site-footer">
  <ul><li><a href="/about/">About us</a></li><li><a href="/contact/">Contact</a></li>
  <li><a href="/privacy/">Privacy</a></li></ul>
  <p>\u00a9 2026 Tidewater Ledger Media. All rights reserved.</p>
</footer>
"""
    head_html = "\n".join(head)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{head_html}\n</head>\n'
        f"<body>{body}</body>\n</html>\n"
    )


def no_article_page() -> str:
    """A section front: headlines and links, no article."""
    links = "".join(
        f'<li><a href="/news/story-{i}/">Story number {i} about the coast</a></li>'
        for i in range(30)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Coast | The '
        'Tidewater Ledger</title></head><body><nav><a href="/">Home</a></nav>'
        f"<main><h1>Coast</h1><ul>{links}</ul></main><footer>About us</footer></body></html>"
    )
