"""The canary: a person with unusual, known identifiers, so that any trace of them can be searched for."""

from __future__ import annotations

CANARY_ID = 7013370042
CANARY_FIRST_NAME = "Kanareyka"
CANARY_LAST_NAME = "Ptichkina"
CANARY_USERNAME = "canary_q7x"
CANARY_NAMES = [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME]
CANARY_TEXT = "CANARY-TEXT-93f1 служу в части 12345"
CANARY_PHONE = "79990001122"
