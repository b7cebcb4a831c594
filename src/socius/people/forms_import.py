"""Forms of the CSV import: the upload, then one choice of field per column."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socius.people.services.imports import MAX_BYTES, MAX_ROWS, ImportField


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    source = forms.SlugField(
        label=gettext_lazy("Where these contacts come from"),
        required=False,
        max_length=50,
        allow_unicode=False,
        help_text=gettext_lazy(
            "A short name such as “trade-fair-2025”, recorded on every identifier and consent "
            "as “import:<name>”. Leave it empty to use the file name."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8 (with or without BOM), columns separated by commas or semicolons, "
            "the first line naming the columns; at most %(mb)s MB and %(rows)s rows."
        ) % {"mb": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}".replace(",", " ")}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Refused before reading it: the size is known from the request.
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB: split it into smaller files.")
                % {"max": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportMappingForm(forms.Form):
    """A select per CSV column, named ``column_<position>``."""

    def __init__(
        self, *args: Any, header: list[str], guessed: list[str], samples: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for position, name in enumerate(header):
            self.fields[f"column_{position}"] = forms.ChoiceField(
                label=name or _("Column %(number)s") % {"number": position + 1},
                choices=ImportField.choices,
                initial=guessed[position],
                help_text=samples[position],
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"column_{position}"] for position in range(len(self.fields))]
