"""Answering: a question and retrieved passages in, a grounded answer with checked citations out.

The pipeline (``assistant.py``) reads as its steps, each a module of its own::

    condense.py   follow-up → standalone question (model, bounded history)
    retrieve      (assistant.index.retriever)
    refusal.py    "not in the documents" from retrieval evidence, before any model call
    packing.py    passages into the token budget as delimited data
    generation.py the chat messages from prompts/ (direct or quote-then-answer)
    citations.py  markers checked (support.py), post-hoc attribution, unsupported flagged

Follow-ups by rules, without the model: conversation.py (what a follow-up carries from the last
turn: its search query and the question as understood) and resolution.py (references replaced,
fragments put into the last question's frame), on ``assistant.text.followup``.

Helpers: language.py (answer language), prompts.py (prompt files and hashes), markers.py,
evidence.py (overlap signals), quotes.py, calibration.py (refusal threshold), present.py.
"""
