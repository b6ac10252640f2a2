"""Forms for the article pages: they parse and validate input; the services apply the rules."""

from __future__ import annotations

from django import forms

from apps.articles.formats import text_from_upload
from apps.articles.services import ArticleError

# Django's "Enter a valid URL." does not say what is wrong with `javascript:…` or `data:…`.
WEB_ADDRESS_ERRORS = {
    "invalid": "Enter a web address that starts with http:// or https://, like "
    "https://example.org/report."
}


class LabelledForm(forms.Form):
    """Labels without Django's trailing colon (the templates lay labels above their fields)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ArticleImportForm(LabelledForm):
    title = forms.CharField(max_length=500)
    source = forms.CharField(max_length=200, required=False, help_text="Publication name.")
    byline = forms.CharField(max_length=300, required=False)
    url = forms.URLField(
        max_length=2000, required=False, assume_scheme="https", error_messages=WEB_ADDRESS_ERRORS
    )
    published_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if unknown.",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        label="Article text",
        help_text="Paste the text, or upload a file below.",
    )
    file = forms.FileField(
        required=False,
        label="…or a file",
        help_text=".txt, .md or .html (UTF-8); HTML is reduced to the article's main text.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.text,.md,.markdown,.html,.htm"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        text = data.get("text") or ""
        upload = data.get("file")
        if upload and text.strip():
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if upload:
            # An upload over DATA_UPLOAD_MAX_MEMORY_SIZE never gets here: config.security's
            # middleware answers 413 before the body is read.
            try:
                data["body"] = text_from_upload(filename=upload.name, data=upload.read())
            except ArticleError as exc:
                self.add_error("file", exc.message)
        elif not text.strip():
            self.add_error("text", "Paste the article text or upload a file.")
        else:
            data["body"] = text
        return data


class ArticleBodyForm(LabelledForm):
    body = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 24}), label="Text")
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        max_length=500, required=False, label="What changed", help_text="Kept with the revision."
    )


class ArticleDetailsForm(LabelledForm):
    """Title and metadata. Each field also carries the value the person saw (a hidden initial),
    so the view sends the service only what the person changed and notices when someone else
    changed the same field in the meantime."""

    title = forms.CharField(max_length=500, show_hidden_initial=True)
    source = forms.CharField(
        max_length=200, required=False, help_text="Publication name.", show_hidden_initial=True
    )
    byline = forms.CharField(max_length=300, required=False, show_hidden_initial=True)
    url = forms.URLField(
        max_length=2000,
        required=False,
        assume_scheme="https",
        error_messages=WEB_ADDRESS_ERRORS,
        label="Address of the original",
        show_hidden_initial=True,
    )
    published_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Published on",
        help_text="Relative dates in the text (“on Tuesday”) are read against it.",
        show_hidden_initial=True,
    )
    event_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Event on",
        help_text="The day of the reported event, when the text does not say; the checks test "
        "titles of office against it.",
        show_hidden_initial=True,
    )

    FIELDS = ("title", "source", "byline", "url", "published_on", "event_on")

    def seen(self, name: str):
        """The value the person saw when the form was rendered."""
        field = self.fields[name]
        raw = field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix(name)
        )
        try:
            return field.clean(raw) if raw not in (None, "") else field.clean("")
        except forms.ValidationError:
            return None
