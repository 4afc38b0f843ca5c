"""`hotline content search "QUERY" --lang CODE [--here PAGE]`: how the bot ranks the pages for a question.
`hotline content calibrate`: fit the chance that a page answers again, on the content's questions.
`hotline content misses [--lang CODE]`: the content's questions the search gets wrong when they are not listed.

For editors tuning `keywords:`, questions.yml and the no-match floor (`search:` in config.yaml). It prints the
query the editor typed, which is theirs to see; the bot itself never prints or keeps what people type.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.content.model import ContentSnapshot
from bot.search import QueryKind, SearchIndex
from bot.search.calibration import (
    FEATURES,
    FOLDS,
    SHIPPED,
    WHOLE_QUESTION,
    content_questions,
    cross_validated,
    figures,
    fit,
    fold_left_out,
    fold_of,
    labelled,
)
from bot.search.service import DEPTH, RESULTS
from hotline.content_cli import loaded


def _known_language(snapshot: ContentSnapshot, language: str) -> bool:
    """Whether the content is in `language`; if not, says so."""
    if language in snapshot.languages:
        return True
    print(f"hotline: '{language}' is not one of the languages in config.yaml ({', '.join(snapshot.languages)})")
    return False


def content_search(config: Config, directory: Path | None, query: str, language: str, limit: int,
                   here: str | None = None) -> int:
    target = (directory or config.content_dir).resolve()
    snapshot = loaded(config, target)
    if snapshot is None:
        return 1
    if not _known_language(snapshot, language):
        return 2
    if here is not None and here not in snapshot:
        print(f"hotline: there is no page '{here}' in {target}")
        return 2
    settings = config.settings.search
    index = SearchIndex(snapshot, settings)
    answer = index.search(query, language, here=here)
    if answer.kind is not QueryKind.SEARCH:
        print(f"Not searched: the bot reads this as '{answer.kind.value}' and answers with a fixed message.")
        return 0
    ranking = answer.ranking
    assert ranking is not None
    # The pages listed are those of the language whose texts the answer used: another one's when the reader's
    # matched too little (the withheld page is then that language's too).
    listed_language = ranking.language if (ranking.hits or answer.withheld is not None
                                           or answer.like_not_answered is not None) else language
    rule = (f"the chance that the best page (or one of the next two) answers is at least {settings.min_chance:.0%} "
            "(weighed from how much of the question it explains, how strongly, how many of its words it has, how "
            "near the questions no page answers come and whether its words are likelier among them than in the page), "
            f"or the question is one word; its words are in it at least "
            f"{settings.floor:g} strongly or it explains {WHOLE_QUESTION:.0%} of the question; it has more than the "
            "question's places; it is not about another country than the question's; and, for a question asking "
            "what something costs or pays, it names a sum of money or says it is free")
    withheld = answer.withheld
    # As deep as the search looks; the questions no page answers are listed too but not counted in `limit`.
    listing = index.rank(query, listed_language, max(limit, RESULTS) * DEPTH, reader=language, here=here)
    if answer.chance is not None:
        verdict = "at or above" if answer.chance >= settings.min_chance else "below"
        anyway = "" if not answer.found or answer.chance >= settings.min_chance else (
            "; offered all the same: one word is a topic to browse" if ranking.words == 1 else
            "; offered all the same: the question asks where to look, and the best page is a menu of pages"
            if listing.where_to_look else "")
        print(f"Chance that the best page (or one of the next two) answers: {answer.chance:.1%}, {verdict} "
              f"`search: min_chance` ({settings.min_chance:.0%}) in config.yaml{anyway}")
    elif withheld is not None:
        why = ("it has only the question's places" if withheld.only_places else
               "it is about another country than the question's" if withheld.elsewhere else
               "the question asks what something costs or pays, and it names no sum of money and does not say it "
               "is free" if withheld.no_amount else
               f"its words are only mentioned in it (strength {withheld.strength:.2f}, below `search: floor` "
               f"{settings.floor:g}) and it explains less than {WHOLE_QUESTION:.0%} of the question")
        print(f"No chance weighed: the nearest page is never offered, as {why}.")
    otherwise = index.meant_otherwise(query, listed_language)
    read = [f"{word} → {'/'.join(terms)}" if terms else
            f"{word} (another meaning here: {listed_language}/search.yml, other_meanings)" if word in otherwise else
            f"{word} (in no page)"
            for word, terms in index.words(query, listed_language) if not index.is_small_word(word, listed_language)]
    print(f"Words read ({listed_language}): {'; '.join(read) or 'none'}")
    if answer.like_not_answered is not None:
        print(f"No page offered: the question is most like one no page answers ({listed_language}/questions.yml, "
              f"not_answered): \"{answer.like_not_answered}\"; the person is told there is no page on that and "
              "offered a counsellor.")
    if not ranking.hits:
        if answer.withheld is None and answer.like_not_answered is None:
            print(f"No page found in {language}: the person is offered the main menu and a counsellor.")
            return 0
        if answer.like_not_answered is None:
            print(f"No page offered: the best one falls below the no-match rule ({rule}); the person is told "
                  "there is no page on that and offered a counsellor.")
        if answer.section is not None:
            section = snapshot.page(answer.section, language).text.button
            print(f"They also get the menu section of the nearest page in {language} to browse: 📂 {section}.")
        if listed_language != language:
            print(f"Too little matched in {language}; the nearest pages below are the {listed_language} ones.")
    shown = {hit.node for hit in ranking.hits}
    if ranking.hits and ranking.language != language:
        print(f"Too little found in {language}; these matched in {ranking.language} (the person is told so).")
    if listing.about is not None:
        print(f"The question asks about this chat itself (whether it is safe to write here, who may read it): the page "
              f"about the helpline, {listing.about.node}: {snapshot.page(listing.about.node, language).text.title}, is "
              "offered first whatever the chance, then the pages below that pass the no-match rule (ABOUT_THIS_CHAT "
              "in bot/search/query.py).")
    print(f"{'rank':>4}  {'score':>7}  {'cover':>5}  {'strength':>8}  page")
    pages = 0
    for number, hit in enumerate(listing.hits, start=1):
        like = index.not_answered_question(hit.node, listing.language)
        pages += like is None
        if pages > max(limit, RESULTS):
            break
        mark = "*" if hit.node in shown else " "
        title = f"a question no page answers: \"{like}\"" if like is not None else (
            snapshot.page(hit.node, language).text.title)
        print(f"{number:>3}{mark}  {hit.score:7.2f}  {hit.coverage:5.0%}  {hit.strength:8.2f}  {hit.node}: {title}")
        places = "  (only the question's places: not an answer)" if hit.only_places else (
            "  (about another country than the question's: not an answer)" if hit.elsewhere else
            "  (names no sum of money and does not say it is free, which the question asks: not an answer)"
            if hit.no_amount else "")
        if hit.listed:
            places += f"  (the question is listed for it in {listing.language}/questions.yml: it comes first)"
        print(f"{'':>31}matched: {', '.join(hit.terms)}{places}")
    print(f"* shown to the person as buttons. A page is offered only if it passes the no-match rule: {rule}.")
    return 0


def content_calibrate(config: Config, directory: Path | None) -> int:
    """Fit the chance that a page answers on the content's questions (each asked of an index built without it)
    and print it, to paste into bot/search/calibration.py, with what it and the shipped one do per language."""
    snapshot = loaded(config, (directory or config.content_dir).resolve())
    if snapshot is None:
        return 1
    settings = config.settings.search
    askings = list(cross_validated(snapshot))
    rows = labelled(askings, settings.floor)
    try:
        fitted = fit(rows)
    except ValueError:
        print("Nothing to fit: the content needs questions pages answer and questions no page answers "
              "(questions.yml, `answered:` and `not_answered:`).")
        return 1
    print(f"Fitted on {len(rows)} of the content's {len(askings)} questions ({sum(label for _, label in rows)} "
          "answered by a page among the first three, the rest answered by none); features: " + ", ".join(FEATURES))
    print(repr(fitted))
    print(f"At min_chance {settings.min_chance:g}, each question asked of an index built without it:")
    for name, calibration in (("shipped", SHIPPED), ("fitted", fitted)):
        for language, found in sorted(figures(askings, calibration, settings.min_chance, settings.floor).items()):
            print(f"  {name:>7} {language}: the right page among the first three for {found.three} of {found.asked}; "
                  f"{found.with_a_page} of {found.unanswerable} questions no page answers get a page")
    return 0


def content_misses(config: Config, directory: Path | None, language: str | None = None) -> int:
    """Ask each question of questions.yml of the bot's search built without it (as if someone typed it and nobody
    had listed it: 5 folds, as `calibrate` does) and print, per language, the ones it gets wrong: a question whose
    page is not among the pages offered, under each page it is listed for, most misses first, with what was
    offered; and a question no page answers that gets a page. What an editor can mend with a keyword, a glossary word or
    more questions like it."""
    snapshot = loaded(config, (directory or config.content_dir).resolve())
    if snapshot is None:
        return 1
    if language is not None and not _known_language(snapshot, language):
        return 2
    languages = [language] if language is not None else list(snapshot.languages)
    asked = {lang: content_questions(snapshot, lang) for lang in languages}
    unanswerable = {lang: snapshot.not_answered.get(lang, ()) for lang in languages}
    if not any(asked.values()) and not any(unanswerable.values()):
        print("No questions to ask: questions.yml lists none (`answered:` and `not_answered:`) in "
              + ", ".join(languages) + ".")
        return 0
    settings = config.settings.search
    missed: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {lang: {} for lang in languages}
    offered_none: dict[str, list[tuple[str, tuple[str, ...]]]] = {lang: [] for lang in languages}
    for fold in range(FOLDS):
        index = SearchIndex(fold_left_out(snapshot, fold), settings)
        for lang in languages:
            for question, pages in asked[lang]:
                if fold_of(question) == fold:
                    got = _offered(index, question, lang)
                    if pages.isdisjoint(got):
                        for page in pages:
                            missed[lang].setdefault(page, []).append((question, got))
            for question in unanswerable[lang]:
                if fold_of(question) == fold and (got := _offered(index, question, lang)):
                    offered_none[lang].append((question, got))
    for lang in languages:
        count = len({question for questions in missed[lang].values() for question, _got in questions})
        print(f"{lang}: {count} of {len(asked[lang])} questions pages answer miss their page (it is not among the "
              f"pages offered); {len(offered_none[lang])} of {len(unanswerable[lang])} questions no page answers "
              "get a page.")
        for page, questions in sorted(missed[lang].items(), key=lambda item: (-len(item[1]), item[0])):
            listed = len(snapshot.questions[lang][page])
            print(f"  {page} ({snapshot.page(page, lang).text.title}): {len(questions)} of its {listed} questions")
            for question, got in questions:
                print(f"    \"{question}\" → {', '.join(got) or 'no page'}")
        if offered_none[lang]:
            print("  no page answers these, yet they get one:")
            for question, got in offered_none[lang]:
                print(f"    \"{question}\" → {', '.join(got)}")
    print("Each question was asked of a search that had not read it, as a new question would be. To mend a miss: "
          "the words people use for the page in its `keywords:`, words no page uses in the glossary (search.yml), "
          "more questions like it in questions.yml; `hotline content search \"QUESTION\" --lang CODE` shows why a "
          "page was or was not offered (CONTENT.md).")
    return 0


def _offered(index: SearchIndex, question: str, language: str) -> tuple[str, ...]:
    """The pages the bot offers for a question (none: the no-match answer)."""
    answer = index.search(question, language)
    return tuple(hit.node for hit in answer.ranking.hits) if answer.found and answer.ranking else ()
