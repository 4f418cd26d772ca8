"""The table of contents of a long article: safe, unique anchors on its headings and a list that never
carries the headings' markup."""

from __future__ import annotations

import re

from forum.knowledge.contents import table_of_contents
from forum.services import markup

SAFE_ID = re.compile(r"kb-[a-z0-9-]+")


def _toc(markdown: str):
    return table_of_contents(markup.render_markdown(markdown))


def test_an_article_with_three_headings_gets_anchors_and_contents_in_reading_order():
    html, entries = _toc("## Cause\n\ntext\n\n### Channels\n\nmore\n\n## Fix\n\nUse channel 11.")
    assert [(entry.level, entry.id, str(entry.text)) for entry in entries] == [
        (2, "kb-cause", "Cause"), (3, "kb-channels", "Channels"), (2, "kb-fix", "Fix")]
    assert '<h2 id="kb-cause">Cause</h2>' in html and '<h3 id="kb-channels">Channels</h3>' in html
    assert "<p>Use channel 11.</p>" in html


def test_a_short_article_is_left_as_it_is_without_contents():
    stored = markup.render_markdown("## Cause\n\ntext\n\n## Fix\n\nUse channel 11.")
    html, entries = table_of_contents(stored)
    assert entries == [] and str(html) == stored


def test_repeated_headings_get_distinct_anchors():
    html, entries = _toc("## Fix\n\na\n\n## Fix\n\nb\n\n## Fix 2\n\nc\n\n## Fix\n\nd")
    ids = [entry.id for entry in entries]
    assert ids == ["kb-fix", "kb-fix-2", "kb-fix-2-2", "kb-fix-3"]
    assert len(set(ids)) == len(ids)
    assert all(f'id="{anchor}"' in html for anchor in ids)


def test_markup_and_quotes_in_a_heading_never_reach_the_anchor_or_the_list_as_markup():
    html, entries = _toc('## <script>alert("x")</script> & "quotes"\n\n'
                         "## It's <b>bold</b> `<img src=x onerror=alert(1)>`\n\n"
                         '## "><svg onload=alert(1)>\n\ntext')
    for entry in entries:
        assert SAFE_ID.fullmatch(entry.id)
        assert "<" not in str(entry.text) and '"' not in str(entry.text)
    assert str(entries[0].text) == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;"
    assert entries[0].id == "kb-script-alert-x-script-quotes"
    assert "<script" not in html and "<svg" not in html and "<img" not in html


def test_non_ascii_headings_keep_readable_ascii_anchors_or_a_plain_fallback():
    _html, entries = _toc("## Über uns\n\na\n\n## Café crème\n\nb\n\n## 路由器设置\n\nc\n\n## 🔧\n\nd")
    assert [entry.id for entry in entries] == ["kb-uber-uns", "kb-cafe-creme", "kb-section", "kb-section-2"]
    assert [str(entry.text) for entry in entries][:3] == ["Über uns", "Café crème", "路由器设置"]


def test_headings_inside_code_blocks_and_other_levels_are_not_listed():
    _html, entries = _toc("# Title\n\n    ## not a heading\n\n## One\n\n#### Deep\n\n## Two\n\n"
                          "### Three\n\n> ## Quoted")
    assert [entry.text for entry in entries] == ["One", "Two", "Three", "Quoted"]


def test_a_very_long_heading_gets_a_short_anchor():
    _html, entries = _toc("\n\n".join(f"## {'Word ' * 40}{n}" for n in range(3)))
    assert all(len(entry.id) <= 3 + 60 + 2 for entry in entries)
    assert len({entry.id for entry in entries}) == 3
