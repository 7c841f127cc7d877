"""The test suite's guard: nothing but loopback is reachable from a test."""

from __future__ import annotations

import socket

import pytest

from childsafe.conftest import OffLoopbackError


def test_a_connection_off_loopback_is_refused_before_any_packet():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(OffLoopbackError),
    ):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed anyway


def test_a_datagram_off_loopback_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(OffLoopbackError):
        sock.sendto(b"x", ("192.0.2.1", 53))


def test_a_name_lookup_off_loopback_is_refused():
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 80)


def test_loopback_still_works():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.sendto(b"ping", server.getsockname())
            assert server.recv(4) == b"ping"
    assert socket.getaddrinfo("localhost", 80)
