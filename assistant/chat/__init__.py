"""Conversations: the one chat session type, shared by the terminal chat and the app."""
