"""``python -m deploy --env dev|prod [--stack NAME] [--region R] [--yes] [--dry-run]`` == ``waveflow deploy``."""
import sys

from waveflow.cli import main

main(["deploy", *sys.argv[1:]])
