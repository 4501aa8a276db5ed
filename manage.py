#!/usr/bin/env python
"""Convenience: the same as `opencsms server manage ...`."""

import sys

from opencsms.cli.django_setup import run_management_command

if __name__ == "__main__":
    run_management_command(sys.argv[1:])
