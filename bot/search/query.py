"""What kind of message a typed text is, before anything is searched.

Some texts are not questions: a greeting, "menu", "I want a human", a smiley, a whole life story. Each
gets a clear answer of its own instead of search results that would only be noise.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.search.folding import to_cyrillic_layout
from bot.search.text import ALL_STOP_WORDS, has_letters, letter_count, normalise, script_of, words

# Longer than a search query: someone telling their story. They need a person, not a list of pages. A worried
# question with its story around it is searched: ten of 420 questions written on 2026-11-30 from the pages, as
# people type, had 31 to 33 words and were read as stories at 30; searched, nine get their page among the first
# three.
MAX_QUERY_CHARS = 400
MAX_QUERY_WORDS = 60
MIN_QUERY_LETTERS = 3


class QueryKind(Enum):
    SEARCH = "search"
    COMMAND = "command"  # "/something": the command handlers' business
    NO_WORDS = "no_words"  # emoji, stickers typed as text, punctuation
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    GREETING = "greeting"
    MENU = "menu"  # "menu", "start", "back": they want the buttons
    COUNSELLOR = "counsellor"  # "a human please", "help": they want a person


_GREETINGS = frozenset("""
    привет приветствую здравствуйте здравствуй здрасте добрый день вечер утро доброе хай hi hello hey hallo
    moin servus guten tag abend morgen привіт вітаю добрий доброго дня ранку вечора спасибо благодарю
    спасибі дякую thanks thank danke dankeschön ok ок окей okay хорошо понятно ясно gut alles klar ага
    да нет yes no ja nein так ні test тест
    понял поняла понятненько ясненько спс спасибки пасиб отлично супер класс круто зрозумів зрозуміла зрозуміло
    добре чудово зрозумел verstanden verstehe super prima toll understood understand cool great thx ty
""".split())
# Acknowledgements of words that are questions' words too ("they got me").
_ACKNOWLEDGEMENTS = frozenset({"got it", "ok got it", "okay got it", "i see", "ok i see"})
# An acknowledgement with one of these is none: "не понял что делать", "verstehe nicht" ask for help.
_NEGATIONS = frozenset("не ні нет nicht kein not dont don't didn't didnt".split())
_MENU_WORDS = frozenset("""
    меню старт начало назад главное главная start menu back main home zurück hauptmenü startseite
    language язык мова sprache
""".split())
_COUNSELLOR_WORDS = frozenset("""
    консультант консультанта консультанту консультантом консультанты консультации консультация
    консультацію человек человеком человеку людьми живой живым оператор оператором поговорить
    позвоните позвонить помогите помощь помочь нужна нужен консультант юрист юриста адвокат адвоката
    людина людиною живою поговорити допоможіть допомога допомогти потрібна
    counsellor counselor counselling human person operator someone anyone talk speak help lawyer real
    berater beraterin beratung mensch menschen sprechen reden hilfe helfen anwalt anwältin echten echter echte realen
    want хочу хочу хочет hätte möchte need brauche
    связаться связатися зв'язатися написать написати reach erreiche erreichen kontaktieren
    человека людини людей кем ким wem whom говорить говорити
""".split())

# "A person, not a bot" ("хочу поговорить с живым консультантом а не с ботом"): these ask for a counsellor beside
# the words above, never alone ("бот хранит мои данные?" asks about this chat).
_BOT_WORDS = frozenset("бот бота боту ботом боте ботов робот роботом bot bots chatbot robot roboter maschine".split())
_COUNSELLOR_OR_BOT_WORDS = _COUNSELLOR_WORDS | _BOT_WORDS

# A question that asks where to look rather than what ("я білорус, з чого мені почати", "шо є для росіян", "where do
# i start", "wo finde ich hier was dazu"), in ru, uk, en or de, normalised, spaces single: the search ranks the menus
# of pages higher for it (a country's section, "Leaving": bot/search/index.py) and does not read these words as what
# it is about; one that asks nothing else gets the main menu (classify). Not "де є ..." ("де є безкоштовний юрист"
# asks for a lawyer), only "де тут ..."; not German "was gibt es für ..." ("what kinds of ...").
WHERE_TO_LOOK = re.compile(
    r"(?<!\w)(?:"
    r"с (?:чего|чево|чо) (?:же |мне |нам |лучше |стоит |тут |вообще )?(?:начать|начинать|начять)"
    r"|куда (?:мне |нам )?(?:тут |здесь )?(?:смотреть|нажимать|тыкать|жать)"
    r"|(?:что|што|шо|чо|че) (?:тут |здесь )?(?:почитать|читать|есть для)|где (?:тут|здесь) (?:про|о|об|есть)"
    r"|(?:что|чо|че) (?:тут|здесь) есть|как(?:ой|ом) раздел|с какого раздела|какую кнопку|где (?:мне )?почитать"
    r"|s chego nachat"
    r"|з (?:чого|чо|шо) (?:ж |мені |нам |краще |варто |тут |взагалі )?(?:почати|починати|розпочати|почать)"
    r"|куди (?:мені |нам )?(?:дивитис[ья]|тиснути|тиснуть|натискати|тицяти)"
    r"|(?:що|шо) (?:тут )?(?:почитати|почитать|читати|є для)|де тут (?:про|є)|що тут є"
    r"|як(?:ий|ому) розділ|з якого розділу|яку кнопку|де (?:мені )?почитати|z choho pochaty"
    r"|where (?:do|should|shud|can|shall) (?:i|we) (?:even |actually |first )?(?:start|begin|look)"
    r"|where to (?:start|begin|look)"
    r"|which (?:section|button)|what (?:is there|do you have) for|what should i read|where (?:can|do) i read"
    r"|wo (?:fange|fang|fangen|beginne|beginnen) (?:ich|wir) (?:am besten |denn |jetzt |überhaupt |ueberhaupt )?an"
    r"|wo anfangen"
    r"|wo beginne ich|womit (?:soll ich |fange ich )?(?:an|anfangen)"
    r"|welche[rnms]? (?:abschnitt|bereich|knopf|rubrik)|wo finde ich (?:hier|da)|was soll ich lesen"
    r"|wo (?:soll|sollen|muss|müssen) (?:ich|wir) (?:denn )?(?:anfangen|beginnen|schauen|lesen|suchen)"
    r"|wo ich anfangen soll"
    r")(?!\w)")
# What is left of a question that only asks where to look and says nothing of what: a greeting, "please", "I don't
# know" ("не знаю з чого почати", "hi, where do i start?", "please help, where should i start").
_NOTHING_ASKED = _GREETINGS | frozenset("""
    знаю знать знаем подскажите подскажи пожалуйста помогите не знаю вообще понимаю
    знаю знати підкажіть підкажи будь ласка допоможіть розумію взагалі
    know idea sure please help honestly really no clue
    weiß weiss keine ahnung bitte helft hilfe sag sagt sagen mir
""".split())


# A question about this chat itself: whether it is safe to write here, who may read or keep it, whether "you" are
# the FSB ("безопасно ли сюда писать", "ви мене не здасте", "can anyone else read this chat", "speichert ihr meine
# Nummer"), in ru, uk, en or de, normalised, spaces single. It gets the page about the helpline (tree.yml `about:`)
# first, whatever its other words (Ranking.about, calibration.decide), and the pages the rest of it finds after that
# one (without_about_this_chat): its words say "here" and "you", small words, and the rest ("тцк може дізнатися",
# "полиции") are what the page on the recruitment office or on phones at the border is about. Not "вы видите выход",
# "здесь писать заявление", "who can read my asylum file". Of the 37 questions of the content's and the development
# sets it matches (2026-12-03), 36 are listed for that page. A tester's 88 questions about this chat get the page
# first for 87 (59 before this reading of them), and their 24 with the same words about something else for 1 (11);
# a second tester's 60 (handing over, a trap, who reads these messages), 44 -> 60, and their 44 others for 1.
ABOUT_THIS_CHAT = re.compile(
    r"(?<!\w)(?:"
    # ru, uk: writing here ("безопасно ли сюда писать", "тцк дізнається шо я вам писав"), not an application to write
    # there ("в военкомате сказали что здесь писать заявление")
    r"(?:сюда|сюди|здесь|тут) (?:\w+ ){0,2}(?:писать|пишу|написать|писати|написати|пишете|пишемо|пишем|писал|писала"
    r"|писав|писала|напишу|писали)\b(?! (?:заявлен|заяв|письм|лист|рапорт))"
    r"|вам (?:писал|писала|писав|пишу|напишу|написал|написав|написала)\b"
    r"|(?:этот|этом|этого|этому|этим|ваш|вашем|вашего|вашим|цей|цьому|цього|цим|вашому|вашим) (?:чат|бот)"
    # "you": handing on or keeping what is written, not "вы видите выход"
    r"|(?:вы|ви) (?:видите|бачите) (?:мой|мою|мои|мій|мою|мої|моє) (?:ник|нік|номер|имя|ім'я|імя|телефон)\b"
    r"|вы (?:\w+ ){0,4}(?:передадите|передаете|передаёте|сдадите|сдаете|сдаёте|сливаете|сохраняете|храните"
    r"|записываете|здадите)\b"
    r"|ви (?:\w+ ){0,4}(?:передасте|передаєте|здасте|здаєте|здадите|зливаєте|зберігаєте|записуєте)\b"
    r"|(?:вы|ви) (?:(?:точно|случайно|часом|не|из|з|от|від) ){0,3}(?:фсб|фсбшники|фсбшник|кгб|тцк|тцкшники|менты"
    r"|полиция|поліція|военкомат|військкомат)\b"
    r"|(?:кто|хто|хтось|кто-то|кто-нибудь) (?:еще |ещё |ще )?(?:может |може )?(?:читать|читает|читати|читає|видит"
    r"|бачить|прочитает|прочитає|увидит|побачить) (?:этот|эту|эти|цей|цю|ці|мои сообщения|мої повідомлення"
    r"|переписк|листуванн|что я|що я|шо я|наш)|переписк\w* (?:с вами|з вами)"
    r"|(?:называть|назвать|говорить|сказать|казати|називати|назвати|сказати) (?:\w+ )?(?:свое |своё |мое |моё |своє "
    r"|моє )?(?:имя|ім'я|імя|фамилию|прізвище)\b"
    # a trap, asked first: "это не подстава?", "це не підстава від тцк", "is this a trap", "ist das eine falle" (not
    # "... stimmt das oder ist das ne falle", of a contract)
    r"|^(?:а |и |ну |і )?(?:это|ето|це|цей бот) (?:\w+ )?(?:не )?(?:подстава|ловушка|развод|провокация|пастка"
    r"|провокація|підстава від)\b"
    # en
    r"|(?:write|writing|message|text|type|typed|wrote|messaged) (?:here|to you|this bot|this chat)\b"
    r"|(?:text|message|write to) (?:you|u)\b|(?:need|give|tell) (?:you )?my (?:real |full )?name\b"
    r"|(?:is|does|will|can|did) this (?:chat|bot)\b|this (?:chat|bot) (?:is |really )?(?:safe|secure|real|fake|saves?"
    r"|keeps?|stores?|records?|logs?)\b|(?:delete|clear|erase) this chat\b"
    r"|do (?:you|u) (?:store|keep|save|share|pass|give|record|log|sell|report)\b"
    r"|(?:you|u) (?:wont|won't|will not|dont|don't|do not) (?:tell|report|give|pass|share|hand)\b"
    r"|(?:will|would|do|did) (?:you|u) (?:\w+ )?(?:hand (?:me|us) over|turn (?:me|us) in|report (?:me|us)|sell my"
    r"|pass my|give my)\b"
    r"|^(?:so |and |hey )?is (?:this|it) (?:a |an )?(?:trap|setup|set up|honeypot|scam|fake|sting)\b"
    r"|(?:are|r) (?:you|u) (?:guys |really |actually )?(?:the |from (?:the )?)?(?:fsb|kgb|police|cops|military|tcc"
    r"|government)\b|(?:are|r) (?:you|u) (?:keeping|storing|saving|recording|logging|reading)\b"
    r"|(?:anyone|someone|who) (?:else )?(?:can )?(?:read|see)s? (?:this chat|this conversation|my messages)\b"
    r"|(?:see|read|find out|know|learn) what i (?:write|type|wrote|typed|send|sent)\b"
    # de
    r"|(?:was|dass|wenn|ob) ich (?:\w+ ){0,2}(?:hier|euch) (?:\w+ ){0,2}\w*(?:schreibe|schreib|geschrieben)\b"
    r"|(?:hier|euch) (?:\w+ )?zu (?:schreiben|fragen)\b|(?:meine|unsere) (?:nachrichten|daten|nummer|telefonnummer) "
    r"(?:\w+ )?(?:gespeichert|gelesen|weitergegeben|sehen|lesen)\b|(?:meinen )?namen (?:angeben|nennen|sagen)\b"
    r"|(?:diesen|diesem|dieser|euren|eurem) (?:chat|bot)\b"
    r"|(?:speichert|speichern|lest) (?:ihr|sie)\b|gebt ihr (?:\w+ ){0,3}weiter\b|seht ihr (?:was|meine|wer)\b"
    r"|seid ihr (?:\w+ )?(?:vom |von der |die )?(?:fsb|kgb|polizei|geheimdienst|militär)\b"
    r"|mit(?:liest|lesen)\b|liest (?:hier )?(?:jemand|wer|einer) mit\b"
    r"|ihr (?:\w+ )?(?:verratet|meldet|verpfeift) mich\b|(?:verratet|meldet|verpfeift) ihr (?:\w+ )?(?:mich|uns)\b"
    r"|wer liest (?:das |die |diese |meine |unsere )?(?:hier|nachrichten|chats?|mit)\b"
    r"|^(?:und |also )?ist (?:das|dies) (?:\w+ )?(?:eine )?(?:falle|fake)\b"
    r")")


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]")  # a word or a mark of punctuation


def _spaced(text: str) -> str:
    return " ".join(normalise(text).split())


# Where to begin doing something is a how-to question, not where to look ("с чего начать заявление на агс", "where do
# i start my application"): a verb of beginning in WHERE_TO_LOOK with its object after it, past these small words.
_BEGIN = re.compile(r"(?:начать|начинать|почати|починати|розпочати|почать|start|begin|anfangen|beginnen|an)$")
_DETERMINERS = frozenset("""
    мою мой моё мое мои свою свой своё свое свои мій моє мої свій своє свої
    my the a an our his her meinen meine mein meinem meiner den dem die das einen eine ein
    with mit
""".split())


def _asking_where_to_look(text: str) -> list[re.Match[str]]:
    """The matches of WHERE_TO_LOOK in a spaced, normalised text that ask where to look: not a verb of beginning
    (_BEGIN) whose object follows it, past a possessive or an article ("с чего начать заявление")."""
    found = []
    for match in WHERE_TO_LOOK.finditer(text):
        if _BEGIN.search(match.group()):
            following = next((token.group() for token in _TOKEN.finditer(text, match.end())
                              if token.group() not in _DETERMINERS), None)
            if following is not None and _WORD.fullmatch(following) and following not in ALL_STOP_WORDS:
                continue
        found.append(match)
    return found


def asks_where_to_look(text: str) -> bool:
    """Whether a typed text asks where to look rather than what (WHERE_TO_LOOK)."""
    return bool(_asking_where_to_look(_spaced(text)))


def asks_about_this_chat(text: str) -> bool:
    """Whether a typed text asks about this chat itself: whether it is safe, who may read it (ABOUT_THIS_CHAT)."""
    return ABOUT_THIS_CHAT.search(_spaced(text)) is not None


def without_about_this_chat(text: str) -> str | None:
    """The text, normalised, without its words that ask about this chat (what else it asks: "а вы не сдадите меня
    военкомату если я напишу что я в сзч" asks about desertion too), or None if it does not ask about this chat."""
    rest, found = ABOUT_THIS_CHAT.subn(" ", _spaced(text))
    return rest if found else None


def without_where_to_look(text: str) -> str | None:
    """The text, normalised, without its words that ask where to look, and without what is said with them and asks
    nothing ("не знаю", "please help": _NOTHING_ASKED): what it asks about. None if it does not ask where to look."""
    spaced = _spaced(text)
    found = _asking_where_to_look(spaced)
    if not found:
        return None
    rest = "".join(spaced[start:match.start()] + " " for start, match in zip(
        [0, *(match.end() for match in found)], found, strict=False)) + spaced[found[-1].end():]
    return _WORD.sub(lambda word: " " if word.group() in _NOTHING_ASKED else word.group(), rest)


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in ALL_STOP_WORDS]


def _all_in(found: list[str], vocabulary: frozenset[str]) -> bool:
    return bool(found) and all(w in vocabulary for w in found)


def classify(text: str) -> QueryKind:
    stripped = text.strip()
    if stripped.startswith("/"):
        return QueryKind.COMMAND
    if not has_letters(stripped) and not any(c.isdigit() for c in stripped):
        return QueryKind.NO_WORDS
    if len(stripped) > MAX_QUERY_CHARS or len(words(stripped)) > MAX_QUERY_WORDS:
        return QueryKind.TOO_LONG
    found = _content_words(stripped)
    readings = [found]
    if script_of(stripped) == "latin":
        readings.append(_content_words(to_cyrillic_layout(stripped)))  # "ghbdtn" is "привет"
    if " ".join(words(stripped)) in _ACKNOWLEDGEMENTS:
        return QueryKind.GREETING
    for reading in readings:
        if _all_in(reading, _GREETINGS):
            if not _NEGATIONS.isdisjoint(words(stripped)):
                return QueryKind.COUNSELLOR  # "не понял, что делать": a person can help
            return QueryKind.GREETING
        if _all_in(reading, _MENU_WORDS):
            return QueryKind.MENU
        if _all_in(reading, _COUNSELLOR_OR_BOT_WORDS) and not _all_in(reading, _BOT_WORDS):
            return QueryKind.COUNSELLOR
    if (rest := without_where_to_look(stripped)) is not None and all(
            word in _NOTHING_ASKED or word in ALL_STOP_WORDS for word in words(rest)):
        return QueryKind.MENU  # "с чего начать": the main menu is where to start
    if letter_count(stripped) < MIN_QUERY_LETTERS or not found:
        return QueryKind.TOO_SHORT
    return QueryKind.SEARCH
