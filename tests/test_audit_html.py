"""The HTML audit report in a real headless browser (Debian's chromium): it loads from file://
with no console error, its script runs, and the timelines and table rows are in the DOM."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import git, make_repo
from gitops_lint.cli import main
from test_audit import HISTORY, _envs

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (Debian: apt-get install chromium; "
                                                          ".ci/run installs it)")
HOSTILE = '<img src=x onerror="document.title=1">'


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                           "--enable-logging=stderr", "--v=0", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_html_report_in_a_browser(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", history=HISTORY)
    (root / "app" / "values-dev.yaml").write_text(_envs(dev="17")["app/values-dev.yaml"] or "")
    git(root, "commit", "-q", "-am", f"dev 17 {HOSTILE}", '--author=Eve & "Co" <x@example.invalid>',
        date="2026-10-13T09:00:00+00:00")
    page = tmp_path / "audit.html"
    result = CliRunner().invoke(main, ["audit", str(root), "--format", "html", "-o", str(page)])
    assert result.exit_code == 1, result.output
    html = page.read_text()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert HOSTILE not in html and "&lt;img src=x onerror=" in html  # escaped, never markup
    assert "Eve &amp; &#34;Co" in html and "Eve & \"" not in html
    dom = _browser("--dump-dom", page.as_uri())
    errors = [line for line in dom.stderr.splitlines() if "Uncaught" in line or "CONSOLE" in line.upper()
              and "error" in line.lower()]
    assert errors == []
    assert 'id="audit-ready" hidden="" data-tables="3" data-timelines="2"' in dom.stdout  # the script ran through
    assert len(re.findall(r'<svg class="timeline"', dom.stdout)) == 2
    assert len(re.findall(r'<circle class="event|<path class="event', dom.stdout)) == 17
    assert len(re.findall(r'class="event [a-z]+ violation"', dom.stdout)) == 1
    events = dom.stdout.split('id="events"', 1)[1].split("</table>", 1)[0]
    assert events.count("<tr") == 1 + 17  # the header and one row per event
    assert events.count('<tr class="violation">') == 1
    drift = dom.stdout.split('id="drift"', 1)[1].split("</table>", 1)[0]
    assert (drift.count('class="diverged"'), drift.count('class="sync"')) == (2, 2)
    assert "<title>prod: registry.example.com/team/app:16 (promotion)\ncommit" in dom.stdout
    shot = tmp_path / "audit.png"
    taken = _browser("--window-size=1280,1600", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, taken.stderr[-500:]
    print(f"screenshot: {shot}")
