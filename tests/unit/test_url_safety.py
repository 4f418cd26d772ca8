"""The SSRF guard: only public http(s) destinations, unless an admin allows an on-premises host."""

from __future__ import annotations

import pytest

from forum.integrations import url_guard
from forum.integrations.url_guard import UnsafeURL, check


def resolving_to(*addresses: str):
    """A resolver answering with fixed addresses (DNS is outside the test; the guard's logic is not)."""
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
    ("http://[::1]:8080/hook", "::1 is a loopback address"),
    ("http://10.1.2.3/hook", "10.1.2.3 is a private network address"),
    ("https://192.168.0.10/hook", "192.168.0.10 is a private network address"),
    ("http://172.16.5.5/hook", "172.16.5.5 is a private network address"),
    ("http://[fd00::1]/hook", "fd00::1 is a private network address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address (such as the cloud "
                                                 "metadata service); it is never allowed."),
    ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
    ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
    ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified address"),
    ("http://240.0.0.1/hook", "240.0.0.1 is a reserved address"),
    ("http://[::ffff:127.0.0.1]/hook", "127.0.0.1 is a loopback address"),
    ("http://[::ffff:169.254.169.254]/hook", "169.254.169.254 is a link-local address"),
])
def test_internal_addresses_are_refused_with_the_reason(url, words):
    with pytest.raises(UnsafeURL) as refused:
        check(url)
    assert words in str(refused.value)


def test_localhost_is_refused_because_of_what_it_resolves_to():
    with pytest.raises(UnsafeURL) as refused:
        check("http://localhost:9000/hook")
    assert str(refused.value).startswith("localhost resolves to ")
    assert "loopback address" in str(refused.value)


def test_a_hostname_resolving_to_the_metadata_service_is_refused():
    with pytest.raises(UnsafeURL) as refused:
        check("https://hooks.example.com/x", resolve=resolving_to("169.254.169.254"))
    assert str(refused.value).startswith("hooks.example.com resolves to 169.254.169.254 is a link-local")


def test_every_address_counts_not_just_the_first():
    with pytest.raises(UnsafeURL) as refused:
        check("https://hooks.example.com/x", resolve=resolving_to("93.184.215.14", "10.0.0.7"))
    assert "10.0.0.7 is a private network address" in str(refused.value)


def test_a_public_destination_passes_and_is_connected_to_as_checked():
    destination = check("https://hooks.example.com:8443/in?x=1", resolve=resolving_to("93.184.215.14"))
    assert destination == url_guard.Destination("https", "hooks.example.com", 8443, "/in?x=1", "93.184.215.14")


def test_on_premises_opt_in_allows_loopback_and_private_but_never_metadata_or_multicast():
    assert check("http://127.0.0.1:9/hook", allow_private=True).address == "127.0.0.1"
    assert check("http://10.0.0.2/hook", allow_private=True).address == "10.0.0.2"
    assert check("http://localhost:9/hook", allow_private=True).address in {"127.0.0.1", "::1"}
    for url in ("http://169.254.169.254/", "http://224.0.0.1/", "http://0.0.0.0/"):
        with pytest.raises(UnsafeURL):
            check(url, allow_private=True)


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://93.184.215.14/x", "Use an http:// or https:// URL."),
    ("file:///etc/passwd", "Use an http:// or https:// URL."),
    ("javascript:alert(1)", "Use an http:// or https:// URL."),
    ("https://", "The URL needs a host name."),
    ("https://user:pw@93.184.215.14/", "Leave user names and passwords out of the URL"),
    ("https://93.184.215.14:99999/", "The port in this URL is not a number between 1 and 65535."),
    ("https://93.184.215.14/a b", "without spaces"),
    ("", "Enter the URL to deliver to."),
])
def test_malformed_urls_get_a_clear_message(url, message):
    with pytest.raises(UnsafeURL) as refused:
        check(url)
    assert message in str(refused.value)


def test_an_unresolvable_host_is_refused():
    def failing(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(UnsafeURL) as refused:
        check("https://nowhere.invalid/hook", resolve=failing)
    assert str(refused.value) == "The host name nowhere.invalid could not be resolved."
