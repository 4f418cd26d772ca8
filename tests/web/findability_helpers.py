"""Reading what search engines read in a page: its canonical link, meta tags, and (with extruct, a maintained
structured-data extractor) its OpenGraph and JSON-LD."""

from __future__ import annotations

from html.parser import HTMLParser

import extruct

BASE_URL = "http://localhost"  # the test app's configured base_url


class HeadTags(HTMLParser):
    """The <link rel="canonical"> addresses and the <meta> tags (name= and property=) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical.append(attributes["href"])
        elif tag == "meta" and (key := attributes.get("property") or attributes.get("name")):
            self.meta[key] = attributes.get("content", "")


def head_tags(html: str | bytes) -> HeadTags:
    parser = HeadTags()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser


def canonical_of(html: str | bytes) -> str:
    """The page's one canonical address (two would be an error search engines ignore both for)."""
    found = head_tags(html).canonical
    assert len(found) == 1, found
    return found[0]


def json_ld(html: str | bytes) -> list[dict]:
    return extruct.extract(html.decode() if isinstance(html, bytes) else html, base_url=BASE_URL + "/",
                           syntaxes=["json-ld"])["json-ld"]


def opengraph(html: str | bytes) -> dict[str, str]:
    found = extruct.extract(html.decode() if isinstance(html, bytes) else html, base_url=BASE_URL + "/",
                            syntaxes=["opengraph"])["opengraph"]
    assert len(found) == 1, found
    return dict(found[0]["properties"])
