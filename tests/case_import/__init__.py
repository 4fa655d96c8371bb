"""Loading cases from the case-management system (portal/case_import, the upload page)."""
