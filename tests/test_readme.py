"""The README's examples, run as written, so they cannot rot."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from mockserver import MockServer

README = Path(__file__).resolve().parent.parent / "README.md"


def shell_block(after_heading: str) -> str:
    """The first ```sh block under the heading `after_heading`."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(after_heading) :]
    found = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert found, f"no sh block under {after_heading!r}"
    return found.group(1)


def test_readme_opens_with_the_run_and_test_commands() -> None:
    opening = shell_block("# mockserver")
    assert "# install and run the server with its built-in default scenario\n" in opening
    assert ".venv/bin/mockserver\n" in opening
    assert "# install and run the tests\n" in opening
    assert opening.rstrip().endswith(".venv/bin/pytest")


def test_the_curl_session_works_as_written(tmp_path: Path) -> None:
    assert shutil.which("curl"), "the README session needs curl (.ci/run installs it)"
    script = shell_block("## Try it: a curl session")
    assert "export IMAGINEPDF_API_URL=http://localhost:3100\n" in script
    with MockServer() as mock:
        pointed = script.replace("http://localhost:3100", mock.url)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", pointed],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert mock.app.sessions.get().workspace.credits == 0
    assert '"workspaceId":"ws_demo"' in result.stdout
    assert '"designId":"dsg_invoice"' in result.stdout
    assert "%PDF-" in result.stdout
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF-")
    last = result.stdout.strip().splitlines()[-1]
    assert '"code":"INSUFFICIENT_CREDITS"' in last
