"""Reading a filled workbook back, in the order it happens.

``source`` (the file read once, into bytes) -> ``package`` (the zip and its parts checked
before any parser sees them, with ``limits``, ``inflate`` and ``xmlscan``) -> ``guard``
(python-calamine's failures as one error) -> ``reader`` (the cells into ``rows``, with
``values`` and ``history``) -> ``model`` (:class:`~matrix_xl.read.model.MatrixRead`, whose
``frames`` the validation runs on).
"""
