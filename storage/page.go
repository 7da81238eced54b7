package storage

import (
	"gorm.io/gorm"

	"github.com/jiuzhu/jiuzhu/model"
)

// paginate orders q newest first by column (an id column whose values sort
// by creation) and applies the cursor; it fetches Limit+1 rows so
// model.NewPage can tell whether a next page exists. It is the one
// pagination helper every list uses.
func paginate(q *gorm.DB, column string, req model.PageRequest) *gorm.DB {
	if req.After != "" {
		q = q.Where(column+" < ?", req.After)
	}
	return q.Order(column + " DESC").Limit(req.Limit + 1)
}
