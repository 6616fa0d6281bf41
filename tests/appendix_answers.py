"""A complete, valid set of Appendix A answers as form fields, section by section."""

from __future__ import annotations

VALID_NHS = "943 476 5919"
VALID_UPN = "B801200005001"

ANSWERS: dict[str, dict[str, str]] = {
    "about": {
        "completed_by": "parent",
        "relationship": "Mother",
        "helper": "SENDIAS adviser",
        "school_support": "yes",
    },
    "child": {
        "first_name": "Jamie",
        "last_name": "Rivers",
        "date_of_birth-day": "2",
        "date_of_birth-month": "4",
        "date_of_birth-year": "2015",
        "address": "1 High Street, Taunton",
        "postcode": "TA1 1HE",
        "nhs_number": VALID_NHS,
        "upn": VALID_UPN,
        "school": "Taunton Primary",
        "year_group": "Year 6",
        "previous_settings-count": "1",
        "previous_settings-0-name": "Little Acorns Nursery",
        "previous_settings-0-dates": "2018 to 2019",
    },
    "household": {
        "people-count": "1",
        "people-0-name": "Robin Rivers",
        "people-0-relationship": "Mother",
        "people-0-has_pr": "yes",
        "people-0-phone": "07700 900982",
        "people-0-email": "robin@example.com",
    },
    "all_about_me": {"important": "My friends and my dog", "hard": "Loud rooms"},
    "parent_views": {"history": "Concerns since nursery", "hopes": "To be happy at school"},
    "needs": {"communication_needs": "Finds it hard to follow instructions"},
    "support_tried": {"why_not_enough": "The school has used all its resources"},
    "professionals": {
        "professionals-count": "1",
        "professionals-0-name": "Dr Patel",
        "professionals-0-role": "Paediatrician",
    },
    "documents": {},
    "consent": {"agree_request": "yes", "agree_share": "yes"},
    "declaration": {"true": "yes", "full_name": "Robin Rivers"},
}
