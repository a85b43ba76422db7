"""``python build.py`` == ``waveflow build``: compile every workflow in workflows/ into build/.

Arguments are those of ``waveflow build`` (``python build.py --out dist --watch``).
"""
import sys

from waveflow.cli import main

if __name__ == "__main__":
    main(["build", *sys.argv[1:]])
