"""`manage.py export_state FILE`: back up the whole editorial state to a JSON file.

The file holds password hashes and subscribers' email addresses, so only its owner may read
it: it is created with mode 0600, and an existing file is narrowed to 0600 before writing.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand

from seeding.backup import state_export

PRIVATE = 0o600


class Command(BaseCommand):
    help = "Write published versions, drafts, history, organisations, sources and users to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
        # The mode given to os.open applies only to a new file.
        os.fchmod(descriptor, PRIVATE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            count = state_export(stream)
        self.stdout.write(f"Wrote {count} records to {file}.")
