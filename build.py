#!/usr/bin/env python3
"""つなぐ: `python build.py` builds the demo site; `python build.py --help` lists the commands."""

from tsunagu.cli import main

if __name__ == "__main__":
    main()
