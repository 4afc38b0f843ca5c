"""Telegram's HTML parse mode: validation, measuring and splitting like the Bot API."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.html import HtmlProblem, split, to_plain, validate, visible_length

# The examples from the Bot API "HTML style" documentation.
DOCUMENTED = [
    "<b>bold</b>, <strong>bold</strong>",
    "<i>italic</i>, <em>italic</em>",
    "<u>underline</u>, <ins>underline</ins>",
    "<s>strikethrough</s>, <strike>strikethrough</strike>, <del>strikethrough</del>",
    '<span class="tg-spoiler">spoiler</span>, <tg-spoiler>spoiler</tg-spoiler>',
    '<b>bold <i>italic bold <s>italic bold strikethrough <span class="tg-spoiler">italic bold '
    "strikethrough spoiler</span></s> <u>underline italic bold</u></i> bold</b>",
    '<a href="http://www.example.com/">inline URL</a>',
    '<a href="tg://user?id=123456789">inline mention of a user</a>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<code>inline fixed-width code</code>",
    "<pre>pre-formatted fixed-width code block</pre>",
    '<pre><code class="language-python">pre-formatted fixed-width code block written in the Python '
    "programming language</code></pre>",
    "<blockquote>Block quotation started\nBlock quotation continued\nThe last line</blockquote>",
    "<blockquote expandable>Expandable block quotation started\nIt is hidden by default</blockquote>",
]


def messages(html: str) -> list[str]:
    return [problem.message for problem in validate(html)]


@pytest.mark.parametrize("html", DOCUMENTED)
def test_documented_examples_are_valid(html: str) -> None:
    assert validate(html) == []


def test_plain_text_and_entities_are_valid() -> None:
    assert validate("Hello, world! 1 &gt; 0 &amp;&amp; 0 &lt; 1 &quot;q&quot; > done") == []
    assert validate("&#123; &#x1F600; &#X1f600;") == []
    assert validate("") == []


def test_unsupported_tag_names_the_supported_ones() -> None:
    problems = validate("<div>x</div>")
    assert problems[0] == HtmlProblem(
        0,
        "tag <div> is not supported by Telegram; "
        "use <b>, <i>, <u>, <s>, <a href>, <code>, <pre>, <blockquote> or <tg-spoiler>",
    )
    assert problems[1].offset == 6


@pytest.mark.parametrize("html", ["a<br>b", "a<br/>b", "a<br />b", "a<BR>b"])
def test_br_is_rejected_with_newline_advice(html: str) -> None:
    assert messages(html) == ["<br> is not supported by Telegram; use a newline instead"]


def test_tags_must_be_closed() -> None:
    assert validate("x <b>bold") == [HtmlProblem(2, "<b> is never closed; add </b>")]


def test_tags_must_nest_properly() -> None:
    problems = validate("<b><i>x</b></i>")
    assert problems[0].offset == 7
    assert "</b> does not match the open <i>" in problems[0].message


def test_stray_closing_tag() -> None:
    assert messages("x</b>") == ["</b> closes nothing; remove it or add <b> before"]


def test_aliases_do_not_close_each_other() -> None:
    assert validate("<b>x</strong>")


def test_tag_names_are_case_insensitive() -> None:
    assert validate("<B>x</b> <I>y</I>") == []


def test_closing_tag_must_be_exact() -> None:
    assert "write the closing tag exactly as </b>" in messages("<b>x</b >")


def test_self_closing_tags_are_rejected() -> None:
    assert "self-closing" in messages("<b/>")[0]


def test_bare_less_than_is_an_error() -> None:
    assert validate("1 < 2") == [HtmlProblem(2, "a bare '<' must be written as &lt; (it does not start a valid tag)")]
    assert validate("a <b") != []


def test_bare_greater_than_is_accepted() -> None:
    assert validate("2 > 1") == []


def test_bare_ampersand_is_an_error() -> None:
    assert validate("Tom & Jerry") == [HtmlProblem(4, "a bare '&' must be written as &amp;")]
    assert validate("&amp without semicolon") != []


def test_only_four_named_entities() -> None:
    (problem,) = validate("a&nbsp;b")
    assert problem.offset == 1
    assert "&nbsp; is not supported" in problem.message
    assert validate("&apos;") != []


def test_invalid_numeric_entities() -> None:
    assert validate("&#xD800;") != []
    assert validate("&#x110000;") != []
    assert validate("&#0;") != []


def test_span_needs_spoiler_class() -> None:
    assert "tg-spoiler" in messages("<span>x</span>")[0]
    assert validate('<span class="bold">x</span>') != []
    assert validate("<span class='tg-spoiler'>x</span>") == []


def test_links_need_href_with_allowed_scheme() -> None:
    assert "needs an href" in messages("<a>x</a>")[0]
    assert validate('<a href="">x</a>') != []
    assert validate('<a name="x">x</a>') != []
    assert "http://, https://, tg:// or mailto:" in messages('<a href="javascript:alert(1)">x</a>')[0]
    assert validate('<a href="ftp://example.org">x</a>') != []
    assert validate('<a href="example.org">x</a>') != []
    for href in ("https://example.org/?a=1&amp;b=2", "http://x.org", "tg://user?id=1", "mailto:a@b.org"):
        assert validate(f'<a href="{href}">x</a>') == [], href


def test_entities_in_attributes_are_checked() -> None:
    (problem,) = validate('<a href="https://x.org/?a=1&b=2">x</a>')
    assert problem.offset == len('<a href="https://x.org/?a=1')


def test_attribute_values_must_be_quoted() -> None:
    (problem,) = validate("<a href=https://x.org>x</a>")
    assert "quote the value of href" in problem.message
    assert validate("<a href='https://x.org'>x</a>") == []


def test_valueless_attribute_only_for_expandable() -> None:
    assert validate("<blockquote expandable>x</blockquote>") == []
    assert validate("<b bold>x</b>") != []


def test_code_language_only_inside_pre() -> None:
    assert validate('<pre><code class="language-python">x = 1</code></pre>') == []
    assert "directly inside <pre>" in messages('<code class="language-python">x</code>')[0]
    assert validate('<pre><code class="python">x</code></pre>') != []
    assert validate('<pre><b><code class="language-c">x</code></b></pre>') != []


def test_tg_emoji_needs_emoji_id() -> None:
    assert validate("<tg-emoji>👍</tg-emoji>") != []
    assert validate('<tg-emoji emoji-id="abc">👍</tg-emoji>') != []


def test_problems_are_sorted_by_offset() -> None:
    problems = validate("<div>&nbsp;<br></p>")
    assert [p.offset for p in problems] == sorted(p.offset for p in problems)
    assert len(problems) == 4


def test_to_plain_removes_tags_and_decodes_entities() -> None:
    html = '<b>Hi</b> &lt;you&gt; &amp; <a href="https://x.org">me</a> &#x1F600;&#33;&quot;'
    assert to_plain(html) == 'Hi <you> & me 😀!"'


def test_to_plain_is_lenient_with_invalid_markup() -> None:
    assert to_plain("1 < 2 & <div>3</div>") == "1 < 2 & 3"


def test_visible_length_counts_utf16_code_units_after_parsing() -> None:
    assert visible_length("<b>abc</b>") == 3
    assert visible_length("&lt;&amp;&#65;") == 3
    assert visible_length("😀") == 2
    assert visible_length("&#x1F600;") == 2
    assert visible_length("é") == 1
    assert visible_length('<a href="https://a-very-long-url.example.org/path">x</a>') == 1


# --- split ----------------------------------------------------------------------------------


def assert_good_chunks(chunks: list[str], limit: int) -> None:
    assert chunks
    for chunk in chunks:
        assert validate(chunk) == [], chunk
        assert 0 < visible_length(chunk) <= limit
        plain = to_plain(chunk)
        assert plain == plain.strip()


def test_text_that_fits_is_returned_unchanged() -> None:
    html = "  <b>short</b>\n\n"
    assert split(html) == [html]
    assert split("x" * 4096) == ["x" * 4096]


def test_split_prefers_blank_lines() -> None:
    first, second = "a" * 30 + " " + "b" * 30, "c" * 20 + "\nd d"
    assert split(f"{first}\n\n{second}", limit=70) == [first, second]


def test_split_then_prefers_line_ends() -> None:
    text = "word " * 10 + "\n" + "more " * 10
    assert split(text, limit=60) == [("word " * 10).strip(), ("more " * 10).strip()]


def test_split_then_prefers_spaces() -> None:
    chunks = split("alpha beta gamma delta", limit=12)
    assert chunks == ["alpha beta", "gamma delta"]


def test_split_cuts_anywhere_when_it_must() -> None:
    assert split("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_split_does_not_make_tiny_chunks_for_an_early_blank_line() -> None:
    text = "Intro\n\n" + " ".join(["word"] * 30)
    chunks = split(text, limit=60)
    assert chunks[0].startswith("Intro\n\nword")
    assert_good_chunks(chunks, 60)


def test_split_reopens_formatting_with_attributes() -> None:
    html = '<b>bold <a href="https://x.org/?a=1&amp;b=2">' + "link " * 10 + "</a> tail</b>"
    chunks = split(html, limit=20)
    assert_good_chunks(chunks, 20)
    assert chunks[1].startswith('<b><a href="https://x.org/?a=1&amp;b=2">')
    assert chunks[0].endswith("</a></b>")


def test_split_never_cuts_entities() -> None:
    html = "&amp;" * 50
    chunks = split(html, limit=7)
    assert chunks == ["&amp;" * 7] * 7 + ["&amp;"]


def test_split_never_cuts_surrogate_pairs() -> None:
    chunks = split("a" + "😀" * 10, limit=4)
    assert_good_chunks(chunks, 4)
    assert chunks[0] == "a😀"
    assert "".join(chunks) == "a" + "😀" * 10


def test_split_keeps_emoji_sequences_together() -> None:
    family = "👨\u200d👩\u200d👧"
    assert split(family * 3, limit=8) == [family] * 3
    assert split("👍🏽" * 3, limit=5) == ["👍🏽"] * 3
    assert split("🇩🇪🇫🇷🇮🇹", limit=6) == ["🇩🇪", "🇫🇷", "🇮🇹"]


def test_split_does_not_cut_inside_custom_emoji() -> None:
    emoji = '<tg-emoji emoji-id="1">👍🏽</tg-emoji>'
    chunks = split("ab" + emoji * 3, limit=5)
    assert_good_chunks(chunks, 5)
    assert chunks == ["ab", emoji, emoji, emoji]


def test_split_leaves_no_empty_elements_behind() -> None:
    chunks = split("a" * 10 + " <b>" + "b" * 5 + "</b>", limit=12)
    assert chunks == ["a" * 10, "<b>bbbbb</b>"]


def test_split_of_ten_thousand_characters_with_nested_tags() -> None:
    paragraph = (
        '<b>Bold <i>italic <u>under</u></i> and <a href="https://example.org/help">a link</a></b> '
        "plain &amp; text with 😀 emoji, <code>code</code>, <tg-spoiler>hidden</tg-spoiler>.\n"
    )
    html = "<blockquote>" + paragraph * 110 + "</blockquote>\n\n<pre>" + "line of code\n" * 250 + "</pre>"
    assert visible_length(html) > 10_000
    for limit in (4096, 1000, 333):
        chunks = split(html, limit)
        assert len(chunks) >= visible_length(html) // limit
        assert_good_chunks(chunks, limit)
        assert chunks[1].startswith("<blockquote>")
        assert chunks[-1].startswith("<pre>") and chunks[-1].endswith("</pre>")
        assert_same_text(html, chunks)


def test_split_of_long_whitespace_gives_no_chunks() -> None:
    assert split(" \n" * 10, limit=5) == []


def test_split_rejects_invalid_html_and_tiny_limits() -> None:
    with pytest.raises(ValueError, match="invalid HTML"):
        split("<div>" + "x" * 5000 + "</div>")
    with pytest.raises(ValueError, match="limit"):
        split("abc", limit=1)


# --- property: splitting never loses or reorders text ---------------------------------------


def assert_same_text(html: str, chunks: list[str]) -> None:
    """The chunks' texts appear in order in the original, only whitespace dropped at the cuts."""
    original, position = to_plain(html), 0
    for chunk in chunks:
        text = to_plain(chunk)
        while (
            position < len(original)
            and original[position].isspace()
            and not text.startswith(original[position : position + 1])
        ):
            position += 1
        assert original.startswith(text, position), (original[position : position + 40], text[:40])
        position += len(text)
    assert original[position:].strip() == ""


PIECES = st.sampled_from(
    [
        "a",
        "bc",
        "word",
        " ",
        " ",
        "\n",
        "\n\n",
        "&lt;",
        "&amp;",
        "&#x1F600;",
        "😀",
        "é",
        "👍🏽",
        "🇩🇪",
        "&quot;",
    ]
)
SIMPLE_TAGS = ["b", "i", "u", "s", "em", "tg-spoiler", "code", "pre", "blockquote", "blockquote expandable"]
TAGS = st.sampled_from(
    [*SIMPLE_TAGS, 'a href="https://x.org/?q=1&amp;r=2"', 'span class="tg-spoiler"', 'tg-emoji emoji-id="42"']
)


def wrap(tag_and_body: tuple[str, str]) -> str:
    tag, body = tag_and_body
    return f"<{tag}>{body}</{tag.split()[0]}>"


VALID_HTML = st.recursive(
    st.lists(PIECES, max_size=12).map("".join),
    lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=4).map("".join), st.tuples(TAGS, inner).map(wrap)),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(html=VALID_HTML, limit=st.integers(min_value=2, max_value=40))
def test_split_preserves_text_and_validity(html: str, limit: int) -> None:
    assert validate(html) == []
    chunks = split(html, limit)
    if visible_length(html) <= limit:
        assert chunks == [html]
        return
    if not to_plain(html).strip():
        assert chunks == []  # nothing visible: there is no message to send
        return
    assert_good_chunks(chunks, limit)
    assert_same_text(html, chunks)
    joined = "".join(to_plain(chunk) for chunk in chunks)
    assert "".join(joined.split()) == "".join(to_plain(html).split())
