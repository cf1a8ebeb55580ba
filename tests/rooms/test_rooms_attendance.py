"""Who an open question waits for, as plain bookkeeping: connected players until they answer, a
dropped one until their grace ends, nobody who left or was kicked."""

from __future__ import annotations

from rooms.owner.attendance import Attendance


def opened(*connected: str, answered: tuple[str, ...] = ()) -> Attendance:
    attendance = Attendance()
    for player in connected:
        attendance.came(player, may_answer=False)  # in the lobby: nothing to wait for yet
    attendance.open(connected, answered)
    return attendance


def test_a_question_waits_for_every_connected_player_until_they_answer() -> None:
    attendance = opened("ann", "ben")
    assert attendance.of == 2 and not attendance.everyone_answered
    assert attendance.answer("ann") and not attendance.answer("ann")  # a second notice changes nothing
    assert not attendance.everyone_answered
    attendance.answer("ben")
    assert attendance.everyone_answered


def test_a_dropped_player_is_waited_for_until_the_grace_ends() -> None:
    attendance = opened("ann", "ben")
    attendance.answer("ann")
    assert attendance.went("ben", hold_until_ms=5_000)
    assert attendance.expire(4_999) == 5_000 and not attendance.everyone_answered
    assert attendance.expire(5_000) is None and attendance.everyone_answered


def test_a_player_back_within_the_grace_is_waited_for_again() -> None:
    attendance = opened("ann", "ben")
    attendance.went("ben", hold_until_ms=5_000)
    attendance.came("ben", may_answer=True)
    attendance.answer("ann")
    assert attendance.expire(10_000) is None and not attendance.everyone_answered


def test_leaving_or_a_kick_gets_no_grace_and_a_player_who_answered_is_not_held() -> None:
    attendance = opened("ann", "ben", "cid")
    attendance.answer("ann")
    assert not attendance.went("ann", hold_until_ms=5_000)  # answered: nothing to wait for
    attendance.gone_for_good("ben")
    attendance.gone_for_good("cid")
    assert attendance.everyone_answered


def test_after_a_takeover_the_answers_already_stored_count() -> None:
    attendance = opened("ann", "ben", answered=("ann",))
    assert attendance.of == 2 and attendance.answered == {"ann"}
    attendance.answer("ben")
    assert attendance.everyone_answered
