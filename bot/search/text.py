"""Turning text into comparable words: case, letters that people type interchangeably, markup, stop words.

Everything here is language-agnostic except the stop words. A query and a page go through the same
functions, so whatever is folded on one side is folded on the other.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Letters a phone keyboard or a hurried person swaps freely; folding them makes "ещё" meet "еще".
_FOLD = (("ё", "е"), ("ß", "ss"), ("’", "'"), ("ʼ", "'"), ("`", "'"))
_TAG_RE = re.compile(r"<[^>]*>")
# A word is a run of letters and digits; an apostrophe inside a word belongs to it (Ukrainian "м'ясо").
# (\w with "_" replaced beforehand: a plain \w runs faster than a [^\W_] class, and bodies are millions of words.)
WORD_RE = re.compile(r"\w+(?:'\w+)*")
CYRILLIC_RE = re.compile(r"[а-яіїєґ]")
LATIN_RE = re.compile(r"[a-z]")


def normalise(text: str) -> str:
    """Lower case, composed letters, the interchangeable ones folded."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.lower()
    for letter, replacement in _FOLD:  # str.replace runs in C; a translate table would not
        if letter in text:
            text = text.replace(letter, replacement)
    return text


def strip_markup(body: str) -> str:
    """The words of a Telegram-HTML body, without tags or entities."""
    return html.unescape(_TAG_RE.sub(" ", body))


def words(text: str) -> list[str]:
    text = normalise(text)
    if "_" in text:
        text = text.replace("_", " ")
    return WORD_RE.findall(text)


def script_of(word: str) -> str:
    """'cyrillic', 'latin' or 'other' (digits, other alphabets), by the first letter that tells."""
    for char in word:
        if "а" <= char <= "я" or char in "іїєґ":
            return "cyrillic"
        if "a" <= char <= "z" or char in "äöü":
            return "latin"
    return "other"


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


def letter_count(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


def _small(text: str) -> frozenset[str]:
    """Space-separated small words, folded as a text's words are ("bloß" is read as "bloss")."""
    return frozenset(map(normalise, text.split()))


# Small on purpose: only words that carry no topic. Words like "делать" stay, and the ranking gives them
# almost no weight because every page uses them.
STOP_WORDS: dict[str, frozenset[str]] = {
    "ru": _small("""
        обо между будто ведь вдруг лишь разве неужели пусть хотя хоть ибо зато причем притом словно также
        этого этой этим этих этом тот та те тех той тому тем
        а без бы был была были было быть в вам вас весь во вот все всё вы где да для до его ее её если есть
        еще ещё же за и из или им их к как когда кто ли либо мне меня мой мы на над не нет ни но ну о об
        он она они оно от по под при про с со так там то того тоже только ты у уже чем что чтобы эта эти
        это этот я мне меня мою моя мой мои нам нас ваш ваша ваши вашу себя свой своя свои который которая
        которые чего чему кого кому сейчас очень можно нужно надо пожалуйста плиз pls please
        делать сделать теперь дальше будет будут будет быть случится бывает могу может могут
        пришла пришел пришло пришли прислали
        через куда хочу хочешь хочет хотел хотела хочется сколько скольки скольких почему зачем какой какая какое
        какие каким каких вообще
        такое такой такая такие таких такую туда сюда тут здесь него нему ним ней нее неё них нем нём ему ей
        скока скоко опять снова чтоб оттуда отсюда просто типа короче
        ничего никто никого никому ничто нигде никакой никакая никакое никакие никаких никакого
    """),
    "uk": _small("""
        зі зо поміж крізь коло біля попри хоча хоч адже нехай ніби неначе проте зате однак отже той ті тих
        тієї тим оцей
        а без би був була були було бути в вам вас весь від вже все ви де для до його її якщо є ще же за і
        й з із або їм їх к як коли хто чи мені мене мій ми на над не ні але ну о про під при с так там то
        теж тільки ти у що щоб це ця ці цей я нам нас ваш ваша ваші себе свій своя свої який яка які зараз
        дуже можна треба потрібно будь ласка робити зробити тепер далі буде будуть можу може можуть
        прийшла прийшов прийшло прийшли
        через куди хочу хочеш хоче хотів хотіла скільки скількох чому навіщо яке якого якій яку взагалі
        таке такий така такі таких туди сюди тут тута нього ньому ним ній неї них йому їй
        по та після між перед поки бо тому також щодо навіть лише мабуть ось оце цього цьому цих цим цієї
        моя мою мого моєму моїй мої моїх моїм твій твоя твоє твої наш наша наше наші нашого свого своєму своїй
        він вона вони воно те хтось щось когось чогось шо щас просто знову типу короче
        нічого ніхто нікого нікому ніщо ніде ніякий ніяка ніяке ніякі ніяких ніякого
    """),
    "en": _small("""
        onto upon within via per towards toward among amongst whether about after before during under over
        between against since until while because each other same such own both either neither those here
        being doing might must till unto thru whom whose
        a an and are as at be been but by can could do does did for from had has have he her his how i if
        in into is it its me my no not of on or our she so than that the their them then there these they
        this to too us was we were what when where which who why will with would you your yours am im i'm
        pls please just any some now what's whats happens happen happened do dont don't doesnt should
        shall going gonna want wanna much many cant can't cannot wont won't already still u ur plz
        also really actually nothing nobody anything something
    """),
    "de": _small("""
        ins ans aufs durchs übers ums unters vors hinters zwischen unter vor hinter neben gegenüber außer
        innerhalb außerhalb anstatt mittels sowohl weder jedoch dennoch allerdings zudem außerdem sodass
        wobei womit wofür worüber woran wovon
        aber als am an auch auf aus bei bin bis bist da das dass dem den der des die dir du ein eine einem
        einen einer eines er es für hab habe hat hatte ich ihr im in ist ja kann mich mir mit man nach nicht
        noch nun ob oder sein sich sie sind so über um und uns von vom was wenn wer wie wir wird zu zum zur
        mein meine meinen meiner dein deine bitte jetzt gerade soll sollte muss tun nun passiert machen
        mache darf kann könnte will möchte wann warum welche welcher welches viel viele
        welchem welchen fürs kannst können musst müssen sollen willst möchten darfst dürfen
        ihn ihm ihnen euch wo dann denn doch schon mal etwas
        werden wurde wurden worden wollen ab beim einfach eigentlich gibt geht hier dort irgendwie irgendwo
        irgendwas überhaupt trotzdem sonst also ganz sehr halt eben immer
        werde wirst werdet wurdest würde würden würdest seid war waren warst wäre wären hast haben habt hatten
        hätte hätten könnten müsste dürfte sollst mag
        nur gibts sowas kein keine keinen keiner keinem nichts statt alles alle dies diese dieser dieses
        diesem diesen weil dazu denen deren dessen bzw usw jemand jemanden jemandem wieder mehr stimmt gehts
        wirklich echt leider bloß eh vielleicht ungefähr genau sowieso extra unser unsere ihre ihren seine
        seinen seiner deinen deinem meinem dich wieso weshalb wozu wieviel wieviele
        vllt vlt evtl ggf zb bspw lg mfg gibt's geht's
        wegen ohne während seit durch trotz bevor nachdem damit dafür davon darüber daran dabei deswegen deshalb
        daher obwohl falls sobald
        gegen sondern kaum fur grad jeden jede jeder ihrem ihrer seinem ne selbst lieber runter rein
        niemand niemanden
    """),
}
ALL_STOP_WORDS = frozenset().union(*STOP_WORDS.values())
