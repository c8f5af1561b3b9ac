"""Where the GUI thread is when bench/pages.py's 10 ms timer ticks late: stacks sampled while it stalls.

    ZZB_PASSWORD=… .venv/bin/python bench/stalls.py [--late-ms 25] [--page KEY …]

Runs bench/pages.py (same arguments after ours) with a sampler thread beside it. Every 4 ms the sampler
checks how long ago the GUI timer last ticked; when that is over --late-ms, it records the GUI thread's
innermost Python frames and every other thread's (the lane, the chain check beside it). At the end it prints
the most frequent stacks with their counts, one line each:

    samples: gui=N others=M late_ms=25
    gui  123  pages.py:82:run_until < pages.py:91:settled < …
    lane  45  target_service.py:150:search_ids < …

A GUI stack whose innermost frame is the bench's event loop (run_until) means the GUI thread was in Qt's
C++ code (layout, painting, text shaping) or waiting there for the GIL to call a Python slot — not running
our Python; a lane stack waiting on its queue means the lane was idle at that moment.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEPTH = 5


def _stack(frame) -> str:
    frames = traceback.extract_stack(frame)[-DEPTH:]
    return " < ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(frames))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--late-ms", type=float, default=25.0)
    ap.add_argument("--top", type=int, default=15)
    args, rest = ap.parse_known_args()

    import pages

    gui = threading.get_ident()
    last = [float("inf")]  # no timer yet: nothing is late
    gui_stacks: collections.Counter = collections.Counter()
    other_stacks: collections.Counter = collections.Counter()
    original_tick = pages.StallMeter._tick

    def tick(meter):
        last[0] = time.perf_counter()
        return original_tick(meter)

    pages.StallMeter._tick = tick

    def sample() -> None:
        me = threading.get_ident()
        while True:
            time.sleep(0.004)
            if not (time.perf_counter() - last[0]) * 1000 > args.late_ms:
                continue
            for ident, frame in sys._current_frames().items():
                if ident == gui:
                    gui_stacks[_stack(frame)] += 1
                elif ident != me:
                    other_stacks[_stack(frame)] += 1

    threading.Thread(target=sample, name="stall-sampler", daemon=True).start()
    sys.argv = [str(ROOT / "bench" / "pages.py"), *rest]
    pages.main()  # the imported module, whose StallMeter now marks each tick
    print(f"samples: gui={sum(gui_stacks.values())} others={sum(other_stacks.values())} late_ms={args.late_ms:g}")
    for name, stacks in (("gui", gui_stacks), ("lane", other_stacks)):
        for stack, n in stacks.most_common(args.top):
            print(f"{name} {n:5d}  {stack}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
