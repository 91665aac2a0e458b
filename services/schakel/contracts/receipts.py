"""Receipt codes: what a signaler gets back at once, to ask for the status later.

Events carry only the code's hash (``ReferralReceived.receipt_hash``); intake and feedback
must normalise and hash a code the same way, so the rule lives in the contract.
"""

import hashlib


def normalise_receipt(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()
