"""An organisation's own checks ("scorecards as code"): the YAML format, its validation, its
export, and the organisation's reading of a level.

A check set is a short YAML document an org admin can keep in a git repository::

    counts_towards_levels: false
    checks:
      - key: internal_registry
        title: Models registered in our internal registry
        dimension: validation_registry
        level: 1
        question: Are all production models registered in the Acme registry?
        rule: {dependency_present: acme-registry}

A check has a ``rule`` a scan evaluates, a ``question`` the team answers, or both. The team's
answer uses ``ANSWER_OPTIONS`` (the catalogue's "practice" options without "not applicable":
an organisation asks its own checks of every team), and ``check_reading`` decides whether a
check passes from the scan and the answer together.

Every problem is reported as a sentence that starts with the line it is on, so a check set
kept in a repository can be fixed from the error alone. Rules are data, never code: a path is
a bounded glob inside the repository, a pattern a regular expression refused when it is long
or shaped for catastrophic backtracking (and always evaluated line by line on capped input,
see ``scanning.custom_checks``).

The Google reading of the built-in catalogue never changes because of these checks; when the
organisation asks for it (``counts_towards_levels``), ``organization_level`` gives a second
reading: the Google level capped below the lowest level with a check that is not passing.
"""

from .model import (
    ANSWER_OPTIONS,
    ANSWER_PASSES,
    KEY_PATTERN,
    MAX_CHECKS,
    MAX_GLOB,
    MAX_GLOB_WILDCARDS,
    MAX_PACKAGE,
    MAX_PATTERN,
    MAX_QUESTION,
    MAX_TEXT_BYTES,
    MAX_TITLE,
    PACKAGE_PATTERN,
    RULE_KINDS,
    CheckSet,
    CheckSetError,
    CustomCheck,
    Rule,
)
from .patterns import glob_problem, glob_regex, linear_regex, pattern_problem
from .reading import CheckReading, check_reading, organization_level
from .yaml_format import check_set_from_dict, export_check_set, parse_check_set

__all__ = [
    "ANSWER_OPTIONS",
    "ANSWER_PASSES",
    "KEY_PATTERN",
    "MAX_CHECKS",
    "MAX_GLOB",
    "MAX_GLOB_WILDCARDS",
    "MAX_PACKAGE",
    "MAX_PATTERN",
    "MAX_QUESTION",
    "MAX_TEXT_BYTES",
    "MAX_TITLE",
    "PACKAGE_PATTERN",
    "RULE_KINDS",
    "CheckReading",
    "CheckSet",
    "CheckSetError",
    "CustomCheck",
    "Rule",
    "check_reading",
    "check_set_from_dict",
    "export_check_set",
    "glob_problem",
    "glob_regex",
    "linear_regex",
    "organization_level",
    "parse_check_set",
    "pattern_problem",
]
