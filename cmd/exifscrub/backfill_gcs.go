//go:build gcs

package main

import (
	"cloud.google.com/go/storage"
	"gocloud.dev/blob"
	"gocloud.dev/blob/gcsblob"
)

// Google Cloud Storage (gs://), linked with the build tag gcs: reads and
// the backup's copy of the recorded generation, the in-place write with
// ifGenerationMatch on it (gcsblob's As types, gocloud.dev v0.49.0).
func init() {
	linkedStores = append(linkedStores, storeHooks{
		name: "gcs",
		generation: func(attrs *blob.Attributes) int64 {
			var oa storage.ObjectAttrs
			if attrs.As(&oa) {
				return oa.Generation
			}
			return 0
		},
		read: func(as func(any) bool, v objVersion) bool {
			return v.generation != 0 && via(as, func(h **storage.ObjectHandle) { *h = (*h).Generation(v.generation) })
		},
		write: func(as func(any) bool, v objVersion) bool {
			return v.generation != 0 && via(as, func(h **storage.ObjectHandle) {
				*h = (*h).If(storage.Conditions{GenerationMatch: v.generation})
			})
		},
		copy: func(as func(any) bool, v objVersion) bool {
			return v.generation != 0 && via(as, func(h *gcsblob.CopyObjectHandles) { h.Src = h.Src.Generation(v.generation) })
		},
	})
}
