"""Testing workflows locally: ``Harness`` (run a definition or a built workflow on the virtual clock, with mocks
or handlers, answering task tokens), the pytest plugin (``waveflow.testing.plugin``, the ``waveflow`` and
``waveflow_build`` fixtures) and ``waveflow test`` (a Step Functions Local mock file's test cases, checked)."""
