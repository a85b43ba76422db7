"""``waveflow run``: a whole migration wave through the local twin of the deployed stack.

Modules, one job each: ``intake`` (wave files -> requests, every bad row named), ``generate`` (seeded, realistic
waves for ``--servers N``), ``faults`` (the named fault profiles and custom JSON ones), ``metering`` (counting the
AWS requests a run makes) and ``costs`` (pricing those counts per migration and per wave).
"""
