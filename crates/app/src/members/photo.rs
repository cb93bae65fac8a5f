//! Profile photos: the upload is identified by its content (magic bytes, never the file name),
//! bounded in size and pixel count, and re-encoded as a small square JPEG thumbnail, so what we
//! store and serve is always an image we made.

use roundtable_domain::FieldError;
use std::io::Cursor;

/// Largest upload accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Thumbnail edge in pixels.
pub const EDGE: u32 = 256;

/// Makes the thumbnail, or says in plain words why the file cannot be used.
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    let bad = |m: &str| FieldError::new("photo", m);
    if bytes.is_empty() {
        return Err(bad("Choose a photo to upload."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(bad("The photo is larger than 5 MB. Choose a smaller one."));
    }
    let format = image::guess_format(bytes)
        .map_err(|_| bad("That file is not a photo we can read. Use a JPEG, PNG, WebP or GIF image."))?;
    if !matches!(
        format,
        image::ImageFormat::Jpeg | image::ImageFormat::Png | image::ImageFormat::WebP | image::ImageFormat::Gif
    ) {
        return Err(bad("Use a JPEG, PNG, WebP or GIF image."));
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    // A small file can claim enormous dimensions; refuse before allocating.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|_| bad("The photo could not be read; it may be damaged or too large. Try another file."))?;
    let thumb = img.resize_to_fill(EDGE, EDGE, image::imageops::FilterType::Triangle).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&thumb)
        .map_err(|_| bad("The photo could not be processed. Try another file."))?;
    Ok(out)
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
