-- +goose Up
-- The staff queue filters by status and a region subtree and pages newest
-- first by id: this index walks one status's rows newest first (no sort,
-- the region a filter on the way) instead of the primary key backwards past
-- every newer row in other statuses. (status, region_code, id) would not do:
-- the region is a prefix range, so its rows would have to be sorted whole.
CREATE INDEX idx_applications_queue ON applications(status, id);

-- +goose Down
DROP INDEX idx_applications_queue;
