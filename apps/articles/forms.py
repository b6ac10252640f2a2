"""Forms for the article pages: they parse and validate input; the services apply the rules."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from apps.articles.formats import UploadedArticle, article_from_upload
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
    title = forms.CharField(
        max_length=500,
        required=False,
        help_text="An HTML file's headline fills it in when left empty.",
    )
    source = forms.CharField(max_length=200, required=False, help_text="Publication name.")
    byline = forms.CharField(max_length=300, required=False)
    url = forms.URLField(
        max_length=2000,
        required=False,
        assume_scheme="https",
        error_messages=WEB_ADDRESS_ERRORS,
        label="URL",
        help_text="Address of the original.",
    )
    published_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if unknown.",
    )
    event_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Event on",
        help_text="The day of the reported event, when the text does not say; the checks test "
        "titles of office against it.",
    )
    language = forms.CharField(
        max_length=16,
        required=False,
        initial="en",
        label="Language",
        help_text="Language code of the text, e.g. en, fr, de, pt-BR (empty: en).",
        validators=[
            RegexValidator(
                r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                "Enter a language code like en, fr or pt-BR.",
            )
        ],
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

    # The file read in this request (None when none was read): if the form comes back with an
    # error, its text is put in the text field so that nobody has to choose the file again.
    uploaded: UploadedArticle | None = None
    uploaded_name: str = ""

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
                self.uploaded = article_from_upload(filename=upload.name, data=upload.read())
            except ArticleError as exc:
                self.add_error("file", exc.message)
            else:
                self.uploaded_name = upload.name
                data["body"] = self.uploaded.text
                if not (data.get("title") or "").strip():
                    data["title"] = self.uploaded.title
        elif not text.strip():
            self.add_error("text", "Paste the article text or upload a file.")
        else:
            data["body"] = text
        data["language"] = data.get("language") or "en"
        if "title" in data and not (data.get("title") or "").strip():
            self.add_error("title", "Give the article a title.")
        return data

    def keep_upload(self) -> None:
        """After an error: the file's text (and the title found in it) become the fields'
        values, so that the form comes back with them instead of an empty file input."""
        if self.uploaded is None:
            return
        data = self.data.copy()
        data["text"] = self.uploaded.text
        if not data.get("title", "").strip():
            data["title"] = self.uploaded.title
        self.data = data


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
