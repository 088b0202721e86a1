"""The `mockserver` command's entry point, for the installed script and `python -m mockserver` alike.

The command's modules load with the collector paused (`collector.loading`); those of the server
load so too, when the command serves.
"""

from __future__ import annotations

from .collector import loading


def main() -> None:
    with loading():
        from .cli import main as command
    command()


if __name__ == "__main__":
    main()
