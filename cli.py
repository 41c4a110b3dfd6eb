#!/usr/bin/env python3
"""Run the lda-vi command line from a checkout: ``python cli.py fit corpus.txt -k 20``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lda_vi.cli.app import main  # noqa: E402

if __name__ == "__main__":
    main()
