from celery import shared_task

from inbound import services


@shared_task(name="inbound.act_on_stored")
def act_on_stored() -> int:
    return services.act_on_stored()


@shared_task(name="inbound.poll_mailbox")
def poll_mailbox() -> int:
    from inbound import imap

    return imap.poll_configured_mailbox()
