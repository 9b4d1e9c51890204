"""A large, realistic service desk, loaded fast: `manage.py seed_scale --tickets 1000000`.

PostgreSQL only. Rows are generated in Python, deterministically from `--seed` and `--now`, and
streamed into the tables with COPY in chunks (copy_tables). Each ticket's whole history is
generated together (tickets: timeline, promise ledger, alerts, feedback, losses, vendor
escalations), so everything the app's constraints and derived columns require holds by
construction:

- every ticket that owes an update has exactly one pending promise whose deadline is
  `Ticket.next_update_due`, with its three alerts (fired when their time has passed, else
  pending); tickets that owe nothing have none;
- triaged tickets have an owner; the priority is the impact x urgency matrix (or an override with
  a reason); internal notes are private, public updates and customer replies public;
- `public_search_text` / `internal_search_text` hold the timeline bodies exactly as
  updates.search.rebuild_search_text would write them (the full-text index reads them);
- feedback with a 1 or 2 records its loss (updates.feedback.loss_category_for decides the category).

Secondary indexes and foreign keys are dropped while loading and rebuilt after (schema), and
everything runs in one transaction: a failed load leaves the database as it was. The order of
every random draw is part of the data: with the same `--seed` and `--now`, the same rows.
"""

HISTORY_DAYS = 3 * 365
