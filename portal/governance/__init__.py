"""The governance report for managers and the oversight board: the monthly timeliness and
communication figures, and the national picture to set them beside (national.py)."""
