"""Whole-place budgeting: multi-year plans across partners, capital financing, appraisal
(Green Book discounting) and a prevention value model that shows who pays and who saves.

Everything here is pure (numbers in, numbers out) except :mod:`.unit_costs`, which reads the
hub's ``unit_costs`` table, and :mod:`.files`, which reads YAML definitions.
"""
