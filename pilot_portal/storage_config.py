"""Where the portal keeps its files, from MEDIA_STORAGE_URL: under MEDIA_ROOT on one machine, or in
S3-compatible object storage that every web server and worker of a national installation shares.

settings.py builds STORAGES["default"] with `default_storage_config`; nothing else reads the URL. The
backend itself is pilot_portal/object_storage.py; downloads go through pilot_portal/stored_files.py.
"""

from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "pilot_portal.object_storage.PortalS3Storage"
URL_FORM = "s3://bucket/prefix?endpoint=https://host&region=name"
_QUERY_KEYS = {"endpoint", "region", "addressing"}
# Downloads larger than this are spooled to a temporary file rather than held in memory (Django's own
# threshold for uploads).
_SPOOL_BYTES = int(2.5 * 1024 * 1024)


def default_storage_config(url: str, *, presigned_seconds: int = 0) -> dict:
    """STORAGES["default"] for MEDIA_STORAGE_URL: the local file system when it is empty, else S3.

    A malformed URL stops the start-up with what is wrong, rather than sending files somewhere unexpected.
    """
    if not url:
        return {"BACKEND": LOCAL_BACKEND}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL must look like {URL_FORM}; it is {url!r}.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - _QUERY_KEYS)
    if unknown:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(_QUERY_KEYS))}."
        )
    endpoint = query.get("endpoint", "")
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL: the endpoint must be an http(s) address; it is {endpoint!r}.")
    addressing = query.get("addressing", "path" if endpoint else "auto")
    if addressing not in ("path", "virtual", "auto"):
        raise ImproperlyConfigured("MEDIA_STORAGE_URL: addressing is path, virtual or auto.")
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": parts.netloc,
            "location": parts.path.strip("/"),
            "endpoint_url": endpoint or None,
            "region_name": query.get("region") or None,
            # S3-compatible servers on premises seldom answer virtual-host names for a bucket.
            "addressing_style": addressing,
            # No ACL header: the bucket's own policy (private) applies; some stores refuse ACLs outright.
            "default_acl": None,
            # An attachment named like an earlier one gets a name of its own, as on the local disk.
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": presigned_seconds or 60,
            "max_memory_size": _SPOOL_BYTES,
        },
    }
