"""Calibration on real data, and how long ``calibration_report`` takes on 100,000 deals.

Run from the repository root: ``python -m benchmarks.calibration_real``.

For each data set: held-out AUC of the current and the suggested rules
against scikit-learn's gradient-boosted trees and logistic regression on the
mapped columns, top/bottom fifth conversion ratio under the suggestion, the
number of rules it holds, its verdict and whether Apply is offered. UCI Bank
Marketing, Olist and Maven are read with the mappings and first-guess rule
files in ``benchmarks/mappings`` and ``benchmarks/rules`` (Olist's won deals
are imported before its leads, as late data). For those, "mapped columns"
are what the entry snapshots hold (attributes and activity counts), the same
information calibration sees.

1. X Education (``../shared/data/x-education-leads/Leads.csv``, 9,240 leads):
   imported through ``leadscore import`` with ``examples/mappings/x-education.yml``
   under ``examples/rules/x-education.yml``, then calibrated. AUC on the same
   ~30% held-out leads (the report's own hash split) for: the bundled rules,
   the suggested rules, and scikit-learn logistic regression and gradient
   boosting trained on the other ~70%, on two feature sets:
   - *rule indicators*: which rules fired at entry (exactly what the
     suggestion sees, so this measures how well the points are weighted);
   - *mapped columns*: the pre-contact columns the mapping imports, one-hot and
     numeric (what a model could do with the same data and no rule design).
   Plus hot/cold and top/bottom-fifth conversion ratios, current vs suggested.
2. ``calibration_report`` end to end (Core select, JSON decode, statistics) on
   100,000 closed deals stored in SQLite and, when reachable, PostgreSQL.

scikit-learn is used here only (the ``bench`` extra); leadscore never needs it.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, insert, select, text

from bot.digest.backtest import backtest
from bot.digest.calibration_run import Calibration, run_calibration
from bot.digest.report import calibration_report
from bot.importer import import_rows, load_mapping, open_import
from bot.rules_admin import apply_rules
from bot.runtime import open_services
from bot.services import Services
from bot.settings import Settings
from scoring.calibration import auc, in_training
from scoring.rule_file import parse_rule_set
from storage.models import Lead, PipelineEntry

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED / "x-education-leads" / "Leads.csv"
HERE = Path(__file__).resolve().parent
RULES = ROOT / "examples" / "rules" / "x-education.yml"
MAPPING = ROOT / "examples" / "mappings" / "x-education.yml"
NOW = datetime(2024, 3, 1, tzinfo=UTC)
"""After the mapping's dates (outcomes on 2024-01-03); a 90-day window reaches them."""

DEALS = 100_000
TARGET_SECONDS = 3.0
PG_URL = os.environ.get(
    "LEADSCORE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

CATEGORICAL = [
    "Lead Origin",
    "Lead Source",
    "Do Not Email",
    "Do Not Call",
    "Country",
    "Specialization",
    "What is your current occupation",
    "How did you hear about X Education",
    "City",
    "Search",
    "Magazine",
    "Newspaper Article",
    "X Education Forums",
    "Newspaper",
    "Digital Advertisement",
    "Through Recommendations",
    "A free copy of Mastering The Interview",
]
NUMERIC = ["TotalVisits", "Total Time Spent on Website", "Page Views Per Visit"]


def services_for(url: str) -> Services:
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    services = open_services(settings, clock=lambda: NOW)
    apply_rules(services, text=RULES.read_text(encoding="utf-8"), applied_by="benchmark")
    return services


def import_x_education(services: Services) -> None:
    with open_import(DATA, load_mapping(MAPPING)) as (source, mapper):
        summary = import_rows(source, mapper, ingestor=services.ingestor)
    assert summary.rejected_rows == 0, summary.bad_rows[:3]


def lead_ids(services: Services) -> dict[str, str]:
    """Lead Number -> lead key (the email calibration splits on)."""
    with services.engine.connect() as connection:
        rows = connection.execute(select(Lead.id, Lead.email))  # type: ignore[call-overload]
        return {email.split("@")[0]: email for _, email in rows}


def column_features(keys: dict[str, str]) -> tuple[list[str], list[dict[str, Any]], np.ndarray]:
    """The mapped pre-contact columns per lead, straight from the CSV (sklearn side only)."""
    order, rows, won = [], [], []
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            features: dict[str, Any] = {}
            for name in CATEGORICAL:
                value = row[name].strip()
                value = value.lower() if name == "Lead Source" else value
                features[f"{name}={value or 'missing'}"] = 1.0
                if value in ("", "Select"):
                    features[f"{name}=missing"] = 1.0
            for name in NUMERIC:
                value = row[name].strip()
                features[name] = float(value) if value else 0.0
                features[f"{name} missing"] = 0.0 if value else 1.0
            order.append(keys[row["Lead Number"]])
            rows.append(features)
            won.append(row["Converted"] == "1")
    return order, rows, np.array(won)


def rule_features(run: Calibration) -> tuple[list[str], list[dict[str, Any]], np.ndarray]:
    keys = [deal.lead_key for deal in run.deals]
    rows = [{name: 1.0 for name, v in deal.rule_hits.items() if v} for deal in run.deals]
    return keys, rows, np.array([deal.won for deal in run.deals])


def sklearn_aucs(keys: list[str], rows: list[dict[str, Any]], won: np.ndarray) -> dict[str, float]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train = np.array([in_training(key) for key in keys])
    matrix = DictVectorizer(sparse=False).fit_transform(rows)
    models = {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "gradient boosting": HistGradientBoostingClassifier(random_state=0),
    }
    found = {}
    for name, model in models.items():
        model.fit(matrix[train], won[train])
        found[name] = float(auc(model.predict_proba(matrix[~train])[:, 1], won[~train]) or 0)
    return found


def ratio(high: float | None, low: float | None) -> str:
    if high is None or low is None or low == 0:
        return "n/a"
    return f"{high / low:.1f}x"


def x_education() -> None:
    if not DATA.is_file():
        print(f"X Education data not found at {DATA}: skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        services = services_for(f"sqlite:///{folder}/x.db")
        started = time.perf_counter()
        import_x_education(services)
        imported = time.perf_counter() - started
        run = run_calibration(services, days=90, now=NOW)
        keys = lead_ids(services)
        services.engine.dispose()
    report = run.report
    test = backtest(run)
    print(f"X Education: {report.closed} closed, {report.won} won, imported in {imported:.1f}s")
    print(f"  held-out deals: {report.holdout_closed}")
    print(f"  AUC bundled x-education rules : {report.auc.current:.3f}")
    print(f"  AUC suggested rules           : {report.auc.suggested:.3f}")
    for label, features in (
        ("rule indicators", rule_features(run)),
        ("mapped columns", column_features(keys)),
    ):
        for model, value in sklearn_aucs(*features).items():
            print(f"  AUC {model:<20} on {label:<15}: {value:.3f}")
    current, suggested = test.current, test.suggested
    for name, bands in (
        ("all deals, current rules", report.bands),
        ("held out, current rules", current.bands),
        ("held out, suggested rules", suggested.bands),
    ):
        print(f"  hot/cold, {name:<26}: {ratio(bands[2].conversion, bands[0].conversion)}")
    for name, described in (("current", current), ("suggested", suggested)):
        top, bottom = described.quintiles[-1], next(q for q in described.quintiles if q.closed)
        print(
            f"  top/bottom fifth, held out, {name:<9}: {ratio(top.conversion, bottom.conversion)}"
        )
    summary(run)
    print(
        f"  hot threshold now {run.rule_set.thresholds.hot:g}, suggested "
        f"{report.suggested_hot_threshold}; suggested points: "
        + ", ".join(
            f"{r.name} {r.points:g}->{r.suggested_points}"
            for r in report.rules
            if r.suggested_points is not None and r.suggested_points != r.points
        )
    )


def summary(run: Calibration) -> None:
    """Verdict, Apply, base, ends and the suggested rule set's size."""
    report = run.report
    suggested = run.suggested
    pair = report.auc
    judged = report.ranking
    print(
        f"  verdict: {report.verdict}; held-out AUC now {pair.current:.3f} "
        f"[{pair.current_low:.3f}, {pair.current_high:.3f}]"
        + (
            f"; judged on {judged.closed} deals the rules were not fitted on: "
            f"{judged.auc:.3f} [{judged.low:.3f}, {judged.high:.3f}]"
            if judged
            else ""
        )
    )
    print(
        f"  apply offered: {report.apply_offered}"
        + (f" ({report.apply_reason})" if report.apply_reason else "")
    )
    print(
        f"  suggested rules: {len(suggested.fit) + len(suggested.behavior)} "
        f"(max_rules {run.rule_set.max_rules}), base {report.base.suggested_points}, "
        f"held-out at the ends {report.suggested_ends}"
    )
    print(
        "  new rules: "
        + "; ".join(
            f"{r.name} {r.suggested_points:+d}"
            for r in report.rules
            if r.new and r.suggested_points
        )
    )


def snapshot_features(run: Calibration) -> tuple[list[str], list[dict[str, Any]], np.ndarray]:
    """The mapped columns as calibration sees them: snapshot attributes and activity counts."""
    keys, rows = [], []
    for deal in run.deals:
        features: dict[str, Any] = {}
        lead = (deal.snapshot or {}).get("lead", {})
        values = {k: v for k, v in lead.items() if k != "attributes"}
        values.update(lead.get("attributes", {}))
        for name, value in values.items():
            if isinstance(value, int | float):  # bools too
                features[name] = float(value)
            else:
                features[f"{name}={str(value).strip().casefold()}"] = 1.0
        for kind, counts in (deal.snapshot or {}).get("activity", {}).items():
            features[f"activity {kind}"] = float(counts["n"])
        keys.append(deal.lead_key)
        rows.append(features)
    return keys, rows, np.array([deal.won for deal in run.deals])


def fifth_ratio(run: Calibration) -> str:
    test = backtest(run)
    described = test.suggested
    top, bottom = described.quintiles[-1], next(q for q in described.quintiles if q.closed)
    return ratio(top.conversion, bottom.conversion)


def import_files(services: Services, files: list[tuple[Path, Path]]) -> float:
    started = time.perf_counter()
    for path, mapping in files:
        with open_import(path, load_mapping(mapping)) as (source, mapper):
            summary_ = import_rows(source, mapper, ingestor=services.ingestor)
        assert summary_.rejected_rows == 0, (path, summary_.bad_rows[:3])
    return time.perf_counter() - started


def real_set(name: str, files: list[tuple[Path, Path]], rules: Path, until: datetime) -> None:
    """Import ``files`` under ``rules``, calibrate over everything before ``until``, report."""
    if not all(path.is_file() for path, _ in files):
        print(f"{name}: data not found: skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{folder}/{name}.db")  # type: ignore[call-arg]
        services = open_services(settings, clock=lambda: until)
        apply_rules(services, text=rules.read_text(encoding="utf-8"), applied_by="benchmark")
        imported = import_files(services, files)
        started = time.perf_counter()
        run = run_calibration(services, days=5_000, now=until)
        took = time.perf_counter() - started
        services.engine.dispose()
    report = run.report
    print(
        f"{name}: {report.closed} closed, {report.won} won, imported in {imported:.1f}s, "
        f"calibrated in {took:.2f}s; held-out deals: {report.holdout_closed}"
    )
    print(f"  AUC current rules             : {report.auc.current:.3f}")
    print(f"  AUC suggested rules           : {report.auc.suggested:.3f}")
    if report.won and report.won < report.closed:
        for model, value in sklearn_aucs(*snapshot_features(run)).items():
            print(f"  AUC {model:<20} on mapped columns : {value:.3f}")
    print(f"  top/bottom fifth, held out, suggested: {fifth_ratio(run)}")
    summary(run)


def with_row_numbers(path: Path, folder: str) -> Path:
    """The bank file with a ``row`` column (it has no id) and commas: a temporary copy."""
    target = Path(folder) / "bank-with-rows.csv"
    with (
        path.open(encoding="utf-8", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as sink,
    ):
        reader = csv.reader(source, delimiter=";")
        writer = csv.writer(sink)
        writer.writerow(["row", *next(reader)])
        for number, row in enumerate(reader, start=1):
            writer.writerow([number, *row])
    return target


def bank() -> None:
    path = SHARED / "uci-bank-marketing" / "bank-full.csv"
    if not path.is_file():
        print("UCI Bank Marketing: data not found: skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        rows = with_row_numbers(path, folder)
        real_set(
            "UCI Bank Marketing",
            [(rows, HERE / "mappings" / "bank.yml")],
            HERE / "rules" / "bank.yml",
            datetime(2024, 2, 1, tzinfo=UTC),
        )


def olist() -> None:
    folder = SHARED / "olist-marketing-funnel"
    real_set(
        "Olist (won deals imported before the leads)",
        [
            (folder / "olist_closed_deals_dataset.csv", HERE / "mappings" / "olist-deals.yml"),
            (
                folder / "olist_marketing_qualified_leads_dataset.csv",
                HERE / "mappings" / "olist-leads.yml",
            ),
        ],
        HERE / "rules" / "olist.yml",
        datetime(2019, 1, 1, tzinfo=UTC),
    )


def maven() -> None:
    path = SHARED / "maven-crm-sales-opportunities" / "sales_pipeline.csv"
    real_set(
        "Maven CRM (fictitious)",
        [(path, HERE / "mappings" / "maven.yml")],
        HERE / "rules" / "maven.yml",
        datetime(2018, 1, 1, tzinfo=UTC),
    )


def snapshot_of(rng: random.Random) -> dict[str, Any]:
    """A lead at entry as a CRM would send it: a few fields, attributes, activity counts."""
    visits = rng.choice([0, 0, 1, 2, 3, 5, 8])
    return {
        "lead": {
            "industry": rng.choice(["SaaS", "Retail", "Finance", "Government"]),
            "company_size": rng.choice([10, 50, 120, 250, 800, 5000]),
            "attributes": {
                "occupation": rng.choice(["Working Professional", "Student", "Unemployed", ""]),
                "time_on_site": rng.randrange(0, 2000),
            },
        },
        "activity": {"page_view": {"n": visits, "urls": {"https://ex.com/pricing": visits}}}
        if visits
        else {},
    }


def store_deals(services: Services, count: int, *, snapshots: bool = True) -> None:
    """``count`` closed pipeline entries with the x-education rules' hits (and snapshots)."""
    rule_set = parse_rule_set(RULES.read_text(encoding="utf-8"))
    rules = [(rule.name, rule.points) for rule in [*rule_set.fit, *rule_set.behavior]]
    rng = random.Random(11)
    closed_at = NOW - timedelta(days=10)
    rows = []
    for i in range(count):
        hits = {name: float(points) for name, points in rules if rng.random() < 0.35}
        score = min(max(sum(hits.values()), 0.0), 100.0)
        won = rng.random() < 0.1 + 0.6 * score / 100
        rows.append(
            {
                "lead_id": i + 1,
                "entered_at": closed_at - timedelta(days=3),
                "score": score,
                "fit": score,
                "behavior": 0.0,
                "rule_set_version": 1,
                "rule_hits": hits,
                "snapshot": snapshot_of(rng) if snapshots else None,
                "outcome": "won" if won else "lost",
                "closed_at": closed_at + timedelta(seconds=i),
            }
        )
    leads = [
        {
            "id": i + 1,
            "email": f"lead-{i + 1}@bench.example",
            "created_at": closed_at - timedelta(days=30),
            "attributes": {},
            "field_times": {},
            "fit": 0.0,
            "behavior_decaying": 0.0,
            "behavior_fixed": 0.0,
            "behavior": 0.0,
            "score": 0.0,
            "band": "cold",
            "alert_armed": True,
            "alert_cycle": 0,
        }
        for i in range(count)
    ]
    with services.engine.begin() as connection:
        for start in range(0, count, 10_000):
            connection.execute(insert(Lead), leads[start : start + 10_000])
            connection.execute(insert(PipelineEntry), rows[start : start + 10_000])


def _timed(url: str, *, snapshots: bool, runs: int = 3) -> tuple[float, float]:
    """Median wall and CPU seconds of ``calibration_report`` over ``DEALS`` stored deals."""
    services = services_for(url)
    store_deals(services, DEALS, snapshots=snapshots)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        report, _ = calibration_report(services, days=90, now=NOW)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    services.engine.dispose()
    assert report.closed == DEALS
    return statistics.median(walls), statistics.median(cpus)


def time_report(label: str, urls: tuple[str, str]) -> None:
    """With snapshots (rules discovered) against, in the same run, entries without them.

    The baseline is what calibration did before it proposed rules: re-weigh
    the current ones from the per-rule points alone.
    """
    base_wall, base_cpu = _timed(urls[0], snapshots=False)
    wall, cpu = _timed(urls[1], snapshots=True)
    verdict = "OK" if wall <= TARGET_SECONDS else "OVER TARGET"
    print(
        f"calibration_report, {DEALS:,} closed deals with snapshots, {label}: median "
        f"{wall:.2f}s wall, {cpu:.2f}s CPU in this process; same run without snapshots "
        f"(current rules only): {base_wall:.2f}s wall, {base_cpu:.2f}s CPU; ratio "
        f"{wall / base_wall:.1f}x wall, {cpu / base_cpu:.1f}x CPU; target "
        f"{TARGET_SECONDS:.0f}s: {verdict}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )


def postgres_url() -> tuple[str, str] | None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        return None
    finally:
        engine.dispose()
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    only = set(sys.argv[1:])  # e.g. `x bank olist maven timing`; nothing means all
    for key, run in (("x", x_education), ("bank", bank), ("olist", olist), ("maven", maven)):
        if not only or key in only:
            run()
    if only and "timing" not in only:
        return
    with tempfile.TemporaryDirectory() as folder:
        time_report("SQLite", (f"sqlite:///{folder}/base.db", f"sqlite:///{folder}/bench.db"))
    found, again = postgres_url(), postgres_url()
    if found is None or again is None:
        print("PostgreSQL unreachable: skipped")
        return
    try:
        time_report("PostgreSQL", (found[0], again[0]))
    finally:
        drop_schema(found[1])
        drop_schema(again[1])


if __name__ == "__main__":
    main()
