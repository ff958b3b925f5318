#!/usr/bin/env python
"""Run Django management commands for keepitlocal."""

from keepitlocal.manage import main

if __name__ == "__main__":
    main()
