"""`hotline content check`: the shipped content passes; broken content fails with file, line and a fix."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.config import Config, ConfigError, load_settings
from bot.content.loader import load_content
from bot.content.store import ContentStore, load_for
from hotline.cli import main
from tests.conftest import FIXTURE_CONTENT, ROOT

LANGUAGES = ["ru", "en", "de"]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def check(directory: Path, *flags: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["content", "check", str(directory), "--config", str(ROOT / "config.yaml"), *flags])
    return code, capsys.readouterr().out


def test_shipped_content_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(ROOT / "content", capsys=capsys)
    assert code == 0, out
    assert "error" not in out


def test_fixture_content_passes_with_warnings_but_not_strict(content: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(content, capsys=capsys)
    assert code == 0, out
    assert "not translated into de" in out and "asylum" in out
    code, out = check(content, "--strict", capsys=capsys)
    assert code == 1
    assert "--strict" in out


def test_yaml_syntax_error(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "en" / "nodes.yml"
    edit(path, 'title: "I got a summons"', 'title: "I got a summons')
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}" in out
    assert "YAML syntax error" in out
    assert any(": error: YAML syntax error" in line and " — " in line for line in out.splitlines()), out


def test_unknown_field_names_file_and_line(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "en" / "nodes.yml"
    edit(path, 'title: "Asylum"', 'titel: "Asylum"')
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"nodes.yml:{line_of(path, 'titel:')}: error: unknown field 'titel'" in out
    assert "'asylum.title' is missing" in out


def test_link_to_a_missing_node(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, "links: [contacts]", "links: [contact]")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"tree.yml:{line_of(tree, 'links: [contact]')}: error: node 'summons' links to 'contact', " \
           "which does not exist" in out


def test_duplicate_node_id(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, "  contacts:\n    sources:", "  asylum:\n    sources:")
    code, out = check(content, capsys=capsys)
    assert code == 1
    second = [n for n, line in enumerate(tree.read_text().splitlines(), start=1) if line == "  asylum:"][1]
    assert f"tree.yml:{second}: error: the same key appears twice" in out


def test_two_parents(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, "children: [summons_what, summons_long]", "children: [summons_what, summons_long, asylum]")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"tree.yml:{line_of(tree, 'summons_long, asylum')}: error: 'asylum' is a child of both 'start' and " \
           "'summons'" in out


def test_unreachable_node_is_a_warning(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, "children: [summons, asylum, contacts]", "children: [summons, asylum]")
    edit(tree, "    links: [contacts]\n", "")
    code, out = check(content, capsys=capsys)
    assert code == 0, "an unreachable page can still be sent by a counsellor: warn, don't refuse"
    assert f"tree.yml:{line_of(tree, '  contacts:')}: warning: node 'contacts' cannot be reached" in out


def test_a_page_that_sends_the_reader_to_a_button_it_does_not_show_is_warned_of(
        content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    en, ru = content / "en" / "nodes.yml", content / "ru" / "nodes.yml"
    # Buttons the screen shows (by their label or title, and Back to the parent), and a quotation: nothing to say.
    edit(en, "Read the pages below.", "Read the pages below (see “What it means”; see also “Organisations”; "
                                      "the register may read “Summons served”).")
    edit(en, "A summons is an order to report.", "A summons is an order to report (see “I got a summons”).")
    code, out = check(content, capsys=capsys)
    assert code == 0 and "sends the reader" not in out, out
    # Another page's button, and a button's label misspelt: the reader would look for a button that is not there.
    edit(en, "Read the pages below (", "Read the pages below (See <b>“Asylum”</b>; read “What it mean”; ")
    edit(ru, "Читайте разделы ниже.", "Читайте разделы ниже (см. также «Убежище»).")
    code, out = check(content, capsys=capsys)
    assert code == 0, "a warning: the page still works"
    line = line_of(en, "summons:")
    assert f"en/nodes.yml:{line}: warning: 'summons' sends the reader to «Asylum», the button of 'asylum', which " \
           "this page does not show — add 'asylum' to its `links:` in tree.yml" in out
    assert f"en/nodes.yml:{line}: warning: 'summons' sends the reader to «What it mean», but the button is «What " \
           "it means»" in out
    assert f"ru/nodes.yml:{line_of(ru, 'summons:')}: warning: 'summons' sends the reader to «Убежище»" in out
    assert out.count("sends the reader") == 3, out


def test_html_telegram_would_reject(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "ru" / "nodes.yml"
    edit(path, "<b>Без паники.</b>", "<div>Без паники.</div><br>")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"ru/nodes.yml:{line_of(path, 'RU-SUMMONS-BODY')}: error: body of 'summons'" in out
    assert "div" in out


def test_unclosed_tag_and_bare_ampersand(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "de" / "nodes.yml"
    edit(path, "<b>Ruhig bleiben.</b>", "<b>Ruhig & bleiben.")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert out.count("error: body of 'summons'") >= 2


def test_unknown_placeholder(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "en" / "nodes.yml"
    edit(path, "{org_contacts}", "{org_phone}")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"nodes.yml:{line_of(path, '{org_phone}')}: error: unknown placeholder '{{org_phone}}'" in out
    assert "{org_contacts}" in out, "the fix lists the placeholders that exist"


def test_non_https_link(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, 'href: "https://example.org/guide"', 'href: "http://example.org/guide"')
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"tree.yml:{line_of(tree, 'http://example.org/guide')}: error: link" in out


def test_fallback_language_text_missing_is_an_error(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "en" / "nodes.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("asylum:")[0] + "contacts:" + text.split("contacts:")[1], encoding="utf-8")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert "'asylum' has no en text, and en is the fallback language" in out


def test_text_for_unknown_node(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = content / "en" / "nodes.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\nsumons:\n  title: x\n  body: y\n", encoding="utf-8")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"nodes.yml:{line_of(path, 'sumons:')}: error: text for 'sumons', but tree.yml has no such node" in out


def test_bad_node_id(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, "  contacts:\n    sources:", "  contacts:\n    children: [Bad-Id]\n    sources:")
    code, out = check(content, capsys=capsys)
    assert code == 1
    assert f"tree.yml:{line_of(tree, 'Bad-Id')}: error: 'nodes.contacts.children.0' is not a valid id" in out


def test_node_ids_fit_telegram_callback_data() -> None:
    from bot.menus.callbacks import CounsellorCallback, NavCallback

    longest = "a" * 32
    assert len(NavCallback(node=longest, v="abcdef").pack().encode()) <= 64
    assert len(CounsellorCallback(node=longest).pack().encode()) <= 64


def test_review_date_in_the_past_warns(content: Path) -> None:
    edit(content / "tree.yml", "checked: 2026-10-15", "checked: 2026-10-15\n    review_by: 2026-01-01")
    result = load_content(content, languages=LANGUAGES, fallback_language="en")
    assert result.snapshot is not None
    assert any("due for review on 2026-01-01" in p.message for p in result.warnings)


async def test_a_reload_checks_review_dates_against_the_bots_clock(
        content: Path, make_config: Callable[..., Config]) -> None:
    edit(content / "tree.yml", "checked: 2026-10-15", "checked: 2026-10-15\n    review_by: 2027-03-01")
    config = make_config(content)
    clock = Clock()
    first = load_for(config, today=clock().date())
    assert first.snapshot is not None
    store = ContentStore(first.snapshot, clock)
    clock.offset = datetime(2027, 2, 1) - clock()
    assert not any("due for review" in p.message for p in (await store.reload(config)).warnings)
    clock.offset = datetime(2027, 4, 1) - clock() + clock.offset
    assert any("due for review on 2027-03-01" in p.message for p in (await store.reload(config)).warnings)


def test_snapshot_version_changes_with_content(content: Path) -> None:
    first = load_content(content, languages=LANGUAGES, fallback_language="en").snapshot
    edit(content / "en" / "nodes.yml", "EN-ASYLUM-BODY", "EN-ASYLUM-BODY changed")
    second = load_content(content, languages=LANGUAGES, fallback_language="en").snapshot
    assert first is not None and second is not None
    assert first.version != second.version


def test_organisation_details_may_be_written_per_language(content: Path) -> None:
    contacts = {"ru": "почта help@example.org", "en": "e-mail help@example.org"}
    loaded = load_content(content, languages=LANGUAGES, fallback_language="en",
                          organisation={"name": "Hotline", "website": "", "contacts": contacts, "hours": ""})
    assert loaded.snapshot is not None
    bodies = {language: loaded.snapshot.texts[language]["contacts"].body for language in LANGUAGES}
    assert "почта help@example.org" in bodies["ru"]
    assert "e-mail help@example.org" in bodies["en"]
    assert "e-mail help@example.org" in bodies["de"], "a language without its own gets the fallback's"
    one = load_content(content, languages=LANGUAGES, fallback_language="en",
                       organisation={"name": "Hotline", "website": "", "contacts": "x@example.org", "hours": ""})
    assert one.snapshot is not None and "x@example.org" in one.snapshot.texts["ru"]["contacts"].body


def test_the_config_takes_organisation_details_per_language(tmp_path: Path) -> None:
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert "\n  contacts:\n    en:" in config, "the shipped config writes them per language"
    settings = load_settings(ROOT / "config.yaml")
    assert isinstance(settings.organisation.contacts, dict) and set(settings.organisation.contacts) >= {"ru", "uk"}
    broken = tmp_path / "config.yaml"
    broken.write_text(config.replace("\n  contacts:\n    en:", "\n  contacts:\n    English:", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="contacts"):
        load_settings(broken)


def check_questions(content: Path, text: str, *, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`check` of the content with `text` as its English questions.yml."""
    (content / "en" / "questions.yml").write_text(text, encoding="utf-8")
    return check(content, capsys=capsys)


def test_example_questions_are_checked(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check_questions(content, "answered:\n  contacts:\n    - where is your office\n  no_such_page:\n"
                                "    - what now\n  start:\n    - hello\nnot_answered:\n  - weather tomorrow\n"
                                "  - where is your office\n", capsys=capsys)
    assert code == 1
    assert "questions.yml:4: error: 'no_such_page' is not a page id" in out
    assert "questions.yml:6: error: the start page is never a search answer" in out
    assert "questions.yml:10: warning: 'where is your office' is listed twice (also under contacts)" in out
    code, out = check_questions(content, "answered:\n  contacts: where is your office\n", capsys=capsys)
    assert code == 1 and "questions.yml:2: error: contacts: write its questions as a list" in out
    code, out = check_questions(content, "- a list is not the shape\n", capsys=capsys)
    assert code == 1 and "questions.yml:1: error: questions.yml has two sections" in out


def test_an_editors_slips_in_the_questions_get_messages_that_say_what_to_do(
        content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check_questions(content, "answered:\n  contacts:\n    - where is your office\nnot_answerd:\n"
                                "  - weather tomorrow\n", capsys=capsys)
    assert code == 1 and "questions.yml:4: error: 'not_answerd' is not a section of questions.yml" in out
    assert "write `not_answered:`" in out
    code, out = check_questions(content, "answered:\n  contacts:\n    - i am 29: can you help\n    - 112\n",
                                capsys=capsys)
    assert code == 1
    assert "questions.yml:3: error: contacts: YAML reads this question as a key, because of its colon" in out
    assert "questions.yml:4: error: contacts: YAML reads '112' as a number, not as a question" in out
    assert "double quotes" in out
    code, out = check_questions(content, "answered:\n  contcts:\n    - where is your office\nunanswered:\n"
                                "  - weather\n", capsys=capsys)
    assert code == 1 and "questions.yml:4: error: 'unanswered' is not a section of questions.yml — write " \
        "`not_answered:`" in out
    code, out = check_questions(content, "answered:\n  contcts:\n    - where is your office\n", capsys=capsys)
    assert code == 1 and "questions.yml:2: error: 'contcts' is not a page id — did you mean `contacts`?" in out
    code, out = check_questions(content, "answered:\n  contacts:\n    - where are you #help\n    - #help\n"
                                "    - \"is #1 free\"\n    - Where is your office?\n    - where is your office\n",
                                capsys=capsys)
    assert code == 1
    assert "questions.yml:3: warning: the question stops at the `#`" in out
    assert "questions.yml:4: error: contacts: an empty question (YAML reads all after a `#` as a comment)" in out
    assert "questions.yml:5:" not in out, "a # inside quotes is part of the question"
    assert "questions.yml:7: warning: 'where is your office' is listed twice under contacts" in out
    code, out = check_questions(content, "# nothing yet\n", capsys=capsys)
    assert code == 0 and "questions.yml:1: warning: questions.yml has no questions" in out


def test_too_few_questions_no_page_answers_are_warned_of(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The search weighs how near a question no page answers comes (bot/search/calibration.py): without them it
    # offers pages readily.
    code, out = check_questions(content, "answered:\n  contacts:\n    - where is your office\nnot_answered:\n"
                                "  - weather tomorrow\n", capsys=capsys)
    assert code == 0 and "questions.yml:4: warning: only 1 question(s) under `not_answered:`" in out
    assert "list at least 20 questions people ask that no page answers" in out
    many = "".join(f"  - is there a bus to town number {n}\n" for n in range(20))
    code, out = check_questions(content, "answered:\n  contacts:\n    - where is your office\nnot_answered:\n"
                                + many, capsys=capsys)
    assert "not_answered:`" not in out, "twenty are enough"
    code, out = check_questions(content, "answered:\n  contacts:\n    - where is your office\n", capsys=capsys)
    assert "questions.yml:1: warning: only 0 question(s) under `not_answered:`" in out


def test_questions_the_bot_would_never_search_are_warned_of(content: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    story = " ".join(["and then they came to my flat"] * 10)
    (content / "en" / "questions.yml").write_text(
        f"answered:\n  contacts:\n    - where is your office\n    - hello\n"
        f"not_answered:\n  - weather tomorrow\n  - {story}\n  - как доехать до берлина\n", encoding="utf-8")
    code, out = check(content, capsys=capsys)
    assert code == 0, out
    assert "questions.yml:4: warning: 'hello': the bot reads this as a greeting, not a question" in out
    assert "questions.yml:7: warning: 'and then they came" in out
    assert "never searches a message this long (over 400 characters or 60 words)" in out
    assert "questions.yml:8: warning: 'как доехать до берлина' is in Cyrillic letters, in the en questions" in out
    assert "where is your office" not in out and "weather tomorrow" not in out
    assert out.count("en/questions.yml:") == 4
    assert "ru/questions.yml: warning: no questions.yml in ru/" in out, "the other languages have none"
    assert "questions.yml:5: warning: only 3 question(s) under `not_answered:`" in out
    (content / "ru" / "questions.yml").write_text(
        "answered:\n  contacts:\n    - чи можна виїхати з росії\n    - можно ли выехать из россии\n", encoding="utf-8")
    (content / "de" / "questions.yml").write_text("answered:\n  asylum:\n    - wo stelle ich einen asylantrag\n",
                                                  encoding="utf-8")
    code, out = check(content, capsys=capsys)
    assert "ru/questions.yml:3: warning: 'чи можна виїхати з росії' has letters of uk, not of ru" in out
    assert "ru/questions.yml:4:" not in out
    assert "de/questions.yml:2: warning: 'asylum' has no de text yet: its questions find it only once it is " \
        "translated" in out


def test_a_question_in_another_language_of_the_same_alphabet_is_warned_of(content: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (content / "de" / "questions.yml").write_text(
        "answered:\n  contacts:\n    - where can i find a lawyer in berlin\n    - wo finde ich einen anwalt\n"
        "    - anwalt in berlin\nnot_answered:\n  - what is the weather in berlin\n", encoding="utf-8")
    code, out = check(content, capsys=capsys)
    assert code == 0, out
    assert "de/questions.yml:3: warning: 'where can i find a lawyer in berlin': this looks like en, not de" in out
    assert "de/questions.yml:7: warning: 'what is the weather in berlin': this looks like en" in out
    assert "wo finde ich" not in out and "anwalt in berlin" not in out, "German, or too few words to tell"


def test_example_questions_reach_the_snapshot(content: Path) -> None:
    (content / "en" / "questions.yml").write_text(
        "answered:\n  contacts:\n    - where is your office\nnot_answered:\n  - weather tomorrow\n", encoding="utf-8")
    snapshot = load_content(content, languages=LANGUAGES, fallback_language="en").snapshot
    assert snapshot is not None
    assert snapshot.questions["en"] == {"contacts": ("where is your office",)}
    assert snapshot.not_answered["en"] == ("weather tomorrow",)


def test_a_second_questions_file_is_refused(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (content / "en" / "questions.yml").write_text("answered:\n  contacts:\n    - where is your office\n",
                                                  encoding="utf-8")
    (content / "en" / "questions.yaml").write_text("answered:\n  asylum:\n    - where to ask\n", encoding="utf-8")
    code, out = check(content, capsys=capsys)
    assert code == 1 and "questions.yml:1: error: a second questions file in en/" in out
