#!/usr/bin/env python3
"""Build the evidence site: `python build.py --help` lists the commands."""

import sys

from evsynth.cli import main

if __name__ == "__main__":
    sys.exit(main())
