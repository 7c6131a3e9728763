"""Backtest of the turnout forecast (`events/forecast.py`) on the past editions in a database.

For every past edition checked in at the door and each lead time (28, 14, 7, 3 and 1 days
before its start), the forecast is made as it would have been then: the RSVPs going at that
moment, and only the editions of the series that had ended by then. It is compared with the
members who actually arrived. Printed per lead time: the number of cases, the mean absolute
error (MAE, in people), the mean absolute percentage error (MAPE), how often the truth fell
in the range shown, and the same errors for two simple baselines (the series' last arrivals;
the RSVPs so far minus the series' no-show rate).

    createdb -h 127.0.0.1 -U postgres rencontres_forecast
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rencontres_forecast \\
        .venv/bin/python bench/forecast_backtest.py --seed-demo   # migrate and seed_demo first
"""

import argparse
import datetime as dt
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from events import forecast  # noqa: E402
from events.models import Series  # noqa: E402

LEADS_DAYS = (28, 14, 7, 3, 1)


def cases(history: list[forecast.Edition], lead: dt.timedelta):
    """(truth, forecast, last-arrivals baseline, RSVPs-minus-no-shows baseline) per edition."""
    for edition in history:
        if not edition.checked_in:
            continue
        cutoff = edition.start - lead
        prior = [e for e in history if e.end < cutoff]
        going = edition.going_at(cutoff)
        result = forecast.forecast(going=going, lead=lead, capacity=edition.capacity, history=prior)
        if result is None:
            continue
        checked = [e for e in prior if e.checked_in]
        rate = forecast.no_shows(prior).rate or 0
        last = checked[-1].arrived if checked else prior[-1].going_at_start
        yield edition.arrived, result, last, going * (1 - rate)


def errors(pairs: list[tuple[int, float]]) -> tuple[float, float]:
    mae = statistics.mean(abs(truth - guess) for truth, guess in pairs)
    mape = 100 * statistics.mean(abs(truth - guess) / truth for truth, guess in pairs)
    return mae, mape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-demo", action="store_true", help="migrate and seed_demo first")
    args = parser.parse_args()
    if args.seed_demo:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", if_empty=True, verbosity=0)
    series = {s.pk: s.name for s in Series.objects.all()}
    history = forecast.load_history(list(series))
    print(
        f"{'lead':>6} {'cases':>5} {'MAE':>6} {'MAPE':>6} {'in range':>8}   "
        f"{'last arrivals':>13}   {'RSVPs − no-shows':>16}"
    )
    for days in LEADS_DAYS:
        lead = dt.timedelta(days=days)
        rows = [row for editions in history.values() for row in cases(editions, lead)]
        if not rows:
            print(f"{days:>5}d  no case (too few past editions)")
            continue
        mae, mape = errors([(truth, f.expected) for truth, f, _l, _n in rows])
        inside = 100 * statistics.mean(f.low <= truth <= f.high for truth, f, _l, _n in rows)
        last_mae, last_mape = errors([(truth, last) for truth, _f, last, _n in rows])
        naive_mae, naive_mape = errors([(truth, naive) for truth, _f, _l, naive in rows])
        print(
            f"{days:>5}d {len(rows):>5} {mae:>6.1f} {mape:>5.1f}% {inside:>7.0f}%   "
            f"{last_mae:>5.1f} {last_mape:>5.1f}%   {naive_mae:>7.1f} {naive_mape:>6.1f}%"
        )
    for pk, name in series.items():
        rate = forecast.no_shows(history.get(pk, [])).percent
        editions = forecast.no_shows(history.get(pk, [])).editions
        print(f"{name}: no-shows {rate if rate is not None else '–'} % over {editions} editions")


if __name__ == "__main__":
    main()
