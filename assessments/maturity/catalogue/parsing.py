"""Validating raw catalogue data entry by entry and building the Catalogue from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard, TypeVar

from .entries import KEY_PATTERN, EntryReader
from .model import (
    GRADES,
    LEVELS,
    ML_TEST_SCORE_SECTIONS,
    OBSERVABILITY,
    QUESTION_KINDS,
    ROLES,
    Capability,
    Catalogue,
    DebtKind,
    Dimension,
    Level,
    Option,
    Question,
    SkipRule,
)
from .references import check_cycles, check_references

_Entry = TypeVar("_Entry")


def parse_catalogue(data: Any, *, source: str = "catalogue.yaml") -> Catalogue:
    """Validate raw catalogue data (as read from YAML) and build a Catalogue."""
    return _Parser(source).parse(data)


_TOP_LEVEL = {
    "version": True,
    "levels": True,
    "effort_days": True,
    "debt_kinds": True,
    "dimensions": True,
    "option_sets": False,
    "capabilities": True,
    "questions": True,
}
_LEVEL_KEYS = {"level": True, "title": True, "summary": True}
_SIMPLE_KEYS = {"key": True, "title": True, "description": True}
_CAPABILITY_KEYS = {
    "key": True,
    "dimension": True,
    "title": True,
    "level": True,
    # role and observable; catalogues up to 2026.11 said optional and evidence_expected instead.
    "role": False,
    "optional": False,
    "description": True,
    "why": True,
    "remediation": True,
    "verify": True,
    "debt": True,
    "prerequisites": True,
    "effort": True,
    "impact": True,
    "observable": False,
    "evidence_expected": False,
    "detectors": False,
    "ml_test_score_section": True,
}
_QUESTION_KEYS = {
    "key": True,
    "kind": False,
    "capabilities": False,
    "text": True,
    "help": True,
    "options": True,
    "skip_if": False,
}
_OPTION_KEYS = {"key": True, "label": True, "grade": False, "not_applicable": False}
_SKIP_KEYS = {"question": True, "in": True}


class _Parser(EntryReader):
    """Builds a Catalogue in three phases (shapes, references, cycles), stopping after the
    first phase that found problems."""

    # Phase 1: shapes and types of every entry.
    def parse(self, data: Any) -> Catalogue:
        if not isinstance(data, dict):
            self.problem(None, "must be a mapping with version, dimensions, capabilities, ...")
            self.check()
        top = self.fields(None, data, _TOP_LEVEL, what="top-level key")
        # A missing version is reported above and stops the parse before the Catalogue is built.
        version = top.get("version", "")
        if "version" in top and (not isinstance(version, str) or not version.strip()):
            self.problem(None, 'version must be a non-empty string such as "2026.11" (quote it)')
        levels = self.levels(top.get("levels"))
        effort_days = self.effort_days(top.get("effort_days"))
        debt_kinds = self.simple_entries(top.get("debt_kinds"), "debt_kinds", "debt kind", DebtKind)
        dimensions = self.simple_entries(
            top.get("dimensions"), "dimensions", "dimension", Dimension
        )
        option_sets = self.option_sets(top.get("option_sets", {}))
        capabilities = self.capabilities(top.get("capabilities"), dict(effort_days))
        questions = self.questions(top.get("questions"), option_sets)
        self.check()
        catalogue = Catalogue(
            version=version,
            levels=levels,
            debt_kinds=debt_kinds,
            dimensions=dimensions,
            capabilities=capabilities,
            questions=questions,
            effort_days=effort_days,
        )
        check_references(catalogue, self.problem)
        self.check()
        check_cycles(catalogue, self.problem)
        self.check()
        return catalogue

    def levels(self, raw: Any) -> tuple[Level, ...]:
        levels: list[Level] = []
        numbers: list[object] = []
        for i, item in enumerate(self.entry_list(raw, "levels")):
            entry = f"level #{i + 1}"
            values = self.fields(entry, item, _LEVEL_KEYS)
            number = values.get("level")
            numbers.append(number)
            if isinstance(number, int) and not isinstance(number, bool):
                entry = f"level {number}"
            # Levels other than exactly 0, 1, 2 are reported below and no Catalogue is built.
            levels.append(
                Level(
                    int(number) if isinstance(number, int | float) else -1,
                    self.text(entry, values, "title"),
                    self.text(entry, values, "summary"),
                )
            )
        if raw is not None and numbers != list(LEVELS):
            self.problem(None, f"levels must be exactly {list(LEVELS)} in order, not {numbers}")
        return tuple(levels)

    def effort_days(self, raw: Any) -> tuple[tuple[str, float], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, dict) or not raw:
            self.problem(None, "effort_days must map effort sizes to days, e.g. {S: 2, M: 5}")
            return ()
        pairs: list[tuple[str, float]] = []
        for size, days in raw.items():
            if not isinstance(size, str):
                self.problem("effort_days", f"size {size!r} must be text")
            elif not _is_number(days) or days <= 0:
                self.problem(f"effort size {size!r}", f"days must be a positive number: {days!r}")
            else:
                pairs.append((size, float(days)))
        return tuple(pairs)

    def simple_entries(
        self, raw: Any, name: str, label: str, cls: Callable[[str, str, str], _Entry]
    ) -> tuple[_Entry, ...]:
        entries: list[_Entry] = []
        seen: set[str] = set()
        for i, item in enumerate(self.entry_list(raw, name)):
            entry = self.keyed(item, label, i, seen)
            values = self.fields(entry, item, _SIMPLE_KEYS)
            entries.append(
                cls(
                    values.get("key", ""),
                    self.text(entry, values, "title"),
                    self.text(entry, values, "description"),
                )
            )
        return tuple(entries)

    def options(self, entry: str, raw: Any, *, graded: bool) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(entry, "options must be a non-empty list")
            return ()
        options: list[Option] = []
        seen: set[object] = set()
        for i, item in enumerate(raw):
            option_entry = f"{entry} option #{i + 1}"
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                option_entry = f"{entry} option {item['key']!r}"
            values = self.fields(option_entry, item, _OPTION_KEYS)
            key = values.get("key")
            if "key" in values and (not isinstance(key, str) or not KEY_PATTERN.match(key)):
                self.problem(
                    option_entry,
                    f"key {key!r} must be lower_snake_case text (quote yes/no/on/off)",
                )
            elif key in seen:
                self.problem(option_entry, "duplicate option key")
            seen.add(key)
            grade = values.get("grade")
            not_applicable = values.get("not_applicable", False)
            if not isinstance(not_applicable, bool):
                self.problem(option_entry, "not_applicable must be true or false")
            if graded:
                if "grade" not in values:
                    self.problem(option_entry, "missing required key 'grade' (use null for none)")
                elif grade is not None and (not _is_number(grade) or grade not in GRADES):
                    self.problem(option_entry, f"grade {grade!r} must be one of 0, 0.5, 1 or null")
                if not_applicable is True and grade is not None:
                    self.problem(option_entry, "a not_applicable option cannot carry a grade")
            elif grade is not None or not_applicable:
                self.problem(option_entry, "context options carry no grade or not_applicable")
            grade_value = float(grade) if _is_number(grade) else None
            options.append(
                Option(
                    key or "",
                    self.text(option_entry, values, "label"),
                    grade_value,
                    not_applicable is True,
                )
            )
        if graded:
            grades = {o.grade for o in options}
            if not {0.0, 1.0} <= grades:
                self.problem(entry, "graded options need one with grade 0 and one with grade 1")
        return tuple(options)

    def option_sets(self, raw: Any) -> dict[str, tuple[Option, ...]]:
        if not isinstance(raw, dict):
            self.problem(None, "option_sets must map set names to lists of options")
            return {}
        return {
            name: self.options(f"option set {name!r}", options, graded=True)
            for name, options in raw.items()
        }

    def capabilities(self, raw: Any, effort_days: dict[str, float]) -> tuple[Capability, ...]:
        capabilities: list[Capability] = []
        seen: set[str] = set()
        for i, item in enumerate(self.entry_list(raw, "capabilities")):
            entry = self.keyed(item, "capability", i, seen)
            v = self.fields(entry, item, _CAPABILITY_KEYS)
            level = v.get("level", 0)
            if "level" in v and (isinstance(level, bool) or level not in LEVELS):
                self.problem(entry, f"level {level!r} must be 0, 1 or 2")
            role = self.role(entry, v)
            observable = self.observable(entry, v)
            detectors = v.get("detectors", [])
            if not isinstance(detectors, list) or not all(isinstance(d, str) for d in detectors):
                self.problem(entry, "detectors must be a list of detector names")
                detectors = []
            impact = v.get("impact", 1)
            if "impact" in v and (isinstance(impact, bool) or impact not in (1, 2, 3)):
                self.problem(entry, f"impact {impact!r} must be 1, 2 or 3")
            effort = v.get("effort")
            if "effort" in v and effort not in effort_days:
                self.problem(entry, f"effort {effort!r} must be one of {sorted(effort_days)}")
            section = v.get("ml_test_score_section")
            if section is not None and section not in ML_TEST_SCORE_SECTIONS:
                self.problem(
                    entry,
                    f"ml_test_score_section {section!r} must be one of "
                    f"{', '.join(ML_TEST_SCORE_SECTIONS)} or null",
                )
            prerequisites = v.get("prerequisites", [])
            if not isinstance(prerequisites, list) or not all(
                isinstance(p, str) for p in prerequisites
            ):
                self.problem(entry, "prerequisites must be a list of capability keys")
                prerequisites = []
            capabilities.append(
                Capability(
                    key=v.get("key", ""),
                    dimension=v.get("dimension", ""),
                    title=self.text(entry, v, "title"),
                    level=level if isinstance(level, int) else 0,
                    role=role,
                    description=self.text(entry, v, "description"),
                    why=self.text(entry, v, "why"),
                    remediation=self.text(entry, v, "remediation"),
                    verify=self.text(entry, v, "verify"),
                    debt=v.get("debt", ""),
                    prerequisites=tuple(prerequisites),
                    effort=effort if isinstance(effort, str) else "",
                    effort_days=effort_days.get(effort, 0.0) if isinstance(effort, str) else 0.0,
                    impact=impact if isinstance(impact, int) else 1,
                    observable=observable,
                    ml_test_score_section=section,
                    detectors=tuple(detectors),
                )
            )
        return tuple(capabilities)

    def role(self, entry: str, v: dict[str, Any]) -> str:
        if "role" in v:
            if "optional" in v:
                self.problem(entry, "give role or optional, not both")
            if v["role"] not in ROLES:
                self.problem(entry, f"role {v['role']!r} must be one of {', '.join(ROLES)}")
                return "component"
            return str(v["role"])
        if "optional" not in v:
            self.problem(entry, f"role is missing; it must be one of {', '.join(ROLES)}")
        elif not isinstance(v["optional"], bool):
            self.problem(entry, "optional must be true or false")
        # Before 2026.11.1 every capability that was not optional gated its level.
        return "optional" if v.get("optional") is True else "characteristic"

    def observable(self, entry: str, v: dict[str, Any]) -> str:
        if "observable" in v:
            if "evidence_expected" in v:
                self.problem(entry, "give observable or evidence_expected, not both")
            value = v["observable"]
            # Unquoted yes and no are booleans in YAML; read them as the words they look like.
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if value not in OBSERVABILITY:
                self.problem(
                    entry, f"observable {value!r} must be one of {', '.join(OBSERVABILITY)}"
                )
                return "no"
            return str(value)
        if "evidence_expected" not in v:
            self.problem(entry, "observable is missing; it must be yes, partly or no")
        elif not isinstance(v["evidence_expected"], bool):
            self.problem(entry, "evidence_expected must be true or false")
        return "yes" if v.get("evidence_expected") is True else "no"

    def questions(
        self, raw: Any, option_sets: dict[str, tuple[Option, ...]]
    ) -> tuple[Question, ...]:
        questions: list[Question] = []
        seen: set[str] = set()
        for i, item in enumerate(self.entry_list(raw, "questions")):
            entry = self.keyed(item, "question", i, seen)
            v = self.fields(entry, item, _QUESTION_KEYS)
            kind = v.get("kind", "graded")
            if kind not in QUESTION_KINDS:
                self.problem(entry, f"kind {kind!r} must be 'graded' or 'context'")
            graded = kind != "context"
            capabilities = v.get("capabilities", [])
            if not isinstance(capabilities, list) or not all(
                isinstance(c, str) for c in capabilities
            ):
                self.problem(entry, "capabilities must be a list of capability keys")
                capabilities = []
            if graded and not capabilities:
                self.problem(entry, "a graded question must grade at least one capability")
            if not graded and capabilities:
                self.problem(entry, "a context question grades no capabilities")
            raw_options = v.get("options")
            if isinstance(raw_options, str):
                if raw_options not in option_sets:
                    self.problem(entry, f"option set {raw_options!r} does not exist")
                elif not graded:
                    self.problem(entry, "a context question lists its own options")
                options = option_sets.get(raw_options, ())
            elif "options" in v:
                options = self.options(entry, raw_options, graded=graded)
            else:
                options = ()
            questions.append(
                Question(
                    key=v.get("key", ""),
                    kind=kind,
                    text=self.text(entry, v, "text"),
                    help=self.text(entry, v, "help"),
                    options=options,
                    capabilities=tuple(capabilities),
                    skip_if=self.skip_rule(entry, v.get("skip_if")),
                )
            )
        return tuple(questions)

    def skip_rule(self, entry: str, raw: Any) -> SkipRule | None:
        if raw is None:
            return None
        values = self.fields(f"{entry} skip_if", raw, _SKIP_KEYS)
        answers = values.get("in", [])
        if not isinstance(answers, list) or not answers:
            self.problem(entry, "skip_if 'in' must be a non-empty list of option keys")
            answers = []
        return SkipRule(str(values.get("question", "")), tuple(str(a) for a in answers))


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
