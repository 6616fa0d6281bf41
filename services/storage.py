"""Where uploaded documents' bytes live: a private local folder or an S3-compatible bucket.

Documents are stored under random keys (``secrets.token_hex(16)``); names, types and owners are kept in
the database, never in the storage.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
S3_PREFIX = "documents/"
DEFAULT_S3_REGION = "eu-west-2"
_MISSING_OBJECT_CODES = {"NoSuchKey", "404", "NotFound"}


def check_key(key: str) -> str:
    """Refuse anything but a generated key, so a key can never name a path outside the storage."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError("a document key is 32 lowercase hexadecimal characters")
    return key


class LocalStorage:
    """Files under ``<folder>/<first two characters of the key>/<key>``, readable only by the portal."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path_for(self, key: str) -> Path:
        check_key(key)
        return self.folder / key[:2] / key

    def save(self, key: str, data: bytes) -> None:
        path = self.path_for(key)
        # mkdir(parents=True) ignores the mode for the parents it makes, so each level is made here
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        _write_atomically(path, data)

    def load(self, key: str) -> bytes:
        return self.path_for(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a part-written one."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class S3Storage:
    """Objects under ``documents/<key>`` in one bucket, on AWS or an S3-compatible server."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = DEFAULT_S3_REGION,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        server_side_encryption: bool = False,
    ) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.region = region
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.server_side_encryption = server_side_encryption
        self._client: Any = None
        self._client_lock = threading.Lock()

    @property
    def client(self) -> Any:
        """One boto3 client per storage, made on first use (clients are thread-safe, sessions are not)."""
        with self._client_lock:
            if self._client is None:
                self._client = boto3.session.Session().client(
                    "s3",
                    endpoint_url=self.endpoint_url,
                    region_name=self.region,
                    aws_access_key_id=self.access_key_id,
                    aws_secret_access_key=self.secret_access_key,
                    config=self._client_config(),
                )
            return self._client

    def _client_config(self) -> Config:
        options: dict[str, Any] = {
            "connect_timeout": 10,
            "read_timeout": 60,
            "retries": {"max_attempts": 3, "mode": "standard"},
        }
        if self.endpoint_url:
            # S3-compatible servers: bucket names are often not DNS names there, and many of them
            # reject the checksums newer boto3 versions add to every request by default.
            options["s3"] = {"addressing_style": "path"}
            options["request_checksum_calculation"] = "when_required"
            options["response_checksum_validation"] = "when_required"
        return Config(**options)

    def object_key(self, key: str) -> str:
        return S3_PREFIX + check_key(key)

    def save(self, key: str, data: bytes) -> None:
        extra = {"ServerSideEncryption": "AES256"} if self.server_side_encryption else {}
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, **extra)

    def load(self, key: str) -> bytes:
        object_key = self.object_key(key)
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=object_key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING_OBJECT_CODES:
                raise FileNotFoundError(f"no document {object_key} in bucket {self.bucket}") from error
            raise
        with contextlib.closing(reply["Body"]) as body:
            return body.read()

    def delete(self, key: str) -> None:
        # S3 answers a delete of a missing object with success too
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))


def storage_from_settings(settings: Mapping[str, Any]) -> LocalStorage | S3Storage:
    """The storage the settings describe; the same settings give the same (cached) storage, so an
    S3 client is made once per process rather than once per request."""
    kind = _text(settings, "DOCUMENT_STORAGE").lower()
    if kind == "local":
        return _local(_required(settings, "DOCUMENT_FOLDER"))
    if kind == "s3":
        return _s3(*_s3_settings(settings))
    raise ValueError(f'DOCUMENT_STORAGE must be "local" or "s3", not {kind!r}')


def _s3_settings(settings: Mapping[str, Any]) -> tuple[str, str | None, str, str | None, str | None, bool]:
    access_key_id = _text(settings, "DOCUMENT_S3_ACCESS_KEY_ID")
    secret_access_key = _text(settings, "DOCUMENT_S3_SECRET_ACCESS_KEY")
    if bool(access_key_id) != bool(secret_access_key):
        raise ValueError(
            "DOCUMENT_S3_ACCESS_KEY_ID and DOCUMENT_S3_SECRET_ACCESS_KEY must both be set, "
            "or both be empty to use the default credentials"
        )
    return (
        _required(settings, "DOCUMENT_S3_BUCKET"),
        _text(settings, "DOCUMENT_S3_ENDPOINT_URL") or None,
        _text(settings, "DOCUMENT_S3_REGION") or DEFAULT_S3_REGION,
        access_key_id or None,
        secret_access_key or None,
        _flag(settings, "DOCUMENT_S3_SERVER_SIDE_ENCRYPTION"),
    )


@functools.lru_cache(maxsize=8)
def _local(folder: str) -> LocalStorage:
    return LocalStorage(folder)


@functools.lru_cache(maxsize=8)
def _s3(
    bucket: str,
    endpoint_url: str | None,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
    server_side_encryption: bool,
) -> S3Storage:
    return S3Storage(
        bucket,
        endpoint_url=endpoint_url,
        region=region,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        server_side_encryption=server_side_encryption,
    )


def _text(settings: Mapping[str, Any], name: str) -> str:
    value = settings.get(name)
    if value is None:
        return ""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    return value.strip()


def _required(settings: Mapping[str, Any], name: str) -> str:
    value = _text(settings, name)
    if not value:
        raise ValueError(f"{name} must be set")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(settings: Mapping[str, Any], name: str) -> bool:
    value = settings.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{name} must be true or false, not {value!r}")
