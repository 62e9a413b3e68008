#!/bin/sh
# Makes the app's PNG icons from ../icon.svg: librsvg draws it at the size
# (apt-get install librsvg2-bin; ImageMagick's own SVG reader draws at
# 16 pixels and blurs when scaled), ImageMagick pads and palettes it
# (apt-get install imagemagick). The PNGs are committed: they change only
# when the drawing does. Sizes: 192 and 512 for Android's launcher and
# splash screen ("any"), 512 maskable (the drawing inside the central 80%
# safe zone of W3C Web App Manifest "maskable" icons, on an opaque
# background), and 180 for iOS's home screen (apple-touch-icon, opaque:
# iOS puts black behind transparency).
set -eu
cd "$(dirname "$0")"
svg=../icon.svg
icon() { # size, drawing size, background, output
	rsvg-convert -w "$2" -h "$2" "$svg" |
		convert png:- -background "$3" -gravity center -extent "$1x$1" -strip -define png:compression-level=9 "PNG8:$4"
}
icon 192 192 none icon-192.png
icon 512 512 none icon-512.png
icon 512 320 white maskable-512.png
icon 180 140 white apple-touch-icon.png
