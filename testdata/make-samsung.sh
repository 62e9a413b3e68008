#!/bin/sh
# make-samsung.sh [OUTDIR]: build samsung__sef_motion.jpg, a Samsung-style motion photo, from
# two files of testdata: pillow__exif_gps.jpg (the still, with its GPS) and
# video__udta_xmp_faststart.mp4 (the video, with its own position, creator and times),
# joined by a SEF trailer written with perl's pack (little-endian, as ExifTool's
# Samsung.pm reads it): an Image_UTC_Data record (type 0x0a01, a capture time in
# milliseconds, invented: 2024-06-01 19:14:03 UTC), the MotionPhoto_Data record
# (type 0x0a30) holding the MP4, the SEFH directory (version 106, two entries: type,
# offset back from SEFH to the record, record size) and its length and "SEFT".
set -eu
d=$(dirname "$0")
out=${1:-$d}
perl -e '
  sub slurp { local $/; open my $f, "<:raw", $_[0] or die "$_[0]: $!"; <$f> }
  my ($jpeg, $mp4) = (slurp($ARGV[0]), slurp($ARGV[1]));
  sub rec { my ($type, $name, $data) = @_; pack("vvV", 0, $type, length $name) . $name . $data }
  my @recs = (rec(0x0a01, "Image_UTC_Data", "1717269243000"), rec(0x0a30, "MotionPhoto_Data", $mp4));
  my $body = join "", @recs;
  my ($dir, $back) = ("", length $body);
  for my $r (@recs) { $dir .= pack("vvVV", 0, unpack("x2v", $r), $back, length $r); $back -= length $r }
  $dir = "SEFH" . pack("VV", 106, scalar @recs) . $dir;
  print $jpeg, $body, $dir, pack("V", length $dir), "SEFT";
' "$d/pillow__exif_gps.jpg" "$d/video__udta_xmp_faststart.mp4" > "$out/samsung__sef_motion.jpg"
