"""What the resident's pages say, in the page's language: the optional questions' choices, the
form a saved response fills in, and why an answer was refused."""

from __future__ import annotations

from collections.abc import Callable

from wholeplace.consult import Consultation
from wholeplace.consult import Response as Answer
from wholeplace.consult import store as cs
from wholeplace.errors import InputError
from wholeplace.web import consult_guard as guard
from wholeplace.web.consult_page import line_field

Gettext = Callable[[str], str]

#: The optional age question's bands (the population estimates' bands can be built from them).
AGE_BANDS = ("under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75 or over")


def age_labels(_: Gettext) -> dict[str, str]:
    """Each age band as the page shows it."""
    return {**{a: a for a in AGE_BANDS}, "under 18": _("under 18"),
            "75 or over": _("75 or over")}


def form_of(c: Consultation, answer: Answer) -> dict[str, str]:
    """The form fields that show a saved answer."""
    form = {line_field(line): format(answer.line_changes.get(line.id, 0), "f")
            for line in c.lines}
    form.update(council_tax_change=format(answer.council_tax_change, "f"),
                adult_social_care_change=format(answer.adult_social_care_change, "f"),
                fees_change=format(answer.fees_change, "f"),
                reserves_use=format(answer.reserves_use, "f"), band=answer.band or "D")
    return form


def refusal_message(exc: guard.Refused | cs.Refusal | InputError, _: Gettext) -> str:
    """Why nothing was recorded, in the page's language."""
    if isinstance(exc, guard.Refused):
        if exc.status_code == 429:
            return _("You have sent a lot of answers in a short time, so this one was not "
                     "recorded. Wait a moment and try again.")
        return _("The service is very busy, so your answer was not recorded. Wait a moment "
                 "and send it again.")
    if isinstance(exc, cs.Refusal):
        messages = {
            "draft": _("This consultation has not been published yet, so it cannot take "
                       "responses. Nothing was recorded."),
            "closed": _("This consultation has closed, so it can no longer take responses. "
                        "Nothing was recorded."),
            "not_open": _("This consultation is not open yet. Nothing was recorded."),
            "browser": _("A response from this browser has already been recorded, and this "
                         "consultation takes one per browser. Nothing new was recorded."),
            "household": _("A response for this household has already been recorded, and "
                           "this consultation takes one per household. Nothing new was "
                           "recorded."),
            "no_cookie": _("Your browser did not send the cookie this consultation uses to "
                           "count one response per browser. Allow cookies for this site, "
                           "reload the page and try again. Nothing was recorded."),
            "no_household": _("Enter your council tax account number or your address, so we "
                              "can count one response per household. Nothing was recorded."),
        }
        return messages.get(exc.reason, str(exc))
    return _("This form could not be accepted: %(why)s") % {"why": str(exc)}
