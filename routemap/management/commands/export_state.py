"""`manage.py export_state FILE`: back up the whole editorial state to a JSON file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from routemap.backup import state_export


class Command(BaseCommand):
    help = "Write published versions, drafts, history, organisations, sources and users to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        with file.open("w", encoding="utf-8") as stream:
            count = state_export(stream)
        self.stdout.write(f"Wrote {count} records to {file}.")
