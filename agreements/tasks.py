"""Celery tasks for agreements: they take ids, call one service, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="agreements.send_review_notice", time_limit=120, soft_time_limit=100)
def send_review_notice(agreement_id: int, kind: str, version_number: int, actor_id: int | None = None) -> int:
    """E-mail the people a review step concerns (submitted, changes requested, a comment answered)."""
    from agreements.notices import review_notice_send

    return review_notice_send(agreement_id=agreement_id, kind=kind, version_number=version_number,
                              actor_id=actor_id)


@shared_task(name="agreements.send_party_approval_link", acks_late=True, time_limit=120, soft_time_limit=100,
             autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def send_party_approval_link(approval_id: int, base_url: str, fingerprint: str, sender_id: int | None = None
                             ) -> bool:
    """E-mail counsel a one-time approval link. The worker rebuilds the link from the row: no token in the broker.

    A refusing mail server is retried (smtplib's errors are OSErrors).

    Sends nothing when the link was replaced, used, or can no longer be used by the time the task runs.
    """
    from agreements.counsel import party_approval_link_mail

    return party_approval_link_mail(approval_id=approval_id, base_url=base_url, fingerprint=fingerprint,
                                    sender_id=sender_id)
