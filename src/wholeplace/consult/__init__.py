"""Resident budget consultations: the definition (rules as data), the one rules engine, the
prefill from the hub. Storage of responses and the results dashboard build on these."""

from wholeplace.consult.definition import (
    definition_data,
    dumps_json,
    dumps_yaml,
    load_definition,
    loads_definition,
    parse_definition,
    parse_response,
)
from wholeplace.consult.engine import (
    Outcome,
    Violation,
    accept_response,
    check_response,
    evaluate,
    gap_pence,
)
from wholeplace.consult.models import Consultation, Response

__all__ = [
    "Consultation",
    "Outcome",
    "Response",
    "Violation",
    "accept_response",
    "check_response",
    "definition_data",
    "dumps_json",
    "dumps_yaml",
    "evaluate",
    "gap_pence",
    "load_definition",
    "loads_definition",
    "parse_definition",
    "parse_response",
]
