# ruff: noqa: T201 (a command-line benchmark: printing is its output)
"""Benchmark issue 18's goal: the staff ticket page and the portal ticket page with 50 attachments
on the timeline, p95 within 10% of the same ticket without them.

    createdb -h 127.0.0.1 -U postgres -T sd_scale sd_attachments_bench     # a copy: this writes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_attachments_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_attachments_bench \\
        .venv/bin/python -m bench.attachments --requests 60

1. The typical ticket, exactly as bench/measure.py picks it (`Targets`: the open ticket of the
   busiest agent whose timeline length is the median's).
2. Two copies of it, row for row (the ticket, its collaborators, timeline entries, promises and
   every other row that hangs off it): one left as it is, one given 50 files through the real
   write path (`attachments.services.store_files`), spread round-robin over its public entries
   that carry files (the opening, public updates, customer replies), so the staff page and the
   requester's portal page both show all 50. PNG screenshots, logs and PDFs, in turn; the files go
   to a scratch directory (ATTACHMENTS_DIR, default var/bench-attachments). A re-run on the same
   database reuses the copies (var/bench-attachments.json).
3. bench/measure.py's gunicorn (bench.settings: X-Bench-Ms server time, X-Bench-Queries) on
   127.0.0.1, 2 workers; each page is the owner's session (staff) or the requester's (portal).
   The original, the plain copy and the copy with files are measured in interleaved rounds of 10
   requests after a warm-up, so a change in the machine's load falls on all three alike. Never
   run in CI.
"""

import argparse
import json
import os
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
os.environ.setdefault("ATTACHMENTS_DIR", str(ROOT / "var" / "bench-attachments"))
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import ForeignKey, OneToOneField  # noqa: E402

from attachments.models import Attachment  # noqa: E402
from attachments.services import files_removed_on_failure, store_files  # noqa: E402
from bench.httploop import Result, measure  # noqa: E402
from bench.measure import Server, Targets, session_cookie  # noqa: E402
from bench.runner import load, machine  # noqa: E402
from tickets.models import Ticket  # noqa: E402
from updates.models import EntryKind, TimelineEntry  # noqa: E402

FILES = 50
STATE = ROOT / "var" / "bench-attachments.json"
ROUND = 10  # requests per page per round
FILE_NAMES = b'class="attachment-name"'  # one per file a page lists


def png(width: int = 64, height: int = 40) -> bytes:
    """A small real PNG (a gradient), as a pasted screenshot would be."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 4, y * 6, 160)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def sample_files(count: int) -> list[tuple[str, bytes, str]]:
    log = b"".join(
        b"2026-12-07T10:%02d:00Z spooler: job %d stalled\n" % (n % 60, n) for n in range(400)
    )
    pdf = b"%PDF-1.4\n" + b"0" * 40_000 + b"\n%%EOF\n"
    kinds = [
        ("screenshot-{n}.png", png(), "image/png"),
        ("spooler-{n}.log", log, "text/plain"),
        ("vendor report {n}.pdf", pdf, "application/pdf"),
    ]
    return [
        (name.format(n=n + 1), body, claimed)
        for n, (name, body, claimed) in ((n, kinds[n % len(kinds)]) for n in range(count))
    ]


def copy_ticket(original_pk: int) -> int:
    """A new ticket with the original's row and every row that hangs off it, foreign keys between
    the copied rows pointed at the copies (a promise's entries, a loss's feedback)."""
    with transaction.atomic():
        ticket = Ticket.objects.get(pk=original_pk)
        collaborators = list(ticket.collaborators.all())
        ticket.pk = None
        ticket._state.adding = True
        [copy] = Ticket.objects.bulk_create([ticket])
        copy.collaborators.set(collaborators)
        remap: dict[type, dict[int, int]] = {Ticket: {original_pk: copy.pk}}
        relations = [
            relation
            for relation in Ticket._meta.related_objects
            if isinstance(relation.field, ForeignKey | OneToOneField)
            and relation.field.name != "merged_into"
            and relation.related_model is not Attachment
        ]
        # Entries first: other rows (promises) point at them; then in dependency order as listed.
        relations.sort(key=lambda relation: relation.related_model is not TimelineEntry)
        for relation in relations:
            model, field = relation.related_model, relation.field
            rows = list(model.objects.filter(**{field.name: original_pk}).order_by("pk"))
            if not rows:
                continue
            old_pks = [row.pk for row in rows]
            for row in rows:
                row.pk = None  # a one-to-one keyed by its ticket gets the copy's just below
                row._state.adding = True
                setattr(row, field.attname, copy.pk)
                for column in model._meta.concrete_fields:
                    if column.is_relation and column.related_model in remap:
                        old = getattr(row, column.attname)
                        if old in remap[column.related_model]:
                            setattr(row, column.attname, remap[column.related_model][old])
            created = model.objects.bulk_create(rows)
            remap[model] = dict(zip(old_pks, (row.pk for row in created), strict=True))
        return copy.pk


def attach_files(ticket_pk: int, count: int) -> int:
    """`count` files through the real write path, round-robin over the public entries that carry
    files (so both pages show them all)."""
    entries = list(
        TimelineEntry.objects.filter(ticket_id=ticket_pk, is_public=True)
        .exclude(kind=EntryKind.EVENT, event__in=["status_changed", "owner_changed"])
        .order_by("created_at", "pk")
    )
    carriers = [
        e for e in entries if e.kind in (EntryKind.PUBLIC_UPDATE, EntryKind.CUSTOMER_REPLY)
    ] or entries
    opening = [e for e in entries if e.kind == EntryKind.EVENT and e.event == "opened"]
    carriers = opening[:1] + [e for e in carriers if e not in opening]
    if not carriers:
        raise SystemExit(f"Ticket {ticket_pk} has no public entry to attach files to.")
    by_entry: dict[int, list] = {entry.pk: [] for entry in carriers}
    for index, (name, body, claimed) in enumerate(sample_files(count)):
        entry = carriers[index % len(carriers)]
        by_entry[entry.pk].append(SimpleUploadedFile(name, body, content_type=claimed))
    with files_removed_on_failure(), transaction.atomic():
        for entry in carriers:
            store_files(entry, by_entry[entry.pk], uploaded_by=entry.author)
    return len(carriers)


def prepared_tickets(original: int, *, fresh: bool) -> dict[str, int]:
    database = settings.DATABASES["default"]["NAME"]
    state = json.loads(STATE.read_text()) if STATE.exists() else {}
    known = state.get(database)
    if (
        not fresh
        and known
        and known.get("original") == original
        and Ticket.objects.filter(pk__in=[known["plain"], known["files"]]).count() == 2
        and Attachment.objects.filter(ticket_id=known["files"]).count() == FILES
    ):
        return known
    plain, with_files = copy_ticket(original), copy_ticket(original)
    carriers = attach_files(with_files, FILES)
    tickets = {"original": original, "plain": plain, "files": with_files, "carriers": carriers}
    STATE.parent.mkdir(exist_ok=True)
    STATE.write_text(json.dumps({**state, database: tickets}))
    return tickets


def shape(pk: int) -> dict[str, int]:
    """The rows that make a ticket page, counted, to show the copies have the original's shape."""
    ticket = Ticket.objects.get(pk=pk)
    counts = {
        "entries": TimelineEntry.objects.filter(ticket_id=pk).count(),
        "public entries": TimelineEntry.objects.filter(ticket_id=pk, is_public=True).count(),
        "collaborators": ticket.collaborators.count(),
        "attachments": Attachment.objects.filter(ticket_id=pk).count(),
    }
    for relation in Ticket._meta.related_objects:
        model = relation.related_model
        if model in (TimelineEntry, Attachment, Ticket):
            continue
        counts[model._meta.label] = model.objects.filter(**{relation.field.name: pk}).count()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8918)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="make new copies of the ticket")
    args = parser.parse_args()
    if args.requests < 60:
        print("note: p95 wants at least 60 samples per page", file=sys.stderr)

    info = machine()
    targets = Targets()
    tickets = prepared_tickets(targets.typical_ticket, fresh=args.fresh)
    owner = Ticket.objects.select_related("owner").get(pk=tickets["files"]).owner
    requester = Ticket.objects.select_related("requester").get(pk=tickets["files"]).requester
    staff = {"sessionid": session_cookie(owner)}
    customer = {"sessionid": session_cookie(requester)}
    shapes = {label: shape(pk) for label, pk in tickets.items() if label != "carriers"}
    print(f"database {settings.DATABASES['default']['NAME']}: {targets.counts}")
    print(f"PostgreSQL: {info['postgresql']}")
    print(f"{info['nproc']} CPUs ({info['cpu']}), {info['memory']}")
    for label, counts in shapes.items():
        print(f"ticket {tickets[label]} ({label}): {counts}")
    print(f"files spread over {tickets['carriers']} public entries")

    def count_files(content: bytes) -> int:
        return content.count(FILE_NAMES)

    pages = {}
    for label in ("original", "plain", "files"):
        pk = tickets[label]
        pages[("staff", label)] = (f"/tickets/{pk}/", staff)
        pages[("portal", label)] = (f"/portal/tickets/{pk}/", customer)
    results = {key: Result(f"{key[0]} {key[1]}", path) for key, (path, _) in pages.items()}
    load_before = load()
    server = Server(args.port, args.workers)
    try:
        done = 0
        while done < args.requests:
            batch = min(ROUND, args.requests - done)
            for key, (path, cookies) in pages.items():
                measure(
                    server,
                    results[key],
                    "GET",
                    path,
                    cookies=cookies,
                    n=batch,
                    warmup=args.warmup if done == 0 else 0,
                    count=count_files,
                )
            done += batch
    finally:
        server.stop()
    load_after = load()

    summaries = {}
    for key, result in results.items():
        # The worker's own CPU time (X-Bench-Cpu-Ms) beside the wall time: on a shared machine
        # the wall time includes waiting for a core, which swamps a few milliseconds.
        cpu = sorted(result.cpu_ms)
        summaries[key] = {
            **result.summary(),
            "cpu_p95": round(cpu[min(len(cpu) - 1, int(0.95 * len(cpu)))], 1),
        }
    print(f"\nload average {load_before} before, {load_after} after\n")
    print(
        "| page | ticket | files shown | p50 ms | p95 ms | p99 ms | queries | CPU p50 ms | "
        "CPU p95 ms | n |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, row in summaries.items():
        print(
            f"| {key[0]} | {key[1]} ({tickets[key[1]]}) | {row['rendered']} | {row['p50']} | "
            f"{row['p95']} | {row['p99']} | {row['queries']}"
            f"{'' if row['queries'] == row['queries_max'] else ' (max ' + str(row['queries_max']) + ')'}"
            f" | {row['cpu_p50']} | {row['cpu_p95']} | {row['n']} |"
        )
    print()
    for page in ("staff", "portal"):
        files = summaries[(page, "files")]
        for base in ("original", "plain"):
            other = summaries[(page, base)]
            ratio = files["p95"] / other["p95"]
            cpu_ratio = files["cpu_p95"] / other["cpu_p95"]
            print(
                f"{page}: p95 with {FILES} files / {base}: {files['p95']} / {other['p95']} ms = "
                f"{ratio:.3f} ({'within' if ratio <= 1.10 else 'over'} 10%); CPU p95 "
                f"{files['cpu_p95']} / {other['cpu_p95']} ms = {cpu_ratio:.3f}; queries "
                f"{files['queries']} vs {other['queries']}"
            )
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-attachments-last.json").write_text(
        json.dumps(
            {
                "machine": info,
                "tickets": tickets,
                "shapes": shapes,
                "load_before": load_before,
                "load_after": load_after,
                "results": [{"key": list(k), **v} for k, v in summaries.items()],
            }
        )
    )


if __name__ == "__main__":
    main()
