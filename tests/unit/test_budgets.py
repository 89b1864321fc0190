"""Budget beside outturn, pure: missing stays missing, differences only where both exist."""

from wholeplace.hub.budgets import compare_lines


def test_difference_only_where_both_are_published():
    budget = {"ra.nce.adult_social_care": {"value": 100.0, "status": "published", "title": "b"},
              "ra.nce.education": {"value": None, "status": "missing", "title": "b"}}
    outturn = {"rs.nce.adult_social_care": {"value": 120.0, "status": "published",
                                            "title": "Adult social care"},
               "rs.nce.education": {"value": 50.0, "status": "published", "title": "Ed"}}
    rows = {r["line"]: r for r in compare_lines(budget, outturn)}
    assert rows["nce.adult_social_care"]["difference"] == 20.0
    assert rows["nce.adult_social_care"]["difference_pct"] == 20.0
    assert rows["nce.education"]["difference"] is None
    assert rows["nce.education"]["budget_status"] == "missing"
    assert "nce.cultural" not in rows  # neither figure: no row


def test_zero_budget_gives_no_percentage():
    rows = compare_lines({"ra.nce.police": {"value": 0.0, "status": "published", "title": "p"}},
                         {"rs.nce.police": {"value": 5.0, "status": "published", "title": "p"}})
    assert rows[0]["difference"] == 5.0 and rows[0]["difference_pct"] is None
