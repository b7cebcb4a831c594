#!/usr/bin/env python
"""Django's manage.py; ``socius`` (the installed command) does the same."""

from socius.cli import main

if __name__ == "__main__":
    main()
