"""``python -m deploy`` == ``waveflow deploy``; the library is ``waveflow.deploy``, this folder holds its data."""
