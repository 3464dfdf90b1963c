"""Verifications of a resident ID card: the domain core every front door calls.

- ``models``: Verification (explicit ``state``, ``version`` for optimistic locking), CardImage, OcrRead,
  FieldValue (encrypted), Finding, AuditEvent (append-only, hash-chained).
- ``states``: the one transition table; ``services._transition`` is the only place a state changes.
- ``services``: every write (start, attach_image, request_ocr, process_ocr, submit, claim/release,
  approve/reject/request_resubmission, resubmit, record_pii_access, periodic jobs); each is audited.
- ``selectors``: every read (progress, field rows masked or not, review queue, same ID number, timeline).
- ``tasks``: the OCR task (retries transient backend errors, always ends in a recorded outcome) and
  the periodic jobs. ``signals``: after-commit events for listeners such as the partner webhooks.
- ``audit``: the Actor dataclass and the hash chain; ``manage.py audit_verify`` checks every chain.
- ``views``: card images and crops, streamed to the owner or to holders of ``kyc.view_personal_data``.
"""
