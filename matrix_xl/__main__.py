"""``python -m matrix_xl``: the same as the ``matrix-xl`` command."""

from matrix_xl.cli import main

main()
