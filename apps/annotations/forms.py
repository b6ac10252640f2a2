"""Forms for the workspace's annotation actions. They parse input (offsets, versions, choices);
the rules live in apps.annotations.services, which every form's view calls once."""

from __future__ import annotations

from django import forms

from apps.annotations.models import (
    SPAN_MODELS,
    ClaimKind,
    ClaimVerdict,
    TitleModifier,
)
from apps.articles.forms import WEB_ADDRESS_ERRORS, LabelledForm
from apps.knowledge.models import Entity, Precision

KIND_CHOICES = [
    ("claim", "claim"),
    ("quote", "quote"),
    ("mention", "entity mention"),
    ("date", "date"),
]
assert {value for value, _ in KIND_CHOICES} == set(SPAN_MODELS)


class VersionForm(LabelledForm):
    """Every write on an existing item says which version the person saw (optimistic lock)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AnnotationCreateForm(LabelledForm):
    """From a text selection (start, end and exact, in code points) or, without JavaScript, from
    offsets typed in or the exact text to find (its n-th occurrence)."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, label="Type")
    start = forms.IntegerField(min_value=0, required=False, label="Start offset")
    end = forms.IntegerField(min_value=1, required=False, label="End offset")
    exact = forms.CharField(
        required=False,
        strip=False,
        max_length=20_000,
        label="Exact text",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The text to annotate, exactly as in the article.",
    )
    occurrence = forms.IntegerField(
        min_value=1,
        initial=1,
        required=False,
        label="Occurrence",
        help_text="Which occurrence of the text, when it appears more than once.",
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end, exact = data.get("start"), data.get("end"), data.get("exact") or ""
        if {"start", "end"} & set(self.errors):
            return data  # an offset was given but is invalid: its own message says why
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both a start and an end offset, or neither.")
        if start is None and not exact:
            raise forms.ValidationError(
                "Select text in the article, or give the exact text (or its offsets)."
            )
        data["exact"] = exact or None
        return data


class ReattachForm(VersionForm):
    """Put an annotation (an orphan, typically) on words of the current text: the words as they
    are now, and which occurrence (no JavaScript needed)."""

    exact = forms.CharField(
        strip=False,
        max_length=20_000,
        label="New text",
        help_text="The words to attach it to, exactly as in the article now.",
    )
    occurrence = forms.IntegerField(min_value=1, initial=1, required=False, label="Occurrence")
    # A selection in the workspace ("Re-attach here") sends its offsets, in code points.
    start = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("start") is None) != (data.get("end") is None):
            raise forms.ValidationError("Give both a start and an end offset, or neither.")
        return data


class ClaimFieldsForm(VersionForm):
    kind = forms.ChoiceField(choices=ClaimKind.choices, label="Claim kind")


# Django's "Select a valid choice. That choice is not one of the available choices." does not say
# that the entity is gone from the knowledge base, nor what to do.
UNKNOWN_ENTITY_ERRORS = {
    "invalid_choice": "This entity is not in the knowledge base (it may have been deleted). "
    "Search for it by name and pick it again."
}


class QuoteFieldsForm(VersionForm):
    speaker = forms.ModelChoiceField(
        queryset=Entity.objects.all(),
        to_field_name="uuid",
        required=False,
        label="Speaker",
        error_messages=UNKNOWN_ENTITY_ERRORS,
    )
    speaker_text = forms.CharField(max_length=300, required=False, label="Speaker as written")
    attribution_text = forms.CharField(
        max_length=500,
        required=False,
        strip=False,
        label="Attribution",
        help_text="The words that attribute the quote (“Zelensky explained”), as in the article.",
    )
    verb = forms.CharField(max_length=64, required=False)


class MentionFieldsForm(VersionForm):
    entity = forms.ModelChoiceField(
        queryset=Entity.objects.all(),
        to_field_name="uuid",
        required=False,
        label="Entity",
        error_messages=UNKNOWN_ENTITY_ERRORS,
    )
    title_modifier = forms.ChoiceField(
        choices=TitleModifier.choices, required=False, label="Title modifier"
    )


class DateFieldsForm(VersionForm):
    value = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date"
    )
    precision = forms.ChoiceField(choices=Precision.choices)
    is_relative = forms.BooleanField(required=False, label="Resolved from a relative date")


FIELD_FORMS: dict[str, type[VersionForm]] = {
    "claim": ClaimFieldsForm,
    "quote": QuoteFieldsForm,
    "mention": MentionFieldsForm,
    "date": DateFieldsForm,
}

VERDICT_CHOICES = [("", "— choose —")] + [
    (v, label) for v, label in ClaimVerdict.choices if v != ClaimVerdict.NOT_RATED
]
RATING_CHOICES = [
    ("", "from the verdict"),
    ("1", "1 – false"),
    ("2", "2 – mostly false"),
    ("3", "3 – mixed"),
    ("4", "4 – mostly true"),
    ("5", "5 – true"),
]


class VerdictForm(VersionForm):
    verdict = forms.ChoiceField(choices=VERDICT_CHOICES)
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    rating_label = forms.CharField(
        max_length=100, required=False, label="Rating label", help_text="Empty: from the rating."
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(VersionForm):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(
        max_length=2000, required=False, label="Reason", help_text="Required to reject."
    )


class ReturnForm(VersionForm):
    note = forms.CharField(max_length=2000, required=False, label="Why it is sent back")


class EvidenceForm(LabelledForm):
    url = forms.URLField(
        max_length=2000,
        required=False,
        label="URL",
        assume_scheme="https",
        error_messages=WEB_ADDRESS_ERRORS,
    )
    title = forms.CharField(max_length=500, required=False)
    quoted_passage = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Quoted passage"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
