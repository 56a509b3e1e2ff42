"""Forms for importing a route map from CSV: upload, then apply what the preview showed."""

from django import forms

from core.forms import CleanTextForm, DesignSystemForm
from editing.imports import MAX_FILE_BYTES, ImportFileError, decode_upload


class ImportUploadForm(DesignSystemForm):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A file exported from this page or from the timeline, edited and saved as "
            "“CSV UTF-8”. Up to 2 MB."
        ),
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty. Choose a CSV file with a header row.",
        },
    )
    remove_missing = forms.BooleanField(
        required=False,
        label="Remove milestones missing from the file",
        help_text=(
            "Leave this unticked to keep milestones that are not in the file "
            "(for example when the file has only some rows)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget = forms.FileInput(attrs={"accept": ".csv,text/csv"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(
                "The file must be a CSV file (ending .csv). In a spreadsheet program, "
                "use “Save as” and choose “CSV UTF-8”."
            )
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB: split it into parts.")
        try:
            self.text = decode_upload(upload.read())
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class ImportApplyForm(CleanTextForm):
    """What the preview showed (`token`), and which rows changed in the draft since the
    file was exported the editor chose to import anyway (their milestones' keys)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    apply_stale = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, stale_keys: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["apply_stale"].choices = [(key, key) for key in stale_keys]
