"""The team step: roll a team's returned workbooks up into one view and one workbook.

One module per step, each importing only those above it in this list:

- ``model``: what the roll-up keeps of a workbook (a person, a file left out) and a group.
- ``discover``: which files are workbooks, folders searched recursively.
- ``summarise``: one workbook's bytes -> a person or a file error (read, check, judge).
- ``stats``: per group, coverage per skill, the weakest skills, the trend week by week.
- ``report``: the team report (people by definition, files left out) and its JSON.
- ``workbook``: the team workbook (Team, Coverage, Trend, Errors), writing only.
- ``rollup``: :func:`~matrix_xl.team.rollup.roll_up`, files in chunks, on every core.
- ``workflow``: :func:`~matrix_xl.team.workflow.team_roll_up`, all of ``matrix-xl team``.
"""
