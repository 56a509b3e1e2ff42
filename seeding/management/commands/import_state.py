"""`manage.py import_state FILE`: restore a backup made by export_state into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError

from seeding.backup import NotEmpty, state_import


class Command(BaseCommand):
    help = "Load a backup written by export_state into a freshly migrated, empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open(encoding="utf-8") as stream:
                count = state_import(stream)
        except NotEmpty as exc:
            raise CommandError(str(exc)) from exc
        except DeserializationError as exc:
            raise CommandError(f"{file} is not a backup this site can read: {exc}") from exc
        self.stdout.write(f"Restored {count} records from {file}.")
