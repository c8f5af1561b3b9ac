"""`python -m desktop` runs the same CLI as the `zzb` console script."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
