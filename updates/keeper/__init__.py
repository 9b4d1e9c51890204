"""The promise keeper (DESIGN rule 6): reminders and escalations that never miss and never double.

- alerts: when each stage of a promise fires; written and cancelled by the promise ledger.
- sweep: the periodic task body that claims due alerts and turns them into outbox messages.
- outbox / delivery: in-app notifications and emails, claimed, re-checked, retried, dead-lettered.
- claims: the one claim helper (SKIP LOCKED, or compare-and-set) for alerts, messages and chases.
- clock: the database's clock, and how long one run may work.
- customer_emails: the emails the promise implies for the requester.
- health: what an operator needs to see a stalled beat or worker.
"""
