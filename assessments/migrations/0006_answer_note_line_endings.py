"""Notes saved before line endings were normalised keep a browser's CRLF; store them as LF, so
the same note compares equal however it is posted back (see services.assessments)."""

from django.db import migrations


def normalise_line_endings(apps, schema_editor):
    Answer = apps.get_model("assessments", "Answer")
    for answer in Answer.objects.filter(note__contains="\r").only("pk", "note").iterator():
        note = answer.note.replace("\r\n", "\n").replace("\r", "\n")
        Answer.objects.filter(pk=answer.pk).update(note=note)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_scan_lifecycle")]

    operations = [migrations.RunPython(normalise_line_endings, migrations.RunPython.noop)]
