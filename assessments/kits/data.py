"""A data validation gate before training: a pandera schema inferred from the repository's
sample data, and a script that refuses data that does not match it."""

from __future__ import annotations

from .build import Kit, KitUnavailable, kit, with_requirements
from .patch import FileChange
from .stack import Stack

PANDERA = "pandera==0.35.0"
DTYPES = {"int": "int", "float": "float", "str": "str"}


@kit("data_validation")
def data_validation_gate(stack: Stack) -> Kit:
    if stack.sample_data is None or not stack.columns:
        raise KitUnavailable(
            "No sample data (a CSV file with a header) is in the repository to infer a schema "
            "from; commit a small sample, or write the schema by hand."
        )
    columns = "\n".join(
        f"        {column.name!r}: pa.Column({DTYPES[column.kind]}, "
        f"nullable={column.nullable!r}, coerce=True),"
        for column in stack.columns
    )
    schema = (
        '"""The schema training data must match, inferred from SAMPLE_DATA.\n'
        "\n"
        "Review it: tighten types, add checks (ranges, allowed values) and mark the columns\n"
        "that may be missing. A column added to the data must be added here too (strict).\n"
        '"""\n'
        "\n"
        "import pandera.pandas as pa\n"
        "\n"
        # A name from the repository is a literal, never part of the docstring: a path may
        # hold the quotes that would close it.
        f"SAMPLE_DATA = {stack.sample_data!r}\n"
        "\n"
        "TRAINING_DATA = pa.DataFrameSchema(\n"
        "    {\n"
        f"{columns}\n"
        "    },\n"
        "    strict=True,\n"
        ")\n"
    )
    gate = (
        '"""Validate data files before training; exit with status 1 when one does not match.\n'
        "\n"
        "Usage: python validate_data.py [DATA.csv ...]   (default: the sample data)\n"
        '"""\n'
        "\n"
        "import sys\n"
        "\n"
        "import pandas as pd\n"
        "import pandera.errors\n"
        "\n"
        "from data_schema import TRAINING_DATA\n"
        "\n"
        f"DEFAULT_DATA = [{stack.sample_data!r}]\n"
        "\n"
        "\n"
        "def main(paths: list[str]) -> int:\n"
        "    failed = 0\n"
        "    for path in paths or DEFAULT_DATA:\n"
        "        try:\n"
        "            TRAINING_DATA.validate(pd.read_csv(path), lazy=True)\n"
        "        except pandera.errors.SchemaErrors as errors:\n"
        "            failed += 1\n"
        "            print(f'{path}: does not match the schema', file=sys.stderr)\n"
        "            print(errors.failure_cases.to_string(), file=sys.stderr)\n"
        "        else:\n"
        "            print(f'{path}: valid')\n"
        "    return 1 if failed else 0\n"
        "\n"
        "\n"
        "if __name__ == '__main__':\n"
        "    sys.exit(main(sys.argv[1:]))\n"
    )
    return Kit(
        step="data_validation",
        title="Data validation gate",
        changes=(
            FileChange("data_schema.py", schema),
            FileChange("validate_data.py", gate),
            *with_requirements(stack, PANDERA),
        ),
        does=(
            f"data_schema.py: a pandera schema of the {len(stack.columns)} columns of "
            f"{stack.sample_data}, with their types and whether they may be empty.",
            "python validate_data.py checks data files against it and exits with status 1, "
            "listing every failing value, when one does not match.",
        ),
        does_not=(
            "It infers types only: ranges, allowed values and relations between columns are "
            "the team's to add.",
            "It does not run itself: call it before training in the pipeline or CI.",
        ),
    )
