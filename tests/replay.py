"""Replay a corpus history.json (../shared/corpus/<repo>/history.json) into a scratch git repo.

One `git fast-import` stream: every element becomes a commit with its author time as author and
committer date and an `Original-Commit:` trailer, so findings map back to SOURCE.md's SHAs.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path


def replay(history_file: Path, dest: Path) -> dict[str, str]:
    """Build the repo at `dest` (checked out at the last commit); returns original SHA -> new SHA."""
    history = json.loads(history_file.read_text(encoding="utf-8"))
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    chunks: list[bytes] = []
    for mark, element in enumerate(history, start=1):
        message = f"{element['message_first_line']}\n\nOriginal-Commit: {element['commit']}\n".encode()
        when = f"{element['author_time']} +0000"
        chunks.append(f"commit refs/heads/main\nmark :{mark}\n"
                      f"author Corpus <corpus@example.invalid> {when}\n"
                      f"committer Corpus <corpus@example.invalid> {when}\n"
                      f"data {len(message)}\n".encode() + message)
        for path, text in sorted(element["files"].items()):
            if text is None:
                chunks.append(f"D {path}\n".encode())
            else:
                data = text.encode("utf-8")
                chunks.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        chunks.append(b"\n")
    marks = dest / ".git" / "replay-marks"
    subprocess.run(["git", "-C", str(dest), "fast-import", "--quiet", f"--export-marks={marks}"],
                   input=b"".join(chunks), check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", "-f", "main"], check=True)
    by_mark = dict(line.split() for line in marks.read_text().splitlines())
    return {element["commit"]: by_mark[f":{index}"] for index, element in enumerate(history, start=1)}
