#!/bin/bash
# make-video.sh [OUTDIR]: rebuild the small videos of testdata with ffmpeg and ExifTool
# (apt-get install -y ffmpeg libimage-exiftool-perl). Synthetic pictures and sound, invented
# values; each file is a few kilobytes. Outputs differ slightly between ffmpeg versions.
set -eu
out=${1:-$(dirname "$0")}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
src="-f lavfi -i testsrc2=size=16x16:rate=10:duration=1 -f lavfi -i sine=frequency=440:sample_rate=8000:duration=1"
enc="-c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -c:a aac -b:a 8k -ac 1 -fflags +bitexact"

# 1. iPhone-like MOV, index last: QuickTime Keys (mdta) with an ISO 6709 position, make,
#    model and creation date; a timecode track ('tmcd', the time of day of the recording,
#    whose sample sits in 'mdat' before the 'moov'); rotated 90 degrees (tkhd matrix); bt709.
ffmpeg -loglevel error -y $src $enc -color_primaries bt709 -color_trc bt709 -colorspace bt709 \
  -metadata:s:v rotate=90 -timecode 13:14:15:00 -movflags use_metadata_tags \
  -metadata com.apple.quicktime.location.ISO6709="+48.8584+002.2945+035.000/" \
  -metadata com.apple.quicktime.make=Apple -metadata com.apple.quicktime.model="iPhone 15 Pro" \
  -metadata com.apple.quicktime.creationdate="2024-06-01T21:14:03+0200" \
  -metadata creation_time="2024-06-01T19:14:03Z" "$t/a.mov"
mv "$t/a.mov" "$out/video__keys_tmcd_rot90.mov"

# 2. Android-like MP4, fast start (index first: every chunk offset moves): UserData
#    ©xyz position, make and model, ItemList title and artist, and XMP added by ExifTool.
ffmpeg -loglevel error -y $src $enc -movflags +faststart \
  -metadata location="+37.4220-122.0841/" -metadata make=Google -metadata model="Pixel 8" \
  -metadata title=beach -metadata artist="Alice Example" \
  -metadata creation_time="2024-06-01T19:14:03Z" "$t/b.mp4"
exiftool -q -q -overwrite_original -XMP-dc:Creator="Alice Example" -XMP-exif:GPSLatitude=37.422 \
  -XMP-exif:GPSLongitude=-122.0841 "$t/b.mp4"
mv "$t/b.mp4" "$out/video__udta_xmp_faststart.mp4"

# 3. 3GPP, no audio, a data trailer after the last box (as Samsung's SEFT block).
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=16x16:rate=10:duration=1 -c:v mpeg4 -q:v 31 \
  -fflags +bitexact -metadata creation_time="2024-06-01T19:14:03Z" "$t/c.3gp"
printf 'SEFH\0\0\0\x01trailing vendor data\0\0\0\x20SEFT' >> "$t/c.3gp"
mv "$t/c.3gp" "$out/video__trailer.3gp"

# 4. The video of a Live Photo: video__keys_tmcd_rot90.mov with its streams copied and a
#    content identifier (com.apple.quicktime.content.identifier) among its keys. ffmpeg writes
#    the keys in moov/udta/meta, where Apple writes moov/meta; Scrub reads both. Its still is
#    built by live_test.go (liveHEIC): ExifTool cannot add a tag to an Apple MakerNote.
ffmpeg -loglevel error -y -i "$out/video__keys_tmcd_rot90.mov" -map 0 -c copy -map_metadata 0 \
  -movflags use_metadata_tags -metadata com.apple.quicktime.content.identifier=8A9E5F2C-1B3D-4E6F-A7B8-C9D0E1F2A3B4 \
  "$t/d.mov"
mv "$t/d.mov" "$out/video__live_content_id.mov"
