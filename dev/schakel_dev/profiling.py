"""Run a service under a profiler that is off until asked: `python -m schakel_dev.profiling
schakel.audit` runs `python -m schakel.audit` unchanged; SIGUSR1 turns cProfile on, SIGUSR2
turns it off and writes `<module>.prof` in the working directory. The benchmark starts every
service this way (nothing is profiled, so nothing is slowed down) and profiles the busiest one
during a part of its own. cProfile follows the main thread, where a service's event loop, its
handlers and its relay run; a sampling profiler (py-spy) would be one more dependency and
needs permission to ptrace the service.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import runpy
import signal
import sys
from pathlib import Path
from types import FrameType

START = signal.SIGUSR1
STOP = signal.SIGUSR2


def stats_path(module: str, directory: Path) -> Path:
    return directory / f"{module}.prof"


def top_functions(stats: Path, count: int = 25) -> str:
    """The `count` functions with the most time of their own, then by cumulative time: a
    text summary of a `.prof` file."""
    out = io.StringIO()
    for key in ("tottime", "cumulative"):
        out.write(f"=== top {count} by {key}\n")
        pstats.Stats(str(stats), stream=out).strip_dirs().sort_stats(key).print_stats(count)
    return out.getvalue()


def main(argv: list[str]) -> None:
    module = argv[1]
    profiler = cProfile.Profile()

    def start(signum: int, frame: FrameType | None) -> None:
        profiler.enable()

    def stop(signum: int, frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(stats_path(module, Path.cwd()))

    signal.signal(START, start)
    signal.signal(STOP, stop)
    sys.argv = [module, *argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv)
