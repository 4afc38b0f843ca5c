"""`hotline preview` in a real browser: headless Chromium from the Debian packages, driven by Playwright.

Checks what a person (and a counsellor) would see on the page: menus, buttons, a language switch, a jump
to a page by id, the handoff played from both sides, a content change showing up after a save, text from
the content that tries to be markup, and a screenshot that is a real picture.

Chromium comes from `scripts/setup-browser.sh` (Debian's `chromium`); `playwright install` is never used.
Without Chromium these tests skip, except in CI (the CI variable is set), where they must run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import BrowserContext, Dialog, Locator, Page, ViewportSize, async_playwright, expect

from bot.config import Config
from hotline.preview import Preview
from tests.conftest import ALWAYS_OPEN, FIXTURE_CONTENT

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed: run scripts/setup-browser.sh (in CI these tests fail instead)",
                allow_module_level=True)

# This machine (and CI) may have no internet: nothing in the browser may try to reach it.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
CASE_CODE = re.compile(r"\b[A-Z2-9]{3}-[A-Z2-9]{3}\b")
expect.set_options(timeout=15_000)


@pytest.fixture
async def preview(tmp_path: Path, make_config: Callable[..., Config]) -> AsyncIterator[Preview]:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # a copy: the tests edit it to see the page reload
    running = Preview(make_config(content=content, extra_yaml=ALWAYS_OPEN), language="en", watch_interval=0.2)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


class Browser:
    """The page, plus everything that would mean something went wrong in it."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context = context
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", self._dialog)

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",  # a fresh profile for every test
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT,
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            yield Browser(context, page)
        finally:
            await context.close()


def chat(page: Page, side: str = "person") -> Locator:
    return page.locator(f'.column[data-side="{side}"] .chat')


async def tap(page: Page, label: str, side: str = "person") -> None:
    """Tap the button with this label on the newest message that has it, like a thumb would."""
    await page.locator(f'.column[data-side="{side}"] .kb', has_text=label).last.click()


async def type_in(page: Page, text: str, side: str = "person") -> None:
    box = page.locator(f'.column[data-side="{side}"] .message')
    await box.fill(text)
    await box.press("Enter")


async def test_person_and_counsellor_in_the_browser(preview: Preview, browser: Browser, tmp_path: Path) -> None:
    page = browser.page
    person, counsellor = chat(page), chat(page, "counsellor")
    await page.goto(preview.page.url if preview.page else "")

    await expect(person).to_contain_text("EN-ROOT-BODY. Test Hotline helps people who refuse to fight.")
    await expect(person.locator(".kb", has_text="I got a summons")).to_be_visible()
    await expect(person.locator(".kb", has_text="Talk to a counsellor")).to_be_visible()

    await tap(page, "I got a summons")
    await expect(person).to_contain_text("EN-SUMMONS-BODY.")
    await expect(person.locator(".msg.in b", has_text="Stay calm.")).to_be_visible()  # formatting, not tags
    assert "<b>" not in await person.inner_text()

    await page.select_option("#language", "ru")
    await expect(person).to_contain_text("RU-SUMMONS-BODY. Без паники.")  # same page, now in Russian
    await expect(page.locator("#language")).to_have_value("ru")
    await expect(person).not_to_contain_text("EN-SUMMONS-BODY")  # a new person's chat

    await page.fill("#node", "summons_what")
    await page.click("#jump button")
    await expect(person).to_contain_text("RU-WHAT-BODY. Повестка — это вызов в военкомат.")
    await expect(person.locator("a.kb.url", has_text="Инструкция")).to_have_attribute("href",
                                                                                     "https://example.org/guide")

    await type_in(page, "/on", "counsellor")
    await expect(counsellor).to_contain_text("You are on duty")
    await tap(page, "💬")
    await expect(person).to_contain_text("не присылайте своё настоящее имя")  # what happens, what not to send
    await tap(page, "✅")
    await expect(person).to_contain_text("Ваше место в очереди: 1.")
    code = CASE_CODE.search(await person.inner_text())
    assert code, await person.inner_text()
    await expect(counsellor).to_contain_text(code.group(0))  # the on-duty counsellor is told

    await type_in(page, "Мне пришла повестка")
    await type_in(page, "/take", "counsellor")
    await expect(counsellor).to_contain_text("You took this case")
    await expect(counsellor).to_contain_text("Мне пришла повестка")  # copied over to the counsellor
    await type_in(page, "Hello from the counsellor", "counsellor")
    reply = person.locator(".msg.in", has_text="Hello from the counsellor")
    await expect(reply).to_be_visible()
    await expect(reply).to_contain_text("Консультант")  # signed only "Counsellor", in the person's language

    shot = tmp_path / "preview.png"
    await page.screenshot(path=str(shot))
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == (VIEWPORT["width"], VIEWPORT["height"])
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 500, "a real rendering, not a blank or flat picture"
        white = sum(count for count, colour in colours if colour == (255, 255, 255))
        # the phones' frames
        dark = sum(count for count, colour in colours if isinstance(colour, tuple) and sum(colour) < 120)
        assert white > 0.02 * rgb.width * rgb.height and dark > 0.02 * rgb.width * rgb.height
    assert browser.errors == [] and browser.dialogs == []


async def test_saved_content_shows_up_and_stays_text(preview: Preview, browser: Browser) -> None:
    page = browser.page
    person = chat(page)
    assert preview.page is not None
    await page.goto(preview.page.url)
    await page.fill("#node", "asylum")
    await page.click("#jump button")
    await expect(person).to_contain_text("EN-ASYLUM-BODY. Protection in the EU.")

    texts = preview.config.content_dir / "en" / "nodes.yml"
    original = texts.read_text(encoding="utf-8")
    hostile = ("body: 'EN-ASYLUM-NEW. Try &lt;img src=x onerror=alert(1)&gt; and "
               "<b>bold</b>, <a href=\"https://example.org/x\">a link</a>.'")
    texts.write_text(original.replace('body: "EN-ASYLUM-BODY. Protection in the EU."', hostile), encoding="utf-8")

    # Saved: the person's page is shown again in its new form, without touching anything.
    await expect(person).to_contain_text("EN-ASYLUM-NEW. Try <img src=x onerror=alert(1)> and bold, a link.")
    await expect(page.locator("#banner")).to_contain_text("Content reloaded")
    bubble = person.locator(".msg.in", has_text="EN-ASYLUM-NEW")
    assert await page.locator(".chat img").count() == 0, "escaped text stays text"
    await expect(bubble.locator("b", has_text="bold")).to_be_visible()
    link = bubble.locator(".text a", has_text="a link")
    await expect(link).to_have_attribute("href", "https://example.org/x")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")

    # A save the checker refuses: the banner says why, and people keep getting the last good content.
    texts.write_text(original.replace('body: "EN-ASYLUM-BODY. Protection in the EU."',
                                      'body: "EN-ASYLUM-BAD. <script>alert(1)</script>"'), encoding="utf-8")
    banner = page.locator("#banner.error")
    await expect(banner).to_contain_text("still shows the previous version")
    await expect(banner).to_contain_text("nodes.yml")
    await expect(banner).to_contain_text("<script> is not supported by Telegram")
    await tap(page, "Main menu")
    await tap(page, "Asylum")
    await expect(person).to_contain_text("EN-ASYLUM-NEW.")
    await expect(person).not_to_contain_text("EN-ASYLUM-BAD")
    assert await page.locator("script").count() == 1  # only the page's own

    texts.write_text(original, encoding="utf-8")
    await expect(page.locator("#banner")).to_contain_text("Content reloaded")
    await expect(page.locator("#banner.error")).to_have_count(0)
    await expect(person).to_contain_text("EN-ASYLUM-BODY. Protection in the EU.")
    assert browser.errors == [] and browser.dialogs == []


@pytest.fixture
async def team_preview(make_config: Callable[..., Config]) -> AsyncIterator[Preview]:
    running = Preview(make_config(extra_yaml=ALWAYS_OPEN), language="en", team=True)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_team_view_in_the_browser(team_preview: Preview, browser: Browser, tmp_path: Path) -> None:
    page = browser.page
    person, group = chat(page), chat(page, "counsellor")
    column = page.locator('.column[data-side="counsellor"]')
    assert team_preview.page is not None
    await page.goto(team_preview.page.url)

    await expect(column.locator("h2:visible")).to_have_text("What the counsellors' group sees")
    await expect(column.locator(".team-title")).to_have_text("Test Hotline: counsellors")
    await expect(group.locator(".service", has_text="📌 Pinned")).to_be_visible()  # the board, pinned
    await expect(column.locator(".topic option", has_text="📌")).to_have_count(1)

    await tap(page, "Talk to a counsellor")
    await tap(page, "✅")
    await expect(person).to_contain_text(CASE_CODE)  # queued: the person is told their case code
    await type_in(page, "I got a summons")
    code = CASE_CODE.search(await person.inner_text())
    assert code, await person.inner_text()
    # The case's topic opens and is shown: named by its code, language and menu topic; nothing of the person.
    await expect(column.locator(".topic-name")).to_contain_text(f"{code.group(0)} · en · ")
    await expect(group.locator(".msg.in", has_text="I got a summons")).to_be_visible()
    await expect(group.locator(".msg.internal .internal-tag")).to_have_count(1)  # the bot's marker

    await type_in(page, "/take", "counsellor")
    await type_in(page, "Hello from the team", "counsellor")
    await expect(person.locator(".msg.in", has_text="Hello from the team")).to_be_visible()
    await type_in(page, "# looks urgent", "counsellor")
    note = group.locator(".msg.out.internal", has_text="looks urgent")
    await expect(note).to_contain_text("stays in the team")
    await expect(person).not_to_contain_text("looks urgent")

    shot = tmp_path / "team.png"
    await page.screenshot(path=str(shot))
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 500, "a real rendering, not a blank or flat picture"

    await column.locator(".topic").select_option(label="General")
    await expect(column.locator(".topic-name")).to_have_text("General")
    await expect(group).not_to_contain_text("I got a summons")
    assert browser.errors == [] and browser.dialogs == []
