# ruff: noqa: T201 (a command-line tool: printing is its output)
"""bench/run: measure the service desk on seeded databases of several sizes, side by side.

    bench/run --sizes 10k,100k,1m                # everything; writes docs/benchmarks.md
    bench/run --sizes 1m --pages ticket_long     # one page, quickly; prints only
    bench/run --db sd_alice --in-place --pages queue_default --requests 20

Each size names a seeded source database (10k -> sd_scale_10k, 100k -> sd_scale_100k,
1m -> sd_scale; `manage.py seed_scale` makes them). The pages that write (posting an update,
creating through the API, the sweep) must not change the source, so the benchmark works on a copy
`<source>_bench`, made with `createdb -T` when missing (or with --fresh) and migrated to the
current code first (so a merged branch's migrations, indexes included, are in place).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench:results:start (written by bench/run; edit outside these markers) -->"
END = "<!-- bench:results:end -->"
HELPDESK_START = "<!-- bench:helpdesk:start (written by bench/run --helpdesk) -->"
HELPDESK_END = "<!-- bench:helpdesk:end -->"
SIZES = {"10k": "sd_scale_10k", "100k": "sd_scale_100k", "1m": "sd_scale"}
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Issue 25's targets (p95 server ms at 1M tickets): pages 15, the dashboard computed 100, the idle
# sweep 2.
TARGETS = {
    "queue_default": 15,
    "queue_open": 15,
    "queue_filtered": 15,
    "queue_search": 15,
    "queue_deep": 15,
    "ticket_typical": 15,
    "ticket_long": 15,
    "portal_list": 15,
    "portal_ticket": 15,
    "dashboard": 100,
    "api_list": 15,
    "sweep_idle": 2,
}


def psql(database: str, sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG}/{database}", "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def database_exists(name: str) -> bool:
    return psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def prepare(source: str, *, in_place: bool, fresh: bool) -> str:
    if in_place:
        target = source
    else:
        target = f"{source}_bench"
        if fresh and database_exists(target):
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", target], check=True)
        if not database_exists(target):
            if not database_exists(source):
                raise SystemExit(f"No database {source}: seed it with manage.py seed_scale.")
            print(f"copying {source} to {target} ...", file=sys.stderr, flush=True)
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", source, target], check=True
            )
    env = {**os.environ, "DATABASE_URL": f"{PG}/{target}", "SECRET_KEY": "bench", "DEBUG": "false"}
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return target


def machine() -> dict:
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    settings = psql(
        "postgres",
        # current_setting: SHOW's form (128MB), not the raw count of 8 kB pages with its unit.
        "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) "
        "FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', "
        "'max_connections', 'random_page_cost', 'max_parallel_workers_per_gather', "
        "'jit', 'effective_io_concurrency', 'server_version')",
    )
    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "postgresql": settings,
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "?",
        ),
    }


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_size(label: str, database: str, args) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9"),
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    command = [
        str(ROOT / ".venv/bin/python"),
        "-m",
        "bench.measure",
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--port",
        str(args.port),
    ]
    if args.pages:
        command += ["--pages", args.pages]
    before = load()
    started = time.monotonic()
    output = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    data = json.loads(output.stdout.strip().splitlines()[-1])
    data.update(
        size=label, load_before=before, load_after=load(), seconds=time.monotonic() - started
    )
    return data


HELPDESK_HOME = Path(os.environ.get("HELPDESK_HOME", "/work/helpdesk-bench"))
# Our shape, as django-helpdesk's seeder (hdseed) reads it: staff in id order, every ticket,
# every timeline entry (events carry what changed, as their follow-ups will say it).
SHAPE = {
    "staff.csv": "SELECT split_part(email, '@', 1), role FROM accounts_user "
    "WHERE role IN ('agent', 'manager') ORDER BY id",
    "tickets.csv": "SELECT t.id, t.subject, t.description, t.status, t.priority, t.created_at, "
    "COALESCE(split_part(o.email, '@', 1), ''), COALESCE(r.email, ''), t.organization_id "
    "FROM tickets_ticket t LEFT JOIN accounts_user o ON o.id = t.owner_id "
    "LEFT JOIN accounts_user r ON r.id = t.requester_id ORDER BY t.id",
    "entries.csv": "SELECT e.ticket_id, e.created_at, e.is_public, e.kind, e.event, e.body, "
    "CASE WHEN a.role IN ('agent', 'manager') THEN split_part(a.email, '@', 1) ELSE '' END, "
    "COALESCE(e.data->>'old', ''), COALESCE(e.data->>'new_name', e.data->>'new', '') "
    "FROM updates_timelineentry e LEFT JOIN accounts_user a ON a.id = e.author_id "
    "ORDER BY e.ticket_id, e.created_at, e.id",
}


def export_shape(database: str, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, query in SHAPE.items():
        with (directory / name).open("w") as handle:
            subprocess.run(
                ["psql", f"{PG}/{database}", "-Atc", f"COPY ({query}) TO STDOUT WITH CSV"],
                check=True,
                stdout=handle,
            )


def run_helpdesk(args, source: str) -> dict:
    """django-helpdesk beside ours: its own virtualenv and database, seeded from ours (`source`,
    the seeded database, not the benchmark's copy) ticket for ticket and entry for entry."""
    python = HELPDESK_HOME / "venv" / "bin" / "python"
    if not python.exists():
        subprocess.run([str(ROOT / "bench/helpdesk/setup.sh"), str(HELPDESK_HOME)], check=True)
    env = {**os.environ, "HELPDESK_DB": args.helpdesk_db}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    project = ROOT / "bench/helpdesk/hdproject"
    if not database_exists(args.helpdesk_db):
        shape = ROOT / "var" / "helpdesk-shape"
        print(f"seeding django-helpdesk from {source} ...", file=sys.stderr, flush=True)
        export_shape(source, shape)
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", args.helpdesk_db], check=True
        )
        for command in (["migrate", "-v0"], ["hdseed", "--from", str(shape)]):
            subprocess.run([str(python), "manage.py", *command], cwd=project, env=env, check=True)
        psql(args.helpdesk_db, "VACUUM ANALYZE")
    before = load()
    output = subprocess.run(
        [
            str(python),
            str(ROOT / "bench/helpdesk/measure.py"),
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(output.stdout.strip().splitlines()[-1])
    data.update(size="django-helpdesk", load_before=before, load_after=load())
    return data


# The same view on both sides: (label, our page, its page, what each renders).
PAIRS = (
    ("staff ticket list", "queue_open", "hd_ticket_list"),
    ("typical ticket page", "ticket_typical", "hd_ticket_typical"),
    ("longest ticket page", "ticket_long", "hd_ticket_long"),
    ("longest ticket page, whole timeline", "ticket_long_all", "hd_ticket_long"),
)


def renders(row: dict) -> str:
    return "" if row.get("rendered") is None else f"{row['rendered']:,} "


def comparison(ours: dict, theirs: dict) -> list[str]:
    def row(data, page):
        return next((r for r in data["results"] if r["page"] == page), None)

    counts = ", ".join(f"{v:,} {k}" for k, v in theirs["counts"].items())
    lines = []
    a, b = row(ours, "ticket_typical"), row(theirs, "hd_ticket_typical")
    if a and b:
        lines += [
            f"**Headline: a typical ticket page ({a['rendered']} timeline entries on ours, "
            f"{b['rendered']} follow-ups on django-helpdesk's) takes {b['p50'] / a['p50']:.1f}x "
            f"as long on django-helpdesk at the median ({a['p50']} vs {b['p50']} ms) and "
            f"{b['p95'] / a['p95']:.1f}x at p95 ({a['p95']} vs {b['p95']} ms).**",
            "",
        ]
    lines += [
        f"django-helpdesk 2.6.1 ({counts}; load average {theirs['load_before']} before, "
        f"{theirs['load_after']} after), same machine, same run, same loop:",
        "",
        "| view | ours: renders, p50 / p95 ms (queries) | django-helpdesk: renders, "
        "p50 / p95 ms (queries) | theirs / ours p50 | p95 | CPU p50 ms ours / theirs |",
        "|---|---|---|---:|---:|---:|",
    ]
    for label, mine, other in PAIRS:
        a, b = row(ours, mine), row(theirs, other)
        if a is None or b is None:
            continue
        unit = "rows" if "list" in label else "entries"
        lines.append(
            f"| {label} | {renders(a)}{unit}: {a['p50']} / {a['p95']} ({a['queries']}) | "
            f"{renders(b)}{unit}: {b['p50']} / {b['p95']} ({b['queries']}) | "
            f"{b['p50'] / a['p50']:.1f}x | {b['p95'] / a['p95']:.1f}x | "
            f"{a['cpu_p50']} / {b['cpu_p50']} |"
        )
    lines += [
        "",
        "Its list is an HTML shell plus the DataTables JSON request that reads the tickets "
        "(`datatables_ticket_list`, its default query: Open and Reopened by creation, 25 rows); "
        "each sample is the two requests back to back, their times summed, and the percentiles "
        'are of those sums. Ours is the queue\'s "All open" view (25 rows, one request). CPU is '
        "the web process's own (PostgreSQL's is not in it), steadier than wall time on a busy "
        "machine.",
    ]
    return lines


def table(data: dict) -> list[str]:
    counts = ", ".join(f"{value:,} {name}" for name, value in data["counts"].items())
    lines = [
        f"**{data['size']}** ({counts}; database `{data['database']}`; load average "
        f"{data['load_before']} before, {data['load_after']} after)",
        "",
        "| page | p50 ms | p95 ms | p99 ms | target p95 | queries | CPU p50 ms | client p50 ms | n |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["results"]:
        target = TARGETS.get(row["page"])
        mark = ""
        if target is not None and row["p95"] is not None:
            mark = " ✅" if row["p95"] < target else " ❌"
        queries = str(row["queries"])
        if row["queries_max"] != row["queries"]:
            queries += f" (max {row['queries_max']})"
        lines.append(
            f"| {row['page']} | {row['p50']} | {row['p95']} | {row['p99']} | "
            f"{f'< {target}' if target else '-'}{mark} | {queries} | {row.get('cpu_p50')} | "
            f"{row['client_p50']} | "
            f"{row['n']} |"
        )
    return lines


def growth(runs: list[dict]) -> list[str]:
    if len(runs) < 2:
        return []
    header = "| page | " + " | ".join(f"p95 {r['size']}" for r in runs) + " | queries |"
    lines = [
        "Growth of p95 server time (ms) with size:",
        "",
        header,
        "|---|" + "---:|" * len(runs) + "---|",
    ]
    pages = [row["page"] for row in runs[0]["results"]]
    for page in pages:
        cells, queries = [], []
        for run in runs:
            row = next((r for r in run["results"] if r["page"] == page), None)
            cells.append(str(row["p95"]) if row else "-")
            queries.append(str(row["queries"]) if row else "-")
        lines.append(f"| {page} | " + " | ".join(cells) + f" | {' / '.join(queries)} |")
    return lines


def report(runs: list[dict], info: dict, extra: list[str] | None = None) -> str:
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `bench/run "
        f"{' '.join(sys.argv[1:])}` on {info['nproc']} CPUs ({info['cpu']}), {info['memory']} "
        f"memory; PostgreSQL {info['postgresql']}.",
        "",
    ]
    for run in runs:
        lines += [*table(run), ""]
    lines += growth(runs)
    if extra:
        lines += ["", *extra]
    return "\n".join(lines).rstrip() + "\n"


def write_doc(text: str, start: str = START, end: str = END) -> None:
    """Replace the text between the markers, leaving the rest of the page (and the sections
    other people append at its end) as it is."""
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if start not in current or end not in current:
        current = current.rstrip() + f"\n\n{start}\n{end}\n"
    head, rest = current.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{text}{end}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10k,100k,1m", help="any of " + ", ".join(SIZES))
    parser.add_argument("--db", help="measure this database instead of the sizes")
    parser.add_argument("--pages", help="comma-separated pages (default: all)")
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per page")
    parser.add_argument("--port", type=int, default=8909)
    parser.add_argument("--in-place", action="store_true", help="no copy: measure the db itself")
    parser.add_argument("--fresh", action="store_true", help="re-copy the source database")
    parser.add_argument(
        "--helpdesk",
        action="store_true",
        help="also measure django-helpdesk (its own venv and database) beside the last size",
    )
    parser.add_argument("--helpdesk-db", default="sd_helpdesk")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write docs/benchmarks.md (default: only when every page runs)",
    )
    args = parser.parse_args()
    plan = (
        [(args.db, args.db)]
        if args.db
        else [(size, SIZES[size]) for size in args.sizes.split(",") if size]
    )
    info = machine()
    runs = []
    for label, source in plan:
        database = prepare(source, in_place=args.in_place, fresh=args.fresh)
        print(f"measuring {label} on {database} (load {load()}) ...", file=sys.stderr, flush=True)
        run = run_size(label, database, args)
        runs.append(run)
        print("\n".join(table(run)) + "\n", flush=True)
    print("\n".join(growth(runs)))
    write = args.write if args.write is not None else not args.pages
    if write:
        write_doc(report(runs, info))
        print(f"written to {DOC.relative_to(ROOT)}", file=sys.stderr)
    if args.helpdesk and runs:
        theirs = run_helpdesk(args, plan[-1][1])
        lines = comparison(runs[-1], theirs)
        print("\n".join(lines), flush=True)
        runs[-1]["helpdesk"] = theirs
        if args.write is not False:
            write_doc(report(runs[-1:], info, lines), HELPDESK_START, HELPDESK_END)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-last.json").write_text(json.dumps({"machine": info, "runs": runs}))


if __name__ == "__main__":
    main()
