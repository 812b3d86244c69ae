"""The OpenAI-compatible chat API: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Any client written for OpenAI's API (the ``openai`` SDK, chat front ends) can ask the assistant
with a key from ``assistant api-key add``. A request passes, in order: the key check
(``access``), the request's reading (``chat_request``: the question through the one front
door), the answer slot (``admission``: 503 and ``Retry-After`` when too many wait), then the
same ``AnswerPipeline.stream`` as the chat. ``stream: true`` sends the answer as it is written, in
OpenAI's chunk format, ending with ``data: [DONE]``. The reply's shape: ``openai_format``.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterator

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response, StreamingResponse

from assistant.answer.question_input import EmptyQuestionError
from assistant.answer.types import Answer, RetrievedEvidence
from assistant.api.access import Access
from assistant.api.admission import AnswerGate, Overloaded
from assistant.api.chat_request import ChatQuery, read_chat_request
from assistant.api.errors import ApiError
from assistant.api.openai_format import DONE, ChunkWriter, completion, sse
from assistant.api.services import ApiServices
from assistant.models.backends.base import BackendError

log = logging.getLogger(__name__)

_STARTED = int(time.time())


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def overloaded(settings_retry_s: int, exc: Overloaded) -> ApiError:
    log.warning("API request turned away: %s", exc)
    return ApiError(
        503,
        "The assistant is busy answering other questions; try again in a few seconds.",
        "overloaded",
        retry_after_s=settings_retry_s,
    )


def answer_error(exc: Exception, retry_s: int) -> ApiError:
    """What a caller is told when answering failed (the details are in the server's log)."""
    if isinstance(exc, EmptyQuestionError):
        return ApiError(400, str(exc), exc.code, "messages")
    if isinstance(exc, BackendError):  # the engine died or the model server is unreachable
        log.warning("The model could not answer an API request: %s", exc)
        return ApiError(
            503,
            "The model is not available right now; try again shortly.",
            "model_unavailable",
            retry_after_s=retry_s,
        )
    log.error("Answering an API request failed", exc_info=exc)
    return ApiError(500, "The assistant failed to answer; the error is logged.", "server_error")


class OpenAIChat:
    """The endpoints, over the assistant's services, the key check and the answer gate."""

    def __init__(self, services: ApiServices, access: Access, gate: AnswerGate) -> None:
        self.services = services
        self.access = access
        self.gate = gate
        self.settings = services.settings.api

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/v1")
        router.add_api_route("/models", self.models, methods=["GET"])
        router.add_api_route("/models/{model_id}", self.model, methods=["GET"])
        router.add_api_route("/chat/completions", self.chat_completions, methods=["POST"])
        return router

    def _model_object(self) -> dict[str, object]:
        return {
            "id": self.settings.model_name,
            "object": "model",
            "created": _STARTED,
            "owned_by": "un-docs-assistant",
        }

    def _unknown_model(self, name: str) -> ApiError:
        return ApiError(
            404,
            f"The model `{name}` does not exist; this server has `{self.settings.model_name}`.",
            "model_not_found",
            "model",
        )

    async def models(self, request: Request) -> Response:
        try:
            self.access.check(request.headers.get("authorization"), client_address(request))
        except ApiError as exc:
            return exc.response()
        return JSONResponse({"object": "list", "data": [self._model_object()]})

    async def model(self, model_id: str, request: Request) -> Response:
        try:
            self.access.check(request.headers.get("authorization"), client_address(request))
            if model_id != self.settings.model_name:
                raise self._unknown_model(model_id)
        except ApiError as exc:
            return exc.response()
        return JSONResponse(self._model_object())

    async def chat_completions(self, request: Request) -> Response:
        try:
            key_name = self.access.check(
                request.headers.get("authorization"), client_address(request)
            )
            query = await self._read(request)
            log.info(
                "API question from key %s: %d characters, %d earlier turns%s",
                key_name,
                len(query.question.text),
                len(query.history),
                ", streamed" if query.stream else "",
            )
            try:
                await run_in_threadpool(self.gate.acquire)
            except Overloaded as exc:
                raise overloaded(self.settings.retry_after_s, exc) from exc
        except ApiError as exc:
            return exc.response()
        if query.stream:
            release = ReleaseOnce(self.gate)
            events = self._events(query, release)
            # A client that leaves before the first event: the generator never starts and
            # its ``finally`` never runs, so the slot is also given back when it is collected.
            weakref.finalize(events, release)
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        try:
            answer = await run_in_threadpool(self._answer, query)
        except Exception as exc:  # reported in OpenAI's shape; the details are logged
            return answer_error(exc, self.settings.retry_after_s).response()
        finally:
            self.gate.release()
        return JSONResponse(completion(answer, query.model, _warnings(query, answer)))

    async def _read(self, request: Request) -> ChatQuery:
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(400, "The request body is not JSON.", "invalid_json") from exc
        services = self.services
        limit = services.settings.answer.max_question_chars
        query = await run_in_threadpool(read_chat_request, body, limit, services.documents)
        if query.model != self.settings.model_name:
            raise self._unknown_model(query.model)
        return query

    def _pieces(self, query: ChatQuery) -> Iterator[str | Answer]:
        for item in self.services.assistant.stream(
            query.question.text, query.history, language=query.language, doc_ids=query.doc_ids
        ):
            if not isinstance(item, RetrievedEvidence):
                yield item

    def _answer(self, query: ChatQuery) -> Answer:
        final = None
        for item in self._pieces(query):
            if isinstance(item, Answer):
                final = item
        if final is None:
            raise RuntimeError("the assistant's stream ended without an answer")
        return final

    def _events(self, query: ChatQuery, release: ReleaseOnce) -> Iterator[str]:
        """The streamed reply; the answer slot is held until it ends (or the client leaves)."""
        writer = ChunkWriter(query.model)
        streamed = ""
        try:
            yield writer.start()
            for item in self._pieces(query):
                if isinstance(item, Answer):
                    yield from writer.finish(item, streamed, _warnings(query, item))
                    break
                streamed += item
                yield writer.text(item)
        except Exception as exc:  # the status is sent already: the error goes as an event
            yield sse(answer_error(exc, self.settings.retry_after_s).body())
        finally:
            release()
        yield DONE


class ReleaseOnce:
    """Gives a streamed reply's answer slot back exactly once, whichever way the reply ends."""

    def __init__(self, gate: AnswerGate) -> None:
        self._gate = gate
        self._lock = threading.Lock()
        self._done = False

    def __call__(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._gate.release()


def _warnings(query: ChatQuery, answer: Answer) -> list[str]:
    """The front door's notice of a cut question, in the answer's language."""
    return [query.question.notice(answer.language)] if query.question.cut else []
