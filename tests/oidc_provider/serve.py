"""Start the test OpenID provider:  python -m tests.oidc_provider.serve DATA_DIR PORT

Makes an RSA key, migrates a fresh SQLite file in DATA_DIR and serves on 127.0.0.1:PORT with
the issuer http://127.0.0.1:PORT/o. Run from the repository's root.
"""

import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    data_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (data_dir / "rsa.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_DATA_DIR"] = str(data_dir)
    os.environ["OIDC_PROVIDER_ISSUER"] = f"http://127.0.0.1:{port}/o"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["serve", "migrate", "--no-input", "-v", "0"])
    execute_from_command_line(["serve", "runserver", "--noreload", f"127.0.0.1:{port}"])


if __name__ == "__main__":
    main()
