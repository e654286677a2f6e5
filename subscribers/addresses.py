"""E-mail addresses from readers: checked, normalised and hashed. Knows only Django.

An address that reaches a mail header must be a plain `local@domain` with no character a
header could be split or quoted by: CR, LF, quotes, angle brackets, commas, spaces.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

# RFC 5321: 64 for the local part, 255 for the domain, 254 for a path in all.
MAX_LENGTH = 254
FORBIDDEN = set("\r\n\t\0\"'<>(),;:\\[] ")


def normalize(address: str) -> str:
    """Return the address as stored: stripped, in lower case, an IDN domain as ASCII."""
    local, _at, domain = address.strip().rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as err:
        raise ValidationError(_("That domain name cannot be used in an e-mail address.")) from err
    return f"{local.lower()}@{domain}"


def clean_address(raw: str) -> str:
    """Return a safe, normalised address from reader input, or raise ValidationError."""
    text = raw.strip()
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("That address is too long for e-mail (254 characters at most)."))
    if any(char in FORBIDDEN for char in text) or any(ord(char) < 32 for char in text):
        raise ValidationError(
            _("Enter a plain address such as name@example.org, without quotes or spaces.")
        )
    local, at, _domain = text.rpartition("@")
    if not at or not local or len(local) > 64:
        raise ValidationError(_("Enter a valid e-mail address, such as name@example.org."))
    if not local.isascii():
        # A non-ASCII local part needs SMTPUTF8, which many servers refuse.
        raise ValidationError(
            _("The part before @ may only use ASCII letters, digits and . _ + -.")
        )
    address = normalize(text)
    if len(address) > MAX_LENGTH:
        raise ValidationError(_("That address is too long for e-mail (254 characters at most)."))
    try:
        EmailValidator()(address)
    except ValidationError as err:
        raise ValidationError(_("Enter a valid e-mail address, such as name@example.org.")) from err
    return address


def address_hash(address: str) -> str:
    """Return the hash kept of an address: the same for any spelling of its case."""
    return hashlib.sha256(f"blogsite-subscriber:{address.strip().lower()}".encode()).hexdigest()
