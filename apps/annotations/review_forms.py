"""Input parsing for the review queue's forms. The rules themselves (reason required, four eyes,
versions) are the services'; these forms only turn POST data into typed values with a message a
person can act on."""

from __future__ import annotations

import uuid

from django import forms

from apps.annotations.models import SPAN_MODELS
from apps.annotations.review_selectors import QueueItem

MAX_BULK = 200


class _FirstErrorMixin:
    def first_error(self) -> str:
        for errors in self.errors.values():  # type: ignore[attr-defined]
            if errors:
                return str(errors[0])
        return "The form is not valid."


class ItemActionForm(_FirstErrorMixin, forms.Form):
    version = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "The form did not say which version you saw; reload the page and try again.",
            "invalid": "The version must be a whole number; reload the page and try again.",
        },
    )
    note = forms.CharField(required=False, max_length=2000, strip=True)

    def __init__(self, *args, note_required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.note_required = note_required

    def clean_note(self) -> str:
        note = self.cleaned_data.get("note", "")
        if self.note_required and not note:
            raise forms.ValidationError("Give a reason.")
        return note


class BulkActionForm(_FirstErrorMixin, forms.Form):
    """`item` values are "type:uuid:version" (the version the reviewer saw)."""

    action = forms.ChoiceField(
        choices=[("approve", "approve / verify"), ("reject", "reject / send back")],
        error_messages={
            "required": "Choose approve or reject.",
            "invalid_choice": "Unknown action.",
        },
    )
    note = forms.CharField(required=False, max_length=2000, strip=True)

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self._raw_items = data.getlist("item") if data is not None else []

    def clean(self) -> dict:
        cleaned = super().clean()
        items = []
        for raw in self._raw_items:
            try:
                kind, raw_uuid, raw_version = raw.split(":")
                if kind not in SPAN_MODELS:
                    raise ValueError(kind)
                items.append((kind, uuid.UUID(raw_uuid), int(raw_version)))
            except ValueError:
                raise forms.ValidationError(
                    "One of the selected items is not valid; reload the page and select again."
                ) from None
        if not items:
            raise forms.ValidationError("Select at least one item.")
        if len(items) > MAX_BULK:
            raise forms.ValidationError(f"Select at most {MAX_BULK} items at once.")
        if cleaned.get("action") == "reject" and not cleaned.get("note"):
            raise forms.ValidationError("Give a reason for rejecting (it is kept with each item).")
        cleaned["items"] = items
        return cleaned

    def action_for(self, item: QueueItem) -> str:
        """What approve / reject means for this item now: a proposed verdict is verified or sent
        back; otherwise the annotation itself is approved or rejected (and when nothing is
        pending any more, the service answers with the conflict and the current state)."""
        approve = self.cleaned_data["action"] == "approve"
        if item.verdict_pending:
            return "verify" if approve else "return"
        return "approve" if approve else "reject"
