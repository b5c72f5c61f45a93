"""Validation: the rules a filled workbook must meet, and the two engines that run them.

- :mod:`~matrix_xl.validation.checks`: every rule declared once, as data (name, severity,
  table, cell, check, message). No pandas.
- :mod:`~matrix_xl.validation.screen`: the rules in plain Python over a workbook as read;
  a team roll-up clears its valid workbooks with it, without importing pandas.
- :mod:`~matrix_xl.validation.schemas`: the pandera schemas built from the rules, the
  frames they run on, and :func:`~matrix_xl.validation.schemas.validate`.
- :mod:`~matrix_xl.validation.run`: read and validate one workbook
  (:func:`~matrix_xl.validation.run.check_workbook`), the :class:`Validation` result.

Nothing is imported here, so that importing the screen stays free of pandas.
"""
