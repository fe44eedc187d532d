"""Structured logging: one JSON object per line, naming the document it is about."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(log_dir: Path, verbose: bool = False) -> Path:
    """JSON lines to $SOHOA_HOME/logs/sohoa.jsonl; to stderr too with --verbose."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "sohoa.jsonl"
    root = logging.getLogger("sohoa")
    root.setLevel(logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    fh = logging.FileHandler(path, encoding="utf-8")
    fh.setFormatter(JsonFormatter())
    root.addHandler(fh)
    if verbose:
        sh = logging.StreamHandler()
        sh.setFormatter(JsonFormatter())
        root.addHandler(sh)
    root.propagate = False
    return path
