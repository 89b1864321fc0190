"""Generated sentences: each verdict and trend gives its own words, never more than the
statistics found; missing data says "not available"."""

from __future__ import annotations

import pytest

from wholeplace.insight import sentences as say

WHOM = "its 15 most similar councils"


def item(verdict, direction="no significant trend", value=19.2, **extra):
    return {"title": "Adult social care users' quality of life", "unit": "score",
            "period": "2022-23", "value": value, "verdict": verdict, "median": 19.0,
            "benchmark": 18.7, "trend": {"direction": direction, "first": "2016-17"}, **extra}


@pytest.mark.parametrize("verdict, words", [
    ("better", "significantly better than its 15 most similar councils (benchmark 18.7)"),
    ("worse", "significantly worse than its 15 most similar councils (benchmark 18.7)"),
    ("higher", "significantly higher than its 15 most similar councils (benchmark 18.7)"),
    ("lower", "significantly lower than its 15 most similar councils (benchmark 18.7)"),
    ("similar", "similar to its 15 most similar councils (benchmark 18.7)"),
    ("above_upper_quartile", "in the highest quarter of its 15 most similar councils "
                             "(median 19)"),
    ("below_lower_quartile", "in the lowest quarter of its 15 most similar councils "
                             "(median 19)"),
    ("middle_half", "in the middle half of its 15 most similar councils (median 19)"),
])
def test_each_verdict_has_its_words(verdict, words):
    text = say.outcome_sentence(item(verdict), WHOM)
    assert text.startswith("Adult social care users' quality of life: 19.2 in 2022-23, ")
    assert words in text


@pytest.mark.parametrize("verdict", ["above_upper_quartile", "below_lower_quartile",
                                     "middle_half", "not_enough_data"])
def test_a_position_is_never_called_significant(verdict):
    assert "significant" not in say.outcome_sentence(item(verdict), WHOM)


@pytest.mark.parametrize("direction, words", [
    ("increasing", "a rising trend since 2016-17."),
    ("decreasing", "a falling trend since 2016-17."),
    ("no significant trend", "no clear trend since 2016-17."),
])
def test_each_trend_result_has_its_words(direction, words):
    assert say.outcome_sentence(item("middle_half", direction), WHOM).endswith(words)


def test_no_trend_is_stated_without_a_test():
    text = say.outcome_sentence(item("middle_half", "not available",
                                     trend={"direction": "not available", "first": "2021-22",
                                            "reason": "2 years with a value; the test needs "
                                                      "at least 4"}), WHOM)
    assert text.endswith("too few years to test for a trend (2 years with a value; the test "
                         "needs at least 4).")
    assert "rising" not in text and "falling" not in text and "clear" not in text


def test_a_missing_value_is_not_available_never_zero():
    text = say.outcome_sentence(item("not_available", value=None,
                                     reason="no value for this council in 2022-23"), WHOM)
    assert text == ("Adult social care users' quality of life: not available for 2022-23 "
                    "(no value for this council in 2022-23).")
    assert " 0" not in text


def test_too_few_comparators_are_said_with_the_reason():
    text = say.outcome_sentence(item("not_enough_data", band_reason="4 of the group have a "
                                     "value; at least 5 are needed"), WHOM)
    assert ("not compared with its 15 most similar councils (4 of the group have a value; at "
            "least 5 are needed)") in text


@pytest.mark.parametrize("value, unit, text", [
    (6.04, "percent", "6%"), (19.25, "percent", "19.2%"), (19.2, "score", "19.2"),
    (0.41, "score", "0.41"), (7.2, "score", "7.2"), (2641.5, "ratio", "2,642"),
    (611.7, "gbp_per_head", "£612 per head"), (12_345, "gbp_thousands", "£12.3 million"),
    (144_714, "persons", "144,714 people"), (0.123, "proportion", "12.3%"),
    (None, "percent", "not available"), (0.0, "gbp_per_head", "£0 per head"),
])
def test_numbers_are_written_in_their_unit(value, unit, text):
    assert say.format_number(value, unit) == text


def flag(**extra):
    return {"title": "Usable reserves as % of net revenue expenditure", "unit": "percent",
            "band": "higher risk", "value": 6.0, "trend_direction": "falling",
            "trend": "the value falling each available year since 2013-14",
            "comparators": {"n": 36, "label": "metropolitan districts", "median": 12.0,
                            "percentile": 8.3}, **extra}


def test_a_flag_sentence_follows_its_trend_and_quarter():
    assert say.flag_sentence(flag(), "2017-18") == (
        "Usable reserves as % of net revenue expenditure fell to 6% in 2017-18, in the lowest "
        "quarter of 36 metropolitan districts (median 12%): higher risk.")


def test_a_flag_whose_trend_is_of_another_series_says_was():
    text = say.flag_sentence(flag(trend="usable reserves (year-end levels) falling each "
                                        "available year since 2013-14"), "2017-18")
    assert " was 6% in 2017-18" in text and "fell" not in text


def test_a_flag_without_a_value_is_not_available():
    text = say.flag_sentence(flag(value=None, comparator_position="no value for this council"),
                             "2017-18")
    assert text == ("Usable reserves as % of net revenue expenditure: not available for 2017-18 "
                    "(no value for this council).")


def test_deciles_sentence_counts_the_extremes():
    deciles = [{"decile": d, "count": c} for d, c in zip(range(1, 11),
                                                         [3, 0, 0, 0, 0, 0, 0, 0, 0, 7])]
    assert say.deciles_sentence("Fenland", deciles, 10) == (
        "3 of Fenland's 10 neighbourhoods (LSOAs, 30%) are among the 10% most deprived in "
        "England, and 7 (70%) among the 10% least deprived (IoD2019).")
    assert say.deciles_sentence("Nowhere", [], 0) is None
