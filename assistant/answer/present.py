"""An ``Answer`` (and a retrieved passage) as plain data (for ``--json``, the API, the MCP tools,
logs and feedback) and as terminal text."""

from __future__ import annotations

from typing import Any

from assistant.answer.types import Answer, Citation
from assistant.schema import Passage


def citation_to_dict(citation: Citation) -> dict[str, Any]:
    p = citation.passage
    return {
        "number": citation.number,
        "label": p.label,
        "source": p.source,
        "doc_id": p.doc_id,
        "title": p.title,
        "symbol": p.symbol,
        "paragraph": p.paragraph,
        "page": p.page,
        "language": p.lang,
        "chunk_id": p.chunk_id,
        "passage": p.text,
        "supporting_sentences": list(citation.supporting_sentences),
        "answer_sentences": list(citation.answer_sentences),
    }


def passage_to_dict(rank: int, passage: Passage) -> dict[str, Any]:
    """One ranked passage as plain data: where it is, what it says, how it scored."""
    return {
        "rank": rank,
        "chunk_id": passage.chunk_id,
        "doc_id": passage.doc_id,
        "source": passage.source,
        "title": passage.title,
        "symbol": passage.symbol,
        "paragraph": passage.paragraph,
        "page": passage.page,
        "label": passage.label,
        "language": passage.lang,
        "ocr": passage.ocr,
        "ocr_confidence": passage.ocr_confidence,
        "scores": {
            "fused": passage.score,
            "dense": passage.dense_score,
            "lexical": passage.lexical_score,
        },
        "text": passage.text,
    }


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """Everything a script needs; retrieved passages by reference, not full text."""
    return {
        "question": answer.question,
        "standalone_question": answer.standalone_question,
        "language": answer.language,
        "text": answer.text,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "citations": [citation_to_dict(c) for c in answer.citations],
        "unsupported_sentences": list(answer.unsupported_sentences),
        "passages": [
            {"chunk_id": p.chunk_id, "source": p.source, "label": p.label, "score": p.score}
            for p in answer.passages
        ],
        "relevance": dict(answer.relevance),
        "timings": {k: round(v, 3) for k, v in answer.timings.items()},
        "model": answer.model,
        "prompt_hashes": dict(answer.prompt_hashes),
        "warnings": list(answer.warnings),
    }


def format_sources(answer: Answer) -> str:
    """The cited sources under an answer, one block per citation, evidence quoted."""
    if answer.refused:
        return ""
    heading = "来源" if answer.language == "zh" else "Sources"
    lines = [f"{heading}:"]
    for citation in answer.citations:
        p = citation.passage
        title = f" — {p.title}" if p.title and p.title != p.source else ""
        lines.append(f"  [{citation.number}] {p.label} ({p.source}){title}")
        for sentence in citation.supporting_sentences:
            lines.append(f"      “{sentence}”")
    if not answer.citations:
        lines.append("  —")
    if answer.unsupported_sentences:
        flag = "未找到依据的句子" if answer.language == "zh" else "Not supported by the sources"
        lines.append(f"{flag}:")
        lines.extend(f"  ! {s}" for s in answer.unsupported_sentences)
    return "\n".join(lines)


def format_understood(answer: Answer) -> str:
    """ "Understood as: …" for a follow-up the pipeline read as another question, else ""."""
    if not answer.standalone_question or answer.standalone_question == answer.question:
        return ""
    label = "理解为：" if answer.language == "zh" else "Understood as: "
    return f"{label}{answer.standalone_question}"


def format_timings(answer: Answer) -> str:
    order = ["retrieve", "candidates", "first_evidence", "select", "ttft", "total"]
    parts = [f"{k} {answer.timings[k]:.2f}s" for k in order if k in answer.timings]
    return " · ".join(parts)
