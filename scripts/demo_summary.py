"""Print what ``make demo`` landed: files, row counts, API calls and the top campaigns by spend.

Reads the JSON Lines files under ``--output`` and the ``LinkedIn Ads report summary: {...}`` (and
``LinkedIn Ads <table> table summary: {...}``) lines the operators write into the ``airflow dags
test`` logs (``--log``, repeatable). The top campaigns are joined with the landed ``campaigns``
dimension table on the campaign URN, for their status and objective. Money is summed as
:class:`decimal.Decimal`, exactly as LinkedIn sends it. Standard library only.

.. code-block:: bash

    python scripts/demo_summary.py --output demo-output --log .airflow/demo-logs/linkedin_ads_daily_performance.log
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

#: What precedes the JSON summary in a task log: a report's, or a dimension table's.
SUMMARY_MARKER = re.compile(r"LinkedIn Ads (?:report|[a-z_]+ table) summary: ")
TOP = 5


@dataclass
class CampaignTotals:
    """One campaign's sums over the rows of a campaign file."""

    name: str
    urn: str = ""
    impressions: int = 0
    clicks: int = 0
    spend_usd: Decimal = field(default_factory=Decimal)

    @property
    def ctr(self) -> str:
        """Click-through rate as a percentage with two decimals."""
        if not self.impressions:
            return "-"
        return f"{Decimal(self.clicks * 100) / Decimal(self.impressions):.2f}%"


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the rows of one JSON Lines file (decimal strings stay strings)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_summaries(logs: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """Return the operators' summaries found in task logs, by output path (last one wins).

    :param logs: ``airflow dags test`` output files; lines may carry log prefixes and suffixes.
    """
    decoder = json.JSONDecoder()
    summaries: dict[str, dict[str, Any]] = {}
    for log in logs:
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            marker = SUMMARY_MARKER.search(line)
            if marker is None:
                continue
            try:
                summary, _ = decoder.raw_decode(line, marker.end())
            except ValueError:
                continue
            if isinstance(summary, dict) and summary.get("output_path"):
                summaries[str(summary["output_path"])] = summary
    return summaries


def top_campaigns(path: Path, limit: int = TOP) -> list[CampaignTotals]:
    """Sum a campaign performance file per campaign; return the ``limit`` largest by spend in USD.

    Files without ``costInUsd`` (revenue attribution, say) give an empty list.
    """
    totals: dict[str, CampaignTotals] = {}
    for row in read_rows(path):
        if "costInUsd" not in row:
            return []
        urn = str(row.get("campaign"))
        entry = totals.setdefault(urn, CampaignTotals(name=str(row.get("campaign_name") or urn), urn=urn))
        entry.impressions += int(row.get("impressions") or 0)
        entry.clicks += int(row.get("clicks") or 0)
        entry.spend_usd += Decimal(str(row.get("costInUsd") or "0"))
    return sorted(totals.values(), key=lambda entry: entry.spend_usd, reverse=True)[:limit]


def _days(rows: Iterable[dict[str, Any]]) -> str:
    starts, ends = set(), set()
    for row in rows:
        if "start_date" not in row:
            return "snapshot"  # a dimension table: entities, not days
        starts.add(str(row.get("start_date")))
        ends.add(str(row.get("end_date")))
    return f"{min(starts)} .. {max(ends)}" if starts else "no rows"


def campaign_table(output: Path) -> dict[str, dict[str, Any]]:
    """Return the landed ``campaigns`` dimension table by campaign URN (empty when none landed)."""
    table: dict[str, dict[str, Any]] = {}
    for path in sorted(output.rglob("campaigns.jsonl")):
        table.update((str(row["urn"]), row) for row in read_rows(path))
    return table


def describe_files(output: Path, summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Return a table of the landed files: path, rows, days covered, API calls of its task."""
    paths = sorted(output.rglob("*.jsonl"))
    width = max(len(str(path.relative_to(output))) for path in paths)
    lines = [
        f"Landed files under {output.as_uri()}:",
        f"  {'File':<{width}} {'Rows':>6}  {'Days':<24} {'API calls':>9}",
    ]
    for path in paths:
        rows = list(read_rows(path))
        calls = summaries.get(path.as_uri(), {}).get("calls_made", "?")
        lines.append(f"  {path.relative_to(output)!s:<{width}} {len(rows):>6}  {_days(rows):<24} {calls:>9}")
    return lines


def describe_calls(summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Return the totals of the operators' summaries (calls, retries, truncation events)."""
    calls = sum(int(summary.get("calls_made", 0)) for summary in summaries.values())
    retried = sum(int(summary.get("calls_retried", 0)) for summary in summaries.values())
    truncations = sum(len(summary.get("truncation_events") or ()) for summary in summaries.values())
    return [
        f"{len(summaries)} tasks made {calls} LinkedIn API calls "
        f"({retried} retried, {truncations} truncation events)."
    ]


def describe_top(output: Path) -> list[str]:
    """Return a table of the top campaigns by spend for each landed campaign file.

    Each campaign is joined with the ``campaigns`` dimension table on its URN for its status and
    objective; a campaign the table lacks (an orphan) shows ``?``.
    """
    campaigns = campaign_table(output)
    lines: list[str] = []
    for path in sorted(output.rglob("campaign.jsonl")):
        top = top_campaigns(path)
        if not top:
            continue
        days = _days(read_rows(path))
        joined = " joined with the campaigns table on the campaign URN" if campaigns else ""
        lines += ["", f"Top {len(top)} campaigns by spend, {days} ({path.relative_to(output)}){joined}:"]
        lines.append(
            f"  {'Campaign':<44} {'Status':<9} {'Objective':<22} {'Impressions':>11} {'Clicks':>7} {'CTR':>7} "
            f"{'Spend (USD)':>13}"
        )
        for entry in top:
            entity = campaigns.get(entry.urn, {})
            status = str(entity.get("status") or "?")
            objective = str(entity.get("objective_type") or "?")
            lines.append(
                f"  {entry.name[:44]:<44} {status[:9]:<9} {objective[:22]:<22} {entry.impressions:>11,} "
                f"{entry.clicks:>7,} {entry.ctr:>7} {entry.spend_usd:>13,.2f}"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the demo summary; returns 1 when nothing landed.

    :param argv: arguments without the program name (default ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="the output base folder")
    parser.add_argument("--log", type=Path, action="append", default=[], help="an `airflow dags test` log")
    args = parser.parse_args(argv)
    output: Path = args.output.resolve()
    if not any(output.rglob("*.jsonl")):
        print(f"demo: no file landed under {output}", file=sys.stderr)
        return 1
    summaries = read_summaries(args.log)
    print(
        "\n".join(
            ["", *describe_files(output, summaries), "", *describe_calls(summaries), *describe_top(output)]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
