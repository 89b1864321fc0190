"""Organisations, people, roles, sessions, data-sharing agreements, the audit trail and the
one policy function that decides who may do what (:func:`wholeplace.access.policy.allowed`)."""
