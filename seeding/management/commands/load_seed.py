"""`manage.py load_seed`: load fixtures/ (idempotent, validated, all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seeding.routemaps import FIXTURES_DIR, SeedError, load_seed


class Command(BaseCommand):
    help = "Load the Plan 24-30 seed content from fixtures/ (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=FIXTURES_DIR)

    def handle(self, *args, directory: Path, **options):
        try:
            changes = load_seed(directory)
        except SeedError as exc:
            raise CommandError(f"Seed not loaded: {exc}") from exc
        if not changes:
            self.stdout.write("Seed content already loaded: nothing changed.")
            return
        self.stdout.write(f"Loaded {len(changes)} change(s):")
        for change in changes:
            self.stdout.write(f"  {change}")
