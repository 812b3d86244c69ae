"""Benchmark scripts: one command each, a printed table and a JSON result under ``results/``."""
