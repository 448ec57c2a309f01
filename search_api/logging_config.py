"""Logging for `overblik serve`: uvicorn's own lines plus ours, one line each, applied in every worker."""

from __future__ import annotations

import os


def log_config() -> dict:
    level = os.environ.get("OVERBLIK_LOG_LEVEL", "INFO").upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "overblik": {"handlers": ["stderr"], "level": level, "propagate": False},
            "chromadb": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
    }
