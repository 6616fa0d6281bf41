"""Document storage: a local folder and an S3-compatible bucket (moto's server), held to the same tests."""

from __future__ import annotations

import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from services.storage import LocalStorage, S3Storage, storage_from_settings
from tests.mailbox import free_port

BUCKET = "portal-documents"
REGION = "eu-west-2"
DUMMY_CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing"}
BAD_KEYS = [
    "../x",
    "ABC",
    "",
    "0" * 31,
    "0" * 33,
    "A" * 32,
    "g" * 32,
    "../" + "0" * 29,
    "0" * 32 + "\n",
    "/" + "0" * 31,
]


def new_key() -> str:
    return secrets.token_hex(16)


def raw_client(endpoint_url: str):
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@contextmanager
def moto_bucket(bucket: str) -> Iterator[str]:
    """moto's S3-compatible server holding an empty bucket of this name; yields its address. moto keeps
    buckets for the whole process, whichever of its servers made them, so each user names its own."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint_url = f"http://127.0.0.1:{port}"
    raw_client(endpoint_url).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    try:
        yield endpoint_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with moto_bucket(BUCKET) as endpoint_url:
        yield endpoint_url


def s3_storage(endpoint_url: str, **options: object) -> S3Storage:
    return S3Storage(BUCKET, endpoint_url=endpoint_url, region=REGION, **DUMMY_CREDENTIALS, **options)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> LocalStorage | S3Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "documents")
    return s3_storage(request.getfixturevalue("s3_endpoint"))


# Both backends


def test_saved_bytes_load_back(storage: LocalStorage | S3Storage) -> None:
    key = new_key()
    data = bytes(range(256)) * 40

    storage.save(key, data)

    assert storage.load(key) == data


def test_saving_again_replaces_the_bytes(storage: LocalStorage | S3Storage) -> None:
    key = new_key()
    storage.save(key, b"first version")

    storage.save(key, b"second")

    assert storage.load(key) == b"second"


def test_an_empty_document_round_trips(storage: LocalStorage | S3Storage) -> None:
    key = new_key()
    storage.save(key, b"")

    assert storage.load(key) == b""


def test_loading_a_missing_key_is_file_not_found(storage: LocalStorage | S3Storage) -> None:
    with pytest.raises(FileNotFoundError):
        storage.load(new_key())


def test_delete_removes_and_can_be_repeated(storage: LocalStorage | S3Storage) -> None:
    key, other = new_key(), new_key()
    storage.save(key, b"to be removed")
    storage.save(other, b"to be kept")

    storage.delete(key)
    storage.delete(key)
    storage.delete(new_key())

    with pytest.raises(FileNotFoundError):
        storage.load(key)
    assert storage.load(other) == b"to be kept"


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_that_were_not_generated_are_refused(storage: LocalStorage | S3Storage, key: str) -> None:
    with pytest.raises(ValueError, match="32 lowercase hexadecimal"):
        storage.save(key, b"data")
    with pytest.raises(ValueError):
        storage.load(key)
    with pytest.raises(ValueError):
        storage.delete(key)


# The local folder


def test_local_files_are_private_and_sharded_by_key(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    key = new_key()

    LocalStorage(folder).save(key, b"report")

    path = folder / key[:2] / key
    assert path.read_bytes() == b"report"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == [
        Path("documents"),
        Path("documents") / key[:2],
        Path("documents") / key[:2] / key,
    ]


def test_refused_keys_leave_nothing_behind(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "documents")

    for key in BAD_KEYS:
        with pytest.raises(ValueError):
            storage.save(key, b"data")

    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_used(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / key[:2]).mkdir(mode=0o700)

    LocalStorage(tmp_path).save(key, b"report")

    assert LocalStorage(tmp_path).load(key) == b"report"


# The S3 bucket


def test_objects_are_kept_under_the_documents_prefix(s3_endpoint: str) -> None:
    key = new_key()

    s3_storage(s3_endpoint).save(key, b"report")

    stored = raw_client(s3_endpoint).get_object(Bucket=BUCKET, Key=f"documents/{key}")
    assert stored["Body"].read() == b"report"


def test_server_side_encryption_is_asked_for_only_when_set(s3_endpoint: str) -> None:
    plain, encrypted = new_key(), new_key()

    s3_storage(s3_endpoint).save(plain, b"report")
    s3_storage(s3_endpoint, server_side_encryption=True).save(encrypted, b"report")

    client = raw_client(s3_endpoint)
    assert "ServerSideEncryption" not in client.head_object(Bucket=BUCKET, Key=f"documents/{plain}")
    assert client.head_object(Bucket=BUCKET, Key=f"documents/{encrypted}")["ServerSideEncryption"] == "AES256"


def test_the_client_is_made_once_per_storage(s3_endpoint: str) -> None:
    storage = s3_storage(s3_endpoint)

    assert storage.client is storage.client


def test_a_missing_bucket_is_not_mistaken_for_a_missing_document(s3_endpoint: str) -> None:
    storage = S3Storage("no-such-bucket", endpoint_url=s3_endpoint, region=REGION, **DUMMY_CREDENTIALS)

    with pytest.raises(Exception, match="NoSuchBucket") as raised:
        storage.load(new_key())
    assert not isinstance(raised.value, FileNotFoundError)


# Choosing the storage from the settings


def s3_settings(endpoint_url: str = "", **extra: object) -> dict:
    return {
        "DOCUMENT_STORAGE": "s3",
        "DOCUMENT_S3_BUCKET": BUCKET,
        "DOCUMENT_S3_ENDPOINT_URL": endpoint_url,
        "DOCUMENT_S3_REGION": REGION,
        "DOCUMENT_S3_ACCESS_KEY_ID": "testing",
        "DOCUMENT_S3_SECRET_ACCESS_KEY": "testing",
        "DOCUMENT_S3_SERVER_SIDE_ENCRYPTION": False,
        **extra,
    }


def test_local_settings_give_a_local_storage(tmp_path: Path) -> None:
    storage = storage_from_settings({"DOCUMENT_STORAGE": "local", "DOCUMENT_FOLDER": str(tmp_path)})

    assert isinstance(storage, LocalStorage)
    assert storage.folder == tmp_path


def test_s3_settings_give_an_s3_storage(s3_endpoint: str) -> None:
    storage = storage_from_settings(s3_settings(s3_endpoint, DOCUMENT_S3_SERVER_SIDE_ENCRYPTION=True))
    key = new_key()

    storage.save(key, b"report")

    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.endpoint_url, storage.region) == (BUCKET, s3_endpoint, REGION)
    assert storage.server_side_encryption is True
    assert storage.load(key) == b"report"


def test_empty_s3_settings_mean_aws_and_the_default_credentials() -> None:
    storage = storage_from_settings(
        s3_settings(
            DOCUMENT_S3_REGION="",
            DOCUMENT_S3_ACCESS_KEY_ID="",
            DOCUMENT_S3_SECRET_ACCESS_KEY="",
            DOCUMENT_S3_SERVER_SIDE_ENCRYPTION="false",
        )
    )

    assert isinstance(storage, S3Storage)
    assert storage.endpoint_url is None
    assert storage.region == "eu-west-2"
    assert (storage.access_key_id, storage.secret_access_key) == (None, None)
    assert storage.server_side_encryption is False


def test_the_same_settings_give_the_same_storage(tmp_path: Path) -> None:
    settings = s3_settings("http://127.0.0.1:9")

    assert storage_from_settings(settings) is storage_from_settings(dict(settings))
    assert storage_from_settings(settings) is not storage_from_settings(
        {**settings, "DOCUMENT_S3_BUCKET": "b"}
    )


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"DOCUMENT_STORAGE": "ftp", "DOCUMENT_FOLDER": "/tmp"}, "DOCUMENT_STORAGE"),
        ({"DOCUMENT_FOLDER": "/tmp"}, "DOCUMENT_STORAGE"),
        ({"DOCUMENT_STORAGE": "local", "DOCUMENT_FOLDER": ""}, "DOCUMENT_FOLDER"),
        ({"DOCUMENT_STORAGE": "local"}, "DOCUMENT_FOLDER"),
        (s3_settings(DOCUMENT_S3_BUCKET=""), "DOCUMENT_S3_BUCKET"),
        (s3_settings(DOCUMENT_S3_SECRET_ACCESS_KEY=""), "DOCUMENT_S3_ACCESS_KEY_ID"),
        (s3_settings(DOCUMENT_S3_SERVER_SIDE_ENCRYPTION="maybe"), "DOCUMENT_S3_SERVER_SIDE_ENCRYPTION"),
        (s3_settings(DOCUMENT_S3_REGION=3), "DOCUMENT_S3_REGION"),
    ],
)
def test_wrong_or_missing_settings_are_named(settings: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        storage_from_settings(settings)
