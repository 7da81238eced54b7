-- +goose Up
-- Volunteers (issue 15): a resident's volunteer profile (the phone stays on
-- the resident row), the activities community workers post (a place in
-- words and a region: no column can point to a household or person), the
-- sign-ups and the hours logged once per volunteer and activity.
CREATE TABLE volunteers (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  resident_id VARCHAR(26) NOT NULL,
  name_sealed TEXT NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  skills VARCHAR(255) NOT NULL,
  availability VARCHAR(400) NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  FOREIGN KEY (resident_id) REFERENCES residents(id),
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE UNIQUE INDEX idx_volunteers_resident ON volunteers(resident_id);

CREATE TABLE volunteer_activities (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  region_code VARCHAR(12) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  place VARCHAR(400) NOT NULL,
  starts_at DATETIME NOT NULL,
  ends_at DATETIME NOT NULL,
  slots INT NOT NULL,
  created_by VARCHAR(26) NOT NULL,
  created_at DATETIME NOT NULL,
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE INDEX idx_volunteer_activities_region ON volunteer_activities(region_code, starts_at);

CREATE TABLE volunteer_signups (
  activity_id VARCHAR(26) NOT NULL,
  volunteer_id VARCHAR(26) NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (activity_id, volunteer_id),
  FOREIGN KEY (activity_id) REFERENCES volunteer_activities(id),
  FOREIGN KEY (volunteer_id) REFERENCES volunteers(id)
);
CREATE INDEX idx_volunteer_signups_volunteer ON volunteer_signups(volunteer_id);

CREATE TABLE volunteer_hours (
  activity_id VARCHAR(26) NOT NULL,
  volunteer_id VARCHAR(26) NOT NULL,
  minutes INT NOT NULL,
  logged_by VARCHAR(26) NOT NULL,
  logged_at DATETIME NOT NULL,
  PRIMARY KEY (activity_id, volunteer_id),
  FOREIGN KEY (activity_id, volunteer_id) REFERENCES volunteer_signups(activity_id, volunteer_id)
);
CREATE INDEX idx_volunteer_hours_volunteer ON volunteer_hours(volunteer_id);

-- +goose Down
DROP TABLE volunteer_hours;
DROP TABLE volunteer_signups;
DROP TABLE volunteer_activities;
DROP TABLE volunteers;
