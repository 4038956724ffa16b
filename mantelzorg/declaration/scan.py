"""Reading the QR code in an uploaded photo or screenshot (issue 14, C6), with zxing-cpp.

Bounded before anything is decoded: at most ``MAX_UPLOAD_BYTES`` of file and ``MAX_PIXELS``
pixels (read from the image header, before the pixels are loaded: no decompression bomb). The image
is read in memory and never written anywhere."""

from __future__ import annotations

import warnings

import zxingcpp
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# A 48-megapixel phone photo is 8000 x 6000; above that we do not decode.
MAX_PIXELS = 50_000_000


class ScanError(Exception):
    """An upload we cannot read a QR code from; the message says why, for the verifier."""


def code_from_image(upload) -> str:
    """The text of the QR code in ``upload`` (an UploadedFile); the first MZ1 code when there are
    several. Raises ScanError."""
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ScanError(
            _(
                "The picture is larger than %(megabytes)d MB. Take a screenshot or a smaller photo of the QR code."
            )
            % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ScanError(_("The picture has too many pixels. Take a screenshot or a smaller photo."))
            image.load()
            image = ImageOps.exif_transpose(image).convert("L")
    except ScanError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Warning) as error:
        raise ScanError(
            _("This file is not a picture we can read. Upload a photo or screenshot (PNG or JPEG).")
        ) from error
    found = [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    found = [text for text in found if text]
    if not found:
        raise ScanError(
            _(
                "No QR code was found in the picture. Make sure the whole QR code is sharp and in view, or paste the text."
            )
        )
    return next((text for text in found if text.startswith("MZ1:")), found[0])
