-- Reports at 10,000,000 episodes (issue 8): the disease cells' text keys compare byte-wise
-- (COLLATE "C"). Under the cluster's libc locale every comparison in the primary key and the
-- commune index went through strcoll, which made writing millions of cells (the first build,
-- the daily rebuild) spend most of its time in the B-trees. Nothing sorts these keys for
-- display in SQL (reports order names in the application), so the order change is harmless.
ALTER TABLE report_disease_cell
  ALTER COLUMN grain TYPE char(1) COLLATE "C",
  ALTER COLUMN level TYPE text COLLATE "C",
  ALTER COLUMN commune TYPE text COLLATE "C",
  ALTER COLUMN old_district TYPE text COLLATE "C",
  ALTER COLUMN care TYPE text COLLATE "C",
  ALTER COLUMN key TYPE text COLLATE "C";
