"""Language-aware text primitives shared by ingestion, retrieval and evaluation.

Every function here handles Chinese and English alike, so that no step downstream quietly
assumes whitespace-separated words.
"""
