"""The sign-up and tag-choice forms. Addresses go through addresses.clean_address."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from posts.delivery.visibility import public_tags
from subscribers.addresses import clean_address
from subscribers.formguard import HONEYPOT


def tag_choices():
    """Tags readers may follow: those of published entries, never a draft's (issue 22)."""
    return public_tags().order_by("name").values_list("pk", "name")


class TagChoiceMixin(forms.Form):
    all_tags = forms.BooleanField(label=_("Every new entry"), required=False, initial=True)
    tags = forms.TypedMultipleChoiceField(
        label=_("Or only entries with these tags"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = list(tag_choices())

    def chosen(self) -> tuple[bool, list[int]]:
        """Return (all tags?, tag ids): no tag ticked means every entry."""
        tags = self.cleaned_data.get("tags") or []
        return (self.cleaned_data.get("all_tags") or not tags), tags


class SubscribeForm(TagChoiceMixin):
    # Kept generous here (the field refuses 5,000 characters with a message, not a cut),
    # so that clean_address can say what is wrong.
    email = forms.CharField(label=_("E-mail address"), max_length=6000)
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    field_order = ["email", "all_tags", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT] = forms.CharField(required=False, label=_("Leave this empty"))

    def clean_email(self) -> str:
        return clean_address(self.cleaned_data["email"])

    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT))


class TagsForm(TagChoiceMixin):
    pass


__all__ = ["SubscribeForm", "TagsForm", "ValidationError"]
