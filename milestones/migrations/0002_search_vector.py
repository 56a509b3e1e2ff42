"""A full-text search vector kept by PostgreSQL itself, with a GIN index (PostgreSQL only).

Search ranks every matching milestone, and recomputing to_tsvector for each row on every
search is what made it slow on a large plan. The column is generated and stored, so it is
always in step with the text. It is not a model field: no other page loads it, and on SQLite
(which searches differently) nothing is added. public/search.py reads it by name.

PostgreSQL refuses to change the type of a column a generated column uses: a later migration
that alters text or progress_note must drop the vector first and add it again after.
"""

from django.db import migrations

COLUMNS = [
    """ALTER TABLE milestones_milestone ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, COALESCE(text, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(progress_note, '')), 'B')
    ) STORED""",
    "CREATE INDEX milestone_search_vector ON milestones_milestone USING gin (search_vector)",
    # Without statistics on the new column the planner guesses one match per search.
    "ANALYZE milestones_milestone",
]
DROP = ["ALTER TABLE milestones_milestone DROP COLUMN search_vector"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("milestones", "0001_initial")]

    operations = [migrations.RunPython(run(COLUMNS), run(DROP))]
