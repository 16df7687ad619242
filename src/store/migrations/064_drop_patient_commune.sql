-- The commune access rule reads the Patient's address commune from the search index
-- (search_token, Patient.address-commune); the copy in patient_commune had no reader left.
DROP TABLE IF EXISTS patient_commune;
