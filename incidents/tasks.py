"""Celery tasks of major incidents: thin callers of incidents.fanout. A task run twice (redelivered
after a lost worker) posts nothing twice: each delivery row is claimed and settled once."""

from celery import shared_task

from incidents import fanout


@shared_task(name=fanout.FAN_OUT_TASK)
def fan_out(delivery_ids: list[int]) -> int:
    return fanout.deliver_chunk(list(delivery_ids))


@shared_task(name="incidents.resume_stalled_fan_outs")
def resume_stalled_fan_outs() -> int:
    return fanout.resume_stalled()
