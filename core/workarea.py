"""The scratch area of one document between stages: $SOHOA_HOME/work/<document_id>/.

Stages hand each other files, not messages: a stage whose output file exists
is done, so a task that is run again after a crash picks up where the last
complete stage left off. Every write is atomic (temp file + rename). The
files are written and read only by sohoa's own workers.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any


class WorkArea:
    def __init__(self, root: Path, document_id: str):
        self.dir = root / document_id

    def path(self, name: str) -> Path:
        return self.dir / name

    def has(self, name: str) -> bool:
        return (self.dir / name).exists()

    def _write(self, name: str, data: bytes) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.dir / name

    def save(self, name: str, obj: Any) -> Path:
        return self._write(name, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self, name: str) -> Any:
        with (self.dir / name).open("rb") as fh:
            return pickle.load(fh)

    def save_json(self, name: str, obj: Any) -> Path:
        return self._write(name, json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    def load_json(self, name: str) -> Any:
        return json.loads((self.dir / name).read_text("utf-8"))

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)
            return
        if self.dir.is_dir():
            for p in self.dir.iterdir():
                if p.name not in keep:
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
