"""Full-text search vectors kept by PostgreSQL itself, with GIN indexes (PostgreSQL only).

As for milestones (milestones/migrations/0002_search_vector.py): search ranks every matching
row, so the vector is generated and stored rather than recomputed on every search. The columns
are not model fields; public/search.py reads them by name. Nothing is added on SQLite.

PostgreSQL refuses to change the type of a column a generated column uses: a later migration
that alters a field it is made from must drop the vector first and add it again after.
"""

from django.db import migrations

COLUMNS = [
    """ALTER TABLE outcomes_outcome ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(statement, '')), 'B')
    ) STORED""",
    "CREATE INDEX outcome_search_vector ON outcomes_outcome USING gin (search_vector)",
    """ALTER TABLE outcomes_progressentry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, COALESCE(text, '')), 'A')
    ) STORED""",
    "CREATE INDEX progressentry_search_vector ON outcomes_progressentry USING gin (search_vector)",
    # Without statistics on the new column the planner guesses one match per search.
    "ANALYZE outcomes_outcome",
    "ANALYZE outcomes_progressentry",
]
DROP = [
    "ALTER TABLE outcomes_outcome DROP COLUMN search_vector",
    "ALTER TABLE outcomes_progressentry DROP COLUMN search_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(run(COLUMNS), run(DROP))]
