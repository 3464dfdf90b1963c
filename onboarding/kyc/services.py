"""Writes of the kyc domain. Every front door (registration, review, partner API) calls these; each
one checks the state machine, stores, records an audit event and queues work after commit.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onboarding.core.crypto import keyed_hash
from onboarding.core.exceptions import ApplicationError
from onboarding.core.lib.masking import mask_id_number
from onboarding.kyc import catalog, signals
from onboarding.kyc.audit import Actor, audit_record
from onboarding.kyc.images import sniff_image
from onboarding.kyc.models import (
    REJECT_REASONS,
    TERMINAL_STATES,
    ActorType,
    CardImage,
    FieldName,
    FieldValue,
    Finding,
    FindingSource,
    OcrRead,
    Severity,
    Side,
    State,
    ValueSource,
    Verification,
)
from onboarding.kyc.states import IMAGE_EDITABLE_STATES, TRANSITIONS

logger = logging.getLogger(__name__)

ID_NUMBER_HASH_PURPOSE = "kyc.id_number"
# The case states whose ID number counts as "already used" by that account.
DUPLICATE_STATES = (
    State.SUBMITTED,
    State.IN_REVIEW,
    State.AUTO_APPROVED,
    State.APPROVED,
    State.RESUBMISSION_REQUESTED,
)
# A change to one of these by the user sends the case to a person.
KEY_FIELDS = (FieldName.ID_NUM, FieldName.NAME, FieldName.BIRTH, FieldName.SEX)
FRONT_FIELDS = (
    FieldName.NAME,
    FieldName.SEX,
    FieldName.NATION,
    FieldName.BIRTH,
    FieldName.ADDRESS,
    FieldName.ID_NUM,
)
BACK_FIELDS = (FieldName.AUTHORITY, FieldName.VALID_DATE)
MAX_OCR_REQUEUES = 3
TRANSIENT_OCR_CODES = frozenset({"RequestLimitExceeded", "InternalError", "ServiceUnavailable"})


class FieldValidationError(ApplicationError):
    """The submitted fields break rules of the card; ``field_errors`` maps a field (or "__all__") to messages."""

    def __init__(self, findings: Sequence[Any]) -> None:
        super().__init__("Some fields need correcting.", code="invalid_fields")
        self.findings = list(findings)
        self.field_errors = self.messages(language="zh")
        self.extra = {"fields": self.messages(language="en"), "codes": [f.code for f in self.findings]}

    def messages(self, *, language: str = "zh") -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f in self.findings:
            text = f.message_zh if language.lower().startswith("zh") else f.message_en
            out.setdefault(f.field or "__all__", []).append(text)
        return out


class TransientOcrError(Exception):
    """The backend could not answer now (rate limit, outage, network); the task retries."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


def ocr_config() -> Any:
    """Everything the verification flow asks of IDCardOCR: both crops and every warning."""
    from onboarding.ocr.engine.types import CardConfig

    return CardConfig(
        crop_id_card=True,
        crop_portrait=True,
        copy_warn=True,
        reshoot_warn=True,
        border_check_warn=True,
        quality=True,
        detect_ps_warn=True,
        invalid_date_warn=True,
        temp_id_warn=True,
    )


# --- the state machine ---------------------------------------------------------------------------


def _update(
    verification: Verification,
    *,
    actor: Actor,
    action: str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    expected_state: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> Verification:
    """One optimistic write (`UPDATE ... WHERE version = v`) plus its audit event; conflict otherwise."""
    version = verification.version if expected_version is None else expected_version
    state = verification.state if expected_state is None else expected_state
    values = {**changes, "version": version + 1, "updated": timezone.now()}
    with transaction.atomic():
        rows = Verification.objects.filter(pk=verification.pk, version=version, state=state).update(**values)
        if rows != 1:
            raise ApplicationError(
                "This case was changed in the meantime; reload it and try again.",
                code="conflict",
                extra={"version": version},
            )
        for name, value in values.items():
            setattr(verification, name, value)
        audit_record(verification=verification, actor=actor, action=action, before=before, after=after)
    return verification


def _transition(
    verification: Verification,
    to_state: State,
    *,
    actor: Actor,
    action: str | None = None,
    expected_version: int | None = None,
    changes: Mapping[str, Any] | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> Verification:
    """Move a case to ``to_state`` if the transition table allows it; the only place states change."""
    from_state = State(verification.state)
    if to_state not in TRANSITIONS[from_state]:
        raise ApplicationError(
            f"A verification cannot go from {from_state} to {to_state}.",
            code="illegal_transition",
            extra={"from": str(from_state), "to": str(to_state)},
        )
    _update(
        verification,
        actor=actor,
        action=action or f"state.{to_state}",
        changes={**(changes or {}), "state": to_state},
        expected_version=expected_version,
        expected_state=from_state,
        before={"state": str(from_state), **(before or {})},
        after={"state": str(to_state), **(after or {})},
    )
    event = signals.event_for_transition(from_state, to_state)
    if event is not None:
        signals.send_after_commit(verification=verification, event=event)
    return verification


def _require_state(
    verification: Verification, allowed: Sequence[str] | frozenset[State], *, doing: str
) -> None:
    if verification.state in allowed:
        return
    if verification.state in TERMINAL_STATES:
        raise ApplicationError("This case is closed and can no longer change.", code="decided")
    raise ApplicationError(
        f"Cannot {doing} while the case is {verification.state}.",
        code="wrong_state",
        extra={"state": verification.state},
    )


# --- the applicant's side ------------------------------------------------------------------------


def verification_start(
    *, user: Any = None, partner_id: Any = None, external_ref: str = "", actor: Actor
) -> Verification:
    """Open a case for a signed-in user or a partner; at most KYC_MAX_ATTEMPTS_PER_DAY per account a day."""
    if user is None and partner_id is None:
        raise ApplicationError("A verification needs a user or a partner.", code="owner_required")
    with transaction.atomic():
        if user is not None:
            since = timezone.now() - datetime.timedelta(days=1)
            # Lock the user's row so parallel starts cannot both slip under the limit.
            get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
            started = Verification.objects.filter(user=user, created__gte=since).count()
            if started >= settings.KYC_MAX_ATTEMPTS_PER_DAY:
                raise ApplicationError(
                    "Too many verification attempts today; please try again tomorrow.",
                    code="too_many_attempts",
                    extra={"limit": settings.KYC_MAX_ATTEMPTS_PER_DAY},
                )
        verification = Verification.objects.create(
            user=user, partner_id=partner_id, external_ref=external_ref or ""
        )
        audit_record(
            verification=verification,
            actor=actor,
            action="verification.started",
            after={
                "state": verification.state,
                "user": user.pk if user is not None else None,
                "partner_id": str(partner_id) if partner_id else None,
                "external_ref": external_ref,
            },
        )
    return verification


def verification_attach_image(
    *, verification: Verification, side: str, content: bytes, filename: str, actor: Actor
) -> CardImage:
    """Store one side's photo (JPEG/PNG judged from the bytes, within the size and pixel limits).

    A photo already stored for the side stays as a row marked superseded.
    """
    side = Side(str(side))
    _require_state(verification, IMAGE_EDITABLE_STATES, doing="change the photos")
    sniffed = sniff_image(
        content, max_bytes=settings.KYC_MAX_UPLOAD_BYTES, max_pixels=settings.KYC_MAX_UPLOAD_PIXELS
    )
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        # Serialise uploads to one case, and re-check the state under the lock (OCR may have started).
        locked_state = (
            Verification.objects.select_for_update()
            .filter(pk=verification.pk)
            .values_list("state", flat=True)
            .first()
        )
        verification.state = locked_state or verification.state
        _require_state(verification, IMAGE_EDITABLE_STATES, doing="change the photos")
        now = timezone.now()
        replaced = CardImage.objects.filter(
            verification=verification, side=side, superseded_at__isnull=True
        ).update(superseded_at=now)
        image = CardImage(
            verification=verification,
            side=side,
            sha256=digest,
            size=len(content),
            content_type=sniffed.content_type,
            width=sniffed.width,
            height=sniffed.height,
            original_name=(filename or "")[-255:],
        )
        # The file is written to private storage (under a random key) before anything is queued.
        image.file.save("upload", ContentFile(content), save=False)
        image.save()
        # Activity keeps a draft from expiring; no version bump, as nothing a reviewer sees changed.
        Verification.objects.filter(pk=verification.pk).update(updated=now)
        audit_record(
            verification=verification,
            actor=actor,
            action="image.attached",
            after={
                "side": side,
                "sha256": digest,
                "size": len(content),
                "content_type": sniffed.content_type,
                "width": sniffed.width,
                "height": sniffed.height,
                "replaced": bool(replaced),
            },
        )
    return image


def _current_images(verification: Verification) -> dict[str, CardImage]:
    images = CardImage.objects.filter(
        verification=verification, superseded_at__isnull=True, purged_at__isnull=True
    )
    return {image.side: image for image in images}


def _queue_ocr(verification: Verification) -> None:
    from onboarding.kyc import tasks

    verification_id = verification.pk
    transaction.on_commit(lambda: tasks.verification_run_ocr.delay(verification_id))


def verification_request_ocr(*, verification: Verification, actor: Actor) -> Verification:
    """Both sides are uploaded: read them. The case goes to processing; the OCR task runs after commit."""
    _require_state(verification, (State.DRAFT, State.NEEDS_INPUT), doing="start reading the photos")
    missing = [s for s in Side.values if s not in _current_images(verification)]
    if missing:
        raise ApplicationError(
            "Upload both sides of the card first.", code="images_required", extra={"sides": missing}
        )
    with transaction.atomic():
        _transition(
            verification,
            State.PROCESSING,
            actor=actor,
            action="ocr.requested",
            changes={"processing_since": timezone.now(), "ocr_attempts": 0, "input_request": {}},
        )
        _queue_ocr(verification)
    return verification


def verification_resubmit(*, verification: Verification, actor: Actor) -> Verification:
    """After a reviewer asked for new photos: the requested sides are replaced, so read them again."""
    _require_state(verification, (State.RESUBMISSION_REQUESTED,), doing="resubmit")
    images = _current_images(verification)
    asked_since = verification.resubmission_requested_at or verification.updated
    stale = [
        s
        for s in (verification.resubmission_sides or Side.values)
        if s not in images or images[s].created < asked_since
    ]
    if stale:
        raise ApplicationError(
            "Upload a new photo of each side the reviewer asked for.",
            code="images_required",
            extra={"sides": stale},
        )
    with transaction.atomic():
        _transition(
            verification,
            State.PROCESSING,
            actor=actor,
            action="verification.resubmitted",
            changes={"processing_since": timezone.now(), "ocr_attempts": 0, "input_request": {}},
            after={"sides": list(verification.resubmission_sides)},
        )
        _queue_ocr(verification)
    return verification


# --- OCR -----------------------------------------------------------------------------------------


def _strip_crops(response: Mapping[str, Any]) -> dict[str, Any]:
    """The Response without the Base64 crops in AdvancedInfo (they are stored as private files)."""
    inner = dict(response.get("Response", response))
    raw = inner.get("AdvancedInfo")
    if isinstance(raw, str) and raw:
        try:
            info = json.loads(raw)
        except ValueError:
            info = None
        if isinstance(info, dict):
            for key in ("IdCard", "Portrait"):
                if key in info:
                    info[key] = "<stored separately>"
            inner["AdvancedInfo"] = json.dumps(info, ensure_ascii=False)
    return inner


def _finding(
    verification: Verification,
    explained: catalog.Explained,
    *,
    severity: str,
    source: str,
    side: str = "",
    field: str = "",
    warn_code: int | None = None,
) -> Finding:
    return Finding.objects.create(
        verification=verification,
        code=explained.code,
        severity=severity,
        message_zh=explained.message_zh,
        message_en=explained.message_en,
        side=side,
        field=field,
        source=source,
        warn_code=warn_code,
    )


def _image_bytes(image: CardImage) -> bytes:
    with image.file.open("rb") as fh:
        return bytes(fh.read())


def _read_side(backend: Any, content: bytes) -> Any:
    """One backend call with side=None (so a photo of the other side is noticed); OcrError passes through."""
    from onboarding.ocr.errors import OcrError

    try:
        return backend.recognize(content, side=None, config=ocr_config())
    except OcrError as exc:
        if str(exc.code) in TRANSIENT_OCR_CODES:
            raise TransientOcrError(str(exc.code), str(exc)) from exc
        raise
    except (ConnectionError, TimeoutError) as exc:
        raise TransientOcrError("network", str(exc)) from exc
    except OSError as exc:
        # requests' and urllib3's network errors derive from OSError.
        raise TransientOcrError("network", str(exc)) from exc


def verification_process_ocr(*, verification_id: int) -> Verification | None:
    """Read both photos through the OCR backend and store what came back; the case goes to needs_input.

    Idempotent: a case no longer in processing (a second delivery, a finished run) is left alone.
    Raises TransientOcrError for the task to retry.
    """
    from onboarding.ocr.backends import get_backend
    from onboarding.ocr.errors import OcrError

    verification = Verification.objects.filter(pk=verification_id).first()
    if verification is None or verification.state != State.PROCESSING:
        return verification
    started_version = verification.version
    images = _current_images(verification)
    if any(s not in images for s in Side.values):
        verification_fail_ocr(verification_id=verification_id, explained=catalog.IMAGE_MISSING)
        return Verification.objects.get(pk=verification_id)

    backend = get_backend()
    contents: dict[str, bytes] = {}
    for side in Side.values:
        try:
            contents[side] = _image_bytes(images[side])
        except (FileNotFoundError, ValueError):
            verification_fail_ocr(verification_id=verification_id, explained=catalog.IMAGE_MISSING)
            return Verification.objects.get(pk=verification_id)

    def read_side(side: str) -> Any:
        try:
            return _read_side(backend, contents[side])
        except OcrError as exc:
            return exc

    # Both sides at once: the user waits for the slower read, not the sum (the backends are thread-safe).
    with ThreadPoolExecutor(max_workers=len(contents)) as pool:
        outcomes: dict[str, Any] = dict(zip(contents, pool.map(read_side, contents), strict=True))

    system = Actor.system("ocr")
    with transaction.atomic():
        locked = Verification.objects.select_for_update().get(pk=verification_id)
        if locked.state != State.PROCESSING or locked.version != started_version:
            return locked  # another delivery of this job finished first
        now = timezone.now()
        OcrRead.objects.filter(verification=locked, superseded_at__isnull=True).update(superseded_at=now)
        Finding.objects.filter(verification=locked, superseded_at__isnull=True).update(superseded_at=now)

        retake: dict[str, catalog.Explained] = {}
        detected: dict[str, str] = {}
        warnings_seen: list[int] = []
        request_ids: list[str] = []
        for side in Side.values:
            outcome = outcomes[side]
            image = images[side]
            if isinstance(outcome, OcrError):
                OcrRead.objects.create(
                    verification=locked,
                    image=image,
                    backend=getattr(backend, "name", ""),
                    error_code=str(outcome.code),
                )
                retake[side] = catalog.explain_error(str(outcome.code))
                continue
            read = _store_read(locked, image, outcome)
            request_ids.append(read.request_id)
            detected[side] = read.detected_side
            if read.detected_side and read.detected_side != side:
                retake[side] = catalog.wrong_side(side)
            for code in read.warnings:
                warnings_seen.append(code)
        swapped = detected.get(Side.FRONT) == Side.BACK and detected.get(Side.BACK) == Side.FRONT
        if swapped:
            retake = {Side.FRONT: catalog.SIDES_SWAPPED, Side.BACK: catalog.SIDES_SWAPPED}
            _finding(locked, catalog.SIDES_SWAPPED, severity=Severity.ERROR, source=FindingSource.SYSTEM)
        else:
            for side, explained in retake.items():
                _finding(locked, explained, severity=Severity.ERROR, source=FindingSource.SYSTEM, side=side)

        good = {
            side: outcomes[side]
            for side in Side.values
            if side not in retake and not isinstance(outcomes[side], OcrError)
        }
        _store_ocr_values(locked, good)
        for side, result in good.items():
            seen: set[str] = set()
            for code in result.warnings:
                warn = catalog.WARNINGS.get(int(code))
                if warn is None or warn.code in seen:
                    continue
                seen.add(warn.code)
                _finding(
                    locked,
                    warn,
                    severity=Severity.WARNING,
                    source=FindingSource.OCR_WARNING,
                    side=side,
                    warn_code=int(code),
                )
            if result.quality is not None and result.quality < catalog.QUALITY_BAR:
                _finding(
                    locked,
                    catalog.LOW_QUALITY,
                    severity=Severity.WARNING,
                    source=FindingSource.OCR_WARNING,
                    side=side,
                )

        input_request: dict[str, Any] = {}
        if retake:
            first = next(iter(retake.values()))
            input_request = {
                "code": first.code,
                "sides": sorted(retake),
                "message_zh": " ".join(dict.fromkeys(e.message_zh for e in retake.values())),
                "message_en": " ".join(dict.fromkeys(e.message_en for e in retake.values())),
            }
        _transition(
            locked,
            State.NEEDS_INPUT,
            actor=system,
            action="ocr.failed" if retake else "ocr.completed",
            changes={"input_request": input_request, "processing_since": None},
            after={
                "backend": getattr(backend, "name", ""),
                "request_ids": request_ids,
                "warnings": sorted(set(warnings_seen)),
                "retake": {side: e.code for side, e in retake.items()},
            },
        )
    return locked


def _store_read(verification: Verification, image: CardImage, result: Any) -> OcrRead:
    detected = str(result.side) if result.side else ""
    read = OcrRead(
        verification=verification,
        image=image,
        backend=result.backend,
        request_id=(result.request_id or "")[:64],
        ms=max(0, round(result.elapsed_ms or 0)),
        detected_side=detected,
        response_json=json.dumps(_strip_crops(result.response or {}), ensure_ascii=False),
        warnings=[int(w) for w in result.warnings],
        quality=result.quality,
    )
    if result.card_jpeg:
        read.card_crop.save("crop", ContentFile(result.card_jpeg), save=False)
    if result.portrait_jpeg:
        read.portrait_crop.save("crop", ContentFile(result.portrait_jpeg), save=False)
    read.save()
    return read


def _store_ocr_values(verification: Verification, results: Mapping[str, Any]) -> None:
    """The OCR value of each field from the side that prints it; user values are reset."""
    for side, names in ((Side.FRONT, FRONT_FIELDS), (Side.BACK, BACK_FIELDS)):
        result = results.get(side)
        contract = result.fields.as_contract() if result is not None else {}
        confidence = result.confidence if result is not None else {}
        for name in names:
            FieldValue.objects.update_or_create(
                verification=verification,
                name=name,
                defaults={
                    "ocr_value": contract.get(name, ""),
                    "user_value": "",
                    "confidence": confidence.get(name),
                    "source": ValueSource.OCR,
                    "changed": False,
                },
            )


def verification_fail_ocr(
    *, verification_id: int, explained: catalog.Explained = catalog.OCR_UNAVAILABLE, detail: str = ""
) -> Verification | None:
    """A queued OCR job ended without a result: record why and ask the user to upload again."""
    with transaction.atomic():
        verification = Verification.objects.select_for_update().filter(pk=verification_id).first()
        if verification is None or verification.state != State.PROCESSING:
            return verification
        _finding(verification, explained, severity=Severity.ERROR, source=FindingSource.SYSTEM)
        _transition(
            verification,
            State.NEEDS_INPUT,
            actor=Actor.system("ocr"),
            action="ocr.failed",
            changes={
                "processing_since": None,
                "input_request": {
                    "code": explained.code,
                    "sides": list(Side.values),
                    "message_zh": explained.message_zh,
                    "message_en": explained.message_en,
                },
            },
            after={"code": explained.code, "detail": detail[:200]},
        )
    return verification


# --- submission ----------------------------------------------------------------------------------


def _id_number_hash(number: str) -> str:
    from onboarding.identity import normalise_id_number

    normalised = normalise_id_number(number)
    return keyed_hash(normalised, purpose=ID_NUMBER_HASH_PURPOSE) if normalised else ""


def _other_owners_with_number(verification: Verification, number_hash: str) -> list[Verification]:
    others = Verification.objects.filter(id_number_hash=number_hash, state__in=DUPLICATE_STATES).exclude(
        pk=verification.pk
    )
    if verification.user_id is not None:
        others = others.exclude(user_id=verification.user_id)
    elif verification.partner_id is not None and verification.external_ref:
        others = others.exclude(partner_id=verification.partner_id, external_ref=verification.external_ref)
    return list(others[:20])


def verification_submit(
    *, verification: Verification, fields: Mapping[str, str], actor: Actor
) -> Verification:
    """The user confirms (and may correct) the eight fields.

    Rule errors raise FieldValidationError (the case stays editable). Otherwise the case is submitted
    and then auto-approved when nothing at all was found, or sent to review.
    """
    from onboarding.identity import normalise_id_number, validate_card

    _require_state(verification, (State.NEEDS_INPUT,), doing="submit")
    if verification.input_request:
        raise ApplicationError(
            verification.input_request.get("message_en") or "Upload the photos again first.",
            code="images_required",
            extra=dict(verification.input_request),
        )
    stored = {fv.name: fv for fv in FieldValue.objects.filter(verification=verification)}
    if len(stored) < len(FieldName.values):
        raise ApplicationError("The photos have not been read yet.", code="images_required")

    values: dict[str, str] = {}
    for name in FieldName.values:
        given = fields.get(name)
        value = (stored[name].ocr_value if given is None else str(given)).strip()
        if name == FieldName.ID_NUM:
            value = normalise_id_number(value)
        values[name] = value
    changed = [name for name in FieldName.values if values[name] != stored[name].ocr_value.strip()]

    rule_findings = validate_card(
        front={name: values[name] for name in FRONT_FIELDS},
        back={name: values[name] for name in BACK_FIELDS},
        today=timezone.localdate(),
        min_age=settings.KYC_MIN_AGE,
        expiring_within_days=settings.KYC_EXPIRING_WITHIN_DAYS,
    )
    errors = [f for f in rule_findings if str(f.severity) == Severity.ERROR]

    with transaction.atomic():
        for name in FieldName.values:
            fv = stored[name]
            fv.user_value = values[name]
            fv.source = ValueSource.USER
            fv.changed = name in changed
            fv.save(update_fields=["user_value", "source", "changed", "updated"])
        if errors:
            audit_record(
                verification=verification,
                actor=actor,
                action="submit.refused",
                after={"codes": [f.code for f in errors], "changed_fields": changed},
            )
    if errors:
        raise FieldValidationError(errors)

    number_hash = _id_number_hash(values[FieldName.ID_NUM])
    with transaction.atomic():
        now = timezone.now()
        Finding.objects.filter(
            verification=verification,
            superseded_at__isnull=True,
            source__in=(FindingSource.RULES, FindingSource.DUPLICATE),
        ).update(superseded_at=now)
        Finding.objects.filter(
            verification=verification, superseded_at__isnull=True, code=catalog.USER_EDITED.code
        ).update(superseded_at=now)
        for f in rule_findings:
            Finding.objects.create(
                verification=verification,
                code=f.code,
                severity=str(f.severity),
                message_zh=f.message_zh,
                message_en=f.message_en,
                field=f.field or "",
                source=FindingSource.RULES,
            )
        duplicates = _other_owners_with_number(verification, number_hash) if number_hash else []
        if duplicates:
            _finding(
                verification,
                catalog.DUPLICATE,
                severity=Severity.WARNING,
                source=FindingSource.DUPLICATE,
                field=FieldName.ID_NUM,
            )
        for name in changed:
            if name in KEY_FIELDS:
                _finding(
                    verification,
                    catalog.USER_EDITED,
                    severity=Severity.WARNING,
                    source=FindingSource.SYSTEM,
                    field=name,
                )
        _transition(
            verification,
            State.SUBMITTED,
            actor=actor,
            action="verification.submitted",
            changes={"submitted_at": now, "id_number_hash": number_hash},
            after={
                "id_number": mask_id_number(values[FieldName.ID_NUM]),
                "changed_fields": changed,
                "duplicates": [str(d.public_id) for d in duplicates],
            },
        )
        open_findings = Finding.objects.filter(
            verification=verification,
            superseded_at__isnull=True,
            severity__in=(Severity.WARNING, Severity.ERROR),
        )
        codes = sorted(set(open_findings.values_list("code", flat=True)))
        if codes:
            _transition(
                verification, State.IN_REVIEW, actor=Actor.system("rules"), after={"finding_codes": codes}
            )
        else:
            _transition(
                verification,
                State.AUTO_APPROVED,
                actor=Actor.system("rules"),
                changes={"decided_at": now},
                after={"finding_codes": []},
            )
    return verification


# --- the reviewer's side -------------------------------------------------------------------------


def _claim_minutes() -> int:
    return int(settings.KYC_CLAIM_MINUTES)


def _reviewer(actor: Actor) -> Any:
    if actor.type != ActorType.REVIEWER or actor.user is None:
        raise ApplicationError("Only a signed-in reviewer can do this.", code="forbidden")
    return actor.user


def _check_review(verification: Verification, *, actor: Actor, expected_version: int) -> Any:
    reviewer = _reviewer(actor)
    _require_state(verification, (State.IN_REVIEW,), doing="review")
    if verification.version != expected_version:
        raise ApplicationError(
            "This case was changed in the meantime; reload it and try again.",
            code="conflict",
            extra={"version": verification.version},
        )
    claimed_by_other = (
        verification.claimed_by_id is not None
        and verification.claimed_by_id != reviewer.pk
        and verification.claim_expires_at is not None
        and verification.claim_expires_at > timezone.now()
    )
    if claimed_by_other:
        raise ApplicationError("Another reviewer is working on this case.", code="claimed")
    return reviewer


def verification_claim(*, verification: Verification, actor: Actor, expected_version: int) -> Verification:
    """Take a case in review for KYC_CLAIM_MINUTES (default 30) so no one else decides it meanwhile."""
    reviewer = _check_review(verification, actor=actor, expected_version=expected_version)
    expires = timezone.now() + datetime.timedelta(minutes=_claim_minutes())
    return _update(
        verification,
        actor=actor,
        action="review.claimed",
        expected_version=expected_version,
        changes={"claimed_by": reviewer, "claim_expires_at": expires},
        after={"claimed_by": reviewer.get_username(), "claim_expires_at": expires.isoformat()},
    )


def verification_release(*, verification: Verification, actor: Actor, expected_version: int) -> Verification:
    """Give a claimed case back to the queue."""
    _check_review(verification, actor=actor, expected_version=expected_version)
    return _update(
        verification,
        actor=actor,
        action="review.released",
        expected_version=expected_version,
        changes={"claimed_by": None, "claim_expires_at": None},
    )


def verification_approve(
    *, verification: Verification, actor: Actor, expected_version: int, note: str = ""
) -> Verification:
    reviewer = _check_review(verification, actor=actor, expected_version=expected_version)
    return _transition(
        verification,
        State.APPROVED,
        actor=actor,
        action="review.approved",
        expected_version=expected_version,
        changes={
            "decided_by": reviewer,
            "decided_at": timezone.now(),
            "decision_note": note.strip(),
            "reason_codes": [],
            "claimed_by": None,
            "claim_expires_at": None,
        },
        after={"note": bool(note.strip())},
    )


def verification_reject(
    *,
    verification: Verification,
    actor: Actor,
    expected_version: int,
    reason_codes: Sequence[str],
    note: str = "",
) -> Verification:
    """Reject with at least one code of REJECT_REASONS; "other" needs a note."""
    reviewer = _check_review(verification, actor=actor, expected_version=expected_version)
    codes = list(dict.fromkeys(reason_codes))
    unknown = [c for c in codes if c not in REJECT_REASONS]
    if not codes or unknown:
        raise ApplicationError(
            "Choose at least one rejection reason from the list.",
            code="reason_required",
            extra={"unknown": unknown},
        )
    if "other" in codes and not note.strip():
        raise ApplicationError("Explain the reason in the note.", code="note_required")
    return _transition(
        verification,
        State.REJECTED,
        actor=actor,
        action="review.rejected",
        expected_version=expected_version,
        changes={
            "decided_by": reviewer,
            "decided_at": timezone.now(),
            "reason_codes": codes,
            "decision_note": note.strip(),
            "claimed_by": None,
            "claim_expires_at": None,
        },
        after={"reason_codes": codes},
    )


def verification_request_resubmission(
    *,
    verification: Verification,
    actor: Actor,
    expected_version: int,
    sides: Sequence[str],
    reason: str,
) -> Verification:
    """Ask the user for new photos of ``sides`` (FRONT/BACK), with a reason they will see."""
    _check_review(verification, actor=actor, expected_version=expected_version)
    chosen = sorted({str(s).upper() for s in sides})
    if not chosen or any(s not in Side.values for s in chosen):
        raise ApplicationError("Choose which side to upload again.", code="sides_required")
    if not reason.strip():
        raise ApplicationError("Tell the user why.", code="reason_required")
    return _transition(
        verification,
        State.RESUBMISSION_REQUESTED,
        actor=actor,
        action="review.resubmission_requested",
        expected_version=expected_version,
        changes={
            "resubmission_sides": chosen,
            "resubmission_reason": reason.strip(),
            "resubmission_requested_at": timezone.now(),
            "claimed_by": None,
            "claim_expires_at": None,
        },
        after={"sides": chosen, "reason": reason.strip()},
    )


def verification_record_pii_access(
    *, verification: Verification, actor: Actor, fields: Sequence[str]
) -> None:
    """An audit event: someone other than the owner saw unmasked personal data or an image."""
    audit_record(verification=verification, actor=actor, action="pii.viewed", after={"fields": list(fields)})


# --- periodic jobs -------------------------------------------------------------------------------


def verification_expire_stale_drafts(*, now: datetime.datetime | None = None) -> int:
    """Unfinished cases untouched for KYC_DRAFT_EXPIRY_DAYS become expired."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.KYC_DRAFT_EXPIRY_DAYS)
    stale = Verification.objects.filter(
        state__in=(State.DRAFT, State.NEEDS_INPUT, State.RESUBMISSION_REQUESTED), updated__lt=cutoff
    )
    count = 0
    for verification in stale.iterator():
        try:
            _transition(
                verification, State.EXPIRED, actor=Actor.system("expiry"), action="verification.expired"
            )
        except ApplicationError:
            continue  # changed meanwhile: it is no longer stale
        count += 1
    return count


def verification_requeue_stuck(*, now: datetime.datetime | None = None) -> int:
    """Cases in processing longer than KYC_STUCK_PROCESSING_MINUTES (a lost job): queue again, or give up."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.KYC_STUCK_PROCESSING_MINUTES)
    count = 0
    for verification in Verification.objects.filter(state=State.PROCESSING, processing_since__lt=cutoff):
        try:
            if verification.ocr_attempts >= MAX_OCR_REQUEUES:
                verification_fail_ocr(verification_id=verification.pk, detail="requeued too often")
            else:
                with transaction.atomic():
                    _update(
                        verification,
                        actor=Actor.system("requeue"),
                        action="ocr.requeued",
                        changes={"processing_since": now, "ocr_attempts": F("ocr_attempts") + 1},
                        after={"attempt": verification.ocr_attempts + 1},
                    )
                    verification.refresh_from_db(fields=["ocr_attempts"])
                    _queue_ocr(verification)
        except ApplicationError:
            continue
        count += 1
    return count


def verification_purge_images(*, older_than_days: int | None = None) -> int:
    """Delete the stored photos and crops of closed cases older than the retention period.

    Rows and SHA-256 stay (the record says what was seen); each case gets an audit event. Returns how
    many files were deleted.
    """
    days = settings.KYC_IMAGE_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    images = CardImage.objects.filter(
        purged_at__isnull=True, created__lt=cutoff, verification__state__in=TERMINAL_STATES
    ).select_related("verification")
    by_case: dict[int, list[CardImage]] = {}
    for image in images:
        by_case.setdefault(image.verification_id, []).append(image)
    deleted = 0
    system = Actor.system("retention")
    for images_of_case in by_case.values():
        verification = images_of_case[0].verification
        now = timezone.now()
        with transaction.atomic():
            for image in images_of_case:
                if image.file.name:
                    image.file.storage.delete(image.file.name)
                    deleted += 1
                CardImage.objects.filter(pk=image.pk).update(file="", purged_at=now)
            for read in OcrRead.objects.filter(verification=verification):
                for crop in (read.card_crop, read.portrait_crop):
                    if crop.name:
                        crop.storage.delete(crop.name)
                        deleted += 1
                OcrRead.objects.filter(pk=read.pk).update(card_crop="", portrait_crop="")
            audit_record(
                verification=verification,
                actor=system,
                action="images.purged",
                after={
                    "images": [{"side": i.side, "sha256": i.sha256} for i in images_of_case],
                    "older_than_days": days,
                },
            )
    return deleted
