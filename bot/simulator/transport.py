"""The fake Telegram's HTTP side: the Bot API wire protocol, long polling, and the faults a test injects
(failed calls, flood limits, dropped connections)."""

from __future__ import annotations

import asyncio
import copy
import math
import socket
import time
from typing import Any

from aiohttp import web

from bot.simulator.groups import GroupMethods
from bot.simulator.state import (
    _SENDING,
    DROPPED,
    ApiCall,
    FloodLimits,
    Params,
    _ApiError,
    _bad,
    _Bucket,
    _decode,
    _Failure,
)


async def serve_on(runner: web.AppRunner, host: str, port: int) -> int:
    """Start a set-up runner on host:port (0: any free port); returns the port it got."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
        await web.SockSite(runner, sock).start()
    except BaseException:
        sock.close()
        await runner.cleanup()
        raise
    return int(sock.getsockname()[1])



class HttpTransport(GroupMethods):
    """Answers Bot API requests over HTTP, hands out updates by long polling and injects faults."""

    # --- failure injection -----------------------------------------------------------------

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail, e.g. 429 with retry_after, 500, 403."""
        failure = _Failure(status, description, retry_after)
        self._failures.setdefault(method.lower(), []).extend([failure] * times)

    def enforce(self, limits: FloodLimits | None) -> None:
        """Enforce Telegram-like flood limits on the sending methods from now on (None: stop). Buckets
        start full, as for a bot that has been quiet."""
        self.flood = limits
        self._chat_buckets.clear()
        self._group_buckets.clear()
        self._overall_bucket = None

    def drop_connections(self, rate: float, *, after_share: float = 0.0, seed: int | None = None) -> None:
        """Close the connection without an answer on this share of sending requests (0 stops it).

        A dropped request is not carried out, unless it falls in ``after_share`` of the drops: then the
        message is delivered and only the answer is lost, as when a connection breaks on the way back.
        The bot cannot tell the two apart; only the second makes a duplicate unavoidable for a sender that
        retries, since the Bot API has no idempotency key.
        """
        if not 0.0 <= rate <= 1.0 or not 0.0 <= after_share <= 1.0:
            raise ValueError("rate and after_share are shares between 0 and 1")
        self._drop_rate, self._drop_after_share = rate, after_share
        if seed is not None:
            self._random.seed(seed)

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        call = ApiCall(request.match_info["method"], {}, request.match_info["token"], 0)
        if self.keep_calls:
            self.calls.append(call)
        polling = call.method.lower() == "getupdates"
        if not polling:
            self._inflight += 1
        try:
            if self._drop_rate and call.method.lower() in _SENDING and self._random.random() < self._drop_rate:
                return await self._drop(call, request)
            call.status, body = await self._respond(call, request)
        except asyncio.CancelledError:
            call.status = 499
            raise
        finally:
            if not polling:
                self._inflight -= 1
                self._last_busy = asyncio.get_running_loop().time()
        self._observe(call)
        return web.json_response(body, status=call.status)

    async def _drop(self, call: ApiCall, request: web.Request) -> web.Response:
        """Close the connection without answering; carry the request out first for ``after_share``."""
        if self._random.random() < self._drop_after_share:
            await self._respond(call, request)
        self.dropped += 1
        call.status, call.result = DROPPED, None
        if request.transport is not None:
            request.transport.close()
        self._observe(call)
        return web.Response(status=500)  # never reaches the bot: the connection is gone

    def _observe(self, call: ApiCall) -> None:
        for observer in self.observers:
            try:
                observer(call)
            except Exception as error:  # the observer's bug, reported like the fake's own
                self.errors.append(error)

    async def _respond(self, call: ApiCall, request: web.Request) -> tuple[int, dict[str, Any]]:
        try:
            raw = await self._read_params(request)
            call.params, broken = self._decode_params(raw)
            if call.token != self.token:
                raise _ApiError(401, "Unauthorized")
            if broken:
                name = call.method.lower()
                if name != "getupdates" and name not in self._methods:
                    raise _ApiError(404, "Not Found")
                raise _bad(f"can't parse {broken} JSON object")
        except _ApiError as error:
            return error.status, error.body()
        except Exception as error:  # a bug in the fake must show up in the test, not hang it
            self.errors.append(error)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error (fake)"}
        return await self._execute(call)

    async def _execute(self, call: ApiCall) -> tuple[int, dict[str, Any]]:
        """Carry out a call whose params are decoded: a request, or a method in a webhook answer."""
        try:
            name = call.method.lower()
            if name != "getupdates" and name not in self._methods:
                raise _ApiError(404, "Not Found")
            failures = self._failures.get(name)
            if failures:
                failure = failures.pop(0)
                raise _ApiError(failure.status, failure.description, failure.retry_after)
            if self.flood is not None and name in _SENDING:
                self._spend_flood_token(self.flood, call.params.get("chat_id"))
            if name == "getupdates":
                result = await self._get_updates(call.params)
            else:
                result = self._methods[name](call.params)
            call.result = result
            return 200, {"ok": True, "result": result}
        except _ApiError as error:
            return error.status, error.body()
        except Exception as error:  # a bug in the fake must show up in the test, not hang it
            self.errors.append(error)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error (fake)"}

    def _spend_flood_token(self, limits: FloodLimits, chat_id: Any) -> None:
        now = time.monotonic()
        overall = self._overall_bucket
        if overall is None:
            overall = self._overall_bucket = _Bucket(float(limits.overall_burst), now)
        chat = group = None
        group_burst = max(1, int(limits.group_per_minute))
        if isinstance(chat_id, int):
            chat = self._chat_buckets.get(chat_id)
            if chat is None:
                chat = self._chat_buckets[chat_id] = _Bucket(float(limits.chat_burst), now)
            if chat_id < 0:
                group = self._group_buckets.get(chat_id)
                if group is None:
                    group = self._group_buckets[chat_id] = _Bucket(float(group_burst), now)
        wait = overall.wait(limits.overall, limits.overall_burst, now)
        if chat is not None:
            wait = max(wait, chat.wait(limits.per_chat, limits.chat_burst, now))
        if group is not None:
            wait = max(wait, group.wait(limits.group_per_minute / 60, group_burst, now))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise _ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        for bucket in (overall, chat, group):
            if bucket is not None:
                bucket.tokens -= 1

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Query string plus form or JSON body; uploads become ``{"upload": filename}``."""
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        elif request.body_exists:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = {"upload": value.filename}
                else:
                    params[key] = value.decode() if isinstance(value, bytes) else value
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value.removeprefix("attach://"), value)
        return params

    @staticmethod
    def _decode_params(raw: dict[str, Any]) -> tuple[Params, str | None]:
        """Typed params plus the name of a field whose JSON did not parse, if any."""
        params: Params = {}
        broken = None
        for key, value in raw.items():
            if not isinstance(value, str):
                params[key] = value
                continue
            try:
                params[key] = _decode(key, value)
            except ValueError:
                params[key], broken = value, key
        return params, broken


    async def _get_updates(self, p: Params) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset, limit, timeout = p.get("offset"), p.get("limit", 100), p.get("timeout", 0)
        limit = max(1, min(100, limit if isinstance(limit, int) else 100))
        timeout = timeout if isinstance(timeout, int) and timeout > 0 else 0
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        if isinstance(offset, int) and offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        self._wake_poller(False)  # like Telegram: a newer getUpdates ends the previous one with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (batch := self._take(limit)) and not self._closing and loop.time() < deadline:
            waiter: asyncio.Future[bool] = loop.create_future()
            self._poll_waiter, self._poll_since = waiter, loop.time()
            try:
                await asyncio.wait({waiter}, timeout=deadline - loop.time())
            finally:
                if self._poll_waiter is waiter:
                    self._poll_waiter = self._poll_since = None
            if waiter.done() and waiter.result() is False:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
        if batch:
            self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
            self._last_busy = loop.time()
        return copy.deepcopy(batch)

