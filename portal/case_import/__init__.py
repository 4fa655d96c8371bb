"""Loading existing cases from the council's case-management system (docs/case-import.md).

- `parse`: the CSV file read into typed rows, every problem naming its line and column. Plain Python.
- `plan`: the rows compared with what is stored: new cases, changed cases, stage changes and
  the checks that need the portal's teams, staff and cases. Plain Python.
- `apply`: the plan saved with bulk SQLAlchemy Core statements, in one transaction.
- `cli`: `flask cases import FILE.csv [--dry-run] [--notify]`.

The administrator's upload page is portal/admin/case_import_pages.py.
"""
