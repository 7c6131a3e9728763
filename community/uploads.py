"""Uploaded files: one size limit, `settings.UPLOAD_MAX_BYTES`, enforced while the body is read.

`LimitedUploadHandler` (the only entry of `FILE_UPLOAD_HANDLERS`) keeps the files of a request
in memory, at most the limit plus one byte of them in all, and reads and drops the rest. A file
cut short reports a size past the limit, so `check_size()` in the form refuses it with a message
and the page keeps the member's other choices: no 400 or 413 page, whatever Content-Length (or a
part's own header) claimed.
"""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.formats import number_format
from django.utils.translation import gettext as _


def limit_label() -> str:
    """The limit in words for the member: "5 MB", « 5 Mo »."""
    megabytes = settings.UPLOAD_MAX_BYTES / (1024 * 1024)
    size = number_format(megabytes, decimal_pos=0 if megabytes.is_integer() else 1)
    return _("%(size)s MB") % {"size": size}


def check_size(size: int) -> None:
    """Refuse more than `UPLOAD_MAX_BYTES`, with a message for the member."""
    if size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("This file is larger than %(limit)s.") % {"limit": limit_label()},
            code="too_large",
        )


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        # One allowance for the whole request, so that many file parts cannot add up.
        self.room = settings.UPLOAD_MAX_BYTES + 1

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.kept = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        kept = raw_data[: self.room]
        self.file.write(kept)
        self.kept += len(kept)
        self.room -= len(kept)
        # Nothing is passed on: this handler is the only one.
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        if self.kept < file_size:
            file_size = max(file_size, settings.UPLOAD_MAX_BYTES + 1)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
