package exifscrub

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/exifscrub/exifscrub/internal/icc"
)

// An ICC colour profile is sanitised by internal/icc: rebuilt from the tags
// that define colour, byte for byte, with neutral required text and a
// header without the identifying fields (its package comment says what is
// kept and why). scrubICC turns what it reads into findings.

// maxICCProfile bounds a profile held in memory (a JPEG's APP2 chunks
// hold no more).
const maxICCProfile = icc.MaxSize

// maxICCTagsListed bounds the dropped tags reportICC lists one by one; the
// rest are counted in one finding that check fails on.
const maxICCTagsListed = 32

// iccTagInfo says how reportICC lists a dropped tag: its name and category.
var iccTagInfo = map[icc.Sig]struct {
	name string
	cat  Category
}{
	icc.SigOf("desc"): {"ProfileDescription", Text},
	icc.SigOf("cprt"): {"ProfileCopyright", Identity},
	icc.SigOf("dmnd"): {"DeviceMfgDesc", Device},
	icc.SigOf("dmdd"): {"DeviceModelDesc", Device},
	icc.SigOf("vued"): {"ViewingCondDesc", Text},
	icc.SigOf("dscm"): {"ProfileDescriptionML", Text},
	icc.SigOf("mmod"): {"MakeAndModel", Device},
	icc.SigOf("ndin"): {"NativeDisplayInfo", Device},
	icc.SigOf("vcgt"): {"VideoCardGamma", Device}, // a calibrated display's own curves
	icc.SigOf("calt"): {"CalibrationDateTime", Time},
	icc.SigOf("targ"): {"CharTarget", Text},
	icc.SigOf("pseq"): {"ProfileSequenceDesc", Device},
	icc.SigOf("psid"): {"ProfileSequenceIdentifier", Device},
	icc.SigOf("ncol"): {"NamedColor", Text},
	icc.SigOf("ncl2"): {"NamedColor2", Text},
	icc.SigOf("clrt"): {"ColorantTable", Text},
	icc.SigOf("clot"): {"ColorantTableOut", Text},
	icc.SigOf("meas"): {"Measurement", Other},
	icc.SigOf("view"): {"ViewingConditions", Other},
	icc.SigOf("tech"): {"Technology", Other},
	icc.SigOf("rig0"): {"PerceptualRenderingIntentGamut", Other},
	icc.SigOf("rig2"): {"SaturationRenderingIntentGamut", Other},
	icc.SigOf("ciis"): {"ColorimetricIntentImageState", Other},
	icc.SigOf("resp"): {"OutputResponse", Other},
	icc.SigOf("gamt"): {"Gamut", Other},
	icc.SigOf("pre0"): {"Preview0", Other},
	icc.SigOf("pre1"): {"Preview1", Other},
	icc.SigOf("pre2"): {"Preview2", Other},
}

var (
	iccDesc = icc.SigOf("desc")
	iccCprt = icc.SigOf("cprt")
	iccDscm = icc.SigOf("dscm")
)

// scrubICC reports in rep what profile p reveals that icc.Sanitize
// removes, under container (such as "ICC_Profile"), and returns p
// sanitised. It reports nothing for a profile that icc.Sanitize leaves
// unchanged.
//
// An error wrapping icc.ErrInvalid means p is not a usable profile: it has
// been reported as Embedded, and callers remove it. An error wrapping
// ErrUnsupportedFeature means colour engines would use p but it cannot be
// rebuilt safely: nothing is reported, and callers refuse the image, unless
// the profile is being dropped anyway (Options.DropColorProfile).
func scrubICC(rep *Report, container string, p []byte) ([]byte, error) {
	pr, err := icc.Parse(p)
	if errors.Is(err, icc.ErrInvalid) {
		rep.add(Embedded, container, "ICC_Profile", fmt.Sprintf("(%d bytes, %v)", len(p), err))
		return nil, err
	}
	if err != nil {
		return nil, iccError(err)
	}
	clean, err := pr.Sanitize()
	if err != nil {
		return nil, iccError(err)
	}
	if !bytes.Equal(clean, p) {
		reportICC(rep, container, pr)
	}
	return clean, nil
}

// iccError returns the error of a profile icc refuses as unsupported, as
// an error wrapping ErrUnsupportedFeature.
func iccError(err error) error {
	var e *icc.Error
	if errors.As(err, &e) && e.Err == icc.ErrUnsupported {
		return fmt.Errorf("ICC profile: %s: %w", e.Reason, ErrUnsupportedFeature)
	}
	return err
}

// reportICC adds to rep what profile pr reveals, for a profile that
// sanitising changes.
//
// A well-known standard profile (see icc.IsStandard) gives one finding of
// category Other. Any other profile gives a finding per field: the header's
// device, creator and platform as Device, its date as Time, text tags by
// what they say, and unreferenced non-zero bytes as Embedded.
func reportICC(rep *Report, container string, pr *icc.Profile) {
	var r Report
	h := pr.Header
	sigField := func(cat Category, tag string, v icc.Sig) {
		if v != 0 {
			r.add(cat, container, tag, v.String())
		}
	}
	sigField(Device, "ProfileCMMType", h.CMM)
	sigField(Device, "PrimaryPlatform", h.Platform)
	sigField(Device, "DeviceManufacturer", h.Manufacturer)
	sigField(Device, "DeviceModel", h.Model)
	sigField(Device, "ProfileCreator", h.Creator)
	if d := h.Date; d != [6]uint16{} {
		r.add(Time, container, "ProfileDateTime", fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", d[0], d[1], d[2], d[3], d[4], d[5]))
	}
	if h.Attributes != [8]byte{} {
		r.add(Device, container, "DeviceAttributes", hex.EncodeToString(h.Attributes[:]))
	}
	if h.ID != [16]byte{} {
		r.add(Device, container, "ProfileID", hex.EncodeToString(h.ID[:]))
	}
	if h.Reserved {
		r.add(Embedded, container, "Header", "(data in reserved header bytes)")
	}
	var desc string
	texts := true // every text is a standard profile's
	listed := 0
	for _, t := range pr.Tags {
		colour := icc.IsColourTag(t.Sig)
		if !colour && t.Sig != iccDesc && t.Sig != iccCprt {
			listed++
			if listed > maxICCTagsListed {
				texts = false
				continue
			}
		}
		if colour {
			if reserved, after := pr.Unused(t); reserved {
				r.add(Embedded, container, t.Sig.String(), "(data in reserved tag bytes)")
			} else if after > 0 {
				r.add(Embedded, container, t.Sig.String(), fmt.Sprintf("(%d bytes after the tag's values)", after))
			}
			continue
		}
		info, known := iccTagInfo[t.Sig]
		switch {
		case !known:
			r.add(Embedded, container, t.Sig.String(), fmt.Sprintf("(private tag, %d bytes)", t.Size))
			texts = false
		case info.cat == Other:
			r.add(Other, container, info.name, fmt.Sprintf("(%d bytes)", t.Size))
		default:
			// A report shows maxValueLen characters: the rest is not
			// read.
			s, ok := pr.Text(t, 4*maxValueLen)
			if !ok {
				s = fmt.Sprintf("(%d bytes)", t.Size)
			}
			if t.Sig == iccDesc {
				if s == icc.NeutralDescription {
					continue
				}
				desc = s
			} else if t.Sig == iccCprt && s == icc.NeutralCopyright {
				continue
			}
			switch {
			case t.Sig == iccDesc:
			case t.Sig == iccDscm && s == desc:
			case !ok || !icc.IsStandardText(s):
				texts = false
			}
			r.add(info.cat, container, info.name, s)
		}
	}
	if listed > maxICCTagsListed {
		r.add(Embedded, container, "ICC_Profile", fmt.Sprintf("(%d more tags, not listed)", listed-maxICCTagsListed))
	}
	if hidden := pr.HiddenBytes(); hidden > 0 {
		r.add(Embedded, container, "ICC_Profile", fmt.Sprintf("(%d non-zero bytes outside the tags)", hidden))
	}
	if len(pr.Extra) > 0 {
		cat := Embedded
		if allZero(pr.Extra) {
			cat = Other
		}
		r.add(cat, container, "ICC_Profile", fmt.Sprintf("(%d bytes after the profile)", len(pr.Extra)))
	}
	creator := h.Creator.String()
	standard := texts && !r.Has(Embedded) && desc != ""
	if standard {
		standard = icc.IsStandard(desc, creator)
	}
	switch {
	case standard:
		rep.add(Other, container, "ProfileDescription", desc+" (standard profile, rewritten)")
	case len(r.Findings) == 0:
		rep.add(Other, container, "ICC_Profile", "(rewritten)")
	default:
		rep.merge(&r)
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
