"""Import a route map's milestones from CSV, as the editors' import page does, for automation.

    manage.py import_route_map FILE --route-map SLUG [--dry-run] [--user USERNAME]
                               [--remove-missing] [--replace-changes-since-export]

Prints what would change and every problem with its line number; exits non-zero on problems,
in which case nothing is changed.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from editing import imports
from routemap.models import RouteMap


class Command(BaseCommand):
    help = "Preview and apply a CSV of milestones to a route map's draft."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, as exported from /edit/route-maps/<slug>/")
        parser.add_argument("--route-map", required=True, help="slug of the route map")
        parser.add_argument("--dry-run", action="store_true", help="show the changes only")
        parser.add_argument("--user", help="username recorded as making the changes")
        parser.add_argument(
            "--replace-changes-since-export",
            action="store_true",
            help="also import rows whose milestone was changed in the draft after the file "
            "was exported, replacing those changes",
        )
        parser.add_argument(
            "--remove-missing",
            action="store_true",
            help="remove milestones that are in the route map but not in the file",
        )

    def handle(self, *args, **options):
        route_map = RouteMap.objects.filter(slug=options["route_map"]).first()
        if route_map is None:
            raise CommandError(f"There is no route map “{options['route_map']}”.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user “{options['user']}”.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        if len(data) > imports.MAX_FILE_BYTES * 10:
            raise CommandError(f"{path} is too large to be a route map's milestones.")
        try:
            text = imports.decode_upload(data)
        except imports.ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc

        preview = imports.import_preview(
            route_map=route_map, text=text, remove_missing=options["remove_missing"]
        )
        for line in imports.preview_lines(preview):
            self.stdout.write(line)
        if preview.errors:
            for error in preview.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{len(preview.errors)} problem(s) in {path}: nothing imported.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed.")
            return
        try:
            counts = imports.route_map_import_apply(
                route_map=route_map,
                user=user,
                preview=preview,
                apply_stale=[row.key for row in preview.stale]
                if options["replace_changes_since_export"]
                else [],
            )
        except imports.ImportNotAllowed as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if any(counts.values()):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported into the draft of {route_map.title}: "
                    f"{imports.created_words(counts)}{counts['added']} added, "
                    f"{counts['changed']} changed, {counts['removed']} removed. "
                    "Publish it to make the changes public."
                )
            )
