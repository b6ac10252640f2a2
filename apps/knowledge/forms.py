"""Forms of the KB browser. They parse what an editor typed; the rules (labels, kinds, tenure
dates and overlaps, versions) are apps.knowledge.services'."""

from __future__ import annotations

import datetime as dt

from django import forms

from apps.knowledge.models import Entity, Precision


class FirstErrorMixin:
    def first_error(self) -> str:
        for name, errors in self.errors.items():  # type: ignore[attr-defined]
            if errors:
                label = self.fields[name].label if name in self.fields else ""  # type: ignore[attr-defined]
                return f"{label}: {errors[0]}" if label else str(errors[0])
        return "The form is not valid."


class VersionField(forms.CharField):
    """The `updated_at` the editor saw, sent back so that the service can refuse a stale edit."""

    widget = forms.HiddenInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError("The page is out of date; reload it and try again.")
        if parsed.tzinfo is None:
            raise forms.ValidationError("The page is out of date; reload it and try again.")
        return parsed


class EntityForm(FirstErrorMixin, forms.Form):
    label = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Entity.Kind.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField(required=False)

    @classmethod
    def for_entity(cls, entity: Entity, **kwargs) -> EntityForm:
        return cls(
            initial={
                "label": entity.label,
                "kind": entity.kind,
                "description": entity.description,
                "version": entity.updated_at.isoformat(),
            },
            auto_id="entity_%s",
            **kwargs,
        )


class EntityCreateForm(FirstErrorMixin, forms.Form):
    label = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Entity.Kind.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wikidata_id = forms.CharField(
        required=False, max_length=32, label="Wikidata id", help_text="Like Q22686; optional."
    )
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Other names it goes by in text, one per line.",
    )

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


class AliasForm(FirstErrorMixin, forms.Form):
    alias = forms.CharField(max_length=300)


class AliasRemoveForm(FirstErrorMixin, forms.Form):
    alias = forms.CharField(max_length=300)


class TenureForm(FirstErrorMixin, forms.Form):
    """`other` is the office (on a person's page) or the holder (on an office's page): picked
    from the autocomplete's radio buttons (`other`, a uuid) or typed (`other_name`) and then
    looked up by the view."""

    other = forms.UUIDField(required=False, widget=forms.HiddenInput)
    other_name = forms.CharField(required=False, max_length=300)
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.DAY)
    end = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty while in office.",
    )
    end_precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.DAY)
    end_unknown = forms.BooleanField(required=False, label="Ended, date unknown")
    source_url = forms.URLField(
        required=False, max_length=500, label="Source URL", assume_scheme="https"
    )
    version = VersionField(required=False)

    def __init__(self, *args, other_label: str = "Office", **kwargs) -> None:
        kwargs.setdefault("auto_id", "tenure_%s")
        super().__init__(*args, **kwargs)
        self.fields["other_name"].label = other_label
        self.other_label = other_label

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("other") and not cleaned.get("other_name"):
            self.add_error("other_name", f"Name the {self.other_label.lower()}.")
        return cleaned

    @classmethod
    def for_tenure(cls, tenure, *, other_label: str, other) -> TenureForm:
        return cls(
            initial={
                "other": other.uuid,
                "other_name": other.label,
                "start": tenure.start,
                "start_precision": tenure.start_precision,
                "end": tenure.end,
                "end_precision": tenure.end_precision,
                "end_unknown": tenure.end_unknown,
                "source_url": tenure.source_url,
                "version": tenure.updated_at.isoformat(),
            },
            other_label=other_label,
        )
