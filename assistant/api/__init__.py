"""The assistant for other tools: an OpenAI-compatible chat API and an MCP server.

Both sit on the app's own server (``http_app``) and answer through the same ``AnswerPipeline`` as
the chat, behind the same front door for questions (``answer.question_input``):

- ``openai_chat``: ``POST /v1/chat/completions`` and ``GET /v1/models``;
- ``mcp_server``: the ``search_documents``, ``ask`` and ``get_passage`` tools, over stdio
  (``assistant mcp``) and streamable HTTP (``/mcp``);
- ``keys``, ``access``, ``rate_limit``, ``admission``: who may call, how often, and how many
  answers may wait for the model before callers are asked to come back later.
"""
