"""Names of uploaded files: the short, safe one stored on disk, and the person's own one shown and sent back.

A file system allows 255 bytes per name, and a Kazakh or Russian letter takes two bytes in UTF-8, so a
name a person can type (128 letters) may not fit on disk. The disk therefore gets a shortened, cleaned
name that keeps the extension; the person's name is kept in the database for the page and the download.
"""

import re
import unicodedata

from django.core.files.uploadhandler import TemporaryFileUploadHandler

# Well under the 255-byte limit: the storage may append "_" and 7 random characters to avoid a clash,
# and the FileFields (max_length=300) also hold the folders in front of the name.
MAX_STORED_NAME_BYTES = 100
FALLBACK_STEM = "file"
# An extension is a short run of letters and digits; "v1.2 final" has none, only a dot in its stem.
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
# The characters Django's storage keeps in a name (get_valid_filename), so its own pass changes nothing.
_NOT_KEPT_ON_DISK = re.compile(r"[^-\w.]")


def _last_component(name: str) -> str:
    # Browsers on Windows have sent the whole path, with either slash.
    return unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if dot and _EXTENSION.fullmatch(extension):
        return stem, extension
    return name, ""


def _truncate_bytes(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, never cutting a letter in half."""
    return text.encode()[: max(limit, 0)].decode("utf-8", "ignore")


def stored_file_name(name: str) -> str:
    """The name to store an upload under: cleaned, at most MAX_STORED_NAME_BYTES bytes, extension kept.

    "әріптестер … (200 letters).PDF" → "әріптестер…" cut to fit + ".PDF"; "../../x.pdf" → "x.pdf";
    "...", "" or "###" → "file"; a short clean name such as "акт.pdf" is returned unchanged.
    """
    stem, extension = _split_extension(_last_component(name).strip())
    stem = _NOT_KEPT_ON_DISK.sub("", "_".join(stem.split())).strip("._-")
    suffix = f".{extension}" if extension else ""
    stem = _truncate_bytes(stem, MAX_STORED_NAME_BYTES - len(suffix)).rstrip("._-") or FALLBACK_STEM
    return stem + suffix


def display_file_name(name: str, *, max_length: int = 255) -> str:
    """The person's own name for the file, to list and to send back on download, at most `max_length` characters.

    Folders, control and direction-changing characters are dropped (they could disguise the extension on a page
    or break a header); a name too long for its column loses the end of its stem, marked "…", and keeps the
    extension; a name with nothing left to read is replaced by the stored one.
    """
    kept = []
    for char in _last_component(name):
        category = unicodedata.category(char)
        if category.startswith("Z") or char.isspace():
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    text = " ".join("".join(kept).split())
    if not text.strip(". "):
        return stored_file_name(name)
    if len(text) <= max_length:
        return text
    stem, extension = _split_extension(text)
    suffix = f".{extension}" if extension else ""
    return stem[: max_length - len(suffix) - 1].rstrip() + "…" + suffix


class ShortTemporaryNameUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large uploads, except that the temporary file is not named after the upload.

    Django names the temporary file "tmpXXXX.upload<extension>"; a name whose "extension" is long (a dot,
    then 200 Kazakh letters) then exceeds the file system's limit and every upload page answers 500 while
    the request is parsed. The upload keeps the person's name; only the temporary file's name changes.
    """

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, "upload", *args, **kwargs)
        self.file_name = file_name
        self.file.name = file_name
