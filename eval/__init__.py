"""Retrieval evaluation: `overblik eval` on the project's set (eval/data) or any BEIR collection."""
