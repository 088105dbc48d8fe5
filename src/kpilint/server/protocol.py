"""The pygls glue: the server object, its handlers registered, and ``serve`` over stdio."""


from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from kpilint import __version__
from kpilint.server.actions import code_action
from kpilint.server.completion import completion
from kpilint.server.dbt_links import definition_with_metrics, hover_with_metrics
from kpilint.server.fix_all import FIX_ALL_KIND
from kpilint.server.navigation import references
from kpilint.server.service import KpilintService

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger("kpilint.server")
STATUS_METHOD = "kpilint/status"
"""A custom request answering what the server holds and what its last runs read (for tests and
debugging): ``{"projects": [{"root", "files", "runs", "last_run": {...}}]}``."""

logger = logging.getLogger("kpilint.server")

# --- the pygls server ---------------------------------------------------------------------------


def create_server() -> LanguageServer:
    """A pygls server with kpilint's features registered (not started)."""
    from pygls.exceptions import JsonRpcException
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import LanguageServerProtocol

    answered = object()

    class Protocol(LanguageServerProtocol):
        """pygls' protocol, but a request it cannot read still gets an error answer."""

        def structure_message(self, data: dict[str, Any]) -> Any:
            try:
                return super().structure_message(data)
            except JsonRpcException as error:
                if not (isinstance(data.get("id"), (int, str)) and "method" in data):
                    raise
                logger.warning("malformed %s request: %s", data["method"], error)
                self._send_response(data["id"], error=types.ResponseError(
                    error.code, f"{error.message}: {data['method']} with parameters that do not"
                                f" fit the protocol"))
                return answered

        def handle_message(self, message: Any) -> None:
            if message is not answered:
                super().handle_message(message)

    server = LanguageServer("kpilint", __version__, protocol_cls=Protocol,
                            text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    service = KpilintService(server)

    def register(method: str, handler: Callable[[Any], Any], options: Any = None) -> None:
        """pygls marks the function it registers, so each handler gets a function of its own."""
        if asyncio.iscoroutinefunction(handler):
            async def answer_async(params: Any) -> Any:
                return await handler(params)

            server.feature(method, options)(answer_async)
        else:
            def answer(params: Any) -> Any:
                return handler(params)

            server.feature(method, options)(answer)

    register(types.INITIALIZED, service.initialized)
    register(types.SHUTDOWN, service.shutdown)
    register(types.TEXT_DOCUMENT_DID_OPEN, service.did_open)
    register(types.TEXT_DOCUMENT_DID_CHANGE, service.did_change)
    register(types.TEXT_DOCUMENT_DID_SAVE, service.did_save, types.SaveOptions(include_text=False))
    register(types.TEXT_DOCUMENT_DID_CLOSE, service.did_close)
    register(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, service.did_change_watched_files)
    register(types.TEXT_DOCUMENT_HOVER, functools.partial(hover_with_metrics, service))
    register(types.TEXT_DOCUMENT_DEFINITION, functools.partial(definition_with_metrics, service))
    register(types.TEXT_DOCUMENT_REFERENCES, functools.partial(references, service))
    register(types.TEXT_DOCUMENT_COMPLETION, functools.partial(completion, service),
             types.CompletionOptions(trigger_characters=[" ", "[", ","]))
    register(types.TEXT_DOCUMENT_CODE_ACTION, functools.partial(code_action, service),
             types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix,
                                                        FIX_ALL_KIND]))
    register(STATUS_METHOD, service.status)
    return server


def serve() -> None:
    """Run the language server over stdio until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="kpilint server: %(levelname)s: %(message)s")
    create_server().start_io()

