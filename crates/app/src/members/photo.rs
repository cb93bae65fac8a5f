//! Profile photos: the upload is identified by its content (magic bytes, never the file name),
//! bounded in size and pixel count, and re-encoded as a small square JPEG thumbnail, so what we
//! store and serve is always an image we made.

use image::ImageDecoder;
use roundtable_domain::FieldError;
use std::io::Cursor;

/// Largest upload accepted, in MB: a phone camera's original (12–50 megapixels) without the
/// person having to shrink it first; it becomes a thumbnail at once. Under the router's
/// `http::error::BODY_LIMIT_MB`.
pub const MAX_MB: usize = 15;
pub const MAX_BYTES: usize = MAX_MB * 1024 * 1024;
/// Thumbnail edge in pixels.
pub const EDGE: u32 = 256;

/// What a photo over `MAX_BYTES` is told.
pub fn too_large() -> FieldError {
    FieldError::new("photo", format!("The photo is larger than {MAX_MB} MB. Choose a smaller one."))
}

/// What a chosen file with nothing in it (a download that failed, a cloud placeholder) is told.
pub fn empty_file() -> FieldError {
    FieldError::new("photo", "The file you chose is empty (0 bytes). Choose the photo again, or another one.")
}

/// Makes the thumbnail, or says in plain words why the file cannot be used.
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    let bad = |m: &str| FieldError::new("photo", m);
    if bytes.is_empty() {
        return Err(bad("Choose a photo to upload."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    if is_heic(bytes) {
        return Err(bad(
            "This is a HEIC photo (as iPhones save them), which cannot be used yet. Save it as a JPEG first — on an iPhone, Settings › Camera › Formats › Most Compatible.",
        ));
    }
    let format = image::guess_format(bytes)
        .map_err(|_| bad("That file is not a photo we can read. Use a JPEG, PNG, WebP or GIF image."))?;
    if !matches!(
        format,
        image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP | image::ImageFormat::Gif
    ) {
        return Err(bad("Use a JPEG, PNG, WebP or GIF image."));
    }
    // The JPEG decoder fills what a cut-short file lacks with grey, without an error.
    if format == image::ImageFormat::Jpeg && !jpeg_has_end(bytes) {
        return Err(bad("The photo could not be read; it may be damaged or too large. Try another file."));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    // A small file can claim enormous dimensions. The reader's `max_alloc` is not checked on
    // the decoder path we need for the EXIF orientation, so the decoded size is checked here,
    // before anything is allocated.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    reader.limits(limits);
    let unreadable = || bad("The photo could not be read; it may be damaged or too large. Try another file.");
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS || decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(bad(&format!(
            "The photo is {w} × {h} pixels, more than we can read ({} megapixels at most). Choose a smaller one.",
            MAX_PIXELS / 1_000_000
        )));
    }
    // Phones store portraits sideways with an EXIF note saying how to turn them; the thumbnail
    // keeps no EXIF, so turn the pixels now or the face ends up on its side.
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|_| unreadable())?;
    img.apply_orientation(orientation);
    // The centre square, then scaled: `resize_to_fill` scales first, which makes a panorama
    // tens of thousands of pixels wide before cutting it.
    let side = img.width().min(img.height());
    let square = img.crop_imm((img.width() - side) / 2, (img.height() - side) / 2, side, side);
    let thumb = on_white(square.resize_exact(EDGE, EDGE, image::imageops::FilterType::Triangle));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&thumb)
        .map_err(|_| bad("The photo could not be processed. Try another file."))?;
    Ok(out)
}

/// Widest or tallest photo read (a phone's panorama fits).
const MAX_EDGE: u32 = 20_000;
/// Most pixels read: today's 50-megapixel phone cameras, with room.
const MAX_PIXELS: u64 = 64_000_000;
/// Most memory one decoded photo may take (64 megapixels of 8-bit RGBA; a 16-bit file of the
/// same size is refused).
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// Whether a JPEG holds its end-of-image marker after its image data: a file cut short (a
/// failed download or copy) does not. The segments before the image data are skipped by their
/// lengths (the EXIF preview there has an end marker of its own); in the image data a 0xFF byte
/// is always followed by 0x00 or a restart or scan marker, never by the end marker's 0xD9, so
/// the first one found is the end. Bytes after it (a phone's motion-photo video) do not matter.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let mut i = 2; // past SOI
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return false;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1; // a fill byte before a marker
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if marker == 0xDA {
            // Start of scan: the image data follows its header.
            return bytes[i + 2 + len.min(bytes.len() - i - 2)..].windows(2).any(|w| w == [0xFF, 0xD9]);
        }
        i += 2 + len;
    }
    false
}

/// Whether the bytes are an ISO media file of the HEIF family (iPhone photos): the `ftyp` box
/// names a HEIC/HEIF brand.
fn is_heic(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp")
        && bytes.get(8..12).is_some_and(|brand| {
            [b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"].iter().any(|b| brand == *b)
        })
}

/// The thumbnail's pixels as RGB, transparent parts laid on white (a JPEG has no
/// transparency, and dropping the alpha channel would make them black).
fn on_white(img: image::DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn a_png_becomes_a_square_jpeg_thumbnail() {
        let t = thumbnail(&png(640, 480)).unwrap();
        assert_eq!(image::guess_format(&t).unwrap(), image::ImageFormat::Jpeg);
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (EDGE, EDGE));
    }

    /// A 4×2 JPEG, left half red and right half blue, saved as a phone saves a portrait: with
    /// an EXIF orientation of 6 ("turn 90° clockwise to view").
    fn sideways_jpeg() -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(
                64,
                32,
                |x, _| if x < 32 { image::Rgb([255, 0, 0]) } else { image::Rgb([0, 0, 255]) },
            );
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95).encode_image(&img).unwrap();
        // APP1 "Exif" segment with one IFD entry: Orientation (0x0112) = 6, big-endian TIFF.
        let tiff: [u8; 26] = [
            b'M', b'M', 0, 42, 0, 0, 0, 8, // header, IFD at offset 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // Orientation, SHORT, count 1, value 6
            0, 0, 0, 0, // no next IFD
        ];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn a_phone_portrait_is_turned_upright() {
        let t = image::load_from_memory(&thumbnail(&sideways_jpeg()).unwrap()).unwrap().to_rgb8();
        // Turned clockwise, the red left half becomes the top: top pixels red, bottom blue.
        let (top, bottom) = (t.get_pixel(EDGE / 2, 10), t.get_pixel(EDGE / 2, EDGE - 10));
        assert!(top[0] > 200 && top[2] < 60, "top should be red, was {top:?}");
        assert!(bottom[2] > 200 && bottom[0] < 60, "bottom should be blue, was {bottom:?}");
    }

    #[test]
    fn a_small_file_claiming_a_huge_image_is_refused_before_it_is_decoded() {
        // A header claiming 9,000 × 9,000 pixels of 16-bit RGBA (650 MB decoded), then a little
        // of the image data: what a small crafted file looks like to the decoder.
        let mut file = Vec::new();
        let mut enc = png::Encoder::new(&mut file, 9_000, 9_000);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Sixteen);
        let mut w = enc.write_header().unwrap();
        w.write_chunk(png::chunk::IDAT, &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]).unwrap();
        drop(w);
        assert!(file.len() < MAX_BYTES, "the file itself is small: {} bytes", file.len());
        let e = thumbnail(&file).unwrap_err();
        assert!(e.message.contains("9000 × 9000 pixels"), "{}", e.message);
        // A panorama wider than 10,000 pixels (once refused) is read.
        assert!(thumbnail(&png(10_500, 60)).is_ok());
    }

    #[test]
    fn transparent_parts_become_white_not_black() {
        let img = image::RgbaImage::from_fn(64, 64, |x, _| {
            if x < 32 { image::Rgba([0, 0, 0, 0]) } else { image::Rgba([20, 20, 200, 255]) }
        });
        let mut file = Vec::new();
        image::DynamicImage::ImageRgba8(img).write_to(&mut Cursor::new(&mut file), image::ImageFormat::Png).unwrap();
        let t = image::load_from_memory(&thumbnail(&file).unwrap()).unwrap().to_rgb8();
        let (left, right) = (t.get_pixel(10, EDGE / 2), t.get_pixel(EDGE - 10, EDGE / 2));
        assert!(left.0.iter().all(|&c| c > 240), "transparent should be white, was {left:?}");
        assert!(right[2] > 180 && right[0] < 60, "opaque blue stays blue, was {right:?}");
    }

    #[test]
    fn an_iphone_heic_photo_is_told_what_to_do() {
        let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
        heic.extend_from_slice(&[0; 64]);
        let e = thumbnail(&heic).unwrap_err();
        assert!(e.message.contains("HEIC") && e.message.contains("JPEG"), "{}", e.message);
    }

    #[test]
    fn a_jpeg_cut_short_is_refused_and_one_with_bytes_after_its_end_is_not() {
        let mut jpeg = Vec::new();
        let pixels = image::RgbImage::from_fn(400, 400, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        image::DynamicImage::ImageRgb8(pixels).write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
        assert!(thumbnail(&jpeg).is_ok());
        let cut = &jpeg[..jpeg.len() * 4 / 10];
        let err = thumbnail(cut).unwrap_err();
        assert!(err.message.contains("may be damaged"), "{err:?}");
        // A phone's motion photo: a video after the picture's end.
        let mut motion = jpeg.clone();
        motion.extend_from_slice(b"\0\0\0\x18ftypmp42 and the rest of a video");
        assert!(thumbnail(&motion).is_ok());
    }

    #[test]
    fn a_text_file_named_like_a_photo_is_refused_by_its_content() {
        let e = thumbnail(b"<html>not a picture</html>").unwrap_err();
        assert!(e.message.contains("not a photo"));
        assert!(thumbnail(&[]).is_err());
        let mut truncated = png(64, 64);
        truncated.truncate(40);
        assert!(thumbnail(&truncated).is_err());
    }
}
