"""waveflow's own checks of the state machines, in the manner of AWS Control Tower's Step Functions controls.

checkov has no CloudFormation check for state machines (its logging and X-Ray checks are Terraform-only), so
the build checks what those controls ask for: logging at level ALL with execution data to a log group, X-Ray
tracing, encryption with a customer-managed key, a ``Definition`` object (linted by cfn-lint, unlike a string),
and every ``${...}`` placeholder matched by a substitution — none left unfilled, none unused.
"""
from __future__ import annotations

from cfnlint.decode import decode_str

from ..statemachines import placeholders
from . import Finding

CONTROLS = "controls"


def check(text: str) -> tuple[list[Finding], str]:
    template, errors = decode_str(text)
    if errors:
        return [Finding(CONTROLS, "parse", "template.yaml", str(errors[0]))], f"{CONTROLS}: template unreadable"
    machines = {name: resource.get("Properties", {}) for name, resource in template.get("Resources", {}).items()
                if resource.get("Type") == "AWS::StepFunctions::StateMachine"}
    findings = []
    for name, properties in sorted(machines.items()):
        findings += [Finding(CONTROLS, rule, name, message) for rule, message in _problems(properties)]
    return findings, f"{CONTROLS}: {len(machines)} state machines, {len(findings)} findings"


def _problems(properties: dict):
    logging = properties.get("LoggingConfiguration") or {}
    if logging.get("Level") != "ALL":
        yield "SFN-LOGGING", f"logging level is {logging.get('Level')!r}; set LoggingConfiguration.Level: ALL"
    if logging.get("IncludeExecutionData") is not True:
        yield "SFN-LOGGING", "execution data is not logged; set LoggingConfiguration.IncludeExecutionData: true"
    if not logging.get("Destinations"):
        yield "SFN-LOGGING", "no log group; add LoggingConfiguration.Destinations"
    if (properties.get("TracingConfiguration") or {}).get("Enabled") is not True:
        yield "SFN-TRACING", "X-Ray tracing is off; set TracingConfiguration.Enabled: true"
    encryption = properties.get("EncryptionConfiguration") or {}
    if encryption.get("Type") != "CUSTOMER_MANAGED_KMS_KEY" or not encryption.get("KmsKeyId"):
        yield "SFN-ENCRYPTION", "not encrypted with the stack's key; set EncryptionConfiguration to " \
                                "CUSTOMER_MANAGED_KMS_KEY with KmsKeyId"
    definition = properties.get("Definition")
    if not isinstance(definition, dict):
        yield "SFN-DEFINITION", "no Definition object (a DefinitionString is not linted); embed the ASL as Definition"
        return
    used, given = placeholders(definition), set(properties.get("DefinitionSubstitutions") or {})
    for name in sorted(used - given):
        yield "SFN-PLACEHOLDER", f"placeholder ${{{name}}} is not filled by DefinitionSubstitutions"
    for name in sorted(given - used):
        yield "SFN-PLACEHOLDER", f"substitution {name} fills no placeholder of the definition"
