"""The local receiver: callbacks posted by the tasks' own SSRF-checked poster and SNS notifications delivered as
SNS delivers them, each recorded and its signature checked as the real recipient would."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from twin_stacks import CALLBACK_SECRET, small_stack

from tasks.lib import http
from tasks.lib.errors import CallbackRejected
from waveflow.local.twin.certificates import TlsIdentity
from waveflow.local.twin.receiver import PORTS, LocalReceiver
from waveflow.local.twin.twin import LocalTwin


@pytest.fixture
def twin(moto_session, handler_calls):
    with LocalTwin(small_stack(), moto_session) as twin:
        yield twin


def test_a_signed_callback_from_the_tasks_poster_is_received_and_verified(twin):
    response = http.poster().post_json(twin.receiver.callback_url("billing"), {"status": "SUCCESS"},
                                       secret=CALLBACK_SECRET)
    assert response.status == 200
    assert twin.receiver.callbacks() == [{"status": "SUCCESS"}]
    assert twin.receiver.received[0].path == "/callbacks/billing"


def test_a_callback_signed_with_another_secret_is_refused_and_recorded_unverified(twin):
    with pytest.raises(CallbackRejected, match="HTTP 401"):
        http.poster().post_json(twin.receiver.callback_url(), {"status": "SUCCESS"}, secret="wrong")
    assert twin.receiver.callbacks() == [] and twin.receiver.received[0].verified is False


def test_the_poster_reaches_the_receiver_and_nothing_else(twin):
    with pytest.raises(CallbackRejected, match="refusing to call hooks.example.com: it resolves to no address"):
        http.poster().post_json("https://hooks.example.com/waveflow", {}, secret=CALLBACK_SECRET)
    with pytest.raises(CallbackRejected, match="only https"):
        http.poster().post_json(twin.receiver.callback_url().replace("https", "http"), {}, secret=CALLBACK_SECRET)


def test_a_published_notification_arrives_signed_as_sns_signs_and_listeners_hear_of_it(twin):
    heard = []
    twin.sns.listeners.append(heard.append)
    message_id = twin.session.client("sns").publish(
        TopicArn=twin.stack.topic_arn("notify"), Subject="waveflow: done", Message='{"status": "SUCCESS"}',
        MessageAttributes={"status": {"DataType": "String", "StringValue": "SUCCESS"}})["MessageId"]

    [notification] = twin.receiver.notifications("notify")
    assert (notification["Type"], notification["MessageId"], notification["Subject"]) == (
        "Notification", message_id, "waveflow: done")
    assert notification["MessageAttributes"] == {"status": {"Type": "String", "Value": "SUCCESS"}}
    assert notification["SignatureVersion"] == "2" and notification["SigningCertURL"] == twin.receiver.signing_cert_url
    assert heard == [notification]
    published = http.poster().request("GET", notification["SigningCertURL"])  # a subscriber can fetch it
    assert published.body.startswith(b"-----BEGIN CERTIFICATE-----")


def test_a_tampered_notification_fails_its_signature_check(twin):
    twin.session.client("sns").publish(TopicArn=twin.stack.topic_arn("notify"), Message="original")
    [notification] = twin.receiver.notifications()
    forged = json.dumps({**notification, "Message": "forged"}).encode()
    status, received = twin.receiver.judge("/sns/notify", {}, forged)
    assert (status, received.verified) == (400, False)
    assert twin.receiver.judge("/sns/notify", {}, json.dumps(notification).encode())[1].verified


def test_notifications_share_one_connection_and_one_the_receiver_ended_is_opened_again(twin):
    sns = twin.session.client("sns")
    sns.publish(TopicArn=twin.stack.topic_arn("notify"), Message="first")
    sns.publish(TopicArn=twin.stack.topic_arn("notify"), Message="second")
    twin.receiver.end_connections()  # as a server closes idle connections
    sns.publish(TopicArn=twin.stack.topic_arn("notify"), Message="third")
    assert [(r.json()["Message"], r.connection) for r in twin.receiver.received] == [
        ("first", 1), ("second", 1), ("third", 2)]
    assert all(received.verified for received in twin.receiver.received)


def test_callbacks_share_one_connection_and_one_the_receiver_ended_is_opened_again(twin):
    for n in range(2):
        http.poster().post_json(twin.receiver.callback_url(), {"n": n}, secret=CALLBACK_SECRET)
    twin.receiver.end_connections()
    http.poster().post_json(twin.receiver.callback_url(), {"n": 2}, secret=CALLBACK_SECRET)
    assert twin.receiver.callbacks() == [{"n": 0}, {"n": 1}, {"n": 2}]  # each once
    assert [received.connection for received in twin.receiver.received] == [1, 1, 2]


def test_refusals_keep_the_connection_too(twin):
    """Every answer says its length, errors included, so the connection serves the next request."""
    with pytest.raises(CallbackRejected, match="HTTP 404"):
        http.poster().post_json(f"{twin.receiver.base_url}/nowhere", {}, secret=CALLBACK_SECRET)
    with pytest.raises(CallbackRejected, match="HTTP 401"):
        http.poster().post_json(twin.receiver.callback_url(), {}, secret="wrong")
    http.poster().post_json(twin.receiver.callback_url(), {"n": 1}, secret=CALLBACK_SECRET)
    assert [(r.kind, r.verified, r.connection) for r in twin.receiver.received] == [
        ("unknown", False, 1), ("callback", False, 1), ("callback", True, 1)]


def test_the_twin_goes_down_with_connections_left_open_and_leaves_no_thread_behind(moto_session, handler_calls):
    threads_before = set(threading.enumerate())
    twin = LocalTwin(small_stack(), moto_session).up()
    http.poster().post_json(twin.receiver.callback_url(), {"n": 1}, secret=CALLBACK_SECRET)
    twin.session.client("sns").publish(TopicArn=twin.stack.topic_arn("notify"), Message="kept")
    idle = socket.create_connection(("127.0.0.1", twin.receiver.port), timeout=60)  # a client that never says a word
    with twin.tls_identity.client_context().wrap_socket(idle, server_hostname="localhost") as quiet:
        going_down = threading.Thread(target=twin.down)
        going_down.start()
        going_down.join(timeout=60)  # a hang detector, not a timing: down() waited forever on kept connections
        assert not going_down.is_alive()
        assert quiet.recv(1) == b""  # ended by the receiver
    assert set(threading.enumerate()) == threads_before


def test_the_receiver_listens_on_the_first_free_port_of_its_list_so_a_seed_writes_the_same_callback_urls():
    identity = TlsIdentity.create()
    first = LocalReceiver(identity).start()
    try:
        second = LocalReceiver(identity).start()  # the first one's port is taken: the next one of the list
        try:
            assert first.port in PORTS and second.port in PORTS
            assert PORTS.index(second.port) > PORTS.index(first.port)
            assert first.callback_url("billing") == f"https://localhost:{first.port}/callbacks/billing"
        finally:
            second.stop()
    finally:
        first.stop()
        identity.discard()


def test_a_twin_that_went_down_leaves_no_certificate_or_key_behind(moto_session, handler_calls):
    with LocalTwin(small_stack(), moto_session) as twin:
        identity = twin.tls_identity
        folder = identity.temporary_folder
        assert identity.key_file.exists() and identity.key_file.parent == folder
    assert not folder.exists()
