"""Configuration outside code: parameter files, configuration libraries, arguments, environment."""

from __future__ import annotations

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, finding, first_hits
from ..mlcode import ml_files
from ..orchestration import orchestrated_files

CONFIG_CODE = keywords(
    "@hydra.main",
    "hydra.compose",
    "OmegaConf",
    "gin.configurable",
    "ml_collections",
    "BaseSettings",
    "yaml.safe_load(",
    "tomllib.load",
    "configparser",
)
CLI_ARGS = keywords("argparse", "ArgumentParser(", "@click.", "typer.")
PIPELINE_PARAMETERS = keywords(
    "RuntimeParameter(",
    "parameter_values=",
    "ParameterString(",
    "ParameterInteger(",
    "ParameterFloat(",
    "custom_config=",
    "pipeline_parameters",
    "Parameter(",
)
ENV_CONFIG = keywords("os.environ", "os.getenv(")


@register
def configuration(snapshot: RepositorySnapshot) -> list[Finding]:
    """Configuration outside code: parameter files, Hydra/OmegaConf, CLI arguments, env."""
    findings = []
    params = snapshot.named(
        "params.yaml", "params.yml", "params.json", "config.yaml", "config.yml", "hparams.yaml"
    )
    config_dirs = snapshot.matching(
        "configs/*.yaml",
        "configs/*.yml",
        "config/*.yaml",
        "config/*.yml",
        "conf/*.yaml",
        "conf/*.yml",
        "*/configs/*.yaml",
        "*/conf/base/*.yml",
        "*/config/*.yaml",
        "configs/*.json",
        "configs/*.toml",
    )
    for entry in (params + config_dirs)[:2]:
        findings.append(
            finding(
                "config_outside_code",
                1,
                Strength.FILE_NAME,
                f"Parameters live in configuration files ({entry.path}).",
                entry.path,
            )
        )
    orchestrated = orchestrated_files(snapshot)
    config_code = set(ml_files(snapshot)) | set(orchestrated)
    for hit in first_hits(code_hits(snapshot, *CONFIG_CODE))[:2]:
        findings.append(
            finding(
                "config_outside_code",
                1,
                Strength.CODE,
                "Code loads its configuration from files.",
                hit,
            )
        )
    for hit in first_hits(h for h in code_hits(snapshot, *CLI_ARGS) if h.path in config_code)[:1]:
        findings.append(
            finding(
                "config_outside_code",
                0.5,
                Strength.CODE,
                "Parameters come from command-line arguments.",
                hit,
            )
        )
    for hit in first_hits(
        h for h in code_hits(snapshot, *PIPELINE_PARAMETERS) if h.path in orchestrated
    )[:1]:
        findings.append(
            finding(
                "config_outside_code",
                1,
                Strength.CODE,
                "Pipeline runs take their parameters at submission time.",
                hit,
            )
        )
    for hit in first_hits(h for h in code_hits(snapshot, *ENV_CONFIG) if h.path in config_code)[:1]:
        findings.append(
            finding(
                "config_outside_code",
                0.5,
                Strength.CODE,
                "Parameters come from environment variables.",
                hit,
            )
        )
    return findings
