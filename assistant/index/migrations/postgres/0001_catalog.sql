-- Documents and their chunks: the source of truth that Chroma and each host's BM25 derive from.
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    lang TEXT NOT NULL,
    symbol TEXT,
    date TEXT,
    content_hash TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX chunks_doc ON chunks(doc_id, idx);
