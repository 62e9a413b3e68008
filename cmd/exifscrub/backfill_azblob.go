//go:build azblob

package main

import (
	"errors"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azblobblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	_ "gocloud.dev/blob/azureblob"
	"gocloud.dev/gcerrors"
)

// Azure Blob Storage (azblob://), linked with the build tag azblob:
// If-Match on the ETag for the reads (Get Blob) and the write (Put Blob,
// or Put Block List above a block), x-ms-source-if-match for the copy.
func init() {
	linkedStores = append(linkedStores, storeHooks{
		name: "azblob",
		read: func(as func(any) bool, v objVersion) bool {
			return v.etag != "" && via(as, func(o *azblob.DownloadStreamOptions) { azIfMatch(&o.AccessConditions, v) })
		},
		write: func(as func(any) bool, v objVersion) bool {
			return v.etag != "" && via(as, func(o *azblob.UploadStreamOptions) { azIfMatch(&o.AccessConditions, v) })
		},
		copy: func(as func(any) bool, v objVersion) bool {
			return v.etag != "" && via(as, func(o *azblobblob.StartCopyFromURLOptions) {
				if o.SourceModifiedAccessConditions == nil {
					o.SourceModifiedAccessConditions = &azblobblob.SourceModifiedAccessConditions{}
				}
				o.SourceModifiedAccessConditions.SourceIfMatch = azETag(v)
			})
		},
		oneLine: azOneLine,
	})
}

// azETag is v's ETag as the Azure SDK takes it.
func azETag(v objVersion) *azcore.ETag {
	e := azcore.ETag(v.etag)
	return &e
}

// azIfMatch adds If-Match: v's ETag to the Azure request's conditions
// *ac, made if there are none.
func azIfMatch(ac **azblob.AccessConditions, v objVersion) {
	if *ac == nil {
		*ac = &azblob.AccessConditions{}
	}
	if (*ac).ModifiedAccessConditions == nil {
		(*ac).ModifiedAccessConditions = &azblobblob.ModifiedAccessConditions{}
	}
	(*ac).ModifiedAccessConditions.IfMatch = azETag(v)
}

// azOneLine shortens the Azure SDK's errors (*azcore.ResponseError),
// which span a dozen lines with the response's XML body, to the request
// and the answer's status and code.
func azOneLine(err error, key string) (string, bool) {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return "", false
	}
	req := ""
	if re.RawResponse != nil && re.RawResponse.Request != nil {
		u := *re.RawResponse.Request.URL
		u.RawQuery = "" // a SAS token would be there
		req = re.RawResponse.Request.Method + " " + u.String() + ": "
	}
	return fmt.Sprintf("blob (key %q) (code=%v): %s%d %s", key, gcerrors.Code(err), req, re.StatusCode, re.ErrorCode), true
}
