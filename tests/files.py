"""Real files of each kind, made in the tests."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

import pillow_heif
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

pillow_heif.register_heif_opener()

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + b"This program cannot be run"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    return out.getvalue()


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 1.0, 2.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (3.0, 6.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def location_of(image_bytes: bytes) -> dict:
    with Image.open(io.BytesIO(image_bytes)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def heic() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, format="HEIF")
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return out.getvalue()


def docx_bomb() -> bytes:
    """A small .docx that would unpack to over 100 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (101 * 1024 * 1024))
    return out.getvalue()


# Photos carrying everything a phone or an editor writes: camera make and model and GPS in EXIF, GPS and
# the make again in XMP, a comment or text, and a colour profile.
CAMERA_MAKE = "PhoneMakerInc"
CAMERA_MODEL = "Pocket Camera 12"
XMP_MAKE = "XmpCameraMaker"
COMMENT = "Taken at 12 Acacia Avenue"
XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    f'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="{XMP_MAKE}" '
    'exif:GPSLatitude="51,1.2N" exif:GPSLongitude="3,6.0W"/>'
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
).encode()
# What must not be found anywhere in the bytes of a cleaned photo.
TELL_TALES = [
    CAMERA_MAKE.encode(),
    CAMERA_MODEL.encode(),
    XMP_MAKE.encode(),
    COMMENT.encode(),
    b"GPS",
    b"Exif\0\0",
]


def _camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 1.0, 2.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (3.0, 6.0, 0.0)
    return exif


def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def heic_with_location() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 16), "orange").save(
        out, format="HEIF", exif=_camera_exif().tobytes(), xmp=XMP, icc_profile=_srgb_profile()
    )
    return out.getvalue()


def jpeg_with_everything(orientation: int = 1) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 16), "green").save(
        out,
        format="JPEG",
        exif=_camera_exif(orientation),
        xmp=XMP,
        comment=COMMENT.encode(),
        icc_profile=_srgb_profile(),
    )
    return out.getvalue()


def png_with_everything() -> bytes:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", COMMENT)
    text.add_text("Source", CAMERA_MODEL, zip=True)
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    Image.new("RGBA", (32, 16), (0, 0, 255, 128)).save(
        out, format="PNG", exif=_camera_exif(), pnginfo=text, icc_profile=_srgb_profile()
    )
    return out.getvalue()


# Office files made hostile by rewriting one entry's headers or data after zipfile wrote them.
LOCAL_FIELDS = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "size": (22, "<I")}
CENTRAL_FIELDS = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "size": (24, "<I")}


def zip_of(entries: dict[str, bytes], stored: tuple[str, ...] = ("mimetype",)) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return out.getvalue()


def with_entry_headers(data: bytes, name: str, **fields: int) -> bytes:
    """The zip with fields (flags, method, crc, size) of one entry rewritten in both of its headers."""
    patched = bytearray(data)
    entry = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    for field_name, value in fields.items():
        offset, layout = LOCAL_FIELDS[field_name]
        struct.pack_into(layout, patched, entry.header_offset + offset, value)
        offset, layout = CENTRAL_FIELDS[field_name]
        struct.pack_into(layout, patched, central + offset, value)
    return bytes(patched)


def with_entry_data_damaged(data: bytes, name: str) -> bytes:
    """The zip with the middle of one entry's compressed data overwritten."""
    entry = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    start = entry.header_offset + 30 + len(name.encode()) + len(entry.extra)
    middle = start + entry.compress_size // 2
    return data[:middle] + b"\xff\xff\xff" + data[middle + 3 :]


def odt_with(mimetype: bytes = b"application/vnd.oasis.opendocument.text", stored: bool = True) -> bytes:
    content = '<?xml version="1.0"?><office:document-content/>'
    return zip_of({"mimetype": mimetype, "content.xml": content}, stored=("mimetype",) if stored else ())


def docx_with_document(document: bytes) -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": document})


@functools.cache
def docx_lying_about_its_size(declared: int = 1000, inflated: int = 200 * 1024 * 1024) -> bytes:
    """A .docx whose headers say word/document.xml is `declared` bytes, with the CRC of those first
    bytes (so a reader that stops where the headers say finds nothing wrong), but which inflates to
    `inflated` bytes."""
    document = b"<w:document/>" + b"\0" * (inflated - 13)
    lying = docx_with_document(document)
    return with_entry_headers(lying, "word/document.xml", size=declared, crc=zlib.crc32(document[:declared]))
