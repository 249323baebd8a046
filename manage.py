#!/usr/bin/env python
"""MonoPod's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")
    from django.core.management import execute_from_command_line

    from monopod.settings.env import ConfigError, exit_on_config_error

    try:
        __import__(os.environ["DJANGO_SETTINGS_MODULE"])
    except ConfigError as exc:
        exit_on_config_error(exc)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
