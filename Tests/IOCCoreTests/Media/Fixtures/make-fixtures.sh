#!/usr/bin/env bash
# Regenerates the image fixtures with real encoders and metadata writers.
# Needs (Debian): imagemagick libimage-exiftool-perl webp libjpeg-turbo-progs
# The committed files are what the tests use; rerunning this changes their bytes.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CONVERT=/usr/bin/convert
ICC=/usr/share/color/icc/ghostscript/srgb.icc
NAME="Nguyen Van Secretname"

# Source pixels: a deterministic plasma, plus a small thumbnail and an RGBA variant.
$CONVERT -size 96x64 -seed 7 plasma:red-blue "$work/base.ppm"
$CONVERT "$work/base.ppm" -resize 24x16 "$work/thumb.jpg"
$CONVERT -size 80x48 -seed 9 plasma:green-yellow \( -size 80x48 gradient:white-black \) \
    -alpha off -compose CopyOpacity -composite "$work/rgba.png"
$CONVERT -size 80x48 -seed 11 plasma:orange-purple "$work/frame2.png"

# 1. Baseline JPEG with restart markers; EXIF (little-endian) with GPS, make/model, artist,
#    orientation 6 and a thumbnail; XMP; IPTC (APP13 Photoshop); COM; ICC profile.
cjpeg -quality 80 -restart 2 "$work/base.ppm" > "$work/baseline.jpg"
exiftool -q -overwrite_original -ExifByteOrder=Little-endian \
    -Orientation#=6 -Make=SecretPhoneMaker -Model=SecretModelX9 -Artist="$NAME" \
    -GPSLatitude=21.028511 -GPSLatitudeRef=N -GPSLongitude=105.804817 -GPSLongitudeRef=E \
    -GPSAltitude=12 -SerialNumber=SN-998877 \
    "-ThumbnailImage<=$work/thumb.jpg" \
    -XMP-dc:Creator="$NAME" -XMP-dc:Description="secret xmp description" \
    -IPTC:By-line="$NAME" -IPTC:City="SecretCity" \
    -Comment="secret comment text" \
    "-ICC_Profile<=$ICC" \
    "$work/baseline.jpg"
cp "$work/baseline.jpg" exif-gps-orient6.jpg

# 2. Progressive JPEG, EXIF big-endian with orientation 3 and make/model, XMP, COM.
cjpeg -quality 70 -progressive "$work/base.ppm" > "$work/progressive.jpg"
exiftool -q -overwrite_original -ExifByteOrder=Big-endian \
    -Orientation#=3 -Make=SecretPhoneMaker -Model=SecretModelX9 \
    -GPSLatitude=10.776 -GPSLatitudeRef=N -GPSLongitude=106.700 -GPSLongitudeRef=E \
    -XMP-dc:Creator="$NAME" -Comment="secret comment text" \
    "$work/progressive.jpg"
cp "$work/progressive.jpg" progressive-orient3.jpg

# 3. JPEG without any EXIF (orientation must come out as 1, nothing re-added).
cjpeg -quality 60 "$work/base.ppm" > plain.jpg

# 4. PNG with gAMA/cHRM/bKGD/pHYs/iCCP kept and tEXt, zTXt, iTXt (XMP), eXIf, tIME dropped.
$CONVERT "$work/base.ppm" -resize 48x32 -profile "$ICC" -set comment "secret comment text" \
    -define png:exclude-chunks=date "$work/meta.png"
exiftool -q -overwrite_original -z -PNG:Author="$NAME" -PNG:Description="secret png description" \
    -XMP-dc:Creator="$NAME" -EXIF:Orientation#=8 -EXIF:Make=SecretPhoneMaker -EXIF:Model=SecretModelX9 \
    -GPSLatitude=21.0 -GPSLatitudeRef=N -GPSLongitude=105.8 -GPSLongitudeRef=E \
    -PNG:ModifyDate="2024:01:02 03:04:05" \
    "$work/meta.png"
cp "$work/meta.png" text-exif.png

# 5. Palette PNG with transparency (PLTE + tRNS must survive), plus a tEXt chunk.
$CONVERT "$work/rgba.png" -channel A -threshold 50% +channel -colors 16 \
    -set comment "secret comment text" PNG8:palette-trns.png

# 6. WebP: metadata blobs for webpmux.
exiftool -q -o "$work/exif.jpg" -ExifByteOrder=Big-endian -Orientation#=6 \
    -Make=SecretPhoneMaker -Model=SecretModelX9 -GPSLatitude=21.0 -GPSLatitudeRef=N \
    "$work/thumb.jpg"
exiftool -q -b -EXIF "$work/exif.jpg" > "$work/exif.bin"
exiftool -q -o "$work/xmp.xmp" -XMP-dc:Creator="$NAME" -XMP-dc:Description="secret xmp description"

# 6a. Lossy with alpha (VP8X + ALPH + VP8) plus EXIF and XMP.
cwebp -quiet -q 60 "$work/rgba.png" -o "$work/lossy.webp"
webpmux -set exif "$work/exif.bin" "$work/lossy.webp" -o "$work/lossy-exif.webp"
webpmux -set xmp "$work/xmp.xmp" "$work/lossy-exif.webp" -o lossy-alpha-meta.webp

# 6b. Lossless (VP8X + VP8L) plus EXIF and XMP.
cwebp -quiet -lossless "$work/base.ppm" -o "$work/lossless.webp" 2>/dev/null \
    || { $CONVERT "$work/base.ppm" "$work/base.png"; cwebp -quiet -lossless "$work/base.png" -o "$work/lossless.webp"; }
webpmux -set exif "$work/exif.bin" "$work/lossless.webp" -o "$work/lossless-exif.webp"
webpmux -set xmp "$work/xmp.xmp" "$work/lossless-exif.webp" -o lossless-meta.webp

# 6c. Simple lossy (plain VP8 chunk, no VP8X, no metadata).
cwebp -quiet -q 50 -noalpha "$work/frame2.png" -o simple-lossy.webp

# 6d. Animated (VP8X + ANIM + ANMF frames) plus EXIF.
img2webp -q 50 -lossy "$work/rgba.png" -d 100 "$work/frame2.png" -o "$work/anim.webp" 2>/dev/null
webpmux -set exif "$work/exif.bin" "$work/anim.webp" -o animated-meta.webp

ls -l
