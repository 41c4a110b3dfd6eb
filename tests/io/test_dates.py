"""Dates in covariate columns: the accepted forms, a column read one way, clear errors."""

import numpy as np
import pytest

from lda_vi.errors import InputError
from lda_vi.io.dates import looks_like_dates, parse_dates


@pytest.mark.parametrize("text", [
    "1990-03-04", "1990-03-04T12:30:00Z", "1990-03-04 08:15", "1990/03/04", "1990.03.04",
    "19900304", "04.03.1990", "March 4, 1990", "Mar 4 1990", "4 March 1990", "4 Mar. 1990",
    "1990-03-04T23:59:59.5+02:00",
])
def test_each_form_gives_the_calendar_day(text):
    assert parse_dates([text], "date", ["row 1"])[0] == np.datetime64("1990-03-04")


def test_month_and_year_forms_give_the_first_day():
    out = parse_dates(["1990-03", "1990"], "date", ["a", "b"])
    assert list(out) == [np.datetime64("1990-03-01"), np.datetime64("1990-01-01")]


def test_slash_dates_are_read_one_way_for_the_whole_column():
    us = parse_dates(["03/04/1990", "12/31/1990"], "d", ["a", "b"])
    assert us[0] == np.datetime64("1990-03-04")
    eu = parse_dates(["03/04/1990", "25/12/1990"], "d", ["a", "b"])
    assert eu[0] == np.datetime64("1990-04-03") and eu[1] == np.datetime64("1990-12-25")


@pytest.mark.parametrize("bad", ["1990-02-30", "yesterday", "1990-13-01", "", "32.01.1990"])
def test_a_bad_date_is_one_error_naming_its_line(bad):
    with pytest.raises(InputError) as e:
        parse_dates(["1990-01-01", bad], "date", ["news.csv, line 2", "news.csv, line 3"])
    message = str(e.value)
    assert "news.csv, line 3" in message and "date" in message and "\n" not in message


def test_date_detection():
    assert looks_like_dates(["1990-01-02", "1991-05-06"])
    assert looks_like_dates(["1990"] + ["1990-01-02"] * 20)
    assert not looks_like_dates(["1990", "1991"])
    assert not looks_like_dates(["3", "4.5", "10"])
    assert not looks_like_dates(["sports", "politics"])
