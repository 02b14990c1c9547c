"""Schedules as a French community manager writes them: weekdays and months by their French
names, and what is wrong said in French too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ValidationError

from bot.crontab import Weekday, check_crontab, crontab_fields
from bot.ruleconf.errors import RuleValueError
from tests.ruleconf.test_shipped_french import typography_mistakes


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("0 9 * * lun", "0 9 * * mon"),
        ("0 9 * * Lundi", "0 9 * * mon"),
        ("0 9 * * lun.", "0 9 * * mon"),
        ("0 18 * * lun-ven", "0 18 * * mon-fri"),
        ("0 18 * * mar,jeu", "0 18 * * tue,thu"),
        ("0 10 * * sam,dimanche", "0 10 * * sat,sun"),
        ("0 9 1 janv,févr *", "0 9 1 jan,feb *"),
        ("0 9 1 fev,aout,déc *", "0 9 1 feb,aug,dec *"),
        ("0 9 1 juin-juillet *", "0 9 1 jun-jul *"),
        ("0 9 1 mars,mai,sept *", "0 9 1 mar,may,sep *"),
        ("0 9 * * mon", "0 9 * * mon"),
        ("0 9 * * Monday-Friday", "0 9 * * mon-fri"),
        ("0 9 1 jan,June *", "0 9 1 jan,jun *"),
        ("*/15 9-17 * * *", "*/15 9-17 * * *"),
        ("0 9 * * lun-ven/2", "0 9 * * mon,wed,fri"),
        ("0 9 * * mar/2", "0 9 * * tue,thu,sat"),
        ("0 9 * * lun,mer-dim/3", "0 9 * * mon,wed,sat"),
        ("0 0 1 févr-avr/2 *", "0 0 1 feb,apr *"),
        ("0 0 1 janv/3 *", "0 0 1 jan,apr,jul,oct *"),
    ],
)
def test_weekdays_and_months_are_read_by_their_french_or_english_names(
    written: str, read: str
) -> None:
    check_crontab(written)
    fields = crontab_fields(written)
    assert " ".join(fields.values()) == read
    start = datetime(2026, 11, 2, tzinfo=UTC)
    expected = CronTrigger.from_crontab(read, timezone="UTC").get_next_fire_time(None, start)
    assert CronTrigger(timezone="UTC", **fields).get_next_fire_time(None, start) == expected


@pytest.mark.parametrize(
    ("written", "english", "french"),
    [
        (
            "0 9 * * lunid",
            "'0 9 * * lunid' is not a valid schedule: the weekday 'lunid' is not one; write a "
            "name (mon … sun), a list (mon,thu) or a range (mon-fri)",
            "'0 9 * * lunid' n'est pas une planification valide\u00a0: le jour de la semaine "
            "'lunid' n'en est pas un\u00a0; écrivez un nom (lun … dim), une liste (lun,jeu) ou "
            "une plage (lun-ven)",
        ),
        (
            "0 25 * * lun",
            "'0 25 * * lun' is not a valid schedule: the hour '25' is not one; write a number "
            "from 0 to 23, *, a list (9,18) or a range (9-17)",
            "'0 25 * * lun' n'est pas une planification valide\u00a0: l'heure '25' n'en est pas "
            "une\u00a0; écrivez un nombre de 0 à 23, *, une liste (9,18) ou une plage (9-17)",
        ),
        (
            "0 9 1 juilet *",
            "'0 9 1 juilet *' is not a valid schedule: the month 'juilet' is not "
            "one; write a number from 1 to 12 or a name (jan … dec), a list or a range",
            "'0 9 1 juilet *' n'est pas une planification valide\u00a0: le mois 'juilet' "
            "n'en est pas un\u00a0; écrivez un nombre de 1 à 12 ou un nom (janv … déc), une "
            "liste ou une plage",
        ),
        (
            "0 9 * * 1",
            "write weekdays by name (mon, tue, wed, thu, fri, sat, sun), not '1': numbers mean "
            "different days in different crons",
            "écrivez les jours de la semaine par leur nom (lun, mar, mer, jeu, ven, sam, dim), "
            "pas '1'\u00a0: les numéros désignent des jours différents selon les crons",
        ),
        (
            "0 0 31 févr *",
            "'0 0 31 févr *' never happens: February has no 31st",
            "'0 0 31 févr *' n'arrive jamais\u00a0: février n'a pas de 31",
        ),
        (
            "0 0 31 avril,juin *",
            "'0 0 31 avril,juin *' never happens: April and June have no 31st",
            "'0 0 31 avril,juin *' n'arrive jamais\u00a0: avril et juin n'ont pas de 31",
        ),
        (
            "0 9 * lun",
            "'0 9 * lun' is not a schedule; write five cron fields, minute hour day month "
            "weekday, e.g. '0 9 * * mon' for Mondays at 09:00",
            "'0 9 * lun' n'est pas une planification\u00a0; écrivez cinq champs cron, minute "
            "heure jour mois jour-de-la-semaine, par ex. '0 9 * * lun' pour le lundi à 09:00",
        ),
    ],
)
def test_a_schedule_refused_says_which_field_to_fix_in_english_and_in_french(
    written: str, english: str, french: str
) -> None:
    with pytest.raises(RuleValueError) as caught:
        check_crontab(written)
    assert str(caught.value) == english
    assert dict(caught.value.said) == {"fr": french}


class Weekly(BaseModel):
    day_of_week: Weekday = "mon"


@pytest.mark.parametrize(
    ("written", "day"), [("lun", "mon"), ("Vendredi", "fri"), ("dim.", "sun"), ("sat", "sat")]
)
def test_a_weekly_job_s_day_is_read_by_its_french_or_english_name(written: str, day: str) -> None:
    assert Weekly(day_of_week=written).day_of_week == day  # type: ignore[arg-type]


def test_a_weekly_job_s_day_that_names_none_says_what_to_write() -> None:
    with pytest.raises(ValidationError) as caught:
        Weekly(day_of_week="lunid")  # type: ignore[arg-type]
    [error] = caught.value.errors()
    refused = error["ctx"]["error"]
    assert isinstance(refused, RuleValueError)
    assert dict(refused.said)["fr"] == (
        "'lunid' n'est pas un jour de la semaine\u00a0; écrivez lun, mar, mer, jeu, ven, sam "
        "ou dim (ou leurs noms anglais, mon … sun)"
    )


REFUSED_SCHEDULES = [
    "60 9 * * lun",
    "0 25 * * lun",
    "0 9 32 * *",
    "0 9 1 juilet *",
    "0 9 * * lunid",
    "0 9 * * 1",
    "0 0 31 févr *",
    "0 0 31 avril,juin *",
    "0 0 31 2-4/2 *",
    "0 9 * lun",
]
"""One schedule for each thing crontab can refuse, in each of the ways it says it."""


def test_every_french_schedule_error_follows_french_typography() -> None:
    said = []
    for written in REFUSED_SCHEDULES:
        with pytest.raises(RuleValueError) as caught:
            check_crontab(written)
        said.append(dict(caught.value.said)["fr"])
    with pytest.raises(ValidationError) as refused:
        Weekly(day_of_week="lunid")  # type: ignore[arg-type]
    said.append(dict(refused.value.errors()[0]["ctx"]["error"].said)["fr"])
    assert [(text, typography_mistakes(text)) for text in said if typography_mistakes(text)] == []


def test_a_step_over_month_names_is_kept_not_dropped() -> None:
    # APScheduler reads "feb-apr/2" as "feb-apr": the 31st would come in March.
    check_crontab("0 0 1 févr-avr/2 *")
    trigger = CronTrigger(timezone="UTC", **crontab_fields("0 0 1 févr-avr/2 *"))
    moment, fired = datetime(2026, 1, 1, tzinfo=UTC), []
    for _ in range(3):
        moment = trigger.get_next_fire_time(None, moment)
        fired.append(moment.month)
        moment = moment.replace(hour=1)
    assert fired == [2, 4, 2]
    with pytest.raises(RuleValueError, match="never happens"):
        check_crontab("0 0 31 févr-avr/2 *")
