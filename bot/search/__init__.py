"""Search over the content in every language: people write their question; the bot answers with pages.

text.py and stemming.py turn words into terms, folding.py reads Russian typed on the wrong keyboard or in
Latin letters, fuzzy.py forgives typos, index.py ranks one language's pages, query.py sorts out texts that
are not questions, and service.py ties the languages together and follows content reloads.
"""

from bot.search.index import Hit, LanguageIndex, Ranking
from bot.search.query import QueryKind, classify
from bot.search.service import SearchAnswer, SearchIndex

__all__ = ["Hit", "LanguageIndex", "QueryKind", "Ranking", "SearchAnswer", "SearchIndex", "classify"]
