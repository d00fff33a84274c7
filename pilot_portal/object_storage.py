"""The S3-compatible backend of the portal's files (MEDIA_STORAGE_URL, pilot_portal/storage_config.py).

The bucket is private: nothing in it is public, every download is checked by the portal first
(pilot_portal/stored_files.py). Only imported where object storage is configured.
"""

import functools

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PortalS3Storage(S3Storage):
    """django-storages' S3 backend with short time-outs, a streamed read and a presigned download that
    names the file as the portal does."""

    def __init__(self, **options):
        if options.get("client_config") is None:
            options["client_config"] = Config(
                s3={"addressing_style": options.get("addressing_style") or "auto"},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
                # Checksums only where S3 requires them: several S3-compatible servers refuse the
                # newer default trailers.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
        super().__init__(**options)

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def stream(self, name: str):
        """The object's body, read in pieces as the response is sent, and its length in bytes."""
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=self.key(name))
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(name) from error
            raise
        return answer["Body"], answer["ContentLength"]

    def presigned_download_url(self, name: str, *, filename: str, content_type: str, seconds: int) -> str:
        parameters = {
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
        }
        return self.url(name, parameters=parameters, expire=seconds)

    def location_of(self, name: str) -> str:
        return f"s3://{self.bucket_name}/{self.key(name)}"

    def check(self, *, timeout: float) -> bool:
        """Whether the bucket answers with these credentials, within `timeout` seconds."""
        self._health_client(timeout).head_bucket(Bucket=self.bucket_name)
        return True

    @functools.lru_cache(maxsize=2)  # noqa: B019 -- one storage per process; a client costs ~50 ms to build
    def _health_client(self, timeout: float):
        return boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.security_token,
        ).client(
            "s3",
            region_name=self.region_name,
            endpoint_url=self.endpoint_url,
            verify=self.verify,
            config=self.client_config.merge(
                Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1})
            ),
        )
