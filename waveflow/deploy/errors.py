"""The deploy's two ways of stopping: bad input (nothing was uploaded or changed) and a deploy that failed."""
from __future__ import annotations


class DeployError(Exception):
    """Bad input or a precondition not met (environment, parameters, credentials, checks, stack state); exit 2.

    Raised before anything is uploaded or changed.
    """

    exit_code = 2


class DeployFailed(Exception):
    """CloudFormation failed the change (the message names the first failed resource and the rollback); exit 1."""

    exit_code = 1
