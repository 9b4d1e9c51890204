"""The apps depend one way (accounts <- tickets <- updates <- vendors <- dashboard, portal, api,
demo) and no modules import each other in a circle, deferred imports included."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_import_circle_and_no_import_against_the_arrows():
    result = subprocess.run(
        [sys.executable, "scripts/import_cycles.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 import circle(s), 0 import(s) against the arrows" in result.stdout


def test_the_check_finds_a_circle_closed_by_a_deferred_import_and_an_import_against_the_arrows():
    import importlib.util

    import grimp

    spec = importlib.util.spec_from_file_location(
        "import_cycles", ROOT / "scripts/import_cycles.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("updates.keeper.delivery", "updates.keeper.outbox"),
        ("updates.keeper.outbox", "updates.tasks"),  # the deferred import of the old outbox
        ("updates.tasks", "updates.keeper.delivery"),
        ("tickets.models", "accounts.models"),
        ("portal.views", "vendors.models"),
    ]:
        graph.add_import(importer=importer, imported=imported)

    assert script.circles(graph) == [
        ["updates.keeper.delivery", "updates.keeper.outbox", "updates.tasks"]
    ]
    assert script.against_the_arrows(graph, ["accounts", "tickets", "vendors", "portal"]) == [
        "portal.views -> vendors.models"
    ]
