"""botocore's model files read once: sessions made while sharing is on share one loader, and see the same models."""
import subprocess
import sys

import boto3
import botocore.session

from waveflow.local.twin.botocore_models import read_once
from waveflow.local.twin.speed import faster_moto


def _loader(session: boto3.Session):
    return session._session.get_component("data_loader")


def test_sessions_made_while_sharing_share_one_loader_and_the_models_it_read():
    with read_once():
        first, second = boto3.Session(region_name="us-east-1"), boto3.Session(region_name="eu-west-1")
        assert _loader(first) is _loader(second)
        model = first._session.get_service_data("ec2")
        assert second._session.get_service_data("ec2") is model  # parsed once
    alone = boto3.Session(region_name="us-east-1")
    assert _loader(alone) is not _loader(first)
    assert alone._session.get_service_data("ec2") == model  # the same model a session of its own reads


def test_sharing_ends_with_the_block_and_lasts_as_long_as_a_run():
    made = botocore.session.create_loader
    with read_once():
        assert botocore.session.create_loader is not made
    assert botocore.session.create_loader is made
    with faster_moto():
        assert _loader(boto3.Session()) is _loader(boto3.Session())
    assert botocore.session.create_loader is made


def test_a_session_with_its_own_data_path_gets_a_loader_of_its_own(tmp_path):
    with read_once():
        plain = botocore.session.Session()
        own = botocore.session.Session()
        own.set_config_variable("data_path", str(tmp_path))
        assert own.get_component("data_loader") is not plain.get_component("data_loader")
        assert str(tmp_path) in own.get_component("data_loader").search_paths


def test_the_run_commands_imports_parse_ec2s_model_once():
    """moto lists EC2's regions at import with three sessions of its own; the run command's imports share one."""
    probe = ("import botocore.loaders\n"
             "parsed = []\n"
             "made = botocore.loaders.Loader.load_data_with_path\n"
             "def counted(self, name):\n"
             "    parsed.append(name)\n"
             "    return made(self, name)\n"
             "botocore.loaders.Loader.load_data_with_path = counted\n"
             "from waveflow.local.twin.botocore_models import read_once\n"
             "with read_once():\n"
             "    import waveflow.run.runner\n"
             "print(sum(name.startswith('ec2/') and name.endswith('service-2') for name in parsed))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1", done.stderr
