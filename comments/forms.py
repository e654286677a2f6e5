"""The comment form readers fill in; the hidden fields carry the stamp and the honeypot."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from comments.markup import strip_controls


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail (optional, never shown)"),
        required=False,
        help_text=_("For a link to delete your comment, and to be recognised next time."),
    )
    website = forms.URLField(
        label=_("Website (optional)"), required=False, max_length=500, assume_scheme="https"
    )
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 6}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by the stylesheet, a field bots fill in.
    homepage = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        most = settings.COMMENTS_MAX_LENGTH
        self.fields["body"].validators.append(MaxLengthValidator(most))
        self.fields["body"].widget.attrs["maxlength"] = most
        self.fields["body"].help_text = _(
            "Markdown: *emphasis*, **strong**, `code`, [links](https://example.org), quotes "
            "and lists. At most %(most)s characters."
        ) % {"most": settings.COMMENTS_MAX_LENGTH}

    def clean_name(self) -> str:
        name = strip_controls(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Please give a name."))
        return name

    def clean_body(self) -> str:
        body = strip_controls(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(_("Please write a comment."))
        return body
