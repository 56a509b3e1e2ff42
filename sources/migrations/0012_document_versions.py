"""Published versions of source documents. Each existing document gets version 1: the live
document and its commitments as they read now, in the shape sources.services.document_content
gives (tests/test_document_versions.py checks the two agree)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FIRST_NOTE = "The document as it stood when this site began keeping its versions."


def _labels(model, name) -> dict:
    return dict(model._meta.get_field(name).choices)


def _section(section) -> str:
    if section is None:
        return ""
    return f"{section.number}. {section.title}" if section.number else section.title


def _commitment(commitment, statuses, roles) -> dict:
    links = sorted(commitment.organisation_links.all(), key=lambda link: (link.order, link.pk))
    return {
        "key": f"c{commitment.pk}",
        "reference": commitment.reference,
        "fields": {
            "title": commitment.title,
            "text": commitment.text,
            "timescale": commitment.timescale,
            "status": str(statuses.get(commitment.status, commitment.status)),
            "progress note": commitment.progress_note,
            "section": _section(commitment.section),
            "phase": f"{commitment.phase.label}: {commitment.phase.name}" if commitment.phase else "",
            "foundation": commitment.foundation.name if commitment.foundation else "",
            "organisations": "; ".join(
                link.organisation.name
                + (f" ({str(roles[link.role]).lower()})" if link.role else "")
                for link in links
            ),
        },
    }


def first_versions(apps, schema_editor):
    SourceDocument = apps.get_model("sources", "SourceDocument")
    Commitment = apps.get_model("sources", "Commitment")
    CommitmentOrganisation = apps.get_model("sources", "CommitmentOrganisation")
    DocumentVersion = apps.get_model("sources", "DocumentVersion")
    statuses = _labels(Commitment, "status")
    roles = _labels(CommitmentOrganisation, "role")
    for document in SourceDocument.objects.order_by("pk"):
        commitments = list(
            Commitment.objects.filter(document=document)
            .select_related("section", "phase", "foundation")
            .prefetch_related("organisation_links__organisation")
            .order_by("order", "pk")
        )
        closes_on = document.closes_on
        DocumentVersion.objects.create(
            document=document,
            number=1,
            published_at=max([document.updated_at, *(c.updated_at for c in commitments)]),
            change_note=FIRST_NOTE,
            content={
                "document": {
                    "title": document.title,
                    "summary": document.summary,
                    "introduction": document.introduction,
                    "closing date": f"{closes_on.day} {closes_on:%B %Y}" if closes_on else "",
                    "link": document.url,
                },
                "commitments": [_commitment(c, statuses, roles) for c in commitments],
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0011_commitment_change_organisation_links'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DocumentVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('published_at', models.DateTimeField()),
                ('change_note', models.TextField(blank=True)),
                ('imported_from', models.CharField(blank=True, max_length=100)),
                ('content', models.JSONField(default=dict)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='sources.sourcedocument')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-number'],
                'constraints': [models.UniqueConstraint(fields=('document', 'number'), name='unique_document_version_number', violation_error_message='This document already has a version with this number.')],
            },
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
