"""Answering: a question and retrieved passages in, an answer composed from cited sentences out.

The pipeline (``pipeline.py``) reads as its steps, each a module of its own::

    understanding.py  alone or a follow-up (conversation.py, resolution.py; no model call)
    retrieve          (assistant.retrieval.retriever)
    refusal.py        a cheap first filter: nothing retrieved is near the question at all
    candidates.py     the passages cut into sentences, the best few kept
    selection.py      the model chooses one sentence or none; its probabilities kept
    confidence.py     the calibrated judgment on that choice: answer or decline
    compose.py        the answer written from the chosen sentences (translation.py translates)

Helpers: language.py (answer language), prompts.py (prompt files and hashes), markers.py,
evidence.py (overlap signals), support.py (is a translation backed by its original?),
present.py (an answer as data and as terminal text), question_input.py (the one front door
that cleans and bounds a question). The thresholds are fitted by ``assistant.eval.calibration``
and ``assistant.eval.selection_fit``.
"""
