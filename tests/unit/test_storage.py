"""The storage port's contract, held by both implementations: a local folder, and an S3 bucket on
a real S3-compatible server (moto's, on 127.0.0.1). Then what only one of them can get wrong."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from app.config import ConfigError
from app.storage import MissingFile, Storage, StorageError, StorageUnavailable, build_storage
from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage
from app.storage.s3 import build as build_s3
from tests.support.s3 import aws_environment, client, moto_s3, new_bucket

HOUR = 3600.0
PDF = b"%PDF-1.4 a resume\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(client(endpoint), new_bucket(endpoint), "careers/files")


def test_a_saved_file_reads_back_whole_under_a_random_key_in_its_folder(storage):
    first = storage.save(PDF, folder="resumes")
    second = storage.save(PDF, folder="resumes")
    assert first.startswith("resumes/") and second.startswith("resumes/")
    assert first != second  # the same file twice still gets two keys nobody can guess
    assert len(first.split("/")[1]) == 32
    assert storage.read(first) == PDF and storage.exists(first)


def test_a_stream_gives_the_same_bytes_as_a_read(storage):
    data = bytes(range(256)) * 4096  # a megabyte, more than one chunk of any stream
    key = storage.save(data, folder="resumes")
    stream = storage.open(key)
    try:
        chunks = iter(lambda: stream.read(65536), b"")
        assert b"".join(chunks) == data
    finally:
        stream.close()


def test_a_moved_file_has_a_new_key_in_its_new_folder_and_the_old_key_is_gone(storage):
    held = storage.save(PDF, folder="held")
    kept = storage.move(held, "resumes")
    assert kept.startswith("resumes/") and kept != held
    assert storage.read(kept) == PDF
    assert not storage.exists(held)


def test_a_missing_file_is_named_as_missing_by_read_and_open_and_exists(storage):
    key = storage.save(PDF, folder="resumes")
    storage.delete(key)
    storage.delete(key)  # removing what is gone already is no error
    assert not storage.exists(key)
    with pytest.raises(MissingFile):
        storage.read(key)
    with pytest.raises(MissingFile):
        storage.open(key)


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../secret", "resumes/../../x", "resumes/.part-1", "a//b"]
)
def test_a_key_that_is_not_one_of_ours_is_refused(storage, key):
    with pytest.raises(ValueError):
        storage.read(key)
    with pytest.raises(ValueError):
        storage.delete(key)


def test_only_files_of_the_folder_written_before_the_cutoff_are_old(storage):
    now = time.time()
    held = storage.save(PDF, folder="held")
    resume = storage.save(PDF, folder="resumes")
    assert storage.older_than("held", now + HOUR) == [held]
    assert storage.older_than("resumes", now + HOUR) == [resume]
    assert storage.older_than("held", now - HOUR) == []
    assert storage.older_than("answers", now + HOUR) == []  # a folder nothing was saved in


def test_a_usable_storage_passes_its_check_and_has_no_partial_writes_to_remove(storage):
    storage.check()
    storage.save(PDF, folder="resumes")
    assert storage.remove_partial(now=time.time() + 2 * HOUR) == 0


def test_a_local_file_left_half_written_by_a_kill_is_removed_after_an_hour(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save(PDF, folder="resumes")
    (tmp_path / "resumes" / ".part-abc").write_bytes(b"half")
    now = time.time()
    assert storage.remove_partial(now=now) == 0  # it may still be being written
    assert storage.remove_partial(now=now + 2 * HOUR) == 1
    assert storage.read(key) == PDF
    assert storage.older_than("resumes", now + 2 * HOUR) == [key]


def test_a_local_folder_that_cannot_be_created_fails_the_check(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StorageUnavailable):
        LocalStorage(tmp_path / "file" / "uploads").check()


def test_an_object_holds_the_bytes_under_the_prefix_and_nothing_about_the_candidate(s3_endpoint):
    bucket = new_bucket(s3_endpoint)
    key = S3Storage(client(s3_endpoint), bucket, "/careers/").save(PDF, folder="resumes")
    raw = client(s3_endpoint)
    assert [item["Key"] for item in raw.list_objects_v2(Bucket=bucket)["Contents"]] == [f"careers/{key}"]
    head = raw.head_object(Bucket=bucket, Key=f"careers/{key}")
    assert head["Metadata"] == {}
    assert head["ContentType"] in ("binary/octet-stream", "application/octet-stream")


def test_a_missing_bucket_fails_the_check_and_every_write(s3_endpoint):
    storage = S3Storage(client(s3_endpoint), "no-such-bucket-here")
    with pytest.raises(StorageError):
        storage.check()
    with pytest.raises(StorageError) as refused:
        storage.save(PDF, folder="resumes")
    assert "PutObject" in str(refused.value) and "NoSuchBucket" in str(refused.value)


def test_a_store_that_refuses_connections_is_unavailable_not_missing(monkeypatch):
    aws_environment(monkeypatch)
    with socket.socket() as bound:  # bound, never listening: every connection is refused
        bound.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{bound.getsockname()[1]}"
        storage = build_s3(bucket="careers", prefix="", endpoint_url=endpoint, region=None)
        with pytest.raises(StorageUnavailable) as unavailable:
            storage.read("resumes/" + "a" * 32)
    assert "GetObject" in str(unavailable.value)
    assert "testing-key-id" not in str(unavailable.value)


def test_the_setting_picks_the_local_folder_by_default_and_a_bucket_by_url(
    tmp_path, monkeypatch, s3_endpoint
):
    aws_environment(monkeypatch)
    local = build_storage({"STORAGE_URL": "", "UPLOAD_DIR": str(tmp_path)})
    assert isinstance(local, LocalStorage) and local.root == tmp_path
    bucket = new_bucket(s3_endpoint)
    settings = {"STORAGE_URL": f"s3://{bucket}/site/files/", "S3_ENDPOINT_URL": s3_endpoint, "UPLOAD_DIR": ""}
    remote = build_storage(settings)
    key = remote.save(PDF, folder="resumes")
    assert client(s3_endpoint).get_object(Bucket=bucket, Key=f"site/files/{key}")["Body"].read() == PDF


@pytest.mark.parametrize("url", ["file:///srv/uploads", "s3://", "s3://bucket?x=1", "s3://key:secret@bucket"])
def test_a_storage_url_that_is_not_a_bucket_stops_the_start(url):
    with pytest.raises(ConfigError):
        build_storage({"STORAGE_URL": url, "UPLOAD_DIR": "/tmp/unused"})
