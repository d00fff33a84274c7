"""Test keys: PKCS#12 files valid, expired, not yet valid, of an impostor, without a key, not a key."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "correct horse battery staple"
SUBJECT = "Балаларды ерте дамыту институты"


@dataclass(frozen=True)
class KeyFile:
    certificate: x509.Certificate
    path: Path

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def certificate_for(private_key, *, not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, SUBJECT), x509.NameAttribute(NameOID.COMMON_NAME, "Директор")]
    )
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(usage, critical=True)
        .sign(private_key, hashes.SHA256())
    )


def make_keys(folder: Path) -> dict[str, KeyFile]:
    """PKCS#12 files for the tests: RSA 2048 is quick and as good as 3072 for these checks."""
    now = dt.datetime.now(dt.UTC)
    periods = {
        "valid": (now - dt.timedelta(days=1), now + dt.timedelta(days=365)),
        "expired": (dt.datetime(2024, 3, 9, 12, tzinfo=dt.UTC), dt.datetime(2025, 3, 9, 12, tzinfo=dt.UTC)),
        "future": (dt.datetime(2030, 5, 17, 12, tzinfo=dt.UTC), now + dt.timedelta(days=3000)),
        # Another key whose certificate has the same subject as the valid one.
        "impostor": (now - dt.timedelta(days=1), now + dt.timedelta(days=365)),
    }
    made = {}
    for name, (not_before, not_after) in periods.items():
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        certificate = certificate_for(private_key, not_before=not_before, not_after=not_after)
        path = folder / f"{name}.p12"
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"key", private_key, certificate, None, serialization.BestAvailableEncryption(PASSPHRASE.encode())
            )
        )
        made[name] = KeyFile(certificate, path)
    certificate_only = folder / "certificate-only.p12"
    certificate_only.write_bytes(
        pkcs12.serialize_java_truststore(
            [pkcs12.PKCS12Certificate(made["valid"].certificate, b"cert")],
            serialization.BestAvailableEncryption(PASSPHRASE.encode()),
        )
    )
    made["certificate_only"] = KeyFile(made["valid"].certificate, certificate_only)
    not_pkcs12 = folder / "not-a-key.p12"
    not_pkcs12.write_bytes(b"-----BEGIN NOTHING-----\nthis is not a key\n")
    made["not_pkcs12"] = KeyFile(made["valid"].certificate, not_pkcs12)
    return made
