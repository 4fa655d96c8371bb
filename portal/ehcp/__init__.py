"""Education, health and care needs assessments and plans (EHCP)."""
