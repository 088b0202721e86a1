"""The `mockserver` command's entry point, for the installed script and `python -m mockserver` alike.

The command's modules make some 40,000 objects the cyclic garbage collector tracks as they load, nearly
all of them kept for as long as the process runs; the collector would run about a hundred times while
they pile up (3% of start-up's instructions, about 5% of its time to the first answer here). It is
paused while they load, and what they made is moved out of its way for good (`gc.freeze`, as the
server does again once it has started)."""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from .cli import main as command
    finally:
        gc.freeze()
        gc.enable()
    command()


if __name__ == "__main__":
    main()
