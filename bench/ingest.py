"""Ledger import time at 10 k households, csv and xlsx (docs/design.md: ≤ 5 s / ≤ 20 s).

``python -m bench ingest [--households 10000] [--runs 3]``

The demo campaign at that size is exported in the import layout
(``export_workbook``); the csv case writes each sheet as a GBK csv, as WPS
saves them. Each run reads, validates and applies the whole campaign into a
fresh, empty SQLite database; the medians of each phase are printed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.pages import database_for
from lib import ingest, store


def _csv_files(xlsx: bytes) -> list[tuple[str, bytes]]:
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None, dtype=str)
    return [(f"{name}.csv", frame.to_csv(index=False).encode("gbk", errors="replace")) for name, frame in sheets.items()]


def _one_run(files: list[tuple[str, bytes]]) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(f"sqlite:///{Path(tmp) / 'import.db'}")
        store.init_db(engine)
        t0 = time.perf_counter()
        ledgers = [ingest.read_ledger(data, file_name=name) for name, data in files]
        ledger = ledgers[0] if len(ledgers) == 1 else ingest.merge_ledgers(ledgers)
        t1 = time.perf_counter()
        report = ingest.validate(ledger, store.load_frames(engine))
        t2 = time.perf_counter()
        ingest.apply(report, engine, imported_by="bench")
        t3 = time.perf_counter()
        engine.dispose()
    return t1 - t0, t2 - t1, t3 - t2


def main(argv: list[str] | None = None) -> int:
    """Print read / validate / apply / total medians for csv and xlsx."""
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    campaign = store.load_frames(store.get_engine(database_for(args.households)))
    xlsx = ingest.export_workbook(campaign)
    cases = {"csv (GBK, 4 files)": _csv_files(xlsx), "xlsx": [("台账.xlsx", xlsx)]}
    print(f"{args.households:,} households; median of {args.runs} runs, seconds")
    print(f"{'file':<20}{'read':>8}{'validate':>10}{'apply':>8}{'total':>8}")
    for label, files in cases.items():
        runs = [_one_run(files) for _ in range(args.runs)]
        med = [statistics.median(r[i] for r in runs) for i in range(3)]
        print(f"{label:<20}{med[0]:>8.2f}{med[1]:>10.2f}{med[2]:>8.2f}{sum(med):>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
