"""The task run's answer checkpoint on ObjectStoragePath: where it lives, what it keeps, how it goes."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from airflow_provider_linkedin_ads.client.checkpoint import answer_key
from airflow_provider_linkedin_ads.utils.checkpoint import CHECKPOINT_MARKER, PathCheckpoint, checkpoint_uri

if TYPE_CHECKING:
    from pathlib import Path

# A body in the pieces it arrived in; the second piece is larger than one read-back piece.
BODY = [
    b'{"elements":[{"pivotValues":["urn:li:sponsoredCampaign:1"],"averageDwellTime":1.50,"x":"',
    b"y" * 70_000,
    b'"}]}',
]


def _context(run_id: str = "scheduled__2026-11-27T00:00:00+00:00", map_index: int = -1) -> Any:
    ti = SimpleNamespace(dag_id="linkedin", task_id="campaigns", run_id=run_id, map_index=map_index)
    return {"ti": ti}


def test_the_checkpoint_sits_beside_the_output_under_a_run_scoped_name():
    uri = checkpoint_uri(_context(), "s3://bucket/linkedin/2026-11-27/campaigns.jsonl")
    folder, _, name = uri.rpartition("/")
    assert folder == "s3://bucket/linkedin/2026-11-27"
    assert name.startswith(f"{CHECKPOINT_MARKER}campaigns--1-")
    assert ":" not in name
    assert "+" not in name
    assert checkpoint_uri(_context(map_index=3), "s3://b/x.jsonl") != checkpoint_uri(
        _context(), "s3://b/x.jsonl"
    )
    assert checkpoint_uri(_context(run_id="other"), "s3://b/x.jsonl") != checkpoint_uri(
        _context(), "s3://b/x.jsonl"
    )


def test_xcom_rows_keep_their_checkpoint_in_the_temp_dir():
    uri = checkpoint_uri(_context(), None)
    assert uri.startswith("file:///")
    assert "/linkedin-ads-checkpoints/" in uri


def test_put_get_count_and_discard(tmp_path: Path):
    checkpoint = PathCheckpoint((tmp_path / f"{CHECKPOINT_MARKER}x").as_uri())
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    assert checkpoint.get(key) is None
    assert len(checkpoint) == 0
    assert not (tmp_path / f"{CHECKPOINT_MARKER}x").exists()  # nothing created before the first answer
    checkpoint.put(key, BODY)
    back = checkpoint.get(key)
    assert back is not None
    assert b"".join(back) == b"".join(BODY)  # byte for byte: 1.50 stays 1.50
    assert max(map(len, back)) <= 64 * 1024  # read back in pieces, never as one block
    assert len(checkpoint) == 1
    (entry,) = (tmp_path / f"{CHECKPOINT_MARKER}x").iterdir()
    assert entry.name.endswith(".answer")
    # Another worker process sees the same answers through the same URI.
    other = PathCheckpoint(checkpoint.uri).get(key)
    assert other is not None
    assert b"".join(other) == b"".join(BODY)
    checkpoint.discard()
    assert not (tmp_path / f"{CHECKPOINT_MARKER}x").exists()
    checkpoint.discard()  # idempotent


def test_a_checkpoint_that_cannot_be_written_never_fails_the_report(tmp_path: Path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    checkpoint = PathCheckpoint((blocker / "checkpoint").as_uri())
    with caplog.at_level(logging.WARNING):
        checkpoint.put("k", BODY)  # logged, not raised
    assert checkpoint.get("k") is None
    assert "Could not store the checkpoint entry" in caplog.text


def test_an_entry_cut_by_a_crash_mid_write_is_asked_again(tmp_path: Path):
    checkpoint = PathCheckpoint((tmp_path / f"{CHECKPOINT_MARKER}x").as_uri())
    key = answer_key("analytics", [("pivot", "CAMPAIGN")])
    checkpoint.put(key, BODY)
    (entry,) = (tmp_path / f"{CHECKPOINT_MARKER}x").iterdir()
    entry.write_bytes(entry.read_bytes()[:-3])
    assert checkpoint.get(key) is None
