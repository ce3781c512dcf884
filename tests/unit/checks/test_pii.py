import pytest

from studio.checks.pii import find_pii, luhn_ok


def labels(text):
    return [(f.label, f.text) for f in find_pii(text)]


@pytest.mark.parametrize(
    "text, label, match",
    [
        ("mail jane.doe+news@example.co.uk now", "email", "jane.doe+news@example.co.uk"),
        ("call +44 20 7946 0958.", "phone", "+44 20 7946 0958"),
        ("call (202) 555-0143 today", "phone", "(202) 555-0143"),
        ("call 202.555.0143", "phone", "202.555.0143"),
        ("call +1-202-555-0143", "phone", "+1-202-555-0143"),
        ("card 4111 1111 1111 1111 ok", "payment-card", "4111 1111 1111 1111"),
        ("card 4242-4242-4242-4242", "payment-card", "4242-4242-4242-4242"),
        ("amex 378282246310005", "payment-card", "378282246310005"),
        ("ssn 123-45-6789.", "ssn", "123-45-6789"),
        ("host 192.168.0.1, please", "ip-address", "192.168.0.1"),
        ("host 2001:db8::8a2e:370:7334 up", "ip-address", "2001:db8::8a2e:370:7334"),
        ("loopback ::1 and fe80::1", "ip-address", "fe80::1"),
    ],
)
def test_pii_found(text, label, match):
    assert (label, match) in labels(text)


@pytest.mark.parametrize(
    "text",
    [
        "order 4111 1111 1111 1112",          # fails Luhn
        "0000 0000 0000 0000",               # one repeated digit
        "meet at 10:30:00",                   # time, not IPv6
        "version 1.2.3 and 999.1.1.1",        # not addresses
        "$1,299.99 for 1,000,000 users",
        "ISBN 978-3-16-148410-0",
        "on 2024-05-01 and 2023-2024",
        "SKU 000-12-3456 and 666-12-3456",    # invalid SSN area numbers
        "call me at 5pm",
        "Scunthorpe email: none",
    ],
)
def test_pii_not_found(text):
    assert labels(text) == []


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


def test_card_and_ssn_block_email_warns():
    sev = {f.label: f.severity for f in find_pii("a@b.io 4111111111111111 123-45-6789")}
    assert sev == {"email": "warn", "payment-card": "block", "ssn": "block"}


def test_spans_are_exact():
    text = "Write to jo@example.com or call (202) 555-0143."
    for f in find_pii(text):
        assert text[f.start : f.end] == f.text
