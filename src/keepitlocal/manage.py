"""Django's command-line utility, importable so that `kil manage ...` and `python -m` both reach it."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
    from django.core.management import execute_from_command_line

    from keepitlocal.config import prepare

    prepare()  # the var folder and the development key, before the settings read them

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
