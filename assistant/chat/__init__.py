"""Conversations: the bounded memory that lets follow-up questions work."""
