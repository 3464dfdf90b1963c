import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is for their test process, not a deployment.
    unset = {"DJANGO_ENV", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key() -> None:
    result = _check_deploy(
        {"DJANGO_ENV": "production", "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_passes_check_deploy_under_production_settings() -> None:
    result = _check_deploy(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-value-0987654321",
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "kyc.example.com",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
