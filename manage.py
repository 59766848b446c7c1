#!/usr/bin/env python
"""Django's command-line utility; `salescope` (salescope/cli.py) wraps the same commands."""

from salescope.cli import main

if __name__ == "__main__":
    main()
