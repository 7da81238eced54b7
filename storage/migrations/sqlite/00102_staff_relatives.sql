-- +goose Up
-- Conflict of interest: the close relatives a staff member declared, their
-- ID numbers only as blind indexes (the same index as members.id_index).
CREATE TABLE staff_relatives (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  staff_id VARCHAR(26) NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  id_index VARCHAR(64) NOT NULL,
  relation VARCHAR(16) NOT NULL,
  created_at DATETIME NOT NULL,
  FOREIGN KEY (staff_id) REFERENCES staff(id)
);
CREATE INDEX idx_staff_relatives_staff ON staff_relatives(staff_id);
CREATE INDEX idx_staff_relatives_person ON staff_relatives(id_index);

-- +goose Down
DROP TABLE staff_relatives;
