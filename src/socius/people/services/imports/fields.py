"""What a CSV column may become, and the limits of an import."""

from __future__ import annotations

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from socius.core.errors import InvalidInput, NotFound
from socius.core.verbs import register_verbs
from socius.people.models import (
    IdentifierKind,
    Person,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200  # the mapping form has one field per column
PREVIEW_ROWS = 20
INLINE_MAX_ROWS = 2_000  # larger files are imported by the worker
ROWS_PER_TRANSACTION = 200  # each row still has its own savepoint inside
STALE_UPLOAD_AGE = dt.timedelta(days=1)
DELIMITERS = (",", ";", "\t")

register_verbs({"people.imported": gettext_lazy("Contacts imported")})


class ImportField(TextChoices):
    IGNORE = "ignore", gettext_lazy("Ignore this column")
    GIVEN_NAME = "given_name", gettext_lazy("Given name")
    FAMILY_NAME = "family_name", gettext_lazy("Family name")
    BIRTH_DATE = "birth_date", gettext_lazy("Birth date")
    ADDRESS = "address", gettext_lazy("Address")
    POSTCODE = "postcode", gettext_lazy("Postcode")
    CITY = "city", gettext_lazy("City")
    LOCALE = "locale", gettext_lazy("Language")
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone")
    FACEBOOK = "facebook", gettext_lazy("Facebook")
    INSTAGRAM = "instagram", gettext_lazy("Instagram")
    X = "x", gettext_lazy("X (Twitter)")
    LINKEDIN = "linkedin", gettext_lazy("LinkedIn")
    WHATSAPP = "whatsapp", gettext_lazy("WhatsApp")
    CUSTOMER_NUMBER = "customer_number", gettext_lazy("Customer number")
    LOYALTY_CARD = "loyalty_card", gettext_lazy("Loyalty card")
    EXTERNAL_ID = "external_id", gettext_lazy("External id (in the source system)")
    CONSENT_EMAIL_MARKETING = "consent_email_marketing", gettext_lazy("Consent to email marketing")


PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "address",
    "postcode",
    "city",
    "locale",
)
IDENTIFIER_KINDS = {
    "email": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "facebook": IdentifierKind.FACEBOOK,
    "instagram": IdentifierKind.INSTAGRAM,
    "x": IdentifierKind.X,
    "linkedin": IdentifierKind.LINKEDIN,
    "whatsapp": IdentifierKind.WHATSAPP,
    "customer_number": IdentifierKind.CUSTOMER_NUMBER,
    "loyalty_card": IdentifierKind.LOYALTY_CARD,
    "external_id": IdentifierKind.EXTERNAL,
}
# Header names as spreadsheets write them, folded (lower case, no accents, no punctuation).
GUESSES = {
    "given_name": ["prenom", "prenoms", "first name", "firstname", "given name", "givenname",
                   "forename"],
    "family_name": ["nom", "nom de famille", "nom famille", "last name", "lastname", "surname",
                    "family name", "familyname"],
    "birth_date": ["date de naissance", "date naissance", "naissance", "ne le", "nee le",
                   "birth date", "birthdate", "date of birth", "dob", "birthday"],
    "address": ["adresse", "adresse postale", "rue", "street", "street address", "address"],
    "postcode": ["code postal", "cp", "postcode", "post code", "postal code", "zip", "zip code",
                 "zipcode"],
    "city": ["ville", "commune", "localite", "city", "town"],
    "locale": ["langue", "langue preferee", "language", "lang", "locale"],
    "email": ["email", "e mail", "mail", "courriel", "adresse email", "adresse e mail",
              "adresse mail", "adresse electronique", "email address", "e mail address"],
    "phone": ["telephone", "tel", "tel portable", "telephone portable", "telephone mobile",
              "portable", "mobile", "numero de telephone", "phone", "phone number",
              "mobile phone", "cell", "cellphone", "gsm"],
    "facebook": ["facebook", "fb"],
    "instagram": ["instagram", "insta"],
    "x": ["x", "twitter", "compte x"],
    "linkedin": ["linkedin"],
    "whatsapp": ["whatsapp"],
    "customer_number": ["numero client", "n client", "no client", "num client", "code client",
                        "ref client", "reference client", "customer number", "customer no",
                        "customer id", "client id", "id client"],
    "loyalty_card": ["carte fidelite", "carte de fidelite", "numero carte fidelite",
                     "n carte fidelite", "fidelite", "loyalty card", "loyalty number",
                     "loyalty card number"],
    "external_id": ["id", "identifiant", "identifiant externe", "external id"],
    "consent_email_marketing": ["consentement", "consentement email", "consentement marketing",
                                "consentement email marketing", "accepte les emails", "optin",
                                "opt in", "newsletter", "consent", "consent email marketing",
                                "email marketing"],
}  # fmt: skip
YES_WORDS = {"yes", "y", "oui", "o", "1", "true", "vrai"}
NO_WORDS = {"no", "n", "non", "0", "false", "faux"}
MAX_LENGTHS: dict[str, int] = {
    f.name: f.max_length
    for f in Person._meta.concrete_fields
    if f.name in PROFILE_FIELDS and f.max_length is not None
}


class ImportFileRefused(InvalidInput):
    code = "import_file_refused"
    default_message = gettext_lazy("This file cannot be imported.")


class ImportMappingInvalid(InvalidInput):
    code = "import_mapping_invalid"
    default_message = gettext_lazy("This column mapping cannot be used.")


class ImportUploadMissing(NotFound):
    code = "import_upload_missing"
    default_message = gettext_lazy("This uploaded file is no longer available: upload it again.")
