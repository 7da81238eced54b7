-- +goose Up
CREATE TABLE regions (
  code VARCHAR(12) NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  level VARCHAR(16) NOT NULL,
  parent_code VARCHAR(12) NULL,
  FOREIGN KEY (parent_code) REFERENCES regions(code)
);
CREATE INDEX idx_regions_parent ON regions(parent_code);

CREATE TABLE schools (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  name VARCHAR(128) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  stages VARCHAR(64) NOT NULL,
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE INDEX idx_schools_region ON schools(region_code);

CREATE TABLE staff (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  role VARCHAR(32) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  school_id VARCHAR(26) NULL,
  display_name VARCHAR(64) NOT NULL DEFAULT '',
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  demo BOOLEAN NOT NULL DEFAULT FALSE,
  totp_secret TEXT NULL,
  totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  FOREIGN KEY (region_code) REFERENCES regions(code),
  FOREIGN KEY (school_id) REFERENCES schools(id)
);
CREATE UNIQUE INDEX uq_staff_username ON staff(username);
CREATE INDEX idx_staff_region ON staff(region_code);

CREATE TABLE role_settings (
  role VARCHAR(32) NOT NULL PRIMARY KEY,
  require_totp BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at DATETIME NOT NULL
);

CREATE TABLE standards (
  region_code VARCHAR(12) NOT NULL,
  year INT NOT NULL,
  hukou VARCHAR(8) NOT NULL,
  monthly_amount BIGINT NOT NULL,
  updated_at DATETIME NOT NULL,
  updated_by VARCHAR(26) NULL,
  PRIMARY KEY (region_code, year, hukou),
  FOREIGN KEY (region_code) REFERENCES regions(code)
);

CREATE TABLE terms (
  name VARCHAR(16) NOT NULL PRIMARY KEY,
  starts_at DATETIME NOT NULL,
  ends_at DATETIME NOT NULL
);

CREATE TABLE voucher_caps (
  term VARCHAR(16) NOT NULL,
  stage VARCHAR(16) NOT NULL,
  item VARCHAR(16) NOT NULL,
  cap BIGINT NOT NULL,
  updated_at DATETIME NOT NULL,
  updated_by VARCHAR(26) NULL,
  PRIMARY KEY (term, stage, item),
  FOREIGN KEY (term) REFERENCES terms(name)
);

CREATE TABLE sequences (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL
);

CREATE TABLE residents (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  phone_sealed TEXT NOT NULL,
  phone_index VARCHAR(64) NOT NULL,
  phone_masked VARCHAR(16) NOT NULL,
  created_at DATETIME NOT NULL,
  last_login_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_residents_phone ON residents(phone_index);

CREATE TABLE households (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  resident_id VARCHAR(26) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  address_sealed TEXT NOT NULL,
  hukou VARCHAR(8) NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  FOREIGN KEY (resident_id) REFERENCES residents(id),
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE UNIQUE INDEX uq_households_resident ON households(resident_id);
CREATE INDEX idx_households_region ON households(region_code);

CREATE TABLE members (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  household_id VARCHAR(26) NOT NULL,
  position INT NOT NULL,
  name_sealed TEXT NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  id_sealed TEXT NOT NULL,
  id_index VARCHAR(64) NOT NULL,
  id_masked VARCHAR(32) NOT NULL,
  birth_date VARCHAR(10) NOT NULL,
  sex VARCHAR(1) NOT NULL,
  relation VARCHAR(16) NOT NULL,
  monthly_income BIGINT NOT NULL DEFAULT 0,
  work_ability VARCHAR(16) NULL,
  disability_sealed TEXT NULL,
  has_disability BOOLEAN NOT NULL DEFAULT FALSE,
  school_id VARCHAR(26) NULL,
  school_stage VARCHAR(16) NULL,
  school_grade VARCHAR(16) NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  FOREIGN KEY (household_id) REFERENCES households(id) ON DELETE CASCADE,
  FOREIGN KEY (school_id) REFERENCES schools(id)
);
CREATE UNIQUE INDEX uq_members_id_number ON members(id_index);
CREATE INDEX idx_members_household ON members(household_id);

CREATE TABLE applications (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  number VARCHAR(32) NOT NULL,
  household_id VARCHAR(26) NOT NULL,
  resident_id VARCHAR(26) NOT NULL,
  program VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  reason TEXT NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  open_slot VARCHAR(64) NULL,
  per_capita_income BIGINT NULL,
  monthly_amount BIGINT NULL,
  amount_reason TEXT NULL,
  home_visit_date VARCHAR(10) NULL,
  home_visit_note TEXT NULL,
  assessed_by VARCHAR(26) NULL,
  assessed_at DATETIME NULL,
  accepted_by VARCHAR(26) NULL,
  investigated_by VARCHAR(26) NULL,
  publicized_by VARCHAR(26) NULL,
  decided_by VARCHAR(26) NULL,
  submitted_at DATETIME NULL,
  decided_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  FOREIGN KEY (household_id) REFERENCES households(id),
  FOREIGN KEY (resident_id) REFERENCES residents(id),
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE UNIQUE INDEX uq_applications_number ON applications(number);
CREATE UNIQUE INDEX uq_applications_open ON applications(open_slot);
CREATE INDEX idx_applications_region_status ON applications(region_code, status);
CREATE INDEX idx_applications_resident ON applications(resident_id);

CREATE TABLE application_events (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  at DATETIME NOT NULL,
  status VARCHAR(16) NOT NULL,
  actor_role VARCHAR(32) NOT NULL,
  actor_id VARCHAR(26) NULL,
  note TEXT NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id)
);
CREATE INDEX idx_events_application ON application_events(application_id);

CREATE TABLE documents (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  blob_key VARCHAR(128) NOT NULL,
  size BIGINT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  content_type VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  review_reason TEXT NULL,
  reviewed_by VARCHAR(26) NULL,
  reviewed_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id)
);
CREATE INDEX idx_documents_application ON documents(application_id);

CREATE TABLE messages (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  resident_id VARCHAR(26) NOT NULL,
  application_id VARCHAR(26) NULL,
  text TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  read_at DATETIME NULL,
  FOREIGN KEY (resident_id) REFERENCES residents(id)
);
CREATE INDEX idx_messages_resident ON messages(resident_id);

CREATE TABLE notices (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  application_id VARCHAR(26) NOT NULL,
  program VARCHAR(16) NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  household_size INT NOT NULL,
  monthly_amount BIGINT NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  starts_at DATETIME NOT NULL,
  ends_at DATETIME NOT NULL,
  status VARCHAR(16) NOT NULL,
  FOREIGN KEY (application_id) REFERENCES applications(id),
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE INDEX idx_notices_application ON notices(application_id);
CREATE INDEX idx_notices_region_status ON notices(region_code, status);

CREATE TABLE objections (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  notice_id VARCHAR(26) NOT NULL,
  application_id VARCHAR(26) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  content TEXT NOT NULL,
  contact_sealed TEXT NULL,
  status VARCHAR(16) NOT NULL,
  resolution TEXT NULL,
  upheld BOOLEAN NULL,
  resolved_by VARCHAR(26) NULL,
  resolved_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  FOREIGN KEY (notice_id) REFERENCES notices(id),
  FOREIGN KEY (application_id) REFERENCES applications(id)
);
CREATE INDEX idx_objections_application ON objections(application_id, status);
CREATE INDEX idx_objections_region ON objections(region_code);

CREATE TABLE audit_log (
  seq BIGINT NOT NULL PRIMARY KEY,
  id VARCHAR(26) NOT NULL,
  at DATETIME NOT NULL,
  actor_id VARCHAR(26) NOT NULL,
  actor_role VARCHAR(32) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  action VARCHAR(64) NOT NULL,
  target_type VARCHAR(32) NOT NULL,
  target_id VARCHAR(64) NOT NULL,
  outcome VARCHAR(16) NOT NULL,
  request_id VARCHAR(64) NOT NULL,
  client_ip VARCHAR(64) NOT NULL,
  detail TEXT NOT NULL,
  prev_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL
);
CREATE UNIQUE INDEX uq_audit_id ON audit_log(id);
CREATE INDEX idx_audit_region ON audit_log(region_code, seq);

CREATE TABLE audit_head (
  id INT NOT NULL PRIMARY KEY,
  last_seq BIGINT NOT NULL,
  last_hash CHAR(64) NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE publications (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  region_code VARCHAR(12) NOT NULL,
  program VARCHAR(16) NOT NULL,
  period VARCHAR(7) NOT NULL,
  seq INT NOT NULL,
  number VARCHAR(64) NOT NULL,
  published_at DATETIME NOT NULL,
  published_by VARCHAR(26) NOT NULL,
  entry_count INT NOT NULL,
  content_hash CHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  withdrawn_reason TEXT NULL,
  withdrawn_at DATETIME NULL,
  withdrawn_by VARCHAR(26) NULL,
  FOREIGN KEY (region_code) REFERENCES regions(code)
);
CREATE UNIQUE INDEX uq_publications_seq ON publications(region_code, program, seq);
CREATE INDEX idx_publications_region ON publications(region_code);

CREATE TABLE publication_entries (
  publication_id VARCHAR(26) NOT NULL,
  position INT NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  household_size INT NOT NULL,
  monthly_amount BIGINT NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  PRIMARY KEY (publication_id, position),
  FOREIGN KEY (publication_id) REFERENCES publications(id)
);

CREATE TABLE vouchers (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  code VARCHAR(32) NOT NULL,
  member_id VARCHAR(26) NOT NULL,
  household_id VARCHAR(26) NOT NULL,
  application_id VARCHAR(26) NULL,
  term VARCHAR(16) NOT NULL,
  stage VARCHAR(16) NOT NULL,
  school_id VARCHAR(26) NOT NULL,
  region_code VARCHAR(12) NOT NULL,
  student_name_masked VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  live_slot VARCHAR(64) NULL,
  issued_at DATETIME NOT NULL,
  void_reason TEXT NULL,
  voided_at DATETIME NULL,
  voided_by VARCHAR(26) NULL,
  FOREIGN KEY (member_id) REFERENCES members(id),
  FOREIGN KEY (term) REFERENCES terms(name),
  FOREIGN KEY (school_id) REFERENCES schools(id)
);
CREATE UNIQUE INDEX uq_vouchers_code ON vouchers(code);
CREATE UNIQUE INDEX uq_vouchers_live ON vouchers(live_slot);
CREATE INDEX idx_vouchers_household ON vouchers(household_id);
CREATE INDEX idx_vouchers_school_term ON vouchers(school_id, term);

CREATE TABLE redemptions (
  id VARCHAR(26) NOT NULL PRIMARY KEY,
  voucher_id VARCHAR(26) NOT NULL,
  school_id VARCHAR(26) NOT NULL,
  operator_id VARCHAR(26) NOT NULL,
  term VARCHAR(16) NOT NULL,
  items TEXT NOT NULL,
  total BIGINT NOT NULL,
  redeemed_at DATETIME NOT NULL,
  FOREIGN KEY (voucher_id) REFERENCES vouchers(id),
  FOREIGN KEY (school_id) REFERENCES schools(id)
);
CREATE UNIQUE INDEX uq_redemptions_voucher ON redemptions(voucher_id);
CREATE INDEX idx_redemptions_school_term ON redemptions(school_id, term);

-- +goose Down
DROP TABLE redemptions;
DROP TABLE vouchers;
DROP TABLE publication_entries;
DROP TABLE publications;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE objections;
DROP TABLE notices;
DROP TABLE messages;
DROP TABLE documents;
DROP TABLE application_events;
DROP TABLE applications;
DROP TABLE members;
DROP TABLE households;
DROP TABLE residents;
DROP TABLE sequences;
DROP TABLE voucher_caps;
DROP TABLE terms;
DROP TABLE standards;
DROP TABLE role_settings;
DROP TABLE staff;
DROP TABLE schools;
DROP TABLE regions;
