"""The fake Telegram's webhook side: setWebhook and friends, and pushing updates to a bot on this machine
the way Telegram does (in order per chat, up to max_connections at once, retried until answered 2xx)."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.simulator.state import (
    _WEBHOOK_RETRY_MAX,
    LOOPBACK_HOSTS,
    WEBHOOK_SECRET_HEADER,
    ApiCall,
    Params,
    _bad,
    _update_chat,
)
from bot.simulator.transport import HttpTransport


class WebhookPush(HttpTransport):
    """setWebhook, deleteWebhook, getWebhookInfo, and the task that pushes updates to the webhook."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._methods.update({
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
        })
        self.balanced: list[str] = []
        """A round-robin front before several instances: when set, each push (a retry too) goes to the next of
        these URLs instead of the one setWebhook named (which must still be set, on this machine)."""
        self._turn = 0

    def _set_webhook(self, p: Params) -> bool:
        url = str(p.get("url", ""))
        parts = urlsplit(url)
        local = parts.hostname in LOOPBACK_HOSTS
        # Telegram wants HTTPS; plain HTTP is let through on this machine only, where the tests run.
        if url and not (parts.scheme == "https" or (parts.scheme == "http" and local)):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("secret token contains unallowed characters")
        connections = p.get("max_connections", 40)
        if not isinstance(connections, int) or not 1 <= connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        if p.get("drop_pending_updates") is True:
            self._updates.clear()
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        self._wake_poller(False)  # a waiting getUpdates ends, as in Telegram
        self._webhook_url, self._webhook_secret = url, str(secret) if secret is not None else None
        self._webhook_max_connections, self._webhook_error = connections, None
        self._restart_pushing(url if url and local else "")
        return True

    def _delete_webhook(self, p: Params) -> bool:
        self._webhook_url = ""
        self._restart_pushing("")
        if p.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, _p: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates if not self._webhook_url else len(self._updates),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    # --- webhook: pushing updates to the bot -----------------------------------------------

    def _restart_pushing(self, url: str) -> None:
        """Stop pushing to the old URL (in flight pushes are abandoned and retried) and push to ``url``."""
        if self._push_task is not None:
            self._push_task.cancel()
            self._push_task = None
        self._pushing.clear()
        self._push_attempts.clear()
        if url:
            self._push_task = asyncio.get_running_loop().create_task(self._push_loop(url))

    async def _stop_pushing(self) -> None:
        task, self._push_task = self._push_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _push_loop(self, url: str) -> None:
        """Push pending updates, oldest first, up to max_connections at once and one at a time per chat
        (so one person's updates arrive in order); an update leaves the queue when the bot answers 2xx."""
        headers = {WEBHOOK_SECRET_HEADER: self._webhook_secret} if self._webhook_secret else {}
        connector = aiohttp.TCPConnector(limit=self._webhook_max_connections)
        tasks: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
            try:
                while True:
                    self._push_wakeup.clear()
                    self._updates = [update for update in self._updates if self._allowed(update)]
                    started: set[int | None] = set()
                    for update in self._updates:
                        if len(self._pushing) >= self._webhook_max_connections:
                            break
                        chat = _update_chat(update)
                        if chat is not None and chat in started:
                            continue  # an earlier update of this chat is on its way or waiting
                        started.add(chat)
                        if update["update_id"] in self._pushing:
                            continue
                        self._pushing.add(update["update_id"])
                        task = asyncio.create_task(self._push_one(http, url, headers, update))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    await self._push_wakeup.wait()
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _push_one(self, http: aiohttp.ClientSession, url: str, headers: dict[str, str],
                        update: dict[str, Any]) -> None:
        update_id = update["update_id"]
        try:
            error = await self._post_update(http, url, headers, update)
            if error is not None:
                self.webhook_failures += 1
                self._webhook_error = (self._now(), error)
                attempts = self._push_attempts[update_id] = self._push_attempts.get(update_id, 0) + 1
                await asyncio.sleep(min(_WEBHOOK_RETRY_MAX, 0.05 * 2 ** (attempts - 1)))
        finally:
            self._last_busy = asyncio.get_running_loop().time()
            self._pushing.discard(update_id)
            self._push_wakeup.set()

    async def _post_update(self, http: aiohttp.ClientSession, url: str, headers: dict[str, str],
                           update: dict[str, Any]) -> str | None:
        """One push; None when the bot took the update, else what went wrong (for getWebhookInfo)."""
        if self.balanced:
            url = self.balanced[self._turn % len(self.balanced)]
            self._turn += 1
        try:
            async with http.post(url, json=update, headers=headers) as response:
                if not 200 <= response.status < 300:
                    return f"Wrong response from the webhook: {response.status} {response.reason}"
                if update in self._updates:
                    self._updates.remove(update)
                self._delivered_upto = max(self._delivered_upto, update["update_id"])
                self._push_attempts.pop(update["update_id"], None)
                self.webhook_deliveries += 1
                await self._webhook_answer(response)
                return None
        except (aiohttp.ClientError, OSError) as exc:  # OSError covers timeouts
            return f"Connection failed: {type(exc).__name__}"

    async def _webhook_answer(self, response: aiohttp.ClientResponse) -> None:
        """A bot may answer a pushed update with one method call, as JSON or a form; Telegram carries it out
        and tells the bot nothing, so the outcome is only recorded here."""
        params: dict[str, Any] = {}
        if response.content_type == "multipart/form-data":
            reader = aiohttp.MultipartReader.from_response(response)
            while (part := await reader.next()) is not None:
                if isinstance(part, aiohttp.BodyPartReader) and part.name:
                    params[part.name] = (await part.read(decode=True)).decode()
        elif response.content_type == "application/json":
            body = await response.json()
            params = body if isinstance(body, dict) else {}
        else:
            await response.read()
        method = params.pop("method", None)
        if not isinstance(method, str) or not method:
            return
        call = ApiCall(method, {}, self.token, 0, via_webhook_reply=True)
        if self.keep_calls:
            self.calls.append(call)
        call.params, broken = self._decode_params(params)
        if broken:
            call.status = 400
        else:
            call.status, _body = await self._execute(call)
        self._observe(call)

