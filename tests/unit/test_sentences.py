"""Generated sentences: each verdict and trend gives its own words, never more than the
statistics found; missing data says "not available"."""

from __future__ import annotations

import pytest

from wholeplace.insight.early_warning import flags as rules
from wholeplace.insight.profile import sentences as say
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
    (0.186, "proportion", "18.6%"), (None, "percent", "not available"),
    (0.0, "gbp_per_head", "£0 per head"),
    # negatives: the minus sign (U+2212) before the pound sign, never "£-43" or "-£43"
    (-43.17, "gbp_per_head", "\u2212£43 per head"),
    (-2500, "gbp_thousands", "\u2212£2.5 million"),
    (-91.3, "percent", "\u221291.3%"), (-1.25, "percentage points", "\u22121.2 percentage points"),
    (1.3, "percentage points", "+1.3 percentage points"), (-0.2, "gbp_per_head", "£0 per head"),
    (0.3, "years", "0.3 years"), (1234.5, "rate_per_100000", "1,234 per 100,000"),
])
def test_numbers_are_written_in_their_unit(value, unit, text):
    assert say.format_number(value, unit) == text


def test_missing_is_written_as_the_caller_asks_never_zero():
    assert say.format_number(None, "gbp_per_head", "Not available") == "Not available"
    assert say.format_number(float("nan"), "percent") == "not available"


def flag(**extra):
    """A flag as :func:`wholeplace.insight.early_warning.resilience.council_flags` gives it (relative-only)."""
    return {"title": "Usable reserves as % of net revenue expenditure", "unit": "percent",
            "polarity": "lower_is_riskier", "band": "higher risk", "value": 6.0,
            "threshold": {"value": None, "text": "relative-only rule"},
            "trend_direction": "falling",
            "trend": "the value falling each available year since 2013-14",
            "comparators": {"n": 36, "label": "metropolitan districts", "median": 12.0,
                            "percentile": 8.3, "risk_percentile": 91.7}, **extra}


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


# -- flags at the band's boundaries: the words follow the flag's own band ------------------------
def judged(indicator_id: str, value: float, values: list[float]) -> dict:
    """A flag built from the early-warning rules themselves (flags.risk_band), as resilience
    does: the band, the percentiles and the threshold."""
    ind = next(i for i in rules.INDICATORS if i.id == indicator_id)
    band = rules.risk_band(ind, value, values)
    return {"title": ind.title, "unit": ind.unit, "polarity": ind.polarity,
            "band": band["band"], "value": value,
            "threshold": {"value": ind.threshold}, "trend": "", "trend_direction": None,
            "comparators": {"n": band["n"], "label": "shire districts",
                            "median": band["median"], "percentile": band["percentile"],
                            "risk_percentile": band["risk_percentile"]},
            "_quartile": band["in_riskiest_quartile"], "_beyond": band["beyond_threshold"]}


def test_at_exactly_the_25th_percentile_the_words_and_the_band_agree():
    values = [float(v) for v in range(1, 11)]  # the council's 3 is 2.5 of 10: percentile 25
    f = judged("council_tax_pct_nre", 3.0, values)
    assert f["comparators"]["percentile"] == 25.0 and f["band"] == "some risk"
    text = say.flag_sentence(f, "2017-18")
    assert "in the lowest quarter of 10 shire districts" in text and text.endswith(
        ": some risk.")
    assert "middle half" not in text


def test_some_risk_from_the_threshold_alone_names_the_threshold():
    values = [1.0, 2.0, 3.0, 4.0, 4.5, 6.0, 7.0, 8.0]  # 4.5% is below 5% but not in the quarter
    f = judged("usable_reserves_pct_nre", 4.5, values)
    assert (f["band"], f["_quartile"], f["_beyond"]) == ("some risk", False, True)
    text = say.flag_sentence(f, "2017-18")
    assert text == ("Usable reserves as % of net revenue expenditure was 4.5% in 2017-18, in "
                    "the middle half of 8 shire districts (median 4.2%; below the 5% "
                    "threshold): some risk.")


def test_some_risk_from_the_quarter_alone_does_not_mention_the_threshold():
    values = [5.5, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]  # lowest, but above 5%
    f = judged("usable_reserves_pct_nre", 5.5, values)
    assert (f["band"], f["_quartile"], f["_beyond"]) == ("some risk", True, False)
    text = say.flag_sentence(f, "2017-18")
    assert "in the lowest quarter" in text and "threshold" not in text


@pytest.mark.parametrize("indicator_id", ["council_tax_pct_nre", "usable_reserves_pct_nre",
                                          "social_care_share", "reserves_sustainability"])
def test_the_quarter_in_words_is_always_the_bands_quarter(indicator_id):
    values = [0.5 * v for v in range(1, 25)]
    riskiest = ("lowest quarter" if next(i for i in rules.INDICATORS if i.id == indicator_id)
                .polarity == rules.LOWER_RISKIER else "highest quarter")
    for value in values:
        f = judged(indicator_id, value, values)
        text = say.flag_sentence(f, "2017-18")
        assert (riskiest in text) == f["_quartile"], (value, text)
        assert ("threshold" in text) == bool(f["_beyond"]), (value, text)
        assert text.endswith(f": {f['band']}.")


def test_one_neighbourhood_is_not_written_as_neighbourhoods():
    deciles = [{"decile": d, "count": int(d == 6)} for d in range(1, 11)]
    text = say.deciles_sentence("Isles of Scilly", deciles, 1)
    assert text.startswith("Isles of Scilly's only neighbourhood (LSOA) is in IMD decile 6 ")
    assert "neighbourhoods" not in text
    assert say.plural(1, "neighbourhood") == "1 neighbourhood"
    assert say.plural(1200, "neighbourhood") == "1,200 neighbourhoods"


def test_a_cash_trend_says_cash_terms():
    assert say.trend_phrase("decreasing", "2010-11", basis="cash") == (
        "a falling trend in cash terms since 2010-11")
    assert say.trend_phrase("decreasing", "2010-11") == "a falling trend since 2010-11"
    text = say.outcome_sentence(item("middle_half", trend={
        "direction": "no significant trend", "first": "2010-11", "basis": "cash"}), WHOM)
    assert text.endswith("no clear trend in cash terms since 2010-11.")


def test_too_few_values_to_detect_a_trend_is_said_as_such():
    from wholeplace.insight.profile.sentences import trend_phrase
    from wholeplace.insight.trends.analysis import TOO_FEW_TO_DETECT, mann_kendall

    found = mann_kendall([0.41, 0.42, 0.40, 0.43])  # 4 values: no ordering reaches p < 0.05
    assert found.direction == TOO_FEW_TO_DETECT
    words = trend_phrase(found.direction, "2016-17", found.reason)
    assert words == "too few years since 2016-17 to detect a trend at the 5% level"
    assert "no clear trend" not in words
