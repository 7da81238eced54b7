package service

import (
	"context"
	"strings"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Directory answers the public reference data: regions and schools.
type Directory struct {
	db *storage.DB
}

// RegionView is a region as the API shows it.
type RegionView struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Level      string  `json:"level"`
	ParentCode *string `json:"parent_code"`
}

// SchoolView is a school as the API shows it.
type SchoolView struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	RegionCode string   `json:"region_code"`
	Stages     []string `json:"stages"`
}

// Regions returns the whole region tree, parents first.
func (d *Directory) Regions(ctx context.Context) ([]RegionView, error) {
	rs, err := d.db.Regions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RegionView, 0, len(rs))
	for _, r := range rs {
		out = append(out, RegionView(r))
	}
	return out, nil
}

// Schools lists schools in a region subtree (all when regionCode is empty).
// An unknown region code is a 422.
func (d *Directory) Schools(ctx context.Context, regionCode string) ([]SchoolView, error) {
	if regionCode != "" {
		if _, err := d.db.Region(ctx, regionCode); err != nil {
			if model.KindOf(err) == model.KindNotFound {
				return nil, model.Invalid("region_code", "unknown region code")
			}
			return nil, err
		}
	}
	ss, err := d.db.Schools(ctx, regionCode)
	if err != nil {
		return nil, err
	}
	out := make([]SchoolView, 0, len(ss))
	for _, s := range ss {
		out = append(out, SchoolView{ID: s.ID, Name: s.Name, RegionCode: s.RegionCode, Stages: strings.Split(s.Stages, ",")})
	}
	return out, nil
}
