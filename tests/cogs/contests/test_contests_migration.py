"""The contests tables arrive by migration on a populated database, and go back."""

from __future__ import annotations

from pathlib import Path

from tests.support.migrations import GARDEN, migrated_database

TABLES = {
    "contests",
    "contest_entries",
    "contest_votes",
    "contest_challenges",
    "contest_wins",
    "giveaways",
    "giveaway_entries",
    "giveaway_draws",
}


def test_the_contests_migration_upgrades_a_populated_database_and_goes_back(
    tmp_path: Path,
) -> None:
    with migrated_database(tmp_path, "0003", GARDEN) as database:
        database.upgrade("0004")
        assert database.tables() >= TABLES
        database.write(
            "INSERT INTO contests (community_id, title, description, channel_id, "
            "channel_name, created_by, starts_at, ends_at, entries_per_member, winners, "
            "choose_by) VALUES (1, 'Haiku', '', 'c', '#c', 'u', '2026-11-02 09:00:00', "
            "'2026-11-02 11:00:00', 1, 3, 'votes')",
            "INSERT INTO contest_entries (contest_id, number, user_id, user_name, text, "
            "submitted_at) VALUES (1, 1, 'u1', 'alice', 'pond', '2026-11-02 09:30:00')",
        )
        database.downgrade("0003")
        assert not TABLES & database.tables()
        assert database.rows("SELECT name FROM communities") == [("Garden",)]


def test_votes_cast_before_the_migration_count_as_cast_with_the_command(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0010",
        GARDEN,
        "INSERT INTO contests (community_id, title, description, channel_id, channel_name, "
        "created_by, starts_at, ends_at, entries_per_member, winners, choose_by, "
        "last_entry_number) VALUES (1, 'Haiku', '', 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes', 1)",
        "INSERT INTO contest_entries (contest_id, number, user_id, user_name, text, "
        "submitted_at) VALUES (1, 1, 'u1', 'alice', 'pond', '2026-11-02 09:30:00')",
        "INSERT INTO contest_votes (contest_id, entry_id, voter_id, voted_at) "
        "VALUES (1, 1, 'u2', '2026-11-02 09:40:00')",
    ) as database:
        database.upgrade("0011")
        # Taking an emoji back never withdraws them: no vote is lost for not knowing.
        assert database.rows("SELECT by_reaction FROM contest_votes") == [(0,)]
        database.downgrade("0010")
        assert database.rows("SELECT voter_id FROM contest_votes") == [("u2",)]


def test_giveaway_entries_made_before_the_migration_count_as_made_with_the_button(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0012",
        GARDEN,
        "INSERT INTO giveaways (community_id, prize, winners, channel_id, channel_name, "
        "created_by, starts_at, ends_at) VALUES (1, 'Seeds', 1, 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-03 09:00:00')",
        "INSERT INTO giveaway_entries (giveaway_id, user_id, user_name, entered_at) "
        "VALUES (1, 'u2', 'bob', '2026-11-02 09:40:00')",
    ) as database:
        database.upgrade("0013")
        # Taking an emoji back never withdraws them: no entrant is dropped for not knowing.
        assert database.rows("SELECT by_reaction FROM giveaway_entries") == [(0,)]
        database.downgrade("0012")
        assert database.rows("SELECT user_id FROM giveaway_entries") == [("u2",)]


def test_closes_and_draws_before_the_migration_keep_no_record_of_who_was_left_out(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0013",
        GARDEN,
        "INSERT INTO contests (community_id, title, description, channel_id, channel_name, "
        "created_by, starts_at, ends_at, entries_per_member, winners, choose_by, "
        "last_entry_number, closed_at) VALUES (1, 'Haiku', '', 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes', 1, "
        "'2026-11-02 11:00:00')",
        "INSERT INTO giveaways (community_id, prize, winners, channel_id, channel_name, "
        "created_by, starts_at, ends_at, drawn_at) VALUES (1, 'Seeds', 1, 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-03 09:00:00', '2026-11-03 09:00:00')",
        "INSERT INTO giveaway_draws (giveaway_id, round, seed, entrants_hash, entrants, "
        "winner_ids, drawn_at) VALUES (1, 1, 's', 'h', 2, 'u2', '2026-11-03 09:00:00')",
    ) as database:
        database.upgrade("0014")
        # Not known: the bot goes on guessing from the members' rows for these alone.
        assert database.rows("SELECT title, excluded_ids FROM contests") == [("Haiku", None)]
        assert database.rows("SELECT winner_ids, excluded_ids FROM giveaway_draws") == [
            ("u2", None)
        ]
        database.write(
            "UPDATE contests SET excluded_ids = 'u3'",
            "UPDATE giveaway_draws SET excluded_ids = 'u3\nu4'",
        )
        database.downgrade("0013")
        assert "excluded_ids" not in database.columns("contests")
        assert "excluded_ids" not in database.columns("giveaway_draws")
        assert database.rows("SELECT title FROM contests") == [("Haiku",)]
        assert database.rows("SELECT winner_ids FROM giveaway_draws") == [("u2",)]


def test_contests_before_the_migration_count_every_vote(tmp_path: Path) -> None:
    with migrated_database(
        tmp_path,
        "0017",
        GARDEN,
        "INSERT INTO contests (community_id, title, description, channel_id, channel_name, "
        "created_by, starts_at, ends_at, entries_per_member, winners, choose_by, "
        "last_entry_number, closed_at, excluded_ids) VALUES (1, 'Haiku', '', 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes', 1, "
        "'2026-11-02 11:00:00', '')",
    ) as database:
        database.upgrade("0018")
        # No ban was noted against them: no vote is left out of their results.
        assert database.rows("SELECT title, banned_voter_ids FROM contests") == [("Haiku", None)]
        database.write("UPDATE contests SET banned_voter_ids = 'u3'")
        database.downgrade("0017")
        assert "banned_voter_ids" not in database.columns("contests")
        assert database.rows("SELECT title, excluded_ids FROM contests") == [("Haiku", "")]


def test_phases_claimed_before_the_migration_count_as_announced(tmp_path: Path) -> None:
    contest = (
        "INSERT INTO contests (community_id, title, description, channel_id, channel_name, "
        "created_by, starts_at, ends_at, entries_per_member, winners, choose_by, "
        "last_entry_number, opened_at, closed_at) VALUES (1, '{title}', '', 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes', 0, {opened}, {closed})"
    )
    giveaway = (
        "INSERT INTO giveaways (community_id, prize, winners, channel_id, channel_name, "
        "created_by, starts_at, ends_at, drawn_at) VALUES (1, '{prize}', 1, 'c', '#c', 'u', "
        "'2026-11-02 09:00:00', '2026-11-03 09:00:00', {drawn})"
    )
    with migrated_database(
        tmp_path,
        "0020",
        GARDEN,
        contest.format(
            title="Done", opened="'2026-11-02 09:00:00'", closed="'2026-11-02 11:00:00'"
        ),
        contest.format(title="Open", opened="'2026-11-02 09:00:00'", closed="NULL"),
        contest.format(title="Coming", opened="NULL", closed="NULL"),
        giveaway.format(prize="Seeds", drawn="'2026-11-03 09:00:00'"),
        giveaway.format(prize="Bulbs", drawn="NULL"),
    ) as database:
        database.upgrade("0021")
        # Whether an older version posted them cannot be known: they are not reported as lost.
        assert database.rows(
            "SELECT title, open_announced_at, remind_announced_at, close_announced_at "
            "FROM contests ORDER BY id"
        ) == [
            ("Done", "2026-11-02 09:00:00", None, "2026-11-02 11:00:00"),
            ("Open", "2026-11-02 09:00:00", None, None),
            ("Coming", None, None, None),
        ]
        assert database.rows("SELECT prize, draw_announced_at FROM giveaways ORDER BY id") == [
            ("Seeds", "2026-11-03 09:00:00"),
            ("Bulbs", None),
        ]
        database.downgrade("0020")
        assert not {"open_announced_at", "remind_announced_at", "close_announced_at"} & (
            database.columns("contests")
        )
        assert "draw_announced_at" not in database.columns("giveaways")
        assert database.rows("SELECT title, closed_at FROM contests ORDER BY id")[0] == (
            "Done",
            "2026-11-02 11:00:00",
        )


def test_wins_stored_before_the_migration_count_as_told_and_none_as_counted_twice(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0021",
        GARDEN,
        "INSERT INTO contest_wins (community_id, kind, ref_id, title, user_id, user_name, "
        "rank, won_at) VALUES (1, 'contest', 1, 'Haiku', 'u1', 'alice', 1, "
        "'2026-11-02 11:00:00')",
    ) as database:
        database.upgrade("0022")
        # An older version told every win it stored at once: telling it again would count it
        # twice for the contributors.
        assert database.rows("SELECT published_at FROM contest_wins") == [("2026-11-02 11:00:00",)]
        database.write(
            "INSERT INTO contributors_wins (community_id, contest_id, user_id, day) "
            "VALUES (1, 'contest:1', 'u1', '2026-11-02')"
        )
        database.downgrade("0021")
        assert "contributors_wins" not in database.tables()
        assert "published_at" not in database.columns("contest_wins")
        assert database.rows("SELECT user_id FROM contest_wins") == [("u1",)]
