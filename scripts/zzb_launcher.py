"""Entry script of the PyInstaller bundle (build.spec): the same CLI as the `zzb` console script.

Kept outside the `desktop` package so PyInstaller does not put desktop/ itself on the module path.
"""

import os
import sys

# A windowed executable (Windows, console=False) has no stdout/stderr: give prints somewhere to go.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))

from desktop.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
