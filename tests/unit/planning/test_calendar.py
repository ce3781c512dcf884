"""Calendar weeks (pure): Monday to Sunday, pieces on their publish day, stages by status."""

from __future__ import annotations

from datetime import date, datetime, timezone

from studio.planning.calendar import Piece, monday_of, weeks


def piece(i: int, status: str, day: int, hour: int = 9) -> Piece:
    return Piece(i, f"Piece {i}", status, datetime(2026, 12, day, hour, tzinfo=timezone.utc))


def test_pieces_land_on_their_day_in_order_with_their_stage_and_rejected_ones_stay_off():
    got = weeks([piece(1, "approved", 2, 15), piece(2, "draft", 2, 8), piece(3, "rejected", 3),
                 piece(4, "exported", 9), piece(5, "changes_requested", 13), piece(6, "in_review", 14)],
                monday_of(date(2026, 12, 2)), 3)  # fmt: skip
    assert [w.monday for w in got] == [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]
    wednesday = got[0].days[2]
    assert wednesday.day == date(2026, 12, 2)
    assert [(p.draft_id, p.stage) for p in wednesday.pieces] == [(2, "Planned"), (1, "Approved")]
    assert got[0].counts == {"Planned": 1, "In review": 0, "Approved": 1, "Exported": 0}
    assert got[1].counts["Exported"] == 1 and got[1].days[6].pieces[0].stage == "Planned"  # Sunday the 13th
    assert got[2].counts["In review"] == 1
    assert all(p.draft_id != 3 for w in got for d in w.days for p in d.pieces)
