"""The ``waveflow`` command line: build, graph, exec, run, history, deploy."""
import click


@click.group()
def cli():
    """waveflow: Airflow-style migration workflows compiled to AWS Step Functions."""


def main():
    cli()
